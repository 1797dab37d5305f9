"""Cold start of the packaged bundle beside `python -m gui`, both answering --self-test.

    python packaging/build.py && python benchmarks/bench_bundle_start.py [dist/exchange-atlas]

Prints the bundle's size, and for each way of starting the median wall time of the whole
process and the app's own cold-start-to-first-tick figure, with the bundle/python ratios.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 7


def measure(cmd: list[str], env: dict) -> tuple[float, float]:
    walls, ticks = [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        walls.append((time.perf_counter() - start) * 1000)
        line = next(ln for ln in out.stdout.splitlines() if ln.startswith("{"))
        report = json.loads(line)
        assert report["ok"], report
        ticks.append(report["cold_start_to_first_tick_ms"])
    return statistics.median(walls), statistics.median(ticks)


def main() -> int:
    bundle = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist" / "exchange-atlas"
    exe = bundle / "exchange-atlas"
    if not exe.exists():
        print(f"no bundle at {bundle}: run python packaging/build.py first")
        return 1
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", EXCHANGE_ATLAS_SETTINGS_SCOPE="bench")
    py_wall, py_tick = measure([sys.executable, "-m", "gui", "--self-test"], env)
    b_wall, b_tick = measure([str(exe), "--self-test"], env)
    print(f"bundle size: {size / 2**20:.0f} MiB ({bundle})")
    print(f"python -m gui : process {py_wall:6.0f} ms, cold start to first tick {py_tick:5.0f} ms")
    print(f"bundle        : process {b_wall:6.0f} ms, cold start to first tick {b_tick:5.0f} ms")
    print(f"ratio bundle/python: process {b_wall / py_wall:.2f}x, first tick {b_tick / py_tick:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
