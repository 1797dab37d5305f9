"""P&L by average cost with fees, checked against examples computed by hand (in the comments)."""
from __future__ import annotations

from decimal import Decimal

from exchanges import Trade
from gui.ledger.pnl import METHOD, average_cost

D = Decimal
T0 = 1_700_000_000_000


def fill(i, symbol, side, amount, price, fee="0", fee_ccy=None):
    """A fill as a trader says it: side, amount, price, fee and its currency."""
    return Trade(str(i), T0 + i, side, D(price), D(amount), symbol, fee=D(fee),
                 fee_currency=fee_ccy or symbol.split("/")[1])


BTC_USD = [
    fill(1, "BTC/USD", "buy", "1", "100", "0.10"),     # 1 BTC for 100.10 (fee included)
    fill(2, "BTC/USD", "buy", "1", "200", "0.20"),     # 2 BTC for 300.30: average 150.15
    fill(3, "BTC/USD", "sell", "0.5", "300", "0.15"),  # 149.85 received − 75.075 cost = 74.775
]


def test_one_asset_by_hand():
    pnl = average_cost(BTC_USD, "USD")
    btc = pnl.positions["BTC"]
    assert btc.quantity == D("1.5")
    assert btc.cost == D("225.225")
    assert btc.average == D("150.15")
    assert btc.realized == D("74.775")
    assert btc.fees == D("0.45")
    # at 250: 1.5 × 250 − 225.225 = 149.775
    assert btc.unrealized(D("250")) == D("149.775")
    assert pnl.realized == D("74.775")
    assert pnl.unrealized({"BTC": D("250")}) == (D("149.775"), [])
    assert "USD" not in pnl.positions           # the currency itself has no P&L
    assert (pnl.fills, pnl.unconverted, pnl.approximate) == (3, 0, 0)


def test_cross_pairs_fees_in_base_and_in_a_third_asset_by_hand():
    rates = {("BTC", T0 + 4): (D("250"), True), ("BNB", T0 + 5): (D("10"), True)}
    fills = BTC_USD + [
        # 10 ETH for 0.5 BTC (fee 0.01 ETH) when 1 BTC = 250 USD: 125 USD.
        # ETH: 9.99 for 125. BTC: 0.5 sold for 125 at cost 0.5 × 150.15 = 75.075 → +49.925.
        fill(4, "ETH/BTC", "buy", "10", "0.05", "0.01", "ETH"),
        # 4.995 ETH (half) sold at 20 USD = 99.9, fee 0.5 BNB (5 USD) → 94.9 received,
        # cost 125 / 2 = 62.5 → +32.4. BNB: 0.5 sold that the fills never bought.
        fill(5, "ETH/USD", "sell", "4.995", "20", "0.5", "BNB"),
    ]
    pnl = average_cost(fills, "USD", lambda asset, ts: rates.get((asset, ts)))
    btc, eth, bnb = (pnl.positions[a] for a in ("BTC", "ETH", "BNB"))
    assert (btc.quantity, btc.cost, btc.realized) == (D("1.0"), D("150.150"), D("124.700"))
    assert (eth.quantity, eth.cost, eth.realized) == (D("4.995"), D("62.5"), D("32.4"))
    assert eth.fees == D("0.125") + D("5")          # 0.01 ETH × 0.05 × 250, then 5 USD
    assert (bnb.quantity, bnb.unknown_basis, bnb.realized) == (0, D("0.5"), 0)
    assert pnl.realized == D("157.1")
    # BTC 1 × 250 − 150.15 = 99.85; ETH 4.995 × 20 − 62.5 = 37.4
    assert pnl.unrealized({"BTC": D("250"), "ETH": D("20")}) == (D("137.25"), [])
    assert pnl.unrealized({"BTC": D("250")}) == (D("99.85"), ["ETH"])


def test_selling_more_than_was_bought_counts_only_the_known_part():
    fills = [fill(1, "BTC/USD", "buy", "1", "150"),
             fill(2, "BTC/USD", "sell", "3", "300")]        # 2 BTC came from elsewhere
    btc = average_cost(fills, "USD").positions["BTC"]
    # the known third of 900 received, less its cost: 300 − 150 = 150
    assert (btc.realized, btc.unknown_basis, btc.quantity, btc.cost) == (
        D("150"), D("2"), 0, 0)


def test_a_fee_in_the_asset_sold_is_sold_too():
    fills = [fill(1, "BTC/USD", "buy", "2", "100"),
             fill(2, "BTC/USD", "sell", "1", "150", "0.01", "BTC")]
    btc = average_cost(fills, "USD").positions["BTC"]
    # 1.01 BTC leave, at a cost of 100 each, for 150: +49; 0.99 BTC left, costing 99
    assert (btc.realized, btc.quantity, btc.cost) == (D("49"), D("0.99"), D("99"))


def test_fills_without_a_rate_are_left_out_and_counted_and_other_times_are_flagged():
    fills = [fill(1, "SOL/XYZ", "buy", "1", "5"),
             fill(2, "SOL/BTC", "buy", "2", "0.001")]
    pnl = average_cost(fills, "USD",
                       lambda asset, ts: (D("60000"), False) if asset == "BTC" else None)
    sol = pnl.positions["SOL"]
    assert (pnl.unconverted, sol.unconverted) == (1, 1)
    assert (pnl.approximate, sol.approximate) == (1, 1)
    assert (sol.quantity, sol.cost) == (D("2"), D("120.000"))


def test_the_method_is_written_for_the_tooltip():
    text = METHOD.format(currency="EUR")
    assert "Average cost" in text and "fees included" in text and "EUR" in text
