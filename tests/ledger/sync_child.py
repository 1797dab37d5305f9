"""The process the killed-sync test kills: it syncs a fake venue's fills into a ledger file.

    python -m tests.ledger.sync_child LEDGER TOTAL [--stall-after ROWS] [--slow]

It prints one line per event, flushed at once, for the parent to act on:
  "started"             the sync is about to run
  "committed N"         a transaction with N new fills was committed
  "inside R"            (--stall-after) R rows are written into a transaction that is not
                        committed; the process then stalls there until it is killed
  "done N"              the sync finished; N fills were new in this run
`--slow` makes SQLite pause briefly every few thousand instructions, so that a kill at a random
moment most likely lands inside a transaction.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time

from gui.ledger import store
from gui.ledger.store import open_ledger
from gui.ledger.sync import FillSync
from tests.ledger.history_venue import HistoryVenue


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("ledger")
    p.add_argument("total", type=int)
    p.add_argument("--stall-after", type=int, default=None)
    p.add_argument("--slow", action="store_true")
    p.add_argument("--page", type=int, default=200)
    args = p.parse_args()

    if args.stall_after is not None:
        real_row = store._fill_row
        rows = [0]

        def stalling_row(venue, fill, source):
            rows[0] += 1
            if rows[0] > args.stall_after:
                say(f"inside {rows[0] - 1}")
                time.sleep(120)             # the parent kills the process here
            return real_row(venue, fill, source)

        store._fill_row = stalling_row

    ledger = open_ledger(args.ledger)
    if args.slow:
        ledger.db.set_progress_handler(lambda: time.sleep(0.001) or 0, 500)
    venue = HistoryVenue(args.total, delay=0.001)
    sync = FillSync(ledger, "history", venue, on_fills=lambda v, n: say(f"committed {n}"))
    sync.page = args.page
    say("started")
    added = asyncio.run(sync.sync_once())
    say(f"done {added}")
    ledger.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
