"""A fake BtcTurk on the kit: public v2 and private v1 REST with the X-PCK/X-Stamp/X-Signature
check of "Authentication V1", and the market websocket ([151, …] subscriptions; 402 ticker,
422 trade, 431 whole order book). Reply shapes follow the examples of https://docs.btcturk.com
and https://github.com/BTCTrader/broker-api-docs (README-pro.md)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from decimal import Decimal

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID, SYMBOL = "btcturk", "BTC/TRY"
CREDENTIALS = Credentials(api_key="btcturk-public-key-0001",
                          secret=base64.b64encode(b"btcturk private key bytes").decode())
PAIRS = {"BTCTRY": ("BTC", "TRY", "3000000"), "ETHTRY": ("ETH", "TRY", "120000")}
STATUS = {"open": "Untouched", "filled": "Closed", "canceled": "Canceled"}
REFUSALS = {"funds": "BALANCE_NOT_ENOUGH", "duplicate": "FAILED_ORDER_PARAMETER",
            "symbol": "FAILED_ORDER_PARAMETER", "unknown": "NO_ORDER_MATCHES_YOUR_REQUEST",
            "not_open": "ORDER_COULD_NOT_BE_CANCELED"}
KINDS = {"orderbook": "book", "trade": "trades", "ticker": "ticker"}
D = Decimal


def _ok(data=None, message=None):
    return json_response({"success": True, "message": message, "code": 0, "data": data})


def _err(message: str, code: int = 0, status: int = 400):
    return json_response({"success": False, "message": message, "code": code}, status=status)


class FakeBtcTurk(KitVenue):
    ws_path = "/"

    def __init__(self) -> None:
        self.clock = lambda: time.time_ns() // 1_000_000
        self.books = {p: ServerBook.around(mid, "1") for p, (_, _, mid) in PAIRS.items()}
        self.store = OrderStore({p: (b, q) for p, (b, q, _) in PAIRS.items()},
                                {"TRY": "100000000", "BTC": "2", "ETH": "0"},
                                clock=lambda: self.clock(), first_id=9932534)
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "")

    def setup_routes(self) -> None:
        for path, handler in [("server/time", self.time), ("server/exchangeinfo", self.info),
                              ("ticker", self.ticker), ("orderbook", self.orderbook),
                              ("trades", self.trades)]:
            self.route("GET", "/api/v2/" + path, handler)
        self.route("GET", "/v1/klines/history", self.klines)
        for method, path, handler in [("GET", "users/balances", self.balances),
                                      ("POST", "order", self.place),
                                      ("DELETE", "order", self.cancel),
                                      ("GET", "order/{id}", self.order),
                                      ("GET", "openOrders", self.open_orders),
                                      ("GET", "allOrders", self.all_orders),
                                      ("GET", "users/transactions/trade", self.fills)]:
            self.route(method, "/api/v1/" + path, self.signed(handler))
        self.add_ws()

    def check_auth(self, q, body):
        """base64(HMAC-SHA256(b64decode(secret), key + stamp)); the stamp within ±5 s (FAQ)."""
        stamp = q.headers.get("X-Stamp", "")
        want = base64.b64encode(hmac.new(base64.b64decode(CREDENTIALS.secret),
                                         f"{CREDENTIALS.api_key}{stamp}".encode(),
                                         hashlib.sha256).digest()).decode()
        if q.headers.get("X-PCK") != CREDENTIALS.api_key or not hmac.compare_digest(
                want, q.headers.get("X-Signature", "")):
            return _err("Unauthorized - Invalid Signature", 401, 401)
        if not stamp.isdigit() or abs(int(stamp) - self.clock()) > 5000:
            return _err("Unauthorized - Invalid Nonce", 401, 401)
        return None

    # -- public --------------------------------------------------------------------------------
    async def time(self, q):
        return json_response({"serverTime": self.clock()})

    async def info(self, q):
        return _ok({"timeZone": "UTC", "serverTime": self.clock(), "symbols": [
            {"id": i, "name": p, "nameNormalized": f"{b}_{qc}", "status": "TRADING",
             "numerator": b, "denominator": qc, "numeratorScale": 8, "denominatorScale": 0,
             "hasFraction": False, "filters": [
                 {"filterType": "PRICE_FILTER", "minPrice": "1", "maxPrice": "100000000",
                  "tickSize": "1", "minExchangeValue": "99.91", "minAmount": None,
                  "maxAmount": None}], "orderMethods": ["MARKET", "LIMIT", "STOP_LIMIT"]}
            for i, (p, (b, qc, _)) in enumerate(PAIRS.items(), 1)]})

    def tick(self, p: str) -> dict:
        book, (b, qc, _) = self.books[p], PAIRS[p]
        bid, ask = book.top("bids", 1)[0][0], book.top("asks", 1)[0][0]
        return {"pair": p, "pairNormalized": f"{b}_{qc}", "timestamp": self.clock(),
                "last": int(bid), "high": int(ask) + 50, "low": int(bid) - 50, "bid": int(bid),
                "ask": int(ask), "open": int(bid) - 10, "volume": 25.3073659,
                "average": int(bid), "daily": 10, "dailyPercent": 0.01,
                "denominatorSymbol": qc, "numeratorSymbol": b, "order": 1000}

    async def ticker(self, q):
        p = q.query.get("pairSymbol")
        return _ok([self.tick(x) for x in PAIRS if p in (None, x)])

    async def orderbook(self, q):
        book, n = self.books[q.query["pairSymbol"]], int(q.query.get("limit", 100))
        return _ok({"timestamp": self.clock(), "bids": [list(x) for x in book.top("bids", n)],
                    "asks": [list(x) for x in book.top("asks", n)]})

    async def trades(self, q):      # newest first
        p, (b, qc, _) = q.query["pairSymbol"], PAIRS[q.query["pairSymbol"]]
        return _ok([{"pair": p, "pairNormalized": f"{b}_{qc}", "numerator": b,
                     "denominator": qc, "date": 1533650242300 - i, "tid": str(636692470417865271
                                                                            - i),
                     "price": "3000000", "amount": "0.00032747"} for i in range(2)])

    async def klines(self, q):
        t0 = int(q.query["from"]) // 3600 * 3600
        ts = [t0 + 3600 * i for i in range(3)]
        return json_response({"s": "ok", "t": ts, "o": [3000000] * 3, "h": [3000100] * 3,
                              "l": [2999900] * 3, "c": [3000050] * 3, "v": [1.5] * 3})

    # -- private -------------------------------------------------------------------------------
    async def balances(self, q, p):
        return _ok([{"asset": c, "assetname": c, "balance": str(f + u), "locked": str(u),
                     "free": str(f), "orderFund": str(u), "requestFund": "0", "precision": 8}
                    for c, (f, u) in self.store.balances().items()])

    def order_json(self, o, listing: bool = False) -> dict:
        quote_buy = o.type == "market" and o.side == "buy"
        qty = o.options.get("quote") if quote_buy else o.amount
        price = o.price if o.price is not None else (o.fills[0].price if o.fills else D(0))
        row = {"id": int(o.id), "price": str(price), "amount": str(qty), "quantity": str(qty),
               "stopPrice": "0.00", "type": o.side, "method": o.type,
               "orderClientId": o.cid or "", "time": o.created, "updateTime": o.updated,
               "status": STATUS[o.status]}
        if listing:         # allOrders rows (docs example): lower-case keys, no leftAmount
            return {**row, "pairsymbol": o.symbol, "type": o.side.title(),
                    "method": o.type.title()}
        return {**row, "pairSymbol": o.symbol,
                "leftAmount": str(D(0) if quote_buy else o.remaining)}

    async def place(self, q, p):
        pair, kind, side = p.get("pairSymbol"), p.get("orderMethod"), p.get("orderType")
        qty, extra = D(str(p["quantity"])), {}
        if kind == "market" and side == "buy" and pair in self.books:
            qty, extra = qty / self.books[pair].best("asks"), {"quote": D(str(p["quantity"]))}
        try:
            o = self.store.place(pair, side, kind, qty, p.get("price"),
                                 p.get("newOrderClientId"), book=self.books.get(pair), **extra)
        except Rejected as exc:
            return _err(REFUSALS[exc.kind])
        return _ok({"id": int(o.id), "datetime": o.created, "type": side.title(),
                    "method": kind.title(), "price": str(p.get("price") or 0),
                    "stopPrice": "0", "quantity": str(p["quantity"]), "pairSymbol": pair,
                    "pairSymbolNormalized": pair[:3] + "_" + pair[3:],
                    "newOrderClientId": o.cid}, "OK")

    async def cancel(self, q, p):
        try:
            self.store.cancel(p.get("id"))
        except Rejected as exc:
            return _err(REFUSALS[exc.kind])
        return json_response({"success": True, "message": "SUCCESS", "code": 0})

    async def order(self, q, p):
        o = self.store.find(q.match_info["id"])
        return _ok(self.order_json(o)) if o else _err("Order not found", 1152)

    async def open_orders(self, q, p):
        rows = [self.order_json(o) for o in self.store.open(p.get("pairSymbol"))]
        return _ok({"asks": [r for r in rows if r["type"] == "sell"],
                    "bids": [r for r in rows if r["type"] == "buy"]})

    async def all_orders(self, q, p):       # newest first, numbered pages from 1
        rows = sorted((o for o in self.store.orders.values()
                       if o.symbol == p.get("pairSymbol")), key=lambda o: -int(o.id))
        size, page = int(p.get("limit", 100)), int(p.get("page", 1))
        return _ok([self.order_json(o, True) for o in rows[(page - 1) * size:page * size]])

    async def fills(self, q, p):
        wanted = {s.upper() for s in q.query.getall("symbol", [])}
        return _ok([{"price": str(f.price), "numeratorSymbol": PAIRS[f.symbol][0],
                     "denominatorSymbol": PAIRS[f.symbol][1], "orderType": f.side,
                     "orderId": int(f.order_id), "id": int(f.id), "timestamp": f.time,
                     "amount": str(f.amount if f.side == "buy" else -f.amount),
                     "fee": str(-f.fee), "tax": "0"}
                    for f in reversed(self.store.fills) if not wanted
                    or set(PAIRS[f.symbol][:2]) <= wanted])

    # -- websocket -----------------------------------------------------------------------------
    def subscriptions(self, m):
        if not (isinstance(m, list) and len(m) == 2 and m[0] == 151):
            return None
        return [Sub(KINDS.get(m[1]["channel"], m[1]["channel"]), m[1]["event"],
                    bool(m[1].get("join")))]

    async def acknowledge(self, ws, m, subs):
        await self.send(ws, [100, {"type": 100, "id": 0, "ok": True,
                                   "message": f"join|{m[1]['channel']}:{m[1]['event']}"}])

    def refusal(self, m, subs):
        return [100, {"type": 100, "id": 0, "ok": False, "message": "Invalid event"}]

    def book_message(self, p, changes):
        book = self.books[p]
        rows = lambda side: [{"A": a, "P": x} for x, a in book.top(side, 100)]  # noqa: E731
        return [431, {"type": 431, "channel": "orderbook", "event": p, "PS": p,
                      "CS": book.seq, "AO": rows("asks"), "BO": rows("bids")}]

    def ticker_message(self, p):
        t = self.tick(p)
        return [402, {"type": 402, "channel": "ticker", "event": p, "B": str(t["bid"]),
                      "A": str(t["ask"]), "PS": p, "NS": PAIRS[p][0], "DS": PAIRS[p][1],
                      "O": str(t["open"]), "H": str(t["high"]), "L": str(t["low"]),
                      "LA": str(t["last"]), "V": "25.3073659", "AV": str(t["average"]),
                      "D": "10", "DP": "0.01", "PId": 1, "Ord": 1000}]

    def trade_message(self, p, price, amount, side):
        return [422, {"type": 422, "channel": "trade", "event": p, "D": str(self.clock()),
                      "I": "100012345", "A": amount, "P": price, "PS": p,
                      "S": 0 if side == "buy" else 1}]


FAKE = FakeBtcTurk
