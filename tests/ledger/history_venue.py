"""A duck-typed adapter with a fixed history of the account's fills, paged like a venue pages.

Several fills share each millisecond, so page boundaries fall inside a millisecond (the case an
inclusive `since` has to get right). Used by the sync tests and by the killed-process child.
"""
from __future__ import annotations

import asyncio
from decimal import Decimal

from exchanges import ExchangeError, Trade

T0 = 1_700_000_000_000
SYMBOLS = ("BTC/USD", "ETH/USD", "SOL/USD")


def make_fill(i: int, per_ms: int = 3, symbols=SYMBOLS) -> Trade:
    symbol = symbols[i % len(symbols)]
    return Trade(f"f{i:06d}", T0 + (i // per_ms) * 1000, "buy" if i % 2 else "sell",
                 Decimal(100 + i % 97) + Decimal(i % 13) / 100, Decimal(i % 7 + 1) / 1000,
                 symbol, order_id=f"o{i // 4}", client_order_id=f"c{i // 4}",
                 fee=Decimal(i % 5) / 10_000, fee_currency=symbol.split("/")[1],
                 taker_or_maker="maker" if i % 3 else "taker")


class HistoryVenue:
    def __init__(self, n: int = 3000, *, per_ms: int = 3, needs_symbol: bool = False,
                 default_limit: int | None = None, delay: float = 0.0,
                 streams: bool = False, venue_id: str = "history") -> None:
        self.id = venue_id
        self.per_ms = per_ms
        self.needs_symbol = needs_symbol
        self.default_limit = default_limit      # what the venue returns without a start
        self.delay = delay
        self.has = {"fetch_my_trades": True, "watch_my_trades": streams,
                    "watch_orders": False}
        self.fills: list[Trade] = []
        self.calls: list[tuple] = []
        self.stream: asyncio.Queue = asyncio.Queue()
        self.add(n)

    def add(self, n: int) -> list[Trade]:
        start = len(self.fills)
        new = [make_fill(i, self.per_ms) for i in range(start, start + n)]
        self.fills.extend(new)
        return new

    async def fetch_my_trades(self, symbol=None, since=None, limit=None):
        self.calls.append((symbol, since, limit))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.needs_symbol and symbol is None:
            raise ExchangeError(self.id, "this venue needs a symbol for the account's trades")
        rows = [f for f in self.fills if symbol is None or f.symbol == symbol]
        if since is not None:
            rows = [f for f in rows if f.timestamp >= since]
            return rows[:limit] if limit else rows
        if self.default_limit:
            rows = rows[-self.default_limit:]
        return rows[-limit:] if limit else rows

    async def watch_my_trades(self, symbol=None):
        while True:
            yield await self.stream.get()
