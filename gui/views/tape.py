"""Trades tape: the selected symbol's public trades, newest first."""
from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableView

from .board import configure_table

__all__ = ["build"]


def build(window) -> QTableView:
    table = QTableView()
    table.setModel(window.trades)
    configure_table(table)
    table.setSelectionMode(QTableView.SelectionMode.NoSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table
