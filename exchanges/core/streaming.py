"""Streams: the contract's `watch_*` iterators over the shared websocket hub.

`StreamCalls` is the part of the adapter base that streams. A venue declares how to route its
frames (`stream_route`), what to subscribe to (`_ticker_stream`, `_trades_stream`) and how to
keep a book (`_book_feed`, a `BookFeed`); the iterators, reconnects and book resyncs live here.
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from typing import ClassVar

from .. import errors as E
from ..numbers import loads
from ..types import Market, Order, OrderBook, Ticker, Trade
from .book import BookFeed, OutOfSync
from .stream import RESYNC, StreamHub

__all__ = ["StreamCalls"]

log = logging.getLogger("exchanges")


class StreamCalls:
    """Mixed into `Exchange`; relies on its `market()`, `urls`, `transport`, `_hubs`,
    `fetch_ticker()` and `_emit_status()`."""

    def stream_route(self, msg: object):
        """Which subscription key a frame belongs to (None: control frame). Venues override."""
        return None

    def stream_ping(self) -> object | None:
        """An application-level ping, for venues that want one (None: protocol pings only)."""
        return None

    def stream_decode(self, data: str | bytes) -> object:
        """One websocket frame → a message: JSON with Decimal numbers. A venue whose frames
        are not all JSON (OKX's bare "pong") or are compressed overrides this."""
        return loads(data)

    async def stream_open(self, ws) -> None:
        """Runs right after each (re)connect, before subscribing (e.g. authentication)."""

    def hub(self, host: str = "ws") -> StreamHub:
        hub = self._hubs.get(host)
        if hub is None:
            try:
                url = self.urls[host]
            except KeyError:
                raise E.NotSupported(self.id, "this venue has no websocket stream") from None
            ping = self.stream_ping if type(self).stream_ping is not StreamCalls.stream_ping else None
            hub = StreamHub(self.id, url, lambda: self.transport.session,
                            route=self.stream_route, heartbeat=self.ws_heartbeat, ping=ping,
                            on_open=self.stream_open, decode=self.stream_decode,
                            on_state=lambda state, detail: self._emit_status(state, detail))
            self._hubs[host] = hub
        return hub

    async def _watch(self, key: str, subscribe: object, unsubscribe: object | None,
                     parse: Callable[[object], object], host: str = "ws"):
        """Yield `parse(frame)` for every frame of one subscription (None results skipped)."""
        async with self.hub(host).subscribe(key, subscribe, unsubscribe) as sub:
            async for msg in sub:
                if msg is RESYNC:
                    continue
                item = parse(msg)
                if item is None:
                    continue
                if isinstance(item, list):
                    for x in item:
                        yield x
                else:
                    yield item

    def _ticker_stream(self, market: Market) -> tuple[str, object, object | None, Callable]:
        """(key, subscribe message, unsubscribe message, parse) of the ticker channel."""
        raise E.NotSupported(self.id, "streaming tickers is not supported")

    def _trades_stream(self, market: Market) -> tuple[str, object, object | None, Callable]:
        raise E.NotSupported(self.id, "streaming trades is not supported")

    def _book_feed(self, market: Market, limit: int | None) -> BookFeed:
        raise E.NotSupported(self.id, "streaming order books is not supported")

    # A venue whose ticker channel carries only some fields (Bitstamp: the top of the book)
    # sets this: the stream then starts from a REST ticker and each frame updates its fields.
    ticker_stream_partial: ClassVar[bool] = False

    async def watch_ticker(self, symbol: str) -> AsyncIterator[Ticker]:
        market = await self.market(symbol)
        key, sub, unsub, parse = self._ticker_stream(market)
        current = await self.fetch_ticker(symbol) if self.ticker_stream_partial else None
        if current is not None:
            yield current
        async for t in self._watch(key, sub, unsub, parse):
            if current is not None:
                t = current = dataclasses.replace(current, **{
                    f.name: v for f in dataclasses.fields(t)
                    if (v := getattr(t, f.name)) is not None})
            yield t

    async def watch_tickers(self, symbols: list[str]) -> AsyncIterator[Ticker]:
        """Tickers of any of `symbols` as they come. This default merges one `watch_ticker`
        per symbol; an error in any of them ends the whole watch with that error."""
        markets = [await self.market(s) for s in symbols]
        queue: asyncio.Queue = asyncio.Queue()

        async def pump(symbol: str) -> None:
            try:
                async for t in self.watch_ticker(symbol):
                    await queue.put(t)
            except BaseException as exc:       # handed to the consumer, which re-raises it
                await queue.put(exc)

        tasks = [asyncio.ensure_future(pump(m.symbol)) for m in markets]
        try:
            while True:
                item = await queue.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def watch_orders(self, symbol: str | None = None) -> AsyncIterator[Order]:
        raise E.NotSupported(self.id, "streaming the account's orders is not supported")
        yield  # pragma: no cover - makes this an async generator

    async def watch_my_trades(self, symbol: str | None = None) -> AsyncIterator[Trade]:
        raise E.NotSupported(self.id, "streaming the account's fills is not supported")
        yield  # pragma: no cover

    async def watch_trades(self, symbol: str) -> AsyncIterator[Trade]:
        market = await self.market(symbol)
        key, sub, unsub, parse = self._trades_stream(market)
        async for t in self._watch(key, sub, unsub, parse):
            yield t

    async def watch_order_book(self, symbol: str, limit: int | None = None
                               ) -> AsyncIterator[OrderBook]:
        market = await self.market(symbol)
        feed = self._book_feed(market, limit)
        hub = self.hub(feed.host)
        async with hub.subscribe(feed.key, feed.subscribe, feed.unsubscribe) as sub:
            await feed.start()
            async for msg in sub:
                if msg is RESYNC:
                    feed.reset()
                    if not feed.resync_by_resubscribe:
                        await feed.start()
                    continue
                try:
                    changed = feed.apply(msg)
                except OutOfSync as exc:
                    log.warning("%s: %s book out of sync (%s); resyncing", self.id, symbol, exc)
                    self._emit_status("resync", f"{symbol} book: {exc}; resyncing")
                    feed.reset()
                    if feed.resync_by_resubscribe:
                        await hub.resubscribe(feed.key)
                    else:
                        await feed.start()
                    continue
                if changed:
                    yield feed.book.snapshot(limit)
