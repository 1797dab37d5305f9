"""A fake Independent Reserve on the kit: Public GETs and Private POSTs whose JSON body carries
apiKey, nonce and the signature, checked as Independent Reserve's .NET client signs
(https://github.com/independentreserve/dotNetApiClient, HttpWorker.GetSignature), reply shapes
from that client's Data/*.cs models, and the websocket ticker channel (Trade events, per
https://github.com/independentreserve/websockets orderbook-ticker.md)."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime, timezone
from decimal import Decimal

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID, SYMBOL = "independentreserve", "BTC/AUD"
CREDENTIALS = Credentials(api_key="5f1a2b3c-ir-key", secret="ir-secret-0123456789abcdef")
PAIRS = {"Xbt-Aud": ("Xbt", "Aud", "150000"), "Eth-Aud": ("Eth", "Aud", "6000")}
STATUS = {"open": "Open", "filled": "Filled", "canceled": "Cancelled"}
REFUSALS = {"funds": "Insufficient funds", "duplicate": "Invalid clientId",
            "symbol": "Invalid currency code", "unknown": "Order not found",
            "not_open": "Order is not open"}
D = Decimal


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _err(message: str, status: int = 400):
    return json_response({"Message": message}, status=status)


class FakeIndependentReserve(KitVenue):
    ws_path = "/"

    def __init__(self) -> None:
        self.clock = lambda: time.time_ns() // 1_000_000
        self.books = {p: ServerBook.around(mid, "0.01") for p, (_, _, mid) in PAIRS.items()}
        self.store = OrderStore({p: (b.upper(), q.upper()) for p, (b, q, _) in PAIRS.items()},
                                {"AUD": "10000000", "XBT": "2", "ETH": "0"},
                                clock=lambda: self.clock(),
                                make_id=lambda n: f"00000000-0000-4000-8000-{n:012d}")
        self.last_nonce = 0
        self.nonces: dict[str, int] = {}
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        base, quote = symbol.split("/")
        return f"{'Xbt' if base == 'BTC' else base.title()}-{quote.title()}"

    def setup_routes(self) -> None:
        for name, handler in [("GetValidPrimaryCurrencyCodes", self.primaries),
                              ("GetValidSecondaryCurrencyCodes", self.secondaries),
                              ("GetOrderMinimumVolumes", self.minimums),
                              ("GetPrimaryCurrencyConfig", self.config),
                              ("GetMarketSummary", self.summary), ("GetAllOrders", self.book),
                              ("GetTradeHistorySummary", self.history),
                              ("GetRecentTrades", self.recent)]:
            self.route("GET", f"/Public/{name}", handler)
        for name, handler in [("GetAccounts", self.accounts),
                              ("PlaceLimitOrder", self.place), ("PlaceMarketOrder", self.place),
                              ("CancelOrder", self.cancel), ("GetOrderDetails", self.details),
                              ("GetOpenOrders", self.open_orders), ("GetTrades", self.trades)]:
            self.route("POST", f"/Private/{name}", self.signed(handler))
        self.add_ws()

    def check_auth(self, q, body):
        """UPPER hex HMAC-SHA256 of "URL,apiKey=…,nonce=…,name=value…" in body order, the
        signature field left out; the nonce above the last one."""
        data = json.loads(body or "{}")
        sent = data.pop("signature", "")
        message = ",".join([f"{self.base}{q.path}", *(f"{k}={v}" for k, v in data.items())])
        want = hmac.new(CREDENTIALS.secret.encode(), message.encode(),
                        hashlib.sha256).hexdigest().upper()
        if data.get("apiKey") != CREDENTIALS.api_key or not hmac.compare_digest(want, sent):
            return _err("Invalid API key or signature", 401)
        if int(data.get("nonce") or 0) <= self.last_nonce:
            return _err("Invalid nonce", 401)
        self.last_nonce = int(data["nonce"])
        return None

    # -- public --------------------------------------------------------------------------------
    async def primaries(self, q):
        return json_response(["Xbt", "Eth"])

    async def secondaries(self, q):
        return json_response(["Aud"])

    async def minimums(self, q):
        return json_response({"Xbt": 0.0001, "Eth": 0.001})

    async def config(self, q):
        return json_response([{"Code": c, "Name": c, "IsDelisted": False, "IsTradeEnabled": True,
                               "DecimalPlaces": {"OrderPrimaryCurrency": 8,
                                                 "OrderSecondaryCurrency": 2}}
                              for c in ("Xbt", "Eth")])

    def pair(self, q) -> str:
        return f"{q.query['primaryCurrencyCode']}-{q.query['secondaryCurrencyCode']}"

    async def summary(self, q):
        book, (b, s, _) = self.books[self.pair(q)], PAIRS[self.pair(q)]
        return json_response({"DayHighestPrice": 151000.0, "DayLowestPrice": 149000.0,
                              "DayAvgPrice": 150000.0, "DayVolumeXbt": 12.5,
                              "DayVolumeXbtInSecondaryCurrrency": 1.5,
                              "CurrentLowestOfferPrice": float(book.best("asks")),
                              "CurrentHighestBidPrice": float(book.best("bids")),
                              "LastPrice": float(book.best("bids")), "PrimaryCurrencyCode": b,
                              "SecondaryCurrencyCode": s,
                              "CreatedTimestampUtc": _iso(self.clock())})

    @staticmethod
    def guid(pair: str, side: str, price) -> str:
        """One resting order per level here: its guid is made of the level."""
        return f"{pair}-{side}-{D(str(price)).normalize()}"

    async def book(self, q):        # GetAllOrders: every order with its Guid
        pair, book = self.pair(q), self.books[self.pair(q)]
        row = lambda t, s, p, a: {"Guid": self.guid(pair, s, p), "OrderType": t,  # noqa: E731
                                  "Price": float(p), "Volume": float(a)}
        return json_response({"BuyOrders": [row("LimitBid", "bids", p, a)
                                            for p, a in book.top("bids")],
                              "SellOrders": [row("LimitOffer", "asks", p, a)
                                             for p, a in book.top("asks")],
                              "PrimaryCurrencyCode": pair.split("-")[0],
                              "SecondaryCurrencyCode": pair.split("-")[1],
                              "CreatedTimestampUtc": _iso(self.clock())})

    async def history(self, q):
        now = self.clock() // 3_600_000 * 3_600_000
        n = min(int(q.query["numberOfHoursInThePastToRetrieve"]), 3)
        return json_response({"HistorySummaryItems": [
            {"StartTimestampUtc": _iso(now - 3_600_000 * (i + 1)),
             "EndTimestampUtc": _iso(now - 3_600_000 * i), "PrimaryCurrencyVolume": 1.5,
             "SecondaryCurrencyVolume": 225000.0, "NumberOfTrades": 4,
             "HighestSecondaryCurrencyPrice": 150100.0, "LowestSecondaryCurrencyPrice": 149900.0,
             "OpeningSecondaryCurrencyPrice": 150000.0, "ClosingSecondaryCurrencyPrice": 150050.0,
             "AverageSecondaryCurrencyPrice": 150010.0} for i in range(n)]})

    async def recent(self, q):      # newest first
        return json_response({"Trades": [
            {"TradeTimestampUtc": "2025-01-03T00:00:02.1234567Z", "PrimaryCurrencyAmount": 0.01,
             "SecondaryCurrencyTradePrice": 150000.0},
            {"TradeTimestampUtc": "2025-01-03T00:00:01.7654321Z", "PrimaryCurrencyAmount": 0.2,
             "SecondaryCurrencyTradePrice": 149990.0}],
            "CreatedTimestampUtc": _iso(self.clock())})

    # -- private -------------------------------------------------------------------------------
    async def accounts(self, q, p):
        return json_response([{"AccountGuid": f"guid-{c}", "AccountStatus": "Active",
                               "AvailableBalance": float(f), "CurrencyCode": c.title(),
                               "TotalBalance": float(f + u)}
                              for c, (f, u) in self.store.balances().items()])

    def bank_order(self, o) -> dict:
        b, s, _ = PAIRS[o.symbol]
        return {"OrderGuid": o.id, "CreatedTimestampUtc": _iso(o.created),
                "Type": ("Limit" if o.type == "limit" else "Market")
                + ("Bid" if o.side == "buy" else "Offer"), "VolumeOrdered": float(o.amount),
                "VolumeFilled": float(o.filled), "Price": float(o.price) if o.price else None,
                "AvgPrice": float(o.average) if o.average else None, "ReservedAmount": 0.0,
                "Status": STATUS[o.status], "PrimaryCurrencyCode": b,
                "SecondaryCurrencyCode": s, "FeePercent": 0.005,
                "VolumeCurrencyType": "Primary", **({"ClientId": o.cid} if o.cid else {})}

    def history_order(self, o) -> dict:
        row = self.bank_order(o)
        return {"CreatedTimestampUtc": row["CreatedTimestampUtc"], "OrderType": row["Type"],
                "Volume": row["VolumeOrdered"], "Outstanding": float(o.remaining),
                "Price": row["Price"], "AvgPrice": row["AvgPrice"], "Value": None,
                "Status": row["Status"], "OrderGuid": o.id,
                "PrimaryCurrencyCode": row["PrimaryCurrencyCode"],
                "SecondaryCurrencyCode": row["SecondaryCurrencyCode"], "FeePercent": 0.005,
                **({"ClientId": o.cid} if o.cid else {})}

    async def place(self, q, p):
        pair = f"{p.get('primaryCurrencyCode')}-{p.get('secondaryCurrencyCode')}"
        kind = p.get("orderType", "")
        try:
            o = self.store.place(pair, "buy" if kind.endswith("Bid") else "sell",
                                 "limit" if kind.startswith("Limit") else "market",
                                 p["volume"], p.get("price"), p.get("clientId"),
                                 book=self.books.get(pair))
        except Rejected as exc:
            return _err(REFUSALS[exc.kind])
        return json_response({**self.bank_order(o), "Status": "Open", "VolumeFilled": 0.0})

    async def cancel(self, q, p):
        try:
            return json_response(self.bank_order(self.store.cancel(p.get("orderGuid"))))
        except Rejected as exc:
            return _err(REFUSALS[exc.kind])

    async def details(self, q, p):
        o = self.store.find(p.get("orderGuid"), p.get("clientId"))
        return json_response(self.bank_order(o)) if o else _err("Order not found", 404)

    async def open_orders(self, q, p):
        pair = f"{p['primaryCurrencyCode']}-{p['secondaryCurrencyCode']}" \
            if "primaryCurrencyCode" in p else None
        rows = self.store.open(pair)
        size, page = min(int(p.get("pageSize", 50)), 50), int(p.get("pageIndex", 1))
        return json_response({"PageSize": size, "TotalItems": len(rows),
                              "TotalPages": -(-len(rows) // size),
                              "Data": [self.history_order(o)
                                       for o in rows[(page - 1) * size:page * size]]})

    async def trades(self, q, p):
        rows = list(reversed(self.store.fills))[:50]
        return json_response({"PageSize": 50, "TotalItems": len(rows), "TotalPages": 1,
                              "Data": [{"TradeGuid": f"trade-{f.id}",
                                        "TradeTimestampUtc": _iso(f.time),
                                        "OrderGuid": f.order_id, "OrderType":
                                        self.bank_order(self.store.orders[f.order_id])["Type"],
                                        "OrderTimestampUtc": _iso(f.time),
                                        "VolumeTraded": float(f.amount),
                                        "Price": float(f.price),
                                        "PrimaryCurrencyCode": PAIRS[f.symbol][0],
                                        "SecondaryCurrencyCode": PAIRS[f.symbol][1],
                                        "TradeSide": "Taker" if f.taker else "Maker"}
                                       for f in rows]})

    # -- websocket -----------------------------------------------------------------------------
    snapshot_on_subscribe = False       # the book channel streams order events only

    def subscriptions(self, m):
        if not isinstance(m, dict) or m.get("Event") not in ("Subscribe", "Unsubscribe"):
            return None
        kinds = {"ticker": "trades", "orderbook": "book"}
        return [Sub(kinds[c.split("-")[0]], p, m["Event"] == "Subscribe")
                for c in m.get("Data") or () for p in PAIRS
                if c.split("-")[0] in kinds and c.split("-")[1] == p.split("-")[0].lower()]

    async def publish_book(self, symbol, bids=(), asks=()):
        # Which levels existed before the change decides NewOrder or OrderChanged.
        book = self.books[symbol]
        self.before = {(s, D(p)) for s in ("bids", "asks") for p, _ in book.top(s)}
        await super().publish_book(symbol, bids, asks)

    def book_message(self, pair, changes):
        """The one order event of a one-level change, numbered by the channel's Nonce."""
        (side, (price, amount)), = [(s, lv) for s, lvs in zip(("bids", "asks"), changes)
                                     for lv in lvs]
        channel = f"orderbook-{pair.split('-')[0].lower()}"
        self.nonces[channel] = self.nonces.get(channel, 0) + 1
        data = {"OrderType": "LimitBid" if side == "bids" else "LimitOffer",
                "OrderGuid": self.guid(pair, side, price)}
        if not D(amount):
            event = "OrderCanceled"
        elif (side, D(price)) in getattr(self, "before", ()):
            event, data["Volume"] = "OrderChanged", float(amount)
        else:
            event = "NewOrder"
            data.update(Price={pair.split("-")[1].lower(): float(price)}, Volume=float(amount))
        return {"Channel": channel, "Nonce": self.nonces[channel], "Data": data,
                "Time": self.clock(), "Event": event}

    async def acknowledge(self, ws, m, subs):
        await self.send(ws, {"Event": "Subscriptions", "Data": m.get("Data"),
                             "Time": self.clock()})

    def refusal(self, m, subs):
        return {"Event": "Error", "Data": "Invalid subscription", "Time": self.clock()}

    def trade_message(self, p, price, volume, side):
        return {"Event": "Trade", "Channel": f"ticker-{p.split('-')[0].lower()}", "Nonce": 1,
                "Time": self.clock(), "Data": {
                    "TradeGuid": "c5bde544-d8ae-4e38-9e90-405a3f93b6d6",
                    "TradeDate": "2025-01-03T00:00:05.9321664+00:00", "Volume": float(volume),
                    "Price": {p.split("-")[1]: float(price)}, "Side": side.title()}}


FAKE = FakeIndependentReserve
