"""What the board's view paints: a C++ item model holding only the cells on screen.

A QTableView paints a cell by asking its model for seven roles in one `multiData()`; a Python
model answers each cell through PySide (~18 µs a cell), so the sorted board's full repaint
after each re-sort took 17–23 ms under load, the loop's longest stall. Here the view's model is
a QStandardItemModel, which Qt answers in C++ (the same repaint: ~5 ms), and `MirrorModel`
copies into it the cells of the rows on screen only, and only the roles that differ from what
it holds: after a re-sort, ~450 comparisons and a `setData` per changed role, then Qt repaints
the changed cells by itself.

Its row r is the source's row r (the LiveSortProxy, which keeps the order); rows off screen
stay empty until they scroll in (read the source, not the view's model, for them). The
selection follows its row across re-sorts, as the proxy's persistent indexes made it do, and
a header click sorts the source.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItemModel

from .table import SHOWN_ROLES, row_changes

__all__ = ["MirrorModel"]

_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_ALIGN_INT = int(_ALIGN)
_HEADER_ROLES = (Qt.ItemDataRole.DisplayRole, _ALIGN)
_RESTYLE = frozenset((QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange,
                      QEvent.Type.StyleChange, QEvent.Type.FontChange))
_REFILL = _RESTYLE | {QEvent.Type.Resize, QEvent.Type.Show}
_UNKNOWN = object()
_ROW_AND_CURRENT = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows)


class MirrorModel(QStandardItemModel):
    """Installs itself as `view`'s model, mirroring `source` (a model with `shown_cells(row)`:
    per column, the values of SHOWN_ROLES; see TableModel.shown_cells)."""

    def __init__(self, source, view) -> None:
        super().__init__(0, source.columnCount(), view)
        self.source, self.view = source, view
        self._shown: dict[int, list[tuple]] = {}           # row → what its items hold
        self._on_screen = (0, -1)                          # first and last row painted
        self._current = QPersistentModelIndex()            # the selected row, in the source
        self._copy_header()
        signal, slot = row_changes(source, self._on_changes)
        signal.connect(slot)
        self._changes = slot            # (a closure for a source without batches: kept)
        source.headerDataChanged.connect(self._copy_header)
        for signal in (source.layoutChanged, source.modelReset, source.rowsInserted,
                       source.rowsRemoved):
            signal.connect(self._on_layout)
        view.setModel(self)
        view.selectionModel().currentChanged.connect(self._on_current)
        view.verticalScrollBar().valueChanged.connect(self._fill)
        self._watcher = _Refill(self)
        view.viewport().installEventFilter(self._watcher)
        self._on_layout()

    # -- what the view asks of the model besides data ------------------------------------------
    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """A header click sorts the source; the rows come back through its layout change."""
        self.source.sort(column, order)

    def refresh_column(self, column: int) -> None:
        """Copy one column again (a value that changes with time: the fading flash)."""
        self._copy(*self._on_screen, column, column)

    # -- following the source ----------------------------------------------------------------
    def _copy_header(self, *args) -> None:
        horizontal = Qt.Orientation.Horizontal
        for c in range(self.columnCount()):
            for role in _HEADER_ROLES:
                self.setHeaderData(c, horizontal, self.source.headerData(c, horizontal, role),
                                   role)
        # a column's cells align as its header (TableModel.alignment answers both)
        self._align = [self.source.headerData(c, horizontal, _ALIGN)
                       for c in range(self.columnCount())]

    def _on_layout(self, *args) -> None:
        n = self.source.rowCount()
        if n != self.rowCount():
            for r in [r for r in self._shown if r >= n]:
                del self._shown[r]
            self.setRowCount(n)
        self._fill()
        self._follow_current()

    def _on_changes(self, changes: list[tuple[int, int, int]]) -> None:
        first, last = self._on_screen
        for r, lo, hi in changes:
            if first <= r <= last:
                self._copy(r, r, lo, hi)

    def _fill(self, *args) -> None:
        """The rows on screen now (scrolled, resized, re-sorted) get the source's cells."""
        view = self.view
        first = max(0, view.rowAt(0))
        height = max(1, view.verticalHeader().defaultSectionSize())
        self._on_screen = (first, min(self.rowCount() - 1,
                                      first + view.viewport().height() // height + 1))
        self._copy(*self._on_screen, 0, self.columnCount() - 1)

    def _copy(self, first: int, last: int, c0: int, c1: int) -> None:
        cells_of, shown, index, set_data = self.source.shown_cells, self._shown, self.index, \
            self.setData
        for r in range(first, last + 1):
            cells = cells_of(r)
            held = shown.get(r)
            if held is None:
                self._make_row(r, cells)
                continue
            for c in range(c0, c1 + 1):
                new, old = cells[c], held[c]
                if new != old:
                    at = index(r, c)
                    for i, role in enumerate(SHOWN_ROLES):
                        if new[i] != old[i]:
                            set_data(at, new[i], role)
                    held[c] = new

    def _make_row(self, r: int, cells: list) -> None:
        """The row's items, made by the model in C++: an item made in Python is a wrapper whose
        every virtual call (each paint asks its flags and roles) first looks for a Python
        override."""
        for c, values in enumerate(cells):
            roles = {role: value for role, value in zip(SHOWN_ROLES, values) if value is not None}
            roles[_ALIGN_INT] = self._align[c]
            self.setItemData(self.index(r, c), roles)
        self._shown[r] = list(cells)

    def _forget_shown(self) -> None:
        """Colours and fonts may have changed under the same values: compare nothing."""
        unknown = (_UNKNOWN,) * len(SHOWN_ROLES)   # differs from every value: all set again
        self._shown = {r: [unknown] * self.columnCount() for r in self._shown}

    # -- the selection -------------------------------------------------------------------------
    def _on_current(self, current, _previous) -> None:
        self._current = QPersistentModelIndex(self.source.index(current.row(), current.column())) \
            if current.isValid() else QPersistentModelIndex()

    def _follow_current(self) -> None:
        """After a re-sort or a filter, select the selected row where it went (or nothing)."""
        selection = self.view.selectionModel()
        at = selection.currentIndex()
        if not at.isValid() and not self._current.isValid():
            return
        row = self._current.row() if self._current.isValid() else -1
        if row == at.row():
            return
        scrolls = self.view.hasAutoScroll()   # a row moving away never scrolls the board
        self.view.setAutoScroll(False)
        try:
            if row < 0:
                selection.clear()
            else:
                selection.setCurrentIndex(self.index(row, max(0, at.column())), _ROW_AND_CURRENT)
        finally:
            self.view.setAutoScroll(scrolls)


class _Refill(QObject):
    """The viewport's resize, show and restyle: other rows on screen, or other colours."""

    def __init__(self, mirror: MirrorModel) -> None:
        super().__init__(mirror)
        self.mirror = mirror

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind in _REFILL:
            if kind in _RESTYLE:
                self.mirror._forget_shown()
            self.mirror._fill()
        return False
