"""A fake Bitstamp (HTTP API v2 + websocket v2) with the venue's paths, shapes and auth check."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import time
from decimal import Decimal
from urllib.parse import parse_qsl

from aiohttp import web

from exchanges import Credentials
from tests.fakes.base import FakeVenue, json_response

VENUE_ID = "bitstamp"
SYMBOL = "BTC/USD"
CREDENTIALS = Credentials(api_key="bskey0123456789", secret="bssecret-abcdef-0123456789")

MARKETS = [
    {"name": "BTC/USD", "market_symbol": "btcusd", "base_currency": "BTC", "base_decimals": 8,
     "counter_currency": "USD", "counter_decimals": 0, "minimum_order_value": "10",
     "trading": "Enabled", "instant_order_counter_decimals": 2,
     "instant_and_market_orders": "Enabled", "description": "Bitcoin / U.S. dollar",
     "market_type": "SPOT"},
    {"name": "ETH/EUR", "market_symbol": "etheur", "base_currency": "ETH", "base_decimals": 8,
     "counter_currency": "EUR", "counter_decimals": 1, "minimum_order_value": "10.0",
     "trading": "Disabled", "instant_order_counter_decimals": 2,
     "instant_and_market_orders": "Enabled", "description": "Ether / Euro",
     "market_type": "SPOT"},
    {"name": "BTC/USD-PERP", "market_symbol": "btcusd-perp", "base_currency": "BTC",
     "base_decimals": 5, "counter_currency": "USD", "counter_decimals": 0,
     "minimum_order_value": "10", "minimum_order_amount": "0.00001000",
     "trading": "Enabled", "description": "Bitcoin / U.S. dollar Perpetual",
     "market_type": "PERPETUAL"},
]
TICKERS = {
    "btcusd": {"timestamp": "1710328241", "open": "71448", "high": "73656", "low": "68626",
               "last": "73285", "volume": "135.29692054", "vwap": "70853", "bid": "73353",
               "ask": "73367", "side": "0", "open_24": "72144", "percent_change_24": "1.58",
               "pair": "BTC/USD"},
    "etheur": {"timestamp": "1710328241", "open": "3500.1", "high": "3600.0", "low": "3400.0",
               "last": "3550.5", "volume": "10.5", "vwap": "3500.0", "bid": "3550.0",
               "ask": "3551.0", "side": "1", "open_24": "3490.0", "percent_change_24": "1.7",
               "pair": "ETH/EUR"},
}


def _err(reason, code: str | None = None, status: int = 400) -> web.Response:
    body = {"status": "error", "reason": reason}
    if code:
        body["code"] = code
    return json_response(body, status=status)


class FakeBitstamp(FakeVenue):
    ws_path = "/"

    def __init__(self) -> None:
        super().__init__()
        self.credentials = CREDENTIALS
        self.clock = lambda: time.time_ns() // 1_000_000   # server time, for the 150 s window
        self.used_nonces: set[str] = set()
        self.orders: dict[str, dict] = {}
        self.ids = itertools.count(1458532827766784)
        self.balances = {"usd": [Decimal("100000"), Decimal(0)], "btc": [Decimal("2"), Decimal(0)]}
        self.micro = 1710328241000000
        self.bids = {Decimal("73353"): Decimal("0.5"), Decimal("73350"): Decimal("1.25")}
        self.asks = {Decimal("73367"): Decimal("0.4"), Decimal("73370"): Decimal("2")}
        self.channels: dict[web.WebSocketResponse, set[str]] = {}
        self.add_ws()

    # -- routes ------------------------------------------------------------------------------
    def setup_routes(self) -> None:
        r = self.route
        r("GET", "/api/v2/markets/", self.markets)
        r("GET", "/api/v2/ticker/", self.tickers)
        r("GET", "/api/v2/ticker/{pair}/", self.ticker)
        r("GET", "/api/v2/order_book/{pair}/", self.order_book)
        r("GET", "/api/v2/ohlc/{pair}/", self.ohlc)
        r("GET", "/api/v2/transactions/{pair}/", self.transactions)
        for path, handler in [("account_balances/", self.account_balances),
                              ("buy/{pair}/", self.limit), ("sell/{pair}/", self.limit),
                              ("buy/market/{pair}/", self.market),
                              ("sell/market/{pair}/", self.market),
                              ("cancel_order/", self.cancel), ("order_status/", self.status),
                              ("open_orders/all/", self.open_orders),
                              ("open_orders/{pair}/", self.open_orders)]:
            r("POST", "/api/v2/" + path, self.private(handler))

    async def markets(self, q):
        return json_response(MARKETS)

    async def tickers(self, q):
        return json_response(list(TICKERS.values()))

    async def ticker(self, q):
        t = TICKERS.get(q.match_info["pair"])
        return json_response(t) if t else web.Response(status=404, text="<h1>Not found</h1>")

    def book_json(self) -> dict:
        return {"timestamp": str(self.micro // 1_000_000), "microtimestamp": str(self.micro),
                "bids": [[str(p), str(a)] for p, a in sorted(self.bids.items(), reverse=True)],
                "asks": [[str(p), str(a)] for p, a in sorted(self.asks.items())]}

    async def order_book(self, q):
        return json_response(self.book_json())

    async def ohlc(self, q):
        step, limit = int(q.query["step"]), int(q.query["limit"])
        start = int(q.query.get("start", 1710320000))
        rows = [{"timestamp": str(start + i * step), "open": "73241", "high": "73293",
                 "low": "73240", "close": str(73285 + i), "volume": "0.01076655"}
                for i in range(min(limit, 3))]
        return json_response({"data": {"pair": "BTC/USD", "ohlc": rows}})

    async def transactions(self, q):
        return json_response([
            {"amount": "0.00055284", "date": "1710327533", "price": "73254", "tid": "326595342",
             "type": "0"},
            {"amount": "0.1", "date": "1710327500", "price": "73200", "tid": "326595300",
             "type": "1"}])

    # -- auth, exactly as Bitstamp checks it -------------------------------------------------
    def private(self, handler):
        async def checked(q: web.Request):
            h = q.headers
            body = await q.text()
            key = self.credentials.api_key
            if h.get("X-Auth") != f"BITSTAMP {key}":
                return _err("API key not found", "API0001", 403)
            if h.get("X-Auth-Version") != "v2":
                return _err("Invalid version", "API0010", 403)
            if body and h.get("Content-Type") != "application/x-www-form-urlencoded":
                return _err("Content-Type header is not accepted", "API0019", 403)
            if not body and "Content-Type" in h:
                return _err("Content-Type header should not be present", "API0020", 403)
            nonce, ts = h.get("X-Auth-Nonce", ""), h.get("X-Auth-Timestamp", "")
            if not ts.isdigit() or abs(int(ts) - self.clock()) > 150_000:
                return _err("Timestamp is out of boundaries", "API0017", 403)
            query = f"?{q.query_string}" if q.query_string else ""
            message = (f"BITSTAMP {key}{q.method}{q.host}{q.path}{query}"
                       f"{h.get('Content-Type', '') if body else ''}{nonce}{ts}v2{body}")
            expected = hmac.new(self.credentials.secret.encode(), message.encode(),
                                hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, h.get("X-Auth-Signature", "").lower()):
                return _err("Invalid signature", "API0005", 403)
            if len(nonce) != 36 or nonce in self.used_nonces:
                return _err("Invalid nonce", "API0004", 403)
            self.used_nonces.add(nonce)
            return await handler(q, dict(parse_qsl(body)))
        return checked

    # -- account state -----------------------------------------------------------------------
    async def account_balances(self, q, form):
        return json_response([{"currency": c, "total": str(f + u), "available": str(f),
                               "reserved": str(u)} for c, (f, u) in self.balances.items()])

    def _new_order(self, q, form, type_: str, price: Decimal) -> dict | web.Response:
        pair = q.match_info["pair"]
        if pair not in ("btcusd", "etheur"):
            return _err("Invalid currency pair", status=404)
        amount = Decimal(form["amount"])
        side = "buy" if q.path.startswith("/api/v2/buy/") else "sell"
        if side == "buy" and amount * price > self.balances["usd"][0]:
            return _err({"__all__": [f"You have only {self.balances['usd'][0]} USD available. "
                                     "Check your account balance for details."]})
        order = {"id": str(next(self.ids)), "client_order_id": form.get("client_order_id", ""),
                 "pair": pair, "side": side, "type": type_, "price": price, "amount": amount,
                 "remaining": amount if type_ == "limit" else Decimal(0),
                 "status": "Open" if type_ == "limit" else "Finished",
                 "datetime": "2024-03-13 11:10:41.123456"}
        self.orders[order["id"]] = order
        return order

    def _reply(self, o: dict) -> web.Response:
        return json_response({"id": o["id"], "market": "BTC/USD", "datetime": o["datetime"],
                              "type": "0" if o["side"] == "buy" else "1",
                              "price": str(o["price"]), "amount": str(o["amount"]),
                              "client_order_id": o["client_order_id"]})

    async def limit(self, q, form):
        o = self._new_order(q, form, "limit", Decimal(form["price"]))
        return o if isinstance(o, web.Response) else self._reply(o)

    async def market(self, q, form):
        o = self._new_order(q, form, "market", Decimal("73367"))
        return o if isinstance(o, web.Response) else self._reply(o)

    async def cancel(self, q, form):
        o = self.orders.get(form.get("id", ""))
        if o is None or o["status"] != "Open":
            return _err("Order not found.")
        o["status"] = "Canceled"
        return json_response({"id": int(o["id"]), "amount": str(o["remaining"]),
                              "price": str(o["price"]), "type": 0 if o["side"] == "buy" else 1,
                              "market": "BTC/USD"})

    async def status(self, q, form):
        cid = form.get("client_order_id")
        found = [o for o in self.orders.values()
                 if (cid and o["client_order_id"] == cid) or o["id"] == form.get("id")]
        if not found:
            return _err("Order not found.")
        o = found[0]
        fills = o["amount"] - o["remaining"]
        txs = [{"fee": "0.1", "price": str(o["price"]), "datetime": o["datetime"],
                "usd": str(fills * o["price"]), "tid": 209895701, "btc": str(fills),
                "type": 2}] if fills else []
        return json_response({"id": int(o["id"]), "datetime": o["datetime"],
                              "type": "0" if o["side"] == "buy" else "1", "status": o["status"],
                              "market": "BTC/USD", "transactions": txs,
                              "amount_remaining": str(o["remaining"]),
                              "client_order_id": o["client_order_id"]})

    async def open_orders(self, q, form):
        pair = q.match_info.get("pair")
        return json_response([
            {"id": o["id"], "datetime": o["datetime"][:19],
             "type": "0" if o["side"] == "buy" else "1", "price": str(o["price"]),
             "amount": str(o["remaining"]), "amount_at_create": str(o["amount"]),
             "currency_pair": "BTC/USD", "market": "BTC/USD",
             "client_order_id": o["client_order_id"]}
            for o in self.orders.values() if o["status"] == "Open" and pair in (None, o["pair"])])

    # -- websocket ---------------------------------------------------------------------------
    async def on_ws_text(self, ws, message) -> None:
        if not isinstance(message, dict):
            return
        event, channel = message.get("event"), (message.get("data") or {}).get("channel", "")
        if event == "bts:heartbeat":
            await ws.send_json({"event": "bts:heartbeat", "channel": "",
                                "data": {"status": "success"}})
        elif event == "bts:subscribe":
            self.channels.setdefault(ws, set()).add(channel)
            await ws.send_json({"event": "bts:subscription_succeeded", "channel": channel,
                                "data": {}})
            if channel.startswith("order_book_"):
                await self.push_full_book()
        elif event == "bts:unsubscribe":
            self.channels.get(ws, set()).discard(channel)
            await ws.send_json({"event": "bts:unsubscription_succeeded", "channel": channel,
                                "data": {}})

    def subscribed(self, channel: str) -> bool:
        return any(channel in chans for ws, chans in self.channels.items() if not ws.closed)

    async def send(self, channel: str, event: str, data) -> None:
        for ws, chans in list(self.channels.items()):
            if channel in chans and not ws.closed:
                await ws.send_json({"data": data, "channel": channel, "event": event})

    async def push_full_book(self) -> None:
        await self.send("order_book_btcusd", "data", self.book_json())

    async def push_trade(self, tid: int, price: str, amount: str, side: int) -> None:
        self.micro += 1000
        await self.send("live_trades_btcusd", "trade", {
            "id": tid, "timestamp": str(self.micro // 1_000_000), "amount": float(amount),
            "amount_str": amount, "price": float(price), "price_str": price, "type": side,
            "microtimestamp": str(self.micro), "buy_order_id": 1, "sell_order_id": 2})

    def change(self, bids=(), asks=()) -> dict:
        """Change the server's book (absolute amounts, 0 deletes); returns the diff frame."""
        self.micro += 1000
        for side, rows in ((self.bids, bids), (self.asks, asks)):
            for p, a in rows:
                if Decimal(a):
                    side[Decimal(p)] = Decimal(a)
                else:
                    side.pop(Decimal(p), None)
        return {"timestamp": str(self.micro // 1_000_000), "microtimestamp": str(self.micro),
                "bids": [[p, a] for p, a in bids], "asks": [[p, a] for p, a in asks]}

    async def push_diff(self, bids=(), asks=()) -> None:
        await self.send("diff_order_book_btcusd", "data", self.change(bids, asks))

    async def request_reconnect(self) -> None:
        for ws in list(self.ws_clients):
            await ws.send_json({"event": "bts:request_reconnect", "channel": "", "data": ""})


FAKE = FakeBitstamp
