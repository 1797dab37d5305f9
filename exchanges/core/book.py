"""The local order book: a snapshot plus deltas, kept sorted, with hooks for sequence checks.

A venue's `BookFeed` turns its websocket frames into `LocalBook` updates and raises `OutOfSync`
when a sequence gap or checksum mismatch shows the local copy can no longer be trusted; the
adapter base then rebuilds it from a fresh snapshot.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sortedcontainers import SortedDict

from ..types import OrderBook

__all__ = ["LocalBook", "OutOfSync", "BookFeed"]


class OutOfSync(Exception):
    """The local book missed or misapplied an update; rebuild it from a snapshot."""


class LocalBook:
    """Bids and asks as sorted maps price → amount (bids keyed by negated price: best first)."""

    __slots__ = ("symbol", "bids", "asks", "nonce", "timestamp")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.bids: SortedDict = SortedDict()
        self.asks: SortedDict = SortedDict()
        self.nonce: int | None = None
        self.timestamp: int | None = None

    def clear(self) -> None:
        self.bids.clear()
        self.asks.clear()
        self.nonce = None

    def reset(self, bids: Iterable[tuple[Decimal, Decimal]],
              asks: Iterable[tuple[Decimal, Decimal]], nonce: int | None = None) -> None:
        self.bids = SortedDict({-p: a for p, a in bids if a})
        self.asks = SortedDict({p: a for p, a in asks if a})
        self.nonce = nonce

    def set_bid(self, price: Decimal, amount: Decimal) -> None:
        if amount:
            self.bids[-price] = amount
        else:
            self.bids.pop(-price, None)

    def set_ask(self, price: Decimal, amount: Decimal) -> None:
        if amount:
            self.asks[price] = amount
        else:
            self.asks.pop(price, None)

    def set(self, side: str, price: Decimal, amount: Decimal) -> None:
        (self.set_bid if side == "bid" else self.set_ask)(price, amount)

    def truncate(self, depth: int) -> None:
        """Keep the best `depth` levels a side (venues that stop sending levels out of range)."""
        for side in (self.bids, self.asks):
            while len(side) > depth:
                side.popitem()

    def top_bids(self, n: int | None = None) -> list[tuple[Decimal, Decimal]]:
        keys = self.bids.keys()[:n] if n else self.bids.keys()
        return [(-k, self.bids[k]) for k in keys]

    def top_asks(self, n: int | None = None) -> list[tuple[Decimal, Decimal]]:
        keys = self.asks.keys()[:n] if n else self.asks.keys()
        return [(k, self.asks[k]) for k in keys]

    def crossed(self) -> bool:
        return bool(self.bids and self.asks) and -self.bids.keys()[0] >= self.asks.keys()[0]

    def snapshot(self, limit: int | None = None) -> OrderBook:
        return OrderBook(self.symbol, self.top_bids(limit), self.top_asks(limit),
                         self.timestamp, self.nonce)


class BookFeed:
    """How one venue keeps a book from its stream. Subclasses fill in the venue's rules.

    `key`, `subscribe`, `unsubscribe`, `host`: the subscription. `start()` runs after
    subscribing (a venue whose snapshot comes from REST fetches it here, while frames queue up).
    `apply(msg)` applies a frame and returns True when the book changed; it raises `OutOfSync`
    on a gap or a checksum mismatch. `resync_by_resubscribe`: whether a fresh snapshot comes by
    subscribing again (snapshot over the websocket) rather than from `start()` (REST).
    """

    host = "ws"
    resync_by_resubscribe = True

    def __init__(self, symbol: str, limit: int | None) -> None:
        self.book = LocalBook(symbol)
        self.limit = limit
        self.key: str = ""
        self.subscribe: object = None
        self.unsubscribe: object | None = None

    async def start(self) -> None:
        """Called after (re)subscribing; the default waits for the venue's snapshot frame."""

    def reset(self) -> None:
        self.book.clear()

    def apply(self, msg: object) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError
