"""The watchlist table: symbol@venue, last price, alert rules, the last alert; one row per item.

Ticks update only the Last cell of the rows they concern (one `dataChanged` per row); an alert
also updates that row's "Last alert" cell and is emitted as `alert(text)`.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QModelIndex, Qt, Signal

from .. import format as fmt
from .table import TableModel
from ..watchlist import Item, Rule

__all__ = ["WatchlistModel", "COLUMNS", "SORT_ROLE"]

COLUMNS = ("Symbol@Venue", "Last", "Alerts", "Last alert")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
_LAST, _RULES, _FIRED = 1, 2, 3


class WatchlistModel(TableModel):
    COLUMNS = COLUMNS
    NUMERIC = frozenset({_LAST})

    alert = Signal(str)
    changed = Signal()                  # the list or its rules changed: save

    def __init__(self, items: list[Item] | None = None, parent=None, *, clock=time.monotonic
                 ) -> None:
        super().__init__(parent)
        self.items: list[Item] = list(items or [])
        self._rows = {it.key: i for i, it in enumerate(self.items)}
        self._fired: dict[tuple[str, str], str] = {}
        self.markets: dict[str, dict] = {}
        self.clock = clock

    def row_count(self) -> int:
        return len(self.items)

    def cell(self, row: int, col: int, role):
        it = self.items[row]
        if role == SORT_ROLE:
            return (it.label, it.last, len(it.rules), self._fired.get(it.key, ""))[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == _FIRED:
            return self._fired.get(it.key) or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return it.label
        if col == _LAST:
            market = self.markets.get(it.venue, {}).get(it.symbol)
            return fmt.price(it.last, market.price_increment if market else None) \
                if it.last is not None else "—"
        if col == _RULES:
            return " · ".join(r.describe() for r in it.rules)
        return self._fired.get(it.key, "")

    # -- editing --------------------------------------------------------------------------------------
    def add(self, venue: str, symbol: str) -> int:
        key = (venue, symbol)
        if key in self._rows:
            return self._rows[key]
        row = len(self.items)
        self.beginInsertRows(QModelIndex(), row, row)
        self.items.append(Item(venue, symbol))
        self._rows[key] = row
        self.endInsertRows()
        self.changed.emit()
        return row

    def remove(self, row: int) -> None:
        if not 0 <= row < len(self.items):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        it = self.items.pop(row)
        self._fired.pop(it.key, None)
        self._rows = {x.key: i for i, x in enumerate(self.items)}
        self.endRemoveRows()
        self.changed.emit()

    def add_rule(self, row: int, rule: Rule) -> None:
        self.items[row].rules.append(rule)
        ix = self.index(row, _RULES)
        self.dataChanged.emit(ix, ix, [Qt.ItemDataRole.DisplayRole])
        self.changed.emit()

    def clear_rules(self, row: int) -> None:
        self.items[row].rules.clear()
        ix = self.index(row, _RULES)
        self.dataChanged.emit(ix, ix, [Qt.ItemDataRole.DisplayRole])
        self.changed.emit()

    # -- prices ----------------------------------------------------------------------------------------
    def on_tickers(self, batch: dict) -> None:
        now = self.clock()
        for key, ticker in batch.items():
            row = self._rows.get(key)
            if row is None or ticker.last is None:
                continue
            it = self.items[row]
            same = it.last is not None and str(it.last) == str(ticker.last)
            fired = it.observe(ticker.last, now)
            if fired:
                stamp = time.strftime("%H:%M:%S")
                self._fired[key] = f"{stamp} {fired[-1]}"
                self.dataChanged.emit(self.index(row, _LAST), self.index(row, _FIRED),
                                      [Qt.ItemDataRole.DisplayRole])
                for text in fired:
                    self.alert.emit(text)
            elif not same:
                ix = self.index(row, _LAST)
                self.dataChanged.emit(ix, ix, [Qt.ItemDataRole.DisplayRole])
