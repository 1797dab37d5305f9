"""Render the Portfolio, P&L and Fills & orders docks with real content, in both themes, in a
large and a small (1024×640) window, for review."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QApplication

from exchanges import Balance
from gui import theme
from gui.session import Session

from .conftest import save_screenshots
from .test_portfolio import KeyedVenue

DOCKS = ("portfolio", "pnl", "ledger")


class KeyedWithDust(KeyedVenue):
    """The keyed fake venue, also holding a token no connected venue quotes."""

    async def fetch_balance(self):
        held = await super().fetch_balance()
        held["NOPE"] = Balance(Decimal("12345"), Decimal(0), Decimal("12345"))
        return held


def factory(venue_id: str):
    import exchanges
    return KeyedWithDust() if venue_id == "fakex" else exchanges.create(venue_id)


def trade_on_demo(w, aloop) -> None:
    """A morning of trading on the demo: buys, sells, a cross pair, a resting order."""
    adapter = w.session.adapters["demo"]
    for sym, side, amount in (("BTC/USD", "buy", "0.25"), ("ETH/USD", "buy", "4"),
                              ("SOL/USD", "sell", "120"), ("ETH/BTC", "buy", "1.5"),
                              ("BTC/USD", "sell", "0.1"), ("DOGE/USD", "buy", "20000")):
        aloop.run(adapter.create_order(sym, side, "market", Decimal(amount)))
    t = aloop.run(adapter.fetch_ticker("BTC/USD"))
    aloop.run(adapter.create_order("BTC/USD", "buy", "limit", Decimal("0.05"),
                                   t.bid - Decimal(400)))


def seed_history(w) -> None:
    """Snapshots of the past week, so the balance history has a line to show."""
    import random
    from exchanges import Balance
    p = w.portfolio
    v = p.valuation
    rng = random.Random(3)
    now = p.ledger.clock()
    total = v.total
    for i in range(7 * 24, 0, -1):
        total = total * Decimal(1 + rng.gauss(0, 0.004)).quantize(Decimal("0.000001"))
        fake = type(v)(v.currency, total=total.quantize(Decimal("0.01")))
        p.ledger.snapshot({"demo": {"USD": Balance(total, Decimal(0), total)}}, fake,
                          ts=now - i * 3_600_000)
    p.history_changed.emit()


@pytest.mark.parametrize("size", ["large", "small"])
@pytest.mark.parametrize("mode", ["dark", "light"])
def test_render_portfolio_docks(window_factory, aloop, qtbot, mode, size):
    app = QApplication.instance()
    theme.apply(app, mode)
    try:
        w = window_factory(session=Session(factory=factory))
        w.trading.poll_seconds = 0.2
        w.resize(*((1680, 1000) if size == "large" else (1024, 640)))
        w.show()
        aloop.run(w.start(restore=False, venues=["demo", "fakex"]))
        p = w.portfolio
        aloop.until(lambda: p.valuation is not None and "XYZ" in p.valuation.rates
                    and "NOPE" in p.valuation.unvalued, what="a valuation of both venues")
        trade_on_demo(w, aloop)
        w.trading.refresh()
        aloop.until(lambda: p.ledger.count_fills() >= 6, what="fills in the ledger")
        aloop.until(lambda: p.pnl is not None and p.pnl.fills >= 6, what="P&L")
        seed_history(w)
        aloop.run(asyncio.sleep(0.8))
        shots = {}
        for name in DOCKS:
            w.docks[name].raise_()
            aloop.run(asyncio.sleep(0.15))
            shots[f"{name}-{size}"] = w.docks[name].grab()
        w.views["ledger"].tabs.setCurrentIndex(1)
        aloop.run(asyncio.sleep(0.15))
        shots[f"ledger-orders-{size}"] = w.docks["ledger"].grab()
        w.docks["portfolio"].raise_()
        aloop.run(asyncio.sleep(0.15))
        shots[f"portfolio-window-{size}"] = w.grab()
        w.views["portfolio"].group.setCurrentIndex(1)               # by venue
        aloop.run(asyncio.sleep(0.3))
        shots[f"portfolio-by-venue-{size}"] = w.docks["portfolio"].grab()
        save_screenshots(shots, mode)
    finally:
        theme.apply(app, "light")
