"""A fake Foxbit on the fake-server kit: REST v3 paths and reply shapes from ccxt's recorded
replies (ts/src/test/static/response/foxbit.json) and the docs examples ccxt quotes; the
X-FB-ACCESS signature checked as Foxbit's own sample signs it (foxbit-group/foxbit-api-samples,
rest-v3/python/example.py: decoded query in the prehash); websocket v3 with orderbook
snapshot/update frames carrying sequence ids (websocket-v3 manage-local-orderbook sample)."""
from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime, timezone
from urllib.parse import unquote

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID, SYMBOL = "foxbit", "BTC/BRL"
CREDENTIALS = Credentials(api_key="fb-key-0123456789", secret="fb-secret-abcdef")
MARKETS = {"btcbrl": ("btc", "brl", "1", "0.00000001", "0.00000236"),
           "ethbrl": ("eth", "brl", "0.01", "0.000001", "0.0001"),
           "btcusdt": ("btc", "usdt", "0.01", "0.00000001", "0.00001")}
STATE = {"open": "ACTIVE", "filled": "FILLED", "canceled": "CANCELED"}
BOOK = "orderbook-250"


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")


def err(code: int, message: str, status: int = 400):
    return json_response({"error": {"code": code, "message": message, "details": []}},
                         status=status)


class FakeFoxbit(KitVenue):
    ws_path = "/ws/v3/public"

    def __init__(self) -> None:
        self.clock = lambda: time.time_ns() // 1_000_000
        self.books = {"btcbrl": ServerBook.around("550000", "1"),
                      "ethbrl": ServerBook.around("20000", "0.01"),
                      "btcusdt": ServerBook.around("95000", "0.01")}
        self.store = OrderStore({m: (v[0].upper(), v[1].upper()) for m, v in MARKETS.items()},
                                {"BRL": "1000000", "BTC": "2", "USDT": "0", "ETH": "0"},
                                first_id=4971404189)
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "").lower()

    def setup_routes(self) -> None:
        for path, handler in [("markets", self.markets), ("markets/ticker/24hr", self.tickers),
                              ("markets/{m}/ticker/24hr", self.ticker),
                              ("markets/{m}/orderbook", self.orderbook),
                              ("markets/{m}/candlesticks", self.candles),
                              ("markets/{m}/trades/history", self.trades)]:
            self.route("GET", "/rest/v3/" + path, handler)
        for method, path, handler in [("GET", "accounts", self.accounts),
                                      ("POST", "orders", self.place),
                                      ("GET", "orders", self.orders),
                                      ("GET", "orders/by-order-id/{id}", self.order),
                                      ("PUT", "orders/cancel", self.cancel),
                                      ("GET", "trades", self.fills)]:
            self.route(method, "/rest/v3/" + path, self.signed(handler))
        self.add_ws()

    def check_auth(self, q, body):
        """hex HMAC-SHA256(secret, timestamp + METHOD + path + decoded query + body), the
        timestamp within 30 s (the window is unconfirmed)."""
        h = q.headers
        ts = h.get("X-FB-ACCESS-TIMESTAMP", "")
        msg = f"{ts}{q.method}{q.path}{unquote(q.query_string)}{body}"
        want = hmac.new(CREDENTIALS.secret.encode(), msg.encode(), hashlib.sha256).hexdigest()
        if h.get("X-FB-ACCESS-KEY") != CREDENTIALS.api_key:
            return err(2003, "Invalid access key.", 401)
        if not ts.isdigit() or abs(int(ts) - self.clock()) > 30_000:
            return err(2004, "Invalid timestamp.", 401)
        if not hmac.compare_digest(want, h.get("X-FB-ACCESS-SIGNATURE", "")):
            return err(2002, "Invalid signature.", 401)
        return None

    # -- public ------------------------------------------------------------------------------
    async def markets(self, q):
        return json_response({"data": [
            {"symbol": m, "quantity_min": qmin, "quantity_increment": qinc,
             "quantity_precision": 8, "price_min": pinc, "price_increment": pinc,
             "price_precision": 2, "default_fees": {"maker": "0.001", "taker": "0.001"},
             "base": {"symbol": b, "name": b, "type": "CRYPTO", "precision": 8},
             "quote": {"symbol": c, "name": c, "type": "CRYPTO", "precision": 8},
             "order_type": ["LIMIT", "MARKET", "INSTANT", "STOP_LIMIT", "STOP_MARKET"]}
            for m, (b, c, pinc, qinc, qmin) in MARKETS.items()]})

    def tick(self, m: str) -> dict:
        book = self.books[m]
        (bid, bv), (ask, av) = book.top("bids", 1)[0], book.top("asks", 1)[0]
        return {"market_symbol": m,
                "last_trade": {"price": bid, "volume": "0.00027893",
                               "date": "2024-08-02T00:12:21.000Z"},
                "rolling_24h": {"price_change": "-0.0112", "price_change_percent": "-0.6",
                                "volume": "20.03206866", "trades_count": "550", "open": bid,
                                "high": ask, "low": bid},
                "best": {"ask": {"price": ask, "volume": av}, "bid": {"price": bid, "volume": bv}}}

    async def tickers(self, q):
        return json_response({"data": [self.tick(m) for m in self.books]})

    async def ticker(self, q):
        m = q.match_info["m"]
        return json_response({"data": [self.tick(m)]}) if m in self.books else \
            err(4004, "Invalid symbol.")

    async def orderbook(self, q):
        book = self.books[q.match_info["m"]]
        n = int(q.query.get("depth", 20))
        return json_response({"sequence_id": str(book.seq), "timestamp": str(self.clock()),
                              "bids": [list(lv) for lv in book.top("bids", n)],
                              "asks": [list(lv) for lv in book.top("asks", n)]})

    async def candles(self, q):
        start = 1722560160000
        return json_response([[str(start + i * 3_600_000), "550000.0", "550100.0", "549900.0",
                               f"55000{i}.0", str(start + (i + 1) * 3_600_000 - 1),
                               "0.00154908", "579.72", 7, "0.0001", "63.8"]
                              for i in range(min(int(q.query.get("limit", 10)), 3))])

    async def trades(self, q):
        return json_response({"data": [
            {"id": "24921296", "price": "550001.0", "volume": "0.00001776", "taker_side": "BUY",
             "created_at": "2025-02-24T01:33:18.395Z"},
            {"id": "24921295", "price": "549999.0", "volume": "0.1", "taker_side": "SELL",
             "created_at": "2025-02-24T01:33:17.001Z"}]})

    # -- account -----------------------------------------------------------------------------
    async def accounts(self, q, p):
        return json_response({"data": [{"currency_symbol": c.lower(), "balance": str(f + u),
                                        "balance_available": str(f), "balance_locked": str(u)}
                                       for c, (f, u) in self.store.balances().items()]})

    def order_json(self, o) -> dict:
        return {"id": o.id, "sn": f"O{o.id}", "client_order_id": o.cid,
                "market_symbol": o.symbol, "side": o.side.upper(), "type": o.type.upper(),
                "state": STATE[o.status], "price": str(o.price) if o.price else None,
                "price_avg": str(o.average or "0.0"), "quantity": str(o.amount),
                "quantity_executed": str(o.filled), "instant_amount": None,
                "instant_amount_executed": None, "created_at": _iso(o.created),
                "trades_count": str(len(o.fills)), "fee_paid": str(o.fee), "post_only": False,
                "time_in_force": "GTC" if o.type == "limit" else None,
                "cancellation_reason": None}

    async def place(self, q, p):
        m = p.get("market_symbol")
        try:
            o = self.store.place(m, p["side"].lower(), p["type"].lower(), p["quantity"],
                                 p.get("price"), p.get("client_order_id"),
                                 book=self.books.get(m))
        except Rejected as exc:
            return {"funds": err(4002, "Insufficient funds."),
                    "duplicate": err(4005, "Invalid idempotent."),
                    "symbol": err(4004, "Invalid symbol.")}[exc.kind]
        return json_response({"id": int(o.id), "sn": f"O{o.id}"}, status=201)

    async def orders(self, q, p):
        m, state = p.get("market_symbol"), p.get("state")
        rows = [o for o in self.store.orders.values() if m in (None, o.symbol)
                and state in (None, STATE[o.status])]
        rows.sort(key=lambda o: -int(o.id))                   # newest first
        size, page = int(p.get("page_size", 20)), int(p.get("page", 1))
        return json_response({"data": [self.order_json(o)
                                       for o in rows[(page - 1) * size:page * size]]})

    async def order(self, q, p):
        o = self.store.find(q.match_info["id"])
        return json_response(self.order_json(o)) if o else err(404, "Resource not found.", 404)

    async def cancel(self, q, p):
        try:
            o = self.store.cancel(str(p.get("id")))
        except Rejected as exc:
            return err(404, "Resource not found.", 404) if exc.kind == "unknown" else \
                err(4008, "Cannot submit order.")
        return json_response({"data": [{"sn": f"O{o.id}", "id": int(o.id)}]})

    async def fills(self, q, p):
        return json_response({"data": [
            {"id": f.id, "sn": f"T{f.id}", "side": f.side.upper(), "order_id": f.order_id,
             "market_symbol": f.symbol, "price": str(f.price), "quantity": str(f.amount),
             "fee_currency_symbol": "brl", "fee": str(f.fee), "created_at": _iso(f.time),
             "role": "TAKER" if f.taker else "MAKER"}
            for f in reversed(self.store.fills_of(p.get("market_symbol")))]})

    # -- websocket ---------------------------------------------------------------------------
    def subscriptions(self, m):
        if not isinstance(m, dict) or m.get("type") not in ("subscribe", "unsubscribe"):
            return None
        kinds = {BOOK: "book", "ticker": "ticker", "trades": "trades"}
        return [Sub(kinds.get(x["channel"], x["channel"]), x["market_symbol"],
                    m["type"] == "subscribe") for x in m.get("params", ())]

    async def acknowledge(self, ws, m, subs):
        for x in m["params"]:
            await self.send(ws, {"type": m["type"], "event": "success", "params": x})

    def refusal(self, m, subs):
        return {"type": "subscribe", "event": "error", "data": "Invalid market symbol"}

    def book_message(self, m, changes):
        book = self.books[m]
        params = {"channel": BOOK, "market_symbol": m}
        if changes is None:
            return {"type": "message", "event": "snapshot", "params": params, "data": {
                "sequence_id": book.seq, "bids": book.top("bids"), "asks": book.top("asks")}}
        bids, asks = changes
        return {"type": "message", "event": "update", "params": params, "data": {
            "ts": self.clock(), "first_sequence_id": book.seq, "last_sequence_id": book.seq,
            "bids": [list(b) for b in bids], "asks": [list(a) for a in asks]}}

    def ticker_message(self, m):
        return {"type": "message", "event": "update",
                "params": {"channel": "ticker", "market_symbol": m}, "data": self.tick(m)}


FAKE = FakeFoxbit
