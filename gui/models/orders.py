"""Open orders of every trading venue, one row per order, updated cell by cell.

`set_orders(venue, orders)` replaces one venue's open orders: rows that are gone are removed,
changed cells get one `dataChanged` per row, new orders are appended. An order whose reply was
lost stays as a row with status "unknown — checking" (keyed by its client id) until the venue
knows it (`resolve`).
"""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from .. import format as fmt
from .table import TableModel

__all__ = ["OrdersModel", "COLUMNS", "ORDER_ROLE", "SORT_ROLE"]

COLUMNS = ("Venue", "Symbol", "Side", "Type", "Price", "Amount", "Filled", "Status", "Time",
           "Client id")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ORDER_ROLE = Qt.ItemDataRole.UserRole + 4     # (venue, Order) of the row
_PRICE, _AMOUNT, _FILLED = 4, 5, 6
_NUMERIC = frozenset({_PRICE, _AMOUNT, _FILLED})


def _key(venue: str, order) -> tuple[str, str]:
    return (venue, order.id) if order.id else (venue, f"cid:{order.client_order_id}")


class OrdersModel(TableModel):
    COLUMNS = COLUMNS
    NUMERIC = _NUMERIC

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, object]] = []       # (venue, Order)
        self._index: dict[tuple[str, str], int] = {}
        self.markets: dict[str, dict] = {}              # venue → {symbol: Market}

    def row_count(self) -> int:
        return len(self._rows)

    def _raw(self, venue: str, o, col: int):
        return (venue, o.symbol, o.side, o.type, o.price, o.amount, o.filled, o.status,
                o.timestamp, o.client_order_id)[col]

    def _text(self, venue: str, o, col: int) -> str:
        market = self.markets.get(venue, {}).get(o.symbol)
        if col == _PRICE:
            return fmt.price(o.price, market.price_increment if market else None) \
                if o.price is not None else "market"
        if col in (_AMOUNT, _FILLED):
            return fmt.amount(self._raw(venue, o, col), market.amount_increment if market
                              else None)
        if col == 8:
            return fmt.clock(o.timestamp)
        value = self._raw(venue, o, col)
        return "" if value is None else str(value)

    def cell(self, row: int, col: int, role):
        venue, o = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(venue, o, col)
        if role == SORT_ROLE:
            return self._raw(venue, o, col)
        if role == ORDER_ROLE:
            return venue, o
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            from .. import theme
            return theme.up_color() if o.side == "buy" else theme.down_color()
        if role == Qt.ItemDataRole.ToolTipRole and col == 7 and o.status != "open":
            return "The venue has not confirmed this order yet; it is being looked up by its " \
                   "client id. Do not send it again."
        return None

    def orders(self) -> list[tuple[str, object]]:
        return list(self._rows)

    # -- writing ------------------------------------------------------------------------------------
    def set_orders(self, venue: str, orders: list) -> None:
        fresh = {_key(venue, o): o for o in orders}
        known_cids = {o.client_order_id for o in orders if o.client_order_id}
        for row in range(len(self._rows) - 1, -1, -1):
            v, o = self._rows[row]
            if v != venue:
                continue
            unknown = not o.id
            if (unknown and o.client_order_id in known_cids) or \
                    (not unknown and _key(v, o) not in fresh):
                self._remove(row)
        for key, o in fresh.items():
            row = self._index.get(key)
            if row is None:
                self._append(venue, o)
                continue
            old = self._rows[row][1]
            changed = [c for c in range(len(COLUMNS))
                       if self._raw(venue, old, c) != self._raw(venue, o, c)]
            self._rows[row] = (venue, o)
            if changed:
                self.dataChanged.emit(self.index(row, changed[0]), self.index(row, changed[-1]),
                                      [Qt.ItemDataRole.DisplayRole])

    def add_unknown(self, venue: str, order) -> None:
        """A sent order whose fate is not known yet (its `id` is empty)."""
        if _key(venue, order) not in self._index:
            self._append(venue, order)

    def resolve(self, venue: str, client_order_id: str, order) -> None:
        """The venue answered about a lost order: show what it said (open) or drop the row."""
        row = self._index.get((venue, f"cid:{client_order_id}"))
        if row is not None:
            self._remove(row)
        if order is not None and order.status == "open":
            self.set_orders(venue, [o for v, o in self._rows if v == venue] + [order])

    def _append(self, venue: str, order) -> None:
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append((venue, order))
        self._index[_key(venue, order)] = row
        self.endInsertRows()

    def _remove(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        venue, order = self._rows.pop(row)
        self._index = {_key(v, o): i for i, (v, o) in enumerate(self._rows)}
        self.endRemoveRows()
