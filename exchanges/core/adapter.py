"""The adapter base: lifecycle, `has`, markets, calling convention, venue error tables.

A venue module subclasses `Exchange` and mostly declares: its hosts, rate limit, error tables,
currency quirks, and parsers. The base gives every venue the same behaviour for what the
contract fixes: input checks before anything is sent, `BadResponse` for any reply a parser
cannot read (naming the endpoint), order placement that never sends twice (core/orders.py),
and `watch_*` iterators over the shared stream hub with book resync (core/streaming.py).
"""
from __future__ import annotations

import asyncio
import enum
import functools
import inspect
import logging
import time
from collections.abc import Callable, Mapping
from typing import ClassVar

from .. import errors as E
from ..redact import register_secrets
from ..symbols import common_code, split_symbol
from ..types import (Balance, Candle, Credentials, Market, Order, OrderBook, Ticker, Trade)
from .ratelimit import RateLimiter
from .orders import OrderCalls
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
# A call the base implements as a template over a venue hook: `has` follows the hook.
_HOOKS = {"create_order": "_place_order", "load_markets": "_fetch_markets",
          "watch_order_book": "_book_feed", "watch_ticker": "_ticker_stream",
          "watch_trades": "_trades_stream"}


def default_clock() -> int:
    return time.time_ns() // 1_000_000


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPENED = "opened"
    CLOSED = "closed"


# What a parser raises on a reply of the wrong shape. RuntimeError covers a StopIteration
# turned into RuntimeError inside a coroutine (PEP 479) and RecursionError on deep nesting.
_PARSE_ERRORS = (LookupError, TypeError, ValueError, AttributeError, ArithmeticError,
                 StopIteration, RecursionError)


def _from_parser(exc: BaseException) -> bool:
    """Whether `exc` is a parser failing on a reply's shape (not, say, a closed event loop)."""
    return isinstance(exc, _PARSE_ERRORS) or (
        isinstance(exc, RuntimeError) and isinstance(exc.__cause__, StopIteration))


def _name_endpoint(exc: E.ExchangeError) -> E.ExchangeError:
    """A BadResponse raised by a parser names the endpoint whose reply it could not read."""
    if isinstance(exc, E.BadResponse) and exc.endpoint is None:
        endpoint = current_endpoint.get()
        if endpoint:
            exc.endpoint = endpoint
            exc.args = (f"{exc.exchange} ({endpoint}): {exc.reason}",)
    return exc


def _guard(fn):
    """Let only ExchangeErrors out of a call: anything else is a reply the parser couldn't read."""
    if getattr(fn, "__guarded__", False):
        return fn
    if inspect.isasyncgenfunction(fn):
        @functools.wraps(fn)
        async def gen(self, *args, **kwargs):
            self._check_open()
            try:
                async for item in fn(self, *args, **kwargs):
                    yield item
            except E.ExchangeError as exc:
                raise _name_endpoint(exc)
            except Exception as exc:
                if not _from_parser(exc):
                    raise
                raise self._bad_response(exc) from exc
        gen.__guarded__ = True
        return gen

    @functools.wraps(fn)
    async def call(self, *args, **kwargs):
        self._check_open()
        try:
            return await fn(self, *args, **kwargs)
        except E.ExchangeError as exc:
            raise _name_endpoint(exc)
        except Exception as exc:
            if not _from_parser(exc):
                raise
            raise self._bad_response(exc) from exc
    call.__guarded__ = True
    return call


class Exchange(OrderCalls, StreamCalls):
    """Base of every adapter. See the contract for the public calls."""

    id: ClassVar[str] = "base"
    name: ClassVar[str] = "Exchange"
    hosts: ClassVar[Mapping[str, str]] = {}       # "rest…" and "ws…" keys → base URLs
    timeout: ClassVar[float] = 10.0
    rate_limit: ClassVar[tuple[float, float]] = (10, 1.0)   # weight per seconds
    retries: ClassVar[int] = 2
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

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for name in CONTRACT_CALLS:
            fn = cls.__dict__.get(name)
            if fn is not None:
                setattr(cls, name, _guard(fn))
        cls.has = {name: cls._implements(name) for name in CONTRACT_CALLS}
        cls.has.update({opt: cls.has["create_order"] and opt in cls.order_options
                        for opt in ORDER_OPTIONS})

    @classmethod
    def _implements(cls, name: str) -> bool:
        hook = _HOOKS.get(name)
        if hook is not None and getattr(cls, hook) is not getattr(Exchange, hook):
            return True
        if name == "fetch_ticker" and cls._implements("fetch_tickers"):
            return True
        if name == "watch_tickers" and cls._implements("watch_ticker"):
            return True
        return getattr(cls, name) is not getattr(Exchange, name)

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
        self.limiter = RateLimiter(*self.rate_limit)
        self.transport = Transport(
            self.id, {k: v for k, v in self.urls.items() if not k.startswith("ws")},
            limiter=self.limiter, timeout=self.timeout, retries=self.retries,
            sign=self.sign, check=self._check_reply, on_rate_limit=self._rate_limited)
        self._hubs: dict = {}                     # websocket host → StreamHub
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
                      decode=None):
        """Send one REST call through the shared transport; returns decoded JSON (or, with
        `decode` from `numbers.decoder`, a successful reply decoded straight into its shape).

        A signed call on a venue with a server clock first measures the offset to it, and a
        rejection that the venue reports as a timestamp error (`clock_errors`) re-measures and
        sends once more: the venue refused it before acting, so nothing can happen twice."""
        def send():
            return self.transport.request(Request(
                method, path, params=params, body=body, host=host, signed=signed,
                weight=weight, endpoint=endpoint, headers=dict(headers or {}),
                idempotent=idempotent, decode=decode))
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

    # -- the venue's clock -------------------------------------------------------------------
    # Venues whose signatures carry a timestamp checked against their own clock implement
    # fetch_server_time(); signatures then use now() = clock() + the measured offset, so a
    # machine clock seconds off the venue's still signs valid requests.
    clock_errors: ClassVar[frozenset[str]] = frozenset()   # codes meaning "timestamp is off"

    async def fetch_server_time(self) -> int:
        """The venue's current time in ms (venues with a time endpoint override this)."""
        raise E.NotSupported(self.id, "this venue has no server time endpoint")

    @property
    def has_server_time(self) -> bool:
        return type(self).fetch_server_time is not Exchange.fetch_server_time

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
        """Add the venue's authentication to `request`. Venues with private calls override."""
        raise E.NotSupported(self.id, "this venue has no private API in Exchange Atlas")

    def require_credentials(self) -> Credentials:
        if self.credentials is None:
            raise E.AuthenticationError(
                self.id, "this needs API keys; add them in Credentials for this venue")
        return self.credentials

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
        raise E.NotSupported(self.id, "listing markets is not supported")

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

    # -- the contract's calls: venues override what they offer -------------------------------
    async def fetch_ticker(self, symbol: str) -> Ticker:
        if not self.has["fetch_tickers"]:
            raise E.NotSupported(self.id, "tickers are not supported")
        await self.market(symbol)
        tickers = await self.fetch_tickers([symbol])
        if symbol not in tickers:
            raise E.BadResponse(self.id, f"the reply had no ticker for {symbol}")
        return tickers[symbol]

    async def fetch_tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]:
        raise E.NotSupported(self.id, "fetching all tickers is not supported")

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        raise E.NotSupported(self.id, "order books are not supported")

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1h", since: int | None = None,
                          limit: int | None = None) -> list[Candle]:
        raise E.NotSupported(self.id, "candles are not supported")

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        raise E.NotSupported(self.id, "public trades are not supported")

    async def fetch_balance(self) -> dict[str, Balance]:
        raise E.NotSupported(self.id, "balances are not supported")

    async def cancel_order(self, order_id: str, symbol: str) -> Order:
        raise E.NotSupported(self.id, "cancelling orders is not supported")

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        raise E.NotSupported(self.id, "looking up an order is not supported")

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        raise E.NotSupported(self.id, "listing open orders is not supported")

    async def fetch_my_trades(self, symbol: str | None = None, since: int | None = None,
                              limit: int | None = None) -> list[Trade]:
        raise E.NotSupported(self.id, "the account's trade history is not supported")

# The base's own template calls get the same guard as every venue's calls.
for _name in ("load_markets", "fetch_ticker", "create_order", "watch_ticker", "watch_trades",
              "watch_order_book", "watch_tickers"):
    setattr(Exchange, _name, _guard(getattr(Exchange, _name)))
Exchange.has = {name: False for name in CONTRACT_CALLS + ORDER_OPTIONS}
del _name
