"""Desktop notifications: the system tray's balloon where there is a tray, always a log line."""
from __future__ import annotations

import logging

from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

__all__ = ["notify"]

log = logging.getLogger("gui.alerts")
_tray: list[QSystemTrayIcon] = []


def notify(title: str, text: str) -> bool:
    """Show `text`; True if a desktop notification was raised (the log line is always written)."""
    log.warning("%s: %s", title, text)
    if not QSystemTrayIcon.isSystemTrayAvailable():     # offscreen, some Wayland desktops
        return False
    if not _tray:
        app = QApplication.instance()
        icon = app.windowIcon()
        if icon.isNull():
            icon = app.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
        tray = QSystemTrayIcon(icon, app)
        tray.setToolTip("Exchange Atlas")
        tray.show()
        _tray.append(tray)
    _tray[0].showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 8000)
    return True
