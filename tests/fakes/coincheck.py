"""A fake Coincheck on the fake-server kit: the exchange API's paths and reply shapes as the
docs' examples show them (https://coincheck.com/documents/exchange/api), the exchange status
reply ccxt recorded (ts/src/test/static/response/coincheck.json, fetchStatus), ACCESS-SIGNATURE
checked as documented (hex HMAC-SHA256 of nonce + full URL + body, the nonce growing per key),
and the public websocket: {"type": "subscribe", "channel": "btc_jpy-orderbook"} and
"btc_jpy-trades", book differences as [pair, {bids, asks, last_update_at}]."""
from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime, timezone
from decimal import Decimal

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID, SYMBOL = "coincheck", "BTC/JPY"
CREDENTIALS = Credentials(api_key="cckey0123456789", secret="ccsecret-abcdef-0123456789")
_OPEN = {"order": True, "market_order": True, "cancel": True}
STATUS = {"exchange_status": [   # ccxt's recorded reply, plus a pair that is stopped
    {"pair": "btc_jpy", "status": "available", "timestamp": 1780367907, "availability": _OPEN},
    {"pair": "eth_jpy", "status": "available", "timestamp": 1780367907, "availability": _OPEN},
    {"pair": "fpl_jpy", "status": "stop", "timestamp": 1780367907,
     "availability": dict.fromkeys(_OPEN, False)}]}
TRADES = [  # the docs' "Public trades" example, newest first
    {"id": 82, "amount": "0.28391", "rate": "35400.0", "pair": "btc_jpy", "order_type": "sell",
     "created_at": "2015-01-10T05:55:38.000Z"},
    {"id": 81, "amount": "0.1", "rate": "36120.0", "pair": "btc_jpy", "order_type": "buy",
     "created_at": "2015-01-09T15:25:13.000Z"}]
STATE = {"open": "NEW", "filled": "FILLED", "canceled": "CANCELED"}


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{ms % 1000:03d}Z"


def _num(text) -> int | float:      # the docs' books and tickers carry prices as numbers
    d = Decimal(str(text))
    return int(d) if d == d.to_integral_value() else float(d)


def _err(message: str, status: int = 400):
    return json_response({"success": False, "error": message}, status=status)


class FakeCoincheck(KitVenue):
    ws_path = "/"
    snapshot_on_subscribe = False       # no snapshot on the stream: GET /api/order_books

    def __init__(self) -> None:
        self.books = {"btc_jpy": ServerBook({"27240": "1.1543", "26800": "1.2226"},
                                            {"27330": "2.25", "27340": "0.45"}),
                      "eth_jpy": ServerBook({"3000": "1"}, {"3010": "1"})}
        self.store = OrderStore({"btc_jpy": ("BTC", "JPY"), "eth_jpy": ("ETH", "JPY")},
                                {"JPY": "10000000", "BTC": "2", "ETH": "0"}, first_id=12345)
        self.last_nonce = 0
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "_").lower()

    def setup_routes(self) -> None:
        for path, handler in [("exchange_status", self.status), ("ticker", self.ticker),
                              ("order_books", self.order_books), ("trades", self.trades)]:
            self.route("GET", "/api/" + path, handler)
        for method, path, handler in [
                ("GET", "accounts/balance", self.balance), ("POST", "exchange/orders", self.place),
                ("GET", "exchange/orders/opens", self.opens),
                ("GET", "exchange/orders/transactions_pagination", self.fills),
                ("GET", "exchange/orders/{id}", self.detail),
                ("DELETE", "exchange/orders/{id}", self.cancel)]:
            self.route(method, "/api/" + path, self.signed(handler))
        self.add_ws()

    def check_auth(self, q, body):
        h, nonce = q.headers, q.headers.get("ACCESS-NONCE", "")
        want = hmac.new(CREDENTIALS.secret.encode(), f"{nonce}{q.url}{body}".encode(),
                        hashlib.sha256).hexdigest()
        if h.get("ACCESS-KEY") != CREDENTIALS.api_key or not hmac.compare_digest(
                want, h.get("ACCESS-SIGNATURE", "")):
            return _err("invalid authentication", 401)
        if not nonce.isdigit() or int(nonce) <= self.last_nonce:
            return _err("Nonce must be incremented", 401)
        self.last_nonce = int(nonce)
        return None

    # -- public ------------------------------------------------------------------------------
    async def status(self, q):
        return json_response(STATUS)

    async def ticker(self, q):
        book = self.books[q.query.get("pair", "btc_jpy")]
        return json_response({"last": 27390, "bid": _num(book.best("bids")),
                              "ask": _num(book.best("asks")), "high": 27659, "low": 26400,
                              "volume": "50.29627103", "timestamp": 1423377841})

    async def order_books(self, q):
        book = self.books[q.query["pair"]]
        return json_response({side: [[_num(p), a] for p, a in book.top(side)]
                              for side in ("asks", "bids")})

    async def trades(self, q):
        return json_response({"success": True, "pagination": {
            "limit": int(q.query.get("limit", 2)), "order": "desc", "starting_after": None,
            "ending_before": None}, "data": TRADES})

    # -- account -----------------------------------------------------------------------------
    async def balance(self, q, p):
        out = {"success": True}
        for c, (free, used) in self.store.balances().items():
            out.update({c.lower(): str(free), f"{c.lower()}_reserved": str(used),
                        f"{c.lower()}_lend_in_use": "0", f"{c.lower()}_debt": "0"})
        return json_response(out)

    async def place(self, q, p):
        pair, kind = p.get("pair"), p.get("order_type", "")
        side, type_ = kind.removeprefix("market_"), "market" if "market_" in kind else "limit"
        amount = p.get("amount")
        if kind == "market_buy" and pair in self.books:     # JPY to spend, at the best ask
            amount = Decimal(str(p["market_buy_amount"])) / self.books[pair].best("asks")
        try:
            o = self.store.place(pair, side, type_, amount, p.get("rate"),
                                 book=self.books.get(pair))
        except Rejected as exc:
            return _err({"funds": "Insufficient balance", "symbol": "invalid pair"}.get(
                exc.kind, str(exc)))
        return json_response({"success": True, "id": int(o.id), "rate": p.get("rate"),
                              "amount": p.get("amount"), "order_type": kind,
                              "time_in_force": p.get("time_in_force", "good_til_cancelled"),
                              "stop_loss_rate": None, "pair": pair,
                              "created_at": _iso(o.created)})

    def record(self, o) -> dict:
        quote_buy = o.type == "market" and o.side == "buy"
        return {"success": True, "id": int(o.id), "pair": o.symbol,
                "status": STATE[o.status] if not o.filled or o.status != "open"
                else "PARTIALLY_FILLED",
                "order_type": f"market_{o.side}" if o.type == "market" else o.side,
                "rate": str(o.price) if o.price is not None else None, "stop_loss_rate": None,
                "maker_fee_rate": "0.001", "taker_fee_rate": "0.001",
                "amount": None if quote_buy else str(o.amount),
                "market_buy_amount": str(o.cost) if quote_buy else None,
                "executed_amount": str(o.filled),
                "executed_market_buy_amount": str(o.cost) if quote_buy else None,
                "expired_type": None, "prevented_match_id": None, "expired_amount": "0",
                "expired_market_buy_amount": None, "time_in_force": "good_til_cancelled",
                "created_at": _iso(o.created)}

    async def detail(self, q, p):
        o = self.store.find(q.match_info["id"])
        return json_response(self.record(o)) if o else _err("order not found", 404)

    async def cancel(self, q, p):
        try:
            o = self.store.cancel(q.match_info["id"])
        except Rejected:
            return _err("order not found", 404)
        return json_response({"success": True, "id": int(o.id)})

    async def opens(self, q, p):
        return json_response({"success": True, "orders": [
            {"id": int(o.id), "order_type": o.side, "rate": _num(o.price), "pair": o.symbol,
             "pending_amount": str(o.remaining), "pending_market_buy_amount": None,
             "stop_loss_rate": None, "created_at": _iso(o.created)}
            for o in self.store.open()]})

    async def fills(self, q, p):
        rows = sorted(self.store.fills, key=lambda f: -int(f.id))
        if "starting_after" in q.query:
            rows = [f for f in rows if int(f.id) < int(q.query["starting_after"])]
        limit = int(q.query.get("limit", 25))
        return json_response({"success": True, "pagination": {
            "limit": limit, "order": "desc", "starting_after": None, "ending_before": None},
            "data": [{"id": int(f.id), "order_id": int(f.order_id), "created_at": _iso(f.time),
                      "funds": {self.store.markets[f.symbol][0].lower(): str(
                          f.amount if f.side == "buy" else -f.amount), "jpy": str(
                          -f.price * f.amount if f.side == "buy" else f.price * f.amount)},
                      "pair": f.symbol, "rate": str(f.price), "fee_currency": f.fee_currency,
                      "fee": str(f.fee), "liquidity": "T" if f.taker else "M",
                      "side": f.side} for f in rows[:limit]]})

    # -- websocket ---------------------------------------------------------------------------
    def subscriptions(self, m):
        if not isinstance(m, dict) or m.get("type") != "subscribe":
            return None
        pair, _, kind = str(m.get("channel", "")).rpartition("-")
        return [Sub({"orderbook": "book", "trades": "trades"}.get(kind, "?"), pair)]

    def refusal(self, m, subs):
        # Not in the docs (which describe no refusal): an error naming the channel is assumed.
        return {"type": "error", "channel": m.get("channel"), "message": "invalid channel"}

    def book_message(self, pair, changes):
        if changes is None:
            return None                    # the stream sends no snapshot
        bids, asks = changes
        return [pair, {"bids": [list(x) for x in bids], "asks": [list(x) for x in asks],
                       "last_update_at": str(int(time.time()))}]

    def trade_message(self, pair: str, tid: int, price: str, amount: str, side: str) -> list:
        return [[str(int(time.time())), str(tid), pair, price, amount, side, "1193401",
                 "2078767", None]]


FAKE = FakeCoincheck
