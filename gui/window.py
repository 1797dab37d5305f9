"""The main window: docks from `views.DOCKS`, menus, status bar, and the session's wiring."""
from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QMessageBox

import exchanges
from exchanges import ExchangeNotAvailable
from exchanges.demo.venue import DEMO_VENUES

from . import secrets, theme
from .crossvenue import CrossVenue
from .models.book import BookModel
from .models.tickers import TickerModel
from .models.trades import TradesModel
from .portfolio import Portfolio
from .session import Session
from .settings import Settings
from .statusbar import VenueStatusBar
from .trading import Trading
from .views import DOCKS, DockSpec

__all__ = ["MainWindow"]

log = logging.getLogger("gui")

DEFAULT_VENUE = "demo"
# A first launch opens every simulated venue, so that the cross-venue views have venues.
DEFAULT_VENUES = tuple(DEMO_VENUES)


class MainWindow(QMainWindow):
    message = Signal(str)          # one line for the status bar and the log

    def __init__(self, session: Session | None = None, settings: Settings | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Exchange Atlas")
        self.setObjectName("MainWindow")
        self.setDockNestingEnabled(True)
        self.setCorner(Qt.Corner.TopLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.TopRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.session = session or Session(self, factory=secrets.create)   # stored API keys
        self.settings = settings or Settings()
        self.tickers = TickerModel(self)
        self.book = BookModel(self)
        self.trades = TradesModel(self)
        self.trading = Trading(self.session, self)     # balances, orders (docks share it)
        self.portfolio = Portfolio(self.session, self.trading, self, settings=self.settings)
        self.crossvenue = CrossVenue(self.session, self.trading, self)   # cross-venue docks
        self.docks: dict[str, QDockWidget] = {}
        self.views: dict[str, object] = {}
        self._tasks: set[asyncio.Task] = set()
        self._shut = False
        self._saved = False

        self.status = VenueStatusBar(self.session, self)
        self.setStatusBar(self.status)
        self._build_menus()
        for spec in DOCKS:
            self.create_dock(spec, tabify=False)
        self._arrange_docks()
        for spec in DOCKS:        # tabs last: arranging moves docks out of tab groups
            self._tabify(spec)

        s = self.session
        s.tickers.connect(self.tickers.update)
        s.stale.connect(self.tickers.set_stale)
        s.markets_loaded.connect(self._on_markets)
        s.venue_closed.connect(self.tickers.remove_venue)
        s.book.connect(lambda v, sym, ob: self.book.set_book(ob))
        s.trades.connect(lambda v, sym, items: self.trades.add(items))
        s.selected.connect(self._on_selected)
        s.status.connect(self._on_status)
        self.message.connect(lambda text: self.status.showMessage(text, 10_000))
        self.portfolio.message.connect(self.message.emit)

    # -- docks -------------------------------------------------------------------------------
    def create_dock(self, spec: DockSpec, tabify: bool = True) -> QDockWidget:
        """Build `spec`'s widget into a dock named for saveState, with a View-menu toggle."""
        widget = spec.build(self)
        dock = QDockWidget(spec.title, self)
        dock.setObjectName(f"dock-{spec.name}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(spec.area, dock)
        toggle = dock.toggleViewAction()
        if spec.shortcut:
            toggle.setShortcut(QKeySequence(spec.shortcut))
        self.view_menu.addAction(toggle)
        self.docks[spec.name] = dock
        self.views[spec.name] = widget
        if hasattr(widget, "on_shown"):      # a view that skips work while its tab is behind
            dock.visibilityChanged.connect(lambda seen, w=widget: w.on_shown() if seen else None)
        if tabify:
            self._tabify(spec)
        return dock

    def _tabify(self, spec: DockSpec) -> None:
        """Put `spec`'s dock in a tab behind its `tab_with` dock, which stays in front."""
        target = self.docks.get(spec.tab_with) if spec.tab_with else None
        if target is not None and spec.name in self.docks:
            self.tabifyDockWidget(target, self.docks[spec.name])
            target.raise_()

    def _arrange_docks(self) -> None:
        d = self.docks
        # The default layout: the exchanges tree, then a column of board / chart / log, then
        # book over trades. Docks of later parts land in their spec's area.
        if {"exchanges", "board"} <= d.keys():
            self.splitDockWidget(d["exchanges"], d["board"], Qt.Orientation.Horizontal)
        if {"board", "chart"} <= d.keys():
            self.splitDockWidget(d["board"], d["chart"], Qt.Orientation.Vertical)
        if {"chart", "log"} <= d.keys():
            self.splitDockWidget(d["chart"], d["log"], Qt.Orientation.Vertical)
        if {"book", "trades"} <= d.keys():
            self.splitDockWidget(d["book"], d["trades"], Qt.Orientation.Vertical)

    def default_sizes(self) -> None:
        """Dock sizes for a first start (needs the window shown, so that sizes are real)."""
        d = self.docks
        if {"exchanges", "board", "book"} <= d.keys():
            width = self.width()
            self.resizeDocks([d["exchanges"], d["board"], d["book"]],
                             [320, max(400, width - 320 - 470), 470], Qt.Orientation.Horizontal)
        if {"board", "chart", "log"} <= d.keys():
            self.resizeDocks([d["board"], d["chart"], d["log"]], [300, 460, 110],
                             Qt.Orientation.Vertical)
        if {"book", "trades"} <= d.keys():
            self.resizeDocks([d["book"], d["trades"]], [560, 320], Qt.Orientation.Vertical)


    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        connect_demo = QAction("Connect &demo venues", self)
        connect_demo.triggered.connect(
            lambda: [self.open_venue(v) for v in DEFAULT_VENUES if v not in self.session.adapters])
        file_menu.addAction(connect_demo)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        self.view_menu = bar.addMenu("&View")
        theme_menu = self.view_menu.addMenu("&Theme")
        for mode in theme.MODES:
            act = QAction(mode.capitalize(), self)
            act.triggered.connect(lambda _=False, m=mode: self.set_theme(m))
            theme_menu.addAction(act)
        self.view_menu.addSeparator()

        venue_menu = bar.addMenu("V&enue")
        credentials = QAction("&Credentials…", self)
        credentials.triggered.connect(self.show_credentials)
        venue_menu.addAction(credentials)

        help_menu = bar.addMenu("&Help")
        about = QAction("&About Exchange Atlas", self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.about)
        help_menu.addAction(about)

    def show_credentials(self) -> None:
        from .credentials import CredentialsDialog
        CredentialsDialog(self).open()

    def about(self) -> None:
        n = len(exchanges.registry())
        QMessageBox.about(self, "About Exchange Atlas",
                          f"<b>Exchange Atlas</b><br>A trading terminal over {n} exchanges, "
                          "grouped by country, with an offline demo venue.<br>"
                          "PySide6 · qasync · pyqtgraph")

    def set_theme(self, mode: str) -> None:
        theme.apply(QApplication.instance(), mode)
        self.settings.set_theme(mode)
        for view in self.views.values():          # charts take their colours when drawn
            for part in (view, getattr(view, "depth", None)):
                if hasattr(part, "restyle"):
                    part.restyle()

    # -- user intent -------------------------------------------------------------------------
    def run(self, coro) -> asyncio.Task:
        """Run a coroutine for the window; it is cancelled when the window shuts down."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def open_venue(self, exchange_id: str) -> asyncio.Task:
        return self.run(self._open_venue(exchange_id))

    async def _open_venue(self, exchange_id: str) -> str | None:
        try:
            venue = await self.session.open_venue(exchange_id)
        except ExchangeNotAvailable as exc:
            self.say(f"Cannot open {exchange_id}: {exc.reason}", logging.WARNING)
            return None
        except Exception as exc:
            self.say(f"Cannot open {exchange_id}: {exc}", logging.ERROR)
            return None
        via = f" (for {exchange_id})" if venue != exchange_id else ""
        self.say(f"Connected to {venue}{via}: public market data")
        return venue

    def select(self, venue: str, symbol: str) -> None:
        self.session.select(venue, symbol)

    def say(self, text: str, level: int = logging.INFO) -> None:
        log.log(level, "%s", text)
        self.message.emit(text)

    def _on_markets(self, venue: str, markets: dict) -> None:
        self.tickers.set_markets(venue, markets)
        if self.session.selection is None and markets:
            wanted = self._wanted_selection
            symbol = wanted[1] if wanted and wanted[0] == venue and wanted[1] in markets \
                else next(iter(markets))
            self.select(venue, symbol)

    _wanted_selection: tuple[str, str] | None = None

    def _on_selected(self, venue: str, symbol: str) -> None:
        market = self.session.states[venue].markets.get(symbol) if venue in self.session.states \
            else None
        self.book.clear(symbol, market)
        self.trades.clear(market)
        self.setWindowTitle(f"{symbol} · {venue} — Exchange Atlas")

    def _on_status(self, venue: str, state: str, detail: str) -> None:
        if state == "error":
            self.message.emit(f"{venue}: {detail}")

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self, *, restore: bool = True, venues: list[str] | None = None) -> None:
        """Restore the saved layout and reconnect the saved venues (the demo when none)."""
        if self.portfolio.notice:
            self.say(self.portfolio.notice, logging.WARNING)
        restored = False
        if restore:
            geometry, state = self.settings.layout()
            if geometry is not None:
                self.restoreGeometry(geometry)
            if state is not None:
                restored = self.restoreState(state)
            self._wanted_selection = self.settings.selection()
        if not restored:
            # Dock sizes only hold once the window is laid out: let the loop lay it out first
            # (never processEvents() inside a coroutine: it re-enters the asyncio loop).
            await asyncio.sleep(0.02)
            self.default_sizes()
        for venue in venues or (self.settings.venues() if restore else []) or DEFAULT_VENUES:
            await self._open_venue(venue)

    def save(self) -> None:
        self.settings.save_layout(self.saveGeometry(), self.saveState())
        self.settings.set_venues(list(self.session.adapters))
        if self.session.selection:
            self.settings.set_selection(*self.session.selection)
        self.settings.sync()
        self._saved = True

    async def shutdown(self, save: bool = True) -> None:
        """Save the layout, stop every task and close every adapter (idempotent)."""
        if self._shut:
            return
        self._shut = True
        if save and not self._saved:
            self.save()
        for task in list(self._tasks):
            task.cancel()
        for view in self.views.values():
            stop = getattr(view, "shutdown", None)
            if stop:
                stop()
        await self.session.close()
        self.portfolio.close()          # after the session: its tasks write to the ledger
        self.status.stop()

    def closeEvent(self, event) -> None:
        if not self._shut:
            self.save()
        super().closeEvent(event)
