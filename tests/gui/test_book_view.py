"""The book ladder's columns fit their content without Qt re-measuring every row on each update
(ResizeToContents did, through Python, 50-100 times a second), and a narrow ladder gives up its
totals, then its sizes, never its prices."""
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


def _fits(view) -> None:
    """Every column shown is at least as wide as its content and title, and together they
    fill the table."""
    table, header = view.table, view.table.horizontalHeader()
    shown = [c for c in range(6) if not table.isColumnHidden(c)]
    for c in shown:
        assert header.sectionSize(c) >= max(table.sizeHintForColumn(c),
                                            header.sectionSizeHint(c)), c
    assert sum(header.sectionSize(c) for c in shown) == table.viewport().width()


def test_columns_fit_the_longest_price_as_it_grows_and_shrinks(view):
    header = view.table.horizontalHeader()
    assert all(header.sectionResizeMode(c) == QHeaderView.ResizeMode.Fixed for c in range(6))
    widths = []
    for prices in (("9.50", "9.40"), ("123,456.78", "99.00"), ("1,234,567.89",), ("5.00",)):
        view.model.set_book(_book(*[p.replace(",", "") for p in prices]))
        _fits(view)
        widths.append(view.table.sizeHintForColumn(2))
    assert widths[0] < widths[1] < widths[2] and widths[3] == widths[0]


def test_a_book_of_the_same_text_lengths_measures_nothing(view, monkeypatch):
    view.model.set_book(_book("60000.00", "59999.50"))
    fits = []
    monkeypatch.setattr(view.give_way, "needs", lambda c: fits.append(c) or 50)
    for cents in range(20):
        view.model.set_book(_book(f"60000.{cents:02d}", f"59990.{cents:02d}"))
    assert fits == []
    view.model.set_book(_book("100000.00"))
    assert set(fits) >= {2, 3}


def test_a_new_symbol_starts_from_its_own_prices(view):
    view.model.set_book(_book("1234567.89"))
    wide = view.table.sizeHintForColumn(2)
    view.model.clear("ETH/BTC", Market("ETH/BTC", "ETHBTC", "ETH", "BTC", D("0.00001"),
                                       D("0.001")))
    view.model.set_book(_book("0.04969"))
    assert view.table.sizeHintForColumn(2) < wide
    _fits(view)


@pytest.mark.parametrize("width, shown", [(640, {0, 1, 2, 3, 4, 5}), (360, {1, 2, 3, 4}),
                                          (170, {2, 3})])
def test_a_narrow_book_gives_up_totals_then_sizes_never_prices(view, qtbot, width, shown):
    view.model.set_book(_book("64253.92", "64247.50"))
    view.resize(width, 500)
    qtbot.waitUntil(lambda: view.width() == width)
    assert {c for c in range(6) if not view.table.isColumnHidden(c)} == shown
    _fits(view)                                         # what is shown fits: no cut-off ask


def test_a_total_that_wavers_by_a_digit_is_measured_once(view, monkeypatch):
    def book(size):
        return OrderBook("BTC/USD", [(D("100"), D(size))], [(D("101"), D("1"))])
    view.model.set_book(book("9.99"))
    fits = []
    monkeypatch.setattr(view.give_way, "needs", lambda c: fits.append(c) or 50)
    for size in ("10.01", "9.98", "10.02", "9.97"):      # the total's length 8 ↔ 7
        view.model.set_book(book(size))
    assert len(fits) == 6                   # once, when it first grew: one measure a column
    view.model.set_book(book("0.5"))
    assert len(fits) == 6                   # 0.50000: one shorter than 10.01000, kept
    view.model.set_book(OrderBook("BTC/USD", [], []))
    assert len(fits) == 12                  # an empty book: measured again
