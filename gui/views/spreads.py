"""Spread board dock: the cross-venue pair on every venue side by side; a market crossed after
fees is highlighted and said in words above the table. Selecting a row shows that venue's book,
chart and trades."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QSizePolicy, QTableView,
                               QVBoxLayout, QWidget)

from .. import format as fmt
from .. import theme
from ..models.proxy import ValueSortProxy
from ..models.spreads import SpreadModel, crossed_color
from .board import configure_table
from .on_screen import on_screen

__all__ = ["SpreadsView", "build"]


class SpreadsView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window_ = window
        self.cross = window.crossvenue
        self.model = SpreadModel(self.cross, self)
        self.model.shown = lambda: on_screen(self)     # refreshed only while it can be seen
        self.proxy = ValueSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.banner = QLabel("")
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        configure_table(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        # A handful of rows: every column fits its content (a narrow dock scrolls rather
        # than eliding a venue or a price), measured when a column's longest text changes
        # length, not on every update as ResizeToContents did.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.model.widths_changed.connect(self._fit_columns)
        self.table.clicked.connect(self._on_click)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.banner)
        layout.addWidget(self.table)
        self.cross.updated.connect(self._show_banner)
        self.cross.changed.connect(self._show_banner)
        self._show_banner()

    def _fit_columns(self) -> None:
        for c in range(self.model.columnCount() - 1):      # (the last one stretches)
            self.table.resizeColumnToContents(c)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.on_shown()

    def on_shown(self) -> None:
        """Shown, or its tab came to the front: catch up once laid out."""
        QTimer.singleShot(0, self._catch_up)

    def _catch_up(self) -> None:
        if self.model._behind:
            self.model.refresh()
        self._show_banner()

    def _show_banner(self) -> None:
        if not on_screen(self):
            return
        cv = self.cross
        if cv.pair is None:
            self.banner.setText("")
            return
        pair = f"{cv.pair[0]}/{cv.pair[1]}"
        if not cv.crossed:
            live = len(cv.members) - len(cv.stale_keys())
            self.banner.setText(
                f"<b>{html.escape(pair)}</b> on {len(cv.members)} venue(s), {live} live · "
                f"<span style='color:{theme.muted_color().name()}'>not crossed after fees"
                f"</span>")
            return
        x = cv.crossed[0]
        incs = [m.market.price_increment for m in cv.members if m.market is not None]
        pi = min(incs) if incs else None
        more = f" (+{len(cv.crossed) - 1} more)" if len(cv.crossed) > 1 else ""
        self.banner.setText(
            f"<span style='background:{crossed_color().name()}'>&nbsp;<b>Crossed after fees"
            f"</b>&nbsp;</span> buy <b>{html.escape(x.buy_venue)}</b> at "
            f"{fmt.price(x.ask, pi)}, sell <b>{html.escape(x.sell_venue)}</b> at "
            f"{fmt.price(x.bid, pi)}: <b>+{x.edge_bps:.1f} bp</b>{more}")

    def _on_click(self, index) -> None:
        if not index.isValid():
            return
        row = self.proxy.mapToSource(index).row()
        key = self.model.key(row)
        member = next((m for m in self.cross.members if m.key == key), None)
        if member is not None:
            self.window_.select(member.venue, member.symbol)


def build(window) -> SpreadsView:
    return SpreadsView(window)
