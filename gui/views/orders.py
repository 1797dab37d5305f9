"""Open orders dock: every trading venue's open orders; Cancel (selected) and Cancel all, each
confirmed first. The list refreshes after each action and every poll period."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from .. import format as fmt
from ..models.orders import ORDER_ROLE, OrdersModel
from ..models.proxy import ValueSortProxy
from ..widgets.gap import GapDelegate
from .board import configure_table

__all__ = ["OrdersView", "build"]


class OrdersView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window_ = window
        self.trading = window.trading
        self.model = OrdersModel(self)
        self.proxy = ValueSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        configure_table(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, w in enumerate((60, 80, 44, 54, 96, 90, 90, 110, 96, 120)):
            header.resizeSection(col, w)
        header.setStretchLastSection(True)
        self.gap = GapDelegate(self.table)
        self.table.setItemDelegateForColumn(7, self.gap)     # status, after the numbers
        self.cancel_button = QPushButton("Cancel selected")
        self.cancel_all_button = QPushButton("Cancel all")
        self.refresh_button = QPushButton("Refresh")
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.cancel_all_button.clicked.connect(self.cancel_all)
        self.refresh_button.clicked.connect(lambda: self.trading.refresh())
        # Delete in the table cancels the selection (asked first); in the table only, so the
        # key keeps deleting text everywhere else.
        self.delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table,
                                    self.cancel_selected,
                                    context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.cancel_button.setToolTip("Cancel the selected orders (Del)")
        self.cancel_all_button.setToolTip("Cancel every open order (Ctrl+Shift+Del)")
        self.count = QLabel("No open orders")
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.count, 1)
        for b in (self.refresh_button, self.cancel_button, self.cancel_all_button):
            bar.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.table)
        layout.addLayout(bar)
        t = self.trading
        t.orders.connect(self.model.set_orders)
        t.unknown.connect(self.model.add_unknown)
        t.resolved.connect(self.model.resolve)
        window.session.markets_loaded.connect(self._on_markets)
        for m in (self.model.rowsInserted, self.model.rowsRemoved):
            m.connect(self._update_count)
        self._update_count()

    def _on_markets(self, venue: str, markets: dict) -> None:
        self.model.markets[venue] = markets

    def _update_count(self, *_args) -> None:
        n = self.model.rowCount()
        self.count.setText(f"{n} open order{'s' if n != 1 else ''}" if n else "No open orders")
        self.cancel_all_button.setEnabled(n > 0)

    def selected(self) -> list[tuple[str, object]]:
        rows = {ix.row() for ix in self.table.selectionModel().selectedRows()}
        items = [self.proxy.index(r, 0).data(ORDER_ROLE) for r in sorted(rows)]
        return [(v, o) for v, o in items if o.id]       # an unconfirmed order has no id yet

    def ask(self, title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return QMessageBox.StandardButton(box.exec()) == QMessageBox.StandardButton.Yes

    def _line(self, venue: str, o) -> str:
        m = self.model.markets.get(venue, {}).get(o.symbol)
        price = (f" at {fmt.price(o.price, m.price_increment if m else None)}"
                 if o.price is not None else "")
        amount = fmt.amount(o.amount, m.amount_increment if m else None)
        return f"{o.side} {amount} {o.symbol}{price} on {venue} (order {o.id})"

    def cancel_selected(self) -> None:
        items = self.selected()
        if not items:
            self.window_.say("Select the orders to cancel first")
            return
        lines = "\n".join(self._line(v, o) for v, o in items[:10])
        more = f"\n… and {len(items) - 10} more" if len(items) > 10 else ""
        if self.ask("Cancel orders", f"Cancel {len(items)} order(s)?\n\n{lines}{more}"):
            self.window_.run(self.trading.cancel_many(items))

    def cancel_all(self) -> None:
        items = [(v, o) for v, o in self.model.orders() if o.id]
        if not items:
            return
        venues = sorted({v for v, _ in items})
        if self.ask("Cancel all orders",
                    f"Cancel all {len(items)} open order(s) on {', '.join(venues)}?"):
            self.window_.run(self.trading.cancel_many(items))


def build(window) -> OrdersView:
    return OrdersView(window)
