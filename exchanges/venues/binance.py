"""Binance spot: REST /api/v3 and the public market streams.

Docs: https://developers.binance.com/docs/binance-spot-api-docs (REST, request security,
errors, limits, web-socket-streams). Signed calls carry `recvWindow` + `timestamp` and a hex
HMAC-SHA256 over the query string followed by the body; the timestamp is our clock plus a
measured offset to Binance's server time, so a client clock a few seconds off still signs
requests Binance accepts. The book is a REST snapshot plus `@depth@100ms` diffs chained by
U/u update ids ("How to manage a local order book correctly").
"""
from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import TypedDict

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST, DELETE, After
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..core.stream import StreamLimits, Topic
from ..numbers import dec, decimals_to_increment, decoder, levels, opt_dec
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


def _depth_weight(params: dict) -> int:
    """GET /api/v3/depth weight by limit (REST docs, "Order book")."""
    limit = int(params.get("limit") or 100)
    return 5 if limit <= 100 else 25 if limit <= 500 else 50 if limit <= 1000 else 250


def _tickers_weight(params: dict) -> int:
    """GET /api/v3/ticker/24hr: 2 for 1-20 symbols, 40 for 21-100, 80 above or all."""
    if "symbol" in params:
        return 2
    count = len(json.loads(params["symbols"])) if "symbols" in params else None
    return 80 if count is None or count > 100 else 2 if count <= 20 else 40


def _tickers_params(markets):
    if not markets:
        return {}
    if len(markets) == 1:
        return {"symbol": markets[0].id}
    return {"symbols": json.dumps([m.id for m in markets], separators=(",", ":"))}


def _order_params(m, side, type, amount, price, cid, options):
    return {"symbol": m.id, "side": side.upper(), "type": type.upper(),
            "timeInForce": "GTC" if type == "limit" else None, "quantity": amount,
            "price": price, "newClientOrderId": cid, "newOrderRespType": "RESULT"}


def _step(value: str) -> Decimal:
    """A filter step ("0.01000000") as a plain Decimal (0.01), never in exponent form."""
    d = dec(value).normalize()
    return d.quantize(Decimal(1)) if d.as_tuple().exponent > 0 else d


class Binance(Exchange):
    id = "binance"
    name = "Binance"
    docs = ("https://developers.binance.com/docs/binance-spot-api-docs/rest-api",
            "https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams")
    hosts = {"rest": "https://api.binance.com", "ws": "wss://stream.binance.com:9443/stream"}
    # REQUEST_WEIGHT 6000 a minute per IP; ORDERS 100 per 10 s per account (exchangeInfo
    # "rateLimits"), counted apart so an order never waits behind market-data weight.
    limits = {"public": (6000, 60.0), "orders": (100, 10.0)}
    timeframes = {tf: tf for tf in ("1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h",
                                    "6h", "8h", "12h", "1d", "3d", "1w", "1M")}
    currency_overrides = {"YOYO": "YOYOW"}
    auth = Hmac(prehash="{query}{body}", query={"recvWindow": "5000", "timestamp": "{stamp}"},
                signature_param="signature", headers={"X-MBX-APIKEY": "{key}"})
    # -1021: timestamp outside recvWindow. Binance refuses such a request before acting, so the
    # base re-measures the offset (GET /api/v3/time) and sends it once more.
    clock_errors = frozenset({"-1021"})
    api = {
        "server_time": GET("/api/v3/time"),
        "markets": GET("/api/v3/exchangeInfo", weight=20, rows="symbols"),
        "tickers": GET("/api/v3/ticker/24hr", weight=_tickers_weight, params=_tickers_params),
        "order_book": GET("/api/v3/depth", cap=5000, weight=_depth_weight, decode=decode_depth,
                          params=lambda m, limit: {"symbol": m.id, "limit": limit or 100}),
        "ohlcv": GET("/api/v3/klines", cap=1000, weight=2,
                     params=lambda m, tf, since, limit: {"symbol": m.id, "interval": tf,
                                                         "startTime": since, "limit": limit}),
        "trades": GET("/api/v3/trades", cap=1000, weight=25,
                      params=lambda m, limit: {"symbol": m.id, "limit": limit}),
        "balance": GET("/api/v3/account", signed=True, weight=20,
                       params=lambda: {"omitZeroBalances": True}),
        "create_order": POST("/api/v3/order", signed=True, body="query", params=_order_params),
        "cancel_order": DELETE("/api/v3/order", signed=True,
                               params=lambda m, oid: {"symbol": m.id, "orderId": oid}),
        "order": GET("/api/v3/order", signed=True, weight=4,
                     params=lambda m, oid: {"symbol": m.id, "orderId": oid}),
        "order_by_client_id": GET("/api/v3/order", signed=True, weight=4, params=lambda m, cid: {
            "symbol": m.id, "origClientOrderId": cid}),
        "open_orders": GET("/api/v3/openOrders", signed=True, weight=6,
                           params=lambda m: {"symbol": m.id} if m else {}),
        # myTrades needs a symbol; pages forward by trade id (startTime and fromId may not be
        # combined: the first page asks from the time, the next ones from the id).
        "my_trades": GET("/api/v3/myTrades", signed=True, weight=20, cap=1000,
                         params=lambda m, since, limit: {"symbol": m.id, "startTime": since},
                         paging=After("fromId", key=lambda t: int(t["id"]) + 1, size=1000,
                                      replaces=("startTime",))),
    }
    cancel_returns_order = True
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
    # Streams: one combined-stream connection carries up to 1024 streams and takes 5 incoming
    # messages a second (web-socket-streams, "WebSocket Limits").
    channels = {"ticker": "ticker", "trades": "trade", "book": "depth@100ms"}
    stream_limits = StreamLimits(batch=200, per_second=4, per_connection=1024)
    ws_heartbeat = 60.0              # the server pings every 20 s; aiohttp answers them
    book_snapshot, book_sequence, rest_book_depth = "rest", "range", 1000

    def error_code(self, reply):
        payload = reply.payload
        if isinstance(payload, dict):
            code = payload.get("code")
            if isinstance(code, int) and code < 0:
                return str(code), str(payload.get("msg", ""))
        return None

    def parse_server_time(self, reply) -> int:
        return int(reply["serverTime"])

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, s: dict, key=None) -> Market:
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

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(t["symbol"])
        if market is None:
            return None
        return Ticker(market.symbol, int(t["closeTime"]), opt_dec(t.get("bidPrice")),
                      opt_dec(t.get("askPrice")), opt_dec(t["lastPrice"]),
                      opt_dec(t.get("highPrice")), opt_dec(t.get("lowPrice")),
                      opt_dec(t.get("openPrice")), opt_dec(t.get("volume")),
                      opt_dec(t.get("quoteVolume")))

    @staticmethod
    def parse_order_book(reply: DepthReply, market: Market) -> OrderBook:
        """A reply from `decode_depth` (levels already finite Decimals) → OrderBook."""
        return OrderBook(market.symbol, reply["bids"], reply["asks"], None,
                         reply["lastUpdateId"])

    @staticmethod
    def parse_candle(row: list) -> Candle:
        return Candle(int(row[0]), dec(row[1]), dec(row[2]), dec(row[3]), dec(row[4]),
                      dec(row[5]))

    @staticmethod
    def parse_trade(t: dict, market: Market) -> Trade:
        # isBuyerMaker: the buyer rested on the book, so the taker sold.
        return Trade(str(t["id"]), int(t["time"]), "sell" if t["isBuyerMaker"] else "buy",
                     dec(t["price"]), dec(t["qty"]), market.symbol)

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade | None:
        market = market or self.by_id(t["symbol"])
        if market is None:
            return None
        return Trade(str(t["id"]), int(t["time"]), "buy" if t["isBuyer"] else "sell",
                     dec(t["price"]), dec(t["qty"]), market.symbol, order_id=str(t["orderId"]),
                     fee=dec(t["commission"]), fee_currency=self.currency(t["commissionAsset"]),
                     taker_or_maker="maker" if t["isMaker"] else "taker")

    def parse_balance(self, reply: dict) -> dict[str, Balance]:
        out = {}
        for b in reply["balances"]:
            free, used = dec(b["free"]), dec(b["locked"])
            out[self.currency(b["asset"])] = Balance(free, used, free + used)
        return out

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(o["symbol"])
        if market is None:
            return None
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
    def ws_topic(self, kind, market, depth=None) -> Topic:
        stream = f"{market.id.lower()}@{self.channels[kind]}"
        return Topic(self.channels[kind], market.id.lower(), stream)

    def ws_subscribe(self, channel, args, subscribe):
        streams = [f"{a}@{channel}" for a in args]
        return {"method": "SUBSCRIBE" if subscribe else "UNSUBSCRIBE", "params": streams,
                "id": self.ws_request(streams)}

    def stream_route(self, msg):
        # Combined streams wrap each event: {"stream": "btcusdt@trade", "data": {...}};
        # replies to SUBSCRIBE ({"result": null, "id": 1}) are control frames.
        if isinstance(msg, dict) and "stream" in msg:
            return msg["stream"], msg["data"]
        if isinstance(msg, dict) and msg.get("error"):
            err = msg["error"]
            return self.refused(self.ws_request_keys(msg.get("id")),
                                str(err.get("msg") if isinstance(err, dict) else err),
                                err.get("code") if isinstance(err, dict) else None)
        return None

    def parse_ws_ticker(self, d: dict, market: Market) -> Ticker:
        return Ticker(market.symbol, int(d["C"]), opt_dec(d.get("b")), opt_dec(d.get("a")),
                      dec(d["c"]), opt_dec(d.get("h")), opt_dec(d.get("l")),
                      opt_dec(d.get("o")), opt_dec(d.get("v")), opt_dec(d.get("q")))

    def parse_ws_trades(self, d: dict, market: Market) -> Trade:
        return Trade(str(d["t"]), int(d["T"]), "sell" if d["m"] else "buy", dec(d["p"]),
                     dec(d["q"]), market.symbol)

    def parse_book_frame(self, d: dict, market: Market) -> BookFrame:
        return BookFrame(False, levels(d["b"]), levels(d["a"]), seq=int(d["u"]),
                         first=int(d["U"]), timestamp=int(d["E"]))
