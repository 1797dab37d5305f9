"""The one bridge between the adapters (asyncio) and the widgets (Qt signals).

`Session` owns the open adapters, runs their watch_* streams (or polls venues without
websockets) as tasks on qasync's loop, and coalesces what arrives: data is stored in plain
dicts as it comes and emitted once per frame by a QTimer (16 ms: one screen refresh, so an
update reaches the board within two frames), so a venue sending 10,000 ticks a second costs the
GUI at most 60 emissions a second. Every task failure is caught, logged with the
venue and what was being done, shown as that venue's state, and retried with backoff: a
network or parse error never takes the app down.
"""
from __future__ import annotations

import asyncio
from contextlib import aclosing
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QTimer, Signal

import exchanges
from exchanges import ExchangeError, NotSupported

__all__ = ["Session", "VenueState"]

log = logging.getLogger("gui.session")

CONNECTING, LIVE, RECONNECTING, ERROR, CLOSED = "connecting", "live", "reconnecting", "error", "closed"
STALE = "stale"          # open, but its streams have sent nothing for `stale_after` seconds
RATE_LIMITED = "rate_limited"


@dataclass(slots=True)
class VenueState:
    state: str = CONNECTING
    detail: str = ""
    last_update: float | None = None          # time.monotonic() of the last data received
    polled: bool = False
    first_tick: float | None = None             # time.monotonic() of the first streamed/polled tick
    streamed_at: float | None = None            # time.monotonic() of the last streamed datum
    markets: dict = field(default_factory=dict)

    def age(self, now: float | None = None) -> float | None:
        if self.last_update is None:
            return None
        return (time.monotonic() if now is None else now) - self.last_update


def _most_traded(tickers: dict, symbols: list[str]) -> list[str]:
    """`symbols` ordered by 24 h quote volume (base volume × last where the venue gives no
    quote volume), most traded first; symbols without figures keep their order at the end."""
    def volume(sym):
        t = tickers.get(sym)
        if t is None:
            return 0
        if t.quote_volume is not None:
            return t.quote_volume
        if t.base_volume is not None and t.last is not None:
            return t.base_volume * t.last
        return 0
    return sorted(symbols, key=volume, reverse=True)


class Session(QObject):
    """Open venues, stream their data, and emit it to the models once per frame."""

    tickers = Signal(object)            # {(venue, symbol): Ticker} changed since the last frame
    markets_loaded = Signal(str, object)    # venue, {symbol: Market}
    book = Signal(str, str, object)     # venue, symbol, OrderBook (the latest of the frame)
    books = Signal(object)              # {(venue, symbol): OrderBook} watched (watch_book), per frame
    trades = Signal(str, str, object)   # venue, symbol, [Trade] (new since the last frame)
    status = Signal(str, str, str)      # venue, state, detail
    venue_opened = Signal(str)
    venue_closed = Signal(str)
    selected = Signal(str, str)         # venue, symbol: what the book/chart/tape show
    # {(venue, symbol): True/False}: tickers that stopped (or came back). A frozen price must
    # never look live: the board greys them.
    stale = Signal(object)
    book_stale = Signal(str, str, bool)  # venue, symbol, stale: the selected book stopped

    def __init__(self, parent: QObject | None = None, *,
                 factory: Callable[[str], object] = exchanges.create,
                 flush_ms: int = 16, poll_seconds: float = 5.0, max_symbols: int = 60,
                 max_batch: int = 50, stale_after: float = 15.0) -> None:
        super().__init__(parent)
        self._factory = factory
        self.poll_seconds = poll_seconds
        self.max_symbols = max_symbols
        self.max_batch = max_batch          # tickers handed to the models per loop turn
        self.stop_seconds = 10.0            # for a closing venue's tasks to end
        self.adapters: dict[str, object] = {}
        self.states: dict[str, VenueState] = {}
        # Every task the session runs, by venue (the selection's and watched books' too):
        # closing a venue waits for each to end, so no stream outlives its adapter.
        self._tasks: dict[str, set[asyncio.Task]] = {}
        self._closing: dict[str, asyncio.Task] = {}     # venue → its close_venue in progress
        self._selection_tasks: list[asyncio.Task] = []
        self.selection: tuple[str, str] | None = None
        self._pending_tickers: dict[tuple[str, str], object] = {}
        self._pending_books: dict[tuple[str, str], object] = {}
        self._pending_trades: dict[tuple[str, str], list] = {}
        self._watched: dict[tuple[str, str], list] = {}     # (venue, symbol) → [watchers, task]
        self.book_times: dict[tuple[str, str], float] = {}  # monotonic arrival of each book
        self._timer = QTimer(self)
        self._timer.setInterval(flush_ms)
        self._timer.timeout.connect(self.flush)
        self._timer.start()
        # Staleness: a venue whose streams sent nothing for `stale_after` s, a selected book
        # frozen that long, a ticker not refreshed for `ticker_stale_after` s (a quiet market
        # legitimately sends little, so a symbol gets more time than a whole venue).
        self.stale_after = stale_after
        self.ticker_stale_after = stale_after * 4
        self._ticker_at: dict[tuple[str, str], float] = {}
        self._stale_tickers: set[tuple[str, str]] = set()
        self._book_at: float | None = None
        self._book_is_stale = False
        self._stale_timer = QTimer(self)
        self._stale_timer.setInterval(1000)
        self._stale_timer.timeout.connect(self.check_stale)
        self._stale_timer.start()

    # -- venues ------------------------------------------------------------------------------
    async def open_venue(self, exchange_id: str) -> str:
        """Open `exchange_id` (a renamed id opens its successor) with public data only.

        Returns the adapter id the venue is known by. ExchangeNotAvailable (closed, or no
        adapter) propagates to the caller, which shows the reason."""
        adapter = self._factory(exchange_id)
        venue = adapter.id
        if venue in self._closing:          # reopened while closing: once it has closed
            await asyncio.shield(self._closing[venue])
        if venue in self.adapters:
            await adapter.close()
            return venue
        await adapter.__aenter__()
        adapter.status_listeners.append(self._on_adapter_status)
        self.adapters[venue] = adapter
        self.states[venue] = VenueState(polled=not adapter.has.get("watch_ticker", False))
        self._tasks[venue] = set()
        self._set_state(venue, CONNECTING, "loading markets")
        self.venue_opened.emit(venue)
        self.spawn(venue, "loading markets", self._start_tickers(venue, adapter))
        return venue

    async def close_venue(self, venue: str) -> None:
        """Stop every task of `venue` (waiting until each has closed its streams), then close
        its adapter; nothing of the venue runs afterwards. Once begun, the closing is carried
        through even if the caller is cancelled (the app quitting during a reconnect), and
        `close()` waits for it."""
        closing = self._closing.get(venue)
        if closing is None:
            adapter = self.adapters.pop(venue, None)
            if adapter is None:
                return
            closing = self._closing[venue] = asyncio.ensure_future(
                self._close_venue(venue, adapter))
            closing.add_done_callback(
                lambda t: self._closing.pop(venue) if self._closing.get(venue) is t else None)
        await asyncio.shield(closing)

    async def _close_venue(self, venue: str, adapter) -> None:
        if self.selection and self.selection[0] == venue:
            self._selection_tasks = []
            self.selection = None
        for key in [k for k in self._watched if k[0] == venue]:
            del self._watched[key]
            self.book_times.pop(key, None)
        await self._stop_tasks(venue)
        try:
            await adapter.close()
        except Exception as exc:                  # closing must never fail the app
            log.warning("%s: error while closing: %s", venue, exc)
        self.states.pop(venue, None)
        for key in [k for k in self._ticker_at if k[0] == venue]:
            del self._ticker_at[key]
            self._stale_tickers.discard(key)
        # What arrived after the last frame would otherwise reach the models after they removed
        # the venue's rows, and bring them back.
        for pending in (self._pending_tickers, self._pending_books, self._pending_trades):
            for key in [k for k in pending if k[0] == venue]:
                del pending[key]
        self.status.emit(venue, CLOSED, "")
        self.venue_closed.emit(venue)

    async def close(self) -> None:
        """Close every venue; returns once no task of the session is left running."""
        self._timer.stop()
        self._stale_timer.stop()
        for venue in list(self.adapters):
            await self.close_venue(venue)
        for closing in list(self._closing.values()):      # begun by a caller since cancelled
            await asyncio.shield(closing)
        for venue in list(self._tasks):       # spawned for a venue that was not open
            await self._stop_tasks(venue)

    def age(self, venue: str) -> float | None:
        st = self.states.get(venue)
        return st.age() if st else None

    # -- selection: book, trades -------------------------------------------------------------
    def select(self, venue: str, symbol: str) -> None:
        """Show `symbol` of `venue` in the book, chart and tape (stops the previous streams)."""
        if self.selection == (venue, symbol) or venue not in self.adapters:
            return
        for task in self._selection_tasks:
            task.cancel()
        self.selection = (venue, symbol)
        self._book_at = None
        if self._book_is_stale:
            self._book_is_stale = False
        adapter = self.adapters[venue]
        self._selection_tasks = [
            self.spawn(venue, f"{symbol} order book", self._book_loop(venue, adapter, symbol)),
            self.spawn(venue, f"{symbol} trades", self._trades_loop(venue, adapter, symbol)),
        ]
        self.selected.emit(venue, symbol)

    def watch_book(self, venue: str, symbol: str) -> bool:
        """Stream `symbol`'s book of `venue` into `books` (counted: one stream however many
        watchers ask); False if the venue is not open."""
        adapter = self.adapters.get(venue)
        if adapter is None:
            return False
        key = (venue, symbol)
        if key in self._watched:
            self._watched[key][0] += 1
        else:
            task = self.spawn(venue, f"{symbol} order book",
                              self._book_loop(venue, adapter, symbol))
            self._watched[key] = [1, task]
        return True

    def unwatch_book(self, venue: str, symbol: str) -> None:
        key = (venue, symbol)
        entry = self._watched.get(key)
        if entry is None:
            return
        entry[0] -= 1
        if entry[0] <= 0:
            del self._watched[key]
            entry[1].cancel()
            self.book_times.pop(key, None)

    async def candles(self, venue: str, symbol: str, timeframe: str, limit: int = 300):
        """Historic candles for the chart ([] with the reason logged when unavailable)."""
        adapter = self.adapters.get(venue)
        if adapter is None or not adapter.has.get("fetch_ohlcv"):
            return []
        try:
            return await adapter.fetch_ohlcv(symbol, timeframe, limit=limit)
        except Exception as exc:
            self._report(venue, f"{symbol} {timeframe} candles", exc)
            return []

    # -- tasks -------------------------------------------------------------------------------
    def spawn(self, venue: str, what: str, coro: Awaitable) -> asyncio.Task:
        """Run `coro` for `venue` until it ends or the venue closes; any exception is reported
        as `what` failing, never raised."""
        task = asyncio.ensure_future(self._guarded(venue, what, coro))
        # Cancelled before it ever ran (a fast close): close the coroutine so that Python does
        # not warn that it was never awaited.
        task.add_done_callback(lambda t: coro.close() if t.cancelled() and hasattr(coro, "close")
                               else None)
        self._tasks.setdefault(venue, set()).add(task)
        task.add_done_callback(lambda t: self._tasks.get(venue, set()).discard(t))
        return task

    async def _guarded(self, venue: str, what: str, coro: Awaitable) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._report(venue, what, exc)

    async def _retrying(self, venue: str, what: str, body: Callable[[], Awaitable]) -> None:
        """Run a stream loop; on failure report it, wait with backoff, and run it again."""
        delay = 1.0
        while True:
            try:
                await body()
                return
            except asyncio.CancelledError:
                raise
            except NotSupported as exc:
                self._report(venue, what, exc)
                return
            except Exception as exc:
                self._report(venue, what, exc, retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    def _report(self, venue: str, what: str, exc: BaseException, retry_in: float | None = None
                ) -> None:
        reason = exc.reason if isinstance(exc, ExchangeError) else f"{type(exc).__name__}: {exc}"
        again = f"; retrying in {retry_in:.0f} s" if retry_in else ""
        if isinstance(exc, ExchangeError):
            log.warning("%s: %s failed: %s%s", venue, what, reason, again)
        else:   # not an adapter error: a bug worth a traceback in the log
            log.error("%s: %s failed: %s%s", venue, what, reason, again, exc_info=exc)
        if venue in self.states:
            self._set_state(venue, ERROR, f"{what}: {reason}")

    async def _stop_tasks(self, venue: str) -> None:
        """Cancel every task of `venue` and wait for each to end (its streams closed on the
        loop), the ones a cancelled task started meanwhile too. A task already cancelled (a
        selection moved away) is let finish its cleanup: cancelled again, an unsubscribe in
        progress would be cut short."""
        me = asyncio.current_task()
        while tasks := [t for t in self._tasks.pop(venue, ()) if t is not me]:
            for task in tasks:
                if not task.cancelling():
                    task.cancel()
            # (raises only if the closer itself is cancelled)
            _, stuck = await asyncio.wait(tasks, timeout=self.stop_seconds)
            for task in stuck:          # a stream that ignores cancellation: never hang the app
                log.warning("%s: a task did not stop within %.0f s: %r", venue,
                            self.stop_seconds, task)
                task.cancel()

    # -- data loops --------------------------------------------------------------------------
    async def _start_tickers(self, venue: str, adapter) -> None:
        """Every active symbol of the venue reaches the board: a snapshot of all tickers at
        once, then the `max_symbols` most traded ones streamed and the rest (or all, on a
        venue without streams) refreshed by one all-tickers call per `poll_seconds`."""
        markets = await adapter.load_markets()
        st = self.states[venue]
        st.markets = markets
        self.markets_loaded.emit(venue, markets)
        active = [s for s, m in markets.items() if m.active]
        streamed = active[: self.max_symbols]
        if adapter.has.get("fetch_tickers"):
            # A snapshot first, so the board fills at once even before the first stream frame.
            try:
                snapshot = await adapter.fetch_tickers()
                for t in snapshot.values():
                    if t.symbol in markets:
                        self._ticker(venue, t)
                streamed = _most_traded(snapshot, active)[: self.max_symbols]
            except ExchangeError as exc:
                self._report(venue, "first tickers", exc)
        streams = adapter.has.get("watch_tickers") or adapter.has.get("watch_ticker")
        if adapter.has.get("watch_tickers") and streamed:
            # One call streams them all: the adapter batches and paces the subscriptions
            # as the venue allows (one task for the venue, not one per symbol).
            self.spawn(venue, "tickers",
                       self._retrying(venue, "tickers",
                                      lambda: self._watch_tickers(venue, adapter, streamed)))
        elif streams:
            for sym in streamed:
                self.spawn(venue, f"{sym} ticker",
                           self._retrying(venue, f"{sym} ticker",
                                          lambda s=sym: self._watch_tickers(venue, adapter, [s])))
        rest = [s for s in active if s not in set(streamed)] if streams else active
        if rest:
            self.spawn(venue, "polling tickers",
                       self._retrying(venue, "polling tickers",
                                      lambda: self._poll_tickers(venue, adapter, rest)))

    async def _watch_tickers(self, venue: str, adapter, symbols: list[str]) -> None:
        if adapter.has.get("watch_tickers"):
            stream = adapter.watch_tickers(symbols)
        else:                               # an adapter with only watch_ticker: one symbol
            stream = adapter.watch_ticker(symbols[0])
        async with aclosing(stream):       # closed here, on this loop, when cancelled
            async for t in stream:
                self._ticker(venue, t, live=True, streamed=True)

    async def _poll_tickers(self, venue: str, adapter, symbols: list[str]) -> None:
        wanted = set(symbols)
        while True:
            if adapter.has.get("fetch_tickers"):
                # One call for the whole venue (cheaper than naming hundreds of symbols).
                for t in (await adapter.fetch_tickers()).values():
                    if t.symbol in wanted:
                        self._ticker(venue, t, live=True, streamed=False)
            else:
                for sym in symbols[:10]:
                    self._ticker(venue, await adapter.fetch_ticker(sym), live=True,
                                 streamed=False)
            await asyncio.sleep(self.poll_seconds)

    async def _book_loop(self, venue: str, adapter, symbol: str) -> None:
        async def stream():
            if adapter.has.get("fetch_order_book"):
                # Show the book at once; a stream may yield only after its first delta.
                self._book(venue, symbol, await adapter.fetch_order_book(symbol, 50))
            async with aclosing(adapter.watch_order_book(symbol, 50)) as books:
                async for ob in books:
                    self._book(venue, symbol, ob, streamed=True)

        async def poll():
            while True:
                self._book(venue, symbol, await adapter.fetch_order_book(symbol, 50))
                await asyncio.sleep(min(self.poll_seconds, 2.0))

        await self._retrying(venue, f"{symbol} order book",
                             stream if adapter.has.get("watch_order_book") else poll)

    async def _trades_loop(self, venue: str, adapter, symbol: str) -> None:
        if adapter.has.get("fetch_trades"):
            try:
                recent = await adapter.fetch_trades(symbol, 100)
                self._trades(venue, symbol, recent)
            except ExchangeError as exc:
                self._report(venue, f"{symbol} recent trades", exc)

        async def stream():
            async with aclosing(adapter.watch_trades(symbol)) as trades:
                async for tr in trades:
                    self._trades(venue, symbol, [tr], streamed=True)

        async def poll():
            seen: set[str] = set()
            while True:
                fresh = [t for t in await adapter.fetch_trades(symbol, 50) if t.id not in seen]
                seen.update(t.id for t in fresh)
                self._trades(venue, symbol, fresh)
                await asyncio.sleep(min(self.poll_seconds, 2.0))

        if adapter.has.get("watch_trades"):
            await self._retrying(venue, f"{symbol} trades", stream)
        elif adapter.has.get("fetch_trades"):
            await self._retrying(venue, f"{symbol} trades", poll)

    # -- arrivals (cheap: store now, emit at the next frame) ---------------------------------
    def _touch(self, venue: str, streamed: bool = True) -> None:
        """Data arrived. Streamed data makes the venue live; polled data only does so for a
        venue whose tickers are polled, and never while a stream of it reconnects (its book,
        CEX.IO's and Coincheck's tickers being polled): a poll answering meanwhile must not
        make a reconnecting venue look live."""
        st = self.states.get(venue)
        if st is None:
            return
        now = st.last_update = time.monotonic()
        if streamed:
            st.streamed_at = now
        if st.state != LIVE and (streamed or st.polled and st.state != RECONNECTING):
            self._set_state(venue, LIVE, "polled" if st.polled else "")

    def _ticker(self, venue: str, ticker, live: bool = False, streamed: bool = False) -> None:
        key = (venue, ticker.symbol)
        self._pending_tickers[key] = ticker
        self._ticker_at[key] = time.monotonic()
        self._touch(venue, streamed)
        if live and self.states[venue].first_tick is None:
            self.states[venue].first_tick = time.monotonic()

    def _book(self, venue: str, symbol: str, book, streamed: bool = False) -> None:
        self._pending_books[(venue, symbol)] = book
        self.book_times[(venue, symbol)] = time.monotonic()
        if self.selection == (venue, symbol):
            self._book_at = time.monotonic()
        self._touch(venue, streamed)

    def _trades(self, venue: str, symbol: str, trades: list, streamed: bool = False) -> None:
        if trades:
            self._pending_trades.setdefault((venue, symbol), []).extend(trades)
            self._touch(venue, streamed)

    # -- staleness ---------------------------------------------------------------------------
    def check_stale(self, now: float | None = None) -> None:
        """Mark what stopped (called each second): venues, tickers, the selected book."""
        now = time.monotonic() if now is None else now
        for venue, st in self.states.items():
            quiet = st.streamed_at if not st.polled else st.last_update
            limit = self.stale_after if not st.polled else max(self.stale_after,
                                                                3 * self.poll_seconds)
            if st.state == LIVE and quiet is not None and now - quiet > limit:
                self._set_state(venue, STALE, f"no data for {now - quiet:.0f} s")
        down = {v for v, st in self.states.items() if st.state != LIVE}
        changes = {}
        for key, at in self._ticker_at.items():
            stale = key[0] in down or now - at > self.ticker_stale_after
            if stale != (key in self._stale_tickers):
                changes[key] = stale
                (self._stale_tickers.add if stale else self._stale_tickers.discard)(key)
        if changes:
            self.stale.emit(changes)
        if self.selection is not None:
            venue, symbol = self.selection
            at = self._book_at
            stale = venue in down or (at is not None and now - at > self.stale_after)
            if stale != self._book_is_stale:
                self._book_is_stale = stale
                self.book_stale.emit(venue, symbol, stale)

    def is_stale(self, venue: str, symbol: str) -> bool:
        return (venue, symbol) in self._stale_tickers

    def _flush_tickers(self) -> None:
        if self._pending_tickers and self._timer.isActive():
            pending = self._pending_tickers
            keys = list(pending)[: self.max_batch]
            self.tickers.emit({k: pending.pop(k) for k in keys})
            if pending:
                QTimer.singleShot(0, self._flush_tickers)

    def flush(self) -> None:
        """Emit everything that arrived since the last frame (called by the frame timer)."""
        if self._stale_tickers and self._pending_tickers:
            back = {k: False for k in self._pending_tickers if k in self._stale_tickers
                    and self.states.get(k[0]) is not None
                    and self.states[k[0]].state == LIVE}
            if back:
                self._stale_tickers.difference_update(back)
                self.stale.emit(back)
        if self._book_is_stale and self.selection in self._pending_books and \
                self.states.get(self.selection[0]) is not None and \
                self.states[self.selection[0]].state == LIVE:
            self._book_is_stale = False
            self.book_stale.emit(*self.selection, False)
        if self._pending_tickers:
            pending = self._pending_tickers
            if len(pending) <= self.max_batch:
                self._pending_tickers = {}
                self.tickers.emit(pending)
            else:
                # A huge frame is handed over in slices, one per loop turn, so that painting
                # and input run between them; the rest waits in pending (newest value wins).
                keys = list(pending)[: self.max_batch]
                self.tickers.emit({k: pending.pop(k) for k in keys})
                QTimer.singleShot(0, self._flush_tickers)
        if self._pending_books:
            books, self._pending_books = self._pending_books, {}
            watched = {}
            for (venue, symbol), ob in books.items():
                if self.selection == (venue, symbol):
                    self.book.emit(venue, symbol, ob)
                if (venue, symbol) in self._watched:
                    watched[(venue, symbol)] = ob
            if watched:
                self.books.emit(watched)
        if self._pending_trades:
            trades, self._pending_trades = self._pending_trades, {}
            for (venue, symbol), items in trades.items():
                if self.selection == (venue, symbol):
                    self.trades.emit(venue, symbol, items)

    # -- state -------------------------------------------------------------------------------
    def _on_adapter_status(self, venue: str, state: str, detail: str) -> None:
        """Adapters report their stream state here (connecting/live/reconnecting/…)."""
        if venue not in self.states or state == CLOSED:
            return
        if state in (CONNECTING, RECONNECTING, LIVE, RATE_LIMITED):
            # rate_limited: "rate limited, retrying in N s" instead of a storm of errors;
            # the next data that arrives sets the venue live again.
            self._set_state(venue, state, detail)
        else:   # resync, order notes: keep the state, show the note
            log.info("%s: %s", venue, detail or state)

    def _set_state(self, venue: str, state: str, detail: str) -> None:
        st = self.states.get(venue)
        if st is None or (st.state, st.detail) == (state, detail):
            return
        st.state, st.detail = state, detail
        self.status.emit(venue, state, detail)
