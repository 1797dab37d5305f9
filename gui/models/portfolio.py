"""The portfolio as a tree: per asset with its venues below (or per venue with its assets),
every value in the chosen currency, each row's share of the total, and the path of markets its
rate came from.

    Asset    Amount        Price        Value         Share   Path
    SOL      500.000       148.01       74,005.00     22.1%   SOL/USD
      demo   500.000       148.01       74,005.00     22.1%
    XYZ      1,000         not valued   not valued    —       no market leads to USD

An update (a coalesced valuation) emits `dataChanged` for the cells whose text changed; rows are
only rebuilt when an asset or a venue comes or goes. An asset that cannot be valued says so in
its Value cell, with the reason in the tooltip: it is never shown as 0.
"""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

from .. import theme

__all__ = ["PortfolioModel", "COLUMNS", "SORT_ROLE", "money", "amount_text", "rate_text",
           "places_for", "NOT_VALUED"]

COLUMNS = ("Asset", "Amount", "Price", "Value", "Share", "Path")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1          # the raw value (same role as the board's)
_NAME, _AMOUNT, _PRICE, _VALUE, _SHARE, _PATH = range(len(COLUMNS))
_NUMERIC = frozenset({_AMOUNT, _PRICE, _VALUE, _SHARE})
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
NOT_VALUED = "not valued"
_HUNDRED = Decimal(100)
# Currencies whose values read best at cents; anything else (BTC, ETH …) at 8 places.
_CENTS = frozenset({"USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "USDT", "USDC", "DAI",
                    "BUSD", "FDUSD", "TUSD", "KRW", "TRY", "BRL", "INR", "HKD", "SGD"})


def places_for(currency: str) -> int:
    return 2 if currency in _CENTS else 8


def money(value: Decimal | None, currency: str) -> str:
    if value is None:
        return NOT_VALUED
    return f"{value:,.{places_for(currency)}f}"


def amount_text(value: Decimal | None) -> str:
    """An asset amount with every digit it has and no more (1.50000000 → 1.5)."""
    if value is None:
        return ""
    d = value.normalize()
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    return f"{d:,f}"


def rate_text(rate: Decimal | None, currency: str) -> str:
    """A price: cents for fiat above 1, else six significant digits (0.152100, 0.00004931)."""
    if rate is None:
        return NOT_VALUED
    if abs(rate) >= 1:
        return f"{rate:,.{places_for(currency)}f}"
    if not rate:
        return "0"
    digits = max(0, 6 - rate.adjusted() - 1)
    return f"{rate:.{min(digits, 12)}f}"


class PortfolioModel(QAbstractItemModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.by = "asset"                      # or "venue": what the top rows are
        self.valuation = None
        self._groups: list[str] = []
        self._children: dict[str, list[str]] = {}
        self._ids: dict[str, int] = {}         # group → internal id of its children (> 0)
        self._by_id: dict[int, str] = {}
        self._cells: dict[tuple[str, str | None], tuple[list, list]] = {}  # (texts, raws)
        self._tips: dict[tuple[str, str | None], str] = {}
        self._bad: set[tuple[str, str | None]] = set()                    # unvalued rows

    # -- the tree ----------------------------------------------------------------------------
    def columnCount(self, parent=QModelIndex()) -> int:
        return len(COLUMNS)

    def rowCount(self, parent=QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        return len(self._children.get(self._groups[parent.row()], ()))

    def index(self, row: int, column: int, parent=QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, self._ids[self._groups[parent.row()]])

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        group = self._by_id[index.internalId()]
        return self.createIndex(self._groups.index(group), 0, 0)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            name = COLUMNS[section]
            if section == _NAME and self.by == "venue":
                return "Venue"
            if section in (_PRICE, _VALUE) and self.valuation is not None:
                return f"{name} ({self.valuation.currency})"
            return name
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if section in _NUMERIC else _LEFT
        if role == Qt.ItemDataRole.ToolTipRole and section == _PATH:
            return ("The markets the rate went through, from the asset to the currency "
                    "(mid of bid and ask, else the last price; the median across venues)")
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def key(self, index: QModelIndex) -> tuple[str, str | None] | None:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            if index.row() >= len(self._groups):
                return None
            return self._groups[index.row()], None
        group = self._by_id.get(index.internalId())
        kids = self._children.get(group, [])
        if group is None or index.row() >= len(kids):
            return None
        return group, kids[index.row()]

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        key = self.key(index)
        if key is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[key][0][col]
        if role == SORT_ROLE:
            return self._cells[key][1][col]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if col in _NUMERIC else _LEFT
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tips.get(key)
        if role == Qt.ItemDataRole.ForegroundRole and key in self._bad and col in (_PRICE,
                                                                                  _VALUE):
            return theme.down_color()
        if role == Qt.ItemDataRole.ForegroundRole and col == _PATH:
            return theme.muted_color()
        return None

    # -- updates -----------------------------------------------------------------------------
    def set_grouping(self, by: str) -> None:
        if by != self.by:
            self.by = by
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
            if self.valuation is not None:
                self.set_valuation(self.valuation)

    def set_valuation(self, v) -> None:
        self.valuation = v
        groups, children, cells, tips, bad = self._build(v)
        if groups == self._groups and children == self._children:
            old = self._cells
            self._cells, self._tips, self._bad = cells, tips, bad
            for r, g in enumerate(groups):
                self._announce(old, (g, None), r, 0)
                for cr, c in enumerate(children[g]):
                    self._announce(old, (g, c), cr, self._ids[g])
            return
        self.beginResetModel()
        self._groups, self._children = groups, children
        self._ids = {g: i + 1 for i, g in enumerate(groups)}
        self._by_id = {i: g for g, i in self._ids.items()}
        self._cells, self._tips, self._bad = cells, tips, bad
        self.endResetModel()

    def _announce(self, old, key, row: int, parent_id: int) -> None:
        before = old.get(key)
        now = self._cells[key][0]
        if before is None:
            return
        changed = [c for c in range(len(COLUMNS)) if before[0][c] != now[c]]
        if changed:
            self.dataChanged.emit(self.createIndex(row, changed[0], parent_id),
                                  self.createIndex(row, changed[-1], parent_id),
                                  [Qt.ItemDataRole.DisplayRole])

    def _build(self, v):
        cur = v.currency
        total = v.total
        cells, tips, bad = {}, {}, set()

        def share(value):
            if value is None or not total:
                return "—", None
            s = value * _HUNDRED / total
            return f"{s:.1f}%", s

        def path(asset):
            if asset in v.unvalued:
                return v.reasons.get(asset, "")
            p = v.paths.get(asset, [])
            return " › ".join(p) if p else "—"

        def path_tip(asset):
            p = v.paths.get(asset)
            if asset in v.unvalued:
                return f"{asset} cannot be valued in {cur}: {v.reasons.get(asset, '')}"
            if not p:
                return f"{asset} is the valuation currency"
            legs = "; ".join(f"{s} from {', '.join(v.sources.get(s, []))}" for s in p)
            via = "directly" if len(p) == 1 else f"through {len(p) - 1} bridge asset(s)"
            return f"1 {asset} = {v.rates[asset]:f} {cur}, {via}: {legs}"

        def row(name, amount, rate, value, asset):
            s_text, s_raw = share(value)
            texts = [name, amount_text(amount), rate_text(rate, cur) if rate is not None
                     or asset in v.unvalued else "", money(value, cur), s_text,
                     path(asset) if asset else ""]
            raws = [name, amount, rate, value, s_raw, texts[_PATH]]
            return texts, raws

        if self.by == "asset":
            assets = sorted(v.amounts)
            groups = assets
            children = {a: sorted(venue for venue, held in v.by_venue.items() if a in held)
                        for a in assets}
            for a in assets:
                unvalued = a in v.unvalued
                cells[(a, None)] = row(a, v.amounts[a], v.rates.get(a), v.by_asset.get(a), a)
                tips[(a, None)] = path_tip(a)
                if unvalued:
                    bad.add((a, None))
                for venue in children[a]:
                    amount = _held(v, venue, a)
                    cells[(a, venue)] = row(venue, amount, v.rates.get(a),
                                            v.by_venue[venue][a], None)
                    cells[(a, venue)][0][_PATH] = ""
                    if unvalued:
                        bad.add((a, venue))
        else:
            venues = sorted(v.by_venue)
            groups = venues
            children = {venue: sorted(v.by_venue[venue]) for venue in venues}
            for venue in venues:
                n_bad = sum(1 for a in children[venue] if a in v.unvalued)
                texts, raws = row(venue, None, None, v.venue_totals.get(venue), None)
                note = f"{len(children[venue])} assets" + (f", {n_bad} not valued" if n_bad
                                                           else "")
                texts[_PATH] = raws[_PATH] = note
                cells[(venue, None)] = (texts, raws)
                if n_bad:
                    tips[(venue, None)] = (f"The total leaves out what cannot be valued in "
                                           f"{cur}: " + ", ".join(a for a in children[venue]
                                                                  if a in v.unvalued))
                for a in children[venue]:
                    cells[(venue, a)] = row(a, _held(v, venue, a), v.rates.get(a),
                                            v.by_venue[venue][a], a)
                    tips[(venue, a)] = path_tip(a)
                    if a in v.unvalued:
                        bad.add((venue, a))
        return groups, children, cells, tips, bad


def _held(v, venue: str, asset: str) -> Decimal | None:
    return v.venue_amounts.get(venue, {}).get(asset)
