"""The trades tape: newest trade first, capped; rows are inserted at the top in one block."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from .. import format as fmt
from .. import theme

__all__ = ["TradesModel", "COLUMNS"]

COLUMNS = ("Time", "Price", "Size", "Side")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class TradesModel(QAbstractTableModel):
    def __init__(self, parent=None, cap: int = 300) -> None:
        super().__init__(parent)
        self.cap = cap
        self._rows: list[tuple[str, str, str, str]] = []
        self.price_increment = None
        self.amount_increment = None

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.parent().isValid():
            return None
        r, c = index.row(), index.column()
        if not (0 <= r < len(self._rows) and 0 <= c < len(COLUMNS)):
            return None
        row = self._rows[r]
        if role == Qt.ItemDataRole.DisplayRole:
            return row[c]
        if role == Qt.ItemDataRole.TextAlignmentRole and c in (1, 2):
            return int(_RIGHT)
        if role == Qt.ItemDataRole.ForegroundRole and c in (1, 3):
            if row[3] == "buy":
                return theme.up_color()
            if row[3] == "sell":
                return theme.down_color()
        return None

    def clear(self, market=None) -> None:
        self.beginResetModel()
        self._rows = []
        self.price_increment = market.price_increment if market else None
        self.amount_increment = market.amount_increment if market else None
        self.endResetModel()

    def add(self, trades) -> None:
        """Insert `trades` (oldest first) at the top, newest first, dropping the oldest rows."""
        fresh = [(fmt.clock(t.timestamp), fmt.price(t.price, self.price_increment),
                  fmt.amount(t.amount, self.amount_increment), t.side or "")
                 for t in reversed(trades[-self.cap:])]
        if not fresh:
            return
        self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
        self._rows[:0] = fresh
        self.endInsertRows()
        if len(self._rows) > self.cap:
            self.beginRemoveRows(QModelIndex(), self.cap, len(self._rows) - 1)
            del self._rows[self.cap:]
            self.endRemoveRows()
