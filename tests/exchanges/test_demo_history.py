"""The demo venue's past agrees with its live flow: volumes, moves, full minutes, level 24 h
figures, and candles of every timeframe made of the same periods."""
from __future__ import annotations

import math
import statistics
from decimal import Decimal

import exchanges
from exchanges.demo.history import ACTIVITY_SIGMA, DAY_MS, STEP_MS
from exchanges.demo.market import STEP_VOL_BP

T0 = 1_700_000_000_000 + 123_456          # not on a minute: the live minute is cut


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> int:
        return self.now


def live(ex, clock: Clock, steps: int) -> None:
    """`steps` live steps, each STEP_MS later, as the running venue does them."""
    for _ in range(steps):
        clock.now += STEP_MS
        ex.step()


async def test_past_candles_trade_what_the_live_flow_trades():
    clock = Clock()
    async with exchanges.create("demo", clock=clock) as ex:
        # over hours, the past trades what the live flow's mean step trades
        st = ex.sim.markets["ETH/USD"]
        per_step = ex.sim._mean_step_volume(st)
        past = (await ex.fetch_ohlcv("ETH/USD", "15m", limit=400))[:-1]
        per_step_past = statistics.mean(float(c.volume) for c in past) / (900_000 / STEP_MS)
        assert 0.8 < per_step_past / per_step < 1.25, (per_step_past, per_step)
        # live, the same: 1 to 3 orders a step, their sizes scaled by the market's activity
        activity = []
        first = (clock.now // 60_000 + 1) * 60_000
        clock.now = first - STEP_MS
        ex.step()
        for _ in range(1200):
            clock.now += STEP_MS
            ex.step()
            activity.append(math.exp(st.activity.level - ACTIVITY_SIGMA ** 2 / 2))
        traded = sum(float(c.volume) for c in await ex.fetch_ohlcv("ETH/USD", "1m", since=first)
                     if c.timestamp < clock.now - clock.now % 60_000)
        steps = (clock.now - clock.now % 60_000 - first) / STEP_MS
        live_ratio = traded / steps / (per_step * statistics.mean(activity))
        assert 0.85 < live_ratio < 1.15, live_ratio
        # so the forming 15 m candle is no spike
        forming = (await ex.fetch_ohlcv("ETH/USD", "15m"))[-1]
        assert forming.volume < Decimal(2) * max(c.volume for c in past[-20:])


async def test_every_minute_of_the_last_day_is_a_whole_candle():
    async with exchanges.create("demo", clock=Clock()) as ex:
        minutes = await ex.fetch_ohlcv("BTC/USD", "1m", since=T0 - DAY_MS)
        stamps = [c.timestamp for c in minutes]
        assert stamps == list(range(stamps[0], stamps[-1] + 1, 60_000))         # no gaps
        assert stamps[0] <= T0 - DAY_MS + 60_000 and stamps[-1] == T0 - T0 % 60_000
        moving = [c for c in minutes if c.high > c.low]
        assert len(moving) > 0.95 * len(minutes)                      # not one-price candles
        # each minute opens where the one before closed
        assert all(b.open == a.close for a, b in zip(minutes, minutes[1:-1]))


async def test_past_moves_are_as_large_as_live_ones():
    async with exchanges.create("demo", clock=Clock()) as ex:
        minutes = await ex.fetch_ohlcv("BTC/USD", "1m", limit=1000)
        moves = [math.log(float(b.close) / float(a.close)) for a, b in zip(minutes, minutes[1:])]
        per_minute = STEP_VOL_BP / 10_000 * math.sqrt(60_000 / STEP_MS)
        assert 0.7 < statistics.pstdev(moves) / per_minute < 1.4


async def test_the_24h_volume_stays_level_as_time_passes():
    clock = Clock()
    async with exchanges.create("demo", clock=clock) as ex:
        before = await ex.fetch_ticker("ETH/USD")
        live(ex, clock, 480)                            # two minutes of the live flow
        after = await ex.fetch_ticker("ETH/USD")
        assert abs(after.base_volume / before.base_volume - 1) < Decimal("0.03")


async def test_coarse_candles_are_made_of_the_fine_ones():
    async with exchanges.create("demo", clock=Clock()) as ex:
        minutes = {c.timestamp: c for c in await ex.fetch_ohlcv("SOL/USD", "1m")}
        for tf, ms in (("5m", 300_000), ("1h", 3_600_000)):
            for c in (await ex.fetch_ohlcv("SOL/USD", tf))[-12:-1]:
                parts = [minutes[t] for t in range(c.timestamp, c.timestamp + ms, 60_000)
                         if t in minutes]
                if len(parts) < ms // 60_000:
                    continue                            # older than the minute region
                assert c.open == parts[0].open and c.close == parts[-1].close
                assert c.high == max(p.high for p in parts)
                assert c.low == min(p.low for p in parts)
                assert c.volume == sum(p.volume for p in parts)
        days = await ex.fetch_ohlcv("SOL/USD", "1d")
        assert len(days) >= 100                       # months of daily candles
        assert all(a.close == b.open for a, b in zip(days, days[1:]))


async def test_the_cross_rate_follows_its_legs_in_the_past_too():
    async with exchanges.create("demo", clock=Clock()) as ex:
        eth, btc, cross = [await ex.fetch_ohlcv(s, "1h", limit=100)
                           for s in ("ETH/USD", "BTC/USD", "ETH/BTC")]
        for a, b, c in list(zip(eth, btc, cross))[:-1]:
            assert abs(c.close / (a.close / b.close) - 1) < Decimal("0.01")
