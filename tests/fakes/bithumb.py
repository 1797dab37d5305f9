"""A fake Bithumb on the fake-server kit: API 2.0 paths (https://apidocs.bithumb.com, v2.1.5),
reply shapes from the docs' field tables and ccxt's recorded replies
(ts/src/test/static/response/bithumb.json: ticker, order rows), the JWT checked as the docs
say (HS256 with the secret; access_key, a UUID nonce, a ms timestamp, query_hash = hex SHA-512
of the query string, or of a JSON body's k=v&… form), errors as {"error": {"name", "message"}}.
POST /v2/orders answers like an item of the docs' batch reply (POST /v2/orders/batch), since
the single reply is not shown; DELETE /v2/order answers {order_id, created_at}. Assumed (not in
the docs we could read): a refused websocket request is answered with an error frame. The websocket (/websocket/v1) takes
Upbit-style requests and streams whole books."""
from __future__ import annotations

import hashlib
import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import urlencode

import jwt

from exchanges import Credentials

from .kit import KitVenue, OrderStore, Rejected, ServerBook, Sub, json_response

VENUE_ID, SYMBOL = "bithumb", "BTC/KRW"
CREDENTIALS = Credentials(api_key="L7rVaYfBIc2BDsnlQGfkR93d6DoOAJCw7mJr5Eso",
                          secret="bithumb-secret-0123456789abcdef-0123")
MARKETS = [{"market": m, "korean_name": k, "english_name": e, "market_warning": "NONE"}
           for m, k, e in (("KRW-BTC", "비트코인", "Bitcoin"), ("KRW-ETH", "이더리움", "Ethereum"),
                           ("BTC-ETH", "이더리움", "Ethereum"))]
KINDS = {"ticker": "ticker", "trade": "trades", "orderbook": "book"}
STATE = {"open": "wait", "filled": "done", "canceled": "cancel"}
_KST = timezone(timedelta(hours=9))


def _kst(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, _KST).isoformat(timespec="seconds")


def _err(name: str, message: str, status: int = 400):
    return json_response({"error": {"name": name, "message": message}}, status=status)


class FakeBithumb(KitVenue):
    ws_path = "/websocket/v1"

    def __init__(self) -> None:
        self.books = {"KRW-BTC": ServerBook.around("80850000", "1000"),
                      "KRW-ETH": ServerBook({"3405000": "2"}, {"3406000": "1.5"}),
                      "BTC-ETH": ServerBook({"0.0421": "3"}, {"0.0422": "2"})}
        self.store = OrderStore({"KRW-BTC": ("BTC", "KRW"), "KRW-ETH": ("ETH", "KRW"),
                                 "BTC-ETH": ("ETH", "BTC")},
                                {"KRW": "100000000", "BTC": "2", "ETH": "0"},
                                make_id=lambda n: str(uuid.UUID(int=n)))
        super().__init__()

    def venue_symbol(self, symbol: str) -> str:
        base, quote = symbol.split("/")
        return f"{quote}-{base}"

    def setup_routes(self) -> None:
        for path, handler in [("market/all", self.markets), ("ticker", self.ticker),
                              ("orderbook", self.orderbook), ("candles/{unit:.+}", self.candles),
                              ("trades/ticks", self.trades)]:
            self.route("GET", "/v1/" + path, handler)
        for method, path, handler in [("GET", "/v1/accounts", self.accounts),
                                      ("POST", "/v2/orders", self.place),
                                      ("GET", "/v1/order", self.order),
                                      ("DELETE", "/v2/order", self.cancel),
                                      ("GET", "/v1/orders", self.orders)]:
            self.route(method, path, self.signed(handler))
        self.add_ws()

    def check_auth(self, q, body):
        token = q.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, CREDENTIALS.secret, algorithms=["HS256"])
        except jwt.InvalidTokenError:
            return _err("jwt_verification", "Jwt 토큰 검증에 실패했습니다.", 401)
        if claims.get("access_key") != CREDENTIALS.api_key:
            return _err("jwt_verification", "Jwt 토큰 검증에 실패했습니다.", 401)
        try:
            uuid.UUID(str(claims.get("nonce")))
            int(claims["timestamp"])        # ms, from the caller's clock (tests fix it)
        except (KeyError, TypeError, ValueError):
            return _err("jwt_verification", "nonce or timestamp missing", 401)
        params = urlencode(json.loads(body), doseq=True) if body else q.query_string
        if params and claims.get("query_hash") != hashlib.sha512(params.encode()).hexdigest():
            return _err("invalid_query_payload", "query_hash mismatch", 401)
        if params and claims.get("query_hash_alg") != "SHA512":
            return _err("invalid_query_payload", "query_hash_alg", 401)
        return None

    # -- public ------------------------------------------------------------------------------
    async def markets(self, q):
        return json_response(MARKETS)

    def _ticker(self, code: str) -> dict:
        last = str(self.books[code].best("bids"))
        return {"market": code, "trade_date": "20231024", "trade_time": "063544",
                "trade_timestamp": 1698125744000, "opening_price": "41531000",
                "high_price": "99999999", "low_price": "0.0001", "trade_price": last,
                "prev_closing_price": "41519000", "change": "RISE",
                "acc_trade_price_24h": "366228795843.045",
                "acc_trade_volume_24h": "8464.71765997", "timestamp": 1698125744837}

    async def ticker(self, q):
        codes = q.query.get("markets", "").split(",")
        if any(c not in self.books for c in codes):
            return _err("invalid_parameter", "잘못된 파라미터 입니다.")
        return json_response([self._ticker(c) for c in codes])

    def _book(self, code: str) -> dict:
        book = self.books[code]
        bids, asks = book.top("bids", 30), book.top("asks", 30)
        units = [{**({"ask_price": a[0], "ask_size": a[1]} if a else {}),
                  **({"bid_price": b[0], "bid_size": b[1]} if b else {})}
                 for a, b in zip(asks + [None] * (len(bids) - len(asks)),
                                 bids + [None] * (len(asks) - len(bids)))]
        return {"market": code, "timestamp": int(time.time() * 1000),
                "total_ask_size": str(sum(Decimal(a) for _, a in asks)),
                "total_bid_size": str(sum(Decimal(a) for _, a in bids)),
                "orderbook_units": units}

    async def orderbook(self, q):
        return json_response([self._book(q.query["markets"])])

    async def candles(self, q):
        rows, start = [], 1_700_000_000_000
        for i in range(3):
            at = datetime.fromtimestamp(start / 1000 + 3600 * (2 - i), timezone.utc)
            rows.append({"market": q.query["market"],
                         "candle_date_time_utc": at.strftime("%Y-%m-%dT%H:%M:%S"),
                         "candle_date_time_kst": at.astimezone(_KST).strftime("%Y-%m-%dT%H:%M:%S"),
                         "opening_price": "81061000", "high_price": "81062000",
                         "low_price": "80860000", "trade_price": "80860000",
                         "timestamp": start, "candle_acc_trade_price": "175212345.1",
                         "candle_acc_trade_volume": "2.1630537", "unit": 60})
        return json_response(rows)       # newest first

    async def trades(self, q):
        return json_response([
            {"market": q.query["market"], "trade_date_utc": "2024-08-08",
             "trade_time_utc": "08:14:33", "timestamp": 1723104873000 - i * 1000,
             "trade_price": "80649000", "trade_volume": "0.0006", "prev_closing_price":
             "80000000", "change_price": "649000", "ask_bid": ("ASK", "BID")[i],
             "sequential_id": 17231048730000 - i} for i in range(2)])

    # -- account -----------------------------------------------------------------------------
    async def accounts(self, q, p):
        return json_response([{"currency": c, "balance": str(f), "locked": str(u),
                               "avg_buy_price": "0", "avg_buy_price_modified": False,
                               "unit_currency": "KRW"}
                              for c, (f, u) in self.store.balances().items()])

    def record(self, o) -> dict:
        quote_buy = o.type == "market" and o.side == "buy"
        return {"uuid": o.id, "client_order_id": o.cid, "side": "bid" if o.side == "buy"
                else "ask", "ord_type": "limit" if o.type == "limit" else
                ("price" if quote_buy else "market"),
                "price": str(o.price if o.price is not None else o.cost),
                "state": STATE[o.status], "market": o.symbol, "created_at": _kst(o.created),
                "volume": None if quote_buy else str(o.amount),
                "remaining_volume": str(o.remaining), "reserved_fee": "0", "remaining_fee": "0",
                "paid_fee": str(o.fee), "locked": "0", "executed_volume": str(o.filled),
                "executed_funds": str(o.cost), "trades_count": len(o.fills),
                "stp_type": "cancel_taker"}

    async def place(self, q, p):
        code, kind = p.get("market"), p.get("order_type")
        side = "buy" if p.get("side") == "bid" else "sell"
        amount = p.get("volume")
        if kind == "price" and code in self.books:        # KRW to spend, at the best ask
            amount = Decimal(str(p["price"])) / self.books[code].best("asks")
        try:
            o = self.store.place(code, side, "limit" if kind == "limit" else "market", amount,
                                 p.get("price"), p.get("client_order_id"),
                                 book=self.books.get(code))
        except Rejected as exc:
            name = {"funds": "insufficient_funds_bid", "symbol": "currency does not have a valid value",
                    "duplicate": "invalid_parameter"}.get(exc.kind, "invalid_parameter")
            return _err(name, str(exc))
        return json_response({"order_id": o.id, "market": code, "side": p.get("side"),
                              "order_type": kind, "client_order_id": o.cid,
                              "created_at": _kst(o.created)}, status=201)

    async def order(self, q, p):
        o = self.store.find(p.get("uuid"), p.get("client_order_id"))
        if o is None:
            return _err("order_not_found", "주문을 찾지 못했습니다.", 404)
        return json_response({**self.record(o), "trades": [
            {"market": o.symbol, "uuid": f.id, "price": str(f.price), "volume": str(f.amount),
             "funds": str(f.price * f.amount), "side": "bid" if o.side == "buy" else "ask",
             "created_at": _kst(f.time)} for f in o.fills]})

    async def cancel(self, q, p):
        try:
            o = self.store.cancel(p.get("order_id"), p.get("client_order_id"))
        except Rejected:
            return _err("order_not_found", "주문을 찾지 못했습니다.", 404)
        return json_response({"order_id": o.id, "created_at": _kst(o.created)})

    async def orders(self, q, p):
        held = [o for o in self.store.open(p.get("market"))] if p.get("state") == "wait" else [
            o for o in self.store.closed(p.get("market"))]
        page, limit = int(p.get("page", 1)), int(p.get("limit", 100))
        return json_response([self.record(o) for o in held[(page - 1) * limit:page * limit]])

    # -- websocket ---------------------------------------------------------------------------
    def subscriptions(self, message):
        if not isinstance(message, list):
            return None
        return [Sub(KINDS.get(part["type"], part["type"]), code) for part in message
                if isinstance(part, dict) and "type" in part for code in part.get("codes", ())]

    def refusal(self, message, subs):
        return {"error": {"name": "INVALID_PARAM", "message": "요청 형식이 잘못되었습니다."}}

    def book_message(self, code, changes):
        return {"type": "orderbook", **self._book(code), "code": code,
                "stream_type": "REALTIME", "level": 1}

    def ticker_message(self, code):
        return {"type": "ticker", "code": code, **self._ticker(code), "stream_type": "REALTIME"}

    def trade_message(self, code, seq, price, amount, side):
        return {"type": "trade", "code": code, "trade_price": str(price),
                "trade_volume": str(amount), "ask_bid": side.upper(),
                "trade_timestamp": int(time.time() * 1000), "sequential_id": seq,
                "stream_type": "REALTIME"}


FAKE = FakeBithumb
