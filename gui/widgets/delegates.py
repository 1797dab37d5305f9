"""Item delegates that paint a little more than text (depth bars behind book totals)."""
from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QStyledItemDelegate

from .. import theme

__all__ = ["DepthBarDelegate"]


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
