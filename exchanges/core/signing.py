"""Signing helpers shared by the venues: HMAC digests, canonical query strings, JWT."""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import quote, urlencode

__all__ = ["hmac_hex", "hmac_b64", "sha256", "urlencode_params", "b64decode"]

_ALGOS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


def _raw(secret: str | bytes, message: str | bytes, algo: str) -> bytes:
    key = secret.encode() if isinstance(secret, str) else secret
    msg = message.encode() if isinstance(message, str) else message
    return hmac.new(key, msg, _ALGOS[algo]).digest()


def hmac_hex(secret: str | bytes, message: str | bytes, algo: str = "sha256") -> str:
    """Lower-case hex HMAC (Binance, Bitstamp: SHA-256; Bitfinex: SHA-384)."""
    return _raw(secret, message, algo).hex()


def hmac_b64(secret: str | bytes, message: str | bytes, algo: str = "sha256") -> str:
    """Base64 HMAC (OKX: SHA-256; Kraken: SHA-512 over a decoded secret)."""
    return base64.b64encode(_raw(secret, message, algo)).decode()


def sha256(message: str | bytes) -> bytes:
    return hashlib.sha256(message.encode() if isinstance(message, str) else message).digest()


def b64decode(secret: str) -> bytes:
    """Decode a base64 secret; a malformed one raises ValueError without echoing it."""
    try:
        return base64.b64decode(secret, validate=True)
    except (ValueError, TypeError):
        raise ValueError("the API secret is not valid base64") from None


def urlencode_params(params: Mapping[str, object] | Iterable[tuple[str, object]]) -> str:
    """A query string in the given order, values as sent (Decimals via `wire`, bools lower-case).

    The same string is signed and sent, so what the venue recomputes matches byte for byte.
    """
    from ..numbers import wire
    from decimal import Decimal
    items = params.items() if isinstance(params, Mapping) else params
    pairs = []
    for k, v in items:
        if v is None:
            continue
        if isinstance(v, Decimal):
            v = wire(v)
        elif isinstance(v, bool):
            v = "true" if v else "false"
        pairs.append((k, str(v)))
    return urlencode(pairs, quote_via=quote, safe="")
