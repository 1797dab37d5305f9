"""Whether a view can be seen. A dock in a tab behind another stays `isVisible()` (Qt keeps it
shown, only covered), so a view that skips work while unseen asks for its visible region; the
window calls a view's `on_shown()` when its dock's tab comes to the front."""
from __future__ import annotations

from PySide6.QtWidgets import QWidget

__all__ = ["on_screen"]


def on_screen(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()
