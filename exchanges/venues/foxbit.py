"""Foxbit: its own REST API v3 and websocket v3 (since it left BlinkTrade/AlphaPoint).

Docs: https://docs.foxbit.com.br/rest/v3/ and https://docs.foxbit.com.br/ws/v3/ (a Redoc site
whose pages could not be read here). Facts come from Foxbit's official samples,
https://github.com/foxbit-group/foxbit-api-samples ("(samples)": `rest-v3/python/example.py`,
`websocket-v3/javascript/manage-local-orderbook/index.mjs`), and from ccxt's foxbit.ts, which
quotes the docs' error table and reply examples ("(ccxt)"). Anything else says unconfirmed.

Signing (samples, example.py `sign`): hex HMAC-SHA256(secret, timestamp + METHOD + path +
query + body), the query DECODED (raw values, no percent-encoding) though the URL carries it
encoded, the body the exact JSON sent; headers X-FB-ACCESS-KEY, X-FB-ACCESS-TIMESTAMP (ms),
X-FB-ACCESS-SIGNATURE.
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import unquote

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST, PUT, Pages
from ..core.auth import Hmac, iso_timestamp
from ..core.book import BookFrame
from ..numbers import dec, levels, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Foxbit"]

# Order states (ccxt's recorded replies show ACTIVE, FILLED, CANCELED; the partial ones are
# the dossier's reading of the docs, unconfirmed).
_STATES = {"ACTIVE": "open", "PARTIALLY_FILLED": "open", "PENDING_CANCEL": "open",
           "FILLED": "closed", "CANCELED": "canceled", "PARTIALLY_CANCELED": "canceled"}
_BOOK = "orderbook-250"     # orderbook-{interval ms}: 100, 250, 500 or 1000 (samples)


def _ms(text: str | None) -> int | None:
    return int(datetime.fromisoformat(text).timestamp() * 1000) if text else None


def _prehash(f: dict) -> str:
    return f"{f['stamp']}{f['method']}{f['path']}{unquote(f['query'])}{f['body']}"


def _pages(**kw):
    return Pages("page", 100, size_param="page_size", **kw)


class Foxbit(Exchange):
    id = "foxbit"
    name = "Foxbit"
    docs = ("https://docs.foxbit.com.br/rest/v3/", "https://docs.foxbit.com.br/ws/v3/")
    hosts = {"rest": "https://api.foxbit.com.br", "ws": "wss://api.foxbit.com.br/ws/v3/public"}
    # Per-endpoint limits (ccxt, from the docs): orders 30 / 2 s; the tightest public one,
    # candles and trades, 5 / 2 s, is the public bucket.
    limits = {"public": (5, 2.0), "private": (15, 1.0), "orders": (30, 2.0)}
    timeframes = {t: t for t in ("1m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "12h",
                                 "1d", "1w", "2w", "1M")}
    auth = Hmac(prehash=_prehash, headers={"X-FB-ACCESS-KEY": "{key}",
                                           "X-FB-ACCESS-TIMESTAMP": "{stamp}",
                                           "X-FB-ACCESS-SIGNATURE": "{signature}"})
    api = {
        "markets": GET("/rest/v3/markets", rows="data"),
        "tickers": GET("/rest/v3/markets/ticker/24hr", rows="data"),
        "ticker": GET("/rest/v3/markets/{market}/ticker/24hr", rows="data",
                      params=lambda m: {"market": m.id}),
        # depth up to 100 (ccxt's fetchOrderBook note); 20 when not asked, as ccxt sends.
        "order_book": GET("/rest/v3/markets/{market}/orderbook", cap=100,
                          params=lambda m, limit: {"market": m.id, "depth": limit or 20}),
        # Rows [open time ms, open, high, low, close, close time, base volume, …] (ccxt's
        # recorded reply); the largest `limit` is not stated (500 assumed: unconfirmed).
        "ohlcv": GET("/rest/v3/markets/{market}/candlesticks", cap=500,
                     params=lambda m, tf, since, limit: {
                         "market": m.id, "interval": tf, "limit": limit,
                         "start_time": iso_timestamp(since) if since is not None else None}),
        "trades": GET("/rest/v3/markets/{market}/trades/history", rows="data", cap=200,
                      params=lambda m, limit: {"market": m.id, "page_size": limit}),
        "balance": GET("/rest/v3/accounts", signed=True, rows="data"),
        "create_order": POST("/rest/v3/orders", signed=True, params=lambda m, side, type,
                             amount, price, cid, options: {
            "market_symbol": m.id, "side": side.upper(), "type": type.upper(),
            "quantity": amount, "price": price, "client_order_id": cid,
            "post_only": True if options.get("post_only") else None,
            "time_in_force": options.get("time_in_force")}),
        # {"type": "ID", "id": …} (ccxt's recorded request; also CLIENT_ORDER_ID, MARKET, ALL)
        "cancel_order": PUT("/rest/v3/orders/cancel", signed=True,
                            params=lambda m, oid: {"type": "ID", "id": int(oid)}),
        "order": GET("/rest/v3/orders/by-order-id/{id}", signed=True,
                     params=lambda m, oid: {"id": oid}),
        # Page numbering by `page` from 1 with `page_size` up to 100 (the dossier; ccxt sends
        # page_size only: unconfirmed).
        "open_orders": GET("/rest/v3/orders", signed=True, rows="data", paging=_pages(),
                           params=lambda m: {"state": "ACTIVE",
                                             "market_symbol": m.id if m else None}),
        "closed_orders": GET("/rest/v3/orders", signed=True, rows="data", paging=_pages(),
                             params=lambda m: {"market_symbol": m.id if m else None}),
        "my_trades": GET("/rest/v3/trades", signed=True, rows="data", cap=100,
                         params=lambda m, since, limit: {
                             "market_symbol": m.id if m else None, "page_size": limit,
                             "start_time": iso_timestamp(since) if since else None}),
    }
    order_options = frozenset({"post_only", "time_in_force"})
    # The create reply is {"id", "sn"}: the order's state is read after.
    create_returns_state = False
    # {"error": {"code", "message", "details"}} (ccxt, citing docs "API-Codes/Errors").
    errors = {"400": E.ExchangeError, "404": E.ExchangeError, "429": E.RateLimitExceeded,
              "2001": E.AuthenticationError, "2002": E.AuthenticationError,
              "2003": E.AuthenticationError, "2004": E.AuthenticationError,
              "2005": E.PermissionDenied, "3001": E.PermissionDenied,
              "3002": E.PermissionDenied, "3003": E.PermissionDenied,
              "4001": E.InvalidOrder, "4002": E.InsufficientFunds, "4003": E.InvalidOrder,
              "4004": E.BadSymbol, "4005": E.InvalidOrder, "4008": E.InvalidOrder,
              "4011": E.InvalidOrder, "5001": E.ExchangeNotAvailable,
              "5002": E.ExchangeNotAvailable, "5003": E.ExchangeNotAvailable,
              "5004": E.InvalidOrder, "5005": E.InvalidOrder, "5006": E.InvalidOrder}
    # 400 and 404 are catch-alls: the message decides ("Resource not found" for an order).
    generic_error_codes = frozenset({"400", "404"})
    error_messages = {"not found": E.OrderNotFound}
    # Websocket v3 (samples): `orderbook-{ms}` with snapshot=true sends a snapshot
    # (sequence_id), then updates covering first_sequence_id..last_sequence_id with absolute
    # sizes; an update whose first id is not the last one + 1 means resubscribe. No checksum.
    channels = {"ticker": "ticker", "trades": "trades", "book": _BOOK}
    book_snapshot, book_sequence = "ws", "range"

    def error_code(self, reply):
        d = reply.payload
        if isinstance(d, dict) and isinstance(d.get("error"), dict):
            return str(d["error"].get("code", "")), str(d["error"].get("message", ""))
        return None

    def stream_ping(self):
        # An application ping every 20 s, else idle sockets close (samples, index.mjs).
        return {"type": "message", "params": [{"channel": "ping"}]}

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, r: dict, key=None) -> Market:
        base, quote = self.currency(r["base"]["symbol"]), self.currency(r["quote"]["symbol"])
        return Market(f"{base}/{quote}", r["symbol"], base, quote, dec(r["price_increment"]),
                      dec(r["quantity_increment"]), opt_dec(r.get("quantity_min")), None, True)

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(t["market_symbol"])
        if market is None:
            return None
        day, last, best = t.get("rolling_24h") or {}, t["last_trade"], t.get("best") or {}
        return Ticker(market.symbol, _ms(last.get("date")),
                      opt_dec((best.get("bid") or {}).get("price")),
                      opt_dec((best.get("ask") or {}).get("price")), dec(last["price"]),
                      opt_dec(day.get("high")), opt_dec(day.get("low")), opt_dec(day.get("open")),
                      opt_dec(day.get("volume")), None)

    @staticmethod
    def parse_order_book(r: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, levels(r["bids"]), levels(r["asks"]),
                         int(r["timestamp"]) if r.get("timestamp") else None,
                         int(r["sequence_id"]) if r.get("sequence_id") else None)

    @staticmethod
    def parse_candle(c: list) -> Candle:
        return Candle(int(c[0]), dec(c[1]), dec(c[2]), dec(c[3]), dec(c[4]), dec(c[6]))

    @staticmethod
    def parse_trade(r: dict, market: Market) -> Trade:
        # taker_side: the taker's side, by its name.
        return Trade(str(r["id"]), _ms(r["created_at"]), str(r["taker_side"]).lower(),
                     dec(r["price"]), dec(r["volume"]), market.symbol)

    def parse_balance(self, rows: list) -> dict[str, Balance]:
        return {self.currency(r["currency_symbol"]): Balance(
            dec(r["balance_available"]), dec(r["balance_locked"]), dec(r["balance"]))
            for r in rows}

    def parse_placed(self, reply, market):
        return str(reply["id"]) if isinstance(reply, dict) and reply.get("id") else None

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = self.by_id(o["market_symbol"]) if o.get("market_symbol") else market
        if market is None:
            return None
        done = dec(o.get("quantity_executed") or 0)
        # A filled market order may report quantity "0.0" (ccxt's recorded closed order):
        # then what it executed is its amount.
        amount = dec(o.get("quantity") or 0) or done
        kind = "limit" if o["type"] in ("LIMIT", "STOP_LIMIT") else "market"
        return Order(str(o["id"]), o.get("client_order_id"), market.symbol,
                     str(o["side"]).lower(), kind,
                     opt_dec(o.get("price")) if kind == "limit" else None, amount, done,
                     amount - done, _STATES.get(o["state"], "open"), _ms(o.get("created_at")))

    def parse_my_trade(self, r: dict, market: Market | None) -> Trade | None:
        market = self.by_id(r["market_symbol"]) or market
        if market is None:
            return None
        # ccxt reads neither order_id nor role (its recorded parse has both null); the reply
        # carries them, so we keep them.
        return Trade(str(r["id"]), _ms(r["created_at"]), str(r["side"]).lower(),
                     dec(r["price"]), dec(r["quantity"]), market.symbol, str(r["order_id"]),
                     None, opt_dec(r.get("fee")),
                     self.currency(r["fee_currency_symbol"]) if r.get("fee_currency_symbol")
                     else None, str(r.get("role", "")).lower() or None)

    # -- streams -----------------------------------------------------------------------------
    def ws_subscribe(self, channel, args, subscribe):
        keys = [f"{channel}:{a}" for a in args]
        self._last_ws = keys
        snap = {"snapshot": True} if channel == _BOOK and subscribe else {}
        return {"type": "subscribe" if subscribe else "unsubscribe",
                "params": [{"channel": channel, "market_symbol": a, **snap} for a in args]}

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        params, event = msg.get("params"), msg.get("event")
        if event == "error":
            # The docs (per the dossier) say an invalid subscription closes the socket (1008);
            # an error frame before it is what we read here (its shape unconfirmed).
            return self.refused(getattr(self, "_last_ws", ()), str(msg.get("data")))
        if isinstance(params, dict) and event in ("snapshot", "update") and "data" in msg:
            return f"{params.get('channel')}:{params.get('market_symbol')}", msg
        return None         # success acks, pong

    def parse_ws_ticker(self, msg: dict, market: Market) -> Ticker:
        # The ticker channel's data is taken to be the REST ticker row (unconfirmed).
        return self.parse_ticker(msg["data"], market)

    def parse_ws_trades(self, msg: dict, market: Market) -> list[Trade]:
        # The trades channel's rows are taken to be the REST history rows (unconfirmed).
        rows = msg["data"]
        return [self.parse_trade(r, market) for r in (rows if isinstance(rows, list) else [rows])]

    def parse_book_frame(self, msg: dict, market: Market) -> BookFrame:
        d = msg["data"]
        if msg["event"] == "snapshot":
            return BookFrame(True, levels(d["bids"]), levels(d["asks"]),
                             seq=int(d["sequence_id"]))
        return BookFrame(False, levels(d["bids"]), levels(d["asks"]),
                         seq=int(d["last_sequence_id"]), first=int(d["first_sequence_id"]),
                         timestamp=int(d["ts"]) if d.get("ts") else None)
