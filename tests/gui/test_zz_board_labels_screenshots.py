"""Render the board and the book with a day's change, a missing change and Coinbase's twin
pairs (tests/gui/screenshots/, gitignored), small and large, in both themes, for review."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

import exchanges
from gui import theme
from gui.session import Session
from tests.fakes.coinbase import FakeCoinbase

from .conftest import save_screenshots
from .test_board_labels import DayOpenVenue, board_row


@pytest.mark.parametrize("mode", ["dark", "light"])
@pytest.mark.parametrize("size", [(1024, 640), (1680, 1000)], ids=["small", "large"])
def test_render_the_board_labels(window_factory, aloop, mode, size):
    app = QApplication.instance()
    theme.apply(app, mode)
    fake = FakeCoinbase()
    aloop.run(fake.__aenter__())
    try:
        day = DayOpenVenue(streams=False)
        w = window_factory(session=Session(poll_seconds=0.2, factory=lambda _id: day if _id ==
                                           "fake" else exchanges.create(_id, urls=fake.urls)))
        w.resize(*size)
        w.show()
        aloop.run(w.start(restore=False, venues=["fake", "coinbase"]))
        aloop.until(lambda: board_row(w, "coinbase", "BTC/USDC") is not None
                    and board_row(w, "fake", "BBB/USD") is not None, what="the board")
        w.views["board"].table.selectRow(board_row(w, "coinbase", "BTC/USDC"))
        aloop.until(lambda: w.book.rowCount() > 0, what="the BTC/USDC book")
        aloop.run(__import__("asyncio").sleep(0.5))
        w_, h = size
        save_screenshots({f"labels-{w_}-window": w.grab(),
                          f"labels-{w_}-board": w.docks["board"].grab(),
                          f"labels-{w_}-book": w.docks["book"].grab()}, mode)
    finally:
        aloop.run(fake.__aexit__(None, None, None))
        theme.apply(app, "light")
