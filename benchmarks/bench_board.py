"""Tickers board under load, against a naive board measured in the same run.

Feeds 10,000 ticker updates a second across 2,000 rows for 5 s into
  * the app's path: Session (store per arrival, flush once per frame) → TickerModel
    (dataChanged for the changed cells only) → sort/filter proxy → QTableView, and
  * the reference: the same model data, but every update applied at once with
    layoutAboutToBeChanged/layoutChanged (what a "just refresh the table" board does),
all with the same proxy, view and price flash on screen (offscreen platform). Reports the longest
event-loop stall (max gap between ticks of a 1 ms QTimer), the ticker updates the board
applied per second, and the ratios; sorted by a moving column, the board's live sort against Qt's
dynamic sort, and what one re-sort costs the board (copied into its MirrorModel, painted by Qt in
C++) against the same proxy painted through Python (Qt's delegate asking it per cell); then cold start
to the first live demo tick (`python -m gui --self-test`).

    python benchmarks/bench_board.py [--seconds 5] [--rate 10000] [--rows 2000]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("EXCHANGE_ATLAS_SETTINGS_SCOPE", "bench")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from exchanges import Market, Ticker  # noqa: E402
try:
    from gui import heap  # noqa: E402
except ImportError:         # a checkout from before gui.heap: measured as it was
    heap = None
from gui.models.live_sort import LiveSortProxy  # noqa: E402
try:
    from gui.models.mirror import MirrorModel  # noqa: E402
except ImportError:         # a checkout from before it: the view painted the proxy
    MirrorModel = None
from gui.models.proxy import ValueSortProxy  # noqa: E402
from gui.models.tickers import FLASH_MS, LAST, TickerModel  # noqa: E402
from gui.views.board import configure_table  # noqa: E402
try:
    from gui.widgets.flash import FlashFade  # noqa: E402
except ImportError:         # a checkout from before it: the flash was a Python delegate
    FlashFade = None
    from gui.models.tickers import FLASH_ROLE  # noqa: E402
    from gui.widgets.delegates import FlashDelegate  # noqa: E402
from gui.session import Session, VenueState  # noqa: E402


def make_pool(rows: int, variants: int = 4):
    """Pre-built tickers (`variants` per row) so both boards pay the same producer cost."""
    keys = [(f"v{r // 100:02d}", f"C{r % 100:03d}/USD") for r in range(rows)]
    pool = []
    for i, (venue, symbol) in enumerate(keys):
        base = Decimal(100 + i)
        pool.append([Ticker(symbol, 0, base + k - 1, base + k + 1, base + k, base + 9, base - 9,
                            base, Decimal(1000 + k), None) for k in range(variants)])
    markets = {k: Market(k[1], k[1], k[1][:4], "USD", Decimal("0.01"), Decimal("0.001"))
               for k in keys}
    return keys, pool, markets


class NaiveModel(TickerModel):
    """The reference: each update rewrites the row and tells the views the layout changed."""

    def apply_one(self, key, ticker) -> None:
        self.layoutAboutToBeChanged.emit()
        r = self._index.get(key)
        if r is None:
            self._index[key] = len(self._rows)
            from gui.models.tickers import _Row
            self._rows.append(_Row(key[0], key[1], self._markets.get(key)))
            r = len(self._rows) - 1
        changed = self._apply(self._rows[r], ticker, time.monotonic())[0] is not None
        self.layoutChanged.emit()
        self.cells_changed += changed


class RowByRowModel(TickerModel):
    """The milder reference: no coalescing; each update signals its whole row at once."""

    def apply_one(self, key, ticker) -> None:
        r = self._index[key]
        if self._apply(self._rows[r], ticker, time.monotonic())[0] is not None:
            self.dataChanged.emit(self.index(r, 0), self.index(r, self.columnCount() - 1))
            self.cells_changed += 1


class StallMeter:
    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.last = None
        self.gaps: list[float] = []

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last is not None:
            self.gaps.append(now - self.last)
        self.last = now

    def start(self) -> None:
        self.last = None
        self.gaps.clear()
        self.timer.start()

    def stop(self) -> dict:
        self.timer.stop()
        g = sorted(self.gaps) or [0.0]
        return {"max_stall_ms": g[-1] * 1000, "p99_gap_ms": g[int(len(g) * 0.99) - 1] * 1000}


def uniform(sent: int, n: int) -> int:
    return (sent * 7919) % n                  # every row in turn, evenly


def hot(sent: int, n: int) -> int:
    """80 % of updates on 5 % of the rows (the majors tick far more often than the tail)."""
    if sent % 5:
        return (sent * 7919) % max(1, n // 20)
    return (sent * 7919) % n


PICK = uniform


async def feed(deliver, keys, pool, rate: int, seconds: float) -> int:
    """Offer `rate` updates/s for `seconds`; a board that blocks the loop simply gets fewer."""
    sent = 0
    start = time.perf_counter()
    n = len(keys)
    pick = PICK
    end = start + seconds
    while (now := time.perf_counter()) < end:
        due = int((now - start) * rate) - sent
        for _ in range(max(0, due)):
            i = pick(sent, n)
            deliver(keys[i], pool[i][sent % 3 + (sent // n) % 2])   # each visit: new values
            sent += 1
            if not sent % 50 and time.perf_counter() >= end:
                break                         # a board that can't keep up gets fewer
        await asyncio.sleep(0.002)
    return sent


SORT_BY = None          # None: unsorted; else a column, e.g. 24 h % (it moves on every tick)
PROXY = LiveSortProxy   # the board's proxy; ValueSortProxy is Qt's dynamic sort, for reference
FLUSH_MS: int | None = None   # the session's frame; None: the app's own
MIRROR = True           # the board's MirrorModel between the proxy and the view (if it has one)


def board(model):
    proxy = PROXY()
    proxy.setSourceModel(model)
    view = QTableView()
    configure_table(view)                    # the board's own look: dense rows, no row numbers
    if MirrorModel is not None and PROXY is LiveSortProxy and MIRROR:
        view._shown = MirrorModel(proxy, view)   # as the board does
    else:
        view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(-1 if SORT_BY is None else SORT_BY, Qt.SortOrder.DescendingOrder)
    if FlashFade is not None:                # as the board does
        view._flash = FlashFade(view, model, LAST, FLASH_MS)
    else:
        view.setItemDelegateForColumn(LAST, FlashDelegate(FLASH_ROLE, FLASH_MS, view, model, LAST))
    view.resize(1400, 900)
    view.show()
    return proxy, view


async def run_ours(keys, pool, markets, rate, seconds):
    frame = {"flush_ms": FLUSH_MS} if FLUSH_MS else {}      # else the app's own frame
    session = Session(factory=None, **frame)
    model = TickerModel()
    for (venue, symbol), m in markets.items():
        model._markets[(venue, symbol)] = m
    session.tickers.connect(model.update)
    for venue in {k[0] for k in keys}:
        session.states[venue] = VenueState(state="live")
    proxy, view = board(model)
    # Fill every row first (not measured), then measure the steady state.
    for i, key in enumerate(keys):
        session._ticker(key[0], pool[i][0])
    session.flush()
    await asyncio.sleep(1.0)                 # let the first paints of the full board settle
    if heap is not None:
        heap.settle()                        # as the app does once it has started
    model.cells_changed = 0
    meter = StallMeter()
    meter.start()
    t0 = time.perf_counter()
    sent = await feed(lambda k, t: session._ticker(k[0], t), keys, pool, rate, seconds)
    session.flush()
    elapsed = time.perf_counter() - t0
    stats = meter.stop()
    await session.close()
    view.close()
    return {"offered": sent, "applied_per_s": model.cells_changed / elapsed,
            "received_per_s": sent / elapsed, **stats}


async def run_naive(keys, pool, markets, rate, seconds, cls):
    model = cls()
    model._markets.update(markets)
    proxy, view = board(model)
    model.update({key: pool[i][0] for i, key in enumerate(keys)})   # fill (not measured)
    await asyncio.sleep(1.0)                 # let the first paints of the full board settle
    if heap is not None:
        heap.settle()
    model.cells_changed = 0
    meter = StallMeter()
    meter.start()
    t0 = time.perf_counter()
    sent = await feed(model.apply_one, keys, pool, rate, seconds)
    elapsed = time.perf_counter() - t0
    stats = meter.stop()
    view.close()
    return {"offered": sent, "applied_per_s": model.cells_changed / elapsed,
            "received_per_s": sent / elapsed, **stats}


def resort_cost(keys, pool, markets, rounds: int = 6, repeats: int = 10) -> tuple[float, float]:
    """Median ms of one re-sort that moves every row (the order reversed), from the proxy's
    sort to the repainted board: the board (MirrorModel, painted by Qt in C++) and the same
    proxy painted through Python, timed in alternating rounds so
    that both see the same machine."""
    global SORT_BY, MIRROR
    model = TickerModel()
    model._markets.update(markets)
    model.update({key: pool[i][0] for i, key in enumerate(keys)})
    SORT_BY = 5
    boards = {}
    for mirrored in (True, False):
        MIRROR = mirrored
        boards[mirrored] = board(model)
    SORT_BY, MIRROR = None, True
    QApplication.processEvents()
    times: dict[bool, list[float]] = {True: [], False: []}
    orders = (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder)
    for k in range(rounds * repeats):
        for mirrored, (proxy, view) in boards.items():
            t = time.perf_counter()
            proxy.sort(5, orders[k % 2])
            view.viewport().repaint()
            times[mirrored].append((time.perf_counter() - t) * 1000)
    for _, view in boards.values():
        view.close()
    return tuple(sorted(samples)[len(samples) // 2] for samples in times.values())


def cold_start_ms() -> int | None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-m", "gui", "--self-test"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])["cold_start_to_first_tick_ms"]
    except (ValueError, IndexError, KeyError):
        return None


async def main(args) -> None:
    global PICK, SORT_BY, PROXY, FLUSH_MS
    FLUSH_MS = args.flush_ms
    keys, pool, markets = make_pool(args.rows)
    for PICK in (uniform, hot):
        if PICK.__name__ in args.scenarios:
            await scenario(args, keys, pool, markets)
    if "sorted" not in args.scenarios:
        return
    # Sorted by 24 h % (a column that changes on every tick): the board's live-sort proxy
    # against Qt's dynamic sort (QSortFilterProxyModel re-sorting per dataChanged).
    PICK, SORT_BY = uniform, 5
    results = {}
    for name, PROXY in (("live sort (the board)", LiveSortProxy),
                        ("Qt dynamic sort", ValueSortProxy)):
        results[name] = await run_ours(keys, pool, markets, args.rate, args.seconds)
    print(f"tickers board sorted by 24 h % descending: {args.rate:,} updates/s over "
          f"{args.rows:,} rows for {args.seconds:g} s")
    for name, r in results.items():
        print(f"  {name:<36} stall max {r['max_stall_ms']:7.1f} ms  p99 gap "
              f"{r['p99_gap_ms']:6.1f} ms  received {r['received_per_s']:8,.0f}/s")
    ours, qt = results["live sort (the board)"], results["Qt dynamic sort"]
    print(f"  ratio Qt dynamic/live sort longest stall: "
          f"{qt['max_stall_ms'] / max(ours['max_stall_ms'], 1e-9):8.1f}x")
    SORT_BY, PROXY = None, LiveSortProxy
    if MirrorModel is not None:
        ours_ms, python_ms = resort_cost(keys, pool, markets)
        print(f"  one re-sort moving every row, sort to repainted board: {ours_ms:.1f} ms the "
              f"board (mirrored, painted in C++); {python_ms:.1f} ms the same proxy painted "
              f"through Python (ratio {python_ms / ours_ms:.1f}x)")
    ms = cold_start_ms()
    print(f"cold start to first live demo tick: {ms} ms (python -m gui --self-test)")


async def scenario(args, keys, pool, markets) -> None:
    ours = await run_ours(keys, pool, markets, args.rate, args.seconds)
    row_by_row = await run_naive(keys, pool, markets, args.rate, args.seconds, RowByRowModel)
    naive = await run_naive(keys, pool, markets, args.rate, args.seconds, NaiveModel)
    spread = ("spread evenly over" if PICK is uniform else "80 % of them on 5 % of")
    print(f"tickers board: {args.rate:,} updates/s {spread} {args.rows:,} rows for "
          f"{args.seconds:g} s (proxy + table view on screen)")
    for name, r in (("app (coalesced, cell dataChanged)", ours),
                    ("row by row (row dataChanged/update)", row_by_row),
                    ("naive (layoutChanged per update)", naive)):
        print(f"  {name:<36} stall max {r['max_stall_ms']:7.1f} ms  p99 gap "
              f"{r['p99_gap_ms']:6.1f} ms  received {r['received_per_s']:8,.0f}/s  "
              f"row changes shown {r['applied_per_s']:8,.0f}/s")
    for name, ref in (("row-by-row", row_by_row), ("naive", naive)):
        print(f"  ratio {name}/app longest stall: "
              f"{ref['max_stall_ms'] / max(ours['max_stall_ms'], 1e-9):8.1f}x   "
              f"app/{name} updates taken in: "
              f"{ours['received_per_s'] / max(ref['received_per_s'], 1e-9):8.1f}x")
    frame = FLUSH_MS or Session.__init__.__kwdefaults__["flush_ms"]
    print(f"  (the app shows each row's latest value once per {frame} ms frame, so a row that "
          "ticks several times in a frame is shown once; every received update is reflected)")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--rate", type=int, default=10_000)
    p.add_argument("--rows", type=int, default=2_000)
    p.add_argument("--flush-ms", type=int, default=None,
                   help="the session's frame (default: the app's, Session.flush_ms)")
    p.add_argument("--scenarios", default="uniform,hot,sorted",
                   help="which to run (comma-separated), then the cold start")
    app = QApplication.instance() or QApplication([])
    try:
        from gui.qtloop import run      # the app's loop, as gui.app starts it
    except ImportError:                 # a checkout from before gui.qtloop
        from qasync import run
    run(main(p.parse_args()))
