"""Cross-venue book dock: one pair's books from every open venue merged into one ladder, best
price after fees first, and where to buy and sell a size, split across venues.

Everything shown comes from `window.crossvenue` (gui/crossvenue.py), which follows the symbol
selected anywhere in the app; the pair box here picks another. Nothing here does I/O.
"""
from __future__ import annotations

import html

from PySide6.QtCore import QLocale, Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QSizePolicy, QSplitter, QTableView, QToolButton,
                               QVBoxLayout, QWidget)

from exchanges import InvalidOrder
from exchanges.numbers import floor_to

from .. import format as fmt
from .. import theme
from ..crossvenue import MODES, parse_size
from ..fees import percent_text
from ..models.consolidated import DEPTH_ROLE, ConsolidatedModel, PlanModel, venue_color
from ..widgets.delegates import DepthBarDelegate
from .board import configure_table
from .on_screen import on_screen

__all__ = ["ConsolidatedView", "build"]


class ConsolidatedView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window_ = window
        self.cross = cv = window.crossvenue
        self.model = ConsolidatedModel(self)
        self.plan_model = PlanModel(self)
        self.plans: dict = {}

        self.pair = QComboBox()
        self.pair.setToolTip("The pair whose books are merged (follows the selected symbol)")
        self.pair.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.pair.setMinimumContentsLength(10)
        self.pair.activated.connect(self._on_pair)
        self.mode = QComboBox()
        self.mode.setToolTip("Which quote currencies count as the same")
        self.mode.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.mode.setMinimumContentsLength(13)
        self.mode.activated.connect(lambda i: cv.set_mode(self.mode.itemData(i)))
        self.net = QCheckBox("after fees")
        self.net.setChecked(True)
        self.net.setToolTip("Ladder prices after each venue's taker fee (what you really get "
                            "or pay), or as the venues quote them")
        self.net.toggled.connect(self._on_net)
        self.fees_button = QToolButton()
        self.fees_button.setText("Fees…")
        self.fees_button.setToolTip("Taker fee per venue: the venue's, a default, or yours")
        self.fees_button.clicked.connect(self.edit_fees)
        self.venues = QLabel()          # one line; everything in full in its tooltip
        self.venues.setTextFormat(Qt.TextFormat.RichText)
        top = QHBoxLayout()
        top.setSpacing(3)
        top.addWidget(self.pair)
        top.addWidget(self.mode)
        top.addWidget(self.net)
        top.addWidget(self.fees_button)
        top.addWidget(self.venues, 1)     # every venue, its fee, any conversion, staleness


        self.table = QTableView()
        self.table.setModel(self.model)
        configure_table(self.table)
        self.table.setAlternatingRowColors(False)
        self.table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        self.table.setItemDelegateForColumn(1, DepthBarDelegate(DEPTH_ROLE, True, self.table))
        self.table.setItemDelegateForColumn(4, DepthBarDelegate(DEPTH_ROLE, False, self.table))
        rows = self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(rows + self.table.horizontalHeader().sizeHint().height() + 4)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)
        for col in (0, 5):          # venue names are short: sizes and prices get the width
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

        self.size = QLineEdit(placeholderText="size")
        self.size.setToolTip("Where to buy and where to sell this much, split across venues")
        self.size.setMaximumWidth(96)
        self.size.textChanged.connect(self.update_plan)
        self.base = QLabel("")
        # One fixed place beside the size for what cannot be planned and for balance caps (the
        # whole text in its tooltip), so that nothing moves when a message comes or goes.
        self.note = QLabel("")
        self.note.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for lab in (self.note, self.venues):
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            lab.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        size_row = QHBoxLayout()
        size_row.setSpacing(4)
        size_row.addWidget(QLabel("For size"))
        size_row.addWidget(self.size)
        size_row.addWidget(self.base)
        size_row.addWidget(self.note, 1)
        self.plan_table = QTableView()
        self.plan_table.setModel(self.plan_model)
        configure_table(self.plan_table)
        self.plan_table.setSelectionMode(QTableView.SelectionMode.NoSelection)
        ph = self.plan_table.horizontalHeader()
        ph.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        ph.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)    # numbers never elided
        row_h = self.plan_table.verticalHeader().defaultSectionSize()
        self.plan_table.setMinimumHeight(ph.sizeHint().height() + 4)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.setSpacing(2)
        lower_layout.addLayout(size_row)
        lower_layout.addWidget(self.plan_table)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)      # the ladder first; the plan takes what it needs
        split.setStretchFactor(1, 2)
        split.setCollapsible(0, False)
        split.setSizes([640, 300])        # proportions: the ladder gets about two thirds
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        cv.changed.connect(self._on_changed)
        cv.updated.connect(self._on_updated)
        cv.fees_changed.connect(self._on_updated)
        window.session.markets_loaded.connect(lambda *_: self._fill_pairs())
        window.session.venue_closed.connect(lambda *_: self._fill_pairs())
        self._fill_modes()
        self._on_changed()

    # -- choices -------------------------------------------------------------------------------
    def _fill_pairs(self) -> None:
        self.pair.blockSignals(True)
        self.pair.clear()
        for base, quote, n in self.cross.pairs():
            self.pair.addItem(f"{base}/{quote} ({n})", f"{base}/{quote}")
            self.pair.setItemData(self.pair.count() - 1,
                                  f"{base}/{quote} on {n} open venue{'s' if n != 1 else ''}",
                                  Qt.ItemDataRole.ToolTipRole)
        if self.cross.pair is not None:
            name = "/".join(self.cross.pair)
            i = self.pair.findData(name)
            if i < 0:
                self.pair.addItem(f"{name} (0)", name)
                i = self.pair.count() - 1
            self.pair.setCurrentIndex(i)
        self.pair.blockSignals(False)

    def _fill_modes(self) -> None:
        self.mode.blockSignals(True)
        self.mode.clear()
        for mode in MODES:
            self.mode.addItem(self.cross.mode_text(mode), mode)
            self.mode.setItemData(self.mode.count() - 1, self.cross.mode_text(mode, tip=True),
                                  Qt.ItemDataRole.ToolTipRole)
        self.mode.setCurrentIndex(self.mode.findData(self.cross.mode))
        self.mode.blockSignals(False)

    def _on_pair(self, index: int) -> None:
        data = self.pair.itemData(index)
        if data:
            self.cross.set_pair(*data.split("/", 1))

    def _on_net(self, on: bool) -> None:
        self.model.net = on
        self._on_updated()

    def edit_fees(self) -> None:
        from ..fees_dialog import FeesDialog
        FeesDialog(self.cross, self).open()

    # -- updates -------------------------------------------------------------------------------
    def _on_changed(self) -> None:
        cv = self.cross
        self._fill_pairs()
        self._fill_modes()
        incs = [m.market.price_increment for m in cv.members if m.market is not None]
        amts = [m.market.amount_increment for m in cv.members if m.market is not None]
        self.model.set_members(cv.members, min(incs) if incs else None,
                               min(amts) if amts else None)
        self.plan_model.order = self.model.order
        self.base.setText(cv.pair[0] if cv.pair else "")
        self._on_updated()

    def _on_updated(self) -> None:
        if not on_screen(self):         # a tab behind another: catch up when shown
            self._stale_view = True
            return
        self._stale_view = False
        cv = self.cross
        self.model.set_book(cv.consolidated, cv.fees_by_key())
        self._show_venues()
        self.update_plan()

    def _show_venues(self) -> None:
        cv = self.cross
        if not cv.members:
            text = "No open venue lists this pair." if cv.pair else "Select a symbol."
            self.venues.setText(f"<span style='color:{theme.muted_color().name()}'>"
                                f"{html.escape(text)}</span>")
            self.venues.setToolTip(text)
            return
        stale = cv.stale_keys()
        short, full = [], []
        muted = theme.muted_color().name()
        for i, m in enumerate(cv.members):
            fee, source = cv.fee(m.venue)
            mark = "" if source == "venue" else "*"
            name = html.escape(m.key)
            conv = f" {html.escape(m.quote)}" if m.note else ""
            line = f"<b>{name}</b> {percent_text(fee)}{mark}"
            detail = line + (f" · {html.escape(m.note)}" if m.note else "")
            if m.key in stale:
                age = cv.book_age(m.key)
                why = "stale" if age is None or cv.is_live(m.venue) else "not live"
                when = f" {age:.0f} s" if age is not None else ""
                short.append(f"<span style='color:{muted}'>■ {name} {why}</span>")
                full.append(f"<span style='color:{muted}'>■ {detail} ({why}{when}: left out of "
                            f"the best price and the plan)</span>")
            else:
                chip = f"<span style='color:{venue_color(i).name()}'>■</span>"
                short.append(f"{chip} {line}{conv}")
                full.append(f"{chip} {detail}")
        self.venues.setText("&nbsp; ".join(short))
        self.venues.setToolTip("<br>".join(full) + "<br><br>* a default or your rate, not "
                               "published by the venue (Fees… to change it)")

    def _size(self):
        loc = QLocale()
        return parse_size(self.size.text(), loc.decimalPoint(), loc.groupSeparator())

    def update_plan(self) -> None:
        cv = self.cross
        text = self.size.text().strip()
        self.plans = {}
        if not text or cv.pair is None:
            self._say("Type a size to see where to buy and where to sell it, split across "
                      "venues, fees included." if cv.pair else "")
            self.plan_model.set_plans({}, None, None)
            return
        try:
            amount = self._size()
        except ValueError as exc:
            self._say(str(exc)[:1].upper() + str(exc)[1:], problem=True)
            self.plan_model.set_plans({}, None, None)
            return
        notes, problems = [], []
        for side in ("buy", "sell"):
            try:
                plan, capped = cv.plan(side, amount)
            except InvalidOrder as exc:
                problems.append(self._short(side, amount, exc))
                continue
            self.plans[side] = plan
            if capped:
                notes.append((side, capped))
        if problems:
            self._say(" · ".join(problems), problem=True)
        elif notes:
            self._say("Up to your free balance at " + " · ".join(
                f"{side}: {', '.join(c[0] for c in capped)}" for side, capped in notes),
                tip="\n".join(f"{side} at {key}: all that {free:,f} {cur} free pays for"
                              for side, capped in notes for key, free, cur in capped))
        else:
            self._say("")
        self.plan_model.set_plans(self.plans, self.model.increment, self.model.amount_increment)

    def _say(self, text: str, problem: bool = False, tip: str | None = None) -> None:
        color = theme.down_color() if problem else theme.muted_color()
        self.note.setText(f"<span style='color:{color.name()}'>{html.escape(text)}</span>"
                          if text else "")
        self.note.setToolTip(tip or text)

    def _short(self, side: str, amount, exc: InvalidOrder) -> str:
        ai = self.model.amount_increment
        avail = getattr(exc, "available", None)
        word = "Buy" if side == "buy" else "Sell"
        if avail is None:
            return f"{word}: {exc.reason}"
        where = "your free balances allow" if getattr(exc, "by_balance", False) \
            else "the live books hold"
        shown = floor_to(avail, ai) if ai else avail     # never shown as more than there is
        return f"{word}: {where} only {fmt.amount(shown, ai)} of {fmt.amount(amount, ai)}"


    _stale_view = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.on_shown()

    def on_shown(self) -> None:
        """Shown, or its tab came to the front: catch up once laid out."""
        QTimer.singleShot(0, lambda: self._on_updated() if self._stale_view else None)


def build(window) -> ConsolidatedView:
    return ConsolidatedView(window)
