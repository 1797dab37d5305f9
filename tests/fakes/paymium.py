"""A fake Paymium on the fake-server kit: REST v1 paths and reply shapes from its OpenAPI spec
(github.com/Paymium/api-documentation, spec/openapi.yaml 1.1.1: schemas and examples), the
Api-Key/Api-Nonce/Api-Signature headers checked as its securitySchemes describe them
(HMAC-SHA256 of nonce + full URL + body, nonces increasing); its socket.io stream as the
spec's WebSocket section shows it (namespace /public, `stream` events holding what changed),
in socket.io's Engine.IO 3 framing."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone
from decimal import Decimal as D

from aiohttp import web

from exchanges import Credentials

import json

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID, SYMBOL = "paymium", "BTC/EUR"
CREDENTIALS = Credentials(api_key="paymium-token-0123", secret="paymium-secret-4567")
STATE = {"open": "active", "filled": "executed", "canceled": "canceled"}
TYPE = {"limit": "LimitOrder", "market": "MarketOrder"}


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")


def errors(*messages: str, status: int = 422):
    return json_response({"errors": list(messages)}, status=status)


class FakePaymium(KitVenue):
    ws_path = "/ws/socket.io/"
    snapshot_on_subscribe = False       # the stream sends changes only
    def __init__(self) -> None:
        self.books = {"eur": ServerBook.around("60000", "0.01")}
        self.store = OrderStore({"eur": ("BTC", "EUR")}, {"EUR": "100000", "BTC": "2"},
                                make_id=lambda n: f"968f4580-e26c-4ad8-8bcd-{n:012d}")
        self.last_nonce = 0
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.split("/")[1].lower()

    def setup_routes(self) -> None:
        for path, handler in [("ticker", self.ticker), ("depth", self.depth),
                              ("ohlcv", self.ohlcv), ("trades", self.trades)]:
            self.route("GET", "/api/v1/data/{c}/" + path, handler)
        for method, path, handler in [("GET", "/api/v1/user", self.user),
                                      ("POST", "/api/v1/user/orders", self.place),
                                      ("GET", "/api/v1/user/orders", self.orders),
                                      ("GET", "/api/v1/user/orders/{uuid}", self.order),
                                      ("DELETE", "/api/v1/user/orders/{uuid}", self.cancel)]:
            self.route(method, path, self.signed(handler))
        self.add_ws()

    def check_auth(self, q, body):
        """Api-Signature = hex HMAC-SHA256(secret, nonce + full URL + body)."""
        nonce = q.headers.get("Api-Nonce", "")
        want = hmac.new(CREDENTIALS.secret.encode(), f"{nonce}{q.url}{body}".encode(),
                        hashlib.sha256).hexdigest()
        if q.headers.get("Api-Key") != CREDENTIALS.api_key or not hmac.compare_digest(
                want, q.headers.get("Api-Signature", "")):
            return errors("Invalid API signature", status=401)
        if not nonce.isdigit() or int(nonce) <= self.last_nonce:
            return errors("Invalid nonce", status=401)
        self.last_nonce = int(nonce)
        return None

    # -- public ------------------------------------------------------------------------------
    async def ticker(self, q):
        book = self.books["eur"]
        bid, ask = book.top("bids", 1)[0][0], book.top("asks", 1)[0][0]
        return json_response({"high": ask, "low": bid, "volume": "39.77651173", "bid": bid,
                              "ask": ask, "midpoint": str((D(bid) + D(ask)) / 2),
                              "vwap": bid, "at": 1619184394, "price": bid, "open": bid,
                              "variation": "-11.7372", "currency": "EUR",
                              "trade_id": "0a31a001-2deb-48f1-b413-f1a31a9f97c1",
                              "size": "0.0052"})

    async def depth(self, q):      # ascending prices on both sides (spec examples don't say)
        book = self.books["eur"]
        row = lambda p, a: {"timestamp": 1424208720, "amount": a, "price": p,  # noqa: E731
                            "currency": "EUR"}
        return json_response({"bids": [row(p, a) for p, a in reversed(book.top("bids"))],
                              "asks": [row(p, a) for p, a in book.top("asks")]})

    async def ohlcv(self, q):
        return json_response([[1615816800000 + i * 3_600_000, "47440.0", "50000.0", "42000.0",
                               "43000.0", "0.05321696"] for i in range(3)])

    async def trades(self, q):
        return json_response([
            {"uuid": "59f9c458-cb22-48d6-9103-0b6e54130e29", "traded_btc": "0.153",
             "traded_currency": "102.51", "created_at": "2014-01-07T11:30:59Z",
             "currency": "EUR", "side": "buy", "price": "670.0", "created_at_int": 1389094259},
            {"uuid": "0a31a001-2deb-48f1-b413-f1a31a9f97c1", "traded_btc": "0.01",
             "traded_currency": "6.71", "created_at": "2014-01-07T11:31:00Z",
             "currency": "EUR", "side": "sell", "price": "671.0", "created_at_int": 1389094260}])

    # -- account -----------------------------------------------------------------------------
    async def user(self, q, p):
        row = {"name": "BC-U123456", "locale": "en", "channel_id": "c0ffee"}
        for c, (free, used) in self.store.balances().items():
            row[f"balance_{c.lower()}"], row[f"locked_{c.lower()}"] = str(free), str(used)
        return json_response(row)

    def order_json(self, o) -> dict:
        return {"uuid": o.id, "currency_amount": str(o.cost), "state": STATE[o.status],
                "btc_fee": "0.0", "currency_fee": str(o.fee), "created_at": _iso(o.created),
                "updated_at": _iso(o.updated), "currency": "EUR", "comment": None,
                "amount": str(o.amount), "type": TYPE[o.type], "traded_btc": str(o.filled),
                "traded_currency": str(o.cost), "direction": o.side,
                "price": str(o.price) if o.price is not None else None,
                "account_operations": []}

    async def place(self, q, p):
        if p.get("currency") != "EUR" or p.get("type") not in TYPE.values():
            return errors("Currency must be EUR", status=400)
        if isinstance(p.get("price"), str) or isinstance(p.get("amount"), str):
            return errors("Amount and price must be numbers", status=400)
        kind = "limit" if p["type"] == "LimitOrder" else "market"
        try:
            o = self.store.place("eur", p["direction"], kind, str(p["amount"]),
                                 str(p["price"]) if kind == "limit" else None,
                                 book=self.books["eur"])
        except Rejected:
            return errors("Operations account operations amount is greater than your "
                          "available balance (1781.96 EUR)")
        # A market order is answered before it executes (spec user socket example).
        return json_response({**self.order_json(o), **({"state": "pending_execution",
                                                         "traded_btc": "0"}
                                                        if kind == "market" else {})},
                             status=201)

    async def orders(self, q, p):
        if p.get("active") == "true":      # not paginated (spec)
            return json_response([self.order_json(o) for o in self.store.open()])
        rows = sorted(self.store.orders.values(), key=lambda o: o.id, reverse=True)
        page, size = int(p.get("page", 1)), int(p.get("per_page", 20))
        return json_response([self.order_json(o) for o in rows[(page - 1) * size:page * size]])

    async def order(self, q, p):
        o = self.store.find(q.match_info["uuid"])
        return json_response(self.order_json(o)) if o else web.Response(status=404)

    async def cancel(self, q, p):
        try:
            self.store.cancel(q.match_info["uuid"])
        except Rejected as exc:
            return web.Response(status=404 if exc.kind == "unknown" else 500)
        return web.Response(status=204)

    # -- socket.io stream --------------------------------------------------------------------
    async def on_ws_text(self, ws, message) -> None:
        if message == 2:                                    # Engine.IO ping
            await self.send(ws, "3")
            return
        await super().on_ws_text(ws, message)

    def subscriptions(self, m):
        if m != "40/public":
            return None
        return [Sub(kind, "eur") for kind in ("ticker", "trades", "book")]

    async def acknowledge(self, ws, m, subs):
        await self.send(ws, "40/public")

    def refusal(self, m, subs):
        return '44/public,"Invalid namespace"'

    @staticmethod
    def event(data: dict) -> str:
        return "42/public," + json.dumps(["stream", data])

    def book_message(self, m, changes):
        bids, asks = changes
        row = lambda p, a: {"timestamp": 1424208720, "amount": a, "price": p,  # noqa: E731
                            "currency": "EUR"}
        return self.event({**({"bids": [row(p, a) for p, a in bids]} if bids else {}),
                           **({"asks": [row(p, a) for p, a in asks]} if asks else {})})

    def ticker_message(self, m):
        bid = self.books["eur"].top("bids", 1)[0][0]
        return self.event({"ticker": {"high": bid, "low": bid, "volume": "0.10909089",
                                      "bid": bid, "ask": bid, "at": 1446464202, "price": bid,
                                      "open": bid, "currency": "EUR"}})


FAKE = FakePaymium
