"""Text for money: every price is shown at its market's own increment, straight from the Decimal."""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

__all__ = ["places", "price", "amount", "compact", "percent", "clock"]

_SUFFIXES = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"),
             (Decimal(10) ** 3, "K"))


@lru_cache(maxsize=1024)
def places(increment: Decimal | None, default: int = 2) -> int:
    """Decimal places an increment implies: 0.01 → 2, 0.5 → 1, 10 → 0."""
    if increment is None or not increment:
        return default
    exp = increment.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else default


def price(value: Decimal | None, increment: Decimal | None = None) -> str:
    """1234.5 at 0.01 → '1,234.50'. Decimal formatting never goes through float."""
    if value is None:
        return ""
    return f"{value:,.{places(increment)}f}"


def amount(value: Decimal | None, increment: Decimal | None = None) -> str:
    if value is None:
        return ""
    return f"{value:,.{places(increment, 4)}f}"


def compact(value: Decimal | None) -> str:
    """Volumes: 1234567 → '1.23M'; small values keep up to 4 significant places."""
    if value is None:
        return ""
    magnitude = abs(value)
    for scale, suffix in _SUFFIXES:
        if magnitude >= scale:
            return f"{value / scale:,.2f}{suffix}"
    return f"{value:,.2f}" if magnitude >= 1 else f"{value:.4f}"


def percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value:+.2f}%"


def clock(ms: int | None) -> str:
    """Milliseconds since the epoch → local HH:MM:SS.mmm."""
    if ms is None:
        return ""
    import time
    seconds, millis = divmod(int(ms), 1000)
    return time.strftime("%H:%M:%S", time.localtime(seconds)) + f".{millis:03d}"
