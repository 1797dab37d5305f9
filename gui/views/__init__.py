"""The docks of the main window, one module each. Adding a dock is one `DockSpec` line below.

A dock's `build(window)` returns its widget; it reads shared state from the window
(`window.session`, `window.tickers`, `window.select(...)`) and does no I/O of its own.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt

__all__ = ["DockSpec", "DOCKS"]

_Area = Qt.DockWidgetArea


@dataclass(frozen=True, slots=True)
class DockSpec:
    name: str                      # objectName: the key saveState/restoreState use; never rename
    title: str
    build: Callable                # build(window) -> QWidget
    area: Qt.DockWidgetArea = _Area.LeftDockWidgetArea
    tab_with: str | None = None    # tabify with this dock name
    shortcut: str | None = None    # View-menu toggle shortcut
    scroll: bool = False           # in a scroll area: a dock squeezed small scrolls, not clips


def _lazy(module: str, name: str = "build") -> Callable:
    def build(window):
        import importlib
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)(window)
    return build


DOCKS: list[DockSpec] = [
    DockSpec("exchanges", "Exchanges", _lazy("exchanges"), _Area.LeftDockWidgetArea, shortcut="Ctrl+1"),
    DockSpec("board", "Tickers", _lazy("board"), _Area.LeftDockWidgetArea, shortcut="Ctrl+2"),
    DockSpec("chart", "Chart", _lazy("chart"), _Area.LeftDockWidgetArea, shortcut="Ctrl+3"),
    DockSpec("book", "Order book", _lazy("book"), _Area.RightDockWidgetArea, shortcut="Ctrl+4"),
    DockSpec("trades", "Trades", _lazy("tape"), _Area.RightDockWidgetArea, shortcut="Ctrl+5"),
    DockSpec("log", "Log", _lazy("log"), _Area.LeftDockWidgetArea, shortcut="Ctrl+6"),
    DockSpec("balances", "Balances", _lazy("balances"), _Area.LeftDockWidgetArea, tab_with="order_entry", shortcut="Ctrl+9"),
    DockSpec("order_entry", "Order entry", _lazy("order_entry"), _Area.LeftDockWidgetArea, shortcut="Ctrl+7", scroll=True),
    DockSpec("orders", "Open orders", _lazy("orders"), _Area.LeftDockWidgetArea, tab_with="log", shortcut="Ctrl+8"),
    DockSpec("watchlist", "Watchlist", _lazy("watchlist"), _Area.LeftDockWidgetArea, tab_with="exchanges", shortcut="Ctrl+0"),
    DockSpec("portfolio", "Portfolio", _lazy("portfolio"), _Area.LeftDockWidgetArea, tab_with="chart"),
    DockSpec("pnl", "PnL", _lazy("pnl"), _Area.LeftDockWidgetArea, tab_with="chart"),
    DockSpec("ledger", "Trade history", _lazy("ledger"), _Area.LeftDockWidgetArea, tab_with="chart"),
    DockSpec("consolidated", "Cross-venue book", _lazy("consolidated"), _Area.LeftDockWidgetArea, tab_with="chart", shortcut="Ctrl+Shift+1"),
    DockSpec("spreads", "Spreads", _lazy("spreads"), _Area.LeftDockWidgetArea, tab_with="board", shortcut="Ctrl+Shift+2"),
    DockSpec("map", "Exchange map", _lazy("map"), _Area.LeftDockWidgetArea, tab_with="chart", shortcut="Ctrl+Shift+3"),
]
