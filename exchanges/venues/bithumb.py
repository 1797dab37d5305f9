"""Bithumb: the REST API 2.0 (paths /v1 and /v2, JWT auth) and the public websocket.

Docs: https://apidocs.bithumb.com (v2.1.5, the version the site opens on; API 1.0 with its
/public, /info and /trade paths is the old one and is not used here).
- Auth ("인증 토큰 생성하기"): `Authorization: Bearer <JWT>`, HS256 with the secret key;
  claims access_key, nonce (a UUID), timestamp (ms) and, when the request has parameters,
  query_hash = hex SHA-512 of the query string and query_hash_alg "SHA512". The docs give no
  complete worked token (the example hash is cut short), so none is reproduced.
- Markets are quote-base ("KRW-BTC"). /v1/market/all lists them without tick, lot or minimum;
  the KRW price units and the minimum order value (5,000 KRW, per GET /v1/orders/chance, a
  signed call per market) are not read: the venue refuses what does not fit (unconfirmed).
- Orders: POST /v2/orders ("주문 요청": market, side, order_type (formerly ord_type), price,
  volume, client_order_id of 1-36 characters [A-Za-z0-9_-]) and DELETE /v2/order (order_id);
  GET /v1/order finds an order by `uuid` or `client_order_id` ("개별 주문 조회"). The single
  create reply is not shown in the docs we could read ("성공 시 빈 객체 또는 표준 성공 메시지");
  the batch reply's items are {client_order_id, order_id, market, side, order_type, created_at}:
  we read order_id and then the venue's record of the order.
- The public websocket (wss://ws-api.bithumb.com/websocket/v1) takes Upbit-style requests,
  [{"ticket"}, {"type", "codes"}, {"format"}]; every orderbook frame is the whole top of the
  book (no deltas, no sequence, no checksum), so each frame replaces the book. A new request
  on a connection replaces what it streamed (as on Upbit; unconfirmed for Bithumb), so each
  topic gets a connection of its own.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import DELETE, GET, POST, Pages
from ..core.auth import Jwt
from ..core.book import BookFrame
from ..core.stream import StreamLimits, connection
from ..numbers import dec, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Bithumb"]

_DOCS = "https://apidocs.bithumb.com"
_KST = timezone(timedelta(hours=9))
_STATES = {"wait": "open", "watch": "open", "done": "closed", "cancel": "canceled"}
# Not published by the API (unconfirmed): the finest grid we accept; the venue refuses the rest.
_TICK, _STEP, _MIN_KRW = "0.0001", "0.00000001", "5000"


def _ms(text: str | None) -> int | None:
    """"2021-04-26T17:42:36+09:00" (or UTC without an offset) → ms."""
    if not text:
        return None
    at = datetime.fromisoformat(text)
    return int((at if at.tzinfo else at.replace(tzinfo=timezone.utc)).timestamp() * 1000)


def _span_ms(tf: str) -> int:
    """One candle's length: "minutes/15" → 15 min; days, weeks; a month counted as 31 days."""
    unit, _, n = tf.partition("/")
    return {"minutes": 60_000 * int(n or 1), "days": 86_400_000, "weeks": 604_800_000,
            "months": 31 * 86_400_000}[unit]


def _kst_text(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, _KST).strftime("%Y-%m-%d %H:%M:%S")


def _claims(ex, request, fields: dict) -> dict:
    creds = ex.require_credentials()
    claims = {"access_key": creds.api_key, "nonce": str(uuid.uuid4()), "timestamp": ex.now()}
    params = fields["query"]
    if fields["body"]:                 # a JSON body is hashed as its k=v&… form
        params = urlencode(json.loads(fields["body"]), doseq=True)
    if params:
        claims.update(query_hash=hashlib.sha512(params.encode()).hexdigest(),
                      query_hash_alg="SHA512")
    return claims


def _order_body(m, side, type, amount, price, cid, options) -> dict:
    """"주문 요청": limit takes price and volume; a market buy the KRW to spend (price);
    a market sell the volume."""
    body = {"market": m.id, "side": "bid" if side == "buy" else "ask",
            "order_type": "limit" if type == "limit" else
            ("price" if side == "buy" else "market"), "client_order_id": cid}
    if type == "limit":
        body.update(price=price, volume=amount)
    elif side == "buy":
        body["price"] = options["quote_amount"]
    else:
        body["volume"] = amount
    return body


class Bithumb(Exchange):
    id = "bithumb"
    market_buy_in_quote = True         # a market buy names the quote to spend
    name = "Bithumb"
    docs = (_DOCS,)
    hosts = {"rest": "https://api.bithumb.com", "ws": "wss://ws-api.bithumb.com/websocket/v1"}
    # "빠른 시작 가이드": public 150 requests/s, private 140 requests/s.
    limits = {"public": (150, 1.0), "private": (140, 1.0), "orders": (140, 1.0)}
    auth = Jwt(claims=_claims, key=lambda ex: (ex.require_credentials().secret, "HS256"))
    timeframes = {**{f"{n}m": f"minutes/{n}" for n in (1, 3, 5, 10, 15, 30)},
                  "1h": "minutes/60", "4h": "minutes/240", "1d": "days", "1w": "weeks",
                  "1M": "months"}
    api = {
        "markets": GET("/v1/market/all", params=lambda: {"isDetails": "true"}),
        "tickers": GET("/v1/ticker"),        # every market, or those asked (tickers_params)
        "ticker": GET("/v1/ticker", params=lambda m: {"markets": m.id}),
        # One market: up to 30 levels a side ("호가 정보 조회").
        "order_book": GET("/v1/orderbook", cap=30, params=lambda m, limit: {"markets": m.id}),
        # "count" defaults to 1 (at most 200); "to" is the exclusive end, KST by default.
        "ohlcv": GET("/v1/candles/{tf}", cap=200, params=lambda m, tf, since, limit: {
            "tf": tf, "market": m.id, "count": limit or 200, **({} if since is None else {
                "to": _kst_text(since + (limit or 200) * _span_ms(tf))})}),
        "trades": GET("/v1/trades/ticks", cap=500, params=lambda m, limit: {
            "market": m.id, "count": limit}),
        "balance": GET("/v1/accounts", signed=True, idempotent=True),
        "create_order": POST("/v2/orders", signed=True, params=_order_body),
        # "주문 취소 접수": DELETE /v2/order by order_id (the uuid); answers {order_id, created_at}.
        "cancel_order": DELETE("/v2/order", signed=True, params=lambda m, oid: {
            "order_id": oid}),
        "order": GET("/v1/order", signed=True, idempotent=True,
                     params=lambda m, oid: {"uuid": oid}),
        "order_by_client_id": GET("/v1/order", signed=True, idempotent=True,
                                  params=lambda m, cid: {"client_order_id": cid}),
        "open_orders": GET("/v1/orders", signed=True, idempotent=True, paging=Pages(
            "page", 100), params=lambda m: {"market": m.id if m else None, "state": "wait"}),
    }
    lacks = {"fetch_my_trades": "Bithumb lists no account-wide fills: each order's fills come "
                                f"with the order (GET /v1/order, trades; {_DOCS}/reference)"}
    create_returns_state = False
    # {"error": {"name", "message"}} with the HTTP status ("API 주요 에러 코드"). The funds and
    # minimum names are Upbit's (insufficient_funds_*, under_min_total_*): not in Bithumb's list.
    errors = {**dict.fromkeys(("jwt_verification", "expired_jwt", "invalid_query_payload",
                               "NotAllowIP"), E.AuthenticationError),
              **dict.fromkeys(("out_of_scope", "blocked_member_id"), E.PermissionDenied),
              # order_not_ready (422): "주문 접수 처리 중" — not listed yet, so not found yet.
              **dict.fromkeys(("order_not_found", "order_not_ready"), E.OrderNotFound),
              **dict.fromkeys(("insufficient_funds_bid", "insufficient_funds_ask"),
                              E.InsufficientFunds),
              **dict.fromkeys(("invalid_parameter", "invalid_price", "invalid_price_bid",
                               "invalid_price_ask", "under_price_limit_bid",
                               "under_price_limit_ask", "under_min_total_bid",
                               "under_min_total_ask", "cross_trading"), E.InvalidOrder),
              "currency does not have a valid value": E.BadSymbol,
              "too_many_requests": E.RateLimitExceeded}
    channels = {"ticker": "ticker", "trades": "trade", "book": "orderbook"}
    stream_limits = StreamLimits(batch=1, per_connection=1)
    book_snapshot, book_sequence = "ws", None

    def tickers_params(self, markets):
        ids = [m.id for m in markets] if markets else list(self.markets_by_id)
        return {"markets": ",".join(ids)}

    def error_code(self, reply):
        d = reply.payload
        if isinstance(d, dict) and isinstance(d.get("error"), dict):
            err = d["error"]
            return str(err.get("name") or ""), str(err.get("message") or err.get("name") or "")
        return None


    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, r: dict, key=None) -> Market | None:
        quote_id, _, base_id = r["market"].partition("-")
        base, quote = self.currency(base_id), self.currency(quote_id)
        return Market(f"{base}/{quote}", r["market"], base, quote, dec(_TICK), dec(_STEP),
                      None, dec(_MIN_KRW) if quote == "KRW" else None, True)

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(t.get("market") or t.get("code"))
        if market is None:
            return None
        return Ticker(market.symbol, t.get("timestamp"), None, None, dec(t["trade_price"]),
                      opt_dec(t.get("high_price")), opt_dec(t.get("low_price")),
                      opt_dec(t.get("opening_price")), opt_dec(t.get("acc_trade_volume_24h")),
                      opt_dec(t.get("acc_trade_price_24h")))

    def parse_order_book(self, reply, market: Market) -> OrderBook:
        book = reply[0] if isinstance(reply, list) else reply
        units = book["orderbook_units"]
        return OrderBook(market.symbol, [(dec(u["bid_price"]), dec(u["bid_size"]))
                                         for u in units if u.get("bid_price") is not None],
                         [(dec(u["ask_price"]), dec(u["ask_size"]))
                          for u in units if u.get("ask_price") is not None],
                         book.get("timestamp"))

    def parse_candle(self, r: dict) -> Candle:
        return Candle(_ms(r["candle_date_time_utc"]), dec(r["opening_price"]),
                      dec(r["high_price"]), dec(r["low_price"]), dec(r["trade_price"]),
                      dec(r["candle_acc_trade_volume"]))

    def parse_trade(self, r: dict, market: Market) -> Trade:
        # ask_bid: the side of the order that took liquidity, as on Upbit (unconfirmed);
        # REST rows carry the trade's time as "timestamp", stream frames as "trade_timestamp".
        return Trade(str(r["sequential_id"]), int(r.get("trade_timestamp") or r["timestamp"]),
                     {"ASK": "sell", "BID": "buy"}.get(r.get("ask_bid")),
                     dec(r["trade_price"]), dec(r["trade_volume"]), market.symbol)

    def parse_balance(self, rows) -> dict[str, Balance]:
        out = {}
        for r in rows:
            free, used = dec(r["balance"]), dec(r["locked"])
            out[self.currency(r["currency"])] = Balance(free, used, free + used)
        return out

    def parse_placed(self, r: dict, market: Market) -> str:
        return str(r.get("order_id") or r.get("uuid") or "")

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(o.get("market"))
        if market is None:
            return None
        kind = o.get("ord_type") or o.get("order_type")
        filled = dec(o.get("executed_volume") or 0)
        volume = opt_dec(o.get("volume"))
        amount = volume if volume is not None else filled     # a market buy names KRW only
        return Order(str(o["uuid"]), o.get("client_order_id") or None, market.symbol,
                     "buy" if o["side"] == "bid" else "sell",
                     "limit" if kind == "limit" else "market",
                     opt_dec(o.get("price")) if kind == "limit" else None, amount, filled,
                     opt_dec(o.get("remaining_volume")) or amount - filled,
                     _STATES.get(o.get("state"), "open"), _ms(o.get("created_at")),
                     fee=opt_dec(o.get("paid_fee")))

    # -- streams -----------------------------------------------------------------------------
    def ws_subscribe(self, channel, args, subscribe):
        if not subscribe:
            return []      # a request replaces the last one; the connection closes with it
        return [[{"ticket": str(uuid.uuid4())}, {"type": channel, "codes": list(args)},
                 {"format": "DEFAULT"}]]

    def stream_route(self, msg):
        if isinstance(msg, dict) and msg.get("type") and msg.get("code"):
            return f"{msg['type']}:{msg['code']}", msg
        if isinstance(msg, dict) and isinstance(msg.get("error"), dict):
            hub = connection()
            err = msg["error"]
            return self.refused(list(hub.topics) if hub else [],
                                str(err.get("message") or err.get("name")), err.get("name"))
        return None

    def parse_ws_ticker(self, msg: dict, market: Market) -> Ticker:
        return self.parse_ticker(msg, market)

    def parse_ws_trades(self, msg: dict, market: Market) -> list[Trade]:
        return [self.parse_trade(msg, market)]

    def parse_book_frame(self, msg: dict, market: Market) -> BookFrame:
        book = self.parse_order_book(msg, market)
        return BookFrame(True, book.bids, book.asks, timestamp=book.timestamp)
