"""Render the cross-venue views on the three demo venues into tests/gui/screenshots/ (gitignored)
for review, in both themes, large and at 1024×640: the cross-venue book with a plan for size N,
the spread board (crossed after fees, with your fee table at 0 %), the watchlist with a fired
cross-venue alert, and the exchange map filtering the exchange tree. Each image is checked
to be non-blank."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QApplication

from gui import theme

from .conftest import save_screenshots


@pytest.mark.parametrize("mode", ["dark", "light"])
@pytest.mark.parametrize("size", [(1680, 1000), (1024, 640)])
def test_render_the_cross_venue_views(window_factory, aloop, mode, size, monkeypatch):
    monkeypatch.setattr("gui.views.watchlist.play_sound", lambda: None)
    app = QApplication.instance()
    theme.apply(app, mode)
    try:
        w = window_factory()
        w.resize(*size)
        w.show()
        aloop.run(w.start(restore=False))
        cv = w.crossvenue
        aloop.until(lambda: len(cv.members) == 3 and cv.consolidated is not None
                    and len(cv.stale_keys()) == 0, timeout=15, what="three live demo books")
        w.views["consolidated"].size.setText("2.5")
        watch = w.views["watchlist"]
        watch.add_current()                               # the box empty: BTC/USD@demo
        watch.kind.setCurrentIndex(watch.kind.findData("spread"))
        watch.value.setText("0.5")
        watch.add_alert()
        # your tier at 0 % at every demo venue: the premiums between them cross the market
        for venue in ("demo", "demo-b", "demo-c"):
            cv.set_fee(venue, Decimal(0))
        aloop.until(lambda: cv.crossed, timeout=20, what="a crossed market")
        aloop.until(lambda: any(watch.model.index(r, 3).data()
                                for r in range(watch.model.rowCount())),
                    timeout=10, what="the spread alert")
        for name in ("consolidated", "spreads", "watchlist"):
            w.docks[name].raise_()
        aloop.run(asyncio.sleep(0.5))
        tag = f"{size[0]}x{size[1]}"
        shots = {f"crossvenue-{tag}-window": w.grab()}
        for name in ("consolidated", "spreads", "watchlist"):
            shots[f"crossvenue-{tag}-{name}"] = w.docks[name].grab()
        w.docks["map"].raise_()
        w.views["map"].choose("Japan")
        aloop.run(asyncio.sleep(0.3))
        shots[f"crossvenue-{tag}-map"] = w.docks["map"].grab()
        shots[f"crossvenue-{tag}-map-window"] = w.grab()
        save_screenshots(shots, mode)
    finally:
        theme.apply(app, "light")
