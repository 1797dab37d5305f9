"""One contract test, run against every venue's fake: a new adapter gets it for free."""
from __future__ import annotations

import asyncio
import itertools
from decimal import ROUND_UP, Decimal

import pytest

import exchanges
from exchanges.core.adapter import CONTRACT_CALLS, Exchange
from exchanges.numbers import round_to
from exchanges.types import Balance, Candle, Market, Order, OrderBook, Ticker, Trade
from tests.exchanges.venue_fakes import IDS, VENUES

pytestmark = pytest.mark.parametrize("venue", VENUES, ids=IDS)

MONEY_OR_NONE = (Decimal, type(None))


# Private streams are offered where the venue has them; every other call, every venue.
OPTIONAL = {"watch_orders", "watch_my_trades", "fetch_my_trades"}


def test_every_contract_call_is_implemented(venue):
    """Every call is there, or declared absent with its reason (and then says so)."""
    cls = type(exchanges.create(venue.VENUE_ID))
    missing = [c for c in CONTRACT_CALLS if not cls.has[c] and c not in OPTIONAL
               and c not in cls.lacks]
    assert not missing, f"{venue.VENUE_ID} lacks {missing} without saying why"
    assert all(not cls.has[c] and cls.lacks[c] for c in cls.lacks)
    assert all(cls.has[c] and cls.needs_keys[c] for c in cls.needs_keys)


def keys_for(venue, *calls):
    """The venue's credentials where it serves one of `calls` only with keys (Luno's candles
    and market stream: `needs_keys`), else None: public calls are tested without keys."""
    cls = type(exchanges.create(venue.VENUE_ID))
    return venue.CREDENTIALS if any(c in cls.needs_keys for c in calls) else None


async def test_a_call_that_needs_keys_raises_authentication_error_without_them(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls) as ex:
            await ex.load_markets()
            for call in ex.needs_keys:
                args = {"fetch_ohlcv": (venue.SYMBOL, "1h"),
                        "watch_tickers": ([venue.SYMBOL],)}.get(call, (venue.SYMBOL,))
                with pytest.raises(exchanges.AuthenticationError):
                    result = getattr(ex, call)(*args)
                    if hasattr(result, "__anext__"):
                        await asyncio.wait_for(result.__anext__(), 5)
                    else:
                        await result


async def test_a_declared_absence_raises_not_supported(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls) as ex:
            await ex.load_markets()
            for call in ex.lacks:
                args = {"fetch_ohlcv": (venue.SYMBOL, "1h"),
                        "create_order": (venue.SYMBOL, "buy", "limit", "1", "1"),
                        "watch_tickers": ([venue.SYMBOL],)}.get(call, (venue.SYMBOL,))
                with pytest.raises(exchanges.NotSupported):
                    result = getattr(ex, call)(*args)
                    if hasattr(result, "__anext__"):
                        await result.__anext__()
                    else:
                        await result


def needs(ex, *calls) -> None:
    lacking = [c for c in calls if not ex.has[c]]
    if lacking:
        pytest.skip(f"{ex.id} declares no {', '.join(lacking)}: {ex.lacks.get(lacking[0], '')}")


async def test_public_data_has_the_contract_shapes(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=keys_for(venue, "fetch_ohlcv")) as ex:
            markets = await ex.load_markets()
            m = markets[venue.SYMBOL]
            assert isinstance(m, Market) and m.symbol == f"{m.base}/{m.quote}"
            assert isinstance(m.price_increment, Decimal) and m.price_increment > 0
            assert isinstance(m.amount_increment, Decimal) and m.amount_increment > 0
            assert isinstance(m.min_amount, MONEY_OR_NONE)

            t = await ex.fetch_ticker(venue.SYMBOL)
            assert isinstance(t, Ticker) and t.symbol == venue.SYMBOL
            for field in ("bid", "ask", "last", "high", "low", "open", "base_volume"):
                assert isinstance(getattr(t, field), MONEY_OR_NONE), field
            assert t.last is not None

            tickers = await ex.fetch_tickers()
            assert venue.SYMBOL in tickers

            book = await ex.fetch_order_book(venue.SYMBOL)
            assert isinstance(book, OrderBook) and book.bids and book.asks
            assert all(isinstance(p, Decimal) and isinstance(a, Decimal)
                       for p, a in book.bids + book.asks)
            assert [p for p, _ in book.bids] == sorted((p for p, _ in book.bids), reverse=True)
            assert [p for p, _ in book.asks] == sorted(p for p, _ in book.asks)
            assert book.bids[0][0] < book.asks[0][0]

            if ex.has["fetch_ohlcv"]:
                candles = await ex.fetch_ohlcv(venue.SYMBOL, "1h")
                assert candles and all(isinstance(c, Candle) for c in candles)
                assert [c.timestamp for c in candles] == sorted(c.timestamp for c in candles)
                assert all(c.low <= min(c.open, c.close) and c.high >= max(c.open, c.close)
                           for c in candles)

            trades = await ex.fetch_trades(venue.SYMBOL)
            assert trades and all(isinstance(x, Trade) for x in trades)
            assert [x.timestamp for x in trades] == sorted(x.timestamp for x in trades)


def resting_order_terms(market: Market, book: OrderBook) -> tuple[Decimal, Decimal]:
    """A buy far below the market that rests, at the market's increments and minimums."""
    price = round_to(book.bids[0][0] * Decimal("0.8"), market.price_increment)
    amount = market.min_amount or market.amount_increment
    if market.min_cost is not None and amount * price < market.min_cost:
        amount = round_to(market.min_cost / price, market.amount_increment, ROUND_UP)
    return price, round_to(max(amount, market.amount_increment) * 2, market.amount_increment,
                           ROUND_UP)


async def test_order_lifecycle(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=venue.CREDENTIALS) as ex:
            market = (await ex.load_markets())[venue.SYMBOL]
            balance = await ex.fetch_balance()
            assert balance and all(isinstance(b, Balance) for b in balance.values())
            needs(ex, "create_order")
            price, amount = resting_order_terms(market, await ex.fetch_order_book(venue.SYMBOL))
            order = await ex.create_order(venue.SYMBOL, "buy", "limit", amount, price)
            assert isinstance(order, Order) and order.side == "buy" and order.type == "limit"
            assert order.client_order_id and order.symbol == venue.SYMBOL
            open_ids = {o.id for o in await ex.fetch_open_orders(venue.SYMBOL)}
            assert order.id in open_ids
            # A venue with no order lookup (Zaif) declares it; its open orders show the order.
            looks_up = ex.has["fetch_order"] or "fetch_order" not in ex.lacks
            if looks_up:
                fetched = await ex.fetch_order(order.id, venue.SYMBOL)
                assert fetched.id == order.id and fetched.price == price
                assert fetched.amount == amount
            canceled = await ex.cancel_order(order.id, venue.SYMBOL)
            assert canceled.id == order.id
            if not looks_up:        # the cancel's answer is all there is to know
                assert canceled.status == "canceled"
            open_ids = {o.id for o in await ex.fetch_open_orders(venue.SYMBOL)}
            assert order.id not in open_ids
            if looks_up:
                assert (await ex.fetch_order(order.id, venue.SYMBOL)).status == "canceled"


async def test_wrong_secret_is_refused_as_authentication_error(venue):
    creds = venue.CREDENTIALS
    if venue.VENUE_ID == "coinbase":
        from tests.fakes.coinbase import new_key_pair
        bad = exchanges.Credentials(api_key=creds.api_key, secret=new_key_pair()[0])
    else:
        bad = exchanges.Credentials(api_key=creds.api_key, secret=creds.secret[::-1] + "x",
                                    passphrase=creds.passphrase)
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls, credentials=bad) as ex:
            with pytest.raises(exchanges.AuthenticationError) as info:
                await ex.fetch_balance()
    assert venue.VENUE_ID.lower() in str(info.value).lower() or \
        type(ex).name.lower() in str(info.value).lower()


async def test_unknown_symbol_is_bad_symbol_and_sends_nothing_private(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=venue.CREDENTIALS) as ex:
            needs(ex, "create_order")
            with pytest.raises(exchanges.BadSymbol):
                await ex.create_order("NOPE/COIN", "buy", "limit", "1", "1")
            with pytest.raises(exchanges.InvalidOrder):
                await ex.create_order(venue.SYMBOL, "buy", "limit", "-1", "1")
    # A venue whose public calls are POSTs too (CEX.IO) names them in its fake: PUBLIC_POSTS.
    public = getattr(venue, "PUBLIC_POSTS", ())
    assert not any(s.method in ("POST", "DELETE") and s.path not in public for s in fake.seen)


# -- the stream contracts: a watcher gets data or an error, and a book ends equal to the venue's --
async def next_of(watch, timeout: float = 10.0):
    return await asyncio.wait_for(watch.__anext__(), timeout)


def same_top(book: OrderBook, server) -> bool:
    """The client's book equals the venue's over the levels both hold (a client may keep
    fewer levels than the venue has)."""
    bids, asks = server.decimals()
    nb, na = min(len(book.bids), len(bids)), min(len(book.asks), len(asks))
    return nb > 0 and na > 0 and book.bids[:nb] == bids[:nb] and book.asks[:na] == asks[:na]


async def until_same(watch, server, timeout: float = 10.0) -> OrderBook:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, "the book never came back equal to the venue's"
        book = await next_of(watch, left)
        if same_top(book, server):
            return book


def sees_gaps(ex) -> bool:
    cls = type(ex)
    # A crossed book, or ids that are only times (Bitstamp), reveal only some lost frames:
    # not enough to promise a resync.
    return (cls.book_sequence in ("range", "prev", "next")
            or cls.book_checksum is not Exchange.book_checksum)


def keep_trading(fake, vs: str, server):
    """A venue's book keeps moving: a change every 50 ms (a deep level's amount), so a
    client that resynced from a REST snapshot gets the delta that publishes it."""
    async def run():
        for n in itertools.count():
            price = server.top("bids")[-1][0]
            await fake.publish_book(vs, bids=[(price, f"{1 + n % 7}.5")])
            await asyncio.sleep(0.05)
    return asyncio.ensure_future(run())


async def open_book(venue, fake, ex):
    """A watched book, equal to the venue's. Venues whose snapshot comes over REST publish
    the book once the first delta lands on it, so one change is streamed."""
    needs(ex, "watch_order_book")
    market = (await ex.load_markets())[venue.SYMBOL]
    watch = ex.watch_order_book(venue.SYMBOL)
    vs = fake.venue_symbol(venue.SYMBOL)
    server = fake.books[vs]
    first = asyncio.ensure_future(next_of(watch))
    await fake.wait_subscribed("book", vs, 10)
    await fake.publish_book(vs, bids=[(server.best("bids"), "0.625")])
    assert same_top(await first, server) or same_top(await until_same(watch, server), server)
    return market, watch, server


async def test_a_lost_book_frame_resyncs_to_the_venues_book(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=keys_for(venue, "watch_order_book")) as ex:
            needs(ex, "watch_order_book")
            if not sees_gaps(ex):
                pytest.skip(f"{venue.VENUE_ID}'s book stream carries no sequence or checksum: "
                            "a lost frame cannot be seen (reconnects resync it)")
            market, watch, server = await open_book(venue, fake, ex)
            vs, tick = fake.venue_symbol(venue.SYMBOL), market.price_increment
            fake.faults.gap_next = True
            await fake.publish_book(vs, bids=[(server.best("bids") - tick, "7.5")])   # lost
            trading = keep_trading(fake, vs, server)
            try:
                await until_same(watch, server)
            finally:
                trading.cancel()
                await watch.aclose()


async def test_a_dropped_connection_rebuilds_the_book(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=keys_for(venue, "watch_order_book")) as ex:
            market, watch, server = await open_book(venue, fake, ex)
            vs, tick = fake.venue_symbol(venue.SYMBOL), market.price_increment
            await fake.drop_ws()
            server.apply(bids=[(str(server.best("bids") - tick), "4.5")])   # while away
            await fake.wait_subscribed("book", vs, 10)
            await fake.publish_book(vs, asks=[(server.best("asks") + tick, "1.75")])
            trading = keep_trading(fake, vs, server)
            try:
                await until_same(watch, server)
            finally:
                trading.cancel()
                await watch.aclose()


async def test_a_second_watcher_of_a_book_gets_a_book(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=keys_for(venue, "watch_order_book")) as ex:
            market, first, server = await open_book(venue, fake, ex)
            second = ex.watch_order_book(venue.SYMBOL)
            assert same_top(await next_of(second), server)
            vs = fake.venue_symbol(venue.SYMBOL)
            await fake.publish_book(vs, asks=[(server.best("asks") + market.price_increment,
                                               "2.5")])
            await until_same(first, server)
            await until_same(second, server)
            await first.aclose()
            await second.aclose()


async def test_a_refused_subscription_raises_to_its_watcher(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=keys_for(venue, "watch_trades")) as ex:
            await ex.load_markets()
            needs(ex, "watch_trades")
            fake.faults.refuse_next = True
            watch = ex.watch_trades(venue.SYMBOL)
            with pytest.raises(exchanges.ExchangeError):
                await next_of(watch)
            await watch.aclose()


async def test_watch_tickers_streams_several_symbols_through_one_call(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=keys_for(venue, "watch_tickers")) as ex:
            markets = await ex.load_markets()
            needs(ex, "watch_tickers")
            # Two symbols where the fake lists two active markets (Bitstamp's lists one).
            others = [m.symbol for m in markets.values() if m.symbol != venue.SYMBOL
                      and m.active]
            wanted = {venue.SYMBOL, *others[:1]}
            watch = ex.watch_tickers(sorted(wanted))
            seen: set[str] = set()

            async def publish():
                while True:
                    for s in wanted:
                        await fake.publish_ticker(fake.venue_symbol(s))
                    await asyncio.sleep(0.05)
            pusher = asyncio.ensure_future(publish())
            try:
                while seen != wanted:
                    t = await next_of(watch)
                    assert isinstance(t, Ticker) and t.symbol in wanted and t.last is not None
                    seen.add(t.symbol)
            finally:
                pusher.cancel()
                await watch.aclose()


# -- the order contracts: found by client id in any state, never lost, never "not placed" --------
async def test_a_filled_market_order_is_found_by_client_id(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=venue.CREDENTIALS) as ex:
            needs(ex, "create_order")
            market = (await ex.load_markets())[venue.SYMBOL]
            needs(ex, "create_market_order")
            _, amount = resting_order_terms(market, await ex.fetch_order_book(venue.SYMBOL))
            order = await ex.create_order(venue.SYMBOL, "buy", "market", amount)
            found = await ex.find_order_by_client_id(market, order.client_order_id)
            assert found is not None and found.id == order.id
            assert found.status == "closed" and found.filled == amount


async def test_a_filled_limit_order_is_found_by_client_id(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=venue.CREDENTIALS) as ex:
            needs(ex, "create_order")
            market = (await ex.load_markets())[venue.SYMBOL]
            price, amount = resting_order_terms(market, await ex.fetch_order_book(venue.SYMBOL))
            order = await ex.create_order(venue.SYMBOL, "buy", "limit", amount, price)
            fake.store.fill(order.id)
            found = await ex.find_order_by_client_id(market, order.client_order_id)
            assert found is not None and found.id == order.id and found.status == "closed"


async def test_an_unreadable_success_reply_is_reconciled_not_failed(venue):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=venue.CREDENTIALS) as ex:
            needs(ex, "create_order")
            market = (await ex.load_markets())[venue.SYMBOL]
            price, amount = resting_order_terms(market, await ex.fetch_order_book(venue.SYMBOL))
            await ex.fetch_balance()            # any set-up call made before the order
            armed = {"on": True}

            def garble_the_order(request):     # the first write after this is the order
                if armed["on"] and request.method in ("POST", "PUT"):
                    armed["on"] = False
                    return True
                return False
            fake.faults.garble_if = garble_the_order
            cid = ex.new_client_order_id()
            order = await ex.create_order(venue.SYMBOL, "buy", "limit", amount, price,
                                          client_order_id=cid)
            assert not armed["on"], "the fault never fired"
            assert order.client_order_id == cid and order.status == "open"
            held = [o for o in fake.store.orders.values()
                    if o.cid == cid or (not getattr(type(ex), "takes_client_ids", True)
                                       and o.id == order.id)]
            assert len(held) == 1


@pytest.mark.parametrize("scope", ["symbol", "all"])
async def test_open_orders_page_through_every_order(venue, scope):
    async with venue.FAKE() as fake:
        async with exchanges.create(venue.VENUE_ID, urls=fake.urls,
                                    credentials=venue.CREDENTIALS) as ex:
            market = (await ex.load_markets())[venue.SYMBOL]
            price, amount = resting_order_terms(market, await ex.fetch_order_book(venue.SYMBOL))
            held = fake.store.add_open(fake.store_symbol(venue.SYMBOL), 250, price, amount)
            orders = await ex.fetch_open_orders(venue.SYMBOL if scope == "symbol" else None)
            assert sorted(o.id for o in orders) == sorted(r.id for r in held)
