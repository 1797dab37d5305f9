"""Gate specifics the generic suites do not cover: the signature string as the docs show it,
ccxt's recorded create-order request (where we differ, the docs fact), the market buy's quote
amount, the client id format and the book's U/u rule."""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest

import exchanges
from exchanges.core.book import BookSync, OutOfSync
from exchanges.core.transport import Request
from tests.fakes.gate import CREDENTIALS, FakeGate

# The "Authentication" section's example signature string for
# GET /api/v4/futures/orders?contract=BTC_USD&status=finished&limit=50 at 1541993715
# (https://www.gate.com/docs/developers/apiv4/en/#api-signature-string-generation). The docs
# give no key → SIGN vector, so the string is what is reproduced byte for byte.
DOC_STRING = ("GET\n/api/v4/futures/orders\ncontract=BTC_USD&status=finished&limit=50\n"
              "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0"
              "ff8318d2877eec2f63b931bd47417a81a538327af927da3e\n1541993715")


def test_the_docs_signature_string_is_reproduced_byte_for_byte():
    ex = exchanges.create("gate", credentials=CREDENTIALS, clock=lambda: 1541993715_000)
    req = Request("GET", "/api/v4/futures/orders",
                  query="contract=BTC_USD&status=finished&limit=50")
    fields = {**ex.request_fields(req), "stamp": "1541993715"}
    assert type(ex).auth.prehash.format_map(fields) == DOC_STRING
    assert hashlib.sha512(b"").hexdigest() == DOC_STRING.split("\n")[3]


async def test_ccxt_recorded_limit_buy_request_and_where_we_differ():
    # ccxt ts/src/test/static/request/gate.json, createOrder "Spot limit buy order":
    # {"currency_pair":"LTC_USDT","type":"limit","account":"spot","side":"buy","amount":"0.1",
    #  "price":"50"} (its `text` skipped). We send the same, plus our client id in `text` and
    # time_in_force "gtc" (the docs' default, stated rather than implied).
    async with FakeGate() as fake:
        async with exchanges.create("gate", urls=fake.urls, credentials=CREDENTIALS) as ex:
            await ex.create_order("BTC/USDT", "buy", "limit", "0.1", "50")
    body = json.loads(next(s.body for s in fake.seen if s.method == "POST"))
    assert {k: body[k] for k in ("currency_pair", "type", "account", "side", "amount",
                                 "price")} == {"currency_pair": "BTC_USDT", "type": "limit",
                                               "account": "spot", "side": "buy",
                                               "amount": "0.1", "price": "50"}
    assert body["time_in_force"] == "gtc" and body["text"].startswith("t-")


async def test_a_market_buy_sends_a_quote_amount_at_the_best_ask():
    # "Create an order": a market buy's amount is in the quote currency; ccxt's recorded
    # market buy sends time_in_force "ioc", as we do.
    async with FakeGate() as fake:
        async with exchanges.create("gate", urls=fake.urls, credentials=CREDENTIALS) as ex:
            ask = (await ex.fetch_order_book("BTC/USDT")).asks[0][0]
            order = await ex.create_order("BTC/USDT", "buy", "market", "0.002")
    body = json.loads(next(s.body for s in fake.seen if s.method == "POST"))
    assert Decimal(body["amount"]) == Decimal("0.002") * ask and body["time_in_force"] == "ioc"
    assert order.filled == Decimal("0.002") and order.status == "closed"


def test_client_ids_fit_gates_text_rule():
    cid = exchanges.create("gate").new_client_order_id()
    assert cid.startswith("t-") and len(cid) - 2 <= 28 and cid[2:].isalnum()


def test_the_book_rule_is_us_range():
    ex = exchanges.create("gate")
    m = exchanges.types.Market("BTC/USDT", "BTC_USDT", "BTC", "USDT", Decimal("0.01"),
                               Decimal("0.0001"))
    sync = BookSync("BTC/USDT", sequence=type(ex).book_sequence)
    sync.load([(Decimal(1), Decimal(1))], [(Decimal(2), Decimal(1))], 100, None)
    frame = lambda U, u: ex.parse_book_frame(
        {"t": 1, "e": "depthUpdate", "E": 1, "s": "BTC_USDT", "U": U, "u": u,
         "b": [["1", "2"]], "a": []}, m)
    assert not sync.apply(frame(90, 100))          # u < id + 1: dropped
    assert sync.apply(frame(99, 102))              # U <= id + 1 <= u: applied
    with pytest.raises(OutOfSync):
        sync.apply(frame(104, 105))                # U != previous u + 1: a gap
