"""Watchlist dock: symbol@venue rows with live last prices and alert rules (above / below /
% move in a window), and cross-venue rows (a pair on every venue) with two more kinds: a spread
between two venues after fees, and any venue moving. An alert raises a desktop notification
where there is a tray, a log line and a sound, and highlights its row until the row is
selected. Each rule fires once, or re-arms after a margin the user sets.
The list is saved (atomically, as JSON) after every change and read back at the next launch."""
from __future__ import annotations

import logging


from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPushButton, QSpinBox, QTableView, QVBoxLayout,
                               QWidget)

from .. import watchlist
from ..models.watchlist import WatchlistModel
from ..notify import notify, play_sound
from ..watchlist import ANY, CROSS_KINDS, matches
from ..widgets.gap import GapDelegate
from .board import configure_table

__all__ = ["WatchlistView", "build"]

log = logging.getLogger("gui.watchlist")


class WatchlistView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window_ = window
        items, problem = watchlist.load()
        self.model = WatchlistModel(items, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        configure_table(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, w in enumerate((108, 84, 120)):
            header.resizeSection(col, w)
        header.setStretchLastSection(True)
        self.gap = GapDelegate(self.table)
        self.table.setItemDelegateForColumn(2, self.gap)     # alerts, after the price

        self.pair = QLineEdit(placeholderText="BTC/USD@demo (empty: the selected symbol)")
        self.pair.returnPressed.connect(self.add_current)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_current)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.kind = QComboBox()
        self.kind.addItem("Above", "above")
        self.kind.addItem("Below", "below")
        self.kind.addItem("Move %", "move")
        self.kind.addItem("Spread bp, 2 venues", "spread")
        self.kind.addItem("Any venue moves %", "anymove")
        self.kind.setToolTip("Spread and any-venue alerts watch the pair on every venue "
                             "(a row 'PAIR@any venue' is added for them)")
        self.kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.kind.setMinimumContentsLength(7)

        self.value = QLineEdit(placeholderText="price · % for moves · bp for a spread")
        self.value.returnPressed.connect(self.add_alert)
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 24 * 60)
        self.minutes.setValue(5)
        self.minutes.setSuffix(" min")
        self.venues = QComboBox()
        self.venues.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.venues.setMinimumContentsLength(6)
        self.venues.setToolTip("The two venues whose spread after both taker fees is watched")
        self.rearm = QLineEdit(placeholderText="re-arm: once")
        self.rearm.setToolTip("Empty: the alert fires once. A number: it re-arms once the price "
                              "(or the %, or the bp) has come back by that much")
        self.sound = QCheckBox("Sound")
        self.sound.setToolTip("Play a sound when an alert fires")
        self._prefs = window.settings.q
        self.sound.setChecked(str(self._prefs.value("alerts/sound", "true")) == "true")
        self.sound.toggled.connect(
            lambda on: self._prefs.setValue("alerts/sound", "true" if on else "false"))
        self.kind.currentIndexChanged.connect(self._on_kind)
        self._on_kind()
        self.alert_button = QPushButton("Add alert")
        self.alert_button.clicked.connect(self.add_alert)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove the selected row's alerts")
        self.clear_button.clicked.connect(self.clear_alerts)
        self.rearm_button = QPushButton("Re-arm")
        self.rearm_button.setToolTip("Arm the selected row's alerts again (those that fired)")
        self.rearm_button.clicked.connect(self.rearm_alerts)
        self.note = QLabel(problem or "")
        self.note.setWordWrap(True)
        self.note.setVisible(bool(problem))

        top = QHBoxLayout()
        top.setSpacing(3)
        top.addWidget(self.pair, 1)
        top.addWidget(self.add_button)
        top.addWidget(self.remove_button)
        rules = QHBoxLayout()
        rules.setSpacing(3)
        rules.addWidget(self.kind)
        rules.addWidget(self.value, 1)
        rules.addWidget(self.minutes)
        options = QHBoxLayout()
        options.setSpacing(3)
        options.addWidget(self.venues, 1)
        options.addWidget(self.rearm, 1)
        options.addWidget(self.sound)
        buttons = QHBoxLayout()
        buttons.setSpacing(3)
        buttons.addStretch(1)
        buttons.addWidget(self.alert_button)
        buttons.addWidget(self.rearm_button)
        buttons.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.note)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addLayout(rules)
        layout.addLayout(options)
        layout.addLayout(buttons)

        self.model.changed.connect(self.save)
        self.model.alert.connect(self._on_alert)
        cross = getattr(window, "crossvenue", None)
        if cross is not None:
            self.model.fee_of = lambda venue: cross.fee(venue)[0]
        self.table.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.model.acknowledge(cur.row()) if cur.isValid() else None)
        self.table.clicked.connect(lambda ix: self.model.acknowledge(ix.row()))
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._fill_venues())
        window.session.tickers.connect(self.model.on_tickers)
        window.session.markets_loaded.connect(self._on_markets)
        if problem:
            window.say(problem, logging.WARNING)

    def _on_markets(self, venue: str, markets: dict) -> None:
        self.model.markets[venue] = markets

    def say(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def save(self) -> None:
        try:
            watchlist.save(self.model.items)
        except OSError as exc:
            self.say(f"The watchlist could not be saved: {exc.strerror or exc}")
            log.warning("watchlist not saved: %s", exc)

    def current_row(self) -> int:
        ix = self.table.currentIndex()
        return ix.row() if ix.isValid() else -1

    def _on_kind(self, *_) -> None:
        kind = self.kind.currentData()
        self.minutes.setEnabled(kind in ("move", "anymove"))
        self.venues.setVisible(kind == "spread")
        if kind == "spread":
            self._fill_venues()

    def _pair_venues(self) -> list[str]:
        """Open venues that list the selected row's pair (any quote counted as it)."""
        row = self.current_row()
        if row < 0:
            return []
        pair = self.model.items[row].symbol
        return [v for v, st in self.window_.session.states.items()
                if any(matches(pair, s) for s in st.markets)]

    def _fill_venues(self) -> None:
        if self.kind.currentData() != "spread":
            return
        venues = self._pair_venues()
        current = self.venues.currentData()
        self.venues.clear()
        self.venues.addItem("any two venues", (ANY, ANY))
        for i, a in enumerate(venues):
            for b in venues[i + 1:]:
                self.venues.addItem(f"{a} ↔ {b}", (a, b))
        found = self.venues.findData(current) if current else -1
        self.venues.setCurrentIndex(found if found >= 0 else 0)

    def add_current(self) -> None:
        """Add what the box names, or with the box empty the symbol selected in the app."""
        text = self.pair.text().strip()
        if not text:
            selection = self.window_.session.selection
            if selection is None:
                self.say("Select a symbol (board, spreads) or write it as BASE/QUOTE@venue")
                return
            venue, symbol = selection
        else:
            symbol, _, venue = text.partition("@")
            venue = venue.strip() or "demo"
            symbol = symbol.strip().upper()
            if venue.lower() in ("any", "any venue", "*"):
                venue = ANY
        if "/" not in symbol:
            self.say("Write the pair as BASE/QUOTE@venue, for example BTC/USD@demo")
            return
        markets = self.window_.session.states.get(venue)
        if markets is not None and markets.markets and symbol not in markets.markets:
            self.say(f"{symbol} is not traded on {venue}")
            return
        row = self.model.add(venue, symbol)
        self.table.selectRow(row)
        self.pair.clear()
        self.say("")

    def remove_selected(self) -> None:
        self.model.remove(self.current_row())

    def add_alert(self) -> None:
        row = self.current_row()
        if row < 0:
            self.say("Select a row of the watchlist first")
            return
        kind = self.kind.currentData()
        text = self.value.text().strip().replace(",", "")
        margin = self.rearm.text().strip().replace(",", "") or None
        venues = (self.venues.currentData() or (ANY, ANY)) if kind == "spread" else (ANY, ANY)
        try:
            rule = watchlist.Rule(kind, text, self.minutes.value() * 60, venues=venues,
                                  rearm=margin)
        except ValueError as exc:
            self.say(str(exc)[:1].upper() + str(exc)[1:])
            return
        item = self.model.items[row]
        if kind in CROSS_KINDS and not item.cross:
            # Spreads and any-venue moves watch the pair on every venue: their own row.
            row = self.model.add(ANY, item.symbol)
            self.table.selectRow(row)
        elif kind not in CROSS_KINDS and item.cross:
            self.say("Above, below and move alerts are for one venue: add SYMBOL@venue")
            return
        self.model.add_rule(row, rule)
        self.value.clear()
        self.say("")

    def clear_alerts(self) -> None:
        row = self.current_row()
        if row >= 0:
            self.model.clear_rules(row)

    def rearm_alerts(self) -> None:
        row = self.current_row()
        if row >= 0:
            n = self.model.rearm(row)
            self.say(f"{n} alert{'s' if n != 1 else ''} armed again" if n else
                     "Every alert of this row is armed")

    def _on_alert(self, text: str) -> None:
        notify("Price alert", text)
        if self.sound.isChecked():
            play_sound()
        self.window_.message.emit(f"Alert: {text}")


def build(window) -> WatchlistView:
    return WatchlistView(window)
