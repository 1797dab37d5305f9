"""BtcTurk adapter against the fake venue (Authentication V1, REST v2/v1, the market websocket)."""
from __future__ import annotations

import base64
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
from exchanges.venues.btcturk import BtcTurk
from tests.fakes.btcturk import CREDENTIALS, SYMBOL, FakeBtcTurk

D = Decimal


@pytest.fixture
async def fake():
    async with FakeBtcTurk() as f:
        yield f


@pytest.fixture
async def ex(fake):
    async with exchanges.create("btcturk", credentials=CREDENTIALS, urls=fake.urls) as ex:
        yield ex


def test_signature_is_the_documented_recipe():
    # docs.btcturk.com/authentication/authentication-v1 gives code, not a vector: the Python
    # example's steps (b64decode(secret), HMAC-SHA256 of apiKey + stamp, b64encode) by hand.
    secret = base64.b64encode(b"0123456789abcdef").decode()
    ex = BtcTurk(credentials=Credentials("PUBKEY", secret), clock=lambda: 1700000000000)
    req = ex.sign(Request("GET", "/api/v1/users/balances", query="ignored=1", body='{"a":1}'))
    want = base64.b64encode(hmac.new(base64.b64decode(secret), b"PUBKEY1700000000000",
                                     hashlib.sha256).digest()).decode()
    assert (req.headers["X-PCK"], req.headers["X-Stamp"], req.headers["X-Signature"]) == (
        "PUBKEY", "1700000000000", want)


def test_ccxt_recorded_tickers_parse():
    # ccxt ts/src/test/static/response/btcturk.json, fetchTicker "Captured BTC USDT change
    # from open" and "Zero open retains exchange change fallback": open 0 is no open price.
    from exchanges.types import Market
    ex = BtcTurk()
    m = Market("BTC/USDT", "BTCUSDT", "BTC", "USDT", D("1"), D("0.00000001"), None, None, True)
    row = {"pair": "BTCUSDT", "timestamp": 1789410188498, "last": 79152, "high": 79165,
           "low": 76386, "bid": 79164, "ask": 79185, "open": 77356,
           "volume": D("11.32065888")}
    t = ex.parse_ticker(row, m)
    assert (t.open, t.last, t.base_volume, t.timestamp) == (
        D(77356), D(79152), D("11.32065888"), 1789410188498)
    assert ex.parse_ticker({**row, "open": 0}, m).open is None


async def test_markets_from_exchangeinfo(ex):
    m = (await ex.load_markets())[SYMBOL]
    assert (m.id, m.price_increment, m.amount_increment, m.min_cost) == (
        "BTCTRY", D("1"), D("0.00000001"), D("99.91"))


async def test_candles_ask_the_graph_host_in_seconds(ex, fake):
    candles = await ex.fetch_ohlcv(SYMBOL, "1h", 1_700_000_000_000, 3)
    q = dict(parse_qsl(fake.seen[-1].query_string))
    assert fake.seen[-1].path == "/v1/klines/history"
    assert q == {"symbol": "BTCTRY", "resolution": "60", "from": "1700000000",
                 "to": "1700010800"}
    assert candles and all(c.timestamp >= 1_700_000_000_000 for c in candles)   # from `since`


async def test_a_market_buy_sends_quote_quantity(ex, fake):
    o = await ex.create_order(SYMBOL, "buy", "market", "0.001")
    body = json.loads(next(s for s in fake.seen if s.method == "POST").body)
    assert body["orderMethod"] == "market" and body["orderType"] == "buy"
    assert D(body["quantity"]) == D("0.001") * fake.books["BTCTRY"].best("asks")
    assert o.status == "closed" and o.filled == D("0.001")
    fills = await ex.fetch_my_trades(SYMBOL)
    assert fills[-1].order_id == o.id and fills[-1].side == "buy"
    assert sorted(parse_qsl(fake.seen[-1].query_string)) == [
        ("symbol", "btc"), ("symbol", "try"), ("type", "buy"), ("type", "sell")]


async def test_client_order_id_is_a_guid_named_as_the_docs_name_it(ex, fake):
    o = await ex.create_order(SYMBOL, "sell", "limit", "0.001", "3100000")
    body = json.loads(next(s for s in fake.seen if s.method == "POST").body)
    # Submit an Order: newOrderClientId (ccxt sends newClientOrderId, not the docs' name).
    assert body["newOrderClientId"] == o.client_order_id and len(o.client_order_id) == 36


async def test_errors_map_to_the_hierarchy(ex):
    with pytest.raises(E.InsufficientFunds):
        await ex.create_order(SYMBOL, "sell", "limit", "100", "3100000")
    with pytest.raises(E.OrderNotFound):
        await ex.fetch_order("1", SYMBOL)
    with pytest.raises(E.OrderNotFound):
        await ex.cancel_order("1", SYMBOL)
