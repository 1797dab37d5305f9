"""Signing schemes shared by the venues, and what one API key shares across the process.

A venue declares its scheme as data: `auth = Hmac(prehash="{stamp}{method}{path_query}{body}",
headers={"ACCESS-KEY": "{key}", "ACCESS-TIMESTAMP": "{stamp}", "ACCESS-SIGN": "{signature}"})`.
The template fields are listed in `Hmac.fields`; the stamp is the venue's timestamp or nonce in
its own unit (`STAMPS`), derived from the adapter's clock. A venue whose scheme is not a template
(a payload in a header, a JWT, a token from a login call) subclasses one of these or writes its
`sign()`; the rest of the adapter does not change.

`KeySlot`: every adapter of this process that uses the same venue and key shares one slot: the
last nonce sent (persisted, so it survives restarts) and a lock that serialises the key's signed
calls, orders first. The Credentials dialog's "test connection" and the running session can then
never race each other's nonces.
"""
from __future__ import annotations

import asyncio
import base64
import datetime
import hashlib
import heapq
import hmac
import itertools
import json
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import errors as E
from .nonce import IncreasingNonce, nonce_for, state_dir
from .ratelimit import PUBLIC

if TYPE_CHECKING:       # pragma: no cover
    from .transport import Request

__all__ = ["Hmac", "Basic", "Jwt", "KeySlot", "key_slot", "PriorityLock", "iso_timestamp",
           "STAMPS"]

_DIGESTS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


def iso_timestamp(ms: int, *, millis: bool = True, zulu: bool = True) -> str:
    """ISO 8601 UTC: 2020-12-08T09:08:57.715Z (or without the fraction / the Z)."""
    ms = int(ms)
    whole = datetime.datetime.fromtimestamp(ms // 1000, datetime.UTC)
    text = whole.strftime("%Y-%m-%dT%H:%M:%S") + (f".{ms % 1000:03d}" if millis else "")
    return text + ("Z" if zulu else "")


# The stamp a scheme signs, by unit: (derived from `now` ms, strictly increasing per key?).
STAMPS: dict[str, tuple[Callable[[int], str] | None, int]] = {
    "ms": (str, 0),
    "s": (lambda ms: str(ms // 1000), 0),
    "us": (lambda ms: str(ms * 1000), 0),
    "iso": (iso_timestamp, 0),
    "iso_s": (lambda ms: iso_timestamp(ms, millis=False, zulu=False), 0),
    "nonce": (None, 1),          # ms, strictly increasing per key, persisted
    "nonce_us": (None, 1000),    # µs, likewise
    "nonce_s": (None, -1000),    # s, likewise (scale -1000: ms // 1000)
    "uuid": (lambda ms: str(uuid.uuid4()), 0),
}


class PriorityLock:
    """An asyncio lock whose waiters are served by priority, then in arrival order."""

    def __init__(self) -> None:
        self._held = False
        self._queue: list[tuple[int, int, asyncio.Future]] = []
        self._arrivals = itertools.count()

    async def acquire(self, priority: int = PUBLIC) -> None:
        if not self._held and not self._queue:
            self._held = True
            return
        fut = asyncio.get_running_loop().create_future()
        entry = (priority, next(self._arrivals), fut)
        heapq.heappush(self._queue, entry)
        try:
            await fut
        except BaseException:
            if fut.done() and not fut.cancelled():
                self._release()           # granted just as we were cancelled: pass it on
            else:
                self._queue.remove(entry)
                heapq.heapify(self._queue)
            raise

    def _release(self) -> None:
        while self._queue:
            _, _, fut = heapq.heappop(self._queue)
            if not fut.done():
                fut.set_result(None)      # the lock passes straight to the next waiter
                return
        self._held = False

    def release(self) -> None:
        self._release()

    def slot(self, priority: int = PUBLIC) -> "_Held":
        return _Held(self, priority)


class _Held:
    def __init__(self, lock: PriorityLock, priority: int) -> None:
        self.lock, self.priority = lock, priority

    async def __aenter__(self) -> None:
        await self.lock.acquire(self.priority)

    async def __aexit__(self, *exc) -> None:
        self.lock.release()


class KeySlot:
    """What one venue key shares across the process: its nonce counter and its call lock."""

    def __init__(self, venue: str, api_key: str | None) -> None:
        self.venue, self._api_key = venue, api_key
        self._nonces: dict[int, IncreasingNonce] = {}    # by unit
        self._locks: dict[int, PriorityLock] = {}     # per event loop

    def nonce(self, now_ms: int, scale: int) -> int:
        """The next nonce in the venue's unit (`scale` per ms, or -1000 for seconds): the
        time's value, or one above the last nonce this key sent."""
        src = self._nonces.get(scale)
        if src is None:
            # A venue signs in one unit, so one file per venue and key (core.nonce).
            src = self._nonces[scale] = nonce_for(self.venue, self._api_key, lambda: 0)
        return src.next(now_ms * scale if scale > 0 else now_ms // -scale)

    def lock(self) -> PriorityLock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(id(loop))
        if lock is None:
            self._locks = {k: v for k, v in self._locks.items() if v._held or v._queue}
            lock = self._locks[id(loop)] = PriorityLock()
        return lock


_slots: dict[tuple[str, str, str], KeySlot] = {}
_slots_lock = threading.Lock()


def key_slot(venue: str, api_key: str | None) -> KeySlot:
    """The process-wide slot of (venue, key); keyed by a hash, never the key itself."""
    digest = hashlib.sha256(f"{venue}:{api_key}".encode()).hexdigest()
    where = str(state_dir()) if api_key else ""
    with _slots_lock:
        slot = _slots.get((venue, digest, where))
        if slot is None:
            slot = _slots[(venue, digest, where)] = KeySlot(venue, api_key)
        return slot


def _mac(algo: str, key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, _DIGESTS[algo]).digest()


def _encode(raw: bytes, digest: str) -> str:
    if digest == "base64":
        return base64.b64encode(raw).decode()
    return raw.hex().upper() if digest == "HEX" else raw.hex()


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else value


@dataclass(frozen=True)
class Hmac:
    """An HMAC over a declared prehash, placed in headers, the query or the body.

    prehash: a template over `fields` (or a callable fields → str/bytes).
    algo: "sha256" | "sha384" | "sha512"; digest: "hex" | "HEX" | "base64".
    secret: how the secret becomes the MAC key: "raw", "base64" (decode it), "upper",
      "md5" (the hex MD5 of the secret, as BtcBox uses).
    stamp: the unit of `{stamp}` (STAMPS); a "nonce…" unit is strictly increasing per key.
    nonce: the unit of a second stamp, `{nonce}`, for venues that sign both a timestamp and a
      nonce (Bitstamp: X-Auth-Timestamp in ms and X-Auth-Nonce, a random UUID).
    headers / query / body: templates added before signing (query and body ones are signed
      too: Binance's recvWindow & timestamp, Kraken's nonce), body fields first.
    signature_param / signature_field: where the signature goes besides the headers.
    A template naming `{passphrase}` makes the passphrase required: without one the request
    is refused before anything is sent.
    """

    prehash: str | Callable[[dict], str | bytes]
    algo: str = "sha256"
    digest: str = "hex"
    secret: str = "raw"
    stamp: str = "ms"
    nonce: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, str] = field(default_factory=dict)
    signature_param: str | None = None
    signature_field: str | None = None

    fields = ("key", "passphrase", "uid", "stamp", "nonce", "method", "host", "path", "query",
              "path_query", "url", "body", "content_type", "body_sha256", "body_sha512",
              "signature")

    def key_bytes(self, venue: str, secret: str) -> bytes:
        if self.secret == "base64":
            try:
                return base64.b64decode(secret, validate=True)
            except (ValueError, TypeError):
                raise E.AuthenticationError(venue, "the API secret is not valid base64") from None
        if self.secret == "upper":
            return secret.upper().encode()
        if self.secret == "md5":
            return hashlib.md5(secret.encode()).hexdigest().encode()
        return secret.encode()

    def names(self, field: str) -> bool:
        """Whether a template names `{field}` (e.g. a passphrase the venue checks)."""
        texts = [*self.headers.values(), *self.query.values(), *self.body.values()]
        if isinstance(self.prehash, str):
            texts.append(self.prehash)
        return any(f"{{{field}}}" in t for t in texts)

    def sign(self, ex, request: "Request") -> "Request":
        creds = ex.require_credentials()
        if not creds.passphrase and self.names("passphrase"):
            # Sending an empty one would only earn the venue's "passphrase incorrect".
            raise E.AuthenticationError(ex.id, f"{ex.name} API keys come with a passphrase, "
                                               f"chosen when the key was created; add it in "
                                               f"Credentials")
        stamp = ex.stamp(self.stamp)
        values = {"key": creds.api_key, "passphrase": creds.passphrase or "",
                  "uid": creds.uid or "", "stamp": stamp,
                  "nonce": ex.stamp(self.nonce) if self.nonce else ""}
        if self.body:
            extra = {k: v.format_map(values) for k, v in self.body.items()}
            request.prepend_data(extra)
        if self.query:
            extra = "&".join(f"{k}={v.format_map(values)}" for k, v in self.query.items())
            request.query = f"{request.query}&{extra}" if request.query else extra
        values.update(ex.request_fields(request))
        message = (self.prehash(values) if callable(self.prehash)
                   else self.prehash.format_map(values))
        raw = message.encode() if isinstance(message, str) else message
        values["signature"] = signature = _encode(
            _mac(self.algo, self.key_bytes(ex.id, creds.secret), raw), self.digest)
        for name, template in self.headers.items():
            request.headers[name] = template.format_map(values)
        if self.signature_param:
            sig = f"{self.signature_param}={signature}"
            request.query = f"{request.query}&{sig}" if request.query else sig
        if self.signature_field:
            request.append_data({self.signature_field: signature})
        return request


@dataclass(frozen=True)
class Basic:
    """HTTP basic authentication with the key and the secret (Luno, HitBTC)."""

    def sign(self, ex, request: "Request") -> "Request":
        creds = ex.require_credentials()
        token = base64.b64encode(f"{creds.api_key}:{creds.secret}".encode()).decode()
        request.headers["Authorization"] = f"Basic {token}"
        return request


@dataclass(frozen=True)
class Jwt:
    """A fresh JSON Web Token per request, in `Authorization: Bearer …`.

    `claims(ex, request, fields) -> dict` and `headers(ex, request) -> dict` build the token's
    contents; `key(ex) -> (signing key, algorithm)` chooses the key and algorithm from the
    credentials (Coinbase: ES256 for an EC key, EdDSA for an Ed25519 one; Bithumb: HS256)."""

    claims: Callable
    key: Callable
    headers: Callable | None = None

    def sign(self, ex, request: "Request") -> "Request":
        import jwt      # PyJWT, only for the venues that use it
        signing_key, algorithm = self.key(ex)
        token = jwt.encode(self.claims(ex, request, ex.request_fields(request)), signing_key,
                           algorithm=algorithm,
                           headers=self.headers(ex, request) if self.headers else None)
        request.headers["Authorization"] = f"Bearer {token}"
        return request


def json_compact(data, numbers: bool = False) -> str:
    """JSON as most venues sign it: no spaces, Decimals as their digits: in strings, or with
    `numbers` as JSON numbers (for venues that type prices as numbers: Mercado Bitcoin's
    limitPrice, Paymium's price and amount), never through float."""
    from ..numbers import wire
    from decimal import Decimal
    if not numbers:
        return json.dumps(data, separators=(",", ":"),
                          default=lambda v: wire(v) if isinstance(v, Decimal) else str(v))
    raw: list[str] = []
    tag = uuid.uuid4().hex          # placeholders no string in `data` can spell

    def mark(v):
        if isinstance(v, Decimal):
            raw.append(wire(v))
            return f"\x00{tag}:{len(raw) - 1}\x00"
        return str(v)
    text = json.dumps(data, separators=(",", ":"), default=mark)
    for i, digits in enumerate(raw):
        text = text.replace(json.dumps(f"\x00{tag}:{i}\x00"), digits, 1)
    return text
