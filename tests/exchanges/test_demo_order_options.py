"""The demo venue's post-only and time-in-force orders behave as on the big venues."""
from __future__ import annotations

from decimal import Decimal

import pytest

import exchanges
from exchanges.demo.venue import DemoExchange

T0 = 1_700_000_000_000
D = Decimal


async def test_post_only_rests_or_is_refused_when_it_would_take():
    async with DemoExchange(clock=lambda: T0) as ex:
        book = await ex.fetch_order_book("BTC/USD")
        bid, ask = book.bids[0][0], book.asks[0][0]
        with pytest.raises(exchanges.InvalidOrder, match="post-only"):
            await ex.create_order("BTC/USD", "buy", "limit", "0.01", ask, post_only=True)
        with pytest.raises(exchanges.InvalidOrder, match="post-only"):
            await ex.create_order("BTC/USD", "sell", "limit", "0.01", bid, post_only=True)
        assert not await ex.fetch_open_orders()
        o = await ex.create_order("BTC/USD", "buy", "limit", "0.01", bid, post_only=True)
        assert o.status == "open" and o.filled == 0


async def test_ioc_fills_what_it_can_and_the_rest_lapses():
    async with DemoExchange(clock=lambda: T0) as ex:
        book = await ex.fetch_order_book("BTC/USD")
        ask, size = book.asks[0]
        # (a small excess, not twice the level: a deep top level twice over is beyond the funds)
        extra = Decimal("0.01")
        o = await ex.create_order("BTC/USD", "buy", "limit", size + extra, ask,
                                  time_in_force="IOC")
        assert o.status == "canceled" and o.filled == size and o.remaining == extra
        assert not await ex.fetch_open_orders()
        used = (await ex.fetch_balance())["USD"].used
        assert used == 0                       # nothing left held for the lapsed rest


async def test_fok_fills_all_or_places_nothing():
    async with DemoExchange(clock=lambda: T0) as ex:
        book = await ex.fetch_order_book("BTC/USD")
        ask, size = book.asks[0]
        before = await ex.fetch_balance()
        with pytest.raises(exchanges.InvalidOrder, match="fill-or-kill: only"):
            await ex.create_order("BTC/USD", "buy", "limit", size * 2, ask, time_in_force="FOK")
        assert (await ex.fetch_balance())["USD"].free == before["USD"].free
        o = await ex.create_order("BTC/USD", "buy", "limit", size, ask, time_in_force="FOK")
        assert o.status == "closed" and o.filled == size


async def test_gtc_is_an_ordinary_limit_order():
    async with DemoExchange(clock=lambda: T0) as ex:
        o = await ex.create_order("BTC/USD", "buy", "limit", "0.01", "60000",
                                  time_in_force="GTC")
        assert o.status == "open"
