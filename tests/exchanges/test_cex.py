"""CEX.IO specifics the generic suites do not cover: the docs' signing example, where we differ
from ccxt's recorded (legacy API) requests, the trading sub-account, orders answered "ok" but
REJECTED, candles of the best bid, and the order book's seqId rule."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from decimal import Decimal

import pytest

import exchanges
from exchanges.core.book import BookSync, OutOfSync
from exchanges.core.transport import Request
from exchanges.types import Market
from tests.fakes.cex import CREDENTIALS, FakeCEX

BTC = Market("BTC/USD", "BTC-USD", "BTC", "USD", Decimal("0.1"), Decimal("0.00000001"))


def test_the_docs_authentication_example_is_reproduced():
    # https://trade.cex.io/docs/#rest-private-api-calls-authentication: action get_order_book,
    # params {"pair": "BTC-USD"}, payload = action + timestamp + JSON.stringify(params),
    # base64 HMAC-SHA256 keyed with apiSecret ('base64_string_secret' in the example, used as
    # given, as the example code and CEX.IO's Node client do).
    key = exchanges.Credentials(api_key="base64_string_key", secret="base64_string_secret")
    ex = exchanges.create("cex", credentials=key, clock=lambda: 1_700_000_000_123)
    req = Request("POST", "/api/spot/rest/get_order_book", data={"pair": "BTC-USD"},
                  body_format="json")
    req.encode_body()
    req = ex.sign(req)
    payload = 'get_order_book1700000000{"pair":"BTC-USD"}'
    assert type(ex).auth.prehash({**ex.request_fields(req), "stamp": "1700000000"}) == payload
    assert req.headers["X-AGGR-KEY"] == "base64_string_key"
    assert req.headers["X-AGGR-TIMESTAMP"] == "1700000000"         # unix seconds
    assert req.headers["X-AGGR-SIGNATURE"] == base64.b64encode(hmac.new(
        b"base64_string_secret", payload.encode(), hashlib.sha256).digest()).decode()


async def test_we_call_the_spot_trading_api_not_the_legacy_one_ccxt_recorded():
    # ccxt ts/src/test/static/request/cex.json records the legacy API (POST
    # https://cex.io/api/open_orders/LTC/USDT/, .../balance/ with key/signature/nonce in the
    # body). CEX.IO documents the Spot Trading API today and is retiring the old endpoints
    # ("Latest Changes", 2024-01-31): every call here is an action under /api/spot/.
    async with FakeCEX() as fake:
        async with exchanges.create("cex", urls=fake.urls, credentials=CREDENTIALS) as ex:
            await ex.fetch_balance()
            await ex.fetch_open_orders("BTC/USD")
    private = [(s.path, json.loads(s.body)) for s in fake.seen if "/rest/" in s.path]
    assert private == [("/api/spot/rest/get_my_account_status_v3", {"accountIds": ["trading1"]}),
                       ("/api/spot/rest/get_my_orders", {"pair": "BTC-USD", "pageSize": 1000,
                                                         "pageNumber": 0})]
    assert all(s.method == "POST" for s in fake.seen)


async def test_an_order_needs_the_trading_sub_account_and_names_it():
    no_uid = exchanges.Credentials(api_key=CREDENTIALS.api_key, secret=CREDENTIALS.secret)
    async with FakeCEX() as fake:
        async with exchanges.create("cex", urls=fake.urls, credentials=no_uid) as ex:
            with pytest.raises(exchanges.AuthenticationError, match="sub-account"):
                await ex.create_order("BTC/USD", "buy", "limit", "0.001", "10000")
        assert not any("do_my_new_order" in s.path for s in fake.seen)
        fake.now = lambda: 1_700_000_000_000            # the venue's clock, and ours
        async with exchanges.create("cex", urls=fake.urls, credentials=CREDENTIALS,
                                    clock=fake.now) as ex:
            await ex.create_order("BTC/USD", "buy", "limit", "0.001", "10000",
                                  client_order_id="c1")
    body = json.loads(next(s.body for s in fake.seen if "do_my_new_order" in s.path))
    assert body == {"clientOrderId": "c1", "accountId": "trading1", "currency1": "BTC",
                    "currency2": "USD", "side": "BUY", "timestamp": 1_700_000_000_000,
                    "orderType": "Limit", "timeInForce": "GTC", "amountCcy1": "0.001",
                    "price": "10000"}


async def test_an_order_answered_ok_but_rejected_raises_why():
    # "The order has been rejected due to insufficient funds": {"ok": "ok", "data": {...,
    # "status": "REJECTED", "rejectCode": 403, "rejectReason": "Insufficient funds"}}.
    async with FakeCEX() as fake:
        async with exchanges.create("cex", urls=fake.urls, credentials=CREDENTIALS) as ex:
            with pytest.raises(exchanges.InsufficientFunds):
                await ex.create_order("BTC/USD", "buy", "limit", "100", "21000")


async def test_candles_are_of_the_best_bid_and_empty_ones_are_skipped():
    async with FakeCEX() as fake:
        async with exchanges.create("cex", urls=fake.urls, clock=lambda: 1_676_041_279_412) as ex:
            candles = await ex.fetch_ohlcv("BTC/USD", "1h")
    assert len(candles) == 3          # the fourth, with no prices, is "no candle available"
    asked = json.loads(next(s.body for s in fake.seen if s.path.endswith("get_candles")))
    assert asked == {"pair": "BTC-USD", "resolution": "1h", "dataType": "bestBid",
                     "limit": 100, "toISO": 1_676_041_279_412}


def test_order_book_increments_follow_seq_id_by_one():
    ex = exchanges.create("cex")
    frame = lambda e, seq: ex.parse_book_frame({"e": e, "data": {
        "seqId": seq, "pair": "BTC-USD", "bids": [["86775", "0.05005228"]],
        "asks": [["86875.1", "0.00000000"]]}, "ok": "ok"}, BTC)
    sync = BookSync("BTC/USD", sequence=type(ex).book_sequence)
    sync.apply(frame("order_book_subscribe", 8676229))
    assert sync.apply(frame("order_book_increment", 8676230))
    assert not sync.apply(frame("order_book_increment", 8676230))     # a repeat: ignored
    with pytest.raises(OutOfSync):
        sync.apply(frame("order_book_increment", 8676232))


async def test_watch_trades_passes_on_trade_updates_not_the_snapshot():
    # "Trade History Snapshot ... last 200 trade events", then tradeUpdate events.
    async with FakeCEX() as fake:
        async with exchanges.create("cex", urls=fake.urls) as ex:
            watch = ex.watch_trades("BTC/USD")
            first = asyncio.ensure_future(watch.__anext__())
            await fake.wait_subscribed("trades", "BTC-USD")
            await fake.publish_trade("BTC-USD", "1678176256117-0", "22615.3")
            trade = await asyncio.wait_for(first, 5)
            await watch.aclose()
    sent = next(m for m in fake.ws_received if m.get("e") == "trade_subscribe")
    assert sent["data"] == {"pair": "BTC-USD"} and sent["oid"].endswith("_trade_subscribe")
    assert (trade.id, trade.price, trade.side, trade.timestamp) == (
        "1678176256117-0", Decimal("22615.3"), "buy", 1678176256117)
