"""Indodax (ex Bitcoin.co.id): public REST, the private TAPI, Trade API v2 and the market websocket.

Docs: https://github.com/btcid/indodax-official-api-docs (Public-RestAPI.md, Private-RestAPI.md,
INDODAX-TradeAPI-2.md, Marketdata-websocket.md; read at the April 2026 head).

Signing: TAPI (Private-RestAPI.md, "SIGNED Endpoint Examples for POST getInfo"): every call is a
form POST to /tapi with `method` and a `nonce` (an increasing integer) in the body; header
`Key` = the API key, `Sign` = hex HMAC-SHA512 of the body with the secret. Trade API v2
(INDODAX-TradeAPI-2.md): GET on tapi.indodax.com with the parameters and the nonce in the query
string; `X-APIKEY`, and `Sign` = hex HMAC-SHA512 of the query string. The old tapi
`tradeHistory` and `orderHistory` were decommissioned on 7 April 2026: fills come from v2
`GET /api/v2/myTrades`.
"""
from __future__ import annotations

from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..core.stream import StreamLimits, Topic
from ..numbers import dec, levels, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Indodax"]

# The market websocket's static token (Marketdata-websocket.md, "General Information").
WS_TOKEN = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE5NDY2MTg0MTV9."
            "UR1lBM6Eqh0yWz-PVirw1uPCxe60FdchR8eNVdsskeo")
_TF_SECONDS = {"1": 60, "15": 900, "30": 1800, "60": 3600, "240": 14400, "1D": 86400,
               "3D": 259200, "1W": 604800}
# getOrder's `status`: "filled" and "cancelled" are documented; "open" is not (unconfirmed).
_STATUSES = {"open": "open", "filled": "closed", "cancelled": "canceled", "canceled": "canceled",
             "rejected": "rejected"}
_TAPI = Hmac(prehash="{body}", algo="sha512", stamp="nonce", body={"nonce": "{stamp}"},
             headers={"Key": "{key}", "Sign": "{signature}"})
_V2 = Hmac(prehash="{query}", algo="sha512", stamp="nonce", query={"nonce": "{stamp}"},
           headers={"X-APIKEY": "{key}", "Sign": "{signature}"})


def _tapi(rows, **kw):
    """A TAPI method: POST /tapi, its `method` named in the form body (`<name>_params`)."""
    return POST("/tapi", signed=True, rows=rows, **kw)


def _all_pairs(reply) -> list:
    """openOrders without a pair: {"orders": {"btc_idr": [...], ...}}; with one: a list."""
    orders = reply["return"]["orders"]
    if isinstance(orders, dict):
        return [{**o, "pair": pair} for pair, rows in orders.items() for o in rows or ()]
    return list(orders or ())


class _Auth:
    """TAPI calls sign their form body; v2 calls (host "rest_v2") their query string."""

    def sign(self, ex, request):
        if request.host != "rest_v2":
            return _TAPI.sign(ex, request)
        request.headers.update({"Accept": "application/json", "Content-Type": "application/json"})
        return _V2.sign(ex, request)


class Indodax(Exchange):
    id = "indodax"
    market_buy_in_quote = True         # a market buy names the quote to spend
    name = "Indodax"
    docs = ("https://github.com/btcid/indodax-official-api-docs",)
    hosts = {"rest": "https://indodax.com", "rest_v2": "https://tapi.indodax.com",
             "ws": "wss://ws3.indodax.com/ws/"}
    # Public API: 180 requests a minute (Public-RestAPI.md "Limit"); trade: 20 a second per
    # account and pair (Private-RestAPI.md "Trade Endpoints"), cancels 30 a second.
    limits = {"public": (180, 60.0), "private": (20, 1.0), "orders": (20, 1.0)}
    body_format = "form"
    auth = _Auth()
    # tradingview/history_v2 `tf` values (Public-RestAPI.md "Timeframe List").
    timeframes = {"1m": "1", "15m": "15", "30m": "30", "1h": "60", "4h": "240", "1d": "1D",
                  "3d": "3D", "1w": "1W"}
    api = {
        "markets": GET("/api/pairs"),
        "tickers": GET("/api/ticker_all", rows="tickers", keyed=True),
        "ticker": GET("/api/ticker/{pair}", rows="ticker", params=lambda m: {"pair": m.id}),
        "order_book": GET("/api/depth/{pair}", params=lambda m, limit: {"pair": m.id}),
        "ohlcv": GET("/tradingview/history_v2"),
        "trades": GET("/api/trades/{pair}", params=lambda m, limit: {"pair": m.id}),
        "balance": _tapi("return", params=lambda: {"method": "getInfo"}),
        "create_order": _tapi("return"),
        "cancel_order": _tapi("return"),
        "order": _tapi("return.order"),
        "order_by_client_id": _tapi("return.order", params=lambda m, cid: {
            "method": "getOrderByClientOrderId", "client_order_id": cid}),
        "open_orders": _tapi(_all_pairs),
        # v2: a symbol is required; the last 24 hours unless startTime is given; 10..1000 rows.
        "my_trades": GET("/api/v2/myTrades", signed=True, host="rest_v2", rows="data",
                         cap=1000, params=lambda m, since, limit: {
                             "symbol": m.id, "startTime": since,
                             "limit": max(10, limit) if limit else None}),
    }
    create_returns_state = False          # the trade reply has no status: getOrder is read
    # TAPI: {"success": 0, "error": …, "error_code": …}; v2: {"code": 1109, "error": …}.
    errors = {"invalid_credentials": E.AuthenticationError, "bad_sign": E.AuthenticationError,
              "invalid_pair": E.BadSymbol, "too_many_requests": E.RateLimitExceeded,
              "1001": E.AuthenticationError, "1002": E.AuthenticationError,
              "1003": E.AuthenticationError, "1101": E.AuthenticationError,
              "1102": E.AuthenticationError, "1103": E.PermissionDenied,
              "1104": E.PermissionDenied, "1105": E.PermissionDenied,
              "1106": E.PermissionDenied, "1110": E.BadSymbol, "1112": E.OrderNotFound}
    error_messages = {"invalid credentials": E.AuthenticationError,
                      "insufficient balance": E.InsufficientFunds,
                      "invalid order": E.OrderNotFound, "order not found": E.OrderNotFound,
                      "already exists": E.InvalidOrder, "minimum": E.InvalidOrder,
                      "not maker": E.InvalidOrder, "invalid pair": E.BadSymbol,
                      "too many": E.RateLimitExceeded}
    # Market websocket (Centrifugo): the book channel sends the whole top of the book in every
    # publication, so each frame is a snapshot; `offset` counts publications, no checksum.
    channels = {"ticker": "market:summary-24h", "trades": "market:trade-activity-",
                "book": "market:order-book-"}
    stream_limits = StreamLimits(batch=1)
    book_snapshot, book_sequence = "ws", None
    ws_heartbeat = 25.0

    def error_code(self, reply):
        d = reply.payload
        if isinstance(d, dict):
            if d.get("success") in (0, "0") or ("error" in d and "return" not in d):
                code = d.get("error_code") or d.get("code") or ""
                return str(code), str(d.get("error") or d.get("message") or "")
        return None

    async def _fetch_markets(self) -> list[Market]:
        pairs = await self.call("markets")
        # TAPI names a pair by its `ticker_id` (btc_idr); REST, v2 and streams by `id` (btcidr).
        self._ticker_ids = {p["id"]: p["ticker_id"] for p in pairs}
        steps = (await self.request("GET", "/api/price_increments",
                                    endpoint="GET /api/price_increments"))["increments"]
        return [m for p in pairs if (m := self.parse_market(p, steps.get(p["ticker_id"])))]

    # -- request parameters --------------------------------------------------------------------
    def ohlcv_params(self, m, tf, since, limit):
        # `from` and `to` are required (seconds); the window is sized to `limit` candles.
        span = _TF_SECONDS[tf] * (limit or 100)
        start = since // 1000 if since is not None else self.clock() // 1000 - span
        return {"symbol": m.id.upper(), "tf": tf, "from": start, "to": start + span}

    def create_order_params(self, m, side, type, amount, price, cid, options):
        p = {"method": "trade", "pair": self._pair(m), "type": side, "order_type": type,
             "client_order_id": cid}
        if type == "limit":
            p.update(price=price, **{self._coin_id(m): amount})
        elif side == "buy":             # a market buy takes its amount in IDR (the quote)
            p[self._quote_id(m)] = options["quote_amount"]
        else:
            p[self._coin_id(m)] = amount
        return p

    def cancel_order_params(self, m, oid):
        return {"method": "cancelOrder", "pair": self._pair(m), "order_id": oid}

    def order_params(self, m, oid):
        return {"method": "getOrder", "pair": self._pair(m), "order_id": oid}

    def open_orders_params(self, m):
        return {"method": "openOrders", **({"pair": self._pair(m)} if m else {})}

    def _pair(self, m: Market) -> str:
        return self._ticker_ids.get(m.id) or f"{m.base.lower()}_{m.quote.lower()}"

    def _quote_id(self, m: Market) -> str:
        return self._pair(m).rpartition("_")[2]

    def _coin_id(self, m: Market) -> str:
        """The venue's own name of the base (`btc` in btc_idr), as its field names use it."""
        return self._pair(m).partition("_")[0]

    _ticker_ids: dict = {}


    async def cancel_order(self, order_id: str, symbol: str) -> Order:
        # cancelOrder needs the order's side ("type": buy/sell): read from the order first.
        market = await self.market(symbol)
        self.require_credentials()
        side = (await self.fetch_order(order_id, symbol)).side
        await self.call("cancel_order", market, str(order_id), extra={"type": side})
        order = await self.fetch_order(order_id, symbol)
        return order if order.status != "open" else Order(
            order.id, order.client_order_id, order.symbol, order.side, order.type, order.price,
            order.amount, order.filled, order.remaining, "canceled", order.timestamp)

    # -- parsers -------------------------------------------------------------------------------
    def parse_market(self, p: dict, step=None) -> Market | None:
        base, quote = self.currency(p["traded_currency"]), self.currency(p["base_currency"])
        # Amounts: 8 decimals (the pairs' volume_precision reads 0 for BTC/IDR, so it is not
        # the amount's step; unconfirmed). Price step from /api/price_increments.
        return Market(f"{base}/{quote}", p["id"], base, quote,
                      dec(step) if step else Decimal(1) / 10 ** int(p.get("price_round") or 0),
                      Decimal("0.00000001"), opt_dec(p.get("trade_min_traded_currency")),
                      opt_dec(p.get("trade_min_base_currency")),
                      not p.get("is_maintenance"))

    def _market_of_pair(self, pair: str | None) -> Market | None:
        if pair is None:
            return None
        return self.by_id(pair.replace("_", "")) or next(
            (self.by_id(k) for k, v in self._ticker_ids.items() if v == pair), None)

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        if market is None:
            return None
        # 24 h volumes are named vol_<coin> (vol_btc, vol_idr); server_time is in seconds.
        return Ticker(market.symbol, int(t["server_time"]) * 1000 if t.get("server_time")
                      else None, opt_dec(t.get("buy")), opt_dec(t.get("sell")), dec(t["last"]),
                      opt_dec(t.get("high")), opt_dec(t.get("low")), None,
                      opt_dec(t.get(f"vol_{self._coin_id(market)}")),
                      opt_dec(t.get(f"vol_{self._quote_id(market)}")))

    def each(self, rows, endpoint):
        if endpoint == "tickers":       # keyed by ticker_id ("btc_idr")
            return [(r, m.id) for k, r in rows.items() if (m := self._market_of_pair(k))]
        return super().each(rows, endpoint)

    @staticmethod
    def parse_order_book(r: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, levels(r.get("buy") or []), levels(r.get("sell") or []),
                         None, None)

    @staticmethod
    def parse_candle(c: dict) -> Candle:
        return Candle(int(c["Time"]) * 1000, dec(c["Open"]), dec(c["High"]), dec(c["Low"]),
                      dec(c["Close"]), dec(c["Volume"]))

    @staticmethod
    def parse_trade(t: dict, market: Market) -> Trade:
        # `type` buy/sell: the taker's side, as ccxt reads it (the docs do not say; unconfirmed).
        return Trade(str(t["tid"]), int(t["date"]) * 1000, t.get("type"), dec(t["price"]),
                     dec(t["amount"]), market.symbol)

    def parse_balance(self, r: dict) -> dict[str, Balance]:
        free, hold = r.get("balance") or {}, r.get("balance_hold") or {}
        out = {}
        for code in set(free) | set(hold):
            f, u = dec(free.get(code, 0)), dec(hold.get(code, 0))
            out[self.currency(code)] = Balance(f, u, f + u)
        return out

    def parse_placed(self, r: dict, market: Market) -> str:
        return str(r["order_id"])

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self._market_of_pair(o.get("pair"))
        if market is None:
            return None
        coin, fiat = self._coin_id(market), self._quote_id(market)
        price = opt_dec(o.get("price"))
        status = _STATUSES.get(o.get("status") or "open", "open")
        # Amounts are named order_<coin>/remain_<coin>; an order given in IDR (a market buy)
        # carries order_idr (order_rp in getOrder) instead: converted at its price where it
        # has one, else the coin received (receive_<coin>) is what it bought (unconfirmed).
        if f"order_{coin}" in o:
            amount, left = dec(o[f"order_{coin}"]), dec(o.get(f"remain_{coin}", 0))
        else:
            spent = dec(o.get(f"order_{fiat}", o.get("order_rp", 0)))
            rest = dec(o.get(f"remain_{fiat}", o.get("remain_rp", 0)))
            if price:
                amount, left = spent / price, rest / price
            else:
                amount, left = dec(o.get(f"receive_{coin}", 0)), Decimal(0)
        kind = o.get("order_type") or ("limit" if price else "market")
        return Order(str(o["order_id"]), o.get("client_order_id") or None, market.symbol,
                     o["type"], "market" if kind == "market" else "limit",
                     price if kind != "market" else None, amount, amount - left,
                     left if status == "open" else Decimal(0) if kind == "market" else left,
                     status, int(o["submit_time"]) * 1000 if o.get("submit_time") else None)

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade | None:
        market = market or self.by_id(str(t.get("symbol", "")).lower())
        if market is None:
            return None
        return Trade(str(t["tradeId"]), int(t["time"]), "buy" if t.get("isBuyer") else "sell",
                     dec(t["price"]), dec(t["qty"]), market.symbol, str(t["orderId"]),
                     t.get("clientOrderId") or None, opt_dec(t.get("commission")),
                     self.currency(t["commissionAsset"]) if t.get("commissionAsset") else None,
                     "maker" if t.get("isMaker") else "taker")

    # -- streams -------------------------------------------------------------------------------
    async def stream_open(self, ws, host):
        # "After connected, you will have to authenticate yourself" with the static token.
        await ws.send_str('{"params":{"token":"%s"},"id":0}' % WS_TOKEN)

    def stream_ping(self):
        return {"method": 7, "id": next(self._ws_ids)}

    def ws_topic(self, kind, market, depth=None) -> Topic:
        channel = self.channels.get(kind)
        if channel is None:
            raise E.NotSupported(self.id, f"streaming {kind} is not supported")
        if kind == "ticker":            # one channel carries every pair's 24 h summary
            return Topic(channel)
        return Topic(channel + market.id, "", channel + market.id)

    def ws_subscribe(self, channel, args, subscribe):
        return {"method": 1 if subscribe else 2, "params": {"channel": channel},
                "id": self.ws_request([channel])}

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        if "error" in msg:              # Centrifugo: {"id": n, "error": {"code", "message"}}
            err = msg["error"] if isinstance(msg["error"], dict) else {"message": msg["error"]}
            return self.refused(self.ws_request_keys(msg.get("id")), str(err.get("message")),
                                err.get("code"))
        result = msg.get("result")
        if isinstance(result, dict) and "channel" in result and "data" in result:
            return result["channel"], result["data"]
        return None                     # replies to auth, subscribe, ping

    def parse_ws_ticker(self, pub: dict, market: Market) -> list[Ticker]:
        # [pair, time (s), last, low, high, price 24 h ago, quote volume, base volume]
        return [Ticker(market.symbol, int(r[1]) * 1000, None, None, dec(r[2]), dec(r[4]),
                       dec(r[3]), dec(r[5]), dec(r[7]), dec(r[6]))
                for r in pub["data"] if r[0] == market.id]

    def parse_ws_trades(self, pub: dict, market: Market) -> list[Trade]:
        # [pair, time (s), sequence, side, price, quote volume, base volume]
        return [Trade(str(r[2]), int(r[1]) * 1000, r[3], dec(r[4]), dec(r[6]), market.symbol)
                for r in pub["data"] if r[0] == market.id]

    def parse_book_frame(self, pub: dict, market: Market) -> BookFrame:
        d = pub["data"]
        coin = self._coin_id(market)
        side = lambda rows: [(dec(r["price"]), dec(r[f"{coin}_volume"]))  # noqa: E731
                             for r in rows or ()]
        return BookFrame(True, side(d.get("bid")), side(d.get("ask")), seq=int(pub["offset"])
                         if pub.get("offset") is not None else None)
