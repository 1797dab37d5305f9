"""The manifest check (in the style of Home Assistant's hassfest): the adapter list, the bundled
`venues.tsv`, the fake servers and each venue's docs links agree, so an adapter that is
registered but untested, or a venue whose table row says something else, fails CI."""
from __future__ import annotations

import csv
import importlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.exchanges.venue_fakes import VENUES
from tests.fakes.kit import KitVenue

registry = importlib.import_module("exchanges.registry")   # `exchanges.registry` is also a function
ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = {k: v for k, v in registry._ADAPTERS.items()        # the simulated venues aside
            if not v.startswith("exchanges.demo.")}


def venue_rows() -> dict[str, dict]:
    path = ROOT / "exchanges" / "data" / "venues.tsv"
    with path.open(encoding="utf-8", newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f, delimiter="\t")}


def domain(url: str) -> str:
    return ".".join(urlsplit(url).hostname.split(".")[-2:])


def adapter_class(adapter_id: str):
    module, _, name = ADAPTERS[adapter_id].partition(":")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("adapter_id", sorted(ADAPTERS))
def test_every_adapter_is_a_live_venue_of_the_table(adapter_id):
    rows = venue_rows()
    live = {r["successor"] for r in rows.values() if r["status"] in ("active", "renamed")}
    assert adapter_id in live, f"{adapter_id} has an adapter but venues.tsv has no live venue"
    assert adapter_class(adapter_id).id == adapter_id


@pytest.mark.parametrize("adapter_id", sorted(ADAPTERS))
def test_every_adapter_cites_the_docs_the_table_names(adapter_id):
    cls = adapter_class(adapter_id)
    assert cls.docs, f"{adapter_id} names no official API documentation"
    assert all(urlsplit(u).scheme == "https" for u in cls.docs)
    tables = {r["api_docs"] for r in venue_rows().values()
              if r["successor"] == adapter_id and r["api_docs"]}
    assert tables, f"venues.tsv gives no docs link for {adapter_id}"
    assert {domain(u) for u in tables} & {domain(u) for u in cls.docs}, (
        f"{adapter_id}: docs {cls.docs} and venues.tsv {tables} point at different sites")


@pytest.mark.parametrize("adapter_id", sorted(ADAPTERS))
def test_every_adapter_has_a_kit_fake_and_its_own_tests(adapter_id):
    fakes = {m.VENUE_ID: m for m in VENUES}
    assert adapter_id in fakes, f"{adapter_id} is registered but no fake server tests it"
    assert issubclass(fakes[adapter_id].FAKE, KitVenue), (
        f"{adapter_id}'s fake is not on the fake-server kit")
    module = ADAPTERS[adapter_id].partition(":")[0].rpartition(".")[2]
    assert list((ROOT / "tests" / "exchanges").glob(f"test_{module}*.py")), (
        f"{adapter_id} has no venue tests (tests/exchanges/test_{module}.py)")


def test_every_fake_belongs_to_a_registered_adapter():
    assert {m.VENUE_ID for m in VENUES} <= set(ADAPTERS)
