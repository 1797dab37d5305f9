"""Per-venue request pacing: leaky buckets of request weight, served by priority.

A venue declares its buckets as the venue documents them (`{"public": (1200, 60), "orders":
(50, 10)}`); every endpoint draws from one. Waiters are served by priority, then in arrival
order, so an order or a cancel never queues behind ticker or balance polls in a shared bucket.
`pause(seconds)` holds a bucket (or all of them) until then: how a 429's Retry-After is honoured
once for every concurrent caller instead of each of them hammering the venue.
"""
from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Mapping

__all__ = ["Bucket", "RateLimiter", "ORDER", "PRIVATE", "PUBLIC"]

# Priorities: lower is served first.
ORDER, PRIVATE, PUBLIC = 0, 1, 2


class Bucket:
    """`capacity` weight units per `period` seconds, leaking continuously."""

    def __init__(self, capacity: float, period: float = 1.0) -> None:
        self.capacity = float(capacity)
        self.period = float(period)
        self._rate = self.capacity / self.period
        self._level = 0.0
        self._stamp = time.monotonic()
        self._paused_until = 0.0
        self._queue: list[tuple[int, int]] = []       # (priority, arrival) of the waiters
        self._arrivals = itertools.count()
        self._changed: asyncio.Future | None = None

    def _leak(self, now: float) -> None:
        self._level = max(0.0, self._level - (now - self._stamp) * self._rate)
        self._stamp = now

    def _notify(self) -> None:
        fut, self._changed = self._changed, None
        if fut is not None and not fut.done():
            fut.set_result(None)

    async def acquire(self, weight: float = 1, priority: int = PUBLIC) -> None:
        weight = min(float(weight), self.capacity)
        entry = (priority, next(self._arrivals))
        heapq.heappush(self._queue, entry)
        try:
            while True:
                now = time.monotonic()
                self._leak(now)
                delay = None
                if self._queue[0] == entry:
                    delay = max(self._paused_until - now,
                                (self._level + weight - self.capacity) / self._rate)
                    if delay <= 0:
                        self._level += weight
                        return
                if self._changed is None or self._changed.done():
                    self._changed = asyncio.get_running_loop().create_future()
                try:
                    await asyncio.wait_for(asyncio.shield(self._changed), delay)
                except asyncio.TimeoutError:
                    pass
        finally:
            self._queue.remove(entry)
            heapq.heapify(self._queue)
            self._notify()                            # the next in line re-checks

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        self._notify()

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - time.monotonic())


class RateLimiter:
    """The buckets of one adapter, by name. `RateLimiter(capacity, period)` is one bucket that
    every endpoint shares (priorities still apply). A name the venue did not declare draws from
    "private" when it starts with "order", else from "public", else from the first bucket."""

    def __init__(self, buckets: Mapping[str, tuple[float, float]] | float,
                 period: float = 1.0) -> None:
        if not isinstance(buckets, Mapping):
            buckets = {"public": (buckets, period)}
        self.buckets = {name: Bucket(*spec) for name, spec in buckets.items()}
        first = next(iter(self.buckets.values()))
        self.capacity, self.period = first.capacity, first.period

    def bucket(self, name: str | None) -> Bucket:
        b = self.buckets
        if name in b:
            return b[name]
        if name and name.startswith("order") and "private" in b:
            return b["private"]
        return b.get("public") or next(iter(b.values()))

    async def acquire(self, weight: float = 1, bucket: str | None = None,
                      priority: int = PUBLIC) -> None:
        await self.bucket(bucket).acquire(weight, priority)

    def pause(self, seconds: float, bucket: str | None = None) -> None:
        for b in ([self.bucket(bucket)] if bucket else self.buckets.values()):
            b.pause(seconds)

    @property
    def paused_for(self) -> float:
        return max(b.paused_for for b in self.buckets.values())
