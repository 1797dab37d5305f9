"""A fake BtcBox on the fake-server kit: the REST API v1 (https://blog.btcbox.jp/en/archives/8762)
with the docs' sample replies (tickers, ticker, balance), the order rows ccxt documents in its
comments (trade_add {"result", "id"}; trade_view/trade_list rows with amount_original and
amount_outstanding; errors {"result": false, "code"}), and the signature checked as the docs
say: hex HMAC-SHA256 of the form body as sent (key, nonce, then the parameters, signature
last), keyed by the lower-case hex MD5 of the private key; the nonce must grow. No websocket."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qsl

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, json_response

VENUE_ID, SYMBOL = "btcbox", "BTC/JPY"
CREDENTIALS = Credentials(api_key="5zi7w-4mnes-swmc4-egg9b-f2iqw-396z4-g541b",
                          secret="btcbox-private-key-0123456789")
TICKERS = {  # the docs' tickers sample (three of its pairs)
    "BTC_JPY": {"high": 2829667, "low": 2759378, "buy": 2774453, "sell": 2777955,
                "last": 2774210, "vol": 566.6947},
    "ETH_JPY": {"high": 192570, "low": 185069, "buy": 186038, "sell": 186691, "last": 186237,
                "vol": 231.9109},
    "DOGE_JPY": {"high": 9.04, "low": 8.38, "buy": 8.62, "sell": 8.63, "last": 8.62,
                 "vol": 20925.4521}}
STATUS = {"open": "part", "filled": "all", "canceled": "cancelled"}
_JST = timezone(timedelta(hours=9))


def _num(text) -> int | float:
    d = Decimal(str(text))
    return int(d) if d == d.to_integral_value() else float(d)


def _fail(code: str):
    return json_response({"result": False, "code": code})


class FakeBtcBox(KitVenue):
    def __init__(self) -> None:
        self.books = {"btc": ServerBook({"2774453": "0.5", "2774000": "1.2"},
                                        {"2777955": "0.3", "2778000": "2"}),
                      "eth": ServerBook({"186038": "1"}, {"186691": "1"}),
                      "doge": ServerBook({"8.62": "100"}, {"8.63": "100"})}
        self.store = OrderStore({c: (c.upper(), "JPY") for c in self.books},
                                {"JPY": "100000000", "BTC": "2", "ETH": "0", "DOGE": "0"},
                                first_id=11)
        self.last_nonce = 0
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.split("/")[0].lower()

    def setup_routes(self) -> None:
        for path, handler in [("tickers", self.tickers), ("ticker", self.ticker),
                              ("depth", self.depth), ("orders", self.trades)]:
            self.route("GET", f"/api/v1/{path}", handler)
        for path in ("balance", "trade_add", "trade_cancel", "trade_view", "trade_list"):
            self.route("POST", f"/api/v1/{path}", self.signed(getattr(self, path)))

    def check_auth(self, q, body):
        signed, _, signature = body.rpartition("&signature=")
        key = hashlib.md5(CREDENTIALS.secret.encode()).hexdigest().encode()
        want = hmac.new(key, signed.encode(), hashlib.sha256).hexdigest()
        p = dict(parse_qsl(signed))
        if p.get("key") != CREDENTIALS.api_key or not hmac.compare_digest(want, signature):
            return _fail("104")
        if not p.get("nonce", "").isdigit() or int(p["nonce"]) <= self.last_nonce:
            return _fail("106")
        self.last_nonce = int(p["nonce"])
        return None

    # -- public ------------------------------------------------------------------------------
    async def tickers(self, q):
        return json_response(TICKERS)

    async def ticker(self, q):
        coin = q.query.get("coin", "btc")
        book = self.books[coin]
        return json_response({**TICKERS[f"{coin.upper()}_JPY"], "buy": _num(book.best("bids")),
                              "sell": _num(book.best("asks"))})

    async def depth(self, q):
        book = self.books[q.query.get("coin", "btc")]
        # Asks highest first, as a long list read from the top down may come (order unknown).
        return json_response({"asks": [[_num(p), _num(a)] for p, a in book.top("asks")][::-1],
                              "bids": [[_num(p), _num(a)] for p, a in book.top("bids")]})

    async def trades(self, q):
        return json_response([{"date": "1500000000", "price": 2774210, "amount": 0.1,
                               "tid": "2", "type": "sell"},
                              {"date": "1499999990", "price": 2774300, "amount": 0.05,
                               "tid": "1", "type": "buy"}])

    # -- private -----------------------------------------------------------------------------
    async def balance(self, q, p):
        out = {"uid": 8, "nameauth": 0, "moflag": 0}
        for c, (free, used) in self.store.balances().items():
            out.update({f"{c.lower()}_balance": _num(free), f"{c.lower()}_lock": _num(used)})
        return json_response(out)

    async def trade_add(self, q, p):
        coin = p.get("coin", "btc")
        if coin != "doge" and Decimal(p["price"]) != Decimal(p["price"]).to_integral_value():
            return _fail("107")                 # "price should be an integer"
        try:
            o = self.store.place(coin, p["type"], "limit", p["amount"], p["price"])
        except Rejected as exc:
            return _fail("200" if exc.kind == "funds" else "201")
        return json_response({"result": True, "id": o.id})

    async def trade_cancel(self, q, p):
        try:
            o = self.store.cancel(p.get("id"))
        except Rejected:
            return _fail("401")
        return json_response({"result": True, "id": o.id})

    def row(self, o) -> dict:
        at = datetime.fromtimestamp(o.created / 1000, _JST).strftime("%Y-%m-%d %H:%M:%S")
        return {"id": o.id, "datetime": at, "type": o.side, "price": _num(o.price),
                "amount_original": _num(o.amount),
                "amount_outstanding": _num(o.remaining)}

    async def trade_view(self, q, p):
        o = self.store.find(p.get("id"))
        if o is None or o.symbol != p.get("coin", "btc"):
            return _fail("203")
        return json_response({**self.row(o), "status": STATUS[o.status], "trades": []})

    async def trade_list(self, q, p):
        coin = p.get("coin", "btc")
        held = self.store.open(coin) if p.get("type") == "open" else [
            o for o in self.store.orders.values() if o.symbol == coin]
        return json_response([self.row(o) for o in reversed(held)])


FAKE = FakeBtcBox
