"""User data files are written atomically; a corrupt one is kept aside and defaults are used."""
from __future__ import annotations

import json
import os

from gui.settings import Settings, data_dir, read_json, write_json_atomic


def test_atomic_write_round_trips_and_leaves_no_temp_file(tmp_path):
    path = data_dir() / "watchlist.json"
    write_json_atomic(path, {"symbols": ["BTC/USD"], "price": "63924.60"})
    write_json_atomic(path, {"symbols": ["ETH/USD"]})
    assert read_json(path, None) == {"symbols": ["ETH/USD"]}
    assert os.listdir(path.parent) == ["watchlist.json"]
    assert str(path).startswith(str(tmp_path))          # the per-test data dir


def test_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "alerts.json"
    write_json_atomic(path, [1, 2])
    try:
        write_json_atomic(path, {"bad": object()})
    except TypeError:
        pass
    assert json.loads(path.read_text()) == [1, 2]
    assert os.listdir(tmp_path) == ["alerts.json"]


def test_corrupt_file_is_moved_aside_and_defaults_used(tmp_path, caplog):
    path = tmp_path / "watchlist.json"
    path.write_text('{"symbols": ["BTC/USD"')
    assert read_json(path, {"symbols": []}) == {"symbols": []}
    assert not path.exists()
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("watchlist.json.corrupt-")]
    assert len(aside) == 1 and aside[0].read_text() == '{"symbols": ["BTC/USD"'
    assert "could not be read" in caplog.text
    assert read_json(tmp_path / "missing.json", 7) == 7


def test_settings_round_trip_in_the_private_location(private_settings):
    s = Settings()
    s.set_venues(["demo"])
    s.set_selection("demo", "ETH/USD")
    s.sync()
    again = Settings()
    assert again.venues() == ["demo"]
    assert again.selection() == ("demo", "ETH/USD")
    assert str(private_settings) in s.q.fileName()
