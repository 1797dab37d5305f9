"""A fake Gate spot venue on the kit: API v4 REST (KEY/Timestamp/SIGN, HMAC-SHA512) and the
spot websocket v4 (spot.tickers, spot.trades, spot.order_book_update with U/u ids over a REST
snapshot taken `with_id=true`). Reply shapes follow the examples of
https://www.gate.com/docs/developers/apiv4/en/ and .../apiv4/ws/en/."""
from __future__ import annotations

import hashlib
import hmac
import time
from decimal import Decimal

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID = "gate"
SYMBOL = "BTC/USDT"
CREDENTIALS = Credentials(api_key="gate-test-key-0123456789abcdef",
                          secret="gate-test-secret-fedcba9876543210")
KINDS = {"spot.tickers": "ticker", "spot.trades": "trades", "spot.order_book_update": "book"}
REFUSALS = {"funds": (400, "BALANCE_NOT_ENOUGH", "Not enough balance"),
            "duplicate": (400, "INVALID_PARAM_VALUE", "Duplicate text"),
            "symbol": (400, "INVALID_CURRENCY_PAIR", "Invalid currency pair"),
            "unknown": (404, "ORDER_NOT_FOUND", "Order not found"),
            "not_open": (400, "ORDER_CLOSED", "Order was closed")}
STATUS = {"open": "open", "filled": "closed", "canceled": "cancelled"}
PAIRS = [("BTC_USDT", "BTC", "USDT", 2, 4, "0.0001", "1", "65000"),
         ("ETH_BTC", "ETH", "BTC", 5, 3, "0.001", "0.0001", "0.05")]


def _err(status: int, label: str, message: str):
    return json_response({"label": label, "message": message}, status=status)


def _s(d) -> str:
    return format(Decimal(d).normalize(), "f")


class FakeGate(KitVenue):
    ws_path = "/ws/v4/"
    snapshot_on_subscribe = False       # the snapshot comes from GET /spot/order_book

    def __init__(self) -> None:
        self.now = lambda: time.time_ns() // 1_000_000
        self.pairs = {p[0]: p for p in PAIRS}
        self.books = {p[0]: ServerBook.around(p[7], str(Decimal(1).scaleb(-p[3])), 20,
                                              seq=48776301) for p in PAIRS}
        self.store = OrderStore({p[0]: (p[1], p[2]) for p in PAIRS},
                                {"BTC": "1.5", "USDT": "100000", "ETH": "0"},
                                clock=lambda: self.now(), first_id=12332324)
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "_")

    def setup_routes(self) -> None:
        r, s, v = self.route, self.signed, "/api/v4/spot"
        r("GET", f"{v}/time", self.time)
        r("GET", f"{v}/currency_pairs", self.currency_pairs)
        r("GET", f"{v}/tickers", self.tickers)
        r("GET", f"{v}/order_book", self.order_book)
        r("GET", f"{v}/candlesticks", self.candlesticks)
        r("GET", f"{v}/trades", self.trades)
        r("GET", f"{v}/accounts", s(self.accounts))
        r("POST", f"{v}/orders", s(self.new_order))
        r("GET", f"{v}/orders", s(self.list_orders))
        r("GET", f"{v}/open_orders", s(self.open_orders))
        r("DELETE", f"{v}/orders/{{order_id}}", s(self.cancel_order))
        r("GET", f"{v}/orders/{{order_id}}", s(self.get_order))
        r("GET", f"{v}/my_trades", s(self.my_trades))
        self.add_ws()

    def check_auth(self, request, body):
        """SIGN = hex HMAC-SHA512(secret, METHOD\\npath\\nquery\\nhex SHA512(body)\\nTimestamp)."""
        h = request.headers
        if h.get("KEY") != CREDENTIALS.api_key:
            return _err(401, "INVALID_KEY", "Invalid key provided")
        text = "\n".join([request.method, request.path, request.query_string,
                          hashlib.sha512(body.encode()).hexdigest(), h.get("Timestamp", "")])
        want = hmac.new(CREDENTIALS.secret.encode(), text.encode(), hashlib.sha512).hexdigest()
        if not hmac.compare_digest(h.get("SIGN", ""), want):
            return _err(401, "INVALID_SIGNATURE", "Signature mismatch")
        if abs(int(h["Timestamp"]) - self.now() // 1000) > 60:
            return _err(401, "REQUEST_EXPIRED", "gap between request Timestamp and server time "
                                                "exceeds 60")
        return None

    # -- public ------------------------------------------------------------------------------
    async def time(self, request):
        return json_response({"server_time": self.now()})

    async def currency_pairs(self, request):
        return json_response([
            {"id": i, "base": b, "quote": q, "fee": "0.2", "min_base_amount": mb,
             "min_quote_amount": mq, "amount_precision": ap, "precision": pp,
             "trade_status": "tradable", "sell_start": 1516378650, "buy_start": 1516378650}
            for i, b, q, pp, ap, mb, mq, _ in PAIRS])

    def _ticker(self, pair: str) -> dict:
        bid, ask = self.books[pair].best("bids"), self.books[pair].best("asks")
        return {"currency_pair": pair, "last": _s(bid), "lowest_ask": _s(ask),
                "highest_bid": _s(bid), "change_percentage": "-0.5", "base_volume": "2811.30",
                "quote_volume": "53441606.52", "high_24h": _s(ask * 2), "low_24h": _s(bid / 2)}

    async def tickers(self, request):
        pair = request.query.get("currency_pair")
        if pair is not None and pair not in self.books:
            return _err(400, "INVALID_CURRENCY_PAIR", f"Invalid currency pair {pair}")
        return json_response([self._ticker(p) for p in ([pair] if pair else self.books)])

    async def order_book(self, request):
        pair = request.query.get("currency_pair")
        if pair not in self.books:
            return _err(400, "INVALID_CURRENCY_PAIR", f"Invalid currency pair {pair}")
        book, n = self.books[pair], int(request.query.get("limit", 10))
        return json_response({"id": book.seq, "current": self.now(), "update": self.now(),
                              "asks": [list(x) for x in book.top("asks", n)],
                              "bids": [list(x) for x in book.top("bids", n)]})

    async def candlesticks(self, request):
        start = int(request.query.get("from", 1539852480))
        return json_response([[str(start + i * 3600), "971519.67", f"434{i}.2", "4400.0",
                               "4300.1", "4345.0", "223.5", "true"] for i in range(3)])

    async def trades(self, request):
        return json_response([
            {"id": "1232893233", "create_time": "1548000001", "create_time_ms":
             "1548000001123.456", "side": "sell", "amount": "0.15", "price": "0.03"},
            {"id": "1232893232", "create_time": "1548000000", "create_time_ms":
             "1548000000123.456", "side": "buy", "amount": "0.1", "price": "0.031"}])

    # -- private -----------------------------------------------------------------------------
    async def accounts(self, request, p):
        return json_response([{"currency": c, "available": _s(f), "locked": _s(u),
                               "update_id": 1} for c, (f, u) in self.store.balances().items()])

    def order_reply(self, o) -> dict:
        quote_buy = o.type == "market" and o.side == "buy"
        amount = o.cost if quote_buy else o.amount
        return {"id": o.id, "text": o.cid or "apiv4", "amend_text": "-",
                "create_time": str(o.created // 1000), "update_time": str(o.updated // 1000),
                "create_time_ms": o.created, "update_time_ms": o.updated,
                "status": STATUS[o.status], "currency_pair": o.symbol, "type": o.type,
                "account": "spot", "side": o.side, "amount": _s(amount),
                "price": _s(o.price or 0), "time_in_force": "gtc" if o.type == "limit" else
                "ioc", "iceberg": "0", "left": _s(0 if quote_buy else o.remaining),
                "filled_amount": _s(o.filled), "filled_total": _s(o.cost),
                "avg_deal_price": _s(o.average or 0), "fee": _s(o.fee), "fee_currency": "USDT",
                "point_fee": "0", "gt_fee": "0", "gt_discount": False, "rebated_fee": "0",
                "rebated_fee_currency": "BTC", "finish_as": {"open": "open", "filled":
                                                             "filled", "canceled": "cancelled"}
                [o.status]}

    async def new_order(self, request, p):
        pair, amount = p.get("currency_pair"), Decimal(p["amount"])
        if p["type"] == "market" and p["side"] == "buy" and pair in self.books:
            amount = amount / self.books[pair].best("asks")   # a quote amount: at the best ask
        try:
            o = self.store.place(pair, p["side"], p["type"], amount, p.get("price"),
                                 p.get("text"), book=self.books.get(pair))
        except Rejected as exc:
            return _err(*REFUSALS[exc.kind])
        return json_response(self.order_reply(o), status=201)

    def _find(self, request, p):
        oid = request.match_info["order_id"]
        o = self.store.find(cid=oid) if oid.startswith("t-") else self.store.find(oid)
        return o if o is not None and o.symbol == p.get("currency_pair") else None

    async def get_order(self, request, p):
        o = self._find(request, p)
        return _err(*REFUSALS["unknown"]) if o is None else json_response(self.order_reply(o))

    async def cancel_order(self, request, p):
        o = self._find(request, p)
        if o is None or o.status != "open":
            return _err(*REFUSALS["unknown" if o is None else "not_open"])
        self.store.cancel(o.id)
        return json_response(self.order_reply(o))

    def _page(self, rows, p, default=100):
        page, limit = int(p.get("page", 1)), int(p.get("limit", default))
        return rows[(page - 1) * limit: page * limit]

    async def list_orders(self, request, p):
        orders = self.store.open(p["currency_pair"]) if p.get("status") == "open" else \
            self.store.closed(p["currency_pair"])
        return json_response([self.order_reply(o) for o in self._page(orders, p)])

    async def open_orders(self, request, p):
        out = []
        for pair in self.books:
            page = self._page(self.store.open(pair), p)
            if page:
                out.append({"currency_pair": pair, "total": len(self.store.open(pair)),
                            "orders": [self.order_reply(o) for o in page]})
        return json_response(out)

    async def my_trades(self, request, p):
        fills = [f for f in self.store.fills_of(p.get("currency_pair"))
                 if f.time // 1000 >= int(p.get("from", 0))]
        return json_response([
            {"id": f.id, "create_time": str(f.time // 1000), "create_time_ms": f"{f.time}.000",
             "currency_pair": f.symbol, "side": f.side, "role": "taker" if f.taker else "maker",
             "amount": _s(f.amount), "price": _s(f.price), "order_id": f.order_id,
             "fee": _s(f.fee), "fee_currency": f.fee_currency, "point_fee": "0", "gt_fee": "0"}
            for f in self._page(fills, p, 100)])

    # -- websocket ---------------------------------------------------------------------------
    def subscriptions(self, message):
        if not isinstance(message, dict) or message.get("event") not in ("subscribe",
                                                                         "unsubscribe"):
            return None
        kind, on = KINDS.get(message.get("channel")), message["event"] == "subscribe"
        pairs = message.get("payload", [])
        pairs = pairs[:1] if kind == "book" else pairs
        return [Sub(kind, p, on) for p in pairs]

    def _frame(self, channel, event, **extra) -> dict:
        now = self.now()
        return {"time": now // 1000, "time_ms": now, "channel": channel, "event": event, **extra}

    async def acknowledge(self, ws, message, subs):
        await self.send(ws, self._frame(message["channel"], message["event"],
                                        id=message.get("id"), error=None,
                                        result={"status": "success"}))

    def refusal(self, message, subs):
        return self._frame(message["channel"], message["event"], id=message.get("id"),
                           error={"code": 2, "message": f"unknown currency pair "
                                                        f"{message['payload'][0]}"},
                           result={"status": "fail"})

    def book_message(self, pair, changes):
        seq, now = self.books[pair].seq, self.now()
        bids, asks = changes
        return self._frame("spot.order_book_update", "update", result={
            "t": now, "e": "depthUpdate", "E": now // 1000, "s": pair, "U": seq, "u": seq,
            "b": [list(x) for x in bids], "a": [list(x) for x in asks]})

    def ticker_message(self, pair):
        return self._frame("spot.tickers", "update", result=self._ticker(pair))


FAKE = FakeGate
