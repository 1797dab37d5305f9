"""Render every view on the live demo into tests/gui/screenshots/ (gitignored) for review.

Named zz so it runs last in this folder. Each image is also checked to be non-blank.
"""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from gui import theme
from gui.views import DOCKS

from .conftest import save_screenshots


@pytest.mark.parametrize("mode", ["dark", "light"])
def test_render_every_view(window_factory, aloop, mode):
    app = QApplication.instance()
    theme.apply(app, mode)
    try:
        w = window_factory()
        w.resize(1680, 1000)
        w.show()
        aloop.run(w.start(restore=False))
        aloop.until(lambda: w.tickers.rowCount() == 12 and w.book.rowCount() > 0
                    and w.trades.rowCount() > 0 and w.views["chart"].loaded,
                    timeout=15, what="live data in every view")
        aloop.run(__import__("asyncio").sleep(1.0))    # a few ticks: flashes, forming candle
        shots = {"window": w.grab()}
        shots.update({spec.name: w.docks[spec.name].grab() for spec in DOCKS})
        w.views["exchanges"].filter.setText("bit")       # closed, renamed, active side by side
        shots["exchanges-filtered"] = w.docks["exchanges"].grab()
        save_screenshots(shots, mode)
    finally:
        theme.apply(app, "light")
