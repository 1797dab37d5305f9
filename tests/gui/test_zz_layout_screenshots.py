"""Render the views this work changed, in both themes, at 1024×640 and 1920×1080 (the
maximised first start is test_zz_maximised_screenshots), for review:

    <mode>-<size>-window       the whole window in its first-start layout
    <mode>-<size>-order_entry  the form with an error and a warning in their fixed places
    <mode>-<size>-chart        crosshair and readout, last-price tag, open orders as lines
    <mode>-<size>-book         the ladder with the trader's own orders marked
    <mode>-<size>-exchanges    the tree filtered by country, the demo live at the top
    <mode>-confirmation        the confirmation of an order far from the market
    <mode>-shortcuts           Help → Keyboard shortcuts

Each image is checked to be non-blank; the layouts' own checks are in test_polish.py.
"""
from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from gui import theme
from gui.shortcuts import ShortcutsDialog

from .conftest import save_screenshots
from .test_trading import fill, ui

D = Decimal


@pytest.mark.parametrize("size", [(1024, 640), (1920, 1080)])
@pytest.mark.parametrize("mode", ["dark", "light"])
def test_render_changed_views(window_factory, aloop, qtbot, mode, size):
    app = QApplication.instance()
    theme.apply(app, mode)
    try:
        w = window_factory()
        w.trading.poll_seconds = 0.2
        w.resize(*size)
        w.show()
        aloop.run(w.start(restore=False))
        chart, form = w.views["chart"], w.views["order_entry"]
        aloop.until(lambda: chart.loaded and w.book.rowCount() >= 15 and form.market()
                    and form.free("USD") is not None, timeout=15, what="live data")
        adapter = w.session.adapters["demo"]
        t = aloop.run(adapter.fetch_ticker("BTC/USD"))
        aloop.run(adapter.create_order("BTC/USD", "buy", "limit", D("0.05"),
                                       (t.bid * D("0.9993")).quantize(D("0.01"))))
        aloop.run(adapter.create_order("BTC/USD", "sell", "limit", D("0.02"),
                                       (t.ask * D("1.002")).quantize(D("0.01"))))
        w.trading.refresh()
        aloop.until(lambda: len(w.open_orders.get("demo", [])) == 2, what="two orders")
        aloop.run(asyncio.sleep(1.0))
        suffix = f"{size[0]}x{size[1]}"
        shots = {f"{suffix}-window": w.grab()}
        row = chart.history[-25]
        chart.hover(chart.price.getViewBox().mapViewToScene(QPointF(row[0], row[2])))
        aloop.run(asyncio.sleep(0.3))
        shots[f"{suffix}-chart"] = w.docks["chart"].grab()
        shots[f"{suffix}-book"] = w.docks["book"].grab()
        # an ambiguous price, then a valid one far from the market with too big an amount
        fill(aloop, qtbot, form, "64250,5", "0.5")
        shots[f"{suffix}-order_entry-error"] = w.docks["order_entry"].grab()
        far = (form.reference()[0] * D("1.12")).quantize(D("0.01"))
        fill(aloop, qtbot, form, str(far), "2")
        aloop.until(lambda: "form" in form.problems and form.warnings, what="two messages")
        shots[f"{suffix}-order_entry"] = w.docks["order_entry"].grab()
        exchanges = w.views["exchanges"]
        exchanges.filter.setText("japan")
        aloop.run(asyncio.sleep(0.2))
        shots[f"{suffix}-exchanges-japan"] = w.docks["exchanges"].grab()
        exchanges.filter.setText("")
        if size == (1920, 1080):
            fill(aloop, qtbot, form, str(far), "0.01")
            aloop.until(lambda: form.ready is not None, what="a checked order")
            box = form.confirm_box(*form.confirmation(form.ready))
            box.show()
            aloop.run(asyncio.sleep(0.2))
            shots["confirmation"] = box.grab()
            box.close()
            sheet = ShortcutsDialog(w.shortcuts(), w)
            sheet.show()
            aloop.run(asyncio.sleep(0.2))
            shots["shortcuts"] = sheet.grab()
            sheet.close()
        save_screenshots(shots, mode)
    finally:
        theme.apply(app, "light")
