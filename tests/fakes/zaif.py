"""A fake Zaif on the fake-server kit: the public API (/api/1/...) and the trading API (form
POST /tapi naming its `method`), reply shapes from the docs' examples (zaifdotjp/api-doc,
docs/PublicAPI.md and docs/TradingAPI.md), Sign checked as documented (hex HMAC-SHA512 of the
urlencoded body under the header Key), the nonce growing with every call (decimals allowed).
Replies are {"success": 1, "return": …} or {"success": 0, "error": …}. The websocket
(docs/WebSocket_API.md): /stream?currency_pair=…, no subscribe message, every push the whole
top of the book with the recent trades and the last price."""
from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

from aiohttp import web

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, json_response

VENUE_ID, SYMBOL = "zaif", "BTC/JPY"
CREDENTIALS = Credentials(api_key="490f983a-5fab-49b2-b789-9d1f130874d3",
                          secret="zfsecret-abcdef-0123456789")
_UNITS = {"is_token": False, "event_number": 0, "seq": 0, "item_unit_min": 0.0001,
          "item_unit_step": 0.0001, "aux_unit_min": 5.0, "aux_unit_step": 5.0,
          "aux_unit_point": 0}
PAIRS = [   # the docs' currency_pairs/all example (BTC/JPY and a token), and ETH/JPY
    {"name": "BTC/JPY", "title": "BTC/JPY", "currency_pair": "btc_jpy", **_UNITS},
    {"name": "ETH/JPY", "title": "ETH/JPY", "currency_pair": "eth_jpy", **_UNITS},
    {"name": "KINOKOUSAKA/JPY", "title": "KINOKOUSAKA/JPY", "currency_pair": "kinokousaka_jpy",
     **_UNITS, "is_token": True, "event_number": 1, "item_unit_min": 0.01,
     "item_unit_step": 0.01, "aux_unit_min": 0.01, "aux_unit_step": 0.01, "aux_unit_point": 2}]
TRADES = [  # the docs' trades example, newest first
    {"date": 1491756592, "price": 135340.0, "amount": 0.02, "tid": 43054307,
     "currency_pair": "btc_jpy", "trade_type": "ask"},
    {"date": 1491756591, "price": 135345.0, "amount": 0.01, "tid": 43054306,
     "currency_pair": "btc_jpy", "trade_type": "bid"}]
ACTION = {"buy": "bid", "sell": "ask"}


def _num(text) -> int | float:       # the docs' replies carry numbers
    d = Decimal(str(text))
    return int(d) if d == d.to_integral_value() else float(d)


def _fail(error: str):
    return json_response({"success": 0, "error": error})


def _ok(result):
    return json_response({"success": 1, "return": result})


class FakeZaif(KitVenue):
    ws_path = "/stream"

    def __init__(self) -> None:
        self.books = {"btc_jpy": ServerBook({"135875": "0.5", "135870": "1.25"},
                                            {"135920": "0.4", "135925": "2"}),
                      "eth_jpy": ServerBook({"3000": "1"}, {"3010": "1"})}
        self.store = OrderStore({"btc_jpy": ("BTC", "JPY"), "eth_jpy": ("ETH", "JPY")},
                                {"JPY": "10000000", "BTC": "2", "ETH": "0"}, first_id=184)
        self.last_nonce = Decimal(0)
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "_").lower()

    def setup_routes(self) -> None:
        for path, handler in [("currency_pairs/all", self.pairs), ("ticker/{pair}", self.ticker),
                              ("depth/{pair}", self.depth), ("trades/{pair}", self.trades)]:
            self.route("GET", "/api/1/" + path, handler)
        self.route("POST", "/tapi", self.signed(self.tapi))
        self.add_ws()

    def check_auth(self, q, body):
        want = hmac.new(CREDENTIALS.secret.encode(), body.encode(), hashlib.sha512).hexdigest()
        if q.headers.get("Key") != CREDENTIALS.api_key:
            return _fail("no data found for the key")
        if not hmac.compare_digest(want, q.headers.get("Sign", "")):
            return _fail("signature mismatch")
        try:
            nonce = Decimal(dict(parse_qsl(body)).get("nonce", ""))
        except InvalidOperation:
            return _fail("invalid nonce parameter")
        if nonce <= self.last_nonce:
            return _fail("nonce not incremented")
        self.last_nonce = nonce
        return None

    # -- public ------------------------------------------------------------------------------
    async def pairs(self, q):
        return json_response(PAIRS)

    async def ticker(self, q):
        book = self.books.get(q.match_info["pair"])
        if book is None:
            return json_response({"error": "unsupported currency_pair"})
        return json_response({"last": 135875.0, "high": 136000.0, "low": 131570.0,
                              "vwap": 133301.7489, "volume": 6889.215,
                              "bid": _num(book.best("bids")), "ask": _num(book.best("asks"))})

    async def depth(self, q):
        book = self.books[q.match_info["pair"]]
        return json_response({side: [[_num(p), _num(a)] for p, a in book.top(side, 150)]
                              for side in ("asks", "bids")})

    async def trades(self, q):
        return json_response(TRADES)

    # -- trading -----------------------------------------------------------------------------
    async def tapi(self, q, p):
        handler = getattr(self, "m_" + p.get("method", ""), None)
        return await handler(p) if handler else _fail("method not found")

    def funds(self) -> tuple[dict, dict]:
        bal = self.store.balances()
        return ({c.lower(): _num(f) for c, (f, u) in bal.items()},
                {c.lower(): _num(f + u) for c, (f, u) in bal.items()})

    async def m_get_info2(self, p):
        funds, deposit = self.funds()
        return _ok({"funds": funds, "deposit": deposit, "rights": {
            "info": 1, "trade": 1, "withdraw": 0, "personal_info": 0},
            "open_orders": len(self.store.open()), "server_time": 1401950833})

    async def m_trade(self, p):
        pair = p.get("currency_pair")
        try:
            o = self.store.place(pair, "buy" if p.get("action") == "bid" else "sell", "limit",
                                 p["amount"], p["price"], p.get("comment") or None,
                                 book=self.books.get(pair))
        except Rejected as exc:
            return _fail({"funds": "insuffcient funds", "symbol": "invalid currency_pair "
                          "parameter"}.get(exc.kind, str(exc)))
        return _ok({"received": _num(o.filled), "remains": _num(o.remaining),
                    "order_id": int(o.id) if o.status == "open" else 0,
                    "funds": self.funds()[0]})

    async def m_cancel_order(self, p):
        try:
            o = self.store.cancel(p.get("order_id"))
        except Rejected:
            return _fail("order not found")
        return _ok({"order_id": int(o.id), "funds": self.funds()[0]})

    async def m_active_orders(self, p):
        return _ok({o.id: {"currency_pair": o.symbol, "action": ACTION[o.side],
                           "amount": _num(o.remaining), "price": _num(o.price),
                           "timestamp": str(o.created // 1000), "comment": o.cid or ""}
                    for o in self.store.open(p.get("currency_pair"))})

    async def m_trade_history(self, p):
        # One row per traded order, keyed by its id (the docs call the key 注文ID).
        traded = [o for o in self.store.orders.values() if o.filled
                  and p.get("currency_pair") in (None, o.symbol)
                  and o.updated // 1000 >= int(p.get("since", 0))]
        traded.sort(key=lambda o: o.updated, reverse="since" not in p)
        return _ok({o.id: {"currency_pair": o.symbol, "action": ACTION[o.side],
                           "amount": _num(o.filled), "price": _num(o.average), "fee": 0,
                           "fee_amount": _num(o.fee), "your_action": ACTION[o.side],
                           "bonus": 0, "timestamp": o.updated // 1000, "comment": o.cid or ""}
                    for o in traded[:int(p.get("count", 1000))]})

    # -- websocket ---------------------------------------------------------------------------
    async def _ws_handler(self, request):
        """One connection per pair; it streams from the start, nothing to subscribe."""
        pair = request.query.get("currency_pair", "")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.ws_connections += 1
        if self.faults.refuse_next or pair not in self.books:
            # Not in the docs: an error frame, then the connection closed, is assumed.
            self.faults.refuse_next = False
            await self.send(ws, {"error": "unsupported currency_pair"})
            await ws.close()
            return ws
        self.ws_clients.append(ws)
        for kind in ("book", "ticker", "trades"):
            self.subscribers.setdefault((kind, pair), set()).add(ws)
        try:
            async for _ in ws:
                pass
        finally:
            self.ws_clients.remove(ws)
        return ws

    def push_frame(self, pair: str, trades=()) -> dict:
        book = self.books[pair]
        now = datetime.now(timezone(timedelta(hours=9)))
        return {"asks": [[_num(p), _num(a)] for p, a in book.top("asks", 150)],
                "bids": [[_num(p), _num(a)] for p, a in book.top("bids", 150)],
                "trades": list(trades) or [{**TRADES[0], "currenty_pair": pair}],
                "timestamp": now.strftime("%Y-%m-%d %H:%M:%S.%f"),
                "last_price": {"action": "ask", "price": _num(book.best("bids"))},
                "currency_pair": pair}

    def book_message(self, pair, changes):
        return self.push_frame(pair)        # every push is the whole book

    def ticker_message(self, pair):
        return self.push_frame(pair)

    def trade_message(self, pair, tid, price, amount, side):
        return self.push_frame(pair, [{"currenty_pair": pair, "trade_type": side,
                                       "price": _num(price), "tid": tid,
                                       "amount": _num(amount), "date": int(time.time())}])


FAKE = FakeZaif
