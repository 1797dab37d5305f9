"""Gate (formerly Gate.io) spot: REST API v4 and the spot websocket v4.

Docs: https://www.gate.com/docs/developers/apiv4/en/ (REST: "Authentication", "Spot",
"Error codes", "Frequency limit rule") and https://www.gate.com/docs/developers/apiv4/ws/en/
(spot websocket). Signed calls carry headers KEY, Timestamp (unix seconds) and SIGN = hex
HMAC-SHA512 over "METHOD\\n/api/v4/path\\nquery\\nhex(SHA512(body))\\ntimestamp" (the SHA512 of
"" when there is no body). The book is a REST snapshot (`with_id=true` gives its update id)
plus `spot.order_book_update` diffs chained by U/u ids: drop u < id + 1, the first applied has
U <= id + 1 <= u, then each U is the previous u + 1 ("Local order book maintenance").
"""
from __future__ import annotations

import uuid
from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST, DELETE, Pages
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..core.stream import StreamLimits, Topic
from ..numbers import dec, decimals_to_increment, levels, opt_dec, round_to
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Gate"]

_STATUS = {"open": "open", "closed": "closed", "cancelled": "canceled"}
_SECONDS = {"10s": 10, "1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "4h": 14400,
            "8h": 28800, "1d": 86400, "7d": 604800, "30d": 2592000}


def _ms(value) -> int | None:
    """create_time_ms arrives as "1606292218213.4578" (a string with a fraction) or an int."""
    return int(dec(value)) if value not in (None, "") else None


def _ohlcv_params(m, tf, since, limit):
    # "limit conflicts with from and to": a window from `since` is asked as from/to instead.
    if since is None:
        return {"currency_pair": m.id, "interval": tf, "limit": limit}
    start = since // 1000
    return {"currency_pair": m.id, "interval": tf, "from": start,
            "to": start + _SECONDS[tf] * ((limit or 100) - 1)}


def _order_params(m, side, type, amount, price, cid, options):
    # A market buy's `amount` is in the quote currency ("Create an order", field amount):
    # The core puts the converted amount in options["quote_amount"] (market_buy_in_quote).
    return {"text": cid, "currency_pair": m.id, "type": type, "account": "spot", "side": side,
            "amount": options.get("quote_amount", amount), "price": price,
            # market orders take only ioc or fok; gtc is the limit default
            "time_in_force": "gtc" if type == "limit" else "ioc"}


def _open_rows(reply):
    """/spot/orders is a list of orders; /spot/open_orders groups them by pair."""
    if reply and isinstance(reply, list) and isinstance(reply[0], dict) and "orders" in reply[0]:
        return [o for group in reply for o in group["orders"]]
    return reply


class Gate(Exchange):
    id = "gate"
    market_buy_in_quote = True         # a market buy names the quote to spend
    name = "Gate"
    docs = ("https://www.gate.com/docs/developers/apiv4/en/",
            "https://www.gate.com/docs/developers/apiv4/ws/en/")
    hosts = {"rest": "https://api.gateio.ws", "ws": "wss://api.gateio.ws/ws/v4/"}
    # Frequency limit rule: public 200 requests / 10 s per endpoint per IP; private 200 / 10 s
    # per endpoint per UID; spot order placement 10 / s per pair (counted here per account).
    limits = {"public": (200, 10.0), "private": (200, 10.0), "orders": (10, 1.0)}
    timeframes = {tf: tf for tf in _SECONDS}
    auth = Hmac(prehash="{method}\n{path}\n{query}\n{body_sha512}\n{stamp}", algo="sha512",
                stamp="s", headers={"KEY": "{key}", "Timestamp": "{stamp}", "SIGN": "{signature}"})
    clock_errors = frozenset({"REQUEST_EXPIRED"})   # Timestamp more than 60 s off Gate's clock
    api = {
        "server_time": GET("/api/v4/spot/time"),
        "markets": GET("/api/v4/spot/currency_pairs"),
        "tickers": GET("/api/v4/spot/tickers", params=lambda ms: {"currency_pair": ms[0].id}
                       if ms and len(ms) == 1 else {}),
        "order_book": GET("/api/v4/spot/order_book", cap=1000, params=lambda m, limit: {
            "currency_pair": m.id, "limit": limit or 100, "with_id": "true"}),
        "ohlcv": GET("/api/v4/spot/candlesticks", cap=1000, params=_ohlcv_params),
        "trades": GET("/api/v4/spot/trades", cap=1000,
                      params=lambda m, limit: {"currency_pair": m.id, "limit": limit}),
        "balance": GET("/api/v4/spot/accounts", signed=True),
        "create_order": POST("/api/v4/spot/orders", signed=True, params=_order_params),
        "cancel_order": DELETE("/api/v4/spot/orders/{order_id}", signed=True, params=lambda m, oid: {
            "order_id": oid, "currency_pair": m.id}),
        "order": GET("/api/v4/spot/orders/{order_id}", signed=True,
                     params=lambda m, oid: {"order_id": oid, "currency_pair": m.id}),
        # order_id may be the custom `text`, while the order is open and for 60 s after it
        # ends ("Get a single order"): enough to reconcile an order whose reply was lost.
        "order_by_client_id": GET("/api/v4/spot/orders/{order_id}", signed=True,
                                  params=lambda m, cid: {"order_id": cid, "currency_pair": m.id}),
        "open_orders": GET("/api/v4/spot/{listing}", signed=True, rows=_open_rows,
                           params=lambda m: {"listing": "orders", "currency_pair": m.id,
                                             "status": "open"} if m else
                           {"listing": "open_orders"}, paging=Pages("page", size=100)),
        "my_trades": GET("/api/v4/spot/my_trades", signed=True, cap=1000,
                         params=lambda m, since, limit: {
                             "currency_pair": m.id if m else None,
                             "from": since // 1000 if since else None},
                         paging=Pages("page", size=1000)),
    }
    cancel_returns_order = True
    errors = {
        "INVALID_KEY": E.AuthenticationError, "INVALID_SIGNATURE": E.AuthenticationError,
        "REQUEST_EXPIRED": E.AuthenticationError, "MISSING_REQUIRED_HEADER": E.AuthenticationError,
        "IP_FORBIDDEN": E.AuthenticationError, "READ_ONLY": E.AuthenticationError,
        "FORBIDDEN": E.AuthenticationError, "INVALID_CREDENTIALS": E.AuthenticationError,
        "BALANCE_NOT_ENOUGH": E.InsufficientFunds,
        "INVALID_PRECISION": E.InvalidOrder, "INVALID_PARAM_VALUE": E.InvalidOrder,
        "INVALID_ARGUMENT": E.InvalidOrder, "INVALID_REQUEST_BODY": E.InvalidOrder,
        "ORDER_CLOSED": E.OrderNotFound, "ORDER_CANCELLED": E.OrderNotFound,
        "ORDER_NOT_FOUND": E.OrderNotFound,
        "INVALID_CURRENCY_PAIR": E.BadSymbol, "INVALID_CURRENCY": E.BadSymbol,
        "TOO_MANY_REQUESTS": E.RateLimitExceeded,
        "SERVER_ERROR": E.ExchangeNotAvailable, "TOO_BUSY": E.ExchangeNotAvailable,
    }
    # Streams: one connection for every spot channel; each book subscription names one pair.
    channels = {"ticker": "spot.tickers", "trades": "spot.trades",
                "book": "spot.order_book_update"}
    stream_limits = StreamLimits(batch=50, per_second=10)   # not documented: conservative
    ws_heartbeat = 30.0
    book_snapshot, book_sequence, rest_book_depth = "rest", "range", 100

    def new_client_order_id(self) -> str:
        # `text` must start with "t-", then at most 28 bytes of letters, digits, _ - .
        return "t-" + uuid.uuid4().hex[:28]

    def error_code(self, reply):
        p = reply.payload
        if isinstance(p, dict) and isinstance(p.get("label"), str):
            return p["label"], str(p.get("message", ""))
        return None

    def parse_server_time(self, reply) -> int:
        return int(reply["server_time"])


    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, p: dict, key=None) -> Market:
        base, quote = self.currency(p["base"]), self.currency(p["quote"])
        return Market(f"{base}/{quote}", p["id"], base, quote,
                      decimals_to_increment(int(p["precision"])),
                      decimals_to_increment(int(p["amount_precision"])),
                      opt_dec(p.get("min_base_amount")), opt_dec(p.get("min_quote_amount")),
                      p.get("trade_status") == "tradable")

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(t["currency_pair"])
        if market is None:
            return None
        last, pct = opt_dec(t.get("last")), opt_dec(t.get("change_percentage"))
        open_ = (round_to(last * 100 / (100 + pct), market.price_increment)
                 if last is not None and pct is not None and pct != -100 else None)
        return Ticker(market.symbol, None, opt_dec(t.get("highest_bid")),
                      opt_dec(t.get("lowest_ask")), last, opt_dec(t.get("high_24h")),
                      opt_dec(t.get("low_24h")), open_, opt_dec(t.get("base_volume")),
                      opt_dec(t.get("quote_volume")))

    def parse_order_book(self, r: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, levels(r["bids"]), levels(r["asks"]),
                         _ms(r.get("current")), int(r["id"]))

    @staticmethod
    def parse_candle(row: list) -> Candle:
        # [time (s), quote volume, close, high, low, open, base volume, window closed]
        return Candle(int(row[0]) * 1000, dec(row[5]), dec(row[3]), dec(row[4]), dec(row[2]),
                      dec(row[6]))

    @staticmethod
    def parse_trade(t: dict, market: Market) -> Trade:
        # `side` is the taker's: the websocket docs say so of spot.trades ("taker side"); the
        # REST page only says "order side" (not confirmed there; ccxt reads it the same way).
        return Trade(str(t["id"]), _ms(t.get("create_time_ms")) or int(t["create_time"]) * 1000,
                     t["side"], dec(t["price"]), dec(t["amount"]), market.symbol)

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade | None:
        market = market or self.by_id(t["currency_pair"])
        if market is None:
            return None
        return Trade(str(t["id"]), _ms(t.get("create_time_ms")) or int(t["create_time"]) * 1000,
                     t["side"], dec(t["price"]), dec(t["amount"]), market.symbol,
                     order_id=str(t["order_id"]), fee=opt_dec(t.get("fee")),
                     fee_currency=self.currency(t["fee_currency"]) if t.get("fee_currency")
                     else None, taker_or_maker=t.get("role"))

    def parse_balance(self, rows: list) -> dict[str, Balance]:
        out = {}
        for b in rows:
            free, used = dec(b["available"]), dec(b["locked"])
            out[self.currency(b["currency"])] = Balance(free, used, free + used)
        return out

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(o["currency_pair"])
        if market is None:
            return None
        type_, side = o["type"], o["side"]
        amount, left = dec(o["amount"]), dec(o["left"])
        total = opt_dec(o.get("filled_total"))
        if "filled_amount" in o:
            filled = dec(o["filled_amount"])
        elif type_ == "market" and side == "buy":     # amount and left are quote here
            avg = opt_dec(o.get("avg_deal_price"))
            filled = total / avg if total and avg else Decimal(0)
        else:
            filled = amount - left
        if type_ == "market" and side == "buy":       # report the base amount bought
            amount, left = filled, Decimal(0) if o["status"] != "open" else left
        status = _STATUS.get(o["status"], "open")
        return Order(str(o["id"]), o.get("text") or None, market.symbol, side, type_,
                     dec(o["price"]) if type_ == "limit" else None, amount, filled,
                     left if type_ == "limit" or side == "sell" else Decimal(0), status,
                     _ms(o.get("create_time_ms")) or None,
                     average=total / filled if total and filled else None,
                     fee=opt_dec(o.get("fee")))

    # -- streams -----------------------------------------------------------------------------
    def ws_topic(self, kind, market, depth=None) -> Topic:
        channel = self.channels.get(kind)
        if channel is None:
            raise E.NotSupported(self.id, f"streaming {kind} is not supported")
        return Topic(channel, market.id)

    def ws_subscribe(self, channel, args, subscribe):
        event = "subscribe" if subscribe else "unsubscribe"
        if channel == "spot.order_book_update":     # payload: [pair, "100ms"], one pair each
            return [{"time": self.now() // 1000, "id": self.ws_request([f"{channel}:{a}"]),
                     "channel": channel, "event": event, "payload": [a, "100ms"]} for a in args]
        return {"time": self.now() // 1000, "id": self.ws_request([f"{channel}:{a}" for a in args]),
                "channel": channel, "event": event, "payload": list(args)}

    def stream_ping(self):
        return {"time": self.now() // 1000, "channel": "spot.ping"}

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        if msg.get("error"):
            err = msg["error"]
            return self.refused(self.ws_request_keys(msg.get("id")),
                                str(err.get("message") if isinstance(err, dict) else err),
                                err.get("code") if isinstance(err, dict) else None)
        if msg.get("event") != "update" or not isinstance(msg.get("result"), dict):
            return None                 # acks, spot.pong
        r = msg["result"]
        pair = r.get("currency_pair") or r.get("s")
        return f"{msg['channel']}:{pair}", r

    def parse_ws_ticker(self, t: dict, market: Market) -> Ticker:
        return self.parse_ticker(t, market)

    def parse_ws_trades(self, t: dict, market: Market) -> Trade:
        return self.parse_trade(t, market)

    def parse_book_frame(self, d: dict, market: Market) -> BookFrame:
        return BookFrame(False, levels(d["b"]), levels(d["a"]), seq=int(d["u"]),
                         first=int(d["U"]), timestamp=int(d["t"]))
