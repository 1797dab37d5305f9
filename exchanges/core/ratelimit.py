"""Per-venue request pacing: a leaky bucket of request weight (aiolimiter) plus server back-off."""
from __future__ import annotations

import asyncio
import time

from aiolimiter import AsyncLimiter

__all__ = ["RateLimiter"]


class RateLimiter:
    """Weight-based pacing for one adapter.

    `capacity` weight units per `period` seconds, as the venue documents them. `pause(seconds)`
    holds every request until then, which is how a 429's Retry-After is honoured once for all
    concurrent callers instead of each of them hammering the venue.
    """

    def __init__(self, capacity: float, period: float = 1.0) -> None:
        self.capacity = capacity
        self.period = period
        self._bucket = AsyncLimiter(capacity, period)
        self._paused_until = 0.0

    async def acquire(self, weight: float = 1) -> None:
        delay = self._paused_until - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        await self._bucket.acquire(min(weight, self.capacity))

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - time.monotonic())
