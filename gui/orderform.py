"""The order form's arithmetic, without widgets: parse what was typed, link amount and total.

Parsing uses `exchanges.numbers.user_decimal` (positive, finite, no float) so a bad number is
refused in words here; the market's rules (increments, minimums) are the adapter's own
`check_order`, which the form awaits before it offers to send. Amounts derived from a total
are floored to the amount increment: never more than the trader asked to spend.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from exchanges.numbers import floor_to, round_to, user_decimal

__all__ = ["Draft", "parse", "draft"]


@dataclass(slots=True)
class Draft:
    amount: Decimal | None = None
    price: Decimal | None = None          # None for a market order
    total: Decimal | None = None
    errors: dict[str, str] = field(default_factory=dict)   # field name → message

    @property
    def ok(self) -> bool:
        return not self.errors and self.amount is not None


def parse(text: str, what: str) -> Decimal:
    """A positive Decimal from the field's text (thousands separators allowed)."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        raise ValueError(f"enter {what}")
    return user_decimal(cleaned, what)


def draft(market, order_type: str, price_text: str, amount_text: str, total_text: str,
          driver: str, reference: Decimal | None) -> Draft:
    """What the fields say. `driver` is the field the trader typed last of amount/total: the
    other one is derived. `reference` prices a market order's total (the last price)."""
    d = Draft()
    price = None
    if order_type == "limit":
        try:
            price = parse(price_text, "the price")
        except ValueError as exc:
            d.errors["price"] = str(exc)
        d.price = price
    else:
        price = reference
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


def suggest(value: Decimal, increment: Decimal) -> Decimal:
    """The nearest value on the increment, for an inline hint."""
    return round_to(value, increment)
