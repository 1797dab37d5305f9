"""Tickers board: every streamed (venue, symbol), sortable and filterable; selecting a row
shows that symbol in the book, chart and trades docks.

The tickers model (Python) holds every row; the live-sort proxy orders and filters them; the
table paints a MirrorModel holding the rows on screen, so that Qt paints in C++ (mirror.py)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QVBoxLayout, QWidget

from ..models.live_sort import LiveSortProxy
from ..models.mirror import MirrorModel
from ..models.tickers import FLASH_MS, KEY_ROLE, LAST
from ..widgets.flash import FlashFade

__all__ = ["BoardView", "build", "configure_table"]


def configure_table(view: QTableView) -> None:
    """Dense, aligned tables: small rows, tabular digits, no grid noise."""
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    # Digits, symbols and Latin names need no shaping (ligatures, contextual forms): skipping
    # it where the font has no such rules halves the cost of painting a busy table's text.
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    view.setFont(font)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 4)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.setShowGrid(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.horizontalHeader().setHighlightSections(False)


class BoardView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window_ = window
        self.proxy = LiveSortProxy(self)
        self.proxy.setSourceModel(window.tickers)
        self.filter = QLineEdit(placeholderText="Filter venue or symbol…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        configure_table(self.table)         # (first: the mirror counts rows of its height)
        self.shown = MirrorModel(self.proxy, self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)   # arrival order until asked
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        widths = (70, 104, 104, 104, 104, 108, 104, 104, 80)    # 24h %: room for "today"
        for col, w in enumerate(widths):
            header.resizeSection(col, w)
        self.flash = FlashFade(self.table, window.tickers, LAST, FLASH_MS)
        self.table.selectionModel().currentRowChanged.connect(self._on_row)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)

    def _on_row(self, current, _previous) -> None:
        if current.isValid():           # (the mirror's row r is the proxy's row r)
            key = self.proxy.index(current.row(), 0).data(KEY_ROLE)
            if key:
                self.window_.select(*key)   # (the same row again after a re-sort: nothing)


def build(window) -> BoardView:
    return BoardView(window)
