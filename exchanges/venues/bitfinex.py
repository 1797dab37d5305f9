"""Bitfinex, API v2: public REST on api-pub, authenticated REST on api, websocket channels.

Docs: https://docs.bitfinex.com/docs (REST public and authenticated, ws-general, ws-public).
- Replies are positional arrays; write calls answer with a notification
  `[MTS, TYPE, MSG_ID, null, DATA, CODE, STATUS, TEXT]`, refusals with `["error", CODE, TEXT]`
  and HTTP 500. Code 10001 covers many failures, so its text decides (`generic_error_codes`).
- Prices have 5 significant digits and at most 8 decimals, not a fixed tick: markets carry
  `price_significant_digits=5` with `price_increment=1e-8`; `Market.price_step(price)` gives the
  tick that applies at a price.
- Order amounts are signed (positive buys, negative sells); the client order id `cid` is an
  integer below 2^45, unique per UTC day.
- The websocket names each subscription of a connection by a channel id: frames are
  `[chanId, …]`. Book checksums (flag 131072) and connection-wide sequence numbers (flag 65536)
  are switched on: a checksum mismatch resubscribes the book, a sequence gap reconnects.
"""
from __future__ import annotations

import functools
import json
import logging
import secrets
from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST, After
from ..core.auth import Hmac
from ..core.book import BookFrame, crc32_interleaved
from ..core.stream import StreamLimits, Topic, connection
from ..numbers import dec, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Bitfinex", "book_checksum", "js_number"]

log = logging.getLogger("exchanges.bitfinex")

_EIGHT_DECIMALS = Decimal("0.00000001")
_CID_LIMIT = 2 ** 45                  # cid is an int45
_FLAG_SEQ_ALL, _FLAG_CHECKSUM = 65536, 131072
_REST_BOOK_LENGTHS = (1, 25, 100)     # the REST book's `len` values


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
    """Signed CRC32 over the top 25 levels, interleaved bid, ask (ask amounts negative)
    (https://docs.bitfinex.com/docs/ws-websocket-checksum)."""
    return crc32_interleaved(bids, asks, 25, js_number, negate_asks=True)


def _status(text: str) -> str:
    """ACTIVE / PARTIALLY FILLED @ … are on the book; EXECUTED @ … is done; anything else
    (CANCELED, POSTONLY CANCELED, INSUFFICIENT BALANCE …, RSN_DUST, RSN_PAUSE) left it unfilled."""
    head = text.upper()
    if head.startswith(("ACTIVE", "PARTIALLY FILLED")):
        return "open"
    return "closed" if head.startswith("EXECUTED") else "canceled"


def _order_id(order_id: str) -> int:
    if not str(order_id).isdigit():
        raise E.OrderNotFound("bitfinex", f"{order_id!r} is not a Bitfinex order id")
    return int(order_id)


def _order_params(m, side, type, amount, price, cid, options):
    if not cid.isdigit() or not 0 < int(cid) < _CID_LIMIT:
        raise E.InvalidOrder("bitfinex", f"a Bitfinex client order id is a whole number "
                                         f"below 2^45, not {cid!r}")
    return {"type": f"EXCHANGE {type.upper()}", "symbol": m.id,
            "amount": amount if side == "buy" else -amount, "price": price, "cid": int(cid)}


def _by_id(m, oid):
    return {"symbol": m.id, "id": [_order_id(oid)]}


def _ticker(f: list, market: Market) -> Ticker:
    """[BID, BID_SIZE, ASK, ASK_SIZE, DAILY_CHANGE, DAILY_CHANGE_RELATIVE, LAST, VOLUME, HIGH,
    LOW] (no timestamp, no quote volume); the open is LAST - DAILY_CHANGE."""
    last, change = opt_dec(f[6]), opt_dec(f[4])
    return Ticker(market.symbol, None, opt_dec(f[0]), opt_dec(f[2]), last, opt_dec(f[8]),
                  opt_dec(f[9]), last - change if None not in (last, change) else None,
                  opt_dec(f[7]))


def _private(path: str, **kw):
    return POST(path, signed=True, host="rest_auth", **kw)


class Bitfinex(Exchange):
    id = "bitfinex"
    name = "Bitfinex"
    docs = ("https://docs.bitfinex.com/docs/rest-general",
            "https://docs.bitfinex.com/docs/ws-general")
    hosts = {"rest": "https://api-pub.bitfinex.com", "rest_auth": "https://api.bitfinex.com",
             "ws": "wss://api-pub.bitfinex.com/ws/2"}
    # Limits are per endpoint, 10 to 90 requests a minute ("Requirements and Limitations");
    # each endpoint's page names its own: 90 for most, 15 for public trades.
    limits = {"public": (90, 60.0), "trades": (15, 60.0), "private": (90, 60.0),
              "orders": (90, 60.0)}
    timeframes = {"1m": "1m", "5m": "5m", "15m": "15m", "30m": "30m", "1h": "1h", "3h": "3h",
                  "6h": "6h", "12h": "12h", "1d": "1D", "1w": "1W", "2w": "14D", "1M": "1M"}
    # "/api" + path + nonce + body, HMAC-SHA384 hex; the nonce in µs, strictly increasing.
    auth = Hmac(prehash="/api{path}{stamp}{body}", algo="sha384", stamp="nonce_us",
                headers={"bfx-nonce": "{stamp}", "bfx-apikey": "{key}",
                         "bfx-signature": "{signature}"})
    api = {
        "markets": GET("/v2/conf/pub:list:pair:exchange"),
        "pair_info": GET("/v2/conf/pub:info:pair"),
        "tickers": GET("/v2/tickers", params=lambda ms: {
            "symbols": ",".join(m.id for m in ms) if ms else "ALL"}),
        "order_book": GET("/v2/book/{symbol}/P0", cap=100, params=lambda m, limit: {
            "symbol": m.id,
            "len": next((n for n in _REST_BOOK_LENGTHS if limit and n >= limit), 100)}),
        # Newest first, or oldest first from `start` with sort=1 (rest-public-candles).
        "ohlcv": GET("/v2/candles/trade:{tf}:{symbol}/hist", cap=10000,
                     params=lambda m, tf, since, limit: {
                         "tf": tf, "symbol": m.id, "limit": limit, "start": since,
                         "sort": None if since is None else 1}),
        "trades": GET("/v2/trades/{symbol}/hist", cap=10000, bucket="trades",
                      params=lambda m, limit: {"symbol": m.id, "limit": limit}),
        "balance": _private("/v2/auth/r/wallets"),
        "create_order": _private("/v2/auth/w/order/submit", params=_order_params,
                                 rows=lambda r: r[4]),
        "cancel_order": _private("/v2/auth/w/order/cancel", rows=lambda r: [r[4]],
                                 params=lambda m, oid: {"id": _order_id(oid)}),
        # Active orders, all of them (rest-auth-retrieve-orders documents no limit), of one
        # symbol (/v2/auth/r/orders/tBTCUSD) or of every symbol (/v2/auth/r/orders).
        "open_orders": _private("/v2/auth/r/orders{symbol}",
                                params=lambda m: {"symbol": f"/{m.id}" if m else ""}),
        "order": _private("/v2/auth/r/orders/{symbol}", params=_by_id),
        "closed_order": _private("/v2/auth/r/orders/{symbol}/hist", params=_by_id),
        # Closed and cancelled orders of the last two weeks, `limit` at most 2500, `end` keeping
        # those created at or before it (docs.bitfinex.com/reference/rest-auth-orders-history-
        # by-symbol); 25 when no limit is given (ccxt). Newest first: the next page ends at the
        # last one's MTS_CREATE (inclusive: a row twice, never one missed).
        "closed_orders": _private("/v2/auth/r/orders/{symbol}/hist",
                                  params=lambda m: {"symbol": m.id},
                                  paging=After("end", key=lambda row: row[4], size=2500)),
        # The account's trades, of one symbol or all (rest-auth-trades, rest-auth-trades-by-
        # symbol): `start`/`end` ms, `limit` at most 2500, newest first by default; the next
        # page ends at the last row's MTS (inclusive, as above: a row twice, never one missed).
        "my_trades": _private("/v2/auth/r/trades{symbol}/hist", newest_first=True,
                              params=lambda m, since, limit: {
                                  "symbol": f"/{m.id}" if m else "", "start": since},
                              paging=After("end", key=lambda row: row[2], size=2500)),
    }
    cancel_returns_order = True
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
    channels = {"ticker": "ticker", "trades": "trades", "book": "book"}
    # "You can subscribe to 25 channels at the same time on the same connection" (ws-public).
    stream_limits = StreamLimits(batch=1, per_connection=25)
    book_depths = (25, 100)
    ws_heartbeat = 30.0               # every channel sends a heartbeat each 15 s

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

    def new_client_order_id(self) -> str:
        """A random int45 (Bitfinex's cid), as a string."""
        return str(secrets.randbelow(_CID_LIMIT - 1) + 1)

    # -- parsers -----------------------------------------------------------------------------
    async def _fetch_markets(self) -> list[Market]:
        # The pairs of the exchange wallet, and each pair's [PAIR, [_, _, _, MIN_ORDER_SIZE, …]].
        pairs, info = await self.call("markets"), await self.call("pair_info")
        minimums = {row[0]: row[1][3] for row in info[0]}
        return [self.parse_market(pair, minimums.get(pair)) for pair in pairs[0]]

    def parse_market(self, pair: str, minimum=None) -> Market:
        base, quote = pair.split(":") if ":" in pair else (pair[:3], pair[3:])
        base, quote = self.currency(base), self.currency(quote)
        return Market(f"{base}/{quote}", "t" + pair, base, quote, _EIGHT_DECIMALS,
                      _EIGHT_DECIMALS, opt_dec(minimum), price_significant_digits=5)

    def parse_ticker(self, row: list, market: Market | None) -> Ticker | None:
        market = market or self.by_id(row[0])     # None for funding tickers (fUSD …)
        return None if market is None else _ticker(row[1:], market)

    @staticmethod
    def parse_order_book(rows: list, market: Market) -> OrderBook:
        """[[PRICE, COUNT, AMOUNT], …]: a positive amount is a bid, a negative one an ask."""
        levels = [(dec(r[0]), dec(r[2])) for r in rows]
        return OrderBook(market.symbol, sorted(((p, a) for p, a in levels if a > 0),
                                               reverse=True),
                         sorted((p, -a) for p, a in levels if a < 0), None, None)

    @staticmethod
    def parse_candle(row: list) -> Candle:
        """[MTS, OPEN, CLOSE, HIGH, LOW, VOLUME]."""
        return Candle(int(row[0]), dec(row[1]), dec(row[3]), dec(row[4]), dec(row[2]),
                      dec(row[5]))

    @staticmethod
    def parse_trade(row: list, market: Market) -> Trade:
        """[ID, MTS, AMOUNT, PRICE]. AMOUNT is "how much was bought (positive) or sold
        (negative)" (https://docs.bitfinex.com/reference/rest-public-trades), and "the order
        that causes the trade determines if it is a buy or a sell"
        (https://docs.bitfinex.com/v1/reference/ws-public-trades): the sign is the taker's."""
        amount = dec(row[2])
        return Trade(str(row[0]), int(row[1]), "buy" if amount > 0 else "sell", dec(row[3]),
                     abs(amount), market.symbol)

    def parse_balance(self, rows: list) -> dict[str, Balance]:
        out: dict[str, Balance] = {}
        for row in rows:   # [TYPE, CURRENCY, BALANCE, UNSETTLED_INTEREST, AVAILABLE, …]
            if row[0] != "exchange":               # margin and funding wallets are not spot
                continue
            total, free = dec(row[2]), opt_dec(row[4])
            # AVAILABLE is null until the venue recomputes it; then all of it counts as free.
            free = total if free is None else free
            out[self.currency(row[1])] = Balance(free, total - free, total)
        return out

    def parse_order(self, row: list, market: Market | None) -> Order | None:
        """[ID, GID, CID, SYMBOL, MTS_CREATE, MTS_UPDATE, AMOUNT (left, signed), AMOUNT_ORIG,
        TYPE, TYPE_PREV, MTS_TIF, _, FLAGS, STATUS, _, _, PRICE, PRICE_AVG, …]"""
        market = self.by_id(row[3])
        if market is None:
            return None                            # a derivatives order: not a spot market
        original, left = dec(row[7]), dec(row[6])
        kind = "market" if "MARKET" in row[8] else "limit"
        price, average = opt_dec(row[16]), opt_dec(row[17])
        return Order(str(row[0]), None if row[2] is None else str(row[2]), market.symbol,
                     "buy" if original > 0 else "sell", kind,
                     price if kind == "limit" and price else None, abs(original),
                     abs(original) - abs(left), abs(left), _status(row[13] or ""),
                     None if row[4] is None else int(row[4]), average=average or None)

    def parse_my_trade(self, row: list, market: Market | None) -> Trade | None:
        """[ID, SYMBOL, MTS, ORDER_ID, EXEC_AMOUNT (signed), EXEC_PRICE, ORDER_TYPE,
        ORDER_PRICE, MAKER (1 maker, -1 taker), FEE (negative: paid), FEE_CURRENCY, CID]"""
        market = self.by_id(row[1])
        if market is None:
            return None
        amount = dec(row[4])
        return Trade(str(row[0]), int(row[2]), "buy" if amount > 0 else "sell", dec(row[5]),
                     abs(amount), market.symbol, order_id=str(row[3]),
                     client_order_id=None if len(row) < 12 or row[11] is None else str(row[11]),
                     fee=-dec(row[9]), fee_currency=self.currency(row[10]),
                     taker_or_maker={1: "maker", -1: "taker"}.get(row[8]))

    # -- streams -----------------------------------------------------------------------------
    def ws_topic(self, kind, market, depth=None) -> Topic:
        topic = super().ws_topic(kind, market, depth)
        return Topic(f"book/{depth}", market.id) if kind == "book" else topic

    async def stream_open(self, ws, host) -> None:
        await ws.send_str(json.dumps({"event": "conf", "flags": _FLAG_SEQ_ALL | _FLAG_CHECKSUM}))

    def ws_subscribe(self, channel, args, subscribe):
        name, _, depth = channel.partition("/")
        book = {"prec": "P0", "freq": "F0", "len": depth} if depth else {}
        if subscribe:
            return [{"event": "subscribe", "channel": name, "symbol": a, **book} for a in args]
        # An unsubscribe names the channel id this connection was given: built when sent.
        return [functools.partial(self._unsubscribe, f"{channel}:{a}") for a in args]

    @staticmethod
    def _unsubscribe(key: str) -> dict | None:
        state = connection().venue_state
        chan = state.setdefault("ids", {}).pop(key, None)
        if chan is None:
            return None
        state["chans"].pop(chan, None)             # its last frames are no longer ours
        return {"event": "unsubscribe", "chanId": chan}

    def stream_route(self, msg):
        state = connection().venue_state
        if isinstance(msg, dict):
            return self._event(msg, state)
        if not isinstance(msg, list) or len(msg) < 2 or not self._in_sequence(msg, state):
            return None
        key = state.get("chans", {}).get(msg[0])
        return None if key is None or msg[1] == "hb" else key

    def _in_sequence(self, msg: list, state: dict) -> bool:
        """SEQ_ALL: the last element of every channel frame counts up across the connection.
        After a gap nothing of this connection is trusted until it is made again."""
        seq = msg[-1]
        if state.get("broken"):
            return False
        if not state.get("sequenced") or type(seq) is not int:
            return True
        last, state["seq"] = state.get("seq"), seq
        if last is None or seq == last + 1:
            return True
        log.warning("%s: stream sequence jumped from %d to %d; reconnecting", self.id, last, seq)
        state["broken"] = True
        connection().force_reconnect()
        return False

    def _event(self, msg: dict, state: dict):
        event = msg.get("event")
        if event == "subscribed":
            channel = msg["channel"] + (f"/{msg['len']}" if msg["channel"] == "book" else "")
            key = f"{channel}:{msg['symbol']}"
            state.setdefault("chans", {})[msg["chanId"]] = key
            state.setdefault("ids", {})[key] = msg["chanId"]
        elif event == "conf" and msg.get("status") == "OK":
            state["sequenced"] = bool(int(msg.get("flags") or 0) & _FLAG_SEQ_ALL)
        elif event == "info" and msg.get("code") in (20051, 20061):
            # 20051: the server restarts; 20061: maintenance is over. Both: connect again.
            log.info("%s: the venue asked for a reconnect (%s)", self.id, msg.get("code"))
            connection().force_reconnect()
        elif event == "error" and msg.get("code") != 10301:      # 10301: already subscribed
            # The error echoes the request's channel and symbol: those topics are refused.
            keys = [k for k, t in connection().topics.items() if t.arg == msg.get("symbol")
                    and t.channel.partition("/")[0] == msg.get("channel")]
            return self.refused(keys, str(msg.get("msg") or "subscription failed"),
                                msg.get("code"))
        return None

    def parse_ws_ticker(self, msg: list, market: Market) -> Ticker | None:
        return _ticker(msg[1], market) if isinstance(msg[1], list) else None

    def parse_ws_trades(self, msg: list, market: Market) -> Trade | None:
        # The snapshot (history) is skipped; "te" is the execution, "tu" repeats it later.
        return self.parse_trade(msg[2], market) if msg[1] == "te" else None

    def parse_book_frame(self, msg: list, market: Market) -> BookFrame | None:
        """P0 book: snapshot `[chan, [[PRICE, COUNT, AMOUNT], …]]`, then `[chan, [PRICE, COUNT,
        AMOUNT]]` (COUNT 0 deletes; AMOUNT > 0 bid, < 0 ask), and `[chan, "cs", CHECKSUM]`;
        with SEQ_ALL each ends with its sequence number."""
        data = msg[1]
        tail = msg[3:] if data == "cs" else msg[2:]
        seq = tail[0] if tail and type(tail[0]) is int else None
        if data == "cs":
            return BookFrame(False, checksum=int(msg[2]), seq=seq)
        if not isinstance(data, list) or not data:
            return None
        rows = data if isinstance(data[0], list) else [data]
        frame = BookFrame(isinstance(data[0], list), seq=seq)
        for price, count, amount in (r[:3] for r in rows):
            amount = dec(amount)
            (frame.bids if amount > 0 else frame.asks).append(
                (dec(price), abs(amount) if count else Decimal(0)))
        return frame

    def book_checksum(self, book) -> int:
        return book_checksum(book.top_bids(25), book.top_asks(25))
