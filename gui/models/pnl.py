"""P&L per asset and in total, by average cost with fees (gui/ledger/pnl.py), in the chosen
currency. Positions come from the ledger's fills (recomputed when fills change); today's rates
come from the live valuation, so Price, Value and Unrealized move with the market and emit
`dataChanged` for the cells that changed. The last row is the total.
"""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from .. import theme
from ..ledger.pnl import METHOD
from .portfolio import amount_text, money, rate_text
from .table import TableModel

__all__ = ["PnLModel", "COLUMNS", "SORT_ROLE", "TOTAL"]

COLUMNS = ("Asset", "Position", "Avg cost", "Cost", "Price", "Value", "Unrealized",
           "Realized", "Fees", "Total P&L")
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
TOTAL = "Total"
(_ASSET, _POSITION, _AVG, _COST, _PRICE, _VALUE, _UNREAL, _REAL, _FEES,
 _PNL) = range(len(COLUMNS))
MARK = " *"          # after an asset whose row leaves something out (see `notes`)
_SIGNED = frozenset({_UNREAL, _REAL, _PNL})
_ZERO = Decimal(0)


class PnLModel(TableModel):
    UNASKED = TableModel.UNASKED - {int(Qt.ItemDataRole.FontRole)}    # (it sets fonts)
    COLUMNS = COLUMNS
    NUMERIC = frozenset(range(1, len(COLUMNS)))

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.currency = "USD"
        self.pnl = None
        self.rates: dict[str, Decimal] = {}
        self._assets: list[str] = []
        self._rows: list[tuple[list[str], list]] = []
        self._tips: list[str | None] = []
        self.notes: list[str] = []              # "SOL: 120 sold without a known cost" …

    def row_count(self) -> int:
        return len(self._rows)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            method = METHOD.format(currency=self.currency)
            if section == _FEES:
                return ("Fees paid on this asset's trades, in " + self.currency + ": already "
                        "inside its cost and its realized P&L, shown for reference.\n" + method)
            return method
        return super().headerData(section, orientation, role)

    def cell(self, row: int, col: int, role):
        texts, raws = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return texts[col]
        if role == SORT_ROLE:
            return raws[col]
        if role == Qt.ItemDataRole.ForegroundRole and col in _SIGNED and raws[col]:
            return theme.up_color() if raws[col] > 0 else theme.down_color()
        if role == Qt.ItemDataRole.FontRole and texts[_ASSET] == TOTAL:
            from PySide6.QtGui import QFont
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tips[row] if col == _ASSET else METHOD.format(currency=self.currency)
        return None

    # -- updates -----------------------------------------------------------------------------
    def set_pnl(self, pnl) -> None:
        self.pnl = pnl
        self.currency = pnl.currency
        self._refresh()

    def set_rates(self, valuation) -> None:
        if self.pnl is None or valuation.currency != self.currency:
            return
        self.rates = dict(valuation.rates)
        self._refresh()

    def _refresh(self) -> None:
        pnl, cur = self.pnl, self.currency
        assets = sorted(a for a, p in pnl.positions.items()
                        if p.fills or p.quantity or p.realized or p.unknown_basis)
        rows, tips, notes = [], [], []
        totals = [_ZERO] * len(COLUMNS)
        missing = False
        for a in assets:
            p = pnl.positions[a]
            rate = self.rates.get(a)
            value = p.quantity * rate if rate is not None else None
            unreal = p.unrealized(rate) if p.quantity else _ZERO
            total = p.realized + unreal if unreal is not None else None
            if p.quantity and rate is None:
                missing = True
            note = self._note(p, rate)
            if note:
                notes.append(f"{a}: {note}")
            raws = [a, p.quantity, p.average, p.cost, rate, value, unreal, p.realized, p.fees,
                    total]
            texts = [a + (MARK if note else ""), amount_text(p.quantity), rate_text(p.average, cur)
                     if p.average is not None else "", money(p.cost, cur),
                     rate_text(rate, cur) if p.quantity else "",
                     money(value, cur) if p.quantity else "",
                     money(unreal, cur), money(p.realized, cur), money(p.fees, cur),
                     money(total, cur)]
            rows.append((texts, raws))
            tips.append(self._tip(p))
            for col in (_COST, _VALUE, _UNREAL, _REAL, _FEES, _PNL):
                if raws[col] is not None:
                    totals[col] += raws[col]
        t_texts = [TOTAL, "", "", money(totals[_COST], cur), "",
                   money(totals[_VALUE], cur), money(totals[_UNREAL], cur),
                   money(totals[_REAL], cur), money(totals[_FEES], cur),
                   money(totals[_PNL], cur)]
        t_raws = [TOTAL, None, None] + totals[3:]
        rows.append((t_texts, t_raws))
        self.notes = notes
        notes = []
        if missing:
            notes.append("assets held without a rate to " + cur + " are left out of the totals")
        if pnl.unconverted:
            notes.append(f"{pnl.unconverted} fill(s) had no rate to {cur} and are left out")
        if pnl.approximate:
            notes.append(f"{pnl.approximate} fill(s) converted at today's rate (no rate of "
                         f"their time was recorded)")
        tips.append("; ".join(notes).capitalize() if notes else
                    f"{pnl.fills} fills, {METHOD.format(currency=cur)}")
        if assets == self._assets and len(rows) == len(self._rows):
            old = self._rows
            self._rows, self._tips = rows, tips
            for r, (texts, _raws) in enumerate(rows):
                changed = [c for c in range(len(COLUMNS)) if old[r][0][c] != texts[c]]
                if changed:
                    self.dataChanged.emit(self.index(r, changed[0]), self.index(r, changed[-1]),
                                          [Qt.ItemDataRole.DisplayRole])
            return
        self.beginResetModel()
        self._assets, self._rows, self._tips = assets, rows, tips
        self.endResetModel()

    def _note(self, p, rate) -> str:
        """What the figures of this row leave out, in a few words."""
        notes = []
        if p.unknown_basis:
            notes.append(f"{amount_text(p.unknown_basis)} sold without a known cost (held "
                         f"before the ledger, or deposited): no P&L counted for them")
        if p.quantity and rate is None:
            notes.append(f"no rate to {self.currency}")
        if p.unconverted:
            notes.append(f"{p.unconverted} fill(s) left out")
        if p.approximate:
            notes.append(f"{p.approximate} at today's rate")
        return "; ".join(notes)

    def _tip(self, p) -> str:
        lines = [f"{p.asset}: {p.fills} fill(s) as the asset traded"]
        if p.unknown_basis:
            lines.append(f"{amount_text(p.unknown_basis)} {p.asset} sold or spent beyond what "
                         f"the fills bought (deposited, or bought before the ledger): no P&L "
                         f"is counted for it")
        if p.approximate:
            lines.append(f"{p.approximate} fill(s) converted at today's rate")
        if p.unconverted:
            lines.append(f"{p.unconverted} fill(s) left out: no rate to {self.currency}")
        return "\n".join(lines)

    def totals(self) -> dict[str, object]:
        """The total row's raw values by column name (for tests and the summary line)."""
        if not self._rows:
            return {}
        return dict(zip(COLUMNS, self._rows[-1][1]))

    def row_of(self, asset: str) -> int | None:
        try:
            return self._assets.index(asset)
        except ValueError:
            return None

