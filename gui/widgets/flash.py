"""Keeps a flashing column fading: the model paints the tint (BackgroundRole), this repaints."""
from __future__ import annotations

import time

from PySide6.QtCore import QObject, QRect, QTimer

__all__ = ["FlashFade"]


class FlashFade(QObject):
    """While any flash is fading, repaints the visible part of `column` at 10 Hz (`last_move`
    of the model says when the latest move happened); nothing is signalled per row, and the
    rest of the table is not repainted for it. (A 600 ms fade in six steps reads as smooth, and
    a live board always has a flash fading: 20 Hz cost ~1 % of a core idle.)

    The tint itself is the model's BackgroundRole, drawn by Qt's own delegate: a Python
    delegate's paint() was a fifth of the board's full repaint after each re-sort."""

    def __init__(self, view, model: QObject, column: int, duration_ms: int) -> None:
        super().__init__(view)
        self.view = view
        self.model = model
        self.column = column
        self.duration_ms = duration_ms
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._repaint)
        self._timer.start()

    def _repaint(self) -> None:
        if (time.monotonic() - self.model.last_move) * 1000 < self.duration_ms + 100:
            refresh = getattr(self.view.model(), "refresh_column", None)
            if refresh is not None:         # a MirrorModel: it copies the new tints itself
                refresh(self.column)
                return
            x = self.view.columnViewportPosition(self.column)
            if x >= 0:
                port = self.view.viewport()
                port.update(QRect(x, 0, self.view.columnWidth(self.column), port.height()))
