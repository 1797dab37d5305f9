"""REST transport: one aiohttp session per adapter, pacing, timeouts, retries, error translation.

aiohttp's exceptions become `exchanges` errors here and nowhere else. Only idempotent reads are
retried; a request that may have changed state (an order) is never sent twice by this layer.
"""
from __future__ import annotations

import asyncio
import contextvars
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace

import aiohttp

from .. import errors as E
from ..numbers import loads
from .ratelimit import RateLimiter
from .signing import urlencode_params

__all__ = ["Request", "Reply", "Transport", "current_endpoint", "status_error", "retry_after"]

log = logging.getLogger("exchanges.transport")

# The endpoint of the request in flight in this task, so a parser failure can name it.
current_endpoint: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_endpoint", default=None)


@dataclass(slots=True)
class Request:
    """One REST call as the venue defines it. `sign` may add headers, params or a body.

    The body is `body` as given, or `data` encoded as `body_format` ("json" or "form") just
    before signing; a scheme that adds fields (a nonce in the form body) changes `data` and
    the body is encoded again, so what is signed is exactly what is sent."""

    method: str
    path: str                                   # exactly as on the real venue
    params: Mapping[str, object] | list[tuple[str, object]] | None = None
    body: str | bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    host: str = "rest"                          # key of the adapter's `hosts`
    weight: float = 1
    signed: bool = False
    idempotent: bool | None = None              # default: GET/HEAD are, everything else is not
    endpoint: str | None = None                 # name used in messages; default "METHOD path"
    query: str | None = None                    # filled in before signing: the exact query string
    decode: Callable[[bytes], object] | None = None   # 2xx reply's typed decoder (numbers)
    data: Mapping[str, object] | list[tuple[str, object]] | None = None
    body_format: str | None = None              # how `data` is encoded: "json", "form",
                                                # or "json_numbers" (Decimals as numbers)
    bucket: str | None = None                   # the rate-limit bucket it draws from
    priority: int = 2                           # ratelimit.PUBLIC; orders go first (ORDER)

    @property
    def name(self) -> str:
        return self.endpoint or f"{self.method} {self.path}"

    def encode_body(self) -> None:
        """`body` from `data` in `body_format` (form: in order, Decimals as their digits;
        "json_numbers": JSON with Decimals as JSON numbers of their exact digits)."""
        if self.data is None:
            return
        if self.body_format == "form":
            self.body = urlencode_params(self.data)
        else:
            from .auth import json_compact
            items = self.data if isinstance(self.data, Mapping) else dict(self.data)
            self.body = json_compact({k: v for k, v in items.items() if v is not None},
                                     numbers=self.body_format == "json_numbers")
        if not self.body:
            return          # no fields, no body: nothing to declare a content type for
        if self.body_format == "form" and "Content-Type" not in self.headers:
            self.headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif self.body_format in ("json", "json_numbers") and "Content-Type" not in self.headers:
            self.headers["Content-Type"] = "application/json"

    def prepend_data(self, fields: Mapping[str, object]) -> None:
        """Put `fields` first in the body (a nonce the venue wants before the parameters)."""
        self.data = [*fields.items(), *_items(self.data)]
        self.encode_body()

    def append_data(self, fields: Mapping[str, object]) -> None:
        self.data = [*_items(self.data), *fields.items()]
        self.encode_body()

    @property
    def retryable(self) -> bool:
        if self.idempotent is not None:
            return self.idempotent
        return self.method in ("GET", "HEAD")


def _items(data) -> list[tuple[str, object]]:
    if data is None:
        return []
    return list(data.items()) if isinstance(data, Mapping) else list(data)


@dataclass(slots=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    payload: object        # decoded JSON (Decimal numbers), or None for an empty body
    text: str


_STATUS_ERRORS: dict[int, tuple[type[E.ExchangeError], str]] = {
    400: (E.ExchangeError, "the venue rejected the request as malformed"),
    401: (E.AuthenticationError, "the venue rejected the API key or signature"),
    403: (E.PermissionDenied, "the venue refused access (key permissions or IP)"),
    404: (E.ExchangeError, "the venue has no such resource"),
    408: (E.RequestTimeout, "the venue timed out the request"),
    418: (E.RateLimitExceeded, "the venue banned this IP for too many requests"),
    429: (E.RateLimitExceeded, "too many requests; the venue asked us to slow down"),
}


def status_error(exchange: str, status: int, endpoint: str, detail: str = "",
                 retry_after: float | None = None) -> E.ExchangeError:
    """The generic error for an HTTP status when the venue's own code says nothing more."""
    cls, words = _STATUS_ERRORS.get(status, (None, None))
    if cls is None:
        if status >= 500:
            cls, words = E.ExchangeNotAvailable, f"the venue is unavailable (HTTP {status})"
        else:
            cls, words = E.ExchangeError, f"unexpected HTTP status {status}"
    msg = f"{words}: {detail}" if detail else words
    if cls is E.RateLimitExceeded:
        return cls(exchange, msg, endpoint=endpoint, retry_after=retry_after, code=str(status))
    return cls(exchange, msg, endpoint=endpoint, code=str(status))


def retry_after(headers: Mapping[str, str]) -> int | None:
    """Seconds from a Retry-After header (RFC 9110: whole seconds; a date is ignored)."""
    value = (headers.get("Retry-After") or "").strip()
    return int(value) if value.isdigit() else None


class Transport:
    """Sends `Request`s for one adapter.

    `sign(request)` returns the request ready to send (auth headers, nonce, signature).
    `check(reply, request)` raises the venue's own error for an error reply (its code table);
    afterwards any status >= 400 left becomes the generic error for that status.
    """

    def __init__(self, exchange: str, hosts: Mapping[str, str], *,
                 limiter: RateLimiter, timeout: float = 10.0, retries: int = 2,
                 sign: Callable[[Request], Request] | None = None,
                 check: Callable[[Reply, Request], None] | None = None,
                 on_rate_limit: Callable[[E.RateLimitExceeded, float], None] | None = None,
                 serialize: Callable[[Request], object] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 user_agent: str = "ExchangeAtlas/0.1") -> None:
        self.exchange = exchange
        self.hosts = dict(hosts)
        self.limiter = limiter
        self.timeout = timeout
        self.retries = retries
        self._sign = sign
        self._check = check
        self._on_rate_limit = on_rate_limit
        self._serialize = serialize       # request → async context manager (one key's calls)
        self._sleep = sleep
        self._user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None
        self.closed = False

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def session(self) -> aiohttp.ClientSession:
        """The one aiohttp session of this adapter, opened on first use (inside the loop)."""
        if self.closed:
            raise E.ExchangeError(self.exchange, "this connection was closed; create a new one")
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers={"User-Agent": self._user_agent},
                timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def close(self) -> None:
        self.closed = True
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    # -- requests ----------------------------------------------------------------------------
    def url(self, request: Request) -> str:
        try:
            base = self.hosts[request.host]
        except KeyError:
            raise E.NotSupported(self.exchange, f"no host {request.host!r} configured") from None
        return base.rstrip("/") + request.path

    async def request(self, request: Request) -> object:
        """Send `request`; return the decoded JSON payload, or raise an `ExchangeError`."""
        current_endpoint.set(request.name)
        attempt = 0
        while True:
            try:
                return await self._attempt(request)
            except E.RateLimitExceeded as exc:
                delay = exc.retry_after if exc.retry_after is not None else self._backoff(attempt)
                self.limiter.pause(delay, request.bucket)
                if self._on_rate_limit:
                    self._on_rate_limit(exc, delay)
                if not request.retryable or attempt >= self.retries:
                    raise
                log.warning("%s: rate limited on %s, retrying in %.1f s",
                            self.exchange, request.name, delay)
            except E.NetworkError as exc:
                never_sent = getattr(exc, "request_sent", True) is False
                if not (request.retryable or never_sent) or attempt >= self.retries:
                    raise
                delay = self._backoff(attempt)
                log.info("%s: %s on %s, retry %d in %.2f s", self.exchange, type(exc).__name__,
                         request.name, attempt + 1, delay)
                await self._sleep(delay)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return min(10.0, 0.25 * 2 ** attempt) * (0.5 + random.random() / 2)

    async def _attempt(self, request: Request) -> object:
        await self.limiter.acquire(request.weight, request.bucket, request.priority)
        if request.signed and self._serialize is not None:
            # One key's signed calls go one at a time (orders first), from signing to reply:
            # a venue that checks nonces then also sees them arrive in order.
            async with self._serialize(request):
                return await self._send(request)
        return await self._send(request)

    async def _send(self, request: Request) -> object:
        req = replace(request, headers=dict(request.headers))
        if req.params and req.query is None:
            req.query = urlencode_params(req.params)
        if req.body is None and req.data is not None:
            req.encode_body()
        if req.signed:
            if self._sign is None:
                raise E.NotSupported(self.exchange, "private calls are not supported")
            req = self._sign(req)
        url = self.url(req)
        if req.query:
            url = f"{url}?{req.query}"
        # aiohttp would label an empty POST "application/octet-stream"; venues that sign the
        # content type (Bitstamp) reject a Content-Type on a request without a body.
        skip = ("Content-Type",) if not req.body and "Content-Type" not in req.headers else ()
        try:
            async with self.session.request(req.method, url, data=req.body,
                                            headers=req.headers,
                                            skip_auto_headers=skip) as resp:
                raw = await resp.read()
                status, headers = resp.status, resp.headers
        except asyncio.TimeoutError as exc:
            raise E.RequestTimeout(
                self.exchange, f"no reply within {self.timeout:g} s", endpoint=req.name) from exc
        except aiohttp.ClientConnectorError as exc:
            err = E.ExchangeNotAvailable(self.exchange, "could not connect to the venue",
                                         endpoint=req.name)
            err.request_sent = False   # nothing left this machine: safe to try again
            raise err from exc
        except aiohttp.ClientError as exc:
            raise E.NetworkError(self.exchange, f"connection lost ({type(exc).__name__})",
                                 endpoint=req.name) from exc
        text = raw.decode("utf-8", errors="replace")
        payload, shape_error = None, None
        typed = req.decode is not None and status < 400     # error replies have their own shape
        if raw and not raw.isspace():
            if typed:
                try:
                    payload = req.decode(raw)
                except ValueError as exc:    # maybe the venue's error reply: check it below
                    shape_error = exc
            if not typed or shape_error is not None:
                try:
                    payload = loads(text)
                except (ValueError, RecursionError):
                    if status < 400:
                        raise E.BadResponse(self.exchange, "the reply is not valid JSON",
                                            endpoint=req.name) from None
        reply = Reply(status, headers, payload, text)
        try:
            if self._check is not None:
                self._check(reply, req)
            if status >= 400:
                raise status_error(self.exchange, status, req.name,
                                   retry_after=retry_after(headers))
        except E.ExchangeError as exc:
            exc.http_status = status         # a 5xx may have been acted on: orders reconcile
            raise
        if shape_error is not None:
            raise E.BadResponse(self.exchange, f"the reply is not in the documented shape "
                                f"({shape_error})", endpoint=req.name)
        return payload
