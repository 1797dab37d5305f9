"""Taker fees per venue for the cross-venue views, without Qt: yours, the venue's, or a default.

Which rate counts, first found wins:
1. the rate you set (your tier, a discount): saved as JSON beside the watchlist;
2. the rate the venue publishes through its adapter (`exchanges.crossvenue.published_taker_fee`);
3. the venue's base-tier taker rate below, which is what a new account pays and may be out of
   date, so the table says "default" beside it;
4. `FALLBACK` for a venue with none of these, marked "assumed".
"""
from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from pathlib import Path

from exchanges.crossvenue import published_taker_fee

from .settings import data_dir, read_json, write_json_atomic

__all__ = ["FeeTable", "DEFAULTS", "FALLBACK", "parse_percent", "percent_text"]

log = logging.getLogger("gui.fees")

FILENAME = "fees.json"
D = Decimal
# Base-tier (lowest volume) spot taker rates as the venues list them.
DEFAULTS: dict[str, Decimal] = {
    "binance": D("0.001"), "okx": D("0.001"), "okxus": D("0.001"),
    "kraken": D("0.004"), "bitstamp": D("0.004"), "bitfinex": D("0.002"),
    "coinbase": D("0.012"),
}
FALLBACK = D("0.0025")

YOURS, VENUE, DEFAULT, ASSUMED = "yours", "venue", "default", "assumed"


def parse_percent(text: str) -> Decimal:
    """'0.1', '0,1' or '0.1 %' → Decimal('0.001'). ValueError in words for anything else."""
    raw = text.strip().rstrip("%").strip().replace(",", ".")
    try:
        pct = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"a fee is a percentage such as 0.1, not {text.strip()!r}") from None
    if not pct.is_finite() or not 0 <= pct < 100:
        raise ValueError(f"a fee must be from 0 to below 100 %, not {text.strip()}")
    return pct / 100


def percent_text(rate: Decimal) -> str:
    """Decimal('0.00075') → '0.075 %' (no trailing zeros past two places)."""
    pct = (rate * 100).normalize()
    text = f"{pct:f}"
    if "." in text and len(text.split(".")[1]) < 2:
        text = f"{pct:.2f}"
    elif "." not in text:
        text = f"{pct:.2f}"
    return f"{text} %"


class FeeTable:
    """Your rates per venue, saved at every change."""

    def __init__(self, where: Path | None = None) -> None:
        self.where = where or data_dir() / FILENAME
        self.yours: dict[str, Decimal] = {}
        data = read_json(self.where, {})
        for venue, text in (data.get("taker", {}) if isinstance(data, dict) else {}).items():
            try:
                self.yours[str(venue)] = parse_percent(str(text))
            except ValueError as exc:
                log.warning("fees.json: %s: %s (ignored)", venue, exc)

    def rate(self, venue: str, adapter=None) -> tuple[Decimal, str]:
        """(taker rate, where it comes from) for `venue`."""
        if venue in self.yours:
            return self.yours[venue], YOURS
        published = published_taker_fee(adapter) if adapter is not None else None
        if published is not None:
            return published, VENUE
        if venue in DEFAULTS:
            return DEFAULTS[venue], DEFAULT
        return FALLBACK, ASSUMED

    def set(self, venue: str, rate: Decimal | None) -> None:
        """Your rate for `venue` (None: forget it and use the venue's or the default)."""
        if rate is None:
            self.yours.pop(venue, None)
        else:
            self.yours[venue] = rate
        write_json_atomic(self.where, {"version": 1, "taker": {
            v: f"{(r * 100).normalize():f}" for v, r in sorted(self.yours.items())}})
