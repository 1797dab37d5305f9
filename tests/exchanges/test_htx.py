"""HTX specifics the generic suites do not cover: Signature Version 2's pre-sign text as the
docs show it, ccxt's recorded requests, gzip frames, the spot account id."""
from __future__ import annotations

import gzip
import json
from urllib.parse import parse_qs

import exchanges
from exchanges.core.transport import Request
from tests.fakes.htx import CREDENTIALS, FakeHTX

# "Authentication" (https://huobiapi.github.io/docs/spot/v1/en/#authentication): the pre-sign
# text of GET /v1/order/orders?order-id=1234567890 at 2017-05-11T15:19:30 with the docs' key
# id. The docs' secret is redacted ("b0xxxxxx-…"), so their Signature
# (4F65x5A2bLyMWVQj3Aqp+B4w+ivaA7n5Oi2SuYtCJ9o=) cannot be reproduced: the text is.
DOC_TEXT = ("GET\napi.huobi.pro\n/v1/order/orders\nAccessKeyId=e2xxxxxx-99xxxxxx-84xxxxxx-7xxxx"
            "&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2017-05-11T15%3A19%3A30"
            "&order-id=1234567890")


def test_the_docs_pre_sign_text_is_reproduced_byte_for_byte(monkeypatch):
    ex = exchanges.create("htx", credentials=CREDENTIALS, clock=lambda: 1494515970_000)
    seen = []
    monkeypatch.setattr("hmac.new", lambda k, m, d: seen.append(m) or __import__(
        "hashlib").sha256(m))
    req = ex.sign(Request("GET", "/v1/order/orders", query="order-id=1234567890"))
    assert seen == [DOC_TEXT.encode()]
    assert parse_qs(req.query)["Timestamp"] == ["2017-05-11T15:19:30"]


async def test_ccxt_recorded_requests_and_the_spot_account():
    # ccxt ts/src/test/static/request/htx.json, createOrders "Create multiple spot orders":
    # {"account-id","symbol":"btcusdt","type":"buy-limit","client-order-id","amount":"0.001",
    #  "price":"25000"}; we send the same fields plus "source": "spot-api" (documented, optional).
    # Its "Spot market buy" (0.21 LTC at 50 → "amount":"10.5") confirms the quote amount.
    async with FakeHTX() as fake:
        async with exchanges.create("htx", urls=fake.urls, credentials=CREDENTIALS) as ex:
            await ex.create_order("BTC/USDT", "buy", "limit", "0.001", "50000")
            await ex.fetch_balance()
    body = json.loads(next(s.body for s in fake.seen if s.method == "POST"))
    assert body["account-id"] == "100009" and body["type"] == "buy-limit"
    assert body["symbol"] == "btcusdt" and body["amount"] == "0.001"
    assert body["price"] == "50000" and body["client-order-id"]
    assert fake.requests_to("/v1/account/accounts") == 1      # looked up once


def test_market_frames_are_gzip():
    ex = exchanges.create("htx")
    frame = gzip.compress(b'{"ch":"market.btcusdt.ticker","ts":1,"tick":{"close":1.5}}')
    assert ex.stream_route(ex.stream_decode(frame))[0] == "market.btcusdt.ticker"
