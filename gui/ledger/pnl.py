"""P&L by average cost, fees included, in one currency (the method the views and README state).

Fills are taken oldest first, across every venue. Each fill of BASE/QUOTE is valued in the
chosen currency C at its time: `amount × price × rate(QUOTE → C)`. Then, per asset:

- Buying adds the amount to the position and its value to the position's cost. A fee paid in
  the asset bought leaves fewer units for the same cost; a fee paid in anything else is added
  to the cost (its value in C).
- Selling takes the average cost of the units sold out of the position; realized P&L is what
  was received minus that cost. A fee paid in the asset sold is sold too (more units leave for
  the same proceeds); a fee paid in anything else is taken off the proceeds.
- The other side of the trade moves like any asset: paying QUOTE (when QUOTE is not C) sells
  QUOTE at its value then, and receiving it buys it at that value; a fee in a third asset
  (say BNB) sells that much of it. So the fee's cost lands once, on the asset traded.
- Unrealized P&L is `position × today's rate − cost` of what is still held.
- Selling more than the fills ever bought (funds deposited, or bought before the ledger) has no
  known cost: no P&L is counted for that part, and the amount is reported (`unknown_basis`).
- A fill whose quote has no rate for C at its time is left out and counted (`unconverted`);
  one converted with a rate from another time is counted as `approximate`. Nothing is guessed
  silently.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["Position", "PnL", "average_cost", "METHOD"]

_ZERO = Decimal(0)
_ONE = Decimal(1)

METHOD = ("Average cost, fees included, across all venues, oldest fill first. Each fill is "
          "valued in {currency} at its time. A buy adds its cost (plus fees not paid in the "
          "asset itself) to the position; a sell realizes proceeds (less fees) minus the "
          "average cost of the units sold. Unrealized = position × current rate − its cost. "
          "Units sold beyond what the fills bought have no known cost and count no P&L.")

RateAt = Callable[[str, int], "tuple[Decimal, bool] | None"]


@dataclass(slots=True)
class Position:
    asset: str
    quantity: Decimal = _ZERO          # held according to the fills
    cost: Decimal = _ZERO              # what `quantity` cost, in the currency
    realized: Decimal = _ZERO
    fees: Decimal = _ZERO              # fees of this asset's trades, in the currency
    unknown_basis: Decimal = _ZERO     # sold beyond what the fills bought
    fills: int = 0                     # fills of this asset as the traded (base) asset
    approximate: int = 0
    unconverted: int = 0

    @property
    def average(self) -> Decimal | None:
        return self.cost / self.quantity if self.quantity > 0 else None

    def unrealized(self, rate: Decimal | None) -> Decimal | None:
        if rate is None:
            return None
        return self.quantity * rate - self.cost


@dataclass(slots=True)
class PnL:
    currency: str
    positions: dict[str, Position] = field(default_factory=dict)
    fills: int = 0
    unconverted: int = 0
    approximate: int = 0

    def position(self, asset: str) -> Position:
        pos = self.positions.get(asset)
        if pos is None:
            pos = self.positions[asset] = Position(asset)
        return pos

    @property
    def realized(self) -> Decimal:
        return sum((p.realized for p in self.positions.values()), _ZERO)

    @property
    def fees(self) -> Decimal:
        return sum((p.fees for p in self.positions.values()), _ZERO)

    def unrealized(self, rates: dict[str, Decimal]) -> tuple[Decimal, list[str]]:
        """Unrealized P&L summed over positions with a rate, and the assets held without one."""
        total, missing = _ZERO, []
        for asset, pos in self.positions.items():
            if not pos.quantity:
                continue
            value = pos.unrealized(rates.get(asset))
            if value is None:
                missing.append(asset)
            else:
                total += value
        return total, sorted(missing)

    # -- the arithmetic ----------------------------------------------------------------------
    def _acquire(self, asset: str, quantity: Decimal, cost: Decimal) -> None:
        if asset == self.currency:
            return
        pos = self.position(asset)
        pos.quantity += quantity
        pos.cost += cost

    def _dispose(self, asset: str, quantity: Decimal, proceeds: Decimal) -> None:
        if asset == self.currency or not quantity:
            return
        pos = self.position(asset)
        if pos.quantity >= quantity:
            cost_out = pos.cost * quantity / pos.quantity
            pos.realized += proceeds - cost_out
            pos.cost -= cost_out
            pos.quantity -= quantity
            if not pos.quantity:
                pos.cost = _ZERO           # no dust of cost left behind by rounding
            return
        known = max(pos.quantity, _ZERO)
        if known:
            pos.realized += proceeds * known / quantity - pos.cost
        pos.unknown_basis += quantity - known
        pos.quantity = _ZERO
        pos.cost = _ZERO

    def add(self, fill, rate_at: RateAt) -> None:
        base, quote = fill.symbol.split("/", 1)
        c = self.currency
        conv = (_ONE, True) if quote == c else rate_at(quote, fill.timestamp)
        pos = self.position(base) if base != c else None
        if conv is None:
            self.unconverted += 1
            if pos is not None:
                pos.unconverted += 1
            return
        rate, exact = conv
        amount, price = fill.amount, fill.price
        fee = fill.fee or _ZERO
        fee_ccy = fill.fee_currency or quote
        value = amount * price * rate
        if not fee:
            fee_value = _ZERO
        elif fee_ccy == quote:
            fee_value = fee * rate
        elif fee_ccy == base:
            fee_value = fee * price * rate
        elif fee_ccy == c:
            fee_value = fee
        else:
            third = rate_at(fee_ccy, fill.timestamp)
            if third is None:              # the fee cannot be valued: the trade still counts
                fee_value, exact = _ZERO, False
            else:
                fee_value, exact = fee * third[0], exact and third[1]
        self.fills += 1
        if not exact:
            self.approximate += 1
        if pos is not None:
            pos.fills += 1
            pos.fees += fee_value
            if not exact:
                pos.approximate += 1
        if fill.side == "buy":
            self._acquire(base, amount - (fee if fee_ccy == base else _ZERO),
                          value + (fee_value if fee_ccy != base else _ZERO))
            self._dispose(quote, amount * price + (fee if fee_ccy == quote else _ZERO),
                          value + (fee_value if fee_ccy == quote else _ZERO))
        else:
            self._dispose(base, amount + (fee if fee_ccy == base else _ZERO),
                          value - (fee_value if fee_ccy != base else _ZERO))
            self._acquire(quote, amount * price - (fee if fee_ccy == quote else _ZERO),
                          value - (fee_value if fee_ccy == quote else _ZERO))
        if fee and fee_ccy not in (base, quote, c):
            self._dispose(fee_ccy, fee, fee_value)


def average_cost(fills: Iterable, currency: str, rate_at: RateAt | None = None) -> PnL:
    """P&L of `fills` (oldest first) in `currency`. `rate_at(asset, timestamp)` gives one unit
    of `asset` in `currency` at that time as (rate, exact), or None when there is none."""
    rate_at = rate_at or (lambda asset, ts: None)
    pnl = PnL(currency.upper())
    for fill in fills:
        pnl.add(fill, rate_at)
    return pnl
