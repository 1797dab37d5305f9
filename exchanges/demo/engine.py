"""A price-time-priority matching engine with a ledger that holds funds for open orders.

One `Book` per market; every `Book` of a venue shares one `Ledger` of `Account`s. An account
that is `limited` must have the free balance for what it does (the user); an unlimited one may go
negative (the simulated market makers and traders), so the sum of every currency over all
accounts, the fee account included, never changes: value is only ever moved, never made.

Holds: a limit buy holds `price * amount * (1 + taker fee)` of the quote (headroom for the taker
fee of its marketable part), a limit sell holds the base amount. Each fill releases the hold of
exactly the amount it fills, so a cancel or the last fill releases exactly what is left.
Fees are charged in the quote currency: the buyer pays cost + fee, the seller receives cost - fee.

The hot path keeps to plain attribute and dict access: price levels are a `SortedDict` (bids keyed
by the negated price, so the best level of either side is at index 0) of FIFO deques; a cancelled
order is only marked dead and skipped (or compacted away) later, never searched for in its deque.
"""
from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator
from decimal import Decimal

from sortedcontainers import SortedDict

__all__ = ["Account", "Ledger", "EngineOrder", "Book", "EngineError", "NotEnoughFunds",
           "NoSuchOrder", "OPEN", "CLOSED", "CANCELED"]

_ZERO = Decimal(0)
_ONE = Decimal(1)
OPEN, CLOSED, CANCELED = "open", "closed", "canceled"


class EngineError(Exception):
    """Base of the engine's refusals (the venue turns them into the contract's errors)."""


class NotEnoughFunds(EngineError):
    pass


class NoSuchOrder(EngineError):
    pass


class Account:
    """Free and used balance per currency, and the account's fee rates."""

    __slots__ = ("name", "free", "used", "maker", "taker", "limited")

    def __init__(self, name: str, *, maker: Decimal = _ZERO, taker: Decimal = _ZERO,
                 limited: bool = True) -> None:
        self.name = name
        self.free: dict[str, Decimal] = {}
        self.used: dict[str, Decimal] = {}
        self.maker = maker
        self.taker = taker
        self.limited = limited

    def ensure(self, currency: str) -> None:
        if currency not in self.free:
            self.free[currency] = _ZERO
            self.used[currency] = _ZERO

    def total(self, currency: str) -> Decimal:
        return self.free.get(currency, _ZERO) + self.used.get(currency, _ZERO)


class Ledger:
    """Every account of one venue, and the account that collects fees."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.fees = self.open("fees", limited=False)

    def open(self, name: str, **kw) -> Account:
        acct = self.accounts[name] = Account(name, **kw)
        return acct

    def deposit(self, account: Account, currency: str, amount: Decimal) -> None:
        account.ensure(currency)
        account.free[currency] += amount

    def sum(self, currency: str) -> Decimal:
        """The currency summed over every account: constant under trading and cancelling."""
        return sum((a.total(currency) for a in self.accounts.values()), _ZERO)


class EngineOrder:
    __slots__ = ("id", "account", "is_buy", "price", "amount", "remaining", "filled", "cost",
                 "fee", "status", "timestamp", "hold", "hold_unit", "client_order_id", "symbol")

    def __init__(self, oid: int, account: Account, is_buy: bool, amount: Decimal,
                 price: Decimal | None, timestamp: int, client_order_id: str | None,
                 symbol: str) -> None:
        self.id = oid
        self.account = account
        self.is_buy = is_buy
        self.price = price
        self.amount = amount
        self.remaining = amount
        self.filled = _ZERO
        self.cost = _ZERO
        self.fee = _ZERO
        self.status = OPEN
        self.timestamp = timestamp
        self.hold = _ZERO           # what is still reserved for this order
        self.hold_unit = None       # reserved per unit of amount (limit orders only)
        self.client_order_id = client_order_id
        self.symbol = symbol

    @property
    def side(self) -> str:
        return "buy" if self.is_buy else "sell"

    @property
    def type(self) -> str:
        return "market" if self.price is None else "limit"

    def __repr__(self) -> str:
        return (f"EngineOrder({self.id}, {self.side} {self.remaining}/{self.amount} @ "
                f"{self.price}, {self.status})")


class _Level:
    __slots__ = ("orders", "total", "dead")

    def __init__(self) -> None:
        self.orders: deque[EngineOrder] = deque()
        self.total = _ZERO
        self.dead = 0


class Book:
    """The order book and matcher of one market. `submit` and `cancel` are the whole interface.

    `fills` collects (price, amount, taker_is_buy, maker, taker) of every match, for the
    caller to publish as trades and then clear.
    """

    def __init__(self, symbol: str, base: str, quote: str, ledger: Ledger,
                 ids: Iterator[int] | None = None) -> None:
        self.symbol = symbol
        self.base = base
        self.quote = quote
        self.ledger = ledger
        self.ids = ids if ids is not None else itertools.count(1)
        self.bids = SortedDict()      # -price → _Level
        self.asks = SortedDict()      # price → _Level
        self.live: dict[int, EngineOrder] = {}
        self.fills: list[tuple[Decimal, Decimal, bool, EngineOrder, EngineOrder]] = []
        ledger.fees.ensure(quote)
        self._fee_free = ledger.fees.free

    # -- queries -----------------------------------------------------------------------------
    def best_bid(self) -> Decimal | None:
        return -self.bids.keys()[0] if self.bids else None

    def best_ask(self) -> Decimal | None:
        return self.asks.keys()[0] if self.asks else None

    def depth(self, limit: int | None = None
              ) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        """Aggregated levels, best first."""
        bids = [(-p, lv.total) for p, lv in self.bids.items()[:limit]]
        asks = [(p, lv.total) for p, lv in self.asks.items()[:limit]]
        return bids, asks

    # -- orders ------------------------------------------------------------------------------
    def submit(self, account: Account, is_buy: bool, amount: Decimal,
               price: Decimal | None = None, timestamp: int = 0,
               client_order_id: str | None = None) -> EngineOrder:
        """Place a limit order (`price` set) or a market order; match what crosses, rest the
        remainder of a limit order. NotEnoughFunds (nothing changed) if a limited account
        cannot pay for it."""
        base, quote = self.base, self.quote
        if base not in account.free or quote not in account.free:
            account.ensure(base)
            account.ensure(quote)
        order = EngineOrder(next(self.ids), account, is_buy, amount, price, timestamp,
                            client_order_id, self.symbol)
        if price is not None:
            if is_buy:
                unit = price * (_ONE + account.taker) if account.taker else price
                hold = unit * amount
                cur = quote
            else:
                unit = _ONE
                hold = amount
                cur = base
            if account.limited and account.free[cur] < hold:
                raise NotEnoughFunds(self._short(account, cur, hold))
            account.free[cur] -= hold
            account.used[cur] += hold
            order.hold = hold
            order.hold_unit = unit
        elif account.limited:
            if is_buy:
                need = self._market_buy_cost(amount) * (_ONE + account.taker)
                if account.free[quote] < need:
                    raise NotEnoughFunds(self._short(account, quote, need))
            elif account.free[base] < amount:
                raise NotEnoughFunds(self._short(account, base, amount))
        self._match(order)
        if order.remaining:
            if price is None:
                order.status = CANCELED     # the book ran dry: the rest of a market order lapses
            else:
                self._rest(order)
                return order
        else:
            order.status = CLOSED
        self._release(order)
        return order

    def cancel(self, order_id: int) -> EngineOrder:
        order = self.live.pop(order_id, None)
        if order is None:
            raise NoSuchOrder(order_id)
        order.status = CANCELED
        side = self.bids if order.is_buy else self.asks
        key = -order.price if order.is_buy else order.price
        level = side[key]
        level.total -= order.remaining
        if not level.total:
            del side[key]
        else:
            level.dead += 1
            if level.dead > 16 and level.dead * 2 > len(level.orders):
                level.orders = deque(o for o in level.orders if o.status is OPEN)
                level.dead = 0
        self._release(order)
        return order

    # -- internals ---------------------------------------------------------------------------
    def _short(self, account: Account, currency: str, need: Decimal) -> str:
        return (f"needs {need} {currency} but only {account.free[currency]} {currency} "
                f"is free")

    def _market_buy_cost(self, amount: Decimal) -> Decimal:
        cost = _ZERO
        left = amount
        for price, level in self.asks.items():
            q = level.total if level.total < left else left
            cost += price * q
            left -= q
            if not left:
                break
        return cost

    def _rest(self, order: EngineOrder) -> None:
        if order.is_buy:
            side, key = self.bids, -order.price
        else:
            side, key = self.asks, order.price
        level = side.get(key)
        if level is None:
            level = side[key] = _Level()
        level.orders.append(order)
        level.total += order.remaining
        self.live[order.id] = order

    def _release(self, order: EngineOrder) -> None:
        """Return whatever is still held for a finished order to its free balance."""
        if order.hold:
            cur = self.quote if order.is_buy else self.base
            acct = order.account
            acct.used[cur] -= order.hold
            acct.free[cur] += order.hold
            order.hold = _ZERO

    def _match(self, taker: EngineOrder) -> None:
        """Fill `taker` against the opposite side, best price first, oldest first within a
        price. Settlement is inlined: this loop is the engine's hot path."""
        is_buy = taker.is_buy
        book = self.asks if is_buy else self.bids
        limit = taker.price
        live, fills = self.live, self.fills
        base, quote = self.base, self.quote
        fee_free = self._fee_free
        t_acct = taker.account
        t_rate = t_acct.taker
        while taker.remaining and book:
            key, level = book.peekitem(0)
            price = key if is_buy else -key
            if limit is not None and (price > limit if is_buy else price < limit):
                break
            orders = level.orders
            while taker.remaining and orders:
                maker = orders[0]
                if maker.status is not OPEN:
                    orders.popleft()
                    level.dead -= 1
                    continue
                q = taker.remaining if taker.remaining < maker.remaining else maker.remaining
                cost = price * q
                m_acct = maker.account
                m_rate = m_acct.maker
                if is_buy:
                    buyer, b_acct, b_rate, seller, s_acct, s_rate = (
                        taker, t_acct, t_rate, maker, m_acct, m_rate)
                else:
                    buyer, b_acct, b_rate, seller, s_acct, s_rate = (
                        maker, m_acct, m_rate, taker, t_acct, t_rate)
                # the buyer pays cost + fee (out of the hold of a limit order) and gets the base
                b_fee = cost * b_rate if b_rate else _ZERO
                if buyer.hold_unit is not None:
                    release = buyer.hold_unit * q
                    buyer.hold -= release
                    b_acct.used[quote] -= release
                    b_acct.free[quote] += release - cost - b_fee
                else:
                    b_acct.free[quote] -= cost + b_fee
                b_acct.free[base] += q
                # the seller gives the base (out of the hold of a limit order), gets cost - fee
                s_fee = cost * s_rate if s_rate else _ZERO
                if seller.hold_unit is not None:
                    seller.hold -= q
                    s_acct.used[base] -= q
                else:
                    s_acct.free[base] -= q
                s_acct.free[quote] += cost - s_fee
                if b_fee or s_fee:
                    fee_free[quote] += b_fee + s_fee
                    buyer.fee += b_fee
                    seller.fee += s_fee
                for o in (buyer, seller):
                    o.filled += q
                    o.remaining -= q
                    o.cost += cost
                level.total -= q
                fills.append((price, q, is_buy, maker, taker))
                if not maker.remaining:
                    orders.popleft()
                    maker.status = CLOSED
                    del live[maker.id]
                    self._release(maker)
            if not level.total:
                del book[key]
