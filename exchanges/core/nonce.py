"""Strictly increasing nonces for venues that reject a nonce not above the last one seen.

A venue like Kraken keeps the highest nonce per API key and refuses anything not above it. The
nonce derives from the adapter's clock (so a test can fix it), yet successive nonces still
increase under a fixed clock or a clock that steps back: `max(clock-derived, last + 1)`.

The source is pluggable: an adapter holds one as `nonce_source` (any zero-argument callable
returning an int), so an application that must survive restarts can swap in one that persists
the last nonce, or one shared by several adapters using the same key.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["IncreasingNonce", "PersistentNonce", "nonce_for", "state_dir"]

log = logging.getLogger("exchanges.nonce")


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
        return self.next(int(self._clock()) * self._scale)

    def next(self, candidate: int) -> int:
        """`candidate` (a time in the venue's unit), or one above the last value if that is
        not higher."""
        with self._lock:
            value = max(int(candidate), self.last + 1)
            self.last = value
        self._saved(value)
        return value

    def _saved(self, value: int) -> None:
        """Hook: a persistent source writes `value` down."""


def state_dir() -> Path:
    """Where the adapter layer keeps small state (last nonces): $EXCHANGE_ATLAS_STATE_DIR, else
    the platform's user state directory."""
    env = os.environ.get("EXCHANGE_ATLAS_STATE_DIR")
    if env:
        return Path(env)
    import platformdirs   # imported here: only private calls on nonce venues need it
    return Path(platformdirs.user_state_dir("exchange-atlas", appauthor=False))


class PersistentNonce(IncreasingNonce):
    """An IncreasingNonce whose last value survives restarts (one small file per venue and key).

    The file is named by a hash of the API key, never the key itself, and rewritten atomically
    (temp + rename) after each nonce. If it cannot be written, nonces still increase in memory
    and one warning says why.
    """

    def __init__(self, clock: Callable[[], int], path: Path, scale: int = 1) -> None:
        self._path = path
        try:
            start = int(path.read_text().strip())
        except (OSError, ValueError):
            start = 0
        super().__init__(clock, scale, start)
        self._warned = False

    def _saved(self, value: int) -> None:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._path.with_suffix(".tmp")
            tmp.write_text(str(value))
            os.replace(tmp, self._path)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("could not save the last nonce (%s); nonces stay increasing "
                            "for this run only", exc.strerror or type(exc).__name__)


def nonce_for(venue: str, api_key: str | None, clock: Callable[[], int],
              scale: int = 1) -> IncreasingNonce:
    """The nonce source for one venue and key: persistent when there is a key."""
    if not api_key:
        return IncreasingNonce(clock, scale)
    digest = hashlib.sha256(f"{venue}:{api_key}".encode()).hexdigest()[:20]
    return PersistentNonce(clock, state_dir() / "nonces" / f"{venue}-{digest}", scale)
