"""KuCoin spot: REST (classic account, HF order endpoints) and the public websocket.

Docs: https://www.kucoin.com/docs-new (REST per endpoint; the same specifications, with their
response examples, ship as OpenAPI files in KuCoin's official SDK repository
github.com/Kucoin/kucoin-universal-sdk, spec/rest/api/openapi-spot-*.json). Every reply is
`{"code": "200000", "data": ...}`. Private calls carry KC-API-SIGN = base64 HMAC-SHA256 over
timestamp + METHOD + path?query (not URL-encoded) + body, and KC-API-PASSPHRASE: the passphrase
itself for a version-1 key, else base64 HMAC-SHA256 of it under the secret
(https://www.kucoin.com/docs-new/authentication). The key's version (KC-API-KEY-VERSION) is not
in the credentials the contract carries, so it is `api_key_version`: default "3", what KuCoin's
own SDK sends for every key (kucoin-universal-sdk, default_signer.py); whether a version-2 key
is accepted under "3" is not confirmed: set "2" (or "1") on the adapter for such keys.

Websocket: POST /api/v1/bullet-public gives a token and a server; each connection goes to
`<endpoint>?token=…&connectId=…`, waits for "welcome", then subscribes; the client pings every
pingInterval (18 s). The book is the REST snapshot (level2_100, public: the full book needs a
key) plus /market/level2 deltas chained by sequenceStart/sequenceEnd ("Orderbook - Increment": a
price of "0" only moves the sequence; a size of "0" removes the level); levels deeper than the
snapshot's 100 appear as they change.
"""
from __future__ import annotations

import uuid
from decimal import Decimal
from urllib.parse import unquote, urlsplit, urlunsplit

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import DELETE, GET, POST, After
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..core.signing import hmac_b64
from ..core.stream import StreamLimits
from ..numbers import dec, levels, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["KuCoin"]

_TF = {"1m": ("1min", 60), "3m": ("3min", 180), "5m": ("5min", 300), "15m": ("15min", 900),
       "30m": ("30min", 1800), "1h": ("1hour", 3600), "2h": ("2hour", 7200),
       "4h": ("4hour", 14400), "6h": ("6hour", 21600), "8h": ("8hour", 28800),
       "12h": ("12hour", 43200), "1d": ("1day", 86400), "1w": ("1week", 604800)}
_CANDLES = 1500     # "For each query, the system would return at most 1500 pieces of data"


class _Auth(Hmac):
    """The template signs the request; the passphrase header is signed too for keys ≥ v2."""

    def sign(self, ex, request):
        creds = ex.require_credentials()
        if not creds.passphrase:
            raise E.AuthenticationError(ex.id, "KuCoin API keys come with a passphrase, chosen "
                                               "when the key was created; add it in Credentials")
        request = super().sign(ex, request)
        v = str(ex.api_key_version)
        request.headers["KC-API-KEY-VERSION"] = v
        request.headers["KC-API-PASSPHRASE"] = (
            creds.passphrase if v == "1" else hmac_b64(creds.secret, creds.passphrase))
        return request


def _ohlcv_params(m, tf, since, limit):
    kind, step = tf
    if since is None:
        return {"symbol": m.id, "type": kind}
    start = int(since) // 1000
    return {"symbol": m.id, "type": kind, "startAt": start,
            "endAt": start + step * (limit or _CANDLES)}


def _order_params(m, side, type, amount, price, cid, options):
    tif = options.get("time_in_force")
    return {"clientOid": cid, "side": side, "symbol": m.id, "type": type, "size": amount,
            "price": price, "timeInForce": tif if tif and tif != "GTC" else None,
            "postOnly": True if options.get("post_only") else None}


class KuCoin(Exchange):
    id = "kucoin"
    name = "KuCoin"
    docs = ("https://www.kucoin.com/docs-new",)
    hosts = {"rest": "https://api.kucoin.com", "ws": "wss://ws-api-spot.kucoin.com"}
    # Resource pools per 30 s at VIP0: Public 2000 (per IP), Spot 4000, Management 2000; each
    # endpoint's weight from its page (https://www.kucoin.com/docs-new/rate-limit).
    limits = {"public": (2000, 30.0), "private": (4000, 30.0), "management": (2000, 30.0)}
    timeframes = dict(_TF)
    auth = _Auth(prehash=lambda f: f"{f['stamp']}{f['method']}{unquote(f['path_query'])}"
                                   f"{f['body']}", digest="base64",
                 headers={"KC-API-KEY": "{key}", "KC-API-SIGN": "{signature}",
                          "KC-API-TIMESTAMP": "{stamp}"})
    api_key_version = "3"
    clock_errors = frozenset({"400002"})       # "KC-API-TIMESTAMP Invalid" (5 s window)
    order_options = frozenset({"post_only", "time_in_force"})
    api = {
        "server_time": GET("/api/v1/timestamp", rows="data", weight=3),
        "ws_token": POST("/api/v1/bullet-public", rows="data", weight=10, idempotent=True),
        "markets": GET("/api/v2/symbols", rows="data", weight=4),
        "tickers": GET("/api/v1/market/allTickers", weight=15, rows=lambda r: [
            {**t, "time": r["data"]["time"]} for t in r["data"]["ticker"]]),
        "ticker": GET("/api/v1/market/stats", rows="data", weight=15,
                      params=lambda m: {"symbol": m.id}),
        # level2_20 / level2_100 are public; the full book (/api/v3/...) needs a key.
        "order_book": GET("/api/v1/market/orderbook/level2_{size}", rows="data", weight=2,
                          cap=100, params=lambda m, limit: {
                              "size": 20 if limit and limit <= 20 else 100, "symbol": m.id}),
        "ohlcv": GET("/api/v1/market/candles", rows="data", weight=3, cap=_CANDLES,
                     params=_ohlcv_params),
        "trades": GET("/api/v1/market/histories", rows="data", weight=3, cap=100,
                      params=lambda m, limit: {"symbol": m.id}),
        "balance": GET("/api/v1/accounts", signed=True, rows="data", weight=5,
                       bucket="management", params=lambda: {"type": "trade"}),
        # The sync variant answers after matching, with the order's state (filled or open).
        "create_order": POST("/api/v1/hf/orders/sync", signed=True, rows="data",
                             params=_order_params),
        "cancel_order": DELETE("/api/v1/hf/orders/{orderId}", signed=True, rows="data",
                               params=lambda m, oid: {"orderId": oid, "symbol": m.id}),
        "order": GET("/api/v1/hf/orders/{orderId}", signed=True, rows="data", weight=2,
                     params=lambda m, oid: {"orderId": oid, "symbol": m.id}),
        "order_by_client_id": GET("/api/v1/hf/orders/client-order/{clientOid}", signed=True,
                                  rows="data", weight=2,
                                  params=lambda m, cid: {"clientOid": cid, "symbol": m.id}),
        "open_orders": GET("/api/v1/hf/orders/active", signed=True, rows="data", weight=2,
                           params=lambda m: {"symbol": m.id}),
        "open_symbols": GET("/api/v1/hf/orders/active/symbols", signed=True, rows="data"),
        # Newest first, 100 at most a page; older ones with lastId = the last row's id.
        "my_trades": GET("/api/v1/hf/fills", signed=True, rows="data.items", weight=2, cap=100,
                         paging=After("lastId", key=lambda t: t["id"], size=100)),
    }
    # https://www.kucoin.com/docs/basic-info/errors-code/spot-errors-code and
    # https://www.kucoin.com/docs-new/error-code (gateway codes 400001-400012).
    errors = {
        **dict.fromkeys(("400001", "400002", "400003", "400004", "400005", "400008",
                         "400009", "411100"), E.AuthenticationError),
        **dict.fromkeys(("400006", "400007", "400010", "400500"), E.PermissionDenied),
        **dict.fromkeys(("200001", "200003", "400200", "400600", "600203"), E.InvalidOrder),
        "200004": E.InsufficientFunds, "429000": E.RateLimitExceeded,
        "500000": E.ExchangeNotAvailable, "404000": E.ExchangeError,
    }
    # 400100 is every parameter error; its message says which (the spot errors page).
    generic_error_codes = frozenset({"400100"})
    error_messages = {"account.available.amount": E.InsufficientFunds,
                      "balance insufficient": E.InsufficientFunds,
                      "not exist": E.OrderNotFound, "order_not_exist": E.OrderNotFound,
                      "symbol": E.BadSymbol, "size": E.InvalidOrder, "price": E.InvalidOrder}
    channels = {"ticker": "/market/ticker", "trades": "/market/match", "book": "/market/level2"}
    # "a topic supports up to 100 symbols"; 300 subscriptions a session (websocket error
    # codes 509); messages a second per connection: unconfirmed, 10 kept.
    stream_limits = StreamLimits(batch=100, per_second=10, per_connection=300)
    ticker_stream_partial = True        # /market/ticker: best bid/ask and last trade only
    ws_ping_interval = 18.0             # the bullet's pingInterval (18000 ms in the docs)
    book_snapshot, book_sequence, rest_book_depth = "rest", "range", 100

    def error_code(self, reply):
        p = reply.payload
        if isinstance(p, dict) and "code" in p and str(p["code"]) != "200000":
            return str(p["code"]), str(p.get("msg") or "")
        return None

    def parse_server_time(self, reply) -> int:
        return int(reply)

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders need a symbol: for all of them, the symbols that have some first."""
        if symbol is not None:
            return await super().fetch_open_orders(symbol)
        await self.load_markets()
        self.require_credentials()
        out = []
        for sid in (await self.call("open_symbols"))["symbols"]:
            if (m := self.by_id(sid)) is not None:
                out += await super().fetch_open_orders(m.symbol)
        return out

    async def _place_order(self, market, side, type, amount, price, client_order_id,
                           **options) -> Order:
        """Add Order Sync answers after matching: {orderId, clientOid, orderTime, originSize,
        dealSize, remainSize, canceledSize, status "open" | "done", matchTime}."""
        d = await self.call("create_order", market, side, type, amount, price,
                            client_order_id, options)
        filled = dec(d["dealSize"])
        status = ("open" if d["status"] == "open" else
                  "canceled" if dec(d.get("canceledSize") or 0) else "closed")
        return Order(str(d["orderId"]), client_order_id, market.symbol, side, type, price,
                     amount, filled, amount - filled if status == "open" else Decimal(0),
                     status, int(d["orderTime"]))

    def my_trades_params(self, m, since, limit):
        if m is None:
            raise E.NotSupported(self.id, "KuCoin lists the account's fills one symbol at a "
                                          "time; give a symbol")
        return {"symbol": m.id, "startAt": since}

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, r: dict, key=None) -> Market:
        base, quote = self.currency(r["baseCurrency"]), self.currency(r["quoteCurrency"])
        return Market(f"{base}/{quote}", r["symbol"], base, quote, dec(r["priceIncrement"]),
                      dec(r["baseIncrement"]), opt_dec(r.get("baseMinSize")),
                      opt_dec(r.get("minFunds")), bool(r.get("enableTrading")))

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(t["symbol"])
        if market is None:
            return None
        last, change = opt_dec(t.get("last")), opt_dec(t.get("changePrice"))
        return Ticker(market.symbol, int(t["time"]) if t.get("time") else None,
                      opt_dec(t.get("buy")), opt_dec(t.get("sell")), last,
                      opt_dec(t.get("high")), opt_dec(t.get("low")),
                      last - change if last is not None and change is not None else None,
                      opt_dec(t.get("vol")), opt_dec(t.get("volValue")))

    def parse_order_book(self, d: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, levels(d["bids"]), levels(d["asks"]), int(d["time"]),
                         int(d["sequence"]))

    @staticmethod
    def parse_candle(r: list) -> Candle:
        """[start (s), open, close, high, low, volume (base), turnover], newest first."""
        return Candle(int(r[0]) * 1000, dec(r[1]), dec(r[3]), dec(r[4]), dec(r[2]), dec(r[5]))

    @staticmethod
    def parse_trade(t: dict, market: Market) -> Trade:
        # "The trade side indicates the taker order side" (Get Trade History). The id is the
        # trade's sequence, which the stream's trades carry as tradeId.
        return Trade(str(t["sequence"]), int(t["time"]) // 1_000_000, t["side"],
                     dec(t["price"]), dec(t["size"]), market.symbol)

    def parse_balance(self, rows: list) -> dict[str, Balance]:
        out = {}
        for b in rows:
            free, used = dec(b["available"]), dec(b["holds"])
            out[self.currency(b["currency"])] = Balance(free, used, dec(b["balance"]))
        return out

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(o["symbol"])
        if market is None:
            return None
        amount, filled = dec(o["size"]), dec(o.get("dealSize") or 0)
        if o.get("active", o.get("isActive")):
            status = "open"
        else:
            status = "canceled" if o.get("cancelExist") else "closed"
        funds = opt_dec(o.get("dealFunds"))
        return Order(str(o["id"]), o.get("clientOid") or None, market.symbol, o["side"],
                     o["type"], dec(o["price"]) if o["type"] == "limit" else None, amount,
                     filled, amount - filled if status == "open" else Decimal(0), status,
                     int(o["createdAt"]), average=funds / filled if funds and filled else None,
                     fee=opt_dec(o.get("fee")))

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade:
        return Trade(str(t["tradeId"]), int(t["createdAt"]), t["side"], dec(t["price"]),
                     dec(t["size"]), market.symbol, order_id=str(t["orderId"]),
                     fee=opt_dec(t.get("fee")), fee_currency=self.currency(t["feeCurrency"]),
                     taker_or_maker=t.get("liquidity") or None)

    # -- streams -----------------------------------------------------------------------------
    async def connect_url(self, host: str, url: str) -> str:
        """A fresh public token per connection; with a `urls` override, the server's path and
        query go to the override's host."""
        bullet = await self.call("ws_token")
        endpoint = bullet["instanceServers"][0]["endpoint"]
        if url != type(self).hosts["ws"]:
            ours = urlsplit(url)
            endpoint = urlunsplit((ours.scheme, ours.netloc, urlsplit(endpoint).path, "", ""))
        return f"{endpoint}?token={bullet['token']}&connectId={uuid.uuid4().hex}"

    async def stream_open(self, ws, host: str) -> None:
        msg = await ws.receive(timeout=10)
        frame = self.stream_decode(msg.data) if isinstance(msg.data, (str, bytes)) else None
        if not (isinstance(frame, dict) and frame.get("type") == "welcome"):
            raise E.ExchangeNotAvailable(self.id, "the stream did not welcome the connection",
                                         endpoint="websocket")

    def stream_ping(self) -> dict:
        return {"id": str(self.clock()), "type": "ping"}

    def ws_subscribe(self, channel, args, subscribe):
        keys = [f"{channel}:{a}" for a in args]
        return {"id": str(self.ws_request(keys)), "type": "subscribe" if subscribe
                else "unsubscribe", "topic": f"{channel}:{','.join(args)}",
                "privateChannel": False, "response": True}

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        if msg.get("type") == "message":
            return msg["topic"], msg["data"]
        if msg.get("type") == "error":      # {"id", "type": "error", "code": 404, "data": …}
            rid = str(msg.get("id"))
            keys = self.ws_request_keys(int(rid)) if rid.isdigit() else ()
            return self.refused(keys, str(msg.get("data")), msg.get("code"))
        return None         # welcome, ack, pong

    def parse_ws_ticker(self, d: dict, market: Market) -> Ticker:
        stamp = d.get("time", d.get("Time"))
        return Ticker(market.symbol, int(stamp) if stamp else None, opt_dec(d.get("bestBid")),
                      opt_dec(d.get("bestAsk")), opt_dec(d.get("price")))

    def parse_ws_trades(self, d: dict, market: Market) -> Trade:
        # Taker's side, as the REST trade history states; the stream's page says nothing more.
        return Trade(str(d["tradeId"]), int(d["time"]) // 1_000_000, d["side"],
                     dec(d["price"]), dec(d["size"]), market.symbol)

    def parse_book_frame(self, d: dict, market: Market) -> BookFrame:
        side = lambda rows: [(p, dec(r[1])) for r in rows if (p := dec(r[0]))]  # noqa: E731
        ch = d["changes"]               # [price, size, sequence]; price 0: sequence only
        return BookFrame(False, side(ch["bids"]), side(ch["asks"]), seq=int(d["sequenceEnd"]),
                         first=int(d["sequenceStart"]), timestamp=int(d["time"]))
