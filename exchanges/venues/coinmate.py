"""Coinmate: REST API and websocket v2 (a small CZK/EUR venue).

Docs: https://coinmate.docs.apiary.io (the apiary blueprint; examples in
https://github.com/coinmate-io/coinmate-api-examples). Facts below are the blueprint's as the
dossier and ccxt's coinmate.ts (which cites each blueprint section) agree on; where only one
of them says it, the comment says "unconfirmed".

Signing ("Authentication"): every private call is a form-encoded POST carrying clientId (the
account id: Credentials.uid), publicKey, a strictly increasing nonce and signature = upper-case
hex HMAC-SHA256(private key, nonce + clientId + publicKey). The call's own parameters are not
signed.
"""
from __future__ import annotations

import random

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..numbers import dec, decimals_to_increment, opt_dec
from ..types import Balance, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Coinmate"]

_STATUSES = {"OPEN": "open", "PARTIALLY_FILLED": "open", "FILLED": "closed",
             "CANCELLED": "canceled"}


def _levels(rows) -> list:
    return [(dec(r["price"]), dec(r["amount"])) for r in rows or ()]


def _place_params(m, side, type, amount, price, cid, options):
    # buyLimit/sellLimit {amount, price}; buyInstant {total: quote}; sellInstant {amount}.
    if type == "market" and side == "buy":
        return {"total": options["quote_amount"], "currencyPair": m.id, "clientOrderId": cid}
    return {"amount": amount, "price": price, "currencyPair": m.id, "clientOrderId": cid}


class Coinmate(Exchange):
    id = "coinmate"
    market_buy_in_quote = True         # a market buy names the quote to spend
    name = "Coinmate"
    docs = ("https://coinmate.docs.apiary.io/",)
    hosts = {"rest": "https://coinmate.io", "ws": "wss://coinmate.io/api/websocket"}
    # "Request limits": at most 100 requests per minute, else the IP is banned.
    rate_limit = (100, 60.0)
    body_format = "form"
    auth = Hmac(prehash="{stamp}{uid}{key}", digest="HEX", stamp="nonce",
                body={"clientId": "{uid}", "publicKey": "{key}", "nonce": "{stamp}"},
                signature_field="signature")
    lacks = {"fetch_ohlcv": "Coinmate's API has no candle endpoint "
                            "(https://coinmate.docs.apiary.io/, public: ticker, orderBook, "
                            "transactions only)"}
    api = {
        "markets": GET("/api/tradingPairs", rows="data"),
        "tickers": GET("/api/tickerAll", rows="data", keyed=True),
        "ticker": GET("/api/ticker", rows="data",
                      params=lambda m: {"currencyPair": m.id}),
        "order_book": GET("/api/orderBook", rows="data", params=lambda m, limit: {
            "currencyPair": m.id, "groupByPriceLimit": "False"}),
        # The trades of the last `minutesIntoHistory` minutes (no count parameter).
        "trades": GET("/api/transactions", rows="data", params=lambda m, limit: {
            "minutesIntoHistory": 60, "currencyPair": m.id}),
        "balance": POST("/api/balances", signed=True, rows="data"),
        "create_order": POST("/api/{side}", signed=True, rows="data",
                             params=lambda m, side, type, amount, price, cid, options: {
                                 "side": side + ("Instant" if type == "market" else "Limit"),
                                 **_place_params(m, side, type, amount, price, cid, options)}),
        "cancel_order": POST("/api/cancelOrderWithInfo", signed=True, rows="data",
                             params=lambda m, oid: {"orderId": oid}),
        "order": POST("/api/orderById", signed=True, rows="data",
                      params=lambda m, oid: {"orderId": oid}),
        # "Get order by clientOrderId": every order carrying that client id (a list).
        "order_by_client_id": POST("/api/order", signed=True, rows="data", idempotent=True,
                                   params=lambda m, cid: {"clientOrderId": cid}),
        "open_orders": POST("/api/openOrders", signed=True, rows="data", idempotent=True,
                            params=lambda m: {"currencyPair": m.id} if m else {}),
        "my_trades": POST("/api/tradeHistory", signed=True, rows="data", idempotent=True,
                          cap=1000, params=lambda m, since, limit: {
                              "limit": limit or 1000, "currencyPair": m.id if m else None,
                              "timestampFrom": since}),
    }
    # A limit order's reply is its id alone ("data": 12345); a market one's fills are read.
    create_returns_state = False
    # {"error": true, "errorMessage": "…", "data": null} with HTTP 200; no codes, only texts
    # (ccxt's table, from the blueprint's error examples).
    error_exact = {"no order with given id": E.OrderNotFound}
    error_messages = {"not enough account balance": E.InsufficientFunds,
                      "incorrect order id": E.InvalidOrder,
                      "minimum order size": E.InvalidOrder,
                      "max allowed precision": E.InvalidOrder,
                      "too many requests": E.RateLimitExceeded,
                      "access denied": E.AuthenticationError,
                      "invalid currency pair": E.BadSymbol}
    # Websocket v2 ("Websocket"): order_book-{pair} frames are the whole current book (bids
    # and asks of {price, amount}) with no sequence or checksum; each replaces the last.
    channels = {"ticker": "statistics", "trades": "trades", "book": "order_book"}
    book_snapshot, book_sequence = "ws", None

    def error_code(self, reply):
        d = reply.payload
        if isinstance(d, dict) and d.get("error") is True:
            return "", str(d.get("errorMessage") or "error")
        return None

    def new_client_order_id(self) -> str:
        # clientOrderId is a number the client chooses (blueprint "Buy limit order"; its
        # range is not stated: unconfirmed; 15 digits stay inside a 64-bit long).
        return str(random.SystemRandom().randrange(10**14, 10**15))


    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, r: dict, key=None) -> Market:
        base, quote = self.currency(r["firstCurrency"]), self.currency(r["secondCurrency"])
        return Market(f"{base}/{quote}", r["name"], base, quote,
                      decimals_to_increment(int(r["priceDecimals"])),
                      decimals_to_increment(int(r["lotDecimals"])),
                      opt_dec(r.get("minAmount")), None, True)

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        if market is None:
            return None
        # timestamp in seconds; `amount` the 24 h base volume (ccxt's recorded reply).
        return Ticker(market.symbol, int(t["timestamp"]) * 1000 if t.get("timestamp") else None,
                      opt_dec(t.get("bid")), opt_dec(t.get("ask")), dec(t["last"]),
                      opt_dec(t.get("high")), opt_dec(t.get("low")), opt_dec(t.get("open")),
                      opt_dec(t.get("amount")), None)

    @staticmethod
    def parse_order_book(r: dict, market: Market) -> OrderBook:
        ts = r.get("timestamp")
        return OrderBook(market.symbol, _levels(r["bids"]), _levels(r["asks"]),
                         int(ts) * 1000 if ts else None, None)

    @staticmethod
    def parse_trade(r: dict, market: Market) -> Trade:
        # tradeType BUY/SELL: taken as the taker's side as ccxt does; the blueprint does not
        # say whose side it is (unconfirmed).
        return Trade(str(r["transactionId"]), int(r["timestamp"]),
                     str(r["tradeType"]).lower(), dec(r["price"]), dec(r["amount"]),
                     market.symbol)

    def parse_balance(self, rows: dict) -> dict[str, Balance]:
        return {self.currency(c): Balance(dec(b["available"]), dec(b["reserved"]),
                                          dec(b["balance"])) for c, b in rows.items()}

    def parse_placed(self, reply, market):
        return str(reply) if isinstance(reply, (int, str)) and str(reply).isdigit() else None

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = self.by_id(o["currencyPair"]) if o.get("currencyPair") else market
        if market is None:
            return None
        # Open orders give the remaining `amount`; orderById gives originalAmount and
        # remainingAmount (ccxt's recorded examples).
        left = dec(o.get("remainingAmount", o.get("amount")))
        amount = dec(o.get("originalAmount") or left)
        status = _STATUSES.get(o.get("status") or "OPEN", "open")
        kind = "market" if o.get("orderTradeType") == "MARKET" else "limit"
        cid = o.get("clientOrderId")
        return Order(str(o["id"]), str(cid) if cid is not None else None, market.symbol,
                     str(o["type"]).lower(), kind,
                     opt_dec(o.get("price")) if kind == "limit" else None, amount,
                     amount - left, left, status, int(o["timestamp"]))

    def parse_my_trade(self, r: dict, market: Market | None) -> Trade | None:
        market = self.by_id(r["currencyPair"]) or market
        if market is None:
            return None
        return Trade(str(r["transactionId"]), int(r["createdTimestamp"]),
                     str(r["type"]).lower(), dec(r["price"]), dec(r["amount"]), market.symbol,
                     str(r["orderId"]), None, opt_dec(r.get("fee")), market.quote,
                     str(r.get("feeType", "")).lower() or None)

    # -- streams -----------------------------------------------------------------------------
    def ws_subscribe(self, channel, args, subscribe):
        self._last_ws = [f"{channel}-{a}" for a in args]
        return [{"event": "subscribe" if subscribe else "unsubscribe",
                 "data": {"channel": f"{channel}-{a}"}} for a in args]

    def ws_topic(self, kind, market, depth=None):
        from ..core.stream import Topic
        topic = super().ws_topic(kind, market, depth)
        return Topic(topic.channel, topic.arg, key=f"{topic.channel}-{topic.arg}")

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        if msg.get("event") == "data":
            return msg.get("channel"), msg.get("payload")
        if msg.get("event") == "error":
            # {"event": "error", "message": "…"} names no channel: the last asked is refused.
            return self.refused(getattr(self, "_last_ws", ()), str(msg.get("message")))
        return None         # subscribe_success, ping, pong

    def parse_ws_ticker(self, p: dict, market: Market) -> Ticker:
        # statistics-{pair}: lastRealizedTrade, highest, lowest, volume, dailyChange (field
        # names from the dossier's reading of the blueprint; unconfirmed elsewhere).
        return Ticker(market.symbol, None, None, None, dec(p["lastRealizedTrade"]),
                      opt_dec(p.get("highest")), opt_dec(p.get("lowest")), None,
                      opt_dec(p.get("volume")), None)

    def parse_ws_trades(self, rows, market: Market) -> list[Trade]:
        # trades-{pair}: [{date (ms), price, amount, type BUY|SELL, …}] (unconfirmed shape).
        return [Trade(str(r.get("buyOrderId", "")) + "-" + str(r.get("sellOrderId", "")),
                      int(r["date"]), str(r.get("type", "")).lower() or None, dec(r["price"]),
                      dec(r["amount"]), market.symbol) for r in rows]

    def parse_book_frame(self, p: dict, market: Market) -> BookFrame:
        return BookFrame(True, _levels(p.get("bids")), _levels(p.get("asks")))
