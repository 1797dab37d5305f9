"""Exchanges dock: the registry by country with a filter box; double-click connects."""
from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QHeaderView, QLineEdit, QTreeView, QVBoxLayout, QWidget

from ..models.venues import ENTRY_ROLE, VenueTreeModel, explain

__all__ = ["ExchangesView", "build"]


class CountingProxy(QSortFilterProxyModel):
    """While a filter is on, a country row counts the exchanges it still shows
    ("Japan  (1 of 8)"), so the number next to a country never disagrees with its rows."""

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
        layout.addWidget(self.filter)
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
