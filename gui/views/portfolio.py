"""Portfolio dock: everything held on every venue with keys (and the demo), valued in one
currency, per asset or per venue, each row's share and the path of its rate; below it the total
value over time from the ledger's balance snapshots."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QSplitter, QTreeView, QVBoxLayout, QWidget)

from ..models.portfolio import SORT_ROLE, PortfolioModel, money
from ..models.proxy import ValueSortProxy
from ..portfolio import CURRENCIES
from ..widgets.value_chart import ValueChart

__all__ = ["PortfolioView", "build", "RANGES"]

RANGES = {"1 day": 86_400_000, "1 week": 7 * 86_400_000, "1 month": 30 * 86_400_000,
          "All": None}


class BlanksLast(ValueSortProxy):
    """Rows without a value (not valued) sort last in either direction."""

    def lessThan(self, left, right) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:
            if a is None and b is None:
                return False
            # Qt reverses lessThan for a descending sort: there a blank must count as least.
            return (a is None) == (self.sortOrder() == Qt.SortOrder.DescendingOrder)
        return super().lessThan(left, right)


class PortfolioView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window_ = window
        self.portfolio = p = window.portfolio
        self.model = PortfolioModel(self)
        self.proxy = BlanksLast(self)
        self.proxy.setSourceModel(self.model)

        self.currency = QComboBox()
        self.currency.setEditable(True)
        self.currency.addItems(CURRENCIES)
        self.currency.setCurrentText(p.currency)
        self.currency.setToolTip("The currency every value is shown in; type any asset code")
        self.currency.lineEdit().editingFinished.connect(self._currency_typed)
        self.currency.activated.connect(lambda _i: self._currency_typed())
        self.group = QComboBox()
        self.group.addItems(["By asset", "By venue"])
        self.group.currentIndexChanged.connect(self._regroup)
        self.total = QLabel("Total —")
        font = self.total.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.total.setFont(font)
        self.total.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.updated = QLabel("")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Value in"))
        top.addWidget(self.currency)
        top.addWidget(self.group)
        top.addStretch(1)
        top.addWidget(self.updated)
        top.addSpacing(8)
        top.addWidget(self.total)

        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setVisible(False)

        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setIndentation(12)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(3, Qt.SortOrder.DescendingOrder)       # biggest value first
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((90, 130, 100, 120, 56)):
            header.resizeSection(col, width)

        self.range = QComboBox()
        self.range.addItems(list(RANGES))
        self.range.setCurrentText("1 week")
        self.range.currentTextChanged.connect(lambda _t: self.load_history())
        self.history_caption = QLabel("Balance history")
        chart_bar = QHBoxLayout()
        chart_bar.setContentsMargins(0, 0, 0, 0)
        chart_bar.addWidget(self.history_caption, 1)
        chart_bar.addWidget(self.range)
        self.chart = ValueChart()
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.setSpacing(2)
        lower_layout.addLayout(chart_bar)
        lower_layout.addWidget(self.chart)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.tree)
        self.split.addWidget(lower)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setSizes([330, 220])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(self.split, 1)

        self.model.modelReset.connect(self.tree.expandAll)
        p.valued.connect(self.show_valuation)
        p.history_changed.connect(self.load_history)
        p.currency_changed.connect(self._on_currency)
        if p.notice:
            self._note(p.notice)
        if p.valuation is not None:
            self.show_valuation(p.valuation)
        self.load_history()

    # -- user intent -------------------------------------------------------------------------
    def _currency_typed(self) -> None:
        text = self.currency.currentText().strip().upper()
        if text and text != self.portfolio.currency:
            self.portfolio.set_currency(text)

    def _on_currency(self, currency: str) -> None:
        if self.currency.currentText().upper() != currency:
            self.currency.setCurrentText(currency)
        self.load_history()

    def _regroup(self, index: int) -> None:
        self.model.set_grouping("venue" if index == 1 else "asset")
        self.tree.expandAll()

    # -- display -----------------------------------------------------------------------------
    def _note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def show_valuation(self, v) -> None:
        self.model.set_valuation(v)
        venues = len([x for x in v.by_venue if v.by_venue[x]])
        if v.amounts and not v.rates:       # nothing at all could be valued: no sum to show
            self.total.setText(f"Total: not valued in {v.currency}")
        else:
            self.total.setText(f"Total {money(v.total, v.currency)} {v.currency}")
        self.total.setToolTip(f"Across {venues} venue(s); assets that cannot be valued in "
                              f"{v.currency} are not in this total")
        self.updated.setText(time.strftime("as of %H:%M:%S"))
        notes = []
        if self.portfolio.notice:
            notes.append(self.portfolio.notice)
        if v.unvalued:
            listed = ", ".join(v.unvalued[:6]) + (" …" if len(v.unvalued) > 6 else "")
            notes.append(f"Not valued in {v.currency} (no market leads there; not counted "
                         f"in the total): {listed}")
        if not v.amounts:
            notes.append("No balances yet: connect a venue with API keys, or the demo venue")
        self._note("\n".join(notes))

    def load_history(self) -> None:
        span = RANGES[self.range.currentText()]
        since = None
        if span is not None:
            since = int(time.time() * 1000) - span
        currency = self.portfolio.currency
        rows = self.portfolio.ledger.valuations(currency, since)
        self.chart.set_points([r[0] for r in rows], [r[1] for r in rows], currency)
        partial = sum(1 for r in rows if r[2])
        extra = f", {partial} leave out assets not valued" if partial else ""
        self.history_caption.setText(f"Total value in {currency}: {len(rows)} snapshot"
                                     f"{'s' if len(rows) != 1 else ''}{extra}")

    def restyle(self) -> None:
        self.chart.restyle()


def build(window) -> PortfolioView:
    return PortfolioView(window)
