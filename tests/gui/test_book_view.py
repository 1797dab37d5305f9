"""The book ladder's price columns fit the longest price without Qt re-measuring every row on
each update (ResizeToContents did, through Python, 50-100 times a second)."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHeaderView

from exchanges import Market, OrderBook
from gui.models.book import BookModel
from gui.views.book import BookView

D = Decimal
BTC = Market("BTC/USD", "BTCUSD", "BTC", "USD", D("0.01"), D("0.00001"))


class _Session(QObject):
    book = Signal(str, str, object)
    selected = Signal(str, str)
    book_stale = Signal(str, str, bool)


@pytest.fixture
def view(qtbot):
    window = SimpleNamespace(book=BookModel(), session=_Session(), shared_books={},
                             fill_order=lambda **kw: None)
    v = BookView(window)
    qtbot.addWidget(v)
    v.resize(640, 500)
    v.show()
    qtbot.waitExposed(v)
    window.book.clear("BTC/USD", BTC)
    return v


def _book(*prices: str) -> OrderBook:
    """Bids at `prices`, asks a cent above each."""
    return OrderBook("BTC/USD", [(D(p), D("1.5")) for p in prices],
                     [(D(p) + D("0.01"), D("2")) for p in prices])


def _fits(view) -> int:
    """The width ResizeToContents would give a price column: the widest cell or the title."""
    header = view.table.horizontalHeader()
    return max(view.table.sizeHintForColumn(c) for c in (2, 3)) or header.sectionSizeHint(2)


def test_price_columns_fit_the_longest_price_as_it_grows_and_shrinks(view):
    header = view.table.horizontalHeader()
    assert all(header.sectionResizeMode(c) == QHeaderView.ResizeMode.Fixed for c in (2, 3))
    for prices in (("9.50", "9.40"), ("123,456.78", "99.00"), ("1,234,567.89",), ("5.00",)):
        view.model.set_book(_book(*[p.replace(",", "") for p in prices]))
        want = max(_fits(view), header.sectionSizeHint(2), header.sectionSizeHint(3))
        assert header.sectionSize(2) == header.sectionSize(3) == want, prices


def test_a_book_of_the_same_price_lengths_resizes_nothing(view):
    header = view.table.horizontalHeader()
    view.model.set_book(_book("60000.00", "59999.50"))
    resized = []
    header.sectionResized.connect(lambda *a: resized.append(a))
    for cents in range(20):
        view.model.set_book(_book(f"60000.{cents:02d}", f"59990.{cents:02d}"))
    assert resized == []
    view.model.set_book(_book("100000.00"))
    assert {2, 3} <= {c for c, _old, _new in resized}


def test_a_new_symbol_starts_from_its_own_prices(view):
    view.model.set_book(_book("1234567.89"))
    wide = view.table.horizontalHeader().sectionSize(2)
    view.model.clear("ETH/BTC", Market("ETH/BTC", "ETHBTC", "ETH", "BTC", D("0.00001"),
                                       D("0.001")))
    view.model.set_book(_book("0.04969"))
    assert view.table.horizontalHeader().sectionSize(2) < wide
    assert view.table.horizontalHeader().sectionSize(2) == max(
        _fits(view), view.table.horizontalHeader().sectionSizeHint(2))
