"""Across venues: one book for a pair from many venues' books, and where to trade a size.

Qt-free, so that a script can use it and the app's docks only display it.

    book = consolidated_book({"kraken": ob1, "bitstamp": ob2},
                             fees={"kraken": Decimal("0.004"), "bitstamp": Decimal("0.004")})
    plan = plan_fill(book, "buy", Decimal("2"))     # legs, cost with fees, average

Every level of a consolidated book carries the price the trader really gets (a bid) or pays
(an ask) per unit after that venue's taker fee, so "best" means best after fees: a venue with a
better quote but a higher fee can rank below one with a worse quote. Before consolidating, a
caller may convert a book quoted in an equivalent currency (`convert_book`, USDT → USD at a
rate) and cut a venue's side to what the balance there can pay for (`within_balance`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import InvalidOrder
from .types import OrderBook

__all__ = ["ConsolidatedBook", "Plan", "VenueFill", "consolidated_book", "plan_fill",
           "within_balance", "convert_book", "edge_bps", "Crossing", "crossings",
           "published_taker_fee", "QUOTE_FAMILIES", "quote_family"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_BP = Decimal(10_000)

# Quote currencies a trader may choose to count as one (the first names the family).
QUOTE_FAMILIES: dict[str, tuple[str, ...]] = {"USD": ("USD", "USDT", "USDC")}


def quote_family(quote: str) -> tuple[str, ...]:
    """The quotes `quote` may count as: ("USD", "USDT", "USDC") for any of them, else itself."""
    for members in QUOTE_FAMILIES.values():
        if quote in members:
            return members
    return (quote,)


# (effective_price, amount, venue, price)
Level = tuple[Decimal, Decimal, str, Decimal]


@dataclass(frozen=True, slots=True)
class ConsolidatedBook:
    """`bids` and `asks`, best effective price first, each level (effective, amount, venue,
    price); `fees` the taker rate applied per venue."""
    bids: list[Level]
    asks: list[Level]
    fees: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def best_bid(self) -> Level | None:
        return self.bids[0] if self.bids else None

    @property
    def best_ask(self) -> Level | None:
        return self.asks[0] if self.asks else None

    @property
    def venues(self) -> list[str]:
        seen: dict[str, None] = {}
        for level in (*self.bids, *self.asks):
            seen.setdefault(level[2], None)
        return list(seen)


def _rate(fees: Mapping[str, Decimal] | None, venue: str) -> Decimal:
    fee = (fees or {}).get(venue, _ZERO)
    if not isinstance(fee, Decimal):
        fee = Decimal(str(fee)) if isinstance(fee, (int, str)) else None
    if fee is None or not fee.is_finite() or not _ZERO <= fee < _ONE:
        raise ValueError(f"{venue}: the taker fee must be a Decimal rate from 0 to below 1 "
                         f"(0.001 = 0.1 %), not {(fees or {}).get(venue)!r}")
    return fee


def consolidated_book(books: Mapping[str, OrderBook], *,
                      fees: Mapping[str, Decimal] | None = None) -> ConsolidatedBook:
    """Merge each venue's book of one pair into one ladder, best price after fees first.

    A bid counts at `price × (1 − fee)` (what selling into it yields per unit), an ask at
    `price × (1 + fee)` (what buying it costs per unit). Levels with no positive price or amount
    are left out. Ties keep the better quoted price first, then the venue's id, so the order is
    the same for the same input."""
    rates = {venue: _rate(fees, venue) for venue in books}
    bids: list[Level] = []
    asks: list[Level] = []
    for venue, book in books.items():
        fee = rates[venue]
        sell, buy = _ONE - fee, _ONE + fee
        for price, amount in book.bids:
            if price > 0 and amount > 0:
                bids.append((price * sell, amount, venue, price))
        for price, amount in book.asks:
            if price > 0 and amount > 0:
                asks.append((price * buy, amount, venue, price))
    bids.sort(key=lambda lv: (-lv[0], -lv[3], lv[2]))
    asks.sort(key=lambda lv: (lv[0], lv[3], lv[2]))
    return ConsolidatedBook(bids, asks, rates)


@dataclass(frozen=True, slots=True)
class VenueFill:
    """One venue's share of a plan: `amount` at the venue's own `average` price, the `fee` it
    charges, and `cost` (quote paid for a buy, received for a sell, fee included)."""
    venue: str
    amount: Decimal
    average: Decimal
    fee: Decimal
    cost: Decimal


@dataclass(frozen=True, slots=True)
class Plan:
    """Where to fill a market `side` of `amount`: `legs` (venue, price, amount) in walking
    order, `cost` (quote paid or received, fees included), `average` (= cost / amount),
    `by_venue` (venue → amount), the `fees` inside cost, `best` (the first level's effective
    price) and `slippage_bps` (how much worse the average is than `best`, in basis points)."""
    side: str
    amount: Decimal
    legs: list[tuple[str, Decimal, Decimal]]
    cost: Decimal
    average: Decimal
    by_venue: dict[str, Decimal]
    fees: Decimal
    best: Decimal
    venues: list[VenueFill]

    @property
    def slippage_bps(self) -> Decimal:
        if not self.best:
            return _ZERO
        worse = self.average - self.best if self.side == "buy" else self.best - self.average
        return worse * _BP / self.best


def plan_fill(book: ConsolidatedBook, side: str, amount) -> Plan:
    """Walk `book` for a market `side` ("buy" walks the asks, "sell" the bids) of `amount`,
    best effective price first. InvalidOrder if the book is too thin, saying how much it can
    fill."""
    if side not in ("buy", "sell"):
        raise ValueError(f"side must be 'buy' or 'sell', not {side!r}")
    amount = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    if not amount.is_finite() or amount <= 0:
        raise InvalidOrder("consolidated book", f"the amount must be greater than zero, not "
                                                f"{amount}")
    levels = book.asks if side == "buy" else book.bids
    legs: list[tuple[str, Decimal, Decimal]] = []
    per_venue: dict[str, list[Decimal]] = {}     # venue → [amount, gross, fee, cost]
    left = amount
    cost = fees = _ZERO
    for effective, size, venue, price in levels:
        if not left:
            break
        q = size if size < left else left
        legs.append((venue, price, q))
        leg_cost = effective * q
        gross = price * q
        fee = abs(leg_cost - gross)
        cost += leg_cost
        fees += fee
        v = per_venue.setdefault(venue, [_ZERO, _ZERO, _ZERO, _ZERO])
        v[0] += q
        v[1] += gross
        v[2] += fee
        v[3] += leg_cost
        left -= q
    if left:
        can = amount - left
        what = "asks" if side == "buy" else "bids"
        exc = InvalidOrder("consolidated book",
                           f"the {what} of {len(book.venues) or 'no'} venue(s) hold only {can} "
                           f"of the {amount} to {side}")
        exc.available = can       # for a caller that words it at the market's increment
        raise exc
    venues = [VenueFill(v, a, g / a, f, c) for v, (a, g, f, c) in per_venue.items()]
    return Plan(side, amount, legs, cost, cost / amount, {v.venue: v.amount for v in venues},
                fees, levels[0][0], venues)


def within_balance(book: OrderBook, side: str, free: Decimal, fee: Decimal = _ZERO
                   ) -> OrderBook:
    """`book` with the side a market `side` walks cut to what `free` can pay for there: a buy
    spends at most `free` of the quote (fee included), a sell sells at most `free` of the base.
    The other side is left as it is."""
    if free is None or free <= 0:
        levels: list = []
    elif side == "buy":
        levels, budget, unit = [], free, _ONE + fee
        for price, size in book.asks:
            if budget <= 0:
                break
            afford = budget / (price * unit)
            q = size if size <= afford else afford
            levels.append((price, q))
            budget -= price * q * unit
    elif side == "sell":
        levels, left = [], free
        for price, size in book.bids:
            if left <= 0:
                break
            q = size if size <= left else left
            levels.append((price, q))
            left -= q
    else:
        raise ValueError(f"side must be 'buy' or 'sell', not {side!r}")
    if side == "buy":
        return OrderBook(book.symbol, list(book.bids), levels, book.timestamp, book.nonce)
    return OrderBook(book.symbol, levels, list(book.asks), book.timestamp, book.nonce)


def convert_book(book: OrderBook, rate: Decimal, symbol: str | None = None) -> OrderBook:
    """`book` with every price multiplied by `rate` (a USDT book in USD at the USDT/USD rate)."""
    if rate == _ONE and symbol is None:
        return book
    return OrderBook(symbol or book.symbol, [(p * rate, a) for p, a in book.bids],
                     [(p * rate, a) for p, a in book.asks], book.timestamp, book.nonce)


def edge_bps(bid: Decimal, bid_fee: Decimal, ask: Decimal, ask_fee: Decimal) -> Decimal:
    """What selling at one venue's `bid` and buying at another's `ask` earns after both taker
    fees, in basis points of the ask paid (negative: a loss). Above zero, the market is crossed
    after fees."""
    paid = ask * (_ONE + ask_fee)
    got = bid * (_ONE - bid_fee)
    return (got - paid) * _BP / paid


@dataclass(frozen=True, slots=True)
class Crossing:
    """Buy at `buy_venue`'s ask, sell at `sell_venue`'s bid: `edge_bps` after both fees."""
    buy_venue: str
    ask: Decimal
    sell_venue: str
    bid: Decimal
    edge_bps: Decimal


def crossings(quotes: Mapping[str, tuple[Decimal | None, Decimal | None]],
              fees: Mapping[str, Decimal] | None = None) -> list[Crossing]:
    """Every (buy venue, sell venue) pair whose bid, after its fee, is above the other's ask
    after its fee; `quotes` maps venue → (bid, ask). Largest edge first (ties: sell venues,
    then buy venues, in `quotes` order).

    Each venue's fee is applied once, and for each bid only the asks below it are visited
    (asks sorted by cost): the pairs that cross, usually none, instead of all n² (~900 pairs
    with every venue open, rebuilt with every frame of books)."""
    rates = {v: _rate(fees, v) for v in quotes}
    asks = sorted((ask * (_ONE + rates[v]), i, v, ask)
                  for i, (v, (_b, ask)) in enumerate(quotes.items()) if ask and ask > 0)
    out = []
    for sell, (bid, _a) in quotes.items():
        if not bid:
            continue
        got = bid * (_ONE - rates[sell])
        found = []
        for paid, i, buy, ask in asks:
            if paid >= got:
                break
            if buy != sell:
                found.append((i, Crossing(buy, ask, sell, bid, (got - paid) * _BP / paid)))
        found.sort(key=lambda x: x[0])
        out.extend(c for _i, c in found)
    out.sort(key=lambda c: -c.edge_bps)
    return out


def published_taker_fee(adapter) -> Decimal | None:
    """The taker fee rate an adapter publishes, in ccxt's place (`fees["trading"]["taker"]`),
    or None where it publishes none."""
    try:
        fee = adapter.fees["trading"]["taker"]
    except (AttributeError, KeyError, TypeError):
        return None
    return fee if isinstance(fee, Decimal) and fee.is_finite() and _ZERO <= fee < _ONE else None
