"""A fake Coinbase Advanced Trade: /api/v3/brokerage REST with JWT checks, and the market WS.

Shapes follow the official API reference examples. Every private request's ES256 JWT is
verified with the public half of the test key (alg, kid, nonce, sub, iss, uri, nbf/exp); a bad
one gets Coinbase's plain 401 "Unauthorized". The websocket numbers every frame of a connection
with `sequence_num` (all channels), as Coinbase does.
"""
from __future__ import annotations

import itertools
import json
import time
from decimal import Decimal

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import exchanges
from tests.fakes.base import FakeVenue, json_response

API = "/api/v3/brokerage"
KEY_NAME = "organizations/11111111-2222-3333-4444-555555555555/apiKeys/aaaa-bbbb-cccc"


def new_key_pair() -> tuple[str, ec.EllipticCurvePublicKey]:
    """A P-256 key in the form CDP issues it (SEC1 'EC PRIVATE KEY' PEM) and its public key."""
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM,
                            serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption()).decode()
    return pem, key.public_key()


PRIVATE_PEM, PUBLIC_KEY = new_key_pair()


def _product(pid, price, pct, vol, base_inc, price_inc, base_min, quote_min, status="online",
             product_type="SPOT", disabled=False):
    base, quote = pid.split("-")[:2]
    return {"product_id": pid, "price": price, "price_percentage_change_24h": pct,
            "volume_24h": vol, "volume_percentage_change_24h": "1.5",
            "base_increment": base_inc, "quote_increment": price_inc,
            "price_increment": price_inc, "quote_min_size": quote_min,
            "quote_max_size": "1000000", "base_min_size": base_min, "base_max_size": "3400",
            "base_name": base, "quote_name": quote, "watched": False, "is_disabled": disabled,
            "new": False, "status": status, "cancel_only": False, "limit_only": False,
            "post_only": False, "trading_disabled": disabled, "auction_mode": False,
            "product_type": product_type, "quote_currency_id": quote, "base_currency_id": base,
            "mid_market_price": "", "base_display_symbol": base, "quote_display_symbol": quote}


PRODUCTS = [
    _product("BTC-USD", "50000.01", "2.5", "12345.6789", "0.00000001", "0.01", "0.00000001",
             "1"),
    _product("ETH-USD", "3000.5", "-1.25", "99887.123", "0.00000001", "0.01", "0.00000001",
             "1"),
    _product("DOGE-USD", "0.08", "0", "1000", "0.1", "0.00001", "1", "1", status="delisted",
             disabled=True),
    _product("BIT-31JAN25-CDE", "100", "0", "10", "1", "5", "1", "0", product_type="FUTURE"),
]


class FakeCoinbase(FakeVenue):
    ws_path = "/"

    def __init__(self, public_key=PUBLIC_KEY, key_name: str = KEY_NAME) -> None:
        self.public_key = public_key
        self.key_name = key_name
        self.now = lambda: int(time.time())       # the venue's clock, seconds
        self.jwts: list[tuple[dict, dict]] = []  # (header, claims) of every accepted JWT
        self.balances = {"BTC": (Decimal("1.5"), Decimal("0.25")),
                         "USD": (Decimal("10000"), Decimal("0")),
                         "ETH": (Decimal("3"), Decimal("0"))}
        self.orders: dict[str, dict] = {}
        self.bodies: list[dict] = []            # decoded JSON bodies of POST requests
        self.fail_next: list[tuple[int, object]] = []   # (status, payload) for the next calls
        self.bids = {Decimal("49999.99"): Decimal("1.5"), Decimal("49999"): Decimal("2")}
        self.asks = {Decimal("50000.01"): Decimal("0.5"), Decimal("50001"): Decimal("3")}
        self.gap_next = False
        self._seq: dict[object, itertools.count] = {}
        self._subs: dict[object, set[tuple[str, str]]] = {}
        self._ids = itertools.count(1)
        super().__init__()

    # -- routes --------------------------------------------------------------------------------
    def setup_routes(self) -> None:
        r = self.route
        r("GET", f"{API}/time", self.server_time)
        r("GET", f"{API}/market/products", self.products)
        r("GET", f"{API}/market/products/{{pid}}", self.product)
        r("GET", f"{API}/market/product_book", self.product_book)
        r("GET", f"{API}/market/products/{{pid}}/candles", self.candles)
        r("GET", f"{API}/market/products/{{pid}}/ticker", self.ticker)
        r("GET", f"{API}/best_bid_ask", self.private(self.best_bid_ask))
        r("GET", f"{API}/accounts", self.private(self.accounts))
        r("POST", f"{API}/orders", self.private(self.create_order))
        r("POST", f"{API}/orders/batch_cancel", self.private(self.batch_cancel))
        r("GET", f"{API}/orders/historical/batch", self.private(self.list_orders))
        r("GET", f"{API}/orders/historical/{{order_id}}", self.private(self.get_order))
        self.add_ws()

    def private(self, handler):
        async def checked(request: web.Request):
            if not self.verify(request):
                return web.Response(status=401, text="Unauthorized\n")
            if self.fail_next:
                status, payload = self.fail_next.pop(0)
                return json_response(payload, status=status)
            return await handler(request)
        return checked

    def verify(self, request: web.Request) -> bool:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return False
        token = auth[len("Bearer "):]
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, self.public_key, algorithms=["ES256"],
                                options={"verify_exp": False, "verify_nbf": False})
        except jwt.PyJWTError:
            return False
        now = self.now()
        ok = (header.get("alg") == "ES256" and header.get("kid") == self.key_name
              and header.get("typ") == "JWT" and bool(header.get("nonce"))
              and claims.get("sub") == self.key_name and claims.get("iss") == "cdp"
              and claims.get("nbf", now + 1) <= now < claims.get("exp", 0)
              and claims["exp"] - claims["nbf"] <= 120
              and claims.get("uri") == f"{request.method} {request.host}{request.path}")
        if ok:
            self.jwts.append((header, claims))
        return ok

    # -- public --------------------------------------------------------------------------------
    async def server_time(self, request):
        # Get Server Time: strings, as in the API reference's ExtendedTimestamp schema.
        now = self.now()
        return json_response({"iso": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
                              "epochSeconds": str(now), "epochMillis": str(now * 1000)})

    async def products(self, request):
        ids = request.query.getall("product_ids", [])
        kind = request.query.get("product_type")
        items = [p for p in PRODUCTS if (not ids or p["product_id"] in ids)
                 and (not kind or p["product_type"] == kind)]
        return json_response({"products": items, "num_products": len(items)})

    async def product(self, request):
        p = next((p for p in PRODUCTS if p["product_id"] == request.match_info["pid"]), None)
        if p is None:
            return json_response({"error": "NOT_FOUND", "code": 5,
                                  "message": "ProductID not found", "details": []}, 404)
        return json_response(p)

    def _levels(self, limit=None):
        bids = sorted(self.bids.items(), reverse=True)[:limit]
        asks = sorted(self.asks.items())[:limit]
        return bids, asks

    async def product_book(self, request):
        limit = int(request.query["limit"]) if "limit" in request.query else None
        bids, asks = self._levels(limit)
        book = {"product_id": request.query["product_id"],
                "bids": [{"price": str(p), "size": str(s)} for p, s in bids],
                "asks": [{"price": str(p), "size": str(s)} for p, s in asks],
                "time": "2024-05-01T12:00:00.123456Z"}
        return json_response({"pricebook": book, "last": "50000", "mid_market": "50000",
                              "spread_bps": "0.4", "spread_absolute": "0.02"})

    async def candles(self, request):
        start, end = int(request.query["start"]), int(request.query["end"])
        step = {"ONE_MINUTE": 60, "ONE_HOUR": 3600, "ONE_DAY": 86400}[
            request.query["granularity"]]
        first = -(-start // step) * step
        rows = [{"start": str(t), "low": "49000.5", "high": "51000.25", "open": f"{49500 + t % 7 * 200}",
                 "close": "50000.75", "volume": "12.3456789"}
                for t in range(first, end + 1, step)][-350:]
        return json_response({"candles": list(reversed(rows))})      # newest first

    TRADES = [
        {"trade_id": "3003", "product_id": "BTC-USD", "price": "50000.02", "size": "0.003",
         "time": "2024-05-01T12:00:03.000300Z", "side": "SELL", "bid": "", "ask": ""},
        {"trade_id": "3002", "product_id": "BTC-USD", "price": "50000.01", "size": "0.002",
         "time": "2024-05-01T12:00:02.2Z", "side": "BUY", "bid": "", "ask": ""},
        {"trade_id": "3001", "product_id": "BTC-USD", "price": "49999.99", "size": "0.001",
         "time": "2024-05-01T12:00:01Z", "side": "BUY", "bid": "", "ask": ""},
    ]

    async def ticker(self, request):
        limit = int(request.query.get("limit", 100))
        return json_response({"trades": self.TRADES[:limit], "best_bid": "49999.99",
                              "best_ask": "50000.01"})

    # -- private -------------------------------------------------------------------------------
    async def best_bid_ask(self, request):
        books = [{"product_id": pid, "bids": [{"price": "49999.99", "size": "1.5"}],
                  "asks": [{"price": "50000.01", "size": "0.5"}],
                  "time": "2024-05-01T12:00:00Z"}
                 for pid in request.query.getall("product_ids", [])]
        return json_response({"pricebooks": books})

    async def accounts(self, request):
        limit = int(request.query.get("limit", 49))
        start = int(request.query.get("cursor", 0))
        rows = [{"uuid": f"acct-{cur}", "name": f"{cur} Wallet", "currency": cur,
                 "available_balance": {"value": str(free), "currency": cur},
                 "default": True, "active": True, "type": "ACCOUNT_TYPE_CRYPTO", "ready": True,
                 "hold": {"value": str(hold), "currency": cur}}
                for cur, (free, hold) in self.balances.items()]
        page = rows[start:start + limit]
        more = start + limit < len(rows)
        return json_response({"accounts": page, "has_next": more,
                              "cursor": str(start + limit) if more else "", "size": len(page)})

    @staticmethod
    def _failure(error: str, message: str, preview: str, body: dict) -> web.Response:
        return json_response({"success": False, "failure_reason": "UNKNOWN_FAILURE_REASON",
                              "order_id": "",
                              "error_response": {"error": error, "message": message,
                                                 "error_details": "",
                                                 "preview_failure_reason": preview},
                              "order_configuration": body.get("order_configuration")})

    async def create_order(self, request):
        body = json.loads(await request.text())
        self.bodies.append(body)
        cid = body["client_order_id"]
        existing = next((o for o in self.orders.values() if o["client_order_id"] == cid), None)
        if existing is None:
            if body["product_id"] not in {p["product_id"] for p in PRODUCTS}:
                return self._failure("UNKNOWN_FAILURE_REASON", "", "PREVIEW_INVALID_PRODUCT_ID",
                                     body)
            kind, conf = next(iter(body["order_configuration"].items()))
            size = Decimal(conf["base_size"])
            price = Decimal(conf.get("limit_price", "50000.01"))
            if body["side"] == "BUY" and size * price > self.balances["USD"][0]:
                return self._failure("INSUFFICIENT_FUND", "Insufficient balance in source "
                                     "account", "PREVIEW_INSUFFICIENT_FUND", body)
            market = kind.startswith("market")
            existing = {
                "order_id": f"0000-{next(self._ids):06d}", "product_id": body["product_id"],
                "user_id": "user-1", "order_configuration": body["order_configuration"],
                "side": body["side"], "client_order_id": cid,
                "status": "FILLED" if market else "OPEN",
                "time_in_force": "IMMEDIATE_OR_CANCEL" if market else "GOOD_UNTIL_CANCELLED",
                "created_time": "2024-05-01T12:00:00.5Z",
                "completion_percentage": "100" if market else "0",
                "filled_size": conf["base_size"] if market else "0",
                "average_filled_price": "50000.01" if market else "0",
                "number_of_fills": "1" if market else "0", "pending_cancel": False,
                "total_fees": "0.6" if market else "0",
                "order_type": "MARKET" if market else "LIMIT", "product_type": "SPOT"}
            self.orders[existing["order_id"]] = existing
        return json_response({"success": True, "success_response": {
            "order_id": existing["order_id"], "product_id": existing["product_id"],
            "side": existing["side"], "client_order_id": cid},
            "order_configuration": existing["order_configuration"]})

    async def batch_cancel(self, request):
        body = json.loads(await request.text())
        self.bodies.append(body)
        results = []
        for oid in body["order_ids"]:
            o = self.orders.get(oid)
            if o is None or o["status"] != "OPEN":
                results.append({"success": False, "failure_reason": "UNKNOWN_CANCEL_ORDER",
                                "order_id": oid})
            else:
                o["status"] = "CANCELLED"
                results.append({"success": True,
                                "failure_reason": "UNKNOWN_CANCEL_FAILURE_REASON",
                                "order_id": oid})
        return json_response({"results": results})

    async def list_orders(self, request):
        status = request.query.getall("order_status", [])
        pids = request.query.getall("product_ids", [])
        rows = [o for o in reversed(list(self.orders.values()))
                if (not status or o["status"] in status)
                and (not pids or o["product_id"] in pids)]
        return json_response({"orders": rows, "sequence": "0", "has_next": False, "cursor": ""})

    async def get_order(self, request):
        o = self.orders.get(request.match_info["order_id"])
        if o is None:
            return json_response({"error": "NOT_FOUND", "code": 5,
                                  "message": "order with this orderID was not found",
                                  "details": []}, 404)
        return json_response({"order": o})

    # -- websocket -----------------------------------------------------------------------------
    def _frame(self, ws, channel: str, events: list) -> str:
        counter = self._seq.setdefault(ws, itertools.count())
        seq = next(counter)
        if self.gap_next:
            self.gap_next = False
            seq = next(counter)          # one frame lost on the way
        return json.dumps({"channel": channel, "client_id": "",
                           "timestamp": "2024-05-01T12:00:05.123456789Z",
                           "sequence_num": seq, "events": events})

    async def send(self, ws, channel: str, events: list) -> None:
        if not ws.closed:
            await ws.send_str(self._frame(ws, channel, events))

    def _l2_levels(self, bids, asks):
        return ([{"side": "bid", "event_time": "2024-05-01T12:00:05Z", "price_level": str(p),
                  "new_quantity": str(q)} for p, q in bids]
                + [{"side": "offer", "event_time": "2024-05-01T12:00:05Z",
                    "price_level": str(p), "new_quantity": str(q)} for p, q in asks])

    async def on_ws_text(self, ws, message) -> None:
        if not isinstance(message, dict):
            return
        channel, kind = message.get("channel"), message.get("type")
        pids = message.get("product_ids", [])
        subs = self._subs.setdefault(ws, set())
        if kind == "unsubscribe":
            subs.difference_update((channel, p) for p in pids)
            return
        if kind != "subscribe":
            return
        subs.update((channel, p) for p in pids)
        await self.send(ws, "subscriptions", [{"subscriptions": {channel: pids}}])
        for pid in pids:
            if channel == "level2":
                bids, asks = self._levels()
                await self.send(ws, "l2_data", [{"type": "snapshot", "product_id": pid,
                                                 "updates": self._l2_levels(bids, asks)}])
            elif channel == "market_trades":
                await self.send(ws, "market_trades", [{"type": "snapshot",
                                                       "trades": self.TRADES[-1:]}])

    def _subscribers(self, channel: str, pid: str):
        return [ws for ws, subs in self._subs.items() if (channel, pid) in subs]

    async def push_l2(self, pid: str, bids=(), asks=()) -> None:
        """Change the server's book and send the update to every level2 subscriber."""
        for side, levels in ((self.bids, bids), (self.asks, asks)):
            for p, q in levels:
                if Decimal(q):
                    side[Decimal(p)] = Decimal(q)
                else:
                    side.pop(Decimal(p), None)
        update = [{"type": "update", "product_id": pid,
                   "updates": self._l2_levels([(Decimal(p), Decimal(q)) for p, q in bids],
                                              [(Decimal(p), Decimal(q)) for p, q in asks])}]
        for ws in self._subscribers("level2", pid):
            await self.send(ws, "l2_data", update)

    async def push_ticker(self, pid: str, **fields) -> None:
        ticker = {"type": "ticker", "product_id": pid, "price": "50100.5",
                  "volume_24_h": "16038.28770938", "low_24_h": "49000.1", "high_24_h": "51000.9",
                  "low_52_w": "15000", "high_52_w": "73000", "price_percent_chg_24_h": "2.5",
                  "best_bid": "50100.49", "best_bid_quantity": "0.5", "best_ask": "50100.51",
                  "best_ask_quantity": "0.7", **fields}
        for ws in self._subscribers("ticker", pid):
            await self.send(ws, "ticker", [{"type": "update", "tickers": [ticker]}])

    async def push_trades(self, pid: str, trades: list[dict]) -> None:
        for ws in self._subscribers("market_trades", pid):
            await self.send(ws, "market_trades", [{"type": "update", "trades": trades}])

    async def push_heartbeat(self) -> None:
        for ws in list(self._subs):
            await self.send(ws, "heartbeats", [{"current_time": "2024-05-01 12:00:05",
                                                "heartbeat_counter": 1}])


FAKE = FakeCoinbase
SYMBOL = "BTC/USD"
VENUE_ID = "coinbase"
CREDENTIALS = exchanges.Credentials(api_key=KEY_NAME, secret=PRIVATE_PEM)
