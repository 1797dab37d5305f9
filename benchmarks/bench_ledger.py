"""The ledger: storing 100,000 fills and recomputing the portfolio, against plain SQLite
references measured in the same run.

- insert: `Ledger.add_fills` of contract `Trade`s, in pages of 500 as the sync stores them (one
  transaction per page, with its cursor), and in one batch; the reference is one plain
  `executemany` of the same rows, already as tuples of text, into a table of the same columns
  and keys on the same kind of file (WAL, synchronous=NORMAL).
- recompute: the P&L by average cost over every fill (read back from the ledger, Decimal
  arithmetic) plus the valuation of 200 assets on 3 venues through their tickers; the reference
  is reading the same rows back with a plain cursor (what any recompute must at least do).
- open: opening the 100,000-fill ledger (its header and `PRAGMA quick_check`).

Each figure is the best of `--rounds` (default 3): wall seconds, and the ratio to its reference.

    python benchmarks/bench_ledger.py [--fills 100000] [--rounds 3]
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import exchanges  # noqa: E402
from exchanges import Balance, Ticker, Trade  # noqa: E402
from gui.ledger.pnl import average_cost  # noqa: E402
from gui.ledger.store import MIGRATIONS, Ledger, open_ledger  # noqa: E402

T0 = 1_700_000_000_000
ASSETS = [f"A{i:03d}" for i in range(200)]


def make_fills(n: int, seed: int = 15) -> list[Trade]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        base = ASSETS[rng.randrange(40)]
        quote = "USD" if rng.random() < 0.7 else "BTC"
        price = Decimal(rng.randint(100, 9_999_999)).scaleb(-4 if quote == "USD" else -8)
        amount = Decimal(rng.randint(1, 500_000)).scaleb(-5)
        out.append(Trade(f"{i:08d}", T0 + i * 250, "buy" if rng.random() < 0.55 else "sell",
                         price, amount, f"{base}/{quote}", order_id=f"o{i // 3}",
                         fee=(price * amount * Decimal("0.001")).quantize(Decimal("1e-10")),
                         fee_currency=quote, taker_or_maker="taker"))
    return out


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()


def reference_insert(path: Path, rows: list[tuple]) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.executescript(MIGRATIONS[0])            # the same table, keys and indexes
    db.execute("BEGIN")
    db.executemany("INSERT INTO fills VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute("COMMIT")
    db.close()


def ledger_insert(path: Path, fills: list[Trade], page: int | None) -> None:
    ledger = Ledger(path)
    if page is None:
        ledger.add_fills("bench", fills, "api", ("*", fills[-1].timestamp))
    else:
        for i in range(0, len(fills), page):
            part = fills[i:i + page]
            ledger.add_fills("bench", part, "api", ("*", part[-1].timestamp))
    ledger.close()


def balances_and_tickers():
    rng = random.Random(3)
    balances = {v: {a: Balance(Decimal(rng.randint(1, 10**6)), Decimal(0),
                               Decimal(rng.randint(1, 10**6))) for a in ASSETS}
                for v in ("one", "two", "three")}
    tickers = {"one": {"BTC/USD": Ticker("BTC/USD", 0, Decimal("60000"), Decimal("60010"))}}
    for i, a in enumerate(ASSETS[:190]):                        # 10 left without a market
        venue = ("one", "two", "three")[i % 3]
        quote = "USD" if i % 2 else "BTC"
        tickers.setdefault(venue, {})[f"{a}/{quote}"] = Ticker(f"{a}/{quote}", 0,
                                                              last=Decimal(i + 1))
    return balances, tickers


def recompute(path: Path, balances, tickers) -> None:
    ledger = Ledger(path)
    v = exchanges.value_in("USD", balances, tickers)
    average_cost(ledger.iter_fills(), "USD",
                 lambda asset, ts: (v.rates[asset], False) if asset in v.rates else None)
    ledger.close()


def reference_read(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("SELECT * FROM fills ORDER BY timestamp").fetchall()
    db.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fills", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    fills = make_fills(args.fills)
    rows = [("bench", f.id, f.timestamp, f.symbol, f.side, format(f.price, "f"),
             format(f.amount, "f"), format(f.fee, "f"), f.fee_currency, f.order_id, None,
             f.taker_or_maker, "api") for f in fills]
    balances, tickers = balances_and_tickers()
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(best.get(name, seconds), seconds)

    with tempfile.TemporaryDirectory() as tmp:
        ref_db, led_db = Path(tmp) / "ref.sqlite3", Path(tmp) / "ledger.sqlite3"
        for _ in range(args.rounds):
            fresh(ref_db)
            keep("reference executemany", timed(lambda: reference_insert(ref_db, rows)))
            fresh(led_db)
            keep("ledger, one batch", timed(lambda: ledger_insert(led_db, fills, None)))
            fresh(led_db)
            keep("ledger, pages of 500", timed(lambda: ledger_insert(led_db, fills, 500)))
            keep("again: all already stored", timed(lambda: ledger_insert(led_db, fills, 500)))
            keep("reference read", timed(lambda: reference_read(ref_db)))
            keep("recompute", timed(lambda: recompute(led_db, balances, tickers)))
            keep("open with quick_check", timed(lambda: open_ledger(led_db).close()))
        size = led_db.stat().st_size + Path(str(led_db) + "-wal").stat().st_size \
            if Path(str(led_db) + "-wal").exists() else led_db.stat().st_size
    ref_w, ref_r = best["reference executemany"], best["reference read"]
    print(f"{args.fills:,} fills, best of {args.rounds} rounds, ledger file {size / 1e6:.1f} MB")
    print(f"{'insert':<28}{'seconds':>9}{'vs executemany':>17}")
    for name in ("reference executemany", "ledger, one batch", "ledger, pages of 500",
                 "again: all already stored"):
        print(f"  {name:<26}{best[name]:>9.3f}{best[name] / ref_w:>16.2f}x")
    print(f"{'recompute':<28}{'seconds':>9}{'vs plain read':>17}")
    for name in ("reference read", "recompute", "open with quick_check"):
        print(f"  {name:<26}{best[name]:>9.3f}{best[name] / ref_r:>16.2f}x")
    print(f"  (recompute = P&L over {args.fills:,} fills + valuing {len(ASSETS)} assets on "
          f"3 venues)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
