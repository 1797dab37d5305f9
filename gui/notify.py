"""Desktop notifications: the system tray's balloon where there is a tray, always a log line;
and the alert sound."""
from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import QProcess
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

__all__ = ["notify", "play_sound"]

log = logging.getLogger("gui.alerts")
_tray: list[QSystemTrayIcon] = []

# The desktop's own alert sounds (freedesktop sound theme), played by the sound server's
# player: PySide6-Essentials has no QtMultimedia. Elsewhere the platform's beep.
_SOUNDS = ("/usr/share/sounds/freedesktop/stereo/message-new-instant.oga",
           "/usr/share/sounds/freedesktop/stereo/bell.oga")
_PLAYERS = ("pw-play", "paplay", "canberra-gtk-play")


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


def play_sound() -> str:
    """Play the alert sound without waiting for it; says how ("player", "beep" or "none")."""
    if QApplication.platformName() in ("offscreen", "minimal"):
        return "none"           # headless: nobody to hear it
    if sys.platform.startswith("linux"):
        sound = next((s for s in _SOUNDS if Path(s).is_file()), None)
        player = next((p for p in _PLAYERS if shutil.which(p)), None)
        if sound and player:
            args = ["--id", "message-new-instant"] if player == "canberra-gtk-play" else [sound]
            if QProcess.startDetached(player, args)[0]:
                return "player"
    QApplication.beep()
    return "beep"
