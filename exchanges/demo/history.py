"""The demo venue's past, drawn from the same statistics as its live flow.

Live, every step (`STEP_MS`) moves a market's mid by a normal log-return of `vol_bp` basis
points and sends 1 to 3 market orders of `trade_units` amount steps each. Simulating months of
that step by step is too slow for a start-up, so the past is drawn period by period with the
sums of those steps: a period of n steps moves by N(0, vol·√n) and trades n × the mean volume of
a step (with some noise), its high and low reaching beyond open and close as a random walk's do.
The candles then look the same before and after the venue opened: the volume pane has no spike
at "now", the 1 m candles are full candles without gaps, and the 24 h figures stay level.

The finest periods are nearest to now: minutes for the last `_REGIONS[-1]` (the 1 m chart and
the 24 h figures), then 15 minutes, then 2 hours back to `DAYS` days. Each region starts on a
multiple of the coarser region's period, so every candle is made of whole periods. Prices are
whole ticks and volumes whole amount steps (integers) until the candles are made; everything is
drawn from the simulation's `random.Random`, so the same seed gives the same past.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

__all__ = ["Period", "regions", "walk", "candles", "Activity", "STEP_MS", "DAY_MS"]

STEP_MS = 250                      # one live step of the simulation
ACTIVITY_SIGMA = 0.35              # how busy a market is: a log-normal level around 1 …
ACTIVITY_STEPS = 2400.0            # … that drifts back to its mean over ~10 minutes
DAY_MS = 86_400_000
DAYS = 120                         # how far back the past reaches
# (period ms, how far back its region reaches): coarse first; each period divides the one before
_REGIONS = ((7_200_000, DAYS * DAY_MS), (900_000, 15 * DAY_MS), (60_000, 25 * 3_600_000))


@dataclass(slots=True)
class Period:
    start: int          # ms, a multiple of `size`
    size: int           # the region's period: which candles it can be part of
    steps: float        # live steps it stands for (fewer in the last one, cut short at now)


class Activity:
    """A market's trading activity: a slow mean-reverting (AR(1)) log-level with mean 1 that
    scales the traders' order sizes, so busy and quiet spells come and go, live and in the
    past alike. `advance(steps)` moves it on by `steps` live steps at once."""

    __slots__ = ("level", "rng")

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.level = rng.gauss(0.0, ACTIVITY_SIGMA)

    def advance(self, steps: float = 1.0) -> float:
        keep = math.exp(-steps / ACTIVITY_STEPS)
        self.level = self.level * keep + self.rng.gauss(
            0.0, ACTIVITY_SIGMA * math.sqrt(1.0 - keep * keep))
        return math.exp(self.level - ACTIVITY_SIGMA ** 2 / 2)


def regions(now: int) -> list[Period]:
    """The periods from `DAYS` days ago up to `now`, oldest first."""
    starts = []
    coarser = DAY_MS
    for size, reach in _REGIONS:
        starts.append((now - reach) // coarser * coarser)
        coarser = size
    ends = starts[1:] + [now]
    out: list[Period] = []
    for (size, _reach), start, end in zip(_REGIONS, starts, ends):
        for t in range(start, end, size):
            out.append(Period(t, size, min(size, end - t) / STEP_MS))
    return out


def walk(rng: random.Random, periods: list[Period], end_price: float, vol_bp: float,
         mean_step_volume: float, activity: Activity
         ) -> list[tuple[float, float, float, float, float]]:
    """(open, high, low, close, volume) per period, ending at `end_price`, as floats (the caller
    rounds them to the market's increments). `activity` ends where the live flow takes it on."""
    sigma = vol_bp / 10_000
    gauss, random_, ln = rng.gauss, rng.random, math.log
    log = 0.0
    raw = []
    for p in periods:
        s = sigma * math.sqrt(p.steps)
        o = log
        log += gauss(0.0, s)
        # a random walk's reach beyond its ends: an exponential share of the period's spread
        hi = max(o, log) - ln(1.0 - random_()) * s * 0.35
        lo = min(o, log) + ln(1.0 - random_()) * s * 0.35
        # one step's volume varies by ~58 % (1 to 3 orders of uniform sizes); summed over a
        # period that evens out, the activity does not
        noise = max(0.2, 1.0 + gauss(0.0, 0.58 / math.sqrt(max(p.steps, 1.0))))
        raw.append((o, hi, lo, log, mean_step_volume * p.steps * activity.advance(p.steps)
                    * noise))
    shift = math.log(end_price) - log
    exp = math.exp
    return [(exp(o + shift), exp(h + shift), exp(lo + shift), exp(c + shift), v)
            for o, h, lo, c, v in raw]


def merged(k: tuple | None, o, h, lo, c, v, q) -> tuple:
    """Candle `k` (None: none yet) with (o, h, lo, c, v, q) added after it.
    Candles are tuples of ints: the garbage collector stops tracking them once it has seen
    them (lists it scans at every full collection, and the demo venues hold ~100,000)."""
    if k is None:
        return (o, h, lo, c, v, q)
    return (k[0], h if h > k[1] else k[1], lo if lo < k[2] else k[2], c, k[4] + v, k[5] + q)


def merge_candle(buckets: dict, start: int, o, h, lo, c, v, q) -> bool:
    """Add (o, h, lo, c, v, q) to the candle at `start`; True when that candle is new."""
    k = buckets.get(start)
    buckets[start] = merged(k, o, h, lo, c, v, q)
    return k is None


def _merge(buckets: dict, ms: int, start: int, o, h, lo, c, v, q) -> None:
    merge_candle(buckets, start - start % ms, o, h, lo, c, v, q)


def candles(periods: list[Period], rows: list[tuple[int, int, int, int, int]],
            timeframes, keep: int) -> dict[int, dict[int, tuple]]:
    """Whole-number candles of every timeframe (ms) from periods of (open, high, low, close in
    ticks; volume in amount steps): {ms: {start: (o, h, l, c, volume, volume × typical price)}},
    oldest first, the newest `keep` of each. A timeframe is made from the largest finer one it
    is a multiple of (1 d from 12 h …), plus the periods that are themselves that long or
    longer: each period is merged a few times, not once per timeframe."""
    made: dict[int, dict[int, tuple]] = {}
    for ms in sorted(timeframes):
        buckets: dict[int, tuple] = {}
        finer = max((f for f in made if ms % f == 0), default=None)
        # the periods too coarse for the finer timeframe come first (they are the older ones)
        for p, (o, h, lo, c, v) in zip(periods, rows):
            if ms % p.size == 0 and (finer is None or finer % p.size):
                _merge(buckets, ms, p.start, o, h, lo, c, v, v * ((o + h + lo + c) // 4))
        if finer is not None:
            for start, k in made[finer].items():
                _merge(buckets, ms, start, *k)
        made[ms] = dict(sorted(buckets.items()))
    return {ms: dict(list(b.items())[-keep:]) for ms, b in made.items()}
