"""A fake Coinmate on the fake-server kit: REST paths and reply shapes from the apiary blueprint
(https://coinmate.docs.apiary.io) as recorded in ccxt's coinmate.ts comments and
ts/src/test/static/response/coinmate.json; the form-body signature checked as the blueprint's
"Authentication" section describes; websocket v2 (order_book-, trades-, statistics- channels,
whole-book frames)."""
from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal as D

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID, SYMBOL = "coinmate", "BTC/EUR"
CREDENTIALS = Credentials(api_key="CpmRVcoinmatePublicKey", secret="coinmate-private-key",
                          uid="6")
PAIRS = {"BTC_EUR": ("BTC", "EUR", 2, 8, "0.0002"), "ETH_EUR": ("ETH", "EUR", 2, 8, "0.001"),
         "BTC_CZK": ("BTC", "CZK", 0, 8, "0.0002")}
STATUS = {"open": "OPEN", "filled": "FILLED", "canceled": "CANCELLED"}


def ok(data):
    return json_response({"error": False, "errorMessage": None, "data": data})


def err(message: str):
    return json_response({"error": True, "errorMessage": message, "data": None})


class FakeCoinmate(KitVenue):
    ws_path = "/api/websocket"

    def __init__(self) -> None:
        self.books = {"BTC_EUR": ServerBook.around("60000", "0.01"),
                      "ETH_EUR": ServerBook.around("3000", "0.01"),
                      "BTC_CZK": ServerBook.around("1500000", "1")}
        self.store = OrderStore({p: v[:2] for p, v in PAIRS.items()},
                                {"EUR": "100000", "CZK": "0", "BTC": "2", "ETH": "0"},
                                first_id=781246605)
        self.nonces: list[int] = []
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "_")

    def setup_routes(self) -> None:
        for name, handler in [("tradingPairs", self.pairs), ("ticker", self.ticker),
                              ("tickerAll", self.ticker_all), ("orderBook", self.orderbook),
                              ("transactions", self.transactions)]:
            self.route("GET", "/api/" + name, handler)
        for name, handler in [("balances", self.balances), ("buyLimit", self.place),
                              ("sellLimit", self.place), ("buyInstant", self.place),
                              ("sellInstant", self.place), ("openOrders", self.open_orders),
                              ("orderById", self.order), ("order", self.by_client_id),
                              ("cancelOrderWithInfo", self.cancel),
                              ("tradeHistory", self.trade_history)]:
            self.route("POST", "/api/" + name, self.signed(handler))
        self.add_ws()

    def check_auth(self, q, body):
        """signature = HEX(HMAC-SHA256(private key, nonce + clientId + publicKey)), the
        nonce strictly increasing; only those three are signed."""
        p = self.params_of(q, body)
        nonce = p.get("nonce", "")
        msg = f"{nonce}{p.get('clientId', '')}{p.get('publicKey', '')}".encode()
        want = hmac.new(CREDENTIALS.secret.encode(), msg, hashlib.sha256).hexdigest().upper()
        if (p.get("clientId") != CREDENTIALS.uid or p.get("publicKey") != CREDENTIALS.api_key
                or not hmac.compare_digest(want, p.get("signature", ""))):
            return err("Access denied.")
        if not nonce.isdigit() or (self.nonces and int(nonce) <= self.nonces[-1]):
            return err("Access denied.")
        self.nonces.append(int(nonce))
        return None

    # -- public ------------------------------------------------------------------------------
    async def pairs(self, q):
        return ok([{"name": p, "firstCurrency": b, "secondCurrency": c, "priceDecimals": pd,
                    "lotDecimals": ld, "minAmount": D(m),
                    "tradesWebSocketChannelId": f"trades-{p}",
                    "orderBookWebSocketChannelId": f"order_book-{p}",
                    "tradeStatisticsWebSocketChannelId": f"statistics-{p}"}
                   for p, (b, c, pd, ld, m) in PAIRS.items()])

    def tick(self, p: str) -> dict:      # strings, as in ccxt's recorded tickerAll reply
        bid, ask = self.books[p].top("bids", 1)[0][0], self.books[p].top("asks", 1)[0][0]
        return {"last": bid, "high": ask, "low": bid, "amount": "0.15487888", "bid": bid,
                "ask": ask, "change": "3.05116019", "open": bid, "timestamp": "1710328244"}

    async def ticker(self, q):
        p = q.query.get("currencyPair")
        return ok(self.tick(p)) if p in self.books else err("Invalid currency pair")

    async def ticker_all(self, q):
        return ok({p: self.tick(p) for p in self.books})

    async def orderbook(self, q):
        book = self.books.get(q.query.get("currencyPair"))
        if book is None:
            return err("Invalid currency pair")
        return ok({"asks": [{"price": D(p), "amount": D(a)} for p, a in book.top("asks")],
                   "bids": [{"price": D(p), "amount": D(a)} for p, a in book.top("bids")],
                   "timestamp": 1710328244})

    async def transactions(self, q):
        return ok([{"timestamp": 1561598833416 + i, "transactionId": str(4156303 + i),
                    "price": D("60000.01"), "amount": D("0.004"),
                    "currencyPair": q.query.get("currencyPair"), "tradeType": t}
                   for i, t in enumerate(("BUY", "SELL"))])

    # -- account -----------------------------------------------------------------------------
    async def balances(self, q, p):
        return ok({c: {"currency": c, "balance": f + u, "reserved": u, "available": f}
                   for c, (f, u) in self.store.balances().items()})

    def order_json(self, o, history: bool = True) -> dict:
        row = {"id": int(o.id), "timestamp": o.created, "type": o.side.upper(),
               "currencyPair": o.symbol, "price": o.price,
               "orderTradeType": o.type.upper(), "clientOrderId": int(o.cid) if o.cid else None}
        if history:
            return {**row, "remainingAmount": o.remaining, "originalAmount": o.amount,
                    "status": STATUS[o.status], "avgPrice": o.average}
        return {**row, "amount": o.remaining, "originalAmount": o.amount}

    async def place(self, q, p):
        name = q.path.rsplit("/", 1)[1]
        pair, side = p.get("currencyPair"), "buy" if name.startswith("buy") else "sell"
        market = name.endswith("Instant")
        amount = p.get("amount")
        if market and side == "buy":     # a quote total: what it buys at the best ask
            amount = str(D(p["total"]) / D(self.books[pair].top("asks", 1)[0][0]))
        try:
            o = self.store.place(pair, side, "market" if market else "limit", amount,
                                 p.get("price"), p.get("clientOrderId"),
                                 book=self.books.get(pair))
        except Rejected as exc:
            return err({"funds": "Not enough account balance available",
                        "duplicate": "Duplicate clientOrderId",
                        "symbol": "Invalid currency pair"}[exc.kind])
        return ok(int(o.id))

    async def open_orders(self, q, p):
        return ok([self.order_json(o, False) for o in self.store.open(p.get("currencyPair"))])

    async def order(self, q, p):
        o = self.store.find(p.get("orderId"))
        return ok(self.order_json(o)) if o else err("No order with given ID")

    async def by_client_id(self, q, p):
        return ok([self.order_json(o) for o in self.store.orders.values()
                   if o.cid == p.get("clientOrderId")])

    async def cancel(self, q, p):
        try:
            o = self.store.cancel(p.get("orderId"))
        except Rejected as exc:
            return err("No order with given ID" if exc.kind == "unknown" else str(exc))
        return ok({"success": True, "remainingAmount": o.remaining})

    async def trade_history(self, q, p):
        return ok([{"transactionId": int(f.id), "createdTimestamp": f.time,
                    "currencyPair": f.symbol, "type": f.side.upper(),
                    "orderType": self.store.orders[f.order_id].type.upper(),
                    "orderId": int(f.order_id), "amount": f.amount, "price": f.price,
                    "fee": f.fee, "feeType": "TAKER" if f.taker else "MAKER"}
                   for f in self.store.fills_of(p.get("currencyPair"))])

    # -- websocket ---------------------------------------------------------------------------
    async def send(self, ws, message) -> None:      # numbers as JSON numbers, as Coinmate's
        if message is not None and not isinstance(message, str):
            message = json.dumps(message, default=float)
        await super().send(ws, message)

    def subscriptions(self, m):
        if not isinstance(m, dict) or m.get("event") not in ("subscribe", "unsubscribe"):
            return None
        channel, _, pair = m["data"]["channel"].partition("-")
        kind = {"order_book": "book", "trades": "trades", "statistics": "ticker"}.get(channel)
        return [Sub(kind or channel, pair, m["event"] == "subscribe")]

    async def acknowledge(self, ws, m, subs):
        await self.send(ws, {"event": f"{m['event']}_success", "data": m["data"]})

    def refusal(self, m, subs):
        return {"event": "error", "message": "Websocket error"}

    def book_message(self, pair, changes):      # always the whole book
        book = self.books[pair]
        return {"channel": f"order_book-{pair}", "event": "data", "payload": {
            "bids": [{"price": D(p), "amount": D(a)} for p, a in book.top("bids")],
            "asks": [{"price": D(p), "amount": D(a)} for p, a in book.top("asks")]}}

    def ticker_message(self, pair):
        bid = D(self.books[pair].top("bids", 1)[0][0])
        return {"channel": f"statistics-{pair}", "event": "data", "payload": {
            "lastRealizedTrade": bid, "highest": bid, "lowest": bid, "volume": D("12.5"),
            "dailyChange": D("1.2")}}


FAKE = FakeCoinmate
