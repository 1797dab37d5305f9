"""A fake Poloniex spot venue on the kit: REST (key/signTimestamp/signature, base64
HMAC-SHA256 over METHOD\\npath\\nparams as https://api-docs.poloniex.com/spot/ "Authentication"
and Poloniex's polo-sdk-python build it) and the public websocket (ticker, trades, book_lv2
with id/lastId). Reply shapes follow the docs' field lists as polo-sdk-python's docstrings
repeat them, and the examples quoted in ccxt's poloniex.ts (order book, candles, markets)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from decimal import Decimal

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID = "poloniex"
SYMBOL = "BTC/USDT"
CREDENTIALS = Credentials(api_key="A1B2C3D4-99AA88BB-77CC66DD-55EE44FF",
                          secret="polo-test-secret-0123456789abcdef")
# The docs give no example of an auth failure's body: the documented {code, message} envelope
# with HTTP 401 is assumed here.
REFUSALS = {"funds": (400, 21709, "Low available balance"),
            "duplicate": (400, 21312, "Client order id repeat"),
            "symbol": (400, 10040, "Invalid symbol"),
            "unknown": (404, 21301, "Order does not exist"),
            "not_open": (400, 21359, "Order was already canceled or filled")}
STATE = {"open": "NEW", "filled": "FILLED", "canceled": "CANCELED"}
# symbol, base, quote, priceScale, quantityScale, minQuantity, minAmount, mid
PAIRS = [("BTC_USDT", "BTC", "USDT", 2, 6, "0.000001", "1", "23000"),
         ("ETH_USDT", "ETH", "USDT", 2, 4, "0.0001", "1", "1600")]


def _err(status: int, code: int, message: str):
    return json_response({"code": code, "message": message}, status=status)


def _s(d) -> str:
    return format(Decimal(d).normalize(), "f")


class FakePoloniex(KitVenue):
    ws_path = "/ws/public"

    def __init__(self) -> None:
        self.now = lambda: time.time_ns() // 1_000_000
        self.books = {p[0]: ServerBook.around(p[7], str(Decimal(1).scaleb(-p[3])), 20,
                                              seq=164148724) for p in PAIRS}
        self.store = OrderStore({p[0]: (p[1], p[2]) for p in PAIRS},
                                {"BTC": "1.5", "USDT": "100000", "ETH": "0"},
                                clock=lambda: self.now(), first_id=21934611974062080)
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "_")

    def setup_routes(self) -> None:
        r, s = self.route, self.signed
        r("GET", "/timestamp", self.timestamp)
        r("GET", "/markets", self.markets)
        r("GET", "/markets/ticker24h", self.tickers)
        r("GET", "/markets/{symbol}/ticker24h", self.tickers)
        r("GET", "/markets/{symbol}/orderBook", self.order_book)
        r("GET", "/markets/{symbol}/candles", self.candles)
        r("GET", "/markets/{symbol}/trades", self.trades)
        r("GET", "/accounts/balances", s(self.balances))
        r("POST", "/orders", s(self.new_order))
        r("GET", "/orders", s(self.open_orders))
        r("GET", "/orders/{id}", s(self.get_order))
        r("DELETE", "/orders/{id}", s(self.cancel_order))
        r("GET", "/trades", s(self.my_trades))
        self.add_ws()

    def check_auth(self, request, body):
        h = request.headers
        if h.get("key") != CREDENTIALS.api_key:
            return _err(401, 401, "Invalid Apikey")
        ts = h.get("signTimestamp", "")
        if body:
            params = f"requestBody={body}&signTimestamp={ts}"
        else:
            pairs = sorted([*request.query.items(), ("signTimestamp", ts)])
            params = "&".join(f"{k}={v}" for k, v in pairs)
        text = f"{request.method}\n{request.path}\n{params}"
        want = base64.b64encode(hmac.new(CREDENTIALS.secret.encode(), text.encode(),
                                         hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(h.get("signature", ""), want):
            return _err(401, 401, "Invalid signature")
        return None

    # -- public ------------------------------------------------------------------------------
    async def timestamp(self, request):
        return json_response({"serverTime": self.now()})

    async def markets(self, request):
        return json_response([
            {"symbol": i, "baseCurrencyName": b, "quoteCurrencyName": q, "displayName":
             f"{b}/{q}", "state": "NORMAL", "visibleStartTime": 1659018816626,
             "tradableStartTime": 1659018816626, "symbolTradeLimit": {
                 "symbol": i, "priceScale": ps, "quantityScale": qs, "amountScale": 2,
                 "minQuantity": mq, "minAmount": ma, "highestBid": "0", "lowestAsk": "0"}}
            for i, b, q, ps, qs, mq, ma, _ in PAIRS])

    def _ticker(self, pair: str) -> dict:
        bid, ask, now = self.books[pair].best("bids"), self.books[pair].best("asks"), self.now()
        return {"symbol": pair, "open": _s(bid * Decimal("0.99")), "low": _s(bid / 2),
                "high": _s(ask * 2), "close": _s(bid), "quantity": "105.179566",
                "amount": "2423161.17436702", "tradeCount": 17582, "startTime": now - 86400000,
                "closeTime": now, "displayName": pair.replace("_", "/"), "dailyChange":
                "-0.0002", "bid": _s(bid), "bidQuantity": "0.1", "ask": _s(ask),
                "askQuantity": "0.2", "ts": now, "markPrice": _s(bid)}

    async def tickers(self, request):
        pair = request.match_info.get("symbol")
        if pair is None:
            return json_response([self._ticker(p) for p in self.books])
        if pair not in self.books:
            return _err(400, 10040, "Invalid symbol")
        return json_response(self._ticker(pair))

    async def order_book(self, request):
        pair = request.match_info["symbol"]
        if pair not in self.books:
            return _err(400, 10040, "Invalid symbol")
        n = int(request.query.get("limit", 10))
        flat = {side: [x for lv in self.books[pair].top(side, n) for x in lv]
                for side in ("asks", "bids")}
        return json_response({"time": self.now(), "scale": "-1", **flat, "ts": self.now()})

    async def candles(self, request):
        start = int(request.query.get("startTime", 1659664800000))
        return json_response([
            ["22814.01", "22937.42", "22832.57", f"2293{i}.42", "3916.58764051", "0.171199",
             "2982.64647063", "0.130295", 33, 0, "22877.449915304470460711", "HOUR_1",
             start + i * 3600000, start + (i + 1) * 3600000 - 1] for i in range(3)])

    async def trades(self, request):
        return json_response([
            {"id": "62486976", "price": "24983.89", "quantity": "0.000537",
             "amount": "13.41634893", "takerSide": "BUY", "ts": 1676950548839,
             "createTime": 1676950548834},
            {"id": "62486975", "price": "24983.1", "quantity": "0.1", "amount": "2498.31",
             "takerSide": "SELL", "ts": 1676950548000, "createTime": 1676950547990}])

    # -- private -----------------------------------------------------------------------------
    async def balances(self, request, p):
        return json_response([{"accountId": "123", "accountType": "SPOT", "balances": [
            {"currencyId": "214", "currency": c, "available": _s(f), "hold": _s(u)}
            for c, (f, u) in self.store.balances().items()]}])

    def order_reply(self, o) -> dict:
        quote_buy = o.type == "market" and o.side == "buy"
        state = "PARTIALLY_FILLED" if o.status == "open" and o.filled else STATE[o.status]
        return {"id": o.id, "clientOrderId": o.cid or "", "symbol": o.symbol, "state": state,
                "accountType": "SPOT", "side": o.side.upper(), "type": o.type.upper(),
                "timeInForce": "GTC", "quantity": "0" if quote_buy else _s(o.amount),
                "price": _s(o.price or 0), "avgPrice": _s(o.average or 0),
                "amount": _s(o.cost) if quote_buy else "0", "filledQuantity": _s(o.filled),
                "filledAmount": _s(o.cost), "createTime": o.created, "updateTime": o.updated,
                "orderSource": "API", "loan": False}

    async def new_order(self, request, p):
        pair, kind, side = p.get("symbol"), p.get("type", "MARKET").lower(), p["side"].lower()
        amount = p.get("quantity")
        if kind == "market" and side == "buy" and pair in self.books:
            amount = Decimal(p["amount"]) / self.books[pair].best("asks")
        try:
            o = self.store.place(pair, side, kind, amount, p.get("price"),
                                 p.get("clientOrderId"), book=self.books.get(pair))
        except Rejected as exc:
            return _err(*REFUSALS[exc.kind])
        return json_response({"id": o.id, "clientOrderId": o.cid or ""})

    def _find(self, request):
        oid = request.match_info["id"]
        return self.store.find(cid=oid[4:]) if oid.startswith("cid:") else self.store.find(oid)

    async def get_order(self, request, p):
        o = self._find(request)
        return _err(*REFUSALS["unknown"]) if o is None else json_response(self.order_reply(o))

    async def cancel_order(self, request, p):
        o = self._find(request)
        if o is None or o.status != "open":
            return _err(*REFUSALS["unknown" if o is None else "not_open"])
        self.store.cancel(o.id)
        return json_response({"orderId": o.id, "clientOrderId": o.cid or "",
                              "state": "PENDING_CANCEL", "code": 200, "message": ""})

    async def open_orders(self, request, p):
        rows = sorted(self.store.open(p.get("symbol")), key=lambda o: int(o.id))
        if "from" in p:
            rows = [o for o in rows if int(o.id) > int(p["from"])]
        return json_response([self.order_reply(o) for o in rows[:int(p.get("limit", 100))]])

    async def my_trades(self, request, p):
        fills = [f for f in self.store.fills if f.time >= int(p.get("startTime", 0))]
        return json_response([
            {"id": f.id, "symbol": f.symbol, "accountType": "SPOT", "orderId": f.order_id,
             "side": f.side.upper(), "type": "LIMIT", "matchRole": "TAKER" if f.taker else
             "MAKER", "createTime": f.time, "price": _s(f.price), "quantity": _s(f.amount),
             "amount": _s(f.price * f.amount), "feeCurrency": f.fee_currency,
             "feeAmount": _s(f.fee), "pageId": f.id, "clientOrderId": ""}
            for f in fills[:int(p.get("limit", 500))]])

    # -- websocket ---------------------------------------------------------------------------
    async def on_ws_text(self, ws, message) -> None:
        if isinstance(message, dict) and message.get("event") == "ping":
            await self.send(ws, {"event": "pong"})
        else:
            await super().on_ws_text(ws, message)

    def subscriptions(self, message):
        if not isinstance(message, dict) or message.get("event") not in ("subscribe",
                                                                         "unsubscribe"):
            return None
        kind = {"book_lv2": "book", "ticker": "ticker", "trades": "trades"}
        on = message["event"] == "subscribe"
        return [Sub(kind.get(c, c), s, on) for c in message.get("channel", ())
                for s in message.get("symbols", ())]

    async def acknowledge(self, ws, message, subs):
        for channel in message["channel"]:
            await self.send(ws, {"event": message["event"], "channel": channel,
                                 "symbols": message["symbols"]})

    def refusal(self, message, subs):
        return {"event": "error", "message": f"Invalid symbols value {message['symbols']}"}

    def book_message(self, pair, changes):
        book, now = self.books[pair], self.now()
        bids, asks = (book.top("bids", 20), book.top("asks", 20)) if changes is None else changes
        return {"channel": "book_lv2", "action": "snapshot" if changes is None else "update",
                "data": [{"symbol": pair, "createTime": now, "asks": [list(a) for a in asks],
                          "bids": [list(b) for b in bids], "lastId": book.seq - 1,
                          "id": book.seq, "ts": now}]}

    def ticker_message(self, pair):
        t = self._ticker(pair)
        return {"channel": "ticker", "data": [{k: t[k] for k in (
            "symbol", "startTime", "open", "high", "low", "close", "quantity", "amount",
            "tradeCount", "dailyChange", "markPrice", "closeTime", "ts")}]}


FAKE = FakePoloniex
