"""Start-up cost: `import exchanges; exchanges.create("demo")` against `import aiohttp`, each in a
fresh interpreter (best of several runs). The goal is a ratio below 2x: the adapter layer
(aiohttp included, which every adapter's transport uses) costs less than twice aiohttp alone.

    python benchmarks/bench_import.py [runs]
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Each snippet times itself from inside the fresh interpreter, so interpreter start-up (the
# same for both) is left out and only the imports and the work after them are measured.
TIMED = "import time; t = time.perf_counter(); {code}; print(time.perf_counter() - t)"
CASES = {
    'import exchanges; exchanges.create("demo")':
        'import exchanges; exchanges.create("demo")',
    "import aiohttp": "import aiohttp",
}


def best_of(code: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", TIMED.format(code=code)], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return min(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    results = {name: best_of(code, runs) for name, code in CASES.items()}
    for name, seconds in results.items():
        print(f"{name:<45} {seconds * 1000:8.1f} ms (best of {runs})")
    a, b = results.values()
    print(f"ratio: {a / b:.2f}x (goal < 2x)")


if __name__ == "__main__":
    main()
