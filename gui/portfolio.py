"""The account over time, for the Portfolio, P&L and Fills docks: the ledger and what feeds it.

`Portfolio` rides on `Session` and `Trading` like `Trading` rides on `Session`:
- every venue that can trade gets a `FillSync` (fetch_my_trades polled, watch_my_trades and
  watch_orders streamed where `has` says so), run as the session's retrying tasks, so a failure
  shows as the venue's state and closing the venue stops them;
- the orders the app sends, their replies, the open orders each poll and the orders that left
  that list are written to the ledger with every state they pass through;
- balances (from Trading's polls) and tickers (the session's per-frame batches) are valued in
  the chosen currency at most every `value_ms`, like the board coalesces ticks; a snapshot of
  balances and their value goes into the ledger every `snapshot_seconds`;
- P&L is recomputed from the ledger when fills change, on a worker thread with its own SQLite
  connection (WAL lets it read while the app writes), never per tick.
"""
from __future__ import annotations

import asyncio
import logging
import time
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

import exchanges
from .ledger import csv_import
from .ledger.export import export_fills
from .ledger.pnl import PnL, average_cost
from .ledger.store import FillFilter, Ledger, open_ledger
from .ledger.sync import FillSync
from .settings import data_dir

__all__ = ["Portfolio", "CURRENCIES", "RATE_WINDOW_MS"]

log = logging.getLogger("gui.portfolio")

CURRENCIES = ("USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "USDT", "USDC", "BTC", "ETH")
RATE_WINDOW_MS = 3_600_000      # a snapshot's rate within an hour of a fill counts as its rate
_FINAL = {"closed", "canceled", "rejected"}


def _pnl_from(path: str, ledger: Ledger | None, currency: str,
              current: dict[str, Decimal]) -> PnL:
    """Average-cost P&L of every fill in the ledger at `path` (or `ledger` itself when it lives
    in memory), each converted at the snapshot rate nearest its time, else today's rate."""
    reader = ledger if ledger is not None else Ledger(path)
    try:
        def rate_at(asset: str, ts: int):
            rate = reader.rate_near(currency, asset, ts, RATE_WINDOW_MS)
            if rate is not None:
                return rate, True
            rate = current.get(asset)
            return (rate, False) if rate is not None else None
        return average_cost(reader.iter_fills(), currency, rate_at)
    finally:
        if reader is not ledger:
            reader.close()


class Portfolio(QObject):
    valued = Signal(object)             # Valuation of the current balances (coalesced)
    fills_changed = Signal()
    orders_changed = Signal()
    pnl_ready = Signal(object)          # PnL in the current currency
    history_changed = Signal()          # a balance snapshot was stored
    currency_changed = Signal(str)
    message = Signal(str)               # one line for the status bar and the log

    def __init__(self, session, trading, parent: QObject | None = None, *,
                 ledger: Ledger | None = None, settings=None, value_ms: int = 250,
                 snapshot_seconds: float = 300.0, poll_seconds: float = 60.0,
                 catch_up_seconds: float = 600.0) -> None:
        super().__init__(parent)
        self.session = session
        self.trading = trading
        self.settings = settings
        self.ledger = ledger if ledger is not None else open_ledger(data_dir() / "ledger.sqlite3")
        self.notice = self.ledger.notice            # said once the window can show it
        self.poll_seconds = poll_seconds
        self.catch_up_seconds = catch_up_seconds
        self.currency = self._saved_currency()
        self.balances: dict[str, dict] = {}
        self.tickers: dict[str, dict] = {}
        self.valuation = None
        self.pnl: PnL | None = None
        self.syncs: dict[str, FillSync] = {}
        self._open: dict[str, set[str]] = {}         # venue → ids of orders open at last poll
        self._dirty = False
        self._snapshotted = False
        self._first_balances: float | None = None
        self.settle_seconds = 20.0
        self._pnl_task: asyncio.Task | None = None
        self._pnl_again = False
        self._closed = False

        self._value_timer = QTimer(self)
        self._value_timer.timeout.connect(self._revalue)
        self._value_timer.start(value_ms)
        self._snapshot_timer = QTimer(self)
        self._snapshot_timer.timeout.connect(self.snapshot)
        self._snapshot_timer.start(max(50, int(snapshot_seconds * 1000)))
        self._fills_timer = self._debounce(self._fills_settled, 300)
        self._orders_timer = self._debounce(self.orders_changed.emit, 200)

        session.venue_opened.connect(self._on_opened)
        session.venue_closed.connect(self._on_closed)
        session.tickers.connect(self._on_tickers)
        trading.balances.connect(self._on_balances)
        trading.orders.connect(self._on_orders)
        trading.unknown.connect(self._record)
        trading.resolved.connect(lambda venue, cid, order: order and self._record(venue, order))
        for name in ("sent", "order_update"):            # the app's own orders, where offered
            if hasattr(trading, name):
                getattr(trading, name).connect(getattr(self, f"_on_{name}"))
        for venue in list(session.adapters):
            self._on_opened(venue)

    def _debounce(self, slot, ms: int) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    # -- settings ----------------------------------------------------------------------------
    def _saved_currency(self) -> str:
        if self.settings is None:
            return "USD"
        return str(self.settings.q.value("portfolio/currency", "USD")).upper() or "USD"

    def set_currency(self, currency: str) -> None:
        currency = currency.strip().upper()
        if not currency or currency == self.currency:
            return
        self.currency = currency
        if self.settings is not None:
            self.settings.q.setValue("portfolio/currency", currency)
        self.currency_changed.emit(currency)
        self._dirty = True
        self._revalue()
        self.recompute_pnl()

    # -- venues ------------------------------------------------------------------------------
    def _on_opened(self, venue: str) -> None:
        adapter = self.session.adapters.get(venue)
        if adapter is None or venue in self.syncs or not self.trading.can_trade(adapter):
            return
        has = getattr(adapter, "has", {})
        sync = FillSync(self.ledger, venue, adapter, symbols=lambda: self._held_symbols(venue),
                        on_fills=lambda v, n: self._fills_timer.start(),
                        on_order=lambda v, o: self._orders_timer.start())
        self.syncs[venue] = sync
        s = self.session
        loops = []
        if sync.fetches:
            loops.append(("fills sync", lambda: sync.run(self.poll_seconds,
                                                         self.catch_up_seconds)))
        if sync.streams:
            loops.append(("fills stream", sync.watch_fills))
        if has.get("watch_orders"):
            loops.append(("orders stream", sync.watch_orders))
        for what, body in loops:
            s.spawn(venue, what, s._retrying(venue, what, body))

    def _on_closed(self, venue: str) -> None:
        self.syncs.pop(venue, None)
        self.tickers.pop(venue, None)
        self.balances.pop(venue, None)
        self._open.pop(venue, None)
        self._dirty = True

    def _held_symbols(self, venue: str) -> list[str]:
        """For a venue that wants a symbol per fills request: its markets of the assets held."""
        st = self.session.states.get(venue)
        held = {a for a, b in self.balances.get(venue, {}).items() if b.total}
        markets = st.markets if st is not None else {}
        return sorted(s for s, m in markets.items() if m.base in held)[:100]

    # -- live values -------------------------------------------------------------------------
    def _on_tickers(self, batch: dict) -> None:
        for (venue, symbol), ticker in batch.items():
            self.tickers.setdefault(venue, {})[symbol] = ticker
        self._dirty = True

    def _on_balances(self, venue: str, balances: dict) -> None:
        if balances:
            self.balances[venue] = dict(balances)
        else:
            self.balances.pop(venue, None)
        self._dirty = True

    def _revalue(self) -> None:
        if not self._dirty or self._closed:
            return
        self._dirty = False
        first = self.valuation is None or self.valuation.currency != self.currency
        self.valuation = exchanges.value_in(self.currency, self.balances, self.tickers)
        self.valued.emit(self.valuation)
        if not self._snapshotted and self.balances and self.valuation.total:
            # The history starts when the app does, once the tickers have come in (balances
            # usually arrive first; a snapshot then would miss every asset but the currency).
            if self._first_balances is None:
                self._first_balances = time.monotonic()
            if not self.valuation.unvalued or (time.monotonic() - self._first_balances
                                               > self.settle_seconds):
                self.snapshot()
        if first and self.pnl is not None:
            self.recompute_pnl()       # unrealized needs today's rates in the new currency

    def snapshot(self) -> None:
        if not self.balances or self._closed:
            return
        self.ledger.snapshot(self.balances, self.valuation if self.valuation is not None
                             and self.valuation.currency == self.currency else None)
        self._snapshotted = True
        self.history_changed.emit()

    # -- orders ------------------------------------------------------------------------------
    def _record(self, venue: str, order, status: str | None = None) -> None:
        if self._closed or order is None:
            return
        if self.ledger.record_order(venue, order, status=status):
            self._orders_timer.start()

    def _on_sent(self, venue: str, client_order_id: str, req) -> None:
        self.ledger.record_sent(venue, client_order_id, req.symbol, req.side, req.type,
                                req.amount, req.price)
        self._orders_timer.start()

    def _on_order_update(self, venue: str, order) -> None:
        self._record(venue, order)

    def _on_orders(self, venue: str, orders: list) -> None:
        """Open orders each poll: their states, and a look-up of each order that left the list
        (filled or cancelled elsewhere) so its last state is known too."""
        now_open = {str(o.id) for o in orders if o.id}
        for o in orders:
            self._record(venue, o)
        gone = self._open.get(venue, set()) - now_open
        self._open[venue] = now_open
        adapter = self.session.adapters.get(venue)
        if gone and adapter is not None and adapter.has.get("fetch_order"):
            known = {o.order_id: o for o in self.ledger.orders(venue) if o.order_id in gone}
            for oid in gone:
                row = known.get(oid)
                if row is not None and row.status not in _FINAL:
                    self.session.spawn(venue, f"order {oid}",
                                       self._look_up(venue, adapter, oid, row.symbol))

    async def _look_up(self, venue: str, adapter, order_id: str, symbol: str) -> None:
        self._record(venue, await adapter.fetch_order(order_id, symbol))

    # -- fills and P&L -----------------------------------------------------------------------
    def _fills_settled(self) -> None:
        self.fills_changed.emit()
        self.recompute_pnl()

    def recompute_pnl(self) -> None:
        if self._closed:
            return
        if self._pnl_task is not None and not self._pnl_task.done():
            self._pnl_again = True
            return
        self._pnl_task = asyncio.ensure_future(self._compute_pnl())

    async def _compute_pnl(self) -> None:
        while True:
            self._pnl_again = False
            currency = self.currency
            v = self.valuation
            current = dict(v.rates) if v is not None and v.currency == currency else {}
            if self.ledger.path == ":memory:":
                pnl = _pnl_from("", self.ledger, currency, current)
            else:
                pnl = await asyncio.get_running_loop().run_in_executor(
                    None, _pnl_from, self.ledger.path, None, currency, current)
            if self._closed:
                return
            if not self._pnl_again and currency == self.currency:
                self.pnl = pnl
                self.pnl_ready.emit(pnl)
                return

    # -- import and export -------------------------------------------------------------------
    def import_file(self, path: str | Path) -> csv_import.ImportReport:
        """Import a venue's export. UnknownFormat / OSError (with words) when it cannot."""
        path = Path(path)
        fmt = csv_import.detect(path.read_bytes())
        markets = None
        st = self.session.states.get(fmt.venue) if fmt.venue else None
        if st is not None and st.markets:
            markets = {m.id: s for s, m in st.markets.items()}
        report = csv_import.import_export(self.ledger, path, markets=markets)
        self.message.emit(f"Imported {report.summary()}")
        log.info("import: %s", report.summary())
        if report.added:
            self._fills_settled()
        return report

    def export(self, path: str | Path, flt: FillFilter = FillFilter()) -> int:
        n = export_fills(self.ledger.iter_fills(flt), path)
        self.message.emit(f"Exported {n} fill{'s' if n != 1 else ''} to {Path(path).name}")
        return n

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the timers and close the ledger (after the session's tasks have stopped)."""
        if self._closed:
            return
        self._closed = True
        for timer in (self._value_timer, self._snapshot_timer, self._fills_timer,
                      self._orders_timer):
            timer.stop()
        if self._pnl_task is not None:
            self._pnl_task.cancel()
        self.ledger.close()

    async def aclose(self) -> None:
        """`close()`, then wait for the P&L task it cancelled to end: nothing left running."""
        self.close()
        if self._pnl_task is not None and not self._pnl_task.done():
            await asyncio.wait([self._pnl_task])

