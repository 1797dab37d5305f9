"""bitFlyer specifics the generic suites do not cover.

Sources: https://lightning.bitflyer.com/docs?lang=en (its examples; the docs give code samples
for signing, no worked signature) and ccxt's recorded request for fetchTicker
(ts/src/test/static/request/bitflyer.json in ccxt/ccxt)."""
from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal

import pytest

import exchanges
from tests.fakes.bitflyer import CREDENTIALS, FakeBitflyer

CLOCK = 1_436_330_000_000


async def test_signature_is_hmac_of_timestamp_method_path_and_body():
    """ACCESS-SIGN: HMAC-SHA256 of ACCESS-TIMESTAMP, the method, the path with its query and
    the body, in hex (docs, "Authentication"); the timestamp comes from the clock."""
    async with FakeBitflyer() as fake:
        async with exchanges.create("bitflyer", urls=fake.urls, credentials=CREDENTIALS,
                                    clock=lambda: CLOCK) as ex:
            await ex.fetch_balance()
            await ex.fetch_open_orders("BTC/JPY")
    seen = [s for s in fake.seen if s.path.startswith("/v1/me/")]
    for s in seen:
        ts = s.headers["ACCESS-TIMESTAMP"]
        assert ts == str(CLOCK)
        query = f"?{s.query_string}" if s.query_string else ""
        want = hmac.new(CREDENTIALS.secret.encode(), f"{ts}{s.method}{s.path}{query}{s.body}"
                        .encode(), hashlib.sha256).hexdigest()
        assert s.headers["ACCESS-SIGN"] == want


async def test_ccxt_recorded_ticker_request_and_spot_markets_only():
    """ccxt's fetchTicker request is GET /v1/getticker?product_code=…; ccxt maps FX_BTC_JPY
    to "BTC/JPY:JPY", which we do not list: the Crypto CFD and futures are not spot."""
    async with FakeBitflyer() as fake:
        async with exchanges.create("bitflyer", urls=fake.urls) as ex:
            markets = await ex.load_markets()
            t = await ex.fetch_ticker("BTC/JPY")
    assert set(markets) == {"BTC/JPY", "ETH/BTC"}
    assert markets["BTC/JPY"].min_amount == Decimal("0.001")
    assert any(s.path == "/v1/getticker" and s.query_string == "product_code=BTC_JPY"
               for s in fake.seen)
    assert t.last == Decimal("31690") and t.base_volume == Decimal("6819.26")
    assert t.timestamp == 1436323859970 and t.high is None


async def test_trades_keep_the_taker_side_and_have_no_candles():
    async with FakeBitflyer() as fake:
        async with exchanges.create("bitflyer", urls=fake.urls) as ex:
            trades = await ex.fetch_trades("BTC/JPY")
            assert [(x.id, x.side) for x in trades] == [("39286", "sell"), ("39287", "buy")]
            assert trades[0].timestamp == 1436323414720
            assert not ex.has["fetch_ohlcv"]
            with pytest.raises(exchanges.NotSupported):
                await ex.fetch_ohlcv("BTC/JPY")


async def test_error_status_maps_and_a_lost_order_reply_is_found_by_its_terms():
    async with FakeBitflyer() as fake:
        async with exchanges.create("bitflyer", urls=fake.urls, credentials=CREDENTIALS) as ex:
            with pytest.raises(exchanges.OrderNotFound):
                await ex.cancel_order("JRF20150707-084552-999999", "BTC/JPY")
            with pytest.raises(exchanges.InsufficientFunds):
                await ex.create_order("BTC/JPY", "buy", "limit", "1000", "29000")
            fake.faults.garble_if = lambda q: q.path.endswith("sendchildorder")
            order = await ex.create_order("BTC/JPY", "buy", "limit", "0.01", "29000",
                                          client_order_id="ours-1")
            fake.faults.garble_if = None
            assert order.client_order_id == "ours-1" and order.status == "open"
            assert [o.id for o in fake.store.orders.values()] == [order.id]
            assert [o.client_order_id for o in await ex.fetch_open_orders()] == ["ours-1"]
