"""The command line: --self-test and --screenshot, as the packaged app answers them."""
from __future__ import annotations

import importlib

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
    # Every registered adapter loads in the installed app, whatever the build adds.
    registry = importlib.import_module("exchanges.registry")
    assert set(report["checks"]["adapters"]) == set(registry._ADAPTERS)
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


def test_version_prints_the_version_and_exits(tmp_path):
    from gui import __version__
    proc = run(["--version"], tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"exchange-atlas {__version__}"


def test_after_without_screenshot_is_an_error(tmp_path):
    proc = run(["--after", "3"], tmp_path)
    assert proc.returncode == 2
    assert "--after only applies to --screenshot" in proc.stderr


def test_no_display_is_one_line_not_qts_abort(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(EXCHANGE_ATLAS_SETTINGS_SCOPE="test", HOME=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "gui"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("exchange-atlas: no display"), proc.stderr
    assert "platform plugin" not in proc.stderr


def test_display_check_names_the_missing_packages_and_an_unreachable_server():
    from gui.display import XCB_LIBRARIES, problem
    x11 = {"DISPLAY": ":0"}
    everything = dict(loads=lambda lib: True, x_server_answers=lambda d: True)
    assert problem(x11, "linux", **everything) is None
    assert problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", **everything) is None
    assert problem({}, "darwin") is None
    assert "no display" in problem({}, "linux")
    assert "WAYLAND_DISPLAY" in problem({"QT_QPA_PLATFORM": "wayland"}, "linux")
    missing = problem(x11, "linux", loads=lambda lib: lib not in ("libxcb-icccm.so.4",
                                                                   "libxcb-keysyms.so.1"),
                      x_server_answers=lambda d: True)
    assert missing.endswith("sudo apt-get install -y libxcb-icccm4 libxcb-keysyms1")
    assert "':0'" in problem(x11, "linux", loads=lambda lib: True,
                             x_server_answers=lambda d: False)
    assert len(set(XCB_LIBRARIES.values())) == len(XCB_LIBRARIES)


def test_readme_install_line_has_every_library_qts_x11_plugin_loads():
    from gui.display import XCB_LIBRARIES
    readme = (ROOT / "README.md").read_text()
    line = next(ln for ln in readme.splitlines() if "apt-get install -y libegl1" in ln)
    listed = set(line.strip("`").split("install -y", 1)[1].split())
    assert set(XCB_LIBRARIES.values()) <= listed, set(XCB_LIBRARIES.values()) - listed
