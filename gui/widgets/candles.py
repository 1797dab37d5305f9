"""Candlestick chart items for pyqtgraph.

`CandlestickItem` draws the closed candles once into a QPicture and `paint` replays it (the
pyqtgraph customGraphicsItem pattern); `FormingCandleItem` draws only the candle still forming,
so a tick costs one candle, not a redraw of the history. Coordinates are floats: this is the
plotting boundary where Decimal prices become float.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPicture

from .. import theme

__all__ = ["CandlestickItem", "FormingCandleItem", "candle_array"]


def candle_array(candles) -> np.ndarray:
    """[Candle] → float array with columns t (seconds), open, high, low, close, volume."""
    out = np.empty((len(candles), 6), dtype=float)
    for i, c in enumerate(candles):
        out[i] = (c.timestamp / 1000, float(c.open), float(c.high), float(c.low),
                  float(c.close), float(c.volume))
    return out


def _draw(painter: QPainter, rows: np.ndarray, width: float) -> None:
    up_pen, down_pen = pg.mkPen(theme.up_color(), width=0), pg.mkPen(theme.down_color(), width=0)
    up_brush, down_brush = pg.mkBrush(theme.up_color()), pg.mkBrush(theme.down_color())
    half = width * 0.38
    for t, o, h, lo, c, _v in rows:
        up = c >= o
        painter.setPen(up_pen if up else down_pen)
        painter.setBrush(up_brush if up else down_brush)
        painter.drawLine(QPointF(t, lo), QPointF(t, h))
        body = abs(c - o) or (h - lo) * 0.002 or 1e-12
        painter.drawRect(QRectF(t - half, min(o, c), half * 2, body))


class CandlestickItem(pg.GraphicsObject):
    def __init__(self) -> None:
        super().__init__()
        self._rows = np.empty((0, 6))
        self._width = 60.0
        self._picture = QPicture()
        self._bounds = QRectF()

    def set_candles(self, rows: np.ndarray, width: float) -> None:
        self._rows, self._width = rows, width
        self._picture = QPicture()
        painter = QPainter(self._picture)
        _draw(painter, rows, width)
        painter.end()
        if len(rows):
            self._bounds = QRectF(rows[0, 0] - width, rows[:, 3].min(),
                                  rows[-1, 0] - rows[0, 0] + 2 * width,
                                  rows[:, 2].max() - rows[:, 3].min())
        else:
            self._bounds = QRectF()
        self.prepareGeometryChange()
        self.update()

    def paint(self, painter, *args) -> None:
        self._picture.play(painter)

    def boundingRect(self) -> QRectF:
        return self._bounds


class FormingCandleItem(pg.GraphicsObject):
    def __init__(self) -> None:
        super().__init__()
        self._row: np.ndarray | None = None
        self._width = 60.0

    def set_candle(self, row, width: float) -> None:
        self.prepareGeometryChange()
        self._row = None if row is None else np.asarray(row, dtype=float)
        self._width = width
        self.update()

    def paint(self, painter, *args) -> None:
        if self._row is not None:
            _draw(painter, self._row.reshape(1, 6), self._width)

    def boundingRect(self) -> QRectF:
        if self._row is None:
            return QRectF()
        t, _o, h, lo, _c, _v = self._row
        return QRectF(t - self._width, lo, 2 * self._width, max(h - lo, 1e-12))
