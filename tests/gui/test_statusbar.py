"""The status bar's venue indicators fit the window whatever the number of venues open."""
from __future__ import annotations

import time

import pytest
from PySide6.QtWidgets import QMainWindow

from gui.session import Session, VenueState
from gui.statusbar import VenueStatusBar

VENUES = [f"venue{i:02d}" for i in range(21)]


@pytest.fixture
def bar(qtbot):
    session = Session(factory=None)
    window = QMainWindow()
    status = VenueStatusBar(session, window)
    window.setStatusBar(status)
    qtbot.addWidget(window)
    window.resize(1200, 700)
    window.show()

    def open_venues(venues, state="live"):
        for v in venues:
            session.states[v] = VenueState(state=state, last_update=time.monotonic())
            session.status.emit(v, state, "")
    yield window, status, session, open_venues
    status.stop()


def test_one_venue_is_shown_in_full(bar):
    window, status, _session, open_venues = bar
    open_venues(["demo"])
    assert status.mode == "full"
    assert "demo: live" in status.plain_text()


def test_many_venues_never_widen_the_window(bar, qtbot):
    """21 venues in full took 3,110 px: the window grew to fit its status bar."""
    window, status, session, open_venues = bar
    open_venues(VENUES[:18])
    open_venues(VENUES[18:], state="error")
    qtbot.wait(20)
    assert window.minimumSizeHint().width() < 1200 and window.width() == 1200
    assert status.mode == "counts"
    assert status.plain_text() == "21 venues: ● 18 live ● 3 error"
    assert "venue20: error" in status.summary.toolTip()
    assert not any(label.isVisible() for label in status.labels.values())


def test_the_indicators_follow_the_window_width(bar, qtbot):
    window, status, _session, open_venues = bar
    open_venues(VENUES[:8])
    window.resize(3000, 700)
    qtbot.waitUntil(lambda: status.mode == "full")
    assert "venue07: live" in status.plain_text()
    window.resize(1000, 700)
    qtbot.waitUntil(lambda: status.mode == "short")
    text = status.plain_text()
    assert "venue07" in text and "live" not in text       # the name, the dot says the state
    assert "venue07: live" in status.labels["venue07"].toolTip()
    window.resize(500, 700)
    qtbot.waitUntil(lambda: status.mode == "counts")
    assert window.width() == 500
    assert status.plain_text() == "8 venues: ● 8 live"


def test_a_closed_venue_leaves_the_bar(bar):
    window, status, session, open_venues = bar
    open_venues(["a", "b"])
    session.venue_closed.emit("a")
    assert "a" not in status.labels and "b: live" in status.plain_text()
