"""Idle CPU of the app on the demo venue, against an empty Qt window measured in the same run.

Starts `python -m gui` as a user would (a fresh settings scope: the first-launch layout on the
demo venue) on an X server with a window manager (an Xvfb + openbox of its own when no
DISPLAY is set and both are installed; else the offscreen platform), lets it settle, then reads
the process's CPU time (user + system, all threads, from /proc) over a quiet spell. The
reference is a bare PySide6 + qasync main window of the same size on the same display: the
toolkit's own floor. Reports % of one core for both, and the app's size on screen.

    python benchmarks/bench_idle_cpu.py [--seconds 20] [--settle 8] [--rounds 2]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

REFERENCE = r"""
import asyncio, sys, qasync
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.setWindowTitle("reference"); w.setCentralWidget(QLabel("idle"))
w.showMaximized()
async def main():
    await asyncio.Event().wait()
qasync.run(main())
"""


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def window_size(env: dict, title: str) -> str:
    if not shutil.which("xdotool") or env.get("QT_QPA_PLATFORM") == "offscreen":
        return "?"
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title,
                          "getwindowgeometry"], env=env, capture_output=True, text=True).stdout
    sizes = [ln.split(":", 1)[1].strip() for ln in out.splitlines() if "Geometry" in ln]
    return max(sizes, key=lambda s: int(s.split("x")[0]) * int(s.split("x")[1]), default="?")


def measure(cmd: list[str], env: dict, settle: float, seconds: float, title: str):
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        time.sleep(settle)
        if proc.poll() is not None:
            raise SystemExit(f"{cmd} exited early with {proc.returncode}")
        size = window_size(env, title)
        c0, t0 = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(seconds)
        c1, t1 = cpu_seconds(proc.pid), time.monotonic()
        return 100 * (c1 - c0) / (t1 - t0), size
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def display(tmp: Path) -> tuple[dict, list[subprocess.Popen]]:
    env = dict(os.environ)
    started: list[subprocess.Popen] = []
    if env.get("DISPLAY") or env.get("QT_QPA_PLATFORM") == "offscreen":
        return env, started
    if shutil.which("Xvfb"):
        num = 90 + os.getpid() % 50
        started.append(subprocess.Popen(["Xvfb", f":{num}", "-screen", "0", "1920x1080x24",
                                         "-nolisten", "tcp"], stderr=subprocess.DEVNULL))
        env["DISPLAY"] = f":{num}"
        time.sleep(1.0)
        if shutil.which("openbox"):
            started.append(subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL))
            time.sleep(0.5)
        env["QT_QPA_PLATFORM"] = "xcb"
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env, started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--settle", type=float, default=8.0)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        env, started = display(tmp)
        try:
            app_pcts, ref_pcts, size = [], [], "?"
            for r in range(args.rounds):
                home = tmp / f"home{r}"
                home.mkdir()
                run_env = dict(env, HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
                               XDG_DATA_HOME=str(home / "data"),
                               EXCHANGE_ATLAS_SETTINGS_SCOPE="bench",
                               EXCHANGE_ATLAS_DATA_DIR=str(home / "atlas"))
                pct, size = measure([sys.executable, "-m", "gui"], run_env, args.settle,
                                    args.seconds, "Exchange Atlas")
                app_pcts.append(pct)
                ref, _ = measure([sys.executable, "-c", REFERENCE], run_env, 3.0,
                                 args.seconds, "reference")
                ref_pcts.append(ref)
        finally:
            for p in reversed(started):
                p.terminate()
                p.wait()
    app_pct, ref_pct = min(app_pcts), min(ref_pcts)
    print(f"platform {env.get('QT_QPA_PLATFORM', 'default')}, window {size}, "
          f"{args.rounds} rounds of {args.seconds:.0f} s after {args.settle:.0f} s to settle")
    print(f"app on the demo, idle:   {app_pct:5.1f} % of a core  (rounds: "
          f"{', '.join(f'{p:.1f}' for p in app_pcts)})")
    print(f"empty Qt window (floor): {ref_pct:5.1f} % of a core  (rounds: "
          f"{', '.join(f'{p:.1f}' for p in ref_pcts)})")
    print(f"app above the floor:     {app_pct - ref_pct:5.1f} % of a core")


if __name__ == "__main__":
    main()
