"""The order form as a trader uses it: safe (locale numbers, distance, balance, a form that
stays put) and fast (clicks from the book and tape, Enter, hotkeys, shares of the balance)."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from PySide6.QtCore import QEvent, QLocale, QObject, Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from gui import format as fmt
from gui.models.book import OWN_ROLE
from gui.orderform import parse

from .test_trading import answers, click, demo, fill, ui  # noqa: F401  (fixtures)

D = Decimal


@pytest.fixture
def german():
    """The form reads and shows numbers the German way for one test."""
    QLocale.setDefault(QLocale("de_DE"))
    fmt.use_locale()
    yield
    QLocale.setDefault(QLocale.c())
    fmt.use_locale()


def ticker(w, symbol="BTC/USD"):
    return w.views["order_entry"]._tickers.get(("demo", symbol))


def wait_market(w, aloop, form):
    aloop.until(lambda: ticker(w) is not None and form.free("USD") is not None,
                what="a ticker and the free balance in the form")


def type_in(aloop, qtbot, edit, text):
    def go():
        edit.clear()
        qtbot.keyClicks(edit, text)
    ui(aloop, go)


# -- safe ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, seps, value", [
    ("3100.5", (".", ","), "3100.5"), ("3,100.50", (".", ","), "3100.50"),
    ("1,234,567", (".", ","), "1234567"), ("3100,5", (",", "."), "3100.5"),
    ("3.100,50", (",", "."), "3100.50"), ("3 100,5", (",", "\u202f"), "3100.5"),
])
def test_numbers_are_read_in_the_locale(text, seps, value):
    assert parse(text, "the price", seps) == D(value)


@pytest.mark.parametrize("text, seps, words", [
    ("3100,5", (".", ","), "ambiguous (3100.5?)"),            # the 10× buy
    ("3,100", (".", ","), "(3100 or 3.1?)"),
    ("3.100", (",", "."), "(3100 or 3,1?)"),
    ("3100.5", (",", "\u202f"), "'.' is not used"),
    ("3.100,50", (".", ","), "a group separator after the decimal separator"),
])
def test_ambiguous_numbers_are_refused_with_the_reason(text, seps, words):
    with pytest.raises(ValueError, match="ambiguous|separator") as err:
        parse(text, "the price", seps)
    assert words in str(err.value)


def test_a_decimal_comma_in_an_english_form_is_refused_and_nothing_is_sent(demo, aloop, qtbot,
                                                                          answers):
    form = demo.views["order_entry"]
    fill(aloop, qtbot, form, "3100,5", "0.01")
    assert "ambiguous" in form.problems["price"]
    assert "3100.5" in form.messages.text()                    # what to type instead
    assert form.ready is None and not form.send.isEnabled()
    ui(aloop, qtbot.keyClick, form.price, Qt.Key.Key_Return)
    assert answers == [] and "Nothing sent" in form.status.text()


def test_a_german_form_reads_the_decimal_comma(demo, aloop, qtbot, answers, german):
    w, form = demo, demo.views["order_entry"]
    wait_market(w, aloop, form)
    fill(aloop, qtbot, form, "61000,5", "0,02")
    aloop.until(lambda: form.ready is not None, what="the check")
    assert form.ready.price == D("61000.5") and form.ready.amount == D("0.02")
    assert form.total.text() == "1.220,01"                      # the total in German too
    assert "61.000,50" in form.preview.text()


def test_far_from_the_market_warns_and_the_confirmation_says_how_far(demo, aloop, qtbot,
                                                                     monkeypatch):
    w, form = demo, demo.views["order_entry"]
    wait_market(w, aloop, form)
    boxes = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: (boxes.append(
        (box.text(), box.icon(), box.windowTitle())), QMessageBox.StandardButton.Cancel)[1])
    mid = form.reference()[0]
    far = (mid * D("1.2")).quantize(D("0.01"))                 # 20 % above the market
    fill(aloop, qtbot, form, str(far), "0.001")
    aloop.until(lambda: form.ready is not None, what="the check")
    assert form.send.isEnabled()                               # a warning, not a refusal
    assert any("above the mid" in x and "(over your 5.0 %)" in x for x in form.warnings)
    assert "⚠" in form.messages.text()
    ui(aloop, form.submit)
    text, icon, title = boxes[-1]
    assert "Price 2" in text and "above the mid" in text and "beyond your 5.0 % warning" in text
    assert icon == QMessageBox.Icon.Warning and "far from the market" in title
    assert "not sent" in form.status.text()
    # The trader sets the limit (Trade → Price warning…): 25 % makes the same order near.
    monkeypatch.setattr(QInputDialog, "getDouble", lambda *a, **k: (25.0, True))
    ui(aloop, w.findChild(type(w.buy_action), "far-percent").trigger)
    assert w.settings.far_percent() == D("25.0") and form.warnings == []
    ui(aloop, form.submit)
    text, icon, _title = boxes[-1]
    assert "above the mid" in text and "beyond" not in text
    assert icon == QMessageBox.Icon.Question


def test_the_balance_is_checked_with_the_fee_before_any_confirmation(demo, aloop, qtbot,
                                                                     answers):
    w, form = demo, demo.views["order_entry"]
    wait_market(w, aloop, form)
    free = form.free("USD")
    assert free == D(100_000)
    w.set_far_percent(D(50))
    # 2 BTC at 50,000 is exactly the free 100,000 USD: the 0.1 % taker fee makes it too much.
    fill(aloop, qtbot, form, "50000.00", "2")
    aloop.until(lambda: "form" in form.problems, what="the balance check")
    assert form.problems["form"] == ("Not enough USD: needs 100,100.00 with the 0.10 % fee, "
                                     "100,000.00 free")
    assert not form.send.isEnabled()
    ui(aloop, form.submit)
    assert answers == [] and "Not enough USD" in form.status.text()
    fill(aloop, qtbot, form, "50000.00", "1.998")             # 99,999.90 with the fee
    aloop.until(lambda: form.ready is not None and form.send.isEnabled(), what="fits")
    assert "form" not in form.problems
    # Selling more than the free BTC is refused the same way.
    ui(aloop, form.sell.click)
    fill(aloop, qtbot, form, "70000.00", "3")
    aloop.until(lambda: "form" in form.problems, what="the base check")
    assert form.problems["form"].startswith("Not enough BTC: needs 3.00000, 2.00000 free")


class EnabledChanges(QObject):
    def __init__(self, widget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.EnabledChange:
            self.count += 1
        return False


def test_an_untouched_form_shows_no_error_and_the_form_never_moves(demo, aloop, qtbot):
    w, form = demo, demo.views["order_entry"]
    wait_market(w, aloop, form)
    assert form.problems == {} and form.warnings == [] and form.messages.text() == ""
    assert form.price.text() == "" and not form.send.isEnabled()

    def places():
        return [e.mapTo(form, e.rect().topLeft()) for e in
                (form.price, form.amount, form.total, form.send)]
    before = places()
    fill(aloop, qtbot, form, "abc", "-1")                     # two errors at once
    assert {"price", "amount"} <= set(form.problems)
    assert places() == before
    assert form.labels["price"].styleSheet().startswith("color:")   # the label says where
    fill(aloop, qtbot, form, str((form.reference()[0] * D("0.5")).quantize(D("0.01"))), "0.01")
    aloop.until(lambda: form.ready is not None, what="a far but valid order")
    assert form.warnings and places() == before
    fill(aloop, qtbot, form, "", "")
    assert places() == before


def test_the_send_button_holds_still_while_a_market_order_reprices(demo, aloop, qtbot):
    w, form = demo, demo.views["order_entry"]
    wait_market(w, aloop, form)
    ui(aloop, form.type.setCurrentIndex, form.type.findData("market"))
    type_in(aloop, qtbot, form.amount, "0.01")
    aloop.until(lambda: form.send.isEnabled(), what="a checked market order")
    changes = EnabledChanges(form.send)
    totals = set()
    ticks = []
    w.session.tickers.connect(lambda batch: ticks.append(1))
    for _ in range(30):
        aloop.run(asyncio.sleep(0.05))
        totals.add(form.total.text())
    assert len(ticks) >= 4 and len(totals) >= 2                # the reference really moved
    assert changes.count == 0 and form.send.isEnabled()


# -- fast ----------------------------------------------------------------------------------------
def _click_cell(aloop, qtbot, table, row, column, model):
    """Click a cell and return the value it held at the click. Read in the same loop step: the
    16 ms frame may move the book before the test's next line."""
    def click():
        rect = table.visualRect(table.model().index(row, column))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                         Qt.KeyboardModifier.NoModifier, rect.center())
        return model.value_at(row, column)[1]
    return ui(aloop, click)


def test_clicks_in_the_book_and_the_tape_fill_the_form(demo, aloop, qtbot):
    w, form = demo, demo.views["order_entry"]
    aloop.until(lambda: w.book.rowCount() > 3 and w.trades.rowCount() > 0, what="book, tape")
    book = w.views["book"].table
    w.resizeDocks([w.docks["book"]], [560], Qt.Orientation.Horizontal)   # every column shown
    aloop.until(lambda: not book.isColumnHidden(5), what="the totals column")
    w.docks["balances"].raise_()                              # the form hidden behind a tab
    ask = _click_cell(aloop, qtbot, book, 2, 3, w.book)       # the third ask
    assert parse(form.price.text(), "p") == ask and form.price.text() == fmt.entry(ask, 2)
    assert form.isVisible()                                   # its dock came to the front
    size = _click_cell(aloop, qtbot, book, 1, 1, w.book)      # a bid's size
    assert parse(form.amount.text(), "a") == size
    summed = _click_cell(aloop, qtbot, book, 3, 5, w.book)    # the asks summed down to row 3
    assert parse(form.amount.text(), "a") == summed
    tape = w.views["trades"]
    price = _click_cell(aloop, qtbot, tape, 0, 1, w.trades)
    assert parse(form.price.text(), "p") == price
    amount = _click_cell(aloop, qtbot, tape, 0, 2, w.trades)
    assert parse(form.amount.text(), "a") == amount
    assert form.driver == "amount" and {"price", "amount"} <= form._touched


def test_enter_submits_after_the_check(demo, aloop, qtbot, answers):
    w, form = demo, demo.views["order_entry"]
    wait_market(w, aloop, form)
    fill(aloop, qtbot, form, str((form.reference()[0] * D("0.99")).quantize(D("0.01"))), "0.01")
    aloop.until(lambda: form.ready is not None, what="the check")
    ui(aloop, qtbot.keyClick, form.amount, Qt.Key.Key_Return)
    assert len(answers) == 1 and answers[0].startswith("Buy 0.01000 BTC at")
    orders = w.views["orders"]
    aloop.until(lambda: orders.model.rowCount() == 1, what="the order placed")


def test_share_buttons_use_the_free_balance_fee_included(demo, aloop, qtbot):
    w, form = demo, demo.views["order_entry"]
    wait_market(w, aloop, form)
    ui(aloop, form.sell.click)
    ui(aloop, qtbot.mouseClick, form.share_buttons[1], Qt.MouseButton.LeftButton)   # 50 %
    assert D(form.amount.text()) == D("1.00000")             # half of the 2 free BTC
    ui(aloop, form.buy.click)
    type_in(aloop, qtbot, form.price, "50000.00")
    ui(aloop, qtbot.mouseClick, form.share_buttons[3], Qt.MouseButton.LeftButton)   # 100 %
    amount = D(form.amount.text())
    assert amount * D(50000) * D("1.001") <= D(100_000)
    assert (amount + D("0.00001")) * D(50000) * D("1.001") > D(100_000)
    aloop.until(lambda: form.ready is not None, what="the check")
    assert "form" not in form.problems                         # 100 % fits, fee included


def test_hotkeys_and_the_shortcuts_sheet(demo, aloop, qtbot, monkeypatch):
    w, form = demo, demo.views["order_entry"]
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=3000)
    w.docks["balances"].raise_()
    ui(aloop, qtbot.keyClick, w, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.side() == "sell" and form.isVisible() and form.price.hasFocus()
    ui(aloop, qtbot.keyClick, form.price, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert form.side() == "buy"
    # Delete in the open orders table cancels the selection, after asking.
    asked = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: (asked.append(box.text()),
                                                          QMessageBox.StandardButton.No)[1])
    adapter = w.session.adapters["demo"]
    aloop.run(adapter.create_order("BTC/USD", "buy", "limit", D("0.01"), D("40000")))
    w.trading.refresh()
    orders = w.views["orders"]
    aloop.until(lambda: orders.model.rowCount() == 1, what="an open order")
    w.show_dock("orders")
    ui(aloop, orders.table.selectRow, 0)
    orders.table.setFocus()
    ui(aloop, qtbot.keyClick, orders.table, Qt.Key.Key_Delete)
    assert asked and asked[-1].startswith("Cancel 1 order(s)?")
    ui(aloop, qtbot.keyClick, orders.table, Qt.Key.Key_Delete,
       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert asked[-1].startswith("Cancel all 1 open order(s)")
    # Every one of them is on the sheet.
    ui(aloop, w.findChild(type(w.buy_action), "shortcuts").trigger)
    from gui.shortcuts import ShortcutsDialog
    sheet = w.findChild(ShortcutsDialog)
    rows = dict(sheet.rows())
    for keys in ("Ctrl+B", "Ctrl+S", "Del", "Ctrl+Shift+Del", "Enter", "Ctrl+7", "F1"):
        assert keys in rows, keys
    assert "Buy" in rows["Ctrl+B"] and "cancel" in rows["Del"].lower()
    sheet.close()


def test_ctrl_digit_never_hides_the_form_being_typed_in(demo, aloop, qtbot):
    w, form = demo, demo.views["order_entry"]
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=3000)
    w.show_dock("order_entry")
    form.price.setFocus()
    qtbot.waitUntil(form.price.hasFocus, timeout=2000)
    ctrl = Qt.KeyboardModifier.ControlModifier
    ui(aloop, qtbot.keyClick, form.price, Qt.Key.Key_7, ctrl)        # its own toggle
    assert form.isVisible() and not w.docks["order_entry"].isHidden()
    ui(aloop, qtbot.keyClick, form.price, Qt.Key.Key_9, ctrl)        # its tab partner
    assert form.isVisible() and form.price.hasFocus()
    assert "keeps the keyboard" in w.status.currentMessage()
    # Not typing in it: Ctrl+7 hides it, and shows it again.
    w.views["board"].table.setFocus()
    ui(aloop, qtbot.keyClick, w.views["board"].table, Qt.Key.Key_7, ctrl)
    assert w.docks["order_entry"].isHidden()
    ui(aloop, qtbot.keyClick, w.views["board"].table, Qt.Key.Key_7, ctrl)
    assert form.isVisible()


def test_post_only_and_time_in_force_reach_the_venue(demo, aloop, qtbot, answers):
    w, form = demo, demo.views["order_entry"]
    wait_market(w, aloop, form)
    assert not form.post_only.isHidden() and not form.tif.isHidden()
    assert [form.tif.itemText(i) for i in range(form.tif.count())] == [
        "Default", "GTC", "IOC", "FOK"]
    assert form.type.findData("stop-limit") < 0               # the demo has no stop orders
    sent = []
    adapter = w.session.adapters["demo"]
    real = adapter.create_order

    async def spy(*args, **kwargs):
        sent.append(kwargs)
        return await real(*args, **kwargs)
    adapter.create_order = spy
    aloop.until(lambda: w.book.rowCount() > 0, what="the book")
    bid = w.book.value_at(0, 2)[1]
    fill(aloop, qtbot, form, str(bid - D("50")), "0.01")
    ui(aloop, form.post_only.setChecked, True)
    ui(aloop, form.tif.setCurrentIndex, form.tif.findData("GTC"))
    aloop.until(lambda: form.ready is not None and form.ready.post_only, what="the check")
    assert "(post-only, GTC)" in form.preview.text()
    ui(aloop, form.submit)
    aloop.until(lambda: sent, what="the order sent")
    # the options, beside the client id the ledger knows the order by before it leaves
    assert [{k: v for k, v in s.items() if k != "client_order_id"} for s in sent] == [
        {"post_only": True, "time_in_force": "GTC"}]
    assert sent[0]["client_order_id"].startswith("demo")


def test_stop_limit_where_the_venue_has_it(demo, aloop, qtbot, answers):
    w, form = demo, demo.views["order_entry"]
    wait_market(w, aloop, form)
    adapter = w.session.adapters["demo"]
    adapter.has = {**adapter.has, "stop_price": True}         # a venue with stop orders
    sent = []

    async def create_order(*args, **kwargs):
        sent.append((args, kwargs))
        raise __import__("exchanges").InvalidOrder("demo", "recorded, not placed")
    adapter.create_order = create_order
    ui(aloop, form._fill_symbols)
    ui(aloop, form.type.setCurrentIndex, form.type.findData("stop-limit"))
    assert not form.stop.isHidden()
    mid = form.reference()[0]
    type_in(aloop, qtbot, form.stop, str((mid * D("0.98")).quantize(D("0.01"))))
    fill(aloop, qtbot, form, str((mid * D("0.979")).quantize(D("0.01"))), "0.01")
    aloop.until(lambda: form.ready is not None, what="the check")
    assert "stop-limit when the price reaches" in form.preview.text()
    ui(aloop, form.submit)
    aloop.until(lambda: sent, what="the order sent")
    assert sent[0][1]["stop_price"] == (mid * D("0.98")).quantize(D("0.01"))
    assert "Stop price 2.00 % below" in answers[-1]


def test_open_orders_are_marked_in_the_ladder(demo, aloop, qtbot):
    w = demo
    adapter = w.session.adapters["demo"]
    adapter.interval = 3600                                   # hold the market still
    aloop.until(lambda: w.book.rowCount() > 3, what="the book")
    bid = w.book.value_at(2, 2)[1]
    aloop.run(adapter.create_order("BTC/USD", "buy", "limit", D("0.01"), bid))
    w.trading.refresh()
    aloop.until(lambda: any(w.book.index(r, 2).data(OWN_ROLE) for r in range(w.book.rowCount())),
                what="the own order marked")
    row = next(r for r in range(w.book.rowCount()) if w.book.index(r, 2).data(OWN_ROLE))
    assert w.book.value_at(row, 2)[1] == bid
    assert w.book.index(row, 2).data(OWN_ROLE) == D("0.01")
    assert "Your open buy order" in w.book.index(row, 2).data(Qt.ItemDataRole.ToolTipRole)
    assert w.book.index(row, 3).data(OWN_ROLE) is None
