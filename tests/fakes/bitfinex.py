"""A fake Bitfinex (API v2): documented paths and positional-array replies, HMAC-SHA384 auth
checked like the venue (key, signature, strictly increasing nonce), a tiny order book of
orders, and the public websocket with channel ids, SEQ_ALL sequence numbers and checksums."""
from __future__ import annotations

import hashlib
import hmac
import json
import zlib
from decimal import Decimal

from aiohttp import web

from exchanges.types import Credentials
from tests.fakes.base import FakeVenue

KEY = "bfx-key-0123456789abcdef"
SECRET = "bfx-secret-fedcba9876543210"
CREDENTIALS = Credentials(api_key=KEY, secret=SECRET)
SYMBOL = "BTC/USDT"
VENUE_ID = "bitfinex"

PAIRS = ["BTCUSD", "ETHUSD", "BTCUST", "TESTBTC:TESTUSD"]
MINIMUMS = {"BTCUSD": "0.00006", "ETHUSD": "0.0008", "BTCUST": "0.00006",
            "TESTBTC:TESTUSD": "0.0002"}


def js(x) -> str:
    """JavaScript's String(n) for the fake's numbers (written independently of the adapter)."""
    d = Decimal(str(x)).normalize()
    if not d:
        return "0"
    if Decimal("1e-6") <= abs(d) < Decimal("1e21"):
        return format(d, "f")
    mantissa, _, exp = format(d, "e").partition("e")
    return f"{mantissa}e{int(exp):+d}"


def dumps(obj) -> str:
    """JSON where Decimal values are written as JS prints them (what the venue sends)."""
    if isinstance(obj, Decimal):
        return js(obj)
    if isinstance(obj, list):
        return "[" + ",".join(dumps(x) for x in obj) + "]"
    if isinstance(obj, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{dumps(v)}" for k, v in obj.items()) + "}"
    return json.dumps(obj)


def reply(payload, status: int = 200) -> web.Response:
    return web.Response(text=dumps(payload), status=status, content_type="application/json")


def error(code: int, message: str) -> web.Response:
    return reply(["error", code, message], status=500)


D = Decimal


class FakeBitfinex(FakeVenue):
    ws_path = "/ws/2"

    def __init__(self) -> None:
        self.now = 1_717_587_431_027
        self.last_nonce = 0
        self.wallets = [["exchange", "UST", D("1000"), 0, D("900"), None, None],
                        ["exchange", "BTC", D("1.5"), 0, None, None, None],
                        ["margin", "USD", D("50"), 0, D("50"), None, None]]
        self.orders: dict[int, list] = {}
        self.next_order_id = 156523558501
        # price → (count, amount); amount > 0 bid, < 0 ask
        self.books: dict[str, dict[Decimal, tuple[int, Decimal]]] = {
            "tBTCUST": {D("73350"): (2, D("0.5")), D("73349"): (1, D("1.25")),
                        D("73340"): (3, D("0.00000002")),
                        D("73351"): (1, D("-0.75")), D("73360"): (4, D("-2"))}}
        self.trades = [[1560452102, 1710327651446, D("0.00019983"), D("73218")],
                       [1560452101, 1710327650000, D("-0.5"), D("73217")]]
        self.ws_state: dict[web.WebSocketResponse, dict] = {}
        self.next_chan = 17
        super().__init__()

    # -- REST ----------------------------------------------------------------------------
    def setup_routes(self) -> None:
        r = self.route
        r("GET", "/v2/conf/pub:list:pair:exchange", self.pairs)
        r("GET", "/v2/conf/pub:info:pair", self.pair_info)
        r("GET", "/v2/tickers", self.tickers)
        r("GET", "/v2/book/{symbol}/P0", self.book)
        r("GET", "/v2/candles/{key}/hist", self.candles)
        r("GET", "/v2/trades/{symbol}/hist", self.trades_hist)
        r("POST", "/v2/auth/r/wallets", self.private(self.wallets_reply))
        r("POST", "/v2/auth/w/order/submit", self.private(self.submit))
        r("POST", "/v2/auth/w/order/cancel", self.private(self.cancel))
        r("POST", "/v2/auth/r/orders", self.private(self.open_orders))
        r("POST", "/v2/auth/r/orders/{symbol}", self.private(self.open_orders))
        r("POST", "/v2/auth/r/orders/{symbol}/hist", self.private(self.history))
        self.add_ws()

    async def pairs(self, request):
        return reply([PAIRS])

    async def pair_info(self, request):
        return reply([[[p, [None, None, None, MINIMUMS[p], "2000.0", None, None, None, 0.2, 0.1]]
                       for p in PAIRS]])

    def ticker_row(self, symbol: str) -> list:
        if symbol == "tBTCUST":
            return [D("73350"), D("2.55279457"), D("73351"), D("6.36068263"), D("1003"),
                    D("0.01386374"), D("73350"), D("2638.4314844"), D("73583"), D("68643")]
        return [D("3000"), D("1"), D("3001"), D("2"), D("-10"), D("-0.0033"), D("3000.5"),
                D("100"), D("3100"), D("2900")]

    async def tickers(self, request):
        wanted = request.query["symbols"]
        symbols = ["t" + p for p in PAIRS] + ["fUSD"] if wanted == "ALL" else wanted.split(",")
        rows = []
        for s in symbols:
            if s == "fUSD":
                rows.append(["fUSD", D("0.0002"), D("0.0001"), 30, D("1000"), D("0.0001"), 2,
                             D("5"), 0, 0, D("0.0002"), D("10"), D("0.0003"), D("0.0001"),
                             None, None, D("100")])
            elif s[1:] in PAIRS:
                rows.append([s] + self.ticker_row(s))
        return reply(rows)

    def book_rows(self, symbol: str) -> list:
        book = self.books.get(symbol, {})
        bids = sorted((p for p, (_, a) in book.items() if a > 0), reverse=True)
        asks = sorted(p for p, (_, a) in book.items() if a < 0)
        return [[p, book[p][0], book[p][1]] for p in bids] + \
               [[p, book[p][0], book[p][1]] for p in asks]

    async def book(self, request):
        assert request.query["len"] in ("1", "25", "100")
        return reply(self.book_rows(request.match_info["symbol"]))

    async def candles(self, request):
        key = request.match_info["key"]
        _, tf, symbol = key.split(":", 2)
        assert tf in ("1m", "5m", "15m", "30m", "1h", "3h", "6h", "12h", "1D", "1W", "14D", "1M")
        rows = [[1552302000000, D("3890"), D("3900.5"), D("3905"), D("3880"), D("1.25")],
                [1552298400000, D("3870.1"), D("3890"), D("3890"), D("3870.1"), D("0.05")]]
        if request.query.get("sort") == "1":
            rows.reverse()
        return reply(rows)

    async def trades_hist(self, request):
        return reply(self.trades[: int(request.query.get("limit", 10000))])

    # -- authentication ----------------------------------------------------------------
    def private(self, handler):
        async def checked(request: web.Request):
            body = await request.text()
            if request.headers.get("bfx-apikey") != KEY:
                return error(10100, "apikey: invalid")
            nonce = request.headers.get("bfx-nonce", "")
            expected = hmac.new(SECRET.encode(), f"/api{request.path}{nonce}{body}".encode(),
                                hashlib.sha384).hexdigest()
            if not hmac.compare_digest(expected, request.headers.get("bfx-signature", "")):
                return error(10100, "apikey: digest invalid")
            if not nonce.isdigit() or int(nonce) <= self.last_nonce:
                return error(10114, "nonce: small")
            self.last_nonce = int(nonce)
            return await handler(request, json.loads(body or "{}", parse_float=Decimal))
        return checked

    async def wallets_reply(self, request, body):
        return reply(self.wallets)

    def notification(self, kind: str, data, text: str, status: str = "SUCCESS"):
        return reply([self.now // 1000, kind, None, None, data, None, status, text])

    async def submit(self, request, body):
        symbol = body["symbol"]
        if symbol[1:] not in PAIRS:
            return error(10020, "symbol: invalid")
        amount = D(body["amount"])
        kind = body["type"]
        price = D(body["price"]) if "price" in body else D("73350")
        if amount > 0 and amount * price > self.wallets[0][2]:
            return error(10001, f"Invalid order: not enough exchange balance for "
                                f"{js(amount)} {symbol[1:]} at {js(price)}")
        oid = self.next_order_id
        self.next_order_id += 1
        market = kind == "EXCHANGE MARKET"
        status = f"EXECUTED @ {js(price)}({js(amount)})" if market else "ACTIVE"
        row = [oid, None, body.get("cid"), symbol, self.now, self.now,
               D(0) if market else amount, amount, kind, None, None, None, 0, status, None,
               None, price, price if market else D(0), 0, 0, None, None, None, 0, 0, None,
               None, None, "API>BFX", None, None, {}]
        self.orders[oid] = row
        return self.notification("on-req", [row], "Submitting 1 orders.")

    async def cancel(self, request, body):
        row = self.orders.get(body.get("id"))
        if row is None or row[13] != "ACTIVE":
            return self.notification("oc-req", None, "Order not found.", status="ERROR")
        answer = list(row)
        row[13] = "CANCELED"
        return self.notification(
            "oc-req", answer,
            f"Submitted for cancellation; waiting for confirmation (ID: {row[0]}).")

    def _select(self, request, body, active: bool):
        symbol = request.match_info.get("symbol")
        ids = body.get("id")
        rows = [r for r in self.orders.values() if (r[13] == "ACTIVE") == active
                and (symbol is None or r[3] == symbol) and (ids is None or r[0] in ids)]
        return reply(rows)

    async def open_orders(self, request, body):
        return self._select(request, body, active=True)

    async def history(self, request, body):
        return self._select(request, body, active=False)

    # -- websocket -------------------------------------------------------------------------
    async def send(self, ws, payload, *, seq: bool = True) -> None:
        state = self.ws_state[ws]
        if seq and isinstance(payload, list) and state["flags"] & 65536:
            state["seq"] += 1
            payload = payload + [state["seq"]]
        await ws.send_str(dumps(payload))

    async def on_ws_text(self, ws, message) -> None:
        state = self.ws_state.setdefault(ws, {"flags": 0, "seq": 0, "chans": {}})
        event = message.get("event") if isinstance(message, dict) else None
        if event == "conf":
            state["flags"] = message["flags"]
            await ws.send_str(json.dumps({"event": "conf", "status": "OK",
                                          "flags": message["flags"]}))
        elif event == "subscribe":
            channel, symbol = message["channel"], message["symbol"]
            if symbol[1:] not in PAIRS:
                await ws.send_str(json.dumps({"event": "error", "msg": "symbol: invalid",
                                              "code": 10300, "channel": channel,
                                              "symbol": symbol}))
                return
            chan = self.next_chan
            self.next_chan += 1
            state["chans"][chan] = (channel, symbol)
            sub = {"event": "subscribed", "channel": channel, "chanId": chan, "symbol": symbol,
                   "pair": symbol[1:]}
            if channel == "book":
                sub.update(prec=message["prec"], freq=message["freq"], len=message["len"])
            await ws.send_str(json.dumps(sub))
            if channel == "book":
                await self.send(ws, [chan, self.book_rows(symbol)])
            elif channel == "ticker":
                await self.send(ws, [chan, self.ticker_row(symbol)])
            elif channel == "trades":
                await self.send(ws, [chan, self.trades])
        elif event == "unsubscribe":
            state["chans"].pop(message["chanId"], None)
            await ws.send_str(json.dumps({"event": "unsubscribed", "status": "OK",
                                          "chanId": message["chanId"]}))

    def _subscribers(self, channel: str, symbol: str):
        for ws, state in list(self.ws_state.items()):
            if ws.closed:
                continue
            for chan, (ch, sym) in state["chans"].items():
                if (ch, sym) == (channel, symbol):
                    yield ws, chan

    def checksum(self, symbol: str) -> int:
        rows = self.book_rows(symbol)
        bids = [r for r in rows if r[2] > 0][:25]
        asks = [r for r in rows if r[2] < 0][:25]
        parts = []
        for i in range(25):
            for side in (bids, asks):
                if i < len(side):
                    parts += [js(side[i][0]), js(side[i][2])]
        crc = zlib.crc32(":".join(parts).encode())
        return crc - 2 ** 32 if crc >= 2 ** 31 else crc

    async def book_update(self, symbol: str, price, count: int, amount, *,
                          deliver: bool = True, checksum: bool = True, lose_seq: bool = False
                          ) -> None:
        """Change the server's book; send the update (or lose it in transit) and a checksum."""
        price, amount = D(str(price)), D(str(amount))
        book = self.books.setdefault(symbol, {})
        if count:
            book[price] = (count, amount)
        else:
            book.pop(price, None)
        for ws, chan in self._subscribers("book", symbol):
            if lose_seq:
                self.ws_state[ws]["seq"] += 1          # a frame numbered but never received
            if deliver:
                await self.send(ws, [chan, [price, count, amount]])
            if checksum:
                await self.send(ws, [chan, "cs", self.checksum(symbol)])

    async def heartbeat(self, channel: str, symbol: str) -> None:
        for ws, chan in self._subscribers(channel, symbol):
            await self.send(ws, [chan, "hb"])

    async def push_trade(self, symbol: str, row: list) -> None:
        for ws, chan in self._subscribers("trades", symbol):
            await self.send(ws, [chan, "te", row])
            await self.send(ws, [chan, "tu", row])

    async def push_ticker(self, symbol: str, row: list) -> None:
        for ws, chan in self._subscribers("ticker", symbol):
            await self.send(ws, [chan, row])

    async def info(self, code: int) -> None:
        for ws in list(self.ws_state):
            if not ws.closed:
                await ws.send_str(json.dumps({"event": "info", "code": code,
                                              "msg": "Stopping. Please try to reconnect"}))


FAKE = FakeBitfinex
