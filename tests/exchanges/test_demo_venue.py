"""The demo venue through the contract: every call, every error, balances and determinism."""
from __future__ import annotations

from decimal import Decimal

import pytest

import exchanges
from exchanges.core.adapter import CONTRACT_CALLS, ORDER_OPTIONS
from exchanges.demo.market import STARTING_FUNDS
from exchanges.demo.venue import DemoExchange

T0 = 1_700_000_000_000
SYMBOLS = ["BTC/USD", "ETH/USD", "ETH/BTC", "SOL/USD", "DOGE/USD"]


def fixed(seed: int = 7) -> DemoExchange:
    """A demo venue whose clock stands still: only `step()` moves it."""
    return DemoExchange(clock=lambda: T0, seed=seed)


def assert_balances_consistent(balance):
    for cur, b in balance.items():
        assert b.free + b.used == b.total, cur
        assert b.free >= 0 and b.used >= 0, cur


async def test_create_opens_the_demo_venue_with_every_call():
    async with exchanges.create("demo") as ex:
        assert isinstance(ex, DemoExchange)
        assert (ex.id, ex.name) == ("demo", "Demo venue")
        assert ex.has == {name: True for name in CONTRACT_CALLS} | {
            opt: opt != "stop_price" for opt in ORDER_OPTIONS} | {      # post-only, time in force
            "create_market_order": True}
        assert ex._sim is None          # creating it did no work yet


async def test_markets_have_realistic_increments_and_minimums():
    async with exchanges.create("demo") as ex:
        markets = await ex.load_markets()
        assert list(markets) == SYMBOLS
        btc = markets["BTC/USD"]
        assert (btc.base, btc.quote, btc.price_increment, btc.amount_increment, btc.min_amount,
                btc.min_cost) == ("BTC", "USD", Decimal("0.01"), Decimal("0.00001"),
                                  Decimal("0.0001"), Decimal("1"))
        for m in markets.values():
            assert m.active and m.min_amount % m.amount_increment == 0


async def test_tickers_have_24h_figures_from_the_first_call():
    async with exchanges.create("demo", clock=lambda: T0) as ex:
        tickers = await ex.fetch_tickers()
        assert list(tickers) == SYMBOLS
        for symbol, t in tickers.items():
            m = ex.markets[symbol]
            assert t.symbol == symbol and t.timestamp == T0
            assert t.bid < t.ask
            assert t.low <= t.last <= t.high and t.low <= t.open <= t.high
            assert t.base_volume > 0 and t.quote_volume > 0
            for p in (t.bid, t.ask, t.last, t.high, t.low, t.open):
                assert p % m.price_increment == 0
        one = await ex.fetch_ticker("ETH/USD")
        assert one == tickers["ETH/USD"]
        # the cross rate follows its legs
        cross = tickers["ETH/USD"].last / tickers["BTC/USD"].last
        assert abs(tickers["ETH/BTC"].last / cross - 1) < Decimal("0.01")


async def test_order_book_is_sorted_several_levels_deep_and_honours_limit():
    async with exchanges.create("demo", clock=lambda: T0) as ex:
        book = await ex.fetch_order_book("SOL/USD")
        assert len(book.bids) >= 5 and len(book.asks) >= 5
        assert [p for p, _ in book.bids] == sorted((p for p, _ in book.bids), reverse=True)
        assert [p for p, _ in book.asks] == sorted(p for p, _ in book.asks)
        assert book.bids[0][0] < book.asks[0][0]
        assert len({a for _, a in book.bids}) > 1       # sizes vary
        top = await ex.fetch_order_book("SOL/USD", limit=3)
        assert top.bids == book.bids[:3] and top.asks == book.asks[:3]


@pytest.mark.parametrize("timeframe", ["1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h",
                                       "12h", "1d"])
async def test_ohlcv_in_every_timeframe(timeframe):
    async with exchanges.create("demo", clock=lambda: T0) as ex:
        candles = await ex.fetch_ohlcv("BTC/USD", timeframe)
        assert candles
        ms = ex.timeframes[timeframe]
        stamps = [c.timestamp for c in candles]
        assert stamps == sorted(set(stamps)) and all(s % ms == 0 for s in stamps)
        for c in candles:
            assert c.low <= min(c.open, c.close) <= max(c.open, c.close) <= c.high
            assert c.volume > 0
        assert await ex.fetch_ohlcv("BTC/USD", timeframe, limit=2) == candles[-2:]
        since = candles[-2].timestamp
        assert (await ex.fetch_ohlcv("BTC/USD", timeframe, since=since, limit=1)
                ) == [candles[-2]]


async def test_hourly_candles_add_up_to_the_24h_volume():
    async with exchanges.create("demo", clock=lambda: T0) as ex:
        t = await ex.fetch_ticker("ETH/USD")
        minutes = [c for c in await ex.fetch_ohlcv("ETH/USD", "1m", since=T0 - 86_400_000)
                   if c.timestamp >= T0 - 86_400_000]
        assert sum(c.volume for c in minutes) == t.base_volume
        assert max(c.high for c in minutes) == t.high
        assert min(c.low for c in minutes) == t.low


async def test_trades_are_oldest_first_and_limited():
    async with exchanges.create("demo", clock=lambda: T0) as ex:
        trades = await ex.fetch_trades("DOGE/USD")
        assert len(trades) > 50
        assert [t.timestamp for t in trades] == sorted(t.timestamp for t in trades)
        assert all(t.side in ("buy", "sell") and t.amount > 0 for t in trades)
        assert await ex.fetch_trades("DOGE/USD", limit=5) == trades[-5:]
        ex.step()
        after = await ex.fetch_trades("DOGE/USD")
        assert after[-1].timestamp == T0 and after[-1].id != trades[-1].id


async def test_a_funded_account_needs_no_credentials():
    async with exchanges.create("demo") as ex:
        balance = await ex.fetch_balance()
        assert {c: b.total for c, b in balance.items()} == STARTING_FUNDS
        assert all(b.used == 0 for b in balance.values())


async def test_a_resting_limit_order_holds_funds_and_cancel_releases_them_exactly():
    async with fixed() as ex:
        before = await ex.fetch_balance()
        bid = (await ex.fetch_ticker("BTC/USD")).bid
        price = bid - Decimal("1000.00")
        order = await ex.create_order("BTC/USD", "buy", "limit", "0.01", str(price),
                                      client_order_id="mine-1")
        assert (order.status, order.filled, order.remaining, order.type, order.side) == (
            "open", 0, Decimal("0.01"), "limit", "buy")
        assert order.client_order_id == "mine-1" and order.price == price
        held = await ex.fetch_balance()
        assert_balances_consistent(held)
        assert held["USD"].used == price * Decimal("0.01") * Decimal("1.001")
        assert held["USD"].total == before["USD"].total
        assert [o.id for o in await ex.fetch_open_orders()] == [order.id]
        assert [o.id for o in await ex.fetch_open_orders("BTC/USD")] == [order.id]
        assert await ex.fetch_open_orders("ETH/USD") == []
        canceled = await ex.cancel_order(order.id, "BTC/USD")
        assert canceled.status == "canceled"
        assert await ex.fetch_balance() == before
        assert (await ex.fetch_order(order.id, "BTC/USD")).status == "canceled"
        assert await ex.fetch_open_orders() == []


async def test_a_sell_holds_the_base_currency():
    async with fixed() as ex:
        ask = (await ex.fetch_ticker("SOL/USD")).ask
        await ex.create_order("SOL/USD", "sell", "limit", "100", ask + 10)
        bal = await ex.fetch_balance()
        assert (bal["SOL"].free, bal["SOL"].used) == (400, 100)


async def test_a_market_order_walks_the_book_and_pays_the_taker_fee():
    async with fixed() as ex:
        book = await ex.fetch_order_book("ETH/USD")
        first_price, first_size = book.asks[0]
        amount = first_size + Decimal("0.5")        # more than the best level holds
        order = await ex.create_order("ETH/USD", "buy", "market", amount)
        assert order.status == "closed" and order.filled == amount and order.price is None
        expected = first_price * first_size + book.asks[1][0] * Decimal("0.5")
        assert order.average == expected / amount
        assert order.fee == expected * Decimal("0.001")
        bal = await ex.fetch_balance()
        assert bal["ETH"].total == 25 + amount
        assert bal["USD"].total == 100_000 - expected - order.fee
        assert_balances_consistent(bal)


async def test_a_marketable_limit_order_fills_at_the_book_and_rests_the_rest():
    async with fixed() as ex:
        book = await ex.fetch_order_book("BTC/USD")
        price, size = book.asks[0]
        order = await ex.create_order("BTC/USD", "buy", "limit", size + Decimal("0.1"), price)
        assert (order.status, order.filled, order.remaining) == ("open", size, Decimal("0.1"))
        assert order.average == price                   # never worse than the limit
        book = await ex.fetch_order_book("BTC/USD")
        assert book.bids[0] == (price, Decimal("0.1"))


async def test_the_simulated_flow_fills_resting_orders_when_price_crosses_them():
    async with fixed() as ex:
        t = await ex.fetch_ticker("BTC/USD")
        buy = await ex.create_order("BTC/USD", "buy", "limit", "0.01", t.bid - 20)
        sell = await ex.create_order("BTC/USD", "sell", "limit", "0.01", t.ask + 20)
        for _ in range(3000):            # ~0.75 bp a step: ±20 USD within a few hundred
            ex.step()
            states = [(await ex.fetch_order(o.id, "BTC/USD")).status for o in (buy, sell)]
            if states == ["closed", "closed"]:
                break
        assert states == ["closed", "closed"]
        bal = await ex.fetch_balance()
        assert bal["BTC"].total == 2 and all(b.used == 0 for b in bal.values())
        # bought at or below 20 under the bid, sold at or above 20 over the ask
        filled = [await ex.fetch_order(o.id, "BTC/USD") for o in (buy, sell)]
        assert filled[0].average <= t.bid - 20 and filled[1].average >= t.ask + 20
        assert await ex.fetch_open_orders() == []


async def test_value_is_conserved_across_the_whole_venue():
    async with fixed() as ex:
        t = await ex.fetch_ticker("ETH/BTC")
        await ex.create_order("ETH/BTC", "buy", "limit", "2", t.bid)
        await ex.create_order("ETH/BTC", "sell", "market", "1")
        await ex.create_order("DOGE/USD", "sell", "limit", "10000",
                              (await ex.fetch_ticker("DOGE/USD")).ask)
        ex.step(50)
        ledger = ex.sim.ledger
        for cur, amount in STARTING_FUNDS.items():
            assert ledger.sum(cur) == amount
        assert ledger.fees.free["BTC"] > 0
        assert_balances_consistent(await ex.fetch_balance())


# -- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("symbol", ["XRP/USD", "BTCUSD", "BTC/USD/EUR", 42])
async def test_unknown_symbols_are_bad_symbols(symbol):
    async with exchanges.create("demo") as ex:
        for call in (ex.fetch_ticker(symbol), ex.fetch_order_book(symbol),
                     ex.fetch_trades(symbol), ex.fetch_ohlcv(symbol),
                     ex.create_order(symbol, "buy", "limit", "1", "1"),
                     ex.fetch_open_orders(symbol), ex.cancel_order("1", symbol)):
            with pytest.raises(exchanges.BadSymbol):
                await call
        with pytest.raises(exchanges.BadSymbol):
            await ex.fetch_tickers(["BTC/USD", symbol])


@pytest.mark.parametrize("amount,price,words", [
    ("0.000015", "60000.00", "multiple"),      # off the amount increment
    ("0.01", "60000.005", "multiple"),         # off the price increment
    ("0.00005", "60000", "below the minimum"),  # below min_amount
    ("0.0001", "5", "below the minimum"),      # below min_cost (0.0005 USD)
    ("-1", "60000", "greater than zero"),
    ("0.01", None, "needs a price"),
])
async def test_invalid_orders_are_refused_before_anything_happens(amount, price, words):
    async with fixed() as ex:
        before = await ex.fetch_balance()
        with pytest.raises(exchanges.InvalidOrder, match=words):
            await ex.create_order("BTC/USD", "buy", "limit", amount, price)
        assert await ex.fetch_balance() == before and await ex.fetch_open_orders() == []


async def test_bad_side_type_and_float_are_invalid_orders():
    async with fixed() as ex:
        for args in (("BTC/USD", "hold", "limit", "1", "1"), ("BTC/USD", "buy", "stop", "1"),
                     ("BTC/USD", "buy", "market", 0.1)):
            with pytest.raises(exchanges.InvalidOrder):
                await ex.create_order(*args)


async def test_insufficient_funds():
    async with fixed() as ex:
        with pytest.raises(exchanges.InsufficientFunds, match="USD"):
            await ex.create_order("BTC/USD", "buy", "limit", "2", "60000")      # 120k > 100k
        with pytest.raises(exchanges.InsufficientFunds, match="BTC"):
            await ex.create_order("BTC/USD", "sell", "limit", "2.5", "70000")
        with pytest.raises(exchanges.InsufficientFunds):
            await ex.create_order("BTC/USD", "buy", "market", "1.6")
        with pytest.raises(exchanges.InsufficientFunds):
            await ex.create_order("DOGE/USD", "sell", "market", "50001")
        # exactly the whole balance, fee headroom included, is fine
        bal = await ex.fetch_balance()
        assert all(b.used == 0 for b in bal.values())
        await ex.create_order("SOL/USD", "sell", "limit", "500", "1000.00")
        with pytest.raises(exchanges.InsufficientFunds):
            await ex.create_order("SOL/USD", "sell", "limit", "0.01", "1000.00")


async def test_unknown_or_finished_orders_are_not_found():
    async with fixed() as ex:
        with pytest.raises(exchanges.OrderNotFound):
            await ex.fetch_order("999999", "BTC/USD")
        with pytest.raises(exchanges.OrderNotFound):
            await ex.cancel_order("nonsense", "BTC/USD")
        t = await ex.fetch_ticker("ETH/USD")
        order = await ex.create_order("ETH/USD", "buy", "limit", "1", t.bid - 100)
        with pytest.raises(exchanges.OrderNotFound):     # right id, wrong market
            await ex.fetch_order(order.id, "BTC/USD")
        await ex.cancel_order(order.id, "ETH/USD")
        with pytest.raises(exchanges.OrderNotFound, match="canceled"):
            await ex.cancel_order(order.id, "ETH/USD")
        market = await ex.create_order("ETH/USD", "buy", "market", "0.1")
        with pytest.raises(exchanges.OrderNotFound, match="closed"):
            await ex.cancel_order(market.id, "ETH/USD")


async def test_unknown_timeframe_and_bad_limit():
    async with exchanges.create("demo") as ex:
        with pytest.raises(exchanges.NotSupported, match="7m"):
            await ex.fetch_ohlcv("BTC/USD", "7m")
        with pytest.raises(exchanges.ExchangeError):
            await ex.fetch_order_book("BTC/USD", limit=0)


async def test_a_closed_adapter_refuses_calls():
    ex = exchanges.create("demo")
    async with ex:
        await ex.fetch_ticker("BTC/USD")
    with pytest.raises(exchanges.ExchangeError, match="closed"):
        await ex.fetch_ticker("BTC/USD")


# -- determinism ------------------------------------------------------------------------------

async def script(ex: DemoExchange):
    """A fixed sequence of calls and steps; returns everything it saw."""
    seen = [await ex.fetch_tickers(), await ex.fetch_order_book("BTC/USD", 5)]
    t = seen[0]["ETH/USD"]
    await ex.create_order("ETH/USD", "buy", "limit", "0.5", t.bid - 1)
    ex.step(20)
    await ex.create_order("BTC/USD", "sell", "market", "0.05")
    ex.step(5)
    seen += [await ex.fetch_trades("ETH/USD"), await ex.fetch_ohlcv("BTC/USD", "1m"),
             await ex.fetch_balance(), await ex.fetch_open_orders(),
             await ex.fetch_tickers(), await ex.fetch_order_book("ETH/BTC")]
    return seen


async def test_same_seed_same_calls_same_data():
    async with fixed(seed=11) as a, fixed(seed=11) as b, fixed(seed=12) as c:
        first, second, other = await script(a), await script(b), await script(c)
        assert first == second
        assert first[0] != other[0]


async def test_seed_is_accepted_by_create_keywords():
    ex = DemoExchange(credentials=None, urls=None, clock=None, seed=3)
    async with ex:
        assert ex.seed == 3 and (await ex.fetch_ticker("BTC/USD")).last > 0
