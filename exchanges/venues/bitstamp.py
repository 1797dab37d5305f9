"""Bitstamp, HTTP API v2 and websocket API v2.

Docs: https://www.bitstamp.net/api/ and https://www.bitstamp.net/websocket/v2/
Every REST path ends in a slash. Private calls are POSTs with a form body, signed with the
X-Auth v2 headers. The websocket has no sequence numbers or checksums: the local book is a REST
snapshot plus `diff_order_book` frames newer than the snapshot's `microtimestamp`.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from urllib.parse import urlsplit

from .. import errors as E
from ..core.adapter import Exchange
from ..core.book import BookFeed, OutOfSync
from ..core.signing import hmac_hex, urlencode_params
from ..core.transport import Reply, Request
from ..numbers import dec, decimals_to_increment, levels, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Bitstamp"]

log = logging.getLogger("exchanges.bitstamp")

API = "/api/v2"
FORM = "application/x-www-form-urlencoded"
_SIDES = {"0": "buy", "1": "sell"}
_STATUSES = {"Open": "open", "In Queue": "open", "Cancel pending": "open",
             "Finished": "closed", "Canceled": "canceled", "Expired": "canceled"}


def _seconds(value) -> int:
    return int(value) * 1000


def _micros(value) -> int:
    return int(value) // 1000


def _datetime_ms(text: str) -> int:
    """Bitstamp's "2022-01-31 14:43:15[.123456]" (UTC) → ms."""
    moment = datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


class Bitstamp(Exchange):
    id = "bitstamp"
    name = "Bitstamp"
    hosts = {"rest": "https://www.bitstamp.net", "ws": "wss://ws.bitstamp.net"}
    # The documented default is 400 requests/s with 10 000 per 10 minutes; stay under the latter.
    rate_limit = (8000, 600.0)
    timeframes = {"1m": 60, "3m": 180, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600,
                  "2h": 7200, "4h": 14400, "6h": 21600, "12h": 43200, "1d": 86400,
                  "3d": 259200}
    errors = {
        "API0004": E.AuthenticationError,   # Invalid nonce (reused)
        "API0005": E.AuthenticationError,   # Invalid signature
        "API0011": E.AuthenticationError,   # Wrong API key format
        "API0017": E.AuthenticationError,   # X-Auth-Timestamp out of bounds (clock skew)
        "400.002": E.RateLimitExceeded,
    }
    error_messages = {
        "invalid signature": E.AuthenticationError,
        "invalid nonce": E.AuthenticationError,
        "api key not found": E.AuthenticationError,
        "wrong api key format": E.AuthenticationError,
        "authentication failed": E.AuthenticationError,
        "missing key, signature and nonce": E.AuthenticationError,
        "ip address not allowed": E.PermissionDenied,
        "no permission found": E.PermissionDenied,
        "your account is frozen": E.PermissionDenied,
        "fatca information": E.PermissionDenied,
        "trading is currently unavailable": E.PermissionDenied,
        "check your account balance": E.InsufficientFunds,
        "order not found": E.OrderNotFound,
        "minimum order size": E.InvalidOrder,
        "ensure that there are no more than": E.InvalidOrder,
        "price is more than": E.InvalidOrder,
        "invalid currency pair": E.BadSymbol,
        "rate limit": E.RateLimitExceeded,
        "under scheduled maintenance": E.ExchangeNotAvailable,
        "order could not be placed": E.ExchangeNotAvailable,
    }
    ws_heartbeat = 30.0
    _venue_base: dict[str, str] = {}

    # -- auth --------------------------------------------------------------------------------
    def sign(self, request: Request) -> Request:
        creds = self.require_credentials()
        host = urlsplit(self.urls[request.host]).netloc   # the Host header as sent
        query = f"?{request.query}" if request.query else ""
        body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        content_type = FORM if body else ""   # the header is sent (and signed) only with a body
        nonce = str(uuid.uuid4())             # the venue wants a random, never reused UUID
        timestamp = str(self.clock())
        auth = "BITSTAMP " + creds.api_key
        message = (auth + request.method + host + request.path + query + content_type + nonce
                   + timestamp + "v2" + body)
        request.headers.update({
            "X-Auth": auth, "X-Auth-Signature": hmac_hex(creds.secret, message),
            "X-Auth-Nonce": nonce, "X-Auth-Timestamp": timestamp, "X-Auth-Version": "v2"})
        if content_type:
            request.headers["Content-Type"] = content_type
        return request

    async def _private(self, path: str, fields: dict | None = None, *, idempotent=False):
        body = urlencode_params(fields) if fields else None
        return await self.request("POST", f"{API}/{path}", body=body, signed=True,
                                  idempotent=idempotent)

    def error_code(self, reply: Reply) -> tuple[str, str] | None:
        data = reply.payload
        if not isinstance(data, dict):
            return None
        if data.get("status") != "error" and "error" not in data:
            return None
        texts: list[str] = []
        for part in (data.get("error"), data.get("reason")):
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict):   # field errors: {"__all__": [...], "amount": [...]}
                for value in part.values():
                    texts.extend(v for v in (value if isinstance(value, list) else [value])
                                 if isinstance(v, str) and v)
        code = data.get("code") or data.get("response_code") or ""
        return str(code), " ".join(texts) or "the venue reported an error"

    # -- markets -----------------------------------------------------------------------------
    async def _fetch_markets(self) -> list[Market]:
        rows = await self.request("GET", f"{API}/markets/")
        spot = [r for r in rows if r.get("market_type", "SPOT") == "SPOT"]   # no perpetuals
        markets = [self._parse_market(r) for r in spot]
        self._venue_base = {m.symbol: r["base_currency"].lower() for m, r in zip(markets, spot)}
        return markets

    def _parse_market(self, r: dict) -> Market:
        base, quote = self.currency(r["base_currency"]), self.currency(r["counter_currency"])
        return Market(
            symbol=f"{base}/{quote}", id=r["market_symbol"], base=base, quote=quote,
            price_increment=decimals_to_increment(r["counter_decimals"]),
            amount_increment=decimals_to_increment(r["base_decimals"]),
            min_amount=opt_dec(r.get("minimum_order_amount")),
            min_cost=opt_dec(r.get("minimum_order_value")),
            active=r.get("trading") == "Enabled")

    def _symbol_of(self, pair: str) -> str:
        """A reply's "BTC/USD" (the venue's codes) → unified symbol."""
        base, _, quote = pair.partition("/")
        return f"{self.currency(base)}/{self.currency(quote)}"

    # -- public data -------------------------------------------------------------------------
    def _parse_ticker(self, t: dict, symbol: str) -> Ticker:
        volume, vwap = opt_dec(t.get("volume")), opt_dec(t.get("vwap"))
        return Ticker(
            symbol=symbol, timestamp=_seconds(t["timestamp"]), bid=opt_dec(t.get("bid")),
            ask=opt_dec(t.get("ask")), last=opt_dec(t.get("last")), high=opt_dec(t.get("high")),
            low=opt_dec(t.get("low")),
            # "open" is today's (UTC) open; "open_24" is 24 h ago, which the contract means.
            open=opt_dec(t.get("open_24", t.get("open"))), base_volume=volume,
            quote_volume=volume * vwap if volume is not None and vwap is not None else None)

    async def fetch_ticker(self, symbol: str) -> Ticker:
        market = await self.market(symbol)
        reply = await self.request("GET", f"{API}/ticker/{market.id}/")
        return self._parse_ticker(reply, market.symbol)

    async def fetch_tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]:
        await self.load_markets()
        wanted = set(symbols) if symbols is not None else None
        out = {}
        for t in await self.request("GET", f"{API}/ticker/"):
            symbol = self._symbol_of(t["pair"])
            if symbol in self.markets and (wanted is None or symbol in wanted):
                out[symbol] = self._parse_ticker(t, symbol)
        return out

    def _parse_book(self, reply: dict, symbol: str, limit: int | None = None) -> OrderBook:
        micro = int(reply["microtimestamp"])
        cut = slice(limit or None)     # the venue sends the whole book: convert only what is kept
        return OrderBook(symbol, levels(reply["bids"][cut]), levels(reply["asks"][cut]),
                         micro // 1000, micro)

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        market = await self.market(symbol)
        reply = await self.request("GET", f"{API}/order_book/{market.id}/")
        return self._parse_book(reply, market.symbol, limit)

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1h", since: int | None = None,
                          limit: int | None = None) -> list[Candle]:
        market = await self.market(symbol)
        params = {"step": self.timeframe(timeframe), "limit": min(limit or 1000, 1000)}
        if since is not None:
            params["start"] = since // 1000
        reply = await self.request("GET", f"{API}/ohlc/{market.id}/", params)
        candles = [Candle(_seconds(c["timestamp"]), dec(c["open"]), dec(c["high"]),
                          dec(c["low"]), dec(c["close"]), dec(c["volume"]))
                   for c in reply["data"]["ohlc"]]
        return sorted(candles, key=lambda c: c.timestamp)

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        market = await self.market(symbol)
        rows = await self.request("GET", f"{API}/transactions/{market.id}/", {"time": "hour"})
        trades = sorted((self._parse_trade(r, market.symbol) for r in rows),
                        key=lambda t: (t.timestamp, int(t.id)))   # the venue sends newest first
        return trades[-limit:] if limit else trades

    def _parse_trade(self, r: dict, symbol: str) -> Trade:
        return Trade(id=str(r["tid"]), timestamp=_seconds(r["date"]),
                     side=_SIDES.get(str(r["type"])), price=dec(r["price"]),
                     amount=dec(r["amount"]), symbol=symbol)

    # -- account and orders ------------------------------------------------------------------
    async def fetch_balance(self) -> dict[str, Balance]:
        rows = await self._private("account_balances/", idempotent=True)
        return {self.currency(r["currency"]): Balance(dec(r["available"]), dec(r["reserved"]),
                                                      dec(r["total"])) for r in rows}

    async def _place_order(self, market: Market, side: str, type: str, amount: Decimal,
                           price: Decimal | None, client_order_id: str) -> Order:
        fields = {"amount": amount}
        if type == "limit":
            fields["price"] = price
            path = f"{side}/{market.id}/"
        else:
            path = f"{side}/market/{market.id}/"
        fields["client_order_id"] = client_order_id
        r = await self._private(path, fields)
        # A market order fills at once (Bitstamp refuses what it cannot fill); a limit order rests.
        filled = amount if type == "market" else Decimal(0)
        return Order(
            id=str(r["id"]), client_order_id=r.get("client_order_id") or client_order_id,
            symbol=market.symbol, side=side, type=type, price=price, amount=amount,
            filled=filled, remaining=amount - filled,
            status="closed" if type == "market" else "open",
            timestamp=_datetime_ms(r["datetime"]) if r.get("datetime") else None,
            average=opt_dec(r.get("price")) if type == "market" else None)

    async def cancel_order(self, order_id: str, symbol: str) -> Order:
        market = await self.market(symbol)
        r = await self._private("cancel_order/", {"id": order_id})
        amount = dec(r["amount"])
        return Order(id=str(r["id"]), client_order_id=None, symbol=market.symbol,
                     side=_SIDES[str(r["type"])], type="limit", price=opt_dec(r.get("price")),
                     amount=amount, filled=Decimal(0), remaining=amount, status="canceled",
                     timestamp=None)

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        return await self._order_status(await self.market(symbol), {"id": order_id})

    async def find_order_by_client_id(self, market: Market, client_order_id: str
                                      ) -> Order | None:
        try:
            return await self._order_status(market, {"client_order_id": client_order_id})
        except E.OrderNotFound:
            return None

    async def _order_status(self, market: Market, fields: dict) -> Order:
        """order_status/ gives fills and what remains, but neither the limit price nor the
        original amount: for an order still open, its open_orders/ entry has both."""
        r = await self._private("order_status/", fields, idempotent=True)
        base = self._venue_base[market.symbol]   # fills are keyed by the venue's code: "btc"
        filled = cost = Decimal(0)
        for tx in r.get("transactions") or ():
            qty = dec(tx[base])
            filled += qty
            cost += qty * dec(tx["price"])
        remaining = dec(r["amount_remaining"])
        status = _STATUSES[r["status"]]
        order = Order(
            id=str(r["id"]), client_order_id=r.get("client_order_id") or None,
            symbol=market.symbol, side=_SIDES.get(str(r.get("type"))), type="limit",
            price=None, amount=filled + remaining, filled=filled, remaining=remaining,
            status=status, timestamp=_datetime_ms(r["datetime"]) if r.get("datetime") else None,
            average=cost / filled if filled else None)
        if status == "open":
            resting = {o.id: o for o in await self.fetch_open_orders(market.symbol)}
            if order.id in resting:
                order.price, order.amount = resting[order.id].price, resting[order.id].amount
        return order

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        if symbol is not None:
            market = await self.market(symbol)
            rows = await self._private(f"open_orders/{market.id}/", idempotent=True)
        else:
            await self.load_markets()
            rows = await self._private("open_orders/all/", idempotent=True)
        return [self._parse_open_order(r) for r in rows]

    def _parse_open_order(self, r: dict) -> Order:
        remaining = dec(r["amount"])
        amount = opt_dec(r.get("amount_at_create")) or remaining
        return Order(
            id=str(r["id"]), client_order_id=r.get("client_order_id") or None,
            symbol=self._symbol_of(r.get("market") or r["currency_pair"]),
            side=_SIDES[str(r["type"])], type="limit", price=dec(r["price"]), amount=amount,
            filled=amount - remaining, remaining=remaining, status="open",
            timestamp=_datetime_ms(r["datetime"]))

    # -- websocket ---------------------------------------------------------------------------
    def stream_route(self, msg: object):
        event = msg.get("event")
        if event in ("trade", "data"):
            return msg["channel"]
        if event == "bts:request_reconnect":
            log.info("%s: the venue asked for a reconnect", self.id)
            self.hub().force_reconnect()
        elif event == "bts:error":
            log.warning("%s: stream error: %s", self.id, msg.get("data"))
        return None   # subscription_succeeded, heartbeat replies …

    def stream_ping(self) -> object:
        return {"event": "bts:heartbeat"}

    @staticmethod
    def _channel(name: str) -> tuple[dict, dict]:
        return ({"event": "bts:subscribe", "data": {"channel": name}},
                {"event": "bts:unsubscribe", "data": {"channel": name}})

    ticker_stream_partial = True       # last, high, low and volumes come from the REST ticker

    def _ticker_stream(self, market: Market):
        """Bitstamp streams no ticker: the top of the `order_book` channel gives bid and ask."""
        key = f"order_book_{market.id}"

        def parse(msg) -> Ticker:
            d = msg["data"]
            bids, asks = d["bids"], d["asks"]
            return Ticker(market.symbol, _micros(d["microtimestamp"]),
                          bid=dec(bids[0][0]) if bids else None,
                          ask=dec(asks[0][0]) if asks else None)
        return (key, *self._channel(key), parse)

    def _trades_stream(self, market: Market):
        key = f"live_trades_{market.id}"

        def parse(msg) -> Trade:
            d = msg["data"]
            return Trade(id=str(d["id"]), timestamp=_micros(d["microtimestamp"]),
                         side=_SIDES.get(str(d["type"])), price=dec(d["price_str"]),
                         amount=dec(d["amount_str"]), symbol=market.symbol)
        return (key, *self._channel(key), parse)

    def _book_feed(self, market: Market, limit: int | None) -> BookFeed:
        return _DiffBook(self, market, limit)


class _DiffBook(BookFeed):
    """REST snapshot + `diff_order_book` frames (absolute amounts, 0 deletes a level).

    Frames not newer than the snapshot's microtimestamp are already in it and are dropped. The
    venue sends no sequence number, so a missed frame shows only as a crossed book: that, or a
    frame older than the last one applied, triggers a fresh snapshot.
    """

    resync_by_resubscribe = False

    def __init__(self, exchange: Bitstamp, market: Market, limit: int | None) -> None:
        super().__init__(market.symbol, limit)
        self.exchange = exchange
        self.market = market
        self.key = f"diff_order_book_{market.id}"
        self.subscribe, self.unsubscribe = exchange._channel(self.key)
        self.snapshot_micro: int | None = None

    async def start(self) -> None:
        reply = await self.exchange.request("GET", f"{API}/order_book/{self.market.id}/")
        book = self.exchange._parse_book(reply, self.market.symbol)
        self.book.reset(book.bids, book.asks, book.nonce)
        self.book.timestamp = book.timestamp
        self.snapshot_micro = book.nonce

    def reset(self) -> None:
        super().reset()
        self.snapshot_micro = None

    def apply(self, msg: object) -> bool:
        d = msg["data"]
        micro = int(d["microtimestamp"])
        if self.snapshot_micro is None or micro <= self.snapshot_micro:
            return False   # before the snapshot (already in it), or no snapshot yet
        if self.book.nonce is not None and micro < self.book.nonce:
            raise OutOfSync(f"frame at {micro} is older than the last one ({self.book.nonce})")
        for price, amount in levels(d["bids"]):
            self.book.set_bid(price, amount)
        for price, amount in levels(d["asks"]):
            self.book.set_ask(price, amount)
        self.book.nonce, self.book.timestamp = micro, micro // 1000
        if self.book.crossed():
            raise OutOfSync("the book is crossed: an update was missed")
        return True
