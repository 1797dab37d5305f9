"""Watchlist items and their alerts, without Qt: rules, evaluation, JSON persistence.

An item is a symbol on one venue ("BTC/USD@demo"), or a pair across every venue that lists it
("BTC/USD@any venue", venue `ANY`: BTC/USDT and BTC/USDC count as BTC/USD there). Rules:

    above X / below X         a venue's last price at or beyond X
    move P% in W              a venue's last price moved P % from the oldest price of the window
    spread X bp (A ↔ B)       selling at one venue's bid and buying at the other's ask would earn
                              more than X basis points after both taker fees (cross-venue items;
                              A ↔ B both "*": any two venues)
    any venue P% in W         any venue listing the pair moved P % within W (cross-venue items)

A rule fires when its condition becomes true (also on the first price if it already is). Then it
stays quiet: for good if its `rearm` is None ("once"), else until the measure has come back past
the threshold by the `rearm` margin (a price for above/below, percentage points for moves, basis
points for spreads). A margin of 0 re-arms as soon as the condition is false, as the first
versions of the watchlist did; their saved rules load that way.

The list is saved as JSON with `settings.write_json_atomic`; a file that cannot be read, or
whose content is not a watchlist, is moved aside and the list starts empty.
"""
from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from exchanges.crossvenue import edge_bps, quote_family
from exchanges.numbers import dec, user_decimal

from .settings import data_dir, read_json, write_json_atomic

__all__ = ["Rule", "Item", "load", "save", "path", "KINDS", "CROSS_KINDS", "ANY", "matches"]

log = logging.getLogger("gui.watchlist")

KINDS = ("above", "below", "move", "spread", "anymove")
CROSS_KINDS = frozenset({"spread", "anymove"})     # only on cross-venue (ANY) items
ANY = "*"
FILENAME = "watchlist.json"
VERSION = 2
_ZERO = Decimal(0)


def matches(pair: str, symbol: str) -> bool:
    """Whether a venue's `symbol` is the cross-venue `pair` (BTC/USDT is BTC/USD)."""
    base, _, quote = pair.partition("/")
    b, _, q = symbol.partition("/")
    return b == base and q in quote_family(quote)


@dataclass(slots=True)
class Rule:
    kind: str                       # one of KINDS
    value: Decimal                  # price (above/below), percent (moves), bp (spread)
    window: int = 300               # seconds, for moves
    venues: tuple[str, str] = (ANY, ANY)    # spread: the two venues (ANY, ANY: any two)
    rearm: Decimal | None = _ZERO   # None: fire once; else the margin that re-arms it
    armed: bool = True
    fired: int = 0                  # times fired since added or loaded
    watch: str | None = None        # anymove: the venue that fired, watched for re-arming

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown alert kind {self.kind!r}")
        what = {"spread": "the spread in basis points"}.get(self.kind, "the alert's value")
        self.value = user_decimal(self.value, what)
        if self.kind in ("move", "anymove") and int(self.window) <= 0:
            raise ValueError("the window must be a positive number of seconds")
        self.window = int(self.window)
        self.venues = tuple(self.venues)
        if self.kind == "spread" and self.venues[0] != ANY and self.venues[0] == self.venues[1]:
            raise ValueError("a spread needs two different venues")
        if self.rearm is not None:
            margin = self.rearm if isinstance(self.rearm, Decimal) else dec(self.rearm)
            if not margin.is_finite() or margin < 0:
                raise ValueError(f"the re-arm margin must be zero or more, not {self.rearm}")
            self.rearm = margin

    def _span(self) -> str:
        minutes = self.window / 60
        return f"{minutes:g} min" if self.window % 60 == 0 else f"{self.window} s"

    def describe(self) -> str:
        if self.kind == "above":
            text = f"≥ {self.value:,f}"
        elif self.kind == "below":
            text = f"≤ {self.value:,f}"
        elif self.kind == "move":
            text = f"±{self.value:f}% in {self._span()}"
        elif self.kind == "anymove":
            text = f"any venue ±{self.value:f}% in {self._span()}"
        else:
            pair = "any two venues" if self.venues[0] == ANY else " ↔ ".join(self.venues)
            text = f"spread > {self.value:f} bp ({pair})"
        if self.rearm is None:
            return text + (" · fired" if self.fired else " · once")
        return text + (f" · re-arm {self.rearm:f}" if self.rearm else "")

    def to_json(self) -> dict:
        d = {"kind": self.kind, "value": str(self.value),
             "rearm": None if self.rearm is None else str(self.rearm)}
        if self.kind in ("move", "anymove"):
            d["window"] = self.window
        if self.kind == "spread":
            d["venues"] = list(self.venues)
        return d

    @classmethod
    def from_json(cls, raw: dict) -> Rule:
        # Files of version 1 have no "rearm": their rules re-armed at once (a margin of 0).
        rearm = raw["rearm"] if "rearm" in raw else "0"
        return cls(raw["kind"], raw["value"], raw.get("window", 300),
                   tuple(raw.get("venues", (ANY, ANY))), None if rearm is None else rearm)

    # -- the re-arming rule, once for every kind ----------------------------------------------
    def check(self, measure: Decimal, hit: bool, back: Decimal) -> bool:
        """Whether to fire now. `hit`: the condition holds; `back`: how far the measure is back
        on the quiet side of the threshold (negative while it is not)."""
        if hit:
            if self.armed:
                self.armed = False
                self.fired += 1
                return True
            return False
        if not self.armed and self.rearm is not None and back >= self.rearm:
            self.armed = True
        return False


@dataclass(slots=True)
class Item:
    venue: str                      # a venue id, or ANY: the pair across every venue
    symbol: str
    rules: list[Rule] = field(default_factory=list)
    last: Decimal | None = None
    history: deque = field(default_factory=deque)    # (monotonic seconds, price) for moves
    quotes: dict = field(default_factory=dict)       # ANY: venue → (bid, ask, last)
    histories: dict = field(default_factory=dict)    # ANY: venue → deque of (seconds, price)
    edge: Decimal | None = None                      # ANY: the widest spread after fees, bp

    @property
    def key(self) -> tuple[str, str]:
        return (self.venue, self.symbol)

    @property
    def cross(self) -> bool:
        return self.venue == ANY

    @property
    def label(self) -> str:
        return f"{self.symbol}@{'any venue' if self.cross else self.venue}"

    # -- one venue ------------------------------------------------------------------------------
    def observe(self, price: Decimal, now: float | None = None) -> list[str]:
        """Record a price of a one-venue item; return the words of every alert it fires."""
        now = time.monotonic() if now is None else now
        self.last = price
        _remember(self.history, now, price, self._horizon())
        fired: list[str] = []
        for rule in self.rules:
            text = self._check(rule, price, now)
            if text:
                fired.append(text)
        return fired

    def _horizon(self) -> int:
        return max((r.window for r in self.rules if r.kind in ("move", "anymove")), default=0)

    def _check(self, rule: Rule, price: Decimal, now: float) -> str | None:
        if rule.kind in ("above", "below"):
            up = rule.kind == "above"
            hit = price >= rule.value if up else price <= rule.value
            back = (rule.value - price) if up else (price - rule.value)
            if not rule.check(price, hit, back):
                return None
            word = "rose to" if up else "fell to"
            return f"{self.label} {word} {price:,f} ({rule.describe()})"
        if rule.kind != "move":
            return None
        change = _change(self.history, now, rule.window, price)
        if change is None:
            return None
        hit = abs(change) >= rule.value
        if not rule.check(change, hit, rule.value - abs(change)):
            return None
        # Measure the next move from here: the same move must not fire again on every tick.
        self.history.clear()
        self.history.append((now, price))
        return (f"{self.label} moved {change:+.2f}% in {rule._span()} to {price:,f} "
                f"({rule.describe()})")

    # -- every venue ----------------------------------------------------------------------------
    def observe_venue(self, venue: str, ticker, now: float,
                      fee_of: Callable[[str], Decimal]) -> list[str]:
        """Record a cross-venue item's ticker from `venue`; return the alerts it fires."""
        self.quotes[venue] = (ticker.bid, ticker.ask, ticker.last)
        fired: list[str] = []
        if ticker.last is not None:
            hist = self.histories.setdefault(venue, deque())
            _remember(hist, now, ticker.last, self._horizon())
            for rule in self.rules:
                if rule.kind == "anymove":
                    text = self._any_move(rule, venue, hist, ticker.last, now)
                    if text:
                        fired.append(text)
        spreads = [r for r in self.rules if r.kind == "spread"]
        if spreads or not self.rules:
            self.edge = None
        for rule in spreads:
            best = self._widest(rule.venues, fee_of)
            if best is None:
                continue
            edge, sell, bid, buy, ask = best
            if rule.venues[0] == ANY:
                self.edge = edge if self.edge is None else max(self.edge, edge)
            else:
                self.edge = edge
            if rule.check(edge, edge > rule.value, rule.value - edge):
                fired.append(f"{self.symbol}: sell {sell} at {bid:,f}, buy {buy} at {ask:,f}: "
                             f"{edge:+.1f} bp after fees ({rule.describe()})")
        return fired

    def _any_move(self, rule: Rule, venue: str, hist: deque, price: Decimal, now: float
                  ) -> str | None:
        if not rule.armed and rule.watch not in (None, venue):
            return None         # waiting for the venue that fired to come back
        change = _change(hist, now, rule.window, price)
        if change is None:
            return None
        hit = abs(change) >= rule.value
        if not rule.check(change, hit, rule.value - abs(change)):
            return None
        rule.watch = venue
        hist.clear()
        hist.append((now, price))
        return (f"{self.symbol}@{venue} moved {change:+.2f}% in {rule._span()} to {price:,f} "
                f"({rule.describe()})")

    def _widest(self, venues: tuple[str, str], fee_of):
        """(edge bp, sell venue, its bid, buy venue, its ask) of the best way round between
        `venues` (or any two), after both fees; None until both have quotes."""
        names = list(self.quotes) if venues[0] == ANY else list(venues)
        best = None
        for sell in names:
            bid = self.quotes.get(sell, (None, None, None))[0]
            if not bid:
                continue
            for buy in names:
                ask = self.quotes.get(buy, (None, None, None))[1]
                if buy == sell or not ask:
                    continue
                edge = edge_bps(bid, fee_of(sell), ask, fee_of(buy))
                if best is None or edge > best[0]:
                    best = (edge, sell, bid, buy, ask)
        return best

    def to_json(self) -> dict:
        return {"venue": self.venue, "symbol": self.symbol,
                "rules": [r.to_json() for r in self.rules]}


def _remember(hist: deque, now: float, price: Decimal, horizon: int) -> None:
    hist.append((now, price))
    while hist and now - hist[0][0] > horizon:
        hist.popleft()


def _change(hist: deque, now: float, window: int, price: Decimal) -> Decimal | None:
    """Percent change from the oldest price still inside `window` seconds."""
    start = next((p for t, p in hist if now - t <= window), None)
    if start is None or not start:
        return None
    return (price - start) * 100 / start


def path() -> Path:
    return data_dir() / FILENAME


def _parse(data) -> list[Item]:
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ValueError("not a watchlist")
    items = []
    for raw in data["items"]:
        rules = [Rule.from_json(r) for r in raw.get("rules", [])]
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
