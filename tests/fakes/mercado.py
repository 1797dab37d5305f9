"""A fake Mercado Bitcoin on the fake-server kit: API v4 paths and reply shapes from its
swagger (copy in github.com/ernanesa/MercadoBitcoin.Client, openapi/swagger.yaml: definitions
and examples), the /authorize login and Bearer tokens checked as documented, and the public
websocket as the dossier describes it (QUOTE+BASE ids, whole-book frames on change only)."""
from __future__ import annotations

import itertools
import json
import time
from decimal import Decimal as D

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID, SYMBOL = "mercado", "BTC/BRL"
CREDENTIALS = Credentials(api_key="3f786850e387550fdab836ed7e6dc881",
                          secret="0bc78dc658371644f246ce092eea33c156f67a1c3ce01b927578c253bcbf7ecb")
ACCOUNT = "a322205ace882ef800553118e5000066"
SYMBOLS = {"BTC-BRL": ("100", "0.00000150", "1"), "ETH-BRL": ("100", "0.0001", "1"),
           "USDC-BRL": ("10000", "1", "1")}
STATUS = {"open": "working", "filled": "filled", "canceled": "cancelled"}


def err(code: str, message: str, status: int = 400):
    return json_response({"code": code, "message": message}, status=status)


def ws_id(rest: str) -> str:
    base, quote = rest.split("-")
    return quote + base


def _num(text) -> object:
    """A JSON number with exactly these digits (the swagger types prices as numbers)."""
    return json.loads(str(text), parse_float=D) if text is not None else None


class FakeMercado(KitVenue):
    ws_path = "/ws"
    snapshot_on_subscribe = False       # books are pushed only when they change

    def __init__(self) -> None:
        # Books under the websocket's ids (BRLBTC), as the stream names them.
        self.books = {"BRLBTC": ServerBook.around("550000", "0.01"),
                      "BRLETH": ServerBook.around("20000", "0.01"),
                      "BRLUSDC": ServerBook.around("5.5", "0.0001")}
        self.store = OrderStore({s: tuple(s.split("-")) for s in SYMBOLS},
                                {"BRL": "1000000", "BTC": "2", "ETH": "0", "USDC": "0"},
                                clock=lambda: time.time_ns() // 1_000_000,
                                make_id=lambda n: f"01H{n:023d}")
        self.tokens: set[str] = set()
        self._token_ids = itertools.count(1)
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:        # the websocket's QUOTE+BASE id
        base, quote = symbol.split("/")
        return quote + base

    def store_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "-")

    def setup_routes(self) -> None:
        self.route("POST", "/api/v4/authorize", self.authorize)
        for path, handler in [("symbols", self.symbols), ("tickers", self.tickers),
                              ("{s}/orderbook", self.orderbook), ("candles", self.candles),
                              ("{s}/trades", self.trades)]:
            self.route("GET", "/api/v4/" + path, handler)
        acc = "/api/v4/accounts/{a}/"
        for method, path, handler in [("GET", "/api/v4/accounts", self.accounts),
                                      ("GET", acc + "balances", self.balances),
                                      ("POST", acc + "{s}/orders", self.place),
                                      ("GET", acc + "{s}/orders", self.market_orders),
                                      ("GET", acc + "{s}/orders/{id}", self.order),
                                      ("DELETE", acc + "{s}/orders/{id}", self.cancel),
                                      ("GET", acc + "orders", self.all_orders)]:
            self.route(method, path, self.signed(handler))
        self.add_ws()

    async def authorize(self, q):
        p = json.loads(await q.text() or "{}")
        if (p.get("login"), p.get("password")) != (CREDENTIALS.api_key, CREDENTIALS.secret):
            return err("AUTHORIZE|FORBIDDEN", "Invalid login or password", 403)
        token = f"01GF442ATTVP4M6M0XGHQYT{next(self._token_ids):03d}"
        self.tokens.add(token)
        return json_response({"access_token": token, "expiration": int(time.time()) + 3600})

    def check_auth(self, q, body):
        auth = q.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return err("API|FORBIDDEN", "You need to be authenticated", 403)
        if "a" in q.match_info and q.match_info["a"] != ACCOUNT:
            return err("ACCOUNT|GET|INVALID_ACCESS", "Account not found", 403)
        return None

    # -- public ------------------------------------------------------------------------------
    async def symbols(self, q):
        rows = list(SYMBOLS.items())
        return json_response({
            "symbol": [s for s, _ in rows], "base-currency": [s.split("-")[0] for s, _ in rows],
            "currency": [s.split("-")[1] for s, _ in rows],
            "pricescale": [int(v[0]) for _, v in rows],
            "minmovement": [str(1 / D(v[0])) for _, v in rows],
            "min-volume": [v[1] for _, v in rows], "min-cost": [v[2] for _, v in rows],
            "exchange-traded": [True for _ in rows], "type": ["CRYPTO" for _ in rows]})

    def tick(self, s: str) -> dict:
        book = self.books[ws_id(s)]
        bid, ask = book.top("bids", 1)[0][0], book.top("asks", 1)[0][0]
        return {"pair": s, "high": ask, "low": bid, "vol": "84.00100003", "last": bid,
                "buy": bid, "sell": ask, "open": bid, "date": 1636107279}

    async def tickers(self, q):
        wanted = q.query.get("symbols", "").split(",")
        if any(s not in SYMBOLS for s in wanted):
            return err("PUBLIC_DATA|LIST_TICKERS|INVALID_SYMBOL", "Invalid symbol")
        return json_response([self.tick(s) for s in wanted])

    async def orderbook(self, q):
        book, n = self.books[ws_id(q.match_info["s"])], int(q.query.get("limit", 1000))
        return json_response({"asks": book.top("asks", n), "bids": book.top("bids", n),
                              "timestamp": time.time_ns()})

    async def candles(self, q):
        t0 = 1652119200
        return json_response({"t": [t0, t0 + 3600, t0 + 7200],
                              "o": ["1000.0", "300.0", "500.0"], "h": ["1000.0", "1000.0", "600"],
                              "l": ["500.0", "300.0", "400"], "c": ["500.0", "1000.0", "550"],
                              "v": ["4.0", "2.0", "1.5"]})

    async def trades(self, q):
        return json_response([{"tid": 2, "date": 1629989121, "type": "sell", "price": "15000",
                               "amount": "1"},
                              {"tid": 3, "date": 1629989122, "type": "buy", "price": "15001",
                               "amount": "0.5"}])

    # -- account -----------------------------------------------------------------------------
    async def accounts(self, q, p):
        return json_response([{"currency": "BRL", "currencySign": "R$", "id": ACCOUNT,
                               "name": "Mercado Bitcoin", "type": "live"}])

    async def balances(self, q, p):
        return json_response([{"symbol": c, "available": str(f), "on_hold": str(u),
                               "total": str(f + u)}
                              for c, (f, u) in self.store.balances().items()])

    def order_json(self, o, full: bool = True) -> dict:
        row = {"id": o.id, "instrument": o.symbol, "side": o.side, "type": o.type,
               "status": STATUS[o.status], "qty": str(o.amount), "filledQty": str(o.filled),
               "limitPrice": _num(o.price), "created_at": o.created // 1000,
               "updated_at": o.updated // 1000}
        if not full:        # "List all orders" items (swagger `Orders`)
            return {**row, "external_id": o.cid}
        return {**row, "externalId": o.cid, "avgPrice": _num(o.average or 0),
                "fee": str(o.fee), "executions": [
                    {"id": f.id, "executed_at": f.time // 1000, "fee_rate": "0.70000000",
                     "instrument": o.symbol, "price": _num(f.price), "qty": str(f.amount),
                     "side": o.side, "liquidity": "taker" if f.taker else "maker"}
                    for f in o.fills]}

    async def place(self, q, p):
        s = q.match_info["s"]
        if not isinstance(p.get("limitPrice", 0), (int, float, D)):
            return err("TRADING|PLACE_ORDER|INVALID_PARAMETER", "limitPrice must be a number")
        try:
            o = self.store.place(s, p.get("side"), p.get("type"), p.get("qty"),
                                 p.get("limitPrice"), p.get("externalId"),
                                 book=self.books.get(ws_id(s)) if s in SYMBOLS else None)
        except Rejected as exc:
            return {"funds": err("TRADING|PLACE_ORDER|INSUFFICIENT_BALANCE",
                                 "Insufficient balance to carry out the operation"),
                    "duplicate": err("TRADING|PLACE_ORDER|ORDER_DUPLICATE",
                                     "There is already an order created"),
                    "symbol": err("TRADING|PLACE_ORDER|INVALID_SYMBOL", "Invalid symbol")
                    }[exc.kind]
        return json_response({"orderId": o.id})

    async def order(self, q, p):
        o = self.store.find(q.match_info["id"])
        return json_response(self.order_json(o)) if o else \
            err("TRADING|GET_ORDER|ORDER_NOT_FOUND", "This order_id not found")

    async def cancel(self, q, p):
        try:
            self.store.cancel(q.match_info["id"])
        except Rejected as exc:
            return err("TRADING|CANCEL_ORDER|" + ("ORDER_NOT_FOUND" if exc.kind == "unknown"
                                                  else "ORDER_PROCESSED"), str(exc))
        return json_response({"status": "queued_to_cancel"})

    def listed(self, s, statuses, executions=False):
        rows = [o for o in self.store.orders.values() if s in (None, o.symbol)
                and (not statuses or STATUS[o.status] in statuses)
                and (not executions or o.fills)]
        return sorted(rows, key=lambda o: o.id, reverse=True)          # most recent first

    async def market_orders(self, q, p):
        rows = self.listed(q.match_info["s"], p.get("status", "").split(",") if
                           p.get("status") else (), p.get("has_executions") == "true")
        return json_response([self.order_json(o) for o in rows])

    async def all_orders(self, q, p):
        rows = self.listed(p.get("symbol"), p["status"].split(",") if p.get("status") else ())
        return json_response({"items": [self.order_json(o, False) for o in rows]})

    # -- websocket ---------------------------------------------------------------------------
    def subscriptions(self, m):
        if not isinstance(m, dict) or m.get("type") not in ("subscribe", "unsubscribe"):
            return None
        sub = m["subscription"]
        kind = {"orderbook": "book", "trade": "trades"}.get(sub["name"], sub["name"])
        return [Sub(kind, sub["id"], m["type"] == "subscribe")]

    def refusal(self, m, subs):
        return {"type": "error", "message": "invalid pair to subscribe"}

    def book_message(self, ws, changes):        # always the whole top of the book
        book = self.books[ws]
        return json.dumps({"type": "orderbook", "id": ws,
                           "ts": time.time_ns(), "limit": 200, "data": {
                               "asks": [[_num(p), _num(a)] for p, a in book.top("asks", 200)],
                               "bids": [[_num(p), _num(a)] for p, a in book.top("bids", 200)],
                               "timestamp": time.time_ns()}}, default=float)

    def ticker_message(self, ws):
        s = next(r for r in SYMBOLS if ws_id(r) == ws)
        return {"type": "ticker", "id": ws, "ts": time.time_ns(), "data": self.tick(s)}


FAKE = FakeMercado
