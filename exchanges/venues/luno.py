"""Luno: REST API 1 (with the exchange/1, /2 and /3 paths) and the streaming API.

Docs: https://www.luno.com/en/developers/api (the reference client, generated from the same
OpenAPI document, is https://github.com/luno/luno-go). Authentication is HTTP basic auth with
the API key id as user name and the key secret as password: no nonce, no signature. Private
POST parameters go in a form body, GET parameters in the query (luno-go `Client.do`).

Streams ("Streaming API" section): the market stream is one websocket per pair,
wss://ws.luno.com/api/1/stream/{pair}, with no subscribe message; its first client frame is
the API key id and secret (market data included: `needs_keys`), its first server frame the
whole order-level book, then updates of trades, a created order and a deleted order, each
with the next sequence number ("out-of-sequence ... must reinitialise": a new connection).
We keep the orders per connection (a trade names only its maker order) and hand the core's
order-level book the orders each frame touched.
"""
from __future__ import annotations

import json
from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST, After
from ..core.auth import Basic
from ..core.book import BookFrame
from ..core.stream import connection
from ..numbers import dec, decimals_to_increment, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Luno"]

_DOCS = "https://www.luno.com/en/developers/api"
# OrderV2/V3 `status`: AWAITING (not yet in the book), PENDING (in the book, maybe partly
# filled), COMPLETE ("no longer in the order book. It has been settled/filled or has been
# cancelled"): filled or canceled is told by `base` against `limit_volume`.
_OPEN = ("AWAITING", "PENDING")


def _pair(m: Market | None) -> str:
    if m is None:        # listtrades: "pair" is required (luno-go ListUserTradesRequest)
        raise E.NotSupported("luno", "the account's trades are listed one market at a time")
    return m.id


def _order_params(m, side, type, amount, price, cid, options):
    if type == "limit":       # POST /api/1/postorder: type BID|ASK, volume, price
        return {"kind": "postorder", "pair": m.id, "type": "BID" if side == "buy" else "ASK",
                "volume": amount, "price": price, "client_order_id": cid,
                "post_only": "true" if options.get("post_only") else None,
                "time_in_force": options.get("time_in_force")}
    # POST /api/1/marketorder: BUY spends `counter_volume` (quote), SELL sells `base_volume`.
    return {"kind": "marketorder", "pair": m.id, "type": side.upper(), "client_order_id": cid,
            **({"counter_volume": options["counter_volume"]} if side == "buy"
               else {"base_volume": amount})}


class Luno(Exchange):
    id = "luno"
    name = "Luno"
    docs = (_DOCS,)
    hosts = {"rest": "https://api.luno.com", "ws": "wss://ws.luno.com"}
    # "Rate Limiting": market data 1 call/s per IP, other calls 1 call/s per customer, "bursts
    # of up to 5"; beyond that HTTP 429 (ErrTooManyRequests).
    rate_limit = (5, 5.0)
    limits = {"public": (5, 5.0), "private": (5, 5.0), "orders": (5, 5.0)}
    # GET /api/exchange/1/candles `duration`: 60 … 604800 seconds (luno-go GetCandlesRequest).
    timeframes = {"1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "3h": 10800,
                  "4h": 14400, "8h": 28800, "1d": 86400, "3d": 259200, "1w": 604800}
    body_format = "form"
    auth = Basic()
    order_options = frozenset({"post_only", "time_in_force"})
    api = {
        "markets": GET("/api/exchange/1/markets", rows="markets"),
        "tickers": GET("/api/1/tickers", rows="tickers"),
        "ticker": GET("/api/1/ticker", params=lambda m: {"pair": m.id}),
        # orderbook_top: "the top 100 bids and asks ... aggregated" by price.
        "order_book": GET("/api/1/orderbook_top", params=lambda m, limit: {"pair": m.id}),
        # Candles are authenticated ("Changelog 2022-06-23"; permission MP_None: any key);
        # `since` is required and "only up to 1000 of the earliest candles are returned".
        "ohlcv": GET("/api/exchange/1/candles", signed=True, cap=1000, rows="candles",
                     params=lambda m, tf, since, limit: {"pair": m.id, "duration": tf,
                                                         "since": since}),
        # "At most 100 trades are returned per call and never trades older than 24h", newest
        # first.
        "trades": GET("/api/1/trades", rows="trades", cap=100,
                      params=lambda m, limit: {"pair": m.id}),
        "balance": GET("/api/1/balance", signed=True, rows="balance"),
        "create_order": POST("/api/1/{kind}", signed=True, params=_order_params),
        "cancel_order": POST("/api/1/stoporder", signed=True,
                             params=lambda m, oid: {"order_id": oid}),
        # GET /api/exchange/3/order: "by order reference or client order ID. Exactly one of
        # the two parameters must be provided", in any state.
        "order": GET("/api/exchange/3/order", signed=True,
                     params=lambda m, oid: {"id": oid}),
        "order_by_client_id": GET("/api/exchange/3/order", signed=True,
                                  params=lambda m, cid: {"client_order_id": cid}),
        # listorders v2: open orders "ordered from newest to oldest", "up to 100 ... by
        # default"; older pages by `created_before` (ms). The largest `limit` is not
        # documented (unconfirmed): 100 a page.
        "open_orders": GET("/api/exchange/2/listorders", signed=True, rows="orders",
                           params=lambda m: {"pair": m.id if m else None},
                           paging=After("created_before", size=100,
                                        key=lambda o: o["creation_timestamp"])),
        # listtrades: "sorted by oldest first", `limit` "default 100" (its maximum is not
        # documented: unconfirmed).
        "my_trades": GET("/api/1/listtrades", signed=True, rows="trades", cap=100,
                         params=lambda m, since, limit: {"pair": _pair(m), "since": since,
                                                         "limit": limit}),
    }
    # -- streams ---------------------------------------------------------------------------
    channels = {"book": "book", "trades": "trades"}
    book_snapshot = "connect"       # the book is the first frame of each connection
    book_sequence = "next"          # "update sequence n can be applied to state n-1"
    # The server's keep-alive interval is not documented (unconfirmed); luno-go's client
    # reads empty frames `""` as keep-alives and pings every minute: silence up to 90 s.
    ws_heartbeat = 90.0
    lacks = {"watch_ticker": "Luno's stream carries the order book and its trades, no ticker "
                             "(https://www.luno.com/en/developers/api#tag/Streaming-API)",
             "watch_tickers": "Luno's stream carries the order book and its trades, no "
                              "ticker (https://www.luno.com/en/developers/api#tag/Streaming-API)"}
    needs_keys = {
        "fetch_ohlcv": "GET /api/exchange/1/candles is authenticated (changelog 2022-06-23)",
        "watch_order_book": "the market stream's first frame is the API key id and secret",
        "watch_trades": "the market stream's first frame is the API key id and secret"}

    create_returns_state = False      # postorder/marketorder answer {"order_id": …} only
    # "Error Codes" section of the docs; replies are {"error": …, "error_code": "Err…"}.
    errors = {
        **dict.fromkeys(("ErrUnauthorised", "ErrApiKeyRevoked"), E.AuthenticationError),
        **dict.fromkeys(("ErrInsufficientPerms", "ErrMarketNotAllowed",
                         "ErrUserNotVerifiedForCurrency", "ErrVerificationLevelTooLow"),
                        E.PermissionDenied),
        **dict.fromkeys(("ErrInsufficientBalance", "ErrInsufficientFunds"),
                        E.InsufficientFunds),
        **dict.fromkeys((
            "ErrAmountTooSmall", "ErrAmountTooBig", "ErrPriceTooHigh", "ErrPriceTooLow",
            "ErrVolumeTooLow", "ErrVolumeTooHigh", "ErrValueTooHigh", "ErrInvalidPrice",
            "ErrInvalidVolume", "ErrInvalidBaseVolume", "ErrInvalidCounterVolume",
            "ErrInvalidOrderSide", "ErrCannotStopUnknownOrNonPendingOrder",
            "ErrCounterDenominationNotAllowed", "ErrPriceDenominationNotAllowed",
            "ErrVolumeDenominationNotAllowed", "ErrDuplicateClientOrderID",
            "ErrInvalidClientOrderId", "ErrNotEnoughLiquidity", "ErrOrderCanceled",
            "ErrPostOnlyNotAllowed", "ErrPostOnlyMode", "ErrStopPriceTooHigh",
            "ErrStopPriceTooLow", "ErrInvalidStopPrice", "ErrInvalidStopDirection",
            "ErrNoTradesToInferStopDirection", "ErrCannotTradeWhileQuoteActive",
            "ErrInvalidOrderRef"), E.InvalidOrder),
        "ErrOrderNotFound": E.OrderNotFound, "ErrInvalidMarketPair": E.BadSymbol,
        "ErrTooManyRequests": E.RateLimitExceeded, "ErrDeadlineExceeded": E.RequestTimeout,
        **dict.fromkeys(("ErrUnderMaintenance", "ErrMarketUnavailable", "ErrInternal"),
                        E.ExchangeNotAvailable),
    }

    def error_code(self, reply):
        d = reply.payload
        if isinstance(d, dict) and d.get("error_code"):
            return str(d["error_code"]), str(d.get("error") or d["error_code"])
        return None

    # One websocket per pair (/api/1/stream/{pair}): a host per market, as Zaif's.
    def stream_host(self, kind, market) -> str:
        return f"ws:{market.id}" if market is not None else "ws"

    def stream_url(self, host: str) -> str:
        base, _, pair = host.partition(":")
        return f"{self.urls[base]}/api/1/stream/{pair}"

    def ws_subscribe(self, channel, args, subscribe):
        return None                 # the URL names the pair; nothing to subscribe

    async def stream_open(self, ws, host):
        creds = self.require_credentials()
        await ws.send_str(json.dumps({"api_key_id": creds.api_key,
                                      "api_key_secret": creds.secret}))

    def stream_closed(self, code, frames):
        # How Luno refuses a key or a pair on the stream is not documented (unconfirmed):
        # closing before the first frame (the book) is taken as that refusal, not retried.
        if frames:
            return None
        return E.PermissionDenied(self.id, "Luno closed the market stream before sending the "
                                           "book: the API key (or the pair) was refused")

    def stream_route(self, msg):
        """Every frame goes to the connection's topics (its pair's book and trades). The
        connection keeps the orders (a trade names only its maker order), so a frame leaves
        here as the orders it touched, with what each has left, and the trades."""
        if not isinstance(msg, dict) or "sequence" not in msg:
            return None             # "" keep-alives
        hub = connection()
        st, seq = hub.venue_state, int(msg["sequence"])
        orders = st.setdefault("orders", {})
        out = {"seq": seq, "time": msg.get("timestamp"), "snapshot": False, "trades": []}
        if "bids" in msg or "asks" in msg:      # the book, first frame of the connection
            orders.clear()
            for side in ("bid", "ask"):
                for o in msg.get(f"{side}s") or ():
                    orders[o["id"]] = (side, dec(o["price"]), dec(o["volume"]))
            st["seq"], out["snapshot"], out["orders"] = seq, True, list(orders.items())
            return list(hub.topics), out
        if "seq" not in st or seq <= st["seq"] or st.get("broken"):
            return None             # before the book, already applied, or after a gap
        if seq != st["seq"] + 1:    # "out-of-sequence ... must reinitialise the state"
            st["broken"] = True
            hub.force_reconnect()
            return None
        st["seq"], touched = seq, {}
        # Applied as luno-go applies them: trades, then the created order, then the deleted.
        for i, t in enumerate(msg.get("trade_updates") or ()):
            oid = t.get("maker_order_id") or t.get("order_id")
            maker, base = orders.get(oid), dec(t["base"])
            if maker is not None:       # "Reduce the outstanding volume" of the maker order
                touched[oid] = orders[oid] = (maker[0], maker[1], maker[2] - base)
            # A trade's side is the taker's: the other side of the maker's resting order.
            side = None if maker is None else "sell" if maker[0] == "bid" else "buy"
            out["trades"].append((str(t.get("sequence") or f"{seq}.{i}"), side,
                                  dec(t["counter"]) / base, base))
        if c := msg.get("create_update"):
            touched[c["order_id"]] = orders[c["order_id"]] = (
                "bid" if c["type"] == "BID" else "ask", dec(c["price"]), dec(c["volume"]))
        if (d := msg.get("delete_update")) and d["order_id"] in orders:
            side, price, _ = orders[d["order_id"]]
            touched[d["order_id"]] = (side, price, Decimal(0))
        for oid, (_, _, left) in touched.items():
            if left <= 0:
                orders.pop(oid, None)
        out["orders"] = list(touched.items())
        return list(hub.topics), out

    def parse_book_frame(self, p, market):
        return BookFrame(p["snapshot"], seq=p["seq"],
                         timestamp=int(p["time"]) if p["time"] is not None else None,
                         orders=[(oid, side, price, left)
                                 for oid, (side, price, left) in p["orders"]])

    def parse_ws_trades(self, p, market):
        return [Trade(tid, int(p["time"]), side, price, amount, market.symbol)
                for tid, side, price, amount in p["trades"]]

    async def _place_order(self, market, side, type, amount, price, client_order_id,
                           **options):
        if type == "market" and side == "buy":
            # A market BUY names the quote to spend ("counter_volume"), not the base to buy:
            # `amount` at the best ask (or at `price` where the caller gives one). It buys
            # `amount` where the best level holds it, less where the book is thinner.
            ask = price or (await self.fetch_ticker(market.symbol)).ask
            if ask is None:
                raise E.InvalidOrder(self.id, f"no ask in {market.symbol} to price a market buy")
            options["counter_volume"] = (amount * ask).normalize()
        return await super()._place_order(market, side, type, amount, price, client_order_id,
                                          **options)

    async def fetch_ohlcv(self, symbol, timeframe="1h", since=None, limit=None):
        if since is None:         # `since` is required: as far back as `limit` candles reach
            since = self.clock() - self.timeframe(timeframe) * 1000 * (limit or 1000)
        return await super().fetch_ohlcv(symbol, timeframe, since, limit)

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, r: dict, key=None) -> Market:
        base, quote = self.currency(r["base_currency"]), self.currency(r["counter_currency"])
        return Market(f"{base}/{quote}", r["market_id"], base, quote,
                      decimals_to_increment(int(r["price_scale"])),
                      decimals_to_increment(int(r["volume_scale"])),
                      opt_dec(r.get("min_volume")), None, r.get("trading_status") == "ACTIVE")

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(t["pair"])
        if market is None:
            return None
        # No high, low or open; `rolling_24_hour_volume` is in the base currency.
        return Ticker(market.symbol, int(t["timestamp"]), opt_dec(t.get("bid")),
                      opt_dec(t.get("ask")), opt_dec(t.get("last_trade")), None, None, None,
                      opt_dec(t.get("rolling_24_hour_volume")), None)

    @staticmethod
    def parse_order_book(reply: dict, market: Market) -> OrderBook:
        def side(rows):
            return [(dec(r["price"]), dec(r["volume"])) for r in rows or ()]
        return OrderBook(market.symbol, side(reply["bids"]), side(reply["asks"]),
                         int(reply["timestamp"]), None)

    @staticmethod
    def parse_candle(c: dict) -> Candle:
        return Candle(int(c["timestamp"]), dec(c["open"]), dec(c["high"]), dec(c["low"]),
                      dec(c["close"]), dec(c["volume"]))

    @staticmethod
    def parse_trade(r: dict, market: Market) -> Trade:
        # PublicTrade.is_buy: "Whether the taker was buying": the taker's side.
        return Trade(str(r["sequence"]), int(r["timestamp"]), "buy" if r["is_buy"] else "sell",
                     dec(r["price"]), dec(r["volume"]), market.symbol)

    def parse_balance(self, rows: list) -> dict[str, Balance]:
        # AccountBalance: `balance`, `reserved` ("locked ... due to open orders") and
        # `unconfirmed`. Taken as ccxt does: `balance` holds the reserved part, so free is
        # balance − reserved (the docs call `balance` "available"; unconfirmed which reading
        # is right). One asset may have several accounts: summed.
        out: dict[str, list[Decimal]] = {}
        for r in rows or ():
            sums = out.setdefault(self.currency(r["asset"]), [dec(0), dec(0)])
            sums[0] += dec(r["balance"])
            sums[1] += dec(r["reserved"])
        return {c: Balance(t - u, u, t) for c, (t, u) in out.items()}

    def parse_placed(self, r: dict, market: Market) -> str:
        return str(r["order_id"])

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(o["pair"])
        if market is None or o.get("pair") not in (None, market.id):
            return None
        filled, volume = dec(o.get("base") or 0), dec(o.get("limit_volume") or 0)
        kind = "market" if o.get("type") == "MARKET" else "limit"
        amount = volume if volume else filled          # a market order: what it filled
        status = ("open" if o["status"] in _OPEN else
                  "closed" if kind == "market" or filled >= amount else "canceled")
        fee = dec(o.get("fee_base") or 0) or dec(o.get("fee_counter") or 0)
        return Order(str(o["order_id"]), o.get("client_order_id") or None, market.symbol,
                     o["side"].lower(), kind, opt_dec(o.get("limit_price")) or None, amount,
                     filled, amount - filled, status, int(o["creation_timestamp"]),
                     average=dec(o["counter"]) / filled if filled else None,
                     fee=fee if filled else None)

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade | None:
        market = market or self.by_id(t["pair"])
        if market is None:
            return None
        # TradeV2: `type` is the account's order (BID/ASK); `is_buy` is the taker's side, so
        # the account was the taker when the two agree.
        mine = "buy" if t["type"] == "BID" else "sell"
        fee_base = dec(t.get("fee_base") or 0)
        return Trade(str(t["sequence"]), int(t["timestamp"]), mine, dec(t["price"]),
                     dec(t["volume"]), market.symbol, str(t["order_id"]),
                     t.get("client_order_id") or None,
                     fee_base or dec(t.get("fee_counter") or 0),
                     market.base if fee_base else market.quote,
                     "taker" if (mine == "buy") == bool(t["is_buy"]) else "maker")
