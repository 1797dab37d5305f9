"""Exchanges dock: the demo venue and the registry by country, with a filter box; double-click
connects. A right click on a venue offers connect/disconnect, retry and "open on launch"; an
open venue's status shows how its connection is (connecting…, live, stale, error: why). The
exchange map can narrow it to one country (`set_country`), shown as a chip that clears it."""
from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLineEdit, QMenu, QPushButton,
                               QTreeView, QVBoxLayout, QWidget)

from ..models.venues import COUNTRY_ROLE, ENTRY_ROLE, SEARCH_ROLE, VenueTreeModel, explain
from ..statusbar import connection

__all__ = ["ExchangesView", "VenueFilter", "build"]


class VenueFilter(QSortFilterProxyModel):
    """Keeps the venues whose words (country, name, id, status, connection) contain every
    term typed ("japan", "renamed", "closed 2019", "live"); a country shows when any of its
    venues does, counting them ("Canada  (1 of 2)") — never a country with none.
    With `country` set, only that country's rows pass."""

    country: str | None = None

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.terms: list[str] = []
        self.setRecursiveFilteringEnabled(True)

    def set_text(self, text: str) -> None:
        self.terms = text.lower().split()
        self.setFilterFixedString(text)      # (re-filters; the terms above do the matching)

    def filterAcceptsRow(self, row: int, parent) -> bool:
        if self.country is not None:
            top = parent if parent.isValid() else self.sourceModel().index(row, 0, parent)
            while top.parent().isValid():
                top = top.parent()
            if top.data(COUNTRY_ROLE) != self.country:
                return False
        if not self.terms:
            return True
        if not parent.isValid():
            return False          # a country: only through its venues (recursive filtering)
        words = self.sourceModel().index(row, 0, parent).data(SEARCH_ROLE) or ""
        return all(t in words for t in self.terms)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        value = super().data(index, role)
        if (role == Qt.ItemDataRole.DisplayRole and self.terms and index.isValid()
                and index.column() == 0 and not index.parent().isValid()):
            total = self.sourceModel().rowCount(self.mapToSource(index))
            shown = self.rowCount(index)
            if shown != total:
                return f"{str(value).rsplit('  (', 1)[0]}  ({shown} of {total})"
        return value


class ExchangesView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window_ = window
        self.session = window.session
        self.popup: QMenu | None = None          # the venue menu a right click opened
        self.model = VenueTreeModel(self)
        self.proxy = VenueFilter(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit(placeholderText="Filter: country, exchange, id, status, live…")
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
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.doubleClicked.connect(self.activate)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 64), (2, 100)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.proxy.layoutChanged.connect(self._span_countries)
        self.proxy.rowsInserted.connect(self._span_countries)
        self.proxy.modelReset.connect(self._span_countries)
        self._span_countries()
        self.tree.expand(self.proxy.index(0, 0))            # the demo venue in sight
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(2)
        row.addWidget(self.filter, 1)
        row.addWidget(self.country)
        layout.addLayout(row)
        layout.addWidget(self.tree)
        self.session.status.connect(lambda v, _s, _d: self.refresh(v))
        self.session.venue_closed.connect(lambda v: self.model.set_connection(v, None))
        self._timer = QTimer(self)          # ages, and live turning stale
        self._timer.timeout.connect(self.refresh)
        self._timer.start(1000)

    def restyle(self) -> None:
        self.model.restyle()
        self.refresh()

    def resizeEvent(self, event) -> None:
        """Narrow: the names need the room more than the ids do (an id is in the tooltip)."""
        super().resizeEvent(event)
        narrow = self.width() < 330
        if self.tree.isColumnHidden(1) != narrow:
            self.tree.setColumnHidden(1, narrow)

    def refresh(self, venue: str | None = None) -> None:
        for v in [venue] if venue else list(self.session.states):
            st = self.session.states.get(v)
            if st is None or st.state == "closed":
                self.model.set_connection(v, None)
                continue
            age = st.age()
            # whole seconds in the tree: it is a glance, the status bar counts tenths
            text, color = connection(st.state, st.detail, None if age is None or age < 10
                                     else age, reason=True)
            self.model.set_connection(v, text, color)

    def _span_countries(self, *_) -> None:
        """Country rows use the full width (the filter re-creates rows, so re-apply)."""
        root = self.tree.rootIndex()
        for r in range(self.proxy.rowCount()):
            self.tree.setFirstColumnSpanned(r, root, True)

    def _on_filter(self, text: str) -> None:
        self.proxy.set_text(text)
        if text:
            self.tree.expandAll()
        self._span_countries()

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

    def _context_menu(self, pos) -> None:
        index = self.tree.indexAt(pos)
        entry = index.data(ENTRY_ROLE) if index.isValid() else None
        if entry is None:
            return
        menu = self.venue_menu(entry)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.tree.viewport().mapToGlobal(pos))
        self.popup = menu

    def venue_menu(self, entry) -> QMenu:
        """Connect or disconnect, retry, open on launch: for `entry`'s venue."""
        menu = QMenu(self)
        if entry.status == "defunct" or not entry.has_adapter:
            info = menu.addAction(explain(entry))
            info.setEnabled(False)
            return menu
        self.window_.fill_venue_menu(menu, entry.adapter_id, open_as=entry.id)
        return menu


def build(window) -> ExchangesView:
    return ExchangesView(window)
