"""Coinbase Advanced Trade adapter against the fake venue (tests/fakes/coinbase.py)."""
from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
from decimal import Decimal as D
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

import exchanges
from exchanges.types import Market
from exchanges.venues.coinbase import Coinbase, iso_ms
from tests.fakes.coinbase import CREDENTIALS, KEY_NAME, T0, FakeCoinbase, new_key_pair

FIXED_MS = 1_714_564_800_123      # 2024-05-01T12:00:00.123Z
DATA = Path(__file__).resolve().parents[1] / "data" / "ccxt" / "coinbase"
ADA = Market("ADA/USDT", "ADA-USDT", "ADA", "USDT", D("0.0001"), D("0.00000001"))


@pytest.fixture
async def fake():
    async with FakeCoinbase() as f:
        yield f


def open_(fake, creds=CREDENTIALS, **kw):
    return exchanges.create("coinbase", credentials=creds, urls=fake.urls, **kw)


def seen(fake, method, path):
    return [s for s in fake.seen if s.method == method and s.path == path]


async def next_item(agen, timeout=5):
    return await asyncio.wait_for(agen.__anext__(), timeout)


async def test_gdax_opens_coinbase():
    async with exchanges.create("gdax") as ex:
        assert isinstance(ex, Coinbase)
        assert ex.urls["rest"] == "https://api.coinbase.com"


async def test_markets_increments_minimums_and_spot_only(fake):
    async with open_(fake, creds=None) as ex:
        markets = await ex.load_markets()
    assert set(markets) == {"BTC/USD", "BTC/USDC", "ETH/USD", "DOGE/USD"}   # no FUTURE
    btc = markets["BTC/USD"]
    assert (btc.id, btc.base, btc.quote) == ("BTC-USD", "BTC", "USD")
    assert btc.price_increment == D("0.01") and btc.amount_increment == D("0.00000001")
    assert btc.min_amount == D("0.00000001") and btc.min_cost == D("1")
    assert btc.active and not markets["DOGE/USD"].active
    assert seen(fake, "GET", "/api/v3/brokerage/market/products")[0].query_string == \
        "product_type=SPOT"


async def test_usd_and_usdc_twins_are_two_markets_on_one_book(fake):
    """Issue 12 #1: BTC-USDC displays its quote as "USD" (alias BTC-USD); symbols come from the
    currency ids, both markets stay, an order goes to the product asked for."""
    async with open_(fake) as ex:
        markets = await ex.load_markets()
        usdc = markets["BTC/USDC"]
        assert (usdc.id, usdc.quote, markets["BTC/USD"].id) == ("BTC-USDC", "USDC", "BTC-USD")
        assert (ex.shared_book("BTC/USDC"), ex.shared_book("BTC/USD")) == ("BTC/USD", "BTC/USDC")
        assert ex.shared_book("ETH/USD") is None
        order = await ex.create_order("BTC/USDC", "buy", "limit", "0.01", "40000")
        assert (order.symbol, fake.store.find(order.id).symbol) == ("BTC/USDC", "BTC-USDC")
        assert [o.symbol for o in await ex.fetch_open_orders("BTC/USDC")] == ["BTC/USDC"]
        agen = ex.watch_order_book("BTC/USDC")     # the shared book's stream: BTC-USD's
        book = await next_item(agen)
        await agen.aclose()
    assert book.symbol == "BTC/USDC" and (book.bids, book.asks) == server_book(fake)
    assert {"type": "subscribe", "product_ids": ["BTC-USD"], "channel": "level2"} in \
        fake.ws_received


async def test_tickers_public_and_with_bid_ask(fake):
    async with open_(fake, creds=None) as ex:
        tickers = await ex.fetch_tickers()
        btc = tickers["BTC/USD"]
        assert btc.last == D("50000.01") and btc.base_volume == D("12345.6789")
        assert btc.open == D("48780.50")          # 50000.01 / 1.025 to the price increment
        assert btc.bid is None
        assert "BIT/31JAN25" not in str(tickers)
    async with open_(fake) as ex:
        t = (await ex.fetch_tickers(["ETH/USD"]))["ETH/USD"]
    assert (t.bid, t.ask, t.last) == (D("3000.49"), D("3000.51"), D("3000.5"))
    assert t.timestamp == iso_ms("2024-05-01T12:00:00Z")
    assert seen(fake, "GET", "/api/v3/brokerage/best_bid_ask")[0].query_string == \
        "product_ids=ETH-USD"


async def test_fetch_ticker_combines_product_and_ticker(fake):
    async with open_(fake, creds=None) as ex:
        t = await ex.fetch_ticker("BTC/USD")
    assert (t.bid, t.ask, t.last) == (D("49999.99"), D("50000.01"), D("50000.01"))
    assert t.timestamp == 1714564803000
    assert seen(fake, "GET", "/api/v3/brokerage/market/products/BTC-USD/ticker")[0] \
        .query_string == "limit=1"


async def test_order_book(fake):
    async with open_(fake, creds=None) as ex:
        book = await ex.fetch_order_book("BTC/USD", limit=1)
    assert book.bids == [(D("49999.99"), D("1.5"))] and book.asks == [(D("50000.01"), D("0.5"))]
    assert book.timestamp == 1714564800123
    assert seen(fake, "GET", "/api/v3/brokerage/market/product_book")[0].query_string == \
        "product_id=BTC-USD&limit=1"


async def test_ohlcv_oldest_first_with_window(fake):
    async with open_(fake, creds=None, clock=lambda: FIXED_MS) as ex:
        candles = await ex.fetch_ohlcv("BTC/USD", "1h", limit=3)
        since = await ex.fetch_ohlcv("BTC/USD", "1m", since=1_714_564_800_000, limit=2)
    now = FIXED_MS // 1000
    q = seen(fake, "GET", "/api/v3/brokerage/market/products/BTC-USD/candles")
    assert q[0].query_string == f"start={now - 3 * 3600}&end={now}&granularity=ONE_HOUR"
    assert q[1].query_string == "start=1714564800&end=1714564920&granularity=ONE_MINUTE"
    assert [c.timestamp for c in candles] == sorted(c.timestamp for c in candles)
    assert len(candles) == 3 and candles[-1].timestamp == 1714564800000
    assert candles[0].close == D("50000.75") and candles[0].volume == D("12.3456789")
    assert [c.timestamp for c in since] == [1714564800000, 1714564860000]


@pytest.mark.parametrize("timeframe", ["3m", "4h"])
async def test_timeframes_coinbase_does_not_have_are_not_supported(fake, timeframe):
    """Issue 12: Advanced Trade has no FOUR_HOUR granularity (the fake refuses it as the venue
    does); "4h" is not offered, and nothing is sent."""
    async with open_(fake, creds=None) as ex:
        with pytest.raises(exchanges.NotSupported):
            await ex.fetch_ohlcv("BTC/USD", timeframe)
        assert "4h" not in ex.timeframes and {"2h", "6h"} <= set(ex.timeframes)
    assert not seen(fake, "GET", "/api/v3/brokerage/market/products/BTC-USD/candles")


async def test_trades_oldest_first_with_the_takers_side(fake):
    """Issue 12: market trades carry the maker's side; "SELL" at the ask is a taker buying."""
    async with open_(fake, creds=None) as ex:
        trades = await ex.fetch_trades("BTC/USD", limit=3)
    assert [t.id for t in trades] == ["3001", "3002", "3003"]
    assert trades[1].timestamp == 1714564802200 and trades[1].side == "buy"
    assert [t.side for t in trades] == ["buy", "buy", "sell"]
    assert trades[2].price == D("50000.02") and trades[2].amount == D("0.003")


async def test_balance_follows_cursor_pages(fake):
    async with open_(fake) as ex:
        bal = await ex.fetch_balance()
    assert bal["BTC"].free == D("1.5") and bal["BTC"].used == D("0.25")
    assert bal["BTC"].total == D("1.75") and bal["USD"].total == D("10000")
    assert seen(fake, "GET", "/api/v3/brokerage/accounts")[0].query_string == "limit=250"


async def test_balance_pagination(fake, monkeypatch):
    small = dataclasses.replace(Coinbase.api["balance"], params=lambda: {"limit": 2})
    monkeypatch.setitem(Coinbase.api, "balance", small)
    async with open_(fake) as ex:
        bal = await ex.fetch_balance()
    assert set(bal) == {"BTC", "USD", "USDC", "ETH"}
    assert [s.query_string for s in seen(fake, "GET", "/api/v3/brokerage/accounts")] == \
        ["limit=2", "limit=2&cursor=2"]


async def test_open_orders_follow_every_page(fake):
    fake.store.add_open("BTC-USD", 250, "40000", "0.001")
    async with open_(fake) as ex:
        orders = await ex.fetch_open_orders("BTC/USD")
    assert len({o.id for o in orders}) == 250
    assert [s.query_string for s in seen(fake, "GET", "/api/v3/brokerage/orders/historical/batch")
            ] == ["order_status=OPEN&product_ids=BTC-USD",
                  "order_status=OPEN&product_ids=BTC-USD&cursor=100",
                  "order_status=OPEN&product_ids=BTC-USD&cursor=200"]


# -- my trades: List Fills (issue 15) -------------------------------------------------------
def test_the_fill_rows_of_the_docs_and_of_ccxt_parse():
    btc = Market("BTC/USD", "BTC-USD", "BTC", "USD", D("0.01"), D("0.00000001"))
    usdt = Market("BTC/USDT", "BTC-USDT", "BTC", "USDT", D("0.01"), D("0.00000001"))
    ex = with_markets(btc, usdt)
    # the List Fills response example (docs.cdp.coinbase.com ... orders/list-fills)
    docs = {"entry_id": "22222-2222222-22222222", "trade_id": "1111-11111-111111",
            "order_id": "0000-000000-000000", "trade_time": "2021-05-31T09:59:59Z",
            "trade_type": "FILL", "price": "10000.00", "size": "0.001", "commission": "1.25",
            "product_id": "BTC-USD", "sequence_timestamp": "2021-05-31T09:58:59Z",
            "liquidity_indicator": "MAKER", "size_in_quote": False,
            "user_id": "3333-333333-3333333", "side": "BUY"}
    assert ex.parse_my_trade(docs, None) == exchanges.Trade(
        "1111-11111-111111", 1622455199000, "buy", D("10000.00"), D("0.001"), "BTC/USD",
        "0000-000000-000000", None, D("1.25"), "USD", "maker")
    # ccxt ts/src/coinbase.ts parseTrade, "fetchMyTrades": a size in the quote currency
    # (the commission is 0.6 % of it), liquidity unknown
    ccxt = {"entry_id": "b88b82cc89e326a2778874795102cbafd08dd979a2a7a3c69603fc4c23c2e010",
            "trade_id": "cdc39e45-bbd3-44ec-bf02-61742dfb16a1",
            "order_id": "813a53c5-3e39-47bb-863d-2faf685d22d8",
            "trade_time": "2023-01-18T01:37:38.091377090Z", "trade_type": "FILL",
            "price": "21220.64", "size": "0.0046830664333996",
            "commission": "0.0000280983986004", "product_id": "BTC-USDT",
            "sequence_timestamp": "2023-01-18T01:37:38.092520Z",
            "liquidity_indicator": "UNKNOWN_LIQUIDITY_INDICATOR", "size_in_quote": True,
            "user_id": "1111111-1111-1111-1111-111111111111", "side": "BUY"}
    fill = ex.parse_my_trade(ccxt, None)
    assert (fill.timestamp, fill.symbol, fill.fee_currency, fill.taker_or_maker) == (
        1674005858091, "BTC/USDT", "USDT", None)
    assert abs(fill.amount * fill.price - D("0.0046830664333996")) < D("1e-20")


async def test_my_trades_follow_the_cursor_back_to_since(fake):
    times = iter(range(T0, T0 + 10**7, 1000))
    fake.store.clock = lambda: next(times)
    for o in fake.store.add_open("BTC-USD", 230, "40000", "0.001"):
        fake.store.fill(o.id)
    fills = fake.store.fills_of()
    async with open_(fake) as ex:
        every = await ex.fetch_my_trades()
        fake.seen.clear()
        page = await ex.fetch_my_trades("BTC/USD", since=fills[100].time, limit=50)
    assert [f.order_id for f in every] == [f.order_id for f in fills]
    assert (every[0].fee, every[0].fee_currency, every[0].taker_or_maker) == (
        fills[0].fee, "USD", "maker")
    assert [f.order_id for f in page] == [f.order_id for f in fills[100:150]]
    # a minute (60 fills here) before since, newest first: 190 rows, two pages
    assert [s.query_string for s in seen(fake, "GET", "/api/v3/brokerage/orders/historical/fills")
            ] == [q := "product_ids=BTC-USD&limit=100&start_sequence_timestamp="
                  "2024-05-01T12:04:30.500Z", q + "&cursor=100"]
    assert fills[100].time - 60_000 == iso_ms("2024-05-01T12:04:30.500Z")


async def test_create_limit_order_exact_request(fake):
    async with open_(fake) as ex:
        order = await ex.create_order("BTC/USD", "buy", "limit", "0.01", "49000.5",
                                      client_order_id="my-client-id-1")
    req = seen(fake, "POST", "/api/v3/brokerage/orders")[0]
    assert req.headers["Content-Type"] == "application/json"
    assert json.loads(req.body) == {
        "client_order_id": "my-client-id-1", "product_id": "BTC-USD", "side": "BUY",
        "order_configuration": {"limit_limit_gtc": {"base_size": "0.01",
                                                    "limit_price": "49000.5",
                                                    "post_only": False}}}
    assert order.client_order_id == "my-client-id-1" and order.status == "open"
    assert (order.price, order.amount, order.remaining) == (D("49000.5"), D("0.01"), D("0.01"))


async def test_create_market_order_makes_uuid_client_id(fake):
    async with open_(fake) as ex:
        order = await ex.create_order("BTC/USD", "sell", "market", D("0.5"))
        fetched = await ex.fetch_order(order.id, "BTC/USD")
    body = json.loads(seen(fake, "POST", "/api/v3/brokerage/orders")[0].body)
    assert body["order_configuration"] == {"market_market_ioc": {"base_size": "0.5"}}
    assert body["side"] == "SELL" and len(body["client_order_id"]) == 36
    assert order.client_order_id == body["client_order_id"]
    assert fetched.status == "closed" and fetched.filled == D("0.5") and fetched.type == "market"
    # The sell hit the best bid of the fake's book.
    assert fetched.average == D("49999.99") and fetched.remaining == 0


async def test_cancel_fetch_and_open_orders(fake):
    async with open_(fake) as ex:
        a = await ex.create_order("BTC/USD", "buy", "limit", "0.01", "40000")
        b = await ex.create_order("ETH/USD", "buy", "limit", "1", "2000")
        open_all = await ex.fetch_open_orders()
        open_btc = await ex.fetch_open_orders("BTC/USD")
        canceled = await ex.cancel_order(a.id, "BTC/USD")
        fetched = await ex.fetch_order(b.id, "ETH/USD")
        after = await ex.fetch_open_orders()
    assert {o.id for o in open_all} == {a.id, b.id}
    assert [o.id for o in open_btc] == [a.id]
    assert seen(fake, "GET", "/api/v3/brokerage/orders/historical/batch")[1].query_string == \
        "order_status=OPEN&product_ids=BTC-USD"
    cancel = seen(fake, "POST", "/api/v3/brokerage/orders/batch_cancel")[-1]
    assert json.loads(cancel.body) == {"order_ids": [a.id]}
    assert canceled.status == "canceled" and canceled.id == a.id
    assert fetched.status == "open" and fetched.price == D("2000") and fetched.symbol == "ETH/USD"
    assert fetched.timestamp == 1714564800500
    assert [o.id for o in after] == [b.id]


async def test_unknown_order_errors(fake):
    async with open_(fake) as ex:
        with pytest.raises(exchanges.OrderNotFound):
            await ex.cancel_order("nope", "BTC/USD")
        with pytest.raises(exchanges.OrderNotFound) as info:
            await ex.fetch_order("nope", "BTC/USD")
    assert "not found" in str(info.value)


async def test_insufficient_funds_from_success_false(fake):
    async with open_(fake) as ex:
        with pytest.raises(exchanges.InsufficientFunds) as info:
            await ex.create_order("BTC/USD", "buy", "limit", "1", "50000")
    assert "Insufficient balance" in str(info.value)


async def test_rate_limit_reply(fake):
    fake.faults.status_if = lambda r: 429 if r.method == "POST" else None
    async with open_(fake) as ex:
        with pytest.raises(exchanges.RateLimitExceeded):
            await ex.create_order("BTC/USD", "buy", "limit", "0.01", "40000")
    assert not fake.store.orders       # the order was not placed


@pytest.mark.parametrize("code,cls", [
    ("INSUFFICIENT_FUND", exchanges.InsufficientFunds),
    ("PREVIEW_INSUFFICIENT_FUND", exchanges.InsufficientFunds),
    ("UNKNOWN_CANCEL_ORDER", exchanges.OrderNotFound),
    ("NOT_FOUND", exchanges.OrderNotFound),
    ("PREVIEW_INVALID_PRODUCT_ID", exchanges.BadSymbol),
    ("INVALID_PRICE_PRECISION", exchanges.InvalidOrder),
    ("RESOURCE_EXHAUSTED", exchanges.RateLimitExceeded),
    ("rate_limit_exceeded", exchanges.RateLimitExceeded),
    ("UNAUTHENTICATED", exchanges.AuthenticationError),
    ("PERMISSION_DENIED", exchanges.PermissionDenied),
])
def test_error_table(code, cls):
    err = Coinbase().error_for(code, "words")
    assert type(err) is cls and err.code == code


@pytest.mark.parametrize("code,message,cls", [
    ("NOT_FOUND", "order with this orderID was not found", exchanges.OrderNotFound),
    ("NOT_FOUND", "ProductID XYZ-USD could not be found", exchanges.BadSymbol),
    ("INVALID_ARGUMENT", "invalid product_id", exchanges.BadSymbol),
    ("INVALID_ARGUMENT", "limit_price must be positive", exchanges.InvalidOrder),
])
def test_generic_codes_let_the_message_decide(code, message, cls):
    assert type(Coinbase().error_for(code, message)) is cls


async def test_bad_symbol_from_venue(fake):
    """The venue's own refusal of a product (its 200 success: false reply)."""
    async with open_(fake) as ex:
        await ex.load_markets()
        ex.markets["BTC/USD"] = dataclasses.replace(ex.markets["BTC/USD"], id="NOPE-USD")
        with pytest.raises(exchanges.BadSymbol):
            await ex.create_order("BTC/USD", "buy", "limit", "0.01", "40000")


async def test_wrong_key_is_authentication_error(fake):
    other_pem, _ = new_key_pair()
    bad = exchanges.Credentials(api_key=KEY_NAME, secret=other_pem)
    async with open_(fake, creds=bad) as ex:
        with pytest.raises(exchanges.AuthenticationError) as info:
            await ex.fetch_balance()
    assert other_pem not in str(info.value) and KEY_NAME not in str(info.value)


@pytest.mark.parametrize("secret", ["not-a-key-at-all", base64.b64encode(b"x" * 33).decode(),
                                    base64.b64encode(bytes(range(64))).decode()])
async def test_secret_that_is_not_a_cdp_key(fake, secret):
    bad = exchanges.Credentials(api_key=KEY_NAME, secret=secret)
    async with open_(fake, creds=bad) as ex:
        with pytest.raises(exchanges.AuthenticationError) as info:
            await ex.fetch_balance()
    assert secret not in str(info.value) and "Ed25519" in str(info.value)
    assert not seen(fake, "GET", "/api/v3/brokerage/accounts")


def ed25519_forms():
    """The forms the CDP portal issues an Ed25519 key in, and its public key."""
    key = ed25519.Ed25519PrivateKey.generate()
    seed, public = key.private_bytes_raw(), key.public_key()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    forms = {"seed": base64.b64encode(seed).decode(), "pkcs8": pem,
             "seed+public": base64.b64encode(seed + public.public_bytes_raw()).decode() + "\n"}
    return forms, public


@pytest.mark.parametrize("form", ["seed", "seed+public", "pkcs8"])
async def test_ed25519_keys_sign_eddsa(form):
    """Issue 12 #2: Ed25519 keys (raw base64 32/64 bytes or PKCS8 PEM) sign EdDSA with the
    same claims as ES256; the fake verifies the signature with the public key."""
    forms, public = ed25519_forms()
    async with FakeCoinbase(public_key=public) as fake:
        creds = exchanges.Credentials(api_key=KEY_NAME, secret=forms[form])
        async with open_(fake, creds=creds) as ex:
            assert (await ex.fetch_balance())["BTC"].free == D("1.5")
    (header, claims), = fake.jwts
    assert header["alg"] == "EdDSA" and header["kid"] == KEY_NAME and claims["iss"] == "cdp"


async def test_a_venue_clock_two_minutes_ahead_is_measured_and_compensated(fake):
    fake.now = lambda: FIXED_MS // 1000 + 121          # beyond the token's 120 s lifetime
    async with open_(fake, clock=lambda: FIXED_MS) as ex:
        assert await ex.fetch_balance()
        assert abs(ex.time_offset - 121_000) < 1000     # the venue answers in whole seconds
    assert [c["nbf"] for _, c in fake.jwts] == [FIXED_MS // 1000 + 121]
    assert len(seen(fake, "GET", "/api/v3/brokerage/time")) == 1


async def test_a_stale_offset_is_remeasured_after_a_401_and_sent_once_more(fake):
    fake.now = lambda: FIXED_MS // 1000
    async with open_(fake, clock=lambda: FIXED_MS) as ex:
        ex.time_offset = -121_000                       # measured long ago; the clocks moved
        assert await ex.fetch_balance()
        assert abs(ex.time_offset) < 1000
    assert len(seen(fake, "GET", "/api/v3/brokerage/accounts")) == 2   # refused, then accepted


async def test_an_expired_token_is_refused_as_authentication_error(fake):
    async with open_(fake, clock=lambda: FIXED_MS) as ex:
        fake.now = lambda: FIXED_MS // 1000             # the time endpoint says "in sync" …
        ex.time_offset = 0
        ex.fetch_server_time = lambda: _later(FIXED_MS)   # … but the venue's check moved on
        fake.now = lambda: FIXED_MS // 1000 + 121
        with pytest.raises(exchanges.AuthenticationError):
            await ex.fetch_balance()


async def _later(ms: int) -> int:
    return ms


async def test_fixed_clock_and_override_host_in_jwt(fake):
    fake.now = lambda: FIXED_MS // 1000 + 5
    async with open_(fake, clock=lambda: FIXED_MS) as ex:
        await ex.fetch_open_orders()
        await ex.fetch_open_orders()
    (h1, c1), (h2, c2) = fake.jwts
    host = fake.base.removeprefix("http://")
    # The venue's clock is 5 s ahead: tokens are stamped in its time (clock + offset).
    assert c1 == {"sub": KEY_NAME, "iss": "cdp", "nbf": FIXED_MS // 1000 + 5,
                  "exp": FIXED_MS // 1000 + 125,
                  "uri": f"GET {host}/api/v3/brokerage/orders/historical/batch"}
    assert h1["alg"] == "ES256" and h1["kid"] == KEY_NAME and h1["typ"] == "JWT"
    assert h1["nonce"] != h2["nonce"]          # a fresh token per request
    token = seen(fake, "GET", "/api/v3/brokerage/orders/historical/batch")[0] \
        .headers["Authorization"].removeprefix("Bearer ")
    assert jwt.decode(token, options={"verify_signature": False})["nbf"] == 1714564805


def test_real_host_in_uri_claim():
    ex = Coinbase(credentials=CREDENTIALS, clock=lambda: FIXED_MS)
    from exchanges.core.transport import Request
    req = ex.sign(Request("POST", "/api/v3/brokerage/orders"))
    claims = jwt.decode(req.headers["Authorization"][7:], options={"verify_signature": False})
    assert claims["uri"] == "POST api.coinbase.com/api/v3/brokerage/orders"


async def test_lost_reply_reconciles_by_client_id(fake):
    fake.faults.drop_after_accept = lambda r: r.method == "POST" and r.path.endswith("/orders")
    async with open_(fake) as ex:
        order = await ex.create_order("BTC/USD", "buy", "market", "0.01",
                                      client_order_id="cid-lost-reply")
    assert len(seen(fake, "POST", "/api/v3/brokerage/orders")) == 1     # never sent twice
    assert order.client_order_id == "cid-lost-reply" and order.status == "closed"
    q = seen(fake, "GET", "/api/v3/brokerage/orders/historical/batch")[0].query_string
    assert q == "product_ids=BTC-USD&limit=100"


# -- websocket -------------------------------------------------------------------------------
async def test_watch_ticker(fake):
    async with open_(fake, creds=None) as ex:
        agen = ex.watch_ticker("BTC/USD")
        task = asyncio.ensure_future(next_item(agen))
        await fake.wait_subscribed("ticker", "BTC-USD")
        await fake.push("ticker", "BTC-USD", fake.ticker_message("ETH-USD"))
        await fake.push("ticker", "BTC-USD", fake.ticker_message("BTC-USD"))
        t = await task
        await agen.aclose()
    assert (t.bid, t.ask, t.last) == (D("50100.49"), D("50100.51"), D("50100.5"))
    assert (t.high, t.low, t.base_volume) == (D("51000.9"), D("49000.1"), D("16038.28770938"))
    assert t.open == D("48878.54") and t.timestamp == 1714564805123
    assert {"type": "subscribe", "channel": "heartbeats"} in fake.ws_received


async def test_watch_trades_skips_snapshot(fake):
    async with open_(fake, creds=None) as ex:
        agen = ex.watch_trades("BTC/USD")
        task = asyncio.ensure_future(next_item(agen))
        await fake.wait_subscribed("trades", "BTC-USD")
        await fake.push("trades", "BTC-USD", fake.trade_message("BTC-USD", [
            {"trade_id": "9", "product_id": "BTC-USD", "price": "50001", "size": "0.2",
             "side": "BUY", "time": "2024-05-01T12:00:09Z"},
            {"trade_id": "8", "product_id": "BTC-USD", "price": "50000.5", "size": "0.1",
             "side": "SELL", "time": "2024-05-01T12:00:08Z"}]))
        first = await task
        second = await next_item(agen)
        await agen.aclose()
    assert (first.id, first.side, first.price) == ("8", "buy", D("50000.5"))
    assert (second.id, second.side, second.timestamp) == ("9", "sell", 1714564809000)


def server_book(fake):
    return fake.books["BTC-USD"].decimals()


async def test_watch_order_book_snapshot_and_updates(fake):
    async with open_(fake, creds=None) as ex:
        agen = ex.watch_order_book("BTC/USD")
        book = await next_item(agen)
        assert (book.bids, book.asks) == server_book(fake)
        await fake.heartbeat()                # heartbeats advance the sequence too
        await fake.publish_book("BTC-USD", bids=[("49999.99", "0"), ("49998", "4")],
                                asks=[("50000.5", "1")])
        book = await next_item(agen)
        await agen.aclose()
    assert (book.bids, book.asks) == server_book(fake)
    assert book.bids[0] == (D("49999"), D("2")) and book.asks[1] == (D("50000.5"), D("1"))
    # 0, 1: the two subscription acks (heartbeats, level2); 2 snapshot; 3 heartbeat; 4 update
    assert book.nonce == 4


async def test_sequence_gap_resubscribes_and_ends_equal(fake):
    async with open_(fake, creds=None) as ex:
        agen = ex.watch_order_book("BTC/USD")
        await next_item(agen)
        fake.faults.gap_next = True            # this frame is lost on the way …
        await fake.publish_book("BTC-USD", bids=[("49990", "7")])
        await fake.publish_book("BTC-USD", asks=[("50003", "1")])   # … the next one shows it
        book = await next_item(agen)
        await agen.aclose()
    assert (book.bids, book.asks) == server_book(fake)
    assert (D("49990"), D("7")) in book.bids
    unsubs = [m for m in fake.ws_received if m.get("type") == "unsubscribe"]
    assert unsubs and unsubs[0]["channel"] == "level2"
    subs = [m for m in fake.ws_received if m.get("channel") == "level2"
            and m["type"] == "subscribe"]
    assert len(subs) == 2 and fake.ws_connections == 1


async def test_gap_in_another_channel_also_resyncs(fake):
    async with open_(fake, creds=None) as ex:
        agen = ex.watch_order_book("BTC/USD")
        await next_item(agen)
        fake.faults.gap_next = True
        await fake.heartbeat()                 # the lost frame could have been ours
        await fake.publish_book("BTC-USD", asks=[("50002", "1")])
        book = await next_item(agen)
        unsubs = [m for m in fake.ws_received if m.get("type") == "unsubscribe"]
        await agen.aclose()                    # (which unsubscribes too)
    assert (book.bids, book.asks) == server_book(fake)
    assert len(unsubs) == 1


async def test_reconnect_restarts_sequence_and_rebuilds_book(fake):
    async with open_(fake, creds=None) as ex:
        agen = ex.watch_order_book("BTC/USD")
        await next_item(agen)
        await fake.drop_ws()
        fake.books["BTC-USD"].apply(bids=[("49000", "9")])      # changed while we were away
        await fake.wait_for(lambda: fake.ws_connections == 2
                            and fake.subscribed("book", "BTC-USD"))
        book = await next_item(agen)
        assert (book.bids, book.asks) == server_book(fake)
        await fake.publish_book("BTC-USD", asks=[("50000.01", "0")])   # sequence 0.. anew
        book = await next_item(agen)
        unsubs = [m for m in fake.ws_received if m.get("type") == "unsubscribe"]
        await agen.aclose()
    assert (book.bids, book.asks) == server_book(fake)
    assert not unsubs


# -- ccxt recorded replies -------------------------------------------------------------------
def fixture(name):
    return json.loads((DATA / name).read_text())


def with_markets(*markets) -> Coinbase:
    ex = Coinbase(credentials=CREDENTIALS)
    ex.markets, ex.markets_by_id = {m.symbol: m for m in markets}, {m.id: m for m in markets}
    return ex


def test_ccxt_ticker_reply():
    case = fixture("fetchTicker.json")
    usdc = Market("BTC/USDC", "BTC-USDC", "BTC", "USDC", D("0.01"), D("0.00000001"))
    trade = Coinbase.parse_trade(case["httpResponse"]["trades"][0], usdc)
    expected = case["parsedResponse"]
    assert trade.timestamp == expected["timestamp"]
    assert trade.price == D(str(expected["last"]))
    assert D(case["httpResponse"]["best_bid"]) == D(str(expected["bid"]))


def test_ccxt_closed_order_reply():
    case = fixture("fetchClosedOrders.json")
    o = with_markets(ADA).parse_order(case["httpResponse"]["orders"][0], None)
    e = case["parsedResponse"][0]
    assert (o.id, o.client_order_id, o.symbol) == (e["id"], e["clientOrderId"], e["symbol"])
    assert (o.side, o.type, o.status) == (e["side"], e["type"], e["status"])
    assert o.timestamp == e["timestamp"]
    assert o.amount == D(str(e["amount"])) and o.filled == D(str(e["filled"]))
    assert o.remaining == D(str(e["remaining"])) and o.average == D(str(e["average"]))
    assert o.fee == D(e["fee"]["cost"])


async def test_ccxt_create_order_requests(monkeypatch):
    """The bodies we send match the ones ccxt recorded for the same orders."""
    ex = with_markets(ADA)
    sent = []

    async def capture(method, path, params=None, **kw):
        sent.append((method, path, kw["data"]))
        body = kw["data"]
        return {"success": True, "success_response": {
            "order_id": "x", "product_id": body["product_id"], "side": body["side"],
            "client_order_id": body["client_order_id"]}}
    monkeypatch.setattr(ex, "request", capture)
    async with ex:
        for case in fixture("createOrder.json"):
            symbol, type_, side, amount, price = (case["input"] + [None])[:5]
            expected = json.loads(case["output"])
            await ex.create_order(symbol, side, type_, str(amount),
                                  None if price is None else str(price),
                                  client_order_id=expected["client_order_id"])
            method, path, body = sent[-1]
            assert (method, "https://api.coinbase.com" + path) == ("POST", case["url"])
            assert body == expected, case["description"]
