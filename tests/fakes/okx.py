"""A fake OKX v5 venue on the fake-server kit: paths, reply shapes and error codes from
https://www.okx.com/docs-v5/en/ (each endpoint's "Response Example"), the signature and
passphrase checked as OKX does, open orders paged as documented (at most 100 a request, newest
first, older ones with `after=<ordId>`), and the public websocket's `books` channel (snapshot,
then updates chained by seqId/prevSeqId; checksum 0, as the docs now say, unless `checksums`)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import zlib
from decimal import Decimal

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID = "okx"
SYMBOL = "BTC/USDT"
CREDENTIALS = Credentials(api_key="okx-test-key", secret="okx-test-secret",
                          passphrase="okx-test-passphrase")
FIXED_TS = 1_700_000_000_000
D = Decimal


def _inst(base, tick, lot, min_sz, state="live"):
    return {"instType": "SPOT", "instId": f"{base}-USDT", "baseCcy": base, "quoteCcy": "USDT",
            "tickSz": tick, "lotSz": lot, "minSz": min_sz, "maxLmtSz": "9999999999",
            "maxMktSz": "1000000", "state": state, "listTime": "1606468572000"}


INSTRUMENTS = [_inst("BTC", "0.1", "0.00000001", "0.00001"), _inst("ETH", "0.01", "0.000001",
               "0.001"), _inst("OLD", "0.0001", "1", "10", "suspend")]
KINDS = {"books": "book", "tickers": "ticker", "trades": "trades"}
REFUSALS = {"funds": ("51008", "Order failed. Insufficient balance in account."),
            "duplicate": ("51016", "Duplicated clOrdId"),
            "symbol": ("51001", "Instrument ID does not exist")}


def ok(data):
    return json_response({"code": "0", "msg": "", "data": data})


def fail(code, msg, status=200, data=None):
    return json_response({"code": code, "msg": msg, "data": data or []}, status=status)


def item_fail(code, msg, **ids):
    return fail("1", "All operations failed", data=[{"clOrdId": "", "ordId": "", **ids,
                                                     "sCode": code, "sMsg": msg}])


def ticker(inst_id: str, last: str = "43000.1") -> dict:
    return {"instType": "SPOT", "instId": inst_id, "last": last, "lastSz": "0.01",
            "askPx": "43000.2", "askSz": "1.5", "bidPx": "43000.1", "bidSz": "2.25",
            "open24h": "42000", "high24h": "43500.5", "low24h": "41800", "volCcy24h":
            "215000000.123", "vol24h": "5000.12345678", "ts": "1700000000123",
            "sodUtc0": "42500", "sodUtc8": "42600"}


class FakeOKX(KitVenue):
    ws_path = "/ws/v5/public"

    def __init__(self, credentials: Credentials = CREDENTIALS) -> None:
        self.credentials, self.instruments = credentials, list(INSTRUMENTS)
        self.books = {i["instId"]: ServerBook.around("100", i["tickSz"], 5)
                      for i in self.instruments}
        self.books["BTC-USDT"] = ServerBook({"43000.1": "1.5", "43000": "0.25", "42999.9": "3"},
                                            {"43000.2": "0.5", "43000.3": "1.2",
                                             "43001": "0.00000010"}, seq=100)
        self.store = OrderStore({i["instId"]: (i["baseCcy"], i["quoteCcy"])
                                 for i in self.instruments}, {"BTC": "1.25", "USDT": "9000.5"},
                                clock=lambda: FIXED_TS, fee_rate="0.0002", first_id=1_000_000_001)
        self.store.used.update(BTC=D("0.25"), USDT=D("1000"))
        self.order_error = self.error_next = None   # next order's sCode/sMsg; next signed reply
        self.malformed = self.checksums = self.bad_checksum_next = False
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "-")

    def setup_routes(self) -> None:
        r, s, api = self.route, self.signed, "/api/v5"
        r("GET", api + "/public/instruments", self.instruments_)
        r("GET", api + "/market/tickers", self.tickers)
        r("GET", api + "/market/ticker", self.one_ticker)
        r("GET", api + "/market/books", self.rest_book)
        r("GET", api + "/market/candles", self.candles)
        r("GET", api + "/market/history-candles", self.candles)    # same rows shape
        r("GET", api + "/market/trades", self.trades)
        r("GET", api + "/account/balance", s(self.balance))
        r("POST", api + "/trade/order", s(self.place))
        r("POST", api + "/trade/cancel-order", s(self.cancel))
        r("GET", api + "/trade/order", s(self.get_order))
        r("GET", api + "/trade/orders-pending", s(self.pending))
        r("GET", api + "/trade/fills-history", s(self.fills_history))
        self.add_ws()

    def check_auth(self, request, body):
        """Key, passphrase, then base64 HMAC-SHA256 of timestamp+METHOD+path?query+body."""
        h, c = request.headers, self.credentials
        if self.error_next is not None:
            (status, code, msg), self.error_next = self.error_next, None
            return fail(code, msg, status)
        for name, code in (("KEY", "50103"), ("PASSPHRASE", "50104"), ("SIGN", "50106"),
                           ("TIMESTAMP", "50107")):
            if not h.get(f"OK-ACCESS-{name}"):
                return fail(code, f"Request header OK-ACCESS-{name} can not be empty.", 401)
        if h["OK-ACCESS-KEY"] != c.api_key:
            return fail("50111", "Invalid OK-ACCESS-KEY.", 401)
        if h["OK-ACCESS-PASSPHRASE"] != c.passphrase:
            return fail("50105", "Request header OK-ACCESS-PASSPHRASE incorrect.", 401)
        path = request.path + (f"?{request.query_string}" if request.query_string else "")
        prehash = h["OK-ACCESS-TIMESTAMP"] + request.method + path + body
        want = hmac.new(c.secret.encode(), prehash.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(base64.b64encode(want).decode(), h["OK-ACCESS-SIGN"]):
            return fail("50113", "Invalid signature.", 401)
        return None

    # -- public ------------------------------------------------------------------------------
    async def instruments_(self, request):
        if request.query.get("instType") != "SPOT":
            return fail("51000", "Parameter instType error")
        return ok(self.instruments)

    async def tickers(self, request):
        if self.malformed:
            return ok([{"instId": "BTC-USDT"}])
        return ok([ticker("BTC-USDT"), ticker("ETH-USDT", "2200.55"), ticker("NEW-USDT")])

    async def one_ticker(self, request):
        if request.query.get("instId") not in self.books:
            return fail("51001", "Instrument ID does not exist")
        return ok([ticker(request.query["instId"])])

    async def rest_book(self, request):
        book, sz = self.books[request.query["instId"]], int(request.query.get("sz", "1"))
        return ok([{side: [[p, a, "0", "1"] for p, a in book.top(side, sz)]
                    for side in ("asks", "bids")} | {"ts": "1700000000500"}])

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

    # -- private -----------------------------------------------------------------------------
    async def balance(self, request, p):
        return ok([{"totalEq": "53000", "uTime": str(FIXED_TS), "details": [
            {"ccy": c, "eq": str(f + u), "cashBal": str(f + u), "availBal": str(f),
             "frozenBal": str(u), "ordFrozen": str(u), "uTime": str(FIXED_TS)}
            for c, (f, u) in self.store.balances().items()]}])

    def order_row(self, o) -> dict:
        base, quote = self.store.markets[o.symbol]
        buy = o.side == "buy"       # a buy pays its fee in the base it receives
        state = {"open": "partially_filled" if o.filled else "live"}.get(o.status, o.status)
        return {"instType": "SPOT", "instId": o.symbol, "ordId": o.id, "clOrdId": o.cid or "",
                "side": o.side, "ordType": o.type, "px": str(o.price or ""), "sz": str(o.amount),
                "tgtCcy": o.options.get("tgtCcy", ""), "tdMode": "cash",
                "accFillSz": str(o.filled), "avgPx": str(o.average or ""), "state": state,
                "fee": str(-(o.filled * self.store.fee_rate if buy else o.fee)),
                "feeCcy": base if buy else quote, "cTime": str(o.created),
                "uTime": str(o.updated)}

    async def place(self, request, p):
        if self.order_error is not None:
            (code, msg), self.order_error = self.order_error, None
            return item_fail(code, msg, clOrdId=p.get("clOrdId", ""))
        try:
            o = self.store.place(p.get("instId"), p["side"], p["ordType"], p["sz"], p.get("px"),
                                 p.get("clOrdId") or None, book=self.books.get(p.get("instId")),
                                 tgtCcy=p.get("tgtCcy", ""))
        except Rejected as exc:
            return item_fail(*REFUSALS[exc.kind], clOrdId=p.get("clOrdId", ""))
        return ok([{"clOrdId": o.cid or "", "ordId": o.id, "sCode": "0", "sMsg": "Order placed",
                    "tag": "", "ts": str(o.created)}])

    async def cancel(self, request, p):
        o = self.store.find(p.get("ordId"))
        if o is None or o.symbol != p.get("instId") or o.status != "open":
            return item_fail("51400", "Cancellation failed as the order has been filled, "
                                      "canceled or does not exist.", ordId=p.get("ordId", ""))
        self.store.cancel(o.id)
        return ok([{"clOrdId": o.cid or "", "ordId": o.id, "sCode": "0", "sMsg": ""}])

    async def get_order(self, request, p):
        o = self.store.find(p.get("ordId"), p.get("clOrdId"))     # ordId wins when both
        if o is None or o.symbol != p.get("instId"):
            return fail("51603", "Order does not exist")
        return ok([self.order_row(o)])

    async def pending(self, request, p):
        """Newest first; `after`: "records earlier than the requested ordId"; "The maximum is
        100; The default is 100"."""
        rows = sorted(self.store.open(p.get("instId")), key=lambda o: -int(o.id))
        if "after" in p:
            rows = [o for o in rows if int(o.id) < int(p["after"])]
        return ok([self.order_row(o) for o in rows[:min(int(p.get("limit", 100)), 100)]])

    async def fills_history(self, request, p):
        """Newest first by billId; `after`: records earlier than that billId; `begin`/`end`
        filter on ts; "The maximum is 100; The default is 100". Row keys as in the docs'
        Response Example of "Get transaction details (last 3 months)"
        (https://www.okx.com/docs-v5/en/#order-book-trading-trade-get-transaction-details-last-3-months)."""
        if p.get("instType") != "SPOT":
            return fail("51000", "Parameter instType error")
        rows = sorted(self.store.fills_of(p.get("instId")), key=lambda f: -int(f.id))
        rows = [f for f in rows if int(f.id) * 10 + 1 < int(p.get("after", 1 << 70))
                and int(p.get("begin", 0)) <= f.time <= int(p.get("end", 1 << 70))]
        return ok([self.fill_row(f) for f in rows[:min(int(p.get("limit", 100)), 100)]])

    def fill_row(self, f) -> dict:
        return {"instType": "SPOT", "instId": f.symbol, "tradeId": f.id,
                "ordId": f.order_id, "clOrdId": self.store.orders[f.order_id].cid or "",
                "billId": str(int(f.id) * 10 + 1), "subType": "1" if f.side == "buy" else "2", "tag": "",
                "fillPx": str(f.price), "fillSz": str(f.amount), "fillIdxPx": "",
                "fillPnl": "0", "side": f.side, "posSide": "net",
                "execType": "T" if f.taker else "M", "feeCcy": f.fee_currency,
                "fee": str(-f.fee), "feeRate": "-0.0002", "ts": str(f.time),
                "fillTime": str(f.time), "tradeQuoteCcy": "USDT"}

    # -- websocket ---------------------------------------------------------------------------
    async def on_ws_text(self, ws, message) -> None:
        if message == "ping":
            await ws.send_str("pong")
        elif isinstance(message, dict) and message.get("op") == "subscribe" and any(
                a.get("instId") not in self.books for a in message.get("args", ())):
            await self.send(ws, self.refusal(message, []))
        else:
            await super().on_ws_text(ws, message)

    def subscriptions(self, message):
        if not isinstance(message, dict) or message.get("op") not in ("subscribe", "unsubscribe"):
            return None
        return [Sub(KINDS.get(a["channel"], a["channel"]), a["instId"],
                    message["op"] == "subscribe") for a in message.get("args", ())]

    async def acknowledge(self, ws, message, subs):
        for arg, sub in zip(message["args"], subs):
            await self.send(ws, self.reply(message, event=message["op"], arg=arg))
            first = {"ticker": self.ticker_message, "trades": self.trade_message}.get(sub.kind)
            if sub.on and first is not None:                      # the first push
                await self.send(ws, first(sub.symbol))

    def refusal(self, message, subs):
        arg = message["args"][0]
        return self.reply(message, event="error", code="60018", msg=f"Wrong URL or channel:"
                          f"{arg['channel']},instId:{arg['instId']} doesn't exist")

    @staticmethod
    def reply(message, **fields):
        """An event frame; the request's `id` "will be returned in response message"."""
        return {**{k: message[k] for k in ("id",) if k in message}, **fields,
                "connId": "a4d3ae55"}

    def ticker_message(self, inst):
        return {"arg": {"channel": "tickers", "instId": inst}, "data": [ticker(inst)]}

    def trade_message(self, inst):
        return {"arg": {"channel": "trades", "instId": inst}, "data": [
            {"instId": inst, "tradeId": "130639474", "px": "43000.2", "sz": "0.25",
             "side": "buy", "ts": "1700000000400", "count": "1", "seqId": 1234}]}

    def checksum(self, book: ServerBook) -> int:
        """The top 25 levels' texts as sent, bid/ask interleaved, CRC32 as a signed int."""
        bids, asks = book.top("bids", 25), book.top("asks", 25)
        text = ":".join(x for i in range(25) for side in (bids, asks) if i < len(side)
                        for x in side[i])
        crc = zlib.crc32(text.encode())
        return (crc - 2**32 if crc >= 2**31 else crc) + self.bad_checksum_next

    def book_message(self, inst, changes):
        book, snap = self.books[inst], changes is None
        bids, asks = (book.top("bids"), book.top("asks")) if snap else changes
        checksum = self.checksum(book) if self.checksums else 0
        self.bad_checksum_next = False
        return {"arg": {"channel": "books", "instId": inst},
                "action": "snapshot" if snap else "update",
                "data": [{"asks": [[p, a, "0", "1"] for p, a in asks],
                          "bids": [[p, a, "0", "1"] for p, a in bids], "ts": "1700000001000",
                          "checksum": checksum, "prevSeqId": -1 if snap else book.seq - 1,
                          "seqId": book.seq}]}


FAKE = FakeOKX
