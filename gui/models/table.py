"""The part every table model shares: counts, header, flags, index checks and alignment.

A table model subclasses `TableModel`, sets `COLUMNS` (and `NUMERIC`: right-aligned columns),
and implements `row_count()` and `cell(row, column, role)`; `data()` has already checked the
index and answered the alignment role when `cell` is called.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QAbstractTableModel, QMetaMethod, QModelIndex, Qt

__all__ = ["TableModel", "RIGHT", "LEFT", "CENTER", "unanswered", "delegate_span",
           "DELEGATE_ROLES", "set_or_clear", "SHOWN_ROLES"]

log = logging.getLogger("gui")
_reported: set[tuple[str, str]] = set()

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter

_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
_SELECTABLE = _FLAGS | Qt.ItemFlag.ItemIsSelectable     # (an enum `|` per painted cell: ~1 µs)
_R = Qt.ItemDataRole
# Roles a view asks every cell for and no table here answers: answered at once, before any
# index check (a painted cell asks for ~10 roles, and a busy book repaints 25 rows × 6 columns
# a few times a second).
_NEVER = frozenset(int(r) for r in (_R.DecorationRole, _R.StatusTipRole, _R.WhatsThisRole,
                                    _R.FontRole, _R.CheckStateRole, _R.SizeHintRole,
                                    _R.AccessibleTextRole, _R.AccessibleDescriptionRole))
_RIGHT, _LEFT = int(RIGHT), int(LEFT)
# What Qt 6's QStyledItemDelegate asks of every painted cell, in this order, in one multiData()
# (initStyleOption). A span laid out so is answered by position, without reading each role
# back from Qt. Its roles do not arrive empty (Qt 6.11 reuses the array from cell to cell), so
# every role is set or cleared. tests/gui/test_live_sort.py pins the layout to the installed Qt.
DELEGATE_ROLES = tuple(int(r) for r in (
    _R.FontRole, _R.TextAlignmentRole, _R.ForegroundRole, _R.CheckStateRole, _R.DecorationRole,
    _R.DisplayRole, _R.BackgroundRole))
_ALIGN_AT, _DISPLAY_AT = 1, 5
# What a view of a table shows of a cell besides its column's alignment: the roles a
# MirrorModel (mirror.py) copies, in the order of `shown_cells`.
SHOWN_ROLES = tuple(int(r) for r in (_R.DisplayRole, _R.ForegroundRole, _R.BackgroundRole,
                                     _R.FontRole, _R.ToolTipRole))
_DISPLAY_INT = DELEGATE_ROLES[_DISPLAY_AT]


def delegate_span(span) -> bool:
    """Whether `span` is the delegate's: its length and where the display role is (each role
    read is a call into Qt; the test pins the rest of the layout)."""
    return len(span) == 7 and span[_DISPLAY_AT].role() == _DISPLAY_INT


class TableModel(QAbstractTableModel):
    COLUMNS: tuple[str, ...] = ()
    NUMERIC: frozenset[int] = frozenset()
    # Roles this table never answers (a table that sets a font takes FontRole out).
    UNASKED: frozenset[int] = _NEVER
    SELECTABLE = True

    def row_count(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def cell(self, row: int, column: int, role):  # pragma: no cover - abstract
        raise NotImplementedError

    def alignment(self, column: int) -> int:
        """Numbers right-aligned so their digits line up; text left."""
        return _RIGHT if column in self.NUMERIC else _LEFT

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=_DISPLAY):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == _DISPLAY:
                # A text column after a right-aligned number column starts one space in, so
                # the two headers never read as one ("Size Side").
                left_after_number = section - 1 in self.NUMERIC and section not in self.NUMERIC
                return (" " if left_after_number else "") + self.COLUMNS[section]
            if role == _ALIGN:
                return self.alignment(section)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _SELECTABLE if self.SELECTABLE else _FLAGS

    def data(self, index, role=_DISPLAY):
        if role in self.UNASKED or not index.isValid():
            return None         # (a valid index of a table never has a parent)
        r, c = index.row(), index.column()
        if not (0 <= r < self.row_count() and 0 <= c < len(self.COLUMNS)):
            return None
        if role == _ALIGN:
            return self.alignment(c)
        return self.cell(r, c, role)

    def multiData(self, index, span) -> None:
        """Every role a delegate asks of one cell, in one call: Qt 6's item delegates ask seven
        at once (display, alignment, colours, font, …), each a call from C++ into Python when
        answered through data(). A board's full repaint took ~18 ms that way, ~7 this way."""
        r, c = index.row(), index.column()
        try:
            if type(self).data is not TableModel.data or not (
                    0 <= r < self.row_count() and 0 <= c < len(self.COLUMNS)):
                for rd in span:             # a subclass answering data() itself: ask it
                    set_or_clear(rd, self.data(index, rd.role()))
                return
            self.cell_multi(r, c, span)
        except Exception as exc:
            unanswered(type(self).__name__, span, exc)

    def cell_multi(self, r: int, c: int, span) -> None:
        """`multiData()` for a row and column known to be in range (see cell_data)."""
        if delegate_span(span):
            span[_ALIGN_AT].setData(self.alignment(c))
            unasked = self.UNASKED
            for i, role in enumerate(DELEGATE_ROLES):
                if i != _ALIGN_AT:
                    set_or_clear(span[i], None if role in unasked else self.cell(r, c, role))
            return
        unasked, cell = self.UNASKED, self.cell
        for rd in span:
            role = rd.role()
            if role in unasked:
                rd.clearData()
            elif role == _ALIGN:
                rd.setData(self.alignment(c))
            else:
                set_or_clear(rd, cell(r, c, role))

    def cell_data(self, r: int, c: int, role):
        """`data()` for a row and column known to be in range: what a proxy that maps rows
        itself calls, without building an index per cell (a board paint asks ~2,000 times)."""
        if role in self.UNASKED:
            return None
        if role == _ALIGN:
            return self.alignment(c)
        return self.cell(r, c, role)

    def shown_cells(self, r: int) -> list[tuple]:
        """Per column, the values of SHOWN_ROLES of row `r` (in range): what a MirrorModel
        copies. A model on a hot path answers it without a call per role."""
        return [tuple(self.cell_data(r, c, role) for role in SHOWN_ROLES)
                for c in range(len(self.COLUMNS))]

    def same_flags(self):
        """The flags of every cell, when they are all the same (None: ask `cell_flags`)."""
        if type(self).flags is TableModel.flags:
            return _SELECTABLE if self.SELECTABLE else _FLAGS
        return None

    def cell_flags(self, r: int, c: int):
        same = self.same_flags()
        return same if same is not None else self.flags(self.index(r, c))


def unanswered(where: str, span, exc: Exception) -> None:
    """A cell whose roles could not be answered is painted empty and the error logged, once
    per model and kind of error: an exception escaping a paint's multiData() ended the app
    (PySide 6.11, through a proxy)."""
    for i in range(len(span)):
        span[i].clearData()
    if (where, type(exc).__name__) not in _reported:
        _reported.add((where, type(exc).__name__))
        log.error("%s: a cell could not be shown (%s: %s); it stays empty",
                  where, type(exc).__name__, exc, exc_info=exc)


def set_or_clear(role_data, value) -> None:
    """A role's answer into Qt's role data; None clears it (Qt may hand over a used one)."""
    if value is None:
        role_data.clearData()
    else:
        role_data.setData(value)


# -- changed rows in batches ------------------------------------------------------------------
# A model on the board's hot path (TickerModel, and the live sort over it) announces the rows an
# update changed in one `rows_changed([(row, first column, last column), …])` call, and every
# change of its cells goes through `announce_rows`: a Python slot per row cost ~14 µs a row in
# PySide's signal machinery, at each step of the board's chain (model → live sort → mirror).
# `dataChanged` still follows, per row, for whoever listens to it (a view, a test).

def announce_rows(model, changes: list[tuple[int, int, int]]) -> None:
    """`model.rows_changed(changes)`, then `dataChanged` per row if anyone listens to it."""
    model.rows_changed.emit(changes)
    if model.isSignalConnected(QMetaMethod.fromSignal(model.dataChanged)):
        for r, lo, hi in changes:
            model.dataChanged.emit(model.createIndex(r, lo), model.createIndex(r, hi))


def row_changes(source, on_rows):
    """(signal, slot) that hand `on_rows` the source's changed rows as [(row, first column,
    last column)]: its batches where it announces them, else each `dataChanged`."""
    if hasattr(source, "rows_changed"):
        return source.rows_changed, on_rows

    def each(top_left, bottom_right, roles=()):
        on_rows([(r, top_left.column(), bottom_right.column())
                 for r in range(top_left.row(), bottom_right.row() + 1)])
    return source.dataChanged, each


class TextLengths:
    """Per column, the length of its longest text, for a view that sizes columns to their
    content without Qt's ResizeToContents (which reads every row, through Python, on each
    update). `update(rows)` says whether it is worth measuring again: a column's longest text
    grew, or shrank by two characters (a total going 9.99 → 10.01 → 9.98 at 50 updates a second
    is measured once)."""

    def __init__(self) -> None:
        self.lengths: tuple[int, ...] = ()

    def update(self, rows, columns: int) -> bool:
        lengths = tuple(max((len(row[c]) for row in rows), default=0) for c in range(columns))
        kept = self.lengths
        if len(kept) == len(lengths) and all(k - 2 < n <= k for n, k in zip(lengths, kept)):
            return False
        self.lengths = lengths
        return True
