"""The demo venue's watch_* streams: they yield as the world steps, and stop cleanly."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

import exchanges
from exchanges.demo.venue import DemoExchange

T0 = 1_700_000_000_000


async def take(aiter, n: int, *, between=None):
    """The first n items of an async iterator; `between()` runs after each item."""
    items = []
    async for item in aiter:
        items.append(item)
        if len(items) == n:
            break
        if between:
            between()
    return items


async def test_watch_ticker_yields_now_and_after_each_step():
    async with DemoExchange(clock=lambda: T0) as ex:
        tickers = await asyncio.wait_for(
            take(ex.watch_ticker("BTC/USD"), 4, between=ex.step), 5)
        assert [t.symbol for t in tickers] == ["BTC/USD"] * 4
        assert len({(t.bid, t.ask, t.last) for t in tickers}) > 1     # the market moved
        assert ex.sim.steps == 3


async def test_watch_order_book_follows_the_book_and_the_users_orders():
    async with DemoExchange(clock=lambda: T0) as ex:
        books = ex.watch_order_book("ETH/USD", limit=5)
        first = await anext(books)
        assert len(first.bids) == len(first.asks) == 5
        assert first == await ex.fetch_order_book("ETH/USD", 5)
        # the user's own order shows on the next update, without a step
        price = first.bids[0][0] + Decimal("0.01")
        await ex.create_order("ETH/USD", "buy", "limit", "1", price)
        second = await asyncio.wait_for(anext(books), 2)
        assert second.bids[0] == (price, Decimal("1"))
        ex.step()
        third = await asyncio.wait_for(anext(books), 2)
        assert third.nonce > second.nonce
        await books.aclose()


async def test_watch_trades_yields_only_new_trades_in_order():
    async with DemoExchange(clock=lambda: T0) as ex:
        history = await ex.fetch_trades("SOL/USD")

        async def collect():
            return await take(ex.watch_trades("SOL/USD"), 6)

        task = asyncio.create_task(collect())
        for _ in range(20):
            await asyncio.sleep(0)
            ex.step()
            if task.done():
                break
        trades = await asyncio.wait_for(task, 2)
        ids = [int(t.id) for t in trades]
        assert ids == sorted(ids) and ids[0] > int(history[-1].id)
        assert all(t.symbol == "SOL/USD" and t.timestamp == T0 for t in trades)


async def test_streams_run_by_themselves_on_a_real_clock():
    async with exchanges.create("demo") as ex:
        ex.interval = 0.05         # a faster ticker, so the test stays short
        tickers = await asyncio.wait_for(take(ex.watch_ticker("DOGE/USD"), 3), 5)
        assert len(tickers) == 3 and tickers[0].timestamp < tickers[-1].timestamp
        assert ex.sim.steps >= 2


async def test_breaking_out_of_a_stream_leaves_the_adapter_working():
    async with DemoExchange(clock=lambda: T0) as ex:
        async for _ in ex.watch_ticker("BTC/USD"):
            break
        books = []
        async for book in ex.watch_order_book("BTC/USD"):
            books.append(book)
            break
        assert books and await ex.fetch_ticker("BTC/USD")


async def test_closing_the_adapter_ends_every_stream():
    ex = DemoExchange(clock=lambda: T0)
    async with ex:
        got = {"ticker": 0, "book": 0, "trades": 0}

        async def drain(name, aiter):
            async for _ in aiter:
                got[name] += 1

        tasks = [asyncio.create_task(drain("ticker", ex.watch_ticker("BTC/USD"))),
                 asyncio.create_task(drain("book", ex.watch_order_book("BTC/USD"))),
                 asyncio.create_task(drain("trades", ex.watch_trades("BTC/USD")))]
        await asyncio.sleep(0.01)
        ex.step()
        await asyncio.sleep(0.01)
    # leaving `async with` closed the adapter: every stream ends by itself, no cancel needed
    await asyncio.wait_for(asyncio.gather(*tasks), 2)
    assert got["ticker"] >= 2 and got["book"] >= 2 and got["trades"] >= 1
    assert ex._ticker_task is None
    with pytest.raises(exchanges.ExchangeError, match="closed"):
        await anext(ex.watch_ticker("BTC/USD"))


async def test_a_watched_resting_order_gets_filled_by_the_flow():
    """What an alert or a fill notice in the app relies on."""
    async with DemoExchange(clock=lambda: T0, seed=1) as ex:
        t = await ex.fetch_ticker("BTC/USD")
        order = await ex.create_order("BTC/USD", "buy", "limit", "0.01", t.bid - 20)
        async for _ in ex.watch_ticker("BTC/USD"):
            if (await ex.fetch_order(order.id, "BTC/USD")).status == "closed":
                break
            assert ex.sim.steps < 400
            ex.step()
        assert (await ex.fetch_balance())["BTC"].total == Decimal("2.01")


async def test_bad_symbol_on_a_stream():
    async with exchanges.create("demo") as ex:
        with pytest.raises(exchanges.BadSymbol):
            await anext(ex.watch_trades("NOPE/USD"))


async def test_watch_tickers_merges_every_symbol_into_one_stream():
    async with DemoExchange(clock=lambda: T0) as ex:
        tickers = await asyncio.wait_for(
            take(ex.watch_tickers(["BTC/USD", "ETH/USD"]), 6, between=ex.step), 5)
        assert {t.symbol for t in tickers} == {"BTC/USD", "ETH/USD"}
        with pytest.raises(exchanges.BadSymbol):
            await anext(ex.watch_tickers(["BTC/USD", "NOPE/USD"]))


async def test_order_options_the_venue_lacks_are_refused_before_sending():
    async with DemoExchange(clock=lambda: T0) as ex:
        assert ex.has["post_only"] and ex.has["time_in_force"] and not ex.has["stop_price"]
        with pytest.raises(exchanges.NotSupported):
            await ex.create_order("BTC/USD", "buy", "limit", "0.01", "60000",
                                  stop_price="60000")
        with pytest.raises(exchanges.InvalidOrder):
            await ex.create_order("BTC/USD", "buy", "limit", "0.01", "60000",
                                  time_in_force="SOON")
        assert not await ex.fetch_open_orders()
