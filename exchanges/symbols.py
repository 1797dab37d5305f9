"""Common currency codes and unified "BASE/QUOTE" symbols.

Venues name some currencies their own way (Kraken's XBT and XDG, Bitfinex's UST). One shared
table maps them to the codes traders know; a venue adds its own quirks as overrides.
"""
from __future__ import annotations

from collections.abc import Mapping

__all__ = ["COMMON_CODES", "common_code", "unified_symbol", "split_symbol"]

# Codes that mean the same currency on every venue that uses them.
COMMON_CODES: Mapping[str, str] = {
    "XBT": "BTC",
    "XDG": "DOGE",
    "BCC": "BCH",
    "BCHABC": "BCH",
    "BCHSV": "BSV",
    "DRK": "DASH",
}


def common_code(code: str, overrides: Mapping[str, str] | None = None) -> str:
    """The common code for a venue's currency code: overrides first, then the shared table."""
    upper = code.upper()
    if overrides and upper in overrides:
        return overrides[upper]
    return COMMON_CODES.get(upper, upper)


def unified_symbol(base: str, quote: str, overrides: Mapping[str, str] | None = None) -> str:
    return f"{common_code(base, overrides)}/{common_code(quote, overrides)}"


def split_symbol(symbol: str) -> tuple[str, str]:
    """"BTC/USD" → ("BTC", "USD"); raises ValueError for anything else."""
    if not isinstance(symbol, str):
        raise ValueError(f"a symbol is a string like 'BTC/USD', not {type(symbol).__name__}")
    base, sep, quote = symbol.partition("/")
    if not sep or not base or not quote or "/" in quote:
        raise ValueError(f"{symbol!r} is not a symbol of the form 'BASE/QUOTE'")
    return base, quote
