"""A tiny venue used to test the shared core: its adapter and its fake server."""
from __future__ import annotations

import json
from decimal import Decimal

from exchanges import errors as E
from exchanges.core.adapter import Exchange
from exchanges.core.signing import hmac_hex
from exchanges.numbers import dec, wire
from exchanges.types import Market, Order, Ticker
from tests.fakes.base import FakeVenue, json_response

SECRET = "toy-secret-0123456789"
KEY = "toy-key-abcdef"


class Toy(Exchange):
    id = "toy"
    name = "Toy"
    hosts = {"rest": "https://api.toy.invalid", "rest_private": "https://private.toy.invalid",
             "ws": "wss://ws.toy.invalid"}
    timeout = 1.0
    retries = 2
    rate_limit = (1000, 1.0)
    errors = {"E1": E.InsufficientFunds, "E2": E.OrderNotFound, "E9": E.RateLimitExceeded}
    error_messages = {"unknown symbol": E.BadSymbol}

    async def _fetch_markets(self):
        data = await self.request("GET", "/markets")
        return [Market(f"{m['base']}/{m['quote']}", m["id"], m["base"], m["quote"],
                       dec(m["tick"]), dec(m["step"]), dec(m["min"]), None) for m in data]

    async def fetch_tickers(self, symbols=None):
        await self.load_markets()
        data = await self.request("GET", "/tickers")
        out = {}
        for row in data:
            m = self.markets_by_id[row["id"]]
            out[m.symbol] = Ticker(m.symbol, row["ts"], last=dec(row["last"]))
        return out

    def sign(self, request):
        ts = str(self.clock())
        body = request.body or ""
        request.headers.update({"X-KEY": self.credentials.api_key, "X-TS": ts,
                                "X-SIG": hmac_hex(self.credentials.secret,
                                                  ts + request.method + request.path + body)})
        return request

    def error_code(self, reply):
        if isinstance(reply.payload, dict) and "error" in reply.payload:
            return reply.payload["error"], reply.payload.get("message", "")
        return None

    def _order(self, row, market):
        return Order(row["id"], row["cid"], market.symbol, row["side"], row["type"],
                     dec(row["price"]) if row.get("price") else None, dec(row["amount"]),
                     Decimal(0), dec(row["amount"]), "open", row["ts"])

    async def _place_order(self, market, side, type, amount, price, client_order_id):
        body = json.dumps({"id": market.id, "side": side, "type": type, "amount": wire(amount),
                           "price": wire(price) if price else None, "cid": client_order_id})
        row = await self.request("POST", "/orders", body=body, signed=True,
                                 host="rest_private")
        return self._order(row, market)

    async def fetch_open_orders(self, symbol=None):
        rows = await self.request("GET", "/orders", signed=True, host="rest_private")
        await self.load_markets()
        return [self._order(r, self.markets_by_id[r["market"]]) for r in rows]


class FakeToy(FakeVenue):
    def __init__(self):
        self.orders: list[dict] = []
        self.tickers = [{"id": "btcusd", "ts": 1, "last": "43000.10"}]
        super().__init__()

    def setup_routes(self):
        self.route("GET", "/markets", self.markets)
        self.route("GET", "/tickers", self.get_tickers)
        self.route("POST", "/orders", self.post_order)
        self.route("GET", "/orders", self.get_orders)

    async def markets(self, request):
        return json_response([{"id": "btcusd", "base": "BTC", "quote": "USD", "tick": "0.01",
                               "step": "0.0001", "min": "0.001"}])

    async def get_tickers(self, request):
        return json_response(self.tickers)

    def check_signature(self, request, body):
        want = hmac_hex(SECRET, request.headers.get("X-TS", "") + request.method
                        + request.path + body)
        return request.headers.get("X-SIG") == want

    async def post_order(self, request):
        body = await request.text()
        if not self.check_signature(request, body):
            return json_response({"error": "AUTH", "message": "bad signature"}, status=401)
        data = json.loads(body)
        row = {"id": str(len(self.orders) + 1), "market": data["id"], "side": data["side"],
               "type": data["type"], "amount": data["amount"], "price": data["price"],
               "cid": data["cid"], "ts": 5}
        self.orders.append(row)
        return json_response(row)

    async def get_orders(self, request):
        if not self.check_signature(request, ""):
            return json_response({"error": "AUTH", "message": "bad signature"}, status=401)
        return json_response(self.orders)


# -- streams: a toy channel protocol {"op": "sub", "ch": "..."} → frames {"ch":…, "seq":…} ------
from exchanges.core.book import BookFeed, OutOfSync  # noqa: E402
from exchanges.types import Trade  # noqa: E402


class ToyBookFeed(BookFeed):
    def __init__(self, market, limit):
        super().__init__(market.symbol, limit)
        self.key = f"book:{market.id}"
        self.subscribe = {"op": "sub", "ch": self.key}
        self.unsubscribe = {"op": "unsub", "ch": self.key}

    def apply(self, msg):
        if msg["type"] == "snapshot":
            self.book.reset([(dec(p), dec(a)) for p, a in msg["bids"]],
                            [(dec(p), dec(a)) for p, a in msg["asks"]], msg["seq"])
            return True
        if self.book.nonce is None:
            return False                       # deltas before the snapshot: wait for it
        if msg["seq"] != self.book.nonce + 1:
            raise OutOfSync(f"expected seq {self.book.nonce + 1}, got {msg['seq']}")
        for side, p, a in msg["changes"]:
            self.book.set(side, dec(p), dec(a))
        self.book.nonce = msg["seq"]
        return True


class StreamingToy(Toy):
    ws_heartbeat = 0.5

    def stream_route(self, msg):
        return msg.get("ch") if isinstance(msg, dict) else None

    def _trades_stream(self, market):
        key = f"trades:{market.id}"

        def parse(msg):
            return [Trade(str(t["id"]), t["ts"], t["side"], dec(t["p"]), dec(t["q"]),
                          market.symbol) for t in msg["trades"]]
        return key, {"op": "sub", "ch": key}, {"op": "unsub", "ch": key}, parse

    def _book_feed(self, market, limit):
        return ToyBookFeed(market, limit)


class FakeStreamingToy(FakeToy):
    """Serves a book whose true state it keeps, so a client can be compared with it."""

    def __init__(self):
        super().__init__()
        self.add_ws()
        self.bids = {"100": "1"}
        self.asks = {"101": "2"}
        self.seq = 10
        self.subscribed: list[str] = []

    def snapshot(self):
        return {"ch": "book:btcusd", "type": "snapshot", "seq": self.seq,
                "bids": sorted(self.bids.items(), key=lambda x: -Decimal(x[0])),
                "asks": sorted(self.asks.items(), key=lambda x: Decimal(x[0]))}

    async def on_ws_text(self, ws, message):
        if isinstance(message, dict) and message.get("op") == "sub":
            self.subscribed.append(message["ch"])
            if message["ch"].startswith("book:"):
                await ws.send_json(self.snapshot())

    async def change(self, side, price, amount, *, skip_seq=False):
        book = self.bids if side == "bid" else self.asks
        if amount == "0":
            book.pop(price, None)
        else:
            book[price] = amount
        self.seq += 2 if skip_seq else 1
        await self.broadcast({"ch": "book:btcusd", "type": "update", "seq": self.seq,
                              "changes": [[side, price, amount]]})
