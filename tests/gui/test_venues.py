"""Venues as a trader manages them: the demo in the tree, each open venue's connection state,
"connected" said only once it is, disconnect / retry / open on launch from the tree's context
menu and the Venue menu, no failing venue back on every launch, and a filter that finds
countries, statuses and names without empty countries."""
from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

import exchanges
from gui.models.venues import ENTRY_ROLE
from gui.session import Session

from .fakes import FakeVenue
from .test_app import _venue_index


def _factory(**fails):
    """Fake venues by id; ids in `fails` fail to load their markets."""
    def make(exchange_id):
        return FakeVenue(exchange_id, fail_markets=exchange_id in fails)
    return make


def _status(view, venue_id):
    ix = _venue_index(view, lambda e: e.id == venue_id)
    return ix.siblingAtColumn(2).data(), ix.siblingAtColumn(2).data(Qt.ItemDataRole.ToolTipRole)


def _visible_rows(view):
    p = view.proxy
    return {p.index(c, 0).data(): [p.index(r, 0, p.index(c, 0)).data(ENTRY_ROLE).id
                                   for r in range(p.rowCount(p.index(c, 0)))]
            for c in range(p.rowCount())}


def test_the_demo_is_in_the_tree_and_shows_its_connection(window_factory, aloop, qtbot):
    w = window_factory()
    w.show()
    view = w.views["exchanges"]
    ix = _venue_index(view, lambda e: e.id == "demo")
    assert ix.isValid() and ix.data() == "Demo venue"
    assert ix.parent().data() == "Built in  (1)" and view.tree.isExpanded(ix.parent())
    assert ix.siblingAtColumn(2).data() == "simulated"
    said = []
    w.message.connect(lambda text: said.append((text, w.session.states.get("demo")
                                                and w.session.states["demo"].state)))
    view.activate(ix)
    aloop.until(lambda: _status(view, "demo")[0].startswith("● live"), what="demo live")
    # "connected" was said once it was live, never before
    connected = [state for text, state in said if text.startswith("Connected to demo")]
    assert connected == ["live"]
    assert any(text == "Connecting to demo…" for text, _ in said)
    assert said.index(next(x for x in said if x[0].startswith("Connecting"))) < \
        said.index(next(x for x in said if x[0].startswith("Connected")))
    # live turns stale when no data comes, and says for how long
    w.session.adapters["demo"].interval = 3600
    w.session.states["demo"].last_update = time.monotonic() - 15
    view.refresh("demo")
    assert _status(view, "demo")[0].startswith("● stale 1")


def test_a_failing_venue_shows_the_reason_and_is_never_said_connected(window_factory, aloop):
    w = window_factory(session=Session(factory=_factory(kraken=True)))
    view = w.views["exchanges"]
    said = []
    w.message.connect(said.append)
    w.open_venue("kraken")
    aloop.until(lambda: _status(view, "kraken")[0].startswith("● error"), what="the error")
    text, tip = _status(view, "kraken")
    assert "could not read the venue's reply" in text + tip
    assert not any(s.startswith("Connected to kraken") for s in said)
    assert "Connecting to kraken…" in said
    # filter by state: "error" finds it, "live" does not
    view.filter.setText("error")
    assert _visible_rows(view) == {"US  (1 of 16)": ["kraken"]}


def test_disconnect_retry_and_open_on_launch_from_the_context_menu(window_factory, aloop):
    w = window_factory(session=Session(factory=_factory()))
    view = w.views["exchanges"]
    entry = _venue_index(view, lambda e: e.id == "bitstamp").data(ENTRY_ROLE)

    def act(menu, name):
        found = menu.findChild(type(w.buy_action), name)
        assert found is not None, [a.objectName() for a in menu.actions()]
        return found
    # A right click opens the venue's menu: Connect, Retry (off: not open), Open on launch.
    ix = _venue_index(view, lambda e: e.id == "bitstamp")
    view.tree.scrollTo(ix)
    view.tree.customContextMenuRequested.emit(view.tree.visualRect(ix).center())
    assert view.popup is not None and view.popup.isVisible()
    assert [a.text() for a in view.popup.actions()] == ["&Connect", "&Retry", "Open on &launch"]
    view.popup.close()
    menu = view.venue_menu(entry)
    assert not act(menu, "retry-bitstamp").isEnabled()
    act(menu, "connect-bitstamp").trigger()
    aloop.until(lambda: "bitstamp" in w.session.adapters, what="bitstamp open")
    menu = view.venue_menu(entry)
    assert act(menu, "launch-bitstamp").isChecked()          # open and working: comes back
    first = w.session.adapters["bitstamp"]
    act(menu, "retry-bitstamp").trigger()
    aloop.until(lambda: w.session.adapters.get("bitstamp") not in (None, first), what="retry")
    assert first.closed
    menu = view.venue_menu(entry)
    act(menu, "launch-bitstamp").setChecked(False)           # the trader says no
    assert w.settings.launch_choice("bitstamp") == "off"
    assert "bitstamp" not in w.launch_venues()
    act(view.venue_menu(entry), "disconnect-bitstamp").trigger()
    # Said once the venue's streams have all closed (the session waits for them).
    aloop.until(lambda: "bitstamp" not in w.session.adapters
                and "Disconnected from bitstamp" in w.status.currentMessage(),
                what="disconnected")


def test_the_venue_menu_lists_each_venue_with_its_actions(window_factory, aloop):
    w = window_factory(session=Session(factory=_factory()))
    aloop.run(w.start(restore=False, venues=["okx"]))
    aloop.until(lambda: w.session.states["okx"].state == "live", what="okx live")
    w.venue_menu.aboutToShow.emit()
    subs = {a.objectName(): a for a in w.venue_menu.actions() if a.menu() is not None}
    assert set(subs) == {"venue-okx", "venue-demo"}
    assert subs["venue-okx"].text().startswith("okx — live")
    assert subs["venue-demo"].text() == "demo — not connected"
    names = [a.objectName() for a in subs["venue-okx"].menu().actions()]
    assert names == ["disconnect-okx", "retry-okx", "launch-okx"]
    subs["venue-demo"].menu().findChild(type(w.buy_action), "launch-demo").setChecked(True)
    assert w.settings.launch_choice("demo") == "on"
    subs["venue-okx"].menu().findChild(type(w.buy_action), "disconnect-okx").trigger()
    aloop.until(lambda: "okx" not in w.session.adapters, what="okx closed")


def test_a_venue_failing_at_closing_does_not_come_back_unless_asked(window_factory, aloop):
    w = window_factory(session=Session(factory=_factory(kraken=True)))
    aloop.run(w.start(restore=False, venues=["okx", "kraken", "bitfinex"]))
    aloop.until(lambda: w.session.states["kraken"].state == "error"
                and w.session.states["okx"].state == "live", what="one failing, one live")
    w.settings.set_launch_choice("bitfinex", "off")
    aloop.run(w.shutdown())
    assert w.settings.venues() == ["okx"]
    # next launch: only okx; asked to open kraken always, it comes back even failing
    w2 = window_factory(session=Session(factory=_factory(kraken=True)))
    aloop.run(w2.start())
    assert list(w2.session.adapters) == ["okx"]
    w2.set_open_on_launch("kraken", True)
    aloop.run(w2.shutdown())
    assert w2.settings.venues() == ["okx", "kraken"]


@pytest.mark.parametrize("text, expect", [
    ("japan", {"Japan  (8)"}),
    ("renamed", None), ("closed", None), ("kraken", {"US  (1 of 16)"}),
    ("demo", {"Built in  (1)"}), ("closed 2019", None), ("coinbase", None), ("zzz", set()),
])
def test_the_filter_finds_countries_statuses_and_names_never_an_empty_country(
        window_factory, text, expect):
    w = window_factory(session=Session(factory=_factory()))
    view = w.views["exchanges"]
    view.filter.setText(text)
    rows = _visible_rows(view)
    assert all(ids for ids in rows.values()), rows                # never "0 of N"
    if expect is not None:
        assert set(rows) == expect
    entries = {e.id: e for e in exchanges.registry()}
    shown = {i for ids in rows.values() for i in ids}
    if text == "japan":
        assert len(rows["Japan  (8)"]) == 8
    if text == "renamed":
        assert shown and all(entries[i].status == "renamed" for i in shown)
        assert shown == {e.id for e in entries.values() if e.status == "renamed"}
    if text.startswith("closed"):
        assert shown and all(entries[i].status == "defunct" for i in shown)
    if text == "closed 2019":
        assert all("2019" in (entries[i].closed or "") for i in shown)
    if text == "coinbase":       # found by what it became: GDAX is now Coinbase
        assert shown == {"gdax"}
