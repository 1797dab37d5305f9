"""A fake BTC Markets on the fake-server kit: REST v3 paths and reply shapes as BTC Markets' own
client declares them (https://github.com/BTCMarkets/btcmarkets-node-sdk, `src/types/*.ts`; the
docs site could not be read), BM-AUTH headers checked as its `authHelpers.ts` signs, and
websocket v2 (addSubscription; tick, trade, orderbookUpdate with a CRC32 checksum)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
import zlib
from datetime import datetime, timezone

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID, SYMBOL = "btcmarkets", "BTC/AUD"
CREDENTIALS = Credentials(api_key="bm-key-0123456789",
                          secret=base64.b64encode(b"btc markets secret bytes").decode())
MARKETS = [{"marketId": m, "baseAssetName": m[:3], "quoteAssetName": m[4:],
            "minOrderAmount": "0.0001", "maxOrderAmount": "1000000", "amountDecimals": "8",
            "priceDecimals": "2", "status": "Online"} for m in ("BTC-AUD", "ETH-AUD")]
STATUS = {"open": "Placed", "filled": "Fully Matched", "canceled": "Cancelled"}
SIDE = {"buy": "Bid", "sell": "Ask"}


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _err(code: str, message: str, status: int = 400):
    return json_response({"code": code, "message": message}, status=status)


def _digits(text: str) -> str:
    return text.replace(".", "").lstrip("0")


class FakeBTCMarkets(KitVenue):
    ws_path = "/v2"

    def __init__(self) -> None:
        self.clock = lambda: time.time_ns() // 1_000_000
        self.books = {"BTC-AUD": ServerBook.around("95000", "0.01"),
                      "ETH-AUD": ServerBook.around("4000", "0.01")}
        self.store = OrderStore({"BTC-AUD": ("BTC", "AUD"), "ETH-AUD": ("ETH", "AUD")},
                                {"AUD": "1000000", "BTC": "2", "ETH": "0"},
                                clock=lambda: self.clock(), first_id=7524)
        self.trade_ids = iter(range(4000, 10**9))
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.replace("/", "-")

    def setup_routes(self) -> None:
        for path, handler in [("markets", self.markets), ("markets/tickers", self.tickers),
                              ("markets/{m}/ticker", self.ticker),
                              ("markets/{m}/orderbook", self.orderbook),
                              ("markets/{m}/candles", self.candles),
                              ("markets/{m}/trades", self.trades)]:
            self.route("GET", "/v3/" + path, handler)
        for method, path, handler in [("GET", "accounts/me/balances", self.balances),
                                      ("POST", "orders", self.place),
                                      ("GET", "orders", self.orders),
                                      ("GET", "orders/{id}", self.order),
                                      ("DELETE", "orders/{id}", self.cancel),
                                      ("GET", "trades", self.fills)]:
            self.route(method, "/v3/" + path, self.signed(handler))
        self.add_ws()

    def check_auth(self, q, body):
        """base64(HMAC-SHA512(b64decode(secret), METHOD + path + timestamp + body)), the
        timestamp within 30 s of the venue's clock (window unconfirmed)."""
        h = q.headers
        ts = h.get("BM-AUTH-TIMESTAMP", "")
        want = base64.b64encode(hmac.new(base64.b64decode(CREDENTIALS.secret),
                                         f"{q.method}{q.path}{ts}{body}".encode(),
                                         hashlib.sha512).digest()).decode()
        if h.get("BM-AUTH-APIKEY") != CREDENTIALS.api_key:
            return _err("UnAuthorized", "invalid access token", 401)
        if not ts.isdigit() or abs(int(ts) - self.clock()) > 30_000:
            return _err("InvalidAuthTimestamp", "authentication timestamp is invalid", 400)
        if not hmac.compare_digest(want, h.get("BM-AUTH-SIGNATURE", "")):
            return _err("InvalidAuthSignature", "authentication signature is invalid", 401)
        return None

    # -- public ------------------------------------------------------------------------------
    async def markets(self, q):
        return json_response(MARKETS)

    def tick(self, m: str) -> dict:
        book = self.books[m]
        bid, ask = book.top("bids", 1)[0][0], book.top("asks", 1)[0][0]
        return {"marketId": m, "bestBid": bid, "bestAsk": ask, "lastPrice": bid,
                "volume24h": "12.5", "volumeQte24h": "1187500.00", "price24h": "-150.00",
                "pricePct24h": "-0.16", "low24h": "94000.00", "high24h": "96000.00",
                "timestamp": _iso(self.clock())}

    async def tickers(self, q):
        return json_response([self.tick(m) for m in q.query.getall("marketId", [])
                              if m in self.books])

    async def ticker(self, q):
        m = q.match_info["m"]
        return json_response(self.tick(m)) if m in self.books else \
            _err("MarketNotFound", "Market not found", 404)

    async def orderbook(self, q):
        book = self.books[q.match_info["m"]]
        return json_response({"marketId": q.match_info["m"], "snapshotId": book.seq,
                              "bids": [[p, a] for p, a in book.top("bids")],
                              "asks": [[p, a] for p, a in book.top("asks")]})

    async def candles(self, q):
        start = 1735862400000
        return json_response([[_iso(start + i * 3_600_000), "95000.00", "95100.00",
                               "94900.00", f"9500{i}.00", "1.25"]
                              for i in range(min(int(q.query.get("limit", 10)), 3))])

    async def trades(self, q):      # newest first
        return json_response([{"id": "4108", "price": "95000.00", "amount": "0.01",
                               "side": "Bid", "timestamp": "2025-01-03T00:00:02.000000Z"},
                              {"id": "4107", "price": "94990.00", "amount": "0.2",
                               "side": "Ask", "timestamp": "2025-01-03T00:00:01.000000Z"}])

    # -- account -----------------------------------------------------------------------------
    async def balances(self, q, p):
        return json_response([{"assetName": c, "balance": str(f + u), "available": str(f),
                               "locked": str(u)} for c, (f, u) in self.store.balances().items()])

    def order_json(self, o) -> dict:
        return {"orderId": o.id, "marketId": o.symbol, "side": SIDE[o.side],
                "type": "Limit" if o.type == "limit" else "Market",
                "creationTime": _iso(o.created), "price": str(o.price or "0"),
                "amount": str(o.amount), "openAmount": str(o.remaining),
                "status": STATUS[o.status], "timeInForce": "GTC", "postOnly": False,
                "selfTrade": "A", **({"clientOrderId": o.cid} if o.cid else {})}

    async def place(self, q, p):
        m = p.get("marketId")
        try:
            o = self.store.place(m, "buy" if p.get("side") == "Bid" else "sell",
                                 "market" if p.get("type") == "Market" else "limit",
                                 p["amount"], p.get("price"), p.get("clientOrderId"),
                                 book=self.books.get(m))
        except Rejected as exc:
            return {"funds": _err("InsufficientFund", "insufficient funds"),
                    "duplicate": _err("InvalidArgument", "clientOrderId already used"),
                    "symbol": _err("MarketNotFound", "Market not found", 404)}[exc.kind]
        # At acceptance: nothing matched yet, whatever the book did since.
        return json_response({**self.order_json(o), "status": "Accepted",
                              "openAmount": str(o.amount)})

    async def orders(self, q, p):
        m, status = p.get("marketId"), p.get("status", "open")
        if status == "open":
            return json_response([self.order_json(o) for o in self.store.open(m)])
        rows = sorted((o for o in self.store.orders.values() if m in (None, o.symbol)),
                      key=lambda o: -int(o.id))
        if "after" in p:
            rows = [o for o in rows if int(o.id) < int(p["after"])]
        return json_response([self.order_json(o) for o in rows[:int(p.get("limit", 10))]])

    async def order(self, q, p):
        o = self.store.find(q.match_info["id"])
        return json_response(self.order_json(o)) if o else _err("OrderNotFound",
                                                                "order not found", 404)

    async def cancel(self, q, p):
        try:
            o = self.store.cancel(q.match_info["id"])
        except Rejected as exc:
            return _err("OrderNotFound" if exc.kind == "unknown" else "OrderStatusIsFinal",
                        str(exc), 404 if exc.kind == "unknown" else 400)
        return json_response({"orderId": o.id, **({"clientOrderId": o.cid} if o.cid else {})})

    async def fills(self, q, p):
        orders = self.store.orders
        return json_response([
            {"id": f.id, "marketId": f.symbol, "timestamp": _iso(f.time), "price": str(f.price),
             "amount": str(f.amount), "side": SIDE[f.side], "fee": str(f.fee),
             "orderId": f.order_id, "liquidityType": "Taker" if f.taker else "Maker",
             **({"clientOrderId": orders[f.order_id].cid} if orders[f.order_id].cid else {})}
            for f in reversed(self.store.fills_of(p.get("marketId")))])

    # -- websocket ---------------------------------------------------------------------------
    def subscriptions(self, m):
        if not isinstance(m, dict) or m.get("messageType") not in (
                "subscribe", "addSubscription", "removeSubscription"):
            return None
        kinds = {"tick": "ticker", "trade": "trades", "orderbookUpdate": "book"}
        return [Sub(kinds.get(c, c), mid, m["messageType"] != "removeSubscription")
                for c in m.get("channels", ()) if c != "heartbeat" for mid in m["marketIds"]]

    def refusal(self, m, subs):
        return {"messageType": "error", "code": 3, "message": "invalid marketIds"}

    def checksum(self, book: ServerBook) -> str:
        text = "".join(_digits(p) + _digits(a) for p, a in book.top("bids", 10))
        text += "".join(_digits(p) + _digits(a) for p, a in book.top("asks", 10))
        return str(zlib.crc32(text.encode()))

    def book_message(self, m, changes):
        book = self.books[m]
        bids, asks = changes if changes else (book.top("bids"), book.top("asks"))
        return {"messageType": "orderbookUpdate", "marketId": m, "snapshotId": book.seq,
                "timestamp": _iso(self.clock()), **({"snapshot": True} if not changes else {}),
                "bids": [[p, a, 1 if float(a) else 0] for p, a in bids],
                "asks": [[p, a, 1 if float(a) else 0] for p, a in asks],
                "checksum": self.checksum(book)}

    def ticker_message(self, m):
        return {**self.tick(m), "messageType": "tick"}

    def trade_message(self, m, price: str, volume: str, side: str) -> dict:
        return {"messageType": "trade", "marketId": m, "tradeId": next(self.trade_ids),
                "price": price, "volume": volume, "side": side, "timestamp": _iso(self.clock())}


FAKE = FakeBTCMarkets
