"""Fills & orders dock: the ledger's history, filtered by venue, pair, side and period;
import a venue's CSV export, export the fills shown in tax-tool columns (see the README)."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QFileDialog,
                               QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView,
                               QTabWidget, QVBoxLayout, QWidget)

from ..ledger.csv_import import FORMATS, UnknownFormat
from ..ledger.store import FillFilter
from ..models.fills import FillsModel, LedgerOrdersModel
from .board import configure_table

__all__ = ["LedgerView", "build", "PERIODS"]

log = logging.getLogger("gui")

DAY = 86_400_000
PERIODS = ("All time", "Today", "Last 7 days", "Last 30 days", "This year", "Custom")
_ALL = "All"


def _start_of(date: QDate) -> int:
    """Local midnight of `date` in ms (what a trader means by a day)."""
    return QDateTime(date, QTime(0, 0), QTimeZone.systemTimeZone()).toMSecsSinceEpoch()


class LedgerView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window_ = window
        self.portfolio = p = window.portfolio
        self.fills = FillsModel(p.ledger, self)
        self.orders = LedgerOrdersModel(p.ledger, self)

        self.venue = QComboBox()
        self.symbol = QComboBox()
        self.symbol.setEditable(True)
        self.symbol.setMinimumContentsLength(9)
        self.side = QComboBox()
        self.side.addItems([_ALL, "buy", "sell"])
        self.period = QComboBox()
        self.period.addItems(PERIODS)
        today = QDate.currentDate()
        self.start = QDateEdit(today.addDays(-30), calendarPopup=True)
        self.end = QDateEdit(today, calendarPopup=True)
        for edit in (self.start, self.end):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setVisible(False)
        self.import_button = QPushButton("Import CSV…")
        self.import_button.setToolTip("Import a venue's own trade-history export: "
                                      + ", ".join(sorted({f.title for f in FORMATS})))
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("The fills shown, in the columns tax tools import: "
                                      "Date (UTC, ISO 8601), Venue, Pair, Side, Amount, Price, "
                                      "Fee, Fee currency, Order ID, Fill ID")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for label, w in (("Venue", self.venue), ("Pair", self.symbol), ("Side", self.side),
                         (None, self.period)):
            if label:
                bar.addWidget(QLabel(label))
            bar.addWidget(w)
        bar.addWidget(self.start)
        bar.addWidget(self.end)
        bar.addStretch(1)
        bar.addWidget(self.import_button)
        bar.addWidget(self.export_button)

        self.fills_table = self._table(self.fills, (19, 8, 10, 4, 12, 12, 13, 7, 5, 14, 14))
        self.fills_table.setSortingEnabled(True)
        self.fills_table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.orders_table = self._table(self.orders, (19, 8, 10, 4, 6, 12, 12, 12, 10, 14))
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.fills_table, "Fills")
        self.tabs.addTab(self.orders_table, "Orders")
        self.count = QLabel("")
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.count)

        self._fill_choices()
        for combo in (self.venue, self.side, self.period):
            combo.currentIndexChanged.connect(lambda _i: self.apply())
        self.symbol.lineEdit().editingFinished.connect(self.apply)
        self.symbol.activated.connect(lambda _i: self.apply())
        for edit in (self.start, self.end):
            edit.dateChanged.connect(lambda _d: self.apply())
        self.import_button.clicked.connect(self._ask_import)
        self.export_button.clicked.connect(self._ask_export)
        self.tabs.currentChanged.connect(lambda _i: self._update_count())
        p.fills_changed.connect(self.refresh)
        p.orders_changed.connect(self.orders.reload)
        self.apply()

    def _table(self, model, widths) -> QTableView:
        """`widths` in characters of the table's fixed-width font."""
        table = QTableView()
        table.setModel(model)
        configure_table(table)
        digit = table.fontMetrics().horizontalAdvance("0")
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, chars in enumerate(widths):
            header.resizeSection(col, digit * chars + 12)
        return table

    # -- the filter --------------------------------------------------------------------------
    def _fill_choices(self) -> None:
        """Venues and pairs the ledger has, keeping what is chosen."""
        ledger = self.portfolio.ledger
        for combo, values in ((self.venue, ledger.distinct("venue")),
                              (self.symbol, ledger.distinct("symbol"))):
            current = combo.currentText() or _ALL
            combo.blockSignals(True)
            combo.clear()
            combo.addItems([_ALL] + values)
            combo.setCurrentText(current)
            combo.blockSignals(False)

    def current_filter(self) -> FillFilter:
        def chosen(combo):
            text = combo.currentText().strip()
            return None if not text or text == _ALL else text
        symbol = chosen(self.symbol)
        since = until = None
        period = self.period.currentText()
        today = QDate.currentDate()
        custom = period == "Custom"
        self.start.setVisible(custom)
        self.end.setVisible(custom)
        if period == "Today":
            since = _start_of(today)
        elif period == "Last 7 days":
            since = _start_of(today.addDays(-6))
        elif period == "Last 30 days":
            since = _start_of(today.addDays(-29))
        elif period == "This year":
            since = _start_of(QDate(today.year(), 1, 1))
        elif custom:
            since = _start_of(self.start.date())
            until = _start_of(self.end.date().addDays(1))       # the end day included
        return FillFilter(chosen(self.venue), symbol.upper() if symbol else None,
                          chosen(self.side), since, until)

    def apply(self) -> None:
        flt = self.current_filter()
        self.fills.set_filter(flt)
        self.orders.set_filter(flt)
        self._update_count()

    def refresh(self) -> None:
        """New fills in the ledger: show them (the filter and sort stay)."""
        self._fill_choices()
        self.fills.reload()
        self.orders.reload()
        self._update_count()

    def _update_count(self) -> None:
        if self.tabs.currentIndex() == 0:
            n = self.fills.total
            self.count.setText(f"{n:,} fill{'s' if n != 1 else ''}"
                               + ("" if n else " — fills of venues with API keys (and the "
                                              "demo) are kept here from now on"))
        else:
            n = self.orders.rowCount()
            self.count.setText(f"{n:,} order{'s' if n != 1 else ''} "
                               f"(hover a status for every state it passed through)")

    # -- import / export ---------------------------------------------------------------------
    def _say(self, text: str, level: int = logging.INFO) -> None:
        self.note.setText(text)
        self.note.setVisible(True)
        self.window_.say(text, level)

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a venue's trade export", "",
                                              "CSV files (*.csv);;All files (*)")
        if path:
            self.import_from(path)

    def import_from(self, path: str | Path):
        try:
            report = self.portfolio.import_file(path)
        except (UnknownFormat, ValueError, OSError) as exc:
            self._say(f"Nothing imported from {Path(path).name}: {exc}", logging.WARNING)
            return None
        text = f"Imported {report.summary()}"
        if report.skipped:
            text += " — " + "; ".join(report.skipped[:3]) + (" …" if len(report.skipped) > 3
                                                            else "")
        self._say(text)
        self.refresh()
        return report

    def _ask_export(self) -> None:
        name = f"fills-{time.strftime('%Y%m%d')}.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export fills", name,
                                              "CSV files (*.csv)")
        if path:
            self.export_to(path)

    def export_to(self, path: str | Path) -> int | None:
        try:
            n = self.portfolio.export(path, self.current_filter())
        except OSError as exc:
            self._say(f"Could not export to {Path(path).name}: {exc}", logging.WARNING)
            return None
        self._say(f"Exported {n:,} fill{'s' if n != 1 else ''} to {path}")
        return n


def build(window) -> LedgerView:
    return LedgerView(window)
