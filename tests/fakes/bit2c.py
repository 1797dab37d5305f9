"""A fake Bit2C (https://bit2c.co.il/home/api): /Exchanges/{pair}/…json public data, private
calls signed with the `key` and `sign` headers (base64 HMAC-SHA512 of the form data as sent,
query or body, with its increasing nonce, keyed with the upper-cased secret), errors as
{"error": …} / {"Error": …} texts. Reply shapes from the docs' tables and ccxt's bit2c.ts
comments (recorded replies); no websocket. Orders: AddOrder, AddOrderMarketPriceBuy (Total in
NIS, bought at the best ask) and AddOrderMarketPriceSell, replying {"OrderResponse", "NewOrder"}
(ccxt's bit2c.ts reading)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from decimal import Decimal

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, json_response

VENUE_ID, SYMBOL = "bit2c", "BTC/NIS"
CREDENTIALS = Credentials(api_key="692036b-23b9-48c7-aedf-17db72e23a5b",
                          secret="c1a2b3c4d5e6f70812345abcdef")
PAIRS = {"BtcNis": ("BTC", "NIS"), "EthNis": ("ETH", "NIS"), "LtcNis": ("LTC", "NIS"),
         "UsdcNis": ("USDC", "NIS")}
# ccxt's bit2c.ts: a public trade as trades.json lists it.
TRADES = [{"date": 1651785980, "price": 127975.68, "amount": 0.3750321, "isBid": True,
           "tid": 1261018},
          {"date": 1651786701, "price": 128084.03, "amount": 0.0015614749161156156626239821,
           "isBid": False, "tid": 1261022}]
STATUS = {"open": "Open", "filled": "Completed", "canceled": "Canceled"}


def _err(text, key="error"):
    return json_response({key: text})


class FakeBit2C(KitVenue):
    def __init__(self) -> None:
        # The venue's clock is the wall clock: orders are matched to ours by creation time.
        self.clock = lambda: int(time.time() * 1000)
        self.books = {"BtcNis": ServerBook.around("250000", "0.01", seq=1),
                      "EthNis": ServerBook({"12000.00": "1"}, {"12100.00": "1"}),
                      "LtcNis": ServerBook({"300.00": "5"}, {"301.00": "5"}),
                      "UsdcNis": ServerBook({"3.65": "500"}, {"3.66": "500"})}
        self.store = OrderStore(PAIRS, {"NIS": "1000000", "BTC": "2", "ETH": "0", "LTC": "0",
                                        "USDC": "0"},
                                clock=lambda: self.clock(), first_id=10951473)
        self.last_nonce = 0
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        return symbol.split("/")[0].capitalize() + "Nis"

    def setup_routes(self) -> None:
        for name, handler in [("Ticker.json", self.ticker), ("orderbook.json", self.order_book),
                              ("trades.json", self.trades)]:
            self.route("GET", f"/Exchanges/{{pair}}/{name}", handler)
        for method, path, handler in [
                ("GET", "/Account/Balance/v2", self.balance),
                ("GET", "/Order/MyOrders", self.my_orders),
                ("GET", "/Order/GetById", self.get_by_id),
                ("POST", "/Order/CancelOrder", self.cancel),
                ("POST", "/Order/AddOrder", self.add_order),
                ("POST", "/Order/AddOrderMarketPriceBuy", self.add_order),
                ("POST", "/Order/AddOrderMarketPriceSell", self.add_order),
                ("GET", "/Order/OrderHistory", self.order_history)]:
            self.route(method, path, self.signed(handler))

    def check_auth(self, q, body):
        signed = q.query_string if q.method == "GET" else body
        want = base64.b64encode(hmac.new(CREDENTIALS.secret.upper().encode(), signed.encode(),
                                         hashlib.sha512).digest()).decode()
        nonce = dict(self.params_of(q, body)).get("nonce", "")
        if q.headers.get("key") != CREDENTIALS.api_key or \
                not hmac.compare_digest(q.headers.get("sign", ""), want):
            return _err("Please provide valid APIkey")
        if not nonce.isdigit() or int(nonce) <= self.last_nonce:
            return _err(f"Please provide valid nonce in Request Nonce ({nonce}) is not bigger "
                        f"than last nonce ({self.last_nonce}).")
        self.last_nonce = int(nonce)
        return None

    # -- public ------------------------------------------------------------------------------
    async def ticker(self, q):
        b = self.books[q.match_info["pair"]]
        return json_response({"ll": float(b.best("bids")), "av": 249000.5, "a": 12.3456,
                              "h": float(b.best("bids")), "l": float(b.best("asks")),
                              "c": -0.5, "up": True})

    async def order_book(self, q):
        b = self.books[q.match_info["pair"]]
        return json_response({side: [[float(p), float(a)] for p, a in b.top(side)]
                              for side in ("asks", "bids")})

    async def trades(self, q):
        return json_response(TRADES[:int(q.query.get("limit", 100))])

    # -- private -----------------------------------------------------------------------------
    async def balance(self, q, p):
        out = {}
        for c, (free, used) in self.store.balances().items():
            out.update({f"AVAILABLE_{c}": float(free), c: float(free + used),
                        f"LOCKED_{c}": float(used)})
        return json_response({**out, "Fees": {pair: {"FeeMaker": 0.5, "FeeTaker": 0.5}
                                              for pair in PAIRS}})

    def order_row(self, o) -> dict:
        return {"pair": o.symbol, "status": STATUS[o.status], "created": o.created // 1000,
                "type": 0 if o.side == "buy" else 1,
                "order_type": 0 if o.type == "limit" else 1, "amount": float(o.remaining),
                "price": float(o.price or 0), "stop": 0, "id": int(o.id),
                "initialAmount": float(o.amount)}

    async def my_orders(self, q, p):
        pairs = [p["pair"]] if p.get("pair") else list(PAIRS)
        return json_response({pair: {side: [self.order_row(o) for o in self.store.open(pair)
                                            if (o.side == "buy") == (side == "bid")]
                                     for side in ("bid", "ask")} for pair in pairs})

    async def add_order(self, q, p):
        pair, kind = p.get("Pair"), q.path.rsplit("/", 1)[-1]
        if pair not in PAIRS:
            return _err("Pair is not valid")
        try:
            if kind == "AddOrder":
                o = self.store.place(pair, "buy" if p.get("IsBid") == "true" else "sell",
                                     "limit", p["Amount"], p["Price"])
            elif kind == "AddOrderMarketPriceSell":
                o = self.store.place(pair, "sell", "market", p["Amount"], book=self.books[pair])
            else:
                amount = Decimal(p["Total"]) / self.books[pair].best("asks")
                o = self.store.place(pair, "buy", "market", amount, book=self.books[pair])
        except Rejected as exc:
            return _err("insufficient funds" if exc.kind == "funds" else str(exc))
        return json_response({"OrderResponse": {"pair": pair, "HasError": False, "Error": "",
                                                "Message": ""},
                              "NewOrder": {"created": o.created // 1000,
                                           "type": 0 if o.side == "buy" else 1,
                                           "order_type": 0 if o.type == "limit" else 1,
                                           "status_type": 0, "amount": float(o.amount),
                                           "price": float(o.price or 0), "stop": 0,
                                           "id": int(o.id), "initialAmount": None}})

    async def get_by_id(self, q, p):
        o = self.store.find(p.get("id"))
        return json_response(self.order_row(o)) if o else _err("No order found.", "Error")

    async def cancel(self, q, p):
        o = self.store.find(p.get("id"))
        if o is None or o.status != "open":
            return _err("No order found.", "Error")
        self.store.cancel(o.id)
        return json_response({"OrderResponse": {"pair": o.symbol, "HasError": False,
                                                "Error": "", "Message": ""}})

    async def order_history(self, q, p):
        fills = self.store.fills_of(p.get("pair"))[: int(p.get("take") or 1000)]
        return json_response([
            {"ticks": f.time // 1000, "created": "26/11/19 13:32",
             "action": 0 if f.side == "buy" else 1, "price": str(f.price), "pair": f.symbol,
             "reference": f"{f.symbol}|{f.order_id}|{f.id}", "fee": "0.5",
             "feeAmount": str(f.fee), "feeCoin": "₪",
             "firstAmount": str(f.amount if f.side == "buy" else -f.amount),
             "firstAmountBalance": "9", "secondAmount": str(Decimal(0) - f.price * f.amount),
             "secondAmountBalance": "130,233.28", "firstCoin": f.symbol[:3].upper(),
             "secondCoin": "₪"} for f in fills])


FAKE = FakeBit2C
