"""A sort/filter proxy for a live board: it re-sorts at most once per frame, from cached keys.

QSortFilterProxyModel re-sorts on every `dataChanged` that touches the sort column, one layout
change each, and compares rows through Python `lessThan`/`data` calls: a board sorted by a
column that moves on every tick (24 h %) stalled the loop for ~180 ms at 10,000 updates/s. Here
a changed row only marks its cached key dirty; one timer, at most every RESORT_EVERY, refreshes
the dirty keys, re-sorts the cached keys (Python's sort over ~2,000 tuples: well under a
millisecond) and, only if the order moved, emits one layout change that keeps selections on
their rows. Cell changes that do not move a row pass straight through as `dataChanged` on the
proxy's rows, and the view's data()/flags() calls go to the source by row and column.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QAbstractProxyModel, QModelIndex, QObject, Qt, QTimer, Signal

from .table import SHOWN_ROLES, announce_rows, row_changes, unanswered
from .tickers import SORT_ROLE

__all__ = ["LiveSortProxy"]

# Re-sort at most this often. A re-sort repaints every visible row; the session hands a busy
# frame over in slices (Session.max_batch tickers a loop turn), and re-sorting after each
# slice repainted the board several times a frame. Values change every 16 ms session frame;
# rows change place at most ~12 times a second, as fast as an eye follows a row that moves.
RESORT_EVERY = 0.08


class LiveSortProxy(QAbstractProxyModel):
    """Sorted by the raw value of SORT_ROLE (values first, blanks last, ties in source order)
    and filtered case-insensitively on any column's text."""

    rows_changed = Signal(object)   # [(row, first column, last column)]: see announce_rows

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._column = -1
        self._order_kind = Qt.SortOrder.AscendingOrder
        self._filter = ""
        self._ncols = 0
        self._cell = self._flags = self._multi = None   # the source's, per cell (see _wire)
        self._shown = None                  # the source's, per row (see shown_cells)
        self._sort_value = None             # the source's SORT_ROLE of (row, column)
        self._every_flags = None            # the source's flags when every cell has the same
        self._rows: list[int] = []          # proxy row → source row
        self._pos: dict[int, int] = {}      # source row → proxy row
        self._keys: dict[int, object] = {}  # source row → its sort value (cached)
        self._accepted: dict[int, bool] = {}
        self._dirty: set[int] = set()
        self.resorts = 0                    # layout changes emitted (for tests/benchmarks)
        self._sorted_at = -RESORT_EVERY     # time.monotonic() of the last re-sort check
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._refresh)

    # -- wiring ------------------------------------------------------------------------------
    def setSourceModel(self, model) -> None:
        old = self.sourceModel()
        if old is not None:
            for signal, slot in self._links(old):
                signal.disconnect(slot)
        self.beginResetModel()
        super().setSourceModel(model)
        self._changes = row_changes(model, self._on_changes)
        for signal, slot in self._links(model):
            signal.connect(slot)
        self._wire(model)
        self._rebuild()
        self.endResetModel()

    def _wire(self, m) -> None:
        """A paint asks data() ~10 times per visible cell; going through mapToSource and the
        source's index() each time made painting the board the loop's longest stall. A
        TableModel answers by row and column directly (`cell_data`/`cell_flags`)."""
        if hasattr(m, "cell_data"):
            self._cell, self._flags = m.cell_data, m.cell_flags
            self._multi, self._shown = m.cell_multi, m.shown_cells
            self._every_flags = m.same_flags()
            # (a re-sort reads ~800 changed rows' keys: the board answers without role checks)
            self._sort_value = getattr(m, "sort_value", None) or \
                (lambda r, c: m.cell_data(r, c, SORT_ROLE))
        else:
            self._every_flags = None
            self._cell = lambda r, c, role: m.index(r, c).data(role)
            self._flags = lambda r, c: m.flags(m.index(r, c))
            self._multi = lambda r, c, span: m.multiData(m.index(r, c), span)
            self._shown = lambda r: [tuple(m.index(r, c).data(role) for role in SHOWN_ROLES)
                                     for c in range(self._ncols)]
            self._sort_value = lambda r, c: m.index(r, c).data(SORT_ROLE)

    def _links(self, m):
        return (self._changes, (m.rowsInserted, self._on_rows),
                (m.rowsRemoved, self._on_reset), (m.modelReset, self._on_reset),
                (m.layoutChanged, self._on_reset), (m.columnsInserted, self._on_reset),
                (m.columnsRemoved, self._on_reset))

    # -- the proxy's shape -------------------------------------------------------------------
    def index(self, row: int, column: int, parent=QModelIndex()) -> QModelIndex:
        if parent.isValid() or not (0 <= row < len(self._rows)) or \
                not (0 <= column < self._ncols):
            return QModelIndex()
        return self.createIndex(row, column)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        r = index.row()
        if not 0 <= r < len(self._rows):    # also an invalid index (row -1)
            return None
        return self._cell(self._rows[r], index.column(), role)

    def multiData(self, index: QModelIndex, span) -> None:
        """The delegates' seven roles of a cell in one call (see TableModel.multiData)."""
        r = index.row()
        if not 0 <= r < len(self._rows):
            for rd in span:
                rd.clearData()
            return
        try:
            self._multi(self._rows[r], index.column(), span)
        except Exception as exc:
            unanswered(type(self).__name__, span, exc)

    def shown_cells(self, row: int) -> list[tuple]:
        """Per column, the SHOWN_ROLES of proxy row `row` (in range): what the board's
        MirrorModel copies."""
        return self._shown(self._rows[row])

    def flags(self, index: QModelIndex):
        r = index.row()
        if not 0 <= r < len(self._rows):
            return Qt.ItemFlag.NoItemFlags
        if self._every_flags is not None:   # one call into Python fewer per painted cell
            return self._every_flags
        return self._flags(self._rows[r], index.column())

    def parent(self, index=None):
        if index is None:                   # QObject.parent()
            return QObject.parent(self)
        return QModelIndex()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._ncols

    def mapToSource(self, index: QModelIndex) -> QModelIndex:
        if not index.isValid() or index.row() >= len(self._rows):
            return QModelIndex()
        return self.sourceModel().index(self._rows[index.row()], index.column())

    def mapFromSource(self, index: QModelIndex) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        row = self._pos.get(index.row())
        return QModelIndex() if row is None else self.createIndex(row, index.column())

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        src = self.sourceModel()
        if src is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return src.headerData(section, orientation, role)
        return section + 1 if role == Qt.ItemDataRole.DisplayRole else None

    # -- sorting and filtering -----------------------------------------------------------------
    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self._column, self._order_kind = column, order
        src = self.sourceModel()
        if src is not None:
            self._keys = {r: self._key(r) for r in range(src.rowCount())}
        self._relayout()

    def sortColumn(self) -> int:
        return self._column

    def sortOrder(self):
        return self._order_kind

    def setFilterFixedString(self, text: str) -> None:
        self._filter = text.casefold()
        src = self.sourceModel()
        if src is not None:
            self._accepted = {r: self._accepts(r) for r in range(src.rowCount())}
        self._relayout()

    def _key(self, r: int):
        if self._column < 0:
            return None
        return self._sort_value(r, self._column)

    def _accepts(self, r: int) -> bool:
        if not self._filter:
            return True
        cell, display = self._cell, Qt.ItemDataRole.DisplayRole
        return any(self._filter in str(cell(r, c, display) or "").casefold()
                   for c in range(self._ncols))

    def _ordered(self) -> list[int]:
        rows = [r for r, ok in self._accepted.items() if ok]
        if self._column < 0:
            return sorted(rows)
        keys = self._keys
        valued = [r for r in rows if keys.get(r) is not None]
        blank = sorted(r for r in rows if keys.get(r) is None)
        descending = self._order_kind == Qt.SortOrder.DescendingOrder
        try:
            valued.sort(key=keys.__getitem__, reverse=descending)
        except TypeError:                   # mixed types in one column: compare as text
            valued.sort(key=lambda r: str(keys[r]), reverse=descending)
        # Python's sort is stable, but `reverse` keeps ties in source order too.
        return valued + blank

    # -- source changes ----------------------------------------------------------------------
    def _rebuild(self) -> None:
        src = self.sourceModel()
        n = src.rowCount() if src is not None else 0
        self._ncols = src.columnCount() if src is not None else 0
        self._keys = {r: self._key(r) for r in range(n)}
        self._accepted = {r: self._accepts(r) for r in range(n)}
        self._rows = self._ordered()
        self._pos = {r: i for i, r in enumerate(self._rows)}
        self._dirty.clear()

    def _on_reset(self, *args) -> None:
        self.beginResetModel()
        self._rebuild()
        self.endResetModel()

    def _on_rows(self, parent, first: int, last: int) -> None:
        for r in range(first, last + 1):
            self._keys[r] = self._key(r)
            self._accepted[r] = self._accepts(r)
        self._relayout()

    def _on_changes(self, changes: list[tuple[int, int, int]]) -> None:
        """The source's changed rows [(row, first column, last column)]: a row whose sort key
        or match may have changed is marked for the next re-sort; its cells change now, at
        its place (announced in one batch too)."""
        column, dirty, pos = self._column, self._dirty, self._pos
        marked = False
        shown = []
        for r, lo, hi in changes:
            if self._filter or (column >= 0 and lo <= column <= hi):
                dirty.add(r)
                marked = True
            p = pos.get(r)
            if p is not None:
                shown.append((p, lo, hi))
        if marked and not self._timer.isActive():
            wait = self._sorted_at + RESORT_EVERY - time.monotonic()
            self._timer.start(max(0, int(wait * 1000)))
        if shown:
            announce_rows(self, shown)

    def _refresh(self) -> None:
        """Once per batch: refresh the dirty rows' keys and filter, re-sort if anything moved."""
        self._sorted_at = time.monotonic()
        dirty, self._dirty = self._dirty, set()
        changed = False
        keys, accepted = self._keys, self._accepted
        for r in dirty:
            key, ok = self._key(r), self._accepts(r)
            if key != keys.get(r) or ok != accepted.get(r):
                keys[r], accepted[r] = key, ok
                changed = True
        if changed:
            self._relayout()

    def _relayout(self) -> None:
        new = self._ordered()
        if new == self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        sources = [(self._rows[i.row()] if i.row() < len(self._rows) else None, i.column())
                   for i in old_persistent]
        self._rows = new
        self._pos = {r: i for i, r in enumerate(new)}
        moved = []
        for src_row, col in sources:
            p = self._pos.get(src_row) if src_row is not None else None
            moved.append(QModelIndex() if p is None else self.createIndex(p, col))
        self.changePersistentIndexList(old_persistent, moved)
        self.resorts += 1
        self.layoutChanged.emit()
