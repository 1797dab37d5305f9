"""A fake Kraken spot venue on the kit: REST /0/public/* and /0/private/*, WebSocket v2 at /v2.

Shapes follow docs.kraken.com (rest-api get-ticker-information, get-ohlc-data, get-open-orders,
get-closed-orders, query-orders-info; spot-rest-auth; websocket-v2 ticker/trade/book). API-Sign
is recomputed from the secret and nonces must strictly increase per key, as Kraken checks. The
book checksum is computed here from the digits the fake sends, independently of the adapter.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import zlib
from decimal import Decimal
from urllib.parse import parse_qsl

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

KEY = "kraken-test-key-0001"
# The secret of Kraken's own worked signing example (spot-rest-auth guide).
SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
CREDENTIALS = Credentials(api_key=KEY, secret=SECRET)
VENUE_ID, SYMBOL = "kraken", "BTC/USD"


def _pair(alt, base, quote, decimals, ordermin, tick, status="online"):
    return {"altname": alt, "wsname": f"{alt[:-3]}/{alt[-3:]}", "aclass_base": "currency",
            "base": base, "aclass_quote": "currency", "quote": quote, "lot": "unit",
            "cost_decimals": 5, "pair_decimals": decimals, "lot_decimals": 8, "lot_multiplier": 1,
            "ordermin": ordermin, "costmin": "0.5", "tick_size": tick, "status": status}


ASSET_PAIRS = {"XXBTZUSD": _pair("XBTUSD", "XXBT", "ZUSD", 1, "0.00005", "0.1"),
               "XETHZUSD": _pair("ETHUSD", "XETH", "ZUSD", 2, "0.002", "0.01"),
               "XDGUSD": _pair("XDGUSD", "XXDG", "ZUSD", 7, "20", "0.0000001"),
               "SOLUSD": _pair("SOLUSD", "SOL", "ZUSD", 2, "0.02", "0.01", "cancel_only")}
_KEY = {**{k: k for k in ASSET_PAIRS}, **{p["altname"]: k for k, p in ASSET_PAIRS.items()}}
_WS = {"BTC/USD": "XXBTZUSD", "ETH/USD": "XETHZUSD", "DOGE/USD": "XDGUSD"}   # v2 symbols
_SYMBOL = {k: s for s, k in _WS.items()}
_STATUS = {"open": "open", "filled": "closed", "canceled": "canceled"}
_MINUTES = (1, 5, 15, 30, 60, 240, 1440, 10080, 21600)      # get-ohlc-data `interval`


def ok(result):
    return json_response({"error": [], "result": result})


def fail(*errors: str):
    return json_response({"error": list(errors)})   # Kraken answers errors with HTTP 200


def kraken_checksum(asks: list[tuple[str, str]], bids: list[tuple[str, str]]) -> int:
    """spot-ws-book-v2: top 10 asks low→high, then top 10 bids high→low; for each, price then
    qty as sent, '.' removed and leading zeros stripped; CRC32 of it all, unsigned."""
    text = "".join(t.replace(".", "").lstrip("0") for row in asks[:10] + bids[:10] for t in row)
    return zlib.crc32(text.encode()) & 0xFFFFFFFF


def _ticker(a, b, c, v, p, low, high, o):
    """A Ticker row (get-ticker-information): v, p, l, h are [today, last 24 h]; o is only
    today's open, since 00:00 UTC."""
    return {"a": [a, "1", "1.000"], "b": [b, "2", "2.000"], "c": [c, "0.00160710"], "v": v,
            "p": p, "t": [6405, 21103], "l": low, "h": high, "o": o}


TICKERS = {"XXBTZUSD": _ticker("30001.00000", "30000.00000", "30000.50000",
                               ["165.16072288", "598.03698452"], ["29900.00000", "29950.50000"],
                               ["29500.00000", "29400.10000"], ["30100.00000", "30200.00000"],
                               "29800.00000"),
           "XDGUSD": _ticker("0.0812340", "0.0812330", "0.0812335", ["1000.0", "2000.00000000"],
                             ["0.0800000", "0.0810000"], ["0.0790000", "0.0780000"],
                             ["0.0820000", "0.0830000"], "0.0800000")}


class FakeKraken(KitVenue):
    ws_path = "/v2"

    def __init__(self) -> None:
        self.now = 1705259439563                  # the venue's clock, ms
        self.store = OrderStore({k: (p["base"], p["quote"]) for k, p in ASSET_PAIRS.items()},
                                {"XXBT": "1.2500000000", "ZUSD": "17185.4500", "XXDG": "1000"},
                                clock=lambda: self.now, make_id=lambda n: f"O{n:05d}-ABCDE-FGHIJK")
        self.store.used.update(XXBT=Decimal("0.2500000000"), ZUSD=Decimal("8249.7600"))
        self.books = {"BTC/USD": ServerBook(
            {f"{30000 - i}.{i % 10}": f"{i + 1}.{'5' * (i % 3)}0000000" for i in range(14)},
            {f"{30001 + i}.{(i * 3) % 10}": f"0.{i:02d}100000" for i in range(14)})}
        self.next_error: str | None = None       # the next private call fails with this
        self.replies: dict[str, object] = {}      # public endpoint name → reply to send
        self.private_delay, self.in_flight, self.max_in_flight = 0.0, 0, 0
        self.last_nonce: dict[str, int] = {}
        self.book_depth: dict[str, int] = {}
        self.window: dict[str, dict] = {}         # what a book subscriber holds, by symbol
        self.bad_checksum_next = False
        super().__init__()

    def store_symbol(self, symbol: str) -> str:
        return _WS[symbol]                        # orders are kept under the REST pair id

    def venue_symbol(self, symbol: str) -> str:
        return symbol                             # v2 streams name pairs "BTC/USD"

    def setup_routes(self) -> None:
        for name in ("AssetPairs", "Ticker", "Depth", "OHLC", "Trades"):
            self.route("GET", f"/0/public/{name}", self._public(name))
        for name in ("BalanceEx", "AddOrder", "CancelOrder", "QueryOrders", "OpenOrders",
                     "ClosedOrders", "TradesHistory"):
            self.route("POST", f"/0/private/{name}", self.signed(self._private(name)))
        self.add_ws()

    def _public(self, name: str):
        async def handler(request):
            if name in self.replies:          # a test's crafted reply (e.g. a malformed one)
                return json_response(self.replies[name])
            pair = _KEY.get(request.query.get("pair", ""))
            if name != "AssetPairs" and name != "Ticker" and pair is None:
                return fail("EQuery:Unknown asset pair")
            return getattr(self, name.lower())(request.query, pair)
        return handler

    def assetpairs(self, q, pair):
        return ok(ASSET_PAIRS)

    def ticker(self, q, pair):
        keys = [_KEY.get(p) for p in q["pair"].split(",")] if "pair" in q else list(TICKERS)
        if None in keys:
            return fail("EQuery:Unknown asset pair")
        return ok({k: row for k, row in TICKERS.items() if k in keys})

    def depth(self, q, pair):
        book, n = self.books["BTC/USD"], min(int(q.get("count", 100)), 500)
        return ok({pair: {s: [[p, a, 1688671834] for p, a in book.top(s, n)]
                          for s in ("asks", "bids")}})

    def ohlc(self, q, pair):
        """The 720 most recent candles, oldest first: committed ones after `since` (exclusive),
        then the still-forming one, always; `last` is the newest committed candle's time."""
        minutes = int(q.get("interval", 1))
        if minutes not in _MINUTES:
            return fail("EGeneral:Invalid arguments")
        step = minutes * 60
        forming = self.now // 1000 // step * step
        times = [forming - k * step for k in range(719, -1, -1)]
        since = int(q.get("since", 0))
        rows = [[t, f"{43000 + k}.5", f"{43010 + k}.0", f"{42990 + k}.0", f"{43001 + k}.5",
                 f"{43000 + k}.7", f"{k % 7 + 1}.25000000", 10 + k % 5]
                for k, t in enumerate(times) if t > since or t == forming]
        return ok({pair: rows, "last": forming - step})

    def trades(self, q, pair):
        # The time is a JSON number with a fraction; written raw to keep its digits.
        return json_response('{"error":[],"result":{"%s":[["73324.40000","0.01030900",'
                             '1710327959.1733468,"b","m","",6324366],["73325.00000","0.50000000",'
                             '1710327960.001,"s","l","",6324367]],"last":"1710327960001000000"}}'
                             % pair)

    # -- private -----------------------------------------------------------------------------
    def check_auth(self, request, body):
        """Kraken's checks, in its order: key, nonce, signature, then the nonce's increase."""
        if request.headers.get("API-Key") != KEY:
            return fail("EAPI:Invalid key")
        nonce = dict(parse_qsl(body)).get("nonce", "")
        if not nonce.isdigit():
            return fail("EAPI:Invalid nonce")
        message = request.path.encode() + hashlib.sha256((nonce + body).encode()).digest()
        want = hmac.new(base64.b64decode(SECRET), message, hashlib.sha512).digest()
        if not hmac.compare_digest(base64.b64encode(want).decode(),
                                   request.headers.get("API-Sign", "")):
            return fail("EAPI:Invalid signature")
        if int(nonce) <= self.last_nonce.get(KEY, 0):
            return fail("EAPI:Invalid nonce")
        self.last_nonce[KEY] = int(nonce)
        return None

    def _private(self, name: str):
        async def handler(request, form):
            if self.next_error:
                error, self.next_error = self.next_error, None
                return fail(error)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                await asyncio.sleep(self.private_delay)
                return getattr(self, name.lower())(form)
            finally:
                self.in_flight -= 1
        return handler

    def balanceex(self, form):
        return ok({c: {"balance": str(f + u), "hold_trade": str(u)}
                   for c, (f, u) in self.store.balances().items()}
                  | {"ETH2.S": {"balance": "3.0000000000", "hold_trade": "0"}})

    def addorder(self, form):
        pair = _KEY.get(form.get("pair", ""))
        if pair is None:
            return fail("EQuery:Unknown asset pair")
        if Decimal(form["volume"]) < Decimal(ASSET_PAIRS[pair]["ordermin"]):
            return fail("EOrder:Order minimum not met")
        try:
            o = self.store.place(pair, form["type"], form["ordertype"], form["volume"],
                                 form.get("price"), form.get("cl_ord_id"),
                                 book=self.books.get(_SYMBOL.get(pair)))
        except Rejected as exc:
            return fail("EOrder:Insufficient funds" if exc.kind == "funds" else
                        "EOrder:Invalid order")
        return ok({"descr": {"order": self.row(o)["descr"]["order"]}, "txid": [o.id]})

    def row(self, o) -> dict:
        alt, closed = ASSET_PAIRS[o.symbol]["altname"], o.status != "open"
        at = "market" if o.type == "market" else f"limit {o.price}"
        row = {"refid": None, "userref": 0, "status": _STATUS[o.status],
               "opentm": Decimal(o.created) / 1000, "starttm": 0, "expiretm": 0,
               "descr": {"pair": alt, "type": o.side, "ordertype": o.type,
                         "price": str(o.price or 0), "price2": "0", "leverage": "none",
                         "order": f"{o.side} {o.amount:.8f} {alt} @ {at}", "close": ""},
               "vol": f"{o.amount:.8f}", "vol_exec": f"{o.filled:.8f}", "cost": str(o.cost),
               "fee": str(o.fee), "price": str(o.average or 0), "stopprice": "0",
               "limitprice": "0", "misc": "", "oflags": "fciq"}
        row.update({"cl_ord_id": o.cid} if o.cid else {})
        return row | ({"closetm": Decimal(o.updated) / 1000, "reason": None} if closed else {})

    def cancelorder(self, form):
        try:
            self.store.cancel(form.get("txid"))
        except Rejected:
            return fail("EOrder:Unknown order")
        return ok({"count": 1})

    def queryorders(self, form):
        found = {t: self.row(o) for t in form.get("txid", "").split(",")
                 if (o := self.store.find(t)) is not None}
        return ok(found) if found else fail("EOrder:Invalid order")

    def openorders(self, form):
        return ok({"open": {o.id: self.row(o) for o in self.store.open()
                            if form.get("cl_ord_id") in (None, o.cid)}})

    def closedorders(self, form):
        """50 at a time, the most recently closed first, from offset `ofs`."""
        closed = sorted((o for o in self.store.closed() if form.get("cl_ord_id") in (None, o.cid)),
                        key=lambda o: o.updated, reverse=True)
        ofs = int(form.get("ofs", 0))
        return ok({"closed": {o.id: self.row(o) for o in closed[ofs:ofs + 50]},
                   "count": len(closed)})

    def tradeshistory(self, form):
        """50 at a time, newest first, from offset `ofs`; `start` exclusive. Row keys as in
        the docs' example (docs.kraken.com/api/docs/rest-api/get-trade-history) and ccxt's
        recorded fetchMyTrades row (ts/src/kraken.ts, parseTrade)."""
        start = Decimal(form.get("start", "0")) * 1000
        fills = sorted((f for f in self.store.fills_of() if f.time > start),
                       key=lambda f: (f.time, int(f.id)), reverse=True)
        ofs = int(form.get("ofs", 0))
        return ok({"trades": {f"T{f.id}-FAKE": self.fill_row(f) for f in fills[ofs:ofs + 50]},
                   "count": len(fills)})

    def fill_row(self, f) -> dict:
        o = self.store.orders[f.order_id]
        return {"ordertxid": f.order_id, "postxid": "TKH2SE-M7IF5-CFI7LT", "pair": f.symbol,
                "aclass": "forex", "time": Decimal(f.time) / 1000, "type": f.side,
                "ordertype": o.type, "price": str(f.price), "cost": str(f.price * f.amount),
                "fee": str(f.fee), "vol": f"{f.amount:.8f}", "margin": "0.00000",
                "leverage": "0", "misc": "", "trade_id": int(f.id), "maker": not f.taker}

    # -- websocket v2 ------------------------------------------------------------------------
    def subscriptions(self, message):
        if not isinstance(message, dict):
            return None
        if message.get("method") == "ping":
            return None
        params = message.get("params") or {}
        kind = {"trade": "trades"}.get(params.get("channel"), params.get("channel"))
        return [Sub(kind, s, message.get("method") == "subscribe")
                for s in params.get("symbol", []) if s in _WS]

    async def acknowledge(self, ws, message, subs):
        params = message["params"]
        for symbol in params.get("symbol", []):
            if symbol not in _WS:       # a refusal names the symbol, with no `result`
                await self.send(ws, {"method": message["method"], "success": False,
                                     "error": "Currency pair not supported", "symbol": symbol,
                                     "time_in": "t", "time_out": "t"})
                continue
            await self.send(ws, {"method": message["method"], "success": True, "time_in": "t",
                                 "time_out": "t", "result": {"channel": params["channel"],
                                                             "symbol": symbol}})
            if message["method"] == "subscribe" and params["channel"] == "ticker":
                await self.send(ws, self.ticker_message(symbol, kind="snapshot"))
            if params["channel"] == "book":
                self.book_depth[symbol] = int(params.get("depth", 10))

    def refusal(self, message, subs):
        return {"method": "subscribe", "success": False, "error": "Currency pair not supported",
                "symbol": subs[0].symbol, "time_in": "t", "time_out": "t"}

    def ticker_message(self, symbol: str, last: str = "30000.5", kind: str = "update") -> str:
        return ('{"channel":"ticker","type":"%s","data":[{"symbol":"%s","bid":30000.0,'
                '"bid_qty":2.0,"ask":30001.0,"ask_qty":1.0,"last":%s,"volume":598.03698452,'
                '"vwap":29950.5,"low":29400.1,"high":30200.0,"change":200.5,"change_pct":0.67,'
                '"timestamp":"2024-03-13T11:05:59.173000Z"}]}' % (kind, symbol, last))

    @staticmethod
    def trade_message(symbol, trade_id: int, price: str, qty: str, side: str = "buy") -> str:
        return ('{"channel":"trade","type":"update","data":[{"symbol":"%s","side":"%s",'
                '"price":%s,"qty":%s,"ord_type":"market","trade_id":%d,'
                '"timestamp":"2023-09-25T07:49:37.708706Z"}]}' % (symbol, side, price, qty,
                                                                  trade_id))

    def book_message(self, symbol: str, changes) -> str:
        """What a subscriber at its depth sees: the snapshot, or the levels that changed inside
        the window or entered it (none for levels pushed out), with the checksum after them."""
        book, depth = self.books[symbol], self.book_depth.get(symbol, 10)
        now = {s: dict(book.top(s, depth)) for s in ("bids", "asks")}
        held = self.window.get(symbol) if changes is not None else None
        self.window[symbol] = now
        sent = {s: list(now[s].items()) if held is None else
                [(p, q) for p, q in now[s].items() if held[s].get(p) != q]
                + [(p, "0") for p in held[s] if p not in getattr(book, s)] for s in now}
        checksum = kraken_checksum(book.top("asks", 10), book.top("bids", 10))
        if self.bad_checksum_next:
            self.bad_checksum_next, checksum = False, (checksum + 1) & 0xFFFFFFFF
        rows = lambda side: ",".join('{"price":%s,"qty":%s}' % r for r in sent[side])  # noqa
        stamp = ',"timestamp":"2024-03-13T11:05:59.173000Z"' if held is not None else ""
        return ('{"channel":"book","type":"%s","data":[{"symbol":"%s","bids":[%s],"asks":[%s],'
                '"checksum":%d%s}]}' % ("update" if held is not None else "snapshot", symbol,
                                       rows("bids"), rows("asks"), checksum, stamp))

    async def on_ws_text(self, ws, message) -> None:
        if isinstance(message, dict) and message.get("method") == "ping":
            await self.send(ws, {"method": "pong", "time_in": "x", "time_out": "y"})
        await super().on_ws_text(ws, message)


FAKE = FakeKraken
