"""The consolidated ladder (every venue's levels of one pair, best after fees first) and the
plan for size N (which venue fills how much, at what average, with what fee).

Each ladder row i holds the i-th best bid and ask across venues, each with its venue. Prices
show after the venue's taker fee ("net", what the trader gets or pays per unit) or as the venue
quotes them; the tooltip always gives both and the fee. Like the book ladder, a new frame
signals only the block of rows whose text changed.
"""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from .. import format as fmt
from .. import theme
from ..fees import percent_text
from .table import CENTER, LEFT, RIGHT, TableModel

__all__ = ["ConsolidatedModel", "PlanModel", "venue_color", "DEPTH_ROLE", "VENUE_ROLE"]

COLUMNS = ("Venue", "Size", "Bid", "Ask", "Size", "Venue")
DEPTH_ROLE = Qt.ItemDataRole.UserRole + 20      # as the book ladder's: cumulative share 0..1
VENUE_ROLE = Qt.ItemDataRole.UserRole + 21

_PALETTE_DARK = ("#5aa0e6", "#e0a64a", "#b48ef0", "#4cc2a6", "#e27aa6", "#a9b84e", "#6fc7e8")
_PALETTE_LIGHT = ("#1f64ad", "#a8650c", "#7448c0", "#17806a", "#b03a6e", "#66751a", "#1c7ea3")


def venue_color(index: int) -> QColor:
    palette = _PALETTE_DARK if theme.is_dark() else _PALETTE_LIGHT
    return QColor(palette[index % len(palette)])


class ConsolidatedModel(TableModel):
    COLUMNS = COLUMNS
    SELECTABLE = False

    def __init__(self, parent=None, depth: int = 30) -> None:
        super().__init__(parent)
        self.depth = depth
        self.net = True                 # prices after fees (else as quoted)
        self.increment: Decimal | None = None
        self.amount_increment: Decimal | None = None
        self.order: dict[str, int] = {}     # member key → colour index
        self.members: dict[str, object] = {}
        self._text: list[list[str]] = []
        self._tips: list[tuple[str, str]] = []
        self._venues: list[tuple[str | None, str | None]] = []
        self._fill: list[tuple[float, float]] = []
        self._crossed: list[tuple[bool, bool]] = []   # the level is through the other side

    def row_count(self) -> int:
        return len(self._text)

    def alignment(self, column: int) -> int:
        if column in (2, 3):
            return int(CENTER)
        return int(LEFT if column == 0 else RIGHT)

    def cell(self, r: int, c: int, role):
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text[r][c]
        if role == Qt.ItemDataRole.ForegroundRole:
            if c == 2:
                return theme.up_color()
            if c == 3:
                return theme.down_color()
            if c in (0, 5):
                key = self._venues[r][0 if c == 0 else 1]
                return venue_color(self.order.get(key, 0)) if key else None
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tips[r][0 if c < 3 else 1] or None
        if role == DEPTH_ROLE:
            return self._fill[r][0 if c < 3 else 1]
        if role == Qt.ItemDataRole.BackgroundRole and c in (2, 3) and \
                self._crossed[r][0 if c == 2 else 1]:
            from .spreads import crossed_color
            tint = crossed_color()
            tint.setAlpha(90)          # a tint: the green/red prices stay readable on it
            return tint
        if role == VENUE_ROLE:
            return self._venues[r][0 if c < 3 else 1]
        return None

    def set_members(self, members, increment, amount_increment) -> None:
        self.order = {m.key: i for i, m in enumerate(members)}
        self.members = {m.key: m for m in members}
        self.increment = increment
        self.amount_increment = amount_increment

    def set_book(self, book, fees: dict[str, Decimal]) -> None:
        """Show `book` (a ConsolidatedBook, or None for nothing live)."""
        bids = book.bids[: self.depth] if book else []
        asks = book.asks[: self.depth] if book else []
        rows = self._rows(bids, asks, fees)
        text = [r[0] for r in rows]
        old, new = len(self._text), len(text)
        if new < old:
            self.beginRemoveRows(QModelIndex(), new, old - 1)
            del self._text[new:], self._tips[new:], self._venues[new:], self._fill[new:]
            del self._crossed[new:]
            self.endRemoveRows()
        first = last = None
        for r in range(min(old, new)):
            if (self._text[r] != text[r] or self._fill[r] != rows[r][3]
                    or self._crossed[r] != rows[r][4]):
                first = r if first is None else first
                last = r
            (self._text[r], self._tips[r], self._venues[r], self._fill[r],
             self._crossed[r]) = rows[r]
        if first is not None:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        if new > old:
            self.beginInsertRows(QModelIndex(), old, new - 1)
            for row in rows[old:]:
                self._text.append(row[0])
                self._tips.append(row[1])
                self._venues.append(row[2])
                self._fill.append(row[3])
                self._crossed.append(row[4])
            self.endInsertRows()

    def _rows(self, bids, asks, fees) -> list:
        pi, ai = self.increment, self.amount_increment
        cum_b, cum_a = _cumulative(bids), _cumulative(asks)
        top = max(cum_b[-1] if cum_b else 0, cum_a[-1] if cum_a else 0) or 1
        # After fees, a bid above the best ask (an ask below the best bid) is an edge: marked.
        best_ask = asks[0][0] if asks else None
        best_bid = bids[0][0] if bids else None
        rows = []
        for i in range(max(len(bids), len(asks))):
            b = bids[i] if i < len(bids) else None
            a = asks[i] if i < len(asks) else None
            bp = (b[0] if self.net else b[3]) if b else None
            ap = (a[0] if self.net else a[3]) if a else None
            text = [b[2] if b else "", fmt.amount(b[1], ai) if b else "", fmt.price(bp, pi),
                    fmt.price(ap, pi), fmt.amount(a[1], ai) if a else "", a[2] if a else ""]
            tips = (self._tip(b, "bid", fees) if b else "", self._tip(a, "ask", fees) if a else "")
            fill = (float(cum_b[i] / top) if b else 0.0, float(cum_a[i] / top) if a else 0.0)
            crossed = (bool(b and best_ask is not None and b[0] > best_ask),
                       bool(a and best_bid is not None and a[0] < best_bid))
            rows.append((text, tips, (b[2] if b else None, a[2] if a else None), fill, crossed))
        return rows

    def _tip(self, level, side: str, fees) -> str:
        effective, amount, key, price = level
        m = self.members.get(key)
        pi = self.increment
        quoted = price
        conv = ""
        if m is not None and m.rate != 1:
            quoted = price / m.rate
        if m is not None and m.note:
            conv = f"\n{m.note}"
        quote = m.quote if m is not None else ""
        fee = fees.get(key, Decimal(0))
        word = "you get" if side == "bid" else "you pay"
        return (f"{key}: {fmt.amount(amount, self.amount_increment)} at "
                f"{fmt.price(quoted, pi)} {quote} quoted{conv}\n"
                f"taker fee {percent_text(fee)}: {word} {fmt.price(effective, pi)} per unit")


def _cumulative(levels) -> list[Decimal]:
    out, total = [], Decimal(0)
    for lv in levels:
        total += lv[1]
        out.append(total)
    return out


class PlanModel(TableModel):
    """Each side's plan for size N: one row per venue (where, how much, at what average price
    as quoted, the fee, what it costs or yields), then the side's total in bold, with the
    average after fees and the slippage against the best price after fees."""
    UNASKED = TableModel.UNASKED - {int(Qt.ItemDataRole.FontRole)}    # (it sets fonts)
    COLUMNS = ("Side", "Venue", "Amount", "Avg price", "Fee", "Cost", "Slip bp")
    NUMERIC = frozenset({2, 3, 4, 5, 6})
    SELECTABLE = False

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[list[str], str, str | None]] = []   # texts, side, venue key
        self.order: dict[str, int] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    def row_count(self) -> int:
        return len(self._rows)

    def cell(self, r: int, c: int, role):
        text, side, key = self._rows[r]
        if role == Qt.ItemDataRole.DisplayRole:
            return text[c]
        if role == Qt.ItemDataRole.FontRole and key is None:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole:
            if c == 0:
                return theme.up_color() if side == "buy" else theme.down_color()
            if c == 1 and key is not None:
                return venue_color(self.order.get(key, 0))
        if role == Qt.ItemDataRole.ToolTipRole and key is None:
            return ("The whole side: average price after fees, every fee, the total cost "
                    "(buy) or proceeds (sell), and how much worse than the best price after "
                    "fees the average is")
        return None

    def set_plans(self, plans: dict, increment, amount_increment) -> None:
        """`plans`: side → Plan (sides without a plan are left out)."""
        rows = []
        for side in ("buy", "sell"):
            plan = plans.get(side)
            if plan is None:
                continue
            for v in plan.venues:
                rows.append(([side.capitalize() if not rows or rows[-1][1] != side else "",
                              v.venue, fmt.amount(v.amount, amount_increment),
                              fmt.price(v.average, increment), fmt.price(v.fee, increment),
                              fmt.price(v.cost, increment), ""], side, v.venue))
            n = len(plan.venues)
            rows.append((["", f"{n} venue{'s' if n != 1 else ''}, net",
                          fmt.amount(plan.amount, amount_increment),
                          fmt.price(plan.average, increment), fmt.price(plan.fees, increment),
                          fmt.price(plan.cost, increment), f"{plan.slippage_bps:.1f}"],
                         side, None))
        if [r[0] for r in rows] == [r[0] for r in self._rows]:
            return
        if len(rows) == len(self._rows) and [r[2] for r in rows] == [r[2] for r in self._rows]:
            self._rows = rows
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1,
                                                               len(self.COLUMNS) - 1))
            return
        self.beginResetModel()      # a handful of rows: rebuilt when the venues change
        self._rows = rows
        self.endResetModel()
