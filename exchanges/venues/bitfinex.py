"""Bitfinex, API v2: public REST on api-pub, authenticated REST on api, websocket channels.

Quirks worth knowing (https://docs.bitfinex.com/docs):
- Replies are positional arrays; write calls answer with a notification
  `[MTS, TYPE, MSG_ID, null, DATA, CODE, STATUS, TEXT]`, failures with `["error", CODE, TEXT]`.
  Code 10001 covers many failures, so its text decides (`generic_error_codes`).
- Prices have 5 significant digits and at most 8 decimals, not a fixed tick: markets carry
  `price_significant_digits=5` with `price_increment=1e-8` (the finest grid), and the core's
  `Market.price_step(price)` gives the tick that applies at a price.
- Order amounts are signed (positive buys, negative sells); the client order id `cid` is an
  integer below 2^45, unique per UTC day.
- The websocket assigns a channel id per subscription; frames are `[chanId, …]`. Book
  checksums (flag 131072) and connection-wide sequence numbers (flag 65536) are switched on:
  a checksum mismatch resubscribes the book, a sequence gap reconnects (all channels resync).
"""
from __future__ import annotations

import json
import logging
import secrets
import zlib
from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.book import BookFeed, OutOfSync
from ..core.nonce import nonce_for
from ..core.signing import hmac_hex
from ..numbers import dec, opt_dec, wire
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Bitfinex", "book_checksum", "js_number"]

log = logging.getLogger("exchanges.bitfinex")

_PRICE_DIGITS = 5
_EIGHT_DECIMALS = Decimal("0.00000001")
_CID_LIMIT = 2 ** 45                  # cid is an int45
_FLAG_SEQ_ALL, _FLAG_CHECKSUM = 65536, 131072
_INFO_RECONNECT, _INFO_MAINTENANCE_END = 20051, 20061
_BOOK_LENGTHS = (1, 25, 100)          # REST book `len` values


def js_number(value: Decimal) -> str:
    """A number as JavaScript prints it (`String(n)`): what Bitfinex's checksum strings use.

    The venue sends JS-formatted numbers, so the Decimal holds the same shortest digits."""
    sign, digits, _ = value.as_tuple()
    if not any(digits):
        return "0"
    text = "".join(map(str, digits)).rstrip("0")
    k, n = len(text), value.adjusted() + 1           # digits; position of the decimal point
    if k <= n <= 21:
        body = text + "0" * (n - k)
    elif 0 < n <= 21:
        body = text[:n] + "." + text[n:]
    elif -6 < n <= 0:
        body = "0." + "0" * -n + text
    else:
        exp = n - 1
        body = (text[0] + ("." + text[1:] if k > 1 else "") + "e" + ("+" if exp > 0 else "-")
                + str(abs(exp)))
    return ("-" if sign else "") + body


def book_checksum(bids: list[tuple[Decimal, Decimal]], asks: list[tuple[Decimal, Decimal]]
                  ) -> int:
    """Signed CRC32 over the top 25 levels, interleaved bid, ask (ask amounts negative)."""
    parts: list[str] = []
    for i in range(25):
        if i < len(bids):
            parts += [js_number(bids[i][0]), js_number(bids[i][1])]
        if i < len(asks):
            parts += [js_number(asks[i][0]), js_number(-asks[i][1])]
    crc = zlib.crc32(":".join(parts).encode())
    return crc - (1 << 32) if crc >= 1 << 31 else crc


def _status(text: str) -> str:
    """ACTIVE / PARTIALLY FILLED @ … are on the book; EXECUTED @ … is done; anything else
    (CANCELED, POSTONLY CANCELED, INSUFFICIENT BALANCE …, RSN_DUST, RSN_PAUSE) left it unfilled."""
    head = text.upper()
    if head.startswith(("ACTIVE", "PARTIALLY FILLED")):
        return "open"
    if head.startswith("EXECUTED"):
        return "closed"
    return "canceled"


class Bitfinex(Exchange):
    id = "bitfinex"
    name = "Bitfinex"
    hosts = {"rest": "https://api-pub.bitfinex.com", "rest_auth": "https://api.bitfinex.com",
             "ws": "wss://api-pub.bitfinex.com/ws/2"}
    rate_limit = (90, 60.0)           # most endpoints: 90 requests a minute
    timeframes = {"1m": "1m", "5m": "5m", "15m": "15m", "30m": "30m", "1h": "1h", "3h": "3h",
                  "6h": "6h", "12h": "12h", "1d": "1D", "1w": "1W", "2w": "14D", "1M": "1M"}
    errors = {
        "10001": E.ExchangeError,             # generic: the text decides (see below)
        "10020": E.ExchangeError,             # request parameters: the text decides
        "10100": E.AuthenticationError,       # apikey: invalid / digest invalid
        "10114": E.AuthenticationError,       # nonce: small
        "11010": E.RateLimitExceeded,
        "ERR_RATE_LIMIT": E.RateLimitExceeded,
        "20060": E.ExchangeNotAvailable,      # maintenance
    }
    generic_error_codes = frozenset({"10001", "10020"})
    error_messages = {
        "not enough exchange balance": E.InsufficientFunds,
        "available balance is only": E.InsufficientFunds,
        "order not found": E.OrderNotFound,
        "symbol: invalid": E.BadSymbol,
        "nonce: small": E.AuthenticationError,
        "apikey: digest invalid": E.AuthenticationError,
        "apikey: invalid": E.AuthenticationError,
        "permission": E.PermissionDenied,
        "ratelimit": E.RateLimitExceeded,
        "minimum size": E.InvalidOrder,
        "invalid order": E.InvalidOrder,
        "amount: invalid": E.InvalidOrder,
        "price: invalid": E.InvalidOrder,
    }
    # Bitfinex's own short codes (https://api-pub.bitfinex.com/v2/conf/pub:map:currency:sym).
    currency_overrides = {
        "UST": "USDT", "UDC": "USDC", "DSH": "DASH", "IOT": "IOTA", "ALG": "ALGO",
        "MNA": "MANA", "QTM": "QTUM", "BCHN": "BCH", "ATO": "ATOM", "IOS": "IOST",
        "STJ": "STORJ", "WBT": "WBTC", "TSD": "TUSD", "EUT": "EURT", "CNH": "CNHT",
        "XCH": "XCHF", "DAT": "DATA", "YYW": "YOYOW", "QSH": "QASH", "AMP": "AMPL",
        "EUS": "EURS", "PAS": "PASS", "SNG": "SNGLS", "MIT": "MITH", "RBT": "RBTC",
    }
    ws_heartbeat = 30.0               # every channel sends a heartbeat each 15 s

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.nonce_source = nonce_for(self.id, self.credentials and self.credentials.api_key,
                                      self.clock, scale=1000)     # microseconds, persisted
        self._channels: dict[int, str] = {}          # chanId → subscription key
        self._chan_ids: dict[str, int] = {}          # subscription key → chanId
        self._last_seq: int | None = None
        self._sequenced = False                      # the venue confirmed SEQ_ALL
        self._seq_broken = False

    # -- markets -----------------------------------------------------------------------------
    async def _fetch_markets(self) -> list[Market]:
        pairs = await self.request("GET", "/v2/conf/pub:list:pair:exchange")
        info = await self.request("GET", "/v2/conf/pub:info:pair")
        minimums = {row[0]: row[1][3] for row in info[0]}
        markets = []
        for pair in pairs[0]:
            if ":" in pair:
                base, quote = pair.split(":")
            else:
                base, quote = pair[:3], pair[3:]
            base, quote = self.currency(base), self.currency(quote)
            markets.append(Market(
                f"{base}/{quote}", "t" + pair, base, quote, price_increment=_EIGHT_DECIMALS,
                amount_increment=_EIGHT_DECIMALS, min_amount=opt_dec(minimums.get(pair)),
                price_significant_digits=_PRICE_DIGITS))
        return markets

    def _market_of(self, venue_symbol: str) -> Market | None:
        return self.markets_by_id.get(venue_symbol)

    # -- public data -------------------------------------------------------------------------
    def _ticker(self, market: Market, row: list) -> Ticker:
        """`row` = [BID, BID_SIZE, ASK, ASK_SIZE, DAILY_CHANGE, DAILY_CHANGE_RELATIVE, LAST,
        VOLUME, HIGH, LOW] (the venue gives no timestamp and no quote volume)."""
        last, change = opt_dec(row[6]), opt_dec(row[4])
        return Ticker(market.symbol, None, bid=opt_dec(row[0]), ask=opt_dec(row[2]), last=last,
                      high=opt_dec(row[8]), low=opt_dec(row[9]),
                      open=last - change if last is not None and change is not None else None,
                      base_volume=opt_dec(row[7]))

    async def fetch_tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]:
        await self.load_markets()
        wanted = [await self.market(s) for s in symbols] if symbols else None
        ids = ",".join(m.id for m in wanted) if wanted else "ALL"
        rows = await self.request("GET", "/v2/tickers", {"symbols": ids})
        out = {}
        for row in rows:
            market = self._market_of(row[0])
            if market is not None:                 # skips funding tickers (fUSD …)
                out[market.symbol] = self._ticker(market, row[1:])
        return out

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        market = await self.market(symbol)
        length = next((n for n in _BOOK_LENGTHS if limit is not None and n >= limit), 100)
        rows = await self.request("GET", f"/v2/book/{market.id}/P0", {"len": length})
        bids, asks = [], []
        for price, _count, amount in (r[:3] for r in rows):
            amount = dec(amount)
            (bids if amount > 0 else asks).append((dec(price), abs(amount)))
        bids.sort(key=lambda level: -level[0])
        asks.sort(key=lambda level: level[0])
        return OrderBook(market.symbol, bids[:limit], asks[:limit], None, None)

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1h", since: int | None = None,
                          limit: int | None = None) -> list[Candle]:
        market = await self.market(symbol)
        tf = self.timeframe(timeframe)
        params: dict[str, object] = {"limit": limit}
        if since is not None:
            params.update(start=since, sort=1)     # oldest first from `since`
        rows = await self.request("GET", f"/v2/candles/trade:{tf}:{market.id}/hist", params)
        # [MTS, OPEN, CLOSE, HIGH, LOW, VOLUME]; newest first unless sort=1
        candles = [Candle(int(r[0]), dec(r[1]), dec(r[3]), dec(r[4]), dec(r[2]), dec(r[5]))
                   for r in rows]
        return sorted(candles, key=lambda c: c.timestamp)

    def _trade(self, market: Market, row: list) -> Trade:
        """[ID, MTS, AMOUNT, PRICE]; a negative amount is a sell."""
        amount = dec(row[2])
        return Trade(str(row[0]), int(row[1]), "buy" if amount > 0 else "sell", dec(row[3]),
                     abs(amount), market.symbol)

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        market = await self.market(symbol)
        rows = await self.request("GET", f"/v2/trades/{market.id}/hist", {"limit": limit},
                                  weight=6)        # this endpoint allows 15 a minute
        trades = [self._trade(market, r) for r in rows]
        return sorted(trades, key=lambda t: (t.timestamp, int(t.id)))

    # -- authentication and errors -----------------------------------------------------------
    def sign(self, request):
        creds = self.require_credentials()
        nonce = str(self.nonce_source())
        body = request.body or "{}"
        request.body = body
        signature = hmac_hex(creds.secret, f"/api{request.path}{nonce}{body}", "sha384")
        request.headers.update({"Content-Type": "application/json", "bfx-nonce": nonce,
                                "bfx-apikey": creds.api_key, "bfx-signature": signature})
        return request

    def error_code(self, reply):
        p = reply.payload
        if isinstance(p, list) and p and p[0] == "error":
            return str(p[1]) if len(p) > 1 else "", str(p[2]) if len(p) > 2 else ""
        if (isinstance(p, list) and len(p) >= 8 and isinstance(p[1], str)
                and p[6] in ("ERROR", "FAILURE")):
            return ("" if p[5] is None else str(p[5])), str(p[7] or "")
        if isinstance(p, dict) and "error" in p:
            return str(p["error"]), str(p.get("message") or p["error"])
        return None

    async def _private(self, path: str, body: dict | None = None, *, read: bool = True,
                       endpoint: str | None = None):
        text = json.dumps(body or {}, separators=(",", ":"))
        return await self.request("POST", path, body=text, host="rest_auth", signed=True,
                                  idempotent=read, endpoint=endpoint)

    # -- account -----------------------------------------------------------------------------
    async def fetch_balance(self) -> dict[str, Balance]:
        rows = await self._private("/v2/auth/r/wallets")
        out: dict[str, Balance] = {}
        for row in rows:   # [TYPE, CURRENCY, BALANCE, UNSETTLED_INTEREST, AVAILABLE, …]
            if row[0] != "exchange":               # margin and funding wallets are not spot
                continue
            total = dec(row[2])
            # AVAILABLE is null until the venue recomputes it; then all of it counts as free.
            free = opt_dec(row[4])
            free = total if free is None else free
            out[self.currency(row[1])] = Balance(free, total - free, total)
        return out

    # -- orders ------------------------------------------------------------------------------
    def new_client_order_id(self) -> str:
        """A random int45 (Bitfinex's cid), as a string."""
        return str(secrets.randbelow(_CID_LIMIT - 1) + 1)

    def _parse_order(self, row: list) -> Order | None:
        """[ID, GID, CID, SYMBOL, MTS_CREATE, MTS_UPDATE, AMOUNT (left, signed), AMOUNT_ORIG,
        TYPE, TYPE_PREV, MTS_TIF, _, FLAGS, STATUS, _, _, PRICE, PRICE_AVG, …]"""
        market = self._market_of(row[3])
        if market is None:
            return None                            # a derivatives order: not a spot market
        original, left = dec(row[7]), dec(row[6])
        kind = "market" if "MARKET" in row[8] else "limit"
        price = opt_dec(row[16])
        average = opt_dec(row[17])
        return Order(str(row[0]), None if row[2] is None else str(row[2]), market.symbol,
                     "buy" if original > 0 else "sell", kind,
                     price if kind == "limit" and price else None, abs(original),
                     abs(original) - abs(left), abs(left), _status(row[13] or ""),
                     None if row[4] is None else int(row[4]),
                     average=average if average else None)

    @staticmethod
    def _order_id(order_id: str) -> int:
        try:
            return int(order_id)
        except (TypeError, ValueError):
            raise E.OrderNotFound("bitfinex", f"{order_id!r} is not a Bitfinex order id "
                                              f"(they are numbers)") from None

    async def _place_order(self, market, side, type, amount, price, client_order_id):
        if not client_order_id.isdigit() or not 0 < int(client_order_id) < _CID_LIMIT:
            raise E.InvalidOrder(self.id, f"a Bitfinex client order id is a whole number "
                                          f"below 2^45, not {client_order_id!r}")
        body: dict[str, object] = {
            "type": "EXCHANGE LIMIT" if type == "limit" else "EXCHANGE MARKET",
            "symbol": market.id, "amount": wire(amount if side == "buy" else -amount)}
        if price is not None:
            body["price"] = wire(price)
        body["cid"] = int(client_order_id)
        reply = await self._private("/v2/auth/w/order/submit", body, read=False)
        order = self._parse_order(reply[4][0])
        if order is None:
            raise ValueError(f"the order came back for another symbol ({reply[4][0][3]})")
        return order

    async def cancel_order(self, order_id: str, symbol: str) -> Order:
        await self.market(symbol)
        reply = await self._private("/v2/auth/w/order/cancel", {"id": self._order_id(order_id)},
                                    read=False)
        order = self._parse_order(reply[4])
        if order is None:
            raise ValueError("the cancelled order is not a spot order")
        if order.status == "open":   # accepted for cancellation: the venue confirms it async
            order.status = "canceled"
        return order

    async def _orders(self, market: Market | None, body: dict | None = None, *,
                      history: bool = False) -> list[Order]:
        path = "/v2/auth/r/orders" + (f"/{market.id}" if market else "")
        rows = await self._private(path + ("/hist" if history else ""), body)
        return [o for o in map(self._parse_order, rows) if o is not None]

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        market = await self.market(symbol)
        body = {"id": [self._order_id(order_id)]}
        for history in (False, True):
            found = await self._orders(market, body, history=history)
            if found:
                return found[0]
        raise E.OrderNotFound(self.id, f"no order {order_id} on {symbol}")

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        market = await self.market(symbol) if symbol else None
        await self.load_markets()
        return await self._orders(market)

    async def find_order_by_client_id(self, market: Market, client_order_id: str
                                      ) -> Order | None:
        """Bitfinex has no lookup by cid on REST: look through open orders, then the recent
        history (a market order is already closed)."""
        for history in (False, True):
            body = {"limit": 100} if history else None
            for order in await self._orders(market, body, history=history):
                if order.client_order_id == client_order_id:
                    return order
        return None

    # -- websocket ---------------------------------------------------------------------------
    async def stream_open(self, ws) -> None:
        self._channels.clear()
        self._chan_ids.clear()
        self._last_seq, self._sequenced, self._seq_broken = None, False, False
        await ws.send_str(json.dumps({"event": "conf", "flags": _FLAG_SEQ_ALL | _FLAG_CHECKSUM}))

    def stream_route(self, msg):
        if isinstance(msg, dict):
            return self._route_event(msg)
        if not isinstance(msg, list) or len(msg) < 2 or self._seq_broken:
            return None
        key = self._channels.get(msg[0])
        if not self._sequence_ok(msg):
            return None
        if key is None or msg[1] == "hb":
            return None
        return key

    def _sequence_ok(self, msg: list) -> bool:
        """SEQ_ALL: the last element of every channel frame counts up across the connection."""
        seq = msg[-1]
        if not self._sequenced or not isinstance(seq, int) or isinstance(seq, bool):
            return True
        if self._last_seq is not None and seq != self._last_seq + 1:
            log.warning("%s: stream sequence jumped from %d to %d; reconnecting",
                        self.id, self._last_seq, seq)
            self._seq_broken = True
            self.hub().force_reconnect()
            return False
        self._last_seq = seq
        return True

    def _route_event(self, msg: dict):
        event = msg.get("event")
        if event == "subscribed":
            key = f"{msg['channel']}:{msg['symbol']}"
            self._channels[msg["chanId"]] = key
            self._chan_ids[key] = msg["chanId"]
        elif event == "conf" and msg.get("status") == "OK":
            self._sequenced = bool(int(msg.get("flags") or 0) & _FLAG_SEQ_ALL)
        elif event == "unsubscribed":
            self._channels.pop(msg.get("chanId"), None)
        elif event == "info" and msg.get("code") in (_INFO_RECONNECT, _INFO_MAINTENANCE_END):
            log.info("%s: the venue asked for a reconnect (%s)", self.id, msg.get("code"))
            self.hub().force_reconnect()
        elif event == "error" and msg.get("code") != 10301:      # 10301: already subscribed
            err = self.error_for(msg.get("code"), msg.get("msg") or "subscription failed",
                                 "websocket subscribe")
            if "symbol" in msg and "channel" in msg:
                return f"{msg['channel']}:{msg['symbol']}", err
            log.warning("%s", err)
        return None

    def _subscription(self, channel: str, market: Market, **extra):
        key = f"{channel}:{market.id}"
        subscribe = {"event": "subscribe", "channel": channel, "symbol": market.id, **extra}

        def unsubscribe():
            chan = self._chan_ids.pop(key, None)
            if chan is None:
                return None
            self._channels.pop(chan, None)         # its last frames are no longer ours
            return {"event": "unsubscribe", "chanId": chan}
        return key, subscribe, unsubscribe

    def _ticker_stream(self, market: Market):
        key, sub, unsub = self._subscription("ticker", market)

        def parse(msg):
            return self._ticker(market, msg[1]) if isinstance(msg[1], list) else None
        return key, sub, unsub, parse

    def _trades_stream(self, market: Market):
        key, sub, unsub = self._subscription("trades", market)

        def parse(msg):
            # The snapshot (history) is skipped; "te" is the execution, "tu" repeats it later.
            return self._trade(market, msg[2]) if msg[1] == "te" else None
        return key, sub, unsub, parse

    def _book_feed(self, market: Market, limit: int | None) -> BookFeed:
        return _BookFeed(self, market, limit)


class _BookFeed(BookFeed):
    """P0 book: snapshot `[chan, [[price, count, amount], …]]`, then `[chan, [price, count,
    amount]]` (count 0 deletes; amount > 0 bid, < 0 ask), and `[chan, "cs", crc]` checksums."""

    def __init__(self, venue: Bitfinex, market: Market, limit: int | None) -> None:
        super().__init__(market.symbol, limit)
        self.depth = 25 if limit is not None and limit <= 25 else 100
        self.key, self.subscribe, self.unsubscribe = venue._subscription(
            "book", market, prec="P0", freq="F0", len=str(self.depth))
        self.synced = False

    def reset(self) -> None:
        super().reset()
        self.synced = False

    def _level(self, price, count, amount) -> None:
        price, amount = dec(price), dec(amount)
        side = "bid" if amount > 0 else "ask"
        self.book.set(side, price, abs(amount) if count else Decimal(0))

    def apply(self, msg) -> bool:
        data = msg[1]
        if data == "cs":
            if self.synced:
                ours = book_checksum(self.book.top_bids(25), self.book.top_asks(25))
                if ours != msg[2]:
                    raise OutOfSync(f"checksum {ours} differs from the venue's {msg[2]}")
            return False
        if not isinstance(data, list) or not data:
            return False
        if isinstance(data[0], list):              # a snapshot
            self.book.clear()
            for row in data:
                self._level(*row[:3])
            self.synced = True
        elif self.synced:
            self._level(*data[:3])
            self.book.truncate(self.depth)
        else:
            return False                           # an update before the snapshot: stale
        if len(msg) > 2 and isinstance(msg[-1], int):
            self.book.nonce = msg[-1]
        return True
