"""P&L dock: per asset and in total, by average cost with fees, in the portfolio's currency.
The method is in every header's and cell's tooltip (and the README)."""
from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from .. import theme
from ..ledger.pnl import METHOD
from ..models.pnl import PnLModel
from ..models.portfolio import money
from .board import configure_table

__all__ = ["PnLView", "build"]


def _signed(value, currency: str) -> str:
    text = money(value, currency)
    return f"+{text}" if value is not None and value > 0 else text


class PnLView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.portfolio = p = window.portfolio
        self.model = PnLModel(self)
        self.summary = QLabel("P&L appears once the ledger has fills")
        self.summary.setWordWrap(True)
        self.table = QTableView()
        self.table.setModel(self.model)
        configure_table(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        digit = self.table.fontMetrics().horizontalAdvance("0")
        for col, chars in enumerate((7, 12, 10, 11, 10, 11, 10, 10, 8)):
            header.resizeSection(col, digit * chars + 12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.notes = QLabel("")
        self.notes.setWordWrap(True)
        self.notes.setVisible(False)
        layout.addWidget(self.notes)
        self._tooltip(p.currency)
        p.pnl_ready.connect(self.show_pnl)
        p.valued.connect(self._on_valued)
        p.currency_changed.connect(self._tooltip)
        if p.pnl is not None:
            self.show_pnl(p.pnl)
        else:
            p.recompute_pnl()

    def _tooltip(self, currency: str) -> None:
        self.setToolTip(METHOD.format(currency=currency))

    def show_pnl(self, pnl) -> None:
        v = self.portfolio.valuation
        if v is not None and v.currency == pnl.currency:
            self.model.rates = dict(v.rates)
        self.model.set_pnl(pnl)
        self._summarize()

    def _on_valued(self, v) -> None:
        self.model.set_rates(v)
        self._summarize()

    def _summarize(self) -> None:
        pnl = self.model.pnl
        if pnl is None:
            return
        t = self.model.totals()
        cur = pnl.currency
        if not pnl.fills:
            self.summary.setText(f"No fills in the ledger yet: P&L in {cur} starts with the "
                                 f"first fill (or import a venue's CSV export)")
            return
        marked = self.model.notes
        self.notes.setText("* " + " · ".join(marked) if marked else "")
        self.notes.setVisible(bool(marked))
        total = t.get("Total P&L")
        color = (theme.up_color() if total and total > 0 else theme.down_color() if total
                 else theme.muted_color()).name()
        self.summary.setText(
            f"<b>Total P&amp;L <span style='color:{color}'>{_signed(total, cur)} {cur}</span>"
            f"</b> &nbsp; realized {_signed(t.get('Realized'), cur)} · unrealized "
            f"{_signed(t.get('Unrealized'), cur)} · fees {money(t.get('Fees'), cur)} · "
            f"{pnl.fills} fills, average cost")

    def restyle(self) -> None:
        self._summarize()


def build(window) -> PnLView:
    return PnLView(window)
