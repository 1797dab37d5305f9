"""The demo venue's matching engine under hypothesis: against a naive reference book for
price-time priority, and against its ledger for conservation, holds and cancels."""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exchanges.demo.engine import (CANCELED, CLOSED, OPEN, Book, Ledger, NoSuchOrder,
                                   NotEnoughFunds)

TICK = Decimal("0.01")
STEP = Decimal("0.001")
CURRENCIES = ("BASE", "QUOTE")

# An operation: ("limit", account, is_buy, units, ticks) / ("market", account, is_buy, units)
# / ("cancel", pick) where pick chooses among the orders placed so far.
limit_op = st.tuples(st.just("limit"), st.integers(0, 2), st.booleans(),
                     st.integers(1, 3000), st.integers(9_950, 10_050))
market_op = st.tuples(st.just("market"), st.integers(0, 2), st.booleans(),
                      st.integers(1, 5000))
cancel_op = st.tuples(st.just("cancel"), st.integers(0, 10_000))
ops = st.lists(st.one_of(limit_op, limit_op, market_op, cancel_op), min_size=1, max_size=60)


def make_ledger(limited: bool):
    ledger = Ledger()
    accts = [
        ledger.open("alice", maker=Decimal("0.0005"), taker=Decimal("0.001"), limited=limited),
        ledger.open("bob", maker=Decimal("0.0002"), taker=Decimal("0.002"), limited=limited),
        ledger.open("maker", limited=False),
    ]
    for a in accts[:2]:
        ledger.deposit(a, "BASE", Decimal(20))
        ledger.deposit(a, "QUOTE", Decimal(2000))
    return ledger, accts


class ReferenceBook:
    """The obvious implementation: a flat list, scanned for the best (price, then oldest)."""

    def __init__(self) -> None:
        self.resting: list[list] = []      # [id, is_buy, price, remaining]

    def submit(self, oid, is_buy, amount, price):
        fills = []
        while amount:
            opposite = [o for o in self.resting if o[1] != is_buy]
            if not opposite:
                break
            best = min(opposite, key=lambda o: (o[2] if is_buy else -o[2], o[0]))
            if price is not None and (best[2] > price if is_buy else best[2] < price):
                break
            q = min(amount, best[3])
            fills.append((best[0], best[2], q))
            amount -= q
            best[3] -= q
            if not best[3]:
                self.resting.remove(best)
        if amount and price is not None:
            self.resting.append([oid, is_buy, price, amount])
        return fills

    def cancel(self, oid):
        for o in self.resting:
            if o[0] == oid:
                self.resting.remove(o)
                return True
        return False


def run(book: Book, accts, op, placed):
    """Apply one operation; returns the order touched (or None if refused / nothing to do)."""
    kind = op[0]
    if kind == "cancel":
        if not placed:
            return None
        order = placed[op[1] % len(placed)]
        try:
            return book.cancel(order.id)
        except NoSuchOrder:
            assert order.status != OPEN
            return None
    _, who, is_buy, units = op[:4]
    price = op[4] * TICK if kind == "limit" else None
    try:
        order = book.submit(accts[who], is_buy, units * STEP, price)
    except NotEnoughFunds:
        return None
    placed.append(order)
    return order


@given(ops)
def test_fills_follow_price_time_priority_like_the_reference(seq):
    ledger, accts = make_ledger(limited=False)
    book = Book("BASE/QUOTE", "BASE", "QUOTE", ledger)
    ref = ReferenceBook()
    placed = []
    ids = {}
    for op in seq:
        if op[0] == "cancel":
            if placed:
                target = placed[op[1] % len(placed)]
                was_live = target.id in book.live
                assert ref.cancel(target.id) == was_live
            run(book, accts, op, placed)
            continue
        order = run(book, accts, op, placed)
        expected = ref.submit(order.id, order.is_buy, order.amount, order.price)
        got = [(maker.id, price, q) for price, q, _b, maker, _t in book.fills]
        book.fills.clear()
        assert got == expected
        ids[order.id] = order
    # the resting books agree level by level, and neither is crossed
    bids, asks = book.depth()
    ref_levels = {}
    for oid, is_buy, price, rem in ref.resting:
        ref_levels[(is_buy, price)] = ref_levels.get((is_buy, price), 0) + rem
    assert {(True, p): a for p, a in bids} | {(False, p): a for p, a in asks} == ref_levels
    if bids and asks:
        assert bids[0][0] < asks[0][0]
    assert [p for p, _ in bids] == sorted((p for p, _ in bids), reverse=True)
    assert [p for p, _ in asks] == sorted(p for p, _ in asks)


def holds(book: Book, account, currency):
    return sum((o.hold for o in book.live.values() if o.account is account
                and (book.quote if o.is_buy else book.base) == currency), Decimal(0))


@given(ops)
def test_value_is_conserved_and_no_free_balance_goes_negative(seq):
    ledger, accts = make_ledger(limited=True)
    book = Book("BASE/QUOTE", "BASE", "QUOTE", ledger)
    start = {c: ledger.sum(c) for c in CURRENCIES}
    placed = []
    for op in seq:
        run(book, accts, op, placed)
        for price, q, taker_buys, maker, taker in book.fills:
            # never worse than the taker's limit; always the maker's own price
            if taker.price is not None:
                assert price <= taker.price if taker_buys else price >= taker.price
            assert price == maker.price
        book.fills.clear()
        for c in CURRENCIES:
            assert ledger.sum(c) == start[c]
            for a in accts[:2]:
                assert a.free[c] >= 0, (a.name, c, a.free[c])
                assert a.used[c] == holds(book, a, c)
    for order in placed:
        assert order.filled + order.remaining == order.amount
        assert order.status in (OPEN, CLOSED, CANCELED)
        assert (order.status == OPEN) == (order.id in book.live)
        if order.status != OPEN:
            assert order.hold == 0


@given(ops, st.booleans(), st.integers(1, 3000), st.integers(9_950, 10_050))
def test_cancel_restores_funds_exactly(seq, is_buy, units, ticks):
    ledger, accts = make_ledger(limited=True)
    book = Book("BASE/QUOTE", "BASE", "QUOTE", ledger)
    placed = []
    for op in seq:
        run(book, accts, op, placed)
    alice = accts[0]
    before = {c: (alice.free[c], alice.used[c]) for c in CURRENCIES}
    price = ticks * TICK
    best = book.best_ask() if is_buy else book.best_bid()
    if best is not None and (price >= best if is_buy else price <= best):
        return      # marketable: it would trade, not just rest
    try:
        order = book.submit(alice, is_buy, units * STEP, price)
    except NotEnoughFunds:
        return
    assert order.status == OPEN and not order.filled
    cur = "QUOTE" if is_buy else "BASE"
    assert alice.used[cur] == before[cur][1] + order.hold
    book.cancel(order.id)
    assert {c: (alice.free[c], alice.used[c]) for c in CURRENCIES} == before
    with pytest.raises(NoSuchOrder):
        book.cancel(order.id)


def test_a_partial_fill_rests_the_rest_and_charges_fees():
    ledger, (alice, bob, _mm) = make_ledger(limited=True)
    book = Book("BASE/QUOTE", "BASE", "QUOTE", ledger)
    ask = book.submit(bob, False, Decimal("2"), Decimal("100"))          # bob rests 2 @ 100
    buy = book.submit(alice, True, Decimal("3"), Decimal("101"))         # alice takes 2, rests 1
    assert (buy.filled, buy.remaining, buy.status) == (2, 1, OPEN)
    assert ask.status == CLOSED and ask.hold == 0
    # alice paid 200 + 0.1 % taker fee, and holds 101 * 1 * 1.001 for the rest
    assert alice.free["QUOTE"] == Decimal(2000) - Decimal("200.2") - Decimal("101.101")
    assert alice.used["QUOTE"] == Decimal("101.101")
    assert alice.free["BASE"] == 22
    # bob received 200 less his 0.02 % maker fee
    assert bob.free["QUOTE"] == Decimal(2000) + Decimal("199.96")
    assert ledger.fees.free["QUOTE"] == Decimal("0.2") + Decimal("0.04")


def test_a_market_order_walks_the_book_and_refuses_what_it_cannot_pay():
    ledger, (alice, bob, mm) = make_ledger(limited=True)
    book = Book("BASE/QUOTE", "BASE", "QUOTE", ledger)
    for i, p in enumerate(("100", "101", "102")):
        book.submit(mm, False, Decimal(10 * (1 + i)), Decimal(p))
    with pytest.raises(NotEnoughFunds):
        book.submit(alice, True, Decimal(30), None)       # 3020 + fee: more than her 2000
    with pytest.raises(NotEnoughFunds):
        book.submit(alice, False, Decimal(21), None)      # she has 20 BASE
    assert alice.free["QUOTE"] == 2000 and not book.fills
    order = book.submit(alice, True, Decimal("12.5"), None)
    assert [(p, q) for p, q, *_ in book.fills] == [(100, 10), (101, Decimal("2.5"))]
    assert order.status == CLOSED and order.cost == Decimal("1252.5")
    assert alice.free["QUOTE"] == 2000 - Decimal("1252.5") * Decimal("1.001")
    book.fills.clear()
    # more than the whole book: fills what there is, the rest lapses
    order = book.submit(mm, True, Decimal(100), None)
    assert order.filled == Decimal("47.5") and order.status == CANCELED
    assert book.best_ask() is None


def test_ids_are_shared_between_books_of_one_venue():
    ledger, (alice, *_rest) = make_ledger(limited=True)
    ids = itertools.count(1)
    a = Book("A/QUOTE", "A", "QUOTE", ledger, ids)
    b = Book("BASE/QUOTE", "BASE", "QUOTE", ledger, ids)
    assert a.submit(alice, True, Decimal(1), Decimal(1)).id == 1
    assert b.submit(alice, True, Decimal(1), Decimal(1)).id == 2
