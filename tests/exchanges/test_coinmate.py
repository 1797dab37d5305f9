"""Coinmate adapter against the fake venue (form-body signing, REST, websocket v2)."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

import exchanges
from exchanges import errors as E
from exchanges.core.transport import Request
from exchanges.types import Credentials
from exchanges.venues.coinmate import Coinmate
from tests.fakes.coinmate import CREDENTIALS, SYMBOL, FakeCoinmate

D = Decimal


@pytest.fixture
async def fake():
    async with FakeCoinmate() as f:
        yield f


@pytest.fixture
async def ex(fake):
    async with exchanges.create("coinmate", credentials=CREDENTIALS, urls=fake.urls) as ex:
        yield ex


def test_signature_is_nonce_client_id_public_key_only():
    # Blueprint "Authentication": HMAC-SHA256(private key, nonce + clientId + publicKey),
    # upper-case hex, sent with clientId, publicKey and nonce in the form body. Its sample
    # (clientId=6&publicKey=CpmRV…&nonce=0&signature=E4F27EAB…) omits the private key, so it
    # cannot be reproduced byte for byte; this is the rule applied to our own numbers.
    ex = Coinmate(credentials=Credentials("pub", "priv", uid="6"), clock=lambda: 1)
    ex.nonce_source = lambda: 1700000000000
    req = Request("POST", "/api/openOrders", data={"currencyPair": "BTC_EUR"},
                  body_format="form")
    req.encode_body()
    body = dict(parse_qsl(ex.sign(req).body))
    want = hmac.new(b"priv", b"17000000000006pub", hashlib.sha256).hexdigest().upper()
    assert body == {"clientId": "6", "publicKey": "pub", "nonce": "1700000000000",
                    "currencyPair": "BTC_EUR", "signature": want}


@pytest.mark.parametrize("call, args, url", [
    # ccxt ts/src/test/static/request/coinmate.json, fetchTicker and fetchTickers.
    ("fetch_ticker", ("BTC/EUR",), "/api/ticker?currencyPair=BTC_EUR"),
    ("fetch_tickers", (), "/api/tickerAll")])
async def test_ccxt_recorded_requests(ex, fake, call, args, url):
    await getattr(ex, call)(*args)
    seen = fake.seen[-1]
    assert seen.path + (f"?{seen.query_string}" if seen.query_string else "") == url


async def test_ccxt_recorded_ticker_reply_is_read_with_its_digits(ex):
    # ccxt ts/src/test/static/response/coinmate.json, fetchTicker (BTC/USDT). ccxt leaves
    # `open` out; the reply carries it (blueprint "Get ticker": open), so we keep it.
    await ex.load_markets()
    m = ex.markets[SYMBOL]
    t = ex.parse_ticker({"last": "73722.8", "high": "73726.3", "low": "69000",
                         "amount": "0.15487888", "bid": "73017.7", "ask": "73667.9",
                         "change": "3.05116019", "open": "71540", "timestamp": "1710328244"}, m)
    assert (t.timestamp, t.last, t.bid, t.ask, t.base_volume, t.open) == (
        1710328244000, D("73722.8"), D("73017.7"), D("73667.9"), D("0.15487888"), D("71540"))


async def test_markets_and_book(ex):
    m = (await ex.load_markets())["BTC/CZK"]
    assert (m.id, m.price_increment, m.amount_increment, m.min_amount) == (
        "BTC_CZK", D("1"), D("0.00000001"), D("0.0002"))
    book = await ex.fetch_order_book(SYMBOL, 3)
    assert book.bids[0] == (D("59999.99"), D("0.5")) and len(book.asks) == 3


async def test_a_market_buy_spends_a_quote_total_and_is_read_back(ex, fake):
    o = await ex.create_order(SYMBOL, "buy", "market", "0.1")
    assert o.status == "closed" and o.filled == D("0.1")
    sent = dict(parse_qsl(next(s for s in fake.seen if s.path == "/api/buyInstant").body))
    assert D(sent["total"]) == D("0.1") * D("60000.01") and "amount" not in sent
    assert sent["clientOrderId"] == o.client_order_id and o.client_order_id.isdigit()
    fills = await ex.fetch_my_trades(SYMBOL)
    assert fills[0].order_id == o.id and fills[0].taker_or_maker == "taker"


async def test_errors_map_to_the_hierarchy(ex, fake):
    with pytest.raises(E.InsufficientFunds):
        await ex.create_order(SYMBOL, "buy", "limit", "100", "59000")
    with pytest.raises(E.OrderNotFound):
        await ex.cancel_order("1", SYMBOL)
    bad = Credentials(CREDENTIALS.api_key, CREDENTIALS.secret, uid="7")
    async with exchanges.create("coinmate", credentials=bad, urls=fake.urls) as other:
        with pytest.raises(E.AuthenticationError):
            await other.fetch_balance()


async def test_each_book_frame_replaces_the_whole_book(ex, fake):
    watch = ex.watch_order_book(SYMBOL)
    first = asyncio.ensure_future(watch.__anext__())
    await fake.wait_subscribed("book", "BTC_EUR")
    await first
    fake.books["BTC_EUR"].apply(bids=[("59999.99", "0")])         # gone, no delta
    await fake.publish_book("BTC_EUR", asks=[("60000.01", "3")])
    book = await watch.__anext__()
    assert book.bids[0][0] == D("59999.98") and book.asks[0] == (D("60000.01"), D("3"))
    await watch.aclose()
