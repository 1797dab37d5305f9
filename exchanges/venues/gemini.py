"""Gemini: REST v1 (with v2 candles) and the market data v2 websocket.

Docs: https://docs.gemini.com/ (now also served as https://developer.gemini.com/). Private
calls are POSTs whose JSON payload (`request` path, `nonce`, parameters) travels base64-encoded
in X-GEMINI-PAYLOAD, signed by X-GEMINI-SIGNATURE = hex(HMAC-SHA384(base64 payload, secret)),
with an empty body (https://docs.gemini.com/websocket/overview/requests/private-api,
https://developer.gemini.com/authentication/api-key). The nonce is our clock in ms, strictly
increasing per key ("We recommend using a timestamp at millisecond or higher precision"); a key
provisioned with "time based nonce" wants seconds instead: not supported here.

Streams: market data v2 (wss://api.gemini.com/v2/marketdata), one `l2` subscription per symbol
carrying the book (first `l2_updates` frame = the whole book, with the last 50 trades; later ones
= changed levels, quantity absolute) and `trade` frames
(https://docs.gemini.com/websocket/market-data/v2/level-2-data). The docs now mark v2 "archived"
in favour of the new WebSocket API (https://developer.gemini.com/websocket/archived/v2); v2 is
kept because its frames are fully documented, the new API's snapshot frame is not readable in
the copy we could consult. v2 carries no sequence numbers and no checksum: a lost frame cannot
be seen; a reconnect resubscribes and so rebuilds the book from a fresh snapshot.
"""
from __future__ import annotations

import base64
import dataclasses
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST
from ..core.auth import json_compact
from ..core.book import BookFrame, BookSync
from ..core.signing import hmac_hex
from ..core.stream import StreamLimits, Topic
from ..core.transport import Request, Reply
from ..numbers import dec, opt_dec, round_to
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Gemini", "payload_signature"]

# "The API doesn't directly support market orders ... use the "immediate-or-cancel" order
# execution option, coupled with an aggressive limit price"; IOC limits "more than 5% through
# the order book would only be filled for a quantity up to 5% away from the mid price"
# (https://docs.gemini.com/rest/orders; support.gemini.com "What price controls ...").
_MARKET_COLLAR = Decimal("0.05")
_OPTIONS = {"post_only": "maker-or-cancel", "IOC": "immediate-or-cancel", "FOK": "fill-or-kill"}
_ACTIVE = {"open", "post_only", "limit_only"}    # symbol details `status` (closed, cancel_only)


def payload_signature(secret: str, payload_b64: str) -> str:
    """X-GEMINI-SIGNATURE: hex HMAC-SHA384 of the base64 payload string, keyed by the secret."""
    return hmac_hex(secret, payload_b64, "sha384")


class Gemini(Exchange):
    id = "gemini"
    name = "Gemini"
    docs = ("https://docs.gemini.com/", "https://developer.gemini.com/")
    hosts = {"rest": "https://api.gemini.com", "ws": "wss://api.gemini.com/v2/marketdata"}
    # Public 120 requests a minute, private 600; a "burst" of five more is queued, beyond that
    # 429 (https://docs.gemini.com/rate-limit). Orders share the private group.
    limits = {"public": (5, 2.5), "private": (5, 0.5)}
    timeframes = {"1m": "1m", "5m": "5m", "15m": "15m", "30m": "30m", "1h": "1hr",
                  "6h": "6hr", "1d": "1day"}
    order_options = frozenset({"post_only", "time_in_force"})
    cancel_returns_order = True     # /v1/order/cancel answers with the order (is_cancelled)
    api = {
        "markets": GET("/v1/symbols"),
        "symbol_details": GET("/v1/symbols/details/{symbol}"),
        # Every pair's last price and 24 h change only (bid/ask: the per-symbol ticker).
        "tickers": GET("/v1/pricefeed"),
        "ticker": GET("/v1/pubticker/{symbol}", params=lambda m: {"symbol": m.id}),
        "order_book": GET("/v1/book/{symbol}", params=lambda m, limit: {
            "symbol": m.id, "limit_bids": limit, "limit_asks": limit}),
        "ohlcv": GET("/v2/candles/{symbol}/{time_frame}", params=lambda m, tf, since, limit: {
            "symbol": m.id, "time_frame": tf}),
        # "Each request will show at most 500 records" (default 50).
        "trades": GET("/v1/trades/{symbol}", cap=500, params=lambda m, limit: {
            "symbol": m.id, "limit_trades": limit}),
        "balance": POST("/v1/balances", signed=True),
        "create_order": POST("/v1/order/new", signed=True),
        "cancel_order": POST("/v1/order/cancel", signed=True,
                             params=lambda m, oid: {"order_id": int(oid)}),
        "order": POST("/v1/order/status", signed=True,
                      params=lambda m, oid: {"order_id": int(oid)}),
        # With client_order_id the reply is a list of the orders carrying it, in any state
        # (a list, as kobens-gemini's getStatusByClientOrderId reads it: the current docs'
        # request-body table was not readable here).
        "order_by_client_id": POST("/v1/order/status", signed=True,
                                   params=lambda m, cid: {"client_order_id": cid}),
        "open_orders": POST("/v1/orders", signed=True),     # every active order, no paging
        "my_trades": POST("/v1/mytrades", signed=True, cap=500),
    }
    # https://docs.gemini.com/error-codes: {"result": "error", "reason": ..., "message": ...}
    errors = {
        **dict.fromkeys(("InvalidSignature", "InvalidApiKey", "InvalidNonce", "NoSSL",
                         "MissingApikeyHeader", "MissingPayloadHeader",
                         "MissingSignatureHeader"), E.AuthenticationError),
        **dict.fromkeys(("InvalidPrice", "InvalidQuantity", "InvalidSide", "InvalidOrderType",
                         "ClientOrderIdTooLong", "ClientOrderIdMustBeString",
                         "ConflictingOptions", "UnsupportedOption", "OptionsMustBeArray",
                         "MissingOrderField", "MarketNotOpen", "AuctionNotOpen",
                         "IneligibleTiming"), E.InvalidOrder),
        **dict.fromkeys(("Maintenance", "System"), E.ExchangeNotAvailable),
        "MissingRole": E.PermissionDenied, "InsufficientFunds": E.InsufficientFunds,
        "InvalidSymbol": E.BadSymbol, "OrderNotFound": E.OrderNotFound,
        "RateLimit": E.RateLimitExceeded, "NoValidTradingPairs": E.BadSymbol,
    }
    channels = {"book": "l2", "trades": "l2"}
    stream_limits = StreamLimits(batch=20)
    ws_heartbeat = 60.0     # v2 heartbeat frames exist (ccxt handles them); interval unconfirmed
    book_snapshot = "ws"
    _subscribing: tuple[str, ...] = ()     # topics of the latest subscribe message (per adapter)

    # -- signing and errors ------------------------------------------------------------------
    def sign(self, request: Request) -> Request:
        creds = self.require_credentials()
        data = dict(request.data.items() if hasattr(request.data, "items")
                    else request.data or ())
        payload = {"request": request.path, "nonce": int(self.stamp("nonce")),
                   **{k: v for k, v in data.items() if v is not None}}
        b64 = base64.b64encode(json_compact(payload).encode()).decode()
        request.data, request.body = None, None
        request.headers.update({"Content-Type": "text/plain", "Cache-Control": "no-cache",
                                "X-GEMINI-APIKEY": creds.api_key, "X-GEMINI-PAYLOAD": b64,
                                "X-GEMINI-SIGNATURE": payload_signature(creds.secret, b64)})
        return request

    def error_code(self, reply: Reply):
        p = reply.payload
        if isinstance(p, dict) and p.get("result") == "error":
            return str(p.get("reason") or ""), str(p.get("message") or p.get("reason") or "")
        return None

    # -- markets -----------------------------------------------------------------------------
    async def _fetch_markets(self) -> list[Market]:
        """/v1/symbols, then each one's details (increments, minimum): one request a symbol,
        paced by the public limit. Ids ending in "perp" are perpetual swaps: skipped."""
        out = []
        for sid in await self.call("markets"):
            if not str(sid).lower().endswith("perp"):
                m = self.parse_market(await self.call("symbol_details", params={"symbol": sid}))
                if m is not None:
                    out.append(m)
        return out

    def parse_market(self, d: dict, key=None) -> Market | None:
        if d.get("product_type", "spot") != "spot":
            return None
        base, quote = self.currency(d["base_currency"]), self.currency(d["quote_currency"])
        # tick_size is the amount's increment, quote_increment the price's (their names).
        return Market(f"{base}/{quote}", d["symbol"].lower(), base, quote,
                      dec(d["quote_increment"]), dec(d["tick_size"]),
                      opt_dec(d.get("min_order_size")), None, d.get("status") in _ACTIVE)

    # -- public parsers ----------------------------------------------------------------------
    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        if market is None:              # /v1/pricefeed: {"pair", "price", "percentChange24h"}
            market = self.by_id(str(t["pair"]).lower())
            return market and Ticker(market.symbol, None, last=dec(t["price"]))
        vol = t.get("volume") or {}
        ids = {k.upper(): v for k, v in vol.items()}
        return Ticker(market.symbol, int(vol["timestamp"]) if "timestamp" in vol else None,
                      opt_dec(t.get("bid")), opt_dec(t.get("ask")), opt_dec(t.get("last")),
                      base_volume=opt_dec(ids.get(market.base)),
                      quote_volume=opt_dec(ids.get(market.quote)))

    def parse_order_book(self, reply: dict, market: Market) -> OrderBook:
        side = lambda rows: [(dec(r["price"]), dec(r["amount"])) for r in rows]  # noqa: E731
        return OrderBook(market.symbol, side(reply["bids"]), side(reply["asks"]))

    @staticmethod
    def parse_candle(r: list) -> Candle:
        """[time ms, open, high, low, close, volume] as JSON numbers, newest first."""
        return Candle(int(r[0]), dec(r[1]), dec(r[2]), dec(r[3]), dec(r[4]), dec(r[5]))

    @staticmethod
    def parse_trade(t: dict, market: Market) -> Trade:
        # `type` is the taker's side ("buy": an incoming buy took an ask); auction and block
        # trades have none. The v2 stream says so in words: "Side of the taker in the trade".
        side = t.get("type") if t.get("type") in ("buy", "sell") else None
        return Trade(str(t["tid"]), int(t["timestampms"]), side, dec(t["price"]),
                     dec(t["amount"]), market.symbol)

    # -- private parsers ---------------------------------------------------------------------
    def parse_balance(self, rows: list) -> dict[str, Balance]:
        out = {}
        for b in rows:
            total, free = dec(b["amount"]), dec(b["available"])
            out[self.currency(b["currency"])] = Balance(free, total - free, total)
        return out

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(str(o["symbol"]).lower())
        if market is None:
            return None
        status = ("canceled" if o["is_cancelled"] else "open" if o["is_live"] else "closed")
        kind = "market" if str(o["type"]).startswith("market") else "limit"
        filled = dec(o.get("executed_amount") or 0)
        amount = opt_dec(o.get("original_amount")) or filled   # absent on market buys
        avg = opt_dec(o.get("avg_execution_price"))
        return Order(str(o["order_id"]), o.get("client_order_id") or None, market.symbol,
                     o["side"], kind, opt_dec(o.get("price")) if kind == "limit" else None,
                     amount, filled, amount - filled if status == "open" else Decimal(0),
                     status, int(o["timestampms"]), average=avg or None)

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade:
        return Trade(str(t["tid"]), int(t["timestampms"]), str(t["type"]).lower(),
                     dec(t["price"]), dec(t["amount"]), market.symbol,
                     order_id=str(t["order_id"]), client_order_id=t.get("client_order_id"),
                     fee=opt_dec(t.get("fee_amount")),
                     fee_currency=self.currency(t["fee_currency"]) if t.get("fee_currency")
                     else None, taker_or_maker="taker" if t.get("aggressor") else "maker")

    def my_trades_params(self, m, since, limit):
        if m is None:
            raise E.NotSupported(self.id, "Gemini lists the account's trades one symbol at a "
                                          "time; give a symbol")
        return {"symbol": m.id, "limit_trades": limit,
                "timestamp": since // 1000 if since is not None else None}

    # -- orders ------------------------------------------------------------------------------
    def create_order_params(self, m, side, type, amount, price, cid, options):
        if options.get("post_only") and options.get("time_in_force", "GTC") != "GTC":
            raise E.InvalidOrder(self.id, "Gemini takes one execution option per order")
        opt = _OPTIONS.get("post_only" if options.get("post_only")
                           else options.get("time_in_force", "GTC"))
        return {"client_order_id": cid, "symbol": m.id, "amount": amount, "price": price,
                "side": side, "type": "exchange limit", "options": [opt] if opt else None}

    async def _place_order(self, market, side, type, amount, price, client_order_id,
                           **options) -> Order:
        if type == "market":    # an IOC limit at the exchange's own 5 % collar
            t = await self.fetch_ticker(market.symbol)
            ref = t.ask if side == "buy" else t.bid
            if ref is None:
                raise E.InvalidOrder(self.id, f"the {market.symbol} book has no "
                                              f"{'asks' if side == 'buy' else 'bids'}")
            step, rnd = ((1 + _MARKET_COLLAR, ROUND_DOWN) if side == "buy"
                         else (1 - _MARKET_COLLAR, ROUND_UP))
            price = round_to(ref * step, market.price_increment, rnd)
            options = {**options, "time_in_force": "IOC"}
        return await super()._place_order(market, side, type, amount, price, client_order_id,
                                          **options)

    # -- streams -----------------------------------------------------------------------------
    def ws_topic(self, kind, market, depth=None) -> Topic:
        if kind not in self.channels:
            raise E.NotSupported(self.id, f"streaming {kind} is not supported")
        return Topic("l2", market.id.upper())       # one l2 subscription serves both

    def ws_subscribe(self, channel, args, subscribe):
        if subscribe:
            self._subscribing = tuple(f"{channel}:{a}" for a in args)
        return {"type": "subscribe" if subscribe else "unsubscribe",
                "subscriptions": [{"name": channel, "symbols": list(args)}]}

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        if msg.get("result") == "error":
            # Names no subscription (ccxt's recording: {"reason": "NoValidTradingPairs",
            # "result": "error"}): it answers the latest subscribe message.
            return self.refused(self._subscribing, str(msg.get("reason")), msg.get("reason"))
        if msg.get("type") in ("l2_updates", "trade"):
            return f"l2:{msg['symbol']}"
        return None     # heartbeat, subscription_ack, auction events

    def parse_book_frame(self, msg: dict, market: Market) -> BookFrame | None:
        if msg.get("type") != "l2_updates":
            return None
        bids = [(dec(p), dec(q)) for s, p, q in msg["changes"] if s == "buy"]
        asks = [(dec(p), dec(q)) for s, p, q in msg["changes"] if s == "sell"]
        # Only the subscription's first frame carries "trades" (the docs' "Initial JSON
        # response for l2 subscription"): that one is the whole book.
        return BookFrame("trades" in msg, bids, asks)

    def parse_ws_trades(self, msg: dict, market: Market) -> Trade | None:
        if msg.get("type") != "trade":
            return None     # the initial frame's last 50 trades are history: fetch_trades
        return Trade(str(msg.get("tid") or msg["event_id"]), int(msg["timestamp"]),
                     msg.get("side") or None, dec(msg["price"]), dec(msg["quantity"]),
                     market.symbol)

    async def watch_ticker(self, symbol: str):
        """v2 has no ticker feed: the REST ticker, then its bid/ask from the l2 book and its
        last price from the trades, both from the one l2 subscription."""
        market = await self.market(symbol)
        ticker = await self.fetch_ticker(symbol)
        yield ticker
        book = BookSync(market.symbol)
        async for msg in self._each([self.ws_topic("book", market)], lambda k, m: m):
            if msg.get("type") == "trade":
                new = dataclasses.replace(ticker, last=dec(msg["price"]),
                                          timestamp=int(msg["timestamp"]))
            elif (frame := self.parse_book_frame(msg, market)) is not None:
                book.apply(frame)
                bid, ask = book.book.top_bids(1), book.book.top_asks(1)
                new = dataclasses.replace(ticker, bid=bid[0][0] if bid else None,
                                          ask=ask[0][0] if ask else None)
            else:
                continue
            if new != ticker and book.synced:
                ticker = new
                yield ticker
