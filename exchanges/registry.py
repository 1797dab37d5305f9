"""The registry: every exchange id of the seed table, with its countries and present status.

Built from two data files shipped in `exchanges/data/`: the seed table (ids, names, countries,
links) and `venues.tsv` (active / renamed / defunct, successor, when and why a venue closed, and
this project's recorded decisions: a venue found suspended, or deliberately not supported).
`create()` resolves an id to an adapter: renamed ids open their successor, closed and
unsupported ones raise; a suspended venue opens (its adapter waits for it to come back).
"""
from __future__ import annotations

import csv
import importlib
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .errors import ExchangeNotAvailable
from .types import Credentials

__all__ = ["VenueEntry", "registry", "by_country", "create", "adapter_ids"]

_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


@dataclass(slots=True, frozen=True)
class VenueEntry:
    id: str
    name: str
    countries: tuple[str, ...]
    status: str                 # "active", "renamed" or "defunct"
    successor: str | None       # adapter id a renamed (or active) id opens
    current_name: str | None
    www: str
    doc: str
    api_version: str
    closed: str | None          # when a defunct venue closed ("2017-09", "2021", …)
    why: str                    # status note: why it closed, or what it became
    api_docs: str | None        # the current official API documentation
    # A decision recorded on top of the status: "suspended" (services halted, may return: the
    # adapter stays) or "unsupported" (running, but no working documented API: no adapter),
    # since when, and why with its source.
    availability: str | None = None
    since: str | None = None
    availability_note: str = ""

    @property
    def adapter_id(self) -> str | None:
        """The adapter this id opens (None for a closed venue)."""
        if self.status == "defunct" or self.availability == "unsupported":
            return None
        return self.successor or self.id

    @property
    def has_adapter(self) -> bool:
        return self.adapter_id is not None and self.adapter_id in adapter_ids()


def _read(name: str) -> str:
    return resources.files(__package__).joinpath("data").joinpath(name).read_text(encoding="utf-8")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _link(cell: str) -> tuple[str, str]:
    m = _LINK.search(cell)
    return (m.group(1), m.group(2)) if m else (cell, "")


@cache
def _seed_rows() -> tuple[tuple[str, str, str, str, str, str], ...]:
    """(country, id, name, www, version, doc) for each row of the seed table."""
    rows = []
    for line in _read("exchanges-by-country.md").splitlines():
        if not line.startswith("|") or line.startswith("|--") or line.startswith("|country"):
            continue
        cells = _cells(line)
        if len(cells) < 6:
            continue
        country, _logo, ex_id, name_cell, ver, doc_cell = cells[:6]
        name, www = _link(name_cell)
        _, doc = _link(doc_cell)
        rows.append((country, ex_id, name, www, ver, doc))
    return tuple(rows)


@cache
def _status_rows() -> dict[str, dict[str, str]]:
    reader = csv.DictReader(_read("venues.tsv").splitlines(), delimiter="\t")
    return {row["id"]: row for row in reader}


@cache
def _entries() -> dict[str, VenueEntry]:
    countries: dict[str, list[str]] = {}
    first: dict[str, tuple] = {}
    for country, ex_id, name, www, ver, doc in _seed_rows():
        countries.setdefault(ex_id, []).append(country)
        first.setdefault(ex_id, (name, www, ver, doc))
    status = _status_rows()
    out = {}
    for ex_id, (name, www, ver, doc) in first.items():
        st = status.get(ex_id, {})
        out[ex_id] = VenueEntry(
            id=ex_id, name=name, countries=tuple(countries[ex_id]),
            status=st.get("status") or "defunct",
            successor=st.get("successor") or None,
            current_name=st.get("current_name") or None,
            www=www, doc=doc, api_version=ver,
            closed=st.get("closed") or None,
            why=st.get("why") or "no status known",
            api_docs=st.get("api_docs") or None,
            availability=st.get("availability") or None,
            since=st.get("since") or None,
            availability_note=st.get("availability_note") or "",
        )
    return out


def registry() -> list[VenueEntry]:
    """One entry per exchange id of the seed table, in the seed's order."""
    return list(_entries().values())


def entry(exchange_id: str) -> VenueEntry | None:
    return _entries().get(exchange_id)


def by_country() -> dict[str, list[VenueEntry]]:
    """{country: [entries]} in the seed's order: one entry per (exchange, country) row."""
    entries = _entries()
    out: dict[str, list[VenueEntry]] = {}
    for country, ex_id, *_ in _seed_rows():
        out.setdefault(country, []).append(entries[ex_id])
    return out


# Adapter id → "module:Class". An adapter module lives in exchanges/venues/<module>.py.
_ADAPTERS: dict[str, str] = {
    "demo": "exchanges.demo.venue:DemoExchange",
    "binance": "exchanges.venues.binance:Binance",
    "coinbase": "exchanges.venues.coinbase:Coinbase",
    "kraken": "exchanges.venues.kraken:Kraken",
    "bitstamp": "exchanges.venues.bitstamp:Bitstamp",
    "bitfinex": "exchanges.venues.bitfinex:Bitfinex",
    "okx": "exchanges.venues.okx:OKX",
    "okxus": "exchanges.venues.okx:OKXUS",
    "bit2c": "exchanges.venues.bit2c:Bit2C",
    "bitflyer": "exchanges.venues.bitflyer:Bitflyer",
    "bithumb": "exchanges.venues.bithumb:Bithumb",
    "bitso": "exchanges.venues.bitso:Bitso",
    "btcbox": "exchanges.venues.btcbox:BtcBox",
    "btcmarkets": "exchanges.venues.btcmarkets:BTCMarkets",
    "btcturk": "exchanges.venues.btcturk:BtcTurk",
    "cex": "exchanges.venues.cex:CEX",
    "coincheck": "exchanges.venues.coincheck:Coincheck",
    "coinmate": "exchanges.venues.coinmate:Coinmate",
    "coinspot": "exchanges.venues.coinspot:CoinSpot",
    "demo-b": "exchanges.demo.venue:DemoB",
    "demo-c": "exchanges.demo.venue:DemoC",
    "foxbit": "exchanges.venues.foxbit:Foxbit",
    "gate": "exchanges.venues.gate:Gate",
    "gemini": "exchanges.venues.gemini:Gemini",
    "hitbtc": "exchanges.venues.hitbtc:HitBTC",
    "htx": "exchanges.venues.htx:HTX",
    "independentreserve": "exchanges.venues.independentreserve:IndependentReserve",
    "indodax": "exchanges.venues.indodax:Indodax",
    "kucoin": "exchanges.venues.kucoin:KuCoin",
    "luno": "exchanges.venues.luno:Luno",
    "mercado": "exchanges.venues.mercado:Mercado",
    "paymium": "exchanges.venues.paymium:Paymium",
    "poloniex": "exchanges.venues.poloniex:Poloniex",
    "zaif": "exchanges.venues.zaif:Zaif",
}


@cache
def adapter_ids() -> frozenset[str]:
    """Ids whose adapter module is present in this build."""
    present = set()
    for ad_id, target in _ADAPTERS.items():
        module = target.partition(":")[0]
        if importlib.util.find_spec(module) is not None:
            present.add(ad_id)
    return frozenset(present)


def _adapter_class(adapter_id: str) -> Callable:
    module, _, cls = _ADAPTERS[adapter_id].partition(":")
    return getattr(importlib.import_module(module), cls)


def resolve(exchange_id: str) -> str:
    """The adapter id an exchange id opens, or ExchangeNotAvailable saying why there is none."""
    if exchange_id in adapter_ids():
        return exchange_id
    e = entry(exchange_id)
    if e is None:
        known = "a seed id such as 'kraken', or 'demo'"
        raise ExchangeNotAvailable(str(exchange_id), f"unknown exchange id; use {known}")
    if e.status == "defunct":
        when = f" in {e.closed}" if e.closed else ""
        raise ExchangeNotAvailable(e.id, f"{e.name} closed{when}: {e.why}")
    if e.availability == "unsupported":
        raise ExchangeNotAvailable(e.id, f"{e.name} is not supported: {e.availability_note}")
    target = e.adapter_id
    if target not in adapter_ids():
        now = f" (now {e.current_name})" if e.status == "renamed" and e.current_name else ""
        raise ExchangeNotAvailable(
            e.id, f"{e.name}{now} is still operating, but Exchange Atlas has no adapter "
                  f"for it yet")
    return target


def create(exchange_id: str, *, credentials: Credentials | None = None,
           urls: dict[str, str] | None = None, clock: Callable[[], int] | None = None):
    """Open the adapter for `exchange_id` (see the contract). Nothing connects until first use."""
    adapter_id = resolve(exchange_id)
    cls = _adapter_class(adapter_id)
    return cls(credentials=credentials, urls=urls, clock=clock)
