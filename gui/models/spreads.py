"""The spread board: one pair on every venue that lists it, side by side.

Per venue: bid, ask, last (in the pair's quote, converted where a quote counts as it), the
venue's own spread, how far its bid and ask are from the best across venues in basis points,
its taker fee and the age of its data. Bid and ask come from the venue's book where one is
streamed (the same the consolidated book uses), else from its ticker. A crossed market, a bid
on one venue above an ask on another after both fees, is highlighted on both cells. A stale
venue is greyed and counts for no best.
"""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor

from .. import format as fmt
from .. import theme
from ..fees import percent_text
from .consolidated import venue_color
from .table import TableModel, TextLengths

__all__ = ["SpreadModel", "COLUMNS", "CROSSED_ROLE", "SORT_ROLE"]

COLUMNS = ("Venue", "Symbol", "Bid", "Ask", "Last", "Spread bp", "Bid vs best", "Ask vs best",
           "Fee", "Age")
_VENUE, _SYMBOL, _BID, _ASK, _LAST, _SPREAD, _BIDV, _ASKV, _FEE, _AGE = range(len(COLUMNS))
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
CROSSED_ROLE = Qt.ItemDataRole.UserRole + 30     # True on a bid/ask cell that is crossed
_BP = Decimal(10_000)
_TIPS = {
    _SPREAD: "This venue's own ask − bid, in basis points of its mid",
    _BIDV: "How far this venue's bid is below the best bid across live venues, in basis points",
    _ASKV: "How far this venue's ask is above the best ask across live venues, in basis points",
    _FEE: "Taker fee used for the after-fee figures (Fees… to change it)",
    _AGE: "Seconds since this venue last sent data for the pair",
}


def crossed_color() -> QColor:
    return QColor("#7a5b00" if theme.is_dark() else "#ffe08a")


class SpreadModel(TableModel):
    COLUMNS = COLUMNS
    NUMERIC = frozenset(range(_BID, len(COLUMNS)))
    SELECTABLE = True

    widths_changed = Signal()       # a column's longest text changed length (TextLengths)

    def __init__(self, cross, parent=None) -> None:
        super().__init__(parent)
        self.cross = cross
        self._lengths = TextLengths()
        self._rows: list[list] = []       # per member: [texts, values, stale, crossed cells]
        self._keys: list[str] = []
        self.shown = lambda: True       # the view says whether anyone can see the board
        self._behind = False
        cross.changed.connect(self.reset)
        cross.updated.connect(self.refresh)

    def row_count(self) -> int:
        return len(self._rows)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal
                and section in _TIPS):
            return _TIPS[section]
        return super().headerData(section, orientation, role)

    def cell(self, r: int, c: int, role):
        texts, values, stale, crossed, tips = self._rows[r]
        if role == Qt.ItemDataRole.DisplayRole:
            return texts[c]
        if role == SORT_ROLE:
            return values[c]
        if role == CROSSED_ROLE:
            return c in crossed
        if role == Qt.ItemDataRole.BackgroundRole and c in crossed:
            return crossed_color()
        if role == Qt.ItemDataRole.ForegroundRole:
            if stale:
                return theme.muted_color()
            if c == _VENUE:
                return venue_color(r)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return tips.get(c) or (f"{texts[0]}: stale, left out of the best prices"
                                   if stale else None)
        return None

    def key(self, row: int) -> str:
        return self._keys[row]

    def is_stale(self, row: int) -> bool:
        return self._rows[row][2]

    def reset(self) -> None:
        self.beginResetModel()
        self._rows, self._keys = self._build()
        self.endResetModel()
        self._measure()

    def refresh(self) -> None:
        if not self.shown():
            self._behind = True
            return
        self._behind = False
        rows, keys = self._build()
        if keys != self._keys:
            self.beginResetModel()
            self._rows, self._keys = rows, keys
            self.endResetModel()
        else:
            for r, row in enumerate(rows):
                if row[0] != self._rows[r][0] or row[2:4] != self._rows[r][2:4]:
                    self._rows[r] = row
                    self.dataChanged.emit(self.index(r, 0), self.index(r, len(COLUMNS) - 1))
                else:
                    self._rows[r] = row
        self._measure()

    def _measure(self) -> None:
        if self._lengths.update([row[0] for row in self._rows], len(COLUMNS)):
            self.widths_changed.emit()

    def _build(self):
        cv = self.cross
        stale_keys = cv.stale_keys()
        quotes = {}
        for m in cv.members:
            ticker, t_at = cv.ticker(m)
            book = cv.books.get(m.key)
            bid = ask = None
            if book is not None:
                bid = book.bids[0][0] if book.bids else None
                ask = book.asks[0][0] if book.asks else None
            elif ticker is not None:
                bid, ask = ticker.bid, ticker.ask
            last = ticker.last if ticker is not None else None
            # the age of what bid and ask come from: the book where there is one
            age = cv.book_age(m.key) if book is not None else (
                None if t_at is None else cv.clock() - t_at)
            conv = (lambda v: v * m.rate if v is not None else None)
            quotes[m.key] = (conv(bid), conv(ask), conv(last), age)
        live = [k for k in quotes if k not in stale_keys]
        bids = [quotes[k][0] for k in live if quotes[k][0]]
        asks = [quotes[k][1] for k in live if quotes[k][1]]
        best_bid = max(bids) if bids else None
        best_ask = min(asks) if asks else None
        crossed: dict[str, set] = {}
        edge: dict[tuple[str, int], str] = {}
        for x in cv.crossed:
            crossed.setdefault(x.sell_venue, set()).add(_BID)
            crossed.setdefault(x.buy_venue, set()).add(_ASK)
            edge.setdefault((x.sell_venue, _BID),
                            f"Crossed after fees: sell here, buy on {x.buy_venue}: "
                            f"+{x.edge_bps:.1f} bp")
            edge.setdefault((x.buy_venue, _ASK),
                            f"Crossed after fees: buy here, sell on {x.sell_venue}: "
                            f"+{x.edge_bps:.1f} bp")
        pi = _increment(cv.members)
        rows, keys = [], []
        for m in cv.members:
            bid, ask, last, age = quotes[m.key]
            stale = m.key in stale_keys
            fee, source = cv.fee(m.venue)
            spread = (ask - bid) * _BP / ((ask + bid) / 2) if bid and ask else None
            bid_v = (bid - best_bid) * _BP / best_bid if bid and best_bid and not stale else None
            ask_v = (ask - best_ask) * _BP / best_ask if ask and best_ask and not stale else None
            values = [m.key, m.symbol, bid, ask, last, spread, bid_v, ask_v, fee, age]
            texts = [m.key, m.symbol, fmt.price(bid, pi), fmt.price(ask, pi), fmt.price(last, pi),
                     _bp(spread), _bp(bid_v, signed=True), _bp(ask_v, signed=True),
                     percent_text(fee) + ("" if source == "venue" else " *"), _age(age)]
            tips = {c: t for (k, c), t in edge.items() if k == m.key}
            if m.note:
                tips[_SYMBOL] = m.note
            tips[_FEE] = f"{percent_text(fee)}: " + {
                "yours": "the rate you set", "venue": "published by the venue",
                "default": "the venue's base-tier rate (set yours with Fees…)",
                "assumed": "assumed: this venue's rate is not known (set it with Fees…)",
            }[source]
            rows.append([texts, values, stale, frozenset(crossed.get(m.key, ())), tips])
            keys.append(m.key)
        return rows, keys


def _increment(members):
    incs = [m.market.price_increment for m in members if m.market is not None]
    return min(incs) if incs else None


def _bp(value: Decimal | None, signed: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:+.1f}" if signed and value else f"{value:.1f}"


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return "<1 s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"
