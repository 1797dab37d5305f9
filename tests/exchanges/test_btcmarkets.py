"""BTC Markets adapter against the fake venue (REST v3, BM-AUTH signing, websocket v2)."""
from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

import exchanges
from exchanges import errors as E
from exchanges.core.transport import Request
from exchanges.types import Credentials
from exchanges.venues.btcmarkets import BTCMarkets, book_checksum
from tests.fakes.btcmarkets import CREDENTIALS, SYMBOL, FakeBTCMarkets

D = Decimal


@pytest.fixture
async def fake():
    async with FakeBTCMarkets() as f:
        yield f


@pytest.fixture
async def ex(fake):
    async with exchanges.create("btcmarkets", credentials=CREDENTIALS, urls=fake.urls) as ex:
        yield ex


def test_the_official_sdk_signing_vector():
    # BTCMarkets/btcmarkets-node-sdk test/authorization.test.ts: GET, API_VERSION "/v3" +
    # "/testpath", now 1569349976622, JSON.stringify of the data, secret "myPrivateKey".
    ex = BTCMarkets(credentials=Credentials("k", "myPrivateKey"), clock=lambda: 1569349976622)
    body = json.dumps({"firstName": "test first name", "lastName": "test last name"},
                      separators=(",", ":"))
    req = ex.sign(Request("GET", "/v3/testpath", body=body, query="ignored=1"))
    assert req.headers["BM-AUTH-SIGNATURE"] == (
        "QNZzyrw1pVzc+N7qJFgj5MBGJwp/pm5sxHnm05zgsBpA0TOK0v0KcRIVyDvE+ut+P+D2xnK+SasUDFtXr/AJzA==")
    assert req.headers["BM-AUTH-TIMESTAMP"] == "1569349976622"
    assert req.headers["BM-AUTH-APIKEY"] == "k"


@pytest.mark.parametrize("since, limit, query", [
    # ccxt ts/src/test/static/request/btcmarkets.json, fetchOHLCV "with since", "with limit",
    # "with since, and limit" (the `until` cases are ccxt options the contract lacks).
    (1735862400000, None, "from=2025-01-02T23:59:59.999Z&timeWindow=1h"),
    (None, 4, "limit=4&timeWindow=1h"),
    (1735862399999, 4, "from=2025-01-02T23:59:59.998Z&limit=4&timeWindow=1h")])
async def test_ccxt_recorded_candle_requests(ex, fake, since, limit, query):
    await ex.fetch_ohlcv(SYMBOL, "1h", since, limit)
    seen = fake.seen[-1]
    assert seen.path == "/v3/markets/BTC-AUD/candles"
    assert sorted(parse_qsl(seen.query_string)) == sorted(parse_qsl(query))


async def test_markets_tickers_and_book(ex, fake):
    m = (await ex.load_markets())[SYMBOL]
    assert (m.id, m.price_increment, m.amount_increment, m.min_amount) == (
        "BTC-AUD", D("0.01"), D("0.00000001"), D("0.0001"))
    tickers = await ex.fetch_tickers()
    assert set(tickers) == {"BTC/AUD", "ETH/AUD"}
    assert sorted(parse_qsl(fake.seen[-1].query_string)) == [("marketId", "BTC-AUD"),
                                                     ("marketId", "ETH-AUD")]
    t = tickers[SYMBOL]
    assert t.open == t.last + D("150.00")          # price24h is the change
    book = await ex.fetch_order_book(SYMBOL, 5)
    assert len(book.bids) == 5 and book.bids[0][0] == D("94999.99")
    assert "level=2" in fake.seen[-1].query_string


async def test_trades_are_oldest_first_with_the_takers_side(ex):
    trades = await ex.fetch_trades(SYMBOL)
    assert [(t.id, t.side) for t in trades] == [("4107", "sell"), ("4108", "buy")]


async def test_order_round_trip_and_fills(ex, fake):
    o = await ex.create_order(SYMBOL, "buy", "market", "0.1")
    assert o.status == "closed" and o.filled == D("0.1")
    body = json.loads(next(s for s in fake.seen if s.method == "POST").body)
    assert body["side"] == "Bid" and body["type"] == "Market" and "price" not in body
    fills = await ex.fetch_my_trades(SYMBOL)
    assert fills[0].order_id == o.id and fills[0].taker_or_maker == "taker"
    assert fills[0].client_order_id == o.client_order_id


async def test_errors_map_to_the_hierarchy(ex, fake):
    with pytest.raises(E.InsufficientFunds):
        await ex.create_order(SYMBOL, "buy", "limit", "100", "95000")
    with pytest.raises(E.OrderNotFound):
        await ex.cancel_order("1", SYMBOL)
    bad = Credentials(CREDENTIALS.api_key, "c29tZSBvdGhlciBzZWNyZXQ=")
    async with exchanges.create("btcmarkets", credentials=bad, urls=fake.urls) as other:
        with pytest.raises(E.AuthenticationError):
            await other.fetch_balance()


def test_checksum_is_top_ten_bids_then_asks_without_dots_or_leading_zeros():
    import zlib
    bids, asks = [(D("0.05"), D("1.50"))], [(D("0.06"), D("0.25"))]
    assert book_checksum(bids, asks) == zlib.crc32(b"51506" + b"25")


async def test_a_bad_checksum_resubscribes(ex, fake):
    watch = ex.watch_order_book(SYMBOL)
    first = asyncio.ensure_future(watch.__anext__())
    await fake.wait_subscribed("book", "BTC-AUD")
    await first
    subscribes = sum(1 for m in fake.ws_received if m.get("messageType") == "addSubscription")
    fake.books["BTC-AUD"].apply(bids=[("94999.99", "9")])          # changed, unannounced
    await fake.publish_book("BTC-AUD", asks=[("95000.01", "3")])
    await fake.wait_for(lambda: sum(1 for m in fake.ws_received
                                    if m.get("messageType") == "addSubscription") > subscribes)
    await watch.aclose()
