"""A fake HTX spot venue on the kit: REST v1 with Signature Version 2 checked in the query
string, and the market websocket (/ws) whose frames are gzip-compressed JSON: ticker,
trade.detail and mbp.refresh.20 (each frame the whole top 20). Reply shapes follow the
examples of https://huobiapi.github.io/docs/spot/v1/en/."""
from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import logging
import time
from urllib.parse import quote, urlencode
from decimal import Decimal

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID = "htx"
SYMBOL = "BTC/USDT"
CREDENTIALS = Credentials(api_key="e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx",
                          secret="b0xxxxxx-c6xxxxxx-94xxxxxx-dxxxx")
ACCOUNT = 100009
KINDS = {"ticker": "ticker", "trade.detail": "trades", "mbp.refresh.20": "book"}
REFUSALS = {"funds": ("account-frozen-balance-insufficient-error",
                      "trade account balance is not enough"),
            "duplicate": ("client-order-id-duplicate", "client order id duplicated"),
            "symbol": ("invalid-parameter", "invalid symbol"),
            "unknown": ("base-record-invalid", "record invalid"),
            "not_open": ("order-orderstate-error", "Incorrect order state")}
STATE = {"open": "submitted", "filled": "filled", "canceled": "canceled"}
PAIRS = [("btcusdt", "btc", "usdt", 2, 6, "0.0001", "5", "65000"),
         ("ethbtc", "eth", "btc", 6, 4, "0.001", "0.0001", "0.05")]


def _err(code: str, msg: str):
    return json_response({"status": "error", "err-code": code, "err-msg": msg, "data": None})


def _ok(data, **extra):
    return json_response({"status": "ok", **extra, "data": data})


def _s(d) -> str:
    return format(Decimal(d).normalize(), "f")


class FakeHTX(KitVenue):
    ws_path = "/ws"

    def __init__(self) -> None:
        self.now = lambda: time.time_ns() // 1_000_000
        self.books = {p[0]: ServerBook.around(p[7], str(Decimal(1).scaleb(-p[3])), 20,
                                              seq=100020) for p in PAIRS}
        self.store = OrderStore({p[0]: (p[1].upper(), p[2].upper()) for p in PAIRS},
                                {"BTC": "1.5", "USDT": "100000", "ETH": "0"},
                                clock=lambda: self.now(), first_id=59378)
        super().__init__()

    async def __aenter__(self):
        # The key id rides in every signed URL by HTX's design; the fake server's own access
        # log would print it. That log is off (the client's logs are still scanned).
        logging.getLogger("aiohttp.access").disabled = True
        return await super().__aenter__()

    async def __aexit__(self, *exc) -> None:
        await super().__aexit__(*exc)
        logging.getLogger("aiohttp.access").disabled = False

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "").lower()

    def setup_routes(self) -> None:
        r, s = self.route, self.signed
        r("GET", "/v1/settings/common/market-symbols", self.symbols)
        r("GET", "/market/tickers", self.tickers)
        r("GET", "/market/depth", self.depth)
        r("GET", "/market/history/kline", self.kline)
        r("GET", "/market/history/trade", self.trades)
        r("GET", "/v1/account/accounts", s(self.accounts))
        r("GET", "/v1/account/accounts/{aid}/balance", s(self.balance))
        r("POST", "/v1/order/orders/place", s(self.place))
        r("POST", "/v1/order/orders/{oid}/submitcancel", s(self.cancel))
        r("GET", "/v1/order/orders/getClientOrder", s(self.client_order))
        r("GET", "/v1/order/orders/{oid}", s(self.order))
        r("GET", "/v1/order/openOrders", s(self.open_orders))
        r("GET", "/v1/order/matchresults", s(self.matchresults))
        self.add_ws()

    def check_auth(self, request, body):
        q = request.query
        if q.get("AccessKeyId") != CREDENTIALS.api_key:
            return _err("invalid-access-key", "Invalid Access Key")
        # The venue decodes the query, then signs its parameters sorted and URL-encoded.
        parts = sorted((k, v) for k, v in q.items() if k != "Signature")
        text = "\n".join([request.method, request.host.lower(), request.path,
                          urlencode(parts, quote_via=quote, safe="")])
        want = base64.b64encode(hmac.new(CREDENTIALS.secret.encode(), text.encode(),
                                         hashlib.sha256).digest()).decode()
        if q.get("SignatureMethod") != "HmacSHA256" or q.get("SignatureVersion") != "2" or \
                not hmac.compare_digest(q.get("Signature", ""), want):
            return _err("api-signature-not-valid", "Signature not valid: Verification failure")
        if abs(self.now() - _ms(q.get("Timestamp", ""))) > 300_000:
            return _err("api-signature-not-valid", "Signature not valid: Timestamp expired")
        return None

    # -- public ------------------------------------------------------------------------------
    async def symbols(self, request):
        return _ok([{"symbol": i, "bc": b, "qc": q, "state": "online", "sp": "main",
                     "pp": pp, "ap": ap, "vp": 8, "minoa": mb, "maxoa": "1000", "minov": mv,
                     "lominoa": mb, "lomaxoa": "1000", "tags": ""}
                    for i, b, q, pp, ap, mb, mv, _ in PAIRS], ts="1565247911519", full=1)

    def _tick(self, pair: str) -> dict:
        bid, ask = self.books[pair].best("bids"), self.books[pair].best("asks")
        return {"open": _s(bid * Decimal("0.99")), "high": _s(ask * 2), "low": _s(bid / 2),
                "close": _s(bid), "amount": "12055.365781", "vol": "2.23E+8", "count": 1420,
                "bid": _s(bid), "bidSize": "0.0001", "ask": _s(ask), "askSize": "0.5"}

    async def tickers(self, request):
        return _ok([{"symbol": p, **self._tick(p)} for p in self.books], ts=self.now())

    async def depth(self, request):
        pair = request.query.get("symbol")
        if pair not in self.books:
            return _err("invalid-parameter", "invalid symbol")
        book = self.books[pair]
        return json_response({"ch": f"market.{pair}.depth.step0", "status": "ok",
                              "ts": self.now(), "tick": {
                                  "ts": self.now(), "version": book.seq,
                                  "bids": [[float(p), float(a)] for p, a in book.top("bids")],
                                  "asks": [[float(p), float(a)] for p, a in book.top("asks")]}})

    async def kline(self, request):
        return _ok([{"id": 1499184000 - i * 3600, "amount": 37593.0266, "count": 0,
                     "open": 1935.2000, "close": 1879.0000 + i, "low": 1856.0000,
                     "high": 1940.0000, "vol": 71031537.97866500} for i in range(3)],
                   ch="market.btcusdt.kline.60min")

    async def trades(self, request):
        return _ok([{"id": 31459998930, "ts": 1564413668177, "data": [
            {"id": 10335564795161034079, "ts": 1564413668177, "trade-id": 100050305348,
             "amount": 0.0118, "price": 9514.93, "direction": "buy"}]},
            {"id": 31459998929, "ts": 1564413668170, "data": [
                {"id": 10335564795161034078, "ts": 1564413668170, "trade-id": 100050305347,
                 "amount": 0.5, "price": 9514.90, "direction": "sell"}]}],
            ch="market.btcusdt.trade.detail", ts=self.now())

    # -- private -----------------------------------------------------------------------------
    async def accounts(self, request, p):
        return _ok([{"id": ACCOUNT, "type": "spot", "subtype": "", "state": "working"},
                    {"id": ACCOUNT + 1, "type": "otc", "subtype": "", "state": "working"}])

    async def balance(self, request, p):
        rows = []
        for c, (f, u) in self.store.balances().items():
            rows += [{"currency": c.lower(), "type": "trade", "balance": _s(f)},
                     {"currency": c.lower(), "type": "frozen", "balance": _s(u)}]
        return _ok({"id": ACCOUNT, "type": "spot", "state": "working", "list": rows})

    def order_reply(self, o) -> dict:
        quote_buy = o.type == "market" and o.side == "buy"
        return {"id": int(o.id), "symbol": o.symbol, "account-id": ACCOUNT,
                "client-order-id": o.cid or "", "amount": _s(o.cost if quote_buy else o.amount),
                "price": _s(o.price or 0), "created-at": o.created, "type": f"{o.side}-{o.type}",
                "field-amount": _s(o.filled), "field-cash-amount": _s(o.cost),
                "field-fees": _s(o.fee), "finished-at": o.updated, "source": "spot-api",
                "state": STATE[o.status], "canceled-at": 0}

    async def place(self, request, p):
        side, type_ = p["type"].split("-")
        amount, pair = Decimal(p["amount"]), p.get("symbol")
        if p.get("account-id") != str(ACCOUNT):
            return _err("account-get-accounts-inexistent-error", "account for id not exist")
        if type_ == "market" and side == "buy" and pair in self.books:
            amount = amount / self.books[pair].best("asks")     # a quote amount
        try:
            o = self.store.place(pair, side, type_, amount, p.get("price"),
                                 p.get("client-order-id"), book=self.books.get(pair))
        except Rejected as exc:
            return _err(*REFUSALS[exc.kind])
        return _ok(o.id)

    async def cancel(self, request, p):
        try:
            o = self.store.cancel(request.match_info["oid"])
        except Rejected as exc:
            return _err(*REFUSALS[exc.kind])
        return _ok(o.id)

    async def order(self, request, p):
        o = self.store.find(request.match_info["oid"])
        return _err(*REFUSALS["unknown"]) if o is None else _ok(self.order_reply(o))

    async def client_order(self, request, p):
        o = self.store.find(cid=p.get("clientOrderId"))
        return _err(*REFUSALS["unknown"]) if o is None else _ok(self.order_reply(o))

    async def open_orders(self, request, p):
        rows = sorted(self.store.open(p.get("symbol")), key=lambda o: int(o.id))
        rows = [o for o in rows if int(o.id) > int(p.get("from", 0))][: int(p.get("size", 100))]
        return _ok([self.order_reply(o) for o in rows])

    async def matchresults(self, request, p):
        return _ok([{"id": int(f.id), "symbol": f.symbol, "order-id": int(f.order_id),
                     "match-id": int(f.id), "trade-id": int(f.id), "price": _s(f.price),
                     "filled-amount": _s(f.amount), "filled-fees": _s(f.fee),
                     "fee-currency": f.fee_currency.lower(), "role": "taker" if f.taker
                     else "maker", "type": f"{f.side}-limit", "created-at": f.time,
                     "source": "spot-api"} for f in self.store.fills_of(p.get("symbol"))])

    # -- websocket (gzip frames) -------------------------------------------------------------
    async def send(self, ws, message) -> None:
        if message is None or ws.closed:
            return
        await ws.send_bytes(gzip.compress(json.dumps(message).encode()))

    def subscriptions(self, message):
        if not isinstance(message, dict) or not ({"sub", "unsub"} & set(message)):
            return None
        topic = message.get("sub") or message.get("unsub")
        _, pair, channel = topic.split(".", 2)
        return [Sub(KINDS.get(channel, channel), pair, "sub" in message)]

    async def acknowledge(self, ws, message, subs):
        await self.send(ws, {"id": message.get("id"), "status": "ok",
                             "subbed": message.get("sub") or message.get("unsub"),
                             "ts": self.now()})

    def refusal(self, message, subs):
        return {"id": message.get("id"), "status": "error", "err-code": "bad-request",
                "err-msg": f"invalid topic {message.get('sub')}", "ts": self.now()}

    def book_message(self, pair, changes):
        book = self.books[pair]
        return {"ch": f"market.{pair}.mbp.refresh.20", "ts": self.now(), "tick": {
            "seqNum": book.seq, "bids": [[float(p), float(a)] for p, a in book.top("bids", 20)],
            "asks": [[float(p), float(a)] for p, a in book.top("asks", 20)]}}

    def ticker_message(self, pair):
        return {"ch": f"market.{pair}.ticker", "ts": self.now(),
                "tick": {**self._tick(pair), "lastPrice": self._tick(pair)["close"],
                         "lastSize": "0.001"}}


def _ms(stamp: str) -> int:
    import datetime
    try:
        return int(datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S").replace(
            tzinfo=datetime.UTC).timestamp() * 1000)
    except ValueError:
        return 0


FAKE = FakeHTX
