"""Pairs a venue runs on one order book (Coinbase's BTC/USD and BTC/USDC: the USDC product is
an alias of the USD one): which they are, for the board's marker and the book's caption.

The adapter says so with `shared_book(symbol)` (exchanges/venues/coinbase.py); where it also
names each market's book (`book_id(market)`), the markets are grouped by book in one pass,
since a venue with hundreds of products would otherwise ask once per pair and per pair.
"""
from __future__ import annotations

import logging
from collections import defaultdict

__all__ = ["shared_books", "caption"]

log = logging.getLogger("gui.twins")


def shared_books(adapter, markets: dict) -> dict[str, tuple[str, str]]:
    """{symbol: (the other symbol on its book, the book's product id)}, for the pairs of
    `markets` that share their order book with another listed pair; {} for most venues."""
    if getattr(adapter, "shared_book", None) is None:
        return {}
    try:
        book_of = getattr(adapter, "book_id", None)
        if book_of is None:
            others = {s: adapter.shared_book(s) for s in markets}
            return {s: (o, markets[o].id) for s, o in others.items() if o in markets}
        books: dict[str, list[str]] = defaultdict(list)
        for symbol, market in markets.items():
            books[book_of(market)].append(symbol)
        return {s: (next(o for o in group if o != s), book)
                for book, group in books.items() if len(group) > 1 for s in group}
    except Exception as exc:           # a marker is never worth a failed venue
        log.warning("%s: cannot tell which pairs share a book: %s", adapter.id, exc)
        return {}


def caption(symbol: str, twin: tuple[str, str] | None) -> str:
    if twin is None:
        return ""
    other, book = twin
    return f"{symbol} shares the {book} book with {other}"
