"""OKX, API v5 (spot): https://www.okx.com/docs-v5/en/ — and OKX US, the same API on its own
hosts.

Every reply is `{"code": "0", "msg": "", "data": [...]}`; order endpoints report each item's own
`sCode`/`sMsg` inside `data`. Private calls are signed with base64 HMAC-SHA256 over
timestamp + METHOD + path(?query) + body, plus the key's passphrase. The public `books` channel
sends a snapshot, then deltas chained by `seqId`/`prevSeqId` and a CRC32 checksum of the top 25
levels.
"""
from __future__ import annotations

import datetime
import json
import logging
import re
import zlib
from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.book import BookFeed, OutOfSync
from ..core.signing import hmac_b64
from ..core.transport import Reply, Request
from ..numbers import dec, levels, opt_dec, wire
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["OKX", "OKXUS", "okx_checksum", "iso_timestamp"]

log = logging.getLogger("exchanges.okx")

_API = "/api/v5"
_CLIENT_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")
_STATUS = {"live": "open", "partially_filled": "open", "filled": "closed",
           "canceled": "canceled", "mmp_canceled": "canceled"}
# OKX's own order types that are limit orders with a time-in-force or a post-only flag.
_LIMIT_TYPES = {"limit", "post_only", "fok", "ioc"}
_RECENT_BARS = 1440             # bars /market/candles serves; older ones: /market/history-candles
_TF_MS = {"m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000, "M": 2_678_400_000}


def iso_timestamp(ms: int) -> str:
    """OK-ACCESS-TIMESTAMP: ISO 8601 UTC with milliseconds, e.g. 2020-12-08T09:08:57.715Z."""
    ms = int(ms)
    whole = datetime.datetime.fromtimestamp(ms // 1000, datetime.UTC)
    return whole.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def _text(value: Decimal) -> str:
    """A level's price or size as OKX sent it (Decimal keeps the digits, no exponent form)."""
    return format(value, "f")


def okx_checksum(bids, asks) -> int:
    """OKX's book checksum: CRC32 (as a signed 32-bit int) of the top 25 levels interleaved
    bid:ask ("bidPx:bidSz:askPx:askSz:…"), the longer side's extra levels following in turn."""
    parts: list[str] = []
    for i in range(25):
        if i < len(bids):
            parts += (_text(bids[i][0]), _text(bids[i][1]))
        if i < len(asks):
            parts += (_text(asks[i][0]), _text(asks[i][1]))
    crc = zlib.crc32(":".join(parts).encode())
    return crc - (1 << 32) if crc >= 1 << 31 else crc


class _Books(BookFeed):
    """The `books` channel: snapshot, then deltas; prevSeqId must equal the last seqId."""

    def __init__(self, market: Market, limit: int | None) -> None:
        super().__init__(market.symbol, limit)
        arg = {"channel": "books", "instId": market.id}
        self.key = f"books:{market.id}"
        self.subscribe = {"op": "subscribe", "args": [arg]}
        self.unsubscribe = {"op": "unsubscribe", "args": [arg]}

    def apply(self, msg) -> bool:
        data = msg["data"][0]
        book = self.book
        if msg.get("action") == "snapshot":
            book.reset(levels(data["bids"]), levels(data["asks"]), int(data["seqId"]))
        else:
            if book.nonce is None:
                return False    # a delta of the old subscription, before the new snapshot
            if int(data["prevSeqId"]) != book.nonce:
                raise OutOfSync(f"sequence gap: prevSeqId {data['prevSeqId']} after "
                                f"seqId {book.nonce}")
            for price, size in levels(data["bids"]):
                book.set_bid(price, size)
            for price, size in levels(data["asks"]):
                book.set_ask(price, size)
            book.nonce = int(data["seqId"])
        book.timestamp = int(data["ts"])
        # OKX announced the field's retirement (it then always reads 0): seqId checks remain.
        expected = int(data.get("checksum") or 0)
        if expected and okx_checksum(book.top_bids(25), book.top_asks(25)) != expected:
            raise OutOfSync(f"checksum mismatch at seqId {book.nonce}")
        return True


class OKX(Exchange):
    id = "okx"
    name = "OKX"
    hosts = {"rest": "https://www.okx.com", "ws": "wss://ws.okx.com:8443/ws/v5/public"}
    rate_limit = (20, 2.0)          # the public market endpoints: 20 requests per 2 s per IP
    ws_heartbeat = 30.0             # OKX drops a connection silent for 30 s; we ping every 20 s
    timeframes = {"1m": "1m", "3m": "3m", "5m": "5m", "15m": "15m", "30m": "30m",
                  "1h": "1H", "2h": "2H", "4h": "4H", "6h": "6Hutc", "12h": "12Hutc",
                  "1d": "1Dutc", "1w": "1Wutc", "1M": "1Mutc"}
    errors = {
        "50001": E.ExchangeNotAvailable, "50004": E.RequestTimeout, "50011": E.RateLimitExceeded,
        "50013": E.ExchangeNotAvailable, "50026": E.ExchangeNotAvailable,
        "50061": E.RateLimitExceeded, "50100": E.PermissionDenied,
        "50101": E.AuthenticationError, "50102": E.AuthenticationError,
        "50103": E.AuthenticationError, "50104": E.AuthenticationError,
        "50105": E.AuthenticationError, "50106": E.AuthenticationError,
        "50107": E.AuthenticationError, "50110": E.PermissionDenied,
        "50111": E.AuthenticationError, "50112": E.AuthenticationError,
        "50113": E.AuthenticationError, "50114": E.AuthenticationError,
        "50119": E.AuthenticationError, "50120": E.PermissionDenied,
        "51000": E.InvalidOrder, "51001": E.BadSymbol, "51008": E.InsufficientFunds,
        "51020": E.InvalidOrder, "51121": E.InvalidOrder, "51131": E.InsufficientFunds,
        "51400": E.OrderNotFound, "51401": E.OrderNotFound, "51402": E.OrderNotFound,
        "51603": E.OrderNotFound, "60012": E.BadResponse, "60018": E.BadSymbol,
    }
    error_messages = {"insufficient": E.InsufficientFunds, "does not exist": E.OrderNotFound,
                      "too many requests": E.RateLimitExceeded}

    # -- auth and errors ---------------------------------------------------------------------
    def sign(self, request: Request) -> Request:
        creds = self.require_credentials()
        if not creds.passphrase:
            raise E.AuthenticationError(self.id, "OKX API keys need the passphrase set when "
                                                 "the key was created")
        stamp = iso_timestamp(self.clock())
        path = request.path + (f"?{request.query}" if request.query else "")
        body = request.body or ""
        if isinstance(body, bytes):
            body = body.decode()
        request.headers.update({
            "OK-ACCESS-KEY": creds.api_key,
            "OK-ACCESS-SIGN": hmac_b64(creds.secret, stamp + request.method + path + body),
            "OK-ACCESS-TIMESTAMP": stamp,
            "OK-ACCESS-PASSPHRASE": creds.passphrase,
            "Content-Type": "application/json",
        })
        return request

    def error_code(self, reply: Reply) -> tuple[str, str] | None:
        payload = reply.payload
        if not isinstance(payload, dict) or "code" not in payload:
            return None
        code = str(payload["code"])
        # Order endpoints: the item's own sCode says why (code "1"/"2": all/some failed).
        for item in payload.get("data") or ():
            if isinstance(item, dict) and str(item.get("sCode", "0")) != "0":
                return str(item["sCode"]), str(item.get("sMsg") or payload.get("msg") or "")
        if code == "0":
            return None
        return code, str(payload.get("msg") or "")

    async def _get(self, path: str, params=None, *, signed: bool = False) -> list:
        reply = await self.request("GET", _API + path, params, signed=signed)
        return reply["data"]

    async def _post(self, path: str, body: dict) -> dict:
        text = json.dumps(body, separators=(",", ":"))
        reply = await self.request("POST", _API + path, body=text, signed=True)
        return reply["data"][0]

    # -- markets -----------------------------------------------------------------------------
    async def _fetch_markets(self) -> list[Market]:
        rows = await self._get("/public/instruments", {"instType": "SPOT"})
        return [Market(symbol=f"{self.currency(r['baseCcy'])}/{self.currency(r['quoteCcy'])}",
                       id=r["instId"], base=self.currency(r["baseCcy"]),
                       quote=self.currency(r["quoteCcy"]), price_increment=dec(r["tickSz"]),
                       amount_increment=dec(r["lotSz"]), min_amount=opt_dec(r.get("minSz")),
                       min_cost=None, active=r.get("state") == "live")
                for r in rows]

    def _symbol(self, inst_id: str) -> str:
        market = self.markets_by_id.get(inst_id)
        if market is not None:
            return market.symbol
        base, _, quote = inst_id.partition("-")
        return f"{self.currency(base)}/{self.currency(quote)}"

    # -- public data -------------------------------------------------------------------------
    def parse_ticker(self, t: dict, symbol: str | None = None) -> Ticker:
        return Ticker(symbol=symbol or self._symbol(t["instId"]), timestamp=int(t["ts"]),
                      bid=opt_dec(t.get("bidPx")), ask=opt_dec(t.get("askPx")),
                      last=opt_dec(t.get("last")), high=opt_dec(t.get("high24h")),
                      low=opt_dec(t.get("low24h")), open=opt_dec(t.get("open24h")),
                      base_volume=opt_dec(t.get("vol24h")),
                      quote_volume=opt_dec(t.get("volCcy24h")))

    async def fetch_ticker(self, symbol: str) -> Ticker:
        market = await self.market(symbol)
        rows = await self._get("/market/ticker", {"instId": market.id})
        return self.parse_ticker(rows[0], market.symbol)

    async def fetch_tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]:
        await self.load_markets()
        wanted = set(symbols) if symbols else None
        out = {}
        for row in await self._get("/market/tickers", {"instType": "SPOT"}):
            if row["instId"] not in self.markets_by_id:
                continue
            ticker = self.parse_ticker(row)
            if wanted is None or ticker.symbol in wanted:
                out[ticker.symbol] = ticker
        return out

    def parse_order_book(self, data: dict, symbol: str) -> OrderBook:
        return OrderBook(symbol, levels(data["bids"]), levels(data["asks"]), int(data["ts"]),
                         None)

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        market = await self.market(symbol)
        params = {"instId": market.id, "sz": min(limit, 400) if limit else None}
        rows = await self._get("/market/books", params)
        return self.parse_order_book(rows[0], market.symbol)

    @staticmethod
    def parse_candles(rows) -> list[Candle]:
        """OKX sends newest first: [ts, o, h, l, c, vol (base), volCcy, volCcyQuote, confirm]."""
        candles = [Candle(int(r[0]), dec(r[1]), dec(r[2]), dec(r[3]), dec(r[4]), dec(r[5]))
                   for r in rows]
        candles.sort(key=lambda c: c.timestamp)
        return candles

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1h", since: int | None = None,
                          limit: int | None = None) -> list[Candle]:
        market = await self.market(symbol)
        bar = self.timeframe(timeframe)
        limit = min(limit or 100, 300)
        params = {"instId": market.id, "bar": bar, "limit": limit}
        path = "/market/candles"
        if since is not None:
            # `after` pages back from a time, `before` bounds from below: the window from since.
            step = int(timeframe[:-1]) * _TF_MS[timeframe[-1]]
            params.update(after=int(since) + step * limit, before=int(since) - 1)
            # /market/candles keeps only the latest 1,440 bars (the newest one still open), so
            # a window starting before them is served by /market/history-candles instead.
            if int(since) < self.now() - (_RECENT_BARS - 1) * step:
                path = "/market/history-candles"
        return self.parse_candles(await self._get(path, params))

    def parse_trade(self, t: dict, symbol: str | None = None) -> Trade:
        return Trade(id=str(t["tradeId"]), timestamp=int(t["ts"]), side=t.get("side") or None,
                     price=dec(t["px"]), amount=dec(t["sz"]),
                     symbol=symbol or self._symbol(t["instId"]))

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        market = await self.market(symbol)
        params = {"instId": market.id, "limit": min(limit, 500) if limit else None}
        trades = [self.parse_trade(t, market.symbol)
                  for t in await self._get("/market/trades", params)]
        trades.sort(key=lambda t: (t.timestamp, t.id))
        return trades

    # -- account and orders ------------------------------------------------------------------
    def parse_balance(self, data: list) -> dict[str, Balance]:
        out = {}
        for row in data[0]["details"] if data else ():
            total = opt_dec(row.get("eq"))
            if total is None:
                total = dec(row["cashBal"])
            free = opt_dec(row.get("availBal"))
            if free is None:
                free = total - dec(row.get("frozenBal") or 0)
            out[self.currency(row["ccy"])] = Balance(free=free, used=total - free, total=total)
        return out

    async def fetch_balance(self) -> dict[str, Balance]:
        return self.parse_balance(await self._get("/account/balance", signed=True))

    def parse_order(self, o: dict) -> Order:
        kind = "limit" if o["ordType"] in _LIMIT_TYPES else "market"
        amount = dec(o["sz"])
        filled = opt_dec(o.get("accFillSz")) or Decimal(0)
        if kind == "market" and o.get("tgtCcy") == "quote_ccy":
            amount = filled     # sz was in the quote currency; the base amount is what filled
        status = _STATUS.get(o["state"], "open")
        fee = opt_dec(o.get("fee"))
        return Order(id=str(o["ordId"]), client_order_id=o.get("clOrdId") or None,
                     symbol=self._symbol(o["instId"]), side=o["side"], type=kind,
                     price=opt_dec(o.get("px")), amount=amount, filled=filled,
                     remaining=amount - filled if status == "open" else Decimal(0),
                     status=status, timestamp=int(o["cTime"]) if o.get("cTime") else None,
                     average=opt_dec(o.get("avgPx")) or None,
                     fee=-fee if fee is not None else None)   # OKX: negative = charged

    async def _place_order(self, market: Market, side: str, type: str, amount: Decimal,
                           price: Decimal | None, client_order_id: str) -> Order:
        if not _CLIENT_ID.match(client_order_id):
            raise E.InvalidOrder(self.id, "an OKX client order id is 1-32 letters or digits")
        body = {"instId": market.id, "tdMode": "cash", "side": side, "ordType": type,
                "sz": wire(amount), "clOrdId": client_order_id}
        if type == "limit":
            body["px"] = wire(price)
        else:
            body["tgtCcy"] = "base_ccy"     # spot market buys default to a quote amount
        item = await self._post("/trade/order", body)
        return Order(id=str(item["ordId"]), client_order_id=item.get("clOrdId") or
                     client_order_id, symbol=market.symbol, side=side, type=type, price=price,
                     amount=amount, filled=Decimal(0), remaining=amount, status="open",
                     timestamp=int(item["ts"]) if item.get("ts") else None)

    async def cancel_order(self, order_id: str, symbol: str) -> Order:
        market = await self.market(symbol)
        await self._post("/trade/cancel-order", {"instId": market.id, "ordId": str(order_id)})
        return await self.fetch_order(order_id, symbol)

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        market = await self.market(symbol)
        rows = await self._get("/trade/order", {"instId": market.id, "ordId": str(order_id)},
                               signed=True)
        if not rows:
            raise E.OrderNotFound(self.id, f"no order {order_id} on {symbol}")
        return self.parse_order(rows[0])

    async def find_order_by_client_id(self, market: Market, client_order_id: str
                                      ) -> Order | None:
        try:
            rows = await self._get("/trade/order", {"instId": market.id,
                                                    "clOrdId": client_order_id}, signed=True)
        except E.OrderNotFound:
            return None
        return self.parse_order(rows[0]) if rows else None

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        params = {"instType": "SPOT"}
        if symbol is not None:
            params["instId"] = (await self.market(symbol)).id
        else:
            await self.load_markets()
        rows = await self._get("/trade/orders-pending", params, signed=True)
        return [self.parse_order(o) for o in rows]

    # -- streams -----------------------------------------------------------------------------
    def stream_ping(self) -> str:
        return "ping"

    def stream_decode(self, data):
        # OKX answers a "ping" text with a bare "pong": the one frame that is not JSON.
        return data if data == "pong" else super().stream_decode(data)

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None     # "pong"
        if msg.get("event") == "error":
            error = self.error_for(msg.get("code"), msg.get("msg") or "stream error",
                                   "websocket")
            arg = msg.get("arg")
            if isinstance(arg, dict) and "channel" in arg:
                return f"{arg['channel']}:{arg.get('instId')}", error   # to its subscribers
            raise error     # no channel named: the hub logs it
        if "data" not in msg or "arg" not in msg:
            return None     # subscribe/unsubscribe acks, notices
        arg = msg["arg"]
        return f"{arg['channel']}:{arg['instId']}"

    @staticmethod
    def _channel(name: str, market: Market) -> tuple[str, dict, dict]:
        arg = {"channel": name, "instId": market.id}
        return (f"{name}:{market.id}", {"op": "subscribe", "args": [arg]},
                {"op": "unsubscribe", "args": [arg]})

    def _ticker_stream(self, market: Market):
        key, sub, unsub = self._channel("tickers", market)
        return key, sub, unsub, lambda msg: [self.parse_ticker(t, market.symbol)
                                             for t in msg["data"]]

    def _trades_stream(self, market: Market):
        key, sub, unsub = self._channel("trades", market)
        return key, sub, unsub, lambda msg: [self.parse_trade(t, market.symbol)
                                             for t in msg["data"]]

    def _book_feed(self, market: Market, limit: int | None) -> BookFeed:
        return _Books(market, limit)


class OKXUS(OKX):
    """OKX US: the same v5 API on its own hosts; US keys work only there."""

    id = "okxus"
    name = "OKX US"
    hosts = {"rest": "https://us.okx.com", "ws": "wss://wsus.okx.com:8443/ws/v5/public"}
