"""The demo venue's world: its markets, a seeded price process, market makers and other traders.

Everything random comes from one `random.Random(seed)`, and prices live as whole numbers of
ticks (so every price is an exact multiple of the market's increment): the same seed and the
same sequence of calls and steps give the same books, trades and candles.

Each step, per market: the mid price takes a geometric random-walk step (in ticks); the market
maker withdraws its quotes and quotes several levels a side around the new mid (orders that can
cross the user's resting orders, which is how those get filled); then a few simulated traders
send market orders that hit the book, which makes the trades the tape, candles and ticker
come from. The past before the venue opened is drawn from the same statistics period by period
(history.py), up to `WARM_UP_STEPS` steps before now; those last steps are live steps on the
real book, so the first `fetch_trades` already has the tape of the last seconds.

Several demo venues can run side by side (`PROFILES`: "demo", "demo-b", "demo-c"), so that a
cross-venue book exists offline. They share one price path, past and live (the walk draws from
its own `random.Random(seed)`, the same on every venue, over every market of `SPECS` whichever a
venue lists) and differ in what a real venue differs in: a premium that drifts around the common
price, the quote currency (USDT on demo-b), which markets they list, their depth and their fees.
"""
from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from ..types import Market
from .engine import Book, Ledger
from .fills import FillLog
from .history import STEP_MS, Activity, candles, regions, walk
from .tape import KEEP_CANDLES, TIMEFRAMES, Tape

__all__ = ["MarketSpec", "SPECS", "MARKETS", "STARTING_FUNDS", "Simulation", "VenueProfile",
           "PROFILES", "STEP_MS"]

D = Decimal


@dataclass(frozen=True, slots=True)
class MarketSpec:
    market: Market
    start: Decimal                 # opening mid price
    level_value: tuple[int, int]   # market maker's value per level, in quote units (lo, hi)
    trade_value: tuple[int, int]   # a simulated taker's order value, in quote units
    derived: tuple[str, str] | None = None   # mid = mid(a) / mid(b) (a cross rate)


def _m(symbol: str, tick: str, step: str, minimum: str, min_cost: str) -> Market:
    base, quote = symbol.split("/")
    return Market(symbol, base + quote, base, quote, D(tick), D(step), D(minimum), D(min_cost))


SPECS: dict[str, MarketSpec] = {s.market.symbol: s for s in (
    MarketSpec(_m("BTC/USD", "0.01", "0.00001", "0.0001", "1"), D("64250.00"),
               (2_000, 60_000), (50, 8_000)),
    MarketSpec(_m("ETH/USD", "0.01", "0.0001", "0.001", "1"), D("3150.00"),
               (1_000, 40_000), (20, 5_000)),
    MarketSpec(_m("ETH/BTC", "0.00001", "0.0001", "0.001", "0.00001"), D("0.04903"),
               (0, 0), (0, 0), derived=("ETH/USD", "BTC/USD")),
    MarketSpec(_m("SOL/USD", "0.01", "0.001", "0.01", "1"), D("148.00"),
               (500, 20_000), (10, 3_000)),
    MarketSpec(_m("DOGE/USD", "0.00001", "1", "10", "1"), D("0.15210"),
               (200, 10_000), (5, 1_500)),
)}
MARKETS: list[Market] = [s.market for s in SPECS.values()]

STARTING_FUNDS = {"USD": D(100_000), "BTC": D(2), "ETH": D(25), "SOL": D(500),
                  "DOGE": D(50_000)}
USER_MAKER_FEE = D("0.0005")
USER_TAKER_FEE = D("0.001")

LEVELS = 20                 # market-maker levels a side
STEP_VOL_BP = 0.75          # typical move per live step (STEP_MS), basis points: ~4 % a day
WARM_UP_STEPS = 40          # live steps on the real book before now (the tape's first trades)


@dataclass(frozen=True, slots=True)
class VenueProfile:
    """What sets one demo venue apart from the others (see the module docstring)."""
    id: str
    name: str
    quote: str = "USD"                       # every market's quote: "USDT" lists BTC/USDT …
    symbols: tuple[str, ...] | None = None   # which of SPECS (by their USD names); None: all
    taker: Decimal = USER_TAKER_FEE
    maker: Decimal = USER_MAKER_FEE
    depth: Decimal = D(1)                    # the market maker's size per level, × demo's
    # The premium over the common price, in basis points: a sum of slow waves (amplitude bp,
    # period in steps, phase in turns; period 0: a constant), so venues drift apart and back.
    premium: tuple[tuple[float, int, float], ...] = ()

    def factor(self, step: int) -> float:
        bp = sum(a * math.sin(2 * math.pi * (step / period + phase)) if period else a
                 for a, period, phase in self.premium)
        return 1 + bp / 10_000

    def rename(self, symbol: str) -> str:
        base, quote = symbol.split("/")
        return f"{base}/{self.quote}" if quote == "USD" else symbol

    def specs(self) -> dict[str, MarketSpec]:
        """This venue's markets, keyed by this venue's symbol."""
        out = {}
        for symbol, spec in SPECS.items():
            if self.symbols is not None and symbol not in self.symbols:
                continue
            m = spec.market
            name = self.rename(symbol)
            market = Market(name, name.replace("/", ""), m.base, name.split("/")[1],
                            m.price_increment, m.amount_increment, m.min_amount, m.min_cost)
            derived = tuple(self.rename(s) for s in spec.derived) if spec.derived else None
            out[name] = MarketSpec(market, spec.start, spec.level_value, spec.trade_value,
                                   derived)
        return out

    def markets(self) -> list[Market]:
        return [s.market for s in self.specs().values()]

    def funds(self) -> dict[str, Decimal]:
        return {(self.quote if cur == "USD" else cur): amount
                for cur, amount in STARTING_FUNDS.items()}


PROFILES: dict[str, VenueProfile] = {p.id: p for p in (
    VenueProfile("demo", "Demo venue"),
    # Cheaper and thinner, quoted in USDT, usually a little above the others.
    VenueProfile("demo-b", "Demo venue B (USDT)", quote="USDT",
                 symbols=("BTC/USD", "ETH/USD", "SOL/USD", "DOGE/USD"),
                 taker=D("0.00075"), maker=D("0.0002"), depth=D("0.6"),
                 premium=((6.0, 0, 0.0), (9.0, 240, 0.1), (5.0, 900, 0.6))),
    # Dearer and deeper, in USD, usually a little below.
    VenueProfile("demo-c", "Demo venue C", symbols=("BTC/USD", "ETH/USD", "SOL/USD"),
                 taker=D("0.002"), maker=D("0.001"), depth=D("1.8"),
                 premium=((-5.0, 0, 0.0), (10.0, 330, 0.45), (6.0, 1300, 0.2))),
)}


class _MarketState:
    __slots__ = ("spec", "market", "book", "tape", "mid", "tick", "step", "quotes",
                 "level_units", "trade_units", "source", "activity")

    def __init__(self, spec: MarketSpec, book: Book, tape: Tape, level_value, trade_value,
                 source: str = ""):
        self.spec = spec
        self.source = source or spec.market.symbol      # its market in SPECS (the USD name)
        self.market = m = spec.market
        self.book = book
        self.tape = tape
        self.tick = m.price_increment
        self.step = m.amount_increment
        self.mid = int(spec.start / self.tick)          # in ticks
        self.quotes: list[int] = []                     # the market maker's live order ids
        self.level_units = self._units(level_value)
        self.trade_units = self._units(trade_value)

    def _units(self, value: tuple[Decimal, Decimal]) -> tuple[int, int]:
        """A (lo, hi) quote value → (lo, hi) in amount increments at the opening price."""
        per_unit = self.spec.start * self.step
        lo = max(1, int(value[0] / per_unit))
        min_units = int(self.market.min_amount / self.step)
        return max(lo, min_units), max(lo, min_units, int(value[1] / per_unit))

    def price(self, ticks: int) -> Decimal:
        return ticks * self.tick

    def amount(self, units: int) -> Decimal:
        return units * self.step


class Simulation:
    """The demo venue's state: one engine book per market over one ledger, and the flow."""

    def __init__(self, seed: int, now: int, profile: VenueProfile | None = None,
                 mids: dict[str, Decimal] | None = None, first_id: int = 1) -> None:
        """The world at `now`; `mids` (symbol → price) continues a saved one where it left
        off, `first_id` numbers orders after those of a saved account."""
        self.profile = profile = profile or PROFILES["demo"]
        # The price path draws from its own generator, the same on every demo venue; the flow
        # (quotes, traders, activity) from one of this venue's own.
        self.walk_rng = random.Random(seed)
        self.rng = random.Random(seed if profile.id == "demo" else f"{seed}:{profile.id}")
        self.common = {s: int(spec.start / spec.market.price_increment)
                       for s, spec in SPECS.items()}       # the shared path, in ticks
        self.walks = 0
        self.ledger = Ledger()
        self.user = self.ledger.open("user", maker=profile.maker, taker=profile.taker)
        self.maker = self.ledger.open("market maker", limited=False)
        self.takers = self.ledger.open("other traders", limited=False)
        self.user_fills = FillLog()
        for cur, amount in profile.funds().items():
            self.ledger.deposit(self.user, cur, amount)
        ids = self.ids = itertools.count(first_id)
        self.markets: dict[str, _MarketState] = {}
        sources = self.sources = {profile.rename(s): s for s in SPECS}   # its symbol → SPECS
        for symbol, spec in profile.specs().items():
            m = spec.market
            level_value, trade_value = spec.level_value, spec.trade_value
            if spec.derived:   # a cross: size it like its numerator market, in base units
                num = SPECS[sources[spec.derived[0]]]
                level_value = tuple(v / num.start * spec.start for v in num.level_value)
                trade_value = tuple(v / num.start * spec.start for v in num.trade_value)
            level_value = tuple(v * profile.depth for v in level_value)
            self.markets[symbol] = _MarketState(
                spec, Book(symbol, m.base, m.quote, self.ledger, ids),
                Tape(symbol, m.price_increment, m.amount_increment),
                level_value, trade_value, sources[symbol])
        premium = Decimal(repr(profile.factor(0)))
        for symbol, price in (mids or {}).items():
            st = self.markets.get(symbol)
            if st is not None and price > 0:    # (the saved price includes this venue's premium)
                self.common[st.source] = max(10, int(price / premium / st.tick))
        self.steps = 0
        live_from = now - WARM_UP_STEPS * STEP_MS
        self.time = live_from
        self._history(live_from)
        for st in self.markets.values():
            self._requote(st, live_from)
        for k in range(1, WARM_UP_STEPS + 1):
            self.step(live_from + k * STEP_MS)
        self.steps = 0                    # steps since the venue opened

    # -- the price process -------------------------------------------------------------------
    def _walk(self, vol_bp: float) -> None:
        # Every market of SPECS walks, listed here or not: each demo venue draws alike.
        rng, common = self.walk_rng, self.common
        for symbol, spec in SPECS.items():
            if spec.derived:
                a, b = spec.derived
                cross = (common[a] * SPECS[a].market.price_increment
                         / (common[b] * SPECS[b].market.price_increment)
                         / spec.market.price_increment)
                # the cross rate follows its legs, plus a little noise of its own
                common[symbol] = max(1, int(cross) + round(
                    rng.gauss(0, 1) * vol_bp * 0.2 * int(cross) / 10_000))
            else:
                z = rng.gauss(0, 1) * vol_bp / 10_000
                common[symbol] = max(10, round(common[symbol] * math.exp(z)))
        self.walks += 1
        factor = self.profile.factor(self.walks)
        for st in self.markets.values():
            st.mid = max(1, round(common[st.source] * factor))

    def _history(self, until: int) -> None:
        """Candles from `history.DAYS` days ago up to `until`, ending at each market's mid, with
        the volatility and the volume of the live flow (see history.py). The prices walk from
        the shared generator over every market of SPECS (so every demo venue has the same past,
        times its premium); the volumes follow this venue's own activity."""
        rng = self.walk_rng
        periods = regions(until)
        factor = self.profile.factor(0)
        listed = {st.source: st for st in self.markets.values()}
        for st in self.markets.values():
            st.activity = Activity(self.rng)
        common: dict[str, list] = {}
        for source, spec in SPECS.items():
            if spec.derived:
                continue
            st = listed.get(source)
            end = float(self.common[source] * spec.market.price_increment)
            common[source] = walk(rng, periods, end, STEP_VOL_BP,
                                  self._mean_step_volume(st) if st else 0.0,
                                  st.activity if st else Activity(self.rng))
        paths: dict[str, list] = {}
        for symbol, st in self.markets.items():
            if st.spec.derived:       # a cross: the ratio of its legs, period by period
                num, den = (common[self.sources[s]] for s in st.spec.derived)
                target = float(self.common[st.source] * st.tick)
                scale = target / (num[-1][3] / den[-1][3])
                mean = self._mean_step_volume(st)
                path = []
                for p, a, b in zip(periods, num, den):
                    o, c = a[0] / b[0] * scale, a[3] / b[3] * scale
                    wiggle = abs(a[1] / a[3] - 1) * 0.5
                    path.append((o, max(o, c) * (1 + wiggle), min(o, c) * (1 - wiggle), c,
                                 mean * p.steps * st.activity.advance(p.steps)))
            else:
                path = common[st.source]
            paths[symbol] = [(o * factor, h * factor, lo * factor, c * factor, v)
                             for o, h, lo, c, v in path]
        for symbol, st in self.markets.items():
            tick, step = float(st.tick), float(st.step)
            rows = []
            for o, h, lo, c, v in paths[symbol]:
                o_t, c_t = max(1, round(o / tick)), max(1, round(c / tick))
                rows.append((o_t, max(round(h / tick), o_t, c_t),
                             max(1, min(round(lo / tick), o_t, c_t)), c_t,
                             max(1, round(v / step))))
            made = candles(periods, rows, TIMEFRAMES.values(), KEEP_CANDLES)
            st.tape.load_past(made, st.price(rows[-1][3]))
            st.mid = rows[-1][3]

    @staticmethod
    def _mean_step_volume(st: _MarketState) -> float:
        """The base amount one live step trades on average: 1 to 3 market orders (two on
        average) of `trade_units` amount steps each."""
        lo, hi = st.trade_units
        return 2 * (lo + hi) / 2 * float(st.step)

    # -- live steps --------------------------------------------------------------------------
    def step(self, now: int) -> None:
        """Advance the whole venue by one step stamped `now`."""
        self.steps += 1
        self.time = now
        self._walk(STEP_VOL_BP)
        for st in self.markets.values():
            self._requote(st, now)
            self._trade(st, now)

    def _requote(self, st: _MarketState, now: int) -> None:
        book, rng = st.book, self.rng
        for oid in st.quotes:
            if oid in book.live:
                book.cancel(oid)
        st.quotes.clear()
        half = max(1, st.mid // 20_000)
        gap = max(1, st.mid // 10_000)               # about a basis point between levels
        lo, hi = st.level_units
        for i in range(LEVELS):
            for buy in (True, False):
                ticks = st.mid - half - i * gap if buy else st.mid + half + i * gap
                if ticks <= 0:
                    continue
                # deeper levels carry more, with a random spread of sizes
                units = rng.randint(lo, hi) * (2 + i) // 3
                o = book.submit(self.maker, buy, st.amount(units), st.price(ticks), now)
                if o.status == "open":
                    st.quotes.append(o.id)
        self._publish(st, now)

    def _trade(self, st: _MarketState, now: int) -> None:
        rng = self.rng
        busy = st.activity.advance()
        lo, hi = st.trade_units
        for _ in range(rng.randint(1, 3)):
            buy = rng.random() < 0.5
            units = max(lo, round(rng.randint(lo, hi) * busy))
            st.book.submit(self.takers, buy, st.amount(units), None, now)
        self._publish(st, now)

    def _publish(self, st: _MarketState, now: int) -> None:
        """Put the book's fills on the tape (one public trade per match, taker's side), and the
        user's part of them in the user's fills."""
        book, user = st.book, self.user
        for price, amount, taker_buys, maker, taker in book.fills:
            st.tape.record(now, "buy" if taker_buys else "sell", price, amount)
            if maker.account is user:
                self.user_fills.record(now, book.symbol, book.quote, price, amount, maker, "maker")
            if taker.account is user:
                self.user_fills.record(now, book.symbol, book.quote, price, amount, taker, "taker")
        book.fills.clear()

    # -- the user's orders -------------------------------------------------------------------
    def place(self, symbol: str, is_buy: bool, amount: Decimal, price: Decimal | None,
              now: int, client_order_id: str | None):
        st = self.markets[symbol]
        order = st.book.submit(self.user, is_buy, amount, price, now, client_order_id)
        self._publish(st, now)
        return order
