"""The registry against every row of the seed table and venues.tsv."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import exchanges
from exchanges.registry import adapter_ids, resolve

DATA = Path(exchanges.__file__).parent / "data"


def seed_rows():
    rows = []
    for line in (DATA / "exchanges-by-country.md").read_text().splitlines():
        if line.startswith("|") and not line.startswith(("|--", "|country")):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows.append((cells[0], cells[2], re.sub(r"\[([^\]]*)\].*", r"\1", cells[3])))
    return rows


STATUS = {r["id"]: r for r in csv.DictReader((DATA / "venues.tsv").read_text().splitlines(), delimiter="\t")}


def test_counts_match_the_seed():
    rows = seed_rows()
    assert len(exchanges.registry()) == len({r[1] for r in rows}) == 102
    countries = exchanges.by_country()
    assert len(countries) == 46
    assert sum(len(v) for v in countries.values()) == len(rows) == 144


@pytest.mark.parametrize("country,ex_id,name", seed_rows())
def test_every_seed_row_is_in_the_registry(country, ex_id, name):
    entry = next(e for e in exchanges.by_country()[country] if e.id == ex_id)
    assert entry.name == name
    assert country in entry.countries
    st = STATUS[ex_id]
    assert entry.status == st["status"]
    assert entry.successor == (st["successor"] or None)
    assert entry.www.startswith("http") and entry.doc.startswith("http")


DECISIONS = {"btcbox", "tidex", "yobit"}


def test_bundled_data_matches_shared_copy():
    shared = Path(__file__).resolve().parents[3] / "shared"
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    # The bundled table is the shared one plus three columns: the decisions this project
    # recorded (a venue found suspended, or deliberately not supported), since when, and why.
    ours = [line.split("\t") for line in (DATA / "venues.tsv").read_text().splitlines()]
    theirs = [line.split("\t") for line in (shared / "venues.tsv").read_text().splitlines()]
    assert [row[:len(theirs[0])] for row in ours] == theirs
    assert ours[0][len(theirs[0]):] == ["availability", "since", "availability_note"]
    assert {row[0] for row in ours[1:] if row[len(theirs[0])]} == DECISIONS


@pytest.mark.parametrize("entry", [e for e in exchanges.registry() if e.status == "defunct"],
                         ids=lambda e: e.id)
def test_defunct_ids_raise_with_when_and_why(entry):
    with pytest.raises(exchanges.ExchangeNotAvailable) as info:
        exchanges.create(entry.id)
    text = str(info.value)
    assert entry.name in text and "closed" in text
    assert entry.why[:30] in text
    if entry.closed:
        assert entry.closed in text


def test_the_recorded_decisions():
    """BtcBox is suspended (the adapter stays for its return); Tidex and YoBit are not
    supported, and saying so names the reason."""
    btcbox, tidex, yobit = (next(e for e in exchanges.registry() if e.id == i)
                            for i in ("btcbox", "tidex", "yobit"))
    assert btcbox.availability == "suspended" and btcbox.since == "2026-01-29"
    assert btcbox.status == "active" and btcbox.adapter_id == "btcbox"
    for e in (tidex, yobit):
        assert e.availability == "unsupported" and e.adapter_id is None
        with pytest.raises(exchanges.ExchangeNotAvailable, match="not supported") as info:
            exchanges.create(e.id)
        assert "ccxt" in str(info.value)


@pytest.mark.parametrize("entry", [e for e in exchanges.registry()
                                   if e.status != "defunct" and e.availability != "unsupported"],
                         ids=lambda e: e.id)
def test_live_ids_open_an_adapter_or_say_it_is_not_built(entry):
    if entry.adapter_id in adapter_ids():
        ex = exchanges.create(entry.id)
        assert resolve(entry.id) == entry.adapter_id
        assert isinstance(ex.has, dict)
    else:
        with pytest.raises(exchanges.ExchangeNotAvailable, match="no adapter"):
            exchanges.create(entry.id)


def test_unknown_id():
    with pytest.raises(exchanges.ExchangeNotAvailable, match="unknown exchange id"):
        exchanges.create("nosuchvenue")


def test_renamed_entry_names_its_successor():
    gdax = next(e for e in exchanges.registry() if e.id == "gdax")
    assert gdax.status == "renamed" and gdax.successor == "coinbase"
    assert gdax.current_name == "Coinbase"
