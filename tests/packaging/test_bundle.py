"""Build the one-folder desktop bundle with PyInstaller and run it as a user would, on a
virtual X screen: it must answer --self-test like the installed app, offline, on the demo."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.packaging, pytest.mark.timeout(900)]


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing on CI: .ci/run must install it")
        pytest.skip(f"{tool} not installed (apt-get install xvfb xauth)")
    return path


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    pytest.importorskip("PyInstaller", reason="pip install '.[test]' installs PyInstaller")
    out = tmp_path_factory.mktemp("bundle")
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(out / "dist"), "--workpath", str(out / "build"),
         str(ROOT / "packaging" / "exchange-atlas.spec")],
        cwd=ROOT, capture_output=True, text=True, timeout=800)
    assert result.returncode == 0, result.stderr[-3000:]
    return out / "dist" / "exchange-atlas"


def test_bundle_carries_qt_plugins_data_and_icons(bundle):
    internal = bundle / "_internal"
    assert (bundle / "exchange-atlas").is_file()
    platforms = {p.name for p in internal.rglob("platforms/*.so")}
    assert {"libqxcb.so", "libqoffscreen.so"} <= platforms
    assert (internal / "exchanges" / "data" / "exchanges-by-country.md").is_file()
    assert (internal / "exchanges" / "data" / "venues.tsv").is_file()
    assert (internal / "resources" / "icons" / "exchange-atlas-256.png").is_file()


def test_bundle_self_test_under_a_virtual_x_screen(bundle):
    xvfb_run = _need("xvfb-run")
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}   # a real X screen
    env["EXCHANGE_ATLAS_SETTINGS_SCOPE"] = "test"
    result = subprocess.run([xvfb_run, "-a", str(bundle / "exchange-atlas"), "--self-test"],
                            capture_output=True, text=True, timeout=120, env=env)
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("{")]
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert report["ok"] is True
    assert report["checks"]["registry"] == {"ids": 102, "countries": 46, "rows": 144}
    assert report["checks"]["demo_ok"] and report["checks"]["window_ok"]
    assert report["checks"]["adapters_ok"], report["checks"]["adapters"]     # every venue's deps
    assert isinstance(report["cold_start_to_first_tick_ms"], int)
