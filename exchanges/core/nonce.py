"""Strictly increasing nonces for venues that reject a nonce not above the last one seen.

A venue like Kraken keeps the highest nonce per API key and refuses anything not above it. The
nonce derives from the adapter's clock (so a test can fix it), yet successive nonces still
increase under a fixed clock or a clock that steps back: `max(clock-derived, last + 1)`.

The source is pluggable: an adapter holds one as `nonce_source` (any zero-argument callable
returning an int), so an application that must survive restarts can swap in one that persists
the last nonce, or one shared by several adapters using the same key.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["IncreasingNonce"]


class IncreasingNonce:
    """`clock()` in milliseconds × `scale`, raised to `last + 1` whenever that would not increase.

    `scale` converts milliseconds to the venue's unit (1 for ms, 1000 for µs). `start` seeds the
    last value, e.g. one read back from storage after a restart.
    """

    def __init__(self, clock: Callable[[], int], scale: int = 1, start: int = 0) -> None:
        self._clock = clock
        self._scale = scale
        self._lock = threading.Lock()   # adapters may be driven from more than one thread
        self.last = start

    def __call__(self) -> int:
        with self._lock:
            value = max(int(self._clock()) * self._scale, self.last + 1)
            self.last = value
            return value
