"""Kraken spot: REST https://api.kraken.com/0 and WebSocket v2 wss://ws.kraken.com/v2.

Docs: https://docs.kraken.com/api/ (spot REST, spot-rest-auth, websocket-v2). Quirks: legacy
asset codes (XXBT, ZUSD, XXDG) and pair keys (XXBTZUSD, altname XBTUSD); errors as strings in
`error: []` with HTTP 200; nonces strictly increasing per key (the kit's key slot); replies keyed
by pair or by order txid; the v2 book's CRC32 over the top 10 levels, digits exactly as sent.
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta, timezone

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST, Pages
from ..core.auth import Hmac
from ..core.book import BookFrame, crc32_concatenated
from ..core.stream import StreamLimits, Topic
from ..numbers import dec, levels, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Kraken", "book_checksum"]

_EPOCH, _MS = datetime(1970, 1, 1, tzinfo=timezone.utc), timedelta(milliseconds=1)
_STATUS = {"pending": "open", "open": "open", "closed": "closed", "canceled": "canceled",
           "expired": "canceled"}


def _ms(seconds) -> int:
    """Kraken's epoch seconds (a number or string, with a fraction) → integer milliseconds."""
    return int(dec(seconds) * 1000)


def _seconds(ms: int) -> str:
    """Integer milliseconds → Kraken's epoch seconds with the fraction."""
    return format(dec(ms) / 1000, "f")


def _iso_ms(text: str) -> int:
    """RFC 3339 (the v2 websocket's 2023-09-25T07:49:37.708706Z) → ms, exactly."""
    return (datetime.fromisoformat(text.replace("Z", "+00:00")) - _EPOCH) // _MS


def _digits(value) -> str:
    """A price or qty as sent, without the '.' and leading zeros (spot-ws-book-v2 checksum)."""
    return format(dec(value), "f").replace(".", "").lstrip("0")


def book_checksum(asks, bids) -> int:
    """CRC32 of the top 10 asks (low→high) then the top 10 bids (high→low), price then qty."""
    return crc32_concatenated(asks, bids, 10, _digits)


def _pair_rows(result: dict):
    """A public reply keyed by its one pair (besides "last", the next `since`)."""
    return next(v for k, v in result.items() if k != "last")


def _by_txid(key: str | None):
    """Order rows keyed by txid (under `key`) → rows carrying their txid."""
    return lambda r: [dict(row, txid=t) for t, row in (r["result"][key] if key else
                                                       r["result"]).items()]


def _signed(method: str, **kw):
    return POST(f"/0/private/{method}", signed=True, rows=kw.pop("rows", "result"), **kw)


class Kraken(Exchange):
    id = "kraken"
    name = "Kraken"
    docs = ("https://docs.kraken.com/api/docs/rest-api/add-order",
            "https://docs.kraken.com/api/docs/websocket-v2/book",
            "https://docs.kraken.com/api/docs/guides/spot-rest-auth")
    hosts = {"rest": "https://api.kraken.com", "ws": "wss://ws.kraken.com/v2"}
    # docs.kraken.com/api/docs/guides/spot-rest-ratelimits: private calls share a counter of
    # 15 decaying 0.33/s (Starter); AddOrder/CancelOrder are outside it, under the trading
    # limit (threshold 60, decay 1/s, per pair: one bucket here is the cautious reading).
    # Public calls are throttled per IP with no number documented: one a second, burst of 15,
    # is our choice.
    limits = {"public": (15, 15.0), "private": (15, 45.0), "orders": (60, 60.0)}
    ws_heartbeat = 15.0       # the v2 socket sends a heartbeat frame about once a second
    # OHLC `interval` takes only these minutes (get-ohlc-data); 21600 minutes is 15 days.
    timeframes = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "1h": 60, "4h": 240, "1d": 1440,
                  "1w": 10080, "15d": 21600}
    currency_overrides = {
        "XXBT": "BTC", "XETH": "ETH", "XETC": "ETC", "XLTC": "LTC", "XXRP": "XRP", "XXLM": "XLM",
        "XXMR": "XMR", "XZEC": "ZEC", "XREP": "REP", "XMLN": "MLN", "XXDG": "DOGE", "ZUSD": "USD",
        "ZEUR": "EUR", "ZGBP": "GBP", "ZCAD": "CAD", "ZJPY": "JPY", "ZAUD": "AUD", "ZCHF": "CHF"}
    # API-Sign = base64(HMAC-SHA512(b64decode(secret), path + SHA256(nonce + body))), the nonce
    # first in the form body (spot-rest-auth).
    auth = Hmac(prehash=lambda f: f["path"].encode() + hashlib.sha256(
                    (f["stamp"] + f["body"]).encode()).digest(),
                algo="sha512", digest="base64", secret="base64", stamp="nonce",
                body={"nonce": "{stamp}"}, headers={"API-Key": "{key}", "API-Sign": "{signature}"})
    body_format = "form"
    api = {
        "markets": GET("/0/public/AssetPairs", rows="result", keyed=True),
        "tickers": GET("/0/public/Ticker", rows="result", keyed=True, params=lambda ms: {
            "pair": ",".join(m.id for m in ms)} if ms else {}),
        "order_book": GET("/0/public/Depth", cap=500, rows=lambda r: _pair_rows(r["result"]),
                          params=lambda m, limit: {"pair": m.id, "count": limit}),
        # `since` is exclusive ("return committed OHLC data since given id (exclusive)", the
        # API docs of old; "candles after this time", docs.kraken.com guides/historical-data):
        # one second earlier keeps a candle opening exactly at `since`. Up to 720 rows, oldest
        # first, the last one still forming; the core keeps the first `limit` from `since`.
        "ohlcv": GET("/0/public/OHLC", rows=lambda r: _pair_rows(r["result"]),
                     params=lambda m, tf, since, limit: {
                         "pair": m.id, "interval": tf,
                         "since": (since - 1) // 1000 if since is not None else None}),
        "trades": GET("/0/public/Trades", cap=1000, rows=lambda r: _pair_rows(r["result"]),
                      params=lambda m, limit: {"pair": m.id, "count": limit}),
        "balance": _signed("BalanceEx"),
        "create_order": _signed("AddOrder", params=lambda m, side, type, amount, price, cid, o: [
            ("pair", m.id), ("type", side), ("ordertype", type), ("volume", amount),
            ("price", price), ("cl_ord_id", cid)]),
        "cancel_order": _signed("CancelOrder", params=lambda m, oid: {"txid": oid}),
        "order": _signed("QueryOrders", rows=_by_txid(None), params=lambda m, oid: {"txid": oid}),
        # OpenOrders lists every open order at once (no paging parameter); ClosedOrders gives
        # 50 a time, newest first, from offset `ofs`. Both filter by cl_ord_id.
        "open_orders": _signed("OpenOrders", rows=_by_txid("open"), client_id="cl_ord_id"),
        "closed_orders": _signed("ClosedOrders", rows=_by_txid("closed"), client_id="cl_ord_id",
                                 paging=Pages("ofs", 50, None, "offset", 0)),
        # TradesHistory: 50 a time, newest first, from offset `ofs`; `start` is exclusive
        # ("Starting unix timestamp or trade tx ID of results (exclusive)"), so one ms before
        # `since`; no pair filter: one symbol is picked out of the account's fills
        # (https://docs.kraken.com/api/docs/rest-api/get-trade-history).
        "my_trades": _signed("TradesHistory", rows=_by_txid("trades"), newest_first=True,
                             paging=Pages("ofs", 50, None, "offset", 0),
                             params=lambda m, since, limit: {
                                 "type": "all", "start": _seconds(since - 1)
                                 if since is not None else None}),
    }
    # Errors are "E<category>:<message>[:detail]" strings (rest-api errors); matched by part,
    # the specific before the category-wide ("EOrder:Rate limit exceeded" is a rate limit).
    error_messages = {
        "deadline elapsed": E.RequestTimeout, "rate limit": E.RateLimitExceeded,
        "too many requests": E.RateLimitExceeded, "temporary lockout": E.RateLimitExceeded,
        "eapi:invalid": E.AuthenticationError, "permission denied": E.PermissionDenied,
        "feature disabled": E.PermissionDenied, "agreement required": E.PermissionDenied,
        "insufficient funds": E.InsufficientFunds, "unknown order": E.OrderNotFound,
        "unknown asset": E.BadSymbol, "currency pair not supported": E.BadSymbol,
        "unknown method": E.NotSupported, "eservice:": E.ExchangeNotAvailable,
        "internal error": E.ExchangeNotAvailable, "eorder:": E.InvalidOrder,
        "invalid arguments": E.InvalidOrder}
    channels = {"ticker": "ticker", "trades": "trade", "book": "book"}
    # A v2 subscribe takes a list of symbols; the docs set no number, so a modest batch.
    stream_limits = StreamLimits(batch=20)
    book_depths = (10, 25, 100, 500, 1000)       # the v2 book channel's depths

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._by_altname: dict[str, Market] = {}

    def new_client_order_id(self) -> str:
        # cl_ord_id is a long UUID, a short one (32 hex) or up to 18 characters of free text
        # (docs.kraken.com/api/docs/guides/spot-clordid). The docs do not say whether a short
        # UUID is reported back as sent; the long form, their own example in requests and
        # replies, reads back the same either way, and reconciliation compares it as sent.
        return str(uuid.uuid4())

    def error_code(self, reply):
        payload = reply.payload
        found = [e for e in (payload.get("error") or ()) if isinstance(e, str) and
                 e.startswith("E")] if isinstance(payload, dict) else []   # "W…": warnings
        if not found:
            return None
        category, _, rest = found[0].partition(":")
        return (f"{category}:{rest.partition(':')[0]}" if rest else found[0]), found[0]

    def by_id(self, venue_id):
        """Replies name a pair by its key (XXBTZUSD) or its altname (XBTUSD)."""
        return self.markets_by_id.get(venue_id) or self._by_altname.get(venue_id)

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, p: dict, key=None) -> Market | None:
        if key.endswith(".d"):            # legacy dark-pool books: not order-book markets
            return None
        base, quote = self.currency(p["base"]), self.currency(p["quote"])
        m = Market(f"{base}/{quote}", key, base, quote,
                   opt_dec(p.get("tick_size")) or dec(1).scaleb(-int(p["pair_decimals"])),
                   dec(1).scaleb(-int(p["lot_decimals"])), opt_dec(p.get("ordermin")),
                   opt_dec(p.get("costmin")), p.get("status", "online") == "online")
        self._by_altname[p.get("altname", key)] = m
        return m

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        if market is None:
            return None
        # h, l, v, p are [today, last 24 h]; `o` is only today's open (since 00:00 UTC,
        # rest-api/get-ticker-information), so a 24 h ticker has no open here: it is kept as
        # the day's open, which the board shows labelled.
        volume = dec(t["v"][1])
        return Ticker(market.symbol, None, dec(t["b"][0]), dec(t["a"][0]), dec(t["c"][0]),
                      dec(t["h"][1]), dec(t["l"][1]), None, volume, volume * dec(t["p"][1]),
                      open_today=opt_dec(t.get("o")))

    def parse_order_book(self, book: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, levels(book["bids"]), levels(book["asks"]),
                         self.clock(), None)

    @staticmethod
    def parse_candle(r: list) -> Candle:
        """[time, open, high, low, close, vwap, volume, count]."""
        return Candle(int(r[0]) * 1000, dec(r[1]), dec(r[2]), dec(r[3]), dec(r[4]), dec(r[6]))

    @staticmethod
    def parse_trade(r: list, market: Market) -> Trade:
        # [price, volume, time, b/s, m/l, misc, trade_id] (rest-api/get-recent-trades): b/s and
        # m/l are the taker's side and order type, as on the streams of the same trades
        # ("Taker side", docs.kraken.com/api/docs/websocket-v1/trade; "the side of the taker
        # order", websocket-v2/trade).
        return Trade(str(r[6]), _ms(r[2]), "buy" if r[3] == "b" else "sell", dec(r[0]),
                     dec(r[1]), market.symbol)

    def parse_balance(self, rows: dict) -> dict[str, Balance]:
        out = {}
        for code, row in rows.items():
            if "." not in code:     # .S .F .M .B .P: staked / earn variants, not spot
                total, used = dec(row["balance"]), dec(row.get("hold_trade") or 0)
                out[self.currency(code)] = Balance(total - used, used, total)
        return out

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade | None:
        m = self.by_id(t["pair"])
        if m is None:
            return None
        # `fee` is in the quote currency ("total fee (quote currency)"); `maker`: "true if
        # trade was executed with user as maker". Older replies lack `maker`: then unknown.
        maker = t.get("maker")
        return Trade(t["txid"], _ms(t["time"]), t["type"], dec(t["price"]), dec(t["vol"]),
                     m.symbol, order_id=t["ordertxid"], fee=dec(t["fee"]), fee_currency=m.quote,
                     taker_or_maker=None if maker is None else "maker" if maker else "taker")

    def parse_placed(self, result: dict, market: Market) -> str:
        return result["txid"][0]

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        d, m = o["descr"], self.by_id(o["descr"]["pair"])
        if m is None:
            return None
        amount, filled = dec(o["vol"]), dec(o["vol_exec"])
        # Conditional kinds fold into the contract's two: "stop-loss-limit" rests at price2.
        kind = "limit" if d["ordertype"].endswith("limit") else "market"
        price = opt_dec(d["price" if d["ordertype"] == "limit" else "price2"])
        return Order(o["txid"], o.get("cl_ord_id"), m.symbol, d["type"], kind,
                     price if kind == "limit" else None, amount, filled, amount - filled,
                     _STATUS.get(o["status"], "open"), _ms(o["opentm"]),
                     average=opt_dec(o.get("price")) or None, fee=opt_dec(o.get("fee")))

    # -- websocket v2: symbols as "BTC/USD"; the book's depth rides in the channel -----------
    def ws_topic(self, kind, market, depth=None) -> Topic:
        channel = super().ws_topic(kind, market).channel
        return Topic(f"{channel}:{depth}" if depth else channel, market.symbol,
                     f"{channel}:{market.symbol}")

    def book_depth(self, limit):
        return super().book_depth(limit or 10)       # the channel's own default is 10

    def ws_subscribe(self, channel, args, subscribe):
        name, _, depth = channel.partition(":")
        params = {"channel": name, "symbol": args}
        if depth:
            params["depth"] = int(depth)
        if name == "trade":     # only new trades, not the last 50 again on every resubscribe
            params["snapshot"] = False
        return {"method": "subscribe" if subscribe else "unsubscribe", "params": params}

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        if msg.get("channel") in ("ticker", "trade", "book") and msg.get("data"):
            return f"{msg['channel']}:{msg['data'][0]['symbol']}"
        if msg.get("method") == "subscribe" and msg.get("success") is False:
            # The refusal names the symbol (not always the channel): it fails for every channel.
            symbol = msg.get("symbol") or (msg.get("result") or {}).get("symbol")
            return self.refused([f"{c}:{symbol}" for c in self.channels.values()],
                                str(msg.get("error")))
        return None         # heartbeat, status, acks, pong

    def stream_ping(self):
        return {"method": "ping"}

    def parse_ws_ticker(self, msg: dict, market: Market) -> Ticker:
        # The v2 ticker is all 24 h, `change` included ("24-hour price change", websocket-v2/
        # ticker), so its open is last − change.
        t = msg["data"][0]
        volume, last, change = dec(t["volume"]), dec(t["last"]), opt_dec(t.get("change"))
        return Ticker(market.symbol, _iso_ms(t["timestamp"]) if t.get("timestamp") else None,
                      dec(t["bid"]), dec(t["ask"]), last, dec(t["high"]), dec(t["low"]),
                      last - change if change is not None else None, volume,
                      volume * dec(t["vwap"]))

    def parse_ws_trades(self, msg: dict, market: Market) -> list[Trade]:
        # `side`: the taker's (websocket-v2/trade).
        return [Trade(str(t["trade_id"]), _iso_ms(t["timestamp"]), t["side"], dec(t["price"]),
                      dec(t["qty"]), market.symbol) for t in msg["data"]]

    def parse_book_frame(self, msg: dict, market: Market) -> BookFrame:
        # No sequence numbers: the checksum is the only check, and levels pushed out of the
        # subscribed depth get no delete (BookSync truncates to the depth).
        d = msg["data"][0]
        side = lambda rows: [(dec(r["price"]), dec(r["qty"])) for r in rows or ()]  # noqa: E731
        return BookFrame(msg["type"] == "snapshot", side(d.get("bids")), side(d.get("asks")),
                         checksum=int(d["checksum"]),
                         timestamp=_iso_ms(d["timestamp"]) if d.get("timestamp") else None)

    def book_checksum(self, book) -> int:
        return book_checksum(book.top_asks(10), book.top_bids(10))
