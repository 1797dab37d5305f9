"""The Portfolio, PnL and Trade history docks on the demo venue and a fake venue with keys,
driven through the app: fills reach the ledger, the portfolio, the P&L and the export."""
from __future__ import annotations

import asyncio
import csv
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from exchanges import Balance, Market, Ticker, Trade
from gui.ledger.store import FillFilter
from gui.models.fills import FillsModel
from gui.models.pnl import PnLModel
from gui.models.portfolio import NOT_VALUED, PortfolioModel
from gui.session import Session
from gui.trading import OrderRequest

from .test_trading import ui

D = Decimal
DATA = Path(__file__).parents[1] / "ledger" / "data"


class KeyedVenue:
    """A venue with API keys: XYZ/BTC only, 1,000 XYZ held, two fills in its history."""

    def __init__(self) -> None:
        self.id = "fakex"
        self.name = "Fake X"
        self.credentials = object()          # Trading treats it as a venue with keys
        self.has = {"load_markets": True, "fetch_tickers": True, "fetch_ticker": True,
                    "watch_ticker": False, "fetch_order_book": False, "watch_order_book": False,
                    "fetch_trades": False, "watch_trades": False, "fetch_ohlcv": False,
                    "fetch_balance": True, "fetch_open_orders": True, "fetch_my_trades": True,
                    "watch_my_trades": False, "watch_orders": False, "fetch_order": False}
        self.status_listeners = []
        self.markets = {"XYZ/BTC": Market("XYZ/BTC", "XYZBTC", "XYZ", "BTC", D("0.0000001"),
                                          D("1"))}
        self.fills = [Trade("x1", 1_700_000_000_000, "buy", D("0.0010000"), D("1500"),
                            "XYZ/BTC", order_id="ox1", fee=D("1.5"), fee_currency="XYZ"),
                      Trade("x2", 1_700_000_060_000, "sell", D("0.0012000"), D("500"),
                            "XYZ/BTC", order_id="ox2", fee=D("0.0000006"),
                            fee_currency="BTC")]
        self.calls = 0

    async def __aenter__(self):
        return self

    async def close(self):
        pass

    async def load_markets(self, reload=False):
        return self.markets

    async def fetch_tickers(self, symbols=None):
        return {"XYZ/BTC": Ticker("XYZ/BTC", 0, D("0.0011000"), D("0.0011200"),
                                  D("0.0011100"))}

    async def fetch_ticker(self, symbol):
        return (await self.fetch_tickers())[symbol]

    async def fetch_balance(self):
        return {"XYZ": Balance(D("998.5"), D("0"), D("998.5")),
                "BTC": Balance(D("0.5994"), D("0"), D("0.5994"))}

    async def fetch_open_orders(self, symbol=None):
        return []

    async def fetch_my_trades(self, symbol=None, since=None, limit=None):
        self.calls += 1
        rows = [f for f in self.fills if since is None or f.timestamp >= since]
        return rows[:limit] if limit else rows


def factory(venue_id: str):
    import exchanges
    return KeyedVenue() if venue_id == "fakex" else exchanges.create(venue_id)


@pytest.fixture
def app(window_factory, aloop):
    w = window_factory(session=Session(factory=factory))
    w.trading.poll_seconds = 0.2
    w.show()
    aloop.run(w.start(restore=False, venues=["demo", "fakex"]))
    p = w.portfolio
    aloop.until(lambda: p.valuation is not None and "XYZ" in p.valuation.amounts
                and "BTC" in p.valuation.rates and "XYZ" in p.valuation.rates,
                what="balances of both venues valued")
    return w


def test_fills_of_the_demo_and_a_keyed_venue_reach_ledger_portfolio_pnl_and_export(
        app, aloop, tmp_path):
    w, p = app, app.portfolio
    adapter = w.session.adapters["demo"]
    aloop.run(adapter.create_order("ETH/USD", "buy", "market", D("2")))
    aloop.run(adapter.create_order("ETH/USD", "sell", "market", D("0.5")))
    demo_fills = aloop.run(adapter.fetch_my_trades())
    aloop.until(lambda: p.ledger.count_fills(FillFilter(venue="demo")) == len(demo_fills)
                and p.ledger.count_fills(FillFilter(venue="fakex")) == 2, what="every fill")
    stored = {(f.fill_id, f.price, f.amount, f.fee) for f in p.ledger.fills(FillFilter("demo"))}
    assert stored == {(f.id, f.price, f.amount, f.fee) for f in demo_fills}

    # the portfolio: XYZ valued through BTC (fakex's XYZ/BTC, then the demo's BTC/USD)
    v = p.valuation
    assert v.paths["XYZ"] == ["XYZ/BTC", "BTC/USD"]
    assert v.by_asset["XYZ"] == D("998.5") * v.rates["XYZ"]
    view = w.views["portfolio"]
    rows = {view.model.index(r, 0).data(): r for r in range(view.model.rowCount())}
    assert view.model.index(rows["XYZ"], 5).data() == "XYZ/BTC › BTC/USD"
    assert "through 1 bridge asset" in view.model.index(rows["XYZ"], 0).data(
        Qt.ItemDataRole.ToolTipRole)

    # the P&L: both venues' fills by average cost
    aloop.until(lambda: p.pnl is not None and p.pnl.fills == len(demo_fills) + 2,
                what="P&L of every fill")
    eth = p.pnl.positions["ETH"]
    assert eth.quantity == D("1.5") and eth.fills == len(demo_fills)
    xyz = p.pnl.positions["XYZ"]
    assert xyz.quantity == D("1500") - D("1.5") - D("500")        # fee paid in XYZ
    pnl_view = w.views["pnl"]
    assert pnl_view.model.row_of("XYZ") is not None
    assert "Total P&amp;L" in pnl_view.summary.text()

    # the trade history shows them, filtered, and exports them in tax-tool columns
    hist = w.views["ledger"]
    aloop.until(lambda: hist.fills.total == len(demo_fills) + 2, what="the fills table")
    hist.venue.setCurrentText("fakex")
    assert hist.fills.total == 2 and hist.fills.rowCount() == 2
    out = tmp_path / "fills.csv"
    assert hist.export_to(out) == 2
    with open(out, newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == ["Date", "Venue", "Pair", "Side", "Amount", "Price", "Fee",
                        "Fee currency", "Order ID", "Fill ID"]
    assert table[1] == ["2023-11-14T22:13:20.000Z", "fakex", "XYZ/BTC", "buy", "1500",
                        "0.0010000", "1.5", "XYZ", "ox1", "x1"]


def test_an_app_order_is_kept_with_every_state_it_passed_through(app, aloop):
    w, p = app, app.portfolio
    t = aloop.run(w.session.adapters["demo"].fetch_ticker("BTC/USD"))
    req = OrderRequest("demo", "BTC/USD", "buy", "limit", D("0.01"), t.bid - 500)
    state, order = aloop.run(w.trading.place(req))
    assert state == "placed"
    aloop.run(w.trading.cancel("demo", order))
    aloop.until(lambda: any(o.status == "canceled" for o in p.ledger.orders("demo")),
                what="the cancel recorded")
    [row] = [o for o in p.ledger.orders("demo") if o.order_id == order.id]
    assert row.client_order_id == order.client_order_id and row.client_order_id
    assert [s for _, s, _ in p.ledger.order_states(row.ref)] == ["sending", "open", "canceled"]
    refused = OrderRequest("demo", "BTC/USD", "buy", "limit", D("500"), t.bid)   # no funds
    assert aloop.run(w.trading.place(refused))[0] == "failed"
    assert [o.status for o in p.ledger.orders("demo")][0] == "rejected"
    hist = w.views["ledger"]
    aloop.until(lambda: hist.orders.rowCount() == 2, what="the orders tab")


def test_a_currency_no_venue_quotes_values_nothing_and_says_so(app, aloop):
    w, p = app, app.portfolio
    view = w.views["portfolio"]
    view.currency.setCurrentText("JPY")
    ui(aloop, view._currency_typed)
    aloop.until(lambda: p.valuation.currency == "JPY", what="a valuation in JPY")
    assert p.valuation.rates == {} and sorted(p.valuation.unvalued) == sorted(
        p.valuation.amounts)
    assert view.total.text() == "Total: not valued in JPY"
    assert "Not valued in JPY" in view.note.text()
    assert view.model.index(0, 3).data() == NOT_VALUED        # never 0
    assert w.settings.q.value("portfolio/currency") == "JPY"


def test_valuations_are_coalesced_not_one_per_tick(app, aloop):
    p = app.portfolio
    seen = []
    p.valued.connect(lambda v: seen.append(v))
    ticks = []
    app.session.tickers.connect(lambda batch: ticks.append(len(batch)))
    aloop.run(asyncio.sleep(1.5))
    assert sum(ticks) > len(seen) and len(seen) <= 1.5 / 0.25 + 1


def test_importing_exports_and_refusing_a_bad_file(app, aloop, tmp_path):
    hist = app.views["ledger"]
    report = hist.import_from(DATA / "kraken.csv")
    assert report.added == 3 and "Imported kraken.csv" in hist.note.text()
    assert "kraken" in [hist.venue.itemText(i) for i in range(hist.venue.count())]
    before = app.portfolio.ledger.count_fills()
    bad = tmp_path / "holiday.csv"
    bad.write_text("name,place\nann,rome\n")
    assert hist.import_from(bad) is None
    assert "Nothing imported from holiday.csv" in hist.note.text()
    assert "not a trade export this app reads" in hist.note.text()
    assert app.portfolio.ledger.count_fills() == before
    assert hist.import_from(tmp_path / "missing.csv") is None      # the app keeps running


def test_a_corrupt_ledger_is_moved_aside_and_the_app_says_so(window_factory, aloop,
                                                             monkeypatch, tmp_path):
    import os
    data = Path(os.environ["EXCHANGE_ATLAS_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    (data / "ledger.sqlite3").write_bytes(b"garbage" * 100)
    w = window_factory()
    said = []
    w.message.connect(said.append)
    aloop.run(w.start(restore=False))
    assert any("could not be used" in t and "unreadable-" in t for t in said)
    assert "could not be used" in w.views["portfolio"].note.text()
    assert w.portfolio.ledger.count_fills() == 0


def test_the_models_pass_the_model_tester(app, aloop, qtmodeltester):
    p = app.portfolio
    tree = PortfolioModel()
    tree.set_valuation(p.valuation)
    qtmodeltester.check(tree)
    tree.set_grouping("venue")
    qtmodeltester.check(tree)
    aloop.until(lambda: p.pnl is not None, what="P&L")
    pnl = PnLModel()
    pnl.set_pnl(p.pnl)
    pnl.set_rates(p.valuation)
    qtmodeltester.check(pnl)
    fills = FillsModel(p.ledger, batch=1)
    fills.reload()
    qtmodeltester.check(fills)


def test_a_tick_updates_only_the_cells_that_changed(app, aloop):
    p = app.portfolio
    tree = PortfolioModel()
    tree.set_valuation(p.valuation)
    resets, changes = [], []
    tree.modelReset.connect(lambda: resets.append(1))
    tree.dataChanged.connect(lambda a, b, roles: changes.append((a.row(), a.column(),
                                                                 b.column())))
    import dataclasses
    v = dataclasses.replace(p.valuation, rates=dict(p.valuation.rates),
                            by_asset=dict(p.valuation.by_asset))
    tree.set_valuation(v)
    assert resets == [] and changes == []              # same figures: nothing said
    v.rates["XYZ"] = v.rates["XYZ"] * 2
    v.by_asset["XYZ"] = v.by_asset["XYZ"] * 2
    tree.set_valuation(v)
    assert resets == [] and changes and all(first >= 2 for _r, first, _l in changes)


def test_an_order_that_leaves_the_open_list_is_looked_up_for_its_last_state(window_factory,
                                                                          aloop):
    from exchanges import Order

    class WithOrders(KeyedVenue):
        def __init__(self):
            super().__init__()
            self.has["fetch_order"] = True
            self.open = [Order("77", "cid-77", "XYZ/BTC", "buy", "limit", D("0.001"), D("10"),
                               D("4"), D("6"), "open", 1_700_000_000_000)]

        async def fetch_open_orders(self, symbol=None):
            return list(self.open)

        async def fetch_order(self, order_id, symbol):
            return Order("77", "cid-77", "XYZ/BTC", "buy", "limit", D("0.001"), D("10"),
                         D("10"), D("0"), "closed", 1_700_000_000_000)

    venue = WithOrders()
    w = window_factory(session=Session(factory=lambda _id: venue))
    w.trading.poll_seconds = 0.1
    aloop.run(w.start(restore=False, venues=["fakex"]))
    p = w.portfolio
    aloop.until(lambda: p.ledger.orders("fakex"), what="the open order recorded")
    venue.open = []                     # filled elsewhere: gone from the open list
    aloop.until(lambda: p.ledger.orders("fakex")[0].status == "closed", what="its last state")
    [row] = p.ledger.orders("fakex")
    assert [(s, f) for _, s, f in p.ledger.order_states(row.ref)] == [("open", D("4")),
                                                                     ("closed", D("10"))]
