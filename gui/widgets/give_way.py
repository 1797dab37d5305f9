"""Columns that give way: a table too narrow for all its columns hides the least wanted ones
whole, instead of eliding every one ("6…" and "0…" tell a trader nothing).

Groups are listed most wanted first (a group hides as one: a book's two totals). Each shows
while it fits beside the groups before it, at the width its content or its title asks; the
columns shown share what room is left, so the table fills its width as Stretch would, without
any of them narrower than its content. The widths are measured over the rows on screen when
the table is resized and when the caller says the content changed width (`fit()`), never per
update: Qt's ResizeToContents measured a column's rows, through Python, on each one."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView

__all__ = ["GiveWay"]


class GiveWay(QObject):
    def __init__(self, table: QTableView, groups: Sequence[Sequence[int]]) -> None:
        super().__init__(table)
        self.table, self.groups = table, [tuple(g) for g in groups]
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setStretchLastSection(False)
        header.setResizeContentsPrecision(0)        # measure the rows on screen
        table.viewport().installEventFilter(self)    # (resized once the table laid it out)
        model = table.model()
        model.modelReset.connect(self.fit)
        model.rowsInserted.connect(self._first_rows)

    def needs(self, column: int) -> int:
        """What the column asks: its widest cell on screen or its title."""
        return max(self.table.sizeHintForColumn(column),
                   self.table.horizontalHeader().sectionSizeHint(column))

    def fit(self) -> None:
        table = self.table
        header = table.horizontalHeader()
        room, used, shown = table.viewport().width(), 0, {}
        for group in self.groups:
            needs = {c: self.needs(c) for c in group}
            used += sum(needs.values())
            hide = used > room
            if not hide:
                shown.update(needs)
            for c in group:
                if table.isColumnHidden(c) != hide:
                    table.setColumnHidden(c, hide)
        if shown:
            spare = max(0, room - sum(shown.values()))
            share, rest = divmod(spare, len(shown))
            for i, (c, need) in enumerate(sorted(shown.items())):
                header.resizeSection(c, need + share + (1 if i < rest else 0))

    def _first_rows(self, parent, first: int, last: int) -> None:
        if first == 0 and last + 1 == self.table.model().rowCount():     # it was empty
            self.fit()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False
