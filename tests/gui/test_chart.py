"""Chart: candles drawn once into a picture, the forming candle built from live trades."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import numpy as np

from exchanges import Candle, Trade
from gui.widgets.candles import CandlestickItem, candle_array
from gui.widgets.depth import step_xy

D = Decimal


def test_candle_item_bounds_cover_every_candle(qapp):
    rows = candle_array([Candle(60_000 * i, D(100 + i), D(105 + i), D(95 + i), D(101 + i), D(1))
                         for i in range(50)])
    item = CandlestickItem()
    item.set_candles(rows, 60.0)
    r = item.boundingRect()
    assert r.left() <= rows[0, 0] - 30 and r.right() >= rows[-1, 0] + 30
    assert r.top() <= rows[:, 3].min() and r.bottom() >= rows[:, 2].max()


def test_depth_steps_accumulate_size():
    x, y = step_xy([(D("100"), D("1")), (D("99"), D("2")), (D("98"), D("0.5"))])
    assert list(x) == [100, 100, 99, 99, 98, 98]
    assert list(y) == [0, 1, 1, 3, 3, 3.5]


def test_trades_build_the_forming_candle_and_close_it(window_factory, aloop):
    w = window_factory()
    w.show()
    aloop.run(w.start(restore=False))
    chart = w.views["chart"]
    aloop.until(lambda: chart.loaded, what="chart history")
    chart.timeframe.setCurrentText("1h")
    aloop.until(lambda: chart.loaded and "1h" in chart.caption.text(), what="1h history")
    venue, symbol = chart.key
    start = int(chart.forming[0]) if chart.forming is not None else 0
    n = len(chart.history)
    t0 = (start + 3600) * 1000            # the next hour: closes the forming candle
    chart._on_trades(venue, symbol, [Trade("a", t0 + 1, "buy", D("70000.5"), D("0.25")),
                                     Trade("b", t0 + 2, "sell", D("69990"), D("0.5")),
                                     Trade("c", t0 + 3, "buy", D("70010"), D("1"))])
    assert len(chart.history) == n + 1
    assert np.allclose(chart.forming, [start + 3600, 70000.5, 70010, 69990, 70010, 1.75])
    assert chart.live.boundingRect().contains(start + 3600, 70000)
    aloop.run(asyncio.sleep(0.05))


def test_interactive_app_closes_cleanly_and_remembers(aloop, qapp):
    from PySide6.QtWidgets import QApplication

    from gui import app as app_mod
    from gui.settings import Settings
    from gui.window import MainWindow

    async def go():
        task = asyncio.ensure_future(app_mod._interactive(qapp))
        for _ in range(200):
            wins = [x for x in QApplication.topLevelWidgets()
                    if isinstance(x, MainWindow) and x.isVisible() and x.session.selection]
            if wins:
                break
            await asyncio.sleep(0.05)
        assert wins, "the app window did not come up on the demo"
        wins[0].close()
        return await asyncio.wait_for(task, 10)
    assert aloop.run(go()) == 0
    s = Settings()
    # a first launch opens the simulated venues (closed this fast, maybe not all of them yet)
    assert s.venues()[0] == "demo" and set(s.venues()) <= {"demo", "demo-b", "demo-c"}
    assert s.selection()[0] == "demo"
    assert s.layout()[1] is not None
