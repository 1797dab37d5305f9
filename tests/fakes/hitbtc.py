"""A fake HitBTC venue on the kit: REST API v3 (HS256 Authorization checked as
https://api.hitbtc.com/ "Authentication" describes it) and the public websocket v3 (ticker/1s,
trades, orderbook/full with a per-symbol sequence `s`). Reply shapes are ccxt's recorded
replies (ts/src/test/static/response/hitbtc.json: ticker, candles, trades, orders, fills) and
the examples quoted in ccxt's hitbtc.ts and cryptofeed's fmfw.py (symbols, frames)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from decimal import Decimal

from exchanges import Credentials
from exchanges.core.auth import iso_timestamp

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID = "hitbtc"
SYMBOL = "BTC/USDT"
CREDENTIALS = Credentials(api_key="hitbtc-test-key-0123456789abcdef",
                          secret="hitbtc-test-secret-fedcba9876543210")
REFUSALS = {"funds": (400, 20001, "Insufficient funds"),
            "duplicate": (400, 20008, "Duplicate clientOrderId"),
            "symbol": (400, 2001, "Symbol not found"),
            "unknown": (400, 20002, "Order not found"),
            "not_open": (400, 20002, "Order not found")}
STATUS = {"open": "new", "filled": "filled", "canceled": "canceled"}
# symbol, base, quote, tick_size, quantity_increment, mid
PAIRS = [("BTCUSDT", "BTC", "USDT", "0.01", "0.00001", "73000"),
         ("ETHUSDT", "ETH", "USDT", "0.01", "0.0001", "3900")]
KINDS = {"ticker/1s": "ticker", "trades": "trades", "orderbook/full": "book"}


def _err(status: int, code: int, message: str, description: str = ""):
    return json_response({"error": {"code": code, "message": message,
                                    "description": description}}, status=status)


def _s(d) -> str:
    return format(Decimal(d).normalize(), "f")


class FakeHitBTC(KitVenue):
    ws_path = "/api/3/ws/public"

    def __init__(self) -> None:
        self.now = lambda: time.time_ns() // 1_000_000
        self.books = {p[0]: ServerBook.around(p[5], p[3], 20, seq=27617207) for p in PAIRS}
        # Every order path takes the client_order_id, so the store keys orders by it (one
        # the server made up where the request named none).
        self._cid: str | None = None
        self._numbers: dict[str, str] = {}      # the venue's own numeric ids
        self.store = OrderStore({p[0]: (p[1], p[2]) for p in PAIRS},
                                {"BTC": "1.5", "USDT": "100000", "ETH": "0"},
                                clock=lambda: self.now(), first_id=1175851866285,
                                make_id=lambda n: self._cid or str(n))
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "")

    def setup_routes(self) -> None:
        r, s, v = self.route, self.signed, "/api/3"
        r("GET", f"{v}/public/symbol", self.symbols)
        r("GET", f"{v}/public/ticker", self.tickers)
        r("GET", f"{v}/public/ticker/{{symbol}}", self.tickers)
        r("GET", f"{v}/public/orderbook/{{symbol}}", self.order_book)
        r("GET", f"{v}/public/candles/{{symbol}}", self.candles)
        r("GET", f"{v}/public/trades/{{symbol}}", self.trades)
        r("GET", f"{v}/spot/balance", s(self.balance))
        r("POST", f"{v}/spot/order", s(self.new_order))
        r("GET", f"{v}/spot/order", s(self.active_orders))
        r("DELETE", f"{v}/spot/order/{{cid}}", s(self.cancel_order))
        r("GET", f"{v}/spot/history/order", s(self.order_history))
        r("GET", f"{v}/spot/history/trade", s(self.my_trades))
        self.add_ws()

    def check_auth(self, request, body):
        """HS256: base64("key:signature:timestamp"); signature = hex HMAC-SHA256 of
        METHOD + path (+ "?" + query) + body + timestamp."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "HS256":
            return _err(401, 1001, "Authorization is required or has been failed")
        key, sig, ts = base64.b64decode(token).decode().split(":")[:3]
        if key != CREDENTIALS.api_key:
            return _err(401, 1002, "Authorization is required or has been failed")
        path = request.path + (f"?{request.query_string}" if request.query_string else "")
        want = hmac.new(CREDENTIALS.secret.encode(), f"{request.method}{path}{body}{ts}"
                        .encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(sig, want):
            return _err(401, 1002, "Authorization is required or has been failed")
        if abs(int(ts) - self.now()) > 10_000:      # the default window, 10 s
            return _err(401, 1002, "Authorization is required or has been failed",
                        "timestamp out of window")
        return None

    # -- public ------------------------------------------------------------------------------
    async def symbols(self, request):
        out = {i: {"type": "spot", "base_currency": b, "quote_currency": q, "status":
                   "working", "quantity_increment": qi, "tick_size": tick, "take_rate":
                   "0.0025", "make_rate": "0.001", "fee_currency": q, "margin_trading": True,
                   "max_initial_leverage": "10.00"} for i, b, q, tick, qi, _ in PAIRS}
        out["BTCUSDT_PERP"] = {"type": "futures", "base_currency": "BTC",
                               "quote_currency": "USDT", "status": "working",
                               "quantity_increment": "0.001", "tick_size": "0.1"}
        return json_response(out)

    def _ticker(self, pair: str) -> dict:
        bid, ask = self.books[pair].best("bids"), self.books[pair].best("asks")
        return {"ask": _s(ask), "bid": _s(bid), "last": _s(bid), "low": _s(bid / 2),
                "high": _s(ask * 2), "open": _s(bid), "volume": "1319.26278",
                "volume_quote": "94847393.3889236", "timestamp": iso_timestamp(self.now())}

    async def tickers(self, request):
        pair = request.match_info.get("symbol")
        if pair is None:
            return json_response({p: self._ticker(p) for p in self.books})
        if pair not in self.books:
            return _err(400, 2001, "Symbol not found")
        return json_response(self._ticker(pair))

    async def order_book(self, request):
        pair = request.match_info["symbol"]
        if pair not in self.books:
            return _err(400, 2001, "Symbol not found")
        n = int(request.query.get("depth", 100)) or None
        book = self.books[pair]
        return json_response({"timestamp": iso_timestamp(self.now()),
                              "ask": [list(x) for x in book.top("asks", n)],
                              "bid": [list(x) for x in book.top("bids", n)]})

    async def candles(self, request):
        return json_response([
            {"timestamp": f"2024-03-13T{11 - i:02d}:00:00.000Z", "open": "73264.77",
             "close": f"7343{i}.86", "min": "73245.05", "max": "73436.75", "volume": "2.98510",
             "volume_quote": "218883.0328372"} for i in range(3)])

    async def trades(self, request):
        return json_response([
            {"id": "2371822918", "price": "73265.87", "qty": "0.05094", "side": "buy",
             "timestamp": "2024-03-13T11:00:21.983Z"},
            {"id": "2371822917", "price": "73265.1", "qty": "0.1", "side": "sell",
             "timestamp": "2024-03-13T11:00:20.001Z"}])

    # -- private -----------------------------------------------------------------------------
    async def balance(self, request, p):
        return json_response([{"currency": c, "available": _s(f), "reserved": _s(u),
                               "reserved_margin": "0"}
                              for c, (f, u) in self.store.balances().items()])

    def order_reply(self, o) -> dict:
        status = "partiallyFilled" if o.status == "open" and o.filled else STATUS[o.status]
        number = self._numbers.setdefault(o.id, str(1175851866285 + len(self._numbers)))
        out = {"id": number, "client_order_id": o.cid or o.id, "symbol": o.symbol, "side": o.side,
               "status": status, "type": o.type, "time_in_force": "GTC" if o.type == "limit"
               else "FOK", "quantity": _s(o.amount), "quantity_cumulative": _s(o.filled),
               "price": _s(o.price if o.price is not None else o.average or 0),
               "post_only": False, "created_at": iso_timestamp(o.created),
               "updated_at": iso_timestamp(o.updated)}
        if o.average is not None:
            out["price_average"] = _s(o.average)
        return out

    async def new_order(self, request, p):
        pair = p.get("symbol")
        cid = p.get("client_order_id") or f"srv{len(self.store.orders):029d}"
        self._cid = cid
        try:
            o = self.store.place(pair, p["side"], p.get("type", "limit"), p["quantity"],
                                 p.get("price"), cid, book=self.books.get(pair))
        except Rejected as exc:
            return _err(*REFUSALS[exc.kind])
        finally:
            self._cid = None
        return json_response(self.order_reply(o))

    async def active_orders(self, request, p):
        return json_response([self.order_reply(o) for o in self.store.open(p.get("symbol"))])

    async def cancel_order(self, request, p):
        o = self.store.find(request.match_info["cid"])
        if o is None or o.status != "open":
            return _err(*REFUSALS["unknown"])
        self.store.cancel(o.id)
        return json_response(self.order_reply(o))

    async def order_history(self, request, p):
        cid = p.get("client_order_id")
        rows = [o for o in self.store.orders.values() if cid in (None, o.cid or o.id)
                and p.get("symbol") in (None, o.symbol)]
        return json_response([self.order_reply(o) for o in rows])

    async def my_trades(self, request, p):
        fills = [f for f in self.store.fills_of(p.get("symbol"))
                 if f.time >= int(p.get("from", 0))]
        return json_response([
            {"id": f.id, "order_id": f.order_id, "client_order_id":
             f.order_id, "symbol": f.symbol, "side": f.side,
             "quantity": _s(f.amount), "price": _s(f.price), "fee": _s(f.fee),
             "timestamp": iso_timestamp(f.time), "taker": f.taker}
            for f in fills[:int(p.get("limit", 100))]])

    # -- websocket ---------------------------------------------------------------------------
    def subscriptions(self, message):
        if not isinstance(message, dict) or message.get("method") not in ("subscribe",
                                                                          "unsubscribe"):
            return None
        on, kind = message["method"] == "subscribe", KINDS.get(message.get("ch"))
        return [Sub(kind, s, on) for s in message.get("params", {}).get("symbols", ())]

    async def acknowledge(self, ws, message, subs):
        await self.send(ws, {"result": {"ch": message["ch"], "subscriptions":
                                        [s.symbol for s in subs]}, "id": message.get("id")})

    def refusal(self, message, subs):
        return {"error": {"code": 2001, "message": "Symbol not found", "description":
                          "Try get /public/symbol, to get list of all available symbols."},
                "id": message.get("id")}

    def book_message(self, pair, changes):
        book = self.books[pair]
        bids, asks = (book.top("bids"), book.top("asks")) if changes is None else changes
        return {"ch": "orderbook/full", "snapshot" if changes is None else "update": {
            pair: {"t": self.now(), "s": book.seq, "a": [list(x) for x in asks],
                   "b": [list(x) for x in bids]}}}

    def ticker_message(self, pair):
        t = self._ticker(pair)
        return {"ch": "ticker/1s", "data": {pair: {
            "t": self.now(), "a": t["ask"], "A": "0.82000", "b": t["bid"], "B": "0.00660",
            "o": t["open"], "c": t["last"], "h": t["high"], "l": t["low"], "v": t["volume"],
            "q": t["volume_quote"], "p": "312.40", "P": "0.5730272198935094",
            "L": 1417964345}}}


FAKE = FakeHitBTC
