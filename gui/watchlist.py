"""Watchlist items and their price alerts, without Qt: rules, evaluation, JSON persistence.

A rule is "above X", "below X" or "move P% within W seconds". A rule fires when its condition
becomes true (also on the first price if it already is), then stays quiet until the condition
has been false again (above/below) or for the next window (move), so one crossing is one alert.
The list is saved as JSON with `settings.write_json_atomic`; a file that cannot be read, or
whose content is not a watchlist, is moved aside and the list starts empty.
"""
from __future__ import annotations

import logging
import os
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from exchanges.numbers import user_decimal

from .settings import data_dir, read_json, write_json_atomic

__all__ = ["Rule", "Item", "load", "save", "path", "KINDS"]

log = logging.getLogger("gui.watchlist")

KINDS = ("above", "below", "move")
FILENAME = "watchlist.json"
VERSION = 1


@dataclass(slots=True)
class Rule:
    kind: str                       # above | below | move
    value: Decimal                  # price for above/below, percent for move
    window: int = 300               # seconds, for move
    armed: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown alert kind {self.kind!r}")
        self.value = user_decimal(self.value, "the alert's value")
        if self.kind == "move" and int(self.window) <= 0:
            raise ValueError("the window must be a positive number of seconds")
        self.window = int(self.window)

    def describe(self) -> str:
        if self.kind == "above":
            return f"≥ {self.value:,f}"
        if self.kind == "below":
            return f"≤ {self.value:,f}"
        minutes = self.window / 60
        span = f"{minutes:g} min" if self.window % 60 == 0 else f"{self.window} s"
        return f"±{self.value:f}% in {span}"

    def to_json(self) -> dict:
        d = {"kind": self.kind, "value": str(self.value)}
        if self.kind == "move":
            d["window"] = self.window
        return d


@dataclass(slots=True)
class Item:
    venue: str
    symbol: str
    rules: list[Rule] = field(default_factory=list)
    last: Decimal | None = None
    history: deque = field(default_factory=deque)    # (monotonic seconds, price) for moves

    @property
    def key(self) -> tuple[str, str]:
        return (self.venue, self.symbol)

    @property
    def label(self) -> str:
        return f"{self.symbol}@{self.venue}"

    def observe(self, price: Decimal, now: float | None = None) -> list[str]:
        """Record a price; return the words of every alert it fires."""
        now = time.monotonic() if now is None else now
        previous, self.last = self.last, price
        fired: list[str] = []
        horizon = max((r.window for r in self.rules if r.kind == "move"), default=0)
        self.history.append((now, price))
        while self.history and now - self.history[0][0] > horizon:
            self.history.popleft()
        for rule in self.rules:
            text = self._check(rule, price, previous, now)
            if text:
                fired.append(text)
        return fired

    def _check(self, rule: Rule, price: Decimal, previous, now: float) -> str | None:
        if rule.kind in ("above", "below"):
            hit = price >= rule.value if rule.kind == "above" else price <= rule.value
            if not hit:
                rule.armed = True
                return None
            if not rule.armed:
                return None
            rule.armed = False
            word = "rose to" if rule.kind == "above" else "fell to"
            return f"{self.label} {word} {price:,f} ({rule.describe()})"
        # move: compare with the oldest price still inside the rule's window
        start = next((p for t, p in self.history if now - t <= rule.window), None)
        if start is None or not start:
            return None
        change = (price - start) * 100 / start
        if abs(change) < rule.value:
            return None
        # Start the next window afresh: the same move must not fire again on every tick.
        self.history.clear()
        self.history.append((now, price))
        span = rule.describe().split(" in ", 1)[1]
        return f"{self.label} moved {change:+.2f}% in {span} to {price:,f} ({rule.describe()})"

    def to_json(self) -> dict:
        return {"venue": self.venue, "symbol": self.symbol,
                "rules": [r.to_json() for r in self.rules]}


def path() -> Path:
    return data_dir() / FILENAME


def _parse(data) -> list[Item]:
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ValueError("not a watchlist")
    items = []
    for raw in data["items"]:
        rules = [Rule(r["kind"], r["value"], r.get("window", 300)) for r in raw.get("rules", [])]
        items.append(Item(str(raw["venue"]), str(raw["symbol"]), rules))
    return items


def load(where: Path | None = None) -> tuple[list[Item], str | None]:
    """The saved watchlist and, if the file had to be moved aside, a message saying so."""
    where = where or path()
    existed = where.exists()
    data = read_json(where, None)
    if data is None:
        if existed and not where.exists():
            return [], (f"The watchlist file could not be read; it was kept aside as "
                        f"{_aside_name(where)} and the watchlist starts empty.")
        return [], None
    try:
        return _parse(data), None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        aside = where.with_name(f"{where.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        os.replace(where, aside)
        log.warning("%s is not a watchlist (%s); kept it as %s and started empty",
                    where.name, exc, aside.name)
        return [], (f"The watchlist file was not a watchlist; it was kept aside as "
                    f"{aside.name} and the watchlist starts empty.")


def _aside_name(where: Path) -> str:
    found = sorted(where.parent.glob(f"{where.name}.corrupt-*"))
    return found[-1].name if found else f"{where.name}.corrupt-…"


def save(items: list[Item], where: Path | None = None) -> None:
    write_json_atomic(where or path(), {"version": VERSION,
                                        "items": [i.to_json() for i in items]})
