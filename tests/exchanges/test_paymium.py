"""Paymium adapter against the fake venue (REST v1, Api-Signature over nonce + URL + body, one
market, no client order ids). ccxt has no recorded requests or replies for this venue."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

import exchanges
from exchanges import errors as E
from exchanges.core.transport import Request
from exchanges.types import Credentials
from exchanges.venues.paymium import Paymium
from tests.fakes.paymium import CREDENTIALS, SYMBOL, FakePaymium

D = Decimal


@pytest.fixture
async def fake():
    async with FakePaymium() as f:
        yield f


@pytest.fixture
async def ex(fake):
    async with exchanges.create("paymium", credentials=CREDENTIALS, urls=fake.urls) as ex:
        yield ex


def test_signature_is_over_nonce_full_url_and_body():
    # spec securitySchemes.ApiSignature: "the hexdigest of the HMAC-SHA256 hash of the nonce
    # concatenated with the full URL and body". The spec gives no worked example.
    ex = Paymium(credentials=Credentials("k", "s"), clock=lambda: 1)
    ex.nonce_source = lambda: 1700000000000
    req = ex.sign(Request("GET", "/api/v1/user/orders", query="active=true"))
    want = hmac.new(b"s", b"1700000000000https://paymium.com/api/v1/user/orders?active=true",
                    hashlib.sha256).hexdigest()
    assert (req.headers["Api-Key"], req.headers["Api-Nonce"], req.headers["Api-Signature"]) \
        == ("k", "1700000000000", want)


async def test_one_market_and_its_public_data(ex, fake):
    markets = await ex.load_markets()
    assert list(markets) == [SYMBOL] and not fake.seen          # no markets endpoint
    t = await ex.fetch_ticker(SYMBOL)
    assert (t.timestamp, t.base_volume) == (1619184394000, D("39.77651173"))
    book = await ex.fetch_order_book(SYMBOL)
    assert book.bids[0][0] == D("59999.99") and book.asks[0][0] == D("60000.01")
    candles = await ex.fetch_ohlcv(SYMBOL, "1h", 1615816800000, 3)
    assert dict(parse_qsl(fake.seen[-1].query_string)) == {
        "interval": "1h", "startTime": "1615816800", "endTime": "1615824000"}
    assert [c.timestamp for c in candles][:1] == [1615816800000]


async def test_orders_are_json_numbers_and_found_by_their_terms(ex, fake):
    o = await ex.create_order(SYMBOL, "buy", "limit", "0.001", "48000.5")
    body = next(s.body for s in fake.seen if s.method == "POST")
    assert json.loads(body) == {"type": "LimitOrder", "currency": "EUR", "direction": "buy",
                                "price": 48000.5, "amount": 0.001}
    assert '"price":48000.5' in body and '"amount":0.001' in body
    # Paymium never sees our client id: the adapter names the order by its own record.
    assert (await ex.fetch_order(o.id, SYMBOL)).client_order_id == o.client_order_id
    m = (await ex.load_markets())[SYMBOL]
    assert (await ex.find_order_by_client_id(m, o.client_order_id)).id == o.id


async def test_balances_are_available_plus_locked(ex, fake):
    await ex.create_order(SYMBOL, "buy", "limit", "0.001", "48000")
    b = (await ex.fetch_balance())["EUR"]
    assert (b.free, b.used, b.total) == (D("99952.000"), D("48.000"), D("100000.000"))


async def test_errors_map_to_the_hierarchy(ex, fake):
    with pytest.raises(E.InsufficientFunds):
        await ex.create_order(SYMBOL, "buy", "limit", "100", "48000")
    with pytest.raises(E.OrderNotFound):                  # a bare 404 (spec)
        await ex.fetch_order("968f4580-0000-0000-0000-000000000000", SYMBOL)
    bad = Credentials(CREDENTIALS.api_key, "nope")
    async with exchanges.create("paymium", credentials=bad, urls=fake.urls) as other:
        with pytest.raises(E.AuthenticationError):
            await other.fetch_balance()


def test_fills_are_declared_absent():
    assert not Paymium.has["fetch_my_trades"] and "fills" in Paymium.lacks["fetch_my_trades"]


async def test_the_socket_io_stream_joins_public_and_reads_changes(ex, fake):
    watch = ex.watch_order_book(SYMBOL)
    first = asyncio.ensure_future(watch.__anext__())
    await fake.wait_subscribed("book", "eur")
    assert "40/public" in fake.ws_received
    await fake.publish_book("eur", bids=[("59999.99", "0")])     # a level removed
    book = await first
    assert book.bids[0][0] == D("59999.98") and book.asks[0][0] == D("60000.01")
    # Trades join on the same connection (closing the book's watch first could close it,
    # and the fake might still count the closing socket as subscribed).
    trades = ex.watch_trades(SYMBOL)
    nxt = asyncio.ensure_future(trades.__anext__())
    await fake.wait_subscribed("trades", "eur")
    await watch.aclose()
    await fake.push("trades", "eur", fake.event({"trades": [        # the spec's example
        {"price": "275", "traded_btc": "0.03636363", "timestamp": 1446464202000,
         "currency": "EUR"}]}))
    t = await asyncio.wait_for(nxt, 5)
    assert (t.id, t.side, t.price, t.amount) == (
        "1446464202000-275-0.03636363", None, D("275"), D("0.03636363"))
    await trades.aclose()
