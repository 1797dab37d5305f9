"""The one number formatter: every price, amount, balance, total and axis label goes through here.

A value is shown at its market's own increment (0.01 → two places), straight from the Decimal
(never through float), with thousands separators, and with the decimal point and group separator
of the user's locale (1,234.50 in English, 1.234,50 in German). `entry()` writes the text for an
editable field, which the order form parses back with the same separators.
"""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from functools import lru_cache

__all__ = ["places", "price", "amount", "number", "entry", "compact", "percent", "clock",
           "use_locale", "separators", "balance"]

_SUFFIXES = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"),
             (Decimal(10) ** 3, "K"))

# (decimal point, group separator) of the display locale, and the translation from Python's
# "1,234.5" to it (None while the locale writes numbers the way Python does).
_locale: dict = {"decimal": ".", "group": ",", "table": None, "set": False}


def use_locale(locale=None) -> None:
    """Follow `locale` (a QLocale; the default QLocale when None) from now on."""
    from PySide6.QtCore import QLocale
    loc = QLocale() if locale is None else locale
    dec, grp = loc.decimalPoint() or ".", loc.groupSeparator() or ","
    if dec == grp:          # a locale that cannot tell them apart: stay unambiguous
        dec, grp = ".", ","
    _locale.update(decimal=dec, group=grp, set=True,
                   table=None if (dec, grp) == (".", ",") else str.maketrans({".": dec,
                                                                             ",": grp}))


def separators() -> tuple[str, str]:
    """(decimal point, group separator) that numbers are shown and typed with."""
    if not _locale["set"]:
        use_locale()
    return _locale["decimal"], _locale["group"]


def _local(text: str) -> str:
    if not _locale["set"]:
        use_locale()
    table = _locale["table"]
    return text.translate(table) if table else text


@lru_cache(maxsize=1024)
def places(increment: Decimal | None, default: int = 2) -> int:
    """Decimal places an increment implies: 0.01 → 2, 0.5 → 1, 10 → 0."""
    if increment is None or not increment:
        return default
    exp = increment.normalize().as_tuple().exponent
    return max(0, -exp) if isinstance(exp, int) else default


def number(value: Decimal | None, digits: int, group: bool = True) -> str:
    """`value` at `digits` places (rounded half-even), grouped, in the locale's separators."""
    if value is None:
        return ""
    return _local(f"{value:,.{digits}f}" if group else f"{value:.{digits}f}")


def price(value: Decimal | None, increment: Decimal | None = None) -> str:
    """1234.5 at 0.01 → '1,234.50'. Decimal formatting never goes through float."""
    return number(value, places(increment))


def amount(value: Decimal | None, increment: Decimal | None = None) -> str:
    return number(value, places(increment, 4))


def balance(value: Decimal | None, digits: int | None) -> str:
    """A balance at its asset's places, cut (never rounded up: a trader must never see more
    than is there); with `digits` None (asset unknown), every digit it has."""
    if value is None:
        return ""
    if digits is None:
        exp = value.normalize().as_tuple().exponent
        return number(value, max(0, -exp) if isinstance(exp, int) else 0)
    return number(value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_DOWN), digits)


def entry(value: Decimal | None, digits: int) -> str:
    """Text for an editable field: grouped only where there are decimals too ('3,100.00'),
    since a lone group separator ('3,100') reads as a decimal point elsewhere and is refused."""
    return number(value, digits, group=digits > 0)


def compact(value: Decimal | None) -> str:
    """Volumes: 1234567 → '1.23M'; small values keep up to 4 significant places."""
    if value is None:
        return ""
    magnitude = abs(value)
    for scale, suffix in _SUFFIXES:
        if magnitude >= scale:
            return _local(f"{value / scale:,.2f}") + suffix
    return _local(f"{value:,.2f}" if magnitude >= 1 else f"{value:.4f}")


def percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    return _local(f"{value:+.2f}") + "%"


def clock(ms: int | None) -> str:
    """Milliseconds since the epoch → local HH:MM:SS.mmm."""
    if ms is None:
        return ""
    import time
    seconds, millis = divmod(int(ms), 1000)
    return time.strftime("%H:%M:%S", time.localtime(seconds)) + f".{millis:03d}"
