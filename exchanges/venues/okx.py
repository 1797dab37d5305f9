"""OKX, API v5 (spot): https://www.okx.com/docs-v5/en/ — and OKX US, the same API on its own
hosts.

Every reply is `{"code": "0", "msg": "", "data": [...]}`; order endpoints report each item's own
`sCode`/`sMsg` inside `data`. Private calls carry a base64 HMAC-SHA256 over
timestamp + METHOD + path(?query) + body and the key's passphrase ("REST Authentication").
The public `books` channel sends a snapshot, then deltas chained by `seqId`/`prevSeqId`.
"""
from __future__ import annotations

import re
from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST, After
from ..core.auth import Hmac
from ..core.book import BookFrame, crc32_interleaved
from ..core.stream import StreamLimits
from ..numbers import dec, levels, opt_dec
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["OKX", "OKXUS"]

_CLIENT_ID = re.compile(r"[A-Za-z0-9]{1,32}")     # clOrdId: "up to 32 characters", alphanumeric
_STATUS = {"live": "open", "partially_filled": "open", "filled": "closed",
           "canceled": "canceled", "mmp_canceled": "canceled"}
_LIMIT_TYPES = {"limit", "post_only", "fok", "ioc"}     # OKX's limit orders with a TIF flag
_RECENT_BARS = 1440     # bars /market/candles serves ("the latest 1,440"); older: history-candles
_UNIT_MS = {"m": 60_000, "H": 3_600_000, "D": 86_400_000, "W": 604_800_000,
            "M": 2_678_400_000}


def _bar_ms(bar: str) -> int:
    """A bar's length in ms ("6Hutc" → 6 h)."""
    n = re.match(r"\d+", bar).group()
    return int(n) * _UNIT_MS[bar[len(n)]]


def _open_orders_params(m):
    return {"instType": "SPOT", "instId": m.id} if m else {"instType": "SPOT"}


def _fills_params(m, since, limit):
    return {"instType": "SPOT", "instId": m.id if m else None,
            "begin": since - 1 if since is not None else None}


class OKX(Exchange):
    id = "okx"
    name = "OKX"
    docs = ("https://www.okx.com/docs-v5/en/",)
    hosts = {"rest": "https://www.okx.com", "ws": "wss://ws.okx.com:8443/ws/v5/public"}
    # Each endpoint has its own limit ("Rate Limit: N requests per 2 seconds"): market data
    # 20-100 per IP (20 for tickers and instruments), balance 10, order details and open
    # orders 60, place and cancel 60 each per user: orders never wait behind reads.
    limits = {"public": (20, 2.0), "private": (60, 2.0), "balance": (10, 2.0),
              "orders": (60, 2.0), "fills": (10, 2.0)}
    timeframes = {"1m": "1m", "3m": "3m", "5m": "5m", "15m": "15m", "30m": "30m",
                  "1h": "1H", "2h": "2H", "4h": "4H", "6h": "6Hutc", "12h": "12Hutc",
                  "1d": "1Dutc", "1w": "1Wutc", "1M": "1Mutc"}
    auth = Hmac(prehash="{stamp}{method}{path_query}{body}", digest="base64", stamp="iso",
                headers={"OK-ACCESS-KEY": "{key}", "OK-ACCESS-SIGN": "{signature}",
                         "OK-ACCESS-TIMESTAMP": "{stamp}", "OK-ACCESS-PASSPHRASE": "{passphrase}"})
    api = {
        "markets": GET("/api/v5/public/instruments", rows="data",
                       params=lambda: {"instType": "SPOT"}),
        "tickers": GET("/api/v5/market/tickers", rows="data",
                       params=lambda ms: {"instType": "SPOT"}),
        "ticker": GET("/api/v5/market/ticker", rows="data", params=lambda m: {"instId": m.id}),
        "order_book": GET("/api/v5/market/books", rows="data", cap=400,
                          params=lambda m, limit: {"instId": m.id, "sz": limit}),
        "ohlcv": GET("/api/v5/market/{bars}", rows="data", cap=300),
        "trades": GET("/api/v5/market/trades", rows="data", cap=500,
                      params=lambda m, limit: {"instId": m.id, "limit": limit}),
        "balance": GET("/api/v5/account/balance", signed=True, rows="data", bucket="balance"),
        "create_order": POST("/api/v5/trade/order", signed=True, rows="data"),
        "cancel_order": POST("/api/v5/trade/cancel-order", signed=True, rows="data",
                             params=lambda m, oid: {"instId": m.id, "ordId": oid}),
        "order": GET("/api/v5/trade/order", signed=True, rows="data",
                     params=lambda m, oid: {"instId": m.id, "ordId": oid}),
        # Found in any state: "Either ordId or clOrdId is required"; "If the clOrdId is
        # associated with multiple orders, only the latest one will be returned"
        # (https://www.okx.com/docs-v5/en/#order-book-trading-trade-get-order-details).
        "order_by_client_id": GET("/api/v5/trade/order", signed=True, rows="data",
                                  params=lambda m, cid: {"instId": m.id, "clOrdId": cid}),
        # "The maximum is 100; The default is 100", newest first; older ones with after=<ordId>,
        # "records earlier than the requested ordId"
        # (https://www.okx.com/docs-v5/en/#order-book-trading-trade-get-order-list).
        # orders-history pages the same way (7 days; canceled unfilled orders kept 2 hours);
        # it is not declared: the client-id lookup above is direct.
        "open_orders": GET("/api/v5/trade/orders-pending", signed=True, rows="data",
                           params=_open_orders_params,
                           paging=After("after", key=lambda o: o["ordId"], size=100,
                                        size_param=None)),
        # fills-history: the last 3 months (fills: 3 days), "100 at most", newest first by
        # billId; older with after=<billId>; `begin` filters on ts (whether inclusively is not
        # said: one ms earlier keeps a fill at `since`); 10 requests per 2 s
        # (https://www.okx.com/docs-v5/en/#order-book-trading-trade-get-transaction-details-last-3-months).
        "my_trades": GET("/api/v5/trade/fills-history", signed=True, rows="data", cap=100,
                         bucket="fills", newest_first=True, params=_fills_params,
                         paging=After("after", key=lambda f: f["billId"], size=100)),
    }
    # https://www.okx.com/docs-v5/en/#error-code (50101-50119: key, passphrase, stamp, sign)
    errors = {
        **dict.fromkeys(("50101", "50102", "50103", "50104", "50105", "50106", "50107",
                         "50111", "50112", "50113", "50114", "50119"), E.AuthenticationError),
        **dict.fromkeys(("50100", "50110", "50120"), E.PermissionDenied),
        **dict.fromkeys(("50001", "50013", "50026"), E.ExchangeNotAvailable),
        **dict.fromkeys(("50011", "50061"), E.RateLimitExceeded),
        **dict.fromkeys(("51000", "51016", "51020", "51121"), E.InvalidOrder),
        **dict.fromkeys(("51008", "51131"), E.InsufficientFunds),
        **dict.fromkeys(("51400", "51401", "51402", "51603"), E.OrderNotFound),
        "50004": E.RequestTimeout, "51001": E.BadSymbol, "60018": E.BadSymbol,
        "60012": E.BadResponse,
    }
    error_messages = {"insufficient": E.InsufficientFunds, "does not exist": E.OrderNotFound,
                      "too many requests": E.RateLimitExceeded}
    # Streams ("WebSocket" overview): one subscribe message takes a list of channels (64 KB at
    # most); 480 subscribe/unsubscribe/login messages an hour per connection, so topics go in
    # batches. A connection with nothing pushed for 30 s is closed: we ping every 20 s.
    channels = {"ticker": "tickers", "trades": "trades", "book": "books"}
    stream_limits = StreamLimits(batch=100)
    ws_heartbeat = 30.0
    book_snapshot, book_sequence = "ws", "prev"

    def error_code(self, reply):
        payload = reply.payload
        if not isinstance(payload, dict) or "code" not in payload:
            return None
        # Order endpoints: the item's own sCode says why (code "1"/"2": all/some failed).
        for item in payload.get("data") or ():
            if isinstance(item, dict) and str(item.get("sCode", "0")) != "0":
                return str(item["sCode"]), str(item.get("sMsg") or payload.get("msg") or "")
        code = str(payload["code"])
        return None if code == "0" else (code, str(payload.get("msg") or ""))

    def ohlcv_params(self, m, bar, since, limit):
        limit = limit or 100                        # OKX's default, sent as ccxt does
        params = {"instId": m.id, "bar": bar, "limit": limit, "bars": "candles"}
        if since is not None:
            # `after` pages back from a time, `before` bounds from below: the window from since.
            step = _bar_ms(bar)
            params.update(after=int(since) + step * limit, before=int(since) - 1)
            if int(since) < self.now() - (_RECENT_BARS - 1) * step:
                params["bars"] = "history-candles"  # "history candlestick charts from recent years"
        return params

    def create_order_params(self, m, side, type, amount, price, cid, options):
        if not _CLIENT_ID.fullmatch(cid):
            raise E.InvalidOrder(self.id, "an OKX client order id is 1-32 letters or digits")
        return {"instId": m.id, "tdMode": "cash", "side": side, "ordType": type, "sz": amount,
                "clOrdId": cid, "px": price,
                # tgtCcy: "Only applicable to SPOT Market Orders"; a market buy's sz would
                # otherwise be in the quote currency ("Default is quote_ccy for buy").
                "tgtCcy": "base_ccy" if type == "market" else None}

    # -- parsers -----------------------------------------------------------------------------
    def parse_market(self, r: dict, key=None) -> Market:
        base, quote = self.currency(r["baseCcy"]), self.currency(r["quoteCcy"])
        return Market(f"{base}/{quote}", r["instId"], base, quote, dec(r["tickSz"]),
                      dec(r["lotSz"]), opt_dec(r.get("minSz")), None, r.get("state") == "live")

    def parse_ticker(self, t: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(t["instId"])
        if market is None:
            return None
        return Ticker(market.symbol, int(t["ts"]), opt_dec(t.get("bidPx")),
                      opt_dec(t.get("askPx")), opt_dec(t.get("last")), opt_dec(t.get("high24h")),
                      opt_dec(t.get("low24h")), opt_dec(t.get("open24h")),
                      opt_dec(t.get("vol24h")), opt_dec(t.get("volCcy24h")))

    def parse_order_book(self, rows: list, market: Market) -> OrderBook:
        d = rows[0]
        return OrderBook(market.symbol, levels(d["bids"]), levels(d["asks"]), int(d["ts"]))

    @staticmethod
    def parse_candle(r: list) -> Candle:
        """[ts, o, h, l, c, vol (base), volCcy, volCcyQuote, confirm], newest first."""
        return Candle(int(r[0]), dec(r[1]), dec(r[2]), dec(r[3]), dec(r[4]), dec(r[5]))

    def parse_trade(self, t: dict, market: Market | None) -> Trade | None:
        """REST and websocket trades. `side` is the taker's: "Trade side of taker" in both
        https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-trades and
        https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-trades-channel."""
        market = market or self.by_id(t["instId"])
        if market is None:
            return None
        return Trade(str(t["tradeId"]), int(t["ts"]), t.get("side") or None, dec(t["px"]),
                     dec(t["sz"]), market.symbol)

    def parse_my_trade(self, f: dict, market: Market | None) -> Trade | None:
        market = market or self.by_id(f["instId"])
        if market is None:
            return None
        # fee: "Negative number represents the user transaction fee charged by the platform.
        # Positive number represents rebate"; execType T taker, M maker.
        return Trade(str(f["tradeId"]), int(f.get("fillTime") or f["ts"]), f["side"],
                     dec(f["fillPx"]), dec(f["fillSz"]), market.symbol, order_id=str(f["ordId"]),
                     client_order_id=f.get("clOrdId") or None, fee=-dec(f["fee"]),
                     fee_currency=self.currency(f["feeCcy"]),
                     taker_or_maker={"T": "taker", "M": "maker"}.get(f.get("execType")))

    def parse_balance(self, rows: list) -> dict[str, Balance]:
        out = {}
        for row in rows[0]["details"] if rows else ():
            total = opt_dec(row.get("eq"))
            if total is None:
                total = dec(row["cashBal"])
            free = opt_dec(row.get("availBal"))
            if free is None:
                free = total - dec(row.get("frozenBal") or 0)
            out[self.currency(row["ccy"])] = Balance(free, total - free, total)
        return out

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(o["instId"])
        if market is None:
            return None
        kind = "limit" if o["ordType"] in _LIMIT_TYPES else "market"
        amount, filled = dec(o["sz"]), opt_dec(o.get("accFillSz")) or Decimal(0)
        if kind == "market" and o.get("tgtCcy") == "quote_ccy":
            amount = filled     # sz was in the quote currency; the base amount is what filled
        status = _STATUS.get(o["state"], "open")
        fee = opt_dec(o.get("fee"))
        return Order(str(o["ordId"]), o.get("clOrdId") or None, market.symbol, o["side"], kind,
                     opt_dec(o.get("px")), amount, filled,
                     amount - filled if status == "open" else Decimal(0), status,
                     int(o["cTime"]) if o.get("cTime") else None,
                     average=opt_dec(o.get("avgPx")) or None,
                     fee=-fee if fee is not None else None)     # OKX: negative = charged

    def parse_placed(self, rows: list, market: Market) -> str:
        return rows[0]["ordId"]         # {clOrdId, ordId, sCode, sMsg, tag, ts}

    # -- streams -----------------------------------------------------------------------------
    def stream_ping(self) -> str:
        return "ping"

    def stream_decode(self, data):
        # OKX answers a "ping" text with a bare "pong": the one frame that is not JSON.
        return data if data == "pong" else super().stream_decode(data)

    def ws_subscribe(self, channel, args, subscribe):
        # `id` "will be returned in response message": a refusal finds its topics by it.
        return {"id": str(self.ws_request([f"{channel}:{a}" for a in args])),
                "op": "subscribe" if subscribe else "unsubscribe",
                "args": [{"channel": channel, "instId": a} for a in args]}

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None     # "pong"
        if msg.get("event") == "error":
            keys = self.ws_request_keys(int(msg["id"])) if str(msg.get("id")).isdigit() else ()
            arg = msg.get("arg")
            if not keys and isinstance(arg, dict) and "channel" in arg:
                keys = (f"{arg['channel']}:{arg.get('instId')}",)
            if not keys:    # names no request of ours: the hub logs it
                raise self.error_for(msg.get("code"), msg.get("msg") or "stream error",
                                     "websocket")
            return self.refused(keys, str(msg.get("msg") or ""), msg.get("code"))
        if "data" not in msg or "arg" not in msg:
            return None     # subscribe/unsubscribe acks, notices
        return f"{msg['arg']['channel']}:{msg['arg']['instId']}"

    def parse_ws_ticker(self, msg, market):
        return [self.parse_ticker(t, market) for t in msg["data"]]

    def parse_ws_trades(self, msg, market):
        return [self.parse_trade(t, market) for t in msg["data"]]

    def parse_book_frame(self, msg, market) -> BookFrame:
        d = msg["data"][0]
        # checksum: "(Deprecated) ... its value is fixed to 0"; a non-zero one is still checked.
        return BookFrame(msg.get("action") == "snapshot", levels(d["bids"]), levels(d["asks"]),
                         seq=int(d["seqId"]), prev=int(d["prevSeqId"]),
                         checksum=int(d.get("checksum") or 0) or None, timestamp=int(d["ts"]))

    def book_checksum(self, book) -> int:
        """CRC32 (signed) of the top 25 levels, "bidPx:bidSz:askPx:askSz:…" as sent."""
        return crc32_interleaved(book.top_bids(25), book.top_asks(25), 25)


class OKXUS(OKX):
    """OKX US: the same v5 API on its own hosts; US keys work only there."""

    id = "okxus"
    name = "OKX US"
    hosts = {"rest": "https://us.okx.com", "ws": "wss://wsus.okx.com:8443/ws/v5/public"}
