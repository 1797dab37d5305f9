"""What the board and the book say about a number's meaning (issue 12 leftovers): the 24 h
change column never shows a change over another window unlabelled, and a pair that trades on
another pair's order book (Coinbase's BTC/USDC on the BTC-USD book) says so."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

from PySide6.QtCore import Qt

import exchanges
from gui.models.tickers import CHANGE, KEY_ROLE, TWIN_MARK
from gui.session import Session
from tests.fakes.coinbase import FakeCoinbase

from .fakes import FakeVenue


def board_row(w, venue, symbol) -> int | None:
    proxy = w.views["board"].proxy      # (the table's own model holds the rows on screen)
    return next((r for r in range(proxy.rowCount())
                 if proxy.index(r, 0).data(KEY_ROLE) == (venue, symbol)), None)


def cell(w, row, column, role=Qt.ItemDataRole.DisplayRole):
    """What the board shows (its table's model: the rows on screen)."""
    return w.views["board"].table.model().index(row, column).data(role)


class DayOpenVenue(FakeVenue):
    """AAA/USD: only today's open (as Kraken's REST ticker); BBB/USD: no open at all."""
    full = False                        # True: AAA/USD gets its 24 h open after all

    def _ticker(self, symbol):
        t = super()._ticker(symbol)
        if symbol == "AAA/USD" and not self.full:
            return dataclasses.replace(t, open=None, open_today=Decimal("80"))
        return dataclasses.replace(t, open=None) if symbol == "BBB/USD" else t


def test_the_change_column_labels_a_days_change_and_explains_a_missing_one(
        window_factory, aloop, qtbot):
    venue = DayOpenVenue(streams=False)
    w = window_factory(session=Session(factory=lambda _id: venue, poll_seconds=0.05))
    w.show()
    aloop.run(w.start(restore=False, venues=["fake"]))
    aloop.until(lambda: w.tickers.rowCount() == 2 and cell(w, board_row(w, "fake", "AAA/USD"),
                                                            2), what="both rows priced")
    aaa, bbb = board_row(w, "fake", "AAA/USD"), board_row(w, "fake", "BBB/USD")
    text = cell(w, aaa, CHANGE)
    last = Decimal(cell(w, aaa, 2).replace(",", ""))
    assert text.endswith(" today") and text.startswith("+")
    assert abs(Decimal(text.split("%")[0]) - (last - 80) * 100 / 80) < Decimal("0.01")
    assert cell(w, aaa, CHANGE, Qt.ItemDataRole.FontRole).italic()
    assert "since 00:00 UTC" in cell(w, aaa, CHANGE, Qt.ItemDataRole.ToolTipRole)
    assert cell(w, bbb, CHANGE) == ""
    assert cell(w, bbb, CHANGE, Qt.ItemDataRole.ToolTipRole).startswith(
        "No 24 h change: fake gives no price from 24 h ago")
    # the venue gives the 24 h open after all: the label goes, the number is the 24 h change
    venue.full = True
    aloop.until(lambda: not cell(w, aaa, CHANGE).endswith("today"), what="the 24 h change")
    assert cell(w, aaa, CHANGE, Qt.ItemDataRole.ToolTipRole) is None
    assert not cell(w, aaa, CHANGE, Qt.ItemDataRole.FontRole)


def test_coinbase_usd_and_usdc_twins_say_they_share_one_book(window_factory, aloop, qtbot):
    fake = FakeCoinbase()
    aloop.run(fake.__aenter__())
    try:
        w = window_factory(session=Session(
            factory=lambda _id: exchanges.create("coinbase", urls=fake.urls)))
        w.show()
        aloop.run(w.start(restore=False, venues=["coinbase"]))
        aloop.until(lambda: None not in (board_row(w, "coinbase", "BTC/USDC"),
                                         board_row(w, "coinbase", "ETH/USD")), what="the board")
        usdc, usd = board_row(w, "coinbase", "BTC/USDC"), board_row(w, "coinbase", "BTC/USD")
        other = board_row(w, "coinbase", "ETH/USD")
        assert cell(w, usdc, 1) == "BTC/USDC" + TWIN_MARK
        assert cell(w, usd, 1) == "BTC/USD" + TWIN_MARK
        assert cell(w, other, 1) == "ETH/USD"
        assert cell(w, usdc, 1, Qt.ItemDataRole.ToolTipRole).startswith(
            "BTC/USDC shares the BTC-USD book with BTC/USD")
        assert cell(w, other, 1, Qt.ItemDataRole.ToolTipRole) is None
        # the adapter's own word, which the marker follows
        adapter = w.session.adapters["coinbase"]
        assert adapter.shared_book("BTC/USDC") == "BTC/USD" and not adapter.shared_book("ETH/USD")
        table, book = w.views["board"].table, w.views["book"]
        table.selectRow(usdc)
        assert w.session.selection == ("coinbase", "BTC/USDC")
        assert book.shared.isVisible()
        assert book.shared.text().startswith("BTC/USDC shares the BTC-USD book with BTC/USD")
        table.selectRow(other)
        assert w.session.selection == ("coinbase", "ETH/USD") and not book.shared.isVisible()
    finally:
        aloop.run(fake.__aexit__(None, None, None))
