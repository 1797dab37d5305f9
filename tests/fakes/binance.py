"""A fake Binance spot venue on the fake-server kit: /api/v3 paths and reply shapes as the REST
docs show them, the signature and recvWindow checked exactly as Binance does, and the
combined-stream websocket (/stream) with SUBSCRIBE and depth diffs carrying U/u update ids."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from decimal import Decimal

from aiohttp import web

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID = "binance"
SYMBOL = "BTC/USDT"
# The worked example's key pair from Binance's "Request security" page.
CREDENTIALS = Credentials(
    api_key="vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
    secret="NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")
KINDS = {"ticker": "ticker", "trade": "trades", "depth@100ms": "book"}
STATUS = {"open": "NEW", "filled": "FILLED", "canceled": "CANCELED"}
REFUSALS = {"funds": (-2010, "Account has insufficient balance for requested action."),
            "duplicate": (-2010, "Duplicate order sent."), "symbol": (-1121, "Invalid symbol."),
            "unknown": (-2011, "Unknown order sent."), "not_open": (-2011, "Unknown order sent.")}


def _err(code: int, msg: str, status: int = 400, headers: dict | None = None):
    return json_response({"code": code, "msg": msg}, status=status, headers=headers)


def _s(d) -> str:
    return f"{Decimal(d):.8f}"


def _symbol_info(symbol, base, quote, tick, step, min_qty, notional_filter, min_notional):
    return {
        "symbol": symbol, "status": "TRADING", "baseAsset": base, "baseAssetPrecision": 8,
        "quoteAsset": quote, "quotePrecision": 8, "quoteAssetPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET"], "isSpotTradingAllowed": True,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": tick, "maxPrice": "1000000.00000000",
             "tickSize": tick},
            {"filterType": "LOT_SIZE", "minQty": min_qty, "maxQty": "9000.00000000",
             "stepSize": step},
            {"filterType": notional_filter, "minNotional": min_notional,
             "applyToMarket": True, "avgPriceMins": 5}],
        "permissions": [], "permissionSets": [["SPOT"]]}


class FakeBinance(KitVenue):
    ws_path = "/stream"
    snapshot_on_subscribe = False       # the book's snapshot comes from GET /api/v3/depth

    def __init__(self, *, extra_symbols: int = 0, depth_levels: int = 20) -> None:
        self.server_time = lambda: time.time_ns() // 1_000_000
        self.symbols = [
            _symbol_info("BTCUSDT", "BTC", "USDT", "0.01000000", "0.00001000", "0.00001000",
                         "NOTIONAL", "5.00000000"),
            _symbol_info("ETHBTC", "ETH", "BTC", "0.00001000", "0.00010000", "0.00010000",
                         "MIN_NOTIONAL", "0.00010000")]
        self.symbols += [_symbol_info(f"C{i:04d}USDT", f"C{i:04d}", "USDT", "0.00010000",
                                      "0.01000000", "0.01000000", "NOTIONAL", "1.00000000")
                         for i in range(extra_symbols)]
        self.books = {s["symbol"]: ServerBook.around(
            "65000" if s["symbol"] == "BTCUSDT" else "0.05", s["filters"][0]["tickSize"],
            depth_levels if n < 2 else 3, seq=1027024) for n, s in enumerate(self.symbols)}
        self.store = OrderStore({s["symbol"]: (s["baseAsset"], s["quoteAsset"])
                                 for s in self.symbols},
                                {"BTC": "1.5", "USDT": "100000", "ETH": "0"},
                                clock=lambda: self.server_time(), first_id=28457)
        self.rate_limited = 0           # answer this many next requests with 429
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "")

    def setup_routes(self) -> None:
        r, s = self.route, self.signed
        r("GET", "/api/v3/time", self.time)
        r("GET", "/api/v3/exchangeInfo", self.exchange_info)
        r("GET", "/api/v3/ticker/24hr", self.ticker_24hr)
        r("GET", "/api/v3/depth", self.depth)
        r("GET", "/api/v3/klines", self.klines)
        r("GET", "/api/v3/trades", self.trades)
        r("GET", "/api/v3/account", s(self.account))
        r("POST", "/api/v3/order", s(self.new_order))
        r("DELETE", "/api/v3/order", s(self.cancel_order))
        r("GET", "/api/v3/order", s(self.query_order))
        r("GET", "/api/v3/openOrders", s(self.open_orders))
        r("GET", "/api/v3/myTrades", s(self.my_trades))
        self.add_ws()
        self.app.middlewares.append(self._limits)   # after the base's request log

    @web.middleware
    async def _limits(self, request, handler):
        if self.rate_limited:
            self.rate_limited -= 1
            return _err(-1003, "Too much request weight used; current limit is 6000 request "
                               "weight per 1 MINUTE.", 429, {"Retry-After": "0"})
        return await handler(request)

    def check_auth(self, request, body):
        """HMAC-SHA256 of the query (without `signature`) then the body; recvWindow."""
        if request.headers.get("X-MBX-APIKEY") != CREDENTIALS.api_key:
            return _err(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        parts = request.query_string.split("&")
        sig = [p[10:] for p in parts if p.startswith("signature=")]
        total = "&".join(p for p in parts if p and not p.startswith("signature=")) + body
        expected = hmac.new(CREDENTIALS.secret.encode(), total.encode(), hashlib.sha256)
        if len(sig) != 1 or not hmac.compare_digest(sig[0], expected.hexdigest()):
            return _err(-1022, "Signature for this request is not valid.")
        stamp, now = int(request.query["timestamp"]), self.server_time()
        if not (stamp < now + 1000 and now - stamp <= int(request.query.get("recvWindow", 5000))):
            return _err(-1021, "Timestamp for this request is outside of the recvWindow.")
        return None

    # -- public ------------------------------------------------------------------------------
    async def time(self, request):
        return json_response({"serverTime": self.server_time()})

    async def exchange_info(self, request):
        return json_response({"timezone": "UTC", "serverTime": self.server_time(),
                              "rateLimits": [{"rateLimitType": "REQUEST_WEIGHT",
                                              "interval": "MINUTE", "intervalNum": 1,
                                              "limit": 6000}],
                              "exchangeFilters": [], "symbols": self.symbols})

    def _ticker(self, symbol: str) -> dict:
        bid, ask = self.books[symbol].best("bids"), self.books[symbol].best("asks")
        return {"symbol": symbol, "priceChange": "-94.99999800", "priceChangePercent": "-95.960",
                "weightedAvgPrice": _s(bid), "prevClosePrice": _s(bid), "lastPrice": _s(bid),
                "lastQty": "200.00000000", "bidPrice": _s(bid), "bidQty": "100.00000000",
                "askPrice": _s(ask), "askQty": "100.00000000", "openPrice": _s(bid * Decimal("0.99")),
                "highPrice": _s(ask * Decimal("1.01")), "lowPrice": _s(bid * Decimal("0.98")),
                "volume": "8913.30000000", "quoteVolume": "15.30000000",
                "openTime": 1499783499040, "closeTime": 1499869899040, "firstId": 28385,
                "lastId": 28460, "count": 76}

    async def ticker_24hr(self, request):
        q = request.query
        wanted = [q["symbol"]] if "symbol" in q else json.loads(q.get("symbols", "null")) or \
            list(self.books)
        if any(s not in self.books for s in wanted):
            return _err(-1121, "Invalid symbol.")
        rows = [self._ticker(s) for s in wanted]
        return json_response(rows[0] if "symbol" in q else rows)

    def snapshot(self, symbol: str, limit: int = 100) -> dict:
        book = self.books[symbol]
        return {"lastUpdateId": book.seq,
                "bids": [[_s(p), _s(q)] for p, q in book.top("bids", limit)],
                "asks": [[_s(p), _s(q)] for p, q in book.top("asks", limit)]}

    async def depth(self, request):
        if request.query.get("symbol") not in self.books:
            return _err(-1121, "Invalid symbol.")
        return json_response(self.snapshot(request.query["symbol"],
                                           int(request.query.get("limit", 100))))

    async def klines(self, request):
        start = int(request.query.get("startTime", 1706630400000))
        step = {"1m": 60_000, "1h": 3_600_000, "1d": 86_400_000}[request.query["interval"]]
        return json_response([
            [start + i * step, "43519.34000000", "43936.00000000", "43171.00000000",
             f"4348{i}.71000000", "20.55495000", start + (i + 1) * step - 1, "891428.42858070",
             3743, "10.91428000", "473782.95739920", "0"]
            for i in range(min(int(request.query.get("limit", 500)), 3))])

    async def trades(self, request):
        return json_response([
            {"id": 28457, "price": "4.00000100", "qty": "12.00000000", "quoteQty": "48.000012",
             "time": 1499865549590, "isBuyerMaker": True, "isBestMatch": True},
            {"id": 28458, "price": "4.00000200", "qty": "1.50000000", "quoteQty": "6.000003",
             "time": 1499865549591, "isBuyerMaker": False, "isBestMatch": True}])

    # -- private -----------------------------------------------------------------------------
    async def account(self, request, params):
        rows = [{"asset": a, "free": _s(f), "locked": _s(u)}
                for a, (f, u) in self.store.balances().items()
                if params.get("omitZeroBalances") != "true" or f or u]
        return json_response({"makerCommission": 15, "takerCommission": 15, "canTrade": True,
                              "updateTime": 123456789, "accountType": "SPOT",
                              "balances": rows, "permissions": ["SPOT"], "uid": 354937868})

    def order_reply(self, o, **extra) -> dict:
        status = "PARTIALLY_FILLED" if o.status == "open" and o.filled else STATUS[o.status]
        return {"symbol": o.symbol, "orderId": int(o.id), "orderListId": -1,
                "clientOrderId": o.cid, "price": _s(o.price or 0), "origQty": _s(o.amount),
                "executedQty": _s(o.filled), "cummulativeQuoteQty": _s(o.cost),
                "status": status, "timeInForce": "GTC", "type": o.type.upper(),
                "side": o.side.upper(), **extra}

    async def new_order(self, request, p):
        try:
            o = self.store.place(p.get("symbol"), p["side"].lower(), p["type"].lower(),
                                 p["quantity"], p.get("price"), p.get("newClientOrderId"),
                                 book=self.books.get(p.get("symbol")))
        except Rejected as exc:
            return _err(*REFUSALS[exc.kind])
        return json_response(self.order_reply(o, transactTime=o.created, workingTime=o.created,
                                              selfTradePreventionMode="NONE"))

    def _find(self, p):
        o = self.store.find(p.get("orderId"), p.get("origClientOrderId"))
        return o if o is not None and o.symbol == p.get("symbol") else None

    async def cancel_order(self, request, p):
        o = self._find(p)
        if o is None or o.status != "open":
            return _err(-2011, "Unknown order sent.")
        self.store.cancel(o.id)
        reply = self.order_reply(o, origClientOrderId=o.cid, transactTime=self.server_time())
        reply["clientOrderId"] = "cancel-request-own-id"   # the cancel request's own id
        return json_response(reply)

    async def query_order(self, request, p):
        o = self._find(p)
        if o is None:
            return _err(-2013, "Order does not exist.")
        return json_response(self.order_reply(o, time=o.created, updateTime=o.updated,
                                              isWorking=True, workingTime=o.created))

    async def open_orders(self, request, p):
        return json_response([self.order_reply(o, time=o.created, updateTime=o.updated)
                              for o in self.store.open(p.get("symbol"))])

    async def my_trades(self, request, p):
        fills = [f for f in self.store.fills_of(p["symbol"])
                 if int(f.id) >= int(p.get("fromId", 0))
                 and f.time >= int(p.get("startTime", 0))][: int(p.get("limit", 500))]
        return json_response([
            {"symbol": f.symbol, "id": int(f.id), "orderId": int(f.order_id), "orderListId": -1,
             "price": _s(f.price), "qty": _s(f.amount), "quoteQty": _s(f.price * f.amount),
             "commission": _s(f.fee), "commissionAsset": f.fee_currency, "time": f.time,
             "isBuyer": f.side == "buy", "isMaker": not f.taker, "isBestMatch": True}
            for f in fills])

    # -- websocket ---------------------------------------------------------------------------
    def subscriptions(self, message):
        if not isinstance(message, dict) or "method" not in message:
            return None
        on = message["method"] == "SUBSCRIBE"
        return [Sub(KINDS.get(s.partition("@")[2], s), s.partition("@")[0].upper(), on)
                for s in message.get("params", [])]

    async def acknowledge(self, ws, message, subs):
        await self.send(ws, {"result": None, "id": message.get("id")})

    def refusal(self, message, subs):
        return {"error": {"code": 2, "msg": f"Invalid request: unknown stream "
                                            f"{message['params'][0]}"}, "id": message.get("id")}

    def book_message(self, symbol, changes):
        seq = self.books[symbol].seq
        bids, asks = changes
        return self.frame(f"{symbol.lower()}@depth@100ms", {
            "e": "depthUpdate", "E": self.server_time(), "s": symbol, "U": seq, "u": seq,
            "b": [list(x) for x in bids], "a": [list(x) for x in asks]})

    def ticker_message(self, symbol):
        """A 24hrTicker event (web-socket-streams, "Individual Symbol Ticker Streams")."""
        t, now = self._ticker(symbol), self.server_time()
        return self.frame(f"{symbol.lower()}@ticker", {
            "e": "24hrTicker", "E": now, "s": symbol, "p": t["priceChange"],
            "P": t["priceChangePercent"], "w": t["weightedAvgPrice"], "x": t["prevClosePrice"],
            "c": t["lastPrice"], "Q": t["lastQty"], "b": t["bidPrice"], "B": t["bidQty"],
            "a": t["askPrice"], "A": t["askQty"], "o": t["openPrice"], "h": t["highPrice"],
            "l": t["lowPrice"], "v": t["volume"], "q": t["quoteVolume"], "O": now - 86_400_000,
            "C": now, "F": 0, "L": 18150, "n": 18151})

    @staticmethod
    def frame(stream: str, data: dict) -> dict:
        return {"stream": stream, "data": data}

    async def stream(self, stream: str, data: dict) -> None:
        """Send an event as it is, wrapped for the combined stream `stream`."""
        name, _, channel = stream.partition("@")
        await self.push(KINDS[channel], name.upper(), self.frame(stream, data))


FAKE = FakeBinance
