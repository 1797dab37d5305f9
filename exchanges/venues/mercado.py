"""Mercado Bitcoin: REST API v4 and its public websocket.

Docs: https://api.mercadobitcoin.net/api/v4/docs (a Redoc page; read here through a copy of
its swagger, github.com/ernanesa/MercadoBitcoin.Client `openapi/swagger.yaml`, "Mercado
Bitcoin API v5.33.4", cited as "(swagger)") and https://ws.mercadobitcoin.net/docs/v0 for the
websocket (not readable here: its facts come from the dossier and are marked unconfirmed).

Authentication (swagger "Authentication"): POST /authorize {"login": API token id, "password":
API token secret} returns {"access_token", "expiration" (unix s)}; every private call then
sends `Authorization: Bearer <token>`. Private paths carry the account id from GET /accounts.
No per-request signature, so there is no signing example to reproduce.
"""
from __future__ import annotations

import asyncio

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import DELETE, GET, POST
from ..core.book import BookFrame
from ..core.stream import Topic
from ..numbers import dec, levels, opt_dec, wire
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Mercado"]

_STATUSES = {"created": "open", "working": "open", "cancelled": "canceled",
             "filled": "closed"}                                        # (swagger) Orders
_SECONDS = {"1m": 60, "15m": 900, "1h": 3600, "3h": 10800, "1d": 86400, "1w": 604800,
            "1M": 2592000}


def _columns(reply: dict) -> list[dict]:
    """/symbols and /candles answer in columns (one array per field): rows of them."""
    keys = list(reply)
    return [dict(zip(keys, values)) for values in zip(*(reply[k] for k in keys))]


def _fills(orders: list) -> list[dict]:
    """The account's fills: the executions inside each order (there is no fills endpoint)."""
    return [{**e, "order_id": o["id"], "external_id": o.get("externalId")}
            for o in orders for e in o.get("executions") or ()]


class BearerToken:
    """`Authorization: Bearer <token>` with the token the adapter got from /authorize."""

    def sign(self, ex, request):
        ex.require_credentials()
        request.headers["Authorization"] = f"Bearer {ex._token}"
        return request


class Mercado(Exchange):
    id = "mercado"
    name = "Mercado Bitcoin"
    docs = ("https://api.mercadobitcoin.net/api/v4/docs", "https://ws.mercadobitcoin.net/docs/v0")
    hosts = {"rest": "https://api.mercadobitcoin.net", "ws": "wss://ws.mercadobitcoin.net/ws"}
    # (swagger) 500 requests/min in all; public data 1/s per endpoint (a bucket each),
    # place/cancel 3/s, order lists 10/s (all markets 3/s), balances 3/s.
    limits = {"public": (8, 1.0), "symbols": (1, 1.0), "tickers": (1, 1.0),
              "book": (1, 1.0), "candles": (1, 1.0), "trades": (1, 1.0),
              "private": (3, 1.0), "orders": (3, 1.0)}
    timeframes = {t: t for t in _SECONDS}
    auth = BearerToken()
    api = {
        "markets": GET("/api/v4/symbols", rows=_columns, bucket="symbols"),
        "tickers": GET("/api/v4/tickers", bucket="tickers"),
        "order_book": GET("/api/v4/{symbol}/orderbook", cap=1000, bucket="book",
                          params=lambda m, limit: {"symbol": m.id, "limit": limit}),
        "ohlcv": GET("/api/v4/candles", rows=_columns, cap=1000, bucket="candles"),
        "trades": GET("/api/v4/{symbol}/trades", cap=1000, bucket="trades",
                      params=lambda m, limit: {"symbol": m.id, "limit": limit}),
        "balance": GET("/api/v4/accounts/{accountId}/balances", signed=True),
        # limitPrice is a JSON number (swagger PlaceOrderRequest), qty a string.
        "create_order": POST("/api/v4/accounts/{accountId}/{symbol}/orders", signed=True,
                             body="json_numbers"),
        "cancel_order": DELETE("/api/v4/accounts/{accountId}/{symbol}/orders/{orderId}",
                               signed=True),
        "order": GET("/api/v4/accounts/{accountId}/{symbol}/orders/{orderId}", signed=True),
        # "List all orders" (most recent first) answers {"items": [...]}; no paging is
        # documented (only `size`), so one reply is every order asked for.
        "open_orders": GET("/api/v4/accounts/{accountId}/orders", signed=True, rows="items"),
        "closed_orders": GET("/api/v4/accounts/{accountId}/orders", signed=True, rows="items"),
        "my_trades": GET("/api/v4/accounts/{accountId}/{symbol}/orders", signed=True,
                         rows=_fills),
    }
    # The create reply is {"orderId"} only: the order's state is read after.
    create_returns_state = False
    # (swagger "Errors") {"code": "DOMAIN|MODULE|ERROR", "message"}; the ERROR part decides.
    errors = {"ORDER_NOT_FOUND": E.OrderNotFound, "INSUFFICIENT_BALANCE": E.InsufficientFunds,
              "INVALID_SYMBOL": E.BadSymbol, "INVALID_PAIR": E.BadSymbol,
              "FORBIDDEN": E.AuthenticationError, "INVALID_ACCESS": E.PermissionDenied,
              "ORDER_PROCESSED": E.InvalidOrder, "ORDER_DUPLICATE": E.InvalidOrder,
              "INVALID_DECIMAL_PLACES": E.InvalidOrder, "INVALID_MAX_LIMIT_PRICE": E.InvalidOrder,
              "INVALID_MIN_LIMIT_PRICE": E.InvalidOrder, "INVALID_MAX_QUANTITY": E.InvalidOrder,
              "INVALID_MIN_QUANTITY": E.InvalidOrder, "MIN_MAX_BRL_EXCEEDED": E.InvalidOrder,
              "REQUEST_RATE_EXCEEDED": E.RateLimitExceeded,
              "REQUEST_DENIED": E.RateLimitExceeded, "REQUEST_BLOCKED": E.RateLimitExceeded,
              "API_UNAVAILABLE": E.ExchangeNotAvailable}
    # Websocket (dossier, unconfirmed): {"type": "subscribe", "subscription": {"name", "id",
    # "limit"}} with ids QUOTE+BASE ("BRLBTC"); every orderbook frame is the whole top-N book,
    # sent only when it changes (none on subscribe); no sequence, no checksum.
    channels = {"ticker": "ticker", "trades": "trade", "book": "orderbook"}
    book_snapshot, book_sequence = "ws", None
    book_limit = 200        # 10, 20, 50, 100 or 200; the last one asked applies to the socket

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._token: str | None = None
        self._expires = 0                   # ms
        self._account: str | None = None
        self._login_lock = asyncio.Lock()

    # -- the session: a token, then the account id -------------------------------------------
    async def _session(self, renew: bool = False) -> None:
        async with self._login_lock:
            if renew or self._token is None or self.clock() > self._expires - 60_000:
                creds = self.require_credentials()
                reply = await super().request(
                    "POST", "/api/v4/authorize", data={"login": creds.api_key,
                                                       "password": creds.secret},
                    body_format="json", idempotent=True, endpoint="POST /api/v4/authorize")
                try:
                    self._token = str(reply["access_token"])
                    self._expires = int(reply["expiration"]) * 1000
                except (KeyError, TypeError, ValueError):
                    raise E.AuthenticationError(self.id, "the login (/authorize) reply could "
                                                         "not be read; nothing was sent") from None
            if self._account is None:
                accounts = await super().request("GET", "/api/v4/accounts", signed=True)
                try:
                    self._account = str(accounts[0]["id"])
                except (KeyError, IndexError, TypeError):
                    raise E.AuthenticationError(self.id, "the account list could not be "
                                                         "read; nothing was sent") from None

    async def request(self, method, path, params=None, *, signed=False, **kw):
        if not signed:
            return await super().request(method, path, params, **kw)
        await self._session()
        try:
            return await super().request(method, path, params, signed=True, **kw)
        except E.AuthenticationError:
            # A token revoked or expired early: refused before acting, so one retry is safe.
            await self._session(renew=True)
            return await super().request(method, path, params, signed=True, **kw)

    async def _place_order(self, *args, **kw):
        # The session first: a login that fails means the order was never sent.
        await self._session()
        return await super()._place_order(*args, **kw)

    async def _send(self, name, ep, params):
        if "{accountId}" in ep.path:
            await self._session()
            params = {"accountId": self._account, **(params or {})}
        return await super()._send(name, ep, params)

    # -- parameters --------------------------------------------------------------------------
    def tickers_params(self, markets):
        return {"symbols": ",".join(m.id for m in markets or self.markets.values())}

    def ohlcv_params(self, m, tf, since, limit):
        # TradingView style: `to` (required) and `from` in unix seconds, or `countback` bars.
        n, step = limit or 100, _SECONDS[tf]
        if since is not None:
            start = since // 1000
            return {"symbol": m.id, "resolution": tf, "from": start, "to": start + step * n}
        return {"symbol": m.id, "resolution": tf, "to": self.clock() // 1000, "countback": n}

    def create_order_params(self, m, side, type, amount, price, cid, options):
        return {"symbol": m.id, "side": side, "type": type, "qty": wire(amount),
                "limitPrice": price, "externalId": cid, "async": False}

    def cancel_order_params(self, m, oid):
        return {"symbol": m.id, "orderId": oid}

    def order_params(self, m, oid):
        return {"symbol": m.id, "orderId": oid}

    def open_orders_params(self, m):
        return {"symbol": m.id if m else None, "status": "created,working"}

    def closed_orders_params(self, m):
        return {"symbol": m.id if m else None}

    def my_trades_params(self, m, since, limit):
        return {"symbol": m.id, "has_executions": "true",
                "executed_at_from": since // 1000 if since else None}

    async def fetch_my_trades(self, symbol=None, since=None, limit=None):
        if symbol is None:
            raise E.ExchangeError(self.id, "Mercado Bitcoin lists fills per market (inside "
                                           "its orders): name a symbol")
        return await super().fetch_my_trades(symbol, since, limit)

    def error_code(self, reply):
        d = reply.payload
        if isinstance(d, dict) and isinstance(d.get("code"), str) and "message" in d:
            return d["code"].rsplit("|", 1)[-1], str(d["message"])
        return None

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, r: dict, key=None) -> Market:
        base, quote = self.currency(r["base-currency"]), self.currency(r["currency"])
        # pricescale: 10^(price decimals); the amount step is not published (1e-8 assumed,
        # as ccxt does: unconfirmed); min-volume and min-cost are the order minimums.
        return Market(f"{base}/{quote}", r["symbol"], base, quote,
                      1 / dec(r["pricescale"]), dec("0.00000001"),
                      opt_dec(r.get("min-volume")), opt_dec(r.get("min-cost")),
                      bool(r.get("exchange-traded", True)))

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(t["pair"])
        if market is None:
            return None
        # buy/sell are the best bid and ask (as ccxt reads them); date in seconds.
        return Ticker(market.symbol, int(t["date"]) * 1000 if t.get("date") else None,
                      opt_dec(t.get("buy")), opt_dec(t.get("sell")), dec(t["last"]),
                      opt_dec(t.get("high")), opt_dec(t.get("low")), opt_dec(t.get("open")),
                      opt_dec(t.get("vol")), None)

    @staticmethod
    def parse_order_book(r: dict, market: Market) -> OrderBook:
        # The reply's `timestamp` has no unit in the swagger: left out.
        return OrderBook(market.symbol, levels(r["bids"]), levels(r["asks"]), None, None)

    @staticmethod
    def parse_candle(c: dict) -> Candle:
        return Candle(int(c["t"]) * 1000, dec(c["o"]), dec(c["h"]), dec(c["l"]), dec(c["c"]),
                      dec(c["v"]))

    @staticmethod
    def parse_trade(r: dict, market: Market) -> Trade:
        # type buy|sell: whose side the swagger does not say; taken as the taker's
        # (unconfirmed).
        return Trade(str(r["tid"]), int(r["date"]) * 1000, r.get("type"), dec(r["price"]),
                     dec(r["amount"]), market.symbol)

    def parse_balance(self, rows: list) -> dict[str, Balance]:
        return {self.currency(r["symbol"]): Balance(dec(r["available"]), dec(r["on_hold"]),
                                                    dec(r["total"])) for r in rows}

    def parse_placed(self, reply, market):
        return str(reply["orderId"]) if isinstance(reply, dict) and reply.get("orderId") \
            else None

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = self.by_id(o["instrument"]) if o.get("instrument") else market
        if market is None:
            return None
        amount, done = dec(o["qty"]), dec(o.get("filledQty") or 0)
        kind = "market" if o["type"] == "market" else "limit"
        return Order(str(o["id"]), o.get("externalId") or o.get("external_id"), market.symbol,
                     o["side"], kind, opt_dec(o.get("limitPrice")) if kind == "limit" else None,
                     amount, done, amount - done, _STATUSES.get(o["status"], "open"),
                     int(o["created_at"]) * 1000 if o.get("created_at") else None)

    def parse_my_trade(self, e: dict, market: Market | None) -> Trade | None:
        market = self.by_id(e["instrument"]) or market
        if market is None:
            return None
        # fee_rate is a percentage, not an amount: the fill's fee is not given.
        return Trade(str(e["id"]), int(e["executed_at"]) * 1000, e["side"], dec(e["price"]),
                     dec(e["qty"]), market.symbol, str(e["order_id"]), e.get("external_id"),
                     None, None, e.get("liquidity"))

    # -- streams -----------------------------------------------------------------------------
    def ws_topic(self, kind, market, depth=None):
        channel = self.channels.get(kind)
        if channel is None or market is None:
            return super().ws_topic(kind, market, depth)
        base, quote = market.id.split("-")
        return Topic(channel, quote + base)

    def ws_subscribe(self, channel, args, subscribe):
        self._last_ws = [f"{channel}:{a}" for a in args]
        extra = {"limit": self.book_limit} if channel == "orderbook" else {}
        return [{"type": "subscribe" if subscribe else "unsubscribe",
                 "subscription": {"name": channel, "id": a, **extra}} for a in args]

    def stream_ping(self):
        return {"type": "ping"}

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        if msg.get("type") == "error":
            return self.refused(getattr(self, "_last_ws", ()), str(msg.get("message")))
        if msg.get("type") in self.channels.values() and "data" in msg:
            return f"{msg['type']}:{msg.get('id')}", msg["data"]
        return None         # pong, subscription acks

    def parse_ws_ticker(self, d: dict, market: Market) -> Ticker:
        # Ticker frames carry the REST ticker's fields (unconfirmed).
        return self.parse_ticker(d, market)

    def parse_ws_trades(self, d: dict, market: Market) -> Trade:
        return self.parse_trade(d, market)

    def parse_book_frame(self, d: dict, market: Market) -> BookFrame:
        return BookFrame(True, levels(d["bids"]), levels(d["asks"]))
