"""BtcBox specifics the generic suites do not cover.

Sources: the docs (https://blog.btcbox.jp/en/archives/8762, and the signing section of
https://www.btcbox.co.jp/api/doc/v1). Their signed example gives the parameters and the
signature but not the private key, so no signature can be reproduced byte for byte; the
message it signs is rebuilt below. ccxt records no requests or replies for btcbox."""
from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode

import pytest

import exchanges
from exchanges.registry import entry
from tests.fakes.btcbox import CREDENTIALS, TICKERS, FakeBtcBox

CLOCK = 1_700_000_000_000
D = Decimal


async def test_signature_is_hmac_sha256_keyed_by_the_md5_hex_of_the_secret():
    """"Combine above parameters to a string like: key=xxxxxx&coin=btc&nonce=1508482053",
    HMAC-SHA256 keyed by the private key's MD5 digest (all lower case), the parameters signed
    in the order they are sent; the nonce an increasing integer, growing under a still clock."""
    async with FakeBtcBox() as fake:
        async with exchanges.create("btcbox", urls=fake.urls, credentials=CREDENTIALS,
                                    clock=lambda: CLOCK) as ex:
            await ex.fetch_balance()
            await ex.fetch_open_orders("BTC/JPY")
    key = hashlib.md5(CREDENTIALS.secret.encode()).hexdigest()
    assert key == key.lower()
    posts = [s for s in fake.seen if s.method == "POST"]
    nonces = []
    for s in posts:
        signed, _, signature = s.body.rpartition("&signature=")
        assert signature == hmac.new(key.encode(), signed.encode(), hashlib.sha256).hexdigest()
        fields = parse_qsl(signed)
        assert [k for k, _ in fields[:2]] == ["key", "nonce"]
        assert fields[0][1] == CREDENTIALS.api_key
        nonces.append(int(fields[1][1]))
        assert s.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert nonces[0] >= CLOCK and nonces == sorted(set(nonces))
    assert dict(parse_qsl(posts[1].body))["type"] == "open"


def test_the_docs_signed_example_message():
    """The docs' $param (amount, price, type, nonce, key) joined by '&' is the signed message;
    its signature (459c69d2…) cannot be checked: the example's private key is not given."""
    params = [("amount", "1"), ("price", "10000"), ("type", "buy"), ("nonce", "141377098123"),
              ("key", "5zi7w-4mnes-swmc4-egg9b-f2iqw-396z4-g541b")]
    assert urlencode(params) == ("amount=1&price=10000&type=buy&nonce=141377098123"
                                 "&key=5zi7w-4mnes-swmc4-egg9b-f2iqw-396z4-g541b")


async def test_markets_from_tickers_limit_orders_only_and_declared_absences():
    async with FakeBtcBox() as fake:
        async with exchanges.create("btcbox", urls=fake.urls, credentials=CREDENTIALS) as ex:
            markets = await ex.load_markets()
            tickers = await ex.fetch_tickers()
            book = await ex.fetch_order_book("BTC/JPY")
            for call, args in [("create_order", ("BTC/JPY", "buy", "market", "0.01")),
                               ("fetch_ohlcv", ("BTC/JPY",)), ("fetch_my_trades", ())]:
                with pytest.raises(exchanges.NotSupported):
                    await getattr(ex, call)(*args)
            with pytest.raises(exchanges.NotSupported):
                await ex.watch_order_book("BTC/JPY").__anext__()
    assert set(markets) == {"BTC/JPY", "ETH/JPY", "DOGE/JPY"}
    assert markets["BTC/JPY"].price_increment == 1
    assert markets["DOGE/JPY"].price_increment == D("0.01")
    t = tickers["BTC/JPY"]       # the docs' sample: buy/sell are the best bid and ask
    assert (t.bid, t.ask, t.last, t.base_volume) == (D(2774453), D(2777955), D(2774210),
                                                     D("566.6947"))
    assert book.asks[0][0] < book.asks[-1][0] and book.bids[0][0] > book.bids[-1][0]
    assert not any(s.method == "POST" for s in fake.seen)
    assert set(TICKERS) == {m.id for m in markets.values()}


def test_docs_balance_sample_parses():
    ex = exchanges.create("btcbox")
    bal = ex.parse_balance({"uid": 8, "nameauth": 0, "moflag": 0, "btc_balance": 4234234,
                            "btc_lock": 0, "ltc_balance": D("32429.6"), "ltc_lock": D("2.4"),
                            "eth_balance": 0, "eth_lock": 0, "jpy_balance": D("2344581.519"),
                            "jpy_lock": D("868862.481")})
    assert (bal["LTC"].free, bal["LTC"].used, bal["LTC"].total) == (D("32429.6"), D("2.4"),
                                                                    D("32432.0"))
    assert set(bal) == {"BTC", "LTC", "ETH", "JPY"}


async def test_a_lost_order_reply_is_found_by_its_terms():
    """No client order id: an order whose reply never came is found among the orders by its
    market, side, amount and price, and named by our id."""
    async with FakeBtcBox() as fake:
        async with exchanges.create("btcbox", urls=fake.urls, credentials=CREDENTIALS) as ex:
            fake.faults.drop_after_accept = lambda r: r.path.endswith("/trade_add") and not \
                fake.store.orders
            order = await ex.create_order("BTC/JPY", "buy", "limit", "0.01", "2000000",
                                          client_order_id="mine-1")
            assert (order.client_order_id, order.status) == ("mine-1", "open")
            assert [o.client_order_id for o in await ex.fetch_open_orders()] == ["mine-1"]
    assert list(fake.store.orders) == [order.id]


async def test_open_orders_of_every_market_ask_each_coin():
    async with FakeBtcBox() as fake:
        async with exchanges.create("btcbox", urls=fake.urls, credentials=CREDENTIALS) as ex:
            await ex.fetch_open_orders()
    coins = [dict(parse_qsl(s.body))["coin"] for s in fake.seen if s.path.endswith("trade_list")]
    assert sorted(coins) == ["btc", "doge", "eth"]


def test_suspended_but_opens():
    e = entry("btcbox")
    assert (e.availability, e.since) == ("suspended", "2026-01-29")
    assert type(exchanges.create("btcbox")).__name__ == "BtcBox"
