"""What the cross-venue docks show, kept once for both: the pair, which quotes count as one,
the venues that list it, their books and tickers, fees and balances; the consolidated book is
rebuilt from them at most every REBUILD_MS as books arrive (the session's `books` signal is
already coalesced per frame), at once when the members or their states change.

A member is one venue's market of the pair: BTC/USD on demo, BTC/USDT on demo-b when USDT
counts as USD. A member whose data is older than `stale_after` seconds, or whose venue is not
live, is stale: shown greyed, and left out of the best price, the walk and the crossings.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QObject, QTimer, Signal

from exchanges import InvalidOrder
from exchanges.crossvenue import (QUOTE_FAMILIES, ConsolidatedBook, Crossing, Plan,
                                  consolidated_book, convert_book, crossings, plan_fill,
                                  quote_family, within_balance)

from .fees import FeeTable

__all__ = ["CrossVenue", "Member", "MODES", "FAMILIES"]

log = logging.getLogger("gui.crossvenue")

# Quote currencies a trader may count as one; the first is the one prices are shown in.
FAMILIES = QUOTE_FAMILIES
STRICT, PAR, RATE = "strict", "par", "rate"
MODES = {STRICT: "{quote} only", PAR: "{family} 1:1", RATE: "{family} at rate"}
MODE_TIPS = {STRICT: "Only markets quoted in {quote}",
             PAR: "Markets quoted in {family} count as one, at 1:1",
             RATE: "Markets quoted in {family} count as one, converted at the market rate "
                   "(a {pair} market's mid where one is open, else 1:1, said so)"}
_ONE = Decimal(1)
# The consolidated book and its crossings are read by a person across many venues: ten times a
# second is as fast as anyone reads them. Rebuilt on every 16 ms session frame with every venue
# open, they were most of what that frame cost over an 80 ms one (a profile of bench_app.py).
REBUILD_MS = 100


family = quote_family


def family_head(quote: str) -> str:
    return family(quote)[0]


@dataclass(slots=True)
class Member:
    key: str            # the venue id, or "venue QUOTE" for a venue's second market of the pair
    venue: str
    symbol: str
    quote: str
    rate: Decimal = _ONE        # × the venue's prices → the pair's quote
    note: str = ""              # how the conversion was made, when one was
    market: object = None


class CrossVenue(QObject):
    changed = Signal()        # the pair, the mode or the members changed
    updated = Signal()        # new books/tickers/ages (at most once per frame, and once a second)
    fees_changed = Signal()

    def __init__(self, session, trading=None, parent=None, *, fees: FeeTable | None = None,
                 stale_after: float = 15.0, clock=time.monotonic) -> None:
        super().__init__(parent)
        self.session = session
        self.fees = fees or FeeTable()
        self.stale_after = stale_after
        self.clock = clock
        self.pair: tuple[str, str] | None = None       # (base, quote)
        self.mode = PAR
        self.members: list[Member] = []
        self.books: dict[str, object] = {}             # member key → OrderBook (native prices)
        self.book_at: dict[str, float] = {}
        self.tickers: dict[tuple[str, str], tuple[object, float]] = {}   # (venue, symbol)
        self.balances: dict[str, dict] = {}
        self.consolidated: ConsolidatedBook | None = None
        self.crossed: list[Crossing] = []
        self._watching: set[tuple[str, str]] = set()
        self._announcing = False
        session.books.connect(self._on_books)
        session.tickers.connect(self._on_tickers)
        session.markets_loaded.connect(lambda *_: self._refresh_members())
        session.venue_closed.connect(lambda *_: self._refresh_members())
        session.status.connect(self._on_status)
        session.selected.connect(self._on_selected)
        if trading is not None:
            trading.balances.connect(self._on_balances)
        self._ages = QTimer(self)            # ages tick and staleness shows without new data
        self._ages.timeout.connect(self._tick)
        self._ages.start(1000)
        self._rebuilt_at = -REBUILD_MS / 1000            # time.monotonic() of the last rebuild
        self._rebuild_due = QTimer(self)
        self._rebuild_due.setSingleShot(True)
        self._rebuild_due.timeout.connect(self._rebuild)

    # -- what is shown -------------------------------------------------------------------------
    def set_pair(self, base: str, quote: str) -> None:
        quote = family_head(quote) if self.mode != STRICT else quote
        if self.pair == (base, quote):
            return
        self.pair = (base, quote)
        self._refresh_members(force=True)

    def set_mode(self, mode: str) -> None:
        if mode not in MODES or mode == self.mode:
            return
        self.mode = mode
        if self.pair and mode != STRICT:
            self.pair = (self.pair[0], family_head(self.pair[1]))
        self._refresh_members(force=True)

    def accepted_quotes(self) -> tuple[str, ...]:
        if self.pair is None:
            return ()
        return (self.pair[1],) if self.mode == STRICT else family(self.pair[1])

    def pairs(self) -> list[tuple[str, str, int]]:
        """(base, quote, venues listing it) over every open venue, most venues first."""
        counts: dict[tuple[str, str], set] = {}
        for venue, st in self.session.states.items():
            for m in st.markets.values():
                if not getattr(m, "active", True):
                    continue
                quote = m.quote if self.mode == STRICT else family_head(m.quote)
                counts.setdefault((m.base, quote), set()).add(venue)
        return sorted(((b, q, len(v)) for (b, q), v in counts.items()),
                      key=lambda x: (-x[2], x[0], x[1]))

    def mode_text(self, mode: str | None = None, tip: bool = False) -> str:
        quote = self.pair[1] if self.pair else "USD"
        fam = "/".join(family(quote))
        other = next((q for q in family(quote) if q != quote), quote)
        text = (MODE_TIPS if tip else MODES)[mode or self.mode]
        return text.format(quote=quote, family=fam, pair=f"{other}/{quote}")

    def fee(self, venue: str) -> tuple[Decimal, str]:
        return self.fees.rate(venue, self.session.adapters.get(venue))

    def set_fee(self, venue: str, rate: Decimal | None) -> None:
        self.fees.set(venue, rate)
        self.fees_changed.emit()
        self._rebuild()

    # -- members -------------------------------------------------------------------------------
    def _refresh_members(self, force: bool = False) -> None:
        members: list[Member] = []
        if self.pair is not None:
            base, quote = self.pair
            wanted = self.accepted_quotes()
            for venue, st in self.session.states.items():
                found = [m for m in st.markets.values() if m.base == base and m.quote in wanted
                         and getattr(m, "active", True)]
                found.sort(key=lambda m: wanted.index(m.quote))
                for i, m in enumerate(found):
                    key = venue if i == 0 else f"{venue} {m.quote}"
                    members.append(Member(key, venue, m.symbol, m.quote, market=m))
        old = [(m.key, m.symbol) for m in self.members]
        if not force and old == [(m.key, m.symbol) for m in members]:
            return
        self.members = members
        want = {(m.venue, m.symbol) for m in members}
        for venue, symbol in self._watching - want:
            self.session.unwatch_book(venue, symbol)
        for venue, symbol in want - self._watching:
            self.session.watch_book(venue, symbol)
        self._watching = {k for k in want if k[0] in self.session.adapters}
        keys = {m.key for m in members}
        self.books = {k: v for k, v in self.books.items() if k in keys}
        self.book_at = {k: v for k, v in self.book_at.items() if k in keys}
        self._convert()
        self.changed.emit()
        self._rebuild()

    def _convert(self) -> None:
        """Set each member's rate into the pair's quote, and say how it was found."""
        if self.pair is None:
            return
        target = self.pair[1]
        for m in self.members:
            if m.quote == target:
                m.rate, m.note = _ONE, ""
            elif self.mode == PAR:
                m.rate, m.note = _ONE, f"{m.quote} counted as {target} 1:1"
            else:
                rate, where = self._market_rate(m.quote, target, prefer=m.venue)
                if rate is None:
                    m.rate, m.note = _ONE, f"{m.quote} as {target} 1:1 (no {m.quote}/{target} " \
                                           f"market open)"
                else:
                    m.rate, m.note = rate, f"{m.quote} → {target} × {rate:.5f} ({where})"

    def _market_rate(self, quote: str, target: str, prefer: str) -> tuple[Decimal | None, str]:
        found = []
        for (venue, symbol), (t, _at) in self.tickers.items():
            if symbol == f"{quote}/{target}":
                mid = _mid(t)
                if mid:
                    found.append((venue != prefer, venue, mid, symbol))
            elif symbol == f"{target}/{quote}":
                mid = _mid(t)
                if mid:
                    found.append((venue != prefer, venue, _ONE / mid, symbol))
        if not found:
            return None, ""
        _, venue, rate, symbol = min(found)
        return rate, f"{venue} {symbol} mid"

    # -- data ----------------------------------------------------------------------------------
    def _on_books(self, batch: dict) -> None:
        now = self.clock()
        hit = False
        for m in self.members:
            ob = batch.get((m.venue, m.symbol))
            if ob is not None:
                self.books[m.key] = ob
                self.book_at[m.key] = now
                hit = True
        if hit:
            self._rebuild_soon()

    def _on_tickers(self, batch: dict) -> None:
        now = self.clock()
        watched = {(m.venue, m.symbol) for m in self.members}
        rates = self.mode == RATE
        hit = False
        for key, t in batch.items():
            if key in watched or (rates and "/" in key[1] and _is_rate_pair(key[1])):
                self.tickers[key] = (t, now)
                hit = hit or key in watched
        if rates:
            self._convert()
        if hit:
            self._announce()

    def _on_balances(self, venue: str, balances: dict) -> None:
        if balances:
            self.balances[venue] = balances
        else:
            self.balances.pop(venue, None)

    def _on_status(self, venue: str, state: str, detail: str) -> None:
        if any(m.venue == venue for m in self.members):
            self._rebuild()

    def _on_selected(self, venue: str, symbol: str) -> None:
        st = self.session.states.get(venue)
        market = st.markets.get(symbol) if st else None
        if (market is not None and self.pair and market.base == self.pair[0]
                and market.quote in self.accepted_quotes()):
            return      # a member of the pair shown (a click on the spread board): keep it
        if market is not None:
            self.set_pair(market.base, market.quote)
        elif "/" in symbol:
            base, quote = symbol.split("/", 1)
            self.set_pair(base, quote)

    def _tick(self) -> None:
        if self.members:
            stale = self.stale_keys()
            if stale != getattr(self, "_last_stale", None):
                self._last_stale = stale
                self._rebuild()
            else:
                self._announce()

    def _announce(self) -> None:
        """Emit `updated` once for everything that arrived in this turn of the loop (a frame
        brings books and tickers one after the other)."""
        if not self._announcing:
            self._announcing = True
            QTimer.singleShot(0, self._emit_updated)

    def _emit_updated(self) -> None:
        self._announcing = False
        self.updated.emit()

    # -- derived -------------------------------------------------------------------------------
    def is_live(self, venue: str) -> bool:
        st = self.session.states.get(venue)
        return st is not None and st.state in ("live", "rate_limited")

    def book_age(self, key: str) -> float | None:
        at = self.book_at.get(key)
        return None if at is None else self.clock() - at

    def ticker(self, m: Member):
        entry = self.tickers.get((m.venue, m.symbol))
        return entry if entry else (None, None)

    def stale_keys(self) -> frozenset[str]:
        now = self.clock()
        out = set()
        for m in self.members:
            at = self.book_at.get(m.key)
            if not self.is_live(m.venue) or at is None or now - at > self.stale_after:
                out.add(m.key)
        return frozenset(out)

    def fees_by_key(self) -> dict[str, Decimal]:
        return {m.key: self.fee(m.venue)[0] for m in self.members}

    def _live_books(self) -> dict[str, object]:
        stale = self.stale_keys()
        return {m.key: convert_book(self.books[m.key], m.rate) for m in self.members
                if m.key in self.books and m.key not in stale}

    def _rebuild_soon(self) -> None:
        """Rebuild now if the last rebuild is REBUILD_MS old, else once when it is (the books
        that arrive meanwhile are kept and go into that rebuild)."""
        if self._rebuild_due.isActive():
            return
        wait = self._rebuilt_at + REBUILD_MS / 1000 - time.monotonic()
        if wait <= 0:
            self._rebuild()
        else:
            self._rebuild_due.start(max(1, round(wait * 1000)))

    def _rebuild(self) -> None:
        self._rebuild_due.stop()
        self._rebuilt_at = time.monotonic()
        books = self._live_books()
        fees = self.fees_by_key()
        self.consolidated = consolidated_book(books, fees=fees) if books else None
        quotes = {k: (ob.bids[0][0] if ob.bids else None, ob.asks[0][0] if ob.asks else None)
                  for k, ob in books.items()}
        self.crossed = crossings(quotes, fees)
        self._announce()

    def plan(self, side: str, amount: Decimal, *, use_balances: bool = True
             ) -> tuple[Plan, list[str]]:
        """Where to `side` `amount` now, fees included, across the live members; with balances
        known (keys, or a simulated venue), never more on a venue than its free balance allows.
        Returns the plan and the venues it fills up to their balance, as (key, free, currency).
        InvalidOrder when even all of
        it cannot fill, saying whether the books or the balances fall short."""
        stale = self.stale_keys()
        fees = self.fees_by_key()
        books, capped, notes = {}, {}, []
        for m in self.members:
            ob = self.books.get(m.key)
            if ob is None or m.key in stale:
                continue
            balances = self.balances.get(m.venue) if use_balances else None
            if balances:
                currency = m.quote if side == "buy" else m.market.base
                bal = balances.get(currency)
                free = bal.free if bal is not None else Decimal(0)
                ob = within_balance(ob, side, free, fees[m.key])
                capped[m.key] = (free, currency)
            books[m.key] = convert_book(ob, m.rate)
        if not books:
            raise InvalidOrder("consolidated book", "no venue of this pair has a live book")
        try:
            plan = plan_fill(consolidated_book(books, fees=fees), side, amount)
        except InvalidOrder as exc:
            if capped:
                try:    # would the books alone have filled it? then the balances fall short
                    self.plan(side, amount, use_balances=False)
                except InvalidOrder:
                    raise exc from None
                short = InvalidOrder("consolidated book",
                                     f"your free balances allow only "
                                     f"{getattr(exc, 'available', '?')} of the {amount} to {side}")
                short.available = getattr(exc, "available", None)
                short.by_balance = True
                raise short from None
            raise
        for key, (free, currency) in capped.items():
            used = plan.by_venue.get(key)
            total = sum(q for _, q in (books[key].asks if side == "buy" else books[key].bids))
            if used is not None and used >= total:
                notes.append((key, free, currency))
        return plan, notes


def _mid(t) -> Decimal | None:
    if t.bid and t.ask:
        return (t.bid + t.ask) / 2
    return t.last or None


def _is_rate_pair(symbol: str) -> bool:
    a, _, b = symbol.partition("/")
    return any(a in fam and b in fam for fam in FAMILIES.values())


def parse_size(text: str, decimal_point: str = ".", group: str = ",") -> Decimal:
    """A positive size typed in the user's locale ("1,234.5" in English, "1.234,5" in German).

    Group separators are accepted only in whole groups of three digits, so "1,5" in an English
    locale is refused (it could mean 1.5 or 15): a size is never guessed 10× away."""
    from exchanges.numbers import user_decimal
    raw = "".join(text.split()).replace("\u202f", "").replace("\u00a0", "")
    if not raw:
        raise ValueError("enter a size")
    whole, dot, frac = raw.partition(decimal_point)
    if group and group in whole:
        head, *groups = whole.split(group)
        if not head.isdigit() or len(head) > 3 or any(len(g) != 3 or not g.isdigit()
                                                      for g in groups):
            raise ValueError(f"{text.strip()!r} is ambiguous here: the decimal point is "
                             f"{decimal_point!r}, and {group!r} separates thousands")
        whole = head + "".join(groups)
    if group and group in frac:
        raise ValueError(f"{text.strip()!r}: {group!r} after the decimal point")
    return user_decimal(whole + ("." + frac if dot else ""), "the size")
