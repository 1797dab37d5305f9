"""Binance spot: REST /api/v3 and the public market streams.

Docs: https://developers.binance.com/docs/binance-spot-api-docs (REST, request security,
errors, limits, web-socket-streams). Signed calls carry `recvWindow` + `timestamp` and a hex
HMAC-SHA256 over the query string followed by the body; the timestamp is our clock plus a
measured offset to Binance's server time, so a client clock a few seconds off still signs
requests Binance accepts.
"""
from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import TypedDict

from .. import errors as E
from ..core.adapter import Exchange
from ..core.book import BookFeed, OutOfSync
from ..core.signing import hmac_hex
from ..numbers import dec, decimals_to_increment, decoder, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Binance"]

log = logging.getLogger("exchanges.binance")

_STATUS = {"NEW": "open", "PARTIALLY_FILLED": "open", "PENDING_NEW": "open",
           "FILLED": "closed", "CANCELED": "canceled", "PENDING_CANCEL": "canceled",
           "EXPIRED": "canceled", "EXPIRED_IN_MATCH": "canceled", "REJECTED": "rejected"}
_TYPE = {"LIMIT": "limit", "LIMIT_MAKER": "limit", "MARKET": "market"}


class DepthReply(TypedDict):
    """GET /api/v3/depth as documented: rows are exactly [price, quantity] strings."""
    lastUpdateId: int
    bids: list[tuple[Decimal, Decimal]]
    asks: list[tuple[Decimal, Decimal]]


# Up to 10,000 levels a reply: decoded straight into Decimals (numbers.decoder).
decode_depth = decoder(DepthReply)


def _depth_weight(limit: int) -> int:
    """GET /api/v3/depth weight by limit (REST docs, "Order book")."""
    return 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250


def _tickers_weight(count: int | None) -> int:
    """GET /api/v3/ticker/24hr weight: 2 for 1-20 symbols, 40 for 21-100, 80 above or all."""
    if count is None or count > 100:
        return 80
    return 2 if count <= 20 else 40


def _step(value: str) -> Decimal:
    """A filter step ("0.01000000") as a plain Decimal (0.01), never in exponent form."""
    d = dec(value).normalize()
    return d.quantize(Decimal(1)) if d.as_tuple().exponent > 0 else d


class Binance(Exchange):
    id = "binance"
    name = "Binance"
    hosts = {"rest": "https://api.binance.com", "ws": "wss://stream.binance.com:9443/stream"}
    rate_limit = (6000, 60.0)        # REQUEST_WEIGHT 6000 per minute per IP
    recv_window = 5000
    ws_heartbeat = 60.0              # the server pings every 20 s; aiohttp answers them
    timeframes = {tf: tf for tf in ("1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h",
                                    "6h", "8h", "12h", "1d", "3d", "1w", "1M")}
    currency_overrides = {"YOYO": "YOYOW"}
    errors = {
        "-1000": E.ExchangeNotAvailable,   # unknown error while processing
        "-1001": E.ExchangeNotAvailable,   # internal error; unable to process
        "-1002": E.AuthenticationError,    # unauthorized
        "-1003": E.RateLimitExceeded,      # too much request weight / IP banned
        "-1007": E.RequestTimeout,         # backend timeout: execution status unknown
        "-1008": E.ExchangeNotAvailable,   # server overloaded
        "-1013": E.InvalidOrder,           # filter failure (LOT_SIZE, PRICE_FILTER, NOTIONAL)
        "-1015": E.RateLimitExceeded,      # too many new orders
        "-1016": E.ExchangeNotAvailable,   # service shutting down
        "-1021": E.AuthenticationError,    # timestamp outside recvWindow
        "-1022": E.AuthenticationError,    # signature not valid
        "-1111": E.InvalidOrder,           # precision over the maximum
        "-1116": E.InvalidOrder,           # invalid order type
        "-1117": E.InvalidOrder,           # invalid side
        "-1121": E.BadSymbol,              # invalid symbol
        "-2010": E.InvalidOrder,           # new order rejected
        "-2011": E.OrderNotFound,          # cancel rejected (unknown order)
        "-2013": E.OrderNotFound,          # order does not exist
        "-2014": E.AuthenticationError,    # API-key format invalid
        "-2015": E.AuthenticationError,    # invalid API-key, IP, or permissions
    }
    error_exact = {
        "account has insufficient balance for requested action.": E.InsufficientFunds,
    }
    error_messages = {
        "insufficient balance": E.InsufficientFunds,
        "unknown order sent": E.OrderNotFound,
        "invalid symbol": E.BadSymbol,
    }

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._ws_ids = 0

    # -- auth --------------------------------------------------------------------------------
    def sign(self, request):
        creds = self.require_credentials()
        stamp = (f"recvWindow={self.recv_window}"
                 f"&timestamp={self.now()}")
        query = f"{request.query}&{stamp}" if request.query else stamp
        body = request.body or ""
        if isinstance(body, bytes):
            body = body.decode()
        request.query = f"{query}&signature={hmac_hex(creds.secret, query + body)}"
        request.headers["X-MBX-APIKEY"] = creds.api_key
        return request

    # -1021: timestamp outside recvWindow. Binance refuses such a request before acting, so the
    # base re-measures the offset (GET /api/v3/time) and sends it once more.
    clock_errors = frozenset({"-1021"})

    async def fetch_server_time(self) -> int:
        return int((await self.request("GET", "/api/v3/time", weight=1))["serverTime"])

    async def _private(self, method: str, path: str, params=None, *, weight: float = 1):
        return await self.request(method, path, params, signed=True, weight=weight)

    def error_code(self, reply):
        payload = reply.payload
        if isinstance(payload, dict):
            code = payload.get("code")
            if isinstance(code, int) and code < 0:
                return str(code), str(payload.get("msg", ""))
        return None

    # -- markets -----------------------------------------------------------------------------
    async def _fetch_markets(self) -> list[Market]:
        reply = await self.request("GET", "/api/v3/exchangeInfo", weight=20)
        return [self.parse_market(s) for s in reply["symbols"]]

    def parse_market(self, s: dict) -> Market:
        filters = {f["filterType"]: f for f in s.get("filters", ())}
        price = filters.get("PRICE_FILTER", {}).get("tickSize")
        lot = filters.get("LOT_SIZE", {})
        notional = filters.get("NOTIONAL") or filters.get("MIN_NOTIONAL") or {}
        price_inc = _step(price) if price and dec(price) else decimals_to_increment(
            s.get("quoteAssetPrecision", s.get("quotePrecision", 8)))
        amount_inc = (_step(lot["stepSize"]) if dec(lot.get("stepSize", "0"))
                      else decimals_to_increment(s.get("baseAssetPrecision", 8)))
        min_amount = opt_dec(lot.get("minQty"))
        min_cost = opt_dec(notional.get("minNotional"))
        base, quote = self.currency(s["baseAsset"]), self.currency(s["quoteAsset"])
        return Market(f"{base}/{quote}", s["symbol"], base, quote, price_inc, amount_inc,
                      _step(min_amount) if min_amount else None,
                      _step(min_cost) if min_cost else None, s.get("status") == "TRADING")

    # -- public REST -------------------------------------------------------------------------
    async def fetch_ticker(self, symbol: str) -> Ticker:
        market = await self.market(symbol)
        reply = await self.request("GET", "/api/v3/ticker/24hr", {"symbol": market.id},
                                   weight=_tickers_weight(1))
        return self.parse_ticker(reply, market.symbol)

    async def fetch_tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]:
        if symbols is not None:
            ids = [(await self.market(s)).id for s in symbols]
            if len(ids) == 1:
                params = {"symbol": ids[0]}
            else:
                params = {"symbols": json.dumps(ids, separators=(",", ":"))}
            reply = await self.request("GET", "/api/v3/ticker/24hr", params,
                                       weight=_tickers_weight(len(ids)))
        else:
            await self.load_markets()
            reply = await self.request("GET", "/api/v3/ticker/24hr",
                                       weight=_tickers_weight(None))
        rows = [reply] if isinstance(reply, dict) else reply
        by_id = self.markets_by_id
        out = {}
        for row in rows:
            market = by_id.get(row["symbol"])
            if market is not None:
                out[market.symbol] = self.parse_ticker(row, market.symbol)
        return out

    @staticmethod
    def parse_ticker(t: dict, symbol: str) -> Ticker:
        return Ticker(symbol, int(t["closeTime"]), opt_dec(t.get("bidPrice")),
                      opt_dec(t.get("askPrice")), opt_dec(t["lastPrice"]),
                      opt_dec(t.get("highPrice")), opt_dec(t.get("lowPrice")),
                      opt_dec(t.get("openPrice")), opt_dec(t.get("volume")),
                      opt_dec(t.get("quoteVolume")))

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        market = await self.market(symbol)
        limit = min(int(limit), 5000) if limit else 100
        reply = await self.request("GET", "/api/v3/depth",
                                   {"symbol": market.id, "limit": limit},
                                   weight=_depth_weight(limit), decode=decode_depth)
        return self.parse_order_book(reply, market.symbol)

    @staticmethod
    def parse_order_book(reply: DepthReply, symbol: str) -> OrderBook:
        """A reply from `decode_depth` (levels already finite Decimals) → OrderBook."""
        return OrderBook(symbol, reply["bids"], reply["asks"], None, reply["lastUpdateId"])

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1h", since: int | None = None,
                          limit: int | None = None) -> list[Candle]:
        market = await self.market(symbol)
        params = {"symbol": market.id, "interval": self.timeframe(timeframe),
                  "startTime": since, "limit": min(int(limit), 1000) if limit else None}
        reply = await self.request("GET", "/api/v3/klines", params, weight=2)
        return [self.parse_candle(row) for row in reply]

    @staticmethod
    def parse_candle(row: list) -> Candle:
        return Candle(int(row[0]), dec(row[1]), dec(row[2]), dec(row[3]), dec(row[4]),
                      dec(row[5]))

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        market = await self.market(symbol)
        params = {"symbol": market.id, "limit": min(int(limit), 1000) if limit else None}
        reply = await self.request("GET", "/api/v3/trades", params, weight=25)
        trades = [self.parse_trade(t, market.symbol) for t in reply]
        trades.sort(key=lambda t: (t.timestamp, int(t.id)))
        return trades

    @staticmethod
    def parse_trade(t: dict, symbol: str) -> Trade:
        # isBuyerMaker: the buyer rested on the book, so the taker sold.
        return Trade(str(t["id"]), int(t["time"]), "sell" if t["isBuyerMaker"] else "buy",
                     dec(t["price"]), dec(t["qty"]), symbol)

    # -- private REST ------------------------------------------------------------------------
    async def fetch_balance(self) -> dict[str, Balance]:
        reply = await self._private("GET", "/api/v3/account", {"omitZeroBalances": True},
                                    weight=20)
        return self.parse_balances(reply)

    def parse_balances(self, reply: dict) -> dict[str, Balance]:
        out = {}
        for b in reply["balances"]:
            free, used = dec(b["free"]), dec(b["locked"])
            out[self.currency(b["asset"])] = Balance(free, used, free + used)
        return out

    async def _place_order(self, market: Market, side: str, type: str, amount: Decimal,
                           price: Decimal | None, client_order_id: str) -> Order:
        params = {"symbol": market.id, "side": side.upper(), "type": type.upper()}
        if type == "limit":
            params["timeInForce"] = "GTC"
        params.update(quantity=amount, price=price, newClientOrderId=client_order_id,
                      newOrderRespType="RESULT")
        reply = await self._private("POST", "/api/v3/order", params, weight=1)
        return self.parse_order(reply, market)

    async def cancel_order(self, order_id: str, symbol: str) -> Order:
        market = await self.market(symbol)
        reply = await self._private("DELETE", "/api/v3/order",
                                    {"symbol": market.id, "orderId": order_id}, weight=1)
        return self.parse_order(reply, market)

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        market = await self.market(symbol)
        reply = await self._private("GET", "/api/v3/order",
                                    {"symbol": market.id, "orderId": order_id}, weight=4)
        return self.parse_order(reply, market)

    async def find_order_by_client_id(self, market: Market, client_order_id: str
                                      ) -> Order | None:
        try:
            reply = await self._private("GET", "/api/v3/order",
                                        {"symbol": market.id,
                                         "origClientOrderId": client_order_id}, weight=4)
        except E.OrderNotFound:
            return None
        return self.parse_order(reply, market)

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        if symbol is None:
            await self.load_markets()
            reply = await self._private("GET", "/api/v3/openOrders", weight=80)
            return [self.parse_order(o, self.markets_by_id[o["symbol"]]) for o in reply
                    if o["symbol"] in self.markets_by_id]
        market = await self.market(symbol)
        reply = await self._private("GET", "/api/v3/openOrders", {"symbol": market.id},
                                    weight=6)
        return [self.parse_order(o, market) for o in reply]

    @staticmethod
    def parse_order(o: dict, market: Market) -> Order:
        amount, filled = dec(o["origQty"]), dec(o["executedQty"])
        cost = opt_dec(o.get("cummulativeQuoteQty"))
        type_ = _TYPE.get(o["type"], o["type"].lower())
        price = dec(o["price"]) if type_ == "limit" else None
        # A cancel reply's clientOrderId is the cancel request's own id: the order's is orig….
        cid = o.get("origClientOrderId") or o.get("clientOrderId")
        stamp = o.get("transactTime") or o.get("time") or o.get("workingTime")
        return Order(str(o["orderId"]), cid, market.symbol, o["side"].lower(), type_, price,
                     amount, filled, amount - filled, _STATUS.get(o["status"], "open"),
                     int(stamp) if stamp is not None else None,
                     average=cost / filled if cost and filled else None)

    # -- streams -----------------------------------------------------------------------------
    def stream_route(self, msg):
        # Combined streams wrap each event: {"stream": "btcusdt@trade", "data": {...}};
        # replies to SUBSCRIBE ({"result": null, "id": 1}) are control frames.
        if isinstance(msg, dict) and "stream" in msg:
            return msg["stream"], msg["data"]
        if isinstance(msg, dict) and msg.get("error"):
            log.warning("binance: stream error reply: %s", self.scrub(str(msg["error"]))[:200])
        return None

    def _stream_messages(self, stream: str) -> tuple[dict, dict]:
        self._ws_ids += 1
        return ({"method": "SUBSCRIBE", "params": [stream], "id": self._ws_ids},
                {"method": "UNSUBSCRIBE", "params": [stream], "id": self._ws_ids})

    def _ticker_stream(self, market: Market):
        stream = f"{market.id.lower()}@ticker"
        sub, unsub = self._stream_messages(stream)
        return stream, sub, unsub, lambda d: self.parse_ws_ticker(d, market.symbol)

    @staticmethod
    def parse_ws_ticker(d: dict, symbol: str) -> Ticker:
        return Ticker(symbol, int(d["C"]), opt_dec(d.get("b")), opt_dec(d.get("a")),
                      dec(d["c"]), opt_dec(d.get("h")), opt_dec(d.get("l")),
                      opt_dec(d.get("o")), opt_dec(d.get("v")), opt_dec(d.get("q")))

    def _trades_stream(self, market: Market):
        stream = f"{market.id.lower()}@trade"
        sub, unsub = self._stream_messages(stream)
        return stream, sub, unsub, lambda d: Trade(
            str(d["t"]), int(d["T"]), "sell" if d["m"] else "buy", dec(d["p"]), dec(d["q"]),
            market.symbol)

    def _book_feed(self, market: Market, limit: int | None) -> BookFeed:
        return _DiffBook(self, market, limit)


class _DiffBook(BookFeed):
    """`<sym>@depth@100ms` diffs over a REST snapshot (docs: "How to manage a local order
    book correctly"): drop events with u <= lastUpdateId; each applied event must have
    U <= local id + 1 (the first one straddles the snapshot); anything later is a gap."""

    resync_by_resubscribe = False

    def __init__(self, ex: Binance, market: Market, limit: int | None) -> None:
        super().__init__(market.symbol, limit)
        self.ex, self.market = ex, market
        self.key = f"{market.id.lower()}@depth@100ms"
        self.subscribe, self.unsubscribe = ex._stream_messages(self.key)

    async def start(self) -> None:
        snap = await self.ex.fetch_order_book(self.market.symbol, max(self.limit or 0, 1000))
        self.book.reset(snap.bids, snap.asks, snap.nonce)

    def apply(self, d) -> bool:
        nonce = self.book.nonce
        if nonce is None:
            return False
        first, last = int(d["U"]), int(d["u"])
        if last <= nonce:
            return False
        if first > nonce + 1:
            raise OutOfSync(f"update ids jump from {nonce} to {first}")
        for p, q in d["b"]:
            self.book.set_bid(dec(p), dec(q))
        for p, q in d["a"]:
            self.book.set_ask(dec(p), dec(q))
        self.book.nonce = last
        self.book.timestamp = int(d["E"])
        return True
