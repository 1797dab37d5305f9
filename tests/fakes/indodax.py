"""A fake Indodax on the kit: public REST, the form-encoded TAPI (`Key`/`Sign` over the body),
Trade API v2 myTrades (`X-APIKEY`/`Sign` over the query) and the Centrifugo market websocket.
Reply shapes follow the examples of https://github.com/btcid/indodax-official-api-docs
(Public-RestAPI.md, Private-RestAPI.md, INDODAX-TradeAPI-2.md, Marketdata-websocket.md)."""
from __future__ import annotations

import hashlib
import hmac
import time
from decimal import Decimal
from urllib.parse import parse_qsl

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID, SYMBOL = "indodax", "BTC/IDR"
# The key and secret of the docs' worked example (Private-RestAPI.md).
CREDENTIALS = Credentials(
    api_key="AEDHIGAT-QATEGWOX-OPCSCPQX-2E00B1L7-VJBXXKMA",
    secret="f60617a68fcce028f0a90bc9eb765d17379eb548cc935c01a7ee3186eecf870e9b68f27a31bcfe8d")
PAIRS = {"btcidr": ("btc", "1500000000"), "ethidr": ("eth", "60000000")}
STATUS = {"open": "open", "filled": "filled", "canceled": "cancelled"}
REFUSALS = {"funds": "Insufficient balance.", "duplicate": "client order id already exists",
            "symbol": "Invalid pair", "unknown": "Invalid order.", "not_open": "Invalid order."}
D = Decimal


def _err(message: str, code: str = "", status: int = 200):
    return json_response({"success": 0, "error": message, "error_code": code}, status=status)


def _ok(data):
    return json_response({"success": 1, "return": data})


def _tid(pair: str) -> str:
    return f"{pair[:-3]}_{pair[-3:]}"


class FakeIndodax(KitVenue):
    ws_path = "/ws/"

    def __init__(self) -> None:
        self.clock = lambda: time.time_ns() // 1_000_000
        self.books = {p: ServerBook.around(mid, "1000") for p, (_, mid) in PAIRS.items()}
        self.store = OrderStore({p: (c.upper(), "IDR") for p, (c, _) in PAIRS.items()},
                                {"IDR": "100000000000", "BTC": "2", "ETH": "0"},
                                clock=lambda: self.clock(), first_id=59632813)
        self.last_nonce = 0
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "").lower()

    def setup_routes(self) -> None:
        for path, handler in [("/api/pairs", self.pairs), ("/api/price_increments", self.steps),
                              ("/api/ticker_all", self.tickers), ("/api/ticker/{p}", self.ticker),
                              ("/api/depth/{p}", self.depth), ("/api/trades/{p}", self.trades),
                              ("/tradingview/history_v2", self.candles)]:
            self.route("GET", path, handler)
        self.route("POST", "/tapi", self.signed(self.tapi))
        self.route("GET", "/api/v2/myTrades", self.signed(self.my_trades))
        self.add_ws()

    def check_auth(self, q, body):
        """TAPI: hex HMAC-SHA512 of the body, key in `Key`; v2: of the query, in `X-APIKEY`.
        The nonce must exceed the last one."""
        v2 = q.path.startswith("/api/v2/")
        signed, key = (q.query_string, q.headers.get("X-APIKEY")) if v2 else (
            body, q.headers.get("Key"))
        want = hmac.new(CREDENTIALS.secret.encode(), signed.encode(), hashlib.sha512).hexdigest()
        if key != CREDENTIALS.api_key or not hmac.compare_digest(
                want, q.headers.get("Sign", "").lower()):
            return json_response({"code": 1001, "error": "Invalid credentials."}, 401) if v2 \
                else _err("Invalid credentials. Bad sign.", "invalid_credentials")
        nonce = int(dict(parse_qsl(signed)).get("nonce") or 0)
        if nonce <= self.last_nonce:
            return _err("Invalid nonce.", "invalid_nonce")
        self.last_nonce = nonce
        return None

    # -- public --------------------------------------------------------------------------------
    async def pairs(self, q):
        return json_response([
            {"id": p, "symbol": p.upper(), "base_currency": "idr", "traded_currency": c,
             "traded_currency_unit": c.upper(), "description": f"{c.upper()}/IDR",
             "ticker_id": _tid(p), "volume_precision": 0, "price_precision": 1000,
             "price_round": 8, "pricescale": 1000, "trade_min_base_currency": 50000,
             "trade_min_traded_currency": 0.0001, "has_memo": False, "memo_name": False,
             "is_maintenance": 0} for p, (c, _) in PAIRS.items()])

    async def steps(self, q):
        return json_response({"increments": {_tid(p): "1000" for p in PAIRS}})

    def tick(self, p: str) -> dict:
        book, coin = self.books[p], PAIRS[p][0]
        return {"high": "1510000000", "low": "1490000000", f"vol_{coin}": "218.31103295",
                "vol_idr": "25831203178", "last": book.top("bids", 1)[0][0],
                "buy": book.top("bids", 1)[0][0], "sell": book.top("asks", 1)[0][0],
                "server_time": self.clock() // 1000}

    async def tickers(self, q):
        return json_response({"tickers": {_tid(p): self.tick(p) for p in PAIRS}})

    async def ticker(self, q):
        return json_response({"ticker": self.tick(q.match_info["p"])})

    async def depth(self, q):
        book = self.books[q.match_info["p"]]
        return json_response({"buy": [[int(D(p)), a] for p, a in book.top("bids")],
                              "sell": [[int(D(p)), a] for p, a in book.top("asks")]})

    async def trades(self, q):          # newest first
        return json_response([
            {"date": "1571207255", "price": "1500000000", "amount": "0.01", "tid": "1623490",
             "type": "sell"},
            {"date": "1571207236", "price": "1500001000", "amount": "0.2", "tid": "1623489",
             "type": "buy"}])

    async def candles(self, q):
        start = int(q.query["from"]) // 3600 * 3600
        return json_response([{"Time": start + i * 3600, "Open": 1500000000, "High": 1510000000,
                               "Low": 1490000000, "Close": 1500000000 + i, "Volume": "14.8"}
                              for i in range(3)])

    # -- private -------------------------------------------------------------------------------
    def order_json(self, o) -> dict:
        coin = PAIRS[o.symbol][0]
        out = {"order_id": o.id, "client_order_id": o.cid or "", "type": o.side,
               "submit_time": str(o.created // 1000), "status": STATUS[o.status]}
        if o.type == "market" and o.side == "buy":      # given in IDR
            out.update(order_rp=str(o.cost), remain_rp="0", **{f"receive_{coin}": str(o.filled)})
        else:
            out.update({f"order_{coin}": str(o.amount), f"remain_{coin}": str(o.remaining)})
            if o.price is not None:
                out["price"] = str(o.price)
        if o.status != "open":
            out["finish_time"] = str(o.updated // 1000)
        return out

    async def tapi(self, q, p):
        method = p.get("method")
        if method == "getInfo":
            bal = self.store.balances()
            return _ok({"server_time": self.clock() // 1000,
                        "balance": {c.lower(): str(f) for c, (f, _) in bal.items()},
                        "balance_hold": {c.lower(): str(u) for c, (_, u) in bal.items()}})
        pair = p.get("pair", "").replace("_", "")
        try:
            if method == "trade":
                coin, kind = pair[:-3], p.get("order_type", "limit")
                amount = p.get(coin)
                if amount is None and pair in self.books:   # a market buy in IDR
                    amount = D(p["idr"]) / self.books[pair].best("asks")
                o = self.store.place(pair, p["type"], kind, amount, p.get("price"),
                                     p.get("client_order_id"), book=self.books.get(pair))
                return _ok({f"receive_{coin}": "0", "spend_rp": 0, "fee": 0,
                            "remain_rp": 0, "order_id": int(o.id),
                            "client_order_id": o.cid or ""})
            if method == "cancelOrder":
                o = self.store.find(p.get("order_id"))
                if o is None or o.side != p.get("type"):
                    raise Rejected("unknown")
                o = self.store.cancel(o.id)
                return _ok({"order_id": int(o.id), "client_order_id": o.cid or "",
                            "type": o.side, "pair": _tid(pair)})
        except Rejected as exc:
            return _err(REFUSALS[exc.kind])
        if method in ("getOrder", "getOrderByClientOrderId"):
            o = self.store.find(p.get("order_id"), p.get("client_order_id"))
            return _ok({"order": self.order_json(o)}) if o else _err("Invalid order.")
        if method == "openOrders":
            rows: dict[str, list] = {}
            for o in self.store.open(pair or None):
                rows.setdefault(_tid(o.symbol), []).append({**self.order_json(o),
                                                            "order_type": o.type})
            return _ok({"orders": rows.get(_tid(pair), []) if pair else rows})
        return _err("Invalid method.")

    async def my_trades(self, q, p):
        cids = {o.id: o.cid for o in self.store.orders.values()}
        return json_response({"data": [
            {"tradeId": f.id, "orderId": f.order_id, "clientOrderId": cids[f.order_id] or "",
             "symbol": f.symbol, "price": str(f.price), "qty": str(f.amount),
             "quoteQty": str(f.price * f.amount), "commission": str(f.fee),
             "commissionAsset": "idr", "isBuyer": f.side == "buy", "isMaker": not f.taker,
             "time": f.time} for f in reversed(self.store.fills_of(p.get("symbol")))]})

    # -- websocket -----------------------------------------------------------------------------
    def subscriptions(self, m):
        if not isinstance(m, dict) or m.get("method") not in (1, 2):
            return None
        channel, on = m["params"]["channel"], m["method"] == 1
        if channel == "market:summary-24h":
            return [Sub("ticker", p, on) for p in PAIRS]
        kind, _, pair = channel.rpartition("-")
        return [Sub({"market:order-book": "book", "market:trade-activity": "trades"}.get(
            kind, kind), pair, on)]

    async def acknowledge(self, ws, m, subs):
        await self.send(ws, {"id": m["id"], "result": {"recoverable": True,
                                                       "epoch": "1630401092", "offset": 1}})

    def refusal(self, m, subs):
        return {"id": m["id"], "error": {"code": 102, "message": "unknown channel"}}

    def book_message(self, p, changes):
        book, coin = self.books[p], PAIRS[p][0]
        rows = lambda side: [{f"{coin}_volume": a, "idr_volume": str(D(a) * D(x)),  # noqa: E731
                              "price": x} for x, a in book.top(side, 20)]
        return {"result": {"channel": f"market:order-book-{p}",
                           "data": {"data": {"pair": p, "ask": rows("asks"),
                                             "bid": rows("bids")}, "offset": book.seq}}}

    def ticker_message(self, p):
        t = self.tick(p)
        return {"result": {"channel": "market:summary-24h", "data": {"data": [
            [p, t["server_time"], int(t["last"]), int(t["low"]), int(t["high"]), 1495000000,
             t["vol_idr"], t[f"vol_{PAIRS[p][0]}"]]], "offset": 2444948}}}

    def trade_message(self, p, price, volume, side):
        return {"result": {"channel": f"market:trade-activity-{p}", "data": {"data": [
            [p, self.clock() // 1000, 21999427, side, int(price), str(D(price) * D(volume)),
             volume]], "offset": 243556}}}


FAKE = FakeIndodax
