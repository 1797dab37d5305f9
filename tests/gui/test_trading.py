"""Order entry, open orders and balances on the real demo venue, driven through the widgets."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from exchanges import Balance, Order, OrderStatusUnknown
from gui.models.balances import BalanceModel
from gui.models.orders import OrdersModel
from gui.trading import UNKNOWN

D = Decimal


@pytest.fixture
def demo(window_factory, aloop):
    """A shown main window on the demo with fast account polling; the form on BTC/USD with
    its market price known (the distance check measures against it)."""
    w = window_factory()
    w.trading.poll_seconds = 0.2
    w.show()
    aloop.run(w.start(restore=False, venues=["demo"]))
    form = w.views["order_entry"]
    aloop.until(lambda: form.market() is not None and w.views["balances"].model.rowCount() == 5,
                what="the form's market and the demo balances")
    ui(aloop, form.set_target, "demo", "BTC/USD")
    aloop.until(lambda: form.reference()[0] is not None, what="BTC/USD's price on the form")
    return w


@pytest.fixture
def answers(monkeypatch):
    """Every QMessageBox.exec answers Yes; the texts asked are recorded."""
    asked: list[str] = []

    def exec_(box):
        asked.append(box.text())
        return QMessageBox.StandardButton.Yes
    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked


def ui(aloop, fn, *args):
    """Run a user action inside the running qasync loop (as in the app): the tasks it starts
    then step on the loop, never inside a bare Qt event pass between test lines."""
    done = aloop.loop.create_future()

    def act():
        try:
            done.set_result(fn(*args))
        except Exception as exc:
            done.set_exception(exc)
    aloop.loop.call_soon(act)
    return aloop.run(asyncio.wait_for(done, 10))


def fill(aloop, qtbot, form, price: str, amount: str) -> None:
    def type_in():
        for edit, text in ((form.price, price), (form.amount, amount)):
            edit.clear()
            qtbot.keyClicks(edit, text)
    ui(aloop, type_in)


def click(aloop, qtbot, button) -> None:
    ui(aloop, qtbot.mouseClick, button, Qt.MouseButton.LeftButton)


def used(w, currency: str) -> Decimal | None:
    values = w.views["balances"].model.values(currency, "demo")
    return values[1] if values else None


def test_limit_order_through_the_form_holds_funds_until_cancelled(demo, aloop, qtbot, answers):
    w, form = demo, demo.views["order_entry"]
    assert used(w, "USD") == 0
    fill(aloop, qtbot, form, "43000.00", "0.01")
    aloop.until(lambda: form.ready is not None, what="the adapter's check of the order")
    assert form.total.text() == "430.00"
    assert "Will send: Buy 0.01000 BTC at 43,000.00 USD limit on Demo venue" in \
        form.preview.text()
    click(aloop, qtbot, form.send)
    first, distance = answers[0].splitlines()
    assert first == "Buy 0.01000 BTC at 43,000.00 USD limit on Demo venue — total 430.00 USD"
    assert distance.startswith("Price ") and "below the mid" in distance   # far: 43k vs ~64k

    orders = w.views["orders"]
    aloop.until(lambda: orders.model.rowCount() == 1, what="the order in open orders")
    row = [orders.model.index(0, c).data() for c in range(10)]
    assert row[:8] == ["demo", "BTC/USD", "buy", "limit", "43,000.00", "0.01000", "0.00000",
                       "open"]
    assert row[9].startswith("demo")                      # the client id
    # 430 USD held for the order (plus the demo's taker-fee headroom)
    aloop.until(lambda: used(w, "USD") >= D("430"), what="funds held for the order")
    assert used(w, "USD") < D("432")
    assert "placed" in form.status.text()

    ui(aloop, orders.table.selectRow, 0)
    click(aloop, qtbot, orders.cancel_button)
    assert answers[-1].startswith("Cancel 1 order(s)?")
    aloop.until(lambda: orders.model.rowCount() == 0, what="the order cancelled")
    aloop.until(lambda: used(w, "USD") == 0, what="the funds back")


def test_cancel_all_asks_first_and_a_no_cancels_nothing(demo, aloop, qtbot, monkeypatch):
    w, form = demo, demo.views["order_entry"]
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Yes)
    orders = w.views["orders"]
    for n, price in enumerate(("43000.00", "42000.00"), 1):
        fill(aloop, qtbot, form, price, "0.01")
        aloop.until(lambda: form.ready is not None and form.ready.price == D(price),
                    what="checked")
        ui(aloop, form.submit)
        aloop.until(lambda: orders.model.rowCount() == n, what=f"{n} open order(s)")
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.No)
    ui(aloop, orders.cancel_all)
    aloop.run(asyncio.sleep(0.3))
    assert orders.model.rowCount() == 2
    monkeypatch.setattr(QMessageBox, "exec", lambda box: QMessageBox.StandardButton.Yes)
    ui(aloop, orders.cancel_all)
    aloop.until(lambda: orders.model.rowCount() == 0, what="all cancelled")


@pytest.mark.parametrize("amount, words", [
    ("abc", "must be a number"),
    ("0", "greater than zero"),
    ("0.00005", "below the minimum 0.0001 BTC"),
    ("0.000015", "not a multiple of 0.00001 BTC"),
])
def test_a_bad_amount_is_shown_inline_and_nothing_is_sent(demo, aloop, qtbot, answers, amount,
                                                         words):
    form = demo.views["order_entry"]
    adapter = demo.session.adapters["demo"]
    calls = []

    async def spy(*args, **kwargs):
        calls.append(args)
    adapter.create_order = spy
    fill(aloop, qtbot, form, "43000.00", amount)
    aloop.until(lambda: "amount" in form.problems, what="the error in its fixed place")
    assert words in form.problems["amount"] and words in form.messages.text()
    assert form.ready is None and not form.send.isEnabled()
    ui(aloop, form.submit)              # even a forced click sends nothing
    click(aloop, qtbot, form.send)
    aloop.run(asyncio.sleep(0.1))
    assert calls == [] and answers == []
    assert "Nothing sent" in form.status.text()


def test_total_and_amount_follow_each_other_at_the_increments(demo, aloop, qtbot):
    form = demo.views["order_entry"]
    # as the other form tests: the market and the balance first (in one full-suite run the
    # form's total was empty at the end, as if they had arrived while the test typed)
    aloop.until(lambda: form.reference()[0] is not None and form.free("USD") is not None,
                what="the form's market and free balance")
    ui(aloop, form.price.clear)
    ui(aloop, qtbot.keyClicks, form.price, "43000.00")
    ui(aloop, qtbot.keyClicks, form.total, "1000")
    assert form.amount.text() == "0.02325"              # floored: never more than the total
    aloop.until(lambda: form.ready is not None, what="checked")
    assert form.ready.amount == D("0.02325")
    ui(aloop, form.amount.clear)
    ui(aloop, qtbot.keyClicks, form.amount, "0.02")
    assert form.total.text() == "860.00"


def test_a_lost_reply_shows_unknown_checking_then_the_order(demo, aloop, qtbot, answers):
    w, form = demo, demo.views["order_entry"]
    adapter = w.session.adapters["demo"]
    real = adapter.create_order

    async def lost_reply(symbol, side, type, amount, price=None, *, client_order_id=None):
        await real(symbol, side, type, amount, price, client_order_id="lost-reply-1")
        raise OrderStatusUnknown("demo", "the reply was lost", client_order_id="lost-reply-1")
    adapter.create_order = lost_reply
    orders = w.views["orders"]
    shown = []
    w.trading.unknown.connect(lambda venue, o: shown.append((venue, o.client_order_id,
                                                             o.status)))
    said = []
    form.status.setText = lambda text, f=form.status.setText: (said.append(text), f(text))
    fill(aloop, qtbot, form, "43000.00", "0.01")
    aloop.until(lambda: form.ready is not None, what="checked")
    ui(aloop, form.submit)
    aloop.until(lambda: any("is known: open" in t for t in said), what="the order looked up")
    assert shown == [("demo", "lost-reply-1", UNKNOWN)]         # a row, never "failed"
    lost = next(t for t in said if "reply lost" in t)
    assert UNKNOWN in lost and "do not send it again" in lost
    assert not any("failed" in t or "not placed" in t for t in said)
    # Looked up by its client id: the venue knows it, the row becomes the real open order.
    aloop.until(lambda: [orders.model.index(r, 7).data()
                         for r in range(orders.model.rowCount())] == ["open"],
                what="the order resolved")
    assert orders.model.index(0, 9).data() == "lost-reply-1"


def _balances(**kw) -> dict:
    return {c: Balance(D(f), D(u), D(f) + D(u)) for c, (f, u) in kw.items()}


def test_balance_tree_sums_venues_exactly_and_signals_only_changed_cells(qtmodeltester):
    m = BalanceModel()
    m.set_balances("demo", _balances(BTC=("1.5", "0.25"), USD=("100", "0")))
    m.set_balances("kraken", _balances(BTC=("0.00000001", "0")))
    qtmodeltester.check(m)
    btc = m.index(0, 0)
    assert btc.data() == "BTC" and m.rowCount(btc) == 2
    assert [m.index(0, c).data() for c in (1, 2, 3)] == \
        ["1.50000001", "0.25000000", "1.75000001"]
    assert m.index(1, 3, btc).data() == "0.00000001"        # kraken row, exact digits
    changes = []
    m.dataChanged.connect(lambda a, b, roles=(): changes.append(
        (a.parent().row(), a.row(), a.column(), b.column())))
    m.set_balances("demo", _balances(BTC=("1.4", "0.35"), USD=("100", "0")))
    # The demo row's free and used (not total), then the BTC row; USD untouched.
    assert changes == [(0, 0, 1, 2), (-1, 0, 1, 3)]
    m.remove_venue("demo")
    assert [m.index(r, 0).data() for r in range(m.rowCount())] == ["BTC"]
    qtmodeltester.check(m)


def test_orders_model_passes_modeltester_and_keeps_unknown_rows():
    from pytestqt.modeltest import ModelTester
    m = OrdersModel()
    o = Order("1", "c1", "BTC/USD", "buy", "limit", D("43000"), D("0.01"), D("0"), D("0.01"),
              "open", 1_700_000_000_000)
    m.set_orders("demo", [o])
    m.add_unknown("demo", Order("", "c2", "BTC/USD", "sell", "limit", D("70000"), D("0.01"),
                                D(0), D("0.01"), UNKNOWN, None))
    ModelTester(None).check(m)
    m.set_orders("demo", [o])       # a poll that does not list c2 yet keeps it as unknown
    assert m.rowCount() == 2
    m.set_orders("demo", [o, Order("2", "c2", "BTC/USD", "sell", "limit", D("70000"),
                                   D("0.01"), D(0), D("0.01"), "open", 1)])
    assert [m.index(r, 9).data() for r in range(m.rowCount())] == ["c1", "c2"]
    assert m.index(1, 7).data() == "open"


def test_balances_follow_their_assets_places_with_separators(demo, aloop):
    m = demo.views["balances"].model
    aloop.until(lambda: m.asset_places.get("BTC") == 5, what="the markets' places")
    rows = {m.index(r, 0).data(): [m.index(r, c).data() for c in (1, 2, 3)]
            for r in range(m.rowCount())}
    assert rows["USD"] == ["100,000.00", "0.00", "100,000.00"]
    assert rows["BTC"] == ["2.00000", "0.00000", "2.00000"]
    assert rows["DOGE"] == ["50,000", "0", "50,000"]
    # a value with more digits than its asset shows is cut (never rounded up), exact in the tip
    m.set_balances("demo", _balances(USD=("99999.999", "0"), BTC=("2", "0")))
    usd = m.index(next(r for r in range(m.rowCount()) if m.index(r, 0).data() == "USD"), 1)
    assert usd.data() == "99,999.99"
    assert usd.data(Qt.ItemDataRole.ToolTipRole) == "exactly 99,999.999 USD"
