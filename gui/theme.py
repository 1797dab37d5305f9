"""Dark and light palettes (Fusion style), following the system colour scheme by default."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

__all__ = ["apply", "is_dark", "up_color", "down_color", "muted_color", "warn_color",
           "MODES"]

MODES = ("system", "dark", "light")
_state = {"dark": False}

_DARK = {
    QPalette.ColorRole.Window: "#1e2126", QPalette.ColorRole.WindowText: "#d8dce2",
    QPalette.ColorRole.Base: "#16181c", QPalette.ColorRole.AlternateBase: "#1c1f24",
    QPalette.ColorRole.Text: "#d8dce2", QPalette.ColorRole.Button: "#262a30",
    QPalette.ColorRole.ButtonText: "#d8dce2", QPalette.ColorRole.Highlight: "#2f5d8a",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#262a30",
    QPalette.ColorRole.ToolTipText: "#d8dce2", QPalette.ColorRole.PlaceholderText: "#7b828c",
    QPalette.ColorRole.Link: "#5aa0e6", QPalette.ColorRole.Mid: "#3a3f47",
    QPalette.ColorRole.Dark: "#101214", QPalette.ColorRole.Light: "#3a3f47",
}
_LIGHT = {
    QPalette.ColorRole.Window: "#eef0f3", QPalette.ColorRole.WindowText: "#1b1f24",
    QPalette.ColorRole.Base: "#ffffff", QPalette.ColorRole.AlternateBase: "#f5f6f8",
    QPalette.ColorRole.Text: "#1b1f24", QPalette.ColorRole.Button: "#e4e7eb",
    QPalette.ColorRole.ButtonText: "#1b1f24", QPalette.ColorRole.Highlight: "#3d7fc4",
    QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#ffffe8",
    QPalette.ColorRole.ToolTipText: "#1b1f24", QPalette.ColorRole.PlaceholderText: "#8a9099",
    QPalette.ColorRole.Link: "#1f6fbf",
}


def _palette(colors: dict, dark: bool) -> QPalette:
    pal = QPalette()
    for role, value in colors.items():
        pal.setColor(role, QColor(value))
    grey = QColor("#6b717a" if dark else "#9aa0a8")
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):
        pal.setColor(QPalette.ColorGroup.Disabled, role, grey)
    # disabled surfaces in this theme's own colours (Qt's defaults are a light theme's)
    for role in (QPalette.ColorRole.Button, QPalette.ColorRole.Base, QPalette.ColorRole.Window):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(colors[role]))
    return pal


def system_is_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply(app, mode: str = "system") -> bool:
    """Style `app` as `mode` ("system", "dark", "light"); returns whether it is dark now."""
    dark = system_is_dark() if mode == "system" else mode == "dark"
    _state["dark"] = dark
    app.setStyle("Fusion")
    colors = _DARK if dark else _LIGHT
    app.setPalette(_palette(colors, dark))
    import pyqtgraph as pg      # charts created from now on follow the palette
    pg.setConfigOptions(background=colors[QPalette.ColorRole.Base],
                        foreground=colors[QPalette.ColorRole.Text], antialias=True)
    return dark


def is_dark() -> bool:
    return _state["dark"]


def up_color() -> QColor:
    return QColor("#26b36b" if _state["dark"] else "#0f8a4a")


def down_color() -> QColor:
    return QColor("#e5484d" if _state["dark"] else "#c9302c")


def flash_color(flash, duration_ms: int, now: float | None = None) -> QColor | None:
    """The tint behind a price that moved, for a (direction, moved_at) flash: strong at once,
    gone after `duration_ms`."""
    if not flash:
        return None
    direction, at = flash
    age = ((time.monotonic() if now is None else now) - at) * 1000
    if age >= duration_ms or age < 0:
        return None
    color = up_color() if direction > 0 else down_color()
    color.setAlpha(int(120 * (1 - age / duration_ms)) + 10)
    return color


def muted_color() -> QColor:
    return QColor("#6b717a" if _state["dark"] else "#9aa0a8")


def warn_color() -> QColor:
    """Amber: a warning, a stale feed, a state in between."""
    return QColor("#d19a2a" if _state["dark"] else "#a86b00")
