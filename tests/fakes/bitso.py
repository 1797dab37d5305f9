"""A fake Bitso (https://docs.bitso.com/bitso-api/docs/api-overview): /api/v3 routes in the
{"success", "payload"} envelope, `Authorization: Bitso key:nonce:signature` checked as the docs
build it (hex HMAC-SHA256 of nonce + method + path with query + JSON body, nonces increasing),
errors {"success": false, "error": {"code", "message"}}. Reply shapes from the official Java
SDK's fixtures (bitsoex/bitso-java src/test/java/JSONFiles) and ccxt's recorded replies.
The websocket: `trades` and `diff-orders`, each book level one order whose diffs carry the
book's sequence (ServerBook.seq, one up per change)."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import time
from decimal import Decimal

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID, SYMBOL = "bitso", "BTC/MXN"
CREDENTIALS = Credentials(api_key="BitsoKey123", secret="bitso-secret-0123456789abcdef")
BOOKS = [  # publicAvailableBooks.json (bitso-java), with ccxt's recorded tick_size field
    {"book": "btc_mxn", "minimum_price": "500.00", "maximum_price": "8000000.00",
     "minimum_amount": "0.00015", "maximum_amount": "500.00000000", "minimum_value": "5",
     "maximum_value": "10000000.00", "tick_size": "0.01"},
    {"book": "eth_mxn", "minimum_price": "10.00", "maximum_price": "500000.00",
     "minimum_amount": "0.001", "maximum_amount": "100000.00000000", "minimum_value": "5.00",
     "maximum_value": "10000000.00", "tick_size": "0.01"}]
# ccxt's recorded public trade (ts/src/test/static/response/bitso.json).
TRADES = [{"book": "btc_usdt", "created_at": "2024-03-13T10:59:59+0000",
           "amount": "0.00007045", "maker_side": "sell", "price": "73320", "tid": "119089863"}]
KINDS = {"diff-orders": "book", "trades": "trades"}
STATUS = {"filled": "completed", "canceled": "cancelled"}
ERRORS = {"funds": ("0379", "Insufficient balance"), "symbol": ("0301", "Unknown Order book"),
          "duplicate": ("0303", "origin_id already used"),
          "auth": ("0201", "Invalid Nonce or Invalid Credentials")}


def _err(kind, status=400):
    code, message = ERRORS[kind]
    return json_response({"success": False, "error": {"code": code, "message": message}},
                         status=status)


def ok(payload):
    return json_response({"success": True, "payload": payload})


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(ms // 1000))


class FakeBitso(KitVenue):
    snapshot_on_subscribe = False       # the book comes from GET /order_book?aggregate=false

    def __init__(self) -> None:
        ms = itertools.count(1710328244969, 7)
        self.clock = lambda: next(ms)
        self.books = {"btc_mxn": ServerBook.around("1200000", "0.01", seq=18805917),
                      "eth_mxn": ServerBook({"60000.00": "1"}, {"60100.00": "1"}, seq=400)}
        self.store = OrderStore({b["book"]: tuple(b["book"].upper().split("_")) for b in BOOKS},
                                {"MXN": "5000000", "BTC": "2", "ETH": "0"},
                                clock=lambda: self.clock(), first_id=1,
                                make_id=lambda n: f"qlbga6b600n{n:05d}")
        self.level_ids: dict[tuple, str] = {}
        self.last_nonce = 0
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.lower().replace("/", "_")

    def setup_routes(self) -> None:
        for path, handler in [("available_books", self.available_books),
                              ("ticker", self.ticker), ("order_book", self.order_book),
                              ("trades", self.trades), ("ohlc", self.ohlc)]:
            self.route("GET", f"/api/v3/{path}", handler)
        for method, path, handler in [
                ("GET", "balance", self.balance), ("POST", "orders", self.place),
                ("DELETE", "orders/{oid}", self.cancel), ("GET", "orders/{oid}", self.lookup),
                ("GET", "orders", self.lookup), ("GET", "open_orders", self.open_orders),
                ("GET", "user_trades", self.user_trades)]:
            self.route(method, f"/api/v3/{path}", self.signed(handler))
        self.add_ws()

    def check_auth(self, q, body):
        key, _, rest = q.headers.get("Authorization", "").removeprefix("Bitso ").partition(":")
        nonce, _, signature = rest.partition(":")
        path = q.path + (f"?{q.query_string}" if q.query_string else "")
        want = hmac.new(CREDENTIALS.secret.encode(), f"{nonce}{q.method}{path}{body}".encode(),
                        hashlib.sha256).hexdigest()
        if key != CREDENTIALS.api_key or not nonce.isdigit() or int(nonce) <= self.last_nonce \
                or not hmac.compare_digest(signature, want):
            return _err("auth", 401)
        self.last_nonce = int(nonce)
        return None

    # -- public ------------------------------------------------------------------------------
    async def available_books(self, q):
        return ok(BOOKS)

    def tick(self, book):
        b = self.books[book]
        return {"high": "1250000.00", "last": f"{b.best('bids')}", "created_at": _iso(self.clock()),
                "book": book, "volume": "33.96216034", "vwap": "1210000.0822715099",
                "low": "1150000.00", "ask": f"{b.best('asks')}", "bid": f"{b.best('bids')}",
                "change_24": "1239"}

    async def ticker(self, q):
        book = q.query.get("book")
        if book is not None and book not in self.books:
            return _err("symbol")
        return ok(self.tick(book) if book else [self.tick(b) for b in self.books])

    def level_id(self, book, side, price) -> str:
        key = (book, side, Decimal(price))
        return self.level_ids.setdefault(key, f"lv{len(self.level_ids):06d}{side[0]}")

    async def order_book(self, q):
        book, by_order = q.query["book"], q.query.get("aggregate") == "false"
        b = self.books[book]
        return ok({"updated_at": _iso(self.clock()), "sequence": str(b.seq), **{
            side: [{"book": book, "price": p, "amount": a,
                    **({"oid": self.level_id(book, side, p)} if by_order else {})}
                   for p, a in b.top(side, None if by_order else 50)]
            for side in ("bids", "asks")}})

    async def trades(self, q):
        return ok([{**t, "book": q.query["book"]} for t in TRADES])

    async def ohlc(self, q):
        step, start = int(q.query["time_bucket"]) * 1000, int(q.query["start"])
        return ok([{"bucket_start_time": start + i * step, "first_trade_time": start + i * step,
                    "last_trade_time": start + i * step + 1, "first_rate": "44958.60",
                    "last_rate": f"4497{i}.88", "min_rate": "44957.33", "max_rate": "44999.88",
                    "trade_count": 8, "volume": "0.00082814", "vwap": "44965.02"}
                   for i in range(3)])

    # -- private -----------------------------------------------------------------------------
    async def balance(self, q, p):
        return ok({"balances": [
            {"currency": c.lower(), "available": str(f), "locked": str(u), "total": str(f + u),
             "pending_deposit": "0", "pending_withdrawal": "0"}
            for c, (f, u) in self.store.balances().items()]})

    async def place(self, q, p):
        if p.get("origin_id") and self.store.find(cid=p["origin_id"]):
            return _err("duplicate")
        try:
            o = self.store.place(p.get("book"), p["side"], p["type"], p["major"],
                                 p.get("price"), p.get("origin_id"),
                                 book=self.books.get(p.get("book")))
        except Rejected as exc:
            return _err(exc.kind if exc.kind in ERRORS else "funds")
        return ok({"oid": o.id})

    async def cancel(self, q, p):
        o = self.store.find(q.match_info["oid"])
        if o is not None and o.status == "open":
            self.store.cancel(o.id)
            return ok([o.id])
        return ok([])       # "might not successfully cancel": it is not in the list

    def order_row(self, o) -> dict:
        status = STATUS.get(o.status) or ("partially filled" if o.filled else "open")
        return {"book": o.symbol, "original_amount": str(o.amount),
                "unfilled_amount": str(o.remaining), "original_value": str(o.cost),
                "created_at": _iso(o.created), "updated_at": _iso(o.updated),
                "price": str(o.price) if o.price is not None else None, "oid": o.id,
                "origin_id": o.cid, "side": o.side, "status": status, "type": o.type}

    async def lookup(self, q, p):
        # Finished orders are listed "for a one-hour window": the fake's tests are shorter.
        if "oid" in q.match_info:
            found = [self.store.find(q.match_info["oid"])]
        else:
            found = [self.store.find(cid=c) for c in p.get("origin_ids", "").split(",")]
        return ok([self.order_row(o) for o in found if o is not None])

    async def open_orders(self, q, p):
        rows = sorted(self.store.open(p.get("book")), key=lambda o: o.id, reverse=True)
        if p.get("marker"):
            rows = [o for o in rows if o.id < p["marker"]]
        return ok([self.order_row(o) for o in rows[:int(p.get("limit") or 25)]])

    async def user_trades(self, q, p):
        fills = sorted(self.store.fills_of(p.get("book")), key=lambda f: -int(f.id))
        if p.get("marker"):
            fills = [f for f in fills if int(f.id) < int(p["marker"])]
        return ok([{"book": f.symbol, "major": str(f.amount if f.side == "buy" else -f.amount),
                    "minor": str(-f.price * f.amount if f.side == "buy" else f.price * f.amount),
                    "created_at": _iso(f.time), "fees_amount": str(-f.fee),
                    "fees_currency": f.fee_currency.lower(), "price": str(f.price),
                    "tid": int(f.id), "oid": f.order_id, "side": f.side,
                    "maker_side": f.side if not f.taker else
                    ("sell" if f.side == "buy" else "buy")}
                   for f in fills[:int(p.get("limit") or 25)]])

    # -- websocket ---------------------------------------------------------------------------
    def subscriptions(self, message):
        if not isinstance(message, dict) or message.get("action") != "subscribe":
            return None
        return [Sub(KINDS.get(message.get("type"), message.get("type")), message.get("book"))]

    async def acknowledge(self, ws, message, subs):
        await self.send(ws, {"action": "subscribe", "response": "ok",
                             "time": self.clock(), "type": message["type"]})

    def refusal(self, message, subs):
        # The shape of a refused subscription is not documented (unconfirmed).
        return {"action": "subscribe", "response": "invalid book", "time": self.clock(),
                "type": message["type"]}

    def book_message(self, book, changes):
        rows = []
        for side, levels in zip(("bids", "asks"), changes):
            for price, amount in levels:
                row = {"o": self.level_id(book, side, price), "d": self.clock(), "r": price,
                       "t": 0 if side == "bids" else 1}
                rows.append({**row, "a": amount, "v": str(Decimal(amount) * Decimal(price)),
                             "s": "open"} if Decimal(amount) else
                            {**row, "s": "cancelled", "z": self.clock()})
        return {"type": "diff-orders", "book": book, "sequence": self.books[book].seq,
                "payload": rows, "sent": self.clock()}


FAKE = FakeBitso
