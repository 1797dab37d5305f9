"""OKX: what our adapter sends, against the requests ccxt recorded for the same calls.

The recorded requests (tests/data/ccxt/okx/requests.json, see the README there) are driven through
our real adapter against the fake OKX server with ccxt's inputs; the fake logs each request as it
arrived (`fake.seen`), and we compare the path, the query parameters and the JSON body fields.

Never compared: the OK-ACCESS-TIMESTAMP / OK-ACCESS-SIGN headers (they change with every run and
ccxt records no headers at all). Ignored in bodies, and only where ccxt made the value up itself:
`clOrdId` (ccxt derives it from its broker id plus random hex; we send a random 32-letter id of
our own) and `tag` (ccxt's broker id). These are ccxt's own `skipKeys` for this file. Where the
caller gives a client order id, `clOrdId` is compared exactly; the absence of `tag` is asserted.
Every other difference is asserted explicitly below, with the OKX v5 docs fact that makes it
legitimate (https://www.okx.com/docs-v5/en/).
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

import exchanges
import tests.fakes.okx as fake_okx
from tests.fakes.kit import Rec
from tests.fakes.okx import CREDENTIALS, FIXED_TS, FakeOKX

RECORDED = json.loads((Path(__file__).parent.parent / "data" / "ccxt" / "okx" / "requests.json")
                      .read_text(), parse_float=Decimal)
CASES = {(c["method"], c["description"]): c for c in RECORDED["cases"]}
SKIP_KEYS = set(RECORDED["skipKeys"])          # {"clOrdId", "tag"}: ccxt-generated, see above
CLIENT_ID = re.compile(r"^[A-Za-z0-9]{1,32}$")  # docs: clOrdId, up to 32 alphanumerics
# ccxt's cases trade LTC/USDT, which the fake does not list by default.
LTC = {"instType": "SPOT", "instId": "LTC-USDT", "baseCcy": "LTC", "quoteCcy": "USDT",
       "tickSz": "0.01", "lotSz": "0.000001", "minSz": "0.001", "maxLmtSz": "9999999999",
       "maxMktSz": "1000000", "state": "live", "listTime": "1606468572000"}


@pytest.fixture
async def fake(monkeypatch):
    monkeypatch.setattr(fake_okx, "INSTRUMENTS", [*fake_okx.INSTRUMENTS, LTC])
    async with FakeOKX() as server:
        yield server


def open_okx(fake, now=FIXED_TS):
    return exchanges.create("okx", credentials=CREDENTIALS, urls=fake.urls, clock=lambda: now)


def case(method, description):
    return CASES[(method, description)]


def recorded_url(c):
    """(path, query parameters) of ccxt's recorded URL."""
    url = urlsplit(c["url"])
    assert url.netloc == "www.okx.com"
    return url.path, dict(parse_qsl(url.query))


def recorded_body(c):
    return json.loads(c["output"])


def sent(fake):
    """What the adapter sent, market loading left out: [(method, path, query dict, body)]."""
    return [(s.method, s.path, dict(parse_qsl(s.query_string)),
             json.loads(s.body) if s.body else None)
            for s in fake.seen if s.path != "/api/v5/public/instruments"]


def seed_order(fake, order_id, inst_id="LTC-USDT"):
    """A resting limit buy the venue already holds under ccxt's order id."""
    fake.store.orders[order_id] = Rec(order_id, None, inst_id, "buy", "limit", Decimal("50"),
                                      Decimal("2"), FIXED_TS)


def test_the_kept_cases_are_all_there():
    assert RECORDED["commit"] == "6712634d9754e9f37e8d71dd0464f4f6514dee3f"
    assert {m for m, _ in CASES} == {
        "fetchTicker", "fetchTickers", "fetchOrderBook", "fetchOHLCV", "fetchTrades",
        "fetchBalance", "createOrder", "cancelOrder", "fetchOpenOrders", "fetchOrder"}
    assert len(CASES) == len(RECORDED["cases"]) == 14


# -- identical requests ----------------------------------------------------------------------
SAME = [
    ("fetchTicker", "spot ticker", lambda ex, a: ex.fetch_ticker(*a)),
    ("fetchTickers", "spot tickers", lambda ex, a: ex.fetch_tickers(*a)),
    ("fetchOrderBook", "spot orderbook", lambda ex, a: ex.fetch_order_book(*a)),
    ("fetchTrades", "fetch spot trades", lambda ex, a: ex.fetch_trades(*a)),
    ("fetchBalance", "spot balance", lambda ex, a: ex.fetch_balance(*a)),
    ("fetchOrder", "Spot fetch order", lambda ex, a: ex.fetch_order(*a)),
]


@pytest.mark.parametrize("method, description, call", SAME, ids=[s[1] for s in SAME])
async def test_same_path_and_query_as_ccxt(fake, method, description, call):
    c = case(method, description)
    if method == "fetchOrder":
        seed_order(fake, c["input"][0])
    async with open_okx(fake) as ex:
        await call(ex, c["input"])
    assert sent(fake) == [("GET", *recorded_url(c), None)]


async def test_ohlcv_of_an_old_window_uses_history_candles_like_ccxt(fake):
    # ccxt asks for 500 1h candles from 2023-11-14 and records the history endpoint with the
    # limit cut to 300 (docs: "The maximum is 300"). /market/candles keeps only the latest 1,440
    # bars, so with today's clock that window is history: our request must be the same one.
    c = case("fetchOHLCV", "historical endpoint instead of recent")
    async with open_okx(fake, now=1_764_000_000_000) as ex:      # 2025-11-24
        await ex.fetch_ohlcv(*c["input"])
    assert sent(fake) == [("GET", *recorded_url(c), None)]


async def test_ohlcv_without_a_timeframe_differs_only_by_the_default_bar(fake):
    # ccxt's unified default timeframe is 1m; ours is "1h" (CONTRACT.md: fetch_ohlcv(symbol,
    # timeframe="1h", ...)), which OKX spells bar=1H. With 1m asked for, the request is ccxt's.
    # Both leave limit at 100, OKX's own default ("The default is 100").
    c = case("fetchOHLCV", "spot ohlcv")
    path, query = recorded_url(c)
    async with open_okx(fake) as ex:
        await ex.fetch_ohlcv(*c["input"])
        await ex.fetch_ohlcv(*c["input"], "1m")
    default, one_minute = sent(fake)
    assert default == ("GET", path, {**query, "bar": "1H"}, None) and query["bar"] == "1m"
    assert one_minute == ("GET", path, query, None)


# -- orders ----------------------------------------------------------------------------------
def place(ex, c):
    """ccxt's createOrder(symbol, type, side, amount, price, params) as our create_order."""
    symbol, type_, side, amount, *rest = c["input"]
    price = rest[0] if rest else None
    params = rest[1] if len(rest) > 1 else {}
    return ex.create_order(symbol, side, type_, amount, price,
                           client_order_id=params.get("clientOrderId"))


def without(body: dict, *keys) -> dict:
    return {k: v for k, v in body.items() if k not in keys}


@pytest.mark.parametrize("description", ["Spot limit buy order", "Spot market buy order",
                                         "spot order with clientOrderid"])
async def test_order_body_matches_ccxt_field_by_field(fake, description):
    c = case("createOrder", description)
    [want] = recorded_body(c)          # ccxt sends a one-order list to /trade/batch-orders
    async with open_okx(fake) as ex:
        order = await place(ex, c)
    [(method, path, query, body)] = sent(fake)
    # ccxt places through POST /api/v5/trade/batch-orders (its `createOrder` option), a list of
    # orders; we use POST /api/v5/trade/order with one object. The docs give both endpoints the
    # same per-order request parameters (batch: "Request parameters should be passed in the form
    # of an array", at most 20 orders).
    assert (recorded_url(c), method, path, query) == (
        ("/api/v5/trade/batch-orders", {}), "POST", "/api/v5/trade/order", {})
    assert isinstance(body, dict)
    # ccxt adds its broker id as `tag` whenever it makes the client id up itself; we send no
    # tag (docs: tag is optional, "up to 16 characters").
    assert "tag" not in body and ("tag" in want) == ("clientOrderId" not in str(c["input"]))
    if c["input"][1] == "limit":
        # ccxt also sends tgtCcy=base_ccy on limit orders; docs: tgtCcy is "Only applicable to
        # SPOT Market Orders", so we leave it out there.
        assert want.pop("tgtCcy") == "base_ccy" and "tgtCcy" not in body
    if "clientOrderId" in str(c["input"]):
        assert body["clOrdId"] == want["clOrdId"] == "mycustomid"     # the caller's: exact
        assert body == want
    else:
        assert CLIENT_ID.match(body["clOrdId"]) and order.client_order_id == body["clOrdId"]
        assert without(body, *SKIP_KEYS) == without(want, *SKIP_KEYS)


async def test_cancel_sends_ccxts_body_then_reads_the_order_back(fake):
    c = case("cancelOrder", "Spot cancel order")
    order_id, symbol = c["input"]
    seed_order(fake, order_id)
    async with open_okx(fake) as ex:
        cancelled = await ex.cancel_order(order_id, symbol)
    (method, path, query, body), follow_up = sent(fake)
    assert (method, path, query, body) == ("POST", recorded_url(c)[0], {}, recorded_body(c))
    # Extra, not in ccxt: the cancel reply carries only ids (docs: ordId, clOrdId, sCode, sMsg),
    # so we read the order back to return its state, with the fetch_order request ccxt records.
    assert follow_up == ("GET", "/api/v5/trade/order", {"instId": "LTC-USDT", "ordId": order_id},
                         None)
    assert cancelled.status == "canceled"


@pytest.mark.parametrize("description", ["Fetch open orders with no arguments",
                                         "Spot fetch open orders"])
async def test_open_orders_add_only_the_spot_instrument_type(fake, description):
    c = case("fetchOpenOrders", description)
    path, query = recorded_url(c)
    async with open_okx(fake) as ex:
        await ex.fetch_open_orders(*c["input"])
    # Our markets are SPOT only, so we always filter with instType=SPOT (docs: instType is an
    # optional filter, "SPOT MARGIN SWAP FUTURES OPTION"); ccxt leaves it out and, without a
    # symbol, lists every instrument type. Everything else is ccxt's request.
    assert "instType" not in query
    assert sent(fake) == [("GET", path, {"instType": "SPOT", **query}, None)]
