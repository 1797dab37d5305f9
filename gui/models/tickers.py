"""The tickers board model: one row per (venue, symbol), updated cell by cell.

The change column is the 24 h change. Where a venue gives no price from 24 h ago but the
day's open (Kraken's REST ticker), it shows the change since 00:00 UTC labelled "today";
where it gives neither, the cell is empty and its tooltip says why: two windows never mix
unlabelled. A pair that trades on another listed pair's order book (Coinbase's BTC/USDC on
the BTC-USD book) is marked on its symbol, the tooltip naming the book.

A batch of tickers (one frame's worth from the session) becomes one `rows_changed` listing each
changed row with only its changed columns (and per row a `dataChanged` for whoever listens to
that: see table.announce_rows); new pairs are appended with one
`beginInsertRows` per batch. The model is never reset for a tick. When the last price moves,
FLASH_ROLE gives (direction, time of the move) and the last price's BackgroundRole the fading
green/red; the board's FlashFade repaints that column while it fades, so the fade costs a
repaint of the visible cells, not a signal per row.
"""
from __future__ import annotations

import time
from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont

from .. import format as fmt
from .. import theme
from .table import TableModel, announce_rows

__all__ = ["TickerModel", "COLUMNS", "SORT_ROLE", "KEY_ROLE", "FLASH_ROLE", "FLASH_MS", "LAST",
           "CHANGE", "TWIN_MARK"]

SORT_ROLE = Qt.ItemDataRole.UserRole + 1     # the raw value (Decimal / str) for sorting
KEY_ROLE = Qt.ItemDataRole.UserRole + 2      # (venue, symbol) of the row
FLASH_ROLE = Qt.ItemDataRole.UserRole + 3    # (+1 up / -1 down, time.monotonic() of the move)
FLASH_MS = 600

COLUMNS = ("Venue", "Symbol", "Last", "Bid", "Ask", "24h %", "High", "Low", "Volume")
_VENUE, _SYMBOL, _LAST, _BID, _ASK, _CHANGE, _HIGH, _LOW, _VOLUME = range(len(COLUMNS))
LAST, CHANGE = _LAST, _CHANGE
_NUMERIC = frozenset(range(_LAST, len(COLUMNS)))
TWIN_MARK = " ⇄"            # after the symbol of a pair that shares another pair's book
_TODAY = "today"            # after a change since 00:00 UTC (the venue has no 24 h open)
_ITALIC = QFont()
_ITALIC.setItalic(True)


def _step(market, value: Decimal | None) -> Decimal | None:
    if market is None or value is None:
        return None
    step = getattr(market, "price_step", None)
    return step(value) if step else market.price_increment


def _text(c: int, v, market, window: str = "24h") -> str:
    if c == _CHANGE:
        return f"{fmt.percent(v)} {_TODAY}" if window == _TODAY and v is not None else \
            fmt.percent(v)
    if c == _VOLUME:
        return fmt.compact(v)
    return fmt.price(v, _step(market, v))


def _change(t) -> tuple[Decimal | None, str | None]:
    """(the change in percent, its window: "24h", "today", or None when there is neither)."""
    pct = t.change_percent
    if pct is not None:
        return pct, "24h"
    today = getattr(t, "change_percent_today", None)
    return (today, _TODAY) if today is not None else (None, None)


def _stale_tip(row) -> str:
    return f"{row.venue} {row.symbol}: no recent data (stale)"


def _change_colour(change: Decimal | None):
    """Green up, red down, none for no change or none known."""
    if not change:
        return None
    return theme.up_color() if change > 0 else theme.down_color()


def _values(t) -> tuple[tuple, str | None]:
    """The raw value of every column of a ticker row (venue/symbol filled by the caller), and
    the change's window."""
    change, window = _change(t)
    return (None, t.symbol, t.last, t.bid, t.ask, change, t.high, t.low,
            t.quote_volume if t.quote_volume is not None else t.base_volume), window


class _Row:
    __slots__ = ("venue", "symbol", "values", "text", "market", "flash", "flash_at", "stale",
                 "window", "twin")

    def __init__(self, venue: str, symbol: str, market) -> None:
        self.venue = venue
        self.symbol = symbol
        self.values: list = [venue, symbol] + [None] * (len(COLUMNS) - 2)
        self.text: list[str] = [venue, symbol] + [""] * (len(COLUMNS) - 2)
        self.market = market     # for the price step at each price (None: shown at 2 places)
        self.flash = 0          # +1 up, -1 down, 0 never moved
        self.flash_at = 0.0     # time.monotonic() of the last move of the last price
        self.stale = False      # its data stopped: shown greyed, never as live
        self.window: str | None = "24h"     # the change's window ("today", None: none)
        self.twin: tuple[str, str] | None = None    # (the pair it shares a book with, book)


class TickerModel(TableModel):
    UNASKED = TableModel.UNASKED - {int(Qt.ItemDataRole.FontRole)}    # (it sets fonts)
    COLUMNS = COLUMNS
    NUMERIC = _NUMERIC
    rows_changed = Signal(object)   # [(row, first column, last column)]: see announce_rows

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._index: dict[tuple[str, str], int] = {}
        self._markets: dict[tuple[str, str], object] = {}
        self._twins: dict[tuple[str, str], tuple[str, str]] = {}
        self.last_move = 0.0        # time.monotonic() of the latest last-price move (any row)
        self.cells_changed = 0      # for the benchmark: how many row changes were announced

    # -- the five methods --------------------------------------------------------------------
    def row_count(self) -> int:
        return len(self._rows)

    def cell(self, r: int, c: int, role):
        row = self._rows[r]
        if role == Qt.ItemDataRole.DisplayRole:
            text = row.text[c]
            if text is None:        # formatted when first shown: off-screen rows cost nothing
                text = row.text[c] = _text(c, row.values[c], row.market, row.window)
            if c == _SYMBOL and row.twin:
                return text + TWIN_MARK
            return text
        if role == SORT_ROLE:
            return row.values[c]
        if row.stale and role == Qt.ItemDataRole.ForegroundRole:
            return theme.muted_color()
        if row.stale and role == Qt.ItemDataRole.ToolTipRole:
            return _stale_tip(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, c)
        if role == Qt.ItemDataRole.FontRole and c == _CHANGE and row.window == _TODAY:
            return _ITALIC
        if role == Qt.ItemDataRole.ForegroundRole and c == _CHANGE:
            return _change_colour(row.values[c])
        if role == Qt.ItemDataRole.BackgroundRole and c == _LAST and row.flash:
            return theme.flash_color((row.flash, row.flash_at), FLASH_MS)
        if role == FLASH_ROLE and c == _LAST:
            return (row.flash, row.flash_at) if row.flash else None
        if role == KEY_ROLE:
            return (row.venue, row.symbol)
        return None

    def sort_value(self, r: int, c: int):
        """SORT_ROLE of a cell in range, without the role checks (the live sort's hot path)."""
        return self._rows[r].values[c]

    def shown_cells(self, r: int) -> list[tuple]:
        """TableModel.shown_cells without a call per role (a re-sort copies ~50 rows): only
        the symbol, the last price and the 24 h % hold more than text, and a stale row is
        greyed."""
        row = self._rows[r]
        text = row.text
        if None in text:                    # formatted when first shown
            for c in range(_LAST, len(COLUMNS)):
                if text[c] is None:
                    text[c] = _text(c, row.values[c], row.market, row.window)
        stale = row.stale
        muted = theme.muted_color() if stale else None
        tip = _stale_tip(row) if stale else None
        cells = [(t, muted, None, None, tip) for t in text]
        if row.twin:
            cells[_SYMBOL] = (text[_SYMBOL] + TWIN_MARK, muted, None, None,
                              tip or self._tooltip(row, _SYMBOL))
        colour = muted if stale else _change_colour(row.values[_CHANGE])
        cells[_CHANGE] = (text[_CHANGE], colour, None, _ITALIC if row.window == _TODAY else None,
                          tip or self._tooltip(row, _CHANGE))
        if row.flash:
            cells[_LAST] = (text[_LAST], muted,
                            theme.flash_color((row.flash, row.flash_at), FLASH_MS), None, tip)
        return cells

    @staticmethod
    def _tooltip(row: _Row, c: int) -> str | None:
        if c == _SYMBOL and row.twin:
            twin, book = row.twin
            return (f"{row.symbol} shares the {book} book with {twin}: {row.venue} runs both "
                    f"pairs on one order book (the same bids, asks and trades)")
        if c != _CHANGE or row.values[_LAST] is None:
            return None
        if row.window == _TODAY:
            return (f"Change since 00:00 UTC: {row.venue} gives today's open for {row.symbol}, "
                    f"not the price 24 h ago (high, low and volume are 24 h)")
        if row.window is None:
            return (f"No 24 h change: {row.venue} gives no price from 24 h ago (nor a day's "
                    f"open) for {row.symbol}")
        return None

    # -- updates -----------------------------------------------------------------------------
    def set_twins(self, venue: str, twins: dict) -> None:
        """{symbol: (the other symbol, the shared book's id)}: pairs of `venue` that trade on
        one order book are marked, with the book named in the tooltip."""
        for key in [k for k in self._twins if k[0] == venue]:
            del self._twins[key]
        self._twins.update({(venue, s): t for s, t in twins.items()})
        changed = []
        for (v, s), r in self._index.items():
            if v == venue and self._rows[r].twin != twins.get(s):
                self._rows[r].twin = twins.get(s)
                changed.append((r, _SYMBOL, _SYMBOL))
        if changed:
            announce_rows(self, changed)

    def set_markets(self, venue: str, markets: dict) -> None:
        """Remember each market so prices show at the market's own increment."""
        for symbol, m in markets.items():
            self._markets[(venue, symbol)] = m
        for (v, s), r in self._index.items():
            if v == venue and s in markets:
                self._rows[r].market = markets[s]

    def remove_venue(self, venue: str) -> None:
        for key in [k for k in self._twins if k[0] == venue]:
            del self._twins[key]
        doomed = [r for (v, _), r in self._index.items() if v == venue]
        for r in sorted(doomed, reverse=True):
            self.beginRemoveRows(QModelIndex(), r, r)
            del self._rows[r]
            self.endRemoveRows()
        self._index = {(row.venue, row.symbol): i for i, row in enumerate(self._rows)}

    def row_of(self, venue: str, symbol: str) -> int | None:
        return self._index.get((venue, symbol))

    def set_stale(self, changes: dict) -> None:
        """{(venue, symbol): stale}: grey the rows whose data stopped, un-grey those back."""
        last = len(COLUMNS) - 1
        changed = []
        for key, stale in changes.items():
            r = self._index.get(key)
            if r is not None and self._rows[r].stale != stale:
                self._rows[r].stale = stale
                changed.append((r, 0, last))
        if changed:
            announce_rows(self, changed)

    def update(self, batch: dict) -> None:
        """Apply {(venue, symbol): Ticker}: new pairs appended, changed cells signalled."""
        fresh = [key for key in batch if key not in self._index]
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            for key in fresh:
                self._index[key] = len(self._rows)
                self._rows.append(row := _Row(key[0], key[1], self._markets.get(key)))
                row.twin = self._twins.get(key)
            self.endInsertRows()
        now = time.monotonic()
        changed = []
        for key, ticker in batch.items():
            r = self._index[key]
            lo, hi = self._apply(self._rows[r], ticker, now)
            if lo is not None:
                changed.append((r, lo, hi))
        if changed:
            self.cells_changed += len(changed)
            announce_rows(self, changed)

    def _apply(self, row: _Row, ticker, now: float) -> tuple[int | None, int | None]:
        new, window = _values(ticker)
        lo = hi = None
        if window != row.window:            # the same number in another window is news
            row.window, row.text[_CHANGE] = window, None
            lo = hi = _CHANGE
        for c in range(_LAST, len(COLUMNS)):
            v = new[c]
            if v == row.values[c]:
                continue
            if c == _LAST and v is not None and row.values[c] is not None:
                row.flash = 1 if v > row.values[c] else -1
                row.flash_at = self.last_move = now
            row.values[c] = v
            row.text[c] = None
            lo = c if lo is None else min(lo, c)
            hi = c if hi is None else max(hi, c)
        return lo, hi
