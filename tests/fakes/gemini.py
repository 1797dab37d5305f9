"""A fake Gemini on the fake-server kit: REST v1 paths and the reply shapes of the docs'
examples (https://docs.gemini.com/, developer.gemini.com), private POSTs checked as Gemini does
(X-GEMINI-PAYLOAD base64 JSON naming the path and a rising nonce, X-GEMINI-SIGNATURE = hex
HMAC-SHA384 of that base64 text, empty body), errors as {"result": "error", "reason", "message"}
with the documented HTTP statuses (https://docs.gemini.com/error-codes), and market data v2
(/v2/marketdata): `l2` subscriptions, the first l2_updates frame the whole book with "trades"."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from decimal import Decimal

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID = "gemini"
SYMBOL = "BTC/USD"
CREDENTIALS = Credentials(api_key="account-gemini-test-key", secret="gemini-test-secret-1234")
# (id, base, quote, tick_size = amount step, quote_increment = price step, min_order_size)
SYMBOLS = [("btcusd", "BTC", "USD", "1e-8", "0.01", "0.00001"),
           ("ethbtc", "ETH", "BTC", "1e-6", "0.00001", "0.001"),
           ("btcusdt", "BTC", "USDT", "1e-8", "0.01", "0.00001"),
           ("ethusdt", "ETH", "USDT", "1e-6", "0.01", "0.001")]
REFUSALS = {"funds": (406, "InsufficientFunds", "Insufficient funds"),
            "symbol": (400, "InvalidSymbol", "Invalid symbol"),
            "duplicate": (400, "DuplicateOrder", "Duplicate client order ID"),
            "unknown": (404, "OrderNotFound", "Order not found"),
            "not_open": (404, "OrderNotFound", "Order not found")}
D = Decimal


def error(status: int, reason: str, message: str = ""):
    return json_response({"result": "error", "reason": reason, "message": message or reason},
                         status=status)


class FakeGemini(KitVenue):
    ws_path = "/v2/marketdata"

    def __init__(self) -> None:
        self.books = {s[0]: ServerBook.around(
            "0.05" if s[2] == "BTC" else "3000" if s[1] == "ETH" else "65000", s[4], 10)
                      for s in SYMBOLS}
        self.store = OrderStore({s[0]: (s[1], s[2]) for s in SYMBOLS},
                                {"BTC": "1.5", "USD": "100000", "ETH": "0"},
                                first_id=73797746498)
        self.last_nonce = 0
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "").lower()

    def setup_routes(self) -> None:
        r, p = self.route, self.private
        r("GET", "/v1/symbols", self.symbols)
        r("GET", "/v1/symbols/details/{symbol}", self.details)
        r("GET", "/v1/pricefeed", self.pricefeed)
        r("GET", "/v1/pubticker/{symbol}", self.pubticker)
        r("GET", "/v1/book/{symbol}", self.book)
        r("GET", "/v2/candles/{symbol}/{tf}", self.candles)
        r("GET", "/v1/trades/{symbol}", self.trades)
        for path, handler in (("balances", self.balances), ("order/new", self.new_order),
                              ("order/cancel", self.cancel), ("order/status", self.status),
                              ("orders", self.active), ("mytrades", self.mytrades)):
            r("POST", f"/v1/{path}", p(handler))
        self.add_ws()

    def private(self, handler):
        """The signature and payload checked first, then `handler(payload)`."""
        async def checked(request):
            h = request.headers
            if h.get("X-GEMINI-APIKEY") != CREDENTIALS.api_key:
                return error(400, "InvalidApiKey", "Invalid API key")
            b64 = h.get("X-GEMINI-PAYLOAD", "")
            want = hmac.new(CREDENTIALS.secret.encode(), b64.encode(), hashlib.sha384)
            if not hmac.compare_digest(want.hexdigest(), h.get("X-GEMINI-SIGNATURE", "")):
                return error(400, "InvalidSignature", "InvalidSignature")
            payload = json.loads(base64.b64decode(b64))
            if payload.get("request") != request.path:
                return error(400, "EndpointMismatch", "EndpointMismatch")
            if not int(payload["nonce"]) > self.last_nonce:
                return error(400, "InvalidNonce", f"Nonce '{payload['nonce']}' has not "
                                                  f"increased since your last call")
            self.last_nonce = int(payload["nonce"])
            return await handler(payload)
        return checked

    # -- public ------------------------------------------------------------------------------
    async def symbols(self, request):      # a perpetual's id ends in "perp"
        return json_response([s[0] for s in SYMBOLS] + ["btcgusdperp"])

    async def details(self, request):
        s = next((s for s in SYMBOLS if s[0] == request.match_info["symbol"].lower()), None)
        if s is None:
            return error(400, "InvalidSymbol", "Supplied value 'nope' is not a valid symbol")
        return json_response(  # the docs' example, numbers as JSON numbers as Gemini sends them
            f'{{"symbol":"{s[0].upper()}","base_currency":"{s[1]}","quote_currency":"{s[2]}",'
            f'"tick_size":{s[3]},"quote_increment":{s[4]},"min_order_size":"{s[5]}",'
            f'"status":"open","wrap_enabled":false,"product_type":"spot",'
            f'"contract_type":"vanilla","contract_price_currency":"{s[2]}"}}')

    def _ticker(self, sid: str) -> dict:
        book, (_, base, quote, *_) = self.books[sid], next(s for s in SYMBOLS if s[0] == sid)
        return {"bid": book.top("bids", 1)[0][0], "ask": book.top("asks", 1)[0][0],
                "volume": {base: "2210.505328803", quote: "20652216.124013184",
                           "timestamp": 1483018200000}, "last": book.top("bids", 1)[0][0]}

    async def pricefeed(self, request):
        return json_response([{"pair": s[0].upper(), "price": self._ticker(s[0])["last"],
                               "percentChange24h": "-0.0125"} for s in SYMBOLS])

    async def pubticker(self, request):
        return json_response(self._ticker(request.match_info["symbol"]))

    async def book(self, request):
        book, q = self.books[request.match_info["symbol"]], request.query
        rows = lambda side, n: [{"price": p, "amount": a, "timestamp": "1547147541"}  # noqa
                                for p, a in book.top(side, int(n) or None)]
        return json_response({"bids": rows("bids", q.get("limit_bids", 50)),
                              "asks": rows("asks", q.get("limit_asks", 50))})

    async def candles(self, request):
        return json_response("[[1559761200000,7781.6,7820.23,7776.56,7819.39,34.7624802159],"
                             "[1559757600000,7778.52,7793.87,7767.84,7781.6,9.6113457]]")

    async def trades(self, request):        # ccxt's recorded reply (response/gemini.json)
        return json_response([{"timestamp": "1710325796", "timestampms": "1710325796526",
                               "tid": "2840140831246421", "price": "73268.24",
                               "amount": "0.00028921", "exchange": "gemini", "type": "buy"}])

    # -- private -----------------------------------------------------------------------------
    async def balances(self, p):
        return json_response([{"type": "exchange", "currency": c, "amount": str(f + u),
                               "available": str(f), "availableForWithdrawal": str(f)}
                              for c, (f, u) in self.store.balances().items()])

    def row(self, o) -> dict:
        return {"order_id": o.id, "id": o.id, "symbol": o.symbol, "exchange": "gemini",
                "avg_execution_price": str(o.average or "0.00"), "side": o.side,
                "type": "exchange limit", "timestamp": str(o.created // 1000),
                "timestampms": o.created, "is_live": o.status == "open",
                "is_cancelled": o.status == "canceled", "is_hidden": False,
                "was_forced": False, "executed_amount": str(o.filled),
                "client_order_id": o.cid, "options": o.options.get("options", []),
                "price": str(o.price or o.options["limit"]), "original_amount": str(o.amount),
                "remaining_amount": str(o.remaining)}

    async def new_order(self, p):
        ioc = "immediate-or-cancel" in p.get("options", [])
        try:        # an IOC limit fills at once against the book (market-style)
            o = self.store.place(p["symbol"], p["side"], "market" if ioc else "limit",
                                 p["amount"], p["price"], p.get("client_order_id"),
                                 book=self.books.get(p["symbol"]), limit=p["price"],
                                 options=p.get("options", []))
        except Rejected as exc:
            return error(*REFUSALS[exc.kind])
        return json_response(self.row(o))

    async def cancel(self, p):
        try:
            o = self.store.cancel(str(p["order_id"]))
        except Rejected as exc:
            return error(*REFUSALS[exc.kind])
        return json_response({**self.row(o), "reason": "Requested"})

    async def status(self, p):
        if "client_order_id" in p:
            return json_response([self.row(o) for o in self.store.orders.values()
                                  if o.cid == p["client_order_id"]])
        o = self.store.find(str(p.get("order_id")))
        return json_response(self.row(o)) if o else error(*REFUSALS["unknown"])

    async def active(self, p):
        return json_response([self.row(o) for o in self.store.open()])

    async def mytrades(self, p):
        return json_response([{"price": str(f.price), "amount": str(f.amount), "tid": int(f.id),
                               "order_id": f.order_id, "exchange": "gemini",
                               "is_auction_fill": False, "timestamp": f.time // 1000,
                               "timestampms": f.time, "type": f.side.title(),
                               "aggressor": f.taker, "fee_currency": f.fee_currency,
                               "fee_amount": str(f.fee)}
                              for f in reversed(self.store.fills_of(p.get("symbol")))])

    # -- market data v2 ----------------------------------------------------------------------
    def subscriptions(self, message):
        if not isinstance(message, dict) or message.get("type") not in ("subscribe",
                                                                         "unsubscribe"):
            return None
        on = message["type"] == "subscribe"
        return [Sub(kind, s.lower(), on) for sub in message["subscriptions"]
                for s in sub["symbols"] for kind in ("book", "trades", "ticker")]

    def refusal(self, message, subs):       # ccxt's recorded v2 error frame
        return {"reason": "NoValidTradingPairs", "result": "error"}

    def book_message(self, sid, changes):
        book = self.books[sid]
        bids, asks = (book.top("bids"), book.top("asks")) if changes is None else changes
        msg = {"type": "l2_updates", "symbol": sid.upper(),
               "changes": [["buy", p, a] for p, a in bids] + [["sell", p, a] for p, a in asks]}
        if changes is None:
            msg.update(trades=[self.trade(sid)], auction_events=[])
        return msg

    def trade(self, sid) -> dict:
        return {"type": "trade", "symbol": sid.upper(), "event_id": 169841458,
                "timestamp": 1560976400428, "price": self._ticker(sid)["ask"],
                "quantity": "0.0073173", "side": "buy", "tid": 2840140800042677}

    ticker_message = trade      # v2 has no ticker: a trade moves the streamed ticker's last


FAKE = FakeGemini
