"""The demo venue's account history: fetch_my_trades and the private streams.

The fills must add up to exactly what the balances moved by (fees included), carry the order's
ids, page forward with `since`, and stream as they happen.
"""
from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from exchanges import BadSymbol, ExchangeError, Trade
from exchanges.demo.market import STARTING_FUNDS
from exchanges.demo.venue import DemoExchange

T0 = 1_700_000_000_000
ZERO = Decimal(0)


def moved_by(fills, currency: str) -> Decimal:
    """How much the user's `currency` balance changed by, according to the fills."""
    total = ZERO
    for f in fills:
        base, quote = f.symbol.split("/")
        cost = f.price * f.amount
        if base == currency:
            total += f.amount if f.side == "buy" else -f.amount
        if quote == currency:
            total += -cost if f.side == "buy" else cost
        if f.fee_currency == currency:
            total -= f.fee
    return total


async def test_fills_carry_order_ids_fees_and_add_up_to_the_balances():
    async with DemoExchange(clock=lambda: T0) as ex:
        market = await ex.create_order("ETH/USD", "buy", "market", "3", client_order_id="mine-1")
        book = await ex.fetch_order_book("ETH/USD", 1)
        inside = book.asks[0][0] - Decimal("0.01")          # my sell becomes the best ask
        resting = await ex.create_order("ETH/USD", "sell", "limit", "1", inside)
        cross = await ex.create_order("ETH/USD", "buy", "limit", "0.5", inside)  # meets mine
        fills = await ex.fetch_my_trades()
        assert fills and all(isinstance(f, Trade) for f in fills)
        by_order = {}
        for f in fills:
            by_order.setdefault(f.order_id, []).append(f)
            assert f.symbol == "ETH/USD" and f.fee_currency == "USD"
            assert f.fee == f.price * f.amount * (Decimal("0.0005") if f.taker_or_maker ==
                                                  "maker" else Decimal("0.001"))
        assert sum(f.amount for f in by_order[market.id]) == market.filled == 3
        assert {f.client_order_id for f in by_order[market.id]} == {"mine-1"}
        assert {f.taker_or_maker for f in by_order[market.id]} == {"taker"}
        # my own orders met: one fill as maker (the resting sell), one as taker (the buy)
        assert [(f.side, f.taker_or_maker, f.amount) for f in by_order[resting.id]] == [
            ("sell", "maker", Decimal("0.5"))]
        assert ("buy", "taker", Decimal("0.5")) in [
            (f.side, f.taker_or_maker, f.amount) for f in by_order[cross.id]]
        assert len({f.id for f in fills}) == len(fills)
        balance = await ex.fetch_balance()
        for cur in ("ETH", "USD"):
            assert balance[cur].total - STARTING_FUNDS[cur] == moved_by(fills, cur), cur


async def test_fills_of_resting_orders_come_from_the_simulated_flow():
    async with DemoExchange(clock=lambda: T0) as ex:
        t = await ex.fetch_ticker("BTC/USD")
        buy = await ex.create_order("BTC/USD", "buy", "limit", "0.01", t.bid - 20)
        for _ in range(400):
            ex.step()
            if (await ex.fetch_order(buy.id, "BTC/USD")).status == "closed":
                break
        fills = await ex.fetch_my_trades("BTC/USD")
        assert fills, "the market never came down to the order"
        assert {f.order_id for f in fills} == {buy.id}
        assert {f.taker_or_maker for f in fills} == {"maker"}
        assert all(f.price <= buy.price for f in fills)


async def test_since_and_limit_page_forward_oldest_first():
    clock = [T0]
    async with DemoExchange(clock=lambda: clock[0]) as ex:
        for i in range(6):
            clock[0] = T0 + i * 1000
            await ex.create_order("SOL/USD", "buy", "market", "1")
        await ex.create_order("DOGE/USD", "buy", "market", "100")
        every = await ex.fetch_my_trades()
        times = [f.timestamp for f in every]
        assert times == sorted(times)
        sol = await ex.fetch_my_trades("SOL/USD")
        assert {f.symbol for f in sol} == {"SOL/USD"} and len(sol) < len(every)
        # since is inclusive; limit takes the oldest from there
        page = await ex.fetch_my_trades("SOL/USD", since=T0 + 2000, limit=2)
        assert [f.timestamp for f in page] == [f.timestamp for f in sol
                                                 if f.timestamp >= T0 + 2000][:2]
        # without since, limit takes the latest
        assert await ex.fetch_my_trades("SOL/USD", limit=2) == sol[-2:]
        assert await ex.fetch_my_trades(since=T0 + 10_000) == []


async def test_bad_arguments_are_refused():
    async with DemoExchange(clock=lambda: T0) as ex:
        with pytest.raises(BadSymbol):
            await ex.fetch_my_trades("NOPE/USD")
        with pytest.raises(ExchangeError, match="limit"):
            await ex.fetch_my_trades(limit=0)


async def test_watch_my_trades_yields_each_new_fill_once():
    async with DemoExchange(clock=lambda: T0) as ex:
        await ex.create_order("ETH/USD", "buy", "market", "1")      # before: not streamed
        before = len(await ex.fetch_my_trades())
        stream = ex.watch_my_trades()
        first = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)
        await ex.create_order("ETH/USD", "buy", "market", "2")
        new = (await ex.fetch_my_trades())[before:]
        got = [await asyncio.wait_for(first, 2)]
        while len(got) < len(new):
            got.append(await asyncio.wait_for(anext(stream), 2))
        assert got == new
        assert sum(f.amount for f in got) == 2
        ex.step(2)
        extra = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.05)
        assert not extra.done()         # no fill is said twice
        extra.cancel()
        await asyncio.gather(extra, return_exceptions=True)
        await stream.aclose()


async def test_watch_my_trades_filters_by_symbol():
    async with DemoExchange(clock=lambda: T0) as ex:
        stream = ex.watch_my_trades("SOL/USD")
        nxt = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)
        await ex.create_order("ETH/USD", "buy", "market", "1")
        await ex.create_order("SOL/USD", "sell", "market", "2")
        fill = await asyncio.wait_for(nxt, 2)
        assert fill.symbol == "SOL/USD" and fill.side == "sell"
        await stream.aclose()


async def test_watch_orders_follows_an_order_from_placed_to_filled_and_cancelled():
    async with DemoExchange(clock=lambda: T0) as ex:
        t = await ex.fetch_ticker("BTC/USD")
        stream = ex.watch_orders("BTC/USD")
        nxt = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0)
        rest = await ex.create_order("BTC/USD", "buy", "limit", "0.01", t.bid - 500)
        placed = await asyncio.wait_for(nxt, 2)
        assert (placed.id, placed.status, placed.filled) == (rest.id, "open", 0)
        await ex.create_order("ETH/USD", "buy", "market", "1")      # another symbol: not here
        market = await ex.create_order("BTC/USD", "sell", "market", "0.002")
        done = await asyncio.wait_for(anext(stream), 2)
        assert (done.id, done.status, done.filled) == (market.id, "closed", Decimal("0.002"))
        await ex.cancel_order(rest.id, "BTC/USD")
        cancelled = await asyncio.wait_for(anext(stream), 2)
        assert (cancelled.id, cancelled.status) == (rest.id, "canceled")
        ex.step(3)                      # nothing of mine changes: nothing more is said
        extra = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.05)
        assert not extra.done()
        extra.cancel()
        await asyncio.gather(extra, return_exceptions=True)
        await stream.aclose()


async def test_private_streams_end_when_the_adapter_closes():
    ex = DemoExchange(clock=lambda: T0)
    await ex.__aenter__()
    fills, orders = ex.watch_my_trades(), ex.watch_orders()
    pending = [asyncio.ensure_future(anext(fills)), asyncio.ensure_future(anext(orders))]
    await asyncio.sleep(0)
    await ex.close()
    for task in pending:
        with pytest.raises(StopAsyncIteration):
            await asyncio.wait_for(task, 2)
