"""Balances as a tree: one row per currency consolidated across venues, its venues below.

    Asset        Free          Used        Total
    BTC      1.99000000    0.01000000   2.00000000      (sum over venues)
      demo   1.99000000    0.01000000   2.00000000
      kraken …

Values are shown at their asset's places (those of its markets' increments: USD 2, BTC 5),
cut, never rounded up, with the exact value in the tooltip where digits are hidden; an asset
no market tells about shows every digit it has, padded to the most places any of its values has,
so the points line up within a currency. An update emits
`dataChanged` for the cells that changed (the currency row and the venue row), inserts and
removes rows one by one, and never resets the model.
"""
from __future__ import annotations

import bisect
from decimal import Decimal

from .. import format as fmt

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

__all__ = ["BalanceModel", "COLUMNS", "SORT_ROLE"]

COLUMNS = ("Asset", "Free", "Used", "Total")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ZERO = Decimal(0)
_MAX_PLACES = 18


def _places(d: Decimal) -> int:
    exp = d.normalize().as_tuple().exponent
    return min(_MAX_PLACES, max(0, -exp)) if isinstance(exp, int) else 0


def _triple(b) -> tuple[Decimal, Decimal, Decimal]:
    return (b.free, b.used, b.total)


class BalanceModel(QAbstractItemModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._currencies: list[str] = []                 # sorted, the top-level rows
        self._ids: dict[str, int] = {}                    # currency → stable internal id (> 0)
        self._by_id: dict[int, str] = {}
        self._venues: dict[str, list[str]] = {}           # currency → sorted venue rows
        self._values: dict[tuple[str, str], tuple] = {}   # (currency, venue) → (free, used, total)
        self._places: dict[str, int] = {}
        self.asset_places: dict[str, int] = {}            # currency → its markets' places

    # -- reading ---------------------------------------------------------------------------------
    def columnCount(self, parent=QModelIndex()) -> int:
        return len(COLUMNS)

    def rowCount(self, parent=QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._currencies)
        if parent.column() != 0 or parent.internalId() != 0:
            return 0
        return len(self._venues[self._currencies[parent.row()]])

    def index(self, row: int, column: int, parent=QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, self._ids[self._currencies[parent.row()]])

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        currency = self._by_id[index.internalId()]
        return self.createIndex(self._currencies.index(currency), 0, 0)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _LEFT if section == 0 else _RIGHT
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def _locate(self, index: QModelIndex) -> tuple[str, str | None] | None:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            if index.row() >= len(self._currencies):
                return None
            return self._currencies[index.row()], None
        currency = self._by_id.get(index.internalId())
        venues = self._venues.get(currency, [])
        if currency is None or index.row() >= len(venues):
            return None
        return currency, venues[index.row()]

    def values(self, currency: str, venue: str | None = None) -> tuple | None:
        """(free, used, total) of one venue, or summed over venues when `venue` is None."""
        if venue is not None:
            return self._values.get((currency, venue))
        rows = [self._values[(currency, v)] for v in self._venues.get(currency, [])]
        if not rows:
            return None
        return tuple(sum((r[i] for r in rows), _ZERO) for i in range(3))

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        where = self._locate(index)
        if where is None:
            return None
        currency, venue = where
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT if col == 0 else _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and venue is None and col == 0:
            return f"{currency} on {len(self._venues[currency])} venue(s)"
        if role not in (Qt.ItemDataRole.DisplayRole, SORT_ROLE, Qt.ItemDataRole.ToolTipRole):
            return None
        if col == 0:
            return None if role == Qt.ItemDataRole.ToolTipRole else (
                venue if venue is not None else currency)
        value = self.values(currency, venue)[col - 1]
        if role == SORT_ROLE:
            return value
        digits = self.asset_places.get(currency)
        shown = fmt.balance(value, digits) if digits is not None else \
            fmt.number(value, self._places[currency])
        if role == Qt.ItemDataRole.ToolTipRole:        # the digits the asset's places hide
            exact = fmt.balance(value, None)
            return f"exactly {exact} {currency}" if _places(value) > (digits or 0) and \
                digits is not None else None
        return shown

    def set_asset_places(self, places: dict[str, int]) -> None:
        """Show each currency at these places (from its markets' increments)."""
        merged = {**self.asset_places, **places}
        if merged == self.asset_places:
            return
        self.asset_places = merged
        for top, currency in enumerate(self._currencies):
            self.dataChanged.emit(self.createIndex(top, 1, 0), self.createIndex(top, 3, 0),
                                  [Qt.ItemDataRole.DisplayRole])
            n = len(self._venues[currency])
            if n:
                cid = self._ids[currency]
                self.dataChanged.emit(self.createIndex(0, 1, cid),
                                      self.createIndex(n - 1, 3, cid),
                                      [Qt.ItemDataRole.DisplayRole])

    # -- writing ----------------------------------------------------------------------------------
    def set_balances(self, venue: str, balances: dict) -> None:
        """Replace `venue`'s balances (zero balances are left out)."""
        new = {cur: _triple(b) for cur, b in balances.items() if b.total or b.used or b.free}
        for currency in [c for c in self._currencies if venue in self._venues[c]
                         and c not in new]:
            self._remove(currency, venue)
        for currency in sorted(new):
            self._put(currency, venue, new[currency])

    def remove_venue(self, venue: str) -> None:
        self.set_balances(venue, {})

    def _top(self, currency: str, first: int = 1, last: int = 3) -> tuple[QModelIndex, QModelIndex]:
        row = self._currencies.index(currency)
        return self.createIndex(row, first, 0), self.createIndex(row, last, 0)

    def _put(self, currency: str, venue: str, triple: tuple) -> None:
        if currency not in self._ids:
            self._ids[currency] = len(self._ids) + 1
            self._by_id[self._ids[currency]] = currency
        if currency not in self._venues:
            pos = bisect.bisect(self._currencies, currency)
            self.beginInsertRows(QModelIndex(), pos, pos)
            self._currencies.insert(pos, currency)
            self._venues[currency] = []
            self._places[currency] = 0
            self.endInsertRows()
        venues = self._venues[currency]
        parent = self.createIndex(self._currencies.index(currency), 0, 0)
        old = self._values.get((currency, venue))
        if old is not None and tuple(map(str, old)) == tuple(map(str, triple)):
            return          # same digits: nothing to announce
        if venue not in venues:
            pos = bisect.bisect(venues, venue)
            self.beginInsertRows(parent, pos, pos)
            venues.insert(pos, venue)
            self._values[(currency, venue)] = triple
            self.endInsertRows()
        else:
            self._values[(currency, venue)] = triple
        if self._refresh_places(currency):
            return
        if old is not None:
            row = venues.index(venue)
            cid = self._ids[currency]
            cols = [i for i in range(3) if str(old[i]) != str(triple[i])]
            self.dataChanged.emit(self.createIndex(row, cols[0] + 1, cid),
                                  self.createIndex(row, cols[-1] + 1, cid),
                                  [Qt.ItemDataRole.DisplayRole])
        self.dataChanged.emit(*self._top(currency), [Qt.ItemDataRole.DisplayRole])

    def _remove(self, currency: str, venue: str) -> None:
        venues = self._venues[currency]
        row = venues.index(venue)
        if len(venues) == 1:      # the currency goes with its last venue
            top = self._currencies.index(currency)
            self.beginRemoveRows(QModelIndex(), top, top)
            self._currencies.pop(top)
            del self._venues[currency]
            del self._places[currency]
            del self._values[(currency, venue)]
            self.endRemoveRows()
            return
        self.beginRemoveRows(self.createIndex(self._currencies.index(currency), 0, 0), row, row)
        venues.pop(row)
        del self._values[(currency, venue)]
        self.endRemoveRows()
        if not self._refresh_places(currency):
            self.dataChanged.emit(*self._top(currency), [Qt.ItemDataRole.DisplayRole])

    def _refresh_places(self, currency: str) -> bool:
        """Recompute the currency's decimal places; if they changed, every one of its cells
        is re-announced (True)."""
        places = max((_places(v) for venue in self._venues[currency]
                      for v in self._values[(currency, venue)]), default=0)
        if places == self._places[currency]:
            return False
        self._places[currency] = places
        top = self._currencies.index(currency)
        self.dataChanged.emit(self.createIndex(top, 1, 0), self.createIndex(top, 3, 0),
                              [Qt.ItemDataRole.DisplayRole])
        n = len(self._venues[currency])
        if n:
            cid = self._ids[currency]
            self.dataChanged.emit(self.createIndex(0, 1, cid), self.createIndex(n - 1, 3, cid),
                                  [Qt.ItemDataRole.DisplayRole])
        return True
