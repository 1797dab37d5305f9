"""Independent Reserve: the Public/Private REST API and the websocket (trades, order book).

Docs: https://www.independentreserve.com/API (could not be read here); the facts below come from
Independent Reserve's own .NET client (https://github.com/independentreserve/dotNetApiClient,
`src/DotNetClientApi/Client.cs`, `HttpWorker.cs`, `Data/*.cs`, marked "(SDK)") and its websocket
docs (https://github.com/independentreserve/websockets, `orderbook-ticker.md`, "(WS docs)").

Signing (SDK HttpWorker.GetSignature): the JSON body starts with apiKey and nonce; the message is
the full URL, then ",name=value" for every body field in body order; the signature is the
UPPER-case hex HMAC-SHA256 of it with the secret (SHA256, as the dossier says; not SHA512), and
goes into the body as `signature`.
"""
from __future__ import annotations

import json
import math
from datetime import datetime
from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST, Pages
from ..core.auth import Hmac
from ..core.book import BookFrame
from ..core.stream import Topic
from ..numbers import dec, decimals_to_increment, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["IndependentReserve", "signing_message"]

_STATUSES = {"Open": "open", "PartiallyFilled": "open", "Filled": "closed",
             "PartiallyFilledAndCancelled": "canceled", "Cancelled": "canceled",
             "Expired": "canceled", "PartiallyFilledAndExpired": "canceled",
             "Failed": "rejected", "PartiallyFilledAndFailed": "rejected"}
_TYPES = {("limit", "buy"): "LimitBid", ("limit", "sell"): "LimitOffer",
          ("market", "buy"): "MarketBid", ("market", "sell"): "MarketOffer"}


def _ms(text: str | None) -> int | None:
    """"2014-08-05T06:42:11.3032208Z" → ms (fractions beyond µs dropped)."""
    if not text:
        return None
    head, _, frac = text.rstrip("Z").partition(".")
    frac = (frac.split("+")[0] + "000000")[:6]
    return int(datetime.fromisoformat(f"{head}.{frac}+00:00").timestamp() * 1000)


def signing_message(url: str, body: str) -> str:
    """URL, then ",name=value" per body field in order (SDK GetSignature); the JSON body's
    strings as they are, arrays joined by commas."""
    items = json.loads(body, parse_float=str, parse_int=str) if body else {}
    parts = [url]
    for k, v in items.items():
        v = ",".join(map(str, v)) if isinstance(v, list) else "" if v is None else v
        parts.append(f"{k}={v}")
    return ",".join(parts)


def _pair(m: Market) -> dict:
    primary, _, secondary = m.id.partition("-")
    return {"primaryCurrencyCode": primary, "secondaryCurrencyCode": secondary}


class IndependentReserve(Exchange):
    id = "independentreserve"
    name = "Independent Reserve"
    docs = ("https://www.independentreserve.com/API",
            "https://github.com/independentreserve/dotNetApiClient")
    hosts = {"rest": "https://api.independentreserve.com",
             "ws": "wss://websockets.independentreserve.com"}
    # One request a second (the dossier, from the docs page; unconfirmed), as ccxt paces it;
    # counted per kind (as Bit2C does) so an order or a balance never queues behind the one
    # ticker request per market that IR's API needs for a board (not confirmed either way).
    limits = {"public": (1, 1.0), "private": (1, 1.0), "orders": (1, 1.0)}
    auth = Hmac(prehash=lambda f: signing_message(f["url"], f["body"]), algo="sha256",
                digest="HEX", stamp="nonce", body={"apiKey": "{key}", "nonce": "{stamp}"},
                signature_field="signature")
    # GetTradeHistorySummary: hourly summaries only (SDK numberOfHoursInThePastToRetrieve).
    timeframes = {"1h": 1}
    api = {
        "ticker": GET("/Public/GetMarketSummary", params=lambda m: _pair(m)),
        # GetAllOrders: every order with its guid (SDK GetAllOrdersAsync), which the book stream
        # needs to apply its per-order events; GetOrderBook is the same without guids.
        "order_book": GET("/Public/GetAllOrders", params=lambda m, limit: _pair(m)),
        # The largest number of hours is not documented where we could read (240 assumed).
        "ohlcv": GET("/Public/GetTradeHistorySummary", rows="HistorySummaryItems", cap=240),
        # "numberOfRecentTradesToRetrieve": at most 50 (dossier; unconfirmed).
        "trades": GET("/Public/GetRecentTrades", rows="Trades", cap=50, params=lambda m, limit: {
            **_pair(m), "numberOfRecentTradesToRetrieve": limit or 50}),
        "balance": POST("/Private/GetAccounts", signed=True),
        "create_order": POST("/Private/{method}", signed=True),
        "cancel_order": POST("/Private/CancelOrder", signed=True,
                             params=lambda m, oid: {"orderGuid": oid}),
        "order": POST("/Private/GetOrderDetails", signed=True, idempotent=True,
                      params=lambda m, oid: {"orderGuid": oid}),
        # GetOrderDetails also takes the client id (SDK GetOrderDetailsAsync(orderGuid, clientId)).
        "order_by_client_id": POST("/Private/GetOrderDetails", signed=True, idempotent=True,
                                   params=lambda m, cid: {"clientId": cid}),
        # pageIndex from 1, pageSize at most 50 (SDK GetOpenOrdersAsync).
        "open_orders": POST("/Private/GetOpenOrders", signed=True, idempotent=True,
                            rows="Data", params=lambda m: _pair(m) if m else {},
                            paging=Pages("pageIndex", size=50, size_param="pageSize")),
        "my_trades": POST("/Private/GetTrades", signed=True, idempotent=True, rows="Data",
                          params=lambda m, since, limit: {"pageIndex": 1, "pageSize": 50}),
    }
    create_returns_state = False
    cancel_returns_order = True           # CancelOrder answers with the order (SDK BankOrder)
    # {"Message": …} (SDK ErrorMessage: Message, ErrorCode) with a 4xx; the texts are the
    # dossier's (unconfirmed).
    error_messages = {"invalid api key": E.AuthenticationError,
                      "invalid signature": E.AuthenticationError,
                      "invalid nonce": E.AuthenticationError,
                      "insufficient": E.InsufficientFunds,
                      "order not found": E.OrderNotFound, "not found": E.OrderNotFound,
                      "volume must be": E.InvalidOrder, "invalid": E.InvalidOrder}
    # Websocket (WS docs): the "ticker-<crypto>" channel carries trades only; the
    # "orderbook-<crypto>" channel carries each order's NewOrder / OrderChanged / OrderCanceled
    # (by order guid; a new order's price in every fiat), each event numbered by the channel's
    # Nonce ("will increase by exactly 1"; more is a dropped event). No snapshot is streamed:
    # the book starts from GetAllOrders and the events are folded into price levels here.
    lacks = {
        "watch_ticker": "Independent Reserve's websocket 'ticker' channel carries trades, "
                        "not tickers (github.com/independentreserve/websockets)",
        "watch_tickers": "Independent Reserve streams no tickers (its 'ticker' channel "
                         "carries trades)",
    }
    channels = {"trades": "ticker", "book": "orderbook"}
    book_snapshot, book_sequence = "rest", "next"

    def error_code(self, reply):
        d = reply.payload
        if isinstance(d, dict) and "Message" in d and "OrderGuid" not in d:
            return str(d.get("ErrorCode") or ""), str(d["Message"])
        return None

    async def _fetch_markets(self) -> list[Market]:
        primaries = await self.request("GET", "/Public/GetValidPrimaryCurrencyCodes")
        secondaries = await self.request("GET", "/Public/GetValidSecondaryCurrencyCodes")
        minimums = await self.request("GET", "/Public/GetOrderMinimumVolumes")
        config = {c["Code"]: c for c in await self.request("GET",
                                                           "/Public/GetPrimaryCurrencyConfig")}
        return [self.parse_market((p, s, minimums.get(p), config.get(p)))
                for p in primaries for s in secondaries]

    async def fetch_tickers(self, symbols=None):
        # No endpoint gives every market's summary: one GetMarketSummary per market.
        await self.load_markets()
        wanted = symbols or [m.symbol for m in self.markets.values() if m.active]
        return {s: await self.fetch_ticker(s) for s in wanted}

    # -- request parameters --------------------------------------------------------------------
    def ohlcv_params(self, m, tf, since, limit):
        hours = limit or 24
        if since is not None:
            hours = max(hours, math.ceil((self.clock() - since) / 3_600_000))
        return {**_pair(m), "numberOfHoursInThePastToRetrieve": min(hours, 240)}

    def create_order_params(self, m, side, type, amount, price, cid, options):
        p = {"method": "PlaceLimitOrder" if type == "limit" else "PlaceMarketOrder", **_pair(m),
             "orderType": _TYPES[type, side]}
        if type == "limit":
            p["price"] = price
        return {**p, "volume": amount, "clientId": cid}

    # -- parsers -------------------------------------------------------------------------------
    def parse_market(self, row, key=None) -> Market:
        primary, secondary, minimum, cfg = row
        places = (cfg or {}).get("DecimalPlaces") or {}
        base, quote = self.currency(primary), self.currency(secondary)
        active = bool(cfg) and cfg.get("IsTradeEnabled", True) and not cfg.get("IsDelisted")
        return Market(f"{base}/{quote}", f"{primary}-{secondary}", base, quote,
                      decimals_to_increment(int(places.get("OrderSecondaryCurrency", 2))),
                      decimals_to_increment(int(places.get("OrderPrimaryCurrency", 8))),
                      opt_dec(minimum), None, active)

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        if market is None:
            return None
        # DayVolumeXbt is the primary currency's 24 h volume whatever the coin (SDK name).
        return Ticker(market.symbol, _ms(t.get("CreatedTimestampUtc")),
                      opt_dec(t.get("CurrentHighestBidPrice")),
                      opt_dec(t.get("CurrentLowestOfferPrice")), dec(t["LastPrice"]),
                      opt_dec(t.get("DayHighestPrice")), opt_dec(t.get("DayLowestPrice")), None,
                      opt_dec(t.get("DayVolumeXbt")), None)

    def parse_order_book(self, r: dict, market: Market) -> OrderBook:
        """Orders summed into price levels; their guids kept for the book stream's events."""
        orders, levels = {}, {"bid": {}, "ask": {}}
        for key, side in (("BuyOrders", "bid"), ("SellOrders", "ask")):
            for o in r.get(key) or ():
                price, volume = dec(o["Price"]), dec(o["Volume"])
                levels[side][price] = levels[side].get(price, Decimal(0)) + volume
                if o.get("Guid"):
                    orders[str(o["Guid"])] = (side, price, volume)
        self._book_orders[market.id] = (orders, levels)
        return OrderBook(market.symbol, sorted(levels["bid"].items(), reverse=True),
                         sorted(levels["ask"].items()), _ms(r.get("CreatedTimestampUtc")), None)


    @staticmethod
    def parse_candle(c: dict) -> Candle:
        return Candle(_ms(c["StartTimestampUtc"]), dec(c["OpeningSecondaryCurrencyPrice"]),
                      dec(c["HighestSecondaryCurrencyPrice"]),
                      dec(c["LowestSecondaryCurrencyPrice"]),
                      dec(c["ClosingSecondaryCurrencyPrice"]), dec(c["PrimaryCurrencyVolume"]))

    @staticmethod
    def parse_trade(t: dict, market: Market) -> Trade:
        # Recent trades carry no id and no side (SDK Data/Trade.cs): the id is made of the
        # time, price and amount, which is unique enough to order and de-duplicate them.
        ms = _ms(t["TradeTimestampUtc"])
        price, amount = dec(t["SecondaryCurrencyTradePrice"]), dec(t["PrimaryCurrencyAmount"])
        return Trade(f"{ms}:{price}:{amount}", ms, None, price, amount, market.symbol)

    def parse_balance(self, rows: list) -> dict[str, Balance]:
        out = {}
        for a in rows:
            free, total = dec(a["AvailableBalance"]), dec(a["TotalBalance"])
            out[self.currency(a["CurrencyCode"])] = Balance(free, total - free, total)
        return out

    def parse_placed(self, r: dict, market: Market):
        return str(r["OrderGuid"])

    def _market_of(self, o: dict) -> Market | None:
        return self.by_id(f"{o.get('PrimaryCurrencyCode')}-{o.get('SecondaryCurrencyCode')}")

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self._market_of(o)
        if market is None or self._market_of(o) not in (None, market):
            return None
        kind = o.get("Type") or o.get("OrderType") or ""
        side = "buy" if kind.endswith("Bid") else "sell"
        if "VolumeOrdered" in o:                    # BankOrder (details, placed, canceled)
            amount, filled = dec(o["VolumeOrdered"]), dec(o.get("VolumeFilled") or 0)
        else:                                       # BankHistoryOrder (listings)
            amount = dec(o["Volume"])
            filled = amount - dec(o["Outstanding"] if o.get("Outstanding") is not None else 0)
        status = _STATUSES.get(o.get("Status"), "open")
        # ClientId: the websocket docs name it so; REST listings echoing it is unconfirmed.
        return Order(str(o["OrderGuid"]), o.get("ClientId") or None, market.symbol, side,
                     "market" if kind.startswith("Market") else "limit",
                     opt_dec(o.get("Price")) if kind.startswith("Limit") else None, amount,
                     filled, amount - filled if status == "open" else Decimal(0)
                     if kind.startswith("Market") else amount - filled, status,
                     _ms(o.get("CreatedTimestampUtc")))

    def parse_my_trade(self, t: dict, market: Market | None) -> Trade | None:
        market = market or self._market_of(t)
        if market is None or self._market_of(t) != market:
            return None
        side = "buy" if str(t.get("OrderType", "")).endswith("Bid") else "sell"
        maker = {"Maker": "maker", "Taker": "taker"}.get(t.get("TradeSide"))
        return Trade(str(t["TradeGuid"]), _ms(t["TradeTimestampUtc"]), side, dec(t["Price"]),
                     dec(t["VolumeTraded"]), market.symbol, str(t["OrderGuid"]), None, None,
                     None, maker)

    # -- streams -------------------------------------------------------------------------------
    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._book_orders = {}      # market id → ({guid: (side, price, volume)}, levels)

    def ws_topic(self, kind, market, depth=None):
        if kind not in self.channels:
            raise E.NotSupported(self.id, f"streaming {kind} is not supported")
        channel = f"{self.channels[kind]}-{market.id.partition('-')[0].lower()}"
        return Topic(channel, "", channel)

    def ws_subscribe(self, channel, args, subscribe):
        self._last_ws_channel = channel
        return {"Event": "Subscribe" if subscribe else "Unsubscribe", "Data": [channel]}

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        if msg.get("Event") == "Error":
            # "If you get an Error event when subscribing, check the error data field".
            return self.refused([getattr(self, "_last_ws_channel", "")], str(msg.get("Data")))
        if msg.get("Event") in ("Trade", "NewOrder", "OrderChanged", "OrderCanceled") and \
                msg.get("Channel"):
            return msg["Channel"], msg
        return None                 # Subscriptions, Heartbeat

    def parse_ws_trades(self, msg: dict, market: Market) -> list[Trade]:
        d = msg["Data"]
        # Prices per fiat, keyed "Aud"/"aud" (both spellings appear in the WS docs).
        prices = {k.lower(): v for k, v in (d.get("Price") or {}).items()}
        price = prices.get(market.id.partition("-")[2].lower())
        if price is None:
            return []
        # Side: Buy or Sell (WS docs; taken as the taker's, not said there).
        return [Trade(str(d["TradeGuid"]), int(msg["Time"]), str(d.get("Side", "")).lower()
                      or None, dec(price), dec(d["Volume"]), market.symbol)]

    def parse_book_frame(self, msg: dict, market: Market) -> BookFrame:
        """One order event → the price level it changes, as its new total."""
        orders, levels = self._book_orders.setdefault(market.id, ({}, {"bid": {}, "ask": {}}))
        d, event = msg["Data"], msg["Event"]
        guid = str(d["OrderGuid"])
        old = orders.pop(guid, None)
        new = None
        if event == "NewOrder":
            prices = {k.lower(): v for k, v in (d.get("Price") or {}).items()}
            fiat = market.id.partition("-")[2].lower()
            if prices.get(fiat) is not None:
                side = "bid" if str(d["OrderType"]).endswith("Bid") else "ask"
                new = (side, dec(prices[fiat]), dec(d["Volume"]))
        elif event == "OrderChanged" and old is not None:
            new = (old[0], old[1], dec(d["Volume"]))
        touched = []
        for entry, sign in ((old, -1), (new, 1)):
            if entry is not None:
                side, price, volume = entry
                levels[side][price] = levels[side].get(price, Decimal(0)) + sign * volume
                touched.append((side, price))
        if new is not None and new[2]:
            orders[guid] = new
        changes = {"bid": [], "ask": []}
        for side, price in dict.fromkeys(touched):
            total = levels[side].get(price, Decimal(0))
            if total <= 0:
                levels[side].pop(price, None)
            changes[side].append((price, max(total, Decimal(0))))
        return BookFrame(False, changes["bid"], changes["ask"], seq=int(msg["Nonce"]),
                         timestamp=msg.get("Time"))
