"""The fake-server kit itself: what every venue's fake relies on."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.fakes.kit import OrderStore, Rejected, ServerBook

D = Decimal


def test_a_market_order_fills_level_by_level():
    book = ServerBook({"99": "1"}, {"100": "0.4", "101": "2"})
    store = OrderStore({"BTCUSD": ("BTC", "USD")}, {"USD": "1000", "BTC": "0"}, fee_rate="0")
    rec = store.place("BTCUSD", "buy", "market", "1", book=book)
    assert [(f.price, f.amount) for f in rec.fills] == [(D("100"), D("0.4")), (D("101"), D("0.6"))]
    assert (rec.status, rec.filled, rec.average) == ("filled", D("1"), D("100.6"))
    assert store.balances()["USD"] == (D("899.4"), D("0"))
    with pytest.raises(Rejected):
        store.place("BTCUSD", "buy", "market", "3", book=book)      # deeper than the book
