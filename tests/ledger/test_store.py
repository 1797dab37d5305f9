"""The ledger's SQLite store: idempotent fills, cursors, orders' states, snapshots, the schema's
versions, and what it does with a file it cannot use."""
from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from exchanges import Balance, Order, Trade
from gui.ledger.store import (APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, FillFilter, Ledger,
                              open_ledger)

D = Decimal
T0 = 1_700_000_000_000


def fill(i: int, symbol="BTC/USD", side="buy", price="100.10", amount="0.5", ts=None, **kw):
    return Trade(str(i), ts if ts is not None else T0 + i, side, D(price), D(amount), symbol,
                 order_id=kw.get("order_id", f"o{i}"), client_order_id=kw.get("cid"),
                 fee=D(kw.get("fee", "0.05")), fee_currency=kw.get("fee_currency", "USD"),
                 taker_or_maker=kw.get("tm", "taker"))


@pytest.fixture
def ledger(tmp_path):
    led = open_ledger(tmp_path / "ledger.sqlite3", clock=lambda: T0)
    yield led
    led.close()


def test_a_new_ledger_is_wal_versioned_and_ours(ledger, tmp_path):
    assert ledger.notice is None
    assert ledger.version == SCHEMA_VERSION
    assert ledger.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert ledger.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_fills_are_idempotent_by_venue_and_fill_id_and_keep_their_digits(ledger):
    assert ledger.add_fills("demo", [fill(1), fill(2)], "api") == 2
    assert ledger.add_fills("demo", [fill(2), fill(3)], "stream") == 1
    assert ledger.add_fills("kraken", [fill(1)], "api") == 1        # another venue's id 1
    assert ledger.count_fills() == 4
    first = ledger.fills(FillFilter(venue="demo"))[0]
    assert (first.price, str(first.price), first.fee, first.source) == (
        D("100.10"), "100.10", D("0.05"), "api")
    assert ledger.fills(FillFilter(venue="demo"))[1].source == "api"   # the first record stays


def test_the_cursor_moves_with_its_fills_and_never_back(ledger):
    ledger.add_fills("demo", [fill(1)], "api", cursor=("BTC/USD", T0 + 1))
    assert ledger.cursor("demo", "BTC/USD") == T0 + 1
    ledger.add_fills("demo", [], "api", cursor=("BTC/USD", T0 - 50))
    assert ledger.cursor("demo", "BTC/USD") == T0 + 1
    assert ledger.cursor("demo") is None and ledger.cursors("demo") == {"BTC/USD": T0 + 1}


def test_a_failed_batch_stores_nothing_and_leaves_the_cursor(ledger):
    bad = Trade("9", T0, None, D(1), D(1), "BTC/USD")
    with pytest.raises(ValueError, match="no side"):
        ledger.add_fills("demo", [fill(1), bad], "api", cursor=("*", T0 + 99))
    assert ledger.count_fills() == 0 and ledger.cursor("demo") is None


def test_filters_and_numeric_sorting(ledger):
    ledger.add_fills("demo", [fill(1, price="9.5"), fill(2, price="10.25", side="sell"),
                              fill(3, "ETH/USD", price="100")], "api")
    ledger.add_fills("kraken", [fill(4, ts=T0 + 10_000)], "api")
    assert ledger.count_fills(FillFilter(venue="demo", symbol="BTC/USD")) == 2
    assert [f.fill_id for f in ledger.fills(FillFilter(side="sell"))] == ["2"]
    assert [f.fill_id for f in ledger.fills(FillFilter(since=T0 + 3, until=T0 + 10_001))] == [
        "3", "4"]
    by_price = [f.price for f in ledger.fills(order="price")]
    assert by_price == sorted(by_price)            # 9.5 before 10.25 (text would not be)
    assert [f.fill_id for f in ledger.fills(order="timestamp", descending=True, limit=2,
                                            offset=1)] == ["3", "2"]
    assert ledger.distinct("venue") == ["demo", "kraken"]
    assert ledger.symbols("demo") == ["BTC/USD", "ETH/USD"]


def test_same_fill_matches_an_export_row_without_a_fill_id(ledger):
    ledger.add_fills("binance", [fill(1, "BTC/USDT", ts=T0 + 400)], "api")
    assert ledger.same_fill("binance", "BTC/USDT", "buy", T0, D("100.1"), D("0.50"))
    assert not ledger.same_fill("binance", "BTC/USDT", "sell", T0, D("100.1"), D("0.5"))
    assert not ledger.same_fill("binance", "BTC/USDT", "buy", T0 - 5000, D("100.1"), D("0.5"))


def test_an_order_keeps_every_state_it_passed_through(ledger):
    clock = [T0]
    ledger.clock = lambda: clock[0]
    ref = ledger.record_sent("demo", "cid-1", "BTC/USD", "buy", "limit", D("0.1"), D("60000"))
    states = [("", "open", "0"), ("7", "open", "0"), ("7", "open", "0.04"),
              ("7", "open", "0.04"), ("7", "closed", "0.1")]
    for oid, status, filled in states:
        clock[0] += 1000
        order = Order(oid, "cid-1", "BTC/USD", "buy", "limit", D("60000"), D("0.1"), D(filled),
                      D("0.1") - D(filled), status, T0)
        ledger.record_order("demo", order)
    [row] = ledger.orders("demo")
    assert (row.ref, row.order_id, row.client_order_id, row.status, row.filled) == (
        ref, "7", "cid-1", "closed", D("0.1"))
    assert [(s, f) for _, s, f in ledger.order_states(ref)] == [
        ("sending", 0), ("open", 0), ("open", D("0.04")), ("closed", D("0.1"))]
    # an order placed elsewhere (no client id) is found again by its id
    other = Order("8", None, "ETH/USD", "sell", "market", None, D(1), D(1), D(0), "closed", T0)
    assert ledger.record_order("demo", other) and not ledger.record_order("demo", other)
    assert len(ledger.orders()) == 2 and ledger.orders(status="closed")[0].order_id in "78"


def test_snapshots_keep_balances_and_their_valuation(ledger):
    import exchanges
    from exchanges import Ticker
    balances = {"demo": {"BTC": Balance(D(1), D(0), D(1)), "ZZZ": Balance(D(5), D(0), D(5))}}
    v = exchanges.value_in("USD", balances, {"demo": {"BTC/USD": Ticker("BTC/USD", 0,
                                                                        last=D("100.5"))}})
    ledger.snapshot(balances, v, ts=T0)
    ledger.snapshot(balances, v, ts=T0 + 60_000)
    assert ledger.valuations("USD") == [(T0, D("100.5"), ["ZZZ"]), (T0 + 60_000, D("100.5"),
                                                                    ["ZZZ"])]
    assert ledger.valuations("EUR") == []
    assert len(ledger.balance_snapshots("demo")) == 4
    assert ledger.rate_near("USD", "BTC", T0 + 20_000, 30_000) == D("100.5")
    assert ledger.rate_near("USD", "BTC", T0 + 200_000, 30_000) is None


def test_an_older_schema_is_migrated_and_keeps_its_fills(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    old = Ledger.__new__(Ledger)            # a ledger as version 1 of the app left it
    old.path, old.clock, old.notice = str(path), (lambda: T0), None
    old.db = sqlite3.connect(path, isolation_level=None)
    old.migrate(target=1)
    old.add_fills("demo", [fill(1)], "api", cursor=("*", T0))
    assert old.version == 1
    assert not old.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'balances'").fetchone()
    old.close()
    led = open_ledger(path)
    assert led.notice is None and led.version == SCHEMA_VERSION == len(MIGRATIONS)
    assert led.count_fills() == 1 and led.cursor("demo") == T0
    led.snapshot({"demo": {"BTC": Balance(D(1), D(0), D(1))}}, ts=T0)
    led.close()


@pytest.mark.parametrize("content, why", [
    (b"this is not a database at all\n" * 10, "not an SQLite database"),
    (b"SQLite format 3\x00" + b"\xff" * 5000, "cannot read"),
])
def test_a_corrupt_file_is_moved_aside_with_a_clear_message(tmp_path, content, why):
    path = tmp_path / "ledger.sqlite3"
    path.write_bytes(content)
    led = open_ledger(path)
    assert why in led.notice and "kept as ledger.sqlite3.unreadable-" in led.notice
    assert led.count_fills() == 0 and led.add_fills("demo", [fill(1)], "api") == 1
    [aside] = [p for p in tmp_path.iterdir() if ".unreadable-" in p.name]
    assert aside.read_bytes() == content          # the user's file is kept as it was
    led.close()


def test_another_programs_database_is_moved_aside_untouched(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    other.execute("INSERT INTO photos (name) VALUES ('cat.jpg')")
    other.commit()
    other.close()
    led = open_ledger(path)
    assert "another program's database" in led.notice
    [aside] = [p for p in tmp_path.iterdir() if p.name.startswith("ledger.sqlite3.unreadable-")
               and not p.name.endswith(("-wal", "-shm"))]
    kept = sqlite3.connect(aside)
    assert kept.execute("SELECT name FROM photos").fetchall() == [("cat.jpg",)]
    kept.close()
    assert led.version == SCHEMA_VERSION
    led.close()


def test_a_ledger_from_a_newer_app_is_left_alone(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    led = open_ledger(path)
    led.add_fills("demo", [fill(1)], "api")
    led.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    led.close()
    before = path.read_bytes()
    newer = open_ledger(path)
    assert "newer version" in newer.notice and newer.path == ":memory:"
    assert newer.add_fills("demo", [fill(2)], "api") == 1
    newer.close()
    assert path.read_bytes() == before and not any(".unreadable-" in p.name
                                                   for p in tmp_path.iterdir())


def test_an_empty_file_becomes_a_new_ledger(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    path.write_bytes(b"")
    led = open_ledger(path)
    assert led.notice is None and led.version == SCHEMA_VERSION
    led.close()
