"""Chart axes that write numbers like the rest of the app, and carry price tags.

`PriceAxis` labels ticks through the one formatter (thousands separators, the locale's decimal
point, as many places as the tick spacing needs) and carries tags: the last price in its
candle's colour, the crosshair's price in grey. The tags are an item of their own over the axis,
so a new last price repaints a tag, not the axis and the grid it draws across the plot.
`VolumeAxis` writes volumes compactly (1.2K).
"""
from __future__ import annotations

import math
from decimal import Decimal

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QGraphicsObject

from .. import format as fmt

__all__ = ["PriceAxis", "VolumeAxis", "tick_places"]


def tick_places(spacing: float) -> int:
    """Decimal places that tell ticks `spacing` apart: 100 → 0, 0.5 → 1, 0.0002 → 4."""
    if not spacing or not math.isfinite(spacing) or spacing >= 1:
        return 0
    return min(10, max(0, math.ceil(-math.log10(spacing) - 1e-9)))


class _Tags(QGraphicsObject):
    """The tags of a PriceAxis, drawn over it in the axis's own coordinates."""

    def __init__(self, axis: "PriceAxis") -> None:
        super().__init__(axis)
        self.axis = axis
        self.setZValue(10)
        self._rect = QRectF()

    def fit(self) -> None:
        size = self.axis.size()           # the axis itself (its bounding rect has the grid)
        rect = QRectF(0, 0, size.width(), size.height())
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, p, *_args) -> None:
        axis, view = self.axis, self.axis.linkedView()
        if not axis.tags or view is None:
            return
        fm = QFontMetrics(axis.style.get("tickFont") or p.font())
        h = fm.height() + 2
        rect = self._rect
        for value, color, text in axis.tags.values():
            y = axis.mapFromScene(view.mapViewToScene(QPointF(0, value))).y()
            if not rect.top() <= y <= rect.bottom():
                continue
            box = QRectF(rect.left() + 1, y - h / 2, rect.width() - 1, h)
            p.fillRect(box, color)
            p.setPen(pg.mkPen("#ffffff" if color.lightnessF() < 0.62 else "#101214"))
            p.drawText(box.adjusted(4, 0, -2, 0),
                       int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)


class PriceAxis(pg.AxisItem):
    def __init__(self, orientation: str = "right", **kw) -> None:
        super().__init__(orientation, **kw)
        self.tags: dict[str, tuple[float, QColor, str]] = {}
        self.places: int | None = None      # the market's price places (tags use them)
        self._tags = _Tags(self)
        self.geometryChanged.connect(self._tags.fit)

    def linkToView(self, view) -> None:
        super().linkToView(view)
        view.sigYRangeChanged.connect(lambda *_: getattr(self, "_tags", None)
                                      and self._tags.update())

    def tickStrings(self, values, scale, spacing):
        places = tick_places(spacing * scale)
        return [fmt.number(Decimal(f"{v * scale:.{places}f}"), places) for v in values]

    def label_for(self, value: float) -> str:
        places = self.places if self.places is not None else 2
        return fmt.number(Decimal(f"{value:.{places}f}"), places)

    def set_tag(self, name: str, value: float | None, color: QColor, text: str = "") -> None:
        """Show (value None: remove) a tag named `name` at `value` on the axis."""
        old = self.tags.get(name)
        if value is None:
            if old is not None:
                del self.tags[name]
                self._tags.fit()
            return
        new = (value, QColor(color), text or self.label_for(value))
        if old != new:
            self.tags[name] = new
            self._tags.fit()


class VolumeAxis(pg.AxisItem):
    def tickStrings(self, values, scale, spacing):
        places = tick_places(spacing * scale)
        return [fmt.compact(Decimal(f"{v * scale:.8f}")) if abs(v * scale) >= 10_000
                else fmt.number(Decimal(f"{v * scale:.{places}f}"), places) for v in values]
