"""The demo account across restarts of the app, and Trade → Reset demo account."""
from __future__ import annotations

import json
from decimal import Decimal

from PySide6.QtWidgets import QMessageBox

from exchanges.demo.market import STARTING_FUNDS
from gui import demo_account

D = Decimal


def _open(window_factory, aloop):
    w = window_factory()
    w.trading.poll_seconds = 0.2
    w.show()
    aloop.run(w.start(restore=False))
    # (the other demo venues open beside it: wait for the demo's own balances, every one)
    aloop.until(lambda: all(w.views["balances"].model.values(cur, "demo") is not None
                            for cur in STARTING_FUNDS), what="the demo balances")
    return w


def _free(w, cur):
    return w.views["balances"].model.values(cur, "demo")[0]


def test_the_demo_account_survives_a_restart_and_resets(window_factory, aloop, monkeypatch):
    w = _open(window_factory, aloop)
    adapter = w.session.adapters["demo"]
    aloop.run(adapter.create_order("ETH/USD", "buy", "limit", D("2"), D("1500")))
    aloop.run(adapter.create_order("BTC/USD", "sell", "market", D("0.25")))
    w.trading.refresh()
    orders = w.views["orders"]
    aloop.until(lambda: orders.model.rowCount() == 1 and _free(w, "BTC") == D("1.75"),
                what="the order and the sale in the docks")
    usd = _free(w, "USD")
    aloop.run(w.shutdown())                         # closing the app writes the account
    saved = json.loads(demo_account.path().read_text())
    assert [o["symbol"] for o in saved["orders"]] == ["BTC/USD", "ETH/USD"]

    w2 = _open(window_factory, aloop)
    orders2 = w2.views["orders"]
    aloop.until(lambda: orders2.model.rowCount() == 1, what="the open order after a restart")
    assert orders2.model.index(0, 1).data() == "ETH/USD"
    assert orders2.model.index(0, 4).data() == "1,500.00"
    aloop.until(lambda: _free(w2, "BTC") == D("1.75"), what="the balances after a restart")
    assert _free(w2, "USD") == usd
    assert w2.views["balances"].model.values("USD", "demo")[1] > D("3000")   # still held

    asked = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: (asked.append(box.text()),
                                                          QMessageBox.StandardButton.Reset)[1])
    w2.findChild(type(w2.buy_action), "reset-demo").trigger()
    assert asked and "starting funds" in asked[0]
    aloop.until(lambda: orders2.model.rowCount() == 0 and _free(w2, "BTC") == D(2),
                what="the account reset")
    assert all(_free(w2, c) == v for c, v in STARTING_FUNDS.items())
    assert json.loads(demo_account.path().read_text())["orders"] == []
    assert "Demo account reset" in w2.status.currentMessage()


def test_an_unreadable_saved_account_is_kept_aside_and_the_demo_starts_fresh(window_factory,
                                                                            aloop):
    where = demo_account.path()
    where.parent.mkdir(parents=True, exist_ok=True)
    where.write_text(json.dumps({"version": 1, "balances": {"USD": {"free": "many",
                                                                     "used": "0"}}}))
    w = _open(window_factory, aloop)
    assert _free(w, "USD") == D(100_000)
    assert where.with_name(where.name + ".unreadable").exists()
    assert "could not be read" in w.views["log"].toPlainText()        # said, in the log
