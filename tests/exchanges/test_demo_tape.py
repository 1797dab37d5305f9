"""The demo tape's candles: the forming candle is kept apart from the closed ones, with the
same candles and 24 h figures as merging every trade into one store, and the closed candles'
dicts out of the garbage collector's sight between candle closes; its trades too."""
from __future__ import annotations

import gc
import random
from decimal import Decimal as D

from exchanges.demo.history import merge_candle
from exchanges.demo.tape import KEEP_CANDLES, MINUTE_MS, TIMEFRAMES, Tape

T0 = 1_796_000_000_000 - 1_796_000_000_000 % 86_400_000     # a UTC midnight


def past(minutes: int) -> dict[int, dict[int, tuple]]:
    """Whole-number candles for the `minutes` before T0 in every timeframe, the last partial."""
    made: dict[int, dict[int, tuple]] = {ms: {} for ms in TIMEFRAMES.values()}
    for i in range(minutes):
        t = T0 - (minutes - i) * MINUTE_MS
        p = 1000 + i % 17
        for ms, buckets in made.items():
            merge_candle(buckets, t - t % ms, p, p + 3, p - 2, p + 1, 5 + i % 3, p * 5)
    return made


class Reference:
    """What the tape did before: every trade merged into one dict per timeframe."""

    def __init__(self, candles):
        self.candles = {ms: dict(b) for ms, b in candles.items()}

    def trade(self, t, p, units):
        for ms, buckets in self.candles.items():
            if merge_candle(buckets, t - t % ms, p, p, p, p, units, p * units) and \
                    len(buckets) > KEEP_CANDLES:
                del buckets[next(iter(buckets))]


def test_candles_and_24h_figures_match_merging_every_trade_into_one_store():
    rng = random.Random(7)
    history = past(3 * 60)
    tape = Tape("BTC/USD", D("0.01"), D("0.001"))
    tape.load_past(history, D("10.00"))
    ref = Reference(history)
    t = T0 - 30_000                     # inside the past's last minute: it goes on forming
    for _ in range(3000):
        t += rng.choice((0, 250, 1_000, 7_000, 61_000, 3 * 60_000))
        p, units = rng.randint(900, 1100), rng.randint(1, 9)
        tape.record(t, "buy", p * tape.tick, units * tape.step)
        ref.trade(t, p, units)
        if rng.random() < 0.05:
            for ms in TIMEFRAMES.values():
                want = ref.candles[ms]
                got = tape.ohlcv(ms)
                assert [c.timestamp for c in got] == sorted(want)[-KEEP_CANDLES:]
                assert [(c.open, c.high, c.low, c.close, c.volume) for c in got] == [
                    (o * tape.tick, h * tape.tick, lo * tape.tick, c * tape.tick,
                     v * tape.step)
                    for s in sorted(want)[-KEEP_CANDLES:] for o, h, lo, c, v, _q in (want[s],)]
            expected = Tape("BTC/USD", D("0.01"), D("0.001"))
            expected.candles = ref.candles      # (the old store: every candle in the dicts)
            assert tape.day_stats(t) == expected.day_stats(t)
            assert tape.day_stats(t + 20_000) == expected.day_stats(t + 20_000)


def test_between_candle_closes_the_closed_candles_are_out_of_the_collectors_sight():
    tape = Tape("BTC/USD", D("0.01"), D("0.001"))
    tape.load_past(past(3000), D("10.00"))
    minute = T0 + 5 * MINUTE_MS
    tape.record(minute + 1_000, "buy", D("10.00"), D("0.005"))
    gc.collect()                        # the collector untracks what it finds holding no object
    assert not any(gc.is_tracked(b) for b in tape.candles.values())
    for i in range(50):                 # trades inside the same minute: only the forming candle
        tape.record(minute + 2_000 + i * 100, "sell", D("10.01"), D("0.002"))
    assert not any(gc.is_tracked(b) for b in tape.candles.values())
    assert tape.ohlcv(MINUTE_MS)[-1].volume == D("0.005") + 50 * D("0.002")


def test_the_kept_trades_are_out_of_the_collectors_sight_and_come_back_as_trades():
    tape = Tape("ETH/USD", D("0.01"), D("0.0001"), max_trades=100)
    for i in range(150):
        tape.record(T0 + i, "buy" if i % 2 else "sell", D("2000.00") + i * D("0.01"),
                    D("0.5000"))
    gc.collect()
    assert len(tape.trades) == 100 and not any(gc.is_tracked(t) for t in tape.trades)
    recent = tape.recent(3)
    assert [(t.id, t.timestamp, t.side, t.price, t.amount, t.symbol) for t in recent] == [
        (str(i + 1), T0 + i, "buy" if i % 2 else "sell", D("2000.00") + i * D("0.01"),
         D("0.5000"), "ETH/USD") for i in (147, 148, 149)]
    assert [t.id for t in tape.since(148)] == ["149", "150"] and tape.since(150) == []
    assert len(tape.recent()) == 100 and tape.recent(0) == []
