"""A fake bitFlyer Lightning on the fake-server kit: HTTP API v1 paths and reply shapes as the
docs' examples show them (https://lightning.bitflyer.com/docs?lang=en), ACCESS-SIGN checked as
the docs describe it (hex HMAC-SHA256 of timestamp + method + path with query + body), and the
Realtime API's JSON-RPC 2.0 websocket: subscribe, channelMessage, lightning_board_snapshot_ /
lightning_board_ / lightning_ticker_ / lightning_executions_ channels."""
from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime, timezone
from decimal import Decimal

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID, SYMBOL = "bitflyer", "BTC/JPY"
CREDENTIALS = Credentials(api_key="bfkey0123456789", secret="bfsecret+abcdef/0123456789=")
MARKETS = [{"product_code": "BTC_JPY", "market_type": "Spot"},      # the docs' Market List
           {"product_code": "ETH_BTC", "market_type": "Spot"},
           {"product_code": "FX_BTC_JPY", "market_type": "FX"},
           {"product_code": "BTCJPY28APR2017", "alias": "BTCJPY_MAT1WK",
            "market_type": "Futures"}]
EXECUTIONS = [   # the docs' Execution History example, newest first
    {"id": 39287, "side": "BUY", "price": 31690, "size": 27.04,
     "exec_date": "2015-07-08T02:43:34.823", "buy_child_order_acceptance_id":
     "JRF20150707-200203-452209", "sell_child_order_acceptance_id": "JRF20150708-024334-060234"},
    {"id": 39286, "side": "SELL", "price": 33170, "size": 0.36,
     "exec_date": "2015-07-08T02:43:34.72", "buy_child_order_acceptance_id":
     "JRF20150708-010230-400876", "sell_child_order_acceptance_id": "JRF20150708-024334-197755"}]
KINDS = {"lightning_board_snapshot": "book", "lightning_board": "book",
         "lightning_ticker": "ticker", "lightning_executions": "trades"}
STATE = {"open": "ACTIVE", "filled": "COMPLETED", "canceled": "CANCELED"}


def _date(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def _err(status: int, message: str, http: int = 400):
    return json_response({"status": status, "error_message": message, "data": None},
                         status=http)


def _num(text) -> float | int:      # bitFlyer's replies carry JSON numbers
    d = Decimal(str(text))
    return int(d) if d == d.to_integral_value() else float(d)


class FakeBitflyer(KitVenue):
    ws_path = "/json-rpc"
    snapshot_on_subscribe = False       # the snapshot channel sends it (acknowledge)

    def __init__(self) -> None:
        self.books = {"BTC_JPY": ServerBook({"30000": "0.5", "29990": "1.25"},
                                            {"30010": "0.4", "30020": "2"}),
                      "ETH_BTC": ServerBook({"0.05": "1"}, {"0.051": "1"})}
        self.store = OrderStore({"BTC_JPY": ("BTC", "JPY"), "ETH_BTC": ("ETH", "BTC")},
                                {"JPY": "10000000", "BTC": "2", "ETH": "0"},
                                make_id=lambda n: f"JRF20150707-084552-{n:06d}")
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "_")

    def setup_routes(self) -> None:
        for path, handler in [("getmarkets", self.markets), ("getticker", self.ticker),
                              ("getboard", self.board), ("getexecutions", self.executions)]:
            self.route("GET", "/v1/" + path, handler)
        for method, path, handler in [
                ("GET", "getbalance", self.balance), ("POST", "sendchildorder", self.place),
                ("POST", "cancelchildorder", self.cancel), ("GET", "getchildorders", self.orders),
                ("GET", "getexecutions", self.fills)]:
            self.route(method, "/v1/me/" + path, self.signed(handler))
        self.add_ws()

    def check_auth(self, q, body):
        h = q.headers
        ts = h.get("ACCESS-TIMESTAMP", "")
        query = f"?{q.query_string}" if q.query_string else ""
        want = hmac.new(CREDENTIALS.secret.encode(), f"{ts}{q.method}{q.path}{query}{body}"
                        .encode(), hashlib.sha256).hexdigest()
        if h.get("ACCESS-KEY") != CREDENTIALS.api_key or not hmac.compare_digest(
                want, h.get("ACCESS-SIGN", "")):
            return _err(-500, "Invalid signature", 401)
        if body and not q.headers.get("Content-Type", "").startswith("application/json"):
            return _err(-500, "Content-Type must be application/json")
        return None

    # -- public ------------------------------------------------------------------------------
    async def markets(self, q):
        return json_response(MARKETS)

    def ticker_of(self, code: str) -> dict:
        book = self.books[code]
        return {"product_code": code, "state": "RUNNING", "timestamp": "2015-07-08T02:50:59.97",
                "tick_id": 3579, "best_bid": _num(book.best("bids")),
                "best_ask": _num(book.best("asks")), "best_bid_size": 0.1, "best_ask_size": 5,
                "total_bid_depth": 15.13, "total_ask_depth": 20, "market_bid_size": 0,
                "market_ask_size": 0, "ltp": 31690, "volume": 16819.26,
                "volume_by_product": 6819.26}

    async def ticker(self, q):
        code = q.query.get("product_code", "BTC_JPY")
        if code not in self.books:
            return _err(-109, "Invalid product")
        return json_response(self.ticker_of(code))

    def board_of(self, code: str, levels=None) -> dict:
        book = self.books[code]
        bids, asks = levels or (book.top("bids"), book.top("asks"))
        return {"mid_price": _num((book.best("bids") + book.best("asks")) / 2),
                "bids": [{"price": _num(p), "size": _num(a)} for p, a in bids],
                "asks": [{"price": _num(p), "size": _num(a)} for p, a in asks]}

    async def board(self, q):
        return json_response(self.board_of(q.query.get("product_code", "BTC_JPY")))

    async def executions(self, q):
        return json_response(EXECUTIONS[:int(q.query.get("count", 100))])

    # -- account -----------------------------------------------------------------------------
    async def balance(self, q, p):
        return json_response([{"currency_code": c, "amount": _num(f + u), "available": _num(f)}
                              for c, (f, u) in self.store.balances().items()])

    async def place(self, q, p):
        code = p.get("product_code")
        try:
            o = self.store.place(code, p["side"].lower(), p["child_order_type"].lower(),
                                 str(p["size"]), p.get("price"), book=self.books.get(code))
        except Rejected as exc:
            return _err(*{"funds": (-200, "Insufficient funds"),
                          "symbol": (-109, "Invalid product")}.get(exc.kind, (-1, str(exc))))
        return json_response({"child_order_acceptance_id": o.id})

    async def cancel(self, q, p):
        try:
            self.store.cancel(p.get("child_order_acceptance_id"))
        except Rejected:
            return _err(-111, "Order not found")
        return json_response(None)

    def order_row(self, o) -> dict:
        return {"id": int(o.id[-6:]), "child_order_id": o.id.replace("JRF", "JOR"),
                "product_code": o.symbol, "side": o.side.upper(),
                "child_order_type": o.type.upper(), "price": _num(o.price or 0),
                "average_price": _num(o.average or 0), "size": _num(o.amount),
                "child_order_state": STATE[o.status], "expire_date": "2015-07-14T07:25:52",
                "child_order_date": _date(o.created), "child_order_acceptance_id": o.id,
                "outstanding_size": _num(o.remaining if o.status == "open" else 0),
                "cancel_size": _num(o.remaining if o.status == "canceled" else 0),
                "executed_size": _num(o.filled), "total_commission": _num(o.fee)}

    def page(self, rows: list, q) -> list:       # newest first; count, before (an id)
        rows = sorted(rows, key=lambda r: -r["id"])
        if "before" in q.query:
            rows = [r for r in rows if r["id"] < int(q.query["before"])]
        return rows[:int(q.query.get("count", 100))]

    async def orders(self, q, p):
        code, state = q.query.get("product_code", "BTC_JPY"), q.query.get("child_order_state")
        rows = [self.order_row(o) for o in self.store.orders.values() if o.symbol == code
                and state in (None, STATE[o.status])
                and q.query.get("child_order_acceptance_id") in (None, o.id)]
        return json_response(self.page(rows, q))

    async def fills(self, q, p):
        code = q.query.get("product_code", "BTC_JPY")
        return json_response(self.page([
            {"id": int(f.id), "child_order_id": f.order_id.replace("JRF", "JOR"),
             "side": f.side.upper(), "price": _num(f.price), "size": _num(f.amount),
             "commission": 0, "exec_date": _date(f.time),
             "child_order_acceptance_id": f.order_id} for f in self.store.fills_of(code)], q))

    # -- websocket ---------------------------------------------------------------------------
    def subscriptions(self, m):
        if not isinstance(m, dict) or m.get("method") not in ("subscribe", "unsubscribe"):
            return None
        channel = (m.get("params") or {}).get("channel", "")
        name = next((k for k in KINDS if channel.startswith(k + "_")
                     and channel[len(k) + 1:] in self.books), None)
        return [Sub(KINDS.get(name, "?"), channel[len(name) + 1:] if name else channel,
                    m["method"] == "subscribe")]

    async def acknowledge(self, ws, m, subs):
        await self.send(ws, {"jsonrpc": "2.0", "id": m.get("id"), "result": True})
        if subs[0].on and m["params"]["channel"].startswith("lightning_board_snapshot_"):
            await self.send(ws, self.book_message(subs[0].symbol, None))

    def refusal(self, m, subs):
        # Not in the docs: a JSON-RPC 2.0 error object answering the request id is assumed.
        return {"jsonrpc": "2.0", "id": m.get("id"),
                "error": {"code": -32602, "message": "invalid channel"}}

    def book_message(self, code, changes):
        name = "lightning_board_snapshot" if changes is None else "lightning_board"
        return {"jsonrpc": "2.0", "method": "channelMessage", "params": {
            "channel": f"{name}_{code}", "message": self.board_of(code, changes)}}

    def ticker_message(self, code: str) -> dict:
        return {"jsonrpc": "2.0", "method": "channelMessage", "params": {
            "channel": f"lightning_ticker_{code}", "message": self.ticker_of(code)}}

    def trade_message(self, code: str, tid: int, price: str, amount: str, side: str) -> dict:
        return {"jsonrpc": "2.0", "method": "channelMessage", "params": {
            "channel": f"lightning_executions_{code}", "message": [
                {"id": tid, "side": side, "price": _num(price), "size": _num(amount),
                 "exec_date": _date(time.time_ns() // 1_000_000),
                 "buy_child_order_acceptance_id": "JRF20150707-1",
                 "sell_child_order_acceptance_id": "JRF20150707-2"}]}}


FAKE = FakeBitflyer
