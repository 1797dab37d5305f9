"""exchanges.value_in: direct and inverse pairs, bridges by the fewest hops, unvaluable assets."""
from __future__ import annotations

from decimal import Decimal

import exchanges
from exchanges import Balance, Ticker

D = Decimal


def bal(total: str) -> Balance:
    return Balance(D(total), D(0), D(total))


def tick(symbol: str, bid=None, ask=None, last=None) -> Ticker:
    return Ticker(symbol, 0, bid=None if bid is None else D(bid),
                  ask=None if ask is None else D(ask), last=None if last is None else D(last))


def test_direct_pair_uses_the_mid_of_bid_and_ask_else_the_last_price():
    v = exchanges.value_in("USD", {"demo": {"BTC": bal("2"), "ETH": bal("10")}},
                           {"demo": {"BTC/USD": tick("BTC/USD", "100", "102", "150"),
                                     "ETH/USD": tick("ETH/USD", None, "9", "7")}})
    assert v.by_asset == {"BTC": D("202"), "ETH": D("70")}
    assert v.total == D("272")
    assert v.paths == {"BTC": ["BTC/USD"], "ETH": ["ETH/USD"]}
    assert v.unvalued == []
    assert v.rates["BTC"] == D("101")


def test_the_currency_itself_counts_one_for_one_with_an_empty_path():
    v = exchanges.value_in("usd", {"a": {"USD": bal("12.5")}}, {})
    assert (v.currency, v.total, v.by_asset, v.paths) == ("USD", D("12.5"), {"USD": D("12.5")},
                                                          {"USD": []})


def test_a_pair_quoted_the_other_way_round_counts_with_the_inverse_rate():
    v = exchanges.value_in("BTC", {"k": {"USD": bal("500")}},
                           {"k": {"BTC/USD": tick("BTC/USD", "249", "251")}})
    assert v.by_asset["USD"] == D(500) / D(250) == D("2")
    assert v.paths["USD"] == ["BTC/USD"]


def test_multi_hop_valuation_through_bridges_shows_the_path():
    balances = {"kraken": {"XYZ": bal("1000"), "EUR": bal("10")},
                "binance": {"XYZ": bal("500")}}
    tickers = {"binance": {"XYZ/ETH": tick("XYZ/ETH", last="0.002"),
                           "ETH/BTC": tick("ETH/BTC", "0.05", "0.05")},
               "kraken": {"BTC/USD": tick("BTC/USD", last="60000"),
                          "EUR/USD": tick("EUR/USD", last="1.1")}}
    v = exchanges.value_in("USD", balances, tickers)
    # 1,500 XYZ × 0.002 ETH × 0.05 BTC × 60,000 USD, computed by hand: 9,000 USD
    assert v.by_asset["XYZ"] == D("9000")
    assert v.paths["XYZ"] == ["XYZ/ETH", "ETH/BTC", "BTC/USD"]
    assert v.by_asset["EUR"] == D("11.0")
    assert v.total == D("9011.0")
    assert v.by_venue["kraken"]["XYZ"] == D("6000") and v.by_venue["binance"]["XYZ"] == D(3000)
    assert v.venue_totals == {"kraken": D("6011.0"), "binance": D("3000")}
    assert v.venue_amounts == {"kraken": {"XYZ": D(1000), "EUR": D(10)},
                               "binance": {"XYZ": D(500)}}
    assert v.sources["XYZ/ETH"] == ["binance"]
    assert v.share("XYZ") == D("9000") / D("9011.0")


def test_fewest_hops_win_and_equal_paths_prefer_the_deep_bridges():
    quotes = {"SOL/ETH": "0.05", "ETH/USD": "3000", "SOL/BTC": "0.0025", "BTC/USD": "60000",
              "SOL/ABC": "1", "ABC/USD": "999", "DOT/SOL": "0.1", "DOT/XYZ": "1",
              "XYZ/USD": "5"}
    tickers = {"x": {s: tick(s, last=p) for s, p in quotes.items()}}
    v = exchanges.value_in("USD", {"x": {"SOL": bal("1"), "DOT": bal("1")}}, tickers)
    assert v.paths["SOL"] == ["SOL/BTC", "BTC/USD"]       # BTC before ETH, before ABC
    assert v.paths["DOT"] == ["DOT/XYZ", "XYZ/USD"]       # two hops beat three through SOL
    assert v.by_asset["SOL"] == D("150") and v.by_asset["DOT"] == D("5")


def test_an_unvaluable_asset_is_said_and_never_counted_as_zero():
    balances = {"demo": {"BTC": bal("1"), "NOPE": bal("42"), "LONE": bal("3")}}
    tickers = {"demo": {"BTC/USD": tick("BTC/USD", last="100"),
                        "LONE/JPY": tick("LONE/JPY", last="5")}}
    v = exchanges.value_in("USD", balances, tickers)
    assert v.total == D("100")
    assert v.by_asset["NOPE"] is None and v.by_asset["LONE"] is None
    assert v.unvalued == ["LONE", "NOPE"]
    assert "NOPE" not in v.paths and v.share("NOPE") is None
    assert v.by_venue["demo"]["NOPE"] is None
    assert v.reasons["NOPE"] == "no connected venue quotes a market with NOPE"
    assert "LONE/JPY" in v.reasons["LONE"] and "USD" in v.reasons["LONE"]


def test_nothing_can_be_valued_in_a_currency_no_venue_quotes():
    v = exchanges.value_in("JPY", {"demo": {"BTC": bal("1"), "USD": bal("5")}},
                           {"demo": {"BTC/USD": tick("BTC/USD", last="100")}})
    assert v.total == 0 and sorted(v.unvalued) == ["BTC", "USD"]
    assert all(value is None for value in v.by_asset.values())


def test_one_pair_on_several_venues_counts_with_the_median_and_bad_quotes_are_skipped():
    tickers = {"a": {"BTC/USD": tick("BTC/USD", last="100")},
               "b": {"BTC/USD": tick("BTC/USD", last="104")},
               "c": {"BTC/USD": tick("BTC/USD", last="900")},       # stale outlier
               "d": {"BTC/USD": tick("BTC/USD", "0", "0", "0")}}     # no usable price
    v = exchanges.value_in("USD", {"a": {"BTC": bal("1")}}, tickers)
    assert v.rates["BTC"] == D("104")
    assert v.sources["BTC/USD"] == ["a", "b", "c"]
    v2 = exchanges.value_in("USD", {"a": {"BTC": bal("1")}},
                            {k: tickers[k] for k in ("a", "b")})
    assert v2.rates["BTC"] == D("102")


def test_zero_balances_are_left_out_and_digits_are_kept():
    v = exchanges.value_in("USD", {"a": {"BTC": bal("0"), "ETH": bal("0.000000000123")}},
                           {"a": {"ETH/USD": tick("ETH/USD", last="3000.5")}})
    assert "BTC" not in v.by_asset
    assert v.by_asset["ETH"] == D("0.000000000123") * D("3000.5")
    assert str(v.by_asset["ETH"]) == "3.690615E-7"
