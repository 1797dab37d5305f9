"""The trades tape: newest trade first, capped; rows are inserted at the top in one block."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from .. import format as fmt
from .. import theme
from .table import TableModel

__all__ = ["TradesModel", "COLUMNS"]

COLUMNS = ("Time", "Price", "Size", "Side")


class TradesModel(TableModel):
    COLUMNS = COLUMNS
    NUMERIC = frozenset({1, 2})
    SELECTABLE = False

    def __init__(self, parent=None, cap: int = 300) -> None:
        super().__init__(parent)
        self.cap = cap
        self._rows: list[tuple[str, str, str, str]] = []
        self._values: list[tuple] = []           # (price, amount) Decimals of each row
        self.price_increment = None
        self.amount_increment = None

    def row_count(self) -> int:
        return len(self._rows)

    def cell(self, r: int, c: int, role):
        row = self._rows[r]
        if role == Qt.ItemDataRole.DisplayRole:
            return row[c]
        if role == Qt.ItemDataRole.ForegroundRole and c in (1, 3):
            if row[3] == "buy":
                return theme.up_color()
            if row[3] == "sell":
                return theme.down_color()
        return None

    def clear(self, market=None) -> None:
        self.beginResetModel()
        self._rows, self._values = [], []
        self.price_increment = market.price_increment if market else None
        self.amount_increment = market.amount_increment if market else None
        self.endResetModel()

    def add(self, trades) -> None:
        """Insert `trades` (oldest first) at the top, newest first, dropping the oldest rows."""
        newest = list(reversed(trades[-self.cap:]))
        fresh = [(fmt.clock(t.timestamp), fmt.price(t.price, self.price_increment),
                  fmt.amount(t.amount, self.amount_increment), t.side or "") for t in newest]
        if not fresh:
            return
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self._rows[:0] = fresh
        self._values[:0] = [(t.price, t.amount) for t in newest]
        self.endInsertRows()
        if len(self._rows) > self.cap:
            self.beginRemoveRows(QModelIndex(), self.cap, len(self._rows) - 1)
            del self._rows[self.cap:]
            del self._values[self.cap:]
            self.endRemoveRows()

    def value_at(self, row: int, column: int):
        """("price" | "amount", Decimal) behind a price or size cell, else None."""
        if 0 <= row < len(self._values) and column in (1, 2):
            return ("price", "amount")[column - 1], self._values[row][column - 1]
        return None
