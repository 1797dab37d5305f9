"""A fake Kraken spot venue: REST /0/public/* and /0/private/*, WebSocket v2 at /v2.

Shapes follow docs.kraken.com (REST reference, spot-rest-auth, websocket-v2 book/ticker/trade,
spot-ws-book-v2). Every private request's API-Sign is recomputed from the secret as Kraken does,
and nonces must strictly increase per key. The book checksum is computed here independently of
the adapter, from the digits the fake sends.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import zlib
from decimal import Decimal
from urllib.parse import parse_qsl

from aiohttp import web

from exchanges import Credentials
from tests.fakes.base import FakeVenue, json_response

KEY = "kraken-test-key-0001"
# The secret of Kraken's own worked signing example (spot-rest-auth guide).
SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
CREDENTIALS = Credentials(api_key=KEY, secret=SECRET)
VENUE_ID = "kraken"
SYMBOL = "BTC/USD"

ASSET_PAIRS = {
    "XXBTZUSD": {"altname": "XBTUSD", "wsname": "XBT/USD", "aclass_base": "currency",
                 "base": "XXBT", "aclass_quote": "currency", "quote": "ZUSD", "lot": "unit",
                 "cost_decimals": 5, "pair_decimals": 1, "lot_decimals": 8,
                 "lot_multiplier": 1, "ordermin": "0.00005", "costmin": "0.5",
                 "tick_size": "0.1", "status": "online"},
    "XETHZUSD": {"altname": "ETHUSD", "wsname": "ETH/USD", "aclass_base": "currency",
                 "base": "XETH", "aclass_quote": "currency", "quote": "ZUSD", "lot": "unit",
                 "cost_decimals": 5, "pair_decimals": 2, "lot_decimals": 8,
                 "lot_multiplier": 1, "ordermin": "0.002", "costmin": "0.5",
                 "tick_size": "0.01", "status": "online"},
    "XDGUSD": {"altname": "XDGUSD", "wsname": "XDG/USD", "aclass_base": "currency",
               "base": "XXDG", "aclass_quote": "currency", "quote": "ZUSD", "lot": "unit",
               "cost_decimals": 5, "pair_decimals": 7, "lot_decimals": 8,
               "lot_multiplier": 1, "ordermin": "20", "costmin": "0.5",
               "tick_size": "0.0000001", "status": "online"},
    "SOLUSD": {"altname": "SOLUSD", "wsname": "SOL/USD", "aclass_base": "currency",
               "base": "SOL", "aclass_quote": "currency", "quote": "ZUSD", "lot": "unit",
               "cost_decimals": 5, "pair_decimals": 2, "lot_decimals": 8,
               "lot_multiplier": 1, "ordermin": "0.02", "costmin": "0.5",
               "tick_size": "0.01", "status": "cancel_only"},
}
_ALT = {p["altname"]: k for k, p in ASSET_PAIRS.items()}
_WS = {"BTC/USD": "XXBTZUSD", "ETH/USD": "XETHZUSD", "DOGE/USD": "XDGUSD"}


def ok(result) -> web.Response:
    return json_response({"error": [], "result": result})


def fail(*errors: str) -> web.Response:
    return json_response({"error": list(errors)})   # Kraken answers errors with HTTP 200


def kraken_checksum(asks: list[tuple[str, str]], bids: list[tuple[str, str]]) -> int:
    """spot-ws-book-v2: top 10 asks low→high, then top 10 bids high→low; for each, price then
    qty as sent, '.' removed and leading zeros stripped; CRC32 of it all, unsigned."""
    parts = []
    for price, qty in asks[:10] + bids[:10]:
        for text in (price, qty):
            parts.append(text.replace(".", "").lstrip("0"))
    return zlib.crc32("".join(parts).encode()) & 0xFFFFFFFF


class ServerBook:
    """The fake's full book for one symbol; levels kept as the digit strings it sends."""

    def __init__(self, bids: dict[str, str], asks: dict[str, str]) -> None:
        self.bids, self.asks = dict(bids), dict(asks)

    def top(self, side: str, n: int) -> list[tuple[str, str]]:
        levels = self.bids if side == "bids" else self.asks
        order = sorted(levels, key=Decimal, reverse=side == "bids")
        return [(p, levels[p]) for p in order[:n]]

    def checksum(self) -> int:
        return kraken_checksum(self.top("asks", 10), self.top("bids", 10))


class FakeKraken(FakeVenue):
    ws_path = "/v2"

    def __init__(self) -> None:
        super().__init__()
        self.balances = {"XXBT": {"balance": "1.5000000000", "hold_trade": "0.2500000000"},
                         "ZUSD": {"balance": "25435.2100", "hold_trade": "8249.7600"},
                         "XXDG": {"balance": "1000.00000000", "hold_trade": "0"},
                         "ETH2.S": {"balance": "3.0000000000", "hold_trade": "0"}}
        self.orders: dict[str, dict] = {}
        self.last_nonce: dict[str, int] = {}
        self.next_error: str | None = None       # the next private call fails with this
        self.replies: dict[str, object] = {}      # public endpoint name → reply to send
        self.private_delay = 0.0                  # seconds each private call takes
        self.in_flight = self.max_in_flight = 0   # private calls being handled at once
        self.private_calls: list[tuple[str, dict[str, str]]] = []
        self._ids = itertools.count(1)
        self.books = {"BTC/USD": ServerBook(
            {f"{30000 - i}.{i % 10}": f"{i + 1}.{'5' * (i % 3)}0000000" for i in range(14)},
            {f"{30001 + i}.{(i * 3) % 10}": f"0.{i:02d}100000" for i in range(14)})}
        self.book_depth: dict[str, int] = {}
        self.add_ws()

    # -- REST --------------------------------------------------------------------------------
    def setup_routes(self) -> None:
        for name in ("AssetPairs", "Ticker", "Depth", "OHLC", "Trades"):
            self.route("GET", f"/0/public/{name}", self._public(name))
        for name in ("BalanceEx", "AddOrder", "CancelOrder", "QueryOrders", "OpenOrders",
                     "ClosedOrders"):
            self.route("POST", f"/0/private/{name}", self._private(name))

    def _public(self, name: str):
        async def handler(request: web.Request) -> web.Response:
            if name in self.replies:          # a test's crafted reply (e.g. a malformed one)
                return json_response(self.replies[name])
            return await getattr(self, f"_public_{name.lower()}")(request)
        return handler

    def _pair(self, request: web.Request) -> str | None:
        pair = request.query.get("pair", "")
        return pair if pair in ASSET_PAIRS else _ALT.get(pair)

    async def _public_assetpairs(self, request):
        return ok(ASSET_PAIRS)

    async def _public_ticker(self, request):
        tickers = {"XXBTZUSD": {
            "a": ["30001.00000", "1", "1.000"], "b": ["30000.00000", "2", "2.000"],
            "c": ["30000.50000", "0.00160710"], "v": ["165.16072288", "598.03698452"],
            "p": ["29900.00000", "29950.50000"], "t": [6405, 21103],
            "l": ["29500.00000", "29400.10000"], "h": ["30100.00000", "30200.00000"],
            "o": "29800.00000"},
            "XDGUSD": {
            "a": ["0.0812340", "100", "100.000"], "b": ["0.0812330", "50", "50.000"],
            "c": ["0.0812335", "10.00000000"], "v": ["1000.0", "2000.00000000"],
            "p": ["0.0800000", "0.0810000"], "t": [5, 10],
            "l": ["0.0790000", "0.0780000"], "h": ["0.0820000", "0.0830000"],
            "o": "0.0800000"}}
        pairs = request.query.get("pair")
        if pairs:
            keys = [p if p in ASSET_PAIRS else _ALT.get(p) for p in pairs.split(",")]
            if None in keys:
                return fail("EQuery:Unknown asset pair")
            tickers = {k: v for k, v in tickers.items() if k in keys}
        return ok(tickers)

    async def _public_depth(self, request):
        pair = self._pair(request)
        if pair is None:
            return fail("EQuery:Unknown asset pair")
        count = int(request.query.get("count", 100))
        book = self.books["BTC/USD"]
        row = lambda p, q: [p, q, 1688671834]  # noqa: E731
        return ok({pair: {"asks": [row(p, q) for p, q in book.top("asks", count)],
                          "bids": [row(p, q) for p, q in book.top("bids", count)]}})

    async def _public_ohlc(self, request):
        pair = self._pair(request)
        if pair is None:
            return fail("EQuery:Unknown asset pair")
        rows = [[1706626800, "43437.5", "43593.7", "43355.5", "43361.1", "43511.3",
                 "18.75430110", 162],
                [1706630400, "43366.3", "43529.2", "43234.2", "43485.0", "43435.3",
                 "12.51327406", 126],
                [1706634000, "43497.5", "43594.6", "43316.4", "43409.5", "43429.8",
                 "5.03074129", 127]]
        return ok({pair: rows, "last": 1706630400})

    async def _public_trades(self, request):
        pair = self._pair(request)
        if pair is None:
            return fail("EQuery:Unknown asset pair")
        # Kraken sends the time as a JSON number with a fraction; written raw to keep digits.
        text = ('{"error":[],"result":{"%s":[["73324.40000","0.01030900",1710327959.1733468,'
                '"b","m","",6324366],["73325.00000","0.50000000",1710327960.001,"s","l","",'
                '6324367]],"last":"1710327960001000000"}}' % pair)
        return web.Response(text=text, content_type="application/json")

    def _private(self, name: str):
        async def handler(request: web.Request) -> web.Response:
            body = await request.text()
            form = dict(parse_qsl(body, keep_blank_values=True))
            problem = self.check_auth(request, body, form)
            if problem:
                return fail(problem)
            self.private_calls.append((name, form))
            if self.next_error:
                error, self.next_error = self.next_error, None
                return fail(error)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                await asyncio.sleep(self.private_delay)
                return await getattr(self, f"_do_{name.lower()}")(form)
            finally:
                self.in_flight -= 1
        return handler

    def check_auth(self, request: web.Request, body: str, form: dict[str, str]) -> str | None:
        """Kraken's checks, in its order: key, nonce, signature."""
        key = request.headers.get("API-Key")
        if key != KEY:
            return "EAPI:Invalid key"
        try:
            nonce = int(form["nonce"])
        except (KeyError, ValueError):
            return "EAPI:Invalid nonce"
        message = request.path.encode() + hashlib.sha256((form["nonce"] + body).encode()).digest()
        want = base64.b64encode(hmac.new(base64.b64decode(SECRET), message,
                                         hashlib.sha512).digest()).decode()
        if not hmac.compare_digest(want, request.headers.get("API-Sign", "")):
            return "EAPI:Invalid signature"
        if nonce <= self.last_nonce.get(key, 0):
            return "EAPI:Invalid nonce"
        self.last_nonce[key] = nonce
        return None

    async def _do_balanceex(self, form):
        return ok(self.balances)

    async def _do_addorder(self, form):
        pair = form.get("pair", "")
        key = pair if pair in ASSET_PAIRS else _ALT.get(pair)
        if key is None:
            return fail("EQuery:Unknown asset pair")
        if Decimal(form["volume"]) < Decimal(ASSET_PAIRS[key]["ordermin"]):
            return fail("EOrder:Order minimum not met")
        cid = form.get("cl_ord_id")
        if cid and any(o.get("cl_ord_id") == cid and o["status"] == "open"
                       for o in self.orders.values()):
            return fail("EOrder:Invalid order")
        txid = f"O{next(self._ids):05d}-ABCDE-FGHIJK"
        market = form["ordertype"] == "market"
        price = form.get("price", "0")
        row = {"refid": None, "userref": 0, "status": "closed" if market else "open",
               "opentm": 1705259439.5631, "starttm": 0, "expiretm": 0,
               "descr": {"pair": ASSET_PAIRS[key]["altname"], "type": form["type"],
                         "ordertype": form["ordertype"], "price": price, "price2": "0",
                         "leverage": "none", "order": f"{form['type']} {form['volume']}",
                         "close": ""},
               "vol": form["volume"], "vol_exec": form["volume"] if market else "0.00000000",
               "cost": "0", "fee": "0.000000", "price": "30001.0" if market else "0",
               "stopprice": "0", "limitprice": "0", "misc": "", "oflags": "fciq"}
        if cid:
            row["cl_ord_id"] = cid
        self.orders[txid] = row
        return ok({"descr": {"order": row["descr"]["order"]}, "txid": [txid]})

    async def _do_cancelorder(self, form):
        row = self.orders.get(form.get("txid", ""))
        if row is None or row["status"] != "open":
            return fail("EOrder:Unknown order")
        row["status"] = "canceled"
        return ok({"count": 1})

    async def _do_queryorders(self, form):
        found = {t: self.orders[t] for t in form.get("txid", "").split(",") if t in self.orders}
        if not found:
            return fail("EOrder:Invalid order")
        return ok(found)

    def _filtered(self, form, open_: bool) -> dict:
        cid = form.get("cl_ord_id")
        return {t: o for t, o in self.orders.items() if (o["status"] == "open") == open_
                and (cid is None or o.get("cl_ord_id") == cid)}

    async def _do_openorders(self, form):
        return ok({"open": self._filtered(form, True)})

    async def _do_closedorders(self, form):
        closed = self._filtered(form, False)
        return ok({"closed": closed, "count": len(closed)})

    # -- websocket v2 ------------------------------------------------------------------------
    async def on_ws_text(self, ws, message) -> None:
        if not isinstance(message, dict):
            return
        method, params = message.get("method"), message.get("params") or {}
        if method == "ping":
            await ws.send_str(json.dumps({"method": "pong", "time_in": "x", "time_out": "y"}))
            return
        if method not in ("subscribe", "unsubscribe"):
            return
        channel = params.get("channel")
        for symbol in params.get("symbol", []):
            ack = {"method": method, "result": {"channel": channel, "symbol": symbol},
                   "success": symbol in _WS, "time_in": "t", "time_out": "t"}
            if symbol not in _WS:
                ack["error"] = "Currency pair not supported"
            await ws.send_str(json.dumps(ack))
            if method == "subscribe" and symbol in _WS:
                await self._snapshot(ws, channel, symbol, params)

    async def _snapshot(self, ws, channel: str, symbol: str, params: dict) -> None:
        if channel == "ticker":
            await ws.send_str(self.ticker_frame(symbol, "snapshot"))
        elif channel == "book" and symbol in self.books:
            depth = int(params.get("depth", 10))
            self.book_depth[symbol] = depth
            book = self.books[symbol]
            await ws.send_str(self.book_frame(symbol, "snapshot", book.top("bids", depth),
                                              book.top("asks", depth), book.checksum()))

    def ticker_frame(self, symbol: str, kind: str = "update", last: str = "30000.5") -> str:
        return ('{"channel":"ticker","type":"%s","data":[{"symbol":"%s","bid":30000.0,'
                '"bid_qty":2.0,"ask":30001.0,"ask_qty":1.0,"last":%s,"volume":598.03698452,'
                '"vwap":29950.5,"low":29400.1,"high":30200.0,"change":200.5,"change_pct":0.67,'
                '"timestamp":"2024-03-13T11:05:59.173000Z"}]}' % (kind, symbol, last))

    @staticmethod
    def book_frame(symbol: str, kind: str, bids, asks, checksum: int) -> str:
        """Levels written as raw JSON numbers so their digits reach the client as sent."""
        levels = lambda rows: "[" + ",".join(  # noqa: E731
            '{"price":%s,"qty":%s}' % row for row in rows) + "]"
        stamp = ',"timestamp":"2024-03-13T11:05:59.173000Z"' if kind == "update" else ""
        return ('{"channel":"book","type":"%s","data":[{"symbol":"%s","bids":%s,"asks":%s,'
                '"checksum":%d%s}]}' % (kind, symbol, levels(bids), levels(asks), checksum,
                                        stamp))

    async def push_book(self, symbol: str, bids: dict[str, str] | None = None,
                        asks: dict[str, str] | None = None, *, wrong_checksum: bool = False
                        ) -> None:
        """Change the server book ("0" deletes) and push what a subscriber at its depth sees:
        changed levels inside the window and levels entering it; none for those pushed out."""
        book, depth = self.books[symbol], self.book_depth.get(symbol, 10)
        before = {s: dict(book.top(s, depth)) for s in ("bids", "asks")}
        for side, changes in (("bids", bids or {}), ("asks", asks or {})):
            levels = getattr(book, side)
            for price, qty in changes.items():
                if Decimal(qty) == 0:
                    levels.pop(price, None)
                else:
                    levels[price] = qty
        sent = {}
        for side in ("bids", "asks"):
            after = dict(book.top(side, depth))
            rows = [(p, q) for p, q in after.items() if before[side].get(p) != q]
            rows += [(p, "0") for p in before[side] if p not in getattr(book, side)]
            sent[side] = rows
        checksum = book.checksum()
        if wrong_checksum:
            checksum = (checksum + 1) & 0xFFFFFFFF
        await self.broadcast(self.book_frame(symbol, "update", sent["bids"], sent["asks"],
                                             checksum))

    async def push_trade(self, symbol: str, trade_id: int, price: str, qty: str,
                         side: str = "buy") -> None:
        await self.broadcast(
            '{"channel":"trade","type":"update","data":[{"symbol":"%s","side":"%s",'
            '"price":%s,"qty":%s,"ord_type":"market","trade_id":%d,'
            '"timestamp":"2023-09-25T07:49:37.708706Z"}]}' % (symbol, side, price, qty,
                                                              trade_id))

    async def heartbeat(self) -> None:
        await self.broadcast('{"channel":"heartbeat"}')


FAKE = FakeKraken
