"""Order entry: venue, symbol, side, type, price, amount ⇄ total; checked, previewed, confirmed.

Typing updates a `Draft` at once; the adapter's own `check_order` then runs on it (increments,
minimums: the venue's rules, not a copy of them), and only a draft that passed is offered for
sending. Before the confirmation the form also checks what a venue would only say afterwards:
the free balance the order needs (fee included where the venue's fee is known) and how far the
price is from the market (a warning beyond the trader's own limit, the distance always in the
confirmation).

The form never moves under the pointer: every message has a fixed place (a field's label turns
red, the words go to the message lines under the fields), and a field nobody has typed in yet
shows no error. The send button changes state only when the order it would send changes, not on
every tick of a market order's reference price.
"""
from __future__ import annotations

import logging
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import (QApplication, QButtonGroup, QCheckBox, QComboBox, QGridLayout,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QSizePolicy, QVBoxLayout, QWidget)

from exchanges import ExchangeError, InvalidOrder

from .. import format as fmt
from .. import theme
from ..orderform import (ORDER_TYPES, Draft, draft, far_warning, fee_rate, needs, parse,
                         share_amount)
from ..trading import UNKNOWN, OrderRequest

__all__ = ["OrderEntry", "build", "SHARES"]

log = logging.getLogger("gui.orders")

SHARES = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal(1))
FIELDS = ("stop", "price", "amount", "total")
_LABELS = {"stop": "Stop", "price": "Price", "amount": "Amount", "total": "Total",
           "form": ""}


def _field_of(reason: str) -> str:
    """Which field an adapter's InvalidOrder message is about."""
    low = reason.lower()
    if "stop price" in low:
        return "stop"
    if "the price" in low:
        return "price"
    if "value" in low or "total" in low or "cost" in low:
        return "total"
    return "amount"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class OrderEntry(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window_ = window
        self.trading = window.trading
        self.session = window.session
        self.settings = window.settings
        self.driver = "amount"          # amount or total: the field typed last
        self.ready: OrderRequest | None = None   # the checked order the Send button sends
        self.last_confirmation = ""
        self.problems: dict[str, str] = {}       # field (or "form") → error shown now
        self.warnings: list[str] = []
        self._ready_key: tuple | None = None     # what `ready` was checked for
        self._checking: tuple | None = None      # the key of the check in flight
        self._generation = 0
        self._tickers: dict[tuple[str, str], object] = {}
        self._free: dict[str, dict] = {}
        self._touched: set[str] = set()          # fields the trader has typed in
        self._filling = False
        self._styled: tuple | None = None
        self._build()
        s = self.session
        s.venue_opened.connect(lambda _v: self._fill_venues())
        s.venue_closed.connect(lambda _v: self._fill_venues())
        s.markets_loaded.connect(lambda _v, _m: self._fill_venues())
        s.selected.connect(self.set_target)
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
            b.setMinimumWidth(50)
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self.sides.addButton(b, i)
        self.buy.setChecked(True)
        self.sides.idToggled.connect(lambda _i, on: on and self._changed())
        self.type = QComboBox()
        self.type.currentIndexChanged.connect(lambda _i: self._changed())

        def edit(name: str) -> QLineEdit:
            e = QLineEdit()
            e.setObjectName(name)
            e.setFont(mono)
            e.setAlignment(Qt.AlignmentFlag.AlignRight)
            e.setPlaceholderText("0")
            e.textEdited.connect(lambda _t, n=name: self._edited(n))
            e.returnPressed.connect(self.submit)           # Enter sends (after the check)
            return e

        self.stop = edit("stop")
        self.price = edit("price")
        self.amount = edit("amount")
        self.total = edit("total")
        self.edits = {"stop": self.stop, "price": self.price, "amount": self.amount,
                      "total": self.total}
        self.units = {n: QLabel() for n in FIELDS}
        self.labels = {n: QLabel(_LABELS[n]) for n in FIELDS}
        self.share_buttons = []
        shares = QHBoxLayout()
        shares.setContentsMargins(0, 0, 0, 0)
        shares.setSpacing(2)
        for frac in SHARES:
            b = QPushButton(f"{int(frac * 100)}%")
            b.setObjectName(f"share-{int(frac * 100)}")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setMinimumWidth(34)
            b.setToolTip(f"Amount for {int(frac * 100)} % of the free balance (fee included)")
            b.clicked.connect(lambda _=False, f=frac: self.use_share(f))
            shares.addWidget(b)
            self.share_buttons.append(b)
        self.post_only = QCheckBox("Post-only")
        self.post_only.setToolTip("Rest on the book as a maker order, or be rejected: never "
                                  "take liquidity")
        self.post_only.toggled.connect(lambda _on: self._changed())
        self.tif = QComboBox()
        self.tif.setToolTip("Time in force: GTC rests until cancelled, IOC fills what it can at "
                            "once, FOK fills all at once or nothing")
        self.tif.currentIndexChanged.connect(lambda _i: self._changed())
        self.tif_label = QLabel("TIF")
        self.tif_label.setToolTip(self.tif.toolTip())
        self.last_label = QLabel()
        self.last_label.setFont(mono)
        self.avail = QLabel()
        self.avail.setFont(mono)
        line = self.fontMetrics().lineSpacing()
        self.messages = QLabel()
        self.messages.setObjectName("order-messages")
        self.messages.setWordWrap(True)
        self.messages.setTextFormat(Qt.TextFormat.RichText)
        self.messages.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.messages.setFixedHeight(4 * line + 4)       # a fixed place: the form never jumps
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setFont(mono)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.preview.setFixedHeight(2 * QLabel().fontMetrics().lineSpacing() + 4)
        for lab in (self.messages, self.preview):
            lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.send = QPushButton("Buy")
        self.send.setEnabled(False)
        self.send.clicked.connect(self.submit)
        self.status = QLabel("")       # one line; the whole text in its tooltip and the log
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.status.setFixedHeight(line + 4)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        self._rows: dict[str, list[QWidget]] = {}

        def add(name: str, label: QLabel, widget, unit=None) -> None:
            row = grid.rowCount()
            grid.addWidget(label, row, 0)
            grid.addWidget(widget, row, 1, 1, 1 if unit is not None else 2)
            if unit is not None:
                grid.addWidget(unit, row, 2)
            self._rows[name] = [w for w in (label, widget, unit) if w is not None]

        def holder(layout) -> QWidget:
            w = QWidget()
            layout.setContentsMargins(0, 0, 0, 0)
            w.setLayout(layout)
            return w

        add("venue", QLabel("Venue"), self.venue)
        add("symbol", QLabel("Symbol"), self.symbol)
        sides = QHBoxLayout()
        sides.setSpacing(0)
        sides.addWidget(self.buy)
        sides.addWidget(self.sell)
        sides.addSpacing(8)
        sides.addWidget(self.type, 1)
        add("side", QLabel("Side"), holder(sides))
        add("stop", self.labels["stop"], self.stop, self.units["stop"])
        add("price", self.labels["price"], self.price, self.units["price"])
        add("amount", self.labels["amount"], self.amount, self.units["amount"])
        add("shares", QLabel(""), holder(shares))
        add("total", self.labels["total"], self.total, self.units["total"])
        options = QHBoxLayout()
        options.setSpacing(6)
        options.addWidget(self.post_only)
        options.addStretch(1)
        options.addWidget(self.tif_label)
        options.addWidget(self.tif)
        add("options", QLabel(""), holder(options))
        info = QHBoxLayout()
        info.addWidget(self.last_label)
        info.addStretch(1)
        info.addWidget(self.avail)
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 4, 6, 4)
        box.setSpacing(3)
        box.addLayout(grid)
        box.addLayout(info)
        box.addWidget(self.messages)
        box.addWidget(self.preview)
        box.addWidget(self.send)
        box.addWidget(self.status)
        box.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._show_row("stop", False)
        self._show_row("options", False)

    def _show_row(self, name: str, on: bool) -> None:
        for w in self._rows[name]:
            w.setVisible(on)

    def restyle(self, force: bool = True) -> None:
        """Colours from the current theme (again after a theme change): the side buttons, the
        send button in both states, the message colours."""
        buy = self.side() == "buy"
        if not force and self._styled == (buy, theme.is_dark()):
            return
        self._styled = (buy, theme.is_dark())
        color = (theme.up_color() if buy else theme.down_color()).name()
        pal = QApplication.palette()           # (the app's: a widget's may lag a switch)
        off_bg = pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button).name()
        off_fg = pal.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText).name()
        for b, on in ((self.buy, buy), (self.sell, not buy)):
            b.setStyleSheet(f"QPushButton {{ background: {color}; color: white; "
                            f"font-weight: bold; }}" if on else "")
        self.send.setStyleSheet(f"QPushButton {{ background: {color}; color: white; "
                                f"font-weight: bold; padding: 4px; }}"
                                f"QPushButton:disabled {{ background: {off_bg}; "
                                f"color: {off_fg}; }}")
        self._show_messages()

    # -- what is selected -------------------------------------------------------------------------
    def side(self) -> str:
        return "sell" if self.sell.isChecked() else "buy"

    def order_type(self) -> str:
        """A key of ORDER_TYPES: limit, market or stop-limit."""
        return self.type.currentData() or "limit"

    def key(self) -> tuple[str, str] | None:
        v, s = self.venue.currentData(), self.symbol.currentText()
        return (v, s) if v and s else None

    def market(self):
        key = self.key()
        return self.trading.market(*key) if key else None

    def adapter(self):
        key = self.key()
        return self.trading.adapter(key[0]) if key else None

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
            self.venue.addItem(getattr(self.trading.adapter(v), "name", v), v)
        i = self.venue.findData(current)
        self.venue.setCurrentIndex(i if i >= 0 else 0)
        self.venue.blockSignals(False)
        self._filling = False
        self._fill_symbols()

    def _fill_symbols(self) -> None:
        venue = self.venue.currentData()
        current = self.symbol.currentText()
        st = self.session.states.get(venue)
        markets = st.markets if st is not None else {}
        self.symbol.blockSignals(True)
        self.symbol.clear()
        self.symbol.addItems([s for s, m in markets.items() if m.active])
        j = self.symbol.findText(current)
        self.symbol.setCurrentIndex(j if j >= 0 else 0)
        self.symbol.blockSignals(False)
        self._fill_options()
        self._changed()

    def _fill_options(self) -> None:
        """Order types and options as far as the venue's adapter has them (`has`)."""
        has = getattr(self.adapter(), "has", {}) or {}
        wanted = ["limit", "market"] + (["stop-limit"] if has.get("stop_price") else [])
        if [self.type.itemData(i) for i in range(self.type.count())] != wanted:
            current = self.order_type()
            self.type.blockSignals(True)
            self.type.clear()
            for t in wanted:
                self.type.addItem(t.capitalize(), t)
            self.type.setCurrentIndex(max(0, self.type.findData(current)))
            self.type.blockSignals(False)
        values = tuple(getattr(self.adapter(), "time_in_force_values", ()) or ()) \
            if has.get("time_in_force") else ()
        if [self.tif.itemData(i) for i in range(1, self.tif.count())] != list(values):
            self.tif.blockSignals(True)
            self.tif.clear()
            self.tif.addItem("Default", None)
            for v in values:
                self.tif.addItem(v, v)
            self.tif.blockSignals(False)
        if not has.get("post_only"):
            self.post_only.setChecked(False)
        self.post_only.setVisible(bool(has.get("post_only")))
        for w in (self.tif, self.tif_label):
            w.setVisible(bool(values))
        self._show_row("options", bool(has.get("post_only") or values))

    # -- arrivals -----------------------------------------------------------------------------------
    def _on_tickers(self, batch: dict) -> None:
        key = self.key()
        self._tickers.update(batch)
        if key in batch:
            self._changed()         # the reference moved: warnings, totals (never the button)

    def _on_balances(self, venue: str, balances: dict) -> None:
        self._free[venue] = balances
        key = self.key()
        if key and key[0] == venue:
            self._changed()

    def reference(self) -> tuple[Decimal | None, str]:
        """The market price the form measures against: the mid of bid and ask, else the last."""
        t = self._tickers.get(self.key())
        if t is None:
            return None, ""
        if t.bid and t.ask:
            return (t.bid + t.ask) / 2, "the mid"
        return t.last, "the last price"

    def free(self, currency: str) -> Decimal | None:
        key = self.key()
        bal = self._free.get(key[0], {}).get(currency) if key else None
        return bal.free if bal is not None else None

    def _show_info(self, m) -> None:
        t = self._tickers.get(self.key())
        last = t.last if t is not None else None
        self.last_label.setText(f"Last {fmt.price(last, m.price_increment)}" if last and m
                                else "Last —")
        if m is None:
            self.avail.setText("")
            return
        cur = m.quote if self.side() == "buy" else m.base
        free = self.free(cur)
        digits = fmt.places(m.price_increment if cur == m.quote else m.amount_increment)
        self.avail.setText(f"Free {fmt.balance(free, digits)} {cur}" if free is not None
                           else "")

    # -- editing ------------------------------------------------------------------------------------
    def _edited(self, name: str) -> None:
        self._touched.add(name)
        if name in ("amount", "total"):
            self.driver = name
        self._changed()

    def fill(self, price: Decimal | None = None, amount: Decimal | None = None) -> None:
        """Put `price` and/or `amount` in the form (a click on the book or the tape)."""
        m = self.market()
        if m is None:
            return
        if price is not None:
            if ORDER_TYPES[self.order_type()] != "limit":
                self.type.setCurrentIndex(self.type.findData("limit"))
            self.price.setText(fmt.entry(price, fmt.places(m.price_increment)))
            self._touched.add("price")
        if amount is not None:
            self.amount.setText(fmt.entry(amount, fmt.places(m.amount_increment, 4)))
            self._touched.add("amount")
            self.driver = "amount"
        self._changed()

    def use_share(self, fraction: Decimal) -> None:
        """Set the amount to `fraction` of the free balance (of the quote, fee included, to
        buy; of the base to sell)."""
        m = self.market()
        if m is None:
            return
        price = self._price_for_share(m)
        amount = share_amount(m, self.side(), fraction, self.free(m.base), self.free(m.quote),
                              price, fee_rate(self.adapter()))
        if amount is None:
            self.say("Enter a price first" if self.side() == "buy" and price is None
                     else "The free balance is not known yet")
            return
        self.fill(amount=amount)

    def _price_for_share(self, m) -> Decimal | None:
        if ORDER_TYPES[self.order_type()] == "limit":
            try:
                return parse(self.price.text(), "the price")
            except ValueError:
                return None
        t = self._tickers.get(self.key())
        return (t.ask or t.last) if t is not None and self.side() == "buy" else (
            t.last if t is not None else None)

    def focus_side(self, side: str) -> None:
        """Buy or sell from the keyboard: pick the side and put the cursor where one types."""
        (self.buy if side == "buy" else self.sell).setChecked(True)
        target = self.amount if self.order_type() == "market" else self.price
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        target.selectAll()

    def _changed(self) -> None:
        """Recompute the draft at once; have the adapter check it when the order changed."""
        if self._filling:
            return
        m = self.market()
        kind = self.order_type()
        limit = ORDER_TYPES[kind] == "limit"
        self.price.setEnabled(limit)
        self.price.setPlaceholderText("0" if limit else "market")
        self._show_row("stop", kind == "stop-limit")
        self.post_only.setEnabled(limit)
        self._show_info(m)
        self.problems, self.warnings = {}, []
        if m is None:
            self._clear_units()
            self.problems["form"] = ("" if self.trading.venues() else
                                     "Choose a connected venue that can trade "
                                     "(add API keys in Venue → Credentials…)")
            self._drop_check()
            self.preview.setText("")
            self.restyle(force=False)
            self._show_messages()
            return
        for n, unit in (("stop", m.quote), ("price", m.quote), ("amount", m.base),
                        ("total", m.quote)):
            self.units[n].setText(unit)
        self.send.setText(f"{self.side().capitalize()} {m.base}")
        last = self._tickers.get(self.key())
        d = draft(m, kind, self.price.text(), self.amount.text(), self.total.text(),
                  self.driver, last.last if last is not None else None, self.stop.text())
        self._show_derived(m, d)
        # A field nobody typed in shows no error (the derived one speaks for its driver).
        shown = set(self._touched) | ({"total"} if "amount" in self._touched else set()) | (
            {"amount"} if "total" in self._touched else set())
        self.problems = {k: v for k, v in d.errors.items() if k in shown}
        if d.ok:
            self._before_confirmation(m, d)
        key = self._order_key(m, d) if d.ok else None
        if key is None:
            self._drop_check()
        elif key != self._ready_key and key != self._checking:
            self._drop_check()
            self._checking = key
            self.window_.run(self._check(self._generation, key))
        self._show_preview(m, d)
        self.restyle(force=False)
        self._show_messages()

    def _drop_check(self) -> None:
        """Forget the checked order and any check in flight (the fields changed)."""
        self._generation += 1
        self._checking = None
        self._set_ready(None)

    def _clear_units(self) -> None:
        for lab in self.units.values():
            lab.setText("")

    def _order_key(self, m, d: Draft) -> tuple:
        venue, symbol = self.key()
        limit = ORDER_TYPES[self.order_type()] == "limit"
        return (venue, symbol, self.side(), ORDER_TYPES[self.order_type()], d.amount,
                d.price if limit else None, self.post_only.isChecked() and limit,
                self.tif.currentData(), d.stop if self.order_type() == "stop-limit" else None)

    def _before_confirmation(self, m, d: Draft) -> None:
        """The free balance the order needs, and its distance from the market."""
        price = d.price if d.price is not None else self._price_for_share(m)
        fee = fee_rate(self.adapter())
        need = needs(m, self.side(), d.amount, price, fee)
        if need is not None:
            cur, amount = need
            free = self.free(cur)
            digits = fmt.places(m.price_increment if cur == m.quote else m.amount_increment)
            if free is not None and amount > free:
                with_fee = (f" with the {fmt.number(fee * 100, 2)} % fee"
                            if fee and cur == m.quote else "")
                self.problems["form"] = (f"Not enough {cur}: needs "
                                         f"{fmt.number(amount, digits)}{with_fee}, "
                                         f"{fmt.number(free, digits)} free")
        ref, what = self.reference()
        for value, name in ((d.price, "the price"), (d.stop, "the stop price")):
            far = far_warning(value, ref, what, self.settings.far_percent(), m.price_increment)
            if far:
                self.warnings.append(far.replace("the price", name, 1))

    def _show_derived(self, m, d: Draft) -> None:
        if self.driver == "total":
            if "amount" not in self._touched or d.amount is not None:
                self.amount.setText(fmt.entry(d.amount, fmt.places(m.amount_increment, 4))
                                    if d.amount is not None else "")
        else:
            self.total.setText(fmt.entry(d.total, fmt.places(m.price_increment))
                               if d.total is not None else "")

    def _show_preview(self, m, d: Draft) -> None:
        text = ""
        if self.ready is not None and not self.problems:       # only what can be sent
            reference = ""
            if self.ready.price is None and d.total is not None:
                reference = f" · ≈ {fmt.price(d.total, m.price_increment)} {m.quote}"
            text = f"Will send: {self.trading.describe(self.ready)}{reference}"
        if self.preview.text() != text:
            self.preview.setText(text)

    def _set_ready(self, req: OrderRequest | None, key: tuple | None = None) -> None:
        self.ready = req
        self._ready_key = key if req is not None else None
        self._update_send()

    def _update_send(self) -> None:
        ok = self.ready is not None and not self.problems
        if self.send.isEnabled() != ok:
            self.send.setEnabled(ok)

    def _show_messages(self) -> None:
        err, warn = theme.down_color().name(), theme.warn_color().name()
        lines = []
        for name in (*FIELDS, "form"):
            text = self.problems.get(name)
            if text:
                label = _LABELS[name]
                if label and text.lower().startswith(f"the {label.lower()} "):
                    text = text[len(label) + 5:]        # "Price: 3100,5 is …", said once
                lines.append(f"<span style='color:{err}'>"
                             f"{label + ': ' + text if label else _capital(text)}</span>")
        lines += [f"<span style='color:{warn}'>⚠ {_capital(w)}</span>" for w in self.warnings]
        html = "<br>".join(lines)
        if self.messages.text() != html:
            self.messages.setText(html)
            self.messages.setToolTip("\n".join(
                [f"{_LABELS[n]}: {t}" for n, t in self.problems.items() if t]
                + self.warnings))
        for name, lab in self.labels.items():
            want = f"color: {err};" if name in self.problems else ""
            if lab.styleSheet() != want:
                lab.setStyleSheet(want)
        self._update_send()

    async def _check(self, generation: int, key: tuple) -> None:
        venue, symbol, side, send_type, amount, price, post_only, tif, stop = key
        adapter = self.trading.adapter(venue)
        if adapter is None:
            return
        try:
            market, amount, price = await adapter.check_order(symbol, side, send_type, amount,
                                                              price)
            check_options = getattr(adapter, "check_options", None)
            if check_options is not None and (post_only or tif or stop is not None):
                check_options(send_type, post_only, tif, stop)
        except InvalidOrder as exc:
            if generation == self._generation:
                self._checking = None
                self.problems[_field_of(exc.reason)] = exc.reason
                self._show_messages()
            return
        except ExchangeError as exc:
            if generation == self._generation:
                self._checking = None
                self.problems["form"] = exc.reason
                self._show_messages()
            return
        if generation != self._generation:
            return          # the fields changed while this was being checked
        self._checking = None
        req = OrderRequest(venue, symbol, side, send_type, amount, price, post_only, tif, stop)
        self._set_ready(req, key)
        self._changed()     # preview, and the balance and distance checks of this exact order

    # -- sending ------------------------------------------------------------------------------------
    def confirmation(self, req: OrderRequest) -> tuple[str, str, bool]:
        """(text, details, far): what the confirmation says. The text is the order and its
        distance from the market; the details the fee and where it goes."""
        m = self.trading.market(req.venue, req.symbol)
        pi = m.price_increment if m else None
        lines = [self.trading.describe(req)]
        ref, what = self.reference()
        far = False
        limit = self.settings.far_percent()
        for value, name in ((req.price, "Price"), (req.stop_price, "Stop price")):
            if value is None or not ref:
                continue
            pct = (value - ref) * 100 / ref
            beyond = abs(pct) > limit
            far = far or beyond
            lines.append(f"{name} {fmt.number(abs(pct), 2)} % "
                         f"{'above' if pct >= 0 else 'below'} {what} {fmt.price(ref, pi)}"
                         + (f" — beyond your {fmt.number(limit, 1)} % warning" if beyond
                            else ""))
        details = []
        fee = fee_rate(self.trading.adapter(req.venue))
        if fee is not None and m is not None:
            value = req.amount * req.price if req.price is not None else None
            cost = f" ≈ {fmt.price(value * fee, pi)} {m.quote}" if value is not None else ""
            details.append(f"Fee up to {fmt.number(fee * 100, 2)} %{cost}.")
        details.append("Demo venue: simulated funds." if req.venue == "demo"
                       else "This is a real order on the venue.")
        return "\n".join(lines), " ".join(details), far

    def confirm_box(self, text: str, details: str = "", far: bool = False) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Warning if far else QMessageBox.Icon.Question,
                          "Confirm order far from the market" if far else "Confirm order",
                          text, QMessageBox.StandardButton.Yes
                          | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Yes).setText("Send order")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setInformativeText(details)
        return box

    def confirm(self, text: str, details: str = "", far: bool = False) -> bool:
        self.last_confirmation = text
        result = self.confirm_box(text, details, far).exec()
        return QMessageBox.StandardButton(result) == QMessageBox.StandardButton.Yes

    def submit(self) -> None:
        req = self.ready
        if req is None or self.problems:
            self._touched.update(n for n in FIELDS if not self.edits[n].isHidden()
                                 and self.edits[n].isEnabled())
            self._changed()
            first = next(iter(self.problems.values()), "")
            self._note("Nothing sent: " + (first if first else "the order is still being "
                                                                   "checked" if self._checking
                                            else "fix the highlighted fields first"))
            return
        if not self.confirm(*self.confirmation(req)):
            self._note("Order not sent (cancelled)")
            return
        self.send.setEnabled(False)
        self.say(f"Sending: {self.trading.describe(req)} …")
        self.window_.run(self._send(req))

    async def _send(self, req: OrderRequest) -> None:
        try:
            state, order = await self.trading.place(req)
        finally:
            self._drop_check()
            self._changed()
        if state == "unknown":
            self.say(f"Order {order.client_order_id}: {UNKNOWN}")

    def say(self, text: str) -> None:
        """One line under the send button (the whole text in its tooltip)."""
        self.status.setText(text)
        self.status.setToolTip(text)

    def _note(self, text: str) -> None:
        """The form's own words: in its line, and in the log."""
        log.info("%s", text)
        self.say(text)


def build(window) -> OrderEntry:
    return OrderEntry(window)
