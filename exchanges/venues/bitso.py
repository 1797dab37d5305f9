"""Bitso: REST API v3 and the public websocket.

Docs: https://docs.bitso.com/bitso-api/docs/api-overview. Every reply is {"success": true,
"payload": …} or {"success": false, "error": {"code", "message"}} ("General"). Signed calls
carry `Authorization: Bitso <key>:<nonce>:<signature>`, the signature the hex HMAC-SHA256 of
nonce + HTTP method + request path + JSON payload, the nonce an increasing integer ("Create
Signed Requests"); the request path of a GET includes its query (the docs' example has none;
ccxt's bitso.ts signs it so). Money goes as strings; POST bodies are JSON.

Streams ("WebSocket API", wss://ws.bitso.com): `trades` and `diff-orders` per book, no ticker
channel. diff-orders carries orders (not levels), each message one sequence number up; the
book starts from GET /order_book?aggregate=false (orders, with its `sequence`), diffs up to it
dropped ("How to Keep an Order Book"): the core's order-level book.
"""
from __future__ import annotations

from datetime import datetime

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST, DELETE, After
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..core.stream import connection
from ..numbers import dec, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Bitso"]

_DOCS = "https://docs.bitso.com/bitso-api/docs/api-overview"
# Look Up Orders `status`: queued, open, partially filled, cancelled, completed (an older
# revision says "closed"); only open orders are listed, finished ones "for a one-hour window".
_STATUS = {"queued": "open", "open": "open", "partially filled": "open",
           "completed": "closed", "cancelled": "canceled"}
_TIF = {"GTC": "goodtillcancelled", "IOC": "immediateorcancel", "FOK": "fillorkill"}
_SIDE = {0: "buy", 1: "sell"}


def _ms(text: str | None) -> int | None:
    """"2016-04-08T17:52:31+00:00" (or +0000) → ms."""
    return int(datetime.fromisoformat(text).timestamp() * 1000) if text else None


def _order_params(m, side, type, amount, price, cid, options):
    # Place an Order: `major` is the base amount (limit orders must use it); `origin_id` the
    # client id ([A-Za-z0-9_-], at most 40); time_in_force goodtillcancelled, fillorkill,
    # immediateorcancel or postonly (limit orders only).
    tif = "postonly" if options.get("post_only") else _TIF.get(options.get("time_in_force"))
    return {"book": m.id, "side": side, "type": type, "major": amount, "price": price,
            "origin_id": cid, "time_in_force": tif}


def _levels(rows) -> list:
    return [(dec(r["price"]), dec(r["amount"])) for r in rows or ()]


class Bitso(Exchange):
    id = "bitso"
    name = "Bitso"
    docs = (_DOCS,)
    hosts = {"rest": "https://api.bitso.com", "ws": "wss://ws.bitso.com"}
    # "Rate Limits": public 60 requests a minute per IP, private 300 a minute per user
    # (verified accounts); over it, locked out for a minute. Cancels are not limited.
    limits = {"public": (60, 60.0), "private": (300, 60.0), "orders": (300, 60.0)}
    # time_bucket in seconds (the OHLC endpoint is not in the docs read: ccxt's bitso.ts).
    timeframes = {"1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "4h": 14400,
                  "12h": 43200, "1d": 86400, "1w": 604800}
    auth = Hmac(prehash="{stamp}{method}{path_query}{body}", stamp="nonce",
                headers={"Authorization": "Bitso {key}:{stamp}:{signature}"})
    order_options = frozenset({"post_only", "time_in_force"})
    api = {
        "markets": GET("/api/v3/available_books", rows="payload"),
        # Ticker without `book`: every book (venue-apis-a; not stated on the page read).
        "tickers": GET("/api/v3/ticker", rows="payload", params=lambda ms: None),
        "ticker": GET("/api/v3/ticker", rows="payload", params=lambda m: {"book": m.id}),
        "order_book": GET("/api/v3/order_book", rows="payload",
                          params=lambda m, limit: {"book": m.id, "aggregate": "true"}),
        "book_orders": GET("/api/v3/order_book", rows="payload",
                           params=lambda m: {"book": m.id, "aggregate": "false"}),
        "ohlcv": GET("/api/v3/ohlc", rows="payload"),
        # List Trades: newest first, `limit` at most 100 (default 25).
        "trades": GET("/api/v3/trades", rows="payload", cap=100,
                      params=lambda m, limit: {"book": m.id, "limit": limit or 100}),
        "balance": GET("/api/v3/balance", signed=True, rows="payload.balances"),
        "create_order": POST("/api/v3/orders", signed=True, rows="payload",
                             params=_order_params),
        "cancel_order": DELETE("/api/v3/orders/{oid}", signed=True, rows="payload",
                               params=lambda m, oid: {"oid": oid}),
        "order": GET("/api/v3/orders/{oid}", signed=True, rows="payload",
                     params=lambda m, oid: {"oid": oid}),
        "order_by_client_id": GET("/api/v3/orders", signed=True, rows="payload",
                                  params=lambda m, cid: {"origin_ids": cid}),
        # List Open Orders / User Trades: `marker` (an id) pages, `limit` at most 100.
        "open_orders": GET("/api/v3/open_orders", signed=True, rows="payload",
                           params=lambda m: {"book": m.id if m else None},
                           paging=After("marker", key=lambda o: o["oid"], size=100)),
        "my_trades": GET("/api/v3/user_trades", signed=True, rows="payload", cap=100,
                         params=lambda m, since, limit: {"book": m.id if m else None},
                         paging=After("marker", key=lambda t: t["tid"], size=100)),
    }
    create_returns_state = False        # Place an Order answers {"oid": …} only
    # Error codes, by category pages ("01: Unknown" … "17: Validation Errors - Part 2"); 0379
    # "Insufficient balance" from "History of Changes"; 104 (nonce not increasing) from ccxt.
    errors = {
        **dict.fromkeys(("0201", "0203", "0206", "0207", "0208", "0215", "0326", "104"),
                        E.AuthenticationError),
        **dict.fromkeys(("0202", "0213", "0216", "0410", "0411"), E.PermissionDenied),
        "0301": E.BadSymbol, "0379": E.InsufficientFunds,
        **dict.fromkeys(("0312", "1700"), E.OrderNotFound),
        **dict.fromkeys(("0303", "0304", "0306", "0307", "0308", "0309", "0329", "0401",
                         "0402", "0403", "0404", "0405", "0406", "0407", "0408", "0412",
                         "0413", "1701", "1702", "1703"), E.InvalidOrder),
        **dict.fromkeys(("0801", "0802"), E.RateLimitExceeded),
        **dict.fromkeys(("0101", "0102", "0103"), E.ExchangeNotAvailable),
    }
    error_messages = {"insufficient": E.InsufficientFunds, "origin_id": E.InvalidOrder}

    # -- streams -----------------------------------------------------------------------------
    channels = {"trades": "trades", "book": "diff-orders"}
    book_snapshot, book_sequence = "rest", "next"   # "increments the sequence number by one"
    # Keep-alives {"type": "ka"} come every few seconds (interval not documented: unconfirmed).
    ws_heartbeat = 60.0
    lacks = {n: "Bitso's websocket has trades, orders and diff-orders channels, no ticker "
                "(https://docs.bitso.com/bitso-api/docs/general)"
             for n in ("watch_ticker", "watch_tickers")}

    def error_code(self, reply):
        d = reply.payload
        if isinstance(d, dict) and d.get("success") is False:
            err = d.get("error") or {}
            return str(err.get("code", "")), str(err.get("message") or "Bitso refused it")
        return None

    def ohlcv_params(self, m, tf, since, limit):
        start = since if since is not None else self.clock() - tf * 1000 * (limit or 100)
        return {"book": m.id, "time_bucket": tf, "start": start,
                "end": start + tf * 1000 * (limit or 100)}

    async def fetch_book_snapshot(self, market, depth):
        """The order-level book (aggregate=false: one row per order, with `oid`)."""
        reply = await self.call("book_orders", market)
        orders = [(r["oid"], side[:-1], dec(r["price"]), dec(r["amount"]))
                  for side in ("bids", "asks") for r in reply[side] or ()]
        return BookFrame(True, seq=int(reply["sequence"]), orders=orders,
                         timestamp=_ms(reply.get("updated_at")))

    def ws_subscribe(self, channel, args, subscribe):
        if not subscribe:
            return None             # no unsubscribe action is documented
        # Acks name the channel, not the book ({"action": "subscribe", "response": "ok",
        # "type": …}): we take them in the order the subscriptions went (unconfirmed).
        hub = connection()
        if hub is not None:
            hub.venue_state.setdefault(channel, []).extend(args)
        return [{"action": "subscribe", "book": a, "type": channel} for a in args]

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        kind = msg.get("type")
        if msg.get("action") == "subscribe":
            pending = (connection().venue_state.get(kind) if connection() else None) or []
            book = pending.pop(0) if pending else None
            if msg.get("response") != "ok" and book is not None:
                return self.refused(f"{kind}:{book}", str(msg.get("response")))
            return None
        if kind in ("trades", "diff-orders") and "book" in msg:
            return f"{kind}:{msg['book']}"
        return None                 # {"type": "ka"} keep-alives

    def parse_book_frame(self, msg, market):
        # One row per order: `a` its amount left; a cancelled one has no `a`, a completed one
        # has left the book.
        return BookFrame(False, seq=int(msg["sequence"]), timestamp=msg.get("sent"), orders=[
            (o["o"], "bid" if o["t"] == 0 else "ask", dec(o["r"]),
             dec(o["a"]) if o.get("s") == "open" and o.get("a") is not None else dec(0))
            for o in msg["payload"]])

    def parse_ws_trades(self, msg, market):
        # `t` is the taker's side ("History of Changes": it was mislabelled "Maker side").
        return [Trade(str(t["i"]), int(t["x"]), _SIDE[t["t"]], dec(t["r"]), dec(t["a"]),
                      market.symbol) for t in msg["payload"]]

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, r: dict, key=None) -> Market:
        base, quote = (self.currency(c.upper()) for c in r["book"].split("_"))
        # The amount increment is not published: 8 decimals ("The rounding algorithm
        # considers only eight decimal places"; ccxt's default precision too). Unconfirmed.
        return Market(f"{base}/{quote}", r["book"], base, quote,
                      dec(r.get("tick_size") or "0.01"), dec("0.00000001"),
                      opt_dec(r.get("minimum_amount")), opt_dec(r.get("minimum_value")), True)

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(t.get("book"))
        if market is None:
            return None
        return Ticker(market.symbol, _ms(t.get("created_at")), opt_dec(t.get("bid")),
                      opt_dec(t.get("ask")), opt_dec(t.get("last")), opt_dec(t.get("high")),
                      opt_dec(t.get("low")), None, opt_dec(t.get("volume")), None)

    @staticmethod
    def parse_order_book(reply: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, _levels(reply["bids"]), _levels(reply["asks"]),
                         _ms(reply.get("updated_at")), int(reply["sequence"]))

    @staticmethod
    def parse_candle(c: dict) -> Candle:
        return Candle(int(c["bucket_start_time"]), dec(c["first_rate"]), dec(c["max_rate"]),
                      dec(c["min_rate"]), dec(c["last_rate"]), dec(c["volume"]))

    @staticmethod
    def parse_trade(t: dict, market: Market) -> Trade:
        # `maker_side`: "the maker order side"; the trade's side is the taker's, the other.
        return Trade(str(t["tid"]), _ms(t["created_at"]),
                     "sell" if t["maker_side"] == "buy" else "buy", dec(t["price"]),
                     dec(t["amount"]), market.symbol)

    def parse_balance(self, rows: list) -> dict[str, Balance]:
        return {self.currency(b["currency"].upper()): Balance(
            dec(b["available"]), dec(b["locked"]), dec(b["total"])) for b in rows}

    def parse_placed(self, r: dict, market: Market) -> str:
        return str(r["oid"])

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(o.get("book"))
        if market is None or o.get("book") not in (None, market.id):
            return None
        amount = dec(o.get("original_amount") or 0)
        filled = amount - dec(o.get("unfilled_amount") or 0)
        status = _STATUS.get(o["status"]) or ("closed" if filled == amount else "canceled")
        return Order(str(o["oid"]), o.get("origin_id") or None, market.symbol, o["side"],
                     o["type"], opt_dec(o.get("price")) if o["type"] == "limit" else None,
                     amount, filled, amount - filled, status, _ms(o.get("created_at")))

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade | None:
        market = market or self.by_id(t.get("book"))
        if market is None:
            return None
        # User Trades: `major` and `fees_amount` are signed (the SDK's fixture shows both
        # negative); `side` is the account's, equal to `maker_side` when it was the maker.
        return Trade(str(t["tid"]), _ms(t["created_at"]), t["side"], dec(t["price"]),
                     abs(dec(t["major"])), market.symbol, str(t["oid"]), None,
                     abs(dec(t["fees_amount"])), self.currency(t["fees_currency"].upper()),
                     ("maker" if t["side"] == t["maker_side"] else "taker")
                     if t.get("maker_side") else None)
