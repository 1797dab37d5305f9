"""The watchlist table: symbol@venue, last price, alert rules, the last alert; one row per item.

Ticks update only the Last cell of the rows they concern (one `dataChanged` per row); an alert
also updates that row's "Last alert" cell, highlights the row until the user selects it, and is
emitted as `alert(text)`. A cross-venue item (venue ANY) takes the ticks of every venue listing
its pair; its Last cell shows how many venues quote it, and the widest spread after fees when it
has a spread rule.
"""
from __future__ import annotations

import time
from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from .. import format as fmt
from .. import theme
from .table import TableModel
from ..watchlist import ANY, Item, Rule, matches

__all__ = ["WatchlistModel", "COLUMNS", "SORT_ROLE", "FIRED_ROLE", "ANY"]

COLUMNS = ("Symbol@Venue", "Last", "Alerts", "Last alert")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
FIRED_ROLE = Qt.ItemDataRole.UserRole + 2      # True while the row's alert is unacknowledged
_LAST, _RULES, _FIRED = 1, 2, 3


def fired_color() -> QColor:
    return QColor("#6b4f00" if theme.is_dark() else "#ffe08a")


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
        self._unseen: set[tuple[str, str]] = set()   # fired, not yet looked at
        self._cross_rows: dict[str, list[int]] = {}  # a venue's symbol → cross-venue rows
        self.markets: dict[str, dict] = {}
        self.clock = clock
        self.fee_of = lambda venue: Decimal(0)       # taker fee per venue, for spreads

    def row_count(self) -> int:
        return len(self.items)

    def cell(self, row: int, col: int, role):
        it = self.items[row]
        if role == SORT_ROLE:
            return (it.label, it.last, len(it.rules), self._fired.get(it.key, ""))[col]
        if role == FIRED_ROLE:
            return it.key in self._unseen
        if role == Qt.ItemDataRole.BackgroundRole and it.key in self._unseen:
            return fired_color()
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == _FIRED:
                return self._fired.get(it.key) or None
            if col == _RULES:
                return "\n".join(r.describe() for r in it.rules) or None
            if col == 0 and it.cross:
                return f"{it.symbol} on every venue that lists it ({', '.join(it.quotes)})"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return it.label
        if col == _LAST:
            return self._last_text(it)
        if col == _RULES:
            return " · ".join(r.describe() for r in it.rules)
        return self._fired.get(it.key, "")

    def _last_text(self, it: Item) -> str:
        if it.cross:
            n = len(it.quotes)
            if it.edge is not None:
                return f"{it.edge:+.1f} bp"
            return f"{n} venue{'s' if n != 1 else ''}" if n else "—"
        market = self.markets.get(it.venue, {}).get(it.symbol)
        return fmt.price(it.last, market.price_increment if market else None) \
            if it.last is not None else "—"

    # -- editing --------------------------------------------------------------------------------------
    def add(self, venue: str, symbol: str) -> int:
        key = (venue, symbol)
        if key in self._rows:
            return self._rows[key]
        row = len(self.items)
        self.beginInsertRows(QModelIndex(), row, row)
        self.items.append(Item(venue, symbol))
        self._rows[key] = row
        self._cross_rows.clear()
        self.endInsertRows()
        self.changed.emit()
        return row

    def remove(self, row: int) -> None:
        if not 0 <= row < len(self.items):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        it = self.items.pop(row)
        self._fired.pop(it.key, None)
        self._unseen.discard(it.key)
        self._rows = {x.key: i for i, x in enumerate(self.items)}
        self._cross_rows.clear()
        self.endRemoveRows()
        self.changed.emit()

    def add_rule(self, row: int, rule: Rule) -> None:
        self.items[row].rules.append(rule)
        self._row_changed(row, _LAST, _RULES)
        self.changed.emit()

    def clear_rules(self, row: int) -> None:
        self.items[row].rules.clear()
        self._row_changed(row, _LAST, _RULES)
        self.changed.emit()

    def rearm(self, row: int) -> int:
        """Arm every rule of `row` again (a "once" rule that fired included); how many."""
        n = 0
        for rule in self.items[row].rules:
            if not rule.armed:
                rule.armed, rule.watch = True, None
                n += 1
        self._row_changed(row, _RULES, _RULES)
        return n

    def acknowledge(self, row: int) -> None:
        """The user has seen the row's alert: stop highlighting it."""
        if 0 <= row < len(self.items) and self.items[row].key in self._unseen:
            self._unseen.discard(self.items[row].key)
            self._row_changed(row, 0, len(COLUMNS) - 1)

    def _row_changed(self, row: int, first: int, last: int) -> None:
        self.dataChanged.emit(self.index(row, first), self.index(row, last))

    # -- prices ----------------------------------------------------------------------------------------
    def _cross_index(self, symbol: str) -> list[int]:
        rows = self._cross_rows.get(symbol)
        if rows is None:
            rows = self._cross_rows[symbol] = [
                r for r, it in enumerate(self.items) if it.cross and matches(it.symbol, symbol)]
        return rows

    def on_tickers(self, batch: dict) -> None:
        now = self.clock()
        touched: dict[int, list[str]] = {}
        for key, ticker in batch.items():
            row = self._rows.get(key)
            if row is not None and ticker.last is not None:
                it = self.items[row]
                same = it.last is not None and str(it.last) == str(ticker.last)
                fired = it.observe(ticker.last, now)
                if fired or not same:
                    touched.setdefault(row, []).extend(fired)
            for row in self._cross_index(key[1]):
                fired = self.items[row].observe_venue(key[0], ticker, now, self.fee_of)
                touched.setdefault(row, []).extend(fired)
        for row, fired in touched.items():
            if not fired:
                self._row_changed(row, _LAST, _LAST)
                continue
            it = self.items[row]
            stamp = time.strftime("%H:%M:%S")
            self._fired[it.key] = f"{stamp} {fired[-1]}"
            self._unseen.add(it.key)
            self._row_changed(row, 0, _FIRED)
            for text in fired:
                self.alert.emit(text)

