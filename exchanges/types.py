"""The unified data types of the contract. Every money field is a `Decimal`."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

__all__ = ["Market", "Ticker", "OrderBook", "Candle", "Trade", "Balance", "Order", "Credentials"]

Level = tuple[Decimal, Decimal]


@dataclass(slots=True, frozen=True)
class Market:
    symbol: str
    id: str
    base: str
    quote: str
    price_increment: Decimal
    amount_increment: Decimal
    min_amount: Decimal | None = None
    min_cost: Decimal | None = None
    active: bool = True
    # Venues whose price rule is significant digits (Bitfinex: 5), not a fixed tick. Then
    # `price_increment` is the finest grid any price may use, and `price_step(p)` the tick at p.
    price_significant_digits: int | None = None

    def price_step(self, price: Decimal) -> Decimal:
        """The price increment that applies at `price` (the fixed tick for most venues)."""
        digits = self.price_significant_digits
        if not digits or not price:
            return self.price_increment
        step = Decimal(1).scaleb(price.adjusted() - digits + 1)
        return max(step, self.price_increment)


@dataclass(slots=True)
class Ticker:
    symbol: str
    timestamp: int | None
    bid: Decimal | None = None
    ask: Decimal | None = None
    last: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    open: Decimal | None = None
    base_volume: Decimal | None = None
    quote_volume: Decimal | None = None
    # Where the venue gives no price from 24 h ago but the day's first (since 00:00 UTC:
    # Kraken's REST `o`): never used as `open`, which is 24 h, so two windows never mix.
    open_today: Decimal | None = None

    @property
    def change_percent(self) -> Decimal | None:
        """24 h change in percent, from `open` to `last`, when both are known."""
        return _percent(self.open, self.last)

    @property
    def change_percent_today(self) -> Decimal | None:
        """The change since the day's open (`open_today`), where the venue gives only that."""
        return _percent(self.open_today, self.last)


def _percent(start: Decimal | None, end: Decimal | None) -> Decimal | None:
    if start is None or end is None or not start:
        return None
    return (end - start) * 100 / start


@dataclass(slots=True)
class OrderBook:
    symbol: str
    bids: list[Level]
    asks: list[Level]
    timestamp: int | None = None
    nonce: int | None = None


@dataclass(slots=True, frozen=True)
class Candle:
    timestamp: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


@dataclass(slots=True, frozen=True)
class Trade:
    """A public trade, or a fill of the account's own (`fetch_my_trades`, `watch_my_trades`):
    then `order_id`, `client_order_id`, `fee`, `fee_currency` and `taker_or_maker` ("taker" /
    "maker") are filled in where the venue says them; on public trades they stay None."""
    id: str
    timestamp: int
    side: str | None
    price: Decimal
    amount: Decimal
    symbol: str | None = None
    order_id: str | None = None
    client_order_id: str | None = None
    fee: Decimal | None = None
    fee_currency: str | None = None
    taker_or_maker: str | None = None


@dataclass(slots=True, frozen=True)
class Balance:
    free: Decimal
    used: Decimal
    total: Decimal


@dataclass(slots=True)
class Order:
    id: str
    client_order_id: str | None
    symbol: str
    side: str
    type: str
    price: Decimal | None
    amount: Decimal
    filled: Decimal
    remaining: Decimal
    status: str
    timestamp: int | None
    average: Decimal | None = None
    fee: Decimal | None = None


@dataclass(slots=True, frozen=True)
class Credentials:
    """API credentials in the form the venue issues them. The repr never shows a secret."""

    api_key: str
    secret: str = field(repr=False)
    passphrase: str | None = field(default=None, repr=False)
    uid: str | None = None

    def __repr__(self) -> str:
        key = self.api_key
        shown = (key[:4] + "…") if len(key) > 8 else "…"
        return f"Credentials(api_key='{shown}', secret=<hidden>)"

    __str__ = __repr__

    def secrets(self) -> tuple[str, ...]:
        """Every secret string, for log redaction."""
        return tuple(s for s in (self.api_key, self.secret, self.passphrase) if s)
