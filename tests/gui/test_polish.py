"""Polish a paying trader notices: a live theme switch that recolours plots and buttons both
ways (and survives a resize), one number formatter, a first layout that uses the screen, and
a small window that still shows the chart's axes."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from gui import theme

from .test_trading import ui

D = Decimal


def _near(a: QColor, b: QColor, tol: int = 24) -> bool:
    return all(abs(x - y) <= tol for x, y in ((a.red(), b.red()), (a.green(), b.green()),
                                              (a.blue(), b.blue())))


def _pixels_like(image, rect: QRect, color: QColor, tol: int = 40, step: int = 2) -> int:
    return sum(_near(QColor(image.pixel(x, y)), color, tol)
               for x in range(rect.left(), rect.right(), step)
               for y in range(rect.top(), rect.bottom(), step))


def _live_window(window_factory, aloop, size=(1600, 950)):
    w = window_factory()
    w.resize(*size)
    w.show()
    aloop.run(w.start(restore=False))
    aloop.until(lambda: w.views["chart"].loaded and w.book.rowCount() > 0, what="live data")
    aloop.run(asyncio.sleep(0.4))
    return w


@pytest.fixture
def restore_theme():
    yield
    theme.apply(QApplication.instance(), "light")


def test_a_live_theme_switch_recolours_plots_and_buttons_both_ways(window_factory, aloop,
                                                                   restore_theme):
    w = _live_window(window_factory, aloop)
    chart, form = w.views["chart"], w.views["order_entry"]
    depth = w.views["book"].depth
    seen = {}
    for mode in ("dark", "light", "dark", "light"):
        w.set_theme(mode)
        aloop.run(asyncio.sleep(0.3))
        pal = QApplication.palette()
        base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        plot = chart.plots.grab().toImage()
        vb = chart.price.getViewBox().sceneBoundingRect().toRect()
        corner = QColor(plot.pixel(vb.left() + 3, vb.top() + 3))
        assert _near(corner, base), (mode, corner.name(), base.name())       # the background
        assert _near(QColor(depth.grab().toImage().pixel(60, 6)), base)
        axis = chart.price_axis.sceneBoundingRect().toRect().intersected(plot.rect())
        assert _pixels_like(plot, axis, text) > 20, mode                       # its labels
        assert chart.price_axis.textPen().color().name() == text.name()
        # the send button, disabled on an untouched form, in the theme's disabled colours
        assert not form.send.isEnabled()
        send = QColor(form.send.grab().toImage().pixel(form.send.width() // 2, 3))
        off = pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button)
        assert _near(send, off), (mode, send.name(), off.name())
        assert send.lightness() > 20                                           # never black
        buy = QColor(form.buy.grab().toImage().pixel(form.buy.width() // 2, 3))
        assert _near(buy, theme.up_color(), 40)
        seen[mode] = corner.name()
    assert seen["dark"] != seen["light"]
    # the axes survive a resize after the switch
    w.resize(1100, 700)
    aloop.run(asyncio.sleep(0.4))
    plot = chart.plots.grab().toImage()
    axis = chart.price_axis.sceneBoundingRect().toRect().intersected(plot.rect())
    assert axis.width() > 40 and axis.height() > 60
    text = QApplication.palette().color(QPalette.ColorRole.Text)
    assert _pixels_like(plot, axis, text) > 20
    dates = chart.volume.getAxis("bottom").sceneBoundingRect().toRect().intersected(plot.rect())
    assert dates.height() > 10 and _pixels_like(plot, dates, text) > 10


def test_one_number_formatter_in_dialogs_too(window_factory, aloop, monkeypatch):
    w = _live_window(window_factory, aloop)
    w.trading.poll_seconds = 0.2
    adapter = w.session.adapters["demo"]
    aloop.run(adapter.create_order("BTC/USD", "buy", "limit", D("0.0125"), D("60000")))
    w.trading.refresh()
    orders = w.views["orders"]
    aloop.until(lambda: orders.model.rowCount() == 1, what="an open order")
    asked = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: (asked.append(box.text()),
                                                          QMessageBox.StandardButton.No)[1])
    ui(aloop, orders.table.selectRow, 0)
    ui(aloop, orders.cancel_selected)
    assert "buy 0.01250 BTC/USD at 60,000.00 on demo" in asked[0]


def _visible_rows(table) -> int:
    return table.viewport().height() // table.rowHeight(0)


def test_the_first_layout_uses_a_full_hd_screen(window_factory, aloop):
    w = _live_window(window_factory, aloop, (1920, 1080))
    w.default_sizes()
    aloop.run(asyncio.sleep(0.3))
    book = w.views["book"].table
    aloop.until(lambda: w.book.rowCount() >= 15, what="15 levels")
    assert _visible_rows(book) >= 15                             # 15+ levels in sight
    assert not book.isColumnHidden(0) and not book.isColumnHidden(5)
    board = w.views["board"].table
    header = board.horizontalHeader()
    used = sum(header.sectionSize(c) for c in range(header.count()))
    assert used <= board.viewport().width()                      # every board column
    chart = w.views["chart"]
    assert chart.plots.height() > 350 and chart.plots.width() > 700
    form = w.views["order_entry"]
    assert form.isVisible() and form.send.visibleRegion().boundingRect().height() > 10


def test_a_1024_by_640_window_still_shows_the_chart_axes(window_factory, aloop):
    w = _live_window(window_factory, aloop, (1024, 640))
    w.default_sizes()
    aloop.run(asyncio.sleep(0.4))
    chart = w.views["chart"]
    plot = chart.plots.grab().toImage()
    text = QApplication.palette().color(QPalette.ColorRole.Text)
    for axis in (chart.price_axis, chart.volume_axis, chart.volume.getAxis("bottom")):
        rect = axis.sceneBoundingRect().toRect().intersected(plot.rect())
        assert rect.width() > 10 and rect.height() > 10, axis
        assert _pixels_like(plot, rect, text, step=1) > 20, axis
    assert chart.price.getViewBox().height() > 60
    book = w.views["book"].table
    assert book.isColumnHidden(0) and _visible_rows(book) >= 8   # the totals give way
