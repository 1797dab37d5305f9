"""Kraken spot: REST https://api.kraken.com/0 and WebSocket v2 wss://ws.kraken.com/v2.

Docs: https://docs.kraken.com/api/ (spot REST, spot-rest-auth, websocket-v2, spot-ws-book-v2).
Quirks handled here: legacy asset codes (XXBT, ZUSD, XXDG) and pair keys (XXBTZUSD); errors as
strings in `error: []` with HTTP 200; nonces strictly increasing per key; the v2 book's CRC32
checksum over the top 10 levels computed from the digits exactly as sent.
"""
from __future__ import annotations

import asyncio
import zlib
from datetime import datetime, timezone
from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.book import BookFeed, OutOfSync
from ..core.nonce import nonce_for
from ..core.signing import b64decode, hmac_b64, sha256
from ..numbers import dec, levels, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade
from ..core.transport import Reply, Request

__all__ = ["Kraken", "book_checksum"]

_BOOK_DEPTHS = (10, 25, 100, 500, 1000)        # the v2 book channel's allowed depths
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ORDER_STATUS = {"pending": "open", "open": "open", "closed": "closed",
                 "canceled": "canceled", "expired": "canceled"}


def _ms(seconds) -> int:
    """Kraken's epoch seconds (a number or string, with a fraction) → integer milliseconds."""
    return int(dec(seconds) * 1000)


def _iso_ms(text: str) -> int:
    """RFC 3339 (as the v2 websocket sends it, e.g. 2023-09-25T07:49:37.708706Z) → ms."""
    delta = datetime.fromisoformat(text.replace("Z", "+00:00")) - _EPOCH   # exact, no float
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def _checksum_digits(value) -> str:
    """A price or qty as sent, without the '.' and without leading zeros (Kraken's rule)."""
    text = value if isinstance(value, str) else format(dec(value), "f")
    return text.replace(".", "").lstrip("0")


def book_checksum(asks, bids) -> int:
    """CRC32 of the top 10 asks (low→high) then top 10 bids (high→low), each price+qty."""
    text = "".join(_checksum_digits(p) + _checksum_digits(q) for p, q in list(asks)[:10])
    text += "".join(_checksum_digits(p) + _checksum_digits(q) for p, q in list(bids)[:10])
    return zlib.crc32(text.encode()) & 0xFFFFFFFF


class Kraken(Exchange):
    id = "kraken"
    name = "Kraken"
    hosts = {"rest": "https://api.kraken.com", "ws": "wss://ws.kraken.com/v2"}
    # The REST call counter of a Starter key: at most 15, decaying by 0.33 a second.
    rate_limit = (15, 45.0)
    ws_heartbeat = 15.0       # the v2 socket sends a heartbeat frame about once a second
    timeframes = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "1h": 60, "4h": 240, "1d": 1440,
                  "1w": 10080, "2w": 21600}
    # Kraken's legacy X/Z-prefixed asset codes; newer assets use plain codes.
    currency_overrides = {
        "XXBT": "BTC", "XETH": "ETH", "XETC": "ETC", "XLTC": "LTC",
        "XXRP": "XRP", "XXLM": "XLM", "XXMR": "XMR", "XZEC": "ZEC", "XREP": "REP",
        "XMLN": "MLN", "XXDG": "DOGE", "ZUSD": "USD", "ZEUR": "EUR", "ZGBP": "GBP",
        "ZCAD": "CAD", "ZJPY": "JPY", "ZAUD": "AUD", "ZCHF": "CHF",
    }
    # One table: the documented error strings (category:message) → our errors.
    errors = {
        "EAPI:Invalid key": E.AuthenticationError,
        "EAPI:Invalid signature": E.AuthenticationError,
        "EAPI:Invalid nonce": E.AuthenticationError,
        "EGeneral:Permission denied": E.PermissionDenied,
        "EAPI:Feature disabled": E.PermissionDenied,
        "EOrder:Trading agreement required": E.PermissionDenied,
        "EOrder:Insufficient funds": E.InsufficientFunds,
        "EFunding:Insufficient funds": E.InsufficientFunds,
        "EOrder:Order minimum not met": E.InvalidOrder,
        "EOrder:Cost minimum not met": E.InvalidOrder,
        "EOrder:Tick size check failed": E.InvalidOrder,
        "EOrder:Invalid order": E.InvalidOrder,
        "EOrder:Invalid price": E.InvalidOrder,
        "EOrder:Orders limit exceeded": E.InvalidOrder,
        "EOrder:Positions limit exceeded": E.InvalidOrder,
        "EOrder:Post only order": E.InvalidOrder,
        "EGeneral:Invalid arguments": E.InvalidOrder,
        "EOrder:Unknown order": E.OrderNotFound,
        "EQuery:Unknown asset pair": E.BadSymbol,
        "EQuery:Unknown asset": E.BadSymbol,
        "EGeneral:Unknown method": E.NotSupported,
        "EAPI:Rate limit exceeded": E.RateLimitExceeded,
        "EOrder:Rate limit exceeded": E.RateLimitExceeded,
        "EGeneral:Too many requests": E.RateLimitExceeded,
        "EGeneral:Temporary lockout": E.RateLimitExceeded,
        "EService:Unavailable": E.ExchangeNotAvailable,
        "EService:Busy": E.ExchangeNotAvailable,
        "EService:Market in cancel_only mode": E.ExchangeNotAvailable,
        "EService:Market in post_only mode": E.ExchangeNotAvailable,
        "EGeneral:Internal error": E.ExchangeNotAvailable,
        "EService:Deadline elapsed": E.RequestTimeout,
    }
    error_messages = {"unknown order": E.OrderNotFound, "rate limit": E.RateLimitExceeded,
                      "insufficient funds": E.InsufficientFunds}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # Pluggable; by default the last nonce per key survives restarts (core.nonce).
        self.nonce_source = nonce_for(self.id, self.credentials and self.credentials.api_key,
                                      self.clock)
        self._by_altname: dict[str, Market] = {}
        self._private_lock = asyncio.Lock()

    # -- auth and errors ---------------------------------------------------------------------
    def sign(self, request: Request) -> Request:
        """API-Sign = base64(HMAC-SHA512(b64decode(secret), path + SHA256(nonce + body)))."""
        creds = self.require_credentials()
        try:
            key = b64decode(creds.secret)
        except ValueError as exc:
            raise E.AuthenticationError(self.id, str(exc)) from None
        nonce = str(self.nonce_source())
        body = f"nonce={nonce}" + (f"&{request.query}" if request.query else "")
        request.query = None        # private calls carry everything in the form body
        request.body = body
        request.headers.update({
            "API-Key": creds.api_key,
            "API-Sign": hmac_b64(key, request.path.encode() + sha256(nonce + body), "sha512"),
            "Content-Type": "application/x-www-form-urlencoded"})
        return request

    def error_code(self, reply: Reply) -> tuple[str, str] | None:
        payload = reply.payload
        if not isinstance(payload, dict):
            return None
        found = [e for e in payload.get("error") or () if isinstance(e, str) and
                 e.startswith("E")]       # entries starting with "W" are warnings
        if not found:
            return None
        text = found[0]
        category, _, rest = text.partition(":")
        code = f"{category}:{rest.partition(':')[0]}" if rest else text   # drop ":volume" etc.
        return code, text

    async def _public(self, method: str, params=None):
        return (await self.request("GET", f"/0/public/{method}", params,
                                   endpoint=f"public/{method}"))["result"]

    async def _private(self, method: str, params=None):
        # One private call at a time: Kraken refuses a nonce below one it has already seen, so
        # concurrent calls must also *arrive* in nonce order, not just be signed in it.
        async with self._private_lock:
            reply = await self.request("POST", f"/0/private/{method}", params, signed=True,
                                       endpoint=f"private/{method}")
        return reply["result"]

    # -- markets -----------------------------------------------------------------------------
    async def _fetch_markets(self) -> list[Market]:
        pairs = await self._public("AssetPairs")
        markets, by_alt = [], {}
        for key, p in pairs.items():
            if key.endswith(".d"):        # legacy dark-pool books: not order-book markets
                continue
            base, quote = self.currency(p["base"]), self.currency(p["quote"])
            tick = opt_dec(p.get("tick_size")) or Decimal(1).scaleb(-int(p["pair_decimals"]))
            m = Market(f"{base}/{quote}", key, base, quote, tick,
                       Decimal(1).scaleb(-int(p["lot_decimals"])),
                       opt_dec(p.get("ordermin")), opt_dec(p.get("costmin")),
                       p.get("status", "online") == "online")
            markets.append(m)
            by_alt[p.get("altname", key)] = m
        self._by_altname = by_alt
        return markets

    def _market_of(self, pair: str) -> Market:
        """A market by its pair key (XXBTZUSD) or altname (XBTUSD), as replies name it."""
        m = self.markets_by_id.get(pair) or self._by_altname.get(pair)
        if m is None:
            raise KeyError(f"unknown pair {pair}")
        return m

    @staticmethod
    def _only_pair(result: dict):
        """The one pair's data in a public reply keyed by pair (besides "last")."""
        return next(v for k, v in result.items() if k != "last")

    # -- market data -------------------------------------------------------------------------
    async def fetch_tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]:
        await self.load_markets()
        params = None
        if symbols:
            params = {"pair": ",".join([(await self.market(s)).id for s in symbols])}
        result = await self._public("Ticker", params)
        out = {}
        for key, t in result.items():
            m = self.markets_by_id.get(key) or self._by_altname.get(key)
            if m is not None and (not symbols or m.symbol in symbols):
                out[m.symbol] = self._ticker(m, t)
        return out

    def _ticker(self, m: Market, t: dict) -> Ticker:
        volume, vwap = dec(t["v"][1]), dec(t["p"][1])
        return Ticker(m.symbol, None, bid=dec(t["b"][0]), ask=dec(t["a"][0]),
                      last=dec(t["c"][0]), high=dec(t["h"][1]), low=dec(t["l"][1]),
                      open=opt_dec(t.get("o")), base_volume=volume, quote_volume=volume * vwap)

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        m = await self.market(symbol)
        book = self._only_pair(await self._public("Depth", {"pair": m.id, "count": limit}))
        return OrderBook(symbol, self._depth_side(book["bids"]), self._depth_side(book["asks"]),
                         self.clock(), None)

    @staticmethod
    def _depth_side(rows: list) -> list[tuple[Decimal, Decimal]]:
        """[[price, volume, timestamp], ...] best first, as Depth sends them."""
        return levels(rows)

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1h", since: int | None = None,
                          limit: int | None = None) -> list[Candle]:
        m = await self.market(symbol)
        params = {"pair": m.id, "interval": self.timeframe(timeframe),
                  "since": since // 1000 if since is not None else None}
        candles = [self._candle(r) for r in self._only_pair(await self._public("OHLC", params))]
        return candles[-limit:] if limit else candles

    @staticmethod
    def _candle(r: list) -> Candle:
        """[time, open, high, low, close, vwap, volume, count]; replies are oldest first."""
        return Candle(int(r[0]) * 1000, dec(r[1]), dec(r[2]), dec(r[3]), dec(r[4]), dec(r[6]))

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        m = await self.market(symbol)
        rows = self._only_pair(await self._public("Trades", {"pair": m.id, "count": limit}))
        return [self._trade(r, symbol) for r in rows]

    @staticmethod
    def _trade(r: list, symbol: str) -> Trade:
        """[price, volume, time, "b"/"s", "m"/"l", misc, trade_id]; replies are oldest first."""
        return Trade(str(r[6]), _ms(r[2]), "buy" if r[3] == "b" else "sell", dec(r[0]),
                     dec(r[1]), symbol)

    # -- account -----------------------------------------------------------------------------
    async def fetch_balance(self) -> dict[str, Balance]:
        result = await self._private("BalanceEx")
        out = {}
        for code, row in result.items():
            if "." in code:     # staked / earn / bonded variants (.S .F .M .B .P): not spot
                continue
            total, used = dec(row["balance"]), dec(row.get("hold_trade") or 0)
            out[self.currency(code)] = Balance(total - used, used, total)
        return out

    # -- orders ------------------------------------------------------------------------------
    async def _place_order(self, market: Market, side: str, type: str, amount: Decimal,
                           price: Decimal | None, client_order_id: str) -> Order:
        params = [("pair", market.id), ("type", side), ("ordertype", type),
                  ("volume", amount), ("price", price), ("cl_ord_id", client_order_id)]
        result = await self._private("AddOrder", params)
        return Order(result["txid"][0], client_order_id, market.symbol, side, type, price,
                     amount, Decimal(0), amount, "open", self.clock())

    async def cancel_order(self, order_id: str, symbol: str) -> Order:
        await self.market(symbol)
        await self._private("CancelOrder", {"txid": order_id})
        order = await self.fetch_order(order_id, symbol)
        if order.status == "open":      # the cancel is accepted; the book may lag a moment
            order.status = "canceled"
        return order

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        await self.market(symbol)
        result = await self._private("QueryOrders", {"txid": order_id})
        if order_id not in result:
            raise E.OrderNotFound(self.id, f"no order {order_id}", endpoint="private/QueryOrders")
        return self._order(order_id, result[order_id])

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        await self.load_markets()
        if symbol is not None:
            await self.market(symbol)
        result = await self._private("OpenOrders")
        orders = [self._order(txid, row) for txid, row in result["open"].items()]
        return [o for o in orders if symbol is None or o.symbol == symbol]

    async def find_order_by_client_id(self, market: Market, client_order_id: str
                                      ) -> Order | None:
        """Kraken filters OpenOrders and ClosedOrders by cl_ord_id directly."""
        for method, key in (("OpenOrders", "open"), ("ClosedOrders", "closed")):
            result = await self._private(method, {"cl_ord_id": client_order_id})
            for txid, row in result[key].items():
                if row.get("cl_ord_id") == client_order_id:
                    return self._order(txid, row)
        return None

    def _order(self, txid: str, row: dict) -> Order:
        d = row["descr"]
        amount, filled = dec(row["vol"]), dec(row["vol_exec"])
        # Conditional kinds fold into the contract's two: "stop-loss-limit" rests at price2.
        kind = "limit" if d["ordertype"].endswith("limit") else "market"
        price = opt_dec(d.get("price" if d["ordertype"] == "limit" else "price2"))
        price = price if kind == "limit" else None
        average = opt_dec(row.get("price"))
        return Order(txid, row.get("cl_ord_id"), self._market_of(d["pair"]).symbol, d["type"],
                     kind, price, amount, filled, amount - filled,
                     _ORDER_STATUS.get(row["status"], "open"), _ms(row["opentm"]),
                     average=average if average else None, fee=opt_dec(row.get("fee")))

    # -- websocket v2 ------------------------------------------------------------------------
    def stream_route(self, msg: object):
        if not isinstance(msg, dict):
            return None
        channel = msg.get("channel")
        if channel in ("ticker", "trade", "book") and msg.get("data"):
            return f"{channel}:{msg['data'][0]['symbol']}"
        if msg.get("method") == "subscribe" and msg.get("success") is False:
            raise E.ExchangeError(self.id, f"subscription refused: {msg.get('error')}")
        return None         # heartbeat, status, subscribe acks, pong

    def stream_ping(self) -> object:
        return {"method": "ping"}

    @staticmethod
    def _ws_messages(channel: str, symbol: str, **params) -> tuple[str, dict, dict]:
        body = {"channel": channel, "symbol": [symbol], **params}
        return (f"{channel}:{symbol}", {"method": "subscribe", "params": body},
                {"method": "unsubscribe", "params": body})

    def _ticker_stream(self, market: Market):
        key, sub, unsub = self._ws_messages("ticker", market.symbol)

        def parse(msg):
            t = msg["data"][0]
            volume, vwap, last = dec(t["volume"]), dec(t["vwap"]), dec(t["last"])
            change = opt_dec(t.get("change"))
            stamp = t.get("timestamp")
            return Ticker(market.symbol, _iso_ms(stamp) if stamp else None,
                          bid=dec(t["bid"]), ask=dec(t["ask"]), last=last,
                          high=dec(t["high"]), low=dec(t["low"]),
                          open=last - change if change is not None else None,
                          base_volume=volume, quote_volume=volume * vwap)
        return key, sub, unsub, parse

    def _trades_stream(self, market: Market):
        # snapshot=false: only trades from now on, not the last 50 again on every resubscribe
        key, sub, unsub = self._ws_messages("trade", market.symbol, snapshot=False)

        def parse(msg):
            return [Trade(str(t["trade_id"]), _iso_ms(t["timestamp"]), t["side"],
                          dec(t["price"]), dec(t["qty"]), market.symbol) for t in msg["data"]]
        return key, sub, unsub, parse

    def _book_feed(self, market: Market, limit: int | None) -> BookFeed:
        depth = next((d for d in _BOOK_DEPTHS if d >= (limit or 10)), _BOOK_DEPTHS[-1])
        return KrakenBookFeed(self, market, depth, limit)


class KrakenBookFeed(BookFeed):
    """The v2 `book` channel: a snapshot then updates, each with the top-10 CRC32 checksum.

    There are no sequence numbers: the checksum is the only integrity check. Levels that fall
    below the subscribed depth get no delete, so the book is truncated after every update.
    """

    def __init__(self, venue: Kraken, market: Market, depth: int, limit: int | None) -> None:
        super().__init__(market.symbol, limit)
        self.depth = depth
        self.key, self.subscribe, self.unsubscribe = venue._ws_messages(
            "book", market.symbol, depth=depth)
        self._synced = False

    def reset(self) -> None:
        super().reset()
        self._synced = False

    def apply(self, msg: object) -> bool:
        kind = msg["type"]
        data = msg["data"][0]
        if kind == "snapshot":
            self.book.reset(self._levels(data.get("bids")), self._levels(data.get("asks")))
            self._synced = True
        elif not self._synced:
            return False        # an update of the previous subscription, before the snapshot
        else:
            for price, qty in self._levels(data.get("bids")):
                self.book.set_bid(price, qty)
            for price, qty in self._levels(data.get("asks")):
                self.book.set_ask(price, qty)
        self.book.truncate(self.depth)
        if data.get("timestamp"):
            self.book.timestamp = _iso_ms(data["timestamp"])
        expected = int(data["checksum"])
        got = book_checksum(self.book.top_asks(10), self.book.top_bids(10))
        if got != expected:
            raise OutOfSync(f"checksum {got} != {expected}")
        return True

    @staticmethod
    def _levels(rows) -> list[tuple[Decimal, Decimal]]:
        return [(dec(r["price"]), dec(r["qty"])) for r in rows or ()]
