"""What the exchange map shows, without Qt: each seed country's shape or place, and what its
exchanges are today, from the registry (seed table + venues.tsv).

A country's colour is the best its exchanges offer a trader, in this order: live with an
adapter (a renamed id whose successor has one counts here: `gdax` opens Coinbase), live without
an adapter, renamed (to a venue without an adapter), closed. The shapes are Natural Earth's
(public domain), bundled in resources/maps/countries.json by packaging/make_world_map.py;
countries too small for its 1:110m shapes (Singapore, Malta …) are drawn as a dot at their
capital, and "EU" as a badge over Brussels.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import exchanges

__all__ = ["ADAPTER", "LIVE", "RENAMED", "CLOSED", "CATEGORIES", "LABELS", "category",
           "CountryStatus", "statuses", "shapes", "SHAPE_NAMES", "PLACES"]

ADAPTER, LIVE, RENAMED, CLOSED = "adapter", "live", "renamed", "closed"
CATEGORIES = (ADAPTER, LIVE, RENAMED, CLOSED)          # best first
LABELS = {ADAPTER: "live, with an adapter", LIVE: "live, no adapter yet",
          RENAMED: "renamed", CLOSED: "closed"}

# The seed's spelling → Natural Earth's, where they differ.
SHAPE_NAMES = {"US": "United States of America", "UK": "United Kingdom",
               "Czech Republic": "Czechia"}
# Seed countries with no 1:110m shape: a dot at this place of Natural Earth's populated places
# (the British Virgin Islands' Road Town is not among them: its coordinates are given).
PLACES = {"Hong Kong": "Hong Kong", "Singapore": "Singapore", "Malta": "Valletta",
          "Seychelles": "Victoria", "St. Vincent & Grenadines": "Kingstown", "EU": "Brussels",
          "British Virgin Islands": (-64.62, 18.43)}


def category(entry) -> str:
    if entry.status == "defunct":
        return CLOSED
    if entry.has_adapter:
        return ADAPTER
    return RENAMED if entry.status == "renamed" else LIVE


@dataclass(slots=True)
class CountryStatus:
    country: str
    counts: dict[str, int] = field(default_factory=dict)   # category → exchanges
    names: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def best(self) -> str:
        return next(c for c in CATEGORIES if self.counts.get(c))

    def describe(self) -> str:
        """"Japan: 8 exchanges — 1 live with an adapter (bitflyer), 3 live …, 4 closed"."""
        parts = []
        for c in CATEGORIES:
            n = self.counts.get(c, 0)
            if n:
                names = self.names[c]
                shown = ", ".join(names[:4]) + (" …" if len(names) > 4 else "")
                parts.append(f"{n} {LABELS[c]} ({shown})")
        s = "s" if self.total != 1 else ""
        return f"{self.country}: {self.total} exchange{s}\n" + "\n".join(parts)


def statuses() -> dict[str, CountryStatus]:
    """Every seed country's status, in the seed's order."""
    out = {}
    for country, entries in exchanges.by_country().items():
        st = CountryStatus(country)
        for e in entries:
            c = category(e)
            st.counts[c] = st.counts.get(c, 0) + 1
            st.names.setdefault(c, []).append(e.id)
        out[country] = st
    return out


@cache
def shapes() -> dict:
    """The bundled map: {"countries": [{name, iso_a3, continent, rings}], "places": [...]}."""
    text = resources.files("resources").joinpath("maps", "countries.json").read_text("utf-8")
    return json.loads(text)


def place_of(country: str) -> tuple[float, float] | None:
    """(lon, lat) of the dot drawn for a seed country without a shape."""
    where = PLACES.get(country)
    if where is None:
        return None
    if isinstance(where, tuple):
        return where
    for p in shapes()["places"]:
        if p["name"] == where:
            return (p["lon"], p["lat"])
    return None
