"""Coincheck specifics the generic suites do not cover.

Sources: https://coincheck.com/documents/exchange/api (its examples) and ccxt's recorded request
for createOrder (ts/src/test/static/request/coincheck.json in ccxt/ccxt). The docs' signing
samples print a signature made with the clock of their day as the nonce, so none can be
reproduced; the scheme is checked against the documented formula instead."""
from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

import exchanges
from tests.fakes.coincheck import CREDENTIALS, FakeCoincheck

CLOCK = 1_700_000_000_000
D = Decimal


async def test_signature_is_hmac_of_nonce_full_url_and_body_with_growing_nonces():
    """ACCESS-SIGNATURE: hex HMAC-SHA256 of ACCESS-NONCE + the request URL (with its query) +
    the body ("Authentication"); the nonce is the clock in µs and still grows when the
    clock stands still."""
    async with FakeCoincheck() as fake:
        base = fake.base
        async with exchanges.create("coincheck", urls=fake.urls, credentials=CREDENTIALS,
                                    clock=lambda: CLOCK) as ex:
            await ex.fetch_balance()
            await ex.fetch_my_trades("BTC/JPY")
            await ex.create_order("BTC/JPY", "buy", "limit", "0.01", "20000")
    signed = [s for s in fake.seen if "ACCESS-SIGNATURE" in s.headers]
    nonces = [int(s.headers["ACCESS-NONCE"]) for s in signed]
    assert nonces[0] >= CLOCK * 1000 and nonces == sorted(set(nonces))
    for s in signed:
        query = f"?{s.query_string}" if s.query_string else ""
        message = f"{s.headers['ACCESS-NONCE']}{base}{s.path}{query}{s.body}"
        assert s.headers["ACCESS-SIGNATURE"] == hmac.new(
            CREDENTIALS.secret.encode(), message.encode(), hashlib.sha256).hexdigest()


async def test_ccxt_recorded_create_order_fields_sent_as_json():
    """ccxt sends createOrder("BTC/JPY", "limit", "buy", 0.0001, 25000) as the form body
    amount=0.0001&order_type=buy&pair=btc_jpy&rate=25000. We send the same fields as JSON,
    as Coincheck's official Ruby client does (coincheckjp/ruby_coincheck_client)."""
    ccxt = dict(parse_qsl("amount=0.0001&order_type=buy&pair=btc_jpy&rate=25000"))
    async with FakeCoincheck() as fake:
        async with exchanges.create("coincheck", urls=fake.urls, credentials=CREDENTIALS) as ex:
            await ex.create_order("BTC/JPY", "buy", "limit", "0.0001", "25000")
    sent = next(s for s in fake.seen if s.method == "POST")
    assert sent.path == "/api/exchange/orders"
    assert sent.headers["Content-Type"].startswith("application/json")
    assert {k: str(v) for k, v in json.loads(sent.body).items()} == ccxt


async def test_markets_come_from_the_exchange_status_and_ccxts_recorded_reply():
    async with FakeCoincheck() as fake:
        async with exchanges.create("coincheck", urls=fake.urls) as ex:
            markets = await ex.load_markets()
            tickers = await ex.fetch_tickers()
            trades = await ex.fetch_trades("BTC/JPY")
            book = await ex.fetch_order_book("BTC/JPY")
            with pytest.raises(exchanges.NotSupported, match="no candles"):
                await ex.fetch_ohlcv("BTC/JPY")
            with pytest.raises(exchanges.NotSupported, match="trades and books only"):
                await ex.watch_ticker("BTC/JPY").__anext__()
    assert markets["BTC/JPY"].active and not markets["FPL/JPY"].active   # status "stop"
    assert set(tickers) == {"BTC/JPY", "ETH/JPY"}       # one request per active market
    assert fake.requests_to("/api/ticker") == 2
    # The docs' trades example: oldest first, the taker's side, ms from the ISO time.
    assert [(t.id, t.side, t.timestamp) for t in trades] == [
        ("81", "buy", 1420817113000), ("82", "sell", 1420869338000)]
    assert book.bids[0] == (D("27240"), D("1.1543")) and book.asks[0] == (D("27330"), D("2.25"))


async def test_a_market_buy_spends_yen_at_the_best_ask():
    """"In MarketBuy you have to specify JPY not BTC": market_buy_amount = amount x best ask."""
    async with FakeCoincheck() as fake:
        async with exchanges.create("coincheck", urls=fake.urls, credentials=CREDENTIALS) as ex:
            order = await ex.create_order("BTC/JPY", "buy", "market", "0.5")
    body = json.loads(next(s for s in fake.seen if s.method == "POST").body)
    assert body == {"pair": "btc_jpy", "order_type": "market_buy",
                    "market_buy_amount": "13665"}                        # 0.5 x 27330
    assert (order.type, order.status, order.filled, order.price) == ("market", "closed",
                                                                      D("0.5"), None)


def test_docs_examples_parse():
    ex = exchanges.create("coincheck")
    bal = ex.parse_balance({"success": True, "jpy": "0.8401", "btc": "7.75052654",
                            "jpy_reserved": "3000.0", "btc_reserved": "3.5002",
                            "jpy_lend_in_use": "0", "btc_debt": "0"})
    assert (bal["BTC"].free, bal["BTC"].used, bal["BTC"].total) == (
        D("7.75052654"), D("3.5002"), D("11.25072654"))
    market = exchanges.types.Market("BTC/JPY", "btc_jpy", "BTC", "JPY", D(1), D("0.00000001"))
    fill = ex.parse_my_trade({"id": 37, "order_id": 48, "created_at": "2015-11-18T07:02:21.000Z",
                              "funds": {"btc": "-0.1", "jpy": "4094.09"}, "pair": "btc_jpy",
                              "rate": "40900.0", "fee_currency": "JPY", "fee": "-4.09",
                              "liquidity": "M", "side": "sell"}, market)
    assert (fill.amount, fill.fee, fill.taker_or_maker, fill.order_id) == (
        D("0.1"), D("-4.09"), "maker", "48")
    record = ex.parse_order({"success": True, "id": 12345, "pair": "btc_jpy",
                             "status": "PARTIALLY_FILLED_EXPIRED", "order_type": "buy",
                             "rate": "0.1", "amount": "1.0", "executed_amount": "0",
                             "created_at": "2015-01-10T05:55:38.000Z"}, market)
    assert (record.status, record.type, record.remaining) == ("canceled", "limit", D(0))
    frame = ex.parse_book_frame({"bids": [["148634.0", "0.12"]], "asks": [["148834.0", "0"]],
                                 "last_update_at": "1659321701"}, market)
    assert frame.asks == [(D("148834.0"), D("0"))] and not frame.snapshot
    trades = ex.parse_ws_trades([["1663318663", "2357062", "btc_jpy", "2820896.0", "5.0",
                                  "sell", "1193401", "2078767", None]], market)
    assert [(t.id, t.side, t.amount, t.timestamp) for t in trades] == [
        ("2357062", "sell", D("5.0"), 1663318663000)]
