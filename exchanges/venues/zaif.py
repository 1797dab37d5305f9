"""Zaif: the public API (/api/1) and the spot trading API (POST /tapi).

Docs: https://zaif-api-document.readthedocs.io/ja/latest/ (source: zaifdotjp/api-doc,
docs/PublicAPI.md, docs/TradingAPI.md). Every trading call is a form POST to /tapi naming its
`method`, with a `nonce` that must grow with each call (decimals allowed; the docs suggest a
microtime timestamp) and the headers Key and Sign = hex HMAC-SHA512(secret, the urlencoded
body) ("共通情報", 認証). The docs give no worked signature.
Orders are limit orders only ("price: 指値注文価格", required). A free `comment` (≤ 255 ASCII
characters, no slash) carries our client order id: active_orders and trade_history echo it.
There is no order lookup: an order is seen while open (active_orders) and once it trades
(trade_history); a canceled one is not visible. No candles.
The websocket (docs/WebSocket_API.md) is one connection per pair, the pair in the URL
(wss://ws.zaif.jp/stream?currency_pair=btc_jpy), with no subscribe message: every push holds
the whole top of the book, the recent trades and the last price, so each replaces the book.
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..core.stream import Topic, connection
from ..numbers import dec, levels, opt_dec
from ..types import Balance, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Zaif"]

_DOCS = "https://zaif-api-document.readthedocs.io/ja/latest/"
_JST = timezone(timedelta(hours=9))


def _keyed(reply: dict) -> list[dict]:
    """{"success": 1, "return": {"184": {...}}} → rows, each with its key as "id"."""
    return [{**row, "id": key} for key, row in reply["return"].items()]


def _tapi(method: str, params=None, **kw):
    """A trading-API call: POST /tapi with `method` first and the call's own parameters."""
    return POST("/tapi", signed=True, params=lambda *a: {
        "method": method, **(params(*a) if params else {})}, **kw)


class Zaif(Exchange):
    id = "zaif"
    name = "Zaif"
    docs = (_DOCS,)
    hosts = {"rest": "https://api.zaif.jp", "ws": "wss://ws.zaif.jp/stream"}
    # Public: "1秒間に10回以下"; trading calls per method (get_info2 20/10 s, trade 9/10 s,
    # active_orders 10/5 s, trade_history 12/60 s): the strictest shared pace is kept.
    limits = {"public": (10, 1.0), "private": (12, 60.0), "orders": (9, 10.0),
              "open": (10, 5.0)}
    body_format = "form"
    auth = Hmac(prehash="{body}", algo="sha512", stamp="nonce", body={"nonce": "{stamp}"},
                headers={"Key": "{key}", "Sign": "{signature}"})
    api = {
        "markets": GET("/api/1/currency_pairs/all"),
        "ticker": GET("/api/1/ticker/{pair}", params=lambda m: {"pair": m.id}),
        # At most 150 levels a side, and the newest 150 trades ("板情報", "全ユーザー取引履歴").
        "order_book": GET("/api/1/depth/{pair}", cap=150, params=lambda m, limit: {
            "pair": m.id}),
        "trades": GET("/api/1/trades/{pair}", cap=150, params=lambda m, limit: {"pair": m.id}),
        "balance": _tapi("get_info2", rows="return", idempotent=True),
        "create_order": _tapi("trade", lambda m, side, type, amount, price, cid, options: {
            "currency_pair": m.id, "action": "bid" if side == "buy" else "ask",
            "price": price, "amount": amount, "comment": cid}, rows="return"),
        "cancel_order": _tapi("cancel_order", lambda m, oid: {
            "order_id": oid, "currency_pair": m.id}, rows="return"),
        "open_orders": _tapi("active_orders", lambda m: {"currency_pair": m.id} if m else {},
                             rows=_keyed, idempotent=True, bucket="open"),
        "closed_orders": _tapi("trade_history", lambda m: {
            "currency_pair": m.id, "count": 1000}, rows=_keyed, idempotent=True),
        # "count" at most 1000 (default); with `since` the order is ascending.
        "my_trades": _tapi("trade_history", lambda m, since, limit: {
            "currency_pair": m.id if m else None,
            "since": since // 1000 if since is not None else None, "count": limit},
            rows=_keyed, idempotent=True, cap=1000),
    }
    lacks = {
        "fetch_ohlcv": f"Zaif's public API has no candles ({_DOCS}PublicAPI.html)",
        "fetch_order": "Zaif has no order lookup: it lists open orders (active_orders) and "
                       f"fills (trade_history) only ({_DOCS}TradingAPI.html)"}
    order_types = ("limit",)
    tickers_one_by_one = True
    channels = {"ticker": "ticker", "trades": "trades", "book": "book"}
    # A push has bid, ask and last price only: the stream updates a REST ticker.
    ticker_stream_partial = True
    book_snapshot, book_sequence = "ws", None       # every push is the whole (top) book
    # {"success": 0, "error": "..."}; texts from the docs ("エラーメッセージ"), spelling kept.
    error_messages = {
        **dict.fromkeys(("no data found for the key", "signature mismatch", "nonce not",
                         "nonce out of range", "access token"), E.AuthenticationError),
        **dict.fromkeys(("permission", "restricted now"), E.PermissionDenied),
        "time wait restriction": E.RateLimitExceeded, "insuffcient funds": E.InsufficientFunds,
        "insufficient funds": E.InsufficientFunds, "order not found": E.OrderNotFound,
        "unsupported currency_pair": E.BadSymbol, "invalid": E.InvalidOrder,
        "order is too new": E.InvalidOrder,
        "trade temporarily unavailable": E.ExchangeNotAvailable}

    def stamp(self, unit: str) -> str:
        # Seconds with three decimals ("microtime" as the docs suggest), from the key's
        # strictly increasing ms counter: 1700000000.000, then 1700000000.001 …
        if unit != "nonce":
            return super().stamp(unit)
        ms = int(super().stamp(unit))
        return f"{ms // 1000}.{ms % 1000:03d}"

    def error_code(self, reply):
        d = reply.payload
        if isinstance(d, dict) and "error" in d and not d.get("success"):
            return "", str(d.get("error") or "the venue reported an error")
        return None

    async def cancel_order(self, order_id: str, symbol: str) -> Order:
        # cancel_order answers {"order_id", "funds"}, and a canceled order is listed nowhere
        # afterwards: the open order is read first, and returned canceled.
        held = [o for o in await self.fetch_open_orders(symbol) if o.id == str(order_id)]
        if not held:
            raise E.OrderNotFound(self.id, f"there is no open order {order_id} in {symbol}")
        await self.call("cancel_order", await self.market(symbol), str(order_id))
        return dataclasses.replace(held[0], status="canceled", remaining=dec(0))

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, r: dict, key=None) -> Market | None:
        if r.get("is_token"):          # Counterparty tokens need is_token on every call
            return None
        base_id, quote_id = r["currency_pair"].split("_")
        base, quote = self.currency(base_id.upper()), self.currency(quote_id.upper())
        # item_unit_step/min: the amount's step and minimum; aux_unit_step: the price's.
        return Market(f"{base}/{quote}", r["currency_pair"], base, quote,
                      dec(r["aux_unit_step"]), dec(r["item_unit_step"]),
                      dec(r["item_unit_min"]), None, True)

    def parse_ticker(self, t: dict, market: Market) -> Ticker:
        volume, vwap = opt_dec(t.get("volume")), opt_dec(t.get("vwap"))
        return Ticker(market.symbol, None, opt_dec(t.get("bid")), opt_dec(t.get("ask")),
                      dec(t["last"]), opt_dec(t.get("high")), opt_dec(t.get("low")), None,
                      volume, volume * vwap if volume is not None and vwap is not None else None)

    def parse_order_book(self, reply: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, levels(reply["bids"]), levels(reply["asks"]))

    @staticmethod
    def parse_trade(r: dict, market: Market) -> Trade:
        # trade_type bid/ask: whose side the docs do not say (the taker's, unconfirmed).
        return Trade(str(r["tid"]), int(r["date"]) * 1000,
                     {"bid": "buy", "ask": "sell"}.get(r.get("trade_type")),
                     dec(r["price"]), dec(r["amount"]), market.symbol)

    def parse_balance(self, d: dict) -> dict[str, Balance]:
        # funds: what is free; deposit: "残高に注文情報を加味した情報", free plus held by orders.
        out = {}
        for code, free in d["funds"].items():
            free, total = dec(free), dec(d.get("deposit", {}).get(code, free))
            out[self.currency(code.upper())] = Balance(free, total - free, total)
        return out

    def parse_placed(self, r: dict, market: Market) -> Order | str:
        # order_id is 0 when the order traded whole at once: no id to name it by, so it is
        # looked up by its comment in trade_history (reconciliation). What a resting order
        # traded at once ("received") shows in trade_history, not in the order returned.
        if not int(r["order_id"]):
            raise LookupError("the order traded at once; its id is in the trade history")
        return str(r["order_id"])

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(o.get("currency_pair"))
        if market is None:
            return None
        act = o.get("your_action")          # trade_history: ours ("both" for a self-trade)
        side = "buy" if (act if act in ("bid", "ask") else o["action"]) == "bid" else "sell"
        amount = dec(o["amount"])
        filled = amount if "your_action" in o else dec(0)    # a trade_history row: it traded
        # active_orders and trade_history both key their rows by the order id ("注文ID");
        # whether an order that trades in several parts is one row is not documented.
        return Order(str(o["id"]), o.get("comment") or None, market.symbol, side, "limit",
                     dec(o["price"]), amount, filled, amount - filled,
                     "closed" if filled else "open", int(o["timestamp"]) * 1000,
                     fee=opt_dec(o.get("fee_amount", o.get("fee"))) if filled else None)

    def parse_my_trade(self, r: dict, market: Market | None) -> Trade | None:
        order = self.parse_order(r, market)
        if order is None:
            return None
        # The fee's currency is not documented (unconfirmed): left unnamed.
        return Trade(order.id, order.timestamp, order.side, order.price, order.amount,
                     order.symbol, order_id=order.id, client_order_id=order.client_order_id,
                     fee=order.fee, taker_or_maker=None)

    # -- streams -----------------------------------------------------------------------------
    def stream_host(self, kind, market) -> str:
        return f"ws:{market.id}" if market is not None else "ws"

    def stream_url(self, host: str) -> str:
        base, _, pair = host.partition(":")
        return self.urls[base] + (f"?currency_pair={pair}" if pair else "")

    def ws_topic(self, kind, market, depth=None) -> Topic:
        return Topic(super().ws_topic(kind, market).channel, market.id)

    def ws_subscribe(self, channel, args, subscribe):
        return []                           # the pair is in the URL: pushes start on connect

    def stream_route(self, msg):
        if isinstance(msg, dict) and msg.get("currency_pair"):
            pair = msg["currency_pair"]
            return [f"{kind}:{pair}" for kind in self.channels.values()], msg
        if isinstance(msg, dict) and msg.get("error"):
            # Not in the docs: an error frame refusing the connection's pair is assumed.
            hub = connection()
            return self.refused(list(hub.topics) if hub else [], str(msg["error"]))
        return None

    def parse_ws_ticker(self, msg: dict, market: Market) -> Ticker:
        # "timestamp": "2015-04-01 18:16:01.739990" is Japan time (its trades' dates say so).
        at = datetime.fromisoformat(msg["timestamp"]).replace(tzinfo=_JST)
        best = [levels(msg[side][:1]) for side in ("bids", "asks")]
        return Ticker(market.symbol, int(at.timestamp() * 1000),
                      best[0][0][0] if best[0] else None, best[1][0][0] if best[1] else None,
                      dec(msg["last_price"]["price"]))

    def parse_ws_trades(self, msg: dict, market: Market) -> list[Trade]:
        # Each push repeats the recent trades: only those newer than the last one seen.
        seen = self.__dict__.setdefault("_last_tid", {})
        new = [self.parse_trade(r, market) for r in msg["trades"]
               if int(r["tid"]) > seen.get(market.id, 0)]
        if new:
            seen[market.id] = max(int(t.id) for t in new)
        return sorted(new, key=lambda t: int(t.id))

    def parse_book_frame(self, msg: dict, market: Market) -> BookFrame:
        return BookFrame(True, levels(msg["bids"]), levels(msg["asks"]))
