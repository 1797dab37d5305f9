"""The whole app under load: every adapter's fake venue on loopback, plus the demo venues.

One process serves every fake of tests/fakes/ (found as tests/exchanges/venue_fakes.py finds
them) on 127.0.0.1 and paces them; the app (MainWindow + Session, offscreen) runs in another,
so the app's figures are the app's alone. Rates, per opened venue:
  * tickers: 60 streams, each at its own steady rate drawn from 1–10 Hz (seeded), so ~330
    frames/s a venue, the order of what Binance's or OKX's ticker channels carry for their 60
    most traded pairs. The fakes list 1–5 markets (Binance's lists 60), so the 60 streams take
    the venue's markets in turn: the frames, parsing and coalescing are a 60-pair venue's, the
    board holds the rows the fakes list (~130 with every venue, plus the demos');
  * book deltas: 50 Hz for the selected pair (binance BTC/USDT), besides the ticker moves
    (a ticker's price moves in the book; a market's book moves at most 100 Hz);
  * trades: the demo venues' own tape (the fakes' trade frames differ per venue, no common
    builder to pace).
A ticker frame moves the best bid to a new price inside the spread (one of 64, in turn; at most
100 times a second a market, else it repeats the price), so each move, and each run of them
coalesced into one app frame, is a real change for the board; latency is timed from the moves.
The fakes derive 24 h % from the book (Binance's: open = bid × 0.99), so on them that column
moves little and the sorted board rarely reorders: the sort under a column that moves on every
tick is bench_board.py's sorted scenario. The app has every venue of the run open, the board
sorted by 24 h % (descending), the book, chart and tape on the selected pair, and API keys on
three venues (their balances and orders polled). Each run is measured for --seconds after all
its venues are live:
  * CPU: the app process's user+system time over wall time (1.0 = one core);
  * event-loop stall: gaps between ticks of a 1 ms QTimer, longest and p99.9;
  * update latency: a fake sends a ticker frame → the board model announces that row changed,
    for the oldest frame not yet shown (clocks: CLOCK_MONOTONIC, shared by both processes);
  * RSS of the app process.
at 1 venue (binance), 10 and every venue; and the app idle on the demo venues (RSS).
The one-hour soak (every venue, RSS sampled each minute) runs only with --soak.

    python benchmarks/bench_app.py [--seconds 20] [--counts 1,10,all] [--soak [MINUTES]]
        [--flush-ms MS] [--task-per-symbol] [--no-idle]

(BENCH_APP_SHOT=/tmp/app saves the window of each run as /tmp/app-<venues>.png;
BENCH_APP_PROFILE=/tmp/app a cProfile of each measured window as /tmp/app-<venues>.prof.)
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import heapq
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from array import array
from decimal import ROUND_DOWN, Decimal
from multiprocessing import shared_memory
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TICKER_STREAMS = 60
TICKER_HZ = (1.0, 10.0)
BOOK_HZ = 50.0
BOOK_MAX_HZ = 100.0             # a market's book moves at most this often (see _pace_venue)
SELECTED = ("binance", "BTC/USDT")
KEYED = 3
SLOTS = 4096                    # latency slots shared by the two processes (float64 each)
SENT = SLOTS - 1                # the last one counts the ticker frames the fakes sent
FLUSH_MS = 16                   # the Session's frame by default (gui.session.Session)
SORT_COLUMN = 5                 # 24h %
GOALS = {"cpu": 0.5, "p999_ms": 16.7, "latency_p99_ms": 2 * 1000 / 60, "idle_rss_mb": 250,
         "soak_drift": 0.05}


def fake_modules():
    from tests.exchanges.venue_fakes import VENUES
    return sorted(VENUES, key=lambda m: (m.VENUE_ID != SELECTED[0], m.VENUE_ID))


def venue_order() -> list[str]:
    """Binance first (the selected pair), a demo venue second, then the rest."""
    from exchanges.demo.venue import DEMO_VENUES
    fakes = [m.VENUE_ID for m in fake_modules()]
    demos = list(DEMO_VENUES)
    return fakes[:1] + demos[:1] + fakes[1:] + demos[1:]


# -- the fakes' process ----------------------------------------------------------------------
def _attach(name: str) -> shared_memory.SharedMemory:
    """Open the parent's latency slots; only the parent, which made them, removes them
    (Python 3.11's resource tracker would unlink them when this process exits)."""
    from multiprocessing import resource_tracker
    shm = shared_memory.SharedMemory(name=name)
    resource_tracker.unregister(shm._name, "shared_memory")
    return shm


PRICES = 64     # distinct prices a ticker stream walks through inside its book's spread


def _prices(book) -> list[str]:
    """PRICES bid prices strictly inside the book's spread: at the book's own digits where the
    spread holds that many (Indodax's fake, as Indodax, sends whole rupiah: a price with
    decimals stopped its frames), else at its digits plus two. So many that frames coalesced
    into one app frame never come back to where they started (the row would show no change).
    The step rounds down: rounded up, the last prices passed the best ask (Bitstamp's 14-dollar
    spread in steps of 0.22 reached 73,367.08 over an ask of 73,367), the book crossed, and
    venues that treat a crossed book as a lost frame resynced it every few seconds."""
    bid, ask = book.best("bids"), book.best("asks")
    exp = min(bid.as_tuple().exponent, ask.as_tuple().exponent)
    if (ask - bid) / Decimal(10) ** exp <= PRICES:
        exp -= 2
    step = ((ask - bid) / (PRICES + 1)).quantize(Decimal(10) ** exp, rounding=ROUND_DOWN)
    assert step > 0 and bid + step * PRICES < ask, (bid, ask)
    return [str(bid + step * (k + 1)) for k in range(PRICES)]


async def _quietly(send) -> None:
    """A frame to a connection the app is closing (a reconnect, the run's end) is lost, as on
    the wire; the venue goes on streaming."""
    try:
        await send
    except ConnectionError:
        pass


async def _pace_venue(fake, vid: str, rng: random.Random, slots: dict, times) -> None:
    """60 ticker streams at 1–10 Hz over the venue's markets; book deltas on the selected one.
    A stream nobody subscribed to costs a check, so unopened venues stay quiet."""
    markets = sorted(fake.books)
    prices = {vs: _prices(fake.books[vs]) for vs in markets}
    # A fake that quotes whole units (BtcTurk's: whole lira) cannot quote a price between two
    # of its ticks: its book stays, its ticker frames still flow (a quiet stream would drop).
    fixed = set()
    for vs in markets:
        book, inside = fake.books[vs], prices[vs][0]
        book.apply([(inside, "0.5")], step=0)
        try:
            fake.ticker_message(vs)
        except ValueError:
            fixed.add(vs)
        except NotImplementedError:     # no ticker stream (the app polls it): never asked
            pass
        book.apply([(inside, "0")], step=0)
    frames = {vs: 0 for vs in markets}
    moved = {vs: -math.inf for vs in markets}
    now = time.monotonic()
    queue = []
    for i in range(TICKER_STREAMS):
        period = 1.0 / rng.uniform(*TICKER_HZ)
        heapq.heappush(queue, (now + rng.random() * period, i, period, markets[i % len(markets)]))
    selected = fake.venue_symbol(SELECTED[1]) if vid == SELECTED[0] else None
    if selected is not None:
        heapq.heappush(queue, (now, -1, 1.0 / BOOK_HZ, selected))
    n = 0
    while True:
        due, i, period, vs = heapq.heappop(queue)
        wait = due - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        heapq.heappush(queue, (max(due + period, time.monotonic() - period), i, period, vs))
        if i < 0:
            if fake.subscribed("book", vs):      # a deep level's amount changes
                n += 1
                deep = fake.books[vs].top("bids")[-1][0]
                await _quietly(fake.publish_book(vs, bids=[(deep, f"{1 + n % 7}.5")]))
            continue
        if not fake.subscribed("ticker", vs):
            continue
        # A new best bid inside the spread (the last frame's level goes): the frame moves the
        # price, and frames coalesced in one app frame never add up to no change (a level that
        # came and went did: the row then showed nothing, and its latency ran on). The fakes
        # list 1–5 markets, so one market carries up to 60 of the streams; its book (which the
        # app watches on every venue for the cross-venue book) moves at most BOOK_MAX_HZ, the
        # top of the 10–100 Hz a real book streams, and a frame in between repeats the price.
        now = time.monotonic()
        if vs not in fixed and now - moved[vs] >= 1.0 / BOOK_MAX_HZ:
            moved[vs] = now
            k = frames[vs] = frames[vs] + 1
            levels = [(prices[vs][k % PRICES], "0.5")]
            if k > 1:
                levels.append((prices[vs][(k - 1) % PRICES], "0"))
            await _quietly(fake.publish_book(vs, bids=levels))
            slot = slots.get((vid, vs))
            if slot is not None and math.isnan(times[slot]):
                times[slot] = now           # latency: from the first move not yet shown
        times[SENT] += 1                    # frames sent, so the app run can say what it got
        await _quietly(fake.push("ticker", vs, fake.ticker_message(vs)))


async def serve(shm_name: str) -> None:
    """Start every fake, print {venue: urls} and the latency slots, pace until stdin closes."""
    import logging
    from contextlib import AsyncExitStack
    # A fake answering what it does not model (an interval, a pair) logs a traceback per
    # request; the app gets its error reply either way.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    fakes = {}
    async with AsyncExitStack() as stack:
        for m in fake_modules():
            fake = m.FAKE(extra_symbols=TICKER_STREAMS - 2) if m.VENUE_ID == "binance" \
                else m.FAKE()
            fakes[m.VENUE_ID] = await stack.enter_async_context(fake)
        keys = [(vid, vs) for vid, f in fakes.items() for vs in sorted(f.books)]
        slots = {k: i for i, k in enumerate(keys)}
        shm = _attach(shm_name)
        times = shm.buf.cast("d")
        print(json.dumps({"urls": {v: f.urls for v, f in fakes.items()}, "keys": keys}),
              flush=True)
        rng = random.Random(17)
        tasks = [asyncio.ensure_future(_pace_venue(f, v, random.Random(rng.random()), slots,
                                                   times)) for v, f in fakes.items()]
        for v, t in zip(fakes, tasks):      # a pacer that fails leaves its venue silent: say so
            t.add_done_callback(lambda t, v=v: t.cancelled() or t.exception() is None or print(
                f"bench: {v}'s frames stopped: {t.exception()!r}", file=sys.stderr, flush=True))
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)    # the parent closes it: stop
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        times.release()         # the pacers are done with it: the memory closes cleanly
        shm.close()


# -- the app's process -----------------------------------------------------------------------
def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _proc_cpu_s(pid: int) -> float:
    """User+system seconds of process `pid` so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()     # after "(comm)": state is field 3
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pct(values, q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, max(0, math.ceil(len(v) * q) - 1))]


async def run_app(args) -> dict:
    from PySide6.QtCore import QTimer, Qt

    import exchanges
    from gui.session import LIVE, Session
    from gui.settings import Settings
    from gui.window import MainWindow

    spec = json.loads(args.spec)
    urls = spec.get("urls", {})
    slot_of = {tuple(k): i for i, k in enumerate(spec.get("keys", ()))}
    venues = spec["venues"]
    creds = {m.VENUE_ID: m.CREDENTIALS for m in fake_modules()}
    keyed = [v for v in venues if v in urls][:KEYED]

    def factory(vid, **kw):
        if vid in urls:
            adapter = exchanges.create(vid, urls=urls[vid],
                                       credentials=creds[vid] if vid in keyed else None)
        else:
            adapter = exchanges.create(vid)
        if spec.get("task_per_symbol"):     # as before the kit: watch_ticker, a task a symbol
            adapter.has = {**adapter.has, "watch_tickers": False}
        return adapter

    shm = _attach(spec["shm"]) if spec.get("shm") else None
    times = shm.buf.cast("d") if shm is not None else None
    frame = {"flush_ms": spec["flush_ms"]} if spec.get("flush_ms") else {}
    window = MainWindow(session=Session(factory=factory, **frame), settings=Settings())
    window.resize(1400, 900)
    window.show()
    await window.start(restore=False, venues=venues)
    _settle_heap()                              # as the app does once started
    board = window.views["board"]
    board.table.sortByColumn(SORT_COLUMN, Qt.SortOrder.DescendingOrder)
    for name in ("board", "chart", "book", "trades"):
        window.docks[name].raise_()
    # 1 h candles: every fake serves them (Binance's serves 1m, 1h and 1d).
    window.views["chart"].timeframe.setCurrentText("1h")
    session = window.session
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(
            session.states.get(v) is not None and session.states[v].state == LIVE
            for v in venues):
        await asyncio.sleep(0.2)
    not_live = {v: (session.states[v].state if v in session.states else "not open")
                for v in venues if v not in session.states or session.states[v].state != LIVE}
    if SELECTED[0] in venues:
        window.select(*SELECTED)
    elif venues:
        window.select(venues[0], "BTC/USD")
    await asyncio.sleep(3.0)                    # book, chart, first polls settle

    # Update latency: the oldest ticker frame a fake sent that the board has not shown yet.
    model = window.tickers
    slot_by_row: dict[int, int | None] = {}
    # Samples go in arrays of doubles: the collector neither tracks nor walks them. In lists,
    # every full collection walked each float (~570,000 after a minute), which made the run's
    # own full collections 15–20 ms longer than the app's.
    latencies = array("d")
    by_venue: dict[str, array] = {}
    markets_id = {(v, s): m.id for v, st in session.states.items() for s, m in st.markets.items()}

    def on_changed(changes):
        now = time.monotonic()
        for r, _lo, _hi in changes:
            slot = slot_by_row.get(r, -1)
            if slot == -1:
                row = model._rows[r]
                key = (row.venue, row.symbol)
                slot = slot_of.get((row.venue, markets_id.get(key, "")),
                                   slot_of.get(key))
                slot_by_row[r] = slot
            if slot is not None and times is not None:
                sent = times[slot]
                if not math.isnan(sent):
                    times[slot] = math.nan
                    if measuring and samples:
                        latencies.append(now - sent)
                        by_venue.setdefault(model._rows[r].venue, array("d")).append(now - sent)
    # (in the model's batches, as the board takes them: a Python slot per row would cost the
    # app ~14 µs a changed row, and make the model announce each row to it)
    model.rows_changed.connect(on_changed)
    model.rowsInserted.connect(lambda *a: slot_by_row.clear())
    model.rowsRemoved.connect(lambda *a: slot_by_row.clear())

    gaps = array("d")
    last = [None]
    # The soak measures memory: it keeps no samples (a list of every stall and latency over
    # an hour would grow the process by ~300 MB, the very drift it looks for).
    samples = not args.soak

    def tick():
        now = time.perf_counter()
        if last[0] is not None and samples:
            gaps.append(now - last[0])
        last[0] = now
    meter = QTimer()
    meter.setTimerType(Qt.TimerType.PreciseTimer)
    meter.setInterval(1)
    meter.timeout.connect(tick)
    measuring = False
    rss = []
    if times is not None:
        for i in range(SENT):
            times[i] = math.nan
    sent0 = times[SENT] if times is not None else 0.0
    gc_spans: list[tuple[int, float]] = []     # (generation, seconds) of each collection
    gc_start = [0.0]
    gc_log = os.environ.get("BENCH_APP_GC")     # each full collection's size, to this file
    full: list[dict] = []

    def on_gc(phase, info):
        if phase == "start":
            if gc_log and measuring and info["generation"] == 2:
                full.append({"tracked": len(gc.get_objects(2))})
            gc_start[0] = time.perf_counter()
        elif measuring:
            gc_spans.append((info["generation"], time.perf_counter() - gc_start[0]))
            if gc_log and info["generation"] == 2 and full:
                full[-1].update(ms=round(gc_spans[-1][1] * 1000, 1), collected=info["collected"],
                                at=round(time.perf_counter() - t0))
    gc.callbacks.append(on_gc)
    profile_to = os.environ.get("BENCH_APP_PROFILE")    # cProfile the measured window
    if profile_to:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    measuring = True
    meter.start()
    # The reference: the fakes' process serving the same frames over the same window. Shared
    # VMs run 2× faster or slower from one hour to the next, moving both; app ÷ fakes compares
    # runs made at different speeds.
    server = spec.get("server_pid")
    fakes0 = _proc_cpu_s(server) if server else math.nan
    cpu0, t0 = _cpu_s(), time.perf_counter()
    if args.soak:
        end = t0 + args.soak * 60
        while time.perf_counter() < end:
            await asyncio.sleep(min(60.0, end - time.perf_counter()))
            rss.append((round(time.perf_counter() - t0), round(_rss_mb(), 1)))
            print(json.dumps({"soak_rss": rss[-1]}), file=sys.stderr, flush=True)
    else:
        await asyncio.sleep(args.seconds)
    cpu, wall = _cpu_s() - cpu0, time.perf_counter() - t0
    fakes_cpu = (_proc_cpu_s(server) - fakes0) / wall if server else math.nan
    sent = (times[SENT] - sent0) / wall if times is not None else 0.0
    meter.stop()
    measuring = False
    gc.callbacks.remove(on_gc)
    if gc_log:
        Path(gc_log).write_text(json.dumps(full))
    if profile_to:
        profiler.disable()
        profiler.dump_stats(f"{profile_to}-{len(venues)}.prof")
    result = {
        "venues": len(venues), "open": len(session.adapters), "not_live": not_live,
        "rows": model.rowCount(), "cpu": cpu / wall, "sent_per_s": sent,
        "fakes_cpu": fakes_cpu, "per_fakes": cpu / wall / fakes_cpu if fakes_cpu else math.nan,
        "stall_max_ms": max(gaps, default=math.nan) * 1000,
        "stall_p999_ms": (_pct(gaps, 0.999) or math.nan) * 1000,
        "latency_p50_ms": (_pct(latencies, 0.5) or math.nan) * 1000,
        "latency_p99_ms": (_pct(latencies, 0.99) or math.nan) * 1000,
        "latency_samples": len(latencies), "rss_mb": _rss_mb(), "soak_rss": rss,
        "slowest": sorted(((v, round(_pct(x, 0.99) * 1000), len(x)) for v, x in by_venue.items()),
                          key=lambda e: -e[1])[:4],
        "resorts": board.proxy.resorts,
        "gc": {"share": sum(d for _g, d in gc_spans) / wall,
               "full": sum(1 for g, _d in gc_spans if g == 2),
               "longest_ms": max((d for _g, d in gc_spans), default=0.0) * 1000,
               "per_s": len(gc_spans) / wall}}
    shot = os.environ.get("BENCH_APP_SHOT")       # a PNG of the window as measured
    if shot:
        window.grab().save(f"{shot}-{len(venues)}.png")
    model.rows_changed.disconnect(on_changed)
    await window.shutdown(save=False)
    if shm is not None:
        times.release()
        shm.close()
    return result


def _settle_heap() -> None:
    try:
        from gui import heap
    except ImportError:         # a checkout from before gui.heap: measured as it was
        return
    heap.settle()


def _run_loop(main) -> None:
    try:
        from gui.qtloop import run
    except ImportError:         # a checkout from before gui.qtloop: qasync's own loop
        import qasync
        return qasync.run(main)
    return run(main)            # the app's loop, as gui.app starts it


def app_main(args) -> None:
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    from gui import theme
    theme.apply(app, "dark")
    out = {}

    async def main():
        out.update(await run_app(args))
    _run_loop(main())
    print(json.dumps(out), flush=True)


# -- the orchestrator ------------------------------------------------------------------------
def _child_env(tmp: str) -> dict:
    return dict(os.environ, QT_QPA_PLATFORM="offscreen", EXCHANGE_ATLAS_SETTINGS_SCOPE="bench",
                EXCHANGE_ATLAS_DATA_DIR=tmp, XDG_CONFIG_HOME=tmp, PYTHONPATH=str(ROOT))


def _run_app(spec: dict, env: dict, seconds: float, soak: float | None) -> dict:
    cmd = [sys.executable, __file__, "--app", json.dumps(spec), "--seconds", str(seconds)]
    if soak:
        cmd += ["--soak", str(soak)]
    # A soak's minute-by-minute RSS goes to this process's stderr as it comes.
    proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=None if soak else subprocess.PIPE, text=True,
                          timeout=(soak or 0) * 60 + seconds + 300)
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise SystemExit(f"the app run failed:\n{(proc.stderr or '')[-3000:]}")


def _fmt(v, unit="", digits=1):
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else \
        f"{v:.{digits}f}{unit}"


def orchestrate(args) -> None:
    order = venue_order()
    counts = sorted({len(order) if c == "all" else min(int(c), len(order))
                     for c in args.counts.split(",")})
    with tempfile.TemporaryDirectory(prefix="bench-app-") as tmp:
        env = _child_env(tmp)
        shm = shared_memory.SharedMemory(create=True, size=SLOTS * 8)
        with shm.buf.cast("d") as view:     # released, or closing the memory fails at exit
            view[SENT] = 0.0
        try:
            server = subprocess.Popen([sys.executable, __file__, "--serve", shm.name],
                                      env=env, cwd=ROOT, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)
            hello = json.loads(server.stdout.readline())
            assert len(hello["keys"]) < SENT
            base = {"urls": hello["urls"], "keys": hello["keys"], "shm": shm.name,
                    "flush_ms": args.flush_ms, "task_per_symbol": args.task_per_symbol,
                    "server_pid": server.pid}
            idle = _run_app({"venues": [v for v in order if v.startswith("demo")],
                             "flush_ms": args.flush_ms}, env,
                            args.seconds, None) if args.idle else None
            results = {n: _run_app({**base, "venues": order[:n]}, env, args.seconds, None)
                       for n in counts}
            soak = _run_app({**base, "venues": order}, env, args.seconds, args.soak) \
                if args.soak else None
        finally:
            if 'server' in locals():
                server.stdin.close()
                server.wait(timeout=30)
            shm.close()
            shm.unlink()
    report(args, counts, results, idle, soak)


def report(args, counts, results, idle, soak) -> None:
    g = GOALS
    print(f"whole app under load ({args.seconds:g} s per run; fakes in their own process; "
          f"board sorted by 24 h %; book+chart on {SELECTED[1]} @ {SELECTED[0]}; "
          f"keys on {KEYED} venues; frames/s: ticker frames the fakes sent"
          f"{'; tickers: a task per symbol' if args.task_per_symbol else ''})")
    print(f"  {'venues':>7} {'rows':>5} {'frames/s':>8} {'CPU (cores)':>11} {'stall max':>10} "
          f"{'p99.9':>8} {'latency p50':>12} {'p99':>8} {'samples':>8} {'RSS MB':>7} "
          f"{'fakes CPU':>9} {'app÷fakes':>9}")
    for n in counts:
        r = results[n]
        print(f"  {n:>7} {r['rows']:>5} {r['sent_per_s']:>8,.0f} {_fmt(r['cpu'], '', 2):>11} "
              f"{_fmt(r['stall_max_ms'], ' ms'):>10} {_fmt(r['stall_p999_ms'], ' ms'):>8} "
              f"{_fmt(r['latency_p50_ms'], ' ms'):>12} {_fmt(r['latency_p99_ms'], ' ms'):>8} "
              f"{r['latency_samples']:>8} {_fmt(r['rss_mb']):>7} {_fmt(r['fakes_cpu'], '', 2):>9} "
              f"{_fmt(r['per_fakes'], '', 2):>9}")
        if n > 1 and r.get("slowest"):
            print("          slowest venues (p99 ms, samples): " + ", ".join(
                f"{v} {p} ({k})" for v, p, k in r["slowest"]))
        if r.get("gc"):
            g_ = r["gc"]
            print(f"          garbage collector: {g_['share'] * 100:.1f} % of the time, "
                  f"{g_['per_s']:.0f} collections/s ({g_['full']} full), longest "
                  f"{g_['longest_ms']:.1f} ms")
        if r["not_live"]:
            print(f"          not live when measured: {r['not_live']}")
    full = results[counts[-1]]

    def verdict(ok):
        return "meets" if ok else "MISSES"
    print(f"  goals with every venue ({counts[-1]}):")
    print(f"    CPU under {g['cpu']} core: {_fmt(full['cpu'], '', 2)}  "
          f"{verdict(full['cpu'] < g['cpu'])}  (the fakes serving its frames: "
          f"{_fmt(full['fakes_cpu'], '', 2)} core in the same window; app ÷ fakes "
          f"{_fmt(full['per_fakes'], '', 2)})")
    print(f"    stall p99.9 under {g['p999_ms']} ms: {_fmt(full['stall_p999_ms'], ' ms')}  "
          f"{verdict(full['stall_p999_ms'] < g['p999_ms'])}")
    lat = full["latency_p99_ms"]
    ok = not math.isnan(lat)
    print(f"    update latency p99 under 2 display frames ({g['latency_p99_ms']:.1f} ms at "
          f"60 Hz): {_fmt(lat, ' ms')}  {verdict(ok and lat < g['latency_p99_ms'])}")
    flush = args.flush_ms or FLUSH_MS
    print(f"      (the session shows tickers once per {flush} ms frame; under 2 of its "
          f"frames, {2 * flush} ms: {verdict(ok and lat < 2 * flush)})")
    if idle:
        print(f"    idle on the demo venues under {g['idle_rss_mb']} MB RSS: "
              f"{_fmt(idle['rss_mb'], ' MB')}  {verdict(idle['rss_mb'] < g['idle_rss_mb'])}")
    if soak:
        rss = [m for _, m in soak["soak_rss"]]
        drift = (max(rss) - rss[0]) / rss[0] if len(rss) > 1 else 0.0
        print(f"    soak {args.soak:g} min, RSS flat within 5 %: first {rss[0]} MB, "
              f"max {max(rss)} MB, last {rss[-1]} MB: {drift * 100:+.1f} %  "
              f"{verdict(abs(drift) <= g['soak_drift'])}")
        g_ = soak["gc"]
        print(f"      (over the soak: CPU {soak['cpu']:.2f} core, {soak['sent_per_s']:,.0f} "
              f"frames/s; garbage collector {g_['share'] * 100:.1f} % of the time, "
              f"{g_['full']} full collections, longest {g_['longest_ms']:.1f} ms)")
    else:
        print("    soak (RSS flat within 5 % over an hour): run with --soak")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--counts", default="1,10,all",
                   help="how many venues each run opens (comma-separated; 'all': every one)")
    p.add_argument("--flush-ms", type=int, default=None,
                   help="the session's frame (how often tickers reach the board); default 16")
    p.add_argument("--task-per-symbol", action="store_true",
                   help="stream tickers with one task per symbol (watch_ticker), as before "
                        "the adapter kit's watch_tickers")
    p.add_argument("--no-idle", dest="idle", action="store_false",
                   help="skip the idle run on the demo venues")
    p.add_argument("--soak", type=float, nargs="?", const=60.0, default=None,
                   help="also run every venue for MINUTES (default 60) and check RSS")
    p.add_argument("--serve", metavar="SHM", help=argparse.SUPPRESS)
    p.add_argument("--app", metavar="SPEC", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.serve:
        asyncio.run(serve(a.serve))
    elif a.app:
        a.spec = a.app
        app_main(a)
    else:
        orchestrate(a)
