"""Run by test_zz_maximised_screenshots in a process of its own on an X server with a window
manager: the app's first start (maximised), with live data, two open orders and the crosshair
on the chart; saves a PNG of the window and prints one line of JSON about the layout."""
from __future__ import annotations

import asyncio
import json
import os
import sys
from decimal import Decimal

import qasync
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication


async def main(app, out: str) -> int:
    from gui import app as app_mod
    window = app_mod._window(app)
    app_mod.show(window)
    try:
        await window.start()
        chart = window.views["chart"]
        while not (chart.loaded and window.book.rowCount() >= 15 and window.trades.rowCount()):
            await asyncio.sleep(0.1)
        adapter = window.session.adapters["demo"]
        t = await adapter.fetch_ticker("BTC/USD")
        D = Decimal
        await adapter.create_order("BTC/USD", "buy", "limit", D("0.05"),
                                   (t.bid * D("0.9993")).quantize(D("0.01")))
        await adapter.create_order("BTC/USD", "sell", "limit", D("0.02"),
                                   (t.ask * D("1.002")).quantize(D("0.01")))
        window.trading.refresh()
        await asyncio.sleep(1.2)
        row = chart.history[-30]
        chart.hover(chart.price.getViewBox().mapViewToScene(QPointF(row[0], row[2])))
        await asyncio.sleep(0.5)
        ok = window.grab().save(out, "PNG")
        book = window.views["book"].table
        board = window.views["board"].table
        header = board.horizontalHeader()
        screen = window.screen().availableGeometry()
        print(json.dumps({
            "saved": ok, "maximized": window.isMaximized(),
            "window": [window.width(), window.height()],
            "screen": [screen.width(), screen.height()],
            "book_rows": book.viewport().height() // book.rowHeight(0),
            "board_fits": sum(header.sectionSize(c) for c in range(header.count()))
            <= board.viewport().width()}), flush=True)
    finally:
        await window.shutdown(save=False)
    return 0


if __name__ == "__main__":
    app = QApplication(sys.argv[:1])
    from gui import theme
    theme.apply(app, os.environ.get("ATLAS_THEME", "dark"))
    from gui.settings import Settings
    Settings().set_theme(os.environ.get("ATLAS_THEME", "dark"))
    sys.exit(qasync.run(main(app, sys.argv[1])))
