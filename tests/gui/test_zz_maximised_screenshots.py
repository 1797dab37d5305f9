"""The app's first start on a real X server with a window manager: maximised, the layout
filling the screen. Screenshots land in tests/gui/screenshots/ (dark and light). Skipped
where Xvfb or openbox is not installed."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import SCREENSHOTS, _not_blank

ROOT = Path(__file__).resolve().parents[2]
needs_x = pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("openbox")),
                             reason="needs Xvfb and openbox")


@pytest.fixture(scope="module")
def x_display(tmp_path_factory):
    """An Xvfb 1920×1080 screen of our own with openbox managing its windows."""
    num = 60 + os.getpid() % 30
    xvfb = subprocess.Popen(["Xvfb", f":{num}", "-screen", "0", "1920x1080x24", "-nolisten",
                             "tcp"], stderr=subprocess.DEVNULL)
    env = dict(os.environ, DISPLAY=f":{num}", QT_QPA_PLATFORM="xcb")
    time.sleep(1.0)
    wm = subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    yield env
    for p in (wm, xvfb):
        p.terminate()
        p.wait(10)


@needs_x
@pytest.mark.parametrize("mode", ["dark", "light"])
def test_first_start_is_maximised_and_fills_the_screen(x_display, tmp_path, mode):
    SCREENSHOTS.mkdir(exist_ok=True)
    out = SCREENSHOTS / f"{mode}-maximised.png"
    env = dict(x_display, ATLAS_THEME=mode, HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"),
               EXCHANGE_ATLAS_SETTINGS_SCOPE="test", EXCHANGE_ATLAS_DATA_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "tests.gui.maximised", str(out)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["saved"] and report["maximized"]
    assert report["window"][0] >= report["screen"][0] - 10
    assert report["window"][1] >= report["screen"][1] - 60          # (the title bar)
    assert report["book_rows"] >= 15 and report["board_fits"]
    from PySide6.QtGui import QImage
    assert _not_blank(QImage(str(out)))
