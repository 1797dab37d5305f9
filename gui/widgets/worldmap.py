"""A world map whose countries are coloured by a category, with a tooltip and a click each.

Plain equirectangular projection (longitude → x, latitude → −y), Antarctica left out. Country
outlines are cosmetic pens (one pixel at any zoom); dots and badges for countries too small to
draw keep their size on screen. The view fits the map to its size, keeping the aspect ratio.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem,
                               QGraphicsRectItem, QGraphicsScene, QGraphicsSimpleTextItem,
                               QGraphicsView)

from .. import theme

__all__ = ["WorldMap", "colors"]

_SKIP = {"Antarctica", "Fr. S. Antarctic Lands"}
_WORLD = QRectF(-170, -84, 350, 144)       # lon −170…180, lat 84…−60: every inhabited land


def colors() -> dict[str, QColor]:
    dark = theme.is_dark()
    pairs = {"adapter": ("#2fb171", "#1f9555"), "live": ("#4f8fd6", "#3a78c0"),
             "renamed": ("#d9a23a", "#d08d14"), "closed": ("#7c5a5e", "#caa5a8"),
             "none": ("#2c3139", "#dde1e6"), "border": ("#14171b", "#ffffff"),
             "hover": ("#f2f4f7", "#111417"), "selected": ("#ffd84a", "#1b5fb0")}
    return {k: QColor(v[0] if dark else v[1]) for k, v in pairs.items()}


class _Hoverable:
    """What a country's shape, dot or badge does with the mouse."""

    def setup(self, owner, country: str, tip: str) -> None:
        self.owner, self.country = owner, country
        self.setAcceptHoverEvents(True)
        self.setToolTip(tip)
        self.setCursor(Qt.CursorShape.PointingHandCursor if country else
                       Qt.CursorShape.ArrowCursor)

    def hoverEnterEvent(self, event) -> None:
        self.owner._hover(self, True)

    def hoverLeaveEvent(self, event) -> None:
        self.owner._hover(self, False)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.owner._click(self.country)
            event.accept()


class _Shape(_Hoverable, QGraphicsPathItem):
    pass


class _Dot(_Hoverable, QGraphicsEllipseItem):
    pass


class _Badge(_Hoverable, QGraphicsRectItem):
    pass


class WorldMap(QGraphicsView):
    clicked = Signal(str)          # a seed country, or "" (the sea, a country with no exchange)
    hovered = Signal(str)          # the country under the mouse ("" when none)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setMouseTracking(True)
        self.items_by_country: dict[str, QGraphicsItem] = {}
        self.category: dict[str, str] = {}
        self.selected = ""
        self._hovered: QGraphicsItem | None = None

    def build(self, data: dict, categories: dict[str, str], tips: dict[str, str],
              shape_names: dict[str, str], places: dict[str, tuple[float, float]]) -> None:
        """Draw every shape of `data`; seed countries (keys of `categories`) are coloured,
        found by `shape_names` (seed → map spelling) or drawn at `places` (lon, lat)."""
        scene = self.scene()
        scene.clear()
        self.items_by_country.clear()
        self.category = dict(categories)
        by_shape = {shape_names.get(c, c): c for c in categories}
        for country in data["countries"]:
            if country["name"] in _SKIP:
                continue
            path = QPainterPath()
            for ring in country["rings"]:
                pts = ring
                path.moveTo(pts[0], -pts[1])
                for i in range(2, len(pts), 2):
                    path.lineTo(pts[i], -pts[i + 1])
                path.closeSubpath()
            seed = by_shape.get(country["name"], "")
            item = _Shape(path)
            item.setup(self, seed, tips.get(seed) or f"{country['name']}: no exchange in the list")
            scene.addItem(item)
            if seed:
                self.items_by_country[seed] = item
        for seed, (lon, lat) in places.items():
            if seed == "EU":
                item = _Badge(QRectF(-11, -7, 22, 14))
                text = QGraphicsSimpleTextItem("EU", item)
                font = QFont()
                font.setPointSizeF(7.5)
                font.setBold(True)
                text.setFont(font)
                r = text.boundingRect()
                text.setPos(-r.width() / 2, -r.height() / 2)
            else:
                item = _Dot(QRectF(-4.5, -4.5, 9, 9))
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            item.setPos(QPointF(lon, -lat))
            item.setZValue(2)
            item.setup(self, seed, tips.get(seed, seed))
            scene.addItem(item)
            self.items_by_country[seed] = item
        scene.setSceneRect(_WORLD)
        self.restyle()
        self._fit()

    # -- looks ---------------------------------------------------------------------------------
    def restyle(self) -> None:
        c = colors()
        self.setBackgroundBrush(self.palette().base())
        border = QPen(c["border"], 0.8)
        border.setCosmetic(True)
        for item in self.scene().items():
            if not isinstance(item, _Hoverable):
                if isinstance(item, QGraphicsSimpleTextItem):
                    item.setBrush(QColor("#ffffff"))
                continue
            cat = self.category.get(item.country, "none")
            item.setBrush(QBrush(c[cat]))
            pen = QPen(border)
            if item.country and item.country == self.selected:
                pen = QPen(c["selected"], 2.8)
                pen.setCosmetic(True)
            elif item is self._hovered and item.country:
                pen = QPen(c["hover"], 1.6)
                pen.setCosmetic(True)
            item.setPen(pen)
            if isinstance(item, _Shape):     # an outlined country over its neighbours
                item.setZValue(1 if pen is not border else 0)

    def select(self, country: str) -> None:
        self.selected = country
        self.restyle()

    def color_of(self, country: str) -> QColor:
        item = self.items_by_country[country]
        return item.brush().color()

    # -- events --------------------------------------------------------------------------------
    def _hover(self, item, inside: bool) -> None:
        self._hovered = item if inside else None
        self.hovered.emit(item.country if inside else "")
        self.restyle()

    def _click(self, country: str) -> None:
        self.clicked.emit(country)

    def mousePressEvent(self, event) -> None:
        if self.itemAt(event.position().toPoint()) is None:
            self.clicked.emit("")          # the sea: clear
        super().mousePressEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit()

    def _fit(self) -> None:
        self.fitInView(_WORLD, Qt.AspectRatioMode.KeepAspectRatio)
