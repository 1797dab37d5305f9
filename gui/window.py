"""The main window: docks from `views.DOCKS`, menus, status bar, and the session's wiring."""
from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (QApplication, QDockWidget, QMainWindow, QMessageBox,
                               QScrollArea)

import exchanges
from exchanges import ExchangeNotAvailable
from exchanges.demo.venue import DEMO_VENUES

from . import secrets, theme
from .crossvenue import CrossVenue
from .demo_account import DemoAccountStore
from .models.book import BookModel
from .models.tickers import TickerModel
from .models.trades import TradesModel
from .portfolio import Portfolio
from .session import Session
from .settings import Settings
from .statusbar import VenueStatusBar
from .trading import Trading
from .twins import shared_books
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
        # venue → {symbol: (the pair it shares an order book with, the book)} (gui/twins.py)
        self.shared_books: dict[str, dict[str, tuple[str, str]]] = {}
        self.demo_account = DemoAccountStore(self)      # the demo account across restarts
        self.dock_actions: dict[str, QAction] = {}
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
        self.open_orders: dict[str, list] = {}           # venue → its open orders, last known
        self._connected: set[str] = set()                # venues said to be connected
        self._opened_as: dict[str, str] = {}             # venue → the id it was opened by
        self.trading.orders.connect(self._on_orders)
        self.message.connect(lambda text: self.status.showMessage(text, 10_000))
        self.portfolio.message.connect(self.message.emit)

    # -- docks -------------------------------------------------------------------------------
    def create_dock(self, spec: DockSpec, tabify: bool = True) -> QDockWidget:
        """Build `spec`'s widget into a dock named for saveState, with a View-menu toggle."""
        widget = spec.build(self)
        dock = QDockWidget(spec.title, self)
        dock.setObjectName(f"dock-{spec.name}")
        if spec.scroll:
            area = QScrollArea(dock)
            area.setWidget(widget)
            area.setWidgetResizable(True)
            area.setFrameShape(QScrollArea.Shape.NoFrame)
            dock.setWidget(area)
        else:
            dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(spec.area, dock)
        # Not the dock's own toggle: Ctrl+digit must never hide or cover the dock one is
        # typing in (see toggle_dock).
        toggle = QAction(spec.title, self)
        toggle.setObjectName(f"toggle-{spec.name}")
        toggle.setCheckable(True)
        toggle.setChecked(True)
        if spec.shortcut:
            toggle.setShortcut(QKeySequence(spec.shortcut))
        toggle.triggered.connect(lambda _on=False, n=spec.name: self.toggle_dock(n))
        dock.visibilityChanged.connect(lambda _v, a=toggle, d=dock: a.setChecked(not d.isHidden()))
        self.view_menu.addAction(toggle)
        self.dock_actions[spec.name] = toggle
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
        # The default layout: on the left the exchanges tree over the order form; in the
        # middle the board, the chart and the log; on the right the book over the trades.
        # Docks of later parts land in their spec's area.
        if {"exchanges", "board"} <= d.keys():
            self.splitDockWidget(d["exchanges"], d["board"], Qt.Orientation.Horizontal)
        if {"exchanges", "order_entry"} <= d.keys():
            self.splitDockWidget(d["exchanges"], d["order_entry"], Qt.Orientation.Vertical)
        if {"board", "chart"} <= d.keys():
            self.splitDockWidget(d["board"], d["chart"], Qt.Orientation.Vertical)
        if {"chart", "log"} <= d.keys():
            self.splitDockWidget(d["chart"], d["log"], Qt.Orientation.Vertical)
        if {"book", "trades"} <= d.keys():
            self.splitDockWidget(d["book"], d["trades"], Qt.Orientation.Vertical)

    def default_sizes(self) -> None:
        """Dock sizes for a first start, from the window's size (needs it shown): every board
        column in sight on a full-HD screen, 15+ levels of the book, the chart the largest."""
        d = self.docks
        width, height = self.width(), self.height()
        left = max(270, min(360, width * 18 // 100))
        right = max(360, min(500, width * 26 // 100))
        if {"exchanges", "board", "book"} <= d.keys():
            self.resizeDocks([d["exchanges"], d["board"], d["book"]],
                             [left, max(300, width - left - right), right],
                             Qt.Orientation.Horizontal)
        if {"board", "chart", "log"} <= d.keys():
            self.resizeDocks([d["board"], d["chart"], d["log"]],
                             [height * 26 // 100, height * 54 // 100, height * 20 // 100],
                             Qt.Orientation.Vertical)
        if {"exchanges", "order_entry"} <= d.keys():
            self.resizeDocks([d["exchanges"], d["order_entry"]],
                             [height * 34 // 100, height * 66 // 100], Qt.Orientation.Vertical)
        if {"book", "trades"} <= d.keys():
            self.resizeDocks([d["book"], d["trades"]],
                             [height * 64 // 100, height * 36 // 100], Qt.Orientation.Vertical)

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
        themes = QActionGroup(self)
        for mode in theme.MODES:
            act = QAction(mode.capitalize(), self)
            act.setObjectName(f"theme-{mode}")
            act.setCheckable(True)
            act.setChecked(mode == self.settings.theme())
            act.triggered.connect(lambda _=False, m=mode: self.set_theme(m))
            themes.addAction(act)
            theme_menu.addAction(act)
        self.view_menu.addSeparator()

        trade = self.trade_menu = bar.addMenu("&Trade")

        def action(menu, text: str, slot, shortcut=None, name: str = "") -> QAction:
            act = QAction(text, self)
            act.setObjectName(name)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(lambda _on=False: slot())
            menu.addAction(act)
            return act

        self.buy_action = action(trade, "&Buy…", lambda: self.order_side("buy"), "Ctrl+B", "buy")
        self.sell_action = action(trade, "&Sell…", lambda: self.order_side("sell"), "Ctrl+S",
                                  "sell")
        trade.addSeparator()
        # Delete works in the Open orders table itself (so it never deletes text elsewhere).
        self.cancel_selected_action = action(
            trade, "&Cancel selected orders (in Open orders)\tDel",
            lambda: self._orders_view("cancel_selected"),
            name="cancel-selected")
        self.cancel_all_action = action(trade, "Cancel &all orders…",
                                        lambda: self._orders_view("cancel_all"),
                                        "Ctrl+Shift+Del", "cancel-all")
        trade.addSeparator()
        action(trade, "Price &warning…", self.ask_far_percent, name="far-percent")
        action(trade, "&Reset demo account…", self.ask_reset_demo, name="reset-demo")

        venue_menu = self.venue_menu = bar.addMenu("V&enue")
        self._credentials_action = QAction("&Credentials…", self)
        self._credentials_action.triggered.connect(self.show_credentials)
        venue_menu.aboutToShow.connect(self._fill_venues_menu)
        self._fill_venues_menu()

        help_menu = bar.addMenu("&Help")
        action(help_menu, "&Keyboard shortcuts", self.show_shortcuts, "F1", "shortcuts")
        about = QAction("&About Exchange Atlas", self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.about)
        help_menu.addAction(about)

    # -- docks and keys ----------------------------------------------------------------------
    def _dock_holding(self, widget) -> QDockWidget | None:
        while widget is not None:
            if isinstance(widget, QDockWidget):
                return widget
            widget = widget.parentWidget()
        return None

    def toggle_dock(self, name: str) -> None:
        """Ctrl+digit: show a hidden dock, bring one from behind its tab to the front, or hide
        one in front; but never hide, or cover with a tab, the dock being typed in."""
        dock = self.docks[name]
        typing = self._dock_holding(QApplication.focusWidget())
        covers = typing is not None and typing is not dock and \
            typing in self.tabifiedDockWidgets(dock)
        if dock.isHidden():
            dock.show()
            if covers:
                self.say(f"{dock.windowTitle()} is open in a tab behind "
                         f"{typing.windowTitle()}, which keeps the keyboard while you type")
            else:
                dock.raise_()
        elif typing is dock:
            self.say(f"{dock.windowTitle()} stays open while you type in it")
        elif not dock.isVisible() or dock.visibleRegion().isEmpty():     # behind a tab
            if covers:
                self.say(f"{dock.windowTitle()} is behind {typing.windowTitle()}, which keeps "
                         f"the keyboard while you type")
            else:
                dock.raise_()
        else:
            dock.hide()
        self.dock_actions[name].setChecked(not dock.isHidden())

    def show_dock(self, name: str) -> None:
        dock = self.docks.get(name)
        if dock is not None:
            dock.show()
            dock.raise_()

    def fill_order(self, price=None, amount=None) -> None:
        """A price or size clicked in the book or the tape goes into the order form."""
        form = self.views.get("order_entry")
        if form is None:
            return
        self.show_dock("order_entry")
        form.fill(price=price, amount=amount)

    def order_side(self, side: str) -> None:
        form = self.views.get("order_entry")
        if form is not None:
            self.show_dock("order_entry")
            form.focus_side(side)

    def _orders_view(self, method: str) -> None:
        view = self.views.get("orders")
        if view is not None:
            self.show_dock("orders")
            getattr(view, method)()

    def ask_far_percent(self) -> None:
        from decimal import Decimal

        from PySide6.QtWidgets import QInputDialog
        value, ok = QInputDialog.getDouble(
            self, "Price warning", "Warn before sending an order priced more than this far "
            "from the market (percent of the mid or last price):",
            float(self.settings.far_percent()), 0.1, 100.0, 1)
        if ok:
            self.set_far_percent(Decimal(str(round(value, 1))))

    def ask_reset_demo(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Reset demo account",
                          "Reset the demo account to its starting funds? Its open orders are "
                          "cancelled and its order history is emptied.",
                          QMessageBox.StandardButton.Reset | QMessageBox.StandardButton.Cancel,
                          self)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if QMessageBox.StandardButton(box.exec()) == QMessageBox.StandardButton.Reset:
            self.demo_account.reset()

    def set_far_percent(self, percent) -> None:
        self.settings.set_far_percent(percent)
        form = self.views.get("order_entry")
        if form is not None:
            form._changed()
        self.say(f"Orders priced more than {percent} % from the market now ask first")

    def shortcuts(self) -> list[tuple[str, str]]:
        """(keys, what they do): every menu action with a shortcut, then the keys that work
        in one place only. The sheet is built from this, so it cannot go stale."""
        rows = []

        def walk(menu, path):
            for act in menu.actions():
                if act.menu() is not None:
                    walk(act.menu(), path + [act.text().replace("&", "")])
                    continue
                text, _tab, shown = act.text().replace("&", "").partition("\t")
                keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText) or shown
                if keys:
                    if act.objectName().startswith("toggle-"):
                        text = f"show, bring forward or hide {text}"
                    rows.append((keys, " → ".join(path + [text.rstrip("…")])))
        for top in self.menuBar().actions():
            if top.menu() is not None:
                walk(top.menu(), [top.text().replace("&", "")])
        rows += [("Enter", "Order entry: send the checked order (after its confirmation)"),
                 ("Click a price", "Order book or Trades: put it in the order form"),
                 ("Click a size", "Order book or Trades: put it in the amount"),
                 ("Wheel / drag", "Chart: zoom and pan in time (the price axis follows)"),
                 ("Double-click", "Exchanges: connect the venue; Chart: back to live")]
        return rows

    def show_shortcuts(self) -> None:
        from .shortcuts import ShortcutsDialog
        ShortcutsDialog(self.shortcuts(), self).open()

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
        act = self.findChild(QAction, f"theme-{mode}")
        if act is not None:
            act.setChecked(True)
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
        self._opened_as[venue] = exchange_id
        st = self.session.states.get(venue)
        if venue not in self._connected and (st is None or st.state != "live"):
            self.say(f"Connecting to {venue}…")       # "connected" is said once it is
        return venue

    # -- venues: connect, disconnect, retry, open on launch ----------------------------------
    def close_venue(self, venue: str) -> asyncio.Task:
        async def go():
            await self.session.close_venue(venue)
            self.say(f"Disconnected from {venue}")
        return self.run(go())

    def retry_venue(self, venue: str) -> asyncio.Task:
        """Close `venue` and open it again (a venue in error gets a fresh start)."""
        again = self._opened_as.get(venue, venue)

        async def go():
            await self.session.close_venue(venue)
            await self._open_venue(again)
        return self.run(go())

    def opens_on_launch(self, venue: str) -> bool:
        """Whether `venue` opens at the next launch: the trader's own choice, else whether it
        is open and working now (a venue failing when the app closes does not come back by
        itself)."""
        choice = self.settings.launch_choice(venue)
        if choice is not None:
            return choice == "on"
        st = self.session.states.get(venue)
        return st is not None and st.state != "error"

    def set_open_on_launch(self, venue: str, on: bool) -> None:
        self.settings.set_launch_choice(venue, "on" if on else "off")
        self.say(f"{venue} {'opens' if on else 'no longer opens'} when Exchange Atlas starts")

    def launch_venues(self) -> list[str]:
        """What to open at the next launch (saved when the app closes)."""
        out = [v for v in self.session.adapters if self.opens_on_launch(v)]
        return out + [v for v in self.settings.launch_on() if v not in out]

    def fill_venue_menu(self, menu, venue: str, open_as: str | None = None) -> None:
        """Connect or disconnect, retry, and open on launch, for `venue` (an adapter id)."""
        if venue in self.session.adapters:
            act = menu.addAction("&Disconnect")
            act.setObjectName(f"disconnect-{venue}")
            act.triggered.connect(lambda _=False: self.close_venue(venue))
        else:
            act = menu.addAction("&Connect")
            act.setObjectName(f"connect-{venue}")
            act.triggered.connect(lambda _=False: self.open_venue(open_as or venue))
        retry = menu.addAction("&Retry")
        retry.setObjectName(f"retry-{venue}")
        retry.setEnabled(venue in self.session.adapters)
        retry.triggered.connect(lambda _=False: self.retry_venue(venue))
        launch = menu.addAction("Open on &launch")
        launch.setObjectName(f"launch-{venue}")
        launch.setCheckable(True)
        launch.setChecked(self.opens_on_launch(venue))
        launch.toggled.connect(lambda on: self.set_open_on_launch(venue, on))

    def _fill_venues_menu(self) -> None:
        """The Venue menu: credentials, then each open (or always-opened) venue's submenu."""
        menu = self.venue_menu
        menu.clear()
        menu.addAction(self._credentials_action)
        known = list(self.session.adapters) + [v for v in self.settings.launch_on()
                                               if v not in self.session.adapters]
        if DEFAULT_VENUE not in known:
            known.append(DEFAULT_VENUE)
        menu.addSeparator()
        from .statusbar import connection
        for venue in known:
            st = self.session.states.get(venue)
            state = connection(st.state, st.detail, None)[0] if st else "not connected"
            sub = menu.addMenu(f"{venue} — {state}")
            sub.menuAction().setObjectName(f"venue-{venue}")
            self.fill_venue_menu(sub, venue)

    def select(self, venue: str, symbol: str) -> None:
        self.session.select(venue, symbol)

    def say(self, text: str, level: int = logging.INFO) -> None:
        log.log(level, "%s", text)
        self.message.emit(text)

    def _on_markets(self, venue: str, markets: dict) -> None:
        self.tickers.set_markets(venue, markets)
        self.shared_books[venue] = shared_books(self.session.adapters.get(venue), markets)
        self.tickers.set_twins(venue, self.shared_books[venue])
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
        self.book.set_own(self.open_orders.get(venue, []))
        self.trades.clear(market)
        self.setWindowTitle(f"{symbol} · {venue} — Exchange Atlas")

    def _on_orders(self, venue: str, orders: list) -> None:
        self.open_orders[venue] = orders
        if self.session.selection and self.session.selection[0] == venue:
            self.book.set_own(orders)

    def _on_status(self, venue: str, state: str, detail: str) -> None:
        if state == "live" and venue not in self._connected:
            self._connected.add(venue)
            asked = self._opened_as.get(venue, venue)
            via = f" (for {asked})" if asked != venue else ""
            st = self.session.states.get(venue)
            n = len(st.markets) if st else 0
            self.say(f"Connected to {venue}{via}: live market data, {n} markets")
        elif state == "closed":
            self._connected.discard(venue)
        elif state == "error":
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
        if not venues:
            venues = self.settings.venues() if restore else []
            # nothing to open (a first start, or all closed): the demo venues, unless the
            # trader said one should not open
            if not venues:
                venues = [v for v in DEFAULT_VENUES if self.settings.launch_choice(v) != "off"]
        for venue in venues:
            await self._open_venue(venue)

    def save(self) -> None:
        self.settings.save_layout(self.saveGeometry(), self.saveState())
        self.settings.set_venues(self.launch_venues())
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
        tasks = [t for t in self._tasks if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        for view in self.views.values():
            stop = getattr(view, "shutdown", None)
            if stop:
                stop()
        if tasks:                       # each ends on the loop (an open_venue being undone)
            await asyncio.wait(tasks)
        if save:
            self.demo_account.save(force=True)
        await self.session.close()
        await self.portfolio.aclose()   # after the session: its tasks write to the ledger
        self.status.stop()

    def closeEvent(self, event) -> None:
        if not self._shut:
            self.save()
        super().closeEvent(event)
