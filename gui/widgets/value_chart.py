"""A line of the portfolio's total value over time (pyqtgraph), from the ledger's snapshots."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from .. import theme

__all__ = ["ValueChart"]


class ValueChart(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent, axisItems={"bottom": pg.DateAxisItem()})
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.12)
        plot.showAxis("right")
        plot.hideAxis("left")
        plot.getAxis("right").setWidth(72)
        self.setMouseEnabled(x=True, y=False)
        self.curve = plot.plot([], [], pen=pg.mkPen(theme.up_color(), width=2),
                               symbol="o", symbolSize=4)
        self.empty = pg.TextItem("", anchor=(0.5, 0.5))
        plot.addItem(self.empty, ignoreBounds=True)
        self.points = 0
        self.restyle()

    def set_points(self, times_ms: list[int], totals: list[Decimal], currency: str) -> None:
        self.points = len(times_ms)
        # Decimal → float only here, at the plotting boundary.
        x = np.array([t / 1000 for t in times_ms], dtype=float)
        y = np.array([float(v) for v in totals], dtype=float)
        self.curve.setData(x, y)
        self.curve.setSymbolSize(5 if len(x) < 60 else 0)
        self.getPlotItem().getAxis("right").setLabel(currency)
        if self.points:
            self.empty.setText("")
            self.enableAutoRange()
        else:
            self.empty.setText(f"No balance snapshots in {currency} yet: one is stored every "
                               f"few minutes while the app runs")
            self.empty.setPos(0.5, 0.5)
            self.getPlotItem().setRange(xRange=(0, 1), yRange=(0, 1))

    def restyle(self) -> None:
        pal = QApplication.instance().palette() if QApplication.instance() else QPalette()
        self.setBackground(pal.color(QPalette.ColorRole.Base))
        color = theme.up_color()
        self.curve.setPen(pg.mkPen(color, width=2))
        self.curve.setSymbolBrush(color)
        self.curve.setSymbolPen(color)
        self.empty.setColor(QColor(theme.muted_color()))
        for name in ("right", "bottom"):
            axis = self.getPlotItem().getAxis(name)
            axis.setPen(pal.color(QPalette.ColorRole.Mid))
            axis.setTextPen(pal.color(QPalette.ColorRole.Text))
