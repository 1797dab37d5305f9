"""The tickers board model: one row per (venue, symbol), updated cell by cell.

A batch of tickers (one frame's worth from the session) becomes, per changed row, one
`dataChanged` spanning only that row's changed columns; new pairs are appended with one
`beginInsertRows` per batch. The model is never reset for a tick. When the last price moves,
FLASH_ROLE gives (direction, time of the move); the board's FlashDelegate paints the fading
green/red from it, so the fade costs a repaint of the visible rows, not a signal per row.
"""
from __future__ import annotations

import time
from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt

from .. import format as fmt
from .. import theme
from .table import TableModel

__all__ = ["TickerModel", "COLUMNS", "SORT_ROLE", "KEY_ROLE", "FLASH_ROLE", "FLASH_MS", "LAST"]

SORT_ROLE = Qt.ItemDataRole.UserRole + 1     # the raw value (Decimal / str) for sorting
KEY_ROLE = Qt.ItemDataRole.UserRole + 2      # (venue, symbol) of the row
FLASH_ROLE = Qt.ItemDataRole.UserRole + 3    # (+1 up / -1 down, time.monotonic() of the move)
FLASH_MS = 600

COLUMNS = ("Venue", "Symbol", "Last", "Bid", "Ask", "24h %", "High", "Low", "Volume")
_VENUE, _SYMBOL, _LAST, _BID, _ASK, _CHANGE, _HIGH, _LOW, _VOLUME = range(len(COLUMNS))
LAST = _LAST
_NUMERIC = frozenset(range(_LAST, len(COLUMNS)))


def _step(market, value: Decimal | None) -> Decimal | None:
    if market is None or value is None:
        return None
    step = getattr(market, "price_step", None)
    return step(value) if step else market.price_increment


def _text(c: int, v, market) -> str:
    if c == _CHANGE:
        return fmt.percent(v)
    if c == _VOLUME:
        return fmt.compact(v)
    return fmt.price(v, _step(market, v))


def _values(t) -> tuple:
    """The raw value of every column of a ticker row (venue/symbol filled by the caller)."""
    return (None, t.symbol, t.last, t.bid, t.ask, t.change_percent, t.high, t.low,
            t.quote_volume if t.quote_volume is not None else t.base_volume)


class _Row:
    __slots__ = ("venue", "symbol", "values", "text", "market", "flash", "flash_at", "stale")

    def __init__(self, venue: str, symbol: str, market) -> None:
        self.venue = venue
        self.symbol = symbol
        self.values: list = [venue, symbol] + [None] * (len(COLUMNS) - 2)
        self.text: list[str] = [venue, symbol] + [""] * (len(COLUMNS) - 2)
        self.market = market     # for the price step at each price (None: shown at 2 places)
        self.flash = 0          # +1 up, -1 down, 0 never moved
        self.flash_at = 0.0     # time.monotonic() of the last move of the last price
        self.stale = False      # its data stopped: shown greyed, never as live


class TickerModel(TableModel):
    COLUMNS = COLUMNS
    NUMERIC = _NUMERIC

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._index: dict[tuple[str, str], int] = {}
        self._markets: dict[tuple[str, str], object] = {}
        self.last_move = 0.0        # time.monotonic() of the latest last-price move (any row)
        self.cells_changed = 0      # for the benchmark: how many dataChanged were emitted

    # -- the five methods --------------------------------------------------------------------
    def row_count(self) -> int:
        return len(self._rows)

    def cell(self, r: int, c: int, role):
        row = self._rows[r]
        if role == Qt.ItemDataRole.DisplayRole:
            text = row.text[c]
            if text is None:        # formatted when first shown: off-screen rows cost nothing
                text = row.text[c] = _text(c, row.values[c], row.market)
            return text
        if role == SORT_ROLE:
            return row.values[c]
        if row.stale and role == Qt.ItemDataRole.ForegroundRole:
            return theme.muted_color()
        if row.stale and role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.venue} {row.symbol}: no recent data (stale)"
        if role == Qt.ItemDataRole.ForegroundRole and c == _CHANGE:
            v = row.values[c]
            if v:
                return theme.up_color() if v > 0 else theme.down_color()
            return None
        if role == FLASH_ROLE and c == _LAST:
            return (row.flash, row.flash_at) if row.flash else None
        if role == KEY_ROLE:
            return (row.venue, row.symbol)
        return None

    # -- updates -----------------------------------------------------------------------------
    def set_markets(self, venue: str, markets: dict) -> None:
        """Remember each market so prices show at the market's own increment."""
        for symbol, m in markets.items():
            self._markets[(venue, symbol)] = m
        for (v, s), r in self._index.items():
            if v == venue and s in markets:
                self._rows[r].market = markets[s]

    def remove_venue(self, venue: str) -> None:
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
        for key, stale in changes.items():
            r = self._index.get(key)
            if r is not None and self._rows[r].stale != stale:
                self._rows[r].stale = stale
                self.dataChanged.emit(self.createIndex(r, 0), self.createIndex(r, last))

    def update(self, batch: dict) -> None:
        """Apply {(venue, symbol): Ticker}: new pairs appended, changed cells signalled."""
        fresh = [key for key in batch if key not in self._index]
        if fresh:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            for key in fresh:
                self._index[key] = len(self._rows)
                self._rows.append(_Row(key[0], key[1], self._markets.get(key)))
            self.endInsertRows()
        now = time.monotonic()
        for key, ticker in batch.items():
            r = self._index[key]
            row = self._rows[r]
            lo, hi = self._apply(row, ticker, now)
            if lo is not None:
                self.cells_changed += 1
                self.dataChanged.emit(self.createIndex(r, lo), self.createIndex(r, hi))

    def _apply(self, row: _Row, ticker, now: float) -> tuple[int | None, int | None]:
        new = _values(ticker)
        lo = hi = None
        for c in range(_LAST, len(COLUMNS)):
            v = new[c]
            if v == row.values[c]:
                continue
            if c == _LAST and v is not None and row.values[c] is not None:
                row.flash = 1 if v > row.values[c] else -1
                row.flash_at = self.last_move = now
            row.values[c] = v
            row.text[c] = None
            lo = c if lo is None else lo
            hi = c
        return lo, hi
