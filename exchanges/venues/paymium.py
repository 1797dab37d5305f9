"""Paymium: REST API v1 (one market, BTC/EUR).

Docs: https://paymium.github.io/api-documentation/ and its source,
https://github.com/Paymium/api-documentation (`spec/openapi.yaml`, version 1.1.1, read at
commit 7b14c6d; cited as "(spec)").

Signing (spec, securitySchemes): headers Api-Key, Api-Nonce (a positive integer that must
increase with every request) and Api-Signature = hex HMAC-SHA256(secret, nonce + the full URL
+ the body). The spec gives no worked example. Bodies are JSON ("Formats": parameters passed
in JSON with Content-Type application/json), prices and amounts typed as numbers.

Streams (spec tag WebSocket): socket.io v1.3 at paymium.com, path /ws/socket.io, namespace
/public, one `stream` event whose object holds only what changed: `ticker`, `trades`, and
`bids`/`asks` levels (amount 0 removes one), with no sequence and no snapshot. Spoken here
as socket.io's wire protocol over a plain websocket (Engine.IO 3, the one socket.io 1.x
uses: "40/public" joins the namespace, '42/public,["stream",{…}]' is the event, "2"/"3" the
ping/pong; these framing facts are socket.io's, not Paymium's docs).

No client order id exists anywhere in the API: an order whose reply was lost is found by its
terms (core `takes_client_ids = False`).
"""
from __future__ import annotations

from datetime import datetime

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import DELETE, GET, POST, Pages
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..numbers import dec, loads, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Paymium"]

# Order states: the spec shows "pending_execution" and "executed"; the others are ccxt's
# reading (unconfirmed).
_STATES = {"pending_execution": "open", "active": "open", "processing": "open",
           "executed": "closed", "filled": "closed", "canceled": "canceled",
           "cancelled": "canceled"}
_TYPES = {"limit": "LimitOrder", "market": "MarketOrder"}
# The one market: BTC in 8 decimals, EUR prices in cents (the spec publishes no increments
# or minimums: these are the platform's display precision, unconfirmed).
_EUR = Market("BTC/EUR", "eur", "BTC", "EUR", dec("0.01"), dec("0.00000001"), None, None, True)


def _ms(text: str | None) -> int | None:
    return int(datetime.fromisoformat(text).timestamp() * 1000) if text else None


def _levels(rows, best_high: bool) -> list:
    out = [(dec(r["price"]), dec(r["amount"])) for r in rows or ()]
    return sorted(out, key=lambda lv: lv[0], reverse=best_high)


class Paymium(Exchange):
    id = "paymium"
    name = "Paymium"
    docs = ("https://paymium.github.io/api-documentation/",
            "https://github.com/Paymium/api-documentation")
    hosts = {"rest": "https://paymium.com",
             "ws": "wss://paymium.com/ws/socket.io/?EIO=3&transport=websocket"}
    # (spec "Rate-limiting") 86,400 calls per day per IP, "one per second on average": a
    # daily budget, so short bursts are allowed; paced here as 300 per 5 minutes.
    rate_limit = (300, 300.0)
    # (spec /data/{currency}/ohlcv) interval values.
    timeframes = {t: t for t in ("1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h",
                                 "8h", "12h", "1d", "3d", "1w", "1M")}
    auth = Hmac(prehash="{stamp}{url}{body}", stamp="nonce",
                headers={"Api-Key": "{key}", "Api-Nonce": "{stamp}",
                         "Api-Signature": "{signature}"})
    lacks = {"fetch_my_trades": "Paymium has no fills endpoint: trades appear only as account "
                                "operations inside each order (spec /user/orders)"}
    channels = {"ticker": "ticker", "trades": "trades", "book": "book"}
    book_snapshot, book_sequence = "rest", None      # deltas only, no ids: REST snapshot
    api = {
        "ticker": GET("/api/v1/data/{currency}/ticker", params=lambda m: {"currency": m.id}),
        # The one market's ticker is every ticker there is.
        "tickers": GET("/api/v1/data/eur/ticker"),
        "order_book": GET("/api/v1/data/{currency}/depth",
                          params=lambda m, limit: {"currency": m.id}),
        # startTime and endTime in seconds, both or neither; at most 1000 candles (spec).
        "ohlcv": GET("/api/v1/data/{currency}/ohlcv", cap=1000),
        "trades": GET("/api/v1/data/{currency}/trades", params=lambda m, limit: {
            "currency": m.id}),
        "balance": GET("/api/v1/user", signed=True),
        "create_order": POST("/api/v1/user/orders", signed=True, body="json_numbers",
                             params=lambda m, side, type, amount, price, cid, options: {
                                 "type": _TYPES[type], "currency": "EUR", "direction": side,
                                 "price": price, "amount": amount}),
        # 204 with no body (spec); the order is read again after.
        "cancel_order": DELETE("/api/v1/user/orders/{uuid}", signed=True,
                               params=lambda m, oid: {"uuid": oid}),
        "order": GET("/api/v1/user/orders/{uuid}", signed=True,
                     params=lambda m, oid: {"uuid": oid}),
        # "Pagination is not eligible for active orders" (spec): one reply holds them all.
        "open_orders": GET("/api/v1/user/orders", signed=True,
                           params=lambda m: {"active": "true"}),
        # page (from 1) and per_page (5 to 100) (spec, PageParam/PerPageParam).
        "closed_orders": GET("/api/v1/user/orders", signed=True,
                             paging=Pages("page", 100, size_param="per_page")),
    }
    takes_client_ids = False
    # A market order's reply may still be pending_execution: its fills are read after.
    create_returns_state = False
    # {"errors": ["localized message", …]} with 422 or 400 (spec "Error handling"), in
    # English or French; a market order too large for the book: {"error":
    # "market_protection_volume_too_large", …} (spec MarketProtection).
    error_messages = {"available balance": E.InsufficientFunds,
                      "solde disponible": E.InsufficientFunds,
                      "market_protection": E.InvalidOrder, "not found": E.OrderNotFound,
                      "signature": E.AuthenticationError, "nonce": E.AuthenticationError,
                      "unauthorized": E.AuthenticationError, "api key": E.AuthenticationError}

    def error_code(self, reply):
        d, status = reply.payload, reply.status
        if isinstance(d, dict) and isinstance(d.get("errors"), list):
            return str(status), "; ".join(str(e) for e in d["errors"]) or "error"
        if isinstance(d, dict) and isinstance(d.get("error"), str):
            return str(status), d["error"]
        if status == 404:
            return "404", "order not found"          # (spec) 404: order not found, no body
        return None

    async def _fetch_markets(self) -> list[Market]:
        return [_EUR]               # no markets endpoint: one market, BTC/EUR

    def ohlcv_params(self, m, tf, since, limit):
        if since is None:
            return {"currency": m.id, "interval": tf}
        seconds = {"m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000}[tf[-1]]
        start = since // 1000
        return {"currency": m.id, "interval": tf, "startTime": start,
                "endTime": start + int(tf[:-1]) * seconds * ((limit or 500) - 1)}

    # -- parsers -----------------------------------------------------------------------------
    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(str(t.get("currency", "")).lower())
        if market is None:
            return None
        return Ticker(market.symbol, int(t["at"]) * 1000 if t.get("at") else None,
                      opt_dec(t.get("bid")), opt_dec(t.get("ask")), dec(t["price"]),
                      opt_dec(t.get("high")), opt_dec(t.get("low")), opt_dec(t.get("open")),
                      opt_dec(t.get("volume")), None)

    @staticmethod
    def parse_order_book(r: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, _levels(r["bids"], True), _levels(r["asks"], False),
                         None, None)

    @staticmethod
    def parse_candle(c: list) -> Candle:
        return Candle(int(c[0]), *(dec(x) for x in c[1:6]))

    @staticmethod
    def parse_trade(r: dict, market: Market) -> Trade:
        # side "buy"/"sell" is the spec's "order type": whose order it names is not said;
        # taken as the taker's (unconfirmed).
        return Trade(str(r["uuid"]), int(r["created_at_int"]) * 1000, r.get("side"),
                     dec(r["price"]), dec(r["traded_btc"]), market.symbol)

    def parse_balance(self, r: dict) -> dict[str, Balance]:
        out = {}
        for key, value in r.items():
            if key.startswith("balance_"):
                code = key[len("balance_"):]
                free, used = dec(value), dec(r.get(f"locked_{code}") or 0)
                out[self.currency(code)] = Balance(free, used, free + used)
        return out

    def parse_placed(self, reply, market):
        return str(reply["uuid"]) if isinstance(reply, dict) and reply.get("uuid") else None

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        if o.get("type") not in _TYPES.values():
            return None             # transfers and deposits are listed as orders too
        market = market or _EUR
        kind = "limit" if o["type"] == "LimitOrder" else "market"
        amount, done = dec(o["amount"]), dec(o.get("traded_btc") or 0)
        return Order(str(o["uuid"]), None, market.symbol, o["direction"], kind,
                     opt_dec(o.get("price")) if kind == "limit" else None, amount, done,
                     amount - done, _STATES.get(o["state"], "open"), _ms(o.get("created_at")))

    # -- streams (socket.io over the websocket) ----------------------------------------------
    def ws_subscribe(self, channel, args, subscribe):
        # One namespace carries every stream: joining it is the only subscription there is,
        # and leaving it would end them all, so an unsubscribe sends nothing.
        return "40/public" if subscribe else None

    def stream_ping(self):
        return "2"              # Engine.IO 3: the client pings, the server answers "3"

    def stream_decode(self, data):
        text = data.decode() if isinstance(data, bytes) else data
        if text.startswith("42/public,"):
            return loads(text[len("42/public,"):])
        if text.startswith("44/public"):                 # the namespace refused
            return {"error": text.partition(",")[2] or "namespace refused"}
        return None             # open, namespace acks, pongs

    def stream_route(self, msg):
        if isinstance(msg, dict) and "error" in msg:
            return self.refused([f"{c}:eur" for c in self.channels.values()],
                                str(msg["error"]))
        if not (isinstance(msg, list) and len(msg) == 2 and msg[0] == "stream"
                and isinstance(msg[1], dict)):
            return None
        d = msg[1]
        keys = [f"{c}:eur" for c, field in (("ticker", "ticker"), ("trades", "trades"),
                                            ("book", "bids"), ("book", "asks")) if field in d]
        return list(dict.fromkeys(keys)), d

    def parse_ws_ticker(self, d: dict, market: Market) -> Ticker:
        return self.parse_ticker(d["ticker"], market)

    def parse_ws_trades(self, d: dict, market: Market) -> list[Trade]:
        # Stream trades carry no id and no side (spec example): the id is made of the trade's
        # time, price and amount.
        return [Trade(f"{t['timestamp']}-{t['price']}-{t['traded_btc']}", int(t["timestamp"]),
                      None, dec(t["price"]), dec(t["traded_btc"]), market.symbol)
                for t in d["trades"]]

    def parse_book_frame(self, d: dict, market: Market) -> BookFrame:
        return BookFrame(False, _levels(d.get("bids"), True), _levels(d.get("asks"), False))
