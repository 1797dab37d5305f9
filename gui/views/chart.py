"""Chart dock: candles over volume bars, with a crosshair, a last-price tag and open orders.

History comes from fetch_ohlcv when a symbol is selected or the timeframe changes; live trades
build the forming candle and close it into the history when its period ends. What arrives is
applied at most `REPAINT_MS` apart (a few repaints a second however busy the tape is), and not
at all while nothing changes.

Zooming and panning work in time only: the price and volume axes refit to the candles in view.
While "Live" is on the view follows the newest candle; a zoom or pan of the trader's turns it
off, and Live (or a double-click) goes back to the latest candles.
"""
from __future__ import annotations

import asyncio
import math
import time
from decimal import Decimal

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QFontDatabase, QPalette
from PySide6.QtWidgets import (QApplication, QComboBox, QGraphicsItem, QHBoxLayout, QLabel,
                               QPushButton, QVBoxLayout, QWidget)

from .. import format as fmt
from .. import theme
from ..widgets.axes import PriceAxis, VolumeAxis
from ..widgets.candles import CandlestickItem, FormingCandleItem, VolumeItem, candle_array

__all__ = ["ChartView", "build", "TIMEFRAMES", "timeframe_seconds", "REPAINT_MS"]

# Offered where the venue has them (the adapter's `timeframes`).
TIMEFRAMES = ("1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "12h", "1d", "1w")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
REPAINT_MS = 250            # live updates are drawn at most 4 times a second
LIVE_CANDLES = 120          # how many candles "Live" shows (fewer on a narrow chart)
CANDLE_PX = 6               # … at least this many pixels each


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
        self.following = True
        self.repaints = 0                   # applied live updates (tests count them)
        self._dirty: set[str] = set()
        self._setting_range = False
        self._orders: list = []
        self.order_lines: list[pg.InfiniteLine] = []
        self.market = None

        self.timeframe = QComboBox()
        self.timeframe.addItems(TIMEFRAMES)
        self.timeframe.setCurrentText("15m")
        self.timeframe.currentTextChanged.connect(lambda _: self.reload())
        self.caption = QLabel("")
        self.live_button = QPushButton("Live")
        self.live_button.setCheckable(True)
        self.live_button.setChecked(True)
        self.live_button.setToolTip("Follow the newest candle (zooming or panning stops it; "
                                    "double-click the chart to come back)")
        self.live_button.clicked.connect(lambda on: self.go_live() if on else
                                         self._set_following(False))
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.timeframe)
        top.addWidget(self.caption, 1)
        top.addWidget(self.live_button)

        self.plots = pg.GraphicsLayoutWidget()
        self.price_axis = PriceAxis("right")
        self.volume_axis = VolumeAxis("right")
        self.price = self.plots.addPlot(row=0, col=0, axisItems={
            "bottom": pg.DateAxisItem(), "right": self.price_axis})
        self.volume = self.plots.addPlot(row=1, col=0, axisItems={
            "bottom": pg.DateAxisItem(), "right": self.volume_axis})
        self.plots.ci.layout.setRowStretchFactor(0, 4)
        self.plots.ci.layout.setRowStretchFactor(1, 1)
        self.plots.ci.layout.setVerticalSpacing(0)
        self.price.setMinimumHeight(90)
        self.volume.setMinimumHeight(56)
        self.volume.setXLink(self.price)
        for plot in (self.price, self.volume):
            plot.showGrid(x=True, y=True, alpha=0.12)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.showAxis("right")
            plot.hideAxis("left")
            plot.getAxis("right").setWidth(76)
            for name in ("right", "bottom"):
                # the axes (and the grid they draw) as a pixmap until the range changes: a
                # forming candle's repaint then costs a blit, not the grid redrawn
                plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            vb = plot.getViewBox()
            vb.setMouseEnabled(x=True, y=False)        # time zooms; prices refit
            vb.sigRangeChangedManually.connect(lambda *_: self._set_following(False))
        price_vb = self.price.getViewBox()
        price_vb.enableAutoRange(y=True)
        price_vb.setAutoVisible(y=True)
        # The volume pane's height in steps of ~15 %: the forming candle's volume grows with
        # every trade, and a scale that moved with it would redraw the axis and grid each time.
        self.volume.getViewBox().disableAutoRange()
        price_vb.sigXRangeChanged.connect(lambda *_: self._fit_volume())
        self.price.getAxis("bottom").setStyle(showValues=False)
        self.price.getAxis("bottom").setHeight(0)
        self.candles = CandlestickItem()
        self.live = FormingCandleItem()
        self.vol_bars = VolumeItem()
        self.vol_live = VolumeItem(cached=False)
        self.price.addItem(self.candles)
        self.price.addItem(self.live)
        self.volume.addItem(self.vol_bars)
        self.volume.addItem(self.vol_live)
        self.last_line = pg.InfiniteLine(angle=0, movable=False)
        self.price.addItem(self.last_line, ignoreBounds=True)
        self.cross_v = [pg.InfiniteLine(angle=90, movable=False) for _ in range(2)]
        self.cross_h = pg.InfiniteLine(angle=0, movable=False)
        self.price.addItem(self.cross_v[0], ignoreBounds=True)
        self.volume.addItem(self.cross_v[1], ignoreBounds=True)
        self.price.addItem(self.cross_h, ignoreBounds=True)
        self._show_crosshair(False)
        # The candle's OHLCV over the top of the price pane (as charting tools do): it wraps
        # rather than being cut when the chart is narrow, and lets the pointer through.
        self.readout = QLabel(self.plots)
        self.readout.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.readout.setWordWrap(True)
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.price.getViewBox().sigResized.connect(lambda _vb: self._place_readout())
        self.mouse = pg.SignalProxy(self.plots.scene().sigMouseMoved, rateLimit=30,
                                    slot=lambda ev: self.hover(ev[0]))
        self.plots.viewport().installEventFilter(self)
        self.plots.scene().sigMouseClicked.connect(self._on_click)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._apply)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.plots)
        self.session.selected.connect(self._on_selected)
        self.session.trades.connect(self._on_trades)
        window.trading.orders.connect(self._on_orders)
        self.restyle()

    # -- data --------------------------------------------------------------------------------
    @property
    def seconds(self) -> int:
        return timeframe_seconds(self.timeframe.currentText())

    def _on_selected(self, venue: str, symbol: str) -> None:
        self.key = (venue, symbol)
        st = self.session.states.get(venue)
        self.market = st.markets.get(symbol) if st is not None else None
        self.price_axis.places = fmt.places(self.market.price_increment) if self.market else None
        offered = getattr(self.session.adapters.get(venue), "timeframes", None) or {}
        wanted = [tf for tf in TIMEFRAMES if not offered or tf in offered]
        current = self.timeframe.currentText()
        if wanted and wanted != [self.timeframe.itemText(i) for i in range(self.timeframe.count())]:
            self.timeframe.blockSignals(True)
            self.timeframe.clear()
            self.timeframe.addItems(wanted)
            self.timeframe.setCurrentText(current if current in wanted else wanted[0])
            self.timeframe.blockSignals(False)
        self._draw_orders()
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
        self.caption.setText(f"{symbol} · {venue}")
        self._dirty = {"history", "forming"}
        self._apply()
        self.go_live()
        self.loaded = True

    def _on_trades(self, venue: str, symbol: str, trades) -> None:
        if (venue, symbol) != self.key or not self.loaded:
            return
        step = self.seconds
        for t in trades:
            bucket = (t.timestamp // 1000) // step * step
            p, a = float(t.price), float(t.amount)     # plotting boundary
            if self.forming is None or bucket > self.forming[0]:
                if self.forming is not None:
                    self.history = np.vstack([self.history, self.forming])
                    self._dirty.add("history")
                self.forming = np.array([bucket, p, p, p, p, a])
            elif bucket == self.forming[0]:
                f = self.forming
                f[2], f[3], f[4], f[5] = max(f[2], p), min(f[3], p), p, f[5] + a
        self._dirty.add("forming")
        if not self._timer.isActive():
            self._timer.start(REPAINT_MS)

    def _on_orders(self, venue: str, orders: list) -> None:
        if self.key is not None and venue == self.key[0]:
            self._orders = orders
            self._draw_orders()

    # -- drawing -----------------------------------------------------------------------------
    def _apply(self) -> None:
        """Draw what changed since the last time (called at most every REPAINT_MS)."""
        dirty, self._dirty = self._dirty, set()
        if not dirty:
            return
        self.repaints += 1
        w = self.seconds
        if "history" in dirty:
            self.candles.set_rows(self.history, w)
            self.vol_bars.set_rows(self.history, w)
        f = self.forming
        self.live.set_candle(f, w)
        self.vol_live.set_rows(np.empty((0, 6)) if f is None else f, w)
        if f is not None:
            color = theme.up_color() if f[4] >= f[1] else theme.down_color()
            self.last_line.setPos(f[4])
            self.last_line.setPen(pg.mkPen(color, style=pg.QtCore.Qt.PenStyle.DashLine))
            self.price_axis.set_tag("last", f[4], color)
        else:
            self.price_axis.set_tag("last", None, theme.muted_color())
        if self.following:
            self._follow()
        self._fit_volume()
        if not self.cross_h.isVisible():
            self._show_readout(None)

    def _fit_volume(self) -> None:
        x0, x1 = self.price.getViewBox().viewRange()[0]
        w = self.seconds / 2
        h = self.history
        seen = h[(h[:, 0] >= x0 - w) & (h[:, 0] <= x1 + w), 5] if len(h) else h[:, 5]
        top = max(float(seen.max()) if len(seen) else 0.0,
                  float(self.forming[5]) if self.forming is not None else 0.0)
        if top <= 0:
            return
        nice = 10 ** (math.ceil(16 * math.log10(top * 1.02)) / 16)
        if abs(self.volume.getViewBox().viewRange()[1][1] / nice - 1) > 1e-6:
            self.volume.setYRange(0, nice, padding=0)

    def _span(self) -> tuple[float, float] | None:
        rows = self.history if self.forming is None else (
            np.vstack([self.history, self.forming]) if len(self.history) else
            self.forming.reshape(1, 6))
        if not len(rows):
            return None
        return rows[0, 0], rows[-1, 0]

    def _follow(self) -> None:
        """Keep the newest candle in view at the right, at the current zoom."""
        span = self._span()
        if span is None:
            return
        w = self.seconds
        lo, hi = self.price.getViewBox().viewRange()[0]
        width = hi - lo if hi > lo else LIVE_CANDLES * w
        right = span[1] + 2 * w
        if abs(hi - right) > w / 4:
            self._setting_range = True
            try:
                self.price.setXRange(right - width, right, padding=0)
            finally:
                self._setting_range = False

    def go_live(self) -> None:
        """Back to the newest candles, following them."""
        span = self._span()
        if span is not None:
            w = self.seconds
            right = span[1] + 2 * w
            fits = int(self.price.getViewBox().width()) // CANDLE_PX
            left = max(span[0] - w, right - max(30, min(LIVE_CANDLES, fits)) * w)
            self._setting_range = True
            try:
                self.price.setXRange(left, right, padding=0)
            finally:
                self._setting_range = False
        self.price.getViewBox().enableAutoRange(y=True)
        self._fit_volume()
        self._set_following(True)

    def _set_following(self, on: bool) -> None:
        if self._setting_range and not on:
            return
        self.following = on
        if self.live_button.isChecked() != on:
            self.live_button.setChecked(on)

    def _draw_orders(self) -> None:
        """A dashed line, labelled, at each open order of the shown symbol."""
        mine = [o for o in self._orders if self.key and o.symbol == self.key[1]
                and o.price is not None][:50]
        while len(self.order_lines) < len(mine):
            line = pg.InfiniteLine(angle=0, movable=False, label="",
                                   labelOpts={"position": 0.55})
            self.price.addItem(line, ignoreBounds=True)
            self.order_lines.append(line)
        pi = self.market.price_increment if self.market else None
        ai = self.market.amount_increment if self.market else None
        for line, o in zip(self.order_lines, mine):
            color = theme.up_color() if o.side == "buy" else theme.down_color()
            line.setPos(float(o.price))
            line.setPen(pg.mkPen(color, width=1, style=pg.QtCore.Qt.PenStyle.DashDotLine))
            line.label.setText(f"{o.side.capitalize()} {fmt.amount(o.remaining, ai)} "
                               f"@ {fmt.price(o.price, pi)}")
            # a sell's label above its line, a buy's below: close orders never overlap
            anchor = (0, 1) if o.side == "sell" else (0, 0)
            line.label.anchors = [anchor, anchor]
            line.label.updatePosition()
            line.label.setColor(color)
            line.setVisible(True)
        for line in self.order_lines[len(mine):]:
            line.setVisible(False)

    # -- the crosshair -----------------------------------------------------------------------
    def _show_crosshair(self, on: bool) -> None:
        for line in (*self.cross_v, self.cross_h):
            line.setVisible(on)
        if not on:
            self.price_axis.set_tag("cursor", None, theme.muted_color())

    def hover(self, pos: QPointF) -> None:
        """The pointer at scene position `pos`: crosshair, price tag and the candle's OHLCV."""
        over_price = self.price.sceneBoundingRect().contains(pos)
        over_volume = self.volume.sceneBoundingRect().contains(pos)
        if not (over_price or over_volume) or not len(self.history) and self.forming is None:
            self._show_crosshair(False)
            self._show_readout(None)
            return
        vb = (self.price if over_price else self.volume).getViewBox()
        point = vb.mapSceneToView(pos)
        for line in self.cross_v:
            line.setPos(point.x())
            line.setVisible(True)
        self.cross_h.setVisible(over_price)
        if over_price:
            self.cross_h.setPos(point.y())
            self.price_axis.set_tag("cursor", point.y(), theme.muted_color())
        else:
            self.price_axis.set_tag("cursor", None, theme.muted_color())
        self._show_readout(point.x())

    def candle_at(self, x: float | None) -> np.ndarray | None:
        """The candle under time `x` (the newest when None or past the end)."""
        if self.forming is not None and (x is None or x >= self.forming[0] - self.seconds / 2):
            return self.forming
        rows = self.history
        if not len(rows):
            return None
        if x is None:
            return rows[-1]
        i = int(np.clip(np.searchsorted(rows[:, 0], x - self.seconds / 2), 0, len(rows) - 1))
        return rows[i]

    def _set_readout(self, html: str) -> None:
        if self.readout.text() != html:
            self.readout.setText(html)
            self._place_readout()

    def _show_readout(self, x: float | None) -> None:
        row = self.candle_at(x)
        if row is None:
            self._set_readout("")
            return
        pi = self.market.price_increment if self.market else None

        def p(v):
            return fmt.price(Decimal(repr(float(v))), pi)
        color = (theme.up_color() if row[4] >= row[1] else theme.down_color()).name()
        stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(row[0]))
        change = (row[4] - row[1]) / row[1] * 100 if row[1] else 0.0
        self._set_readout(
            f"<span style='color:{theme.muted_color().name()}'>{stamp}</span>  "
            f"O {p(row[1])}  H {p(row[2])}  L {p(row[3])}  "
            f"C <span style='color:{color}'>{p(row[4])}</span> "
            f"<span style='color:{color}'>({fmt.number(Decimal(f'{change:.2f}'), 2)} %)</span>"
            f"  V {fmt.compact(Decimal(f'{row[5]:.8f}'))}")

    def _place_readout(self) -> None:
        vb = self.price.getViewBox()
        area = self.plots.mapFromScene(vb.sceneBoundingRect()).boundingRect()
        width = max(60, area.width() - 8)
        self.readout.setFixedWidth(width)
        self.readout.setFixedHeight(max(self.readout.heightForWidth(width),
                                        self.readout.fontMetrics().height()))
        self.readout.move(area.left() + 4, area.top() + 2)
        self.readout.setVisible(bool(self.readout.text()))
        self.readout.raise_()

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._show_crosshair(False)
            self._show_readout(None)
        return False

    def _on_click(self, event) -> None:
        if event.double():
            self.go_live()

    # -- theme -------------------------------------------------------------------------------
    def restyle(self) -> None:
        """Redraw in the current theme's colours (after a theme change)."""
        pal = QApplication.palette()
        base = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.Text)
        self.plots.setBackground(base)
        veil = QColor(base)
        veil.setAlpha(190)
        self.readout.setStyleSheet(f"QLabel {{ background: rgba({veil.red()}, {veil.green()}, "
                                   f"{veil.blue()}, {veil.alpha()}); color: {text.name()}; "
                                   f"padding: 0px 3px; }}")
        for plot in (self.price, self.volume):
            for name in ("right", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(theme.muted_color()))
                axis.setTextPen(pg.mkPen(text))
            plot.showGrid(x=True, y=True, alpha=0.12)
        muted = pg.mkPen(theme.muted_color(), style=pg.QtCore.Qt.PenStyle.DotLine)
        for line in (*self.cross_v, self.cross_h):
            line.setPen(muted)
        for item in (self.candles, self.vol_bars):
            item.restyle()
        self._dirty.add("forming")
        self._apply()
        self._draw_orders()

    def shutdown(self) -> None:
        self._timer.stop()
        if self._load is not None:
            self._load.cancel()


def build(window) -> ChartView:
    return ChartView(window)
