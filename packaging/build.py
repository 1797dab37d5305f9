"""Build the one-folder desktop bundle for this OS:  python packaging/build.py

Installs PyInstaller (pinned) into the running environment if missing, then runs the spec.
The result is dist/exchange-atlas/ (and dist/Exchange Atlas.app on macOS).
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYINSTALLER = "pyinstaller>=6.10,<7"


def main() -> int:
    if importlib.util.find_spec("PyInstaller") is None:
        subprocess.check_call([sys.executable, "-m", "pip", "install", PYINSTALLER])
    return subprocess.call([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                            "--distpath", str(ROOT / "dist"), "--workpath",
                            str(ROOT / "build"), str(ROOT / "packaging" / "exchange-atlas.spec")],
                           cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main())
