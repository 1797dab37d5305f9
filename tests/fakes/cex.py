"""A fake CEX.IO Spot Trading venue on the kit: POST actions under /api/spot/rest-public/ and
/api/spot/rest/ (X-AGGR-KEY/TIMESTAMP/SIGNATURE checked as https://trade.cex.io/docs/
"Authentication" and CEX.IO's Node client compute it), and the public websocket's order book
(order_book_subscribe answered with a snapshot, order_book_increment with seqId + 1). Reply
shapes are the docs' examples (get_pairs_info, get_ticker, get_order_book, get_candles,
get_trade_history, get_my_account_status_v3, get_my_orders, do_my_new_order)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from decimal import Decimal

from exchanges import Credentials
from exchanges.core.auth import iso_timestamp

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID = "cex"
SYMBOL = "BTC/USD"
CREDENTIALS = Credentials(api_key="cexio-test-key-0123456789abcdef",
                          secret="cexio-test-secret-fedcba9876543210", uid="trading1")
REFUSALS = {"funds": "Insufficient funds", "duplicate": "Duplicate clientOrderId",
            "symbol": "Unsupported pair"}
PUBLIC_ACTIONS = ("get_server_time", "get_pairs_info", "get_ticker", "get_order_book",
                  "get_candles", "get_trade_history")
# Every CEX.IO call is a POST; these are the public ones (test_all_venues checks that an order
# refused before sending sends nothing else).
PUBLIC_POSTS = tuple(f"/api/spot/rest-public/{a}" for a in PUBLIC_ACTIONS)
SUBSCRIBE, UNSUBSCRIBE = ("order_book_subscribe", "trade_subscribe"), \
    ("order_book_unsubscribe", "trade_unsubscribe")
STATUS = {"open": "NEW", "filled": "FILLED", "canceled": "CANCELLED"}
# base, quote, pricePrecision, baseLotSize, baseMin, quoteMin, mid
PAIRS = [("BTC", "USD", 1, "0.00000001", "0.0004", "10", "21800"),
         ("ETH", "USD", 2, "0.000001", "0.01", "10", "1600")]


def ok(data):
    return json_response({"ok": "ok", "data": data})


def _s(d) -> str:
    return format(Decimal(d).normalize(), "f")


class FakeCEX(KitVenue):
    ws_path = "/api/spot/ws-public"

    def __init__(self) -> None:
        self.now = lambda: time.time_ns() // 1_000_000
        self.books = {f"{b}-{q}": ServerBook.around(mid, str(Decimal(1).scaleb(-pp)), 20,
                                                    seq=8676229)
                      for b, q, pp, _, _, _, mid in PAIRS}
        self.store = OrderStore({f"{p[0]}-{p[1]}": (p[0], p[1]) for p in PAIRS},
                                {"BTC": "1.5", "USD": "100000", "ETH": "0"},
                                clock=lambda: self.now(), first_id=17062)
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "-")

    def setup_routes(self) -> None:
        for path, handler in zip(PUBLIC_POSTS, (self.server_time, self.pairs_info, self.ticker,
                                                self.order_book, self.candles,
                                                self.trade_history)):
            self.route("POST", path, handler)
        for action, handler in (("get_my_account_status_v3", self.account_status),
                                ("do_my_new_order", self.new_order),
                                ("do_cancel_my_order", self.cancel_order),
                                ("get_my_orders", self.my_orders)):
            self.route("POST", f"/api/spot/rest/{action}", self.signed(handler))
        self.add_ws()

    def check_auth(self, request, body):
        """base64 HMAC-SHA256(secret, action + X-AGGR-TIMESTAMP + body)."""
        h = request.headers
        action = request.path.rsplit("/", 1)[-1]
        want = base64.b64encode(hmac.new(CREDENTIALS.secret.encode(),
                                         f"{action}{h.get('X-AGGR-TIMESTAMP')}{body}".encode(),
                                         hashlib.sha256).digest()).decode()
        if h.get("X-AGGR-KEY") != CREDENTIALS.api_key or \
                not hmac.compare_digest(h.get("X-AGGR-SIGNATURE", ""), want):
            return json_response({"error": "Authorization Failed"}, status=401)
        if abs(int(h["X-AGGR-TIMESTAMP"]) - self.now() // 1000) > 30:
            return json_response({"error": "Authorization Failed"}, status=401)
        return None

    @staticmethod
    async def _body(request) -> dict:
        text = await request.text()
        return json.loads(text) if text else {}

    # -- public ------------------------------------------------------------------------------
    async def server_time(self, request):
        return ok({"timestamp": self.now(), "ISODate": iso_timestamp(self.now())})

    async def pairs_info(self, request):
        return ok([{"base": b, "quote": q, "baseMin": bm, "baseMax": "60", "baseLotSize": lot,
                    "quoteMin": qm, "quoteMax": "1000000", "quoteLotSize": "0.01000000",
                    "basePrecision": 8, "quotePrecision": 8, "pricePrecision": pp,
                    "minPrice": "1.0", "maxPrice": "211250.0"}
                   for b, q, pp, lot, bm, qm, _ in PAIRS])

    def _ticker(self, pair: str) -> dict:
        bid, ask = self.books[pair].best("bids"), self.books[pair].best("asks")
        return {"bestBid": _s(bid), "bestAsk": _s(ask), "bestBidChange": "-398.5",
                "bestBidChangePercentage": "-1.64", "bestAskChange": "-362.4",
                "bestAskChangePercentage": "-1.49", "volume30d": "1311.83096457",
                "low": _s(bid / 2), "high": _s(ask * 2), "volume": "21.14500755",
                "quoteVolume": "509738.03240736", "lastTradeVolume": "0.00493647",
                "last": _s(bid), "lastTradePrice": _s(ask), "priceChange": "-481.7",
                "priceChangePercentage": "-1.98", "lastTradeDateISO": iso_timestamp(self.now()),
                "volumeUSD": "286794.97"}

    async def ticker(self, request):
        pairs = (await self._body(request)).get("pairs") or list(self.books)
        return ok({p: self._ticker(p) for p in pairs if p in self.books})

    async def order_book(self, request):
        pair = (await self._body(request)).get("pair")
        if pair not in self.books:
            return json_response({"error": f"Unsupported pair {pair}"}, status=422)
        b1, b2 = pair.split("-")
        book = self.books[pair]
        return ok({"timestamp": self.now(), "currency1": b1, "currency2": b2,
                   "bids": [list(x) for x in book.top("bids", 20)],
                   "asks": [list(x) for x in book.top("asks", 20)]})

    async def candles(self, request):
        p = await self._body(request)
        start = p.get("fromISO", 1676041200000)
        return ok([{"timestamp": start + i * 3600000, "open": 22945.3, "high": 23163.4,
                    "low": 22913, "close": 22920.1 + i, "volume": 779.00675644,
                    "resolution": p.get("resolution"), "isClosed": True,
                    "timestampISO": iso_timestamp(start + i * 3600000)} for i in range(3)]
                  + [{"timestamp": start + 3 * 3600000, "resolution": p.get("resolution"),
                      "timestampISO": iso_timestamp(start + 3 * 3600000)}])   # an empty one

    async def trade_history(self, request):
        return ok({"pageSize": 1000, "trades": [
            {"tradeId": "1675399566795-0", "dateISO": "2023-02-03T04:46:06.795Z",
             "side": "SELL", "price": "21149.2", "amount": "10.00000000"},
            {"tradeId": "1675401193999-0", "dateISO": "2023-02-03T05:13:13.999Z",
             "side": "BUY", "price": "25896.0", "amount": "0.00000001"}]})

    # -- private -----------------------------------------------------------------------------
    async def account_status(self, request, p):
        accounts = {a: {c: {"balance": _s(f + u), "balanceOnHold": _s(u),
                            "balanceInConvertedCurrency": "0"}
                        for c, (f, u) in self.store.balances().items()}
                    for a in p.get("accountIds") or [CREDENTIALS.uid]}
        return ok({"convertedCurrency": "USD", "balancesPerAccounts": accounts})

    def order_row(self, o) -> dict:
        b1, b2 = o.symbol.split("-")
        status = "PARTIALLY_FILLED" if o.status == "open" and o.filled else STATUS[o.status]
        return {"orderId": o.id, "clientOrderId": o.cid, "clientId": "BitFok",
                "accountId": CREDENTIALS.uid, "status": status, "currency1": b1,
                "currency2": b2, "side": o.side.upper(), "orderType": o.type.capitalize(),
                "timeInForce": "GTC" if o.type == "limit" else "IOC", "comment": None,
                "rejectCode": None, "rejectReason": None,
                "executedAmountCcy1": _s(o.filled) if o.filled else None,
                "executedAmountCcy2": _s(o.cost) if o.filled else None,
                "requestedAmountCcy1": _s(o.amount), "requestedAmountCcy2": None,
                "feeAmount": _s(o.fee) if o.fee else None, "feeCurrency": b2,
                "price": _s(o.price) if o.price is not None else None,
                "averagePrice": _s(o.average) if o.average else None,
                "statusIsFinal": o.status != "open", "clientCreateTimestamp": o.created,
                "serverCreateTimestamp": o.created, "lastUpdateTimestamp": o.updated,
                "initialOnHoldAmountCcy1": None, "initialOnHoldAmountCcy2": None,
                "expireTime": None, "effectiveTime": None}

    async def new_order(self, request, p):
        if not p.get("accountId"):
            return json_response({"error": "Mandatory parameter accountId is missing",
                                  "statusCode": 422}, status=422)
        pair = f"{p.get('currency1')}-{p.get('currency2')}"
        try:
            o = self.store.place(pair, p["side"].lower(), p["orderType"].lower(),
                                 p["amountCcy1"], p.get("price"), p.get("clientOrderId"),
                                 book=self.books.get(pair))
        except Rejected as exc:         # answered "ok", the order REJECTED (docs' example)
            return ok({"clientId": "IT_DEMO", "orderId": "NONE", "clientOrderId":
                       p.get("clientOrderId"), "accountId": p["accountId"], "status":
                       "REJECTED", "currency1": p.get("currency1"), "currency2":
                       p.get("currency2"), "side": p["side"], "orderType": p["orderType"],
                       "rejectCode": 403, "rejectReason": REFUSALS[exc.kind]})
        return ok({**self.order_row(o), "executionType": "New", "executionId": "1_0_1"})

    async def cancel_order(self, request, p):
        o = self.store.find(str(p.get("orderId")), p.get("clientOrderId"))
        if o is None or o.status != "open":
            return json_response({"error": "Order not found"}, status=422)
        self.store.cancel(o.id)
        return ok({})

    async def my_orders(self, request, p):
        if "orderId" in p or "clientOrderId" in p:
            o = self.store.find(None if "clientOrderId" in p else str(p["orderId"]),
                                p.get("clientOrderId"))
            return ok([self.order_row(o)] if o else [])
        rows = self.store.open(p.get("pair"))
        size, page = int(p.get("pageSize", 1000)), int(p.get("pageNumber", 0))
        return ok([self.order_row(o) for o in rows[page * size:(page + 1) * size]])

    # -- websocket ---------------------------------------------------------------------------
    async def on_ws_text(self, ws, message) -> None:
        if isinstance(message, dict) and message.get("e") == "ping":
            await self.send(ws, {"e": "pong"})
        elif isinstance(message, dict) and message.get("e") in SUBSCRIBE and \
                message["data"]["pair"] not in self.books:
            await self.send(ws, self.refusal(message, []))
        else:
            await super().on_ws_text(ws, message)

    def subscriptions(self, message):
        e = message.get("e") if isinstance(message, dict) else None
        if e not in SUBSCRIBE and e not in UNSUBSCRIBE:
            return None
        self._oid = message.get("oid")
        kind = "book" if e.startswith("order_book") else "trades"
        return [Sub(kind, message["data"]["pair"], e in SUBSCRIBE)]

    async def acknowledge(self, ws, message, subs):
        e, pair = message["e"], message["data"]["pair"]
        if e == "order_book_subscribe":
            return                      # the snapshot is the answer
        data = {"pair": pair} if e == "order_book_unsubscribe" else {"reqId": "1678176120060_1"}
        await self.send(ws, {"e": e, "oid": message["oid"], "ok": "ok", "data": data})
        if e == "trade_subscribe":
            await self.send(ws, {"e": "tradeHistorySnapshot", "ok": "ok", "data": {
                "pair": pair, "trades": [self._trade("1678152145734-0", "22562.1")]}})

    @staticmethod
    def _trade(trade_id: str, price: str) -> dict:
        return {"side": "BUY", "dateISO": iso_timestamp(int(trade_id.split("-")[0])),
                "price": price, "amount": "0.00975172", "tradeId": trade_id}

    async def publish_trade(self, pair: str, trade_id: str, price: str) -> None:
        await self.push("trades", pair, {"e": "tradeUpdate", "ok": "ok",
                                         "data": {"pair": pair, **self._trade(trade_id, price)}})

    def refusal(self, message, subs):
        return {"e": message["e"], "oid": message.get("oid"), "data": {
            "error": f"Currency pair {message['data']['pair']} is not supported"}}

    def book_message(self, pair, changes):
        book = self.books[pair]
        if changes is None:             # the reply to order_book_subscribe
            return {"e": "order_book_subscribe", "oid": getattr(self, "_oid", None),
                    "data": {"seqId": book.seq, "pair": pair,
                             "bids": [list(x) for x in book.top("bids", 20)],
                             "asks": [list(x) for x in book.top("asks", 20)]}, "ok": "ok"}
        bids, asks = changes
        return {"e": "order_book_increment", "data": {"seqId": book.seq, "pair": pair,
                                                      "bids": [list(x) for x in bids],
                                                      "asks": [list(x) for x in asks]},
                "ok": "ok"}


FAKE = FakeCEX
