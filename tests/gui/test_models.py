"""Every model passes qtmodeltester; ticks change only the cells that changed."""
from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

import exchanges
from exchanges import Market, OrderBook, Ticker, Trade
from gui import format as fmt
from gui.models.book import BookModel
from gui.models.proxy import ValueSortProxy
from gui.models.tickers import COLUMNS, SORT_ROLE, TickerModel
from gui.models.trades import TradesModel
from gui.models.venues import ENTRY_ROLE, VenueTreeModel

D = Decimal
BTC = Market("BTC/USD", "BTCUSD", "BTC", "USD", D("0.01"), D("0.00001"))
ETHBTC = Market("ETH/BTC", "ETHBTC", "ETH", "BTC", D("0.00001"), D("0.001"))


def tick(symbol, last, bid=None, ask=None, vol="12.5"):
    last = D(last)
    return Ticker(symbol, 1, D(bid) if bid else last - 1, D(ask) if ask else last + 1, last,
                  last * D("1.1"), last * D("0.8"), last * D("0.9"), D(vol), None)


def filled_ticker_model():
    m = TickerModel()
    m.set_markets("demo", {"BTC/USD": BTC, "ETH/BTC": ETHBTC})
    m.update({("demo", "BTC/USD"): tick("BTC/USD", "63924.6"),
              ("demo", "ETH/BTC"): tick("ETH/BTC", "0.0497", "0.04969", "0.04971"),
              ("kraken", "BTC/USD"): tick("BTC/USD", "63900")})
    return m


def test_ticker_model_passes_modeltester(qtmodeltester):
    m = filled_ticker_model()
    qtmodeltester.check(m, force_py=True)
    m.update({("demo", "BTC/USD"): tick("BTC/USD", "63930")})
    qtmodeltester.check(m, force_py=True)


def test_prices_show_at_the_markets_increment_from_the_decimal():
    m = filled_ticker_model()
    text = lambda r, c: m.index(r, c).data()
    assert text(0, COLUMNS.index("Last")) == "63,924.60"
    assert text(1, COLUMNS.index("Bid")) == "0.04969"
    assert text(1, COLUMNS.index("24h %")) == "+11.11%"
    assert text(1, COLUMNS.index("High")) == "0.05467"     # 0.05467 exactly at 0.00001
    assert text(0, COLUMNS.index("Volume")) == "12.50"
    # A price with more digits than a float carries keeps them exactly.
    assert fmt.price(D("12345678901234.57"), D("0.01")) == "12,345,678,901,234.57"
    assert m.index(0, COLUMNS.index("Last")).data(SORT_ROLE) == D("63924.6")


def test_a_tick_signals_only_its_changed_cells(qtbot):
    m = filled_ticker_model()
    seen = []
    m.dataChanged.connect(lambda a, b, roles=(): seen.append((a.row(), a.column(), b.row(), b.column())))
    m.modelReset.connect(lambda: seen.append("reset"))
    m.layoutChanged.connect(lambda: seen.append("layout"))
    t = tick("BTC/USD", "63924.6")
    t.bid = D("63920.00")                     # only the bid moves
    m.update({("demo", "BTC/USD"): t})
    bid = COLUMNS.index("Bid")
    assert seen == [(0, bid, 0, bid)]
    seen.clear()
    m.update({("demo", "BTC/USD"): t})        # nothing changed: nothing signalled
    assert seen == []


def test_last_price_move_flashes_then_fades():
    from gui.models.tickers import FLASH_MS, FLASH_ROLE
    from gui.theme import flash_color
    m = filled_ticker_model()
    last = COLUMNS.index("Last")
    assert m.index(0, last).data(FLASH_ROLE) is None          # never moved
    m.update({("demo", "BTC/USD"): tick("BTC/USD", "63999")})
    flash = m.index(0, last).data(FLASH_ROLE)
    assert flash[0] == 1 and flash[1] == m.last_move
    up = flash_color(flash, FLASH_MS, now=flash[1] + 0.01)
    assert up is not None and up.green() > up.red()
    fading = flash_color(flash, FLASH_MS, now=flash[1] + FLASH_MS / 2000)
    assert 0 < fading.alpha() < up.alpha()
    assert flash_color(flash, FLASH_MS, now=flash[1] + FLASH_MS / 1000 + 0.001) is None
    m.update({("demo", "BTC/USD"): tick("BTC/USD", "63000")})
    down = flash_color(m.index(0, last).data(FLASH_ROLE), FLASH_MS)
    assert down is not None and down.red() > down.green()
    # the tint is the cell's background (Qt's own delegate paints it), on the last price only
    background = Qt.ItemDataRole.BackgroundRole
    tint = m.index(0, last).data(background)
    assert tint is not None and tint.red() > tint.green() and tint.alpha() > 0
    assert m.index(0, last - 1).data(background) is None
    m._rows[0].flash_at -= FLASH_MS / 1000          # the fade is over
    assert m.index(0, last).data(background) is None


def test_sort_proxy_orders_by_decimal_value(qtmodeltester):
    m = filled_ticker_model()
    proxy = ValueSortProxy()
    proxy.setSourceModel(m)
    qtmodeltester.check(proxy, force_py=True)
    proxy.sort(COLUMNS.index("Last"), Qt.SortOrder.DescendingOrder)
    lasts = [proxy.index(r, COLUMNS.index("Last")).data(SORT_ROLE) for r in range(3)]
    assert lasts == sorted(lasts, reverse=True)
    proxy.setFilterFixedString("eth")
    assert proxy.rowCount() == 1


def test_book_model_ladder_cumulative_and_spread(qtmodeltester):
    m = BookModel()
    spreads = []
    m.spread_changed.connect(spreads.append)
    m.clear("BTC/USD", BTC)
    book = OrderBook("BTC/USD", [(D("100.5"), D("1")), (D("100.4"), D("2.5"))],
                     [(D("100.7"), D("0.5")), (D("100.8"), D("1")), (D("101"), D("3"))])
    m.set_book(book)
    qtmodeltester.check(m, force_py=True)
    assert m.rowCount() == 3
    row = lambda r: [m.index(r, c).data() for c in range(6)]
    assert row(1) == ["3.50000", "2.50000", "100.40", "100.80", "1.00000", "1.50000"]
    assert row(2)[:3] == ["", "", ""] and row(2)[3] == "101.00"
    assert m.spread == D("0.2") and spreads[-1].startswith("Spread 0.20")
    changed = []
    m.dataChanged.connect(lambda a, b, roles=(): changed.append((a.row(), b.row())))
    book.bids = [(D("100.5"), D("1")), (D("100.4"), D("2"))]
    m.set_book(book)
    assert changed == [(1, 1)]        # only the second bid level changed
    book.asks = book.asks[:1]
    m.set_book(book)
    assert m.rowCount() == 2
    qtmodeltester.check(m, force_py=True)


def test_trades_model_newest_first_and_capped(qtmodeltester):
    m = TradesModel(cap=5)
    m.clear(BTC)
    m.add([Trade(str(i), 1_700_000_000_000 + i, "buy" if i % 2 else "sell", D("100") + i, D("0.1"))
           for i in range(8)])
    qtmodeltester.check(m, force_py=True)
    assert m.rowCount() == 5
    assert m.index(0, 1).data() == "107.00"
    m.add([Trade("x", 1_700_000_001_000, "sell", D("99.99"), D("1"))])
    assert m.index(0, 1).data() == "99.99" and m.rowCount() == 5


def test_venue_tree_has_the_demo_then_every_country_and_row(qtmodeltester):
    m = VenueTreeModel()
    qtmodeltester.check(m, force_py=True)
    assert m.rowCount() == len(exchanges.by_country()) + 1 == 47
    demo = m.index(0, 0, m.index(0, 0))
    assert m.index(0, 0).data() == "Built in  (1)" and demo.data() == "Demo venue"
    assert demo.siblingAtColumn(1).data() == "demo"
    assert m.rows == 144
    assert sum(m.rowCount(m.index(r, 0)) for r in range(1, m.rowCount())) == 144


@pytest.mark.parametrize("status", ["defunct", "renamed", "active"])
def test_venue_rows_say_their_status(status):
    m = VenueTreeModel()
    rows = [m.index(r, 2, m.index(c, 0)) for c in range(m.rowCount())
            for r in range(m.rowCount(m.index(c, 0)))]
    rows = [ix for ix in rows if ix.data(ENTRY_ROLE).status == status]
    assert rows
    for ix in rows:
        e = ix.data(ENTRY_ROLE)
        tip = ix.data(Qt.ItemDataRole.ToolTipRole)
        if status == "defunct":
            assert ix.data().startswith("closed")
            assert e.why in tip and (e.closed or "") in tip
            assert ix.data(Qt.ItemDataRole.ForegroundRole) is not None      # greyed
        elif status == "renamed":
            assert ix.data().startswith("now ")
        elif e.availability == "suspended":
            assert ix.data() == f"suspended since {e.since}"
            assert e.availability_note[:40] in tip
            assert ix.data(Qt.ItemDataRole.ForegroundRole) is not None      # greyed
        elif e.availability == "unsupported":
            assert ix.data() == "not supported" and "ccxt" in tip
            assert ix.data(Qt.ItemDataRole.ForegroundRole) is not None
        elif not e.has_adapter:
            assert ix.data() == "no adapter yet" and "no adapter" in tip


def test_text_lengths_say_when_a_column_is_worth_measuring_again():
    from gui.models.table import TextLengths
    t = TextLengths()
    assert t.update([["9.99", "a"]], 2)                 # first: measure
    assert not t.update([["9.98", "b"]], 2)             # same lengths
    assert t.update([["10.01", "b"]], 2)                # grew
    assert not t.update([["9.97", "b"]], 2)             # one shorter: kept
    assert not t.update([["10.02", "b"]], 2)
    assert t.update([["0.1", "b"]], 2)                  # two shorter: measure again
    assert t.update([], 2)                              # empty
