"""The command line: --self-test and --screenshot, as the packaged app answers them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(args, tmp_path, timeout=60):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", EXCHANGE_ATLAS_SETTINGS_SCOPE="test",
               XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path))
    return subprocess.run([sys.executable, "-m", "gui", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_self_test_prints_one_json_line_and_passes(tmp_path):
    proc = run(["--self-test"], tmp_path)
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stdout + proc.stderr
    report = json.loads(lines[0])
    assert proc.returncode == 0, report
    assert report["ok"] is True
    assert report["checks"]["registry"] == {"ids": 102, "countries": 46, "rows": 144}
    assert report["checks"]["window_ok"] and report["checks"]["demo_ok"]
    assert report["checks"]["adapters_ok"] and report["checks"]["adapters"]["binance"] == "Binance"
    assert set(report["checks"]["adapters"]) == {"demo", "demo-b", "demo-c", "binance", "coinbase", "kraken",
                                                 "bitstamp", "bitfinex", "okx", "okxus"}
    assert 0 < report["cold_start_to_first_tick_ms"] < 20_000


def test_screenshot_writes_a_png_of_the_window(tmp_path):
    out = tmp_path / "atlas.png"
    proc = run(["--screenshot", str(out), "--after", "15"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage
    img = QImage(str(out))
    assert img.width() >= 1200 and img.height() >= 800


def test_the_app_icon_ships_every_size(qapp):
    from gui.app import app_icon
    icon = app_icon()
    assert not icon.isNull()
    sizes = {s.width() for s in icon.availableSizes()}
    assert {16, 32, 48, 256} <= sizes
