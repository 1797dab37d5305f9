"""Keep one venue's fills (and its orders' states) in the ledger, as `has` allows.

- `fetch_my_trades` where `has` says so: the first sync takes what the venue returns by default
  (its history, paged by the adapter where the venue pages); after that each sync pages forward
  from the cursor (`since`, inclusive: the fills at the cursor's millisecond come again and are
  ignored by their keys), one transaction per page with the cursor it reaches. A venue that
  wants a symbol per call is synced symbol by symbol, each symbol with its own cursor.
- `watch_my_trades` / `watch_orders` where the venue streams them: fills and order states are
  stored as they happen; the REST sync then only catches up what a reconnect may have missed.

Nothing here retries or sleeps on errors: the caller (the session) runs these loops with its
backoff and shows the error as the venue's state.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from contextlib import aclosing

from exchanges import (AuthenticationError, ExchangeError, NetworkError, NotSupported,
                       RateLimitExceeded)

from .store import ALL_SYMBOLS, Ledger

__all__ = ["FillSync"]

log = logging.getLogger("gui.ledger")


class FillSync:
    page = 500              # fills per page after the first sync
    chunk = 500             # fills per transaction while storing a first, unpaged answer

    def __init__(self, ledger: Ledger, venue: str, adapter, *,
                 symbols: Callable[[], Iterable[str]] = lambda: (),
                 on_fills: Callable[[str, int], None] | None = None,
                 on_order: Callable[[str, object], None] | None = None) -> None:
        self.ledger = ledger
        self.venue = venue
        self.adapter = adapter
        self.symbols = symbols            # for a venue that wants a symbol: which to ask for
        self.on_fills = on_fills          # (venue, new fills) after each transaction with some
        self.on_order = on_order
        self.per_symbol: bool | None = None    # None until the venue has answered once

    @property
    def fetches(self) -> bool:
        return bool(self.adapter.has.get("fetch_my_trades"))

    @property
    def streams(self) -> bool:
        return bool(self.adapter.has.get("watch_my_trades"))

    # -- REST --------------------------------------------------------------------------------
    async def sync_once(self) -> int:
        """Fetch every fill not in the ledger yet; returns how many were new."""
        if not self.fetches:
            return 0
        if not self.per_symbol:
            try:
                added = await self._sync(ALL_SYMBOLS)
                self.per_symbol = False
                return added
            except (NetworkError, RateLimitExceeded, AuthenticationError, NotSupported):
                raise
            except ExchangeError as exc:
                if self.per_symbol is False:
                    raise               # it worked before: this is a real error
                log.info("%s: fills need a symbol per request (%s); syncing by symbol",
                         self.venue, exc.reason)
                self.per_symbol = True
        added = 0
        for symbol in self._wanted():
            added += await self._sync(symbol)
        return added

    def _wanted(self) -> list[str]:
        known = set(self.ledger.cursors(self.venue)) - {ALL_SYMBOLS}
        known.update(self.ledger.symbols(self.venue))
        known.update(self.symbols())
        return sorted(known)

    async def _sync(self, key: str) -> int:
        symbol = None if key == ALL_SYMBOLS else key
        since = self.ledger.cursor(self.venue, key)
        fetch = self.adapter.fetch_my_trades
        if since is None:
            fills = sorted(await fetch(symbol), key=lambda f: f.timestamp)
            added = 0
            for i in range(0, len(fills), self.chunk):
                part = fills[i:i + self.chunk]
                added += self._store(part, (key, part[-1].timestamp))
            return added
        added = 0
        while True:
            fills = await fetch(symbol, since=since, limit=self.page)
            if not fills:
                return added
            newest = max(f.timestamp for f in fills)
            if len(fills) >= self.page and newest <= since:
                # A whole page in one millisecond: step past it, or this would never end.
                log.warning("%s: more than %d fills at %d ms; fills beyond the page at that "
                            "moment may be missed", self.venue, self.page, since)
                newest = since + 1
            added += self._store(fills, (key, newest))
            if len(fills) < self.page:
                return added
            since = newest

    def _store(self, fills: list, cursor: tuple[str, int] | None, source: str = "api") -> int:
        added = self.ledger.add_fills(self.venue, fills, source, cursor)
        if added and self.on_fills is not None:
            self.on_fills(self.venue, added)
        return added

    # -- streams -----------------------------------------------------------------------------
    async def watch_fills(self) -> None:
        """Store each fill the venue streams, as it comes (returns only if the stream ends)."""
        async with aclosing(self.adapter.watch_my_trades()) as fills:
            async for fill in fills:
                self._store([fill], None, "stream")

    async def watch_orders(self) -> None:
        async with aclosing(self.adapter.watch_orders()) as orders:
            async for order in orders:
                if self.ledger.record_order(self.venue, order) and self.on_order is not None:
                    self.on_order(self.venue, order)

    async def run(self, poll_seconds: float = 60.0, catch_up_seconds: float = 600.0) -> None:
        """Sync now, then again every `poll_seconds`, or every `catch_up_seconds` where the
        venue streams fills (the stream is run by `watch_fills`)."""
        while True:
            await self.sync_once()
            await asyncio.sleep(catch_up_seconds if self.streams else poll_seconds)
