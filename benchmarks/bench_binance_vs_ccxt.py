"""Binance fetch_tickers (~2,000 symbols) and fetch_order_book(limit=5000), end to end from a
local fake server: Exchange Atlas (Decimal) against ccxt (its own venv) in the same run.

    /work/venv/bin/python benchmarks/bench_binance_vs_ccxt.py [--ccxt-python PATH] [--reps N]

ccxt is not a project dependency: it lives in a separate venv (default /work/bench-venv,
or $BENCH_CCXT_PYTHON) and runs in a child process pointed at the same server with its URLs
overridden. The server runs in a third process, with its replies serialised once, so neither
client pays for the server's work. Both clients run with their rate limiter off: this measures
client overhead (HTTP, JSON, parsing), not pacing. Prints best and median times and the Atlas/ccxt ratios of each
(best-of-N is the steadier figure on a shared machine).
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


# -- the clients ---------------------------------------------------------------------------------
async def _timed(call, reps: int) -> tuple[list[float], object]:
    result = await call()            # warm-up (connection, caches)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        result = await call()
        times.append(time.perf_counter() - start)
    return [min(times), statistics.median(times)], result


async def run_atlas(base: str, reps: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from decimal import Decimal

    import exchanges
    from exchanges.core.ratelimit import RateLimiter

    async with exchanges.create("binance", urls={"rest": base, "ws": base}) as ex:
        ex.limiter = ex.transport.limiter = RateLimiter(10**9, 1.0)
        await ex.load_markets()
        t_tickers, tickers = await _timed(ex.fetch_tickers, reps)
        t_book, book = await _timed(lambda: ex.fetch_order_book("BTC/USDT", DEPTH), reps)
        # The floor both clients share: the server's work and the bytes on the wire.
        session = ex.transport.session

        async def raw(path):
            async with session.get(base + path) as resp:
                return await resp.read()
        t_raw_tickers, _ = await _timed(lambda: raw("/api/v3/ticker/24hr"), reps)
        t_raw_book, _ = await _timed(
            lambda: raw(f"/api/v3/depth?symbol=BTCUSDT&limit={DEPTH}"), reps)
    assert len(tickers) >= SYMBOLS and len(book.bids) == DEPTH
    assert isinstance(next(iter(tickers.values())).last, Decimal)
    return {"tickers": t_tickers, "book": t_book, "n_tickers": len(tickers),
            "raw_tickers": t_raw_tickers, "raw_book": t_raw_book}


async def run_ccxt(base: str, reps: int) -> dict:
    import ccxt.async_support as ccxt

    ex = ccxt.binance({"enableRateLimit": False,
                       "options": {"fetchMarkets": {"types": ["spot"]},
                                   "fetchCurrencies": False, "fetchMargins": False}})
    for key in ("public", "private"):
        ex.urls["api"][key] = base + "/api/v3"
    try:
        await ex.load_markets()
        t_tickers, tickers = await _timed(ex.fetch_tickers, reps)
        t_book, book = await _timed(lambda: ex.fetch_order_book("BTC/USDT", DEPTH), reps)
    finally:
        await ex.close()
    assert len(book["bids"]) == DEPTH
    return {"tickers": t_tickers, "book": t_book, "n_tickers": len(tickers),
            "version": ccxt.__version__}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ccxt-python", default=os.environ.get(
        "BENCH_CCXT_PYTHON", "/work/bench-venv/bin/python"))
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ccxt-client", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve()
    if args.ccxt_client:
        sys.stdout.write(json.dumps(asyncio.run(run_ccxt(args.ccxt_client, args.reps))) + "\n")
        return None

    server = subprocess.Popen([sys.executable, __file__, "--serve"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        base = server.stdout.readline().strip()
        atlas = asyncio.run(run_atlas(base, args.reps))
        child = subprocess.run([args.ccxt_python, __file__, "--ccxt-client", base,
                                "--reps", str(args.reps)], capture_output=True, text=True,
                               check=True)
        ccxt = json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        server.stdin.close()
        server.wait(timeout=10)
    sys.stdout.write(f"Binance via a local fake server, best / median of {args.reps} runs "
                     f"(ccxt {ccxt['version']}):\n")
    for key, label in (("tickers", f"fetch_tickers ({atlas['n_tickers']} symbols)"),
                       ("book", f"fetch_order_book(limit={DEPTH})")):
        best, median = (atlas[key][i] / ccxt[key][i] for i in (0, 1))
        sys.stdout.write(f"  {label:34s} atlas {atlas[key][0] * 1000:6.1f} / "
                         f"{atlas[key][1] * 1000:6.1f} ms   ccxt {ccxt[key][0] * 1000:6.1f} / "
                         f"{ccxt[key][1] * 1000:6.1f} ms   ratio {best:.2f}x / {median:.2f}x "
                         f"(goal <= 0.5x)\n")
    sys.stdout.write("Above the shared floor (plain GET of the same reply, bytes only; best):\n")
    for key, label in (("tickers", "fetch_tickers"), ("book", "fetch_order_book")):
        floor = atlas[f"raw_{key}"][0]
        mine, theirs = atlas[key][0] - floor, ccxt[key][0] - floor
        sys.stdout.write(f"  {label:34s} floor {floor * 1000:6.1f} ms   atlas +{mine * 1000:5.1f}"
                         f" ms   ccxt +{theirs * 1000:5.1f} ms   ratio {mine / theirs:.2f}x\n")

if __name__ == "__main__":
    main()
