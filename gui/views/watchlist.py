"""Watchlist dock: symbol@venue rows with live last prices and alert rules (above / below /
% move in a window). Alerts raise a desktop notification where there is a tray, and a log line.
The list is saved (atomically, as JSON) after every change and read back at the next launch."""
from __future__ import annotations

import logging


from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QTableView, QVBoxLayout, QWidget)

from .. import watchlist
from ..models.watchlist import WatchlistModel
from ..notify import notify
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

        self.pair = QLineEdit(placeholderText="BTC/USD@demo")
        self.pair.returnPressed.connect(self.add_current)
        self.add_button = QPushButton("Add")
        self.add_button.clicked.connect(self.add_current)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.kind = QComboBox()
        self.kind.addItem("Above", "above")
        self.kind.addItem("Below", "below")
        self.kind.addItem("Move %", "move")
        self.value = QLineEdit(placeholderText="price, or % for a move")
        self.value.returnPressed.connect(self.add_alert)
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 24 * 60)
        self.minutes.setValue(5)
        self.minutes.setSuffix(" min")
        self.kind.currentIndexChanged.connect(
            lambda _i: self.minutes.setEnabled(self.kind.currentData() == "move"))
        self.minutes.setEnabled(False)
        self.alert_button = QPushButton("Add alert")
        self.alert_button.clicked.connect(self.add_alert)
        self.clear_button = QPushButton("Clear alerts")
        self.clear_button.clicked.connect(self.clear_alerts)
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
        buttons = QHBoxLayout()
        buttons.setSpacing(3)
        buttons.addStretch(1)
        buttons.addWidget(self.alert_button)
        buttons.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.note)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addLayout(rules)
        layout.addLayout(buttons)

        self.model.changed.connect(self.save)
        self.model.alert.connect(self._on_alert)
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

    def add_current(self) -> None:
        text = self.pair.text().strip()
        symbol, _, venue = text.partition("@")
        venue = venue.strip() or "demo"
        symbol = symbol.strip().upper()
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
        try:
            rule = watchlist.Rule(kind, text, self.minutes.value() * 60)
        except ValueError as exc:
            self.say(str(exc)[:1].upper() + str(exc)[1:])
            return
        self.model.add_rule(row, rule)
        self.value.clear()
        self.say("")

    def clear_alerts(self) -> None:
        row = self.current_row()
        if row >= 0:
            self.model.clear_rules(row)

    def _on_alert(self, text: str) -> None:
        notify("Price alert", text)
        self.window_.message.emit(f"Alert: {text}")


def build(window) -> WatchlistView:
    return WatchlistView(window)
