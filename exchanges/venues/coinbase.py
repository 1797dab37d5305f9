"""Coinbase Advanced Trade: REST /api/v3/brokerage and the market-data websocket.

Docs: https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/introduction and
https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels.
Public data comes from the unauthenticated `/market/...` mirrors. Private calls carry a fresh
JWT per request signed with the CDP API key (see `cdp_key`). The seed id "gdax" opens this.

Coinbase runs a USD pair and its USDC twin on one book: BTC-USDC carries `alias: "BTC-USD"`
(and shows `quote_display_symbol: "USD"`), BTC-USD carries `alias_to: ["BTC-USDC"]`. Both are
markets of their own (symbols from the currency ids, orders go to the product asked for);
streams subscribe the book's product, and `shared_book()` tells the app which pairs share one.
"""
from __future__ import annotations

import base64
import binascii
import logging
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from .. import errors as E
from ..core.adapter import Exchange
from ..core.api import GET, POST, Cursor
from ..core.auth import Jwt
from ..core.book import BookFrame
from ..core.stream import StreamLimits, Topic
from ..numbers import dec, opt_dec, round_to, wire
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

__all__ = ["Coinbase", "cdp_key", "iso_ms"]

log = logging.getLogger("exchanges.coinbase")

API = "/api/v3/brokerage"
_EPOCH, _MS = datetime(1970, 1, 1, tzinfo=timezone.utc), timedelta(milliseconds=1)
_STATUS = {"OPEN": "open", "PENDING": "open", "QUEUED": "open", "CANCEL_QUEUED": "open",
           "FILLED": "closed", "CANCELLED": "canceled", "EXPIRED": "canceled",
           "FAILED": "rejected"}
# Candle granularities: the Granularity enum of Coinbase's own generated SDKs (advanced-sdk-ts
# src/rest/types/common-types.ts, advanced-sdk-java Granularity.java) and ccxt's timeframes
# list no FOUR_HOUR, only ONE_MINUTE … TWO_HOUR, SIX_HOUR, ONE_DAY. Reference: https://docs.cdp.
# coinbase.com/api-reference/advanced-trade-api/rest-api/public/get-public-product-candles
_SECONDS = {"ONE_MINUTE": 60, "FIVE_MINUTE": 300, "FIFTEEN_MINUTE": 900, "THIRTY_MINUTE": 1800,
            "ONE_HOUR": 3600, "TWO_HOUR": 7200, "SIX_HOUR": 21600, "ONE_DAY": 86400}
# Public market trades (REST `…/ticker` and the market_trades channel) carry the MAKER's side,
# as on Coinbase Exchange ("the side field indicates the maker order side"). The Advanced Trade
# reference does not say; a recorded reply shows it (nautilus_trader crates/adapters/coinbase/
# test_data/http_ticker.json: two "SELL" prints at the best ask 68923.67, i.e. takers buying),
# and nautilus_trader's adapter inverts it for the aggressor. The tape shows the taker.
_TAKER = {"BUY": "sell", "SELL": "buy"}
JWT_LIFETIME = 120          # seconds, as the API key authentication docs prescribe
KEY_FORMS = "an EC private key in PEM (ES256), or an Ed25519 key as base64 or PKCS8 PEM (EdDSA)"


def cdp_key(secret: str):
    """(signing key, JWT algorithm) of a CDP API secret in any form the portal issues: EC PEM
    (ES256), Ed25519 raw base64 (32-byte seed, or 64-byte seed||public key) or PKCS8 PEM
    (EdDSA), as the official SDK (coinbase-advanced-py 1.8.3, jwt_generator.py) reads them."""
    text = secret.strip().replace("\\n", "\n")    # a PEM pasted from JSON keeps its "\n"s
    if text.startswith("-----BEGIN"):
        key = load_pem_private_key(text.encode(), password=None)
    else:
        raw = base64.b64decode("".join(text.split()), validate=True)
        if len(raw) not in (32, 64):
            raise ValueError(f"an Ed25519 key is 32 or 64 bytes, not {len(raw)}")
        key = ed25519.Ed25519PrivateKey.from_private_bytes(raw[:32])
        if len(raw) == 64 and key.public_key().public_bytes_raw() != raw[32:]:
            raise ValueError("the key's public half does not belong to its seed")
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key, "EdDSA"
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return key, "ES256"
    raise ValueError("not a P-256 EC or Ed25519 key")


def iso_ms(text: str | None) -> int | None:
    """'2023-02-09T20:32:50.714964855Z' → integer ms (digits past microseconds dropped)."""
    return (datetime.fromisoformat(text) - _EPOCH) // _MS if text else None


def _rfc3339(ms: int) -> str:
    return (_EPOCH + ms * _MS).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _open_from_change(last: Decimal | None, percent, increment: Decimal) -> Decimal | None:
    """The 24 h open implied by the last price and the venue's percent change."""
    pct = opt_dec(percent.rstrip("%") if isinstance(percent, str) else percent)
    if last is None or pct is None or pct == -100:
        return None
    return round_to(last * 100 / (100 + pct), increment)


def _order_body(m, side, type, amount, price, cid, options):
    conf = ({"limit_limit_gtc": {"base_size": wire(amount), "limit_price": wire(price),
                                 "post_only": False}} if type == "limit"
            else {"market_market_ioc": {"base_size": wire(amount)}})
    # client_order_id is Coinbase's idempotency key: the same id again returns the first order.
    return {"client_order_id": cid, "product_id": m.id, "side": side.upper(),
            "order_configuration": conf}


def _jwt_claims(ex, request, fields: dict) -> dict:
    # `uri` names the host the request goes to (an override's host:port in tests and proxies).
    now = ex.now() // 1000
    return {"sub": ex.credentials.api_key, "iss": "cdp", "nbf": now, "exp": now + JWT_LIFETIME,
            "uri": f"{request.method} {fields['host']}{request.path}"}


def _cursor(reply: dict):
    return reply.get("cursor") if reply.get("has_next") else None


class Coinbase(Exchange):
    id = "coinbase"
    name = "Coinbase Advanced"
    docs = ("https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/introduction",
            "https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/"
            "websocket-channels")
    hosts = {"rest": "https://api.coinbase.com", "ws": "wss://advanced-trade-ws.coinbase.com"}
    # Public endpoints 10 requests/s per IP, private 30/s per key (REST rate limits page).
    limits = {"public": (10, 1.0), "private": (30, 1.0)}
    timeframes = dict(zip(("1m", "5m", "15m", "30m", "1h", "2h", "6h", "1d"), _SECONDS))
    auth = Jwt(claims=_jwt_claims, key=lambda ex: ex.signing_key(),
               headers=lambda ex, r: {"kid": ex.credentials.api_key,
                                      "nonce": secrets.token_hex(16), "typ": "JWT"})
    # A token whose nbf/exp disagree with Coinbase's clock is refused with 401 before anything
    # is done: the base then re-measures the offset (GET /time) and sends once more.
    clock_errors = frozenset({"401", "UNAUTHENTICATED", "unauthorized"})
    api = {
        "server_time": GET(f"{API}/time"),
        "markets": GET(f"{API}/market/products", rows="products",
                       params=lambda: {"product_type": "SPOT"}),
        "tickers": GET(f"{API}/market/products", rows="products", params=lambda ms: [
            ("product_type", "SPOT"), *[("product_ids", m.id) for m in ms or ()]]),
        "ticker": GET(f"{API}/market/products/{{product_id}}",
                      params=lambda m: {"product_id": m.id}),
        "quote": GET(f"{API}/market/products/{{product_id}}/ticker",
                     params=lambda m: {"product_id": m.id, "limit": 1}),
        "best_bid_ask": GET(f"{API}/best_bid_ask", signed=True, rows="pricebooks",
                            params=lambda ms: [("product_ids", m.id) for m in ms]),
        "order_book": GET(f"{API}/market/product_book", rows="pricebook",
                          params=lambda m, limit: {"product_id": m.id, "limit": limit}),
        "ohlcv": GET(f"{API}/market/products/{{product_id}}/candles", cap=350, rows="candles"),
        "trades": GET(f"{API}/market/products/{{product_id}}/ticker", rows="trades",
                      params=lambda m, limit: {"product_id": m.id, "limit": limit or 100}),
        "balance": GET(f"{API}/accounts", signed=True, rows="accounts",
                       params=lambda: {"limit": 250}, paging=Cursor("cursor", _cursor)),
        "create_order": POST(f"{API}/orders", signed=True, params=_order_body),
        "cancel_order": POST(f"{API}/orders/batch_cancel", signed=True,
                             params=lambda m, oid: {"order_ids": [oid]}),
        "order": GET(f"{API}/orders/historical/{{order_id}}", signed=True, rows="order",
                     params=lambda m, oid: {"order_id": oid}),
        # List Orders pages with `cursor` while `has_next`; every open order, page by page.
        "open_orders": GET(f"{API}/orders/historical/batch", signed=True, rows="orders",
                           paging=Cursor("cursor", _cursor), params=lambda m: [
                               ("order_status", "OPEN"), *([("product_ids", m.id)] if m else [])]),
        # No lookup by client id: the product's newest orders in any state (a market order is
        # filled at once); the order just sent is among them.
        "order_by_client_id": GET(f"{API}/orders/historical/batch", signed=True, rows="orders",
                                  params=lambda m, cid: [("product_ids", m.id), ("limit", 100)]),
        # List Fills: newest first, the next page by `cursor` ("" at the end); from
        # `start_sequence_timestamp`, which is not the trade time the fills carry: a minute
        # before `since` is asked, the core keeps trade times from `since`
        # (https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/orders/list-fills).
        "my_trades": GET(f"{API}/orders/historical/fills", signed=True, rows="fills",
                         newest_first=True, paging=Cursor("cursor", lambda r: r.get("cursor")),
                         params=lambda m, since, limit: [
                             *([("product_ids", m.id)] if m else []), ("limit", 100),
                             *([("start_sequence_timestamp", _rfc3339(since - 60_000))]
                               if since is not None else [])]),
    }
    errors = {
        **dict.fromkeys(("UNAUTHENTICATED", "authentication_error", "invalid_token",
                         "expired_token"), E.AuthenticationError),
        **dict.fromkeys(("PERMISSION_DENIED", "invalid_scope"), E.PermissionDenied),
        **dict.fromkeys(("INSUFFICIENT_FUND", "PREVIEW_INSUFFICIENT_FUND",
                         "PREVIEW_INSUFFICIENT_LEDGER_BALANCE"), E.InsufficientFunds),
        **dict.fromkeys(("INVALID_PRODUCT_ID", "PREVIEW_INVALID_PRODUCT_ID", "UNTRADABLE_PRODUCT",
                         "PREVIEW_UNTRADABLE_PRODUCT"), E.BadSymbol),
        **dict.fromkeys(("INVALID_LIMIT_PRICE_POST_ONLY", "INVALID_LIMIT_PRICE",
                         "INVALID_PRICE_PRECISION", "INVALID_SIZE_PRECISION",
                         "INVALID_NO_LIQUIDITY", "UNSUPPORTED_ORDER_CONFIGURATION",
                         "PREVIEW_INVALID_BASE_SIZE_TOO_SMALL",
                         "PREVIEW_INVALID_BASE_SIZE_TOO_LARGE", "PREVIEW_INVALID_SIZE_PRECISION",
                         "PREVIEW_INVALID_PRICE_PRECISION", "INVALID_ARGUMENT"), E.InvalidOrder),
        **dict.fromkeys(("UNKNOWN_CANCEL_ORDER", "NOT_FOUND", "not_found"), E.OrderNotFound),
        **dict.fromkeys(("RESOURCE_EXHAUSTED", "rate_limit_exceeded"), E.RateLimitExceeded),
    }
    error_messages = {
        "insufficient balance": E.InsufficientFunds,
        "order with this orderid was not found": E.OrderNotFound,
        "productid": E.BadSymbol, "invalid product": E.BadSymbol,
        "not a valid product": E.BadSymbol,          # a refused stream subscription
        "too many requests": E.RateLimitExceeded,
    }
    # gRPC-style codes that cover several cases: the message decides first.
    generic_error_codes = frozenset({"INVALID_ARGUMENT", "NOT_FOUND", "UNKNOWN_FAILURE_REASON"})
    # One subscribe message per channel, a list of products each; unauthenticated messages
    # 8 a second per IP (websocket-rate-limits). Frames of a connection carry one sequence_num
    # across all channels: a gap anywhere may have lost a book frame ("range": see route).
    channels = {"ticker": "ticker", "trades": "market_trades", "book": "level2"}
    stream_limits = StreamLimits(batch=100, per_second=8)
    book_sequence = "range"
    ws_heartbeat = 15.0         # the heartbeats channel ticks every second

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._signing_key = None
        self._book_of: dict[str, str] = {}   # product id → the product whose book it trades on
        self._ws_seq: int | None = None      # last sequence_num on the current connection
        self._ws_since = 0                   # frames arrived without a gap since this number

    # -- auth and errors ---------------------------------------------------------------------
    def signing_key(self):
        if self._signing_key is None:
            try:
                self._signing_key = cdp_key(self.require_credentials().secret)
            except (ValueError, TypeError, UnsupportedAlgorithm, binascii.Error):
                raise E.AuthenticationError(self.id, "the API secret is not a CDP private key "
                                                     f"(expected {KEY_FORMS})") from None
        return self._signing_key

    def parse_server_time(self, reply) -> int:
        return int(reply["epochMillis"])

    def error_code(self, reply):
        p = reply.payload
        if not isinstance(p, dict):
            return None
        if p.get("success") is False:          # POST /orders answers 200 with success: false
            err = p.get("error_response") or {}
            code = err.get("error")
            if not code or code.startswith("UNKNOWN"):
                code = (err.get("preview_failure_reason") or err.get("new_order_failure_reason")
                        or p.get("failure_reason") or code or "UNKNOWN_FAILURE_REASON")
            return code, err.get("message") or err.get("error_details") or code
        failed = [r for r in p.get("results") or () if r.get("success") is False]
        if failed:                             # batch_cancel: 200 with a result per order
            why = failed[0].get("failure_reason") or "UNKNOWN_CANCEL_FAILURE_REASON"
            return why, f"the order {failed[0].get('order_id')} could not be cancelled ({why})"
        if isinstance(p.get("errors"), list) and p["errors"]:
            return str(p["errors"][0].get("id", "")), str(p["errors"][0].get("message", ""))
        if reply.status >= 400 and isinstance(p.get("error"), str):
            return p["error"], str(p.get("message") or p.get("error_details") or p["error"])
        return None

    # -- markets and the books they share ----------------------------------------------------
    def parse_market(self, p: dict, key=None) -> Market | None:
        if p.get("product_type", "SPOT") != "SPOT":
            return None
        self._book_of[p["product_id"]] = p.get("alias") or p["product_id"]
        # The currency ids, not the display symbols: BTC-USDC displays as "USD".
        base, quote = self.currency(p["base_currency_id"]), self.currency(p["quote_currency_id"])
        return Market(f"{base}/{quote}", p["product_id"], base, quote,
                      dec(p.get("price_increment") or p["quote_increment"]),
                      dec(p["base_increment"]), opt_dec(p.get("base_min_size")) or None,
                      opt_dec(p.get("quote_min_size")) or None,
                      p.get("status", "online") == "online" and not p.get("trading_disabled")
                      and not p.get("is_disabled"))

    def book_id(self, market: Market) -> str:
        return self._book_of.get(market.id, market.id)

    def shared_book(self, symbol: str) -> str | None:
        """The other listed market trading on the same order book as `symbol` (BTC/USDC and
        BTC/USD), or None: where the app shows such a pair, it can say so."""
        m = self.markets.get(symbol)
        return next((s for s, o in self.markets.items() if m is not None and s != symbol
                     and self.book_id(o) == self.book_id(m)), None)

    # -- public data -------------------------------------------------------------------------
    def parse_ticker(self, p: dict, market: Market | None) -> Ticker | None:
        market = market or self.by_id(p["product_id"])
        if market is None:
            return None
        last = opt_dec(p.get("price"))
        return Ticker(market.symbol, None, last=last, base_volume=opt_dec(p.get("volume_24h")),
                      open=_open_from_change(last, p.get("price_percentage_change_24h"),
                                             market.price_increment))

    async def fetch_ticker(self, symbol: str) -> Ticker:
        ticker = await super().fetch_ticker(symbol)      # the product: last, 24 h change, volume
        quote = await self.call("quote", await self.market(symbol))   # best bid/ask, last print
        ticker.bid, ticker.ask = opt_dec(quote.get("best_bid")), opt_dec(quote.get("best_ask"))
        if quote.get("trades"):
            ticker.timestamp = iso_ms(quote["trades"][0]["time"])
            ticker.last = ticker.last or dec(quote["trades"][0]["price"])
        return ticker

    async def fetch_tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]:
        tickers = await super().fetch_tickers(symbols)
        if symbols and tickers and self.credentials is not None:   # /best_bid_ask needs a key
            for book in await self.call("best_bid_ask", [self.markets[s] for s in tickers]):
                t = tickers.get(getattr(self.by_id(book["product_id"]), "symbol", None))
                if t is not None:
                    t.bid = dec(book["bids"][0]["price"]) if book["bids"] else None
                    t.ask = dec(book["asks"][0]["price"]) if book["asks"] else None
                    t.timestamp = iso_ms(book.get("time"))
        return tickers

    @staticmethod
    def parse_order_book(book: dict, market: Market) -> OrderBook:
        return OrderBook(market.symbol, [(dec(x["price"]), dec(x["size"])) for x in book["bids"]],
                         [(dec(x["price"]), dec(x["size"])) for x in book["asks"]],
                         iso_ms(book.get("time")))

    def ohlcv_params(self, m: Market, granularity: str, since: int | None, limit: int | None):
        span = _SECONDS[granularity] * (limit or 300)
        start = since // 1000 if since is not None else self.clock() // 1000 - span
        return {"product_id": m.id, "start": start, "end": start + span,
                "granularity": granularity}

    @staticmethod
    def parse_candle(c: dict) -> Candle:
        return Candle(int(c["start"]) * 1000, dec(c["open"]), dec(c["high"]), dec(c["low"]),
                      dec(c["close"]), dec(c["volume"]))

    @staticmethod
    def parse_trade(t: dict, market: Market) -> Trade:
        return Trade(str(t["trade_id"]), iso_ms(t["time"]), _TAKER.get(t.get("side")),
                     dec(t["price"]), dec(t["size"]), market.symbol)

    # -- account and orders ------------------------------------------------------------------
    def parse_balance(self, accounts: list) -> dict[str, Balance]:
        out: dict[str, Balance] = {}
        for a in accounts:
            code = self.currency(a["currency"])
            free = dec(a["available_balance"]["value"])
            used = dec((a.get("hold") or {}).get("value", "0"))
            had = out.get(code, Balance(Decimal(0), Decimal(0), Decimal(0)))
            out[code] = Balance(had.free + free, had.used + used, had.total + free + used)
        return out

    def new_client_order_id(self) -> str:
        return str(uuid.uuid4())      # Coinbase's customary client_order_id form

    @staticmethod
    def parse_placed(reply: dict, market: Market) -> str:
        return reply["success_response"]["order_id"]    # acceptance only; the rest is echoed

    def parse_order(self, o: dict, market: Market | None) -> Order | None:
        market = market or self.by_id(o["product_id"])
        if market is None:
            return None
        kind, conf = next(iter((o.get("order_configuration") or {"": {}}).items()))
        otype = (o.get("order_type") or kind.split("_")[0]).lower()
        filled = opt_dec(o.get("filled_size")) or Decimal(0)
        amount = opt_dec(conf.get("base_size")) or filled
        status = _STATUS.get(o.get("status", ""), "open")
        remaining = max(amount - filled, Decimal(0)) if status == "open" else Decimal(0)
        average = opt_dec(o.get("average_filled_price")) or None
        return Order(o["order_id"], o.get("client_order_id") or None, market.symbol,
                     o["side"].lower(), "limit" if otype == "limit" else "market",
                     opt_dec(conf.get("limit_price")) or average, amount, filled, remaining,
                     status, iso_ms(o.get("created_time")), average=average,
                     fee=opt_dec(o.get("total_fees")))

    def parse_my_trade(self, f: dict, market: Market | None) -> Trade | None:
        market = market or self.by_id(f["product_id"])
        if market is None:
            return None
        price, size = dec(f["price"]), dec(f["size"])
        # `commission` is in the quote currency; `size_in_quote`: the size is a quote amount.
        amount = size / price if f.get("size_in_quote") else size
        return Trade(str(f["trade_id"]), iso_ms(f["trade_time"]), f["side"].lower(), price,
                     amount, market.symbol, order_id=f["order_id"], fee=dec(f["commission"]),
                     fee_currency=market.quote,
                     taker_or_maker={"MAKER": "maker", "TAKER": "taker"}.get(
                         f.get("liquidity_indicator")))

    # -- streams -----------------------------------------------------------------------------
    def ws_topic(self, kind: str, market: Market | None, depth: int | None = None) -> Topic:
        return Topic(super().ws_topic(kind, market).channel, self.book_id(market))  # the book

    def ws_subscribe(self, channel: str, args: list[str], subscribe: bool):
        return {"type": "subscribe" if subscribe else "unsubscribe", "product_ids": args,
                "channel": channel}

    async def stream_open(self, ws, host: str) -> None:
        # Sequence numbers restart per connection; the heartbeats channel keeps quiet
        # product channels from being closed by the venue.
        self._ws_seq, self._ws_since = None, 0
        await ws.send_str('{"type": "subscribe", "channel": "heartbeats"}')

    def stream_route(self, msg):
        if not isinstance(msg, dict):
            return None
        seq = msg.get("sequence_num")
        if isinstance(seq, int):
            if self._ws_seq is not None and seq != self._ws_seq + 1:
                log.warning("%s: stream sequence jumped from %d to %d", self.id, self._ws_seq, seq)
                self._ws_since = seq
            self._ws_seq = seq
        if msg.get("type") == "error":
            # {"type": "error", "message": "Failed to subscribe", "reason": "X-Y is not a valid
            # product"}: every channel of the product named first in the reason is refused.
            pid = (str(msg.get("reason") or "").split() or [""])[0]
            return self.refused([f"{c}:{pid}" for c in self.channels.values()],
                                f"{msg.get('message')}: {msg.get('reason')}")
        channel, events = msg.get("channel"), msg.get("events") or []
        if channel == "l2_data":
            keys = sorted({f"level2:{ev['product_id']}" for ev in events})
            return keys, (self._ws_since, msg)
        rows = {"ticker": "tickers", "market_trades": "trades"}.get(channel)
        if rows:
            return sorted({f"{channel}:{r['product_id']}" for ev in events for r in ev[rows]})
        return None     # heartbeats, subscriptions acknowledgements

    def parse_book_frame(self, payload, market: Market) -> BookFrame | None:
        since, msg = payload
        events = [ev for ev in msg["events"] if ev["product_id"] == self.book_id(market)]
        if not events:
            return None
        updates = [u for ev in events for u in ev["updates"]]
        return BookFrame(any(ev["type"] == "snapshot" for ev in events),
                         [(dec(u["price_level"]), dec(u["new_quantity"])) for u in updates
                          if u["side"] == "bid"],
                         [(dec(u["price_level"]), dec(u["new_quantity"])) for u in updates
                          if u["side"] != "bid"],
                         # "range": the frame covers `since`..its number; the book's last frame
                         # must be at or after `since`, else a frame in between was lost.
                         seq=msg["sequence_num"], first=since,
                         timestamp=iso_ms(msg.get("timestamp")))

    def parse_ws_ticker(self, msg: dict, market: Market) -> list[Ticker]:
        ts = iso_ms(msg.get("timestamp"))
        out = []
        for t in (t for ev in msg["events"] for t in ev["tickers"]):
            if t["product_id"] == self.book_id(market):
                last = opt_dec(t.get("price"))
                out.append(Ticker(market.symbol, ts, opt_dec(t.get("best_bid")),
                                  opt_dec(t.get("best_ask")), last, opt_dec(t.get("high_24_h")),
                                  opt_dec(t.get("low_24_h")),
                                  _open_from_change(last, t.get("price_percent_chg_24_h"),
                                                    market.price_increment),
                                  opt_dec(t.get("volume_24_h"))))
        return out

    def parse_ws_trades(self, msg: dict, market: Market) -> list[Trade]:
        # A snapshot event is the recent history on subscribe: the tape wants new trades.
        return [self.parse_trade(t, market) for ev in msg["events"] if ev.get("type") != "snapshot"
                for t in reversed(ev["trades"]) if t["product_id"] == self.book_id(market)]
