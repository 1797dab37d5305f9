"""Mercado Bitcoin adapter against the fake venue (API v4: /authorize and Bearer tokens,
columnar /symbols and /candles, orders with externalId; the public websocket). ccxt has no
recorded requests or replies for this venue; shapes come from the v4 swagger."""
from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

import exchanges
from exchanges import errors as E
from tests.fakes.mercado import ACCOUNT, CREDENTIALS, SYMBOL, FakeMercado

D = Decimal


@pytest.fixture
async def fake():
    async with FakeMercado() as f:
        yield f


@pytest.fixture
async def ex(fake):
    async with exchanges.create("mercado", credentials=CREDENTIALS, urls=fake.urls) as ex:
        yield ex


async def test_one_login_then_bearer_calls_on_the_account(ex, fake):
    await ex.fetch_balance()
    await ex.fetch_open_orders(SYMBOL)
    login = [s for s in fake.seen if s.path == "/api/v4/authorize"]
    assert len(login) == 1 and json.loads(login[0].body) == {
        "login": CREDENTIALS.api_key, "password": CREDENTIALS.secret}
    last = fake.seen[-1]
    assert last.path == f"/api/v4/accounts/{ACCOUNT}/orders"
    assert last.headers["Authorization"].startswith("Bearer 01GF442")
    assert dict(parse_qsl(last.query_string)) == {"symbol": "BTC-BRL",
                                                  "status": "created,working"}


async def test_a_revoked_token_logs_in_again(ex, fake):
    await ex.fetch_balance()
    fake.tokens.clear()
    assert await ex.fetch_balance()
    assert sum(1 for s in fake.seen if s.path == "/api/v4/authorize") == 2


async def test_limit_price_is_a_json_number_with_its_digits(ex, fake):
    o = await ex.create_order(SYMBOL, "buy", "limit", "0.001", "440000.01")
    body = next(s.body for s in fake.seen if s.method == "POST" and "orders" in s.path)
    assert '"limitPrice":440000.01' in body and '"qty":"0.001"' in body
    assert json.loads(body)["externalId"] == o.client_order_id
    assert (await ex.fetch_order(o.id, SYMBOL)).client_order_id == o.client_order_id


async def test_columnar_symbols_and_candles(ex, fake):
    m = (await ex.load_markets())["USDC/BRL"]
    assert (m.id, m.price_increment, m.min_amount, m.min_cost) == (
        "USDC-BRL", D("0.0001"), D("1"), D("1"))
    candles = await ex.fetch_ohlcv(SYMBOL, "1h", 1652119200000, 3)
    assert [c.timestamp for c in candles] == [1652119200000, 1652122800000, 1652126400000]
    assert dict(parse_qsl(fake.seen[-1].query_string)) == {
        "symbol": "BTC-BRL", "resolution": "1h", "from": "1652119200", "to": "1652130000"}
    await ex.fetch_tickers()
    assert dict(parse_qsl(fake.seen[-1].query_string)) == {
        "symbols": "BTC-BRL,ETH-BRL,USDC-BRL"}


async def test_fills_come_from_the_orders_executions(ex, fake):
    o = await ex.create_order(SYMBOL, "buy", "market", "0.01")
    assert o.status == "closed" and o.filled == D("0.01")
    fills = await ex.fetch_my_trades(SYMBOL)
    assert {f.order_id for f in fills} == {o.id} and fills[0].taker_or_maker == "taker"
    assert "has_executions=true" in fake.seen[-1].query_string
    with pytest.raises(E.ExchangeError):
        await ex.fetch_my_trades()


async def test_domain_module_error_codes_map_by_their_last_part(ex, fake):
    with pytest.raises(E.OrderNotFound):          # swagger: TRADING|GET_ORDER|ORDER_NOT_FOUND
        await ex.fetch_order("01HNOPE", SYMBOL)
    with pytest.raises(E.InsufficientFunds):
        await ex.create_order(SYMBOL, "buy", "limit", "100", "440000")
    bad = exchanges.Credentials(CREDENTIALS.api_key, "wrong")
    async with exchanges.create("mercado", credentials=bad, urls=fake.urls) as other:
        with pytest.raises(E.AuthenticationError):
            await other.create_order(SYMBOL, "buy", "limit", "0.001", "440000")
    assert not any(s.method == "POST" and "orders" in s.path and s.headers.get(
        "Authorization") is None for s in fake.seen)


async def test_stream_ids_are_quote_then_base(ex, fake):
    watch = ex.watch_order_book(SYMBOL)
    first = asyncio.ensure_future(watch.__anext__())
    await fake.wait_subscribed("book", "BRLBTC")
    assert {"type": "subscribe", "subscription": {"name": "orderbook", "id": "BRLBTC",
                                                  "limit": 200}} in fake.ws_received
    await fake.publish_book("BRLBTC", bids=[("549999.99", "3")])
    book = await first
    assert book.bids[0] == (D("549999.99"), D("3"))
    await watch.aclose()
