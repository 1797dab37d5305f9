"""Keep secrets out of logs: every adapter registers its credentials here, and a logging filter
replaces any of them in a record's text with '***' before a handler writes it.

Install the filter on every handler that writes anywhere (the app does this for its log dock
and log file):  handler.addFilter(RedactingFilter())
"""
from __future__ import annotations

import logging
import threading

__all__ = ["register_secrets", "redact", "RedactingFilter", "install"]

_lock = threading.Lock()
_secrets: set[str] = set()
_MIN_LEN = 6   # shorter strings would blank out ordinary words; no real key is that short


def register_secrets(*values: str | None) -> None:
    with _lock:
        _secrets.update(v for v in values if v and len(v) >= _MIN_LEN)


def redact(text: str) -> str:
    if not _secrets:
        return text
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, "***")
    return text


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (arguments merged in) and exception text without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            message = record.getMessage()
            clean = redact(message)
            if clean != message:
                record.msg, record.args = clean, None
            if record.exc_info and record.exc_text is None:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact(record.exc_text)
        return True


def install(logger: logging.Logger | None = None) -> RedactingFilter:
    """Add the filter to every handler of `logger` (default: the root logger)."""
    f = RedactingFilter()
    for handler in (logger or logging.getLogger()).handlers:
        handler.addFilter(f)
    return f
