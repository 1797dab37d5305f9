"""The demo account outlives the process: balances, open and finished orders, the markets'
prices; and it can be reset to the starting funds."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

import exchanges
from exchanges.demo.market import STARTING_FUNDS
from exchanges.demo.venue import DemoExchange

T0 = 1_700_000_000_000
D = Decimal


async def _trade_a_little(ex):
    t = await ex.fetch_ticker("ETH/USD")
    resting = await ex.create_order("ETH/USD", "buy", "limit", "0.5", t.bid - 5)
    sold = await ex.create_order("BTC/USD", "sell", "market", "0.05")
    cancelled = await ex.create_order("SOL/USD", "sell", "limit", "3", "999")
    await ex.cancel_order(cancelled.id, "SOL/USD")
    ex.step(3)
    return resting, sold, cancelled


async def test_the_account_comes_back_after_a_restart():
    async with DemoExchange(clock=lambda: T0) as ex:
        resting, sold, cancelled = await _trade_a_little(ex)
        before = await ex.fetch_balance()
        mid = (await ex.fetch_ticker("BTC/USD")).last
        state = json.loads(json.dumps(ex.account_state()))          # through a file
    later = T0 + 3_600_000
    async with DemoExchange(clock=lambda: later) as again:
        again.restore_account(state)
        after = await again.fetch_balance()
        assert {c: (b.free, b.used) for c, b in after.items()} == \
            {c: (b.free, b.used) for c, b in before.items()}
        assert [o.id for o in await again.fetch_open_orders()] == [resting.id]
        o = await again.fetch_order(sold.id, "BTC/USD")
        assert (o.status, o.filled, o.fee) == ("closed", sold.filled, sold.fee)
        assert (await again.fetch_order(cancelled.id, "SOL/USD")).status == "canceled"
        # the market carries on from where it stood, not from the opening price
        assert abs((await again.fetch_ticker("BTC/USD")).last / mid - 1) < D("0.01")
        # the resting order still works: it can be cancelled and frees what it held
        await again.cancel_order(resting.id, "ETH/USD")
        assert (await again.fetch_balance())["USD"].used == 0
        # new orders never reuse a saved id or client id
        new = await again.create_order("ETH/USD", "buy", "limit", "0.1", "100")
        assert int(new.id) > int(resting.id)
        assert new.client_order_id not in {resting.client_order_id, sold.client_order_id,
                                           cancelled.client_order_id}


async def test_reset_gives_back_the_starting_funds():
    async with DemoExchange(clock=lambda: T0) as ex:
        await _trade_a_little(ex)
        ex.reset_account()
        balance = await ex.fetch_balance()
        assert {c: b.total for c, b in balance.items() if b.total} == STARTING_FUNDS
        assert all(b.used == 0 for b in balance.values())
        assert await ex.fetch_open_orders() == []
        assert ex.account_state()["orders"] == []


@pytest.mark.parametrize("state, words", [
    ({"version": 99}, "version"),
    ({"version": 1, "balances": {"USD": {"free": "lots", "used": "0"}}}, "free USD"),
    ({"version": 1, "orders": [{"id": 1, "side": "buy", "status": "open", "amount": "1",
                                "filled": "0", "remaining": "1", "cost": "0", "fee": "NaN"}]},
     "fee"),
])
async def test_an_unreadable_account_is_refused_in_words(state, words):
    async with DemoExchange(clock=lambda: T0) as ex:
        with pytest.raises(ValueError, match=words):
            ex.restore_account(state)


async def test_restoring_after_the_venue_is_used_is_refused():
    async with exchanges.create("demo", clock=lambda: T0) as ex:
        state = ex.account_state()
        with pytest.raises(exchanges.ExchangeError, match="before"):
            ex.restore_account(state)
