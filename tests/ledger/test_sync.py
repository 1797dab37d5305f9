"""FillSync: fills reach the ledger once each, by fetch_my_trades (paged from a cursor per venue
and symbol) and by watch_my_trades, from a fake venue and from the demo venue."""
from __future__ import annotations

import asyncio
import logging
from decimal import Decimal

import pytest

from exchanges import ExchangeError, NetworkError
from exchanges.demo.venue import DemoExchange
from gui.ledger.store import ALL_SYMBOLS, FillFilter, open_ledger
from gui.ledger.sync import FillSync

from .history_venue import T0, HistoryVenue


@pytest.fixture
def ledger(tmp_path):
    led = open_ledger(tmp_path / "ledger.sqlite3")
    yield led
    led.close()


def stored(ledger, venue="history"):
    return {(f.fill_id, f.timestamp, f.symbol, f.side, f.price, f.amount, f.fee, f.fee_currency,
             f.order_id, f.client_order_id, f.taker_or_maker)
            for f in ledger.fills(FillFilter(venue=venue))}


def source(fills):
    return {(f.id, f.timestamp, f.symbol, f.side, f.price, f.amount, f.fee, f.fee_currency,
             f.order_id, f.client_order_id, f.taker_or_maker) for f in fills}


async def test_first_sync_takes_the_history_then_pages_forward_without_duplicates(ledger):
    venue = HistoryVenue(1000)
    news = []
    sync = FillSync(ledger, "history", venue, on_fills=lambda v, n: news.append(n))
    sync.page = 200
    assert await sync.sync_once() == 1000
    assert news == [500, 500]                     # stored in two transactions
    assert stored(ledger) == source(venue.fills)
    assert ledger.cursor("history", ALL_SYMBOLS) == venue.fills[-1].timestamp
    assert venue.calls == [(None, None, None)]
    # nothing new: one page from the cursor, the last millisecond's fills come again, ignored
    assert await sync.sync_once() == 0
    assert venue.calls[-1] == (None, venue.fills[-1].timestamp, 200)
    # 700 new fills: pages of 200 whose edges fall inside a millisecond (3 fills per ms)
    venue.add(700)
    assert await sync.sync_once() == 700
    assert ledger.count_fills() == 1700 and stored(ledger) == source(venue.fills)
    assert len(venue.calls) == 2 + 4               # 701 fills from the cursor, edges overlap


async def test_a_venue_that_keeps_only_recent_fills_still_fills_the_ledger_going_forward(ledger):
    venue = HistoryVenue(300, default_limit=100)
    sync = FillSync(ledger, "history", venue)
    assert await sync.sync_once() == 100          # all the venue would give
    venue.add(250)
    assert await sync.sync_once() == 250
    assert ledger.count_fills() == 350


async def test_a_venue_that_wants_a_symbol_is_synced_symbol_by_symbol(ledger):
    venue = HistoryVenue(90, needs_symbol=True)
    sync = FillSync(ledger, "history", venue, symbols=lambda: ["BTC/USD", "ETH/USD"])
    assert await sync.sync_once() == 60
    assert sync.per_symbol is True
    assert set(ledger.cursors("history")) == {"BTC/USD", "ETH/USD"}
    assert {f.symbol for f in ledger.fills()} == {"BTC/USD", "ETH/USD"}
    venue.add(30)
    assert await sync.sync_once() == 20
    assert {c[0] for c in venue.calls[-2:]} == {"BTC/USD", "ETH/USD"}   # no all-symbol retry


async def test_a_whole_page_in_one_millisecond_does_not_loop_forever(ledger, caplog):
    venue = HistoryVenue(10, per_ms=10)
    sync = FillSync(ledger, "history", venue)
    await sync.sync_once()
    venue.add(30)                 # ids 10..39: 10 per ms, the first ten at the cursor's ms
    sync.page = 5
    with caplog.at_level(logging.WARNING):
        await asyncio.wait_for(sync.sync_once(), 5)
    assert "fills beyond the page at that moment may be missed" in caplog.text


async def test_errors_reach_the_caller_and_what_was_committed_stays(ledger):
    venue = HistoryVenue(100)
    sync = FillSync(ledger, "history", venue)
    await sync.sync_once()
    venue.add(600)
    sync.page = 200
    real = venue.fetch_my_trades

    async def flaky(symbol=None, since=None, limit=None):
        if len(venue.calls) >= 2:
            raise NetworkError("history", "connection reset")
        return await real(symbol, since, limit)

    venue.fetch_my_trades = flaky
    with pytest.raises(NetworkError):
        await sync.sync_once()
    # the second sync's first page (the cursor's fill again and 199 new ones) is committed
    assert ledger.count_fills() == 100 + 199
    assert stored(ledger) < source(venue.fills)
    venue.fetch_my_trades = real
    assert await sync.sync_once() == 401
    assert stored(ledger) == source(venue.fills)


async def test_an_error_of_a_venue_that_worked_before_is_not_taken_for_needing_a_symbol(ledger):
    venue = HistoryVenue(10)
    sync = FillSync(ledger, "history", venue)
    await sync.sync_once()

    async def broken(symbol=None, since=None, limit=None):
        raise ExchangeError("history", "internal error")

    venue.fetch_my_trades = broken
    with pytest.raises(ExchangeError):
        await sync.sync_once()
    assert sync.per_symbol is False


async def test_streamed_fills_are_stored_once_and_the_rest_sync_does_not_repeat_them(ledger):
    venue = HistoryVenue(0, streams=True)
    sync = FillSync(ledger, "history", venue)
    task = asyncio.ensure_future(sync.watch_fills())
    for f in venue.add(5):
        venue.stream.put_nowait(f)
    for _ in range(100):
        await asyncio.sleep(0.01)
        if ledger.count_fills() == 5:
            break
    assert {f.source for f in ledger.fills()} == {"stream"}
    assert await sync.sync_once() == 0
    assert ledger.count_fills() == 5
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_venue_without_fetch_my_trades_is_not_asked(ledger):
    venue = HistoryVenue(10)
    venue.has["fetch_my_trades"] = False
    assert await FillSync(ledger, "history", venue).sync_once() == 0
    assert venue.calls == []


async def test_demo_fills_reach_the_ledger_by_rest_and_by_stream(ledger):
    async with DemoExchange(clock=lambda: T0) as ex:
        sync = FillSync(ledger, "demo", ex)
        await ex.create_order("ETH/USD", "buy", "market", "2")
        assert await sync.sync_once() == len(await ex.fetch_my_trades())
        fills_task = asyncio.ensure_future(sync.watch_fills())
        orders_task = asyncio.ensure_future(sync.watch_orders())
        await asyncio.sleep(0)
        t = await ex.fetch_ticker("BTC/USD")
        await ex.create_order("BTC/USD", "sell", "market", "0.01")
        rest = await ex.create_order("BTC/USD", "buy", "limit", "0.001", t.bid - 100)
        await asyncio.sleep(0.05)       # the stream sees it open (it reports the latest state)
        await ex.cancel_order(rest.id, "BTC/USD")
        every = await ex.fetch_my_trades()
        for _ in range(200):
            await asyncio.sleep(0.01)
            states = [s for o in ledger.orders("demo")
                      for _, s, _ in ledger.order_states(o.ref)]
            if ledger.count_fills() == len(every) and states.count("canceled") == 1:
                break
        assert stored(ledger, "demo") == source(every)
        assert {f.source for f in ledger.fills(FillFilter(symbol="BTC/USD"))} == {"stream"}
        assert await sync.sync_once() == 0
        by_id = {o.order_id: o for o in ledger.orders("demo")}
        assert by_id[rest.id].status == "canceled"
        assert [s for _, s, _ in ledger.order_states(by_id[rest.id].ref)] == ["open", "canceled"]
        for task in (fills_task, orders_task):
            task.cancel()
        await asyncio.gather(fills_task, orders_task, return_exceptions=True)
        assert sum(f.amount for f in ledger.fills(FillFilter(symbol="ETH/USD"))) == Decimal(2)
