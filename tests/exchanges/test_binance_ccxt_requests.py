"""Binance spot requests against ccxt's recorded ones (tests/data/ccxt/binance/requests.json).

Each kept ccxt case is replayed through our real adapter against the fake venue with the same
inputs; what arrives on the wire (path, and query + body parameters as a multiset) must equal
what ccxt recorded. Where we legitimately send something else, the difference is asserted
explicitly, with the Binance docs fact that makes it right.
Docs: https://developers.binance.com/docs/binance-spot-api-docs/rest-api
"""
from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

import exchanges
from exchanges import errors as E
from tests.fakes.binance import CREDENTIALS, FakeBinance, _symbol_info
from tests.fakes.kit import ServerBook

D = Decimal
T0 = 1_700_000_000_000
# parse_float=Decimal: ccxt's inputs are JSON numbers, our contract takes money as Decimal.
CCXT = json.loads((Path(__file__).parents[1] / "data/ccxt/binance/requests.json").read_text(),
                  parse_float=Decimal)
CASES = CCXT["methods"]

# Keys left out of the comparison because they legitimately differ on every run (ccxt's own
# static request tests skip the same ones, its "skipKeys"):
#   timestamp  - the signing time: ccxt's moment of recording, our fixed clock T0 here;
#   signature  - the HMAC over everything else, so it changes with timestamp and recvWindow;
#   recvWindow - ccxt sends 10000, we 5000 (Binance's documented default; either is valid).
IGNORED = frozenset({"timestamp", "signature", "recvWindow"})
# newClientOrderId: both clients send the key on every new order, but each makes its own random
# value (ccxt "x-R4BD3S82" + a uuid, we uuid4 hex), so only the value is masked: the key stays in
# the multiset. A caller's own client order id is compared as a value in its own test below.
CID = "newClientOrderId"
ANY_CID = "<generated>"


def params_of(query: str, body: str = "") -> Counter:
    pairs = parse_qsl(query, keep_blank_values=True) + parse_qsl(body, keep_blank_values=True)
    return Counter((k, ANY_CID if k == CID else v) for k, v in pairs if k not in IGNORED)


def case(method: str, description: str) -> dict:
    return next(c for c in CASES[method] if c["description"] == description)


def recorded(c: dict) -> tuple[str, Counter]:
    """ccxt's path and parameters: the URL's query plus, for a POST, its urlencoded body."""
    url = urlsplit(c["url"])
    return url.path, params_of(url.query, c.get("output", ""))


def add_symbol(fake: FakeBinance, symbol: str, base: str, tick: str, step: str, mid: str):
    """A USDT market on the fake with the filters ccxt's recordings imply (LTCUSDT: amounts
    to 0.001, prices to 0.01, as its 0.423 @ 55.32 rounding shows)."""
    fake.symbols.append(_symbol_info(symbol, base, "USDT", tick, step, step, "NOTIONAL",
                                     "5.00000000"))
    t, m = D(tick), D(mid)
    fake.books[symbol] = ServerBook({str(m - t * (i + 1)): "1" for i in range(3)},
                                    {str(m + t * (i + 1)): "1" for i in range(3)}, seq=1)
    fake.store.markets[symbol] = (base, "USDT")


@pytest.fixture
async def fake():
    async with FakeBinance() as venue:
        venue.server_time = lambda: T0
        add_symbol(venue, "LTCUSDT", "LTC", "0.01000000", "0.00100000", "70")
        add_symbol(venue, "ETHUSDT", "ETH", "0.01000000", "0.00010000", "2500")
        yield venue


@pytest.fixture
async def ex(fake):
    async with exchanges.create("binance", credentials=CREDENTIALS, urls=fake.urls,
                                clock=lambda: T0) as adapter:
        await adapter.load_markets()
        await adapter.fetch_balance()        # measures the server-time offset up front
        yield adapter


async def sent_by(fake, call, *, raises=None):
    """The one request `call` puts on the wire (asserting there is exactly one)."""
    mark = len(fake.seen)
    if raises is None:
        await call
    else:
        with pytest.raises(raises):
            await call
    new = [s for s in fake.seen[mark:] if s.path != "/api/v3/time"]
    assert len(new) == 1, [(s.method, s.path) for s in new]
    return new[0]


def ours(seen) -> tuple[str, Counter]:
    return seen.path, params_of(seen.query_string, seen.body)


# -- cases we send exactly as ccxt does --------------------------------------------------------
# (ccxt method, case description, the HTTP verb Binance documents, how we drive it, and the
# error the fake answers with where it has no such order: the request is what is compared.)
EXACT = [
    ("fetchTicker", "spot ticker", "GET",
     lambda ex, a: ex.fetch_ticker(*a), None),
    ("fetchTickers", "spot fetch tickers with symbols", "GET",
     lambda ex, a: ex.fetch_tickers(*a), None),
    ("fetchTickers", "spot tickers", "GET",
     lambda ex, a: ex.fetch_tickers(*a), None),
    ("fetchOrderBook", "fetch spot orderbook", "GET",
     lambda ex, a: ex.fetch_order_book(*a), None),
    ("fetchOHLCV", "Fetch OHLCV - spot", "GET",
     lambda ex, a: ex.fetch_ohlcv(*a), None),
    ("fetchOpenOrders", "Spot one orders", "GET",
     lambda ex, a: ex.fetch_open_orders(*a), None),
    ("fetchOrder", "Spot fetchOrder", "GET",
     lambda ex, a: ex.fetch_order(str(a[0]), a[1]), E.OrderNotFound),
    ("cancelOrder", "Spot cancelOrder", "DELETE",
     lambda ex, a: ex.cancel_order(str(a[0]), a[1]), E.OrderNotFound),
]


@pytest.mark.parametrize("method,description,verb,drive,raises", EXACT,
                         ids=[f"{m}: {d}" for m, d, *_ in EXACT])
async def test_request_matches_ccxt(ex, fake, method, description, verb, drive, raises):
    c = case(method, description)
    seen = await sent_by(fake, drive(ex, c["input"]), raises=raises)
    assert seen.method == verb
    assert ours(seen) == recorded(c)


# -- cases where we legitimately differ --------------------------------------------------------
async def test_order_book_without_limit_sends_binance_default_explicitly(ex, fake):
    c = case("fetchOrderBook", "spot orderbook")
    path, want = recorded(c)
    seen = await sent_by(fake, ex.fetch_order_book(*c["input"]))
    # GET /api/v3/depth: "limit: Default 100; max 5000". We always name the depth we size the
    # request weight for; 100 is what Binance applies to ccxt's limit-less request anyway.
    assert ours(seen) == (path, want + Counter({("limit", "100"): 1}))


async def test_ohlcv_defaults_are_the_contract_timeframe_and_binance_default_limit(ex, fake):
    c = case("fetchOHLCV", "spot ohlcv")
    path, want = recorded(c)
    seen = await sent_by(fake, ex.fetch_ohlcv(*c["input"]))
    # The interval: ccxt defaults to 1m, our public contract to fetch_ohlcv(timeframe="1h").
    # The limit: GET /api/v3/klines "limit: Default 500; max 1000", so ccxt's explicit 500 and
    # our omitted limit ask for the same candles.
    want = want - Counter({("interval", "1m"): 1, ("limit", "500"): 1}) \
        + Counter({("interval", "1h"): 1})
    assert ours(seen) == (path, want)
    # Given the same timeframe we differ only by leaving the default limit implicit.
    seen = await sent_by(fake, ex.fetch_ohlcv("BTC/USDT", "1m"))
    assert ours(seen) == (path, recorded(c)[1] - Counter({("limit", "500"): 1}))


async def test_trades_come_from_the_trade_list_not_aggregate_trades(ex, fake):
    # ccxt reads /api/v3/aggTrades; we read /api/v3/trades ("Recent trades list"): its `id` is
    # the trade id the <symbol>@trade stream carries as `t`, so fetch_trades and watch_trades
    # name the same trades (aggTrades ids are aggregate ids, the @aggTrade stream's `a`).
    # /api/v3/trades takes only symbol and limit (default 500, max 1000).
    c = case("fetchTrades", "spot fetchTrades")
    path, want = recorded(c)
    assert path == "/api/v3/aggTrades"
    seen = await sent_by(fake, ex.fetch_trades(*c["input"]))
    assert ours(seen) == ("/api/v3/trades", want)

    c = case("fetchTrades", "Fetch Trades - spot")
    symbol, since, limit = c["input"]
    path, want = recorded(c)
    # ccxt turns `since` into startTime/endTime (an aggTrades-only window); our contract's
    # fetch_trades(symbol, limit) has no `since`, and /api/v3/trades no time window.
    window = Counter({k: v for k, v in want.items() if k[0] in ("startTime", "endTime")})
    assert set(k for k, _ in window) == {"startTime", "endTime"}
    seen = await sent_by(fake, ex.fetch_trades(symbol, limit=limit))
    assert ours(seen) == ("/api/v3/trades", want - window)


async def test_balance_asks_binance_to_omit_zero_balances(ex, fake):
    c = case("fetchBalance", "Spot fetch balance")
    path, want = recorded(c)
    seen = await sent_by(fake, ex.fetch_balance(*c["input"]))
    # GET /api/v3/account "omitZeroBalances: When set to true, emits only the non-zero
    # balances of an account. Default value: false" - the result maps only what is held.
    assert seen.method == "GET"
    assert ours(seen) == (path, want + Counter({("omitZeroBalances", "true"): 1}))


def new_order_differences(want: Counter) -> Counter:
    # POST /api/v3/order "newOrderRespType: ACK, RESULT, or FULL": FULL only adds the `fills`
    # list, which our Order does not carry, so we ask for RESULT.
    assert want[("newOrderRespType", "FULL")] == 1
    return want - Counter({("newOrderRespType", "FULL"): 1}) \
        + Counter({("newOrderRespType", "RESULT"): 1})


async def test_limit_order_differs_only_in_the_reply_type(ex, fake):
    c = case("createOrder", "Spot limit buy order")
    symbol, type_, side, amount, price = c["input"]
    path, want = recorded(c)
    seen = await sent_by(fake, ex.create_order(symbol, side, type_, amount, price))
    assert seen.method == "POST"
    assert ours(seen) == (path, new_order_differences(want))
    # Binance takes the parameters "in the query string or request body, or mixed"; ccxt
    # posts them as a form body, we sign and send them in the query string, with no body.
    assert seen.body == "" and c["output"] and urlsplit(c["url"]).query == ""


async def test_limit_order_with_our_client_order_id(ex, fake):
    # ccxt has no spot case with a caller's client order id (only a swap cancel), so this is
    # the limit case again with one: it must reach Binance as newClientOrderId, unchanged.
    c = case("createOrder", "Spot limit buy order")
    symbol, type_, side, amount, price = c["input"]
    seen = await sent_by(fake, ex.create_order(symbol, side, type_, amount, price,
                                               client_order_id="atlas-ltc-1"))
    assert dict(parse_qsl(seen.query_string))[CID] == "atlas-ltc-1"
    assert ours(seen) == (recorded(c)[0], new_order_differences(recorded(c)[1]))


async def test_market_buy_sends_the_base_quantity_not_a_quote_amount(ex, fake):
    c = case("createOrder", "Spot market buy order")
    symbol, type_, side, amount, price = c["input"]
    path, want = recorded(c)
    seen = await sent_by(fake, ex.create_order(symbol, side, type_, amount, price))
    # ccxt turns amount x price (0.2 x 50) into quoteOrderQty=10, spending a quote amount.
    # Our contract's amount is the base amount and a market order's price is ignored, so we
    # send quantity=0.2 (POST /api/v3/order: MARKET takes `quantity` or `quoteOrderQty`).
    assert want[("quoteOrderQty", "10")] == 1 and amount * price == 10
    want = new_order_differences(want) - Counter({("quoteOrderQty", "10"): 1}) \
        + Counter({("quantity", "0.2"): 1})
    assert ours(seen) == (path, want)
    assert ("price", "50") not in ours(seen)[1]


@pytest.mark.parametrize("description", ["spot order with weird amount",
                                         "spot order with weird price/amount"])
async def test_off_increment_orders_are_refused_not_rounded(ex, fake, description):
    # ccxt silently truncates the amount (and rounds the price) to the market's LOT_SIZE and
    # PRICE_FILTER steps and places the smaller order. We refuse it before anything is sent:
    # the trader decides the rounding, and Binance itself rejects off-step values (-1013).
    c = case("createOrder", description)
    symbol, type_, side, amount, price = c["input"]
    mark = len(fake.seen)
    with pytest.raises(E.InvalidOrder, match="not a multiple"):
        await ex.create_order(symbol, side, type_, amount, price)
    assert fake.seen[mark:] == []
    # The amount ccxt would have placed is accepted and sent as it recorded it.
    want = dict(parse_qsl(c["output"]))
    seen = await sent_by(fake, ex.create_order(symbol, side, type_, D(want["quantity"]),
                                               D(want["price"])))
    path, recorded_params = recorded(c)
    assert ours(seen) == (path, new_order_differences(recorded_params))


def test_every_kept_ccxt_case_is_replayed():
    replayed = {(m, d) for m, d, *_ in EXACT} | {
        ("fetchOrderBook", "spot orderbook"), ("fetchOHLCV", "spot ohlcv"),
        ("fetchTrades", "spot fetchTrades"), ("fetchTrades", "Fetch Trades - spot"),
        ("fetchBalance", "Spot fetch balance"), ("createOrder", "Spot limit buy order"),
        ("createOrder", "Spot market buy order"),
        ("createOrder", "spot order with weird amount"),
        ("createOrder", "spot order with weird price/amount")}
    kept = {(m, c["description"]) for m, cs in CASES.items() for c in cs}
    assert kept == replayed
    assert set(CCXT["skipKeys"]) >= IGNORED | {CID}
