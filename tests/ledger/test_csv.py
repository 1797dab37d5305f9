"""CSV import of the reference venues' own trade exports (tests/ledger/data/*.csv, laid out as
each venue writes them), and the tax-tool CSV export."""
from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from exchanges import Trade
from gui.ledger.csv_import import UnknownFormat, import_export, parse_export, parse_time
from gui.ledger.export import COLUMNS, export_fills
from gui.ledger.store import FillFilter, open_ledger

D = Decimal
DATA = Path(__file__).parent / "data"


def ms(text: str) -> int:
    return parse_time(text)


def parsed(name: str, **kw):
    return parse_export((DATA / name).read_bytes(), **kw)


def rows(p):
    return [(f.symbol, f.side, f.amount, f.price, f.fee, f.fee_currency) for f in p.fills]


@pytest.fixture
def ledger(tmp_path):
    led = open_ledger(tmp_path / "ledger.sqlite3")
    yield led
    led.close()


def test_binance_spot_history_splits_pairs_by_the_coins_of_the_row():
    p = parsed("binance.csv")
    assert (p.format.key, p.venue, p.rows) == ("binance", "binance", 5)
    assert rows(p) == [
        ("BTC/USDT", "sell", D("0.00050000"), D("70000"), D("0.035"), "USDT"),
        ("BTC/USDT", "buy", D("0.00100000"), D("62000.50"), D("0.0000015"), "BNB"),
        ("1INCH/USDT", "buy", D("100.000"), D("0.51"), D("0.100"), "1INCH"),
        ("1INCH/USDT", "buy", D("100.000"), D("0.51"), D("0.100"), "1INCH"),
    ]
    assert p.fills[0].timestamp == ms("2024-03-02T10:00:00Z")
    # two identical rows stay two fills; their made-up ids differ only by their place
    a, b = p.fills[2].fill_id, p.fills[3].fill_id
    assert a != b and a[:-2] == b[:-2] and a.startswith("csv-")
    assert p.skipped == ["line 6: the fee 'oops' is not an amount followed by its coin"]


def test_binance_older_trade_history():
    p = parsed("binance-legacy.csv")
    assert rows(p) == [("ETH/BTC", "buy", D("2"), D("0.07"), D("0.002"), "ETH"),
                       ("BNB/USDT", "sell", D("1.5"), D("600.5"), D("0.9"), "USDT")]


def test_coinbase_fills_report():
    p = parsed("coinbase-fills.csv")
    assert (p.venue, [f.fill_id for f in p.fills]) == ("coinbase", ["4821001", "4821002"])
    assert rows(p) == [("BTC/USD", "buy", D("0.01000000"), D("35000.00"), D("1.75"), "USD"),
                       ("ETH/BTC", "sell", D("1.5"), D("0.03500"), D("0.0002625"), "BTC")]
    assert p.fills[0].timestamp == ms("2021-01-07T21:27:46.915Z")


def test_coinbase_transaction_history_reads_trades_and_says_what_it_skipped():
    p = parsed("coinbase-transactions.csv")
    assert p.format.key == "coinbase" and p.rows == 4
    assert rows(p) == [
        ("BTC/USD", "buy", D("0.002"), D("45000.00"), D("1.99"), "USD"),
        # an Advanced Trade row: the pair and rate come from its notes (USDC), not the GBP
        # columns; the fee is 0.5 × 2280 − 1138.5 = 1.5 USDC
        ("ETH/USDC", "sell", D("0.5"), D("2280"), D("1.5"), "USDC"),
        ("SOL/USD", "sell", D("3"), D("1100.00"), D("20.00"), "USD"),
    ]
    assert [f.fill_id for f in p.fills] == ["65f1a2b3", "65f1a2b5", "65f1a2b6"]
    assert p.skipped == ["line 6: Send is not a trade"]


def test_kraken_trades_with_legacy_and_new_pair_codes():
    p = parsed("kraken.csv")
    assert rows(p) == [("BTC/USD", "buy", D("0.01000000"), D("29000.10000"), D("0.75400"), "USD"),
                       ("ETH/EUR", "sell", D("2.00000000"), D("1500.00"), D("5.20"), "EUR"),
                       ("DOT/USD", "buy", D("2"), D("30.5"), D("0.16"), "USD")]
    assert (p.fills[0].fill_id, p.fills[0].order_id) == ("TQ4LVI-FCXCP-2OIQDZ",
                                                          "OBJ6HK-GRDOE-PZDTVJ")
    assert p.fills[0].timestamp == ms("2021-01-01T12:34:56.123Z")


def test_kraken_pairs_are_looked_up_in_the_venues_markets_when_at_hand():
    p = parsed("kraken.csv", markets={"XXBTZUSD": "BTC/USD", "XETHZEUR": "ETH/EUR"})
    assert [f.symbol for f in p.fills] == ["BTC/USD", "ETH/EUR", "DOT/USD"]


def test_bitstamp_transactions_current_and_older():
    p = parsed("bitstamp.csv")
    assert rows(p) == [("BTC/USD", "buy", D("0.05000000"), D("17000.00"), D("2.13"), "USD"),
                       ("BTC/USD", "sell", D("0.02000000"), D("18000.00"), D("0.90"), "USD")]
    assert p.fills[0].order_id == "1548372001" and p.skipped == ["line 2: Deposit is not a trade"]
    old = parsed("bitstamp-legacy.csv")
    assert rows(old) == [("BTC/USD", "buy", D("0.05000000"), D("7500.00"), D("0.94"), "USD"),
                         ("BTC/USD", "sell", D("0.02000000"), D("9000.00"), D("0.45"), "USD")]
    assert old.fills[1].timestamp == ms("2020-05-06T15:05:00Z")


def test_bitfinex_trades_signed_amounts_day_first_dates_and_its_currency_codes():
    p = parsed("bitfinex.csv")
    assert rows(p) == [("BTC/USD", "buy", D("0.01"), D("40000"), D("0.00002"), "BTC"),
                       ("ETH/USDT", "sell", D("2.5"), D("1800"), D("9"), "USD")]
    assert p.fills[0].timestamp == ms("2021-03-18T17:16:04Z")


def test_okx_trading_history_pairs_its_two_rows_per_trade():
    p = parsed("okx.csv")
    assert rows(p) == [("BTC/USDT", "buy", D("0.01"), D("23000"), D("0.00001"), "BTC"),
                       ("BTC/USDT", "sell", D("0.005"), D("24000"), D("0.12"), "USDT")]
    assert [f.fill_id for f in p.fills] == ["7001", "7002"]
    assert p.skipped == ["line 6: Transfer is not a spot trade"]


def test_unknown_files_and_the_wrong_venue_are_refused_with_words():
    with pytest.raises(UnknownFormat, match="not a trade export this app reads. Known: Binance"):
        parse_export(b"name,age\nann,3\n")
    with pytest.raises(UnknownFormat, match="Kraken trades file, not an export of binance"):
        parsed("kraken.csv", venue="binance")


def test_import_is_idempotent_and_skips_what_the_api_already_gave(ledger, tmp_path):
    api = Trade("api-1", ms("2024-03-02 10:00:00"), "sell", D("70000"), D("0.0005"),
                "BTC/USDT", fee=D("0.035"), fee_currency="USDT")
    ledger.add_fills("binance", [api], "api")
    report = import_export(ledger, DATA / "binance.csv")
    assert (report.added, report.already, len(report.skipped)) == (3, 1, 1)
    assert "3 new fills, 1 already in the ledger, 1 row skipped" in report.summary()
    again = import_export(ledger, DATA / "binance.csv")
    assert (again.added, again.already) == (0, 4)
    assert ledger.count_fills(FillFilter(venue="binance")) == 4
    assert {f.source for f in ledger.fills(FillFilter(venue="binance"))} == {"api",
                                                                            "csv:binance"}
    assert [i[1:3] for i in ledger.imports()] == [("binance", "binance.csv")] * 2


def test_every_reference_venue_export_reaches_the_ledger(ledger):
    for name in ("binance.csv", "binance-legacy.csv", "coinbase-fills.csv",
                 "coinbase-transactions.csv", "kraken.csv", "bitstamp.csv",
                 "bitstamp-legacy.csv", "bitfinex.csv", "okx.csv"):
        assert import_export(ledger, DATA / name).added > 0, name
    assert ledger.distinct("venue") == ["binance", "bitfinex", "bitstamp", "coinbase",
                                        "kraken", "okx"]


def test_export_has_the_tax_tool_columns_and_round_trips(ledger, tmp_path):
    import_export(ledger, DATA / "kraken.csv")
    import_export(ledger, DATA / "okx.csv")
    out = tmp_path / "fills.csv"
    assert export_fills(ledger.iter_fills(), out) == 5
    with open(out, newline="") as fh:
        table = list(csv.reader(fh))
    assert tuple(table[0]) == COLUMNS == ("Date", "Venue", "Pair", "Side", "Amount", "Price",
                                          "Fee", "Fee currency", "Order ID", "Fill ID")
    assert table[1] == ["2021-01-01T12:34:56.123Z", "kraken", "BTC/USD", "buy", "0.01000000",
                        "29000.10000", "0.75400", "USD", "OBJ6HK-GRDOE-PZDTVJ",
                        "TQ4LVI-FCXCP-2OIQDZ"]
    other = open_ledger(tmp_path / "other.sqlite3")
    try:
        report = import_export(other, out)
        assert (report.format, report.added) == ("Exchange Atlas fills export", 5)
        assert [(f.venue, f.fill_id, f.price, f.amount, f.fee) for f in other.iter_fills()] == [
            (f.venue, f.fill_id, f.price, f.amount, f.fee) for f in ledger.iter_fills()]
    finally:
        other.close()


def test_a_failed_export_leaves_no_file(tmp_path):
    def broken():
        yield Trade("1", 0, "buy", D(1), D(1), "A/B")      # not a ledger fill: no venue
    target = tmp_path / "x.csv"
    with pytest.raises(AttributeError):
        export_fills(broken(), target)
    assert list(tmp_path.iterdir()) == []
