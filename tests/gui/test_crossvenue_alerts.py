"""Cross-venue alerts (a spread after fees between two venues; any venue moving), and what
every alert does: fire once or re-arm after a margin, sound, highlight, notify and log."""
from __future__ import annotations

import json
import logging
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from exchanges import Ticker
from gui import watchlist
from gui.models.watchlist import FIRED_ROLE, WatchlistModel
from gui.watchlist import ANY, Item, Rule

from .test_crossvenue import StaticVenue, static  # noqa: F401  (the fixture)
from .test_trading import ui

D = Decimal


def tick(symbol, bid, ask, last=None):
    return Ticker(symbol, 0, D(bid), D(ask), D(last or bid))


# -- the rules, without Qt ----------------------------------------------------------------------

def test_a_once_rule_fires_once_and_a_margin_rule_re_arms_only_past_its_margin():
    once = Item("demo", "X/USD", [Rule("above", "100", rearm=None)])
    fired = [bool(once.observe(D(p), t)) for t, p in enumerate(("99", "100", "90", "101"))]
    assert fired == [False, True, False, False] and once.rules[0].describe().endswith("fired")
    margin = Item("demo", "X/USD", [Rule("above", "100", rearm="10")])
    prices = ("101", "95", "101", "90", "100.5")
    # fires at 101; back to 95 is only 5 below: still quiet at 101; 90 re-arms; 100.5 fires
    assert [bool(margin.observe(D(p), t)) for t, p in enumerate(prices)] == [
        True, False, False, False, True]
    below = Item("demo", "X/USD", [Rule("below", "50", rearm="0")])   # 0: re-arm at once
    assert [bool(below.observe(D(p), t)) for t, p in enumerate(("49", "51", "49"))] == [
        True, False, True]


def test_a_spread_between_two_venues_fires_above_x_bp_after_both_fees():
    fees = {"a": D("0.001"), "b": D("0.002")}
    it = Item(ANY, "X/USD", [Rule("spread", "20", venues=("a", "b"), rearm="5")])
    assert it.observe_venue("a", tick("X/USD", "100.00", "100.10"), 0, fees.get) == []
    # b's bid 100.40 × 0.998 = 100.1992 vs a's ask 100.10 × 1.001 = 100.2001: −0.09 bp
    assert it.observe_venue("b", tick("X/USDT", "100.40", "100.50"), 1, fees.get) == []
    assert round(it.edge, 2) == round((D("100.1992") - D("100.2001")) * 10000
                                      / D("100.2001"), 2)
    # b's bid 100.70: 100.4986 vs 100.2001 = +29.8 bp > 20: fires, naming both sides
    fired = it.observe_venue("b", tick("X/USDT", "100.70", "100.80"), 2, fees.get)
    assert fired == ["X/USD: sell b at 100.70, buy a at 100.10: +29.8 bp after fees "
                     "(spread > 20 bp (a ↔ b) · re-arm 5)"]
    # +19 bp is below 20 but not 5 bp below: stays quiet; +10 bp re-arms; +25 bp fires again
    assert it.observe_venue("b", tick("X/USDT", "100.61", "100.8"), 3, fees.get) == []
    assert it.observe_venue("b", tick("X/USDT", "100.70", "100.8"), 4, fees.get) == []
    assert it.observe_venue("b", tick("X/USDT", "100.50", "100.8"), 5, fees.get) == []
    assert it.observe_venue("b", tick("X/USDT", "100.66", "100.8"), 6, fees.get) != []


def test_any_venue_moving_fires_for_the_venue_that_moved():
    it = Item(ANY, "X/USD", [Rule("anymove", "2", 300, rearm=None)])
    zero = lambda venue: D(0)                          # noqa: E731
    for venue in ("a", "b"):
        assert it.observe_venue(venue, tick("X/USD", "100", "100.1"), 0, zero) == []
    assert it.observe_venue("a", tick("X/USD", "101", "101.1"), 60, zero) == []
    fired = it.observe_venue("b", tick("X/USD", "97.9", "98"), 120, zero)
    assert len(fired) == 1 and fired[0].startswith("X/USD@b moved -2.10% in 5 min")
    # fired once: a moving 3 % later says nothing
    assert it.observe_venue("a", tick("X/USD", "104", "104.1"), 180, zero) == []
    # outside the window nothing counts: a 2 % drift over 10 minutes is no alert
    slow = Item(ANY, "X/USD", [Rule("anymove", "2", 300)])
    for t, p in ((0, "100"), (290, "101"), (580, "102.1")):
        assert slow.observe_venue("a", tick("X/USD", p, p), t, zero) == []


def test_rules_of_the_first_watchlists_load_re_arming_at_once(tmp_path):
    where = tmp_path / "watchlist.json"
    where.write_text(json.dumps({"version": 1, "items": [
        {"venue": "demo", "symbol": "BTC/USD", "rules": [{"kind": "above", "value": "1"}]}]}))
    items, problem = watchlist.load(where)
    assert problem is None and items[0].rules[0].rearm == D(0)
    items.append(Item(ANY, "BTC/USD", [Rule("spread", "5", venues=("demo", "demo-b"),
                                            rearm=None)]))
    watchlist.save(items, where)
    again, _ = watchlist.load(where)
    assert again[1].rules[0].venues == ("demo", "demo-b") and again[1].rules[0].rearm is None
    assert again[1].label == "BTC/USD@any venue"


@pytest.mark.parametrize("kind, value, kw, words", [
    ("spread", "5", {"venues": ("a", "a")}, "two different venues"),
    ("spread", "-5", {}, "greater than zero"),
    ("anymove", "2", {"window": 0}, "positive number of seconds"),
    ("above", "1", {"rearm": "-1"}, "zero or more")])
def test_a_bad_rule_is_refused_in_words(kind, value, kw, words):
    with pytest.raises(ValueError, match=words):
        Rule(kind, value, **kw)


# -- the model ----------------------------------------------------------------------------------

def test_a_cross_venue_row_takes_every_venues_ticks_and_highlights_until_seen(qtmodeltester):
    m = WatchlistModel([Item(ANY, "X/USD", [Rule("anymove", "1", 300)]),
                        Item("a", "X/USD")], clock=lambda: 0)
    qtmodeltester.check(m)
    fired = []
    m.alert.connect(fired.append)
    m.on_tickers({("a", "X/USD"): tick("X/USD", "100", "100"),
                  ("b", "X/USDT"): tick("X/USDT", "100", "100"),
                  ("b", "Y/USD"): tick("Y/USD", "5", "5")})
    assert m.index(0, 1).data() == "2 venues" and m.index(1, 1).data() == "100.00"
    assert not m.index(0, 0).data(FIRED_ROLE)
    m.on_tickers({("b", "X/USDT"): tick("X/USDT", "101.5", "101.5")})
    assert fired and "X/USD@b moved +1.50%" in fired[0]
    assert all(m.index(0, c).data(FIRED_ROLE) for c in range(4))
    assert m.index(0, 2).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert not m.index(1, 0).data(FIRED_ROLE)
    m.acknowledge(0)
    assert not m.index(0, 0).data(FIRED_ROLE)
    assert m.index(0, 2).data(Qt.ItemDataRole.BackgroundRole) is None


# -- through the dock ---------------------------------------------------------------------------

def crossed_venues():
    return {"a": StaticVenue("a", [("101.00", "1")], [("101.10", "1")], taker="0.001"),
            "b": StaticVenue("b", [("99.90", "1")], [("100.00", "1")], taker="0.001")}


def test_spread_alert_from_the_dock_notifies_logs_sounds_and_highlights(static, aloop, qtbot,
                                                                       monkeypatch, caplog):
    sounds = []
    monkeypatch.setattr("gui.views.watchlist.play_sound", lambda: sounds.append(1))
    venues = crossed_venues()
    w = static(venues)
    view = w.views["watchlist"]
    caplog.set_level(logging.INFO, "gui.alerts")
    # the box empty: Add takes the symbol selected in the app (a's X/USD)
    assert view.pair.text() == "" and w.session.selection == ("a", "X/USD")
    ui(aloop, view.add_button.click)
    assert [i.label for i in view.model.items] == ["X/USD@a"]
    view.kind.setCurrentIndex(view.kind.findData("spread"))
    assert view.venues.isVisibleTo(view)
    labels = [view.venues.itemText(i) for i in range(view.venues.count())]
    assert labels == ["any two venues", "a ↔ b"]
    view.venues.setCurrentIndex(1)
    view.value.setText("50")
    ui(aloop, view.alert_button.click)
    # the spread rule got a row of its own: the pair on every venue
    assert [i.label for i in view.model.items] == ["X/USD@a", "X/USD@any venue"]
    # armed once; the venues are already crossed, so the next frame may have fired it
    assert view.model.index(1, 2).data() in ("spread > 50 bp (a ↔ b) · once",
                                             "spread > 50 bp (a ↔ b) · fired")
    # a's bid 101.00 × 0.999 = 100.899, b's ask 100.00 × 1.001 = 100.1: +79.8 bp after fees
    aloop.until(lambda: view.model.index(1, 3).data(), what="the spread alert")
    assert "sell a at 101.00, buy b at 100.00: +79.8 bp after fees" in view.model.index(1, 3).data()
    assert sounds == [1]
    assert any("Price alert" in r.getMessage() and "+79.8 bp" in r.getMessage()
               for r in caplog.records)
    assert view.model.index(1, 0).data(FIRED_ROLE)
    assert view.model.index(1, 2).data().endswith("· fired")
    # once: it stays quiet while the market stays crossed
    aloop.run(__import__("asyncio").sleep(0.3))
    assert sounds == [1]
    # clicking the row is seeing it: the highlight goes
    w.docks["watchlist"].raise_()
    aloop.until(view.table.isVisible, what="the watchlist shown")
    cell = view.table.visualRect(view.model.index(1, 0)).center()
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert not view.model.index(1, 0).data(FIRED_ROLE)
    # Re-arm: it fires again while still crossed
    ui(aloop, view.rearm_button.click)
    aloop.until(lambda: len(sounds) == 2, what="the re-armed alert")


def test_any_venue_move_from_the_dock_with_a_re_arm_margin(static, aloop, monkeypatch):
    monkeypatch.setattr("gui.views.watchlist.play_sound", lambda: None)
    venues = crossed_venues()
    w = static(venues)
    view = w.views["watchlist"]
    ui(aloop, view.add_button.click)
    view.kind.setCurrentIndex(view.kind.findData("anymove"))
    assert not view.venues.isVisibleTo(view) and view.minutes.isEnabled()
    view.value.setText("2")
    view.rearm.setText("1")
    ui(aloop, view.alert_button.click)
    row = 1
    assert view.model.index(row, 2).data() == "any venue ±2% in 5 min · re-arm 1"
    alerts = []
    view.model.alert.connect(alerts.append)
    aloop.until(lambda: view.model.items[row].quotes.keys() == {"a", "b"}, what="both venues")
    venues["b"].set_book([("102.00", "1")], [("102.10", "1")])      # b's bid +2.1 %
    aloop.until(lambda: alerts, what="b's move")
    assert alerts[0].startswith("X/USD@b moved +2.10%")
    # a bad value is refused in words and nothing is added
    view.value.setText("two")
    ui(aloop, view.alert_button.click)
    assert "must be a number" in view.note.text() and len(view.model.items[row].rules) == 1
