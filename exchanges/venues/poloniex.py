"""Poloniex spot: the current REST API (https://api.poloniex.com) and its public websocket.

Docs: https://api-docs.poloniex.com/spot/ ("Authentication", "Market Data", "Orders", "Trades",
"Accounts", websocket "Public Channels"). Signed calls carry the headers `key`,
`signTimestamp` (ms) and `signature` = base64 HMAC-SHA256 over "METHOD\\n/path\\nparams",
where params is, without a body, every query parameter plus signTimestamp sorted by name and
joined "k=v&...", and with a JSON body "requestBody=<body>&signTimestamp=<ts>" (the docs'
"Authentication" section; Poloniex's own polo-sdk-python `_get_sig_header` builds it the same
way). The optional signatureMethod/signatureVersion headers are left out, as the SDK does.

Symbols are BASE_QUOTE (BTC_USDT). The `book_lv2` channel sends a snapshot of the top 20
levels, then updates; each carries `id` and `lastId`, and an update whose lastId is not the
previous message's id means a message was lost: subscribe again ("Book Level 2").
"""
from __future__ import annotations

from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import DELETE, GET, POST, After
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..core.stream import StreamLimits
from ..numbers import dec, decimals_to_increment, levels, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Poloniex"]

# "state": PENDING_NEW, NEW, PARTIALLY_FILLED, FILLED, PENDING_CANCEL, PARTIALLY_CANCELED,
# CANCELED, REJECTED, EXPIRED, FAILED (the order endpoints' field list).
_STATUS = {"FILLED": "closed", "CANCELED": "canceled", "PARTIALLY_CANCELED": "canceled",
           "EXPIRED": "canceled", "REJECTED": "rejected", "FAILED": "rejected"}
_BOOK_LIMITS = (5, 10, 20, 50, 100, 150)      # "Valid limit values are: 5, 10, 20, 50, 100, 150"


def _prehash(f: dict) -> str:
    if f["body"]:
        params = f"requestBody={f['body']}&signTimestamp={f['stamp']}"
    else:
        pairs = [p for p in f["query"].split("&") if p] + [f"signTimestamp={f['stamp']}"]
        params = "&".join(sorted(pairs, key=lambda p: p.partition("=")[0]))
    return f"{f['method']}\n{f['path']}\n{params}"


def _book_params(m, limit):
    return {"symbol": m.id, "limit": None if limit is None else
            next((v for v in _BOOK_LIMITS if v >= limit), _BOOK_LIMITS[-1])}


def _flat(row: list) -> list[tuple[Decimal, Decimal]]:
    """The REST book's sides are flat lists: [price, quantity, price, quantity, ...]."""
    return levels(zip(row[0::2], row[1::2]))


class Poloniex(Exchange):
    id = "poloniex"
    market_buy_in_quote = True         # a market buy names the quote to spend
    name = "Poloniex"
    docs = ("https://api-docs.poloniex.com/spot/",)
    hosts = {"rest": "https://api.poloniex.com", "ws": "wss://ws.poloniex.com/ws/public"}
    # "Rate Limits" (per VIP tier): market data ~200 requests/s per IP, order placement and
    # cancels ~50/s and other private calls ~10-50/s at VIP0. The VIP0 figures are not
    # confirmed from the docs page itself (read through ccxt's 5 ms budget): kept low.
    limits = {"public": (200, 1.0), "private": (10, 1.0), "orders": (50, 1.0)}
    timeframes = {"1m": "MINUTE_1", "5m": "MINUTE_5", "10m": "MINUTE_10", "15m": "MINUTE_15",
                  "30m": "MINUTE_30", "1h": "HOUR_1", "2h": "HOUR_2", "4h": "HOUR_4",
                  "6h": "HOUR_6", "12h": "HOUR_12", "1d": "DAY_1", "3d": "DAY_3",
                  "1w": "WEEK_1", "1M": "MONTH_1"}
    auth = Hmac(prehash=_prehash, digest="base64", stamp="ms",
                headers={"key": "{key}", "signTimestamp": "{stamp}", "signature": "{signature}"})
    api = {
        # "400: signTimestamp is more than 1 second from poloniex system time" ("Authentication"):
        # signatures use the venue's clock, measured here before the first signed call.
        "server_time": GET("/timestamp"),
        "markets": GET("/markets"),
        "tickers": GET("/markets/ticker24h"),
        "ticker": GET("/markets/{symbol}/ticker24h", params=lambda m: {"symbol": m.id}),
        "order_book": GET("/markets/{symbol}/orderBook", cap=150, params=_book_params),
        "ohlcv": GET("/markets/{symbol}/candles", cap=500, params=lambda m, tf, since, limit: {
            "symbol": m.id, "interval": tf, "limit": limit, "startTime": since}),
        "trades": GET("/markets/{symbol}/trades", cap=1000,
                      params=lambda m, limit: {"symbol": m.id, "limit": limit}),
        "balance": GET("/accounts/balances", signed=True),
        "create_order": POST("/orders", signed=True),
        "cancel_order": DELETE("/orders/{id}", signed=True, params=lambda m, oid: {"id": oid}),
        # Order details "by id or by clientOrderId prefixed cid:" (GET /orders/{id}); the docs
        # list every state in its reply, filled and canceled too. How long a finished order
        # stays readable there is not stated (not confirmed).
        "order": GET("/orders/{id}", signed=True, params=lambda m, oid: {"id": oid}),
        "order_by_client_id": GET("/orders/cid:{cid}", signed=True,
                                  params=lambda m, cid: {"cid": cid}),
        # Open orders page by order id: `from` an order id, `direction` NEXT, `limit`. Whether
        # `from` is exclusive is not stated (not confirmed; read here as "after that id").
        "open_orders": GET("/orders", signed=True, params=lambda m: {
            "symbol": m.id if m else None, "direction": "NEXT"},
            paging=After("from", key=lambda o: o["id"], size=100)),
        # ccxt's recorded request sends no symbol (GET /trades?startTime=&limit=): the rows
        # name their symbol and are filtered here.
        "my_trades": GET("/trades", signed=True, cap=1000,
                         params=lambda m, since, limit: {"startTime": since, "limit": limit}),
    }
    # Error codes ("Error Codes" in the docs; ccxt's table agrees): HTTP status + {code, message}.
    errors = {
        **dict.fromkeys(("401", "21100", "21600", "21605", "21704"), E.AuthenticationError),
        **dict.fromkeys(("21353", "21354", "21601"), E.PermissionDenied),
        **dict.fromkeys(("21709", "21721", "250005"), E.InsufficientFunds),
        **dict.fromkeys(("21301", "21305", "21359"), E.OrderNotFound),
        **dict.fromkeys(("21309", "21310", "21311", "21312", "21314", "21315", "21317",
                         "21319", "21320", "21321", "21322", "21327", "21328", "21330",
                         "21335", "21336", "21337", "21341", "21342", "21343", "21360"),
                        E.InvalidOrder),
        **dict.fromkeys(("10020", "10040", "10041", "21352", "24101"), E.BadSymbol),
        **dict.fromkeys(("500", "21340", "24201"), E.ExchangeNotAvailable),
        "429": E.RateLimitExceeded, "603": E.RequestTimeout,
    }
    channels = {"ticker": "ticker", "trades": "trades", "book": "book_lv2"}
    # Not documented for spot: one subscribe frame takes a list of symbols; paced gently.
    stream_limits = StreamLimits(batch=20, per_second=5)
    # "the connection will be disconnected if no ping within 30 seconds": {"event": "ping"}.
    ws_heartbeat = 30.0
    book_snapshot, book_sequence, book_depths = "ws", "prev", (20,)

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._last_subscribe: tuple[str, ...] = ()

    def error_code(self, reply):
        p = reply.payload
        if isinstance(p, dict) and "code" in p and reply.status >= 400:
            return str(p["code"]), str(p.get("message", ""))
        return None

    def parse_server_time(self, reply) -> int:
        return int(reply["serverTime"])

    def create_order_params(self, m, side, type, amount, price, cid, options):
        # quantity (base) for limits and market sells; a market buy takes `amount` (quote):
        # "Amount is required for MARKET and BUY side" ("Create Order").
        quote_buy = type == "market" and side == "buy"
        return {"symbol": m.id, "side": side.upper(), "type": type.upper(),
                "quantity": None if quote_buy else amount,
                "amount": options.get("quote_amount") if quote_buy else None,
                "price": price, "clientOrderId": cid}


    create_returns_state = False        # the reply is {"id", "clientOrderId"}

    def parse_placed(self, reply, market) -> str:
        return str(reply["id"])

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, p: dict, key=None) -> Market:
        lim = p["symbolTradeLimit"]
        base, quote = self.currency(p["baseCurrencyName"]), self.currency(p["quoteCurrencyName"])
        return Market(f"{base}/{quote}", p["symbol"], base, quote,
                      decimals_to_increment(int(lim["priceScale"])),
                      decimals_to_increment(int(lim["quantityScale"])),
                      opt_dec(lim.get("minQuantity")), opt_dec(lim.get("minAmount")),
                      p.get("state") == "NORMAL")

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(t["symbol"])
        if market is None:
            return None
        return Ticker(market.symbol, int(t["ts"]) if t.get("ts") else None,
                      opt_dec(t.get("bid")), opt_dec(t.get("ask")), dec(t["close"]),
                      opt_dec(t.get("high")), opt_dec(t.get("low")), opt_dec(t.get("open")),
                      opt_dec(t.get("quantity")), opt_dec(t.get("amount")))

    def parse_order_book(self, r: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, _flat(r["bids"]), _flat(r["asks"]), int(r["time"]))

    @staticmethod
    def parse_candle(row: list) -> Candle:
        # [low, high, open, close, amount (quote), quantity (base), buyTakerAmount,
        #  buyTakerQuantity, tradeCount, ts, weightedAverage, interval, startTime, closeTime]
        return Candle(int(row[12]), dec(row[2]), dec(row[1]), dec(row[0]), dec(row[3]),
                      dec(row[5]))

    @staticmethod
    def parse_trade(t: dict, market: Market) -> Trade:
        # "takerSide: Taker's trade side (BUY, SELL)": the taker's side, REST and websocket.
        return Trade(str(t["id"]), int(t["createTime"]), t["takerSide"].lower(),
                     dec(t["price"]), dec(t["quantity"]), market.symbol)

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade | None:
        market = self.by_id(t["symbol"])
        if market is None:
            return None
        return Trade(str(t["id"]), int(t["createTime"]), t["side"].lower(), dec(t["price"]),
                     dec(t["quantity"]), market.symbol, order_id=str(t["orderId"]),
                     client_order_id=t.get("clientOrderId") or None,
                     fee=opt_dec(t.get("feeAmount")),
                     fee_currency=self.currency(t["feeCurrency"]) if t.get("feeCurrency")
                     else None, taker_or_maker=(t.get("matchRole") or "").lower() or None)

    def parse_balance(self, accounts: list) -> dict[str, Balance]:
        out = {}
        for account in accounts:
            if account.get("accountType", "SPOT") != "SPOT":
                continue
            for b in account["balances"]:
                free, used = dec(b["available"]), dec(b["hold"])
                out[self.currency(b["currency"])] = Balance(free, used, free + used)
        return out

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = self.by_id(o["symbol"]) or market
        if market is None or o["symbol"] != market.id:
            return None
        type_ = "market" if o["type"] == "MARKET" else "limit"
        filled = dec(o["filledQuantity"])
        amount = opt_dec(o.get("quantity")) or Decimal(0)
        if type_ == "market" and not amount:     # a market buy was sized in quote: report base
            amount = filled
        status = _STATUS.get(o["state"], "open")
        return Order(str(o["id"]), o.get("clientOrderId") or None, market.symbol,
                     o["side"].lower(), type_, opt_dec(o.get("price")) if type_ == "limit"
                     else None, amount, filled, amount - filled if status == "open"
                     else Decimal(0), status, int(o["createTime"]) if o.get("createTime")
                     else None, average=opt_dec(o.get("avgPrice")) or None)

    # -- streams -----------------------------------------------------------------------------
    def ws_subscribe(self, channel, args, subscribe):
        if subscribe:
            self._last_subscribe = tuple(f"{channel}:{a}" for a in args)
        return {"event": "subscribe" if subscribe else "unsubscribe", "channel": [channel],
                "symbols": list(args)}

    def stream_ping(self):
        return {"event": "ping"}

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        if msg.get("event") == "error":
            # e.g. {"message": "Invalid channel value [\"ordersss\"]", "event": "error"}: the
            # frame names no request, so it refuses the subscription sent last.
            return self.refused(self._last_subscribe, str(msg.get("message", "")))
        data = msg.get("data")
        if "channel" not in msg or not isinstance(data, list):
            return None         # acks, pong
        return sorted({f"{msg['channel']}:{d['symbol']}" for d in data})

    def parse_ws_ticker(self, msg, market):
        return [self.parse_ticker(t, market) for t in msg["data"] if t["symbol"] == market.id]

    def parse_ws_trades(self, msg, market):
        return [self.parse_trade(t, market) for t in msg["data"] if t["symbol"] == market.id]

    def parse_book_frame(self, msg, market) -> list[BookFrame]:
        return [BookFrame(msg.get("action") == "snapshot", levels(d["bids"]), levels(d["asks"]),
                          seq=int(d["id"]), prev=int(d["lastId"]), timestamp=int(d["ts"]))
                for d in msg["data"] if d["symbol"] == market.id]
