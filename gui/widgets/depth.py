"""Depth chart: cumulative bid and ask size as filled step lines around the mid price.

A glance, not a feed: the newest book is drawn at most every `REPAINT_MS` (the ladder above
it has every level at once)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QGraphicsItem

from .. import theme
from .axes import PriceAxis, VolumeAxis

__all__ = ["DepthChart", "step_xy", "centred", "REPAINT_MS"]

REPAINT_MS = 500


def step_xy(levels) -> tuple[np.ndarray, np.ndarray]:
    """[(price, amount)] best first → x, y of a step line of cumulative size (floats: plotting)."""
    if not levels:
        return np.empty(0), np.empty(0)
    prices = np.array([float(p) for p, _ in levels])
    cum = np.cumsum([float(a) for _, a in levels])
    # Each level holds its cumulative size until the next price: duplicate points make steps.
    x = np.repeat(prices, 2)[1:]
    y = np.repeat(cum, 2)[:-1]
    x = np.concatenate(([prices[0]], x))
    y = np.concatenate(([0.0], y))
    return x, y


def centred(bids, asks):
    """Both sides cut to the same distance from the mid price (that of the shallower side), so
    one far-away order (a user's resting bid) cannot squash the chart into a sliver."""
    if not bids or not asks:
        return bids, asks
    mid = (bids[0][0] + asks[0][0]) / 2
    reach = min(mid - bids[-1][0], asks[-1][0] - mid)
    return ([lv for lv in bids if mid - lv[0] <= reach],
            [lv for lv in asks if lv[0] - mid <= reach])


class DepthChart(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent, axisItems={"bottom": PriceAxis("bottom"),
                                            "left": VolumeAxis("left")})
        self.setMenuEnabled(False)
        self.showGrid(x=True, y=True, alpha=0.15)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.getAxis("left").setWidth(48)
        for name in ("left", "bottom"):
            self.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.bids = self.plot([], [], fillLevel=0)
        self.asks = self.plot([], [], fillLevel=0)
        self.pending = None
        self.repaints = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._apply)
        self.restyle()

    def restyle(self) -> None:
        """Colours from the current theme (called again when the theme changes)."""
        pal = QApplication.palette()
        self.setBackground(pal.color(QPalette.ColorRole.Base))
        for name in ("left", "bottom"):
            axis = self.getAxis(name)
            axis.setPen(pg.mkPen(theme.muted_color()))
            axis.setTextPen(pg.mkPen(pal.color(QPalette.ColorRole.Text)))
        for curve, color in ((self.bids, theme.up_color()), (self.asks, theme.down_color())):
            fill = pg.mkColor(color)
            fill.setAlpha(60)
            curve.setPen(pg.mkPen(color, width=1.5))
            curve.setBrush(fill)

    def set_book(self, book) -> None:
        self.pending = book
        if not self._timer.isActive():
            self._timer.start(REPAINT_MS)

    def _apply(self) -> None:
        book, self.pending = self.pending, None
        if book is None:
            return
        self.repaints += 1
        bids, asks = centred(book.bids, book.asks)
        self.bids.setData(*step_xy(bids))
        self.asks.setData(*step_xy(asks))

    def clear_book(self) -> None:
        self.pending = None
        self._timer.stop()
        self.bids.setData([], [])
        self.asks.setData([], [])
