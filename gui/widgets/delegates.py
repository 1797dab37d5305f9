"""Item delegates that paint a little more than text (depth bars behind book totals)."""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, QRect, QRectF, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QStyledItemDelegate

from .. import theme

__all__ = ["DepthBarDelegate", "FlashDelegate", "flash_color"]


class DepthBarDelegate(QStyledItemDelegate):
    """Paints the row's depth fraction (model role `role`) as a tinted bar, then the text.
    Bids grow from the right edge toward the left, asks from the left edge."""

    def __init__(self, role: int, bid: bool, parent=None) -> None:
        super().__init__(parent)
        self.role = role
        self.bid = bid

    def paint(self, painter, option, index) -> None:
        frac = index.data(self.role)
        if frac:
            color = QColor(theme.up_color() if self.bid else theme.down_color())
            color.setAlpha(55)
            r = QRectF(option.rect)
            w = r.width() * min(max(frac, 0.0), 1.0)
            bar = QRectF(r.right() - w, r.top() + 1, w, r.height() - 2) if self.bid else \
                QRectF(r.left(), r.top() + 1, w, r.height() - 2)
            painter.fillRect(bar, color)
        super().paint(painter, option, index)


def flash_color(flash, duration_ms: int, now: float | None = None) -> QColor | None:
    """The tint for a (direction, moved_at) flash: strong at once, gone after `duration_ms`."""
    if not flash:
        return None
    direction, at = flash
    age = ((time.monotonic() if now is None else now) - at) * 1000
    if age >= duration_ms or age < 0:
        return None
    color = QColor(theme.up_color() if direction > 0 else theme.down_color())
    color.setAlpha(int(120 * (1 - age / duration_ms)) + 10)
    return color


class FlashDelegate(QStyledItemDelegate):
    """Paints a fading green/red behind a cell whose value just moved (model role `role`).

    While any flash is fading, the visible part of `column` is repainted at 10 Hz
    (`last_move` of the model says when the latest move happened); nothing is signalled per
    row, and the rest of the table is not repainted for it. (A 600 ms fade in six steps reads
    as smooth, and a live board always has a flash fading: 20 Hz cost ~1 % of a core idle.)"""

    def __init__(self, role: int, duration_ms: int, view, model: QObject, column: int) -> None:
        super().__init__(view)
        self.column = column
        self.role = role
        self.duration_ms = duration_ms
        self.view = view
        self.model = model
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._repaint)
        self._timer.start()

    def _repaint(self) -> None:
        if (time.monotonic() - self.model.last_move) * 1000 < self.duration_ms + 100:
            x = self.view.columnViewportPosition(self.column)
            if x >= 0:
                port = self.view.viewport()
                port.update(QRect(x, 0, self.view.columnWidth(self.column), port.height()))

    def paint(self, painter, option, index) -> None:
        color = flash_color(index.data(self.role), self.duration_ms)
        if color is not None:
            painter.fillRect(option.rect, color)
        super().paint(painter, option, index)
