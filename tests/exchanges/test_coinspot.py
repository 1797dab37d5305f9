"""CoinSpot adapter against the fake venue (v2 REST; no websocket, no candles, limit orders
only, no client order id)."""
from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal

import pytest

import exchanges
from exchanges import errors as E
from exchanges.core.transport import Request
from exchanges.types import Credentials
from exchanges.venues.coinspot import CoinSpot
from tests.fakes.coinspot import CREDENTIALS, SYMBOL, FakeCoinSpot

D = Decimal


@pytest.fixture
async def fake():
    async with FakeCoinSpot() as f:
        yield f


@pytest.fixture
async def ex(fake):
    async with exchanges.create("coinspot", credentials=CREDENTIALS, urls=fake.urls) as ex:
        yield ex


def test_sign_is_hmac_sha512_of_the_exact_body_with_an_integer_nonce():
    # v2 docs "Security": headers key and sign (HMAC-SHA512 of the POST data); post param
    # nonce, "any integer value". No worked example is given.
    ex = CoinSpot(credentials=Credentials("K", "S"))
    ex.nonce_source = lambda: 1700000000000
    req = ex.sign(Request("POST", "/api/v2/my/buy/cancel", data={"id": "abc"},
                          body_format="json"))
    assert req.body == '{"nonce":1700000000000,"id":"abc"}'
    assert req.headers["key"] == "K"
    assert req.headers["sign"] == hmac.new(b"S", req.body.encode(), hashlib.sha512).hexdigest()


async def test_markets_come_from_the_latest_prices(ex):
    markets = await ex.load_markets()
    assert set(markets) == {"BTC/AUD", "ETH/AUD"} and markets[SYMBOL].id == "BTC-AUD"
    t = await ex.fetch_ticker(SYMBOL)
    assert t.bid < t.ask and t.last == t.bid


async def test_what_coinspot_lacks_is_declared(ex):
    for call in ("fetch_ohlcv", "fetch_order", "watch_order_book", "watch_trades"):
        assert not ex.has[call] and ex.lacks[call]
    assert ex.has["create_order"] and not ex.has["create_market_order"]
    with pytest.raises(exchanges.NotSupported):
        await ex.create_order(SYMBOL, "buy", "market", "0.01")


async def test_a_limit_order_is_sent_with_coin_market_amount_and_rate(ex, fake):
    order = await ex.create_order(SYMBOL, "sell", "limit", "0.01", "160000")
    sent = [s for s in fake.seen if s.path == "/api/v2/my/sell"][0]
    body = json.loads(sent.body)
    assert {k: v for k, v in body.items() if k != "nonce"} == {
        "cointype": "BTC", "markettype": "AUD", "amount": 0.01, "rate": 160000} or \
        {k: str(v) for k, v in body.items() if k != "nonce"} == {
        "cointype": "BTC", "markettype": "AUD", "amount": "0.01", "rate": "160000"}
    assert order.status == "open" and fake.store.find(order.id).price == D("160000")


async def test_cancel_uses_the_orders_side(ex, fake):
    rec = fake.store.add_open("BTC-AUD", 1, "100000", "0.01")[0]
    order = await ex.cancel_order(rec.id, SYMBOL)
    assert order.status == "canceled" and fake.seen[-1].path == "/api/v2/my/buy/cancel"
    assert json.loads(fake.seen[-1].body)["id"] == rec.id
    with pytest.raises(E.OrderNotFound):
        await ex.cancel_order(rec.id, SYMBOL)


async def test_filled_orders_are_fills_and_closed_orders(ex, fake):
    rec = fake.store.place("BTC-AUD", "buy", "market", "0.01", book=fake.books["BTC-AUD"])
    fills = await ex.fetch_my_trades(SYMBOL)
    assert [(f.order_id, f.amount, f.side) for f in fills] == [(rec.id, D("0.01"), "buy")]
    market = await ex.market(SYMBOL)
    assert [o.status for o in await ex._open_and_closed(market) if o.id == rec.id] == ["closed"]
