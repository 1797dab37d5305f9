"""A real process syncing fills is killed (SIGKILL) in the middle of a sync, and restarted:
nothing is lost, nothing is duplicated, the ledger file is intact.

The child (tests/ledger/sync_child.py) syncs a fake venue's history into a ledger file and says
what it committed. It is killed at a point it reports (inside a transaction, rows written but
not committed) and at random moments; then a run to the end must leave exactly the venue's
fills, field for field, with the cursor at the newest one.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gui.ledger.store import ALL_SYMBOLS, FillFilter, open_ledger

from .history_venue import HistoryVenue

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


class Child:
    def __init__(self, ledger: Path, total: int, *extra: str) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.ledger.sync_child", str(ledger), str(total), *extra],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []

    def wait_for(self, prefix: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline().strip()
            if not line and self.proc.poll() is not None:
                raise AssertionError(f"child ended before {prefix!r}: {self.proc.stderr.read()}")
            self.lines.append(line)
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no {prefix!r} from the child within {timeout} s")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        assert self.proc.returncode == -signal.SIGKILL
        self.lines += [ln.strip() for ln in self.proc.stdout.read().splitlines()]
        self.proc.stdout.close()
        self.proc.stderr.close()

    def finish(self) -> int:
        out, err = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0, err
        self.lines += [ln.strip() for ln in out.splitlines()]
        return int(next(ln for ln in self.lines if ln.startswith("done")).split()[1])

    def committed(self) -> int:
        return sum(int(ln.split()[1]) for ln in self.lines if ln.startswith("committed"))


def count(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT count(*) FROM fills").fetchone()[0]
    finally:
        db.close()


def assert_exactly_the_venues_fills(path: Path, total: int) -> None:
    expected = HistoryVenue(total).fills
    ledger = open_ledger(path)
    try:
        assert ledger.notice is None
        assert ledger.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        got = ledger.fills(FillFilter(venue="history"))
        assert len(got) == total                      # nothing duplicated …
        assert {(f.fill_id, f.timestamp, f.symbol, f.side, f.price, f.amount, f.fee,
                 f.fee_currency, f.order_id, f.client_order_id, f.taker_or_maker)
                for f in got} == {
            (f.id, f.timestamp, f.symbol, f.side, f.price, f.amount, f.fee, f.fee_currency,
             f.order_id, f.client_order_id, f.taker_or_maker) for f in expected}   # … or lost
        assert ledger.cursor("history", ALL_SYMBOLS) == expected[-1].timestamp
    finally:
        ledger.close()


def test_killed_inside_a_transaction_of_the_first_sync(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    child = Child(path, 3000, "--stall-after", "1250")     # the 3rd chunk of 500, half written
    child.wait_for("inside")
    child.kill()
    assert child.committed() == 1000
    assert count(path) == 1000         # the half-written transaction left nothing behind
    rerun = Child(path, 3000)
    assert rerun.finish() == 2000
    assert_exactly_the_venues_fills(path, 3000)


def test_killed_inside_a_page_of_an_incremental_sync(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    assert Child(path, 600).finish() == 600                 # the ledger as it was yesterday
    child = Child(path, 3000, "--stall-after", "700")       # the 4th page of 200, half written
    child.wait_for("inside")
    child.kill()
    stored = count(path)
    assert stored == 600 + child.committed() and 600 < stored < 3000
    assert Child(path, 3000).finish() == 3000 - stored
    assert_exactly_the_venues_fills(path, 3000)


def test_killed_at_random_moments_again_and_again(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    rng = random.Random(15)
    assert Child(path, 500).finish() == 500
    kills_mid_sync = attempts = 0
    while kills_mid_sync < 3 and attempts < 10:
        attempts += 1
        child = Child(path, 8000, "--slow", "--page", "300")
        child.wait_for("started")
        time.sleep(rng.uniform(0.05, 0.3))
        if child.proc.poll() is None:
            child.kill()
            kills_mid_sync += not any(ln.startswith("done") for ln in child.lines)
        else:
            child.finish()
    assert kills_mid_sync >= 2, "the kills should land while the sync runs"
    Child(path, 8000).finish()
    assert_exactly_the_venues_fills(path, 8000)
