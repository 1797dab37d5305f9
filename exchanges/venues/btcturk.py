"""BtcTurk | Kripto: public REST v2, private REST v1 and the market websocket.

Docs: https://docs.btcturk.com (Authentication V1, Public/Private Endpoints, Websocket Feed,
Errors); the older BTCTrader white-label docs https://github.com/BTCTrader/broker-api-docs.

Signing ("Authentication V1"): headers X-PCK (the public key), X-Stamp (now in ms; the FAQ
allows ±5 s against the server clock) and X-Signature = base64(HMAC-SHA256(base64-decoded
secret, public key + stamp)). Neither the path nor the body is signed.
"""
from __future__ import annotations

import uuid
from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import DELETE, GET, POST, Pages
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..core.stream import StreamLimits
from ..numbers import dec, decimals_to_increment, levels, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["BtcTurk"]

# Order statuses: "Untouched" and "Partial" are in the docs' examples; "Canceled" and
# "Closed" are ccxt's reading (unconfirmed in the docs).
_STATUSES = {"untouched": "open", "partial": "open", "canceled": "canceled",
             "cancelled": "canceled", "closed": "closed"}


def _open_rows(data: dict) -> list:
    """openOrders answers {"asks": [...], "bids": [...]}."""
    return [*(data.get("asks") or ()), *(data.get("bids") or ())]


def _candles(d: dict) -> list:
    """klines/history answers TradingView columns: {"s": "ok", "t", "o", "h", "l", "c", "v"}."""
    if d.get("s") == "no_data":
        return []
    return list(zip(d["t"], d["o"], d["h"], d["l"], d["c"], d["v"]))


class BtcTurk(Exchange):
    id = "btcturk"
    market_buy_in_quote = True         # a market buy names the quote to spend
    name = "BtcTurk"
    docs = ("https://docs.btcturk.com/", "https://github.com/BTCTrader/broker-api-docs")
    hosts = {"rest": "https://api.btcturk.com", "rest_graph": "https://graph-api.btcturk.com",
             "ws": "wss://ws-feed-pro.btcturk.com"}
    # docs.btcturk.com/rate-limits (per endpoint; the tightest shared ones kept): orders
    # 10/s, private GETs 30/s, public 600/min for tickers (orderbook 180/min).
    limits = {"public": (3, 1.0), "private": (30, 1.0), "orders": (10, 1.0)}
    auth = Hmac(prehash="{key}{stamp}", algo="sha256", digest="base64", secret="base64",
                stamp="ms", headers={"X-PCK": "{key}", "X-Stamp": "{stamp}",
                                     "X-Signature": "{signature}"})
    # klines/history resolutions in minutes, and 1D/1W as the TradingView channel names
    # them (docs "TradingView"); the REST kline page could not be read (unconfirmed).
    timeframes = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "1h": 60, "4h": 240, "1d": "1D",
                  "1w": "1W"}
    _TF_SECONDS = {1: 60, 5: 300, 15: 900, 30: 1800, 60: 3600, 240: 14400, "1D": 86400,
                   "1W": 604800}
    api = {
        "server_time": GET("/api/v2/server/time"),
        "markets": GET("/api/v2/server/exchangeinfo", rows="data.symbols"),
        "tickers": GET("/api/v2/ticker", rows="data"),
        "ticker": GET("/api/v2/ticker", rows="data", params=lambda m: {"pairSymbol": m.id}),
        "order_book": GET("/api/v2/orderbook", rows="data", cap=1000, params=lambda m, limit: {
            "pairSymbol": m.id, "limit": limit}),
        "ohlcv": GET("/v1/klines/history", host="rest_graph", rows=_candles),
        # `last`: at most 50 (README-pro.md "Trades").
        "trades": GET("/api/v2/trades", rows="data", cap=50, params=lambda m, limit: {
            "pairSymbol": m.id, "last": limit}),
        "balance": GET("/api/v1/users/balances", signed=True, rows="data"),
        "create_order": POST("/api/v1/order", signed=True, rows="data"),
        "cancel_order": DELETE("/api/v1/order", signed=True, params=lambda m, oid: {"id": oid}),
        "order": GET("/api/v1/order/{orderId}", signed=True, rows="data",
                     params=lambda m, oid: {"orderId": oid}),
        # "To access your open orders, you need to enter the pairSymbol parameter"; without
        # one it is sent bare, as ccxt does (whether that lists every pair is unconfirmed).
        "open_orders": GET("/api/v1/openOrders", signed=True, rows=lambda r: _open_rows(
            r["data"]), params=lambda m: {"pairSymbol": m.id} if m else {}),
        # Every status, `limit` up to 1000, numbered pages (their first number: unconfirmed).
        "closed_orders": GET("/api/v1/allOrders", signed=True, rows="data",
                             params=lambda m: {"pairSymbol": m.id},
                             paging=Pages("page", size=1000)),
        # Fills by currency (type=buy&type=sell&symbol=btc&symbol=try); the last 30 days.
        "my_trades": GET("/api/v1/users/transactions/trade", signed=True, rows="data",
                         params=lambda m, since, limit: [
                             ("type", "buy"), ("type", "sell"),
                             *([("symbol", m.base.lower()), ("symbol", m.quote.lower())]
                               if m else []), ("startDate", since)]),
    }
    create_returns_state = False
    # {"success": false, "message": …, "code": …}; the order errors are named in `message`
    # (docs "Errors": Expected Errors for Submit Order; cancel errors on "Cancel an Order").
    errors = {"1152": E.OrderNotFound}
    error_messages = {"balance_not_enough": E.InsufficientFunds,
                      "failed_order_with_open_orders": E.InsufficientFunds,
                      "failed_min_total_amount": E.InvalidOrder,
                      "failed_order_parameter": E.InvalidOrder,
                      "failed_market_order": E.InvalidOrder,
                      "order_min_price_exceeded": E.InvalidOrder,
                      "order_max_price_exceeded": E.InvalidOrder,
                      "price_must_be_less_than_maxprice": E.InvalidOrder,
                      "no_order_matches_your_request": E.OrderNotFound,
                      "order not found": E.OrderNotFound,
                      "order_could_not_be_canceled": E.InvalidOrder,
                      "too_many_requests": E.RateLimitExceeded,
                      "unauthorized": E.AuthenticationError,
                      "invalid signature": E.AuthenticationError}
    # Websocket (docs "Channel, Event and Model", "Models"): [151, {type 151, channel, event,
    # join}] subscribes; frames are [model, {...}]: 402 ticker of a pair, 421/422 trades,
    # 431 the whole order book ("orderbook" channel) in every frame. The "obdiff" channel
    # (431 then 432 differences with a change set) is not used: how CS counts and what
    # each CP value means is not documented.
    channels = {"ticker": "ticker", "trades": "trade", "book": "orderbook"}
    stream_limits = StreamLimits(batch=1)
    book_snapshot, book_sequence = "ws", None

    def error_code(self, reply):
        d = reply.payload
        if isinstance(d, dict) and d.get("success") is False:
            return str(d.get("code") or ""), str(d.get("message") or "")
        return None

    def parse_server_time(self, reply) -> int:
        return int(reply["serverTime"])

    def new_client_order_id(self) -> str:
        return str(uuid.uuid4())        # "GUID if user did not set" (Submit an Order)

    # -- request parameters --------------------------------------------------------------------
    def ohlcv_params(self, m, tf, since, limit):
        span = self._TF_SECONDS[tf] * (limit or 100)
        start = since // 1000 if since is not None else self.clock() // 1000 - span
        return {"symbol": m.id, "resolution": tf, "from": start, "to": start + span}

    def create_order_params(self, m, side, type, amount, price, cid, options):
        # A market buy's quantity is in the quote currency ("quantity for Market Buy Order:
        # TRY, USDT or BTC"); the core converts it (market_buy_in_quote).
        return {"quantity": options.get("quote_amount", amount), "price": price,
                "newOrderClientId": cid, "orderMethod": type, "orderType": side,
                "pairSymbol": m.id}


    # -- parsers -------------------------------------------------------------------------------
    def parse_market(self, s: dict, key=None) -> Market | None:
        base, quote = self.currency(s["numerator"]), self.currency(s["denominator"])
        price = next((f for f in s.get("filters") or () if f.get("filterType") ==
                      "PRICE_FILTER"), {})
        tick = opt_dec(price.get("tickSize"))
        return Market(f"{base}/{quote}", s["name"], base, quote,
                      tick if tick else decimals_to_increment(int(s["denominatorScale"])),
                      decimals_to_increment(int(s["numeratorScale"])),
                      opt_dec(price.get("minAmount")), opt_dec(price.get("minExchangeValue")),
                      str(s.get("status", "")).upper() == "TRADING")

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(t.get("pair"))
        if market is None:
            return None
        return Ticker(market.symbol, t.get("timestamp"), opt_dec(t.get("bid")),
                      opt_dec(t.get("ask")), dec(t["last"]), opt_dec(t.get("high")),
                      opt_dec(t.get("low")), opt_dec(t.get("open")) or None,
                      opt_dec(t.get("volume")), None)

    @staticmethod
    def parse_order_book(r: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, levels(r["bids"]), levels(r["asks"]),
                         int(r["timestamp"]) if r.get("timestamp") else None, None)

    @staticmethod
    def parse_candle(c) -> Candle:
        return Candle(int(c[0]) * 1000, *(dec(x) for x in c[1:6]))

    @staticmethod
    def parse_trade(t: dict, market: Market) -> Trade:
        # The REST trades carry no side (README-pro.md "Trades"); the stream's `S` does.
        side = {"buy": "buy", "sell": "sell"}.get(str(t.get("side", "")).lower())
        return Trade(str(t["tid"]), int(t["date"]), side, dec(t["price"]), dec(t["amount"]),
                     market.symbol)

    def parse_balance(self, rows: list) -> dict[str, Balance]:
        return {self.currency(b["asset"]): Balance(dec(b["free"]), dec(b["locked"]),
                                                   dec(b["balance"])) for b in rows}

    def parse_placed(self, r: dict, market: Market) -> str:
        return str(r["id"])

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(o.get("pairSymbol") or o.get("pairsymbol"))
        if market is None:
            return None
        status = _STATUSES.get(str(o.get("status", "")).lower(), "open")
        side, kind = str(o["type"]).lower(), str(o["method"]).lower()
        qty, price = dec(o["quantity"]), opt_dec(o.get("price"))
        left = opt_dec(o.get("leftAmount"))
        if kind == "market" and side == "buy":
            # The quantity is quote; the order's `price` is its first fill's ("Get Single
            # Order"): the base bought is exact only where one price filled it.
            qty, left = (qty / price if price else Decimal(0)), Decimal(0)
        if left is None:        # allOrders rows carry no leftAmount (its docs example)
            left = qty if status == "open" else Decimal(0)
        # A canceled row without leftAmount does not say what filled: counted 0 (unconfirmed).
        known = status != "canceled" or o.get("leftAmount") is not None
        filled = qty - left if known else Decimal(0)
        return Order(str(o["id"]), o.get("orderClientId") or None, market.symbol, side,
                     "market" if kind == "market" else "limit",
                     price if kind != "market" else None, qty, filled, left, status,
                     o.get("time") or o.get("updateTime") or None)

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade | None:
        market = market or self.by_id(f"{t['numeratorSymbol']}{t['denominatorSymbol']}")
        if market is None or (t["numeratorSymbol"], t["denominatorSymbol"]) != (
                market.base, market.quote):
            return None
        # amount is negative on sells, fee negative; tax is charged beside the fee. Whether
        # a fill was maker or taker is not said.
        return Trade(str(t["id"]), int(t["timestamp"]), str(t["orderType"]).lower(),
                     dec(t["price"]), abs(dec(t["amount"])), market.symbol,
                     str(t["orderId"]) if t.get("orderId") is not None else None,
                     t.get("orderClientId") or None, abs(dec(t.get("fee") or 0)), market.quote,
                     None)

    # -- streams -------------------------------------------------------------------------------
    def ws_subscribe(self, channel, args, subscribe):
        self._last_ws_keys = [f"{channel}:{a}" for a in args]
        return [[151, {"type": 151, "channel": channel, "event": a, "join": subscribe}]
                for a in args]

    def stream_route(self, msg):
        if not isinstance(msg, list) or len(msg) != 2 or not isinstance(msg[1], dict):
            return None
        model, body = msg
        if model == 100 and body.get("ok") is False:
            # The Result model names no subscription reliably: its message ("join|trade:
            # BTCTRY" on success) is used where it has one, else the last asked.
            text = str(body.get("message") or "")
            key = text.partition("|")[2]
            return self.refused([key] if ":" in key else getattr(self, "_last_ws_keys", []),
                                text, body.get("id"))
        if model in (402, 421, 422, 431) and "channel" in body:
            return f"{body['channel']}:{body['event']}", body
        return None

    def parse_ws_ticker(self, t: dict, market: Market) -> Ticker:
        return Ticker(market.symbol, None, opt_dec(t.get("B")), opt_dec(t.get("A")),
                      dec(t["LA"]), opt_dec(t.get("H")), opt_dec(t.get("L")),
                      opt_dec(t.get("O")), opt_dec(t.get("V")), None)

    def parse_ws_trades(self, body: dict, market: Market) -> list[Trade]:
        # S: 0 buy, 1 sell (BtcTurk.Net's models; whose side it is, the docs do not say).
        rows = body.get("items") if "items" in body else [body]
        return [Trade(str(r["I"]), int(r["D"]), "sell" if int(r.get("S", 0)) else "buy",
                      dec(r["P"]), dec(r["A"]), market.symbol) for r in rows or ()]

    def parse_book_frame(self, body: dict, market: Market) -> BookFrame:
        side = lambda rows: [(dec(r["P"]), dec(r["A"])) for r in rows or ()]  # noqa: E731
        return BookFrame(True, side(body.get("BO")), side(body.get("AO")),
                         seq=int(body["CS"]) if body.get("CS") is not None else None)
