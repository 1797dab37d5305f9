"""The cross-venue book and spread board docks, driven through their widgets.

Static venues (fixed books, fees published or not) make every figure computable by hand; the
three simulated demo venues show the same docks live, as a user sees them on first launch.
"""
from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QHeaderView

from exchanges import Balance, Market, OrderBook, Ticker
from gui.crossvenue import PAR, RATE, STRICT, parse_size
from gui.models.spreads import CROSSED_ROLE
from gui.session import Session

from .test_trading import ui

D = Decimal


class StaticVenue:
    """A venue whose book stands still (until `frozen`, when it stops answering)."""

    def __init__(self, venue_id, bids, asks, *, taker=None, quote="USD", extra=()):
        self.id = venue_id
        self.has = {"load_markets": True, "fetch_tickers": True, "fetch_ticker": True,
                    "watch_ticker": False, "fetch_order_book": True, "watch_order_book": False,
                    "fetch_trades": False, "watch_trades": False, "fetch_ohlcv": False}
        self.status_listeners = []
        if taker is not None:
            self.fees = {"trading": {"taker": D(taker)}}
        self.symbol = f"X/{quote}"
        self.markets = {self.symbol: Market(self.symbol, "X" + quote, "X", quote, D("0.01"),
                                            D("0.1"))}
        self.tickers = {}
        for symbol, price in extra:       # other markets with a fixed price (a USDT/USD rate)
            base, q = symbol.split("/")
            self.markets[symbol] = Market(symbol, base + q, base, q, D("0.0001"), D("1"))
            self.tickers[symbol] = Ticker(symbol, 0, D(price), D(price), D(price))
        self.set_book(bids, asks)
        self.frozen = asyncio.Event()

    def set_book(self, bids, asks):
        self.book = OrderBook(self.symbol, [(D(p), D(q)) for p, q in bids],
                              [(D(p), D(q)) for p, q in asks])

    async def __aenter__(self):
        return self

    async def close(self):
        pass

    async def load_markets(self, reload=False):
        return dict(self.markets)

    async def fetch_tickers(self, symbols=None):
        b = self.book
        return {self.symbol: Ticker(self.symbol, 0, b.bids[0][0], b.asks[0][0], b.bids[0][0]),
                **self.tickers}

    async def fetch_order_book(self, symbol, limit=None):
        if self.frozen.is_set():
            await asyncio.Event().wait()        # a venue that went quiet
        return self.book


def hand_venues():
    """The example of tests/exchanges/test_crossvenue.py: a 0.1 %, b 0.2 % (both published),
    c publishes none (the user's fee table sets 0)."""
    return {
        "a": StaticVenue("a", [("99.80", "1.5"), ("99.50", "3")],
                         [("100.00", "1"), ("100.50", "2")], taker="0.001"),
        "b": StaticVenue("b", [("99.95", "1"), ("99.60", "2")],
                         [("99.95", "0.5"), ("100.10", "1")], taker="0.002"),
        "c": StaticVenue("c", [("99.70", "1")], [("100.20", "1")]),
    }


@pytest.fixture
def static(window_factory, aloop):
    def make(venues):
        session = Session(factory=lambda venue_id: venues[venue_id], poll_seconds=0.05)
        w = window_factory(session=session)
        w.show()
        aloop.run(w.start(restore=False, venues=list(venues)))
        for name in ("consolidated", "spreads"):     # in front of their tabs: shown, updated
            w.docks[name].raise_()
        aloop.until(lambda: w.views["consolidated"].isVisible() and w.views["spreads"].isVisible(),
                    what="the cross-venue docks shown")
        cv = w.crossvenue
        aloop.until(lambda: cv.pair == ("X", "USD") and len(cv.members) >= len(venues)
                    and len(cv.books) == len(cv.members), what="every venue's book")
        # the consolidated book is rebuilt at most every REBUILD_MS: once it holds every member
        aloop.until(lambda: cv.consolidated is not None and {
            lv[2] for lv in cv.consolidated.bids + cv.consolidated.asks} >= set(cv.books),
            what="every venue in the consolidated book")
        return w
    return make


def texts(model, row):
    return [model.index(row, c).data() for c in range(model.columnCount())]


def test_the_ladder_merges_every_venue_best_after_fees_first(static, aloop):
    w = static(hand_venues())
    cv, view = w.crossvenue, w.views["consolidated"]
    ui(aloop, cv.set_fee, "c", D("0"))
    aloop.until(lambda: view.model.rowCount() == 5, what="the merged ladder")
    m = view.model
    # asks after fees: a 100.00 → 100.10 beats b's lower quote 99.95 → 100.1499 (b's fee is 2×)
    assert [texts(m, r)[3:] for r in range(5)] == [
        ["100.10", "1.0", "a"], ["100.15", "0.5", "b"], ["100.20", "1.0", "c"],
        ["100.30", "1.0", "b"], ["100.60", "2.0", "a"]]
    assert [texts(m, r)[:3] for r in range(5)] == [
        ["b", "1.0", "99.75"], ["a", "1.5", "99.70"], ["c", "1.0", "99.70"],
        ["b", "2.0", "99.40"], ["a", "3.0", "99.40"]]
    assert "99.95" in m.index(0, 2).data(3) and "0.20 %" in m.index(0, 2).data(3)   # tooltip
    view.net.click()
    assert texts(m, 0)[2:4] == ["99.95", "100.00"]          # as quoted
    # the venue strip names every venue with its fee; c's is marked as not published
    strip = view.venues.text()
    assert "0.10 %" in strip and "0.20 %" in strip and "0.00 %*" in strip


def test_size_n_is_split_across_venues_as_computed_by_hand(static, aloop, qtbot):
    w = static(hand_venues())
    cv, view = w.crossvenue, w.views["consolidated"]
    ui(aloop, cv.set_fee, "c", D("0"))
    qtbot.keyClicks(view.size, "2.5")
    plan = view.plan_model
    aloop.until(lambda: plan.rowCount() == 7, what="both sides planned")
    # buy 2.5: 1 @ a 100.00 (+0.10 fee), 0.5 @ b 99.95 (+0.09995), 1 @ c 100.20 (no fee)
    assert [texts(plan, r) for r in range(4)] == [
        ["Buy", "a", "1.0", "100.00", "0.10", "100.10", ""],
        ["", "b", "0.5", "99.95", "0.10", "50.07", ""],
        ["", "c", "1.0", "100.20", "0.00", "100.20", ""],
        # 250.37495 / 2.5 = 100.14998 after fees; (100.14998 − 100.1) / 100.1 = 4.99 bp
        ["", "3 venues, net", "2.5", "100.15", "0.20", "250.37", "5.0"]]
    # sell 2.5: 1 @ b 99.95 (99.7501 after 0.2 %) + 1.5 @ a 99.80 (99.7002 after 0.1 %)
    # = 249.3004 received, 99.72016 a unit: (99.7501 − 99.72016) / 99.7501 = 3.0 bp
    assert [texts(plan, r) for r in range(4, 7)] == [
        ["Sell", "b", "1.0", "99.95", "0.20", "99.75", ""],
        ["", "a", "1.5", "99.80", "0.15", "149.55", ""],
        ["", "2 venues, net", "2.5", "99.72", "0.35", "249.30", "3.0"]]
    assert view.plans["buy"].cost == D("250.37495")
    assert view.plans["sell"].cost == D("249.3004")
    # more than the books hold: said in words, nothing planned, the layout does not move
    height = view.note.height()
    view.size.setText("50")
    assert "the live books hold only 8.5 of 50.0" in view.note.text()
    assert plan.rowCount() == 0 and view.note.height() == height
    view.size.setText("1,5")           # ambiguous in an English locale: refused, not guessed
    assert "ambiguous" in view.note.text()


def test_free_balances_cap_what_a_venue_is_given(static, aloop, qtbot):
    w = static(hand_venues())
    cv, view = w.crossvenue, w.views["consolidated"]
    ui(aloop, cv.set_fee, "c", D("0"))
    # keys at a and c: a has 50 USD free, c none; b has no keys (no balances: not capped)
    w.trading.balances.emit("a", {"USD": Balance(D("50"), D(0), D("50")),
                                  "X": Balance(D("0.2"), D(0), D("0.2"))})
    w.trading.balances.emit("c", {"USD": Balance(D("0"), D(0), D("0"))})
    qtbot.keyClicks(view.size, "1")
    aloop.until(lambda: "buy" in view.plans, what="a plan")
    buy = view.plans["buy"]
    spent_a = sum(p * q for v, p, q in buy.legs if v == "a") * D("1.001")
    assert spent_a <= D("50") and "c" not in buy.by_venue
    assert "Up to your free balance" in view.note.text() and "buy: a" in view.note.text()
    assert buy.by_venue["a"] == D("50") / D("100.1")
    view.size.setText("2")      # sell 2: b's 1, a only the 0.2 X held there, c none, b again
    sell = view.plans["sell"]
    assert sell.legs == [("b", D("99.95"), D("1")), ("a", D("99.80"), D("0.2")),
                         ("b", D("99.60"), D("0.8"))]
    view.size.setText("3")          # b's asks (1.5) + 50 USD at a (0.4995): balances fall short
    assert "your free balances allow only 1.9 of 3.0" in view.note.text()    # 1.9995, floored


def test_crossed_after_fees_is_highlighted_and_said(static, aloop):
    venues = {
        "a": StaticVenue("a", [("101.00", "1")], [("101.10", "1")], taker="0.001"),
        "b": StaticVenue("b", [("99.90", "1")], [("100.00", "1")], taker="0.001"),
        "c": StaticVenue("c", [("99.95", "1")], [("100.05", "1")], taker="0.001"),
    }
    w = static(venues)
    cv, view = w.crossvenue, w.views["spreads"]
    m = view.model
    aloop.until(lambda: cv.crossed, what="the crossing")
    # a's bid 101.00 × 0.999 = 100.899 > b's ask 100.00 × 1.001 = 100.10: +79.8 bp
    row = {m.key(r): r for r in range(m.rowCount())}
    bid, ask = 2, 3
    assert m.index(row["a"], bid).data(CROSSED_ROLE) is True
    assert m.index(row["b"], ask).data(CROSSED_ROLE) is True
    assert m.index(row["a"], ask).data(CROSSED_ROLE) is False
    assert m.index(row["b"], bid).data(CROSSED_ROLE) is False
    assert "Crossed after fees" in view.banner.text() and "+79.8 bp" in view.banner.text()
    assert "buy <b>b</b>" in view.banner.text() and "sell <b>a</b>" in view.banner.text()
    assert m.index(row["a"], bid).data(Qt.ItemDataRole.BackgroundRole) is not None
    # the ladder marks the levels that are through the other side after fees
    ladder = w.views["consolidated"].model
    assert ladder.index(0, 2).data(Qt.ItemDataRole.BackgroundRole) is not None    # a's bid
    assert ladder.index(0, 3).data(Qt.ItemDataRole.BackgroundRole) is not None    # b's ask
    assert ladder.index(1, 2).data(Qt.ItemDataRole.BackgroundRole) is None       # c's bid
    # the same quotes with a 1 % fee at a are no longer crossed after fees
    ui(aloop, cv.set_fee, "a", D("0.01"))
    assert ladder.index(0, 2).data(Qt.ItemDataRole.BackgroundRole) is None
    assert not cv.crossed and "not crossed after fees" in view.banner.text()
    assert not any(m.index(r, c).data(CROSSED_ROLE) for r in range(3) for c in (bid, ask))
    # bid vs best / ask vs best in basis points; the spread board's own spread
    assert m.index(row["b"], 6).data() == f"{(D('99.90') - D('101.00')) * 10000 / D('101.00'):+.1f}"
    assert m.index(row["b"], 7).data() == "0.0"


def test_the_spread_boards_columns_fit_their_text_measured_when_its_length_changes(
        static, aloop):
    venues = {
        "a": StaticVenue("a", [("101.00", "1")], [("101.10", "1")]),
        "b": StaticVenue("b", [("99.90", "1")], [("100.00", "1")]),
    }
    w = static(venues)
    view = w.views["spreads"]
    table, header = view.table, view.table.horizontalHeader()
    aloop.until(lambda: view.model.rowCount() == 2, what="the board's rows")
    for c in range(header.count() - 1):     # (the last one stretches to the table's edge)
        assert header.sectionSize(c) >= table.sizeHintForColumn(c), c
    # measured when a column's longest text changes length, not by Qt on every update
    assert all(header.sectionResizeMode(c) == QHeaderView.ResizeMode.Interactive
               for c in range(header.count()))


def test_a_stale_venue_is_greyed_and_left_out_of_the_best_price(static, aloop):
    venues = hand_venues()
    w = static(venues)
    cv = w.crossvenue
    cv.stale_after = 1.5        # a, c poll every 0.05 s: only b can be this old
    ladder, board = w.views["consolidated"].model, w.views["spreads"].model
    assert cv.consolidated.best_bid[2] == "b"
    venues["b"].frozen.set()                 # b stops sending its book
    aloop.until(lambda: "b" in cv.stale_keys(), timeout=8, what="b to go stale")
    aloop.until(lambda: cv.consolidated is not None and cv.consolidated.best_bid[2] != "b",
                what="the best price without b")
    assert all(lv[2] != "b" for lv in cv.consolidated.bids + cv.consolidated.asks)
    assert all("b" not in (ladder.index(r, 0).data(), ladder.index(r, 5).data())
               for r in range(ladder.rowCount()))
    row = next(r for r in range(board.rowCount()) if board.key(r) == "b")
    from gui import theme
    assert board.index(row, 2).data(Qt.ItemDataRole.ForegroundRole) == theme.muted_color()
    strip = w.views["consolidated"].venues
    assert "b stale" in strip.text() and "left out of the best price" in strip.toolTip()
    aloop.until(lambda: board.index(row, 9).data() not in ("<1 s", "—"), what="b's age")


def test_quote_equivalence_is_the_users_choice_and_the_conversion_is_shown(static, aloop):
    venues = hand_venues()
    venues["t"] = StaticVenue("t", [("99.00", "1")], [("99.10", "1")], taker="0.001",
                              quote="USDT", extra=[("USDT/USD", "1.0100")])
    w = static(venues)
    cv, view = w.crossvenue, w.views["consolidated"]
    assert cv.mode == PAR
    t = next(m for m in cv.members if m.key == "t")
    assert t.symbol == "X/USDT" and t.note == "USDT counted as USD 1:1"
    assert "USDT counted as USD 1:1" in view.venues.toolTip() and "t</b>" in view.venues.text()
    # strictly USD: t is not a member
    ui(aloop, cv.set_mode, STRICT)
    assert {m.key for m in cv.members} == {"a", "b", "c"}
    # at market rate: t's prices × the USDT/USD mid of 1.01
    ui(aloop, cv.set_mode, RATE)
    aloop.until(lambda: any(m.key == "t" and m.rate == D("1.0100") for m in cv.members),
                what="the USDT/USD rate")
    t = next(m for m in cv.members if m.key == "t")
    assert "USDT → USD × 1.01000 (t USDT/USD mid)" == t.note
    aloop.until(lambda: any(lv[2] == "t" and lv[3] == D("99.00") * D("1.01")
                            for lv in cv.consolidated.bids), what="t's converted bid")


def test_the_demo_venues_give_a_cross_venue_book_on_first_launch(window_factory, aloop):
    w = window_factory()
    w.show()
    aloop.run(w.start(restore=False))
    cv = w.crossvenue
    aloop.until(lambda: cv.pair is not None and len(cv.members) == 3
                and cv.consolidated is not None
                and len({lv[2] for lv in cv.consolidated.bids + cv.consolidated.asks}) >= 2,
                timeout=15, what="the demo venues' consolidated book")
    assert cv.pair == ("BTC", "USD")
    assert {m.key: m.symbol for m in cv.members} == {
        "demo": "BTC/USD", "demo-b": "BTC/USDT", "demo-c": "BTC/USD"}
    assert {m.venue: cv.fee(m.venue) for m in cv.members} == {
        "demo": (D("0.001"), "venue"), "demo-b": (D("0.00075"), "venue"),
        "demo-c": (D("0.002"), "venue")}
    bids = [lv[0] for lv in cv.consolidated.bids]
    assert bids == sorted(bids, reverse=True)
    # the board follows at the next turn of the loop (its refresh is coalesced)
    aloop.until(lambda: w.views["spreads"].model.rowCount() == 3, what="the board's three rows")


def test_fee_table_refuses_a_bad_rate_and_saves_a_good_one(static, aloop):
    from gui.fees_dialog import FeesDialog
    w = static(hand_venues())
    cv = w.crossvenue
    dialog = FeesDialog(cv, w)
    row = dialog.venues.index("a")
    dialog.table.item(row, 3).setText("ten")
    dialog.save()
    assert "a: a fee is a percentage" in dialog.error.text() and cv.fee("a")[0] == D("0.001")
    dialog.table.item(row, 3).setText("0,05")
    dialog.save()
    assert cv.fee("a") == (D("0.0005"), "yours")
    from gui.fees import FeeTable
    assert FeeTable(cv.fees.where).rate("a") == (D("0.0005"), "yours")     # saved


@pytest.mark.parametrize("text, point, group, value", [
    ("1.5", ".", ",", "1.5"), ("1,234.5", ".", ",", "1234.5"), ("1.234,5", ",", ".", "1234.5"),
    ("1,5", ",", ".", "1.5"), ("2", ".", ",", "2"), (" 10 000,25 ", ",", "\u00a0", "10000.25")])
def test_parse_size_follows_the_locale(text, point, group, value):
    assert parse_size(text, point, group) == D(value)


@pytest.mark.parametrize("text", ["1,5", "1,50", "abc", "-1", "0", "", "1,234,5"])
def test_parse_size_refuses_what_it_would_have_to_guess(text):
    with pytest.raises(ValueError):
        parse_size(text, ".", ",")



class BooksOnly(QObject):
    """A session reduced to what the cross-venue book listens to: one venue, live."""
    books = Signal(object)
    tickers = Signal(object)
    markets_loaded = Signal(str, object)
    venue_closed = Signal(str)
    status = Signal(str, str, str)
    selected = Signal(str, str)

    def __init__(self):
        super().__init__()
        self.adapters = {}
        self.states = {"a": SimpleNamespace(state="live", markets={})}


def test_books_every_frame_rebuild_the_consolidated_book_at_most_every_rebuild_ms(
        qtbot, aloop, tmp_path, monkeypatch):
    import gui.crossvenue as module
    from gui.fees import FeeTable
    session = BooksOnly()
    cv = module.CrossVenue(session, fees=FeeTable(tmp_path / "fees.json"))
    cv.members = [module.Member("a", "a", "X/USD", "USD")]
    cv._ages.stop()         # its once-a-second staleness check would rebuild too: counted apart
    rebuilds = []
    real = module.consolidated_book
    monkeypatch.setattr(module, "consolidated_book",
                        lambda *a, **kw: rebuilds.append(time.monotonic()) or real(*a, **kw))

    def book(bid):
        return OrderBook("X/USD", [(bid, D("1"))], [(D("100.00"), D("1"))])

    bid = D("99.80")
    session.books.emit({("a", "X/USD"): book(bid)})
    assert len(rebuilds) == 1, "after a quiet spell the first book is shown at once"
    end = time.monotonic() + 0.6
    while time.monotonic() < end:       # a new book every ~5 ms, as 16 ms frames of many venues
        bid += D("0.01")
        session.books.emit({("a", "X/USD"): book(bid)})
        aloop.run(asyncio.sleep(0.005))
    sent = len(rebuilds)
    gaps = [b - a for a, b in zip(rebuilds, rebuilds[1:])]
    assert 4 <= sent <= 8 and min(gaps) >= module.REBUILD_MS / 1000 * 0.9, gaps
    # the last book is not lost: it is shown within REBUILD_MS of its arrival, by at most one
    # more rebuild (none if a due rebuild ran after it, during the loop's last sleep)
    more = 0 if cv.consolidated.bids[0][3] == bid else 1
    aloop.until(lambda: cv.consolidated.bids[0][3] == bid, timeout=1,
                what="the last book in the consolidated book")
    aloop.run(asyncio.sleep(2 * module.REBUILD_MS / 1000))
    assert len(rebuilds) == sent + more, "no new book, no rebuild"
