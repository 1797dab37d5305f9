"""A fake Luno (https://www.luno.com/en/developers/api; shapes from luno-go's generated types,
https://github.com/luno/luno-go types.go/api.go, and ccxt's recorded replies): HTTP basic auth
checked on every private route, errors {"error", "error_code"} with a 4xx status. The market
stream: one websocket per pair at /api/1/stream/{pair}, the key id and secret as the client's
first frame, then the order-level book and updates with sequence numbers (docs "Streaming API":
each price level here is one order; a level's change deletes its order and creates another)."""
from __future__ import annotations

import base64
import itertools
import json
from decimal import Decimal

from aiohttp import WSMsgType, web

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, json_response

VENUE_ID, SYMBOL = "luno", "BTC/ZAR"
CREDENTIALS = Credentials(api_key="lunokeyid01", secret="lunosecret-abcdefghijklmnop")
MARKETS = [
    {"market_id": "XBTZAR", "trading_status": "ACTIVE", "base_currency": "XBT",
     "counter_currency": "ZAR", "min_volume": "0.0005", "max_volume": "100.0",
     "volume_scale": 6, "min_price": "10", "max_price": "10000000", "price_scale": 0,
     "fee_scale": 8},
    {"market_id": "ETHZAR", "trading_status": "POST_ONLY", "base_currency": "ETH",
     "counter_currency": "ZAR", "min_volume": "0.01", "max_volume": "1000.0",
     "volume_scale": 4, "min_price": "1", "max_price": "1000000", "price_scale": 0,
     "fee_scale": 8}]
# ccxt's recorded trades reply (ts/src/test/static/response/luno.json), plus an older one.
TRADES = [{"sequence": "26963", "timestamp": "1710325156438", "price": "73998.98000000",
           "volume": "0.00080000", "is_buy": True},
          {"sequence": "26962", "timestamp": "1710325100000", "price": "73990.00000000",
           "volume": "0.01000000", "is_buy": False}]
BASES = {"XBTZAR": ("XBT", "ZAR"), "ETHZAR": ("ETH", "ZAR")}
ERRORS = {"funds": (400, "ErrInsufficientBalance", "Insufficient balance."),
          "duplicate": (400, "ErrDuplicateClientOrderID", "Duplicate client order id"),
          "symbol": (400, "ErrInvalidMarketPair", "Market pair is invalid"),
          "unknown": (404, "ErrOrderNotFound", "Cannot find that order"),
          "not_open": (400, "ErrCannotStopUnknownOrNonPendingOrder",
                       "Cannot stop unknown or non-pending order.")}


def _err(kind):
    status, code, text = ERRORS[kind]
    return json_response({"error": text, "error_code": code, "error_action": {}}, status=status)


class FakeLuno(KitVenue):
    def __init__(self) -> None:
        ms = itertools.count(1710328244969)     # a venue clock: one ms per order placed
        self.clock = lambda: next(ms)
        self.books = {"XBTZAR": ServerBook({"1234000": "0.5", "1233000": "1.25"},
                                           {"1235000": "0.4", "1236000": "2"}),
                      "ETHZAR": ServerBook({"60000": "1"}, {"60100": "1"})}
        self.store = OrderStore(BASES, {"ZAR": "1000000", "XBT": "2", "ETH": "0"},
                                clock=lambda: self.clock(), first_id=1,
                                make_id=lambda n: f"BXMC2CJ7HNB88U{n:04d}")
        self.seqs = {pair: 24352 for pair in self.books}
        self.level_orders: dict[tuple, str] = {}       # (pair, side, price) → its order id
        self._order_ids = itertools.count(1)
        super().__init__()

    @property
    def urls(self) -> dict[str, str]:
        return {"rest": self.base, "ws": self.base.replace("http://", "ws://")}

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("BTC", "XBT").replace("/", "")

    def setup_routes(self) -> None:
        for path, handler in [("/api/exchange/1/markets", self.markets),
                              ("/api/1/tickers", self.tickers), ("/api/1/ticker", self.ticker),
                              ("/api/1/orderbook_top", self.order_book),
                              ("/api/1/trades", self.trades)]:
            self.route("GET", path, handler)
        for method, path, handler in [
                ("GET", "/api/exchange/1/candles", self.candles),
                ("GET", "/api/1/balance", self.balance),
                ("POST", "/api/1/postorder", self.place), ("POST", "/api/1/marketorder", self.place),
                ("POST", "/api/1/stoporder", self.cancel),
                ("GET", "/api/exchange/3/order", self.order),
                ("GET", "/api/exchange/2/listorders", self.list_orders),
                ("GET", "/api/1/listtrades", self.list_trades)]:
            self.route(method, path, self.signed(handler))
        self.route("GET", "/api/1/stream/{pair}", self.stream)

    # -- the market stream -------------------------------------------------------------------
    async def stream(self, q):
        pair, ws = q.match_info["pair"], web.WebSocketResponse()
        await ws.prepare(q)
        self.ws_clients.append(ws)
        self.ws_connections += 1
        try:
            first = await ws.receive(timeout=5)
            creds = json.loads(first.data) if first.type == WSMsgType.TEXT else {}
            self.ws_received.append(creds)
            if creds != {"api_key_id": CREDENTIALS.api_key,
                         "api_key_secret": CREDENTIALS.secret} or pair not in self.books \
                    or self.faults.refuse_next:
                self.faults.refuse_next = False      # refused: closed before any frame
                await ws.close()
                return ws
            for kind in ("book", "trades"):
                self.subscribers.setdefault((kind, pair), set()).add(ws)
            await self.send(ws, self.book_message(pair, None))
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    break
        finally:
            self.ws_clients.remove(ws)
            for subs in self.subscribers.values():
                subs.discard(ws)
        return ws

    async def send(self, ws, message) -> None:
        for m in message if isinstance(message, list) else [message]:
            await super().send(ws, m)

    def _order_at(self, pair, side, price) -> str:
        key = (pair, side, Decimal(price))
        if key not in self.level_orders:
            self.level_orders[key] = f"BXMC2CJ7HNB8{next(self._order_ids):04d}"
        return self.level_orders[key]

    def book_message(self, pair, changes):
        if changes is None:
            return {"sequence": str(self.seqs[pair]), "status": "ACTIVE",
                    "timestamp": 1528884331021, **{side: [
                        {"id": self._order_at(pair, side, p), "price": p, "volume": a}
                        for p, a in self.books[pair].top(side)] for side in ("bids", "asks")}}
        out = []
        for side, levels in zip(("bids", "asks"), changes):
            for price, amount in levels:
                old = self.level_orders.pop((pair, side, Decimal(price)), None)
                new = self._order_at(pair, side, price) if Decimal(amount) else None
                self.seqs[pair] += 1
                out.append(self.update(pair, delete_update=old and {"order_id": old},
                                       create_update=new and {
                                           "order_id": new, "price": price, "volume": amount,
                                           "type": "BID" if side == "bids" else "ASK"}))
        return out

    def update(self, pair, **parts):
        return {"sequence": str(self.seqs[pair]), "trade_updates": None, "create_update": None,
                "delete_update": None, "status_update": None, "timestamp": 1528884331421,
                **parts}

    def check_auth(self, q, body):
        """Authorization: Basic base64(key id ":" secret); else 401 ErrUnauthorised."""
        want = base64.b64encode(f"{CREDENTIALS.api_key}:{CREDENTIALS.secret}".encode()).decode()
        if q.headers.get("Authorization") != f"Basic {want}":
            return json_response({"error": "You are not authorised to access this route",
                                  "error_code": "ErrUnauthorised", "error_action": {}},
                                 status=401)
        if body and q.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            return _err("symbol")
        return None

    # -- public ------------------------------------------------------------------------------
    def tick(self, pair):
        book = self.books[pair]
        return {"pair": pair, "timestamp": 1710328244969, "bid": f"{book.best('bids')}.00000000",
                "ask": f"{book.best('asks')}.00000000", "last_trade": "1234500.00000000",
                "rolling_24_hour_volume": "0.31110000", "status": "ACTIVE"}

    async def markets(self, q):
        return json_response({"markets": MARKETS})

    async def tickers(self, q):
        return json_response({"tickers": [self.tick(p) for p in self.books]})

    async def ticker(self, q):
        return json_response(self.tick(q.query["pair"]))

    async def order_book(self, q):
        book = self.books[q.query["pair"]]
        return json_response({"timestamp": 1710328244969, **{
            side: [{"price": p, "volume": a} for p, a in book.top(side, 100)]
            for side in ("bids", "asks")}})

    async def trades(self, q):
        return json_response({"trades": TRADES})

    async def candles(self, q, p):
        step, since = int(p["duration"]) * 1000, int(p["since"])
        return json_response({"pair": p["pair"], "duration": int(p["duration"]), "candles": [
            {"timestamp": since + i * step, "open": "1234000.00", "close": f"{1234100 + i}.00",
             "high": "1240000.00", "low": "1230000.00", "volume": "0.512"} for i in range(3)]})

    # -- account -----------------------------------------------------------------------------
    async def balance(self, q, p):
        return json_response({"balance": [
            {"account_id": str(i), "asset": c, "balance": str(f + u), "reserved": str(u),
             "unconfirmed": "0.00", "name": f"{c} Account"}
            for i, (c, (f, u)) in enumerate(self.store.balances().items())]})

    async def place(self, q, p):
        pair, market = p.get("pair"), q.path.endswith("marketorder")
        side = {"BID": "buy", "ASK": "sell", "BUY": "buy", "SELL": "sell"}[p["type"]]
        amount = p.get("volume") or p.get("base_volume")
        if market and side == "buy":       # counter_volume: walk the asks for the base it buys
            left, amount = Decimal(p["counter_volume"]), Decimal(0)
            for price, size in self.books[pair].top("asks") if pair in self.books else ():
                take = min(Decimal(size), left / Decimal(price))
                amount, left = amount + take, left - take * Decimal(price)
                if not left:
                    break
        try:
            o = self.store.place(pair, side, "market" if market else "limit", amount,
                                 p.get("price"), p.get("client_order_id"),
                                 book=self.books.get(pair))
        except Rejected as exc:
            return _err(exc.kind if exc.kind in ERRORS else "funds")
        return json_response({"order_id": o.id})

    async def cancel(self, q, p):
        try:
            self.store.cancel(p.get("order_id"))
        except Rejected as exc:
            return _err(exc.kind)
        return json_response({"success": True})

    def order_v2(self, o) -> dict:
        done = o.status != "open"
        return {"order_id": o.id, "client_order_id": o.cid or "", "pair": o.symbol,
                "side": o.side.upper(), "type": o.type.upper(),
                "status": "COMPLETE" if done else "PENDING",
                "limit_price": str(o.price or 0), "limit_volume": str(
                    o.amount if o.type == "limit" else 0),
                "base": str(o.filled), "counter": str(o.cost),
                "fee_base": "0.00", "fee_counter": str(o.fee),   # the store charges quote
                "creation_timestamp": o.created,
                "completed_timestamp": o.updated if done else 0,
                "expiration_timestamp": o.updated if o.status == "canceled" else 0,
                "base_account_id": 1, "counter_account_id": 2, "time_in_force": "GTC"}

    async def order(self, q, p):
        if ("id" in p) == ("client_order_id" in p):       # "exactly one of the two"
            return _err("symbol")
        o = self.store.find(p.get("id"), p.get("client_order_id"))
        return json_response(self.order_v2(o)) if o else _err("unknown")

    async def list_orders(self, q, p):
        before, limit = int(p.get("created_before") or 1 << 62), int(p.get("limit") or 100)
        rows = sorted((o for o in self.store.open(p.get("pair")) if o.created < before),
                      key=lambda o: -o.created)
        return json_response({"orders": [self.order_v2(o) for o in rows[:limit]]})

    async def list_trades(self, q, p):
        fills = [f for f in self.store.fills_of(p["pair"])
                 if f.time >= int(p.get("since") or 0)][:int(p.get("limit") or 100)]
        return json_response({"trades": [
            {"pair": f.symbol, "sequence": int(f.id), "order_id": f.order_id,
             "client_order_id": self.store.orders[f.order_id].cid or "",
             "type": "BID" if f.side == "buy" else "ASK", "timestamp": f.time,
             "price": str(f.price), "volume": str(f.amount), "base": str(f.amount),
             "counter": str(f.price * f.amount), "fee_base": "0.00", "fee_counter": str(f.fee),
             "is_buy": (f.side == "buy") == f.taker} for f in fills]})


FAKE = FakeLuno
