"""A fake Binance spot venue: /api/v3 REST paths and shapes as documented, signature and
recvWindow checks exactly as Binance does them, a small order state, and the combined-stream
websocket (/stream) with SUBSCRIBE and depth diffs carrying U/u update ids."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from decimal import Decimal
from urllib.parse import parse_qsl

from aiohttp import web

from exchanges import Credentials

from .base import FakeVenue, json_response

VENUE_ID = "binance"
SYMBOL = "BTC/USDT"
# The worked example's key pair from Binance's "Request security" page.
CREDENTIALS = Credentials(
    api_key="vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
    secret="NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")


def _err(code: int, msg: str, status: int = 400, headers: dict | None = None):
    return json_response({"code": code, "msg": msg}, status=status, headers=headers)


def _s(d: Decimal) -> str:
    return f"{d:.8f}"


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
             "applyToMarket": True, "avgPriceMins": 5},
        ],
        "permissions": [], "permissionSets": [["SPOT"]],
    }


class FakeBinance(FakeVenue):
    ws_path = "/stream"

    def __init__(self, *, extra_symbols: int = 0, depth_levels: int = 20) -> None:
        self.server_time = lambda: time.time_ns() // 1_000_000
        self.secret = CREDENTIALS.secret
        self.api_key = CREDENTIALS.api_key
        self.symbols = [
            _symbol_info("BTCUSDT", "BTC", "USDT", "0.01000000", "0.00001000", "0.00001000",
                         "NOTIONAL", "5.00000000"),
            _symbol_info("ETHBTC", "ETH", "BTC", "0.00001000", "0.00010000", "0.00010000",
                         "MIN_NOTIONAL", "0.00010000"),
        ]
        for i in range(extra_symbols):
            self.symbols.append(_symbol_info(f"C{i:04d}USDT", f"C{i:04d}", "USDT",
                                             "0.00010000", "0.01000000", "0.01000000",
                                             "NOTIONAL", "1.00000000"))
        self.books: dict[str, dict] = {}
        for n, info in enumerate(self.symbols):
            mid = Decimal("65000") if info["symbol"] == "BTCUSDT" else Decimal("0.05")
            tick = Decimal(info["filters"][0]["tickSize"])
            depth = depth_levels if n < 2 else 3    # the synthetic symbols stay small
            self.books[info["symbol"]] = {
                "bids": {mid - tick * (i + 1): Decimal("0.5") + i for i in range(depth)},
                "asks": {mid + tick * (i + 1): Decimal("0.25") + i for i in range(depth)},
                "last": 1027024}
        self.balances = {"BTC": [Decimal("1.5"), Decimal("0")],
                         "USDT": [Decimal("100000"), Decimal("0")],
                         "ETH": [Decimal("0"), Decimal("0")]}
        self.orders: dict[int, dict] = {}
        self._ids = itertools.count(28457)
        self.rate_limited = 0           # answer this many next requests with 429
        self.subscriptions: dict[str, set] = {}
        super().__init__()

    # -- routes ------------------------------------------------------------------------------
    def setup_routes(self) -> None:
        r = self.route
        r("GET", "/api/v3/time", self.time)
        r("GET", "/api/v3/exchangeInfo", self.exchange_info)
        r("GET", "/api/v3/ticker/24hr", self.ticker_24hr)
        r("GET", "/api/v3/depth", self.depth)
        r("GET", "/api/v3/klines", self.klines)
        r("GET", "/api/v3/trades", self.trades)
        r("GET", "/api/v3/account", self.private(self.account))
        r("POST", "/api/v3/order", self.private(self.new_order))
        r("DELETE", "/api/v3/order", self.private(self.cancel_order))
        r("GET", "/api/v3/order", self.private(self.query_order))
        r("GET", "/api/v3/openOrders", self.private(self.open_orders))
        self.add_ws()
        self.app.middlewares.append(self._limits)   # after the base's request log

    @web.middleware
    async def _limits(self, request, handler):
        if self.rate_limited:
            self.rate_limited -= 1
            return _err(-1003, "Too much request weight used; current limit is 6000 request "
                               "weight per 1 MINUTE.", 429, {"Retry-After": "0"})
        return await handler(request)

    # -- signed requests ---------------------------------------------------------------------
    def private(self, handler):
        async def checked(request: web.Request):
            body = await request.text()
            if request.headers.get("X-MBX-APIKEY") != self.api_key:
                return _err(-2015, "Invalid API-key, IP, or permissions for action.", 401)
            query = request.query_string
            parts = [p for p in query.split("&") if p and not p.startswith("signature=")]
            sig = [p[10:] for p in query.split("&") if p.startswith("signature=")]
            total = "&".join(parts) + body
            expected = hmac.new(self.secret.encode(), total.encode(), hashlib.sha256).hexdigest()
            if len(sig) != 1 or not hmac.compare_digest(sig[0], expected):
                return _err(-1022, "Signature for this request is not valid.")
            params = dict(parse_qsl(query)) | dict(parse_qsl(body))
            now = self.server_time()
            stamp = int(params["timestamp"])
            window = int(params.get("recvWindow", 5000))
            if not (stamp < now + 1000 and now - stamp <= window):
                return _err(-1021, "Timestamp for this request is outside of the recvWindow.")
            return await handler(request, params)
        return checked

    def _symbol(self, params) -> dict | None:
        return next((s for s in self.symbols if s["symbol"] == params.get("symbol")), None)

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
        book = self.books[symbol]
        bid, ask = max(book["bids"]), min(book["asks"])
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
        if "symbol" in q:
            if q["symbol"] not in self.books:
                return _err(-1121, "Invalid symbol.")
            return json_response(self._ticker(q["symbol"]))
        wanted = json.loads(q["symbols"]) if "symbols" in q else list(self.books)
        if any(s not in self.books for s in wanted):
            return _err(-1121, "Invalid symbol.")
        return json_response([self._ticker(s) for s in wanted])

    def snapshot(self, symbol: str, limit: int = 100) -> dict:
        book = self.books[symbol]
        bids = sorted(book["bids"].items(), reverse=True)[:limit]
        asks = sorted(book["asks"].items())[:limit]
        return {"lastUpdateId": book["last"], "bids": [[_s(p), _s(q)] for p, q in bids],
                "asks": [[_s(p), _s(q)] for p, q in asks]}

    async def depth(self, request):
        symbol = request.query.get("symbol")
        if symbol not in self.books:
            return _err(-1121, "Invalid symbol.")
        return json_response(self.snapshot(symbol, int(request.query.get("limit", 100))))

    async def klines(self, request):
        start = int(request.query.get("startTime", 1706630400000))
        limit = int(request.query.get("limit", 500))
        step = {"1m": 60_000, "1h": 3_600_000, "1d": 86_400_000}[request.query["interval"]]
        rows = []
        for i in range(min(limit, 3)):
            t = start + i * step
            rows.append([t, "43519.34000000", "43936.00000000", "43171.00000000",
                         f"4348{i}.71000000", "20.55495000", t + step - 1, "891428.42858070",
                         3743, "10.91428000", "473782.95739920", "0"])
        return json_response(rows)

    async def trades(self, request):
        return json_response([
            {"id": 28457, "price": "4.00000100", "qty": "12.00000000", "quoteQty": "48.000012",
             "time": 1499865549590, "isBuyerMaker": True, "isBestMatch": True},
            {"id": 28458, "price": "4.00000200", "qty": "1.50000000", "quoteQty": "6.000003",
             "time": 1499865549591, "isBuyerMaker": False, "isBestMatch": True},
        ])

    # -- private -----------------------------------------------------------------------------
    async def account(self, request, params):
        rows = [{"asset": a, "free": _s(f), "locked": _s(l)} for a, (f, l) in
                self.balances.items()]
        if params.get("omitZeroBalances") == "true":
            rows = [r for r in rows if Decimal(r["free"]) or Decimal(r["locked"])]
        return json_response({"makerCommission": 15, "takerCommission": 15, "canTrade": True,
                              "updateTime": 123456789, "accountType": "SPOT",
                              "balances": rows, "permissions": ["SPOT"], "uid": 354937868})

    def _order_reply(self, o: dict, **extra) -> dict:
        reply = {k: o[k] for k in ("symbol", "orderId", "orderListId", "clientOrderId",
                                   "price", "origQty", "executedQty", "cummulativeQuoteQty",
                                   "status", "timeInForce", "type", "side")}
        reply.update(extra)
        return reply

    async def new_order(self, request, params):
        info = self._symbol(params)
        if info is None:
            return _err(-1121, "Invalid symbol.")
        qty = Decimal(params["quantity"])
        cid = params.get("newClientOrderId") or uuid.uuid4().hex
        if any(o["clientOrderId"] == cid and o["status"] == "NEW" for o in self.orders.values()):
            return _err(-2010, "Duplicate order sent.")
        base, quote = info["baseAsset"], info["quoteAsset"]
        book = self.books[info["symbol"]]
        side, kind = params["side"], params["type"]
        price = Decimal(params["price"]) if kind == "LIMIT" else (
            min(book["asks"]) if side == "BUY" else max(book["bids"]))
        asset, need = (quote, qty * price) if side == "BUY" else (base, qty)
        free = self.balances.setdefault(asset, [Decimal(0), Decimal(0)])
        if free[0] < need:
            return _err(-2010, "Account has insufficient balance for requested action.")
        now = self.server_time()
        oid = next(self._ids)
        order = {"symbol": info["symbol"], "orderId": oid, "orderListId": -1,
                 "clientOrderId": cid, "price": _s(price) if kind == "LIMIT" else "0.00000000",
                 "origQty": _s(qty), "executedQty": "0.00000000",
                 "cummulativeQuoteQty": "0.00000000", "status": "NEW",
                 "timeInForce": params.get("timeInForce", "GTC"), "type": kind, "side": side,
                 "time": now, "updateTime": now, "workingTime": now, "_lock": (asset, need)}
        if kind == "MARKET":
            free[0] -= need
            order.update(executedQty=_s(qty), cummulativeQuoteQty=_s(qty * price),
                         status="FILLED")
        else:
            free[0] -= need
            free[1] += need
        self.orders[oid] = order
        return json_response(self._order_reply(order, transactTime=now, workingTime=now,
                                               selfTradePreventionMode="NONE"))

    def _find(self, params) -> dict | None:
        info = self._symbol(params)
        for o in self.orders.values():
            if info is not None and o["symbol"] == info["symbol"] and (
                    str(o["orderId"]) == params.get("orderId")
                    or o["clientOrderId"] == params.get("origClientOrderId")):
                return o
        return None

    async def cancel_order(self, request, params):
        o = self._find(params)
        if o is None or o["status"] != "NEW":
            return _err(-2011, "Unknown order sent.")
        asset, need = o["_lock"]
        self.balances[asset][0] += need
        self.balances[asset][1] -= need
        o["status"] = "CANCELED"
        reply = self._order_reply(o, origClientOrderId=o["clientOrderId"],
                                  transactTime=self.server_time())
        reply["clientOrderId"] = uuid.uuid4().hex[:22]    # the cancel request's own id
        return json_response(reply)

    async def query_order(self, request, params):
        o = self._find(params)
        if o is None:
            return _err(-2013, "Order does not exist.")
        return json_response(self._order_reply(o, time=o["time"], updateTime=o["updateTime"],
                                               isWorking=True, workingTime=o["workingTime"]))

    async def open_orders(self, request, params):
        rows = [o for o in self.orders.values() if o["status"] == "NEW"
                and params.get("symbol") in (None, o["symbol"])]
        return json_response([self._order_reply(o, time=o["time"], updateTime=o["updateTime"])
                              for o in rows])

    # -- websocket ---------------------------------------------------------------------------
    async def on_ws_text(self, ws, message) -> None:
        if not isinstance(message, dict):
            return
        method = message.get("method")
        for stream in message.get("params", []):
            subs = self.subscriptions.setdefault(stream, set())
            (subs.add if method == "SUBSCRIBE" else subs.discard)(ws)
        await ws.send_str(json.dumps({"result": None, "id": message.get("id")}))

    async def wait_for(self, predicate, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("the fake waited in vain")
            await asyncio.sleep(0.005)

    async def wait_subscribed(self, stream: str) -> None:
        await self.wait_for(lambda: any(not ws.closed for ws in self.subscriptions.get(stream, ())))

    def requests_to(self, path: str) -> int:
        return sum(1 for s in self.seen if s.path == path)

    async def push(self, stream: str, data: dict) -> None:
        text = json.dumps({"stream": stream, "data": data})
        for ws in list(self.subscriptions.get(stream, ())):
            if not ws.closed:
                await ws.send_str(text)

    async def book_update(self, symbol: str, bids=(), asks=(), *, send: bool = True) -> None:
        """Change the server's book and (unless `send` is False: a lost event) stream it."""
        book = self.books[symbol]
        first = book["last"] + 1
        book["last"] += max(1, len(bids) + len(asks))
        for side, levels in (("bids", bids), ("asks", asks)):
            for p, q in levels:
                p, q = Decimal(p), Decimal(q)
                if q:
                    book[side][p] = q
                else:
                    book[side].pop(p, None)
        if send:
            await self.push(f"{symbol.lower()}@depth@100ms", {
                "e": "depthUpdate", "E": self.server_time(), "s": symbol, "U": first,
                "u": book["last"], "b": [[str(p), str(q)] for p, q in bids],
                "a": [[str(p), str(q)] for p, q in asks]})


FAKE = FakeBinance
