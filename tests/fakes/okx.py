"""A fake OKX v5 server: documented paths and JSON shapes, signature and passphrase checks,
a tiny order book of orders, and the public websocket with real `books` checksums.

Shapes follow https://www.okx.com/docs-v5/en/ (REST examples, error codes) and OKX's own
error replies: `{"code": "50113", "msg": "Invalid Sign", "data": []}` with HTTP 401.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import zlib
from decimal import Decimal

from aiohttp import web

from exchanges import Credentials
from tests.fakes.base import FakeVenue, json_response

VENUE_ID = "okx"
SYMBOL = "BTC/USDT"
CREDENTIALS = Credentials(api_key="okx-test-key", secret="okx-test-secret",
                          passphrase="okx-test-passphrase")
FIXED_TS = 1_700_000_000_000

INSTRUMENTS = [
    {"instType": "SPOT", "instId": "BTC-USDT", "baseCcy": "BTC", "quoteCcy": "USDT",
     "tickSz": "0.1", "lotSz": "0.00000001", "minSz": "0.00001", "maxLmtSz": "9999999999",
     "maxMktSz": "1000000", "state": "live", "listTime": "1606468572000"},
    {"instType": "SPOT", "instId": "ETH-USDT", "baseCcy": "ETH", "quoteCcy": "USDT",
     "tickSz": "0.01", "lotSz": "0.000001", "minSz": "0.001", "maxLmtSz": "9999999999",
     "maxMktSz": "1000000", "state": "live", "listTime": "1606468572000"},
    {"instType": "SPOT", "instId": "OLD-USDT", "baseCcy": "OLD", "quoteCcy": "USDT",
     "tickSz": "0.0001", "lotSz": "1", "minSz": "10", "maxLmtSz": "9999999999",
     "maxMktSz": "1000000", "state": "suspend", "listTime": "1606468572000"},
]


def ok(data) -> web.Response:
    return json_response({"code": "0", "msg": "", "data": data})


def fail(code: str, msg: str, status: int = 200, data=None) -> web.Response:
    return json_response({"code": code, "msg": msg, "data": data or []}, status=status)


def ticker(inst_id: str, last: str = "43000.1") -> dict:
    return {"instType": "SPOT", "instId": inst_id, "last": last, "lastSz": "0.01",
            "askPx": "43000.2", "askSz": "1.5", "bidPx": "43000.1", "bidSz": "2.25",
            "open24h": "42000", "high24h": "43500.5", "low24h": "41800", "volCcy24h":
            "215000000.123", "vol24h": "5000.12345678", "ts": "1700000000123",
            "sodUtc0": "42500", "sodUtc8": "42600"}


class FakeOKX(FakeVenue):
    ws_path = "/ws/v5/public"

    def __init__(self, credentials: Credentials = CREDENTIALS) -> None:
        self.credentials = credentials
        self.orders: dict[str, dict] = {}
        self.order_ids = itertools.count(1_000_000_001)
        self.order_error: tuple[str, str] | None = None     # next order's sCode/sMsg
        self.error_next: tuple[int, str, str] | None = None  # (status, code, msg) once
        self.malformed = False                               # tickers without fields
        self.balances = {"BTC": ("1.5", "1.25", "0.25"), "USDT": ("10000.5", "9000.5", "1000")}
        # The websocket book (price text → size text), its sequence and the subscribe log.
        self.bids = {"43000.1": "1.5", "43000": "0.25", "42999.9": "3"}
        self.asks = {"43000.2": "0.5", "43000.3": "1.2", "43001": "0.00000010"}
        self.seq = 100
        self.book_subscribes = 0
        super().__init__()
        self.add_ws()

    # -- REST ------------------------------------------------------------------------------
    def setup_routes(self) -> None:
        api = "/api/v5"
        self.route("GET", api + "/public/instruments", self.instruments)
        self.route("GET", api + "/market/tickers", self.tickers)
        self.route("GET", api + "/market/ticker", self.one_ticker)
        self.route("GET", api + "/market/books", self.books)
        self.route("GET", api + "/market/candles", self.candles)
        self.route("GET", api + "/market/history-candles", self.candles)   # same rows shape
        self.route("GET", api + "/market/trades", self.trades)
        self.route("GET", api + "/account/balance", self.private(self.balance))
        self.route("POST", api + "/trade/order", self.private(self.place))
        self.route("POST", api + "/trade/cancel-order", self.private(self.cancel))
        self.route("GET", api + "/trade/order", self.private(self.get_order))
        self.route("GET", api + "/trade/orders-pending", self.private(self.pending))

    def private(self, handler):
        """Check the key, passphrase, timestamp and signature as OKX does."""
        async def checked(request: web.Request) -> web.Response:
            h = request.headers
            if self.error_next is not None:
                (status, code, msg), self.error_next = self.error_next, None
                return fail(code, msg, status)
            for name in ("OK-ACCESS-KEY", "OK-ACCESS-SIGN", "OK-ACCESS-TIMESTAMP",
                         "OK-ACCESS-PASSPHRASE"):
                if name not in h:
                    return fail("50103" if name == "OK-ACCESS-KEY" else "50104",
                                f"Request header {name} can not be empty.", 401)
            if h["OK-ACCESS-KEY"] != self.credentials.api_key:
                return fail("50111", "Invalid OK-ACCESS-KEY.", 401)
            if h["OK-ACCESS-PASSPHRASE"] != self.credentials.passphrase:
                return fail("50105", "Request header OK-ACCESS-PASSPHRASE incorrect.", 401)
            path = request.path + (f"?{request.query_string}" if request.query_string else "")
            body = await request.text()
            prehash = h["OK-ACCESS-TIMESTAMP"] + request.method + path + body
            want = base64.b64encode(hmac.new(self.credentials.secret.encode(), prehash.encode(),
                                             hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(want, h["OK-ACCESS-SIGN"]):
                return fail("50113", "Invalid Sign", 401)
            return await handler(request)
        return checked

    async def instruments(self, request):
        if request.query.get("instType") != "SPOT":
            return fail("51000", "Parameter instType error")
        return ok(INSTRUMENTS)

    async def tickers(self, request):
        if self.malformed:
            return ok([{"instId": "BTC-USDT"}])
        return ok([ticker("BTC-USDT"), ticker("ETH-USDT", "2200.55"), ticker("NEW-USDT")])

    async def one_ticker(self, request):
        inst = request.query.get("instId")
        if inst not in {i["instId"] for i in INSTRUMENTS}:
            return fail("51001", "Instrument ID does not exist")
        return ok([ticker(inst)])

    async def books(self, request):
        size = int(request.query.get("sz", "1"))
        return ok([{"asks": [["43000.2", "0.5", "0", "3"], ["43000.3", "1.2", "0", "1"]][:size],
                    "bids": [["43000.1", "1.5", "0", "2"], ["43000", "0.25", "0", "1"]][:size],
                    "ts": "1700000000500"}])

    async def candles(self, request):
        rows = [["1700007200000", "43100", "43200.5", "43050", "43150.1", "12.5", "539000",
                 "539000", "0"],
                ["1700003600000", "43000", "43150", "42950.1", "43100", "20.25", "871000",
                 "871000", "1"],
                ["1700000000000", "42900.5", "43010", "42800", "43000", "8", "343000",
                 "343000", "1"]]
        return ok(rows[:int(request.query.get("limit", "100"))])

    async def trades(self, request):
        inst = request.query["instId"]
        return ok([{"instId": inst, "side": "sell", "sz": "0.0009478", "px": "43000.1",
                    "tradeId": "497859872", "ts": "1700000000300"},
                   {"instId": inst, "side": "buy", "sz": "0.5", "px": "43000.2",
                    "tradeId": "497859871", "ts": "1700000000200"}])

    async def balance(self, request):
        details = [{"ccy": c, "eq": eq, "cashBal": eq, "availBal": avail, "frozenBal": frozen,
                    "ordFrozen": frozen, "uTime": "1700000000000"}
                   for c, (eq, avail, frozen) in self.balances.items()]
        return ok([{"totalEq": "53000", "uTime": "1700000000000", "details": details}])

    async def place(self, request):
        body = json.loads(await request.text())
        cid = body.get("clOrdId", "")
        if self.order_error is not None:
            (code, msg), self.order_error = self.order_error, None
            return fail("1", "All operations failed",
                        data=[{"clOrdId": cid, "ordId": "", "sCode": code, "sMsg": msg,
                               "tag": "", "ts": str(FIXED_TS)}])
        if body.get("instId") not in {i["instId"] for i in INSTRUMENTS}:
            return fail("1", "All operations failed",
                        data=[{"clOrdId": cid, "ordId": "", "sCode": "51001",
                               "sMsg": "Instrument ID does not exist", "tag": "", "ts": ""}])
        oid = str(next(self.order_ids))
        market = body["ordType"] == "market"
        self.orders[oid] = {
            "instType": "SPOT", "instId": body["instId"], "ordId": oid, "clOrdId": cid,
            "side": body["side"], "ordType": body["ordType"], "px": body.get("px", ""),
            "sz": body["sz"], "tgtCcy": body.get("tgtCcy", ""), "tdMode": body["tdMode"],
            "accFillSz": body["sz"] if market else "0", "avgPx": "43000.2" if market else "",
            "state": "filled" if market else "live", "fee": "-0.0001" if market else "0",
            "feeCcy": "BTC", "cTime": str(FIXED_TS), "uTime": str(FIXED_TS)}
        return ok([{"clOrdId": cid, "ordId": oid, "sCode": "0", "sMsg": "Order placed",
                    "tag": "", "ts": str(FIXED_TS)}])

    async def cancel(self, request):
        body = json.loads(await request.text())
        order = self.orders.get(body.get("ordId", ""))
        if order is None or order["state"] not in ("live", "partially_filled"):
            return fail("1", "All operations failed", data=[{
                "clOrdId": "", "ordId": body.get("ordId", ""), "sCode": "51400",
                "sMsg": "Cancellation failed as the order has been filled, canceled or does "
                        "not exist."}])
        order["state"] = "canceled"
        return ok([{"clOrdId": order["clOrdId"], "ordId": order["ordId"], "sCode": "0",
                    "sMsg": ""}])

    async def get_order(self, request):
        q = request.query
        if "ordId" in q:
            order = self.orders.get(q["ordId"])
        else:
            order = next((o for o in self.orders.values() if o["clOrdId"] == q.get("clOrdId")),
                         None)
        if order is None or order["instId"] != q.get("instId"):
            return fail("51603", "Order does not exist")
        return ok([order])

    async def pending(self, request):
        inst = request.query.get("instId")
        return ok([o for o in self.orders.values()
                   if o["state"] in ("live", "partially_filled")
                   and (inst is None or o["instId"] == inst)])

    # -- websocket -------------------------------------------------------------------------
    def _levels(self, side: dict, reverse: bool) -> list[list[str]]:
        return [[p, s, "0", "1"] for p, s in sorted(side.items(), key=lambda x: Decimal(x[0]),
                                                     reverse=reverse)]

    def checksum(self) -> int:
        """OKX's CRC32 over the top 25 levels' texts as sent, bid/ask interleaved, signed."""
        bids, asks = self._levels(self.bids, True)[:25], self._levels(self.asks, False)[:25]
        parts = []
        for i in range(25):
            for side in (bids, asks):
                if i < len(side):
                    parts += side[i][:2]
        crc = zlib.crc32(":".join(parts).encode())
        return crc - 2**32 if crc >= 2**31 else crc

    def book_frame(self, action: str, bids, asks, prev: int, checksum: int) -> dict:
        return {"arg": {"channel": "books", "instId": "BTC-USDT"}, "action": action,
                "data": [{"asks": asks, "bids": bids, "ts": "1700000001000",
                          "checksum": checksum, "prevSeqId": prev, "seqId": self.seq}]}

    async def push_book_update(self, bids=(), asks=(), *, bad_checksum=False, gap=False):
        """Change the server's book and push the delta (optionally broken)."""
        for side, changes in ((self.bids, bids), (self.asks, asks)):
            for price, size in changes:
                if Decimal(size):
                    side[price] = size
                else:
                    side.pop(price, None)
        prev = self.seq
        self.seq += 2 if gap else 1
        if gap:
            prev += 1   # a frame was lost: prevSeqId no longer matches the client's last seqId
        checksum = self.checksum() + (1 if bad_checksum else 0)
        frame = self.book_frame("update", [[p, s, "0", "1"] for p, s in bids],
                                [[p, s, "0", "1"] for p, s in asks], prev, checksum)
        await self.broadcast(frame)

    async def on_ws_text(self, ws, message) -> None:
        if message == "ping":
            await ws.send_str("pong")
            return
        if not isinstance(message, dict) or message.get("op") != "subscribe":
            return
        for arg in message["args"]:
            channel, inst = arg["channel"], arg["instId"]
            if inst not in {i["instId"] for i in INSTRUMENTS}:
                await ws.send_json({"event": "error", "code": "60018",
                                    "msg": f"Wrong URL or channel:{channel},instId:{inst} "
                                           f"doesn't exist", "connId": "a4d3ae55"})
                continue
            await ws.send_json({"event": "subscribe", "arg": arg, "connId": "a4d3ae55"})
            if channel == "books":
                self.book_subscribes += 1
                await ws.send_json(self.book_frame("snapshot", self._levels(self.bids, True),
                                                   self._levels(self.asks, False), -1,
                                                   self.checksum()))
            elif channel == "tickers":
                await ws.send_json({"arg": arg, "data": [ticker(inst)]})
            elif channel == "trades":
                await ws.send_json({"arg": arg, "data": [
                    {"instId": inst, "tradeId": "130639474", "px": "43000.2", "sz": "0.25",
                     "side": "buy", "ts": "1700000000400", "count": "1"}]})


FAKE = FakeOKX
