"""The order form's arithmetic, without widgets: parse what was typed, link amount and total,
and the checks a trader wants before a confirmation (distance from the market, free balance).

Numbers are read in the user's locale (the separators `format` shows them with). Input that a
reader from another locale could take for a different number ("3100,5" where ',' groups
thousands, "3,100" that is 3100 here and 3.1 elsewhere) is refused with the reason, never
guessed at. The market's rules (increments, minimums) are the adapter's own `check_order`,
which the form awaits before it offers to send. Amounts derived from a total or a share of the
balance are floored to the amount increment: never more than the trader asked to spend.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from exchanges.numbers import floor_to, is_multiple, user_decimal

from . import format as fmt

__all__ = ["Draft", "parse", "draft", "distance", "far_warning", "needs", "share_amount",
           "fee_rate", "ORDER_TYPES"]

# What the type box offers, and what each sends as create_order's `type`.
ORDER_TYPES = {"limit": "limit", "market": "market", "stop-limit": "limit"}
_SPACES = frozenset(" \u00a0\u202f\u2009")        # space-like group separators (fr, ru, …)
_ONE = Decimal(1)


@dataclass(slots=True)
class Draft:
    amount: Decimal | None = None
    price: Decimal | None = None          # None for a market order
    total: Decimal | None = None
    stop: Decimal | None = None           # the trigger of a stop-limit order
    errors: dict[str, str] = field(default_factory=dict)   # field name → message

    @property
    def ok(self) -> bool:
        return not self.errors and self.amount is not None


def _grouped(whole: str, grp: str) -> bool:
    """Digits grouped by threes (1,234,567) or the Indian way (12,34,567)."""
    g = re.escape(grp)
    return bool(re.fullmatch(rf"\d{{1,3}}(?:{g}\d{{3}})+", whole)
                or re.fullmatch(rf"\d{{1,2}}(?:{g}\d{{2}})+{g}\d{{3}}", whole))


def _hint(raw: str, sep: str, dec: str) -> str:
    """What to type instead of `raw`, where its one `sep` may have been meant as a decimal
    separator: both readings when three digits follow it (3,100: 3100 or 3.1?)."""
    if raw.count(sep) != 1 or dec in raw:
        return ""
    whole, frac = raw.split(sep)
    as_decimal = whole + dec + frac.rstrip("0") if frac.rstrip("0") else whole
    if len(frac) == 3:
        return f" ({whole}{frac} or {as_decimal}?)"
    return f" ({as_decimal}?)"


def parse(text: str, what: str, seps: tuple[str, str] | None = None) -> Decimal:
    """A positive Decimal from a field's text, in the locale's separators (`seps`: decimal
    point, group separator; the display locale's by default). Raises ValueError in words."""
    dec, grp = seps or fmt.separators()
    raw = text.strip()
    if not raw:
        raise ValueError(f"enter {what}")
    sign = ""
    if raw[0] in "+-":
        sign, raw = raw[0], raw[1:].lstrip()       # '-' is refused below as not above zero
    groups = {grp} | (set(_SPACES) if grp in _SPACES or grp.isspace() else set())
    foreign = {".", ","} - {dec} - groups          # a separator this locale does not write
    if not any(c.isascii() and c.isdigit() for c in raw):
        raise ValueError(f"{what} must be a number, not {text.strip()[:40]!r}")
    for ch in raw:
        if ch.isascii() and ch.isdigit() or ch == dec or ch in groups:
            continue
        if ch in foreign:
            raise ValueError(f"{what} {raw} is ambiguous{_hint(raw, ch, dec)}: here '{dec}' "
                             f"is the decimal separator and '{ch}' is not used")
        raise ValueError(f"{what} must be a number, not {text.strip()[:40]!r}")
    if raw.count(dec) > 1:
        raise ValueError(f"{what} {raw} has more than one decimal separator '{dec}'")
    whole, point, frac = raw.partition(dec)
    if any(c in groups for c in frac):
        raise ValueError(f"{what} {raw}: a group separator after the decimal separator '{dec}'")
    if any(c in groups for c in whole):
        norm = "".join(grp if c in groups else c for c in whole)
        digits = "".join(c for c in whole if c.isdigit())
        if not _grouped(norm, grp):
            raise ValueError(f"{what} {raw} is ambiguous{'' if point else _hint(norm, grp, dec)}"
                             f": here '{grp}' groups thousands and '{dec}' is the decimal "
                             f"separator")
        if grp in ".," and norm.count(grp) == 1 and not point:
            # "3,100" is 3100 here but 3.1 where ',' is the decimal point: never guess.
            raise ValueError(f"{what} {raw} is ambiguous{_hint(norm, grp, dec)}: type it "
                             f"without '{grp}', or with the decimal separator '{dec}'")
        whole = digits
    canonical = sign + (whole or "0") + ("." + frac if frac else "")
    if canonical in ("+0", "-0", "0") and not (whole or frac):
        raise ValueError(f"{what} must be a number, not {text.strip()[:40]!r}")
    return user_decimal(canonical, what)


def draft(market, order_type: str, price_text: str, amount_text: str, total_text: str,
          driver: str, reference: Decimal | None, stop_text: str = "") -> Draft:
    """What the fields say. `order_type` is a key of ORDER_TYPES. `driver` is the field the
    trader typed last of amount/total: the other one is derived. `reference` prices a market
    order's total (the last price)."""
    d = Draft()
    price = None
    if ORDER_TYPES[order_type] == "limit":
        try:
            price = parse(price_text, "the price")
        except ValueError as exc:
            d.errors["price"] = str(exc)
        d.price = price
    else:
        price = reference
    if order_type == "stop-limit":
        try:
            d.stop = parse(stop_text, "the stop price")
            if not is_multiple(d.stop, market.price_increment):
                d.errors["stop"] = (f"the stop price is not a multiple of "
                                    f"{market.price_increment.normalize():f} {market.quote}")
        except ValueError as exc:
            d.errors["stop"] = str(exc)
    if driver == "total":
        try:
            d.total = parse(total_text, "the total")
        except ValueError as exc:
            d.errors["total"] = str(exc)
        if d.total is not None and price:
            d.amount = floor_to(d.total / price, market.amount_increment)
            if not d.amount:
                d.errors["total"] = (f"the total buys less than one step of "
                                     f"{market.amount_increment.normalize():f} {market.base}")
                d.amount = None
        elif d.total is not None and order_type == "market":
            d.errors["total"] = "no last price yet to turn a total into an amount"
    else:
        try:
            d.amount = parse(amount_text, "the amount")
        except ValueError as exc:
            d.errors["amount"] = str(exc)
        if d.amount is not None and price:
            d.total = d.amount * price
    return d


# -- before the confirmation ---------------------------------------------------------------------
def distance(price: Decimal, reference: Decimal) -> Decimal:
    """How far `price` is from `reference`, in percent (+ above, − below)."""
    return (price - reference) * 100 / reference


def far_warning(price: Decimal | None, reference: Decimal | None, what: str,
                limit_percent: Decimal, increment: Decimal | None) -> str | None:
    """A warning when `price` is more than `limit_percent` % from the market (`reference`,
    which is `what`: "the mid", "the last price"); None when near or unknown."""
    if price is None or not reference:
        return None
    pct = distance(price, reference)
    if abs(pct) <= limit_percent:
        return None
    side = "above" if pct > 0 else "below"
    return (f"the price is {fmt.number(abs(pct), 1)} % {side} {what} "
            f"{fmt.price(reference, increment)} (over your {fmt.number(limit_percent, 1)} %)")


def fee_rate(adapter) -> Decimal | None:
    """The venue's taker fee where the adapter says (ccxt's `fees["trading"]["taker"]`): the
    rate an order may pay, so the headroom a buy needs."""
    fees = getattr(adapter, "fees", None)
    try:
        rate = fees["trading"]["taker"]
    except (TypeError, KeyError):
        return None
    return rate if isinstance(rate, Decimal) else Decimal(str(rate))


def needs(market, side: str, amount: Decimal, price: Decimal | None,
          fee: Decimal | None) -> tuple[str, Decimal] | None:
    """(currency, how much of it) the order takes from the free balance: a buy the quote
    (amount × price, plus the taker fee where known), a sell the base amount. None for a buy
    without a price to value it."""
    if side == "sell":
        return market.base, amount
    if price is None:
        return None
    return market.quote, amount * price * (_ONE + (fee or 0))


def share_amount(market, side: str, fraction: Decimal, free_base: Decimal | None,
                 free_quote: Decimal | None, price: Decimal | None,
                 fee: Decimal | None) -> Decimal | None:
    """The amount that uses `fraction` (0.25 …1) of the free balance: of the base to sell, of
    the quote (fee included) to buy at `price`. Floored to the amount increment."""
    if side == "sell":
        if free_base is None:
            return None
        return floor_to(free_base * fraction, market.amount_increment)
    if free_quote is None or not price:
        return None
    return floor_to(free_quote * fraction / (price * (_ONE + (fee or 0))),
                    market.amount_increment)
