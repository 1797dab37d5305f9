"""The consolidated book and the walk for size N, against examples worked out by hand."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

import exchanges
from exchanges import InvalidOrder, OrderBook
from exchanges.crossvenue import (convert_book, crossings, edge_bps, published_taker_fee,
                                  within_balance)

FEES = {"a": D("0.001"), "b": D("0.002"), "c": D("0")}


def books():
    # b quotes the lowest ask (99.95) but charges twice a's fee: after fees a's 100.00 is better.
    return {
        "a": OrderBook("X/USD", [(D("99.80"), D("1.5")), (D("99.50"), D("3"))],
                       [(D("100.00"), D("1")), (D("100.50"), D("2"))]),
        "b": OrderBook("X/USD", [(D("99.95"), D("1")), (D("99.60"), D("2"))],
                       [(D("99.95"), D("0.5")), (D("100.10"), D("1"))]),
        "c": OrderBook("X/USD", [(D("99.70"), D("1"))], [(D("100.20"), D("1"))]),
    }


def test_the_ladder_is_merged_best_after_fees_first_with_each_levels_venue():
    book = exchanges.consolidated_book(books(), fees=FEES)
    assert book.asks == [
        (D("100.10000"), D("1"), "a", D("100.00")),     # 100.00 × 1.001
        (D("100.14990"), D("0.5"), "b", D("99.95")),    # 99.95 × 1.002
        (D("100.20"), D("1"), "c", D("100.20")),
        (D("100.30020"), D("1"), "b", D("100.10")),
        (D("100.60050"), D("2"), "a", D("100.50")),
    ]
    assert [(lv[2], lv[3]) for lv in book.bids] == [
        ("b", D("99.95")), ("a", D("99.80")), ("c", D("99.70")), ("b", D("99.60")),
        ("a", D("99.50"))]
    assert book.bids[0][0] == D("99.95") * D("0.998") == D("99.75010")
    assert book.best_ask[2] == "a" and book.best_bid[2] == "b"


def test_without_fees_the_quoted_price_decides_and_empty_levels_are_dropped():
    bb = books()
    bb["c"] = OrderBook("X/USD", [(D("99.70"), D("0"))], [(D("0"), D("1"))])
    book = exchanges.consolidated_book(bb)
    assert book.asks[0][2:] == ("b", D("99.95"))
    assert all(lv[2] != "c" for lv in book.bids + book.asks)


def test_buying_size_n_walks_the_venues_by_price_after_fees():
    plan = exchanges.plan_fill(exchanges.consolidated_book(books(), fees=FEES), "buy", D("2.5"))
    # by hand: 1 @ a 100.00 (100.1 with fee) + 0.5 @ b 99.95 (100.1499) + 1 @ c 100.20
    assert plan.legs == [("a", D("100.00"), D("1")), ("b", D("99.95"), D("0.5")),
                         ("c", D("100.20"), D("1"))]
    assert plan.cost == D("100.1") + D("50.07495") + D("100.20") == D("250.37495")
    assert plan.average == D("250.37495") / D("2.5") == D("100.14998")
    assert plan.by_venue == {"a": D("1"), "b": D("0.5"), "c": D("1")}
    assert plan.fees == D("0.1") + D("0.09995")        # a: 0.1 % of 100, b: 0.2 % of 49.975
    assert plan.best == D("100.1")
    # (100.14998 − 100.1) / 100.1 in basis points
    assert round(plan.slippage_bps, 4) == D("4.9930")
    b = next(v for v in plan.venues if v.venue == "b")
    assert (b.amount, b.average, b.fee, b.cost) == (D("0.5"), D("99.95"), D("0.09995"),
                                                    D("50.07495"))


def test_selling_size_n_walks_the_bids_and_the_cost_is_what_is_received():
    plan = exchanges.plan_fill(exchanges.consolidated_book(books(), fees=FEES), "sell", D("3"))
    assert plan.legs == [("b", D("99.95"), D("1")), ("a", D("99.80"), D("1.5")),
                         ("c", D("99.70"), D("0.5"))]
    # 99.7501 + 1.5 × 99.7002 + 0.5 × 99.70
    assert plan.cost == D("99.7501") + D("149.5503") + D("49.85") == D("299.1504")
    assert plan.average == D("99.7168")
    assert round(plan.slippage_bps, 3) == round((D("99.7501") - D("99.7168")) * 10000
                                                / D("99.7501"), 3)


def test_a_book_too_thin_says_how_much_it_can_fill():
    book = exchanges.consolidated_book(books(), fees=FEES)
    with pytest.raises(InvalidOrder, match="hold only 8.5 of the 100 to sell"):
        exchanges.plan_fill(book, "sell", D("100"))
    with pytest.raises(InvalidOrder, match="greater than zero"):
        exchanges.plan_fill(book, "buy", D("0"))
    with pytest.raises(ValueError, match="side"):
        exchanges.plan_fill(book, "short", D("1"))


def test_a_fee_that_is_not_a_rate_is_refused_in_words():
    with pytest.raises(ValueError, match="a: the taker fee"):
        exchanges.consolidated_book(books(), fees={"a": D("1.5")})


def test_within_balance_never_plans_more_than_the_venue_can_pay_for():
    bb = books()
    # 150 USD at a: 1 @ 100.00 costs 100.1 with the fee, the rest buys 49.9 / 100.6005 at 100.50
    bb["a"] = within_balance(bb["a"], "buy", D("150"), FEES["a"])
    assert bb["a"].asks[0] == (D("100.00"), D("1"))
    assert bb["a"].asks[1][1] == D("49.9") / D("100.6005")
    assert bb["a"].bids == books()["a"].bids
    everything = sum(q for ob in bb.values() for _, q in ob.asks)
    plan = exchanges.plan_fill(exchanges.consolidated_book(bb, fees=FEES), "buy", everything)
    spent_a = sum(p * q * D("1.001") for v, p, q in plan.legs if v == "a")
    assert D("149.9999") < spent_a <= D("150")
    # a sell is cut to the base held there; nothing at all without a balance
    assert within_balance(books()["a"], "sell", D("2")).bids == [(D("99.80"), D("1.5")),
                                                                  (D("99.50"), D("0.5"))]
    assert within_balance(books()["a"], "sell", D("0")).bids == []


def test_an_equivalent_quote_is_converted_at_the_rate_given():
    ob = convert_book(books()["c"], D("1.0002"), "X/USD")
    assert ob.asks == [(D("100.22004"), D("1"))] and ob.bids == [(D("99.719940"), D("1"))]
    assert convert_book(books()["c"], D("1")) is not None


def test_crossed_after_fees_only_when_the_bid_beats_the_ask_with_both_fees():
    quotes = {"a": (D("100.50"), D("100.60")), "b": (D("99.00"), D("99.10")),
              "c": (D("100.15"), D("100.40"))}
    fees = {"a": D("0.001"), "b": D("0.001"), "c": D("0.01")}
    found = crossings(quotes, fees)
    # sell a's bid 100.50 × 0.999 = 100.3995, buy b's ask 99.10 × 1.001 = 99.1991
    assert [(x.buy_venue, x.sell_venue) for x in found] == [("b", "a")]   # not c: its fee
    assert round(found[0].edge_bps, 2) == round((D("100.3995") - D("99.1991")) * 10000
                                                / D("99.1991"), 2) == D("121.01")
    # c's bid beats b's ask before fees by 105 bp; c's 1 % fee eats it all
    assert edge_bps(D("100.15"), D("0.01"), D("99.10"), D("0.001")) < 105
    assert crossings({"a": (D("100"), D("100.1")), "b": (D("100.05"), D("100.2"))},
                     {"a": D("0.001"), "b": D("0.001")}) == []


def test_published_fee_is_read_where_ccxt_keeps_it():
    class V:
        fees = {"trading": {"taker": D("0.00075")}}
    assert published_taker_fee(V()) == D("0.00075")
    assert published_taker_fee(object()) is None


def test_crossings_are_every_crossing_pair_of_the_all_pairs_definition():
    """crossings() visits only the asks below each bid: it finds exactly what comparing every
    pair with edge_bps finds, in the same order, on random quotes with ties and blanks."""
    import random
    rng = random.Random(5)
    for _ in range(200):
        quotes, fees = {}, {}
        for v in (f"v{k}" for k in range(rng.randint(0, 12))):
            mid = D(rng.choice(["100", "100.05", "99.95", "100.1"]))
            bid = mid - D(rng.choice(["0.05", "0", "0.1"])) if rng.random() > 0.1 else None
            ask = mid + D(rng.choice(["0.05", "0.1", "0"])) if rng.random() > 0.1 else None
            quotes[v] = (bid, ask)
            fees[v] = D(rng.choice(["0", "0.0001", "0.001", "0.0025"]))
        expected = []
        for sell, (bid, _a) in quotes.items():
            for buy, (_b, ask) in quotes.items():
                if bid and ask and buy != sell:
                    edge = edge_bps(bid, fees[sell], ask, fees[buy])
                    if edge > 0:
                        expected.append((buy, ask, sell, bid, edge))
        expected.sort(key=lambda x: -x[4])
        assert [(c.buy_venue, c.ask, c.sell_venue, c.bid, c.edge_bps)
                for c in crossings(quotes, fees)] == expected
