"""A fake Bitstamp on the fake-server kit: HTTP API v2 paths and reply shapes as the API
reference (https://www.bitstamp.net/api/) and ccxt's recorded replies show them, X-Auth v2
checked as Bitstamp checks it, and websocket v2 (https://www.bitstamp.net/websocket/v2/):
bts:subscribe, live_trades, order_book (top 100) and diff_order_book frames by microtimestamp.
Errors are {"status": "error", "reason": …}; on order calls with HTTP 200 (their 200 reply
schema holds "status" and "reason"), on an authentication failure with 403."""
from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID, SYMBOL = "bitstamp", "BTC/USD"
CREDENTIALS = Credentials(api_key="bskey0123456789", secret="bssecret-abcdef-0123456789")
_SPOT = {"trading": "Enabled", "instant_and_market_orders": "Enabled", "market_type": "SPOT",
         "instant_order_counter_decimals": 2, "base_decimals": 8}
MARKETS = [
    {**_SPOT, "name": "BTC/USD", "market_symbol": "btcusd", "base_currency": "BTC",
     "counter_currency": "USD", "counter_decimals": 0, "minimum_order_value": "10"},
    {**_SPOT, "name": "ETH/EUR", "market_symbol": "etheur", "base_currency": "ETH",
     "counter_currency": "EUR", "counter_decimals": 1, "minimum_order_value": "10.0",
     "trading": "Disabled"},
    {**_SPOT, "name": "BTC/USD-PERP", "market_symbol": "btcusd-perp", "base_currency": "BTC",
     "base_decimals": 5, "counter_currency": "USD", "counter_decimals": 0,
     "minimum_order_value": "10", "minimum_order_amount": "0.00001000",
     "market_type": "PERPETUAL"}]
TICKERS = {   # btcusd: ccxt's recorded fetchTicker reply (ts/src/test/static/response)
    "btcusd": {"timestamp": "1710328241", "open": "71448", "high": "73656", "low": "68626",
               "last": "73285", "volume": "135.29692054", "vwap": "70853", "bid": "73353",
               "ask": "73367", "side": "0", "open_24": "72144", "percent_change_24": "1.58",
               "pair": "BTC/USD"},
    "etheur": {"timestamp": "1710328241", "open": "3500.1", "high": "3600.0", "low": "3400.0",
               "last": "3550.5", "volume": "10.5", "vwap": "3500.0", "bid": "3550.0",
               "ask": "3551.0", "side": "1", "open_24": "3490.0", "percent_change_24": "1.7",
               "pair": "ETH/EUR"}}
TRADES = [{"amount": "0.00055284", "date": "1710327533", "price": "73254", "tid": "326595342",
           "type": "0"},      # newest first
          {"amount": "0.1", "date": "1710327500", "price": "73200", "tid": "326595300",
           "type": "1"}]
NAMES = {"btcusd": "BTC/USD", "etheur": "ETH/EUR"}
KINDS = {"live_trades": "trades", "order_book": "ticker", "diff_order_book": "book"}
STATUS, TYPE = {"open": "Open", "filled": "Finished", "canceled": "Canceled"}, {"buy": "0",
                                                                                 "sell": "1"}
FORM = "application/x-www-form-urlencoded"


def _err(reason, code: str | None = None, status: int = 200):
    return json_response({"status": "error", "reason": reason, **({"code": code} if code else {})},
                         status=status)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _dt(ms: int, fraction: bool = True) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime(
        "%Y-%m-%d %H:%M:%S" + (".%f" if fraction else ""))


def _cid(o) -> dict:       # "Only returned if order was placed with client order id parameter."
    return {"client_order_id": o.cid} if o.cid else {}


class FakeBitstamp(KitVenue):
    ws_path = "/"
    snapshot_on_subscribe = False      # the diff channel's snapshot is GET order_book/

    def __init__(self) -> None:
        self.clock = lambda: time.time_ns() // 1_000_000   # server time, for the 150 s window
        self.used_nonces: set[str] = set()
        self.micro = 1710328241000000                      # live_trades microtimestamps
        self.books = {"btcusd": ServerBook({"73353": "0.5", "73350": "1.25"},
                                           {"73367": "0.4", "73370": "2"}, seq=self.micro),
                      "etheur": ServerBook({"3550.0": "1"}, {"3551.0": "1"}, seq=self.micro)}
        self.store = OrderStore({"btcusd": ("BTC", "USD"), "etheur": ("ETH", "EUR")},
                                {"USD": "100000", "BTC": "2", "EUR": "0", "ETH": "0"},
                                clock=lambda: self.clock(), first_id=1458532827766784)
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "").lower()

    def setup_routes(self) -> None:
        static = {"markets/": MARKETS, "ticker/": list(TICKERS.values()),
                  "transactions/{pair}/": TRADES}
        for path, payload in static.items():
            self.route("GET", "/api/v2/" + path, self.reply_with(payload))
        for path, handler in [("ticker/{pair}/", self.ticker), ("ohlc/{pair}/", self.ohlc),
                              ("order_book/{pair}/", self.order_book)]:
            self.route("GET", "/api/v2/" + path, handler)
        for path, handler in [("account_balances/", self.balances), ("buy/{pair}/", self.place),
                              ("sell/{pair}/", self.place), ("buy/market/{pair}/", self.place),
                              ("sell/market/{pair}/", self.place), ("cancel_order/", self.cancel),
                              ("order_status/", self.status), ("open_orders/all/", self.opened),
                              ("open_orders/{pair}/", self.opened),
                              ("user_transactions/", self.transactions),
                              ("user_transactions/{pair}/", self.transactions)]:
            self.route("POST", "/api/v2/" + path, self.signed(handler))
        self.add_ws()

    @staticmethod
    def reply_with(payload):
        async def handler(q):
            return json_response(payload)
        return handler

    def check_auth(self, q, body):
        """X-Auth v2: HMAC-SHA256 of "BITSTAMP key", method, host, path, query, content type
        (only with a body), nonce, timestamp, "v2" and body; nonce a UUID never reused,
        timestamp within 150 s of the venue's clock; no Content-Type without a body."""
        h, key, ctype = q.headers, CREDENTIALS.api_key, q.headers.get("Content-Type")
        nonce, ts = h.get("X-Auth-Nonce", ""), h.get("X-Auth-Timestamp", "")
        query = f"?{q.query_string}" if q.query_string else ""
        message = (f"BITSTAMP {key}{q.method}{q.host}{q.path}{query}{ctype if body else ''}"
                   f"{nonce}{ts}v2{body}")
        want = hmac.new(CREDENTIALS.secret.encode(), message.encode(), hashlib.sha256)
        for bad, reason, code in [
                (h.get("X-Auth") != f"BITSTAMP {key}", "API key not found", "API0001"),
                (h.get("X-Auth-Version") != "v2", "Invalid version", "API0010"),
                (body and ctype != FORM, "Content-Type header is not accepted", "API0019"),
                (not body and ctype, "Content-Type header should not be present", "API0020"),
                (not ts.isdigit() or abs(int(ts) - self.clock()) > 150_000,
                 "Timestamp is out of boundaries", "API0017"),
                (not hmac.compare_digest(want.hexdigest(), h.get("X-Auth-Signature", "").lower()),
                 "Invalid signature", "API0005"),
                (len(nonce) != 36 or nonce in self.used_nonces, "Invalid nonce", "API0004")]:
            if bad:
                return _err(reason, code, 403)
        self.used_nonces.add(nonce)
        return None

    # -- public ------------------------------------------------------------------------------
    async def ticker(self, q):
        return json_response({k: v for k, v in TICKERS[q.match_info["pair"]].items()
                              if k != "pair"})

    def top(self, pair: str, n: int | None = None) -> dict:
        book = self.books[pair]
        return {"timestamp": str(book.seq // 1_000_000), "microtimestamp": str(book.seq),
                "bids": book.top("bids", n), "asks": book.top("asks", n)}

    async def order_book(self, q):      # the whole book: Bitstamp takes no depth parameter
        return json_response(self.top(q.match_info["pair"]))

    async def ohlc(self, q):
        step, start = int(q.query["step"]), int(q.query.get("start", 1710320000))
        return json_response({"data": {"pair": "BTC/USD", "ohlc": [
            {"timestamp": str(start + i * step), "open": "73241", "high": "73293",
             "low": "73240", "close": str(73285 + i), "volume": "0.01076655"}
            for i in range(min(int(q.query["limit"]), 3))]}})

    # -- account -----------------------------------------------------------------------------
    async def balances(self, q, p):
        return json_response([{"currency": c.lower(), "total": str(f + u), "available": str(f),
                               "reserved": str(u)} for c, (f, u) in self.store.balances().items()])

    async def place(self, q, p):
        pair, side = q.match_info["pair"], q.path.split("/")[3]
        try:
            o = self.store.place(pair, side, "market" if "/market/" in q.path else "limit",
                                 p["amount"], p.get("price"), p.get("client_order_id"),
                                 book=self.books.get(pair))
        except Rejected as exc:       # the reasons the reference lists for the order calls
            base, quote = self.store.markets.get(pair, ("", ""))
            kind = "depth" if str(exc) == "not enough liquidity" else exc.kind
            book = self.books[pair].top("asks" if side == "buy" else "bids") if kind == "depth" \
                else ()
            return _err({"depth": f"Maximum market {side} amount at the moment is "
                                  f"{sum(Decimal(a) for _, a in book)} {base}. Please use limit "
                                  "order instead.",
                         "funds": {"__all__": [f"You have only {self.store.free.get(quote)} "
                                               f"{quote} available. Check your account balance "
                                               "for details."]},
                         "duplicate": "Provided client_order_id already exists.",
                         "symbol": "Invalid currency pair"}[kind])
        # The reference says only "price: Price."; this fake sends the best level's price, which
        # is not the average of a market order that takes several levels.
        price = o.price if o.price is not None else o.fills[0].price
        return json_response({"id": o.id, "market": NAMES[pair], "datetime": _dt(o.created),
                              "type": TYPE[side], "price": str(price), "amount": str(o.amount),
                              **_cid(o)})

    async def cancel(self, q, p):
        try:
            o = self.store.cancel(p.get("id"))
        except Rejected:
            return _err("Order not found")
        return json_response({"id": int(o.id), "amount": o.remaining, "price": o.price,
                              "type": int(TYPE[o.side]), "market": NAMES[o.symbol]})

    async def status(self, q, p):     # by id or client_order_id, in any state
        o = self.store.find(p.get("id"), p.get("client_order_id"))
        if o is None:
            return _err("Order not found.")
        base, quote = (c.lower() for c in self.store.markets[o.symbol])
        return json_response({
            "id": int(o.id), "datetime": _dt(o.created), "type": TYPE[o.side],
            "status": STATUS[o.status], "market": NAMES[o.symbol], "transactions": [
                {"tid": int(f.id), "price": str(f.price), base: str(f.amount),
                 quote: str(f.price * f.amount), "fee": str(f.fee), "datetime": _dt(f.time),
                 "type": 2} for f in o.fills], "amount_remaining": str(o.remaining), **_cid(o)})

    async def opened(self, q, p):
        return json_response([
            {"id": o.id, "datetime": _dt(o.created, fraction=False), "type": TYPE[o.side],
             "price": str(o.price), "amount": str(o.remaining), "amount_at_create": str(o.amount),
             "currency_pair": NAMES[o.symbol], "market": NAMES[o.symbol], **_cid(o)}
            for o in self.store.open(q.match_info.get("pair"))])

    async def transactions(self, q, p):
        """Deposits and fills, `sort` (default desc), `offset`, `limit` (default 100, max
        1000), `since_timestamp` (s). Rows as in the docs' example (/api/#tag/
        Transactions-private/operation/GetUserTransactions) and ccxt's recorded rows
        (ts/src/bitstamp.ts parseTrade): amounts by code, the base negative when sold."""
        pair, since = q.match_info.get("pair"), int(p.get("since_timestamp", 0)) * 1000
        rows = [{"id": 1, "datetime": _dt(0), "type": "0", "usd": "1000.0", "btc": "0.0",
                 "btc_usd": "0.00", "fee": "0.00000", "order_id": None}] * (not pair)
        for f in self.store.fills_of(pair):
            base, quote = (c.lower() for c in self.store.markets[f.symbol])
            sign = "" if f.side == "buy" else "-"
            rows.append({"id": int(f.id), "datetime": _dt(f.time), "type": "2",
                         base: sign + str(f.amount), quote: ("-" if not sign else "") +
                         str(f.price * f.amount), f"{base}_{quote}": str(f.price),
                         "fee": str(f.fee), "order_id": int(f.order_id)})
        rows = [r for r in rows if self._ms(r["datetime"]) >= since]
        rows.sort(key=lambda r: r["id"], reverse=p.get("sort", "desc") == "desc")
        at, n = int(p.get("offset", 0)), min(int(p.get("limit", 100)), 1000)
        return json_response(rows[at:at + n])

    @staticmethod
    def _ms(text):
        return (datetime.fromisoformat(text + "+00:00") - _EPOCH) // timedelta(milliseconds=1)

    # -- websocket ---------------------------------------------------------------------------
    async def on_ws_text(self, ws, message) -> None:
        if isinstance(message, dict) and message.get("event") == "bts:heartbeat":
            await self.send(ws, {"event": "bts:heartbeat", "channel": "",
                                 "data": {"status": "success"}})
        await super().on_ws_text(ws, message)

    def subscriptions(self, m):
        if not isinstance(m, dict) or m.get("event") not in ("bts:subscribe", "bts:unsubscribe"):
            return None
        name, _, pair = (m.get("data") or {}).get("channel", "").rpartition("_")
        return [Sub(KINDS.get(name, name), pair, m["event"] == "bts:subscribe")]

    async def acknowledge(self, ws, m, subs):
        on = m["event"] == "bts:subscribe"
        await self.send(ws, {"event": f"bts:{'' if on else 'un'}subscription_succeeded",
                             "channel": m["data"]["channel"], "data": {}})
        if on and subs[0].kind == "ticker":
            await self.send(ws, self.ticker_message(subs[0].symbol))

    def refusal(self, m, subs):
        # Not in the reference; the recorded bts:error is {"event": "bts:error", "channel": "",
        # "data": {"code": null, "message": …}}. That it names the refused channel is assumed.
        return {"event": "bts:error", "channel": m["data"]["channel"],
                "data": {"code": None, "message": "Bad subscription string."}}

    def book_message(self, pair, changes):
        book, (bids, asks) = self.books[pair], changes
        return {"event": "data", "channel": f"diff_order_book_{pair}", "data": {
            "timestamp": str(book.seq // 1_000_000), "microtimestamp": str(book.seq),
            "bids": [list(x) for x in bids], "asks": [list(x) for x in asks]}}

    def ticker_message(self, pair: str) -> dict:      # order_book_: the top 100 levels
        return {"event": "data", "channel": f"order_book_{pair}", "data": self.top(pair, 100)}

    def trade_message(self, pair: str, tid: int, price: str, amount: str, side: int) -> dict:
        self.micro += 1000
        return {"event": "trade", "channel": f"live_trades_{pair}", "data": {
            "id": tid, "timestamp": str(self.micro // 1_000_000), "amount": float(amount),
            "amount_str": amount, "price": float(price), "price_str": price, "type": side,
            "microtimestamp": str(self.micro), "buy_order_id": 1, "sell_order_id": 2}}

    async def push_full_book(self, pair: str = "btcusd") -> None:
        await self.push("ticker", pair, self.ticker_message(pair))

    async def push_trade(self, tid: int, price: str, amount: str, side: int) -> None:
        await self.push("trades", "btcusd", self.trade_message("btcusd", tid, price, amount, side))

    async def request_reconnect(self) -> None:
        for ws in list(self.ws_clients):
            await self.send(ws, {"event": "bts:request_reconnect", "channel": "", "data": ""})


FAKE = FakeBitstamp
