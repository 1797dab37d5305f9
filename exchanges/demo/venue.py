"""The "demo" adapter: the contract's calls over the in-process simulation. No network.

The world (`Simulation`) is built on first use, not in the constructor, so `create("demo")`
stays cheap. While the adapter is in use a background task advances it every `interval`
seconds of the adapter's clock — by as many steps as the clock says are due — and wakes the
`watch_*` streams. Under a clock that stands still (a test's fixed clock) nothing moves by itself,
and `step(n)` drives the world by hand, deterministically.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from decimal import Decimal

from .. import errors as E
from ..core.adapter import Exchange
from ..types import Balance, Candle, Credentials, Market, Order, OrderBook, Ticker, Trade
from . import account
from .engine import EngineOrder, NotEnoughFunds, NoSuchOrder
from .market import (PROFILES, STEP_MS, USER_MAKER_FEE, USER_TAKER_FEE, Simulation,
                     VenueProfile)
from .tape import TIMEFRAMES

__all__ = ["DemoExchange", "DemoB", "DemoC", "DEMO_VENUES"]

log = logging.getLogger("exchanges.demo")

DEMO_CREDENTIALS = Credentials(api_key="demo", secret="demo")


class DemoExchange(Exchange):
    id = "demo"
    name = "Demo venue"
    simulated = True         # in-process: trades without keys
    profile: VenueProfile = PROFILES["demo"]
    timeframes = {tf: ms for tf, ms in TIMEFRAMES.items()}
    # The user's fee rates, where ccxt keeps a venue's (so the app can count them in before
    # it sends an order).
    fees = {"trading": {"maker": USER_MAKER_FEE, "taker": USER_TAKER_FEE}}
    # Post-only and time in force as the big venues do them (no stop orders: nothing in the
    # simulation would trigger them).
    order_options = frozenset({"post_only", "time_in_force"})
    interval = STEP_MS / 1000     # seconds between live steps
    max_catch_up = 8         # steps run at once after a pause; beyond that, time is skipped

    def __init__(self, *, credentials: Credentials | None = None,
                 urls: Mapping[str, str] | None = None,
                 clock: Callable[[], int] | None = None, seed: int = 7) -> None:
        super().__init__(credentials=credentials, urls=urls, clock=clock)
        self.seed = seed
        self._sim: Simulation | None = None
        self._orders: dict[str, EngineOrder] = {}      # every order of the user, by id
        self._ticker_task: asyncio.Task | None = None
        self._stepped = asyncio.Event()
        self._version = 0      # bumped by every step and every change the user makes
        self._due_from = 0
        self._cids = 0
        # The taker/maker rates, where ccxt publishes them (exchanges.crossvenue reads them).
        self.fees = {"trading": {"taker": self.profile.taker, "maker": self.profile.maker}}
        self._saved: dict | None = None      # an account to carry on (restore_account)

    def new_client_order_id(self) -> str:
        """Counted, not random: the same calls give the same orders, client ids included."""
        self._cids += 1
        return f"demo{self.seed:08d}{self._cids:020d}"

    # -- the world ---------------------------------------------------------------------------
    @property
    def sim(self) -> Simulation:
        if self._sim is None:
            now = self.clock()
            saved = self._saved
            self._sim = Simulation(self.seed, now, self.profile,
                                   mids=account.saved_mids(saved) if saved else None,
                                   first_id=account.saved_first_id(saved) if saved else 1)
            if saved:
                self._cids = account.restore(self._sim, saved, self._orders, now)
            self._due_from = now
        return self._sim

    # -- the account across restarts ---------------------------------------------------------
    def restore_account(self, state: dict) -> None:
        """Carry on an account saved by `account_state()` (before the venue is first used):
        its balances and orders, and each market from where its price stood. ValueError in
        words if `state` cannot be read."""
        account.check(state)
        if self._sim is not None:
            raise E.ExchangeError(self.id, "a saved demo account can only be restored before "
                                           "the venue is first used")
        self._saved = state

    def account_state(self) -> dict:
        """The user's account as JSON-ready data (see exchanges/demo/account.py)."""
        return account.snapshot(self.sim, self._orders, self._cids, self.seed, self.clock())

    def reset_account(self) -> None:
        """Back to the starting funds: open orders cancelled, the order history emptied."""
        account.reset(self.sim, self._orders)
        self._wake()

    def step(self, n: int = 1) -> None:
        """Advance the simulation `n` steps, each stamped with the clock's time, and wake every
        stream."""
        sim = self.sim
        for _ in range(n):
            sim.step(self.clock())
        self._wake()

    def _wake(self) -> None:
        self._version += 1
        ev, self._stepped = self._stepped, asyncio.Event()
        ev.set()

    def _live(self) -> Simulation:
        """The world, with the background ticker running (started on first use)."""
        sim = self.sim
        if self._ticker_task is None and not self._closed:
            self._ticker_task = asyncio.get_running_loop().create_task(
                self._tick(), name=f"{self.id} ticker")
        return sim

    @property
    def _step_ms(self) -> int:
        return max(1, int(self.interval * 1000))

    @property
    def _closed(self) -> bool:
        return self._state.value == "closed"

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                now = self.clock()
                due = (now - self._due_from) // self._step_ms
                if due <= 0:
                    continue
                self._due_from = now if due > self.max_catch_up else (
                    self._due_from + due * self._step_ms)
                for _ in range(min(due, self.max_catch_up)):
                    self.sim.step(now)
                self._wake()
            except Exception:     # keep the venue alive; a bug here must not kill the app
                log.exception("%s: simulation step failed", self.id)

    async def close(self) -> None:
        task, self._ticker_task = self._ticker_task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        await super().close()
        self._wake()      # streams see the adapter closed and end

    def require_credentials(self) -> Credentials:
        return self.credentials or DEMO_CREDENTIALS

    # -- markets and market data -------------------------------------------------------------
    async def _fetch_markets(self) -> list[Market]:
        return self.profile.markets()

    def _ticker(self, symbol: str) -> Ticker:
        st = self.sim.markets[symbol]
        now = self.clock()
        open_, high, low, base_vol, quote_vol = st.tape.day_stats(now)
        return Ticker(symbol, now, st.book.best_bid(), st.book.best_ask(), st.tape.last,
                      high, low, open_, base_vol, quote_vol)

    async def fetch_tickers(self, symbols: list[str] | None = None) -> dict[str, Ticker]:
        wanted = [(await self.market(s)).symbol for s in symbols] if symbols else list(
            (await self.load_markets()))
        self._live()
        return {s: self._ticker(s) for s in wanted}

    async def fetch_ticker(self, symbol: str) -> Ticker:
        market = await self.market(symbol)
        self._live()
        return self._ticker(market.symbol)

    def _book(self, symbol: str, limit: int | None) -> OrderBook:
        sim = self.sim
        bids, asks = sim.markets[symbol].book.depth(limit)
        return OrderBook(symbol, bids, asks, self.clock(), self._version)

    async def fetch_order_book(self, symbol: str, limit: int | None = None) -> OrderBook:
        market = await self.market(symbol)
        self._check_limit(limit)
        self._live()
        return self._book(market.symbol, limit)

    async def fetch_ohlcv(self, symbol: str, timeframe: str = "1h", since: int | None = None,
                          limit: int | None = None) -> list[Candle]:
        market = await self.market(symbol)
        ms = self.timeframe(timeframe)
        self._check_limit(limit)
        return self._live().markets[market.symbol].tape.ohlcv(ms, since, limit)

    async def fetch_trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        market = await self.market(symbol)
        self._check_limit(limit)
        return self._live().markets[market.symbol].tape.recent(limit)

    def _check_limit(self, limit) -> None:
        if limit is not None and (not isinstance(limit, int) or limit <= 0):
            raise E.ExchangeError(self.id, f"limit must be a positive whole number, "
                                           f"not {limit!r}")

    # -- account -----------------------------------------------------------------------------
    async def fetch_balance(self) -> dict[str, Balance]:
        self.require_credentials()
        user = self._live().user
        return {cur: Balance(free, user.used[cur], free + user.used[cur])
                for cur, free in user.free.items()}

    async def _place_order(self, market: Market, side: str, type: str, amount: Decimal,
                           price: Decimal | None, client_order_id: str, *,
                           post_only: bool = False, time_in_force: str | None = None) -> Order:
        sim = self._live()
        book = sim.markets[market.symbol].book
        is_buy = side == "buy"
        if post_only:
            best = book.best_ask() if is_buy else book.best_bid()
            if best is not None and (price >= best if is_buy else price <= best):
                raise E.InvalidOrder(
                    self.id, f"post-only: a {side} at {price} would take the best "
                             f"{'ask' if is_buy else 'bid'} {best}; nothing was placed")
        if time_in_force == "FOK":
            levels = book.depth()[1 if is_buy else 0]
            can = sum((a for p, a in levels
                       if price is None or (p <= price if is_buy else p >= price)), Decimal(0))
            if can < amount:
                raise E.InvalidOrder(
                    self.id, f"fill-or-kill: only {can} {market.base} can be filled"
                             f"{f' at {price} or better' if price is not None else ''}; "
                             f"nothing was placed")
        try:
            order = sim.place(market.symbol, is_buy, amount, price, self.clock(),
                              client_order_id)
        except NotEnoughFunds as exc:
            raise E.InsufficientFunds(
                self.id, f"not enough funds to {side} {amount} {market.base}: {exc}") from None
        if time_in_force in ("IOC", "FOK") and order.status == "open":
            book.cancel(order.id)         # what did not fill at once lapses
        self._orders[str(order.id)] = order
        self._wake()
        return self._order(order)

    def _find(self, order_id: str, symbol: str) -> EngineOrder:
        order = self._orders.get(str(order_id))
        if order is None or order.symbol != symbol:
            raise E.OrderNotFound(self.id, f"there is no order {order_id} in {symbol}")
        return order

    async def cancel_order(self, order_id: str, symbol: str) -> Order:
        market = await self.market(symbol)
        self.require_credentials()
        order = self._find(order_id, market.symbol)
        try:
            self.sim.markets[market.symbol].book.cancel(order.id)
        except NoSuchOrder:
            raise E.OrderNotFound(self.id, f"the order {order_id} is already {order.status}; "
                                           f"nothing to cancel") from None
        self._wake()
        return self._order(order)

    async def fetch_order(self, order_id: str, symbol: str) -> Order:
        market = await self.market(symbol)
        self.require_credentials()
        return self._order(self._find(order_id, market.symbol))

    async def fetch_open_orders(self, symbol: str | None = None) -> list[Order]:
        if symbol is not None:
            symbol = (await self.market(symbol)).symbol
        self.require_credentials()
        self._live()
        return [self._order(o) for o in self._orders.values()
                if o.status == "open" and (symbol is None or o.symbol == symbol)]

    async def find_order_by_client_id(self, market: Market, client_order_id: str
                                      ) -> Order | None:
        """Any order of this session with that client id, whatever its state."""
        return next((self._order(o) for o in self._orders.values()
                     if o.client_order_id == client_order_id and o.symbol == market.symbol),
                    None)

    async def fetch_my_trades(self, symbol: str | None = None, since: int | None = None,
                              limit: int | None = None) -> list[Trade]:
        if symbol is not None:
            symbol = (await self.market(symbol)).symbol
        self._check_limit(limit)
        self.require_credentials()
        return self._live().user_fills.query(symbol, since, limit)

    def _order(self, o: EngineOrder) -> Order:
        average = o.cost / o.filled if o.filled else None
        return Order(str(o.id), o.client_order_id, o.symbol, o.side, o.type, o.price, o.amount,
                     o.filled, o.remaining, o.status, o.timestamp, average, o.fee)

    # -- streams -----------------------------------------------------------------------------
    async def _next(self, seen: int) -> int | None:
        """The world's version once it differs from `seen` (at once if it already does); None
        when the adapter has closed."""
        self._live()
        while self._version == seen:
            if self._closed:
                return None
            await self._stepped.wait()
        return None if self._closed else self._version

    async def watch_ticker(self, symbol: str) -> AsyncIterator[Ticker]:
        market = await self.market(symbol)
        seen = -1
        while (seen := await self._next(seen)) is not None:
            yield self._ticker(market.symbol)

    async def watch_order_book(self, symbol: str, limit: int | None = None
                               ) -> AsyncIterator[OrderBook]:
        market = await self.market(symbol)
        self._check_limit(limit)
        seen = -1
        while (seen := await self._next(seen)) is not None:
            yield self._book(market.symbol, limit)

    async def watch_trades(self, symbol: str) -> AsyncIterator[Trade]:
        market = await self.market(symbol)
        tape = self._live().markets[market.symbol].tape
        last = tape.seq
        seen = self._version
        while (seen := await self._next(seen)) is not None:
            new = tape.since(last)
            last = tape.seq
            for trade in new:
                yield trade

    # The account's private streams: what changed since the last version of the world.
    async def watch_my_trades(self, symbol: str | None = None) -> AsyncIterator[Trade]:
        if symbol is not None:
            symbol = (await self.market(symbol)).symbol
        self.require_credentials()
        log = self._live().user_fills
        seen = len(log.fills)
        version = self._version
        while (version := await self._next(version)) is not None:
            new = log.after(seen)
            seen += len(new)
            for fill in new:
                if symbol is None or fill.symbol == symbol:
                    yield fill

    async def watch_orders(self, symbol: str | None = None) -> AsyncIterator[Order]:
        """Each of the user's orders whenever its state or fill changes: a new order once,
        then every change until it is closed or cancelled."""
        if symbol is not None:
            symbol = (await self.market(symbol)).symbol
        self.require_credentials()
        self._live()
        # The open orders held by reference: a reset of the account (reset_account) cancels
        # them and drops them from the book of orders, and this still says so.
        last: dict[str, tuple[EngineOrder, tuple]] = {
            oid: (o, (o.status, o.filled)) for oid, o in self._orders.items()
            if o.status == "open"}
        seen = set(self._orders)
        version = self._version
        while (version := await self._next(version)) is not None:
            fresh = [o for oid, o in self._orders.items() if oid not in seen]
            seen.update(str(o.id) for o in fresh)
            for o in [held for held, _ in last.values()] + fresh:
                oid = str(o.id)
                state = (o.status, o.filled)
                if oid in last and last[oid][1] == state:
                    continue
                if o.status == "open":
                    last[oid] = (o, state)
                else:
                    last.pop(oid, None)       # finished: it changes no more
                if symbol is None or o.symbol == symbol:
                    yield self._order(o)


class DemoB(DemoExchange):
    """A second simulated venue: quoted in USDT, cheaper fees, thinner books."""
    id = "demo-b"
    name = PROFILES["demo-b"].name
    profile = PROFILES["demo-b"]


class DemoC(DemoExchange):
    """A third simulated venue: USD, dearer fees, deeper books, fewer markets."""
    id = "demo-c"
    name = PROFILES["demo-c"].name
    profile = PROFILES["demo-c"]


# Every simulated venue; the app opens them all on a first launch.
DEMO_VENUES = tuple(PROFILES)
