"""Coincheck: the exchange API (REST) and the public WebSocket API.

Docs: https://coincheck.com/documents/exchange/api (one page, English and Japanese).
Private calls carry ACCESS-KEY, ACCESS-NONCE and ACCESS-SIGNATURE = hex HMAC-SHA256(secret,
nonce + the full request URL + the body) ("Authentication"). The nonce must grow with every
request of a key (at most 2^63-1); the official Ruby client (coincheckjp/ruby_coincheck_client)
sends microseconds and JSON bodies, and so do we. None of the docs' signing samples can be
reproduced: their nonce is the clock at the time of writing.
Coincheck takes no client order id: a lost reply is found by its terms (core/orders.py,
`takes_client_ids`), among the open orders and the orders of the newest fills. There are no
candles, no all-tickers call and no ticker stream. The book streams as differences with neither
sequence nor checksum: the local book is a REST snapshot plus the differences after it.
"""
from __future__ import annotations

from datetime import datetime, timezone

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import DELETE, GET, POST, After
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..core.market_data import rows_of
from ..core.stream import StreamLimits, Topic
from ..numbers import dec, levels, opt_dec
from ..types import Balance, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Coincheck"]

_DOCS = "https://coincheck.com/documents/exchange/api"
# "Order details": status. Expired orders count as canceled ("Order cancellation status").
_STATES = {"NEW": "open", "WAITING_FOR_TRIGGER": "open", "PARTIALLY_FILLED": "open",
           "FILLED": "closed", "CANCELED": "canceled", "EXPIRED": "canceled",
           "PARTIALLY_FILLED_CANCELED": "canceled", "PARTIALLY_FILLED_EXPIRED": "canceled"}
# The API publishes no tick or lot sizes and no minimums (unconfirmed anywhere in the docs):
# the finest grid we know any pair to use; a finer order is refused by the venue, which names
# the reason (InvalidOrder).
_TICK, _STEP = "0.001", "0.00000001"
# How far back the newest fills are read to find an order that has left the open list.
_RECENT_FILLS_MS = 600_000


def _ms(text: str | None) -> int | None:
    """"2015-01-10T05:55:38.000Z" → ms."""
    if not text:
        return None
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def _order_body(m, side, type, amount, price, cid, options) -> dict:
    """"New order": buy/sell take rate and amount; market_sell an amount; market_buy the JPY
    to spend (market_buy_amount, converted by the core: market_buy_in_quote)."""
    body = {"pair": m.id, "order_type": side if type == "limit" else f"market_{side}"}
    if type == "limit":
        body.update(rate=price, amount=amount)
    elif side == "sell":
        body["amount"] = amount
    else:
        body["market_buy_amount"] = options["quote_amount"]
    if options.get("post_only"):
        body["time_in_force"] = "post_only"
    return body


class Coincheck(Exchange):
    id = "coincheck"
    market_buy_in_quote = True         # a market buy names the quote to spend
    name = "Coincheck"
    docs = (_DOCS,)
    hosts = {"rest": "https://coincheck.com", "ws": "wss://ws-api.coincheck.com/"}
    # "New order ... up to 4 requests per second", "Order details ... at most once per second";
    # nothing else is published (the others: our own pace, unconfirmed).
    limits = {"public": (5, 1.0), "private": (5, 1.0), "orders": (4, 1.0), "detail": (1, 1.0)}
    auth = Hmac(prehash="{stamp}{url}{body}", stamp="nonce_us",
                headers={"ACCESS-KEY": "{key}", "ACCESS-NONCE": "{stamp}",
                         "ACCESS-SIGNATURE": "{signature}"})
    api = {
        # "Status Retrieval" lists every tradable pair and what it takes now.
        "markets": GET("/api/exchange_status", rows="exchange_status"),
        "ticker": GET("/api/ticker", params=lambda m: {"pair": m.id}),
        "order_book": GET("/api/order_books", params=lambda m, limit: {"pair": m.id}),
        # Paginated ("Pagination": limit, order, starting_after, ending_before), newest first;
        # the largest limit is not documented (unconfirmed).
        "trades": GET("/api/trades", rows="data", params=lambda m, limit: {
            "pair": m.id, "limit": limit}),
        "balance": GET("/api/accounts/balance", signed=True, idempotent=True),
        "create_order": POST("/api/exchange/orders", signed=True, params=_order_body),
        "cancel_order": DELETE("/api/exchange/orders/{id}", signed=True,
                               params=lambda m, oid: {"id": oid}),
        "order": GET("/api/exchange/orders/{id}", signed=True, idempotent=True,
                     bucket="detail", params=lambda m, oid: {"id": oid}),
        "open_orders": GET("/api/exchange/orders/opens", signed=True, idempotent=True,
                           rows="orders"),
        # No list of finished orders: the fills name them (`_open_and_closed`).
        "closed_orders": GET("/api/exchange/orders/transactions_pagination", signed=True,
                             idempotent=True, rows="data", params=lambda m: {"limit": 100}),
        "my_trades": GET("/api/exchange/orders/transactions_pagination", signed=True,
                         idempotent=True, rows="data", paging=After(
                             "starting_after", key=lambda t: t["id"], size=100),
                         params=lambda m, since, limit: {"order": "desc"}),
    }
    lacks = {"fetch_ohlcv": f"Coincheck's API has no candles ({_DOCS}, Public API)",
             **dict.fromkeys(("watch_ticker", "watch_tickers"), "Coincheck streams trades "
                             f"and books only ({_DOCS}, Public WebSocket API)")}
    takes_client_ids = False
    tickers_one_by_one = True
    create_returns_state = False        # {"id", "rate", "amount", "order_type", ...}: no fills
    order_options = frozenset({"post_only"})
    # {"success": false, "error": "..."}: the docs list no error texts; these are the ones
    # ccxt records ("invalid authentication", "disabled API Key") and plain words (unconfirmed).
    error_messages = {
        **dict.fromkeys(("invalid authentication", "disabled api key", "nonce"),
                        E.AuthenticationError),
        "permission": E.PermissionDenied, "not found": E.OrderNotFound,
        "insufficient": E.InsufficientFunds, "balance": E.InsufficientFunds,
        "too_many_requests": E.RateLimitExceeded, "amount": E.InvalidOrder,
        "rate": E.InvalidOrder, "pair": E.BadSymbol}
    channels = {"trades": "trades", "book": "orderbook"}
    # "each subscribe command can subscribe to only one channel".
    stream_limits = StreamLimits(batch=1)
    book_snapshot, book_sequence, book_crossed_is_gap = "rest", None, True

    def error_code(self, reply):
        d = reply.payload
        if isinstance(d, dict) and d.get("success") is False:
            return "", str(d.get("error") or "the venue reported an error")
        return None


    async def _open_and_closed(self, market, client_order_id=None, since=None) -> list[Order]:
        """Open orders, then the orders behind the fills since `since` (by default the last
        ten minutes), each read by id, one a second: Coincheck lists no finished orders."""
        orders = self._orders(await self.rows("open_orders", market), market)
        known = {o.id for o in orders}
        since = self.now() - _RECENT_FILLS_MS if since is None else since
        ids = [str(f["order_id"]) for f in await self.rows("closed_orders", market)
               if f.get("pair") == market.id and (_ms(f.get("created_at")) or 0) >= since]
        for oid in dict.fromkeys(i for i in ids if i not in known):
            orders += self._orders(rows_of(await self.call("order", market, oid)), market)
        return orders

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, r: dict, key=None) -> Market:
        base_id, quote_id = r["pair"].split("_")
        base, quote = self.currency(base_id.upper()), self.currency(quote_id.upper())
        # status "available", "itayose" (call auction) or "stop"; availability.order: limits.
        active = r.get("status") != "stop" and bool((r.get("availability") or {}).get("order"))
        return Market(f"{base}/{quote}", r["pair"], base, quote, dec(_TICK), dec(_STEP), None,
                      None, active)

    def parse_ticker(self, t: dict, market: Market) -> Ticker:
        # 24 h high, low and base volume; no open.
        return Ticker(market.symbol, int(t["timestamp"]) * 1000, opt_dec(t.get("bid")),
                      opt_dec(t.get("ask")), dec(t["last"]), opt_dec(t.get("high")),
                      opt_dec(t.get("low")), None, opt_dec(t.get("volume")), None)

    def parse_order_book(self, reply: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, levels(reply["bids"]), levels(reply["asks"]))

    @staticmethod
    def parse_trade(r: dict, market: Market) -> Trade:
        # order_type: the taker's side (the stream pushes "Taker or Itayose orders" only);
        # null after an itayose. That REST trades name the taker too is unconfirmed.
        return Trade(str(r["id"]), _ms(r["created_at"]), r.get("order_type") or None,
                     dec(r["rate"]), dec(r["amount"]), market.symbol)

    def parse_balance(self, d: dict) -> dict[str, Balance]:
        # "<currency>": available; "<currency>_reserved": held by unsettled orders.
        out = {}
        for key, value in d.items():
            if "_" not in key and key != "success":
                free, used = dec(value), dec(d.get(f"{key}_reserved", "0"))
                out[self.currency(key.upper())] = Balance(free, used, free + used)
        return out

    def parse_placed(self, r: dict, market: Market) -> str:
        return str(r["id"])

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(o.get("pair"))
        if market is None:
            return None
        kind = o["order_type"]              # buy, sell, market_buy, market_sell
        side = kind.removeprefix("market_")
        market_order = kind.startswith("market_") or o.get("rate") is None   # "null: market"
        type_ = "market" if market_order else "limit"
        price = opt_dec(o.get("rate")) if type_ == "limit" else None
        if "status" not in o:
            # "Unsettled order list": what remains, not what was ordered (unconfirmed whether
            # a partly filled order can be told apart here); a market buy's remains are JPY.
            left = opt_dec(o.get("pending_amount")) or dec(0)
            return Order(str(o["id"]), None, market.symbol, side, type_, price, left, dec(0),
                         left, "open", _ms(o.get("created_at")))
        status, filled = _STATES[o["status"]], dec(o["executed_amount"])
        if side == "buy" and type_ == "market":     # ordered in JPY: report the base bought
            amount, spent = filled, opt_dec(o.get("executed_market_buy_amount"))
            average = spent / filled if spent and filled else None
        else:
            amount, average = dec(o["amount"]), None
        left = amount - filled if status == "open" else dec(0)
        return Order(str(o["id"]), None, market.symbol, side, type_, price, amount, filled,
                     left, status, _ms(o.get("created_at")), average=average)

    def parse_my_trade(self, r: dict, market: Market | None) -> Trade | None:
        market = market or self.by_id(r.get("pair"))
        if market is None:
            return None
        base_id = market.id.split("_")[0]
        role = {"T": "taker", "M": "maker"}.get(r.get("liquidity"))
        return Trade(str(r["id"]), _ms(r["created_at"]), r["side"], dec(r["rate"]),
                     abs(dec(r["funds"][base_id])), market.symbol,
                     order_id=str(r["order_id"]), fee=opt_dec(r.get("fee")),
                     fee_currency=self.currency(r["fee_currency"]) if r.get("fee_currency")
                     else None, taker_or_maker=role)

    # -- streams -----------------------------------------------------------------------------
    def ws_topic(self, kind, market, depth=None) -> Topic:
        topic = super().ws_topic(kind, market)        # channels are named "btc_jpy-trades"
        return Topic(topic.channel, topic.arg, f"{topic.arg}-{topic.channel}")

    def ws_subscribe(self, channel, args, subscribe):
        # The public API documents no unsubscribe: frames nobody watches are dropped.
        return [{"type": "subscribe", "channel": f"{a}-{channel}"} for a in args] \
            if subscribe else []

    def stream_route(self, msg):
        if isinstance(msg, list) and msg:
            if isinstance(msg[0], list):             # trades: rows [time, id, pair, ...]
                return f"{msg[0][2]}-trades", msg
            if isinstance(msg[0], str):              # ["btc_jpy", {bids, asks, ...}]
                return f"{msg[0]}-orderbook", msg[1]
        if isinstance(msg, dict) and msg.get("type") == "error":
            # Not in the docs: a refusal naming the channel is assumed (unconfirmed).
            return self.refused(str(msg.get("channel")), str(msg.get("message")))
        return None

    def parse_ws_trades(self, rows: list, market: Market) -> list[Trade]:
        # [time (s), id, pair, rate, amount, taker's side, taker id, maker id, itayose id]
        return [Trade(str(r[1]), int(r[0]) * 1000, r[5] or None, dec(r[3]), dec(r[4]),
                      market.symbol) for r in rows if r[2] == market.id]

    def parse_book_frame(self, d: dict, market: Market) -> BookFrame:
        # "the difference of order book information": a changed level's new amount, "0"
        # removing it (unconfirmed in the docs; ccxt.pro replaces its book instead).
        return BookFrame(False, levels(d["bids"]), levels(d["asks"]),
                         timestamp=int(d["last_update_at"]) * 1000)
