"""A small in-memory venue for session tests: scripted failures, optional streaming."""
from __future__ import annotations

import asyncio
from decimal import Decimal

from contextlib import asynccontextmanager

from exchanges import BadResponse, Market, OrderBook, Ticker

MARKETS = [Market("AAA/USD", "AAAUSD", "AAA", "USD", Decimal("0.01"), Decimal("0.001")),
           Market("BBB/USD", "BBBUSD", "BBB", "USD", Decimal("0.0001"), Decimal("1"))]


class FakeVenue:
    """Duck-typed adapter: what Session uses of the contract, with knobs for failures."""

    def __init__(self, venue_id: str = "fake", *, streams: bool = True, fail_markets: bool = False,
                 fail_stream_times: int = 0, garbage: bool = False) -> None:
        self.id = venue_id
        self.has = {"load_markets": True, "fetch_tickers": True, "fetch_ticker": True,
                    "watch_ticker": streams, "watch_tickers": streams, "fetch_order_book": True,
                    "watch_order_book": streams, "fetch_trades": False, "watch_trades": False,
                    "fetch_ohlcv": False}
        self.status_listeners = []
        self.fail_markets = fail_markets
        self.fail_stream_times = fail_stream_times
        self.garbage = garbage
        self.price = Decimal("100.00")
        self.closed = False
        self.polls = 0
        self.stalled = False            # streams stay open but send nothing
        self.watch_calls: list[list[str]] = []
        # Streams open now, and when close() came: a stream ends by unsubscribing, which takes
        # `unsubscribe_seconds` on the loop (a round trip to the venue).
        self.open_streams = 0
        self.open_at_close: int | None = None
        self.unsubscribe_seconds = 0.0

    async def __aenter__(self):
        return self

    async def close(self):
        self.closed = True
        self.open_at_close = self.open_streams

    @asynccontextmanager
    async def _stream(self):
        self.open_streams += 1
        try:
            yield
        finally:
            if self.unsubscribe_seconds:
                await asyncio.sleep(self.unsubscribe_seconds)
            self.open_streams -= 1

    async def load_markets(self, reload=False):
        if self.fail_markets:
            raise BadResponse(self.id, "could not read the venue's reply (markets)")
        return {m.symbol: m for m in MARKETS}

    def _ticker(self, symbol):
        if self.garbage:
            raise ValueError("garbage in the reply")
        return Ticker(symbol, 0, self.price - 1, self.price + 1, self.price,
                      self.price + 5, self.price - 5, Decimal("90"), Decimal("10"), Decimal("1000"))

    async def fetch_tickers(self, symbols=None):
        self.polls += 1
        self.price += Decimal("0.01")
        return {s: self._ticker(s) for s in (symbols or [m.symbol for m in MARKETS])}

    async def watch_ticker(self, symbol):
        for listener in self.status_listeners:
            listener(self.id, "live", "")
        if self.fail_stream_times > 0:
            self.fail_stream_times -= 1
            raise BadResponse(self.id, "stream frame could not be read")
        async with self._stream():
            while True:
                await asyncio.sleep(0.01)
                if self.stalled:
                    continue
                self.price += Decimal("0.01")
                yield self._ticker(symbol)

    async def watch_tickers(self, symbols):
        self.watch_calls.append(list(symbols))
        for listener in self.status_listeners:
            listener(self.id, "live", "")
        if self.fail_stream_times > 0:
            self.fail_stream_times -= 1
            raise BadResponse(self.id, "stream frame could not be read")
        async with self._stream():
            while True:
                await asyncio.sleep(0.01)
                if self.stalled:
                    continue
                self.price += Decimal("0.01")
                for symbol in symbols:
                    yield self._ticker(symbol)

    async def fetch_order_book(self, symbol, limit=None):
        return OrderBook(symbol, [(self.price - 1, Decimal(1))], [(self.price + 1, Decimal(2))])

    async def watch_order_book(self, symbol, limit=None):
        async with self._stream():
            while True:
                await asyncio.sleep(0.01)
                if self.stalled:
                    continue
                yield await self.fetch_order_book(symbol)
