"""Independent Reserve adapter against the fake venue (signed JSON bodies, Public/Private REST,
trades on the websocket ticker channel)."""
from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest

import exchanges
from exchanges import errors as E
from exchanges.core.transport import Request
from exchanges.types import Credentials, Market
from exchanges.venues.independentreserve import IndependentReserve, signing_message
from tests.fakes.independentreserve import CREDENTIALS, SYMBOL, FakeIndependentReserve

D = Decimal
BTC_USD = Market("BTC/USD", "Xbt-Usd", "BTC", "USD", D("0.01"), D("0.00000001"), None, None,
                 True)


@pytest.fixture
async def fake():
    async with FakeIndependentReserve() as f:
        yield f


@pytest.fixture
async def ex(fake):
    async with exchanges.create("independentreserve", credentials=CREDENTIALS,
                                urls=fake.urls) as ex:
        yield ex


def test_the_official_sdk_hmac_vector():
    # independentreserve/dotNetApiClient test/UnitTest/HttpWorkerFixture.cs: HMAC-SHA256 of
    # "message" with "key", upper-case hex. SHA256, as the SDK signs (the issue said SHA512).
    assert hmac.new(b"key", b"message", hashlib.sha256).hexdigest().upper() == (
        "6E9EF29B75FFFC5B7ABAE527D58FDADB2FE42E7219011976917343065F58ED4A")
    ex = IndependentReserve(credentials=Credentials("k", "key"))
    ex.nonce_source = lambda: 7
    req = ex.sign(Request("POST", "/Private/GetAccounts", data={}, body_format="json"))
    body = json.loads(req.body)
    msg = "https://api.independentreserve.com/Private/GetAccounts,apiKey=k,nonce=7"
    assert signing_message("https://api.independentreserve.com/Private/GetAccounts",
                           '{"apiKey":"k","nonce":"7"}') == msg
    assert body == {"apiKey": "k", "nonce": "7", "signature": hmac.new(
        b"key", msg.encode(), hashlib.sha256).hexdigest().upper()}


@pytest.mark.parametrize("type_, price, path, fields", [
    # ccxt ts/src/test/static/request/independentreserve.json createOrder "market buy" and
    # "limit buy" (BTC/USD, 0.1 at 44000): the same fields, in the same order, with the same
    # codes. We add clientId (the SDK's PlaceLimitOrder/PlaceMarketOrder take one) and send
    # numbers as strings (the SDK does), and sign after the parameters (ccxt puts
    # `signature` third; the SDK appends it, and it is not part of the signed message).
    ("market", None, "/Private/PlaceMarketOrder",
     ["primaryCurrencyCode", "secondaryCurrencyCode", "orderType", "volume"]),
    ("limit", D("44000"), "/Private/PlaceLimitOrder",
     ["primaryCurrencyCode", "secondaryCurrencyCode", "orderType", "volume", "price"])])
def test_ccxt_recorded_order_requests(type_, price, path, fields):
    ex = IndependentReserve(credentials=Credentials("key", "secret"))
    ex.nonce_source = lambda: 1704966791
    params = ex.create_order_params(BTC_USD, "buy", type_, D("0.1"), price, "cid-1", {})
    from exchanges.core.api import fill_path
    got_path, data = fill_path(ex.api["create_order"].path, params)
    req = ex.sign(Request("POST", got_path, data=data, body_format="json"))
    body = json.loads(req.body)
    assert got_path == path
    assert list(body)[:2] == ["apiKey", "nonce"] and list(body)[-1] == "signature"
    assert set(fields) <= set(body) and body["clientId"] == "cid-1"
    assert (body["primaryCurrencyCode"], body["secondaryCurrencyCode"], body["volume"]) == (
        "Xbt", "Usd", "0.1")
    assert body["orderType"] == ("MarketBid" if type_ == "market" else "LimitBid")
    assert type_ == "market" or body["price"] == "44000"


async def test_markets_cross_primary_and_secondary_codes(ex):
    markets = await ex.load_markets()
    m = markets[SYMBOL]
    assert set(markets) == {"BTC/AUD", "ETH/AUD"}               # Xbt → BTC
    assert (m.id, m.price_increment, m.amount_increment, m.min_amount) == (
        "Xbt-Aud", D("0.01"), D("0.00000001"), D("0.0001"))


async def test_tickers_are_one_summary_per_market(ex, fake):
    await ex.load_markets()
    before = len(fake.seen)
    tickers = await ex.fetch_tickers()
    assert set(tickers) == {"BTC/AUD", "ETH/AUD"}
    assert sum(s.path == "/Public/GetMarketSummary" for s in fake.seen[before:]) == 2


async def test_candles_are_hourly_summaries(ex, fake):
    candles = await ex.fetch_ohlcv(SYMBOL, "1h", limit=3)
    q = dict(parse_qsl(fake.seen[-1].query_string))
    assert q["numberOfHoursInThePastToRetrieve"] == "3" and len(candles) == 3
    with pytest.raises(E.NotSupported):
        await ex.fetch_ohlcv(SYMBOL, "1m")


async def test_orders_carry_the_client_id_and_fills_say_taker(ex, fake):
    o = await ex.create_order(SYMBOL, "buy", "market", "0.001")
    assert o.status == "closed" and o.filled == D("0.001")
    body = json.loads(next(s for s in fake.seen if s.path == "/Private/PlaceMarketOrder").body)
    assert body["clientId"] == o.client_order_id and body["volume"] == "0.001"
    fills = await ex.fetch_my_trades(SYMBOL)
    assert fills[-1].order_id == o.id and fills[-1].taker_or_maker == "taker"


async def test_errors_map_to_the_hierarchy(ex, fake):
    with pytest.raises(E.InsufficientFunds):
        await ex.create_order(SYMBOL, "buy", "limit", "100", "150000")
    with pytest.raises(E.OrderNotFound):
        await ex.fetch_order("00000000-0000-4000-8000-999999999999", SYMBOL)
    for call in ("watch_ticker", "watch_tickers"):
        assert not ex.has[call] and ex.lacks[call]


def test_order_events_fold_into_price_levels():
    # orderbook-ticker.md: NewOrder carries the price in every fiat; OrderChanged the volume
    # left; OrderCanceled only the guid. Two orders at one price make one level.
    ex = IndependentReserve()
    m = Market("BTC/AUD", "Xbt-Aud", "BTC", "AUD", D("0.01"), D("0.00000001"), None, None, True)
    book = ex.parse_order_book({"BuyOrders": [{"Guid": "a", "Price": D("100"),
                                               "Volume": D("1")}], "SellOrders": []}, m)
    assert book.bids == [(D("100"), D("1"))]

    def event(name, nonce, **data):
        return {"Channel": "orderbook-xbt", "Nonce": nonce, "Time": 1, "Event": name,
                "Data": {"OrderType": "LimitBid", **data}}
    f = ex.parse_book_frame(event("NewOrder", 5, OrderGuid="b", Volume=D("2"),
                                  Price={"aud": D("100"), "usd": D("66")}), m)
    assert (f.bids, f.seq) == ([(D("100"), D("3"))], 5)
    f = ex.parse_book_frame(event("OrderChanged", 6, OrderGuid="a", Volume=D("0.25")), m)
    assert f.bids == [(D("100"), D("2.25"))]
    f = ex.parse_book_frame(event("OrderCanceled", 7, OrderGuid="b"), m)
    assert f.bids == [(D("100"), D("0.25"))]
    f = ex.parse_book_frame(event("OrderCanceled", 8, OrderGuid="a"), m)
    assert f.bids == [(D("100"), D("0"))]           # the level is gone
