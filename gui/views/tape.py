"""Trades tape: the selected symbol's public trades, newest first. A click on a price puts it
in the order form, on a size that amount."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from ..widgets.give_way import GiveWay
from .board import configure_table

__all__ = ["build"]


def build(window) -> QTableView:
    table = QTableView()
    table.setModel(window.trades)
    configure_table(table)
    table.setSelectionMode(QTableView.SelectionMode.NoSelection)
    # Every column as wide as its content (never "14:46:0…"); narrow, the side (its colour
    # says it too), then the time give way to price and size.
    table.give_way = GiveWay(table, [(1,), (2,), (3,), (0,)])
    table.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
    table.setToolTip("Click a price to put it in the order form, a size for the amount")

    def clicked(index) -> None:
        found = window.trades.value_at(index.row(), index.column())
        if found is not None:
            window.fill_order(**{found[0]: found[1]})
    table.clicked.connect(clicked)
    return table
