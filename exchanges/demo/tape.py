"""The public record of one demo market: its recent trades, its candles and 24 h statistics.

Candles of every timeframe are kept up to date trade by trade (a bounded number per timeframe),
so `fetch_ohlcv` and the ticker's 24 h figures never rescan the trade history.
"""
from __future__ import annotations

from collections import deque
from decimal import Decimal

from ..types import Candle, Trade

__all__ = ["Tape", "TIMEFRAMES"]

TIMEFRAMES = {"1m": 60_000, "5m": 300_000, "15m": 900_000, "1h": 3_600_000,
              "4h": 14_400_000, "1d": 86_400_000}
DAY_MS = 86_400_000
_KEEP_CANDLES = 1500


class Tape:
    def __init__(self, symbol: str, max_trades: int = 2000) -> None:
        self.symbol = symbol
        self.trades: deque[Trade] = deque(maxlen=max_trades)
        self.seq = 0
        # timeframe ms → {bucket start: [open, high, low, close, base volume, quote volume]}
        self.candles: dict[int, dict[int, list]] = {ms: {} for ms in TIMEFRAMES.values()}
        self.last: Decimal | None = None

    def record(self, timestamp: int, side: str, price: Decimal, amount: Decimal) -> Trade:
        self.seq += 1
        trade = Trade(str(self.seq), timestamp, side, price, amount, self.symbol)
        self.trades.append(trade)
        self.last = price
        quote = price * amount
        for ms, buckets in self.candles.items():
            start = timestamp - timestamp % ms
            c = buckets.get(start)
            if c is None:
                buckets[start] = [price, price, price, price, amount, quote]
                if len(buckets) > _KEEP_CANDLES:
                    del buckets[min(buckets)]
            else:
                if price > c[1]:
                    c[1] = price
                elif price < c[2]:
                    c[2] = price
                c[3] = price
                c[4] += amount
                c[5] += quote
        return trade

    def ohlcv(self, timeframe_ms: int, since: int | None = None,
              limit: int | None = None) -> list[Candle]:
        buckets = self.candles[timeframe_ms]
        starts = sorted(buckets)
        if since is not None:
            starts = [s for s in starts if s + timeframe_ms > since]
            if limit:
                starts = starts[:limit]
        elif limit:
            starts = starts[-limit:]
        return [Candle(s, *buckets[s][:5]) for s in starts]

    def recent(self, limit: int | None = None) -> list[Trade]:
        if limit is None or limit >= len(self.trades):
            return list(self.trades)
        return list(self.trades)[-limit:] if limit > 0 else []

    def since(self, seq: int) -> list[Trade]:
        """Trades recorded after trade number `seq` (those still kept)."""
        n = self.seq - seq
        if n <= 0:
            return []
        return list(self.trades)[-n:]

    def day_stats(self, now: int) -> tuple[Decimal | None, ...]:
        """(open, high, low, base volume, quote volume) over the 24 h up to `now`, from the
        minute candles."""
        buckets = self.candles[60_000]
        cutoff = now - DAY_MS
        open_ = high = low = None
        base = quote = Decimal(0)
        for start in reversed(buckets):
            if start < cutoff:
                break
            if start > now:
                continue
            o, h, l, _c, v, qv = buckets[start]
            open_ = o
            high = h if high is None or h > high else high
            low = l if low is None or l < low else low
            base += v
            quote += qv
        return open_, high, low, base, quote
