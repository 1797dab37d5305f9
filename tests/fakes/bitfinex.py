"""A fake Bitfinex (API v2) on the fake-server kit: documented paths and positional-array
replies (numbers written as JavaScript prints them), HMAC-SHA384 auth checked like the venue
(key, signature, strictly increasing nonce), every refusal an HTTP 500 `["error", CODE, TEXT]`,
orders history newest first (25 rows unless `limit`, at most 2500), and the public websocket:
channel ids per subscription, SEQ_ALL sequence numbers per connection and book checksums."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import zlib
from decimal import Decimal as D

from aiohttp import web

from exchanges.types import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, text_levels

KEY = "bfx-key-0123456789abcdef"
SECRET = "bfx-secret-fedcba9876543210"
CREDENTIALS = Credentials(api_key=KEY, secret=SECRET)
SYMBOL = "BTC/USDT"
VENUE_ID = "bitfinex"
PAIRS = {"BTCUSD": "0.00006", "ETHUSD": "0.0008", "BTCUST": "0.00006",
         "TESTBTC:TESTUSD": "0.0002"}                        # pair → minimum order size
SEQ_ALL = 65536
# ccxt's recorded ticker (test/static/response/bitfinex.json) and the docs' trade rows.
TICKER = [73350, 2.55279457, 73351, 6.36068263, 1003, 0.01386374, 73350, 2638.4314844, 73583,
          68643]
TRADES = [[1560452102, 1710327651446, D("0.00019983"), 73218],
          [1560452101, 1710327650000, D("-0.5"), 73217]]


def js(x) -> str:
    """JavaScript's String(n) (written independently of the adapter)."""
    d = D(str(x)).normalize()
    if not d:
        return "0"
    if D("1e-6") <= abs(d) < D("1e21"):
        return format(d, "f")
    mantissa, _, exp = format(d, "e").partition("e")
    return f"{mantissa}e{int(exp):+d}"


def dumps(obj) -> str:
    """JSON as the venue sends it: Decimal values as JavaScript numbers."""
    if isinstance(obj, D):
        return js(obj)
    if isinstance(obj, list):
        return "[" + ",".join(dumps(x) for x in obj) + "]"
    if isinstance(obj, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{dumps(v)}" for k, v in obj.items()) + "}"
    return json.dumps(obj)


def reply(payload, status: int = 200) -> web.Response:
    return web.Response(text=dumps(payload), status=status, content_type="application/json")


def error(code: int, text: str) -> web.Response:
    return reply(["error", code, text], status=500)


class FakeBitfinex(KitVenue):
    ws_path = "/ws/2"
    snapshot_on_subscribe = False      # sent by acknowledge(), after the channel id

    def __init__(self) -> None:
        self.now = 1_717_587_431_027
        self.last_nonce = 0
        self.books = {"tBTCUST": ServerBook(
            {"73350": "0.5", "73349": "1.25", "73340": "0.00000002"},
            {"73351": "0.75", "73360": "2"})}
        self.store = OrderStore({"t" + p: tuple(p.split(":")) if ":" in p else (p[:3], p[3:])
                                 for p in PAIRS}, {"UST": "50000", "BTC": "1.5"},
                                clock=lambda: self.now, first_id=156523558501)
        self.available_unknown = {"BTC"}     # AVAILABLE stays null until the venue computes it
        self.chans: dict[int, tuple] = {}    # channel id → (ws, kind, venue symbol)
        self.flags: dict = {}                # ws → conf flags
        self.seqs: dict = {}                 # ws → last sequence number sent
        self.chan_ids = itertools.count(17)
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return "t" + symbol.replace("USDT", "UST").replace("/", "")

    def setup_routes(self) -> None:
        r, s = self.route, self.signed
        r("GET", "/v2/conf/pub:list:pair:exchange", self.pairs)
        r("GET", "/v2/conf/pub:info:pair", self.pairs)
        r("GET", "/v2/tickers", self.tickers)
        r("GET", "/v2/book/{symbol}/P0", self.book)
        r("GET", "/v2/candles/{key}/hist", self.candles)
        r("GET", "/v2/trades/{symbol}/hist", self.trades)
        r("POST", "/v2/auth/r/wallets", s(self.wallets))
        r("POST", "/v2/auth/w/order/submit", s(self.submit))
        r("POST", "/v2/auth/w/order/cancel", s(self.cancel))
        for path in ("/v2/auth/r/orders", "/v2/auth/r/orders/{symbol}"):
            r("POST", path, s(self.active))
        r("POST", "/v2/auth/r/orders/{symbol}/hist", s(self.history))
        r("POST", "/v2/auth/r/trades/hist", s(self.fills))
        r("POST", "/v2/auth/r/trades/{symbol}/hist", s(self.fills))
        self.add_ws()

    def check_auth(self, request, body):
        """HMAC-SHA384 of "/api" + path + nonce + body, hex; the nonce must increase."""
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
        return None

    # -- public ------------------------------------------------------------------------------
    async def pairs(self, request):
        if request.path.endswith("exchange"):
            return reply([list(PAIRS)])
        return reply([[[p, [None, None, None, m, "2000.0", None, None, None, 0.2, 0.1]]
                       for p, m in PAIRS.items()]])

    async def trades(self, request):
        return reply(TRADES[: int(request.query.get("limit", 10000))])

    async def tickers(self, request):
        wanted = request.query["symbols"]
        symbols = [f"t{p}" for p in PAIRS] + ["fUSD"] if wanted == "ALL" else wanted.split(",")
        return reply([[s, *TICKER] if s == "tBTCUST" else [s, 3000, 1, 3001, 2, -10, -0.0033,
                      3000.5, 100, 3100, 2900] for s in symbols if s[1:] in PAIRS]
                     + ([["fUSD", 0.0002, 0.0001, 30, 1000, 0.0001, 2, 5, 0, 0, 0.0002, 10,
                          0.0003, 0.0001, None, None, 100]] if wanted == "ALL" else []))

    def book_rows(self, symbol: str, n: int | None = None) -> list:
        book = self.books.get(symbol)
        if book is None:          # a listed pair with nothing resting: the venue sends []
            return []
        return ([[D(p), 1, D(a)] for p, a in book.top("bids", n)]
                + [[D(p), 1, -D(a)] for p, a in book.top("asks", n)])

    async def book(self, request):
        assert request.query["len"] in ("1", "25", "100")
        return reply(self.book_rows(request.match_info["symbol"], int(request.query["len"])))

    async def candles(self, request):
        assert request.match_info["key"].split(":")[1] in (
            "1m", "5m", "15m", "30m", "1h", "3h", "6h", "12h", "1D", "1W", "14D", "1M")
        rows = [[1552302000000, 3890, 3900.5, 3905, 3880, 1.25],
                [1552298400000, 3870.1, 3890, 3890, 3870.1, 0.05]]
        return reply(rows[::-1] if request.query.get("sort") == "1" else rows)

    # -- private -----------------------------------------------------------------------------
    async def wallets(self, request, body):
        return reply([["exchange", c, f + u, 0, None if c in self.available_unknown else f,
                       None, None] for c, (f, u) in self.store.balances().items()]
                     + [["margin", "USD", 50, 0, 50, None, None]])

    def row(self, o) -> list:
        sign = 1 if o.side == "buy" else -1
        status = {"open": f"PARTIALLY FILLED @ {js(o.average or 0)}({js(sign * o.filled)})"
                  if o.filled else "ACTIVE", "canceled": "CANCELED",
                  "filled": f"EXECUTED @ {js(o.average or 0)}({js(sign * o.filled)})"}
        return [int(o.id), None, o.cid and int(o.cid), o.symbol, o.created, o.updated,
                sign * o.remaining, sign * o.amount, f"EXCHANGE {o.type.upper()}", None, None,
                None, 0, status[o.status], None, None, o.price or o.average, o.average or 0, 0,
                0, None, None, None, 0, 0, None, None, None, "API>BFX", None, None, {}]

    async def submit(self, request, body):
        self.now += 1
        amount, symbol = D(body["amount"]), body["symbol"]
        try:
            o = self.store.place(symbol, "buy" if amount > 0 else "sell",
                                 "market" if "MARKET" in body["type"] else "limit", abs(amount),
                                 body.get("price"), body.get("cid") and str(body["cid"]),
                                 book=self.books.get(symbol))
        except Rejected as exc:
            if exc.kind == "symbol":
                return error(10020, "symbol: invalid")
            return error(10001, f"Invalid order: not enough exchange balance for {js(amount)} "
                                f"{symbol[1:]} at {js(body.get('price', 0))}")
        return reply([self.now // 1000, "on-req", None, None, [self.row(o)], None, "SUCCESS",
                      "Submitting 1 orders."])

    async def cancel(self, request, body):
        o = self.store.find(str(body.get("id")))
        if o is None or o.status != "open":
            return reply([self.now, "oc-req", None, None, None, None, "ERROR",
                          "Order not found."])
        answer = self.row(o)                     # as it was: the cancel is confirmed later
        self.store.cancel(o.id)
        return reply([self.now, "oc-req", None, None, answer, None, "SUCCESS",
                      f"Submitted for cancellation; waiting for confirmation (ID: {o.id})."])

    def _rows(self, orders, request, body) -> list:
        ids = body.get("id")
        return [self.row(o) for o in orders if ids is None or int(o.id) in ids]

    async def active(self, request, body):
        return reply(self._rows(self.store.open(request.match_info.get("symbol")), request,
                                body))

    async def history(self, request, body):
        done = sorted(self.store.closed(request.match_info["symbol"]),
                      key=lambda o: o.created, reverse=True)
        done = [o for o in done if int(body.get("start", 0)) <= o.created
                <= int(body.get("end", 2 ** 63))]
        return reply(self._rows(done, request, body)[: min(int(body.get("limit", 25)), 2500)])

    async def fills(self, request, body):
        """Newest first unless sort=1, `start`/`end` inclusive, `limit` 25 by default and at
        most 2500; rows as in rest-auth-trades' response (docs.bitfinex.com/reference/
        rest-auth-trades): the amount signed, MAKER 1/-1, the fee negative, CID."""
        rows = [f for f in self.store.fills_of(request.match_info.get("symbol"))
                if int(body.get("start", 0)) <= f.time <= int(body.get("end", 2 ** 63))]
        rows.sort(key=lambda f: (f.time, int(f.id)), reverse=body.get("sort") != 1)
        return reply([[int(f.id), f.symbol, f.time, int(f.order_id),
                       (f.amount if f.side == "buy" else -f.amount), f.price,
                       self.store.orders[f.order_id].type.upper(), f.price,
                       -1 if f.taker else 1, -f.fee, f.fee_currency,
                       self.store.orders[f.order_id].cid]
                      for f in rows[: min(int(body.get("limit", 25)), 2500)]])

    # -- websocket ---------------------------------------------------------------------------
    async def on_ws_text(self, ws, message) -> None:
        if isinstance(message, dict) and message.get("event") == "conf":
            self.flags[ws] = message["flags"]
            await ws.send_str(json.dumps({"event": "conf", "status": "OK",
                                          "flags": message["flags"]}))
        else:
            await super().on_ws_text(ws, message)

    def subscriptions(self, message):
        if not isinstance(message, dict):
            return None
        if message.get("event") == "subscribe":
            return [Sub(message["channel"], message["symbol"])]
        if message.get("event") == "unsubscribe" and message.get("chanId") in self.chans:
            return [Sub(*self.chans[message["chanId"]][1:], on=False)]
        return None

    async def acknowledge(self, ws, message, subs):
        if message["event"] == "unsubscribe":
            del self.chans[message["chanId"]]
            return await self.send(ws, {"event": "unsubscribed", "status": "OK",
                                        "chanId": message["chanId"]})
        kind, symbol = subs[0].kind, subs[0].symbol
        if symbol[1:] not in PAIRS:
            return await self.send(ws, {**message, "event": "error", "msg": "symbol: invalid",
                                        "code": 10300})
        chan = next(self.chan_ids)
        self.chans[chan] = (ws, kind, symbol)
        await self.send(ws, {**message, "event": "subscribed", "chanId": chan,
                             "pair": symbol[1:]})
        first = {"book": lambda: [self.book_rows(symbol)], "ticker": lambda: [TICKER],
                 "trades": lambda: [TRADES]}[kind]()
        await self.send(ws, [chan, *first])

    def ticker_message(self, symbol):
        """One ticker update: the frame tail after the subscriber's channel id."""
        return [[TICKER]]

    def refusal(self, message, subs):
        return {**message, "event": "error", "msg": "Reached limit of open channels",
                "code": 10305}

    async def send(self, ws, message) -> None:
        if isinstance(message, list) and self.flags.get(ws, 0) & SEQ_ALL:
            self.seqs[ws] = self.seqs.get(ws, 0) + 1
            message = [*message, self.seqs[ws]]
        if not ws.closed:
            await ws.send_str(message if isinstance(message, str) else dumps(message))

    async def push(self, kind, symbol, tails, lost: bool = False) -> None:
        """Send each frame tail as `[chanId, *tail]` to every subscriber; `lost`: numbered
        (SEQ_ALL) but never received, as frames lost on the way."""
        for chan, (ws, k, s) in list(self.chans.items()):
            for tail in tails if (k, s) == (kind, symbol) and not self.faults.stall else ():
                if lost:
                    self.seqs[ws] = self.seqs.get(ws, 0) + 1
                else:
                    await self.send(ws, [chan, *tail])

    def checksum(self, symbol: str) -> int:
        """Signed CRC32 of "bid:amount:ask:-amount:…" over the top 25 levels (ws-checksum)."""
        bids, asks = self.books[symbol].decimals(25)
        parts = [js(x) for i in range(25) for side, sign in ((bids, 1), (asks, -1))
                 if i < len(side) for x in (side[i][0], sign * side[i][1])]
        crc = zlib.crc32(":".join(parts).encode())
        return crc - 2 ** 32 if crc >= 2 ** 31 else crc

    def book_message(self, symbol, changes):
        if changes is None:
            return [[self.book_rows(symbol)]]
        bids, asks = changes
        return ([[[D(p), int(D(a) > 0), D(a) or D(1)]] for p, a in bids]
                + [[[D(p), int(D(a) > 0), -D(a) or D(-1)]] for p, a in asks]
                + [["cs", self.checksum(symbol)]])

    async def publish_book(self, symbol: str, bids=(), asks=()) -> None:
        lost, self.faults.gap_next = self.faults.gap_next, False
        changes = (text_levels(bids), text_levels(asks))
        self.books[symbol].apply(*changes)
        await self.push("book", symbol, self.book_message(symbol, changes), lost=lost)


FAKE = FakeBitfinex
