"""Balances dock: per currency across venues, each venue's share below (see models.balances)."""
from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTreeView, QVBoxLayout, QWidget

from .. import format as fmt
from ..models.balances import BalanceModel

__all__ = ["BalancesView", "build"]


class BalancesView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.trading = window.trading
        self.model = BalanceModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setIndentation(12)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 90)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.tree)
        layout.addWidget(self.note)
        self.model.rowsInserted.connect(self._expand)
        self.trading.balances.connect(self.model.set_balances)
        self.trading.account_error.connect(self._on_error)
        window.session.venue_closed.connect(self.model.remove_venue)
        window.session.markets_loaded.connect(self._on_markets)

    def _on_markets(self, _venue: str, markets: dict) -> None:
        """Each asset at the places its markets trade it in: the finest amount increment where
        it is bought and sold; an asset that only prices others (USD) at the coarsest of those
        prices' increments (2 for USD, whatever a 0.00001 DOGE price says)."""
        bases: dict[str, int] = {}
        quotes: dict[str, int] = {}
        for m in markets.values():
            bases[m.base] = max(bases.get(m.base, 0), fmt.places(m.amount_increment, 4))
            quotes[m.quote] = min(quotes.get(m.quote, 99), fmt.places(m.price_increment))
        known = self.model.asset_places
        places = {cur: max(p, known.get(cur, 0)) for cur, p in bases.items()}
        places.update({cur: p for cur, p in quotes.items() if cur not in bases
                       and cur not in known})
        self.model.set_asset_places(places)

    def _expand(self, parent, first: int, last: int) -> None:
        if parent.isValid():          # a currency got a venue row: show it
            self.tree.expand(parent)

    def _on_error(self, venue: str, reason: str) -> None:
        self.note.setText(f"{venue}: balances could not be updated: {reason}")
        self.note.setVisible(True)


def build(window) -> BalancesView:
    return BalancesView(window)
