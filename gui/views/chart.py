"""Chart dock: candles (history in one QPicture, the forming candle apart) over volume bars.

History comes from fetch_ohlcv when a symbol is selected or the timeframe changes; live
trades then build the forming candle, and close it into the history when its period ends.
"""
from __future__ import annotations

import asyncio

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .. import theme
from ..widgets.candles import CandlestickItem, FormingCandleItem, candle_array

__all__ = ["ChartView", "build", "TIMEFRAMES", "timeframe_seconds"]

TIMEFRAMES = ("1m", "5m", "15m", "1h", "4h", "1d")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def timeframe_seconds(tf: str) -> int:
    return int(tf[:-1]) * _UNITS[tf[-1]]


class ChartView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window_ = window
        self.session = window.session
        self.key: tuple[str, str] | None = None
        self.history = np.empty((0, 6))
        self.forming: np.ndarray | None = None
        self._load: asyncio.Task | None = None
        self.loaded = False

        self.timeframe = QComboBox()
        self.timeframe.addItems(TIMEFRAMES)
        self.timeframe.setCurrentText("15m")
        self.timeframe.currentTextChanged.connect(lambda _: self.reload())
        self.caption = QLabel("")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Timeframe"))
        top.addWidget(self.timeframe)
        top.addSpacing(12)
        top.addWidget(self.caption, 1)

        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground(None)
        self.price = self.plots.addPlot(row=0, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.volume = self.plots.addPlot(row=1, col=0, axisItems={"bottom": pg.DateAxisItem()})
        self.plots.ci.layout.setRowStretchFactor(0, 4)
        self.plots.ci.layout.setRowStretchFactor(1, 1)
        self.volume.setXLink(self.price)
        for plot in (self.price, self.volume):
            plot.showGrid(x=True, y=True, alpha=0.12)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.showAxis("right")
            plot.hideAxis("left")
            plot.getAxis("right").setWidth(70)
        self.price.getAxis("bottom").setStyle(showValues=False)
        self.candles = CandlestickItem()
        self.live = FormingCandleItem()
        self.price.addItem(self.candles)
        self.price.addItem(self.live)
        self.last_line = pg.InfiniteLine(angle=0, movable=False,
                                         pen=pg.mkPen(theme.muted_color(), style=pg.QtCore.Qt.PenStyle.DashLine))
        self.price.addItem(self.last_line)
        self.vol_bars = pg.BarGraphItem(x=[], height=[], width=1, brush=theme.muted_color())
        self.vol_live = pg.BarGraphItem(x=[], height=[], width=1, brush=theme.muted_color())
        self.volume.addItem(self.vol_bars)
        self.volume.addItem(self.vol_live)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.plots)
        self.session.selected.connect(self._on_selected)
        self.session.trades.connect(self._on_trades)

    # -- data --------------------------------------------------------------------------------
    @property
    def seconds(self) -> int:
        return timeframe_seconds(self.timeframe.currentText())

    def _on_selected(self, venue: str, symbol: str) -> None:
        self.key = (venue, symbol)
        offered = getattr(self.session.adapters.get(venue), "timeframes", None) or {}
        wanted = [tf for tf in TIMEFRAMES if not offered or tf in offered]
        current = self.timeframe.currentText()
        if wanted and wanted != [self.timeframe.itemText(i) for i in range(self.timeframe.count())]:
            self.timeframe.blockSignals(True)
            self.timeframe.clear()
            self.timeframe.addItems(wanted)
            self.timeframe.setCurrentText(current if current in wanted else wanted[0])
            self.timeframe.blockSignals(False)
        self.reload()

    def reload(self) -> None:
        if self.key is None:
            return
        if self._load is not None:
            self._load.cancel()
        self.loaded = False
        self._load = self.window_.run(self._fetch(*self.key, self.timeframe.currentText()))

    async def _fetch(self, venue: str, symbol: str, tf: str) -> None:
        rows = candle_array(await self.session.candles(venue, symbol, tf))
        if self.key != (venue, symbol) or self.timeframe.currentText() != tf:
            return
        self.history, self.forming = (rows[:-1], rows[-1].copy()) if len(rows) else (rows, None)
        self.caption.setText(f"{symbol} · {venue} · {tf}")
        self._redraw_history()
        self._redraw_forming()
        self.price.enableAutoRange()
        self.loaded = True

    def _on_trades(self, venue: str, symbol: str, trades) -> None:
        if (venue, symbol) != self.key or not self.loaded:
            return
        step = self.seconds
        closed = False
        for t in trades:
            bucket = (t.timestamp // 1000) // step * step
            p, a = float(t.price), float(t.amount)     # plotting boundary
            if self.forming is None or bucket > self.forming[0]:
                if self.forming is not None:
                    self.history = np.vstack([self.history, self.forming])
                    closed = True
                self.forming = np.array([bucket, p, p, p, p, a])
            elif bucket == self.forming[0]:
                f = self.forming
                f[2], f[3], f[4], f[5] = max(f[2], p), min(f[3], p), p, f[5] + a
        if closed:
            self._redraw_history()
        self._redraw_forming()

    # -- drawing -----------------------------------------------------------------------------
    def _redraw_history(self) -> None:
        h, w = self.history, self.seconds
        self.candles.set_candles(h, w)
        self.vol_bars.setOpts(x=h[:, 0], height=h[:, 5], width=w * 0.76,
                              brushes=[theme.up_color() if c >= o else theme.down_color()
                                       for o, c in zip(h[:, 1], h[:, 4])], pen=None)

    def _redraw_forming(self) -> None:
        f, w = self.forming, self.seconds
        self.live.set_candle(f, w)
        if f is None:
            self.vol_live.setOpts(x=[], height=[], width=w)
            return
        color = theme.up_color() if f[4] >= f[1] else theme.down_color()
        self.vol_live.setOpts(x=[f[0]], height=[f[5]], width=w * 0.76, brush=color, pen=None)
        self.last_line.setPos(f[4])
        self.last_line.setPen(pg.mkPen(color, style=pg.QtCore.Qt.PenStyle.DashLine))

    def restyle(self) -> None:
        """Redraw in the current theme's colours (after a theme change)."""
        self.vol_bars.setOpts(brush=theme.muted_color())
        if self.loaded:
            self._redraw_history()
            self._redraw_forming()

    def shutdown(self) -> None:
        if self._load is not None:
            self._load.cancel()


def build(window) -> ChartView:
    return ChartView(window)
