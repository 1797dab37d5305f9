"""A fake KuCoin on the fake-server kit: the REST paths and reply examples of KuCoin's own
OpenAPI specifications (github.com/Kucoin/kucoin-universal-sdk, spec/rest/api/openapi-spot-*.json
and openapi-account-account.json), signatures checked as https://www.kucoin.com/docs-new/
authentication says (base64 HMAC-SHA256 of timestamp+METHOD+path?query+body, the passphrase
HMAC'd for keys of version 2 and 3, the timestamp within 5 s), and the public websocket: a
token from /api/v1/bullet-public, "welcome" on connect, subscribe/ack/error frames, ping/pong,
/market/level2 deltas chained by sequenceStart/sequenceEnd (the snapshot is REST level2_100).
Error HTTP statuses are not documented per code: 401 for key errors, else 400 (a guess)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import unquote

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID = "kucoin"
SYMBOL = "BTC/USDT"
CREDENTIALS = Credentials(api_key="6710cb5cf1a6a70001d5d6f0", secret="kucoin-test-secret-42",
                          passphrase="kucoin-test-passphrase")
TOKEN = "2neAiuYvAU61ZDXANAGAsiL4-iAExhsBXZxftpOeh_55i3Ysy2q2LEsEWU64mdzUOPusi34M_wGoSf7iNyEWJ"
# symbol, base, quote, baseIncrement, priceIncrement, baseMinSize, minFunds, mid price
SYMBOLS = [("BTC-USDT", "BTC", "USDT", "0.00000001", "0.1", "0.00001", "0.1", "67000"),
           ("ETH-USDT", "ETH", "USDT", "0.0000001", "0.01", "0.0001", "0.1", "2600"),
           ("ETH-BTC", "ETH", "BTC", "0.0000001", "0.00001", "0.0001", "0.000001", "0.05"),
           ("LTC-USDT", "LTC", "USDT", "0.0001", "0.01", "0.001", "0.1", "70"),
           ("ADA-USDT", "ADA", "USDT", "0.0001", "0.0001", "0.1", "0.1", "0.35")]
KINDS = {"/market/level2": "book", "/market/ticker": "ticker", "/market/match": "trades"}
REFUSALS = {"funds": (400, "200004", "Balance insufficient!"),
            "symbol": (400, "400100", "Unsupported trading pair."),
            "duplicate": (400, "400100", "The clientOid is duplicated."),
            "unknown": (400, "400100", "order_not_exist_or_not_allow_to_cancel"),
            "not_open": (400, "400100", "order_not_exist_or_not_allow_to_cancel")}


def ok(data):
    return json_response({"code": "200000", "data": data})


def fail(status, code, msg):
    return json_response({"code": code, "msg": msg}, status=status)


class FakeKuCoin(KitVenue):
    ws_path = "/"                   # the bullet's endpoint "wss://ws-api-spot.kucoin.com/"
    snapshot_on_subscribe = False   # the book's snapshot comes from REST

    def __init__(self) -> None:
        self.now = lambda: time.time_ns() // 1_000_000
        self.books = {s[0]: ServerBook.around(s[7], s[4], 20, seq=14610502970) for s in SYMBOLS}
        self.store = OrderStore({s[0]: (s[1], s[2]) for s in SYMBOLS},
                                {"BTC": "1.5", "USDT": "100000", "ETH": "0"},
                                make_id=lambda n: f"670fd33bf9406e{n:010x}")
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "-")

    def setup_routes(self) -> None:
        r, s, hf = self.route, self.signed, "/api/v1/hf/orders"
        r("GET", "/api/v1/timestamp", self.timestamp)
        r("POST", "/api/v1/bullet-public", self.bullet)
        r("GET", "/api/v2/symbols", self.symbols)
        r("GET", "/api/v1/market/allTickers", self.all_tickers)
        r("GET", "/api/v1/market/stats", self.stats)
        r("GET", "/api/v1/market/orderbook/level2_{size}", self.level2)
        r("GET", "/api/v1/market/candles", self.candles)
        r("GET", "/api/v1/market/histories", self.histories)
        r("GET", "/api/v1/accounts", s(self.accounts))
        r("POST", hf + "/sync", s(self.place))
        r("GET", hf + "/active", s(self.active))
        r("GET", hf + "/active/symbols", s(self.active_symbols))
        r("GET", hf + "/client-order/{clientOid}", s(self.get_order))
        r("GET", hf + "/{orderId}", s(self.get_order))
        r("DELETE", hf + "/{orderId}", s(self.cancel))
        r("GET", "/api/v1/hf/fills", s(self.fills))
        self.add_ws()

    async def timestamp(self, request):
        return ok(self.now())

    def check_auth(self, request, body):
        h, c = request.headers, CREDENTIALS
        if not all(h.get(f"KC-API-{k}") for k in ("KEY", "SIGN", "TIMESTAMP", "PASSPHRASE")):
            return fail(401, "400001", "Please check the header of your request for KC-API-KEY,"
                                       " KC-API-SIGN, KC-API-TIMESTAMP, KC-API-PASSPHRASE")
        if abs(int(h["KC-API-TIMESTAMP"]) - self.now()) > 5000:
            return fail(401, "400002", "Invalid KC-API-TIMESTAMP.")
        if h["KC-API-KEY"] != c.api_key:
            return fail(401, "400003", "KC-API-KEY does not exist.")
        mac = lambda m: base64.b64encode(hmac.new(c.secret.encode(), m.encode(),  # noqa: E731
                                                  hashlib.sha256).digest()).decode()
        signed = h.get("KC-API-KEY-VERSION") in ("2", "3")
        if h["KC-API-PASSPHRASE"] != (mac(c.passphrase) if signed else c.passphrase):
            return fail(401, "400004", "Invalid KC-API-PASSPHRASE.")
        prehash = h["KC-API-TIMESTAMP"] + request.method + unquote(request.path_qs) + body
        if not hmac.compare_digest(mac(prehash), h["KC-API-SIGN"]):
            return fail(401, "400005", "Invalid KC-API-SIGN.")
        return None

    # -- public ------------------------------------------------------------------------------
    async def bullet(self, request):
        return ok({"token": TOKEN, "instanceServers": [
            {"endpoint": "wss://ws-api-spot.kucoin.com/", "encrypt": True,
             "protocol": "websocket", "pingInterval": 18000, "pingTimeout": 10000}]})

    async def symbols(self, request):
        return ok([{"symbol": s, "name": s, "baseCurrency": b, "quoteCurrency": q,
                    "feeCurrency": q, "market": "USDS", "baseMinSize": mn, "quoteMinSize": "0.1",
                    "baseMaxSize": "10000000000", "quoteMaxSize": "99999999",
                    "baseIncrement": bi, "quoteIncrement": "0.000001", "priceIncrement": pi,
                    "priceLimitRate": "0.1", "minFunds": mf, "isMarginEnabled": True,
                    "enableTrading": True, "feeCategory": 1, "makerFeeCoefficient": "1.00",
                    "takerFeeCoefficient": "1.00", "st": False}
                   for s, b, q, bi, pi, mn, mf, _ in SYMBOLS])

    def _stats(self, sid) -> dict:
        book = self.books[sid]
        bid, ask = book.top("bids", 1)[0][0], book.top("asks", 1)[0][0]
        return {"symbol": sid, "symbolName": sid, "buy": bid, "bestBidSize": "0.000025",
                "sell": ask, "bestAskSize": "1.24949204", "changeRate": "-0.0014",
                "changePrice": "-98.5", "high": ask, "low": bid, "vol": "1836.03034612",
                "volValue": "124068431.06726933", "last": bid, "averagePrice": bid,
                "takerFeeRate": "0.001", "makerFeeRate": "0.001", "takerCoefficient": "1",
                "makerCoefficient": "1"}

    async def all_tickers(self, request):
        return ok({"time": 1729173207043, "ticker": [self._stats(s[0]) for s in SYMBOLS]})

    async def stats(self, request):
        return ok({"time": 1729175612158, **self._stats(request.query["symbol"])})

    async def level2(self, request):
        book, n = self.books[request.query["symbol"]], int(request.match_info["size"])
        return ok({"time": self.now(), "sequence": str(book.seq),
                   "bids": [list(x) for x in book.top("bids", n)],
                   "asks": [list(x) for x in book.top("asks", n)]})

    async def candles(self, request):       # the spec's example rows, newest first
        return ok([["1566789720", "10411.5", "10401.9", "10411.5", "10396.3", "29.11357276",
                    "302889.301529914"],
                   ["1566789660", "10416", "10411.5", "10422.3", "10405", "37.17848849",
                    "387192.478386245"]])

    async def histories(self, request):     # ccxt's recorded reply (response/kucoin.json)
        return ok([{"sequence": "7613805866401793", "price": "67347.4", "size": "0.00453030",
                    "side": "sell", "time": 1709897616745000000}])

    # -- private -----------------------------------------------------------------------------
    async def accounts(self, request, p):
        return ok([{"id": f"64feeeb6b4f1fb00079{n:05d}", "currency": c, "type": "trade",
                    "balance": str(f + u), "available": str(f), "holds": str(u)}
                   for n, (c, (f, u)) in enumerate(self.store.balances().items())])

    def row(self, o) -> dict:
        return {"id": o.id, "clientOid": o.cid, "symbol": o.symbol, "opType": "DEAL",
                "type": o.type, "side": o.side, "price": str(o.price or 0),
                "size": str(o.amount), "funds": "0", "dealSize": str(o.filled),
                "dealFunds": str(o.cost), "remainSize": str(o.remaining),
                "cancelledSize": str(o.remaining if o.status == "canceled" else 0),
                "fee": str(o.fee), "feeCurrency": self.store.markets[o.symbol][1],
                "timeInForce": "GTC", "postOnly": bool(o.options.get("postOnly")),
                "cancelExist": o.status == "canceled", "tradeType": "TRADE",
                "inOrderBook": o.status == "open", "active": o.status == "open",
                "createdAt": o.created, "lastUpdatedAt": o.updated}

    async def place(self, request, p):
        try:
            o = self.store.place(p.get("symbol"), p["side"], p["type"], p["size"],
                                 p.get("price"), p.get("clientOid"),
                                 book=self.books.get(p.get("symbol")), postOnly=p.get("postOnly"))
        except Rejected as exc:
            return fail(*REFUSALS[exc.kind])
        return ok({"orderId": o.id, "clientOid": o.cid, "orderTime": o.created,
                   "originSize": str(o.amount), "dealSize": str(o.filled),
                   "remainSize": str(o.remaining), "canceledSize": "0",
                   "status": "open" if o.status == "open" else "done", "matchTime": o.updated})

    async def get_order(self, request, p):
        p = {**p, **request.match_info}
        o = self.store.find(p.get("orderId"), p.get("clientOid"))
        if o is None or o.symbol != p.get("symbol"):
            return fail(400, "400100", "order_not_exist")
        return ok(self.row(o))

    async def cancel(self, request, p):
        try:
            o = self.store.cancel(request.match_info["orderId"])
        except Rejected as exc:
            return fail(*REFUSALS[exc.kind])
        return ok({"orderId": o.id})

    async def active(self, request, p):
        return ok([self.row(o) for o in self.store.open(p["symbol"])])

    async def active_symbols(self, request, p):
        return ok({"symbols": sorted({o.symbol for o in self.store.open()})})

    async def fills(self, request, p):
        rows = [f for f in reversed(self.store.fills_of(p["symbol"]))
                if "lastId" not in p or int(f.id) < int(p["lastId"])][:int(p.get("limit", 20))]
        return ok({"items": [{"id": int(f.id), "symbol": f.symbol, "tradeId": int(f.id) * 7,
                              "orderId": f.order_id, "counterOrderId": "67174228135f9e0007",
                              "side": f.side, "liquidity": "taker" if f.taker else "maker",
                              "forceTaker": False, "price": str(f.price), "size": str(f.amount),
                              "funds": str(f.price * f.amount), "fee": str(f.fee),
                              "feeRate": "0.001", "feeCurrency": f.fee_currency, "stop": "",
                              "tradeType": "TRADE", "type": "limit", "createdAt": f.time}
                             for f in rows], "lastId": int(rows[-1].id) if rows else 0})

    # -- websocket ---------------------------------------------------------------------------
    async def on_ws_open(self, ws, request):
        if request.query.get("token") != TOKEN or not request.query.get("connectId"):
            await self.send(ws, {"id": "", "type": "error", "code": 401,
                                 "data": "token is invalid"})
            await ws.close()
        else:
            await self.send(ws, {"id": request.query["connectId"], "type": "welcome"})

    async def on_ws_text(self, ws, message):
        if isinstance(message, dict) and message.get("type") == "ping":
            await self.send(ws, {"id": message["id"], "type": "pong"})
        else:
            await super().on_ws_text(ws, message)

    def subscriptions(self, message):
        if not isinstance(message, dict) or message.get("type") not in ("subscribe",
                                                                         "unsubscribe"):
            return None
        channel, _, symbols = message["topic"].partition(":")
        return [Sub(KINDS[channel], s, message["type"] == "subscribe")
                for s in symbols.split(",")]

    async def acknowledge(self, ws, message, subs):
        await self.send(ws, {"id": message["id"], "type": "ack"})

    def refusal(self, message, subs):
        return {"id": message["id"], "type": "error", "code": 404,
                "data": f"topic {message['topic']} is not found"}

    def book_message(self, sid, changes):
        seq = self.books[sid].seq
        bids, asks = changes
        return {"topic": f"/market/level2:{sid}", "type": "message", "subject": "trade.l2update",
                "data": {"changes": {"asks": [[p, a, str(seq)] for p, a in asks],
                                     "bids": [[p, a, str(seq)] for p, a in bids]},
                         "sequenceEnd": seq, "sequenceStart": seq, "symbol": sid,
                         "time": self.now()}}

    def ticker_message(self, sid):
        t = self._stats(sid)
        return {"type": "message", "topic": f"/market/ticker:{sid}", "subject": "trade.ticker",
                "data": {"sequence": "1545896668986", "price": t["last"], "size": "0.011",
                         "bestAsk": t["sell"], "bestAskSize": "0.18", "bestBid": t["buy"],
                         "bestBidSize": "0.036", "time": self.now()}}


FAKE = FakeKuCoin
