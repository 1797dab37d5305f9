"""BtcBox: the REST API v1 (public GETs, private form POSTs). No websocket.

Docs: https://blog.btcbox.jp/en/archives/8762 (English; the Japanese original is
https://www.btcbox.co.jp/api/doc/v1). BtcBox has suspended all services since 2026-01-29
(venues.tsv records it; the exchange tree shows it); this adapter waits for its return.
- Private calls are form POSTs carrying `key` and `nonce` (an increasing integer) and the
  call's parameters, then `signature` = hex HMAC-SHA256 of that urlencoded string, keyed by the
  lower-case hex MD5 digest of the private key; the parameters are signed in the order they are
  sent. The docs' signed example ($param: amount, price, type, nonce, key, signature) does not
  give the private key, so it cannot be reproduced.
- Markets: GET /tickers lists every pair ("BTC_JPY" …); the API publishes no tick, lot or
  minimum (unconfirmed: prices in whole yen except DOGE and TRX, whose sample prices carry two
  decimals; amounts to 4 decimals as the sample volumes do; error 201 "amount too small").
- Orders are limit orders (trade_add takes coin, amount, price, type buy|sell; no order type
  is documented), with no client order id: a lost reply is found by its terms among the open
  orders and the list of all orders (trade_list type "open" / "all"). No candles, no fills.
- Rate limits ("API Restriction"): trade_add and balance 2/s, trade_list and trade_view 1/s,
  order_history 4/s.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST
from ..core.auth import Hmac
from ..numbers import dec, opt_dec
from ..types import Balance, Market, Order, OrderBook, Ticker, Trade

__all__ = ["BtcBox"]

_DOCS = "https://blog.btcbox.jp/en/archives/8762"
_JST = timezone(timedelta(hours=9))
_PRICE_STEP = {"DOGE": "0.01", "TRX": "0.01"}       # else whole yen (unconfirmed, see above)
_STATES = {"part": "open", "all": "closed", "cancelled": "canceled", "closed": "closed"}


def _private(path: str, params=None, **kw):
    return POST(f"/api/v1/{path}", signed=True, params=params, **kw)


def _coin(m) -> dict:
    return {"coin": m.base.lower()}


class BtcBox(Exchange):
    id = "btcbox"
    name = "BtcBox"
    docs = (_DOCS,)
    hosts = {"rest": "https://www.btcbox.co.jp"}
    limits = {"public": (5, 1.0), "private": (1, 1.0), "orders": (2, 1.0)}
    body_format = "form"
    auth = Hmac(prehash="{body}", secret="md5", stamp="nonce",
                body={"key": "{key}", "nonce": "{stamp}"}, signature_field="signature")
    api = {
        "markets": GET("/api/v1/tickers", keyed=True),
        "tickers": GET("/api/v1/tickers", keyed=True, params=lambda ms: None),
        "ticker": GET("/api/v1/ticker", params=_coin),
        "order_book": GET("/api/v1/depth", params=lambda m, limit: _coin(m)),
        "trades": GET("/api/v1/orders", params=lambda m, limit: _coin(m)),
        "balance": _private("balance", idempotent=True),
        "create_order": _private("trade_add", lambda m, side, type, amount, price, cid, o: {
            **_coin(m), "amount": amount, "price": price, "type": side}),
        "cancel_order": _private("trade_cancel", lambda m, oid: {**_coin(m), "id": oid}),
        "order": _private("trade_view", lambda m, oid: {**_coin(m), "id": oid},
                          idempotent=True),
        "open_orders": _private("trade_list", lambda m: {**_coin(m), "type": "open"},
                                idempotent=True),
        "closed_orders": _private("trade_list", lambda m: {**_coin(m), "type": "all"},
                                  idempotent=True),
    }
    lacks = {
        "fetch_ohlcv": f"BtcBox's API has no candles ({_DOCS})",
        "fetch_my_trades": f"BtcBox's API lists orders, not fills ({_DOCS})",
        **dict.fromkeys(("watch_ticker", "watch_tickers", "watch_order_book", "watch_trades"),
                        f"BtcBox documents no websocket API ({_DOCS})")}
    order_types = ("limit",)
    takes_client_ids = False
    create_returns_state = False        # {"result": true, "id": "12"}
    # {"result": false, "code": "<n>"}: the codes as ccxt records them from the docs (the
    # docs' own error table was not read: unconfirmed).
    errors = {"104": E.AuthenticationError, "105": E.PermissionDenied,
              "106": E.AuthenticationError, "107": E.InvalidOrder,
              "200": E.InsufficientFunds, "201": E.InvalidOrder, "202": E.InvalidOrder,
              "203": E.OrderNotFound, "401": E.OrderNotFound, "402": E.RateLimitExceeded}

    def error_code(self, reply):
        d = reply.payload
        if isinstance(d, dict) and d.get("result") is False:
            code = str(d.get("code", ""))
            return code, str(d.get("message") or f"the venue refused the request (code {code})")
        return None

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        if symbol is not None:
            return await super().fetch_open_orders(symbol)
        # trade_list names one coin (default btc): every market is asked in turn.
        out = []
        for s in await self.load_markets():
            out += await super().fetch_open_orders(s)
        return out

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, r: dict, key=None) -> Market:
        base_id, _, quote_id = str(key).partition("_")
        base, quote = self.currency(base_id.upper()), self.currency(quote_id.upper())
        return Market(f"{base}/{quote}", key, base, quote, dec(_PRICE_STEP.get(base, "1")),
                      dec("0.0001"), None, None, True)

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker:
        # buy / sell: the best bid and ask; vol: the 24 h base volume. No time, no open.
        return Ticker(market.symbol, None, opt_dec(t.get("buy")), opt_dec(t.get("sell")),
                      dec(t["last"]), opt_dec(t.get("high")), opt_dec(t.get("low")), None,
                      opt_dec(t.get("vol")))

    def parse_order_book(self, reply: dict, market: Market) -> OrderBook:
        side = [sorted(((dec(p), dec(a)) for p, a in reply[k]), reverse=k == "bids")
                for k in ("bids", "asks")]
        return OrderBook(market.symbol, side[0], side[1])

    @staticmethod
    def parse_trade(r: dict, market: Market) -> Trade:
        # type: buy/sell; whose side the docs do not say (the taker's, unconfirmed).
        return Trade(str(r["tid"]), int(r["date"]) * 1000, r.get("type") or None,
                     dec(r["price"]), dec(r["amount"]), market.symbol)

    def parse_balance(self, d: dict) -> dict[str, Balance]:
        # "<coin>_balance": available; "<coin>_lock": held by open orders.
        out = {}
        for key, value in d.items():
            if key.endswith("_balance"):
                coin = key.removesuffix("_balance")
                free, used = dec(value), dec(d.get(f"{coin}_lock", 0))
                out[self.currency(coin.upper())] = Balance(free, used, free + used)
        return out

    def parse_placed(self, r: dict, market: Market) -> str:
        return str(r["id"])

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        if market is None:
            return None
        amount, left = dec(o["amount_original"]), dec(o["amount_outstanding"])
        # status only in trade_view ("part", "all", "cancelled"); a listed order without one
        # is open while anything is outstanding.
        status = _STATES.get(o.get("status")) or ("open" if left else "closed")
        at = datetime.strptime(o["datetime"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=_JST)
        return self.with_our_client_id(Order(
            str(o["id"]), None, market.symbol, o["type"], "limit", dec(o["price"]), amount,
            amount - left, left if status == "open" else dec(0), status,
            int(at.timestamp() * 1000)))
