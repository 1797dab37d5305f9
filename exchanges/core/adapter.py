"""The adapter base: lifecycle, `has`, requests, markets, venue error tables.

A venue module subclasses `Exchange` and declares: its hosts, rate-limit buckets, signing
scheme (core/auth.py), endpoints (core/api.py), error tables, currency quirks, stream channels
(core/streaming.py), and small pure parsers. The contract's calls are written once, in the
mixins: market data (core/market_data.py), the account (core/account.py), orders that are
never sent twice (core/orders.py) and `watch_*` streams over the shared hub (core/streaming.py).
Everything a venue writes runs behind one guard: only ExchangeErrors leave a call, and a parser
that cannot read a reply becomes `BadResponse` naming the endpoint.
"""
from __future__ import annotations

import asyncio
import enum
import hashlib
import itertools
import logging
import time
from collections.abc import Callable, Mapping
from typing import ClassVar
from urllib.parse import urlsplit

from .. import errors as E
from ..redact import register_secrets
from ..symbols import common_code, split_symbol
from ..types import Credentials, Market
from .account import AccountCalls
from .api import ENDPOINTS, ORDER_WRITES, After, Cursor, Endpoint, Pages, fill_path, unwrap
from .auth import STAMPS, key_slot
from .guard import guard
from .market_data import MarketDataCalls
from .orders import OrderCalls
from .ratelimit import ORDER, PRIVATE, PUBLIC, RateLimiter
from .streaming import StreamCalls
from .transport import Reply, Request, Transport, current_endpoint, retry_after

__all__ = ["Exchange", "CONTRACT_CALLS", "ORDER_OPTIONS", "default_clock"]

log = logging.getLogger("exchanges")

CONTRACT_CALLS = (
    "load_markets", "fetch_ticker", "fetch_tickers", "fetch_order_book", "fetch_ohlcv",
    "fetch_trades", "fetch_balance", "create_order", "cancel_order", "fetch_order",
    "fetch_open_orders", "fetch_my_trades", "watch_ticker", "watch_tickers",
    "watch_order_book", "watch_trades", "watch_orders", "watch_my_trades",
)
# create_order's keyword options; `has[option]` says whether the venue takes it.
ORDER_OPTIONS = ("post_only", "time_in_force", "stop_price")

# What makes each call available besides a venue's own override of it: declared endpoints
# (any one of a tuple), stream channels ("ws:…"), or a hook method the venue wrote ("_…").
_PROVIDED_BY: dict[str, tuple[str, ...]] = {
    "load_markets": ("markets", "_fetch_markets"),
    "fetch_tickers": ("tickers",),
    "fetch_ticker": ("ticker", "tickers"),
    "fetch_order_book": ("order_book",),
    "fetch_ohlcv": ("ohlcv",),
    "fetch_trades": ("trades",),
    "fetch_balance": ("balance",),
    "cancel_order": ("cancel_order",),
    "fetch_order": ("order", "closed_orders"),
    "fetch_open_orders": ("open_orders",),
    "fetch_my_trades": ("my_trades",),
    "watch_ticker": ("ws:ticker",),
    "watch_tickers": ("ws:ticker", "watch_ticker"),   # or one watch_ticker per symbol
    "watch_order_book": ("ws:book",),
    "watch_trades": ("ws:trades",),
    "watch_orders": ("ws:orders",),
    "watch_my_trades": ("ws:my_trades",),
}


def _declared_absent(name: str, why: str):
    """A call the venue declares it lacks: NotSupported with the venue's reason, before any
    argument is looked at (a watcher raises on its first item)."""
    if name.startswith("watch_"):
        async def absent(self, *args, **kwargs):
            raise E.NotSupported(self.id, why or f"{name} is not offered by this venue")
            yield  # pragma: no cover
    else:
        async def absent(self, *args, **kwargs):
            raise E.NotSupported(self.id, why or f"{name} is not offered by this venue")
    absent.__name__ = absent.__qualname__ = name
    return guard(absent)


def default_clock() -> int:
    return time.time_ns() // 1_000_000


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPENED = "opened"
    CLOSED = "closed"


class Exchange(MarketDataCalls, AccountCalls, OrderCalls, StreamCalls):
    """Base of every adapter. See the contract for the public calls."""

    id: ClassVar[str] = "base"
    name: ClassVar[str] = "Exchange"
    docs: ClassVar[tuple[str, ...]] = ()          # the venue's official API documentation
    hosts: ClassVar[Mapping[str, str]] = {}       # "rest…" and "ws…" keys → base URLs
    timeout: ClassVar[float] = 10.0
    # Rate-limit buckets as the venue documents them: name → (weight, per seconds). One
    # bucket by default; `rate_limit` is the shorthand for that one.
    rate_limit: ClassVar[tuple[float, float]] = (10, 1.0)
    limits: ClassVar[Mapping[str, tuple[float, float]]] = {}
    retries: ClassVar[int] = 2
    api: ClassVar[Mapping[str, Endpoint]] = {}
    auth: ClassVar[object | None] = None          # a scheme from core.auth (or override sign)
    body_format: ClassVar[str] = "json"           # where non-GET parameters go by default
    # The venue's error codes → our errors, and message fragments (lower case) → our errors.
    errors: ClassVar[Mapping[str, type[E.ExchangeError]]] = {}
    error_messages: ClassVar[Mapping[str, type[E.ExchangeError]]] = {}
    # Whole messages (lower case) that decide before the code table, for a code that covers
    # several cases (Binance's -2010 "new order rejected" is also "insufficient balance").
    error_exact: ClassVar[Mapping[str, type[E.ExchangeError]]] = {}
    # Catch-all codes (Bitfinex's 10001 "generic error"): for these the message fragments
    # decide first, and the code's own entry in `errors` is only the fallback.
    generic_error_codes: ClassVar[frozenset[str]] = frozenset()
    currency_overrides: ClassVar[Mapping[str, str]] = {}
    timeframes: ClassVar[Mapping[str, object]] = {}   # unified ("1m", "1h") → the venue's value
    ws_heartbeat: ClassVar[float] = 30.0
    # Which of ORDER_OPTIONS the venue takes, and its time-in-force values (unified names).
    order_options: ClassVar[frozenset[str]] = frozenset()
    time_in_force_values: ClassVar[tuple[str, ...]] = ("GTC", "IOC", "FOK")
    has: ClassVar[dict[str, bool]] = {}
    # Contract calls the venue does not offer, each with the reason (bitFlyer has no candle
    # endpoint): `has` is False, the call raises NotSupported, and the generic tests know
    # the absence is declared, not forgotten.
    lacks: ClassVar[Mapping[str, str]] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for name in CONTRACT_CALLS:
            fn = cls.__dict__.get(name)
            if fn is not None:
                setattr(cls, name, guard(fn))
        for name, why in cls.__dict__.get("lacks", {}).items():
            setattr(cls, name, _declared_absent(name, why))
        cls.has = {name: cls._implements(name) and name not in cls.lacks
                   for name in CONTRACT_CALLS}
        cls.has.update({opt: cls.has["create_order"] and opt in cls.order_options
                        for opt in ORDER_OPTIONS})

    @classmethod
    def _implements(cls, name: str) -> bool:
        if getattr(cls, name) is not getattr(Exchange, name):
            return True                           # the venue wrote the call itself
        if name == "create_order":
            placing = "create_order" in cls.api or (
                cls._place_order is not Exchange._place_order)
            return placing and cls.client_id_lookup() is not None
        for source in _PROVIDED_BY.get(name, ()):
            if source.startswith("ws:"):
                if source[3:] in cls.channels:
                    return True
            elif source.startswith(("_", "watch_")):          # a method the venue wrote
                if getattr(cls, source) is not getattr(Exchange, source):
                    return True
            elif source in cls.api:
                return True
        return False

    def __init__(self, *, credentials: Credentials | None = None,
                 urls: Mapping[str, str] | None = None,
                 clock: Callable[[], int] | None = None) -> None:
        self.credentials = credentials
        if credentials is not None:
            register_secrets(*credentials.secrets())
        self.clock = clock or default_clock
        self.urls = self._resolve_hosts(urls or {})
        self._state = _State.UNOPENED
        self.markets: dict[str, Market] = {}
        self.markets_by_id: dict[str, Market] = {}
        self._markets_lock = asyncio.Lock()
        self.limiter = RateLimiter(self.limits or {"public": self.rate_limit})
        self.key = key_slot(self.id, credentials.api_key if credentials else None)
        self.nonce_source: Callable[[], int] | None = None   # replaces the key's nonces
        self.transport = Transport(
            self.id, {k: v for k, v in self.urls.items() if not k.startswith("ws")},
            limiter=self.limiter, timeout=self.timeout, retries=self.retries,
            sign=self.sign, check=self._check_reply, on_rate_limit=self._rate_limited,
            serialize=lambda req: self.key.lock().slot(req.priority))
        self._hubs: dict = {}                     # websocket host → StreamPool
        self._books: dict = {}                    # (market id, depth) → the shared BookWatch
        self._ws_ids = itertools.count(1)
        self._ws_requests: dict[int, tuple[str, ...]] = {}   # request id → topic keys
        self.time_offset: int | None = None      # the venue's clock minus ours, ms
        self._time_lock = asyncio.Lock()
        self.status_listeners: list[Callable[[str, str, str], None]] = []

    # -- lifecycle ---------------------------------------------------------------------------
    async def __aenter__(self):
        self._check_open()
        self._state = _State.OPENED
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        self._state = _State.CLOSED
        for watch in list(self._books.values()):
            await watch.close()
        self._books.clear()
        for hub in list(self._hubs.values()):
            await hub.close()
        self._hubs.clear()
        await self.transport.close()

    def _check_open(self) -> None:
        if self._state is _State.CLOSED:
            raise E.ExchangeError(self.id, "this adapter was closed; create a new one")

    @classmethod
    def _resolve_hosts(cls, override: Mapping[str, str]) -> dict[str, str]:
        """Apply the contract's `urls` override: "rest" replaces every REST host, "ws" every
        websocket host, and an exact key replaces just that host."""
        hosts = dict(cls.hosts)
        for key in hosts:
            kind = "ws" if key.startswith("ws") else "rest"
            if key in override:
                hosts[key] = override[key]
            elif kind in override:
                hosts[key] = override[kind]
        return hosts

    # -- status for the app ------------------------------------------------------------------
    def _emit_status(self, state: str, detail: str = "") -> None:
        for listener in list(self.status_listeners):
            try:
                listener(self.id, state, detail)
            except Exception:
                log.exception("%s: status listener failed", self.id)

    def _rate_limited(self, exc: E.RateLimitExceeded, delay: float) -> None:
        self._emit_status("rate_limited", f"rate limited, retrying in {delay:.0f} s")

    # -- requests ----------------------------------------------------------------------------
    async def request(self, method: str, path: str, params=None, *, body=None, host="rest",
                      signed=False, weight: float = 1, endpoint: str | None = None,
                      headers: dict | None = None, idempotent: bool | None = None,
                      decode=None, data=None, body_format: str | None = None,
                      bucket: str | None = None, priority: int | None = None):
        """Send one REST call through the shared transport; returns decoded JSON (or, with
        `decode` from `numbers.decoder`, a successful reply decoded straight into its shape).

        A signed call on a venue with a server clock first measures the offset to it, and a
        rejection that the venue reports as a timestamp error (`clock_errors`) re-measures and
        sends once more: the venue refused it before acting, so nothing can happen twice."""
        if priority is None:
            priority = PRIVATE if signed else PUBLIC

        def send():
            return self.transport.request(Request(
                method, path, params=params, body=body, host=host, signed=signed,
                weight=weight, endpoint=endpoint, headers=dict(headers or {}),
                idempotent=idempotent, decode=decode, data=data, body_format=body_format,
                bucket=bucket or ("private" if signed else "public"), priority=priority))
        if not signed:
            return await send()
        self.require_credentials()
        if self.has_server_time and self.time_offset is None:
            async with self._time_lock:
                if self.time_offset is None:
                    await self.sync_time()
        try:
            return await send()
        except E.AuthenticationError as exc:
            if not self.has_server_time or exc.code not in self.clock_errors:
                raise
            await self.sync_time()
            return await send()

    def _params(self, name: str, *args) -> object:
        """The parameters of endpoint `name`: the venue's `<name>_params` method if it has
        one, else the endpoint's `params` builder, else none."""
        custom = getattr(self, f"{name}_params", None)
        if custom is not None:
            return custom(*args)
        ep = self.api[name]
        return ep.params(*args) if ep.params is not None else None

    async def call(self, name: str, *args, params=None, extra=None) -> object:
        """Send endpoint `name` (its builder gets `args`, see api.ENDPOINTS); the reply with
        its envelope taken off. `params` replaces what the builder would give; `extra`
        parameters are added to them."""
        ep = self.api[name]
        if params is None:
            params = self._params(name, *args)
        if extra:
            params = {**dict(params.items() if isinstance(params, Mapping) else params or ()),
                      **extra}
        return unwrap(await self._send(name, ep, params), ep.rows)

    async def _send(self, name: str, ep: Endpoint, params) -> object:
        path, params = fill_path(ep.path, params)
        where = ep.body or ("query" if ep.method in ("GET", "DELETE") else self.body_format)
        query, data = (params, None) if where == "query" else (None, params or {})
        weight = ep.weight(params or {}) if callable(ep.weight) else ep.weight
        write = name in ORDER_WRITES
        bucket = ep.bucket or ("orders" if write else "private" if ep.signed else "public")
        return await self.request(
            ep.method, path, query, host=ep.host or "rest", signed=ep.signed, weight=weight,
            idempotent=ep.idempotent if ep.idempotent is not None else (
                False if write else None if ep.method in ("GET", "DELETE") else ep.signed),
            decode=ep.decode, data=data, body_format=None if where == "query" else where,
            bucket=bucket, priority=ORDER if write else None,
            endpoint=f"{ep.method} {ep.path}")

    async def paged(self, name: str, *args, limit: int | None = None,
                    max_pages: int = 100, extra=None) -> list:
        """Every row of endpoint `name`, following its `paging` until the venue has no more
        (or `limit` rows are in). A list the venue cuts short is logged, never silent."""
        ep = self.api[name]
        base = self._params(name, *args)
        base = {**dict(base.items() if isinstance(base, Mapping) else base or ()),
                **(extra or {})}
        paging = ep.paging
        if paging is None:
            return list(unwrap(await self._send(name, ep, base), ep.rows))
        rows: list = []
        marker = getattr(paging, "start", 0) if isinstance(paging, Pages) else None
        for _ in range(max_pages):
            params = dict(base)
            if isinstance(paging, (After, Pages)) and paging.size_param:
                params.setdefault(paging.size_param, paging.size)
            if marker is not None:
                params[paging.param] = marker
                for name in getattr(paging, "replaces", ()):
                    params.pop(name, None)
            reply = await self._send(name, ep, params)
            page = list(unwrap(reply, ep.rows))
            rows.extend(page)
            if limit is not None and len(rows) >= limit:
                return rows
            if isinstance(paging, Cursor):
                marker = paging.next(reply)
                if marker in (None, ""):
                    return rows
            else:
                size = int(params.get(paging.size_param) or paging.size) if (
                    paging.size_param) else paging.size
                if len(page) < size or not page:
                    return rows
                if isinstance(paging, After):
                    marker = paging.key(page[-1])
                else:
                    marker += 1 if paging.kind == "page" else len(page)
        log.warning("%s: %s has more than %d pages; showing the first %d rows", self.id, name,
                    max_pages, len(rows))
        return rows

    # -- stamps and nonces -------------------------------------------------------------------
    def stamp(self, unit: str) -> str:
        """The timestamp or nonce a scheme signs, in the venue's unit (auth.STAMPS)."""
        make, scale = STAMPS[unit]
        if make is not None:
            return make(self.now())
        if self.nonce_source is not None:
            return str(self.nonce_source())
        return str(self.key.nonce(self.now(), scale))

    def request_fields(self, request: Request) -> dict:
        """What a signing template may name about the request (auth.Hmac.fields)."""
        body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        base = self.transport.hosts.get(request.host, "")
        query = request.query or ""
        path_query = request.path + (f"?{query}" if query else "")
        return {"method": request.method, "host": urlsplit(base).netloc, "path": request.path,
                "query": query, "path_query": path_query,
                "url": base.rstrip("/") + path_query, "body": body,
                "content_type": request.headers.get("Content-Type", "") if body else "",
                "body_sha256": hashlib.sha256(body.encode()).hexdigest(),
                "body_sha512": hashlib.sha512(body.encode()).hexdigest()}

    # -- the venue's clock -------------------------------------------------------------------
    # Venues whose signatures carry a timestamp checked against their own clock declare a
    # "server_time" endpoint (with `parse_server_time`) or implement fetch_server_time();
    # signatures then use now() = clock() + the measured offset.
    clock_errors: ClassVar[frozenset[str]] = frozenset()   # codes meaning "timestamp is off"

    async def fetch_server_time(self) -> int:
        """The venue's current time in ms."""
        if "server_time" not in self.api:
            raise E.NotSupported(self.id, "this venue has no server time endpoint")
        return self.parse_server_time(await self.call("server_time"))

    def parse_server_time(self, reply) -> int:
        raise NotImplementedError

    @property
    def has_server_time(self) -> bool:
        return ("server_time" in self.api
                or type(self).fetch_server_time is not Exchange.fetch_server_time)

    def now(self) -> int:
        """The venue's time as best known, in ms: what timestamps in signatures use."""
        return self.clock() + (self.time_offset or 0)

    async def sync_time(self) -> int:
        """Measure the offset between the venue's clock and ours (half the round trip)."""
        before = self.clock()
        server = await self.fetch_server_time()
        after = self.clock()
        self.time_offset = server - (before + after) // 2
        if abs(self.time_offset) > 1000:
            log.info("%s: the local clock is %d ms off the venue's; compensating", self.id,
                     -self.time_offset)
        return self.time_offset

    def sign(self, request: Request) -> Request:
        """Add the venue's authentication to `request` (its `auth` scheme)."""
        if self.auth is None:
            raise E.NotSupported(self.id, "this venue has no private API in Exchange Atlas")
        return self.auth.sign(self, request)

    def require_credentials(self) -> Credentials:
        if self.credentials is None:
            raise E.AuthenticationError(
                self.id, "this needs API keys; add them in Credentials for this venue")
        return self.credentials

    # -- errors ------------------------------------------------------------------------------
    def error_code(self, reply: Reply) -> tuple[str, str] | None:
        """The venue's (code, message) in an error reply, or None when the reply is not one.
        Venues override this; the base understands nothing beyond the HTTP status."""
        return None

    def _check_reply(self, reply: Reply, request: Request) -> None:
        found = self.error_code(reply)
        if found is None:
            return
        code, message = found
        raise self.error_for(code, message, request.name, reply)

    def error_for(self, code, message: str, endpoint: str | None = None,
                  reply: Reply | None = None) -> E.ExchangeError:
        """Map a venue error code/message to the hierarchy with one table per venue."""
        code = str(code) if code is not None else ""
        text = self.scrub(str(message or "").strip())[:300]
        low = text.lower()
        cls = self.error_exact.get(low) if self.error_exact else None
        if cls is None and code in self.generic_error_codes:
            cls = self._error_by_fragment(low)
        cls = cls or self.errors.get(code) or self._error_by_fragment(low)
        if cls is None and reply is not None and reply.status >= 400:
            from .transport import status_error
            err = status_error(self.id, reply.status, endpoint or "", text)
            err.code = code or err.code
            return err
        cls = cls or E.ExchangeError
        words = f"{text} (code {code})" if code and code not in text else (text or code)
        if issubclass(cls, E.RateLimitExceeded):
            return cls(self.id, words, endpoint=endpoint, code=code,
                       retry_after=retry_after(reply.headers) if reply is not None else None)
        return cls(self.id, words, endpoint=endpoint, code=code)

    def _error_by_fragment(self, low: str) -> type[E.ExchangeError] | None:
        return next((c for frag, c in self.error_messages.items() if frag in low), None)

    def scrub(self, text: str) -> str:
        """Remove any credential that a venue might echo back in an error text."""
        if self.credentials is not None:
            for secret in self.credentials.secrets():
                if secret and len(secret) >= 4:
                    text = text.replace(secret, "***")
        return text

    def _bad_response(self, exc: BaseException) -> E.BadResponse:
        endpoint = current_endpoint.get()
        kind = type(exc).__name__
        detail = str(exc)[:120]
        return E.BadResponse(self.id, f"could not read the venue's reply ({kind}: "
                             f"{self.scrub(detail)})", endpoint=endpoint)

    # -- markets and symbols -----------------------------------------------------------------
    async def load_markets(self, reload: bool = False) -> dict[str, Market]:
        async with self._markets_lock:
            if self.markets and not reload:
                return self.markets
            markets = await self._fetch_markets()
            self.markets = {m.symbol: m for m in markets}
            self.markets_by_id = {m.id: m for m in markets}
            return self.markets

    async def _fetch_markets(self) -> list[Market]:
        """Every market from the "markets" endpoint, through `parse_market(row, key)` (rows
        that are not spot markets give None)."""
        if "markets" not in self.api:
            raise E.NotSupported(self.id, "listing markets is not supported")
        return [m for row, key in self.each(await self.call("markets"), "markets")
                if (m := self.parse_market(row, key)) is not None]

    def parse_market(self, row, key=None) -> Market | None:
        raise NotImplementedError

    def each(self, rows, endpoint: str) -> list[tuple[object, object]]:
        """(row, key) pairs of an endpoint's rows: the keys of a `keyed` endpoint's mapping,
        else None (a lone mapping is one row)."""
        if self.api[endpoint].keyed:
            return list(zip(rows.values(), rows.keys()))
        if isinstance(rows, Mapping):
            return [(rows, None)]
        return [(row, None) for row in rows]

    def by_id(self, venue_id) -> Market | None:
        """The market of a venue id ("BTCUSDT"), or None for one we do not list."""
        return self.markets_by_id.get(venue_id)

    def symbol_of(self, base: str, quote: str) -> str:
        return f"{self.currency(base)}/{self.currency(quote)}"

    async def market(self, symbol: str) -> Market:
        """The market for a unified symbol; BadSymbol (nothing sent) if there is none."""
        try:
            split_symbol(symbol)
        except ValueError as exc:
            raise E.BadSymbol(self.id, str(exc)) from None
        markets = await self.load_markets()
        m = markets.get(symbol)
        if m is None:
            raise E.BadSymbol(self.id, f"{symbol} is not traded on {self.name}")
        return m

    def currency(self, code: str) -> str:
        return common_code(code, self.currency_overrides)

    def timeframe(self, timeframe: str):
        try:
            return self.timeframes[timeframe]
        except KeyError:
            offered = ", ".join(self.timeframes) or "none"
            raise E.NotSupported(self.id, f"timeframe {timeframe!r} is not offered "
                                          f"(offered: {offered})") from None


# The base's own calls get the same guard as every venue's calls.
for _name in CONTRACT_CALLS:
    setattr(Exchange, _name, guard(getattr(Exchange, _name)))
Exchange.has = {name: False for name in CONTRACT_CALLS + ORDER_OPTIONS}
del _name
