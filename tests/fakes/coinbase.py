"""A fake Coinbase Advanced Trade on the fake-server kit: /api/v3/brokerage paths and reply shapes
from the API reference and recorded replies (list_products as nautilus_trader recorded it in
crates/adapters/coinbase/test_data/http_products.json: BTC-USDC with alias BTC-USD on BTC-USD's
book; market trades carrying the maker's side, test_data/http_ticker.json). Every private request's
CDP JWT is verified with the public half of the key, ES256 or EdDSA as the official SDK signs
them; a bad one gets Coinbase's plain 401. The websocket numbers every frame of a connection with
`sequence_num` across all channels; a subscription to BTC-USDC streams BTC-USD's data."""
from __future__ import annotations

import itertools
import time
from decimal import Decimal

import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

import exchanges

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

API = "/api/v3/brokerage"
KEY_NAME = "organizations/11111111-2222-3333-4444-555555555555/apiKeys/aaaa-bbbb-cccc"
T0 = 1_714_564_800_500                      # the venue's order clock: 2024-05-01T12:00:00.5Z
GRANULARITIES = {"ONE_MINUTE": 60, "FIVE_MINUTE": 300, "FIFTEEN_MINUTE": 900,
                 "THIRTY_MINUTE": 1800, "ONE_HOUR": 3600, "TWO_HOUR": 7200, "SIX_HOUR": 21600,
                 "ONE_DAY": 86400}
KINDS = {"level2": "book", "ticker": "ticker", "market_trades": "trades"}
STATUS = {"open": "OPEN", "filled": "FILLED", "canceled": "CANCELLED"}


def new_key_pair() -> tuple[str, ec.EllipticCurvePublicKey]:
    """A P-256 key in the form CDP issues it (SEC1 'EC PRIVATE KEY' PEM) and its public key."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode(), key.public_key()


PRIVATE_PEM, PUBLIC_KEY = new_key_pair()


def _product(pid, price, pct, vol, inc="0.01", base_min="0.00000001", quote_min="1",
             alias="", alias_to=(), status="online", kind="SPOT", off=False):
    base, quote = pid.split("-")[:2]
    return {"product_id": pid, "price": price, "price_percentage_change_24h": pct,
            "volume_24h": vol, "volume_percentage_change_24h": "164.92748862719962",
            "base_increment": "0.00000001" if inc == "0.01" else "0.1", "quote_increment": inc,
            "quote_min_size": quote_min, "quote_max_size": "150000000", "base_min_size": base_min,
            "base_max_size": "3400", "base_name": base, "quote_name": quote, "watched": False,
            "is_disabled": off, "new": False, "status": status, "cancel_only": False,
            "limit_only": False, "post_only": False, "trading_disabled": off,
            "auction_mode": False, "product_type": kind, "quote_currency_id": quote,
            "base_currency_id": base, "fcm_trading_session_details": None,
            "mid_market_price": "", "alias": alias, "alias_to": list(alias_to),
            "base_display_symbol": base, "quote_display_symbol": alias[-3:] if alias else quote,
            "view_only": False, "price_increment": inc, "display_name": pid,
            "product_venue": "CBE", "approximate_quote_24h_volume": "758532193.02"}


PRODUCTS = [
    _product("BTC-USD", "50000.01", "2.5", "12345.6789", alias_to=["BTC-USDC"]),
    _product("BTC-USDC", "50000.01", "2.5", "12345.6789", alias="BTC-USD"),
    _product("ETH-USD", "3000.5", "-1.25", "99887.123"),
    _product("DOGE-USD", "0.08", "0", "1000", "0.00001", "1", status="delisted", off=True),
    _product("BIT-31JAN25-CDE", "100", "0", "10", kind="FUTURE")]
BOOK_OF = {p["product_id"]: p["alias"] or p["product_id"] for p in PRODUCTS}
# Market trades newest first, each with the MAKER's side (a "SELL" print is a taker buying).
TRADES = [{"trade_id": str(3000 + i), "product_id": "BTC-USD", "price": p, "size": s, "time": t,
           "side": side, "bid": "", "ask": "", "exchange": "coinbase"} for i, p, s, t, side in (
    (3, "50000.02", "0.003", "2024-05-01T12:00:03.000300Z", "BUY"),
    (2, "50000.01", "0.002", "2024-05-01T12:00:02.2Z", "SELL"),
    (1, "49999.99", "0.001", "2024-05-01T12:00:01Z", "SELL"))]


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


class FakeCoinbase(KitVenue):
    ws_path = "/"

    def __init__(self, public_key=PUBLIC_KEY, key_name: str = KEY_NAME) -> None:
        self.public_key, self.key_name = public_key, key_name
        self.now = lambda: int(time.time())       # the venue's clock, seconds
        self.jwts: list[tuple[dict, dict]] = []   # (header, claims) of every accepted JWT
        book = ServerBook({"49999.99": "1.5", "49999": "2"}, {"50000.01": "0.5", "50001": "3"})
        self.books = {"BTC-USD": book, "BTC-USDC": book,
                      "ETH-USD": ServerBook.around("3000.5", "0.01", 5)}
        self.store = OrderStore({p["product_id"]: tuple(p["product_id"].split("-")[:2])
                                 for p in PRODUCTS if p["product_type"] == "SPOT"},
                                {"BTC": "1.5", "USD": "10000", "USDC": "10000", "ETH": "3"},
                                clock=lambda: T0, make_id=lambda n: f"0000-000000-{n:06d}")
        self.store.used["BTC"] = Decimal("0.25")
        self._seq: dict[object, itertools.count] = {}
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "-")

    def setup_routes(self) -> None:
        r, s = self.route, self.signed
        r("GET", f"{API}/time", self.server_time)
        r("GET", f"{API}/market/products", self.products)
        r("GET", f"{API}/market/products/{{pid}}", self.product)
        r("GET", f"{API}/market/product_book", self.product_book)
        r("GET", f"{API}/market/products/{{pid}}/candles", self.candles)
        r("GET", f"{API}/market/products/{{pid}}/ticker", self.ticker)
        r("GET", f"{API}/best_bid_ask", s(self.best_bid_ask))
        r("GET", f"{API}/accounts", s(self.accounts))
        r("POST", f"{API}/orders", s(self.create_order))
        r("POST", f"{API}/orders/batch_cancel", s(self.batch_cancel))
        r("GET", f"{API}/orders/historical/batch", s(self.list_orders))
        r("GET", f"{API}/orders/historical/fills", s(self.list_fills))
        r("GET", f"{API}/orders/historical/{{order_id}}", s(self.get_order))
        self.add_ws()

    def check_auth(self, request, body):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        alg = "EdDSA" if isinstance(self.public_key, ed25519.Ed25519PublicKey) else "ES256"
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, self.public_key, algorithms=[alg],
                                options={"verify_exp": False, "verify_nbf": False})
        except jwt.PyJWTError:
            return self.unauthorized()
        now = self.now()
        if not (header.get("kid") == self.key_name and header.get("nonce")
                and claims.get("sub") == self.key_name and claims.get("iss") == "cdp"
                and claims.get("nbf", now + 1) <= now < claims.get("exp", 0)
                and claims["exp"] - claims["nbf"] <= 120
                and claims.get("uri") == f"{request.method} {request.host}{request.path}"):
            return self.unauthorized()
        self.jwts.append((header, claims))
        return None

    @staticmethod
    def unauthorized():
        return web.Response(status=401, text="Unauthorized\n")

    @staticmethod
    def error(code: str, grpc: int, message: str, status: int):
        return json_response({"error": code, "code": grpc, "message": message, "details": []},
                             status)

    # -- public ------------------------------------------------------------------------------
    async def server_time(self, request):
        now = self.now()     # strings, as in the reference's ExtendedTimestamp schema
        return json_response({"iso": _iso(now * 1000)[:19] + "Z", "epochSeconds": str(now),
                              "epochMillis": str(now * 1000)})

    async def products(self, request):
        ids, kind = request.query.getall("product_ids", []), request.query.get("product_type")
        rows = [p for p in PRODUCTS if (not ids or p["product_id"] in ids)
                and kind in (None, p["product_type"])]
        return json_response({"products": rows, "num_products": len(rows), "pagination": None})

    async def product(self, request):
        p = next((p for p in PRODUCTS if p["product_id"] == request.match_info["pid"]), None)
        return json_response(p) if p else self.error("NOT_FOUND", 5, "ProductID not found", 404)

    def _levels(self, pid, side, n=None):
        return [{"price": p, "size": a} for p, a in self.books[pid].top(side, n)]

    async def product_book(self, request):
        pid, n = request.query["product_id"], int(request.query.get("limit", 0)) or None
        book = {"product_id": pid, "bids": self._levels(pid, "bids", n),
                "asks": self._levels(pid, "asks", n), "time": "2024-05-01T12:00:00.123456Z"}
        return json_response({"pricebook": book, "last": "50000", "mid_market": "50000",
                              "spread_bps": "0.4", "spread_absolute": "0.02"})

    async def candles(self, request):
        q = request.query
        step = GRANULARITIES.get(q["granularity"])
        if step is None:
            return self.error("INVALID_ARGUMENT", 3, f"invalid granularity {q['granularity']}",
                              400)
        start, end = int(q["start"]), int(q["end"])
        rows = [{"start": str(t), "low": "49000.5", "high": "51000.25",
                 "open": f"{49500 + t % 7 * 200}", "close": "50000.75", "volume": "12.3456789"}
                for t in range(-(-start // step) * step, end + 1, step)][-350:]
        return json_response({"candles": rows[::-1]})          # newest first

    async def ticker(self, request):
        trades = TRADES[:int(request.query.get("limit", 100))]
        return json_response({"trades": trades, "best_bid": "49999.99", "best_ask": "50000.01"})

    # -- private -----------------------------------------------------------------------------
    async def best_bid_ask(self, request, p):
        return json_response({"pricebooks": [
            {"product_id": pid, "bids": self._levels(pid, "bids", 1),
             "asks": self._levels(pid, "asks", 1), "time": "2024-05-01T12:00:00Z"}
            for pid in request.query.getall("product_ids", [])]})

    @staticmethod
    def page(rows: list, p: dict, key: str, default: int, **extra):
        """One page of `rows`; `cursor` (opaque to the client) names where the next starts."""
        start, n = int(p.get("cursor") or 0), int(p.get("limit") or default)
        more = start + n < len(rows)
        return json_response({key: rows[start:start + n], **extra, "has_next": more,
                              "cursor": str(start + n) if more else ""})

    async def accounts(self, request, p):
        rows = [{"uuid": f"acct-{c}", "name": f"{c} Wallet", "currency": c,
                 "available_balance": {"value": str(free), "currency": c}, "default": True,
                 "active": True, "type": "ACCOUNT_TYPE_CRYPTO", "ready": True,
                 "hold": {"value": str(used), "currency": c}}
                for c, (free, used) in self.store.balances().items()]
        return self.page(rows, p, "accounts", 49)       # 49 a page unless `limit` says

    def order_row(self, o) -> dict:
        return {"order_id": o.id, "product_id": o.symbol, "user_id": "user-1",
                "order_configuration": o.options.get("config") or {"limit_limit_gtc": {
                    "base_size": str(o.amount), "limit_price": str(o.price), "post_only": False}},
                "side": o.side.upper(),
                "client_order_id": o.cid, "status": STATUS[o.status],
                "time_in_force": "IMMEDIATE_OR_CANCEL" if o.type == "market"
                else "GOOD_UNTIL_CANCELLED", "created_time": _iso(o.created),
                "completion_percentage": str(o.filled * 100 / o.amount),
                "filled_size": str(o.filled), "average_filled_price": str(o.average or 0),
                "number_of_fills": str(len(o.fills)), "filled_value": str(o.cost),
                "pending_cancel": False, "total_fees": str(o.fee),
                "order_type": o.type.upper(), "product_type": "SPOT"}

    async def create_order(self, request, p):
        kind, conf = next(iter(p["order_configuration"].items()))
        o = self.store.find(cid=p["client_order_id"])     # the same client id: the same order
        try:
            o = o or self.store.place(p["product_id"], p["side"].lower(), kind.split("_")[0],
                                      conf["base_size"], conf.get("limit_price"),
                                      p["client_order_id"], book=self.books.get(p["product_id"]),
                                      config=p["order_configuration"])
        except Rejected as exc:
            error, why = {"funds": ("INSUFFICIENT_FUND", "Insufficient balance in source "
                          "account")}.get(exc.kind, ("UNKNOWN_FAILURE_REASON", ""))
            return json_response({"success": False, "failure_reason": "UNKNOWN_FAILURE_REASON",
                                  "order_id": "", "error_response": {
                                      "error": error, "message": why, "error_details": "",
                                      "preview_failure_reason": "PREVIEW_" + (
                                          "INVALID_PRODUCT_ID" if exc.kind == "symbol" else error)},
                                  "order_configuration": p["order_configuration"]})
        return json_response({"success": True, "success_response": {
            "order_id": o.id, "product_id": o.symbol, "side": o.side.upper(),
            "client_order_id": o.cid}, "order_configuration": p["order_configuration"]})

    async def batch_cancel(self, request, p):
        results = []
        for oid in p["order_ids"]:
            try:
                self.store.cancel(oid)
                results.append({"success": True, "failure_reason":
                                "UNKNOWN_CANCEL_FAILURE_REASON", "order_id": oid})
            except Rejected:
                results.append({"success": False, "failure_reason": "UNKNOWN_CANCEL_ORDER",
                                "order_id": oid})
        return json_response({"results": results})

    async def list_orders(self, request, p):
        status, pids = request.query.getall("order_status", []), request.query.getall(
            "product_ids", [])
        rows = [self.order_row(o) for o in reversed(self.store.orders.values())
                if (not status or STATUS[o.status] in status) and (not pids or o.symbol in pids)]
        return self.page(rows, p, "orders", 100, sequence="0")   # newest first

    async def get_order(self, request, p):
        o = self.store.find(request.match_info["order_id"])
        return json_response({"order": self.order_row(o)}) if o else self.error(
            "NOT_FOUND", 5, "order with this orderID was not found", 404)

    async def list_fills(self, request, p):
        """Newest first, 100 a page unless `limit`, `cursor` "" at the end; rows as in the
        docs' List Fills response example (api-reference/advanced-trade-api/rest-api/orders/
        list-fills) and ccxt's recorded fetchMyTrades row (ts/src/coinbase.ts parseTrade)."""
        pids, start = request.query.getall("product_ids", []), p.get("start_sequence_timestamp")
        rows = [f for f in reversed(self.store.fills_of()) if (not pids or f.symbol in pids)
                and (start is None or _iso(f.time) >= start)]
        at, n = int(p.get("cursor") or 0), int(p.get("limit") or 100)
        more = at + n < len(rows)
        return json_response({"fills": [{
            "entry_id": f"e{f.id}", "trade_id": f"t-{f.id}", "order_id": f.order_id,
            "trade_time": _iso(f.time), "trade_type": "FILL", "price": str(f.price),
            "size": str(f.amount), "commission": str(f.fee), "product_id": f.symbol,
            "sequence_timestamp": _iso(f.time), "liquidity_indicator": "TAKER" if f.taker
            else "MAKER", "size_in_quote": False, "user_id": "3333-333333-3333333",
            "side": f.side.upper()} for f in rows[at:at + n]],
            "cursor": str(at + n) if more else ""})

    # -- websocket ---------------------------------------------------------------------------
    async def send(self, ws, message) -> None:
        if isinstance(message, dict) and "channel" in message:   # one numbering, all channels
            message = {**message, "sequence_num": next(self._seq.setdefault(ws, itertools.count()))}
        await super().send(ws, message)

    def frame(self, channel: str, events: list) -> dict:
        return {"channel": channel, "client_id": "", "timestamp": "2024-05-01T12:00:05.123456789Z",
                "events": events}

    def subscriptions(self, message):
        if not isinstance(message, dict) or message.get("type") not in ("subscribe",
                                                                       "unsubscribe"):
            return None
        on, kind = message["type"] == "subscribe", KINDS.get(message.get("channel"))
        return [Sub(kind, BOOK_OF.get(pid, pid), on) for pid in message.get("product_ids", [])
                if kind]

    async def acknowledge(self, ws, message, subs):
        await self.send(ws, self.frame("subscriptions", [
            {"subscriptions": {message["channel"]: message.get("product_ids", [])}}]))
        for sub in subs:
            if sub.kind == "trades" and sub.on:       # recent history first, as a snapshot
                await self.send(ws, self.frame("market_trades", [{"type": "snapshot",
                                                                  "trades": TRADES[:1]}]))

    def refusal(self, message, subs):
        return {"type": "error", "message": "Failed to subscribe",
                "reason": f"{subs[0].symbol} is not a valid product"}

    def book_message(self, symbol, changes):
        book = self.books[symbol]
        bids, asks = changes or (book.top("bids"), book.top("asks"))
        return self.frame("l2_data", [{
            "type": "update" if changes else "snapshot", "product_id": symbol, "updates": [
                {"side": side, "event_time": "2024-05-01T12:00:05Z", "price_level": p,
                 "new_quantity": a} for side, levels in (("bid", bids), ("offer", asks))
                for p, a in levels]}])

    async def publish_book(self, symbol, bids=(), asks=()):
        if self.faults.gap_next:        # the frame is lost on the way: its number is skipped
            for ws in self.subscribers.get(("book", symbol), ()):
                next(self._seq.setdefault(ws, itertools.count()))
        await super().publish_book(symbol, bids, asks)

    def ticker_message(self, symbol, **fields):
        return self.frame("ticker", [{"type": "update", "tickers": [{
            "type": "ticker", "product_id": symbol, "price": "50100.5",
            "volume_24_h": "16038.28770938", "low_24_h": "49000.1", "high_24_h": "51000.9",
            "low_52_w": "15000", "high_52_w": "73000", "price_percent_chg_24_h": "2.5",
            "best_bid": "50100.49", "best_bid_quantity": "0.5", "best_ask": "50100.51",
            "best_ask_quantity": "0.7", **fields}]}])

    def trade_message(self, symbol, trades: list[dict]):
        return self.frame("market_trades", [{"type": "update", "trades": trades}])

    async def heartbeat(self) -> None:
        lost, self.faults.gap_next = self.faults.gap_next, False
        for ws in list(self.ws_clients):
            if lost:                     # the frame before this one never arrived
                next(self._seq.setdefault(ws, itertools.count()))
            await self.send(ws, self.frame("heartbeats", [
                {"current_time": "2024-05-01 12:00:05", "heartbeat_counter": 1}]))


FAKE = FakeCoinbase
SYMBOL = "BTC/USD"
VENUE_ID = "coinbase"
CREDENTIALS = exchanges.Credentials(api_key=KEY_NAME, secret=PRIVATE_PEM)
