"""Coinbase Advanced Trade (REST /api/v3/brokerage, market-data websocket).

Docs: https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/
Public market data comes from the unauthenticated `/market/...` mirrors; private calls carry a
fresh ES256 JWT per request (CDP API key: key name + PEM EC private key). The seed id "gdax"
opens this adapter.
"""
from __future__ import annotations

import calendar
import json
import logging
import re
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from .. import errors as E
from ..core.adapter import Exchange
from ..core.book import BookFeed, OutOfSync
from ..core.transport import Reply, Request
from ..numbers import dec, opt_dec, round_to, wire
from ..types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade

log = logging.getLogger("exchanges.coinbase")

API = "/api/v3/brokerage"
_ISO = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$")
_STATUS = {"OPEN": "open", "PENDING": "open", "QUEUED": "open", "CANCEL_QUEUED": "open",
           "FILLED": "closed", "CANCELLED": "canceled", "EXPIRED": "canceled",
           "FAILED": "rejected"}
_GRANULARITY_SECONDS = {"ONE_MINUTE": 60, "FIVE_MINUTE": 300, "FIFTEEN_MINUTE": 900,
                        "THIRTY_MINUTE": 1800, "ONE_HOUR": 3600, "TWO_HOUR": 7200,
                        "FOUR_HOUR": 14400, "SIX_HOUR": 21600, "ONE_DAY": 86400}
_MAX_CANDLES = 350          # the venue's cap per candles request
JWT_LIFETIME = 120          # seconds, as the docs prescribe


def iso_ms(text: str | None) -> int | None:
    """'2023-02-09T20:32:50.714964855Z' → integer ms (any number of fraction digits)."""
    if not text:
        return None
    m = _ISO.match(text)
    if m is None:
        raise ValueError(f"not an ISO timestamp: {text[:40]!r}")
    base, frac, zone = m.groups()
    dt = datetime.fromisoformat(base + ("+00:00" if zone == "Z" else zone))
    return calendar.timegm(dt.utctimetuple()) * 1000 + int((frac or "0")[:3].ljust(3, "0"))


def _open_from_change(last: Decimal | None, percent, increment: Decimal) -> Decimal | None:
    """The 24 h open implied by the last price and the venue's percent change."""
    pct = opt_dec(percent.rstrip("%") if isinstance(percent, str) else percent)
    if last is None or pct is None or pct == -100:
        return None
    return round_to(last * 100 / (100 + pct), increment)


class Coinbase(Exchange):
    id = "coinbase"
    name = "Coinbase Advanced"
    hosts = {"rest": "https://api.coinbase.com", "ws": "wss://advanced-trade-ws.coinbase.com"}
    rate_limit = (10, 1.0)      # public data: 10 requests/s per IP (private: 30/s per key)
    ws_heartbeat = 15.0         # the heartbeats channel ticks every second
    timeframes = {"1m": "ONE_MINUTE", "5m": "FIVE_MINUTE", "15m": "FIFTEEN_MINUTE",
                  "30m": "THIRTY_MINUTE", "1h": "ONE_HOUR", "2h": "TWO_HOUR",
                  "4h": "FOUR_HOUR", "6h": "SIX_HOUR", "1d": "ONE_DAY"}
    errors = {
        "UNAUTHENTICATED": E.AuthenticationError,
        "authentication_error": E.AuthenticationError,
        "invalid_token": E.AuthenticationError,
        "expired_token": E.AuthenticationError,
        "PERMISSION_DENIED": E.PermissionDenied,
        "invalid_scope": E.PermissionDenied,
        "INSUFFICIENT_FUND": E.InsufficientFunds,
        "PREVIEW_INSUFFICIENT_FUND": E.InsufficientFunds,
        "PREVIEW_INSUFFICIENT_LEDGER_BALANCE": E.InsufficientFunds,
        "INVALID_PRODUCT_ID": E.BadSymbol,
        "PREVIEW_INVALID_PRODUCT_ID": E.BadSymbol,
        "UNTRADABLE_PRODUCT": E.BadSymbol,
        "PREVIEW_UNTRADABLE_PRODUCT": E.BadSymbol,
        "INVALID_LIMIT_PRICE_POST_ONLY": E.InvalidOrder,
        "INVALID_LIMIT_PRICE": E.InvalidOrder,
        "INVALID_PRICE_PRECISION": E.InvalidOrder,
        "INVALID_SIZE_PRECISION": E.InvalidOrder,
        "INVALID_NO_LIQUIDITY": E.InvalidOrder,
        "UNSUPPORTED_ORDER_CONFIGURATION": E.InvalidOrder,
        "PREVIEW_INVALID_BASE_SIZE_TOO_SMALL": E.InvalidOrder,
        "PREVIEW_INVALID_BASE_SIZE_TOO_LARGE": E.InvalidOrder,
        "PREVIEW_INVALID_SIZE_PRECISION": E.InvalidOrder,
        "PREVIEW_INVALID_PRICE_PRECISION": E.InvalidOrder,
        "INVALID_ARGUMENT": E.InvalidOrder,
        "UNKNOWN_CANCEL_ORDER": E.OrderNotFound,
        "NOT_FOUND": E.OrderNotFound,
        "not_found": E.OrderNotFound,
        "RESOURCE_EXHAUSTED": E.RateLimitExceeded,
        "rate_limit_exceeded": E.RateLimitExceeded,
    }
    error_messages = {
        "insufficient balance": E.InsufficientFunds,
        "order with this orderid was not found": E.OrderNotFound,
        "productid": E.BadSymbol,
        "invalid product": E.BadSymbol,
        "too many requests": E.RateLimitExceeded,
    }
    # gRPC-style codes that cover several cases: the message decides first.
    generic_error_codes = frozenset({"INVALID_ARGUMENT", "NOT_FOUND", "UNKNOWN_FAILURE_REASON"})

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._signing_key: ec.EllipticCurvePrivateKey | None = None
        self._ws_seq: int | None = None    # last sequence_num on the current connection
        self._ws_gaps = 0                  # sequence gaps seen so far (books compare counts)

    # -- auth ----------------------------------------------------------------------------------
    def _key(self) -> ec.EllipticCurvePrivateKey:
        if self._signing_key is None:
            secret = self.require_credentials().secret
            try:
                key = load_pem_private_key(secret.replace("\\n", "\n").encode(), password=None)
            except (ValueError, TypeError):
                key = None
            if not isinstance(key, ec.EllipticCurvePrivateKey):
                raise E.AuthenticationError(
                    self.id, "the API secret is not a PEM EC private key (CDP API key, ES256)")
            self._signing_key = key
        return self._signing_key

    # A token whose nbf/exp disagree with Coinbase's clock is refused with 401 before anything
    # is done: the base then re-measures the offset (GET /time) and sends once more.
    clock_errors = frozenset({"401", "UNAUTHENTICATED", "unauthorized"})

    async def fetch_server_time(self) -> int:
        return int((await self.request("GET", f"{API}/time"))["epochMillis"])

    def sign(self, request: Request) -> Request:
        """A fresh ES256 JWT per request, as Coinbase's API key authentication prescribes.

        The `uri` claim names the host the request goes to: api.coinbase.com normally, and the
        override's host:port when `urls` points the adapter elsewhere (a proxy or test server
        verifies the token against the host it actually serves).
        """
        creds = self.require_credentials()
        now = self.now() // 1000
        host = urlsplit(self.transport.hosts[request.host]).netloc
        claims = {"sub": creds.api_key, "iss": "cdp", "nbf": now, "exp": now + JWT_LIFETIME,
                  "uri": f"{request.method} {host}{request.path}"}
        token = jwt.encode(claims, self._key(), algorithm="ES256",
                           headers={"kid": creds.api_key, "nonce": secrets.token_hex(16),
                                    "typ": "JWT"})
        request.headers["Authorization"] = f"Bearer {token}"
        return request

    def error_code(self, reply: Reply) -> tuple[str, str] | None:
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
        if isinstance(p.get("errors"), list) and p["errors"]:
            first = p["errors"][0]
            return str(first.get("id", "")), str(first.get("message", ""))
        if reply.status >= 400 and isinstance(p.get("error"), str):
            return p["error"], str(p.get("message") or p.get("error_details") or p["error"])
        return None

    # -- markets and public data ---------------------------------------------------------------
    def _symbol_of(self, product: dict) -> str:
        base = product.get("base_display_symbol") or product["base_currency_id"]
        quote = product.get("quote_display_symbol") or product["quote_currency_id"]
        return f"{self.currency(base)}/{self.currency(quote)}"

    def parse_market(self, p: dict) -> Market:
        base, quote = self._symbol_of(p).split("/")
        active = (p.get("status", "online") == "online" and not p.get("trading_disabled")
                  and not p.get("is_disabled"))
        return Market(
            symbol=f"{base}/{quote}", id=p["product_id"], base=base, quote=quote,
            price_increment=dec(p.get("price_increment") or p["quote_increment"]),
            amount_increment=dec(p["base_increment"]),
            min_amount=opt_dec(p.get("base_min_size")) or None,
            min_cost=opt_dec(p.get("quote_min_size")) or None,
            active=active)

    async def _products(self, ids: list[str] | None = None) -> list[dict]:
        params: list[tuple[str, object]] = [("product_type", "SPOT")]
        params += [("product_ids", i) for i in ids or ()]
        reply = await self.request("GET", f"{API}/market/products", params)
        return [p for p in reply["products"] if p.get("product_type", "SPOT") == "SPOT"]

    async def _fetch_markets(self) -> list[Market]:
        return [self.parse_market(p) for p in await self._products()]

    def parse_product_ticker(self, p: dict, market: Market) -> Ticker:
        last = opt_dec(p.get("price"))
        return Ticker(market.symbol, None, last=last, base_volume=opt_dec(p.get("volume_24h")),
                      open=_open_from_change(last, p.get("price_percentage_change_24h"),
                                             market.price_increment))

    async def fetch_tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]:
        markets = [await self.market(s) for s in symbols] if symbols else None
        products = await self._products([m.id for m in markets] if markets else None)
        await self.load_markets()
        out = {}
        for p in products:
            market = self.markets_by_id.get(p["product_id"])
            if market is not None:
                out[market.symbol] = self.parse_product_ticker(p, market)
        if markets and self.credentials is not None:
            # Bid/ask for chosen symbols: /best_bid_ask needs a key; without one they stay None.
            params = [("product_ids", m.id) for m in markets]
            reply = await self.request("GET", f"{API}/best_bid_ask", params, signed=True)
            for book in reply["pricebooks"]:
                market = self.markets_by_id.get(book["product_id"])
                if market is not None and market.symbol in out:
                    t = out[market.symbol]
                    t.bid = dec(book["bids"][0]["price"]) if book["bids"] else None
                    t.ask = dec(book["asks"][0]["price"]) if book["asks"] else None
                    t.timestamp = iso_ms(book.get("time"))
        return out

    async def fetch_ticker(self, symbol: str) -> Ticker:
        market = await self.market(symbol)
        product = await self.request("GET", f"{API}/market/products/{market.id}")
        ticker = self.parse_product_ticker(product, market)
        quote = await self.request("GET", f"{API}/market/products/{market.id}/ticker",
                                   {"limit": 1})
        ticker.bid = opt_dec(quote.get("best_bid"))
        ticker.ask = opt_dec(quote.get("best_ask"))
        if quote.get("trades"):
            ticker.timestamp = iso_ms(quote["trades"][0]["time"])
            ticker.last = ticker.last or dec(quote["trades"][0]["price"])
        return ticker

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        market = await self.market(symbol)
        reply = await self.request("GET", f"{API}/market/product_book",
                                   {"product_id": market.id, "limit": limit})
        book = reply["pricebook"]
        return OrderBook(symbol, [(dec(x["price"]), dec(x["size"])) for x in book["bids"]],
                         [(dec(x["price"]), dec(x["size"])) for x in book["asks"]],
                         iso_ms(book.get("time")))

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1h", since: int | None = None,
                          limit: int | None = None) -> list[Candle]:
        market = await self.market(symbol)
        granularity = self.timeframe(timeframe)
        step = _GRANULARITY_SECONDS[granularity]
        count = min(limit or 300, _MAX_CANDLES)
        if since is not None:
            start = since // 1000
            end = start + step * count
        else:
            end = self.clock() // 1000
            start = end - step * count
        reply = await self.request(
            "GET", f"{API}/market/products/{market.id}/candles",
            {"start": start, "end": end, "granularity": granularity})
        candles = sorted((Candle(int(c["start"]) * 1000, dec(c["open"]), dec(c["high"]),
                                 dec(c["low"]), dec(c["close"]), dec(c["volume"]))
                          for c in reply["candles"]), key=lambda c: c.timestamp)
        return candles[-count:] if since is None else candles[:count]

    def parse_trade(self, t: dict, symbol: str) -> Trade:
        side = (t.get("side") or "").lower() or None
        return Trade(str(t["trade_id"]), iso_ms(t["time"]), side, dec(t["price"]),
                     dec(t["size"]), symbol)

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        market = await self.market(symbol)
        reply = await self.request("GET", f"{API}/market/products/{market.id}/ticker",
                                   {"limit": limit or 100})
        return [self.parse_trade(t, symbol) for t in reversed(reply["trades"])]   # newest first

    # -- account and orders --------------------------------------------------------------------
    async def _pages(self, path: str, params: list[tuple[str, object]], key: str,
                     max_pages: int = 50) -> list[dict]:
        """Follow Coinbase's cursor pagination (`has_next` + `cursor`)."""
        items, cursor = [], None
        for _ in range(max_pages):
            page = params + ([("cursor", cursor)] if cursor else [])
            reply = await self.request("GET", path, page, signed=True)
            items.extend(reply[key])
            cursor = reply.get("cursor")
            if not reply.get("has_next") or not cursor:
                break
        return items

    async def fetch_balance(self) -> dict[str, Balance]:
        totals: dict[str, tuple[Decimal, Decimal]] = {}
        for a in await self._pages(f"{API}/accounts", [("limit", 250)], "accounts"):
            code = self.currency(a["currency"])
            free, used = totals.get(code, (Decimal(0), Decimal(0)))
            totals[code] = (free + dec(a["available_balance"]["value"]),
                            used + dec((a.get("hold") or {}).get("value", "0")))
        return {c: Balance(f, u, f + u) for c, (f, u) in totals.items()}

    def new_client_order_id(self) -> str:
        return str(uuid.uuid4())      # Coinbase's customary client_order_id form

    async def _place_order(self, market: Market, side: str, type: str, amount: Decimal,
                           price: Decimal | None, client_order_id: str) -> Order:
        if type == "limit":
            config = {"limit_limit_gtc": {"base_size": wire(amount), "limit_price": wire(price),
                                          "post_only": False}}
        else:
            config = {"market_market_ioc": {"base_size": wire(amount)}}
        # Coinbase treats client_order_id as an idempotency key: re-sending the same id returns
        # the original order instead of placing a second one.
        body = {"client_order_id": client_order_id, "product_id": market.id,
                "side": side.upper(), "order_configuration": config}
        reply = await self.request("POST", f"{API}/orders", body=json.dumps(body),
                                   headers={"Content-Type": "application/json"}, signed=True)
        ok = reply["success_response"]
        # The reply confirms acceptance only; fetch_order tells how much a market order filled.
        return Order(ok["order_id"], ok.get("client_order_id") or client_order_id,
                     market.symbol, side, type, price, amount, Decimal(0), amount, "open",
                     self.clock())

    def parse_order(self, o: dict) -> Order:
        market = self.markets_by_id.get(o["product_id"])
        symbol = market.symbol if market else o["product_id"].replace("-", "/")
        kind, conf = next(iter((o.get("order_configuration") or {"": {}}).items()))
        otype = (o.get("order_type") or kind.split("_")[0]).lower()
        filled = opt_dec(o.get("filled_size")) or Decimal(0)
        amount = opt_dec(conf.get("base_size")) or filled
        status = _STATUS.get(o.get("status", ""), "open")
        remaining = amount - filled if status == "open" else Decimal(0)
        return Order(
            id=o["order_id"], client_order_id=o.get("client_order_id") or None, symbol=symbol,
            side=o["side"].lower(), type="limit" if otype == "limit" else "market",
            price=opt_dec(conf.get("limit_price")) or opt_dec(o.get("average_filled_price")),
            amount=amount, filled=filled, remaining=max(remaining, Decimal(0)), status=status,
            timestamp=iso_ms(o.get("created_time")),
            average=opt_dec(o.get("average_filled_price")) or None,
            fee=opt_dec(o.get("total_fees")))

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        await self.market(symbol)
        reply = await self.request("GET", f"{API}/orders/historical/{order_id}", signed=True)
        return self.parse_order(reply["order"])

    async def cancel_order(self, order_id: str, symbol: str) -> Order:
        await self.market(symbol)
        reply = await self.request("POST", f"{API}/orders/batch_cancel",
                                   body=json.dumps({"order_ids": [order_id]}),
                                   headers={"Content-Type": "application/json"}, signed=True)
        result = next(r for r in reply["results"] if r["order_id"] == order_id)
        if not result["success"]:
            reason = result.get("failure_reason") or "UNKNOWN_CANCEL_FAILURE_REASON"
            raise self.error_for(reason, f"the order {order_id} could not be cancelled "
                                         f"({reason})", f"POST {API}/orders/batch_cancel")
        return await self.fetch_order(order_id, symbol)

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        params: list[tuple[str, object]] = [("order_status", "OPEN")]
        if symbol is not None:
            params.append(("product_ids", (await self.market(symbol)).id))
        await self.load_markets()
        orders = await self._pages(f"{API}/orders/historical/batch", params, "orders")
        return [self.parse_order(o) for o in orders]

    async def find_order_by_client_id(self, market: Market, client_order_id: str
                                      ) -> Order | None:
        """The order list (any status, newest first): a market order may be filled already."""
        reply = await self.request("GET", f"{API}/orders/historical/batch",
                                   [("product_ids", market.id), ("limit", 100)], signed=True)
        for o in reply["orders"]:
            if o.get("client_order_id") == client_order_id:
                return self.parse_order(o)
        return None

    # -- streams ---------------------------------------------------------------------------------
    async def stream_open(self, ws) -> None:
        # Sequence numbers restart per connection; the heartbeats channel keeps quiet
        # product channels from being closed by the venue.
        self._ws_seq = None
        await ws.send_str(json.dumps({"type": "subscribe", "channel": "heartbeats"}))

    def stream_route(self, msg: object):
        if not isinstance(msg, dict):
            return None
        seq = msg.get("sequence_num")
        if isinstance(seq, int):
            if self._ws_seq is not None and seq != self._ws_seq + 1:
                self._ws_gaps += 1
                log.warning("%s: stream sequence jumped from %d to %d", self.id, self._ws_seq, seq)
            self._ws_seq = seq
        channel = msg.get("channel")
        if msg.get("type") == "error":
            log.warning("%s: stream error: %s", self.id, self.scrub(str(msg.get("message"))))
            return None
        if channel == "l2_data":
            ids = {ev["product_id"] for ev in msg["events"]}
            return [f"level2:{i}" for i in sorted(ids)], (self._ws_gaps, msg)
        if channel == "ticker":
            return sorted({f"ticker:{t['product_id']}" for ev in msg["events"]
                           for t in ev["tickers"]})
        if channel == "market_trades":
            return sorted({f"market_trades:{t['product_id']}" for ev in msg["events"]
                           for t in ev["trades"]})
        return None     # heartbeats, subscriptions acknowledgements

    @staticmethod
    def _channel(channel: str, product_id: str) -> tuple[str, dict, dict]:
        sub = {"type": "subscribe", "product_ids": [product_id], "channel": channel}
        return f"{channel}:{product_id}", sub, {**sub, "type": "unsubscribe"}

    def _ticker_stream(self, market: Market) -> tuple[str, object, object | None, Callable]:
        key, sub, unsub = self._channel("ticker", market.id)

        def parse(msg: dict) -> list[Ticker]:
            ts = iso_ms(msg.get("timestamp"))
            out = []
            for ev in msg["events"]:
                for t in ev["tickers"]:
                    if t["product_id"] != market.id:
                        continue
                    last = opt_dec(t.get("price"))
                    out.append(Ticker(
                        market.symbol, ts, bid=opt_dec(t.get("best_bid")),
                        ask=opt_dec(t.get("best_ask")), last=last,
                        high=opt_dec(t.get("high_24_h")), low=opt_dec(t.get("low_24_h")),
                        open=_open_from_change(last, t.get("price_percent_chg_24_h"),
                                               market.price_increment),
                        base_volume=opt_dec(t.get("volume_24_h"))))
            return out
        return key, sub, unsub, parse

    def _trades_stream(self, market: Market) -> tuple[str, object, object | None, Callable]:
        key, sub, unsub = self._channel("market_trades", market.id)

        def parse(msg: dict) -> list[Trade]:
            out = []
            for ev in msg["events"]:
                if ev.get("type") == "snapshot":
                    continue    # the recent history on subscribe; the tape wants new trades
                out += [self.parse_trade(t, market.symbol) for t in reversed(ev["trades"])
                        if t["product_id"] == market.id]
            return out
        return key, sub, unsub, parse

    def _book_feed(self, market: Market, limit: int | None) -> BookFeed:
        return Level2Feed(market, limit)


class Level2Feed(BookFeed):
    """The level2 channel: a snapshot, then absolute-quantity updates (0 removes a level).

    Coinbase numbers every frame of a connection (all channels) with `sequence_num`; the
    adapter counts the gaps it sees and hands each frame over with that count. An update that
    arrives after a gap the current snapshot predates means lost data → OutOfSync → resubscribe.
    """

    def __init__(self, market: Market, limit: int | None) -> None:
        super().__init__(market.symbol, limit)
        self.product_id = market.id
        self.key, self.subscribe, self.unsubscribe = Coinbase._channel("level2", market.id)
        self._gaps_at_snapshot: int | None = None

    def reset(self) -> None:
        super().reset()
        self._gaps_at_snapshot = None

    def apply(self, item: object) -> bool:
        gaps, msg = item
        changed = False
        for ev in msg["events"]:
            if ev["product_id"] != self.product_id:
                continue
            levels = [(u["side"], dec(u["price_level"]), dec(u["new_quantity"]))
                      for u in ev["updates"]]
            if ev["type"] == "snapshot":
                self.book.reset([(p, q) for s, p, q in levels if s == "bid"],
                                [(p, q) for s, p, q in levels if s != "bid"])
                self._gaps_at_snapshot = gaps
            elif self._gaps_at_snapshot is None:
                continue        # updates before the (re)subscription's snapshot: not ours yet
            elif gaps != self._gaps_at_snapshot:
                raise OutOfSync(f"sequence gap before frame {msg.get('sequence_num')}")
            else:
                for side, price, qty in levels:
                    self.book.set("bid" if side == "bid" else "ask", price, qty)
            changed = True
        if changed:
            self.book.nonce = msg.get("sequence_num")
            self.book.timestamp = iso_ms(msg.get("timestamp"))
        return changed
