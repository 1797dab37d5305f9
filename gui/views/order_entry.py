"""Order entry: venue, symbol, side, type, price, amount ⇄ total; checked, previewed, confirmed.

Typing updates a `Draft` at once (bad numbers are flagged inline); then the adapter's own
`check_order` runs on the draft (increments, minimums: the venue's rules, not a copy of them).
Only a draft that passed is offered for sending; the confirmation states exactly what goes to
`create_order`. Results and errors land in the status line and the log.
"""
from __future__ import annotations

import logging
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QGridLayout, QHBoxLayout, QLabel,
                               QLineEdit, QMessageBox, QPushButton, QSizePolicy, QVBoxLayout,
                               QWidget)

from exchanges import ExchangeError, InvalidOrder

from .. import format as fmt
from .. import theme
from ..orderform import Draft, draft
from ..trading import UNKNOWN, OrderRequest, exact

__all__ = ["OrderEntry", "build"]

log = logging.getLogger("gui.orders")


def _field_of(reason: str) -> str:
    """Which field an adapter's InvalidOrder message is about."""
    low = reason.lower()
    if "the price" in low:
        return "price"
    if "value" in low or "total" in low or "cost" in low:
        return "total"
    return "amount"


class OrderEntry(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window_ = window
        self.trading = window.trading
        self.session = window.session
        self.driver = "amount"          # amount or total: the field typed last
        self.ready: OrderRequest | None = None   # the checked order the Send button sends
        self.last_confirmation = ""
        self._generation = 0
        self._last: dict[tuple[str, str], Decimal] = {}
        self._free: dict[str, dict] = {}
        self._filling = False
        self._build()
        s = self.session
        s.venue_opened.connect(lambda _v: self._fill_venues())
        s.venue_closed.connect(lambda _v: self._fill_venues())
        s.markets_loaded.connect(self._on_markets)
        s.selected.connect(self._on_selected)
        s.tickers.connect(self._on_tickers)
        self.trading.balances.connect(self._on_balances)
        self.trading.message.connect(self.say)
        self._fill_venues()

    # -- layout -------------------------------------------------------------------------------------
    def _build(self) -> None:
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.venue = QComboBox()
        self.symbol = QComboBox()
        self.venue.currentIndexChanged.connect(lambda _i: self._fill_symbols())
        self.symbol.currentIndexChanged.connect(lambda _i: self._changed())
        self.buy = QPushButton("Buy")
        self.sell = QPushButton("Sell")
        self.sides = QButtonGroup(self)
        for i, b in enumerate((self.buy, self.sell)):
            b.setCheckable(True)
            b.setMinimumWidth(60)
            self.sides.addButton(b, i)
        self.buy.setChecked(True)
        self.sides.idToggled.connect(lambda _i, on: on and self._changed())
        self.type = QComboBox()
        self.type.addItems(["Limit", "Market"])
        self.type.currentIndexChanged.connect(lambda _i: self._changed())

        def edit(name: str) -> QLineEdit:
            e = QLineEdit()
            e.setObjectName(name)
            e.setFont(mono)
            e.setAlignment(Qt.AlignmentFlag.AlignRight)
            e.setPlaceholderText("0")
            return e

        self.price = edit("price")
        self.amount = edit("amount")
        self.total = edit("total")
        self.price.textEdited.connect(lambda _t: self._changed())
        self.amount.textEdited.connect(lambda _t: self._edited("amount"))
        self.total.textEdited.connect(lambda _t: self._edited("total"))
        self.units = {n: QLabel() for n in ("price", "amount", "total")}
        self.errors = {n: QLabel() for n in ("price", "amount", "total", "form")}
        for lab in self.errors.values():
            lab.setObjectName("inline-error")
            lab.setWordWrap(True)
            lab.setVisible(False)
        self.last_label = QLabel()
        self.last_label.setFont(mono)
        self.avail = QLabel()
        self.avail.setFont(mono)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setFont(mono)
        self.send = QPushButton("Buy")
        self.send.setDefault(True)
        self.send.setEnabled(False)
        self.send.clicked.connect(self.submit)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        row = 0

        def add(label: str, widget, unit=None, error=None) -> None:
            nonlocal row
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(widget, row, 1)
            if unit is not None:
                grid.addWidget(unit, row, 2)
            row += 1
            if error is not None:
                grid.addWidget(error, row, 1, 1, 2)
                row += 1

        add("Venue", self.venue)
        add("Symbol", self.symbol)
        sides = QHBoxLayout()
        sides.setSpacing(0)
        sides.addWidget(self.buy)
        sides.addWidget(self.sell)
        sides.addSpacing(8)
        sides.addWidget(self.type, 1)
        holder = QWidget()
        holder.setLayout(sides)
        sides.setContentsMargins(0, 0, 0, 0)
        add("Side", holder)
        add("Price", self.price, self.units["price"], self.errors["price"])
        add("Amount", self.amount, self.units["amount"], self.errors["amount"])
        add("Total", self.total, self.units["total"], self.errors["total"])
        info = QHBoxLayout()
        info.addWidget(self.last_label)
        info.addStretch(1)
        info.addWidget(self.avail)
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 4, 6, 4)
        box.setSpacing(4)
        box.addLayout(grid)
        box.addLayout(info)
        box.addWidget(self.preview)
        box.addWidget(self.errors["form"])
        box.addWidget(self.send)
        box.addWidget(self.status)
        box.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._style_side()

    def _style_side(self) -> None:
        buy = self.side() == "buy"
        color = (theme.up_color() if buy else theme.down_color()).name()
        for b, on in ((self.buy, buy), (self.sell, not buy)):
            b.setStyleSheet(f"QPushButton {{ background: {color}; color: white; "
                            f"font-weight: bold; }}" if on else "")
        self.send.setStyleSheet(f"QPushButton {{ background: {color}; color: white; "
                                f"font-weight: bold; padding: 4px; }}"
                                f"QPushButton:disabled {{ background: palette(button); "
                                f"color: palette(mid); }}")
        err = theme.down_color().name()
        for lab in self.errors.values():
            lab.setStyleSheet(f"color: {err};")

    # -- what is selected -------------------------------------------------------------------------
    def side(self) -> str:
        return "sell" if self.sell.isChecked() else "buy"

    def order_type(self) -> str:
        return self.type.currentText().lower()

    def key(self) -> tuple[str, str] | None:
        v, s = self.venue.currentData(), self.symbol.currentText()
        return (v, s) if v and s else None

    def market(self):
        key = self.key()
        if key is None or key[0] not in self.session.states:
            return None
        return self.session.states[key[0]].markets.get(key[1])

    def set_target(self, venue: str, symbol: str) -> None:
        """Point the form at `symbol` on `venue` (when that venue can trade)."""
        i = self.venue.findData(venue)
        if i < 0:
            return
        self.venue.setCurrentIndex(i)
        j = self.symbol.findText(symbol)
        if j >= 0:
            self.symbol.setCurrentIndex(j)

    def _fill_venues(self) -> None:
        current = self.venue.currentData()
        self._filling = True
        self.venue.blockSignals(True)
        self.venue.clear()
        for v in self.trading.venues():
            adapter = self.trading.adapter(v)
            self.venue.addItem(getattr(adapter, "name", v), v)
        i = self.venue.findData(current)
        self.venue.setCurrentIndex(i if i >= 0 else 0)
        self.venue.blockSignals(False)
        self._filling = False
        self._fill_symbols()

    def _fill_symbols(self) -> None:
        venue = self.venue.currentData()
        current = self.symbol.currentText()
        markets = self.session.states[venue].markets if venue in self.session.states else {}
        self.symbol.blockSignals(True)
        self.symbol.clear()
        self.symbol.addItems([s for s, m in markets.items() if m.active])
        j = self.symbol.findText(current)
        self.symbol.setCurrentIndex(j if j >= 0 else 0)
        self.symbol.blockSignals(False)
        self._changed()

    def _on_markets(self, venue: str, _markets) -> None:
        if venue == self.venue.currentData() or self.venue.count() == 0:
            self._fill_venues()
        else:
            self._fill_venues()

    def _on_selected(self, venue: str, symbol: str) -> None:
        self.set_target(venue, symbol)

    def _on_tickers(self, batch: dict) -> None:
        key = self.key()
        for k, t in batch.items():
            if t.last is not None:
                self._last[k] = t.last
        if key in batch:
            self._show_last()
            if self.order_type() == "market":
                self._changed()

    def _on_balances(self, venue: str, balances: dict) -> None:
        self._free[venue] = balances
        self._show_available()

    def _show_last(self) -> None:
        m, key = self.market(), self.key()
        last = self._last.get(key) if key else None
        self.last_label.setText(f"Last {fmt.price(last, m.price_increment)}" if last and m
                                else "Last —")

    def _show_available(self) -> None:
        m, key = self.market(), self.key()
        if m is None:
            self.avail.setText("")
            return
        cur = m.quote if self.side() == "buy" else m.base
        bal = self._free.get(key[0], {}).get(cur)
        self.avail.setText(f"Free {exact(bal.free, 2 if cur == m.quote else 0)} {cur}"
                           if bal is not None else "")

    # -- editing ----------------------------------------------------------------------------------
    def _edited(self, name: str) -> None:
        self.driver = name
        self._changed()

    def _changed(self) -> None:
        """Recompute the draft at once; then have the adapter check it."""
        if self._filling:
            return
        self._generation += 1
        self.ready = None
        self.send.setEnabled(False)
        self._style_side()
        m = self.market()
        market_order = self.order_type() == "market"
        self.price.setEnabled(not market_order)
        self.price.setPlaceholderText("market" if market_order else "0")
        self._show_last()
        self._show_available()
        if m is None:
            self._show_errors({"form": "Choose a connected venue that can trade "
                                       "(add API keys in Venue → Credentials…)"
                               if not self.trading.venues() else ""})
            self.preview.setText("")
            return
        for n, unit in (("price", m.quote), ("amount", m.base), ("total", m.quote)):
            self.units[n].setText(unit)
        self.send.setText(f"{self.side().capitalize()} {m.base}")
        d = draft(m, self.order_type(), self.price.text(), self.amount.text(), self.total.text(),
                  self.driver, self._last.get(self.key()))
        self._show_derived(m, d)
        blank = not (self.amount.text().strip() or self.total.text().strip())
        if blank:
            d.errors.pop("amount", None)
            d.errors.pop("total", None)
        self._show_errors(d.errors)
        if d.errors or d.amount is None:
            self.preview.setText("")
            return
        self.window_.run(self._check(self._generation, m, d))

    def _show_derived(self, m, d: Draft) -> None:
        if self.driver == "total":
            self.amount.setText(fmt.amount(d.amount, m.amount_increment).replace(",", "")
                                if d.amount is not None else "")
        else:
            self.total.setText(exact(d.total, fmt.places(m.price_increment)).replace(",", "")
                               if d.total is not None else "")

    def _show_errors(self, errors: dict[str, str]) -> None:
        for name, lab in self.errors.items():
            text = errors.get(name, "")
            lab.setText(text[:1].upper() + text[1:] if text else "")
            lab.setVisible(bool(text))

    async def _check(self, generation: int, m, d: Draft) -> None:
        venue, symbol = self.key()
        adapter = self.trading.adapter(venue)
        if adapter is None:
            return
        try:
            market, amount, price = await adapter.check_order(symbol, self.side(),
                                                              self.order_type(), d.amount, d.price)
        except InvalidOrder as exc:
            if generation == self._generation:
                self._show_errors({_field_of(exc.reason): exc.reason})
                self.preview.setText("")
            return
        except ExchangeError as exc:
            if generation == self._generation:
                self._show_errors({"form": exc.reason})
            return
        if generation != self._generation:
            return          # the fields changed while this was being checked
        self.ready = OrderRequest(venue, symbol, self.side(), self.order_type(), amount, price)
        reference = "" if price is not None else (
            f" · ≈ {exact(amount * d.price, fmt.places(m.price_increment))} {m.quote}"
            if d.price else "")
        self.preview.setText(f"Will send: {self.trading.describe(self.ready)}{reference}")
        self.send.setEnabled(True)

    # -- sending ------------------------------------------------------------------------------------
    def confirm(self, text: str) -> bool:
        self.last_confirmation = text
        box = QMessageBox(QMessageBox.Icon.Question, "Confirm order", text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Yes).setText("Send order")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setInformativeText("This is a real order on the venue." if text and "Demo" not in
                               text else "Demo venue: simulated funds.")
        result = box.exec()
        return QMessageBox.StandardButton(result) == QMessageBox.StandardButton.Yes

    def submit(self) -> None:
        req = self.ready
        if req is None:
            self.say("Nothing sent: fix the highlighted fields first")
            return
        if not self.confirm(self.trading.describe(req)):
            self.say("Order not sent (cancelled)")
            return
        self.send.setEnabled(False)
        self.say(f"Sending: {self.trading.describe(req)} …")
        self.window_.run(self._send(req))

    async def _send(self, req: OrderRequest) -> None:
        try:
            state, order = await self.trading.place(req)
        finally:
            self._changed()
        if state == "unknown":
            self.say(f"Order {order.client_order_id}: {UNKNOWN}")

    def say(self, text: str) -> None:
        self.status.setText(text)


def build(window) -> OrderEntry:
    return OrderEntry(window)
