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
    aloop.until(lambda: chart.loaded and chart.timeframe.currentText() == "1h",
                what="1h history")
    venue, symbol = chart.key
    start = int(chart.forming[0]) if chart.forming is not None else 0
    n = len(chart.history)
    t0 = (start + 3600) * 1000            # the next hour: closes the forming candle
    chart._on_trades(venue, symbol, [Trade("a", t0 + 1, "buy", D("70000.5"), D("0.25")),
                                     Trade("b", t0 + 2, "sell", D("69990"), D("0.5")),
                                     Trade("c", t0 + 3, "buy", D("70010"), D("1"))])
    assert len(chart.history) == n + 1
    assert np.allclose(chart.forming, [start + 3600, 70000.5, 70010, 69990, 70010, 1.75])
    chart._apply()                  # (the repaint timer would do it within REPAINT_MS)
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


# -- the chart as a trader uses it ---------------------------------------------------------------
from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QWheelEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def _chart(window_factory, aloop, tf="15m"):
    w = window_factory()
    w.show()
    aloop.run(w.start(restore=False))
    chart = w.views["chart"]
    aloop.until(lambda: chart.loaded, what="chart history")
    if chart.timeframe.currentText() != tf:
        chart.timeframe.setCurrentText(tf)
        aloop.until(lambda: chart.loaded, what=f"{tf} history")
    aloop.run(asyncio.sleep(0.3))
    return w, chart


def test_crosshair_shows_the_candle_under_the_pointer(window_factory, aloop, qtbot):
    w, chart = _chart(window_factory, aloop)
    row = chart.history[-20]
    vb = chart.price.getViewBox()
    scene = vb.mapViewToScene(QPointF(row[0], (row[2] + row[3]) / 2))
    view_pos = chart.plots.mapFromScene(scene)
    qtbot.mouseMove(chart.plots.viewport(), view_pos)
    aloop.until(lambda: chart.cross_h.isVisible(), what="the crosshair")
    text = chart.readout.text()
    from gui import format as fmt
    for value in row[1:5]:
        assert fmt.price(D(repr(float(value))), D("0.01")) in text
    assert "O " in text and " V " in text
    assert abs(chart.cross_v[0].value() - row[0]) < chart.seconds
    assert "cursor" in chart.price_axis.tags                 # the price under the pointer
    assert chart.cross_v[1].isVisible()                      # down through the volume pane
    leave = __import__("PySide6.QtCore", fromlist=["QEvent"]).QEvent
    QApplication.sendEvent(chart.plots.viewport(), leave(leave.Type.Leave))
    assert not chart.cross_h.isVisible() and "cursor" not in chart.price_axis.tags


def test_last_price_tag_and_axis_numbers(window_factory, aloop):
    w, chart = _chart(window_factory, aloop)
    chart._dirty.add("forming")
    chart._apply()
    value, color, text = chart.price_axis.tags["last"]
    assert value == chart.forming[4]
    from gui import format as fmt
    assert text == fmt.price(D(f"{value:.2f}"), D("0.01"))
    assert chart.price_axis.tickStrings([64000.0, 64500.0], 1, 500) == ["64,000", "64,500"]
    assert chart.price_axis.tickStrings([0.04905, 0.0491], 1, 0.00005) == ["0.04905",
                                                                            "0.04910"]
    assert chart.volume_axis.tickStrings([0, 250, 500], 1, 250) == ["0", "250", "500"]
    assert chart.volume_axis.tickStrings([2_500_000.0], 1, 500_000) == ["2.50M"]


def test_zooming_in_time_refits_the_prices_and_live_comes_back(window_factory, aloop, qtbot):
    w, chart = _chart(window_factory, aloop)
    assert chart.following and chart.live_button.isChecked()
    vb = chart.price.getViewBox()
    full = vb.viewRange()[1]
    # The trader zooms in with the wheel: following stops, the prices refit to what is seen.
    centre = chart.plots.mapFromScene(vb.mapViewToScene(QPointF(chart.history[-40][0],
                                                                chart.history[-40][4])))
    for _ in range(6):
        QApplication.sendEvent(chart.plots.viewport(), QWheelEvent(
            QPointF(centre), QPointF(chart.plots.viewport().mapToGlobal(centre)), QPoint(0, 0),
            QPoint(0, 120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase, False))
    aloop.run(asyncio.sleep(0.3))
    assert not chart.following and not chart.live_button.isChecked()
    x0, x1 = vb.viewRange()[0]
    seen = chart.history[(chart.history[:, 0] >= x0) & (chart.history[:, 0] <= x1)]
    assert 0 < len(seen) < 60
    y0, y1 = vb.viewRange()[1]
    assert y0 <= seen[:, 3].min() and y1 >= seen[:, 2].max()
    assert (y1 - y0) < (full[1] - full[0]) * 0.8               # refitted, not the whole day
    vol = chart.volume.getViewBox().viewRange()[1]
    assert vol[1] >= seen[:, 5].max() and vol[1] < seen[:, 5].max() * 1.3
    # Live brings back the newest candles and follows them.
    ui_click = __import__("tests.gui.test_trading", fromlist=["click"]).click
    ui_click(aloop, qtbot, chart.live_button)
    assert chart.following
    newest = chart.forming[0]
    assert x1 < newest and vb.viewRange()[0][1] >= newest


def test_live_trades_repaint_a_few_times_a_second(window_factory, aloop):
    from gui.views.chart import REPAINT_MS
    w, chart = _chart(window_factory, aloop)
    venue, symbol = chart.key
    # (the candle after next: the demo's own trades, older, cannot change it meanwhile, even
    # when the clock reaches the next candle during the test)
    t0 = (int(chart.forming[0]) + 2 * chart.seconds) * 1000 + 1
    before = chart.repaints
    depth = w.views["book"].depth
    depth_before = depth.repaints

    async def burst():
        for i in range(200):              # 200 trade batches in ~0.6 s
            chart._on_trades(venue, symbol, [Trade(str(i), t0 + i, "buy",
                                                   D("64000") + i, D("0.01"))])
            depth.set_book(w.session.adapters["demo"]._book(symbol, 20))
            await asyncio.sleep(0.003)
        await asyncio.sleep(REPAINT_MS / 1000 + 0.1)
    started = __import__("time").monotonic()
    aloop.run(burst())
    elapsed = __import__("time").monotonic() - started
    limit = elapsed * 1000 / REPAINT_MS + 2
    assert 1 <= chart.repaints - before <= limit
    assert 1 <= depth.repaints - depth_before <= limit
    assert chart.forming[4] == 64199.0                       # the newest trade is shown


def test_timeframes_are_the_venues_own(window_factory, aloop):
    w, chart = _chart(window_factory, aloop)
    offered = [chart.timeframe.itemText(i) for i in range(chart.timeframe.count())]
    assert offered == ["1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "12h", "1d"]
    chart.timeframe.setCurrentText("6h")
    aloop.until(lambda: chart.loaded and chart.timeframe.currentText() == "6h", what="6h")
    assert len(chart.history) > 100
    assert np.all(np.diff(chart.history[:, 0]) == 6 * 3600)


def test_open_orders_are_drawn_on_the_chart(window_factory, aloop):
    w, chart = _chart(window_factory, aloop)
    w.trading.poll_seconds = 0.2
    adapter = w.session.adapters["demo"]
    aloop.run(adapter.create_order("BTC/USD", "buy", "limit", D("0.0125"), D("60000")))
    aloop.run(adapter.create_order("ETH/USD", "sell", "limit", D("1"), D("3500")))
    w.trading.refresh()
    aloop.until(lambda: any(line.isVisible() for line in chart.order_lines), what="a line")
    shown = [line for line in chart.order_lines if line.isVisible()]
    assert len(shown) == 1                                   # only the chart's symbol
    assert shown[0].value() == 60000.0
    assert shown[0].label.toPlainText() == "Buy 0.01250 @ 60,000.00"
    lo, hi = chart.price.getViewBox().viewRange()[1]
    assert lo > 60000 or chart.history[:, 3].min() < 60000     # the line never stretches y
