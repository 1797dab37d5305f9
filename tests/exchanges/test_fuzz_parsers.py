"""Property-based fuzzing of every parser of every venue (issue: malformed replies).

Each venue's real replies are recorded once from its fake; then hypothesis mutates them —
dropped fields, wrong types, truncation, huge numbers, a different root — and replays them
through the adapter's parsers with no network. Only ExchangeErrors may escape, and a
BadResponse must name the venue and the endpoint.

Short run in the normal suite (profile "ci"); the long run (>= 10,000 examples per parser):
    HYPOTHESIS_PROFILE=long python -m pytest tests/exchanges/test_fuzz_parsers.py -m slow -p no:randomly
"""
from __future__ import annotations

import asyncio
import copy
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import exchanges
from exchanges.core.transport import current_endpoint
from tests.exchanges.test_all_venues import resting_order_terms
from tests.exchanges.venue_fakes import IDS, VENUES

CALLS = ("load_markets", "fetch_ticker", "fetch_tickers", "fetch_order_book", "fetch_ohlcv",
         "fetch_trades", "fetch_balance", "fetch_open_orders", "create_order", "cancel_order")

_recorded: dict[str, dict] = {}


async def _record(venue) -> dict:
    """{call: [(method, path, payload), ...]} of real replies from the venue's fake."""
    out: dict[str, list] = {}
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=venue.CREDENTIALS) as ex:
            real = ex.transport.request
            current: list = []

            async def recording(request):
                payload = await real(request)
                current.append((request.method, request.path, copy.deepcopy(payload)))
                return payload
            ex.transport.request = recording

            async def run(name, coro):
                current.clear()
                result = await coro
                out[name] = list(current)
                return result
            await run("load_markets", ex.load_markets())
            market = ex.markets[venue.SYMBOL]
            await run("fetch_ticker", ex.fetch_ticker(venue.SYMBOL))
            await run("fetch_tickers", ex.fetch_tickers())
            book = await run("fetch_order_book", ex.fetch_order_book(venue.SYMBOL))
            if ex.has["fetch_ohlcv"]:
                await run("fetch_ohlcv", ex.fetch_ohlcv(venue.SYMBOL, "1h"))
            await run("fetch_trades", ex.fetch_trades(venue.SYMBOL))
            await run("fetch_balance", ex.fetch_balance())
            price, amount = resting_order_terms(market, book)
            if ex.has["create_order"]:
                order_id = (await run("create_order", ex.create_order(
                    venue.SYMBOL, "buy", "limit", amount, price))).id
            else:       # a venue that declares it places no orders: one resting at the venue
                order_id = fake.store.add_open(fake.store_symbol(venue.SYMBOL), 1, price,
                                               amount)[0].id
            await run("fetch_open_orders", ex.fetch_open_orders(venue.SYMBOL))
            await run("cancel_order", ex.cancel_order(order_id, venue.SYMBOL))
            out["_order_terms"] = (price, amount, order_id)
    return out


def recorded(venue) -> dict:
    if venue.VENUE_ID not in _recorded:
        _recorded[venue.VENUE_ID] = asyncio.run(_record(venue))
    return _recorded[venue.VENUE_ID]


# -- mutations ---------------------------------------------------------------------------------
WEIRD = st.one_of(
    # Containers are built fresh per draw: a shared `st.just([])` would be mutated in place by
    # a later mutation and leak into other examples.
    st.none(), st.just(""), st.text(max_size=8), st.booleans(), st.builds(list), st.builds(dict),
    st.integers(min_value=-2**70, max_value=2**70), st.just(10 ** 60),
    st.just(Decimal("1E+60")), st.just(Decimal("-1E-60")), st.just("9" * 5000),
    st.just("1E+999999"), st.just("-1e-999999"),
    st.just("NaN"), st.just("-Infinity"), st.just("1e400"), st.builds(lambda: [[None]]),
)


def _paths(node, prefix=(), out=None, limit=400):
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    out.append(prefix)
    if isinstance(node, dict):
        for k in list(node)[:50]:
            _paths(node[k], prefix + (k,), out, limit)
    elif isinstance(node, list):
        for i in range(min(len(node), 8)):
            _paths(node[i], prefix + (i,), out, limit)
    return out


def _set(root, path, value, delete=False):
    if not path:
        return value
    parent = root
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return root


@st.composite
def mutated(draw, payload):
    root = copy.deepcopy(payload)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(root)
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["retype", "drop", "truncate", "retype"]))
        if kind == "drop" and path:
            root = _set(root, path, None, delete=True)
        elif kind == "truncate":
            node = root
            for key in path:
                node = node[key]
            if isinstance(node, list):
                root = _set(root, path, node[:draw(st.integers(0, max(0, len(node) - 1)))])
            elif isinstance(node, str) and node:
                root = _set(root, path, node[:draw(st.integers(0, len(node) - 1))])
            else:
                root = _set(root, path, draw(WEIRD))
        else:
            root = _set(root, path, draw(WEIRD))
    return root


async def _replay(venue, rec, call, mutate_index, mutation):
    """Run `call` with recorded replies; the reply number `mutate_index` is `mutation`."""
    ex = exchanges.create(venue.VENUE_ID, credentials=venue.CREDENTIALS,
                          clock=lambda: 1_700_000_000_000)
    markets_replies = iter(rec["load_markets"])
    state = {"markets_done": False, "i": 0}

    async def replay(request):
        current_endpoint.set(request.name)     # as the real transport does
        if not state["markets_done"]:
            try:
                return copy.deepcopy(next(markets_replies)[2])
            except StopIteration:
                state["markets_done"] = True
        replies = rec[call]
        i = state["i"]
        state["i"] += 1
        if i >= len(replies):
            raise exchanges.BadResponse(venue.VENUE_ID, "unexpected extra request")
        if i == mutate_index:
            return mutation
        return copy.deepcopy(replies[i][2])
    ex.transport.request = replay
    await ex.load_markets()
    state["markets_done"] = True
    price, amount, order_id = rec["_order_terms"]
    args = {"load_markets": (True,), "fetch_ticker": (venue.SYMBOL,), "fetch_tickers": (),
            "fetch_order_book": (venue.SYMBOL,), "fetch_ohlcv": (venue.SYMBOL, "1h"),
            "fetch_trades": (venue.SYMBOL,), "fetch_balance": (),
            "fetch_open_orders": (venue.SYMBOL,),
            "create_order": (venue.SYMBOL, "buy", "limit", amount, price),
            "cancel_order": (order_id, venue.SYMBOL)}[call]
    try:
        await getattr(ex, call)(*args)
    except exchanges.ExchangeError as exc:
        assert exc.exchange, exc
        if isinstance(exc, exchanges.BadResponse):
            assert exc.endpoint, f"BadResponse without the endpoint: {exc}"
    finally:
        await ex.close()


def _fuzz(venue, call, data):
    rec = recorded(venue)
    replies = rec.get(call)
    if replies is None:
        pytest.skip(f"{venue.VENUE_ID} declares no {call}")
    if not replies:
        pytest.skip(f"{venue.VENUE_ID}.{call} sends no request")
    index = data.draw(st.integers(0, len(replies) - 1), label="reply")
    mutation = data.draw(mutated(replies[index][2]), label="mutation")
    asyncio.run(_replay(venue, rec, call, index, mutation))


# The short run: with 34 venues, 10 mutations per parser and venue (340 per call, more than
# the 25 × 6 of the first six venues); the long run (-m slow) takes 10,000 each.
@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("venue", VENUES, ids=IDS)
@settings(max_examples=10)
@given(data=st.data())
def test_malformed_replies_only_raise_exchange_errors(venue, call, data):
    _fuzz(venue, call, data)


@pytest.mark.slow
@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("venue", VENUES, ids=IDS)
@given(data=st.data())
def test_malformed_replies_long_run(venue, call, data):
    _fuzz(venue, call, data)
