"""Sort/filter proxy for tables whose models give raw Decimal values in SORT_ROLE."""
from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt

from .tickers import SORT_ROLE

__all__ = ["ValueSortProxy"]


class ValueSortProxy(QSortFilterProxyModel):
    """Sorts by the raw value (Decimal compares exactly; empty cells sort last) and filters
    case-insensitively on any column's text."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)

    def lessThan(self, left, right) -> bool:
        a = left.data(SORT_ROLE)
        b = right.data(SORT_ROLE)
        if a is None or b is None:
            return a is not None and b is None   # values before blanks (ascending)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)
