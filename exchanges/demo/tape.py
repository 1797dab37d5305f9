"""The public record of one demo market: its recent trades, its candles and 24 h statistics.

Candles of every timeframe are kept up to date trade by trade (a bounded number per timeframe),
so `fetch_ohlcv` and the ticker's 24 h figures never rescan the trade history. The past before
the venue opened arrives as whole candles (`load_past`, made by history.py). The 24 h figures sum
the closed minutes once per minute and add the minute in progress.

Candles hold whole numbers of the market's increments (price ticks, amount steps, and quote in
tick × step), made Decimal when asked for: ~1.2 million Decimals (~100 MB) were the demo
venues' whole history, for charts that show a few hundred candles at a time.
"""
from __future__ import annotations

from collections import deque
from decimal import Decimal
from itertools import chain

from ..types import Candle, Trade
from .history import merge_candle, merged

__all__ = ["Tape", "TIMEFRAMES", "KEEP_CANDLES"]

TIMEFRAMES = {"1m": 60_000, "3m": 180_000, "5m": 300_000, "15m": 900_000, "30m": 1_800_000,
              "1h": 3_600_000, "2h": 7_200_000, "4h": 14_400_000, "6h": 21_600_000,
              "12h": 43_200_000, "1d": 86_400_000}
DAY_MS = 86_400_000
MINUTE_MS = 60_000
KEEP_CANDLES = 1500


class Tape:
    def __init__(self, symbol: str, tick: Decimal, step: Decimal,
                 max_trades: int = 2000) -> None:
        self.symbol = symbol
        self.tick, self.step, self.quote_unit = tick, step, tick * step
        # (number, time, side, price, amount) of the newest trades: tuples of numbers and
        # text, which the garbage collector stops tracking once it has seen them. As Trade
        # objects, the demo venues' (up to 24,000) were 12 references each that every full
        # collection walked; a Trade is made when one is asked for.
        self.trades: deque[tuple] = deque(maxlen=max_trades)
        self.seq = 0
        # timeframe ms → {bucket start: (open, high, low, close, base volume, quote volume)}
        # in ticks, steps and tick × steps, in time order (a dict keeps insertion order: the
        # first key is the oldest)
        self.candles: dict[int, dict[int, tuple]] = {ms: {} for ms in TIMEFRAMES.values()}
        # timeframe ms → (start, candle) of the candle still forming, kept out of `candles`
        # until it closes. Replaced there on every trade, it kept each of those dicts tracked
        # by the garbage collector, and every full collection walked all their entries (~60 µs
        # a dict of 1,500, ~4 ms for the demo venues' dicts, more on a busy heap). Holding
        # only closed candles, a dict is untracked by the next full collection, and walked
        # again only after a candle of its timeframe closes.
        self._forming: dict[int, tuple[int, tuple]] = {}
        self.last: Decimal | None = None
        self._day: tuple | None = None      # (window start, minute, figures of closed minutes)

    def record(self, timestamp: int, side: str, price: Decimal, amount: Decimal) -> None:
        self.seq += 1
        self.trades.append((self.seq, timestamp, side, price, amount))
        self.last = price
        p, units = self._whole(price, self.tick), self._whole(amount, self.step)
        self._merge(timestamp, p, p, p, p, units, p * units)

    @staticmethod
    def _whole(value: Decimal, increment: Decimal) -> int:
        n, rest = divmod(value, increment)
        if rest:        # the engine only fills at the market's increments
            raise ValueError(f"{value} is not a multiple of {increment}")
        return int(n)

    def load_past(self, candles: dict[int, dict[int, tuple]], last: Decimal) -> None:
        """The candles before the venue opened ({timeframe ms: {start: (o, h, l, c, volume,
        quote volume)}} in ticks, steps and tick × steps, oldest first), before any trade is
        recorded."""
        for ms, buckets in candles.items():
            self.candles[ms] = dict(buckets)
        self._forming.clear()
        self.last = last
        self._day = None

    def _merge(self, t: int, o, h, lo, c, volume, quote) -> None:
        day = self._day
        if day is not None and t < day[1]:
            self._day = None                  # a closed minute changed: sum them again
        forming = self._forming
        for ms, buckets in self.candles.items():
            start = t - t % ms
            now = forming.get(ms)
            if now is not None and now[0] == start:             # the usual case
                forming[ms] = (start, merged(now[1], o, h, lo, c, volume, quote))
                continue
            newest = now[0] if now is not None else next(reversed(buckets), None)
            if newest is not None and start < newest:           # a late trade: a closed candle
                merge_candle(buckets, start, o, h, lo, c, volume, quote)
                continue
            if now is not None:                                 # the forming candle closed
                buckets[now[0]] = now[1]
            past = buckets.pop(start, None)     # the past's candle of this period (load_past)
            while len(buckets) >= KEEP_CANDLES:                 # (the forming one is the last)
                del buckets[next(iter(buckets))]
            forming[ms] = (start, merged(past, o, h, lo, c, volume, quote))

    def _all(self, timeframe_ms: int) -> dict[int, tuple]:
        """Every kept candle of a timeframe, the forming one last."""
        buckets, now = self.candles[timeframe_ms], self._forming.get(timeframe_ms)
        return buckets if now is None else {**buckets, now[0]: now[1]}

    def ohlcv(self, timeframe_ms: int, since: int | None = None,
              limit: int | None = None) -> list[Candle]:
        buckets = self._all(timeframe_ms)
        starts = sorted(buckets)
        if since is not None:
            starts = [s for s in starts if s + timeframe_ms > since]
            if limit:
                starts = starts[:limit]
        elif limit:
            starts = starts[-limit:]
        tick, step = self.tick, self.step
        return [Candle(s, o * tick, h * tick, lo * tick, c * tick, v * step)
                for s in starts for o, h, lo, c, v, _q in (buckets[s],)]

    def recent(self, limit: int | None = None) -> list[Trade]:
        if limit is None or limit >= len(self.trades):
            return self._made(self.trades)
        return self._made(list(self.trades)[-limit:]) if limit > 0 else []

    def since(self, seq: int) -> list[Trade]:
        """Trades recorded after trade number `seq` (those still kept)."""
        n = self.seq - seq
        if n <= 0:
            return []
        return self._made(list(self.trades)[-n:])

    def _made(self, rows) -> list[Trade]:
        symbol = self.symbol
        return [Trade(str(n), t, side, price, amount, symbol)
                for n, t, side, price, amount in rows]

    def day_stats(self, now: int) -> tuple[Decimal | None, ...]:
        """(open, high, low, base volume, quote volume) over the 24 h up to `now`, from the
        minute candles."""
        buckets, forming = self.candles[MINUTE_MS], self._forming.get(MINUTE_MS)
        cutoff = now - DAY_MS
        window = -(-cutoff // MINUTE_MS) * MINUTE_MS      # the first minute inside
        minute = now - now % MINUTE_MS
        if self._day is None or self._day[:2] != (window, minute):
            self._day = (window, minute, _sum(buckets, window, minute, forming))
        open_, high, low, base, quote = self._day[2]
        c = forming[1] if forming is not None and forming[0] == minute else buckets.get(minute)
        if c is not None and window <= minute:
            o, h, l, _c, v, qv = c
            open_ = o if open_ is None else open_
            high = h if high is None or h > high else high
            low = l if low is None or l < low else low
            base, quote = base + v, quote + qv
        tick = self.tick
        return (None if open_ is None else open_ * tick, None if high is None else high * tick,
                None if low is None else low * tick, base * self.step, quote * self.quote_unit)


def _sum(buckets: dict, first: int, end: int, forming: tuple | None = None):
    """(open, high, low, base, quote) of the minutes in [first, end), the forming minute
    (start, candle) included (it is newer than every minute of `buckets`)."""
    open_ = high = low = None
    base = quote = 0
    newest_first = ((start, buckets[start]) for start in reversed(buckets))
    if forming is not None:
        newest_first = chain((forming,), newest_first)
    for start, (o, h, l, _c, v, qv) in newest_first:
        if start < first:
            break
        if start >= end:
            continue
        open_ = o
        high = h if high is None or h > high else high
        low = l if low is None or l < low else low
        base += v
        quote += qv
    return open_, high, low, base, quote
