"""Render the trading docks with real content (orders, holds, alerts) for review."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QApplication

from gui import theme

from .conftest import save_screenshots
from .test_trading import fill, ui

DOCKS = ("order_entry", "orders", "balances", "watchlist")


@pytest.mark.parametrize("mode", ["dark", "light"])
def test_render_trading_docks(window_factory, aloop, qtbot, mode):
    app = QApplication.instance()
    theme.apply(app, mode)
    try:
        w = window_factory()
        w.trading.poll_seconds = 0.2
        w.resize(1680, 1000)
        w.show()
        aloop.run(w.start(restore=False))
        form, orders = w.views["order_entry"], w.views["orders"]
        aloop.until(lambda: form.market() is not None, what="the form")
        adapter = w.session.adapters["demo"]
        for sym, side, amount, price in (("BTC/USD", "buy", "0.05", "60000"),
                                         ("ETH/USD", "sell", "1.5", "3400"),
                                         ("SOL/USD", "buy", "20", "120.5")):
            aloop.run(adapter.create_order(sym, side, "limit", Decimal(amount), Decimal(price)))
        w.trading.refresh()
        aloop.until(lambda: orders.model.rowCount() == 3, what="three open orders")
        view = w.views["watchlist"]
        for pair, kind, value in (("BTC/USD@demo", "above", "70000"),
                                  ("ETH/USD@demo", "move", "2"), ("DOGE/USD@demo", "below",
                                                                  "0.1")):
            view.pair.setText(pair)
            ui(aloop, view.add_current)
            view.kind.setCurrentIndex(view.kind.findData(kind))
            view.value.setText(value)
            ui(aloop, view.add_alert)
        ui(aloop, form.set_target, "demo", "BTC/USD")
        fill(aloop, qtbot, form, "61000.00", "0.0123")
        aloop.until(lambda: form.ready is not None, what="a checked order in the form")
        aloop.run(asyncio.sleep(0.6))
        shots = {}
        for name in DOCKS:
            w.docks[name].raise_()
            aloop.run(asyncio.sleep(0.1))
            shots[name] = w.docks[name].grab()
        w.docks["order_entry"].raise_()
        aloop.run(asyncio.sleep(0.1))
        shots["trading-window"] = w.grab()
        save_screenshots(shots, mode)
    finally:
        theme.apply(app, "light")
