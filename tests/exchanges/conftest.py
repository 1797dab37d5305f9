"""Secrets never leak: every test of the adapter suite runs under a scanner.

Each fake venue's test credentials (and the toy venue's) are known secrets. While a test runs,
every log record (all loggers, DEBUG and up), every error message the adapter layer builds, and
every file the test writes under its tmp_path are scanned for them; a hit fails that test.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil

import pytest

import exchanges.errors as E
import tests.fakes as fakes_pkg
from tests.exchanges import toy


def known_secrets() -> set[str]:
    found = {toy.SECRET, toy.KEY}
    for mod in pkgutil.iter_modules(fakes_pkg.__path__):
        if mod.name == "base":
            continue
        creds = getattr(importlib.import_module(f"tests.fakes.{mod.name}"), "CREDENTIALS", None)
        if creds is not None:
            found.update(s for s in creds.secrets() if s and len(s) >= 6)
    return found


SECRETS = known_secrets()


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.texts.append(text)


def hits(texts) -> list[str]:
    return [t[:200] for t in texts for s in SECRETS if s in t]


@pytest.fixture(autouse=True)
def no_secret_leaks(monkeypatch, request):
    collector = _Collector()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(collector)
    root.setLevel(logging.DEBUG)
    messages: list[str] = []
    original = E.ExchangeError.__init__

    def recording_init(self, exchange, message, **kw):
        original(self, exchange, message, **kw)
        messages.append(str(self))
    monkeypatch.setattr(E.ExchangeError, "__init__", recording_init)
    tmp = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    root.removeHandler(collector)
    root.setLevel(old_level)
    written = []
    if tmp is not None:
        written = [p.read_text(errors="replace") for p in tmp.rglob("*") if p.is_file()]
    leaked = hits(collector.texts) + hits(messages) + hits(written)
    assert not leaked, f"a secret leaked into logs/errors/files: {leaked[:3]}"
