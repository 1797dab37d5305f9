"""Exchanges dock: the registry by country with a filter box; double-click connects. The
exchange map can narrow it to one country (`set_country`), shown as a chip that clears it."""
from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLineEdit, QPushButton, QTreeView,
                               QVBoxLayout, QWidget)

from ..models.venues import COUNTRY_ROLE, ENTRY_ROLE, VenueTreeModel, explain

__all__ = ["ExchangesView", "build"]


class CountingProxy(QSortFilterProxyModel):
    """While a filter is on, a country row counts the exchanges it still shows
    ("Japan  (1 of 8)"), so the number next to a country never disagrees with its rows.
    With `country` set, only that country's rows pass."""

    country: str | None = None

    def filterAcceptsRow(self, row, parent) -> bool:
        if self.country is not None:
            top = parent if parent.isValid() else self.sourceModel().index(row, 0, parent)
            while top.parent().isValid():
                top = top.parent()
            if top.data(COUNTRY_ROLE) != self.country:
                return False
        return super().filterAcceptsRow(row, parent)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        value = super().data(index, role)
        if (role == Qt.ItemDataRole.DisplayRole and index.isValid() and index.column() == 0
                and not index.parent().isValid() and self.filterRegularExpression().pattern()):
            total = self.sourceModel().rowCount(self.mapToSource(index))
            shown = self.rowCount(index)
            if shown != total:
                return f"{str(value).rsplit('  (', 1)[0]}  ({shown} of {total})"
        return value


class ExchangesView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window_ = window
        self.model = VenueTreeModel(self)
        self.proxy = CountingProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter = QLineEdit(placeholderText="Filter countries, exchanges, ids, status…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._on_filter)
        self.country = QPushButton("")
        self.country.setToolTip("Showing one country (from the exchange map): click to show all")
        self.country.clicked.connect(lambda: self.set_country(None))
        self.country.setVisible(False)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        self.tree.doubleClicked.connect(self.activate)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        header.resizeSection(1, 84)
        self.proxy.layoutChanged.connect(self._span_countries)
        self.proxy.rowsInserted.connect(self._span_countries)
        self.proxy.modelReset.connect(self._span_countries)
        self._span_countries()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(2)
        row.addWidget(self.filter, 1)
        row.addWidget(self.country)
        layout.addLayout(row)
        layout.addWidget(self.tree)

    def _span_countries(self, *_) -> None:
        """Country rows use the full width (the filter re-creates rows, so re-apply)."""
        root = self.tree.rootIndex()
        for r in range(self.proxy.rowCount()):
            self.tree.setFirstColumnSpanned(r, root, True)

    def _on_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        if text:
            self.tree.expandAll()

    def set_country(self, country: str | None) -> None:
        """Show only `country`'s exchanges (None: every country)."""
        if hasattr(self.proxy, "beginFilterChange"):     # Qt ≥ 6.10
            self.proxy.beginFilterChange()
            self.proxy.country = country
            self.proxy.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.proxy.country = country
            self.proxy.invalidateFilter()
        self.country.setText(f"{country}  ✕" if country else "")
        self.country.setVisible(bool(country))
        self._span_countries()
        if country:
            self.tree.expandAll()

    def activate(self, index) -> None:
        """Connect an active venue, open a renamed one's successor, or say why not."""
        entry = index.data(ENTRY_ROLE)
        if entry is None:
            return
        if entry.status == "defunct" or entry.availability or not entry.has_adapter:
            self.window_.say(explain(entry))
            return
        if entry.status == "renamed":
            self.window_.say(explain(entry))
        self.window_.open_venue(entry.id)


def build(window) -> ExchangesView:
    return ExchangesView(window)
