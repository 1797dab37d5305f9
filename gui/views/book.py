"""Order book dock: the ladder (with depth bars) above a depth chart.

A click on a price puts it in the order form; on a size, that amount (on a cumulative total,
the amount that takes every level down to it). The trader's own open orders are marked."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTableView, QVBoxLayout, QWidget

from ..models.book import DEPTH_ROLE
from ..twins import caption
from ..widgets.delegates import DepthBarDelegate
from ..widgets.depth import DepthChart
from ..widgets.give_way import GiveWay
from .board import configure_table

__all__ = ["BookView", "build"]


class BookView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        model = window.book
        self.spread = QLabel("")
        self.spread.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Coinbase's BTC/USDC trades on the BTC-USD book: the caption says whose book it is.
        self.shared = QLabel("")
        self.shared.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.shared.setWordWrap(True)
        self.shared.setObjectName("sharedBook")
        self.shared.hide()
        self.stale = False
        self.stale_note = QLabel("")
        self.stale_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stale_note.setStyleSheet("color: #d08a2a; font-weight: bold;")
        self.stale_note.setWordWrap(True)
        self.stale_note.hide()
        self.table = QTableView()
        self.table.setModel(model)
        configure_table(self.table)
        self.table.setAlternatingRowColors(False)
        self.table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.table.setItemDelegateForColumn(0, DepthBarDelegate(DEPTH_ROLE, True, self.table))
        self.table.setItemDelegateForColumn(5, DepthBarDelegate(DEPTH_ROLE, False, self.table))
        self.table.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        self.table.setToolTip("Click a price to put it in the order form, a size for the amount")
        self.model = model
        self.window_ = window
        self.table.clicked.connect(self._on_click)
        self.table.horizontalHeader().setMinimumSectionSize(40)
        # Prices are never elided: too narrow for six columns, the totals give way, then the
        # sizes. The columns are measured when a column's longest text changes length (the
        # model says so), not on each of the book's 50-100 updates a second.
        self.give_way = GiveWay(self.table, [(2, 3), (1, 4), (0, 5)])
        model.widths_changed.connect(self.give_way.fit)
        self.depth = DepthChart()
        model.spread_changed.connect(self.spread.setText)
        window.session.book.connect(lambda v, s, ob: self.depth.set_book(ob))
        window.session.selected.connect(lambda v, s: self.depth.clear_book())
        window.session.book_stale.connect(self._on_stale)
        window.session.selected.connect(lambda v, s: self._on_stale(v, s, False))
        window.session.selected.connect(
            lambda v, s: self._on_shared(s, window.shared_books.get(v, {}).get(s)))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.depth)
        split.setStretchFactor(0, 3)      # the ladder first; the depth chart is a glance
        split.setStretchFactor(1, 1)
        split.setSizes([720, 240])
        self.split = split
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.spread)
        layout.addWidget(self.shared)
        layout.addWidget(self.stale_note)
        layout.addWidget(split)

    def _on_shared(self, symbol: str, twin) -> None:
        self.shared.setText(caption(symbol, twin))
        self.shared.setToolTip("The venue runs these two pairs on one order book: the same "
                               "bids, asks and trades; an order on either meets them."
                               if twin else "")
        self.shared.setVisible(twin is not None)

    def _on_stale(self, venue: str, symbol: str, stale: bool) -> None:
        """A frozen book must never look live: greyed, and the spread line says so."""
        self.stale = stale
        self.table.setEnabled(not stale)
        self.depth.setEnabled(not stale)
        self.stale_note.setVisible(stale)
        if stale:
            self.stale_note.setText(f"STALE: no {symbol} book update from {venue} since "
                                    f"{time.strftime('%H:%M:%S')}; waiting for data")

    def _on_click(self, index) -> None:
        found = self.model.value_at(index.row(), index.column())
        if found is not None:
            kind, value = found
            self.window_.fill_order(**{kind: value})


def build(window) -> BookView:
    return BookView(window)
