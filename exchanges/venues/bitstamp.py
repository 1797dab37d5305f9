"""Bitstamp: HTTP API v2 and websocket API v2.

Docs: https://www.bitstamp.net/api/ (REST) and https://www.bitstamp.net/websocket/v2/.
Every REST path ends in a slash. Private calls are POSTs with a form body, signed with the X-Auth
v2 headers: a random UUID nonce and a ms timestamp, both signed. The websocket has neither
sequence numbers nor checksums: the local book is a REST snapshot plus `diff_order_book` frames
newer than the snapshot's `microtimestamp`, and a crossed book is the only sign of a lost frame.
"""
from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta, timezone

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST, Endpoint, Pages
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..core.stream import StreamLimits, Topic
from ..numbers import dec, decimals_to_increment, levels, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Bitstamp"]

log = logging.getLogger("exchanges.bitstamp")

# A public trade's `type` is "0 (buy) or 1 (sell)" (https://www.bitstamp.net/api/#tag/
# Transactions-public/operation/GetTransactions; live_trades, https://www.bitstamp.net/websocket/
# v2/); neither page says whose side. Taken as the taker's, as ccxt and tardis.dev take it
# (https://docs.tardis.dev/tardis-machine/tardis-machine-output-data-types: "liquidity taker
# side"); unconfirmed by Bitstamp. Orders' `type` is the order's own side.
_SIDES = {"0": "buy", "1": "sell"}
# order_status: "Open, Finished, Expired or Canceled" (/api/#tag/Orders/operation/GetOrderStatus).
_STATUSES = {"Open": "open", "In Queue": "open", "Cancel pending": "open",
             "Finished": "closed", "Canceled": "canceled", "Expired": "canceled"}


def _private(path: str, **kw) -> Endpoint:
    return POST("/api/v2/" + path, signed=True, **kw)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _stamp(text: str | None) -> int | None:
    """Bitstamp's "2022-01-31 14:43:15[.123456]" (UTC) → ms."""
    # exact: the float of .timestamp() * 1000 can fall a millisecond short
    return (datetime.fromisoformat(text).replace(tzinfo=timezone.utc) - _EPOCH
            ) // timedelta(milliseconds=1) if text else None


def _base_amount(tx: dict, market: Market):
    """A fill's base amount: transactions name amounts by the venue's currency codes ("btc",
    "usd"), and the market id is the two run together ("btcusd")."""
    return next(dec(v) for k, v in tx.items() if market.id.startswith(k)
                and market.id[len(k):] in tx)


class Bitstamp(Exchange):
    id = "bitstamp"
    name = "Bitstamp"
    docs = ("https://www.bitstamp.net/api/", "https://www.bitstamp.net/websocket/v2/")
    hosts = {"rest": "https://www.bitstamp.net", "ws": "wss://ws.bitstamp.net"}
    # "400 requests per second ... default threshold of 10,000 requests per 10 minutes", one
    # limit for every call (no separate order limit is documented): stay under the latter.
    rate_limit = (8000, 600.0)
    # ohlc/ `step`: 60 … 259200 seconds; there is no weekly step.
    timeframes = {"1m": 60, "3m": 180, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600,
                  "2h": 7200, "4h": 14400, "6h": 21600, "12h": 43200, "1d": 86400,
                  "3d": 259200}
    body_format = "form"
    auth = Hmac(prehash="BITSTAMP {key}{method}{host}{path_query}{content_type}{nonce}{stamp}"
                        "v2{body}", stamp="ms", nonce="uuid",
                headers={"X-Auth": "BITSTAMP {key}", "X-Auth-Signature": "{signature}",
                         "X-Auth-Nonce": "{nonce}", "X-Auth-Timestamp": "{stamp}",
                         "X-Auth-Version": "v2"})
    api = {
        "markets": GET("/api/v2/markets/"),
        "tickers": GET("/api/v2/ticker/"),
        "ticker": GET("/api/v2/ticker/{pair}/", params=lambda m: {"pair": m.id}),
        # The whole book, whatever is asked: the base keeps the levels wanted.
        "order_book": GET("/api/v2/order_book/{pair}/", params=lambda m, limit: {"pair": m.id}),
        "ohlcv": GET("/api/v2/ohlc/{pair}/", cap=1000, rows="data.ohlc", params=lambda m, tf,
                     since, limit: {"pair": m.id, "step": tf, "limit": limit or 1000,
                                    "start": since // 1000 if since is not None else None}),
        "trades": GET("/api/v2/transactions/{pair}/",
                      params=lambda m, limit: {"pair": m.id, "time": "hour"}),
        "balance": _private("account_balances/", idempotent=True),
        # buy/{pair}/ places a limit order, buy/market/{pair}/ a market one.
        "create_order": _private("{side}/{kind}{pair}/", params=lambda m, side, type, amount,
                                 price, cid, options: {
            "side": side, "kind": "market/" if type == "market" else "", "pair": m.id,
            "amount": amount, "price": price, "client_order_id": cid}),
        "cancel_order": _private("cancel_order/", params=lambda m, oid: {"id": oid}),
        # order_status/ finds an order by id or client_order_id in any state ("for closed
        # orders ... the last 30 days"); it has neither the limit price nor the order type.
        "order": _private("order_status/", idempotent=True, params=lambda m, oid: {"id": oid}),
        "order_by_client_id": _private("order_status/", idempotent=True,
                                       params=lambda m, cid: {"client_order_id": cid}),
        # No paging and no cap documented; "cached for 10 seconds".
        "open_orders": _private("open_orders/{pair}/", idempotent=True,
                                params=lambda m: {"pair": m.id if m else "all"}),
        # user_transactions/[{market_symbol}/]: deposits, withdrawals and trades (type 2),
        # `limit` "default 100, maximum 1000", `offset`, `sort` asc|desc (default desc),
        # `since_timestamp` (s; "for max 30 days old"). From `since` oldest first, page by
        # offset; without, newest first (/api/#tag/Transactions-private/operation/
        # GetUserTransactionsForMarket).
        "my_trades": _private("user_transactions/{pair}", idempotent=True,
                              paging=Pages("offset", 1000, "limit", "offset", 0),
                              params=lambda m, since, limit: {
                                  "pair": f"{m.id}/" if m else "",
                                  "sort": "desc" if since is None else "asc",
                                  "since_timestamp": since // 1000 if since is not None
                                  else None}),
    }
    # The create reply is {id, market, datetime, type, price, amount, client_order_id}, for a
    # market order too ("price: Price."): it says nothing of what was filled, nor whether `price`
    # is an average. What filled, at what prices, is read from order_status/'s transactions.
    create_returns_state = False
    # API0004 nonce reused, API0005 signature, API0011 key format, API0017 timestamp out of
    # bounds; response codes 400.002 rate limit, 400.009 balance, 400.019 client_order_id taken,
    # 400.020 below the minimum order value. Order calls mostly answer with a reason only.
    errors = {"API0004": E.AuthenticationError, "API0005": E.AuthenticationError,
              "API0011": E.AuthenticationError, "API0017": E.AuthenticationError,
              "400.002": E.RateLimitExceeded, "400.009": E.InsufficientFunds,
              "400.019": E.InvalidOrder, "400.020": E.InvalidOrder}
    error_messages = {
        **dict.fromkeys(("invalid signature", "invalid nonce", "api key not found",
                         "wrong api key format", "authentication failed",
                         "missing key, signature and nonce"), E.AuthenticationError),
        **dict.fromkeys(("ip address not allowed", "no permission found",
                         "your account is frozen", "fatca information",
                         "trading is currently unavailable"), E.PermissionDenied),
        # "Minimum order size is …", "Price is more than 20% above market price.", "Maximum
        # market buy amount at the moment is …", "No buy orders for currency pair …"
        **dict.fromkeys(("minimum order size", "ensure that there are no more than",
                         "price is more than", "maximum market", "orders for currency pair"),
                        E.InvalidOrder),
        "check your account balance": E.InsufficientFunds, "order not found": E.OrderNotFound,
        "invalid currency pair": E.BadSymbol, "rate limit": E.RateLimitExceeded,
        "under scheduled maintenance": E.ExchangeNotAvailable,
        # "Order could not be placed (perhaps due to internal error or trade halt)": it may
        # exist after all, so it is looked up by client id.
        "order could not be placed": E.ExchangeNotAvailable,
    }
    # Websocket: one channel per bts:subscribe; no limits are documented. Bitstamp has no
    # ticker channel: the top of `order_book_` (top 100 levels) updates a REST ticker.
    channels = {"ticker": "order_book", "trades": "live_trades", "book": "diff_order_book"}
    stream_limits = StreamLimits(batch=1)
    ticker_stream_partial = True
    book_snapshot, book_sequence, book_crossed_is_gap = "rest", "time", True

    def error_code(self, reply):
        d = reply.payload
        if not isinstance(d, dict) or (d.get("status") != "error" and "error" not in d):
            return None
        # A reason is a text or field errors: {"__all__": [...], "amount": [...]}.
        texts = [t for part in (d.get("error"), d.get("reason")) if part
                 for v in (part.values() if isinstance(part, dict) else [part])
                 for t in (v if isinstance(v, list) else [v]) if isinstance(t, str) and t]
        return (str(d.get("code") or d.get("response_code") or ""),
                " ".join(texts) or "the venue reported an error")

    # -- parsers -----------------------------------------------------------------------------
    def _market_of(self, pair: str) -> Market | None:
        """A reply's "BTC/USD" (the venue's codes) → our market."""
        base, _, quote = pair.partition("/")
        return self.markets.get(self.symbol_of(base, quote))

    def parse_market(self, r: dict, key=None) -> Market | None:
        if r.get("market_type", "SPOT") != "SPOT":        # no perpetuals
            return None
        base, quote = self.currency(r["base_currency"]), self.currency(r["counter_currency"])
        return Market(f"{base}/{quote}", r["market_symbol"], base, quote,
                      decimals_to_increment(r["counter_decimals"]),
                      decimals_to_increment(r["base_decimals"]),
                      opt_dec(r.get("minimum_order_amount")),
                      opt_dec(r.get("minimum_order_value")), r.get("trading") == "Enabled")

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self._market_of(t["pair"])
        if market is None:
            return None
        volume, vwap = opt_dec(t.get("volume")), opt_dec(t.get("vwap"))
        # "open" is today's (UTC) open; "open_24" is 24 h ago, which the contract means: the
        # day's open is never taken for it (two windows would mix), only kept apart.
        return Ticker(market.symbol, int(t["timestamp"]) * 1000, opt_dec(t.get("bid")),
                      opt_dec(t.get("ask")), opt_dec(t.get("last")), opt_dec(t.get("high")),
                      opt_dec(t.get("low")), opt_dec(t.get("open_24")), volume,
                      volume * vwap if volume is not None and vwap is not None else None,
                      open_today=opt_dec(t.get("open")))

    @staticmethod
    def parse_order_book(reply: dict, market: Market) -> OrderBook:
        micro = int(reply["microtimestamp"])
        return OrderBook(market.symbol, levels(reply["bids"]), levels(reply["asks"]),
                         micro // 1000, micro)

    @staticmethod
    def parse_candle(c: dict) -> Candle:
        return Candle(int(c["timestamp"]) * 1000, dec(c["open"]), dec(c["high"]),
                      dec(c["low"]), dec(c["close"]), dec(c["volume"]))

    @staticmethod
    def parse_trade(r: dict, market: Market) -> Trade:
        return Trade(str(r["tid"]), int(r["date"]) * 1000, _SIDES.get(str(r["type"])),
                     dec(r["price"]), dec(r["amount"]), market.symbol)

    def parse_balance(self, rows: list) -> dict[str, Balance]:
        return {self.currency(r["currency"]): Balance(dec(r["available"]), dec(r["reserved"]),
                                                      dec(r["total"])) for r in rows}

    def parse_placed(self, r: dict, market: Market) -> str:
        return str(r["id"])

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade | None:
        if str(t.get("type")) != "2":          # a deposit, withdrawal, transfer: not a fill
            return None
        # The price is keyed "btc_usd" (the venue's codes), amounts by code, the base signed:
        # negative when sold. No maker/taker flag. The fee is taken as the quote's, as ccxt
        # reads it (the docs say only "Transaction fee").
        pair = next((k for k in t if k.count("_") == 1 and k.replace("_", "") in
                     self.markets_by_id), None)
        market = market or (self.by_id(pair.replace("_", "")) if pair else None)
        if market is None or pair is None:
            return None
        base = _base_amount(t, market)
        return Trade(str(t["id"]), _stamp(t["datetime"]), "buy" if base > 0 else "sell",
                     dec(t[pair]), abs(base), market.symbol, order_id=str(t["order_id"]),
                     fee=opt_dec(t.get("fee")), fee_currency=market.quote)

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self._market_of(o.get("market") or o["currency_pair"])
        if market is None:
            return None
        cid, side = o.get("client_order_id") or None, _SIDES.get(str(o.get("type")))
        if "status" not in o:       # open_orders/: what remains, its price, the amount at create
            left = dec(o["amount"])
            amount = opt_dec(o.get("amount_at_create")) or left
            return Order(str(o["id"]), cid, market.symbol, side, "limit", dec(o["price"]),
                         amount, amount - left, left, "open", _stamp(o["datetime"]))
        # order_status/: the fills (transactions, type 2 = trade) and amount_remaining; it
        # names no order type, so "limit" (create_order keeps the type it sent).
        fills = [(_base_amount(t, market), dec(t["price"]), opt_dec(t.get("fee")))
                 for t in o.get("transactions") or () if str(t.get("type", 2)) == "2"]
        filled = sum((q for q, _, _ in fills), dec(0))
        left = dec(o["amount_remaining"])
        return Order(str(o["id"]), cid, market.symbol, side, "limit", None, filled + left,
                     filled, left, _STATUSES[o["status"]], _stamp(o.get("datetime")),
                     average=sum(q * p for q, p, _ in fills) / filled if filled else None,
                     fee=sum((f for _, _, f in fills if f is not None), dec(0)) if fills else None)

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        order = await super().fetch_order(order_id, symbol)
        if order.status != "open":
            return order
        # order_status/ has no limit price; an open order's open_orders/ entry has it.
        resting = [o for o in await self.fetch_open_orders(symbol) if o.id == order.id]
        return dataclasses.replace(order, price=resting[0].price) if resting else order

    # -- streams -----------------------------------------------------------------------------
    def ws_topic(self, kind, market, depth=None) -> Topic:
        topic = super().ws_topic(kind, market)        # channels are named "live_trades_btcusd"
        return Topic(topic.channel, topic.arg, f"{topic.channel}_{topic.arg}")

    def ws_subscribe(self, channel, args, subscribe):
        return [{"event": "bts:subscribe" if subscribe else "bts:unsubscribe",
                 "data": {"channel": f"{channel}_{a}"}} for a in args]

    def stream_route(self, msg):
        event = msg.get("event")
        if event in ("trade", "data"):
            return msg["channel"]
        if event == "bts:request_reconnect":       # "reconnect within a few seconds"
            log.info("%s: the venue asked for a reconnect", self.id)
            self.hub().force_reconnect()
        elif event == "bts:error":
            data = msg.get("data") or {}
            if msg.get("channel"):
                return self.refused(msg["channel"], str(data.get("message")), data.get("code"))
            log.warning("%s: stream error: %s", self.id, data)
        return None         # bts:subscription_succeeded, heartbeat replies …

    def stream_ping(self) -> dict:
        return {"event": "bts:heartbeat"}

    def parse_ws_ticker(self, msg: dict, market: Market) -> Ticker:
        d = msg["data"]
        return Ticker(market.symbol, int(d["microtimestamp"]) // 1000, *(
            dec(d[side][0][0]) if d[side] else None for side in ("bids", "asks")))

    def parse_ws_trades(self, msg: dict, market: Market) -> Trade:
        d = msg["data"]
        return Trade(str(d["id"]), int(d["microtimestamp"]) // 1000, _SIDES.get(str(d["type"])),
                     dec(d["price_str"]), dec(d["amount_str"]), market.symbol)

    def parse_book_frame(self, msg: dict, market: Market) -> BookFrame:
        # Absolute amounts, 0 deletes a level; a frame not newer than the REST snapshot's
        # microtimestamp is already in it ("time" rule).
        d = msg["data"]
        micro = int(d["microtimestamp"])
        return BookFrame(False, levels(d["bids"]), levels(d["asks"]), seq=micro,
                         timestamp=micro // 1000)
