"""The guard around every contract call: only ExchangeErrors leave it.

Anything else a venue's code raises while reading a reply (a missing key, a wrong type, a
number that is not one) is that reply being unreadable: `BadResponse`, naming the endpoint.
"""
from __future__ import annotations

import functools
import inspect
from contextlib import aclosing

from .. import errors as E
from .transport import current_endpoint

__all__ = ["guard", "from_parser", "name_endpoint"]

# What a parser raises on a reply of the wrong shape. RuntimeError covers a StopIteration
# turned into RuntimeError inside a coroutine (PEP 479) and RecursionError on deep nesting.
_PARSE_ERRORS = (LookupError, TypeError, ValueError, AttributeError, ArithmeticError,
                 StopIteration, RecursionError, NotImplementedError)


def from_parser(exc: BaseException) -> bool:
    """Whether `exc` is a parser failing on a reply's shape (not, say, a closed event loop)."""
    return isinstance(exc, _PARSE_ERRORS) or (
        isinstance(exc, RuntimeError) and isinstance(exc.__cause__, StopIteration))


def name_endpoint(exc: E.ExchangeError) -> E.ExchangeError:
    """A BadResponse raised by a parser names the endpoint whose reply it could not read."""
    if isinstance(exc, E.BadResponse) and exc.endpoint is None:
        endpoint = current_endpoint.get()
        if endpoint:
            exc.endpoint = endpoint
            exc.args = (f"{exc.exchange} ({endpoint}): {exc.reason}",)
    return exc


def _check_offered(self, name: str) -> None:
    """A call the venue declares it lacks (`lacks`) is NotSupported, with the reason, before
    its arguments are looked at or anything is sent."""
    reason = getattr(self, "lacks", {}).get(name)
    if reason is not None:
        raise E.NotSupported(self.id, reason)


def _before(self, name: str) -> None:
    """What every guarded call checks first: open, offered, keys where it needs them."""
    self._check_open()
    _check_offered(self, name)
    if name in self.needs_keys:
        self.require_credentials()


def _translated(self, exc: Exception) -> Exception:
    """The error a guarded call raises for `exc` (None: let it through unchanged)."""
    if isinstance(exc, E.ExchangeError):
        return name_endpoint(exc)
    return self._bad_response(exc) if from_parser(exc) else None


def _reraise(self, exc: Exception):
    """Raise what a guarded call raises for `exc`. No local is left pointing at the error
    raised: its traceback holds the raising frames, so such a local would make a reference
    cycle, and the error, with every frame and closed connection its traceback holds, would
    wait for a full garbage collection instead of going when the caller is done with it."""
    err = _translated(self, exc)
    try:
        if err is None:
            raise exc
        raise err from (None if err is exc else exc)
    finally:
        del err, exc


def guard(fn):
    """Let only ExchangeErrors out of a call: anything else is a reply the parser couldn't read.
    A call the venue declares in `needs_keys` asks for credentials first."""
    if getattr(fn, "__guarded__", False):
        return fn
    if inspect.isasyncgenfunction(fn):
        @functools.wraps(fn)
        async def gen(self, *args, **kwargs):
            _before(self, fn.__name__)
            try:
                # Closed here when the consumer stops, not whenever it is collected (the
                # venue's own stream would otherwise unsubscribe on some later loop).
                async with aclosing(fn(self, *args, **kwargs)) as items:
                    async for item in items:
                        yield item
            except Exception as exc:
                _reraise(self, exc)
        gen.__guarded__ = True
        return gen

    @functools.wraps(fn)
    async def call(self, *args, **kwargs):
        _before(self, fn.__name__)
        try:
            return await fn(self, *args, **kwargs)
        except Exception as exc:
            _reraise(self, exc)
    call.__guarded__ = True
    return call
