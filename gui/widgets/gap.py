"""A delegate that indents a left-aligned column that follows a right-aligned one, so that
"3,400.00" and "open" never read as one word. Only the text moves; the row highlight stays."""
from __future__ import annotations

from PySide6.QtWidgets import QStyledItemDelegate

__all__ = ["GapDelegate"]


class GapDelegate(QStyledItemDelegate):
    def __init__(self, parent=None, spaces: int = 2) -> None:
        super().__init__(parent)
        self.pad = " " * spaces

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        if option.text:
            option.text = self.pad + option.text
