"""The demo account kept across restarts, in the app's data folder (demo-account.json).

When the demo venue opens, the saved account is handed to it before it is first used (balances,
orders, where each market's price stood); while it runs, the account is written after each
account update that changed it, and once more when the app closes. A file that cannot be read
is kept aside and the demo starts fresh, saying so. "Reset demo account" goes back to the
starting funds.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QObject

from .settings import data_dir, read_json, write_json_atomic

__all__ = ["DemoAccountStore", "path"]

log = logging.getLogger("gui.demo")

VENUE = "demo"


def path() -> Path:
    return data_dir() / "demo-account.json"


class DemoAccountStore(QObject):
    def __init__(self, window, where: Path | None = None) -> None:
        super().__init__(window)
        self.window_ = window
        self.session = window.session
        self.where = where or path()
        self._written = ""
        self.enabled = True          # off for the headless runs (--screenshot, --self-test)
        self.session.venue_opened.connect(self._on_opened)
        window.trading.orders.connect(self._on_account)
        window.trading.balances.connect(self._on_account)

    def adapter(self):
        if not self.enabled:
            return None
        adapter = self.session.adapters.get(VENUE)
        return adapter if hasattr(adapter, "account_state") else None

    def _on_opened(self, venue: str) -> None:
        adapter = self.adapter() if venue == VENUE else None
        if adapter is None:
            return
        state = read_json(self.where, None)
        if state is None:
            return
        try:
            adapter.restore_account(state)
        except (ValueError, KeyError, TypeError) as exc:
            aside = self.where.with_name(self.where.name + ".unreadable")
            self.where.replace(aside)
            self.window_.say(f"The saved demo account could not be read ({exc}); it is kept as"
                             f" {aside.name} and the demo starts with fresh funds",
                             logging.WARNING)
            return
        except Exception as exc:               # already in use: nothing lost, nothing restored
            log.warning("demo account not restored: %s", exc)
            return
        log.info("demo account restored from %s", self.where)

    def _on_account(self, venue: str, _data) -> None:
        if venue == VENUE:
            self.save()

    def save(self, force: bool = False) -> bool:
        """Write the account if it changed since the last write (`force`: also when only the
        prices moved, as at closing); True if written."""
        adapter = self.adapter()
        if adapter is None or getattr(adapter, "_sim", None) is None:
            return False
        state = adapter.account_state()
        # the prices move every step: by themselves they are written only when forced
        account = json.dumps({k: v for k, v in state.items() if k not in ("mids", "saved_at")},
                             sort_keys=True)
        if account == self._written and not force:
            return False
        try:
            write_json_atomic(self.where, state)
        except OSError as exc:
            log.warning("the demo account could not be saved to %s: %s", self.where, exc)
            return False
        self._written = account
        return True

    def reset(self) -> None:
        adapter = self.adapter()
        if adapter is None:
            self.window_.say("Open the demo venue first (File → Connect demo venue)")
            return
        adapter.reset_account()
        self.save(force=True)
        self.window_.trading.refresh(VENUE)
        self.window_.say("Demo account reset: starting funds, no orders")
