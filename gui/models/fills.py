"""The ledger's fills and orders as tables, read from SQLite as they are shown.

`FillsModel` holds one page of rows at a time in memory: the first `batch` rows of the current
filter and sort, and more as the view scrolls (`canFetchMore`/`fetchMore`), so a ledger of a
million fills opens as fast as one of ten. Sorting a column is an ORDER BY in the ledger.
`LedgerOrdersModel` lists the orders, each with every state it passed through in its tooltip.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

from PySide6.QtCore import QModelIndex, Qt

from .. import theme
from ..ledger.store import FillFilter, Ledger
from .portfolio import amount_text
from .table import TableModel

__all__ = ["FillsModel", "LedgerOrdersModel", "FILL_COLUMNS", "ORDER_COLUMNS", "local_time",
           "digits"]

FILL_COLUMNS = ("Time", "Venue", "Pair", "Side", "Amount", "Price", "Fee", "Fee ccy",
                "Role", "Order id", "Fill id", "Source")
_SORT_KEYS = ("timestamp", "venue", "symbol", "side", "amount", "price", "fee", "fee_currency",
              None, "order_id", "fill_id", "source")
ORDER_COLUMNS = ("Created", "Venue", "Pair", "Side", "Type", "Price", "Amount", "Filled",
                 "Status", "Order id", "Client id")


def local_time(ms: int | None) -> str:
    """Milliseconds since the epoch → local 'YYYY-MM-DD HH:MM:SS'."""
    if ms is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000))


def digits(value) -> str:
    """A stored Decimal with exactly the digits the venue gave (155.20 stays 155.20)."""
    return "" if value is None else f"{value:,f}"


def _utc(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")


class FillsModel(TableModel):
    COLUMNS = FILL_COLUMNS
    NUMERIC = frozenset({4, 5, 6})

    def __init__(self, ledger: Ledger, parent=None, batch: int = 500) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.batch = batch
        self.filter = FillFilter()
        self.order = "timestamp"
        self.descending = True              # newest first
        self.total = 0
        self._rows: list = []

    def row_count(self) -> int:
        return len(self._rows)

    def cell(self, r: int, c: int, role):
        f = self._rows[r]
        if role == Qt.ItemDataRole.DisplayRole:
            return (local_time(f.timestamp), f.venue, f.symbol, f.side, digits(f.amount),
                    digits(f.price), digits(f.fee), f.fee_currency or "",
                    f.taker_or_maker or "", f.order_id or "", f.fill_id, f.source)[c]
        if role == Qt.ItemDataRole.ForegroundRole and c == 3:
            return theme.up_color() if f.side == "buy" else theme.down_color()
        if role == Qt.ItemDataRole.ToolTipRole and c == 0:
            return f"{_utc(f.timestamp)} (UTC)"
        return None

    def set_filter(self, flt: FillFilter) -> None:
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        """Read the first page again (after a filter, a sort, or new fills)."""
        self.beginResetModel()
        self.total = self.ledger.count_fills(self.filter)
        self._rows = self.ledger.fills(self.filter, order=self.order,
                                       descending=self.descending, limit=self.batch)
        self.endResetModel()

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and len(self._rows) < self.total

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid():
            return
        more = self.ledger.fills(self.filter, order=self.order, descending=self.descending,
                                 limit=self.batch, offset=len(self._rows))
        if not more:
            self.total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self._rows.extend(more)
        self.endInsertRows()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        key = _SORT_KEYS[column] if 0 <= column < len(_SORT_KEYS) else None
        if key is None:
            return
        self.order = key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def fill(self, row: int):
        return self._rows[row]


class LedgerOrdersModel(TableModel):
    COLUMNS = ORDER_COLUMNS
    NUMERIC = frozenset({5, 6, 7})

    def __init__(self, ledger: Ledger, parent=None, limit: int = 5000) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.limit = limit
        self.filter = FillFilter()
        self._rows: list = []

    def row_count(self) -> int:
        return len(self._rows)

    def cell(self, r: int, c: int, role):
        o = self._rows[r]
        if role == Qt.ItemDataRole.DisplayRole:
            price = digits(o.price) if o.price is not None else "market"
            return (local_time(o.created), o.venue, o.symbol, o.side, o.type, price,
                    digits(o.amount), amount_text(o.filled), o.status, o.order_id or "",
                    o.client_order_id or "")[c]
        if role == Qt.ItemDataRole.ForegroundRole and c == 3:
            return theme.up_color() if o.side == "buy" else theme.down_color()
        if role == Qt.ItemDataRole.ToolTipRole and c == 8:
            states = self.ledger.order_states(o.ref)
            return "\n".join(f"{local_time(ts)}  {status}  filled {amount_text(filled)}"
                             for ts, status, filled in states)
        return None

    def set_filter(self, flt: FillFilter) -> None:
        self.filter = flt
        self.reload()

    def reload(self) -> None:
        f = self.filter
        rows = [o for o in self.ledger.orders(f.venue, limit=self.limit)
                if (not f.symbol or o.symbol == f.symbol) and (not f.side or o.side == f.side)
                and (f.since is None or o.created >= f.since)
                and (f.until is None or o.created < f.until)]
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()
