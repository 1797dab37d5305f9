"""The order book ladder: bids and asks side by side, with cumulative size and the spread.

Each row i holds the i-th best bid and ask. A new book replaces the levels; only the block of
rows whose text changed is signalled, and the row count changes through insert/remove rows.
A level where the trader has an open order of their own is tinted, with the order in its tooltip;
`value_at` gives the Decimal behind a cell (a click puts it in the order form).
"""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from .. import format as fmt
from .. import theme
from .table import CENTER, RIGHT, TableModel, TextLengths

__all__ = ["BookModel", "COLUMNS", "DEPTH_ROLE", "OWN_ROLE"]

COLUMNS = ("Total", "Size", "Bid", "Ask", "Size", "Total")
DEPTH_ROLE = Qt.ItemDataRole.UserRole + 20    # the row's cumulative size / side's max, 0..1
OWN_ROLE = Qt.ItemDataRole.UserRole + 21      # the trader's own open amount at this level


class BookModel(TableModel):
    COLUMNS = COLUMNS
    SELECTABLE = False
    spread_changed = Signal(str)
    # A column's longest text changed length: the view measures its columns again then (Qt's
    # ResizeToContents measured every row, through Python, on each update).
    widths_changed = Signal()

    def __init__(self, parent=None, depth: int = 25) -> None:
        super().__init__(parent)
        self.depth = depth
        self._text: list[list[str]] = []
        self._fill: list[tuple[float, float]] = []     # depth bar fractions (display only)
        self._levels: list[tuple] = []     # (bid, ask, cum bid, cum ask): the Decimals shown
        self._own: dict[tuple[bool, Decimal], Decimal] = {}    # (is bid, price) → own amount
        self.price_increment: Decimal | None = None
        self.amount_increment: Decimal | None = None
        self.spread: Decimal | None = None
        self.symbol = ""
        self._lengths = TextLengths()

    def row_count(self) -> int:
        return len(self._text)

    def alignment(self, column: int) -> int:
        """Sizes and totals right-aligned (digits line up); the two prices centred, apart."""
        return int(CENTER if column in (2, 3) else RIGHT)

    def cell(self, r: int, c: int, role):
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text[r][c]
        if c in (2, 3) and role in (OWN_ROLE, Qt.ItemDataRole.BackgroundRole,
                                    Qt.ItemDataRole.ToolTipRole) and self._own:
            level = self._levels[r][c - 2]
            own = self._own.get((c == 2, level[0])) if level else None
            if own is None:
                return None
            if role == OWN_ROLE:
                return own[0]
            if role == Qt.ItemDataRole.BackgroundRole:
                tint = QColor(theme.warn_color())
                tint.setAlpha(90)
                return tint
            side = "buy" if c == 2 else "sell"
            return (f"Your open {side} order{'s' if own[1] > 1 else ''} at this price: "
                    f"{fmt.amount(own[0], self.amount_increment)}")
        if role == Qt.ItemDataRole.ForegroundRole and c in (2, 3):
            return theme.up_color() if c == 2 else theme.down_color()
        if role == DEPTH_ROLE:
            return self._fill[r][0 if c < 3 else 1]
        return None

    def clear(self, symbol: str = "", market=None) -> None:
        self.beginResetModel()     # a different book: the whole dataset is swapped
        self._text, self._fill, self._levels, self._own = [], [], [], {}
        self.symbol = symbol
        self.price_increment = market.price_increment if market else None
        self.amount_increment = market.amount_increment if market else None
        self.spread = None
        self.endResetModel()
        self.spread_changed.emit("")
        self._measure([])

    def set_book(self, book) -> None:
        bids, asks = book.bids[: self.depth], book.asks[: self.depth]
        text, fill, levels = self._rows(bids, asks)
        old = len(self._text)
        new = len(text)
        if new < old:
            self.beginRemoveRows(QModelIndex(), new, old - 1)
            self._text, self._fill = self._text[:new], self._fill[:new]
            self._levels = self._levels[:new]
            self.endRemoveRows()
        first = last = None
        for r in range(min(old, new)):
            if self._text[r] != text[r] or self._fill[r] != fill[r]:
                first = r if first is None else first
                last = r
        self._text[: min(old, new)] = text[: min(old, new)]
        self._fill[: min(old, new)] = fill[: min(old, new)]
        self._levels[: min(old, new)] = levels[: min(old, new)]
        if first is not None:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        if new > old:
            self.beginInsertRows(QModelIndex(), old, new - 1)
            self._text.extend(text[old:])
            self._fill.extend(fill[old:])
            self._levels.extend(levels[old:])
            self.endInsertRows()
        self._measure(text)
        spread = asks[0][0] - bids[0][0] if bids and asks else None
        if spread != self.spread:
            self.spread = spread
            if spread is None:
                self.spread_changed.emit("")
            else:
                mid = (asks[0][0] + bids[0][0]) / 2
                bps = spread * 10000 / mid if mid else Decimal(0)
                self.spread_changed.emit(
                    f"Spread {fmt.price(spread, self.price_increment)}  ({bps:.1f} bp)")

    def _measure(self, text: list[list[str]]) -> None:
        if self._lengths.update(text, len(COLUMNS)):
            self.widths_changed.emit()

    def _rows(self, bids, asks):
        pi, ai = self.price_increment, self.amount_increment
        cum_b, cum_a = [], []
        total = Decimal(0)
        for _, a in bids:
            total += a
            cum_b.append(total)
        total = Decimal(0)
        for _, a in asks:
            total += a
            cum_a.append(total)
        top = max(cum_b[-1] if cum_b else 0, cum_a[-1] if cum_a else 0) or 1
        text, fill, levels = [], [], []
        for i in range(max(len(bids), len(asks))):
            b = bids[i] if i < len(bids) else None
            a = asks[i] if i < len(asks) else None
            text.append([
                fmt.amount(cum_b[i], ai) if b else "", fmt.amount(b[1], ai) if b else "",
                fmt.price(b[0], pi) if b else "", fmt.price(a[0], pi) if a else "",
                fmt.amount(a[1], ai) if a else "", fmt.amount(cum_a[i], ai) if a else "",
            ])
            # Bar lengths are a display fraction: the float stays in the painting layer.
            fill.append((float(cum_b[i] / top) if b else 0.0, float(cum_a[i] / top) if a else 0.0))
            levels.append((b, a, cum_b[i] if b else None, cum_a[i] if a else None))
        return text, fill, levels

    # -- the trader's side -----------------------------------------------------------------------
    def value_at(self, row: int, column: int) -> tuple[str, Decimal] | None:
        """("price" | "amount", value) behind a cell: a price, a level's size, or the size
        summed from the best level down to it (what a click there would take)."""
        if not 0 <= row < len(self._levels):
            return None
        bid, ask, cum_b, cum_a = self._levels[row]
        found = {2: ("price", bid[0] if bid else None), 3: ("price", ask[0] if ask else None),
                 1: ("amount", bid[1] if bid else None), 4: ("amount", ask[1] if ask else None),
                 0: ("amount", cum_b), 5: ("amount", cum_a)}.get(column)
        return found if found and found[1] is not None else None

    def set_own(self, orders) -> None:
        """Mark the levels of these open orders (of the shown symbol) as the trader's own."""
        own: dict[tuple[bool, Decimal], list] = {}
        for o in orders:
            if o.symbol == self.symbol and o.price is not None and o.remaining:
                entry = own.setdefault((o.side == "buy", o.price), [Decimal(0), 0])
                entry[0] += o.remaining
                entry[1] += 1
        marks = {k: (v[0], v[1]) for k, v in own.items()}
        if marks == self._own:
            return
        self._own = marks
        if self._text:
            self.dataChanged.emit(self.index(0, 2), self.index(len(self._text) - 1, 3),
                                  [Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole])
