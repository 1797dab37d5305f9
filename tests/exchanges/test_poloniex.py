"""Poloniex specifics the generic suites do not cover: the string to sign as Poloniex's own SDK
builds it, ccxt's recorded spot requests replayed, the quote-amount market buy, the flat REST
book and the book_lv2 id/lastId rule."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from decimal import Decimal

import pytest

import exchanges
from exchanges.core.book import BookSync, OutOfSync
from exchanges.core.transport import Request
from tests.fakes.poloniex import CREDENTIALS, FakePoloniex

TS = 1649371360000          # the docs' example signTimestamp


def sdk_signature(method, path, params, body, secret, timestamp):
    """polo-sdk-python (poloniex/polo-sdk-python, polosdk/rest/request.py `_get_sig_header`),
    restated: no body → params plus signTimestamp sorted by key; a body → requestBody=…"""
    if not body:
        items = sorted({"signTimestamp": timestamp, **params}.items())
        auth = "&".join(f"{k}={v}" for k, v in items)
    else:
        auth = f"requestBody={body}&signTimestamp={timestamp}"
    payload = f"{method}\n{path}\n{auth}"
    return payload, base64.b64encode(hmac.new(secret.encode(), payload.encode(),
                                              hashlib.sha256).digest()).decode()


@pytest.mark.parametrize("method,path,query,body", [
    ("GET", "/orders", "symbol=ETH_USDT&limit=5", None),
    ("DELETE", "/orders/21934611974062080", "", None),
    ("POST", "/orders", "", '{"symbol":"BTC_USDT","side":"BUY","type":"LIMIT",'
                            '"quantity":"0.00025","price":"18000","clientOrderId":"123Abc"}'),
])
def test_the_string_to_sign_is_the_official_sdks(method, path, query, body):
    # The docs page shows how the string is composed; no secret → signature vector could be
    # read, so the official SDK's construction is the reference, reproduced byte for byte.
    ex = exchanges.create("poloniex", credentials=CREDENTIALS, clock=lambda: TS)
    req = ex.sign(Request(method, path, query=query, body=body))
    params = dict(p.split("=") for p in query.split("&") if p)
    text, sig = sdk_signature(method, path, params, body, CREDENTIALS.secret, str(TS))
    assert type(ex).auth.prehash({**ex.request_fields(req), "stamp": str(TS)}) == text
    assert req.headers == {"key": CREDENTIALS.api_key, "signTimestamp": str(TS),
                           "signature": sig}
    if not body:
        assert text.endswith("signTimestamp=1649371360000" + ("&symbol=ETH_USDT" if query
                                                              else ""))


async def test_ccxt_recorded_spot_requests_replayed():
    # ccxt ts/src/test/static/request/poloniex.json (spot entries): the URLs and bodies.
    async with FakePoloniex() as fake:
        async with exchanges.create("poloniex", urls=fake.urls, credentials=CREDENTIALS) as ex:
            await ex.fetch_ticker("BTC/USDT")
            await ex.fetch_order_book("BTC/USDT")
            await ex.fetch_trades("BTC/USDT")
            await ex.fetch_ohlcv("BTC/USDT", "1m")
            await ex.fetch_tickers(["BTC/USDT", "ETH/USDT"])
            order = await ex.create_order("BTC/USDT", "buy", "limit", "0.1", "50")
            await ex.fetch_open_orders("BTC/USDT")
            await ex.cancel_order(order.id, "BTC/USDT")
            await ex.create_order("BTC/USDT", "sell", "market", "0.1")
    got = [(s.method, s.path, s.query_string) for s in fake.seen]
    for want in [("GET", "/markets/BTC_USDT/ticker24h", ""),
                 ("GET", "/markets/BTC_USDT/orderBook", ""),
                 ("GET", "/markets/BTC_USDT/trades", ""),
                 ("GET", "/markets/BTC_USDT/candles", "interval=MINUTE_1"),
                 ("GET", "/markets/ticker24h", ""), ("DELETE", f"/orders/{order.id}", "")]:
        assert want in got
    # Open orders: ccxt sends symbol=LTC_USDT; we add the documented paging (direction, limit).
    assert any(p == "/orders" and q.startswith("symbol=BTC_USDT") for m, p, q in got if m == "GET")
    bodies = [json.loads(s.body) for s in fake.seen if s.method == "POST"]
    # "Spot limit buy": {"symbol","side":"buy","type":"LIMIT","quantity":"0.1","price":"50"};
    # we send the side in capitals, as the docs' enumeration BUY/SELL is written, plus our
    # clientOrderId. "spot market sell": quantity only.
    assert {k: bodies[0][k] for k in ("symbol", "side", "type", "quantity", "price")} == {
        "symbol": "BTC_USDT", "side": "BUY", "type": "LIMIT", "quantity": "0.1", "price": "50"}
    assert bodies[1]["type"] == "MARKET" and bodies[1]["quantity"] == "0.1"
    assert "amount" not in bodies[1] and "price" not in bodies[1]


async def test_a_market_buy_sends_a_quote_amount():
    # "Amount is required for MARKET and BUY side" (quote units); ccxt's recorded
    # createMarketBuyOrderWithCost sends {"type":"MARKET","amount":"10"} the same way.
    async with FakePoloniex() as fake:
        async with exchanges.create("poloniex", urls=fake.urls, credentials=CREDENTIALS) as ex:
            ask = (await ex.fetch_order_book("BTC/USDT")).asks[0][0]
            order = await ex.create_order("BTC/USDT", "buy", "market", "0.002")
    body = json.loads(next(s.body for s in fake.seen if s.method == "POST"))
    assert Decimal(body["amount"]) == Decimal("0.002") * ask and "quantity" not in body
    assert order.filled == Decimal("0.002") and order.status == "closed"


async def test_the_rest_book_is_a_flat_list_and_limits_round_up():
    async with FakePoloniex() as fake:
        async with exchanges.create("poloniex", urls=fake.urls) as ex:
            book = await ex.fetch_order_book("BTC/USDT", 7)
    assert len(book.bids) == 7 and book.bids[0][0] < book.asks[0][0]
    assert fake.seen[-1].query_string == "limit=10"        # valid limits: 5, 10, 20, 50, 100, 150


def test_book_lv2_updates_follow_the_previous_id():
    ex = exchanges.create("poloniex")
    m = exchanges.types.Market("BTC/USDT", "BTC_USDT", "BTC", "USDT", Decimal("0.01"),
                               Decimal("0.000001"))
    frame = lambda action, last, id_: ex.parse_book_frame({"channel": "book_lv2", "action":
        action, "data": [{"symbol": "BTC_USDT", "createTime": 1, "asks": [["6.35", "3"]],
                          "bids": [["5.65", "0.02"]], "lastId": last, "id": id_, "ts": 2}]}, m)
    sync = BookSync("BTC/USDT", sequence=type(ex).book_sequence)
    [snap] = frame("snapshot", 164148724, 164148725)
    sync.apply(snap)
    assert sync.apply(frame("update", 164148725, 164148726)[0])
    with pytest.raises(OutOfSync):
        sync.apply(frame("update", 164148727, 164148728)[0])
