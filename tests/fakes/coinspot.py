"""A fake CoinSpot on the kit: the v2 Public GETs and the signed private POSTs (JSON body with an
integer nonce; `key` and `sign` = hex HMAC-SHA512 of the body, per the v2 docs' "Security"),
reply shapes from the `coinspot-api` TypeScript client's types (the docs' endpoint list could
not be read). No websocket. Limit orders (/my/buy, /my/sell) on the kit's OrderStore, answered
{"status", "message", "coin", "market", "amount", "rate", "id"}."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime, timezone

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, json_response

VENUE_ID, SYMBOL = "coinspot", "BTC/AUD"
CREDENTIALS = Credentials(api_key="coinspot-key-0123", secret="coinspot-secret-abcdef")
COINS = {"BTC": "150000", "ETH": "6000"}


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _err(message: str, status: int = 400):
    return json_response({"status": "error", "message": message}, status=status)


class FakeCoinSpot(KitVenue):
    def __init__(self) -> None:
        self.clock = lambda: time.time_ns() // 1_000_000
        self.books = {f"{c}-AUD": ServerBook.around(mid, "0.01") for c, mid in COINS.items()}
        self.store = OrderStore({f"{c}-AUD": (c, "AUD") for c in COINS},
                                {"AUD": "1000000", "BTC": "2", "ETH": "0"},
                                clock=lambda: self.clock(), first_id=5000,
                                make_id=lambda n: f"62a1b0c0e4b0{n:012d}")
        self.last_nonce = 0
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "-")

    def setup_routes(self) -> None:
        self.route("GET", "/pubapi/v2/latest", self.latest)
        self.route("GET", "/pubapi/v2/latest/{coin}/{market}", self.latest_one)
        self.route("GET", "/pubapi/v2/orders/open/{coin}/{market}", self.open_book)
        self.route("GET", "/pubapi/v2/orders/completed/{coin}/{market}", self.completed)
        for path, handler in [("ro/my/balances", self.balances),
                              ("ro/my/orders/market/open", self.my_open),
                              ("ro/my/orders/market/completed", self.my_completed),
                              ("my/buy/cancel", self.cancel), ("my/sell/cancel", self.cancel),
                              ("my/buy", self.place), ("my/sell", self.place)]:
            self.route("POST", f"/api/v2/{path}", self.signed(handler))

    def check_auth(self, q, body):
        """hex HMAC-SHA512 of the raw POST body; the body's integer nonce above the last."""
        want = hmac.new(CREDENTIALS.secret.encode(), body.encode(), hashlib.sha512).hexdigest()
        if q.headers.get("key") != CREDENTIALS.api_key or not hmac.compare_digest(
                want, q.headers.get("sign", "")):
            return _err("Invalid key or sign", 401)
        nonce = json.loads(body or "{}").get("nonce")
        if not isinstance(nonce, int) or nonce <= self.last_nonce:
            return _err("Invalid nonce", 401)
        self.last_nonce = nonce
        return None

    # -- public --------------------------------------------------------------------------------
    def prices(self, pair: str) -> dict:
        book = self.books[pair]
        return {"bid": float(book.best("bids")), "ask": float(book.best("asks")),
                "last": float(book.best("bids"))}

    async def latest(self, q):
        return json_response({"status": "ok", "message": "ok", "prices": {
            p.split("-")[0].lower(): self.prices(p) for p in self.books}})

    async def latest_one(self, q):
        pair = f"{q.match_info['coin'].upper()}-{q.match_info['market'].upper()}"
        if pair not in self.books:
            return _err("Coin not found")
        return json_response({"status": "ok", "message": "ok", "prices": self.prices(pair)})

    async def open_book(self, q):
        pair = f"{q.match_info['coin'].upper()}-{q.match_info['market'].upper()}"
        book, coin = self.books[pair], pair.split("-")[0]
        row = lambda p, a: {"amount": float(a), "rate": float(p),  # noqa: E731
                            "total": float(p) * float(a), "coin": coin, "market": pair}
        return json_response({"status": "ok", "message": "ok",
                              "buyorders": [row(p, a) for p, a in book.top("bids", 100)],
                              "sellorders": [row(p, a) for p, a in book.top("asks", 100)]})

    async def completed(self, q):   # newest first
        coin = q.match_info["coin"].upper()
        row = lambda r, a, t: {"amount": a, "rate": r, "total": r * a, "coin": coin,  # noqa
                               "market": f"{coin}/AUD", "solddate": t}
        return json_response({"status": "ok", "message": "ok",
                              "buyorders": [row(150000.0, 0.01, "2025-01-03T00:00:02.000Z")],
                              "sellorders": [row(149990.0, 0.2, "2025-01-03T00:00:01.000Z")]})

    # -- private -------------------------------------------------------------------------------
    async def balances(self, q, p):
        return json_response({"status": "ok", "message": "ok", "balances": [
            {c: {"balance": float(f + u), "audbalance": float(f + u), "rate": 1.0}}
            for c, (f, u) in self.store.balances().items()]})

    def pair(self, p) -> str | None:
        return f"{p['cointype']}-{p['markettype']}".upper() if "cointype" in p else None

    def order_row(self, o) -> dict:
        coin, market = o.symbol.split("-")
        return {"id": o.id, "coin": coin, "market": market, "amount": float(o.amount),
                "created": _iso(o.created), "rate": float(o.price or 0),
                "total": float(o.amount * (o.price or 0))}

    async def my_open(self, q, p):
        rows = self.store.open(self.pair(p))
        return json_response({"status": "ok", "message": "ok",
                              "buyorders": [self.order_row(o) for o in rows if o.side == "buy"],
                              "sellorders": [self.order_row(o) for o in rows
                                             if o.side == "sell"]})

    async def my_completed(self, q, p):
        rows = [o for o in self.store.orders.values() if o.status == "filled"
                and self.pair(p) in (None, o.symbol)]
        out = lambda o: {**self.order_row(o), "type": o.side, "solddate": _iso(o.updated),  # noqa
                         "audfeeExGst": float(o.fee), "audGst": 0.0,
                         "audtotal": float(o.cost + o.fee)}
        return json_response({"status": "ok", "message": "ok",
                              "buyorders": [out(o) for o in rows if o.side == "buy"],
                              "sellorders": [out(o) for o in rows if o.side == "sell"]})

    async def place(self, q, p):
        pair, side = self.pair(p) or f"{p.get('cointype', '')}-AUD".upper(), q.path.split("/")[-1]
        if pair not in self.books:
            return _err("Coin not found")
        try:
            o = self.store.place(pair, side, "limit", p["amount"], p["rate"])
        except Rejected as exc:
            return _err("Insufficient funds" if exc.kind == "funds" else str(exc))
        return json_response({"status": "ok", "message": "ok", "coin": pair.split("-")[0],
                              "market": pair.replace("-", "/"), "amount": float(o.amount),
                              "rate": float(o.price), "id": o.id})

    async def cancel(self, q, p):
        o = self.store.find(p.get("id"))
        if o is None or o.side != q.path.split("/")[-2]:
            return _err("Order not found")
        try:
            self.store.cancel(o.id)
        except Rejected:
            return _err("Order not found")
        return json_response({"status": "ok", "message": "ok"})


FAKE = FakeCoinSpot
