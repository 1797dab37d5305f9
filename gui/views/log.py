"""Log dock: what the app and the adapters report (INFO and above), newest at the bottom."""
from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit

from exchanges.redact import RedactingFilter

__all__ = ["LogView", "build"]

WATCHED = ("gui", "exchanges")


class _Emitter(QObject):
    line = Signal(str)


class _Handler(logging.Handler):
    def __init__(self, emitter: _Emitter) -> None:
        super().__init__(logging.INFO)
        self.emitter = emitter

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
            self.emitter.line.emit(f"{stamp}  {record.levelname:<7} {record.getMessage()}")
        except Exception:
            self.handleError(record)


class LogView(QPlainTextEdit):
    def __init__(self) -> None:
        super().__init__()
        self.setReadOnly(True)
        self.setMaximumBlockCount(2000)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._emitter = _Emitter(self)
        self._emitter.line.connect(self.appendPlainText)
        self._handler = _Handler(self._emitter)
        self._handler.addFilter(RedactingFilter())     # no key or secret ever reaches the dock
        for name in WATCHED:
            logger = logging.getLogger(name)
            logger.addHandler(self._handler)
            if logger.level == logging.NOTSET or logger.level > logging.INFO:
                logger.setLevel(logging.INFO)

    def shutdown(self) -> None:
        for name in WATCHED:
            logging.getLogger(name).removeHandler(self._handler)


def build(window) -> LogView:
    return LogView()
