"""Idle CPU of the app on the demo venue, against an empty Qt window measured in the same run.

Starts `python -m gui` as a user would (a fresh settings scope: the first-launch layout on the
demo venue) on an X server with a window manager (an Xvfb + openbox of its own, `--screen`
pixels, when no DISPLAY is set and both are installed; else the offscreen platform), lets it
settle, then reads the process's CPU time (user + system, all threads, from /proc) over a quiet
spell. The reference is a bare PySide6 + qasync main window, maximised on the same display: the
toolkit's own floor. `--root DIR` (repeatable) measures other checkouts of the app in the same
run, taking turns (`git archive <commit> | tar -x -C DIR` makes one): a before/after on the
same machine at the same moment. Reports % of one core for each, and the window's size.

    python benchmarks/bench_idle_cpu.py [--seconds 20] [--settle 8] [--rounds 2]
                                        [--screen 1920x1080] [--root DIR …]
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


def measure(cmd: list[str], env: dict, settle: float, seconds: float, title: str,
            cwd: Path = ROOT):
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
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


def display(tmp: Path, screen: str) -> tuple[dict, list[subprocess.Popen]]:
    env = dict(os.environ)
    started: list[subprocess.Popen] = []
    if env.get("DISPLAY") or env.get("QT_QPA_PLATFORM") == "offscreen":
        return env, started
    if shutil.which("Xvfb"):
        num = 90 + os.getpid() % 50
        started.append(subprocess.Popen(["Xvfb", f":{num}", "-screen", "0", f"{screen}x24",
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
    ap.add_argument("--screen", default="1920x1080")
    ap.add_argument("--root", action="append", type=Path, default=[],
                    help="another checkout of the app to measure in the same run")
    args = ap.parse_args()
    roots = [ROOT] + [r.resolve() for r in args.root]
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        env, started = display(tmp, args.screen)
        try:
            pcts: dict[Path, list[float]] = {r: [] for r in roots}
            sizes: dict[Path, str] = {}
            ref_pcts = []
            for r in range(args.rounds):
                for root in roots:
                    home = tmp / f"home{r}-{len(pcts[root])}-{roots.index(root)}"
                    home.mkdir()
                    run_env = dict(env, HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
                                   XDG_DATA_HOME=str(home / "data"),
                                   EXCHANGE_ATLAS_SETTINGS_SCOPE="bench",
                                   EXCHANGE_ATLAS_DATA_DIR=str(home / "atlas"))
                    pct, sizes[root] = measure([sys.executable, "-m", "gui"], run_env,
                                               args.settle, args.seconds, "Exchange Atlas",
                                               cwd=root)
                    pcts[root].append(pct)
                ref, _ = measure([sys.executable, "-c", REFERENCE], dict(env, HOME=str(tmp)),
                                 3.0, args.seconds, "reference")
                ref_pcts.append(ref)
        finally:
            for p in reversed(started):
                p.terminate()
                p.wait()
    ref_pct = min(ref_pcts)
    print(f"platform {env.get('QT_QPA_PLATFORM', 'default')}, screen {args.screen}, "
          f"{args.rounds} rounds of {args.seconds:.0f} s after {args.settle:.0f} s to settle "
          f"(best round shown)")
    for root in roots:
        name = "this checkout" if root == ROOT else str(root)
        best = min(pcts[root])
        print(f"app on the demo, idle ({name}, window {sizes[root]}): {best:5.1f} % of a core"
              f"  (rounds: {', '.join(f'{p:.1f}' for p in pcts[root])}; "
              f"{best - ref_pct:.1f} above the floor)")
    print(f"empty Qt window, maximised (floor): {ref_pct:5.1f} % of a core  (rounds: "
          f"{', '.join(f'{p:.1f}' for p in ref_pcts)})")


if __name__ == "__main__":
    main()
