"""Streams: the contract's `watch_*` iterators over the shared stream pool.

A venue declares its channels and writes small pure parsers:

    channels = {"ticker": "tickers", "trades": "trades", "book": "books"}
    stream_limits = StreamLimits(batch=50, per_second=3)
    book_snapshot = "ws"            # the snapshot comes over the websocket ("rest": fetched)
    book_sequence = "prev"          # core/book.py SEQUENCE_RULES
    def ws_subscribe(self, channel, args, subscribe) -> message(s)
    def stream_route(self, msg) -> key(s) | (key(s), payload) | Refused | None
    def parse_ws_ticker(self, payload, market) / parse_ws_trades / parse_book_frame

Here, once: the iterators, one subscription per topic shared by every watcher, many symbols
through one call (`watch_tickers`), and books: one feed per book fanned out to every watcher
(each watcher gets the latest book when it asks; frames it was too slow for are folded in,
never queued up), rebuilt from a fresh snapshot after a gap, a bad checksum, a reconnect or an
overflow — by subscribing again where the snapshot comes over the websocket, or by fetching it
where it comes from REST.
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import aclosing
from typing import ClassVar

from .. import errors as E
from ..numbers import loads
from ..types import Market, Order, OrderBook, Ticker, Trade
from .book import BookFrame, BookSync, LocalBook, OutOfSync
from .guard import from_parser
from .stream import LAGGED, RESYNC, Refused, StreamLimits, StreamPool, Topic

__all__ = ["StreamCalls", "BookWatch"]

log = logging.getLogger("exchanges")


def _items(parsed) -> list:
    if parsed is None:
        return []
    return parsed if isinstance(parsed, list) else [parsed]


class StreamCalls:
    """Mixed into `Exchange`; relies on its `market()`, `urls`, `transport`, `_hubs`, `_books`,
    `fetch_ticker()`, `fetch_order_book()` and `_emit_status()`."""

    # unified kind ("ticker", "trades", "book", "orders", "my_trades") → the venue's channel
    channels: ClassVar[Mapping[str, str]] = {}
    # The host of each kind's stream where it is not "ws" (private streams: "ws_private").
    channel_hosts: ClassVar[Mapping[str, str]] = {}
    stream_limits: ClassVar[StreamLimits] = StreamLimits()
    # "ws": the snapshot comes over the websocket when subscribed; "rest": it is fetched;
    # "connect": it is the first frame of each connection (Luno), so a resync reconnects.
    book_snapshot: ClassVar[str] = "ws"
    book_sequence: ClassVar[str | None] = None     # core/book.py SEQUENCE_RULES
    book_depths: ClassVar[tuple[int, ...]] = ()   # depths the venue's book channel offers
    book_crossed_is_gap: ClassVar[bool] = False    # no ids at all: a crossed book means a gap
    rest_book_depth: ClassVar[int | None] = None   # levels of a REST snapshot (None: default)
    # A venue whose ticker channel carries only some fields (Bitstamp: the top of the book)
    # sets this: the stream then starts from a REST ticker and each frame updates its fields.
    ticker_stream_partial: ClassVar[bool] = False
    # Seconds between the venue's application pings (`stream_ping`); a venue that closes a
    # connection quiet for less than the default (CEX.IO: 10 s) declares a shorter one.
    ws_ping_interval: ClassVar[float] = 20.0

    # -- what a venue writes -----------------------------------------------------------------
    def ws_subscribe(self, channel: str, args: list[str], subscribe: bool):
        """The message(s) that (un)subscribe `channel` for `args` (at most the venue's batch)."""
        raise E.NotSupported(self.id, "this venue has no websocket stream")

    def stream_route(self, msg: object):
        """Which topic key(s) a frame belongs to: a key, a list, (key(s), payload), a
        `Refused`, or None for a control frame."""
        return None

    def stream_ping(self) -> object | None:
        """An application-level ping, for venues that want one (None: protocol pings only)."""
        return None

    def stream_decode(self, data: str | bytes) -> object:
        """One websocket frame → a message: JSON with Decimal numbers. A venue whose frames
        are not all JSON (OKX's bare "pong") or are compressed overrides this."""
        return loads(data)

    async def stream_open(self, ws, host: str) -> None:
        """Runs right after each (re)connect, before subscribing (a login, a config frame)."""

    async def connect_url(self, host: str, url: str) -> str:
        """The URL to (re)connect `host` to; `url` is `stream_url(host)`. A venue that hands
        out a connection token first (KuCoin's bullet) overrides this; it runs before every
        connection attempt."""
        return url

    def stream_closed(self, code: int | None, frames: int) -> E.ExchangeError | None:
        """The venue closed a connection after `frames` frames: an error where that closing
        is its refusal (raised to the watchers, no reconnect), None to reconnect."""
        return None

    def ws_topic(self, kind: str, market: Market | None, depth: int | None = None) -> Topic:
        """The topic of one kind of stream for a market (None: the whole account)."""
        channel = self.channels.get(kind)
        if channel is None:
            raise E.NotSupported(self.id, f"streaming {kind.replace('_', ' ')} is not supported")
        return Topic(channel, market.id if market is not None else "")

    def book_checksum(self, book: LocalBook) -> int:
        raise NotImplementedError

    async def fetch_book_snapshot(self, market: Market, depth: int | None) -> BookFrame:
        """The REST snapshot a streamed book starts from (`book_snapshot = "rest"`): the
        contract's order book, or, where the venue streams orders (Bitso), its orders."""
        snap = await self.fetch_order_book(market.symbol, depth)
        return BookFrame(True, snap.bids, snap.asks, seq=snap.nonce, timestamp=snap.timestamp)

    def parse_ws_ticker(self, payload, market: Market):
        raise NotImplementedError

    def parse_ws_trades(self, payload, market: Market):
        raise NotImplementedError

    def parse_book_frame(self, payload, market: Market) -> BookFrame | list[BookFrame] | None:
        raise NotImplementedError

    def parse_ws_orders(self, payload):
        raise NotImplementedError

    def parse_ws_fills(self, payload):
        raise NotImplementedError

    # -- the pool ----------------------------------------------------------------------------
    def stream_host(self, kind: str, market: Market | None) -> str:
        """The host key of the connection that carries `kind` for `market`: `channel_hosts`,
        else "ws". A venue with one connection per market (Zaif names the pair in the URL)
        returns a key per market and resolves it in `stream_url`."""
        return self.channel_hosts.get(kind, "ws")

    def stream_url(self, host: str) -> str:
        """The configured URL of `host` (a per-market host resolves its market here)."""
        return self.urls[host]

    def hub(self, host: str = "ws") -> StreamPool:
        pool = self._hubs.get(host)
        if pool is None:
            try:
                url = self.stream_url(host)
            except KeyError:
                raise E.NotSupported(self.id, "this venue has no websocket stream") from None
            ping = self.stream_ping if type(self).stream_ping is not StreamCalls.stream_ping else None
            resolve = (None if type(self).connect_url is StreamCalls.connect_url
                       else lambda: self.connect_url(host, url))
            pool = StreamPool(self.id, url, lambda: self.transport.session,
                              limits=self.stream_limits, route=self.stream_route,
                              on_close=self.stream_closed,
                              build=self.ws_subscribe, heartbeat=self.ws_heartbeat, ping=ping,
                              ping_interval=self.ws_ping_interval, resolve_url=resolve,
                              on_open=lambda ws: self.stream_open(ws, host),
                              decode=self.stream_decode,
                              on_state=lambda state, detail: self._emit_status(state, detail))
            self._hubs[host] = pool
        return pool

    def ws_request(self, keys) -> int:
        """A fresh request id for a (un)subscribe message about `keys`; a refusal that echoes
        the id finds its topics with `ws_request_keys`."""
        req_id = next(self._ws_ids)
        self._ws_requests[req_id] = tuple(keys)
        if len(self._ws_requests) > 4096:           # acknowledged long ago
            for old in list(self._ws_requests)[:2048]:
                del self._ws_requests[old]
        return req_id

    def ws_request_keys(self, req_id) -> tuple[str, ...]:
        return self._ws_requests.get(req_id, ()) if isinstance(req_id, int) else ()

    def refused(self, keys, message: str, code=None) -> Refused:
        """A `Refused` for `stream_route` to return, with the venue's error mapped."""
        keys = tuple([keys] if isinstance(keys, str) else keys)
        return Refused(keys, self.error_for(code, f"subscription refused: {message}",
                                            "websocket subscribe"))

    async def _each(self, topics: list[Topic], parse, host: str = "ws"):
        """Every item `parse(key, payload)` makes of the frames of `topics`."""
        async with self.hub(host).subscribe(topics) as sub:
            async for item in sub:
                if item is RESYNC or item is LAGGED:
                    continue
                key, payload = item
                for x in _items(parse(key, payload)):
                    yield x

    # -- the contract's calls ----------------------------------------------------------------
    async def watch_ticker(self, symbol: str) -> AsyncIterator[Ticker]:
        async with aclosing(self.watch_tickers([symbol])) as tickers:
            async for t in tickers:
                yield t

    _own_watch_ticker = watch_ticker

    async def watch_tickers(self, symbols: list[str]) -> AsyncIterator[Ticker]:
        """Tickers of any of `symbols` as they come, through as few subscriptions as the venue
        allows (its batch and per-connection limits)."""
        markets = [await self.market(s) for s in symbols]
        own = type(self).watch_ticker
        hosts = {self.stream_host("ticker", m) for m in markets}
        if getattr(own, "__wrapped__", own) is not StreamCalls._own_watch_ticker or len(hosts) > 1:
            # A venue streaming its own way, or one connection per market: merged watchers.
            async with aclosing(self._merged_tickers(markets)) as merged:
                async for t in merged:
                    yield t
            return
        # Markets may share a topic (Coinbase streams BTC-USD's book for BTC/USDC too): each
        # of them gets its ticker from the topic's frames.
        topics: dict[str, tuple[Topic, list[Market]]] = {}
        for m in markets:
            topic = self.ws_topic("ticker", m)
            topics.setdefault(topic.key, (topic, []))[1].append(m)
        current: dict[str, Ticker] = {}
        if self.ticker_stream_partial:
            for m in markets:
                current[m.symbol] = t = await self.fetch_ticker(m.symbol)
                yield t

        def parse(key, payload):
            return [t for m in topics[key][1] for t in _items(self.parse_ws_ticker(payload, m))]
        frames = self._each([t for t, _ in topics.values()], parse, hosts.pop())
        async with aclosing(frames):
            async for t in frames:
                if self.ticker_stream_partial:
                    t = current[t.symbol] = dataclasses.replace(current[t.symbol], **{
                        f.name: v for f in dataclasses.fields(t)
                        if (v := getattr(t, f.name)) is not None})
                yield t

    async def _merged_tickers(self, markets: list[Market]) -> AsyncIterator[Ticker]:
        """One `watch_ticker` per market, merged; an error in any one ends the whole watch."""
        queue: asyncio.Queue = asyncio.Queue()

        async def pump(symbol: str) -> None:
            try:
                async with aclosing(self.watch_ticker(symbol)) as tickers:
                    async for t in tickers:
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

    async def watch_trades(self, symbol: str) -> AsyncIterator[Trade]:
        market = await self.market(symbol)
        topic = self.ws_topic("trades", market)
        items = self._each([topic], lambda k, p: self.parse_ws_trades(p, market),
                           self.stream_host("trades", market))
        async with aclosing(items):
            async for t in items:
                yield t

    async def watch_orders(self, symbol: str | None = None) -> AsyncIterator[Order]:
        market = await self.market(symbol) if symbol else None
        await self.load_markets()
        self.require_credentials()
        topic = self.ws_topic("orders", None)
        items = self._each([topic], lambda k, p: self.parse_ws_orders(p),
                           self.stream_host("orders", None))
        async with aclosing(items):
            async for o in items:
                if market is None or o.symbol == market.symbol:
                    yield o

    async def watch_my_trades(self, symbol: str | None = None) -> AsyncIterator[Trade]:
        market = await self.market(symbol) if symbol else None
        await self.load_markets()
        self.require_credentials()
        topic = self.ws_topic("my_trades", None)
        items = self._each([topic], lambda k, p: self.parse_ws_fills(p),
                           self.stream_host("my_trades", None))
        async with aclosing(items):
            async for t in items:
                if market is None or t.symbol == market.symbol:
                    yield t

    def book_depth(self, limit: int | None) -> int | None:
        """The venue's book depth to subscribe for a watcher wanting `limit` levels."""
        if not self.book_depths:
            return None
        return next((d for d in self.book_depths if limit is not None and d >= limit),
                    self.book_depths[-1])

    async def watch_order_book(self, symbol: str, limit: int | None = None
                               ) -> AsyncIterator[OrderBook]:
        market = await self.market(symbol)
        if "book" not in self.channels:
            raise E.NotSupported(self.id, "streaming order books is not supported")
        depth = self.book_depth(limit)
        key = (market.id, depth)
        watch = self._books.get(key)
        if watch is None or watch.closed:
            watch = self._books[key] = BookWatch(self, market, depth)
        watch.watchers += 1
        try:
            seen = 0
            while True:
                seen = await watch.newer_than(seen)
                yield watch.snapshot(limit)
        finally:
            watch.watchers -= 1
            if watch.watchers == 0:
                self._books.pop(key, None)
                await watch.close()


class BookWatch:
    """One venue book kept by one task and shared by every watcher of it."""

    resync_limit = 5        # resyncs in a row without a good frame before watchers are told

    def __init__(self, ex, market: Market, depth: int | None) -> None:
        self.ex, self.market = ex, market
        self.topic = ex.ws_topic("book", market, depth)
        self.sync = BookSync(market.symbol, sequence=ex.book_sequence, depth=depth,
                             checksum=(ex.book_checksum if type(ex).book_checksum
                                       is not StreamCalls.book_checksum else None),
                             crossed_is_gap=ex.book_crossed_is_gap)
        self.version = 0
        self.error: E.ExchangeError | None = None
        self.watchers = 0
        self.closed = False
        self._changed = asyncio.Event()
        self._cache: dict[int | None, tuple[int, OrderBook]] = {}
        self._snapshot_due = False
        self._task = asyncio.ensure_future(self._run())

    async def newer_than(self, seen: int) -> int:
        """Wait for a book newer than version `seen`; the watch's error is raised here."""
        while (self.version <= seen or not self.sync.synced) and self.error is None:
            await self._changed.wait()
        if self.error is not None:
            raise self.error
        return self.version

    def snapshot(self, limit: int | None) -> OrderBook:
        """The current book (top `limit` levels), made once per version and limit."""
        cached = self._cache.get(limit)
        if cached is None or cached[0] != self.version:
            cached = self._cache[limit] = (self.version, self.sync.book.snapshot(limit))
        return cached[1]

    def _publish(self) -> None:
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    def _fail(self, error: E.ExchangeError) -> None:
        self.error = error
        self._changed.set()

    async def close(self) -> None:
        self.closed = True
        self._task.cancel()
        try:
            await self._task
        except (asyncio.CancelledError, Exception):
            pass
        # Every watcher has had the error. It leads (through what it was raised over) to
        # `_run`'s frame, which holds this watch: kept here, that cycle would wait for a full
        # garbage collection with the closed connection inside it.
        self.error = None

    async def _run(self) -> None:
        ex = self.ex
        pool = ex.hub(ex.stream_host("book", self.market))
        try:
            async with pool.subscribe([self.topic]) as sub:
                await self._fetch_snapshot()        # frames queue up meanwhile
                failures = 0
                async for item in sub:
                    if item is RESYNC or item is LAGGED:
                        await self._resync(pool, resubscribe=item is LAGGED, why=repr(item))
                        continue
                    changed = False
                    if self._snapshot_due:
                        await self._fetch_snapshot(live=True)
                        changed = True          # whole from here on: shown with this frame
                    try:
                        for frame in _items(ex.parse_book_frame(item[1], self.market)):
                            changed = self.sync.apply(frame) or changed
                    except OutOfSync as exc:
                        failures += 1
                        await self._resync(pool, True, str(exc), failures)
                        continue
                    except Exception as exc:
                        if not from_parser(exc):
                            raise
                        failures += 1
                        log.warning("%s: unreadable %s book frame (%s: %s)", ex.id,
                                    self.market.symbol, type(exc).__name__, str(exc)[:80])
                        await self._resync(pool, True, "unreadable frame", failures)
                        continue
                    if changed and self.sync.synced:
                        failures = 0
                        self._publish()
        except asyncio.CancelledError:
            raise
        except E.ExchangeError as exc:
            self._fail(exc)
        except Exception as exc:
            if not from_parser(exc):
                log.exception("%s: %s book feed failed", ex.id, self.market.symbol)
            self._fail(E.BadResponse(ex.id, f"the {self.market.symbol} book stream failed "
                                            f"({type(exc).__name__}: {str(exc)[:80]})",
                                     endpoint="websocket"))

    async def _fetch_snapshot(self, live: bool = False) -> None:
        """A REST snapshot, with the frames that queue up meanwhile applied over it.

        Where deltas carry no sequence that would show what a snapshot missed (rules None and
        "time": Bitstamp), it is fetched only once the subscription is `live` (its first delta
        is in): taken earlier, it may predate the subscription, and the changes between the two
        would be lost without a trace. ("range" ids, Binance's, show such a gap: a resync.)"""
        if self.ex.book_snapshot != "rest":
            return
        self._snapshot_due = not live and self.ex.book_sequence in (None, "time")
        if not self._snapshot_due:
            self.sync.apply(await self.ex.fetch_book_snapshot(
                self.market, self.sync.depth or self.ex.rest_book_depth))

    async def _resync(self, pool: StreamPool, resubscribe: bool, why: str,
                      failures: int = 0) -> None:
        """Start the book over: a fresh snapshot, by subscribing again (websocket snapshots)
        or fetching it (REST snapshots). After a reconnect the hub has subscribed again."""
        ex = self.ex
        if failures > self.resync_limit:
            raise E.BadResponse(ex.id, f"the {self.market.symbol} book keeps falling out of "
                                       f"sync ({why})", endpoint="websocket")
        if failures:
            log.warning("%s: %s book out of sync (%s); resyncing", ex.id, self.market.symbol,
                        why)
            ex._emit_status("resync", f"{self.market.symbol} book: {why}; resyncing")
        self.sync.reset()
        if ex.book_snapshot == "connect":
            if resubscribe:             # after a reconnect the snapshot is on its way
                pool.reconnect([self.topic.key])
        elif ex.book_snapshot == "ws":
            if resubscribe:
                await pool.resubscribe([self.topic.key])
        else:   # after a reconnect (no resubscribe) the subscription is on its way again
            await self._fetch_snapshot(live=resubscribe)
