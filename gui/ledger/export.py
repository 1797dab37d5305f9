"""Export fills as CSV in the columns tax tools' generic CSV import expects.

    Date,Venue,Pair,Side,Amount,Price,Fee,Fee currency,Order ID,Fill ID
    2024-03-01T12:30:00.123Z,kraken,BTC/USD,buy,0.01000000,62000.5,0.16,USD,O7…,T3…

Date is UTC in ISO 8601 with milliseconds; Amount is in the pair's base currency and Price in
its quote; every number is written with the digits the venue gave (no exponent, no rounding);
Fee is empty when the venue did not say. The file is written to a temporary name and renamed
when complete, so a failed export never leaves half a file. This app imports its own export
again (see csv_import), so it also moves a ledger from one machine to another.
"""
from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["COLUMNS", "export_fills", "iso_utc", "fill_row"]

COLUMNS = ("Date", "Venue", "Pair", "Side", "Amount", "Price", "Fee", "Fee currency",
           "Order ID", "Fill ID")


def iso_utc(ms: int) -> str:
    dt = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _plain(d) -> str:
    return "" if d is None else format(d, "f")


def fill_row(f) -> list[str]:
    return [iso_utc(f.timestamp), f.venue, f.symbol, f.side, _plain(f.amount), _plain(f.price),
            _plain(f.fee), f.fee_currency or "", f.order_id or "", f.fill_id]


def export_fills(fills: Iterable, path: str | Path) -> int:
    """Write `fills` (oldest first, as given) to `path`; returns how many rows were written."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(COLUMNS)
            for f in fills:
                out.writerow(fill_row(f))
                n += 1
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return n
