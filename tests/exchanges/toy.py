"""A tiny venue used to test the shared core: its adapter and its fake server."""
from __future__ import annotations

import json
from decimal import Decimal

from exchanges import errors as E
from exchanges.core.adapter import Exchange
from exchanges.core.api import GET, POST
from exchanges.core.auth import Hmac
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
    auth = Hmac(prehash="{stamp}{method}{path}{body}",
                headers={"X-KEY": "{key}", "X-TS": "{stamp}", "X-SIG": "{signature}"})
    api = {
        "markets": GET("/markets"),
        "tickers": GET("/tickers"),
        "create_order": POST("/orders", signed=True, host="rest_private",
                             params=lambda m, side, type, amount, price, cid, options: {
                                 "id": m.id, "side": side, "type": type, "amount": amount,
                                 "price": price, "cid": cid}),
        "open_orders": GET("/orders", signed=True, host="rest_private"),
    }

    def parse_market(self, m, key=None):
        return Market(f"{m['base']}/{m['quote']}", m["id"], m["base"], m["quote"],
                      dec(m["tick"]), dec(m["step"]), dec(m["min"]), None)

    def parse_ticker(self, row, market):
        m = self.by_id(row["id"])
        return Ticker(m.symbol, row["ts"], last=dec(row["last"]))

    def error_code(self, reply):
        if isinstance(reply.payload, dict) and "error" in reply.payload:
            return reply.payload["error"], reply.payload.get("message", "")
        return None

    def parse_order(self, row, market):
        market = market or self.by_id(row["market"])
        return Order(row["id"], row["cid"], market.symbol, row["side"], row["type"],
                     dec(row["price"]) if row.get("price") else None, dec(row["amount"]),
                     Decimal(0), dec(row["amount"]), "open", row["ts"])

    async def find_order_by_client_id(self, market, client_order_id):
        # The toy's orders rest forever (nothing fills), so its open orders are every order.
        for order in await self.fetch_open_orders(market.symbol):
            if order.client_order_id == client_order_id:
                return order
        return None


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
from exchanges.core.book import BookFrame  # noqa: E402
from exchanges.types import Trade  # noqa: E402


class StreamingToy(Toy):
    ws_heartbeat = 0.5
    channels = {"book": "book", "trades": "trades"}
    book_sequence = "next"

    def ws_subscribe(self, channel, args, subscribe):
        return [{"op": "sub" if subscribe else "unsub", "ch": f"{channel}:{a}"} for a in args]

    def stream_route(self, msg):
        return msg.get("ch") if isinstance(msg, dict) else None

    def parse_ws_trades(self, msg, market):
        return [Trade(str(t["id"]), t["ts"], t["side"], dec(t["p"]), dec(t["q"]),
                      market.symbol) for t in msg["trades"]]

    def parse_book_frame(self, msg, market):
        if msg["type"] == "snapshot":
            return BookFrame(True, [(dec(p), dec(a)) for p, a in msg["bids"]],
                             [(dec(p), dec(a)) for p, a in msg["asks"]], seq=msg["seq"])
        bids = [(dec(p), dec(a)) for side, p, a in msg["changes"] if side == "bid"]
        asks = [(dec(p), dec(a)) for side, p, a in msg["changes"] if side != "bid"]
        return BookFrame(False, bids, asks, seq=msg["seq"])


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
