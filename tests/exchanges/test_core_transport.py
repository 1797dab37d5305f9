"""The shared transport and adapter base, against a real local server."""
from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import TypedDict

import pytest
from aiohttp import web

import exchanges
from exchanges import errors as E
from exchanges.core.ratelimit import RateLimiter
from exchanges.numbers import decoder
from tests.exchanges.toy import KEY, SECRET, FakeToy, Toy
from tests.fakes.base import json_response

CREDS = exchanges.Credentials(api_key=KEY, secret=SECRET)


@pytest.fixture
async def fake():
    async with FakeToy() as f:
        yield f


def toy(fake, **kw):
    return Toy(urls={"rest": fake.base}, **kw)


async def test_url_override_sends_every_rest_host_to_the_fake(fake):
    async with toy(fake, credentials=CREDS, clock=lambda: 1_700_000_000_000) as ex:
        t = await ex.fetch_ticker("BTC/USD")
        await ex.create_order("BTC/USD", "buy", "limit", "0.5", "43000.10")
    assert str(t.last) == "43000.10" and isinstance(t.last, Decimal)
    assert [s.path for s in fake.seen] == ["/markets", "/tickers", "/orders"]
    post = fake.seen[-1]
    assert post.headers["X-TS"] == "1700000000000"       # the injected clock is what is signed


async def test_wrong_secret_is_an_authentication_error_without_the_secret(fake):
    creds = exchanges.Credentials(api_key=KEY, secret="wrong-secret-value")
    async with toy(fake, credentials=creds) as ex:
        with pytest.raises(E.AuthenticationError) as info:
            await ex.create_order("BTC/USD", "buy", "limit", "0.5", "43000.10")
    assert "wrong-secret-value" not in str(info.value) and KEY not in str(info.value)
    assert "toy" in str(info.value)


async def test_idempotent_reads_are_retried_on_5xx(fake):
    calls = {"n": 0}

    def flaky(request):
        if request.path == "/tickers":
            calls["n"] += 1
            return 502 if calls["n"] <= 2 else None
        return None
    fake.faults.status_if = flaky
    async with toy(fake) as ex:
        ex.transport._sleep = lambda s: asyncio.sleep(0)
        t = await ex.fetch_ticker("BTC/USD")
    assert t.last == Decimal("43000.10") and calls["n"] == 3


async def test_reads_give_up_after_the_retry_budget(fake):
    fake.faults.status_if = lambda r: 503 if r.path == "/tickers" else None
    async with toy(fake) as ex:
        ex.transport._sleep = lambda s: asyncio.sleep(0)
        with pytest.raises(E.ExchangeNotAvailable, match="unavailable"):
            await ex.fetch_ticker("BTC/USD")
    assert sum(s.path == "/tickers" for s in fake.seen) == 1 + Toy.retries


async def test_an_order_is_never_resent_after_a_dropped_reply_but_reconciled(fake):
    # The venue accepts the order, then the connection drops before the reply arrives.
    fake.faults.drop_after_accept = lambda r: r.method == "POST"
    async with toy(fake, credentials=CREDS) as ex:
        order = await ex.create_order("BTC/USD", "buy", "limit", "0.5", "43000.10",
                                      client_order_id="cid-1")
    assert order.client_order_id == "cid-1" and order.status == "open"
    assert sum(s.method == "POST" for s in fake.seen) == 1     # sent once
    assert len(fake.orders) == 1


async def test_an_order_whose_fate_is_unknown_is_reported_unknown_not_failed(fake):
    fake.faults.status_if = lambda r: 502 if r.method == "POST" else None
    async with toy(fake, credentials=CREDS) as ex:
        ex.reconcile_delay = 0
        with pytest.raises(E.OrderStatusUnknown, match="outcome is not known") as info:
            await ex.create_order("BTC/USD", "buy", "limit", "0.5", "43000.10",
                                  client_order_id="cid-9")
    assert info.value.client_order_id == "cid-9"
    assert "not placed" not in str(info.value)      # a delayed request may still land
    assert sum(s.method == "POST" for s in fake.seen) == 1 and fake.orders == []


async def test_timeout_is_request_timeout(fake):
    fake.faults.delay = 2.0
    fake.faults.delay_if = lambda r: r.path == "/tickers"
    Toy_fast = type("ToyFast", (Toy,), {"timeout": 0.2, "retries": 0})
    async with Toy_fast(urls={"rest": fake.base}) as ex:
        await ex.load_markets()
        with pytest.raises(E.RequestTimeout, match="no reply within"):
            await ex.fetch_ticker("BTC/USD")


async def test_connection_refused_is_exchange_not_available():
    async with Toy(urls={"rest": "http://127.0.0.1:9"}) as ex:
        ex.transport._sleep = lambda s: asyncio.sleep(0)
        with pytest.raises(E.ExchangeNotAvailable, match="could not connect"):
            await ex.load_markets()


async def test_429_pauses_and_retries_with_retry_after(fake):
    calls = {"n": 0}

    async def limited(request):
        calls["n"] += 1
        if calls["n"] == 1:
            return json_response({"error": "E9", "message": "slow down"}, status=429,
                                 headers={"Retry-After": "0"})
        return json_response(fake.tickers)
    fake.app.router._frozen = False
    fake.route("GET", "/tickers2", limited)
    events = []
    async with toy(fake) as ex:
        ex.status_listeners.append(lambda *a: events.append(a))
        data = await ex.request("GET", "/tickers2")
    assert data[0]["last"] == "43000.10" and calls["n"] == 2
    assert events and events[0][1] == "rate_limited" and "retrying in" in events[0][2]


async def test_rate_limiter_paces_requests():
    limiter = RateLimiter(5, 0.5)
    start = time.monotonic()
    for _ in range(15):
        await limiter.acquire()
    assert time.monotonic() - start >= 0.7   # 15 units at 10/s, after a burst of 5


async def test_malformed_reply_is_bad_response_naming_the_endpoint(fake):
    fake.tickers = [{"id": "btcusd", "ts": 1}]            # "last" missing
    async with toy(fake) as ex:
        with pytest.raises(E.BadResponse) as info:
            await ex.fetch_ticker("BTC/USD")
    assert "toy" in str(info.value) and "/tickers" in str(info.value)


async def test_non_json_reply_is_bad_response(fake):
    async def html(request):
        return web.Response(text="<html>oops</html>", content_type="text/html")
    fake.app.router._frozen = False
    fake.route("GET", "/html", html)
    async with toy(fake) as ex:
        with pytest.raises(E.BadResponse, match="not valid JSON"):
            await ex.request("GET", "/html")


def test_error_table_maps_codes_and_messages_and_scrubs_secrets():
    ex = Toy(credentials=CREDS)
    assert isinstance(ex.error_for("E1", "no money"), E.InsufficientFunds)
    assert isinstance(ex.error_for("E2", "gone"), E.OrderNotFound)
    assert isinstance(ex.error_for("X", "Unknown symbol FOO"), E.BadSymbol)
    err = ex.error_for("X", f"bad key {KEY} with {SECRET}")
    assert KEY not in str(err) and SECRET not in str(err) and "***" in str(err)
    assert type(err) is E.ExchangeError


@pytest.mark.parametrize("args,words", [
    (("BTC/USD", "buy", "limit", "0", "100"), "greater than zero"),
    (("BTC/USD", "buy", "limit", "-1", "100"), "greater than zero"),
    (("BTC/USD", "buy", "limit", "NaN", "100"), "must be a number"),
    (("BTC/USD", "buy", "limit", "0.5", "abc"), "must be a number"),
    (("BTC/USD", "buy", "limit", 0.5, "100"), "not a float"),
    (("BTC/USD", "buy", "limit", "0.00015", "100"), "not a multiple of 0.0001"),
    (("BTC/USD", "buy", "limit", "0.5", "100.001"), "not a multiple of 0.01"),
    (("BTC/USD", "buy", "limit", "0.0005", "100"), "below the minimum"),
    (("BTC/USD", "hold", "limit", "1", "100"), "side must be"),
    (("BTC/USD", "buy", "stop", "1", "100"), "order type must be"),
    (("BTC/USD", "buy", "limit", "1", None), "needs a price"),
])
async def test_bad_orders_are_refused_before_anything_is_sent(fake, args, words):
    async with toy(fake, credentials=CREDS) as ex:
        with pytest.raises(E.InvalidOrder, match=words):
            await ex.create_order(*args)
    assert not any(s.method == "POST" for s in fake.seen)


@pytest.mark.parametrize("symbol", ["DOGE/USD", "BTCUSD", "", "BTC/USD/X"])
async def test_bad_symbols(fake, symbol):
    async with toy(fake) as ex:
        with pytest.raises(E.BadSymbol):
            await ex.fetch_ticker(symbol)


async def test_private_call_without_keys_says_so(fake):
    async with toy(fake) as ex:
        with pytest.raises(E.AuthenticationError, match="needs API keys"):
            await ex.create_order("BTC/USD", "buy", "limit", "0.5", "43000.10")


async def test_closed_adapter_refuses_calls(fake):
    ex = toy(fake)
    async with ex:
        await ex.load_markets()
    with pytest.raises(E.ExchangeError, match="closed"):
        await ex.fetch_ticker("BTC/USD")


def test_has_reflects_what_the_venue_implements():
    assert Toy.has["fetch_ticker"] and Toy.has["fetch_tickers"] and Toy.has["create_order"]
    assert not Toy.has["fetch_ohlcv"] and not Toy.has["watch_order_book"]


async def test_missing_call_raises_not_supported(fake):
    async with toy(fake) as ex:
        with pytest.raises(E.NotSupported):
            await ex.fetch_ohlcv("BTC/USD")


def test_credentials_repr_hides_the_secret():
    text = repr(CREDS) + str(CREDS)
    assert SECRET not in text and KEY not in text


# -- typed decoding (numbers.decoder): the shape a venue documents, straight into Decimals -------
class _Row(TypedDict):
    id: str
    ts: int
    last: Decimal


_ROWS = decoder(list[_Row])


async def test_a_typed_reply_is_decoded_into_its_shape(fake):
    fake.tickers = [{"id": "btcusd", "ts": "7", "last": "43000.10"}]     # an id sent as a string
    async with toy(fake) as ex:
        rows = await ex.request("GET", "/tickers", decode=_ROWS)
    assert rows == [{"id": "btcusd", "ts": 7, "last": Decimal("43000.10")}]
    assert type(rows[0]["last"]) is Decimal


async def test_a_typed_reply_of_another_shape_is_a_bad_response_naming_where(fake):
    fake.tickers = [{"id": "btcusd", "ts": 1, "last": ["43000.10"]}]
    async with toy(fake) as ex:
        with pytest.raises(E.BadResponse) as info:
            await ex.request("GET", "/tickers", decode=_ROWS)
    text = str(info.value)
    assert "documented shape" in text and "$[0].last" in text and "GET /tickers" in text


async def test_a_venue_error_in_place_of_a_typed_reply_is_still_the_venues_error(fake):
    fake.tickers = {"error": "E1", "message": "not enough funds"}       # sent with status 200
    async with toy(fake) as ex:
        with pytest.raises(E.InsufficientFunds, match="not enough funds"):
            await ex.request("GET", "/tickers", decode=_ROWS)
    fake.faults.status_if = lambda r: 404 if r.path == "/tickers" else None
    async with toy(fake) as ex:
        with pytest.raises(E.ExchangeError, match="no such resource"):
            await ex.request("GET", "/tickers", decode=_ROWS)


def test_a_form_without_fields_has_no_body_and_no_content_type():
    # Venues that sign the content type (Bitstamp) refuse one on a request without a body.
    from exchanges.core.transport import Request
    empty = Request("POST", "/x", data={}, body_format="form")
    empty.encode_body()
    assert empty.body == "" and "Content-Type" not in empty.headers
    full = Request("POST", "/x", data={"a": 1}, body_format="form")
    full.encode_body()
    assert full.body == "a=1"
    assert full.headers["Content-Type"] == "application/x-www-form-urlencoded"
