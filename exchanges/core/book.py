"""Local order books: a snapshot plus deltas, kept sorted, checked by the venue's rules.

A venue turns each book frame into a `BookFrame` (snapshot or delta, levels as Decimals, and
whatever sequence numbers and checksum it carries) and declares its rules; `BookSync` applies
frames and raises `OutOfSync` when the local copy can no longer be trusted, after which the
adapter base rebuilds it from a fresh snapshot. The sequence rules (`SEQUENCE_RULES`):

- "range": each delta covers ids first..seq; drop one with seq <= the book's id, and a delta
  whose first id is beyond the book's id + 1 is a gap (Binance U/u, Gate, KuCoin).
- "prev":  each delta names the id it follows (prev); it must equal the book's id (OKX
  prevSeqId, HTX prevSeqNum).
- "next":  each delta's id is the book's id + 1 (Bitso, Coinmate-style counters).
- "time":  ids are times: drop a delta not newer than the snapshot, and one older than the
  last applied is a gap (Bitstamp's microtimestamp).
- None:    no ids; the checksum (if any) is the only check.

Venues that stream orders, not levels (Bitso's diff-orders): a frame's `orders` are
(order id, "bid"/"ask", price, remaining amount; 0 or less removes it), and `BookSync` keeps
the orders and sets each touched level to the total of its orders.

Checksums: `crc32_interleaved` (OKX, Bitfinex) and `crc32_concatenated` (Kraken), written
once, from the digits exactly as the venue sent them.
"""
from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sortedcontainers import SortedDict

from ..types import OrderBook

__all__ = ["LocalBook", "OutOfSync", "BookFrame", "BookSync", "SEQUENCE_RULES",
           "crc32_interleaved", "crc32_concatenated", "signed32", "plain"]

SEQUENCE_RULES = (None, "range", "prev", "next", "time")


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


@dataclass(slots=True)
class BookFrame:
    """One book frame in the venue's terms. Delta amounts are absolute (0 removes a level)."""
    snapshot: bool
    bids: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    asks: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    seq: int | None = None          # the id this frame brings the book to
    first: int | None = None        # "range": the first id it covers
    prev: int | None = None         # "prev": the id it follows
    checksum: int | None = None     # the venue's checksum of the book after this frame
    timestamp: int | None = None
    # An order-level frame: (order id, "bid"/"ask", price, remaining amount) instead of levels.
    orders: list[tuple[str, str, Decimal, Decimal]] | None = None


class BookSync:
    """Applies `BookFrame`s to a `LocalBook` by one venue's rules."""

    def __init__(self, symbol: str, *, sequence: str | None = None, depth: int | None = None,
                 checksum: Callable[[LocalBook], int] | None = None,
                 crossed_is_gap: bool = False) -> None:
        if sequence not in SEQUENCE_RULES:
            raise ValueError(f"unknown sequence rule {sequence!r}")
        self.book = LocalBook(symbol)
        self.sequence = sequence
        self.depth = depth
        self.checksum = checksum
        self.crossed_is_gap = crossed_is_gap
        self.synced = False
        self._snapshot_seq: int | None = None
        self.orders: dict[str, tuple[str, Decimal, Decimal]] = {}   # order-level venues

    def reset(self) -> None:
        self.book.clear()
        self.synced = False
        self._snapshot_seq = None
        self.orders.clear()

    def load(self, bids, asks, seq: int | None = None, timestamp: int | None = None) -> None:
        """A snapshot from elsewhere (REST); frames queued meanwhile are applied after it."""
        self.apply(BookFrame(True, list(bids), list(asks), seq=seq, timestamp=timestamp))

    def apply(self, f: BookFrame) -> bool:
        """Apply one frame; True when the book changed. OutOfSync on a gap or a bad checksum."""
        book = self.book
        if f.snapshot:
            book.reset(f.bids, f.asks, f.seq)
            self.orders.clear()
            self.synced = True
            self._snapshot_seq = f.seq
            self._apply_orders(f.orders or ())
        elif not self.synced:
            return False        # a delta of an older subscription, before the snapshot
        else:
            if not self._in_sequence(f):
                return False
            self._apply_orders(f.orders or ())
            for price, amount in f.bids:
                book.set_bid(price, amount)
            for price, amount in f.asks:
                book.set_ask(price, amount)
            if f.seq is not None:
                book.nonce = f.seq
        if self.depth:
            book.truncate(self.depth)
        if f.timestamp is not None:
            book.timestamp = f.timestamp
        if f.checksum is not None and self.checksum is not None:
            ours = self.checksum(book)
            if ours != f.checksum:
                raise OutOfSync(f"checksum {ours} differs from the venue's {f.checksum}")
        if self.crossed_is_gap and book.crossed():
            raise OutOfSync("the book is crossed: an update was missed")
        return True

    def _apply_orders(self, orders) -> None:
        """Each order's remaining amount replaces what it had; its level is their total."""
        zero = Decimal(0)
        for oid, side, price, amount in orders:
            old = self.orders.pop(oid, None)
            if old is not None:
                self._add(old[0], old[1], -old[2])
            if amount > zero:
                self.orders[oid] = (side, price, amount)
                self._add(side, price, amount)

    def _add(self, side: str, price: Decimal, amount: Decimal) -> None:
        levels = self.book.bids if side == "bid" else self.book.asks
        total = levels.get(-price if side == "bid" else price, Decimal(0)) + amount
        self.book.set(side, price, total if total > 0 else Decimal(0))

    def _in_sequence(self, f: BookFrame) -> bool:
        """False: a frame the book already holds (skip it). OutOfSync: one after a gap."""
        rule, have = self.sequence, self.book.nonce
        if rule is None or have is None:
            return True
        if rule == "range":
            if f.seq is not None and f.seq <= have:
                return False
            first = f.first if f.first is not None else f.seq
            if first is not None and first > have + 1:
                raise OutOfSync(f"update ids jump from {have} to {first}")
        elif rule == "prev":
            if f.prev != have:
                if f.seq is not None and f.seq <= have:
                    return False
                raise OutOfSync(f"frame follows {f.prev}, the book is at {have}")
        elif rule == "next":
            if f.seq is not None and f.seq <= have:
                return False
            if f.seq != have + 1:
                raise OutOfSync(f"sequence jumps from {have} to {f.seq}")
        elif rule == "time":
            if self._snapshot_seq is not None and f.seq is not None and \
                    f.seq <= self._snapshot_seq:
                return False    # already in the snapshot
            if f.seq is not None and f.seq < have:
                raise OutOfSync(f"frame at {f.seq} is older than the last one ({have})")
        return True


# -- checksums ---------------------------------------------------------------------------------
def plain(value: Decimal) -> str:
    """A price or amount as the venue sent it: its digits, never in exponent form."""
    return format(value, "f")


def signed32(crc: int) -> int:
    """A CRC32 as the signed 32-bit integer some venues send."""
    return crc - (1 << 32) if crc >= 1 << 31 else crc


def crc32_interleaved(bids, asks, depth: int, fmt: Callable[[Decimal], str] = plain, *,
                      negate_asks: bool = False, signed: bool = True) -> int:
    """CRC32 of "bidPx:bidSz:askPx:askSz:…" over the top `depth` levels, the longer side's
    extra levels following in turn (OKX; Bitfinex with JS number formatting and negative ask
    amounts)."""
    parts: list[str] = []
    for i in range(depth):
        if i < len(bids):
            parts += (fmt(bids[i][0]), fmt(bids[i][1]))
        if i < len(asks):
            parts += (fmt(asks[i][0]), fmt(-asks[i][1] if negate_asks else asks[i][1]))
    crc = zlib.crc32(":".join(parts).encode())
    return signed32(crc) if signed else crc


def crc32_concatenated(first, second, depth: int, fmt: Callable[[Decimal], str] = plain) -> int:
    """Unsigned CRC32 of every price+amount of `first`'s top `depth` levels, then `second`'s,
    each formatted by `fmt` (Kraken: asks then bids, digits without '.' or leading zeros)."""
    text = "".join(fmt(p) + fmt(q) for p, q in list(first)[:depth])
    text += "".join(fmt(p) + fmt(q) for p, q in list(second)[:depth])
    return zlib.crc32(text.encode()) & 0xFFFFFFFF
