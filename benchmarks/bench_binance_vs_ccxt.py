"""Binance fetch_tickers (~2,000 symbols) and fetch_order_book(limit=5000), end to end from a
local fake server: Exchange Atlas (Decimal) against ccxt (its own venv) in the same run.

    /work/venv/bin/python benchmarks/bench_binance_vs_ccxt.py [--ccxt-python PATH] [--reps N]

ccxt is not a project dependency: it lives in a separate venv (default /work/bench-venv,
or $BENCH_CCXT_PYTHON) and runs in a child process pointed at the same server with its URLs
overridden. The server runs in a third process, with its replies serialised once, so neither
client pays for the server's work; Atlas runs in a process of its own too. The clients take
turns in short blocks, so both meet the same spells of a busy machine. Both run with their rate
limiter off: this measures client overhead (HTTP, JSON, parsing), not pacing. Prints best and
median times, the ratio of the bests and the median of the per-round ratios of bests.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SYMBOLS = 2000
DEPTH = 5000


# -- the server (project venv, own process) ------------------------------------------------------
class _Discard(list):
    """A request log that keeps nothing (the fake's log would grow over the runs)."""

    def append(self, item) -> None:
        pass


def serve() -> None:
    sys.path.insert(0, str(ROOT))
    from aiohttp import web

    from tests.fakes.binance import FakeBinance

    class CachedBinance(FakeBinance):
        """The fake with its big replies serialised once, so the server costs ~nothing."""

        def __init__(self) -> None:
            super().__init__(extra_symbols=SYMBOLS, depth_levels=DEPTH)
            self.cached_tickers = json.dumps([self._ticker(s) for s in self.books])
            self.cached_depth = json.dumps(self.snapshot("BTCUSDT", DEPTH))

        async def ticker_24hr(self, request):
            if request.query:
                return await super().ticker_24hr(request)
            return web.Response(text=self.cached_tickers, content_type="application/json")

        async def depth(self, request):
            if request.query.get("symbol") == "BTCUSDT" and request.query.get("limit") == "5000":
                return web.Response(text=self.cached_depth, content_type="application/json")
            return await super().depth(request)

    async def main() -> None:
        async with CachedBinance() as fake:
            fake.seen = _Discard()
            print(fake.base, flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

    asyncio.run(main())


# -- the clients: each in its own process, timing calls on command -----------------------------
# The clients take turns in short blocks (atlas ×5, ccxt ×5, ...), so a slow spell of a shared
# machine falls on both alike. The first call of each block only wakes the process up (its
# caches are cold after the other client's turn) and is not counted: the figures are steady
# state, a terminal polling a book. Each round's pair of best times also gives a ratio.
async def _serve_commands(calls: dict, info: dict) -> None:
    loop = asyncio.get_running_loop()
    for call in calls.values():
        await call()                                    # warm-up (connection, caches)
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()
    while (line := (await loop.run_in_executor(None, sys.stdin.readline)).split()):
        name, count = line[0], int(line[1])
        times = []
        for _ in range(count):
            start = time.perf_counter()
            await calls[name]()
            times.append(time.perf_counter() - start)
        sys.stdout.write(json.dumps(times) + "\n")
        sys.stdout.flush()


async def run_atlas(base: str) -> None:
    sys.path.insert(0, str(ROOT))
    from decimal import Decimal

    import exchanges
    from exchanges.core.ratelimit import RateLimiter

    async with exchanges.create("binance", urls={"rest": base, "ws": base}) as ex:
        ex.limiter = ex.transport.limiter = RateLimiter(10**9, 1.0)
        await ex.load_markets()
        session = ex.transport.session

        async def raw(path):        # the floor both clients share: server work, bytes on the wire
            async with session.get(base + path) as resp:
                return await resp.read()
        tickers = await ex.fetch_tickers()
        book = await ex.fetch_order_book("BTC/USDT", DEPTH)
        assert len(tickers) >= SYMBOLS and len(book.bids) == DEPTH
        assert isinstance(next(iter(tickers.values())).last, Decimal)
        assert isinstance(book.bids[-1][1], Decimal)
        await _serve_commands({
            "tickers": ex.fetch_tickers,
            "book": lambda: ex.fetch_order_book("BTC/USDT", DEPTH),
            "raw_tickers": lambda: raw("/api/v3/ticker/24hr"),
            "raw_book": lambda: raw(f"/api/v3/depth?symbol=BTCUSDT&limit={DEPTH}"),
        }, {"n_tickers": len(tickers)})


async def run_ccxt(base: str) -> None:
    import ccxt.async_support as ccxt

    ex = ccxt.binance({"enableRateLimit": False,
                       "options": {"fetchMarkets": {"types": ["spot"]},
                                   "fetchCurrencies": False, "fetchMargins": False}})
    for key in ("public", "private"):
        ex.urls["api"][key] = base + "/api/v3"
    try:
        await ex.load_markets()
        book = await ex.fetch_order_book("BTC/USDT", DEPTH)
        assert len(book["bids"]) == DEPTH
        await _serve_commands({
            "tickers": ex.fetch_tickers,
            "book": lambda: ex.fetch_order_book("BTC/USDT", DEPTH),
        }, {"version": ccxt.__version__})
    finally:
        await ex.close()


class _Client:
    def __init__(self, argv: list[str]) -> None:
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        self.info = json.loads(self.proc.stdout.readline())

    def time(self, call: str, block: int) -> list[float]:
        """Run `call` `block` times in a row; the times of all but the first (wake-up) one."""
        self.proc.stdin.write(f"{call} {block}\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())[1:]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ccxt-python", default=os.environ.get(
        "BENCH_CCXT_PYTHON", "/work/bench-venv/bin/python"))
    parser.add_argument("--reps", type=int, default=8, help="rounds (default 8)")
    parser.add_argument("--block", type=int, default=5, help="calls per turn (default 5)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--client", choices=("atlas", "ccxt"), help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve()
    if args.client:
        return asyncio.run((run_atlas if args.client == "atlas" else run_ccxt)(args.base))

    server = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    clients = []
    try:
        base = server.stdout.readline().strip()
        atlas = _Client([sys.executable, __file__, "--client", "atlas", "--base", base])
        clients.append(atlas)
        ccxt = _Client([args.ccxt_python, __file__, "--client", "ccxt", "--base", base])
        clients.append(ccxt)
        times: dict[str, list[list[float]]] = {}
        for _ in range(args.reps):
            for call in ("tickers", "book"):
                times.setdefault(call, []).append(atlas.time(call, args.block))
                times.setdefault("ccxt_" + call, []).append(ccxt.time(call, args.block))
                times.setdefault("raw_" + call, []).append(atlas.time("raw_" + call, args.block))
    finally:
        for client in clients:
            client.close()
        server.stdin.close()
        server.wait(timeout=10)
    flat = {call: [t for block in blocks for t in block] for call, blocks in times.items()}
    ms = lambda values: f"{min(values) * 1000:6.1f} / {statistics.median(values) * 1000:6.1f} ms"
    sys.stdout.write(f"Binance via a local fake server, {args.reps} rounds of {args.block - 1} "
                     f"counted calls each, best / median (ccxt {ccxt.info['version']}):\n")
    for call, label in (("tickers", f"fetch_tickers ({atlas.info['n_tickers']} symbols)"),
                        ("book", f"fetch_order_book(limit={DEPTH})")):
        mine, theirs = flat[call], flat["ccxt_" + call]
        paired = statistics.median(min(a) / min(c) for a, c in zip(times[call],
                                                                   times["ccxt_" + call]))
        sys.stdout.write(f"  {label:34s} atlas {ms(mine)}   ccxt {ms(theirs)}   ratio "
                         f"{min(mine) / min(theirs):.2f}x best, {paired:.2f}x median of rounds "
                         f"(goal <= 0.5x)\n")
    sys.stdout.write("Above the shared floor (plain GET of the same reply, bytes only; best):\n")
    for call, label in (("tickers", "fetch_tickers"), ("book", "fetch_order_book")):
        floor = min(flat["raw_" + call])
        mine, theirs = min(flat[call]) - floor, min(flat["ccxt_" + call]) - floor
        sys.stdout.write(f"  {label:34s} floor {floor * 1000:6.1f} ms   atlas +{mine * 1000:5.1f}"
                         f" ms   ccxt +{theirs * 1000:5.1f} ms   ratio {mine / theirs:.2f}x\n")
    return None


if __name__ == "__main__":
    main()
