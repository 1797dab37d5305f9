"""The session: coalesced emission, polling without websockets, failures reported, never raised."""
from __future__ import annotations

import asyncio

from gui.session import Session

from .fakes import FakeVenue


def make_session(qtbot, venue: FakeVenue, **kw) -> Session:
    return Session(factory=lambda _id: venue, flush_ms=40, **kw)


def test_streamed_ticks_are_coalesced_per_frame(aloop, qtbot):
    venue = FakeVenue()
    s = make_session(qtbot, venue)
    batches = []
    s.tickers.connect(batches.append)

    async def go():
        await s.open_venue("fake")
        await asyncio.sleep(0.5)
        await s.close()
    aloop.run(go())
    assert venue.closed
    assert s.states == {}
    # 2 symbols × ~50 frames of 10 ms in 0.5 s, but emitted at most once per 40 ms frame.
    assert 3 <= len(batches) <= 16
    assert all(set(b) <= {("fake", "AAA/USD"), ("fake", "BBB/USD")} for b in batches)


def test_venue_without_websockets_is_polled(aloop, qtbot):
    venue = FakeVenue(streams=False)
    s = make_session(qtbot, venue, poll_seconds=0.05)
    states = []
    s.status.connect(lambda v, st, d: states.append((st, d)))

    async def go():
        await s.open_venue("fake")
        await asyncio.sleep(0.4)
        assert s.states["fake"].polled and s.states["fake"].first_tick is not None
        assert s.age("fake") < 0.3
        await s.close()
    aloop.run(go())
    assert venue.polls >= 4
    assert ("live", "polled") in states


def test_a_failing_venue_reports_its_reason_and_the_app_goes_on(aloop, qtbot, caplog):
    venue = FakeVenue(fail_markets=True)
    s = make_session(qtbot, venue)
    states = []
    s.status.connect(lambda v, st, d: states.append((v, st, d)))

    async def go():
        await s.open_venue("fake")
        await asyncio.sleep(0.1)
        await s.close()
    aloop.run(go())
    errors = [d for v, st, d in states if st == "error"]
    assert errors and "loading markets" in errors[0] and "could not read" in errors[0]
    assert any("fake: loading markets failed" in r.getMessage() for r in caplog.records)


def test_a_broken_stream_is_retried_and_a_parse_bug_is_contained(aloop, qtbot, caplog):
    venue = FakeVenue(fail_stream_times=1)
    s = make_session(qtbot, venue)
    states = []
    s.status.connect(lambda v, st, d: states.append(st))

    async def go():
        await s.open_venue("fake")
        await asyncio.sleep(1.4)        # first attempt fails, the retry after 1 s streams
        assert s.states["fake"].state == "live"
        venue.garbage = True            # a ValueError inside the adapter: logged, not raised
        await asyncio.sleep(0.1)
        assert s.states["fake"].state == "error"
        await s.close()
    aloop.run(go())
    assert "error" in states
    assert any("garbage" in r.getMessage() for r in caplog.records)


def test_select_streams_the_book_of_one_symbol(aloop, qtbot):
    venue = FakeVenue()
    s = make_session(qtbot, venue)
    books = []
    s.book.connect(lambda v, sym, ob: books.append((v, sym)))

    async def go():
        await s.open_venue("fake")
        s.select("fake", "BBB/USD")
        await asyncio.sleep(0.3)
        await s.close()
    aloop.run(go())
    assert books and set(books) == {("fake", "BBB/USD")}


def test_a_huge_frame_is_handed_over_in_slices(aloop, qtbot):
    from exchanges import Ticker
    s = Session(factory=None, flush_ms=1000, max_batch=100)
    batches = []
    s.tickers.connect(lambda b: batches.append(len(b)))
    from gui.session import VenueState
    s.states["v"] = VenueState()

    async def go():
        for i in range(350):
            s._ticker("v", Ticker(f"S{i}/USD", 0))
        s.flush()
        assert batches == [100]                     # the first slice at once
        await asyncio.sleep(0.05)
        await s.close()
    aloop.run(go())
    assert batches == [100, 100, 100, 50]


def test_one_call_streams_every_ticker_of_a_venue(aloop, qtbot):
    venue = FakeVenue()
    s = make_session(qtbot, venue)
    seen = set()
    s.tickers.connect(lambda b: seen.update(b))

    async def go():
        await s.open_venue("fake")
        await asyncio.sleep(0.3)
        await s.close()
    aloop.run(go())
    assert venue.watch_calls == [["AAA/USD", "BBB/USD"]]     # one task, not one per symbol
    assert seen == {("fake", "AAA/USD"), ("fake", "BBB/USD")}


def test_data_that_stops_is_marked_stale_and_clears_when_it_returns(aloop, qtbot):
    """A frozen stream must never look live: the venue goes stale, its tickers and the
    selected book are flagged, and all of it clears when data flows again."""
    venue = FakeVenue()
    s = make_session(qtbot, venue, stale_after=0.2)
    states, stale, book_stale = [], {}, []
    s.status.connect(lambda v, st, d: states.append(st))
    s.stale.connect(stale.update)
    s.book_stale.connect(lambda v, sym, x: book_stale.append(x))

    async def go():
        await s.open_venue("fake")
        s.select("fake", "AAA/USD")
        await asyncio.sleep(0.2)
        assert s.states["fake"].state == "live"
        venue.stalled = True
        await asyncio.sleep(0.35)
        s.check_stale()
        assert s.states["fake"].state == "stale"
        assert stale == {("fake", "AAA/USD"): True, ("fake", "BBB/USD"): True}
        assert book_stale == [True]
        venue.stalled = False
        await asyncio.sleep(0.2)
        assert s.states["fake"].state == "live"
        assert stale == {("fake", "AAA/USD"): False, ("fake", "BBB/USD"): False}
        assert book_stale == [True, False]
        await s.close()
    aloop.run(go())
    assert states.count("stale") == 1


def test_a_poll_does_not_make_a_reconnecting_venue_look_live(aloop, qtbot):
    venue = FakeVenue()
    s = make_session(qtbot, venue, poll_seconds=0.05)

    async def go():
        await s.open_venue("fake")
        await asyncio.sleep(0.1)
        venue.stalled = True
        s._on_adapter_status("fake", "reconnecting", "connection lost")
        s._ticker("fake", venue._ticker("AAA/USD"), live=True, streamed=False)   # a poll
        assert s.states["fake"].state == "reconnecting"
        venue.stalled = False
        await asyncio.sleep(0.1)
        assert s.states["fake"].state == "live"
        await s.close()
    aloop.run(go())


def test_the_board_greys_stale_rows(qtbot):
    from PySide6.QtCore import Qt

    from gui import theme
    from gui.models.tickers import TickerModel
    from tests.gui.fakes import FakeVenue as V

    model = TickerModel()
    model.update({("fake", "AAA/USD"): V()._ticker("AAA/USD")})
    idx = model.index(0, 2)
    assert model.data(idx, Qt.ItemDataRole.ForegroundRole) is None
    with qtbot.waitSignal(model.dataChanged):
        model.set_stale({("fake", "AAA/USD"): True})
    assert model.data(idx, Qt.ItemDataRole.ForegroundRole) == theme.muted_color()
    assert "stale" in model.data(idx, Qt.ItemDataRole.ToolTipRole)
    model.set_stale({("fake", "AAA/USD"): False})
    assert model.data(idx, Qt.ItemDataRole.ForegroundRole) is None


async def _until(predicate, timeout: float = 5.0, what: str = "condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


def test_a_closed_venue_leaves_no_task_or_stream_running(aloop, qtbot):
    """Closing a venue waits until every stream of it has ended (a stream ends by
    unsubscribing, which takes a round trip) before its adapter closes — the stream of a
    selection the user moved to another venue too, still unsubscribing when the venue closes.
    Reopened, the venue streams again; closing the session leaves nothing running."""
    venues = {v: FakeVenue(v) for v in ("x", "y")}
    s = Session(factory=lambda vid: venues[vid], flush_ms=40)

    async def go():
        before = asyncio.all_tasks()
        x = venues["x"]
        await s.open_venue("x")
        await s.open_venue("y")
        s.select("x", "AAA/USD")
        s.watch_book("x", "BBB/USD")
        await _until(lambda: x.open_streams == 3, what="x's tickers and two books streaming")
        x.unsubscribe_seconds = 0.3
        s.select("y", "AAA/USD")            # x's selected book is let go...
        s.unwatch_book("x", "BBB/USD")      # ...and so is the watched one
        await asyncio.sleep(0.01)            # both are unsubscribing now
        x.unsubscribe_seconds = 0.0
        await s.close_venue("x")
        assert x.open_at_close == 0 and x.open_streams == 0

        venues["x"] = x2 = FakeVenue("x")
        ticks: dict = {}
        s.tickers.connect(ticks.update)
        await s.open_venue("x")
        await _until(lambda: ("x", "AAA/USD") in ticks, what="x streaming again")
        await s.close()
        assert x2.open_at_close == 0 and venues["y"].open_at_close == 0
        assert asyncio.all_tasks() == before
    aloop.run(go())


def test_a_poll_does_not_hide_a_book_stream_that_reconnects(aloop, qtbot):
    """Tickers polled, the book streamed (CEX.IO, Coincheck): while the book's stream
    reconnects, answered polls leave the venue "reconnecting"; the stream's data, back, makes
    it live."""
    venue = FakeVenue(streams=False)
    venue.has["watch_order_book"] = True
    s = make_session(qtbot, venue, poll_seconds=0.02)

    async def go():
        await s.open_venue("fake")
        s.select("fake", "AAA/USD")
        await _until(lambda: s.states["fake"].state == "live" and venue.open_streams,
                     what="live, the book streaming")
        venue.stalled = True
        s._on_adapter_status("fake", "reconnecting", "connection lost")
        polls = venue.polls
        await _until(lambda: venue.polls >= polls + 3, what="polls answered meanwhile")
        assert s.states["fake"].state == "reconnecting"
        venue.stalled = False
        await _until(lambda: s.states["fake"].state == "live", what="live with the stream back")
        await s.close()
    aloop.run(go())
