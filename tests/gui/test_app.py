"""The main window on the real demo venue, driven like a user would."""
from __future__ import annotations

import asyncio


from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDockWidget

from gui.models.tickers import KEY_ROLE
from gui.models.venues import ENTRY_ROLE
from gui.session import Session
from gui.views import DOCKS, DockSpec

from .fakes import FakeVenue


def _venue_index(view, predicate):
    """The proxy index (column 0) of the first venue row whose entry matches."""
    proxy = view.proxy
    for c in range(proxy.rowCount()):
        country = proxy.index(c, 0)
        for r in range(proxy.rowCount(country)):
            ix = proxy.index(r, 0, country)
            if predicate(ix.data(ENTRY_ROLE)):
                return ix
    return QModelIndex()


def test_launch_on_demo_shows_live_ticks(window_factory, aloop):
    w = window_factory()
    w.show()
    aloop.run(w.start(restore=False))
    # A first launch opens the three simulated venues: 5 + 4 + 3 markets.
    aloop.until(lambda: w.tickers.rowCount() == 12, what="the demo venues' markets on the board")
    changes = []
    w.tickers.dataChanged.connect(lambda a, b, roles=(): changes.append(a.row()))
    aloop.until(lambda: len(changes) >= 3, what="live ticks on the board")
    board = w.views["board"].proxy      # (the table's own model holds the rows on screen)
    assert board.rowCount() == 12
    venues = [board.index(r, 0).data() for r in range(12)]
    assert {v: venues.count(v) for v in set(venues)} == {"demo": 5, "demo-b": 4, "demo-c": 3}
    # The first market is selected: book, trades, chart fill.
    aloop.until(lambda: w.book.rowCount() > 0 and w.trades.rowCount() > 0
                and w.views["chart"].loaded, what="book, trades and chart")
    assert w.session.states["demo"].state == "live"
    assert "demo: live" in w.status.labels["demo"].text()


def test_selecting_a_ticker_row_selects_it_for_book_and_chart(window_factory, aloop):
    w = window_factory()
    w.show()
    aloop.run(w.start(restore=False, venues=["demo"]))
    aloop.until(lambda: w.tickers.rowCount() == 5, what="the board")
    table, proxy = w.views["board"].table, w.views["board"].proxy
    row = next(r for r in range(5) if proxy.index(r, 0).data(KEY_ROLE) == ("demo", "ETH/USD"))
    table.selectRow(row)
    assert w.session.selection == ("demo", "ETH/USD")
    assert w.book.symbol == "ETH/USD"
    aloop.until(lambda: w.book.rowCount() > 0, what="the ETH/USD book")
    chart = w.views["chart"]
    aloop.until(lambda: chart.loaded and chart.key == ("demo", "ETH/USD"), what="the chart")
    assert "ETH/USD" in chart.caption.text()


def test_filter_finds_a_closed_venue_greyed_with_its_reason(window_factory, aloop, qtbot):
    w = window_factory(session=Session(factory=lambda _id: FakeVenue()))
    view = w.views["exchanges"]
    qtbot.keyClicks(view.filter, "quadriga")
    # Only the matching country and venue stay: Canada > QuadrigaCX.
    assert view.proxy.rowCount() == 1
    assert view.proxy.rowCount(view.proxy.index(0, 0)) == 1
    assert view.proxy.index(0, 0).data() == "Canada  (1 of 2)"      # counts what it shows
    ix = _venue_index(view, lambda e: e.id == "quadrigacx")
    assert ix.isValid() and view.tree.isExpanded(ix.parent())
    entry = ix.data(ENTRY_ROLE)
    assert entry.status == "defunct"
    assert ix.data(Qt.ItemDataRole.ForegroundRole).color().name() != \
        view.tree.palette().text().color().name()                       # greyed
    tip = ix.data(Qt.ItemDataRole.ToolTipRole)
    assert entry.why in tip and entry.closed in tip
    status = ix.siblingAtColumn(2).data()
    assert status.startswith("closed")
    # Double-clicking it explains instead of failing.
    view.activate(ix)
    assert "closed" in w.statusBar().currentMessage() and entry.why in w.statusBar().currentMessage()
    assert w.session.adapters == {}


def test_renamed_venue_shows_its_successor_and_opens_it(window_factory, aloop, qtbot):
    opened = []

    def factory(exchange_id):
        opened.append(exchange_id)
        return FakeVenue("coinbase")
    w = window_factory(session=Session(factory=factory))
    view = w.views["exchanges"]
    qtbot.keyClicks(view.filter, "gdax")
    ix = _venue_index(view, lambda e: e.id == "gdax")
    assert ix.isValid() and ix.siblingAtColumn(2).data().startswith("now ")
    view.activate(ix)
    aloop.until(lambda: "coinbase" in w.session.adapters, what="the successor opened")
    assert opened == ["gdax"]


def test_layout_survives_a_restart(window_factory, aloop, private_settings):
    w = window_factory(session=Session(factory=lambda _id: FakeVenue()))
    w.show()
    aloop.run(w.start(restore=False, venues=["fake"]))
    w.docks["log"].hide()
    w.docks["trades"].setFloating(True)
    aloop.until(lambda: w.session.selection is not None, what="a selection")
    w.select("fake", "BBB/USD")
    aloop.run(w.shutdown())           # saves layout, venues and selection
    assert list(private_settings.rglob("*.ini"))

    w2 = window_factory(session=Session(factory=lambda _id: FakeVenue()))
    w2.show()
    aloop.run(w2.start())
    assert not w2.docks["log"].isVisible()
    assert w2.docks["trades"].isFloating()
    assert list(w2.session.adapters) == ["fake"]
    aloop.until(lambda: w2.session.selection == ("fake", "BBB/USD"), what="the saved selection")


def test_adding_a_dock_is_one_spec(window_factory, qtbot, monkeypatch):
    from PySide6.QtWidgets import QLabel
    monkeypatch.setattr("gui.window.DOCKS", DOCKS + [
        DockSpec("extra", "Extra", lambda window: QLabel("extra"), Qt.DockWidgetArea.RightDockWidgetArea),
        DockSpec("extra_tab", "Extra tab", lambda window: QLabel("tab"),
                 Qt.DockWidgetArea.LeftDockWidgetArea, tab_with="log")])
    w = window_factory(session=Session(factory=lambda _id: FakeVenue()))
    dock = w.findChild(QDockWidget, "dock-extra")
    assert dock is not None and dock.widget().text() == "extra"
    assert w.dock_actions["extra"] in w.view_menu.actions()
    assert all(w.docks[s.name].objectName() == f"dock-{s.name}" for s in DOCKS)
    # A tab stays a tab after the default arrangement moved its partner.
    assert w.docks["extra_tab"] in w.tabifiedDockWidgets(w.docks["log"])


def test_closing_a_venue_removes_its_rows(window_factory, aloop):
    w = window_factory(session=Session(factory=lambda _id: FakeVenue()))
    aloop.run(w.start(restore=False, venues=["fake"]))
    aloop.until(lambda: w.tickers.rowCount() == 2, what="rows")
    # a ticker that arrived after the last frame, as the venue's stream delivers it
    w.session._ticker("fake", FakeVenue()._ticker("AAA/USD"))
    aloop.run(w.session.close_venue("fake"))
    w.session.flush()                   # the next frame does not bring the rows back
    assert w.tickers.rowCount() == 0 and "fake" not in w.status.labels


def test_switching_the_theme_recolours_the_charts(window_factory, aloop, qtbot):
    from gui import theme
    w = window_factory(session=Session(factory=lambda _id: FakeVenue()))
    depth = w.views["book"].depth
    w.set_theme("dark")
    dark_pen = depth.bids.opts["pen"].color().name()
    w.set_theme("light")
    assert depth.bids.opts["pen"].color().name() == theme.up_color().name() != dark_pen
    w.set_theme("dark")
    assert depth.bids.opts["pen"].color().name() == dark_pen


def test_a_frozen_book_is_greyed_and_says_stale(window_factory, aloop):
    """The session's clock is moved on (no waiting on wall time): the book has sent nothing
    for a minute, so the view greys it and says so; the next frame brings it back."""
    import time
    venue = FakeVenue()
    w = window_factory(session=Session(factory=lambda _id: venue, flush_ms=40))
    w.show()
    aloop.run(w.session.open_venue("fake"))
    w.session.select("fake", "AAA/USD")
    book = w.views["book"]
    aloop.until(lambda: w.book.rowCount() > 0, what="the book")
    assert book.table.isEnabled() and not book.stale_note.isVisible()
    venue.stalled = True
    aloop.run(asyncio.sleep(0.1))
    w.session.check_stale(now=time.monotonic() + 60)
    assert book.stale and not book.table.isEnabled() and book.stale_note.isVisible()
    assert "STALE" in book.stale_note.text() and "AAA/USD" in book.stale_note.text()
    venue.stalled = False
    aloop.until(lambda: not book.stale, timeout=10, what="the book back live")
    assert book.table.isEnabled() and not book.stale_note.isVisible()


def test_shutting_down_leaves_no_task_or_stream_running(window_factory, aloop):
    """The app shutting down stops everything it started before it returns: the three demo
    venues' streams (their merged ticker watchers too), the selected book, chart and tape,
    the cross-venue books, the account polls, and a venue still opening when the user quit."""
    w = window_factory()
    w.show()

    async def go():
        before = asyncio.all_tasks()
        await w.start(restore=False)
        while not (w.book.rowCount() and w.trades.rowCount() and w.crossvenue.books):
            await asyncio.sleep(0.02)
        opening = w.open_venue("demo-c")            # already open: it closes the spare adapter
        await w.shutdown(save=False)
        assert opening.done()
        assert asyncio.all_tasks() - before == set()
    aloop.run(go(), 30)


def test_quitting_during_a_reconnect_leaves_the_venue_closed(window_factory, aloop):
    """New keys reopen a connected venue (closed, then opened with the keys). The user quitting
    while it closes — its streams still unsubscribing — finds it closed: not reopened behind
    the closed window, and nothing of it left running."""
    from gui.credentials import CredentialsDialog
    made: list[FakeVenue] = []

    def factory(venue_id):
        made.append(FakeVenue(venue_id))
        made[-1].unsubscribe_seconds = 0.2
        return made[-1]
    w = window_factory(session=Session(factory=factory, flush_ms=40))
    dialog = CredentialsDialog(w)

    async def go():
        before = asyncio.all_tasks()
        await w.start(restore=False, venues=["kraken"])
        while not made[0].open_streams:
            await asyncio.sleep(0.01)
        dialog.venue.setCurrentIndex(dialog.venue.findData("kraken"))
        dialog.api_key.setText("KRAKENKEY-1234567890")
        dialog.secret.setText("c2VjcmV0LXNlY3JldA==")
        dialog.save()                       # closes kraken, to open it again with the keys
        await asyncio.sleep(0.05)           # its streams are unsubscribing
        await w.shutdown(save=False)
        await asyncio.sleep(0.3)            # when the reopen would have come
        assert w.session.adapters == {} and len(made) == 1
        assert made[0].closed and made[0].open_at_close == 0
        assert asyncio.all_tasks() - before == set()
    aloop.run(go())
    dialog.close()
