"""Candles and volume bars for pyqtgraph.

A `SeriesItem` draws its rows once into a QPicture and `paint` replays it (the pyqtgraph
customGraphicsItem pattern), cached as a pixmap of the view until the view's scale changes; the
candle still forming is a second item of one row, so a live trade costs one candle, not a redraw
of the history. `dataBounds` answers for the rows in view only, so a plot set to auto-range its
price axis on what is visible refits while the trader zooms in time. Coordinates are floats: this
is the plotting boundary where Decimal prices become float.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPicture
from PySide6.QtWidgets import QGraphicsItem

from .. import theme

__all__ = ["SeriesItem", "CandlestickItem", "VolumeItem", "FormingCandleItem", "candle_array"]

T, O, H, L, C, V = range(6)


def candle_array(candles) -> np.ndarray:
    """[Candle] → float array with columns t (seconds), open, high, low, close, volume."""
    out = np.empty((len(candles), 6), dtype=float)
    for i, c in enumerate(candles):
        out[i] = (c.timestamp / 1000, float(c.open), float(c.high), float(c.low),
                  float(c.close), float(c.volume))
    return out


class SeriesItem(pg.GraphicsObject):
    """Rows (t, o, h, l, c, v) `width` seconds apart, drawn by `_draw`."""

    def __init__(self, cached: bool = True) -> None:
        super().__init__()
        self._rows = np.empty((0, 6))
        self._width = 60.0
        self._picture = QPicture()
        self._bounds = QRectF()
        if cached:
            self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    @property
    def rows(self) -> np.ndarray:
        return self._rows

    def set_rows(self, rows, width: float) -> None:
        rows = np.asarray(rows, dtype=float).reshape(-1, 6)
        self.prepareGeometryChange()
        self._rows, self._width = rows, width
        self._picture = QPicture()
        if len(rows):
            painter = QPainter(self._picture)
            self._draw(painter, rows, width)
            painter.end()
            lo, hi = self._span(rows)
            self._bounds = QRectF(rows[0, T] - width, lo, rows[-1, T] - rows[0, T] + 2 * width,
                                  max(hi - lo, 1e-12))
        else:
            self._bounds = QRectF()
        self.update()

    def restyle(self) -> None:
        self.set_rows(self._rows, self._width)

    def _span(self, rows: np.ndarray) -> tuple[float, float]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _draw(self, painter: QPainter, rows: np.ndarray, width: float) -> None:  # pragma: no cover
        raise NotImplementedError

    def paint(self, painter, *args) -> None:
        self._picture.play(painter)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):
        rows = self._rows
        if not len(rows):
            return None
        if ax == 0:
            return rows[0, T] - self._width / 2, rows[-1, T] + self._width / 2
        if orthoRange is not None and orthoRange[0] is not None:
            t = rows[:, T]
            lo = np.searchsorted(t, orthoRange[0] - self._width / 2)
            hi = np.searchsorted(t, orthoRange[1] + self._width / 2, side="right")
            rows = rows[lo:hi]
            if not len(rows):
                return None
        return self._span(rows)


class CandlestickItem(SeriesItem):
    def _span(self, rows):
        return float(rows[:, L].min()), float(rows[:, H].max())

    def _draw(self, painter, rows, width) -> None:
        up_pen, down_pen = pg.mkPen(theme.up_color(), width=0), pg.mkPen(theme.down_color(),
                                                                          width=0)
        up_brush, down_brush = pg.mkBrush(theme.up_color()), pg.mkBrush(theme.down_color())
        half = width * 0.38
        for t, o, h, lo, c, _v in rows:
            up = c >= o
            painter.setPen(up_pen if up else down_pen)
            painter.setBrush(up_brush if up else down_brush)
            painter.drawLine(QPointF(t, lo), QPointF(t, h))
            body = abs(c - o) or (h - lo) * 0.002 or 1e-12
            painter.drawRect(QRectF(t - half, min(o, c), half * 2, body))

    # The former one-candle item's interface, kept for its callers.
    def set_candles(self, rows, width: float) -> None:
        self.set_rows(rows, width)


class FormingCandleItem(CandlestickItem):
    """The candle still forming: one row, redrawn on each (rate-bounded) update."""

    def __init__(self) -> None:
        super().__init__(cached=False)

    def set_candle(self, row, width: float) -> None:
        self.set_rows(np.empty((0, 6)) if row is None else row, width)


class VolumeItem(SeriesItem):
    """Volume bars from zero, coloured by their candle's direction."""

    def _span(self, rows):
        return 0.0, float(rows[:, V].max())

    def _draw(self, painter, rows, width) -> None:
        up, down = pg.mkBrush(theme.up_color()), pg.mkBrush(theme.down_color())
        painter.setPen(pg.mkPen(None))
        half = width * 0.38
        for t, o, _h, _lo, c, v in rows:
            painter.setBrush(up if c >= o else down)
            painter.drawRect(QRectF(t - half, 0.0, half * 2, v))
