"""HTX (formerly Huobi) spot: REST API v1 and the gzip-compressed market websocket.

Docs: https://www.htx.com/en-us/opend/newApiPages/ (the same pages as the older
https://huobiapi.github.io/docs/spot/v1/en/: "Authentication", "Reference data", "Market
data", "Account", "Trading", "Websocket market data", "Error codes"). Signed calls carry
Signature Version 2 in the query string: AccessKeyId, SignatureMethod=HmacSHA256,
SignatureVersion=2 and Timestamp (UTC, YYYY-MM-DDThh:mm:ss) with the call's own query
parameters, sorted by name and URL-encoded; Signature = base64 HMAC-SHA256 over
"METHOD\\nhost\\npath\\nsorted query". JSON bodies are not signed. Replies are
{"status": "ok", "data": …} or {"status": "error", "err-code", "err-msg"} (HTTP 200).

The book streams `market.$symbol.mbp.refresh.20`: every frame is the whole top 20 ("Market
By Price (refresh update)"), so no frame depends on another (no ids to check; a lost frame is
repaired by the next one). The incremental `mbp` feed needs a snapshot `req` on a second
endpoint (/feed); it is not used here.
"""
from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qsl, quote, urlencode

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST, After
from ..core.book import BookFrame
from ..core.stream import StreamLimits, Topic
from ..numbers import dec, decimals_to_increment, levels, loads, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["HTX"]

_STATUS = {"created": "open", "submitted": "open", "partial-filled": "open",
           "filled": "closed", "canceled": "canceled", "partial-canceled": "canceled",
           "canceling": "open"}


@dataclass(frozen=True)
class SignatureV2:
    """Signature Version 2: the signature rides in the query string ("Authentication")."""

    def sign(self, ex, request):
        creds = ex.require_credentials()
        items = parse_qsl(request.query or "", keep_blank_values=True) + [
            ("AccessKeyId", creds.api_key), ("SignatureMethod", "HmacSHA256"),
            ("SignatureVersion", "2"), ("Timestamp", ex.stamp("iso_s"))]
        query = urlencode(sorted(items), quote_via=quote, safe="")
        host = ex.request_fields(request)["host"].lower()
        text = f"{request.method}\n{host}\n{request.path}\n{query}"
        sig = base64.b64encode(hmac.new(creds.secret.encode(), text.encode(),
                                        hashlib.sha256).digest()).decode()
        request.query = f"{query}&Signature={quote(sig, safe='')}"
        return request


def _trade_rows(reply):
    """/market/history/trade: batches of trades, each batch's trades in "data"."""
    return [t for batch in reply["data"] for t in batch["data"]]


class HTX(Exchange):
    id = "htx"
    market_buy_in_quote = True         # a market buy names the quote to spend
    name = "HTX"
    docs = ("https://www.htx.com/en-us/opend/newApiPages/",
            "https://huobiapi.github.io/docs/spot/v1/en/")
    hosts = {"rest": "https://api.huobi.pro", "ws": "wss://api.huobi.pro/ws"}
    # "Rate Limiting Rule": market data 800 requests / s per IP across endpoints (not
    # confirmed on the current pages); private endpoints mostly 100 / 2 s per UID; order
    # placement 100 / 2 s per UID.
    limits = {"public": (100, 1.0), "private": (100, 2.0), "orders": (100, 2.0)}
    timeframes = {"1m": "1min", "5m": "5min", "15m": "15min", "30m": "30min", "1h": "60min",
                  "4h": "4hour", "1d": "1day", "1w": "1week", "1M": "1mon", "1y": "1year"}
    auth = SignatureV2()
    api = {
        "markets": GET("/v1/settings/common/market-symbols", rows="data"),
        "tickers": GET("/market/tickers", rows="data"),
        "order_book": GET("/market/depth", rows="tick", params=lambda m, limit: {
            "symbol": m.id, "type": "step0"}),
        # No time range: the latest `size` candles, newest first ("Get Klines").
        "ohlcv": GET("/market/history/kline", rows="data", cap=2000, params=lambda m, tf, since,
                     limit: {"symbol": m.id, "period": tf, "size": limit or 150}),
        "trades": GET("/market/history/trade", rows=_trade_rows, cap=2000,
                      params=lambda m, limit: {"symbol": m.id, "size": limit or 100}),
        "balance": GET("/v1/account/accounts/{account_id}/balance", signed=True, rows="data"),
        "create_order": POST("/v1/order/orders/place", signed=True, rows="data"),
        "cancel_order": POST("/v1/order/orders/{order_id}/submitcancel", signed=True,
                             params=lambda m, oid: {"order_id": oid}),
        "order": GET("/v1/order/orders/{order_id}", signed=True, rows="data",
                     params=lambda m, oid: {"order_id": oid}),
        # Orders by client id: open ones, and closed ones for 2 hours ("Get the Order Detail
        # of an Order (based on client order ID)"; the window is not confirmed on the new pages).
        "order_by_client_id": GET("/v1/order/orders/getClientOrder", signed=True, rows="data",
                                  params=lambda m, cid: {"clientOrderId": cid}),
        "open_orders": GET("/v1/order/openOrders", signed=True, rows="data",
                           params=lambda m: {"symbol": m.id if m else None, "direct": "next"},
                           paging=After("from", key=lambda o: o["id"], size=500,
                                        size_param="size")),
        "my_trades": GET("/v1/order/matchresults", signed=True, rows="data", cap=500,
                         params=lambda m, since, limit: {"symbol": m.id if m else None,
                                                         "start-time": since}),
    }
    create_returns_state = False    # the place reply is the order id alone
    errors = {
        "api-signature-not-valid": E.AuthenticationError,
        "api-signature-check-failed": E.AuthenticationError,
        "login-required": E.AuthenticationError, "invalid-access-key": E.AuthenticationError,
        "api-key-invalid": E.AuthenticationError,
        "account-frozen-balance-insufficient-error": E.InsufficientFunds,
        "insufficient-balance": E.InsufficientFunds,
        "order-limitorder-amount-min-error": E.InvalidOrder, "order-value-min-error": E.InvalidOrder,
        "order-orderprice-precision-error": E.InvalidOrder,
        "order-orderamount-precision-error": E.InvalidOrder, "invalid-amount": E.InvalidOrder,
        "order-orderstate-error": E.OrderNotFound, "order-queryorder-invalid": E.OrderNotFound,
        "base-record-invalid": E.OrderNotFound, "base-symbol-error": E.BadSymbol,
        "invalid-parameter": E.BadSymbol,
        "base-request-exceed-frequency-limit": E.RateLimitExceeded,
        "rate-too-many-requests": E.RateLimitExceeded,
        "base-system-error": E.ExchangeNotAvailable,
    }
    channels = {"ticker": "ticker", "trades": "trade.detail", "book": "mbp.refresh.20"}
    stream_limits = StreamLimits(batch=1, per_second=10)    # one `sub` per topic
    book_snapshot = "ws"

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._account_id: str | None = None

    def error_code(self, reply):
        p = reply.payload
        if isinstance(p, dict) and p.get("status") == "error":
            return str(p.get("err-code")), str(p.get("err-msg", ""))
        return None

    async def spot_account(self) -> str:
        """The id of the spot account (GET /v1/account/accounts), which balances and orders name."""
        if self._account_id is None:
            reply = await self.request("GET", "/v1/account/accounts", signed=True)
            self._account_id = next(str(a["id"]) for a in reply["data"] if a["type"] == "spot")
        return self._account_id

    def balance_params(self):
        return {"account_id": self._account_id}

    def create_order_params(self, m, side, type, amount, price, cid, options):
        # A market buy's amount is in the quote currency ("Place a New Order").
        return {"account-id": self._account_id, "symbol": m.id, "type": f"{side}-{type}",
                "amount": options.get("quote_amount", amount), "price": price,
                "client-order-id": cid, "source": "spot-api"}

    async def fetch_balance(self):
        self.require_credentials()
        await self.spot_account()
        return await super().fetch_balance()

    async def _place_order(self, market, side, type, amount, price, client_order_id, **options):
        await self.spot_account()
        return await super()._place_order(market, side, type, amount, price, client_order_id,
                                          **options)

    def parse_placed(self, reply, market):
        return str(reply)

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, s: dict, key=None) -> Market:
        base, quote = self.currency(s["bc"].upper()), self.currency(s["qc"].upper())
        return Market(f"{base}/{quote}", s["symbol"], base, quote,
                      decimals_to_increment(int(s["pp"])), decimals_to_increment(int(s["ap"])),
                      opt_dec(s.get("lominoa") or s.get("minoa")), opt_dec(s.get("minov")),
                      s.get("state") == "online")

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(t["symbol"])
        if market is None:
            return None
        return Ticker(market.symbol, None, opt_dec(t.get("bid")), opt_dec(t.get("ask")),
                      dec(t["close"]), opt_dec(t.get("high")), opt_dec(t.get("low")),
                      opt_dec(t.get("open")), opt_dec(t.get("amount")), opt_dec(t.get("vol")))

    def parse_order_book(self, tick: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, levels(tick["bids"]), levels(tick["asks"]),
                         int(tick["ts"]), int(tick["version"]))

    @staticmethod
    def parse_candle(k: dict) -> Candle:
        # amount: the base volume; vol: the quote volume
        return Candle(int(k["id"]) * 1000, dec(k["open"]), dec(k["high"]), dec(k["low"]),
                      dec(k["close"]), dec(k["amount"]))

    @staticmethod
    def parse_trade(t: dict, market: Market) -> Trade:
        # direction: "the direction of the taker trade" ("Get the Most Recent Trades")
        return Trade(str(t.get("trade-id", t.get("tradeId", t["id"]))), int(t["ts"]),
                     t["direction"], dec(t["price"]), dec(t["amount"]), market.symbol)

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade | None:
        market = market or self.by_id(t["symbol"])
        if market is None:
            return None
        return Trade(str(t["trade-id"]), int(t["created-at"]), t["type"].split("-")[0],
                     dec(t["price"]), dec(t["filled-amount"]), market.symbol,
                     order_id=str(t["order-id"]), fee=opt_dec(t.get("filled-fees")),
                     fee_currency=self.currency(t["fee-currency"].upper())
                     if t.get("fee-currency") else None, taker_or_maker=t.get("role"))

    def parse_balance(self, data: dict) -> dict[str, Balance]:
        out: dict[str, list[Decimal]] = {}
        for b in data["list"]:
            pair = out.setdefault(self.currency(b["currency"].upper()),
                                  [Decimal(0), Decimal(0)])
            pair[0 if b["type"] == "trade" else 1] += dec(b["balance"])
        return {c: Balance(f, u, f + u) for c, (f, u) in out.items()}

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(o["symbol"])
        if market is None:
            return None
        side, type_ = o["type"].split("-")[:2]
        type_ = "limit" if type_ in ("limit", "ioc") else type_
        filled = dec(o.get("filled-amount", o.get("field-amount", "0")))
        cash = opt_dec(o.get("filled-cash-amount", o.get("field-cash-amount")))
        amount = dec(o["amount"])
        status = _STATUS.get(o["state"], "open")
        if type_ == "market" and side == "buy":     # amount is quote: report the base bought
            amount = filled
        return Order(str(o["id"]), o.get("client-order-id") or None, market.symbol, side, type_,
                     dec(o["price"]) if type_ == "limit" else None, amount, filled,
                     amount - filled if status == "open" else Decimal(0) if type_ == "market"
                     else amount - filled, status, int(o["created-at"]),
                     average=cash / filled if cash and filled else None,
                     fee=opt_dec(o.get("filled-fees", o.get("field-fees"))))

    # -- streams -----------------------------------------------------------------------------
    def stream_decode(self, data):
        """Market frames are gzip-compressed binary JSON."""
        return loads(gzip.decompress(data) if isinstance(data, bytes) else data)

    def ws_topic(self, kind, market, depth=None) -> Topic:
        channel = self.channels.get(kind)
        if channel is None:
            raise E.NotSupported(self.id, f"streaming {kind} is not supported")
        return Topic(channel, market.id, f"market.{market.id}.{channel}")

    def ws_subscribe(self, channel, args, subscribe):
        topics = [f"market.{a}.{channel}" for a in args]
        return [{"sub" if subscribe else "unsub": t, "id": str(self.ws_request([t]))}
                for t in topics]

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        if "ping" in msg:       # the server pings every 5 s; two unanswered close the link
            asyncio.ensure_future(self.hub("ws").send({"pong": msg["ping"]}))
            return None
        if msg.get("status") == "error":
            rid = msg.get("id")
            return self.refused(self.ws_request_keys(int(rid) if str(rid).isdigit() else rid),
                                str(msg.get("err-msg", "")), msg.get("err-code"))
        if "ch" in msg and "tick" in msg:
            return msg["ch"], msg["tick"]
        return None

    def parse_ws_ticker(self, t: dict, market: Market) -> Ticker:
        return Ticker(market.symbol, None, opt_dec(t.get("bid")), opt_dec(t.get("ask")),
                      dec(t.get("lastPrice", t["close"])), opt_dec(t.get("high")),
                      opt_dec(t.get("low")), opt_dec(t.get("open")), opt_dec(t.get("amount")),
                      opt_dec(t.get("vol")))

    def parse_ws_trades(self, tick: dict, market: Market) -> list[Trade]:
        return [self.parse_trade(t, market) for t in tick["data"]]

    def parse_book_frame(self, tick: dict, market: Market) -> BookFrame:
        return BookFrame(True, levels(tick.get("bids") or []), levels(tick.get("asks") or []),
                         seq=int(tick["seqNum"]))
