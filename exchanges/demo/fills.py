"""The user's own fills on the demo venue: what `fetch_my_trades` and `watch_my_trades` read.

Every match the engine makes in which one side is the user's order becomes one fill (two when
the user's orders meet each other: one as maker, one as taker). The fee is the engine's own
arithmetic (`price × amount × rate`, in the quote currency, the maker or taker rate of the
user's side), so the fills add up to exactly what the balances moved by.
"""
from __future__ import annotations

from bisect import bisect_left
from decimal import Decimal

from ..types import Trade

__all__ = ["FillLog"]

_ZERO = Decimal(0)


class FillLog:
    """Append-only, in the order the fills happened (so timestamps never decrease)."""

    def __init__(self) -> None:
        self.fills: list[Trade] = []
        self._times: list[int] = []

    def record(self, now: int, symbol: str, quote: str, price: Decimal, amount: Decimal,
               order, role: str) -> Trade:
        acct = order.account
        rate = acct.maker if role == "maker" else acct.taker
        fee = price * amount * rate if rate else _ZERO
        fill = Trade(str(len(self.fills) + 1), now, order.side, price, amount, symbol,
                     order_id=str(order.id), client_order_id=order.client_order_id, fee=fee,
                     fee_currency=quote, taker_or_maker=role)
        self.fills.append(fill)
        self._times.append(now)
        return fill

    def query(self, symbol: str | None = None, since: int | None = None,
              limit: int | None = None) -> list[Trade]:
        """Oldest first. With `since`: the first `limit` fills at or after it (a page to go on
        from); without: the latest `limit` (the way venues answer a request without a start)."""
        start = bisect_left(self._times, since) if since is not None else 0
        found = [f for f in self.fills[start:] if symbol is None or f.symbol == symbol]
        if limit is None:
            return found
        return found[:limit] if since is not None else found[-limit:]

    def after(self, seen: int) -> list[Trade]:
        """The fills recorded after the first `seen` (for a stream that has seen those)."""
        return self.fills[seen:]
