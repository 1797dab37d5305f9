"""Websocket streams: shared connections, batched and paced subscriptions, never a silent hang.

`StreamPool` is one websocket URL of one adapter. It hands out subscriptions to *topics*
(a venue channel and its argument, e.g. ("tickers", "BTC-USDT")); every watcher of a topic
shares one subscription at the venue. Topics go to `StreamHub`s, one connection each, up to the
venue's documented topics per connection (then the pool opens another: sharding). Each hub
sends the subscriptions the venue asks for in batches (`batch` topics per message, where the
venue accepts lists) and paced (`per_second` messages), routes every frame to the topics it
belongs to, and when the connection drops or goes silent longer than the venue's heartbeat it
reconnects with exponential backoff and jitter and subscribes again.

What a watcher is told, besides its data:
- `RESYNC` after a reconnect (the subscriptions were sent again): state built from deltas (a
  book) is rebuilt, never patched across a gap.
- `LAGGED` when it fell so far behind that its queue overflowed: it must ask for fresh state
  itself (a book resubscribes or refetches its snapshot).
- an `ExchangeError`, raised from its iterator, when the venue refused its subscription, when
  logging in failed, or when the connection could not be made again after `max_failures`
  attempts in a row. Any other exception while connecting or reading is logged and recovered by
  reconnecting; a malformed frame is skipped and logged. Nothing ends a watch silently.

What a venue scopes to one connection (Bitfinex's channel ids and its connection-wide sequence
numbers) lives in that connection's `venue_state`, emptied on every (re)connect: `connection()` is
the hub whose frame is being routed, whose message is being built, or which is opening.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import aiohttp

from .. import errors as E
from ..numbers import loads

__all__ = ["StreamPool", "StreamHub", "Subscription", "Topic", "Refused", "StreamLimits",
           "RESYNC", "LAGGED", "StreamState", "connection"]

log = logging.getLogger("exchanges.stream")


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_connection: contextvars.ContextVar["StreamHub | None"] = contextvars.ContextVar(
    "stream_connection", default=None)


def connection() -> "StreamHub | None":
    """The connection at work in this task (see the module docstring); None outside one."""
    return _connection.get()


RESYNC = _Marker("RESYNC")   # reconnected and subscribed again: rebuild state from scratch
LAGGED = _Marker("LAGGED")   # this watcher's queue overflowed: it must ask for fresh state


class StreamState:
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Topic:
    """One venue subscription: `channel` and its `arg` (a market id, often); `key` names the
    frames that belong to it (what the venue's `stream_route` returns)."""
    channel: str
    arg: str = ""
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", f"{self.channel}:{self.arg}" if self.arg
                               else self.channel)


@dataclass(frozen=True, slots=True)
class Refused:
    """What `stream_route` returns for a frame refusing subscriptions: the keys it names (or
    the topics of a request id the venue echoes, resolved by the adapter) and why."""
    keys: tuple[str, ...]
    error: E.ExchangeError


@dataclass(frozen=True, slots=True)
class StreamLimits:
    """A venue's documented websocket limits. batch: topics per subscribe message (1 where the
    venue takes one at a time); per_second: messages a connection may send per second;
    per_connection: topics one connection may carry (more open another connection)."""
    batch: int = 1
    per_second: float | None = None
    per_connection: int | None = None


@dataclass(eq=False)
class Subscription:
    """One watcher's view: `(key, payload)` items, RESYNC/LAGGED markers, or a raised error."""
    topics: tuple[Topic, ...]
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(maxsize=10_000))

    def __aiter__(self) -> AsyncIterator[object]:
        return self._iter()

    async def _iter(self):
        while True:
            item = await self.queue.get()
            if isinstance(item, E.ExchangeError):
                raise item
            yield item

    def put(self, item: object) -> None:
        if isinstance(item, E.ExchangeError):
            self._drain()                     # the error goes first: nothing after it matters
            self.queue.put_nowait(item)
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            # A consumer this far behind would only see stale data: start it over.
            self._drain()
            self.queue.put_nowait(LAGGED)

    def _drain(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()


Route = Callable[[object], "None | str | list[str] | tuple | Refused"]
Builder = Callable[[str, list[str], bool], "object | list[object] | None"]

_FATAL = (E.AuthenticationError, E.NotSupported, E.BadSymbol)


class StreamHub:
    """One websocket connection of one adapter (the pool may hold several)."""

    max_failures = 8        # connection attempts in a row before watchers are told

    def __init__(self, exchange: str, url: str, session: Callable[[], aiohttp.ClientSession],
                 *, route: Route, build: Builder, limits: StreamLimits = StreamLimits(),
                 heartbeat: float = 30.0, ping: Callable[[], object] | None = None,
                 ping_interval: float = 20.0,
                 on_open: Callable[[aiohttp.ClientWebSocketResponse], Awaitable[None]] | None
                 = None,
                 on_state: Callable[[str, str], None] | None = None,
                 decode: Callable[[str], object] = loads,
                 resolve_url: Callable[[], Awaitable[str]] | None = None,
                 on_close: Callable[[int | None, int], E.ExchangeError | None] | None = None,
                 backoff: tuple[float, float] = (0.2, 15.0)) -> None:
        self.exchange = exchange
        self.url = url
        self._session = session
        self._route = route
        self._build = build
        self.limits = limits
        self.heartbeat = heartbeat            # silence longer than this means a dead connection
        self._ping = ping
        self._ping_interval = ping_interval
        self._on_open = on_open
        self._on_state = on_state
        self._decode = decode
        self._resolve_url = resolve_url       # a fresh URL per connection (a token), or None
        self._on_close = on_close
        self._backoff = backoff
        self.topics: dict[str, Topic] = {}
        self._subs: dict[str, list[Subscription]] = {}
        self._pending: list[tuple[Topic, bool]] = []     # (topic, subscribe?) to send
        self._wake_sender = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._sent_at: list[float] = []                 # send times, for pacing
        self.state = StreamState.CLOSED
        self.reconnects = 0
        self.last_frame: float | None = None           # time.monotonic() of the last frame
        self._watchdog: asyncio.TimerHandle | None = None   # the silence check (one a connection)
        self.venue_state: dict = {}     # what the venue keeps per connection, fresh each connect

    # -- subscriptions -----------------------------------------------------------------------
    @property
    def load(self) -> int:
        return len(self.topics)

    def add(self, sub: Subscription) -> None:
        for topic in sub.topics:
            subs = self._subs.setdefault(topic.key, [])
            subs.append(sub)
            if topic.key not in self.topics:
                self.topics[topic.key] = topic
                self._queue_send(topic, True)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"{self.exchange} stream")

    async def remove(self, sub: Subscription) -> None:
        for topic in sub.topics:
            subs = self._subs.get(topic.key, [])
            if sub in subs:
                subs.remove(sub)
            if not subs and topic.key in self.topics:
                self._subs.pop(topic.key, None)
                del self.topics[topic.key]
                self._pending = [(t, s) for t, s in self._pending if t.key != topic.key]
                if self.connected:
                    self._queue_send(topic, False)
        if not self.topics:
            await self.close()

    def _queue_send(self, topic: Topic, subscribe: bool) -> None:
        self._pending.append((topic, subscribe))
        self._wake_sender.set()

    async def resubscribe(self, keys: Iterable[str]) -> None:
        """Ask the venue for these topics again (a fresh snapshot, e.g. after a checksum
        mismatch): unsubscribe then subscribe, through the paced sender."""
        for key in keys:
            topic = self.topics.get(key)
            if topic is not None and self.connected:
                self._queue_send(topic, False)
                self._queue_send(topic, True)

    def refuse(self, keys: Iterable[str], error: E.ExchangeError) -> None:
        """The venue refused these topics: their watchers get `error`, and they are dropped
        (not subscribed again on the next reconnect)."""
        for key in keys:
            for sub in self._subs.pop(key, ()):
                sub.put(error)
            self.topics.pop(key, None)

    def resync_all(self) -> None:
        """A gap in a connection-wide sequence: every topic's state is suspect."""
        self._broadcast(RESYNC)

    def _broadcast(self, item: object) -> None:
        seen: set[int] = set()
        for subs in list(self._subs.values()):
            for sub in subs:
                if id(sub) not in seen:
                    seen.add(id(sub))
                    sub.put(item)

    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._ws.closed

    async def send(self, message: object) -> None:
        """Send a message as soon as the connection is up (e.g. a login reply)."""
        if self.connected:
            await self._send(message)

    async def _send(self, message: object) -> None:
        assert self._ws is not None
        if callable(message):   # built when sent: e.g. an unsubscribe naming a server channel id
            message = message()
            if message is None:
                return
        text = message if isinstance(message, str) else json.dumps(message, default=str)
        await self._pace()
        await self._ws.send_str(text)

    async def _pace(self) -> None:
        rate = self.limits.per_second
        if not rate:
            return
        now = time.monotonic()
        window = [t for t in self._sent_at if now - t < 1.0]
        if len(window) >= rate:
            await asyncio.sleep(1.0 - (now - window[0]) + 0.001)
        self._sent_at = [t for t in window if time.monotonic() - t < 1.0]
        self._sent_at.append(time.monotonic())

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._ws is not None and not self._ws.closed:
            with contextlib.suppress(Exception):
                await self._ws.close()
        self._ws = None
        self._set_state(StreamState.CLOSED, "")

    def force_reconnect(self) -> None:
        """Drop the connection (e.g. the venue asked us to reconnect); the run loop reconnects."""
        if self._ws is not None and not self._ws.closed:
            asyncio.get_running_loop().create_task(self._ws.close())

    # -- the connection loop -----------------------------------------------------------------
    def _set_state(self, state: str, detail: str) -> None:
        if state == self.state and not detail:
            return
        self.state = state
        if self._on_state:
            try:
                self._on_state(state, detail)
            except Exception:  # a listener's bug must not kill the stream
                log.exception("%s: stream state listener failed", self.exchange)

    async def _run(self) -> None:
        _connection.set(self)       # this task's context, and its helper tasks' copies
        failures = 0
        first = True
        while self.topics:
            self._set_state(StreamState.CONNECTING if first else StreamState.RECONNECTING, "")
            started = time.monotonic()
            try:
                await self._connect_and_read(resync=not first)
                reason = "the venue closed the connection"
            except asyncio.CancelledError:
                raise
            except _FATAL as exc:
                log.warning("%s: stream stopped: %s", self.exchange, exc)
                self._broadcast(exc)
                self._subs.clear()
                self.topics.clear()
                break
            except E.ExchangeError as exc:
                reason = exc.reason
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                reason = f"{type(exc).__name__}: {exc}"[:200]
            except Exception as exc:          # a bug: keep the watchers, say it, reconnect
                log.exception("%s: unexpected error in the stream", self.exchange)
                reason = f"{type(exc).__name__}: {exc}"[:200]
            finally:
                if self._ws is not None and not self._ws.closed:
                    with contextlib.suppress(Exception):
                        await self._ws.close()
                self._ws = None
            if not self.topics:
                break
            # A connection that stayed up a while resets the count; a flapping one does not.
            lived = time.monotonic() - started
            failures = 1 if lived > max(self.heartbeat, 5.0) else failures + 1
            if failures >= self.max_failures:
                err = E.ExchangeNotAvailable(
                    self.exchange, f"the stream could not be kept open ({reason}); gave up "
                                   f"after {failures} attempts", endpoint="websocket")
                log.warning("%s", err)
                self._broadcast(err)
                self._subs.clear()
                self.topics.clear()
                break
            first = False
            self.reconnects += 1
            lo, hi = self._backoff
            delay = min(hi, lo * 2 ** min(failures, 10)) * (0.5 + random.random() / 2)
            log.warning("%s: stream dropped (%s); reconnecting in %.2f s",
                        self.exchange, reason, delay)
            self._set_state(StreamState.RECONNECTING, f"{reason}; retrying in {delay:.1f} s")
            await asyncio.sleep(delay)
        self._set_state(StreamState.CLOSED, "")

    async def _connect_and_read(self, resync: bool) -> None:
        url = await self._resolve_url() if self._resolve_url is not None else self.url
        ws = await self._session().ws_connect(url, heartbeat=None, autoping=True,
                                              timeout=aiohttp.ClientWSTimeout(ws_close=2.0))
        self._ws = ws
        self._sent_at = []
        self.venue_state = {}
        if self._on_open is not None:
            await self._on_open(ws)
        self._pending = [(t, True) for t in self.topics.values()]
        self._set_state(StreamState.LIVE, "")
        if resync:
            self._broadcast(RESYNC)
        helpers = [asyncio.get_running_loop().create_task(self._sender())]
        if self._ping is not None:
            helpers.append(asyncio.get_running_loop().create_task(self._pinger(ws)))
        frames = 0
        self.last_frame = time.monotonic()
        loop = asyncio.get_running_loop()
        silence: asyncio.Timeout | None = None
        try:
            # A connection silent for longer than the heartbeat is dead: TimeoutError. One
            # timer per heartbeat checks it, not a timeout per read (that made and cancelled a
            # timer per frame: a tenth of the app's time with every venue streaming).
            async with asyncio.timeout(None) as silence:
                self._watchdog = loop.call_later(self.heartbeat, self._check_silence, silence,
                                                 loop)
                while True:
                    msg = await ws.receive()
                    if msg.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                        self.last_frame = time.monotonic()
                        frames += 1
                        self._dispatch(msg.data)
                    elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING,
                                      aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        refused = self._on_close(ws.close_code, frames) \
                            if self._on_close else None
                        if refused is not None:     # the venue refuses by closing: no retry
                            log.warning("%s", refused)
                            self._broadcast(refused)
                            self._subs.clear()
                            self.topics.clear()
                        return
                    for task in helpers:
                        if task.done() and not task.cancelled() and task.exception():
                            raise task.exception()
        except TimeoutError:
            if silence is None or not silence.expired():
                raise                           # another timeout (a helper's), as it was
            raise E.RequestTimeout(self.exchange, f"no data for {self.heartbeat:g} s",
                                   endpoint="websocket") from None
        finally:
            if self._watchdog is not None:
                self._watchdog.cancel()
            for task in helpers:
                task.cancel()

    def _check_silence(self, silence: asyncio.Timeout, loop) -> None:
        """Expire `silence` (the read loop ends with TimeoutError) if no frame came for a
        heartbeat, else look again a heartbeat after the last frame."""
        quiet = time.monotonic() - (self.last_frame or 0.0)
        if quiet >= self.heartbeat:
            silence.reschedule(loop.time())
        elif not silence.expired():
            self._watchdog = loop.call_later(self.heartbeat - quiet, self._check_silence,
                                             silence, loop)

    async def _sender(self) -> None:
        """Send what is pending, topics of one channel batched, at the venue's pace."""
        while True:
            if not self._pending:
                self._wake_sender.clear()
                await self._wake_sender.wait()
                continue
            topic, subscribe = self._pending[0]
            same = [(t, s) for t, s in self._pending if s == subscribe
                    and t.channel == topic.channel][: max(1, self.limits.batch)]
            for item in same:
                self._pending.remove(item)
            messages = self._build(topic.channel, [t.arg for t, _ in same], subscribe)
            for message in messages if isinstance(messages, list) else [messages]:
                if message is not None:
                    await self._send(message)

    async def _pinger(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        with contextlib.suppress(Exception):
            while not ws.closed:
                await asyncio.sleep(self._ping_interval)
                msg = self._ping()
                await ws.send_str(msg if isinstance(msg, str) else json.dumps(msg))

    def _dispatch(self, data: str | bytes) -> None:
        try:
            msg = self._decode(data)
        except (ValueError, RecursionError, UnicodeDecodeError):
            log.warning("%s: ignored a malformed stream frame (%d bytes)",
                        self.exchange, len(data))
            return
        try:
            routed = self._route(msg)
        except E.ExchangeError as exc:
            log.warning("%s", exc)
            return
        except Exception:  # a frame of an unexpected shape: skip it, keep the stream
            log.warning("%s: ignored a stream frame of unexpected shape", self.exchange)
            return
        if routed is None:
            return
        if isinstance(routed, Refused):
            log.warning("%s", routed.error)
            self.refuse(routed.keys, routed.error)
            return
        if isinstance(routed, tuple):
            key, item = routed
        else:
            key, item = routed, msg
        for k in key if isinstance(key, list) else [key]:
            if isinstance(item, E.ExchangeError):       # an error for this topic's watchers
                self.refuse([k], item)
                continue
            for sub in self._subs.get(k, ()):
                sub.put((k, item))


class StreamPool:
    """Every connection to one websocket URL of one adapter; topics sharded over them."""

    def __init__(self, exchange: str, url: str, session: Callable[[], aiohttp.ClientSession],
                 *, limits: StreamLimits = StreamLimits(), **hub_options) -> None:
        self.exchange, self.url, self._session = exchange, url, session
        self.limits = limits
        self._options = hub_options
        self.hubs: list[StreamHub] = []

    def _hub_for(self, topic: Topic, planned: dict[int, list[Topic]]) -> StreamHub:
        """The connection that carries `topic` already, else one with room, else a new one."""
        for hub in self.hubs:
            if topic.key in hub.topics or topic in planned.get(id(hub), ()):
                return hub
        cap = self.limits.per_connection
        for hub in self.hubs:
            if cap is None or hub.load + len(planned.get(id(hub), ())) < cap:
                return hub
        hub = StreamHub(self.exchange, self.url, self._session, limits=self.limits,
                        **self._options)
        self.hubs.append(hub)
        return hub

    @contextlib.asynccontextmanager
    async def subscribe(self, topics: Iterable[Topic]):
        """A subscription to `topics` (possibly over several connections) for one watcher:
        iterate it for `(key, payload)` items and markers; an error is raised from it."""
        planned: dict[int, list[Topic]] = {}
        hubs: dict[int, StreamHub] = {}
        for topic in dict.fromkeys(topics):
            hub = self._hub_for(topic, planned)
            planned.setdefault(id(hub), []).append(topic)
            hubs[id(hub)] = hub
        sub = Subscription(tuple(t for ts in planned.values() for t in ts))
        parts = [(hubs[i], Subscription(tuple(ts), sub.queue)) for i, ts in planned.items()]
        for hub, part in parts:
            hub.add(part)
        try:
            yield sub
        finally:
            for hub, part in parts:
                await hub.remove(part)
            self.hubs = [h for h in self.hubs if h.topics]

    def hub_of(self, key: str) -> StreamHub | None:
        return next((h for h in self.hubs if key in h.topics), None)

    async def resubscribe(self, keys: Iterable[str]) -> None:
        for key in keys:
            hub = self.hub_of(key)
            if hub is not None:
                await hub.resubscribe([key])

    def reconnect(self, keys: Iterable[str]) -> None:
        """Drop the connections carrying `keys`: where a venue sends its snapshot on
        connect, not on subscribe (Luno), a new connection is the fresh snapshot."""
        for key in keys:
            hub = self.hub_of(key)
            if hub is not None:
                hub.force_reconnect()

    def refuse(self, keys: Iterable[str], error: E.ExchangeError) -> None:
        for key in list(keys):
            hub = self.hub_of(key)
            if hub is not None:
                hub.refuse([key], error)

    def resync_all(self) -> None:
        for hub in self.hubs:
            hub.resync_all()

    def force_reconnect(self) -> None:
        for hub in self.hubs:
            hub.force_reconnect()

    @property
    def state(self) -> str:
        if not self.hubs:
            return StreamState.CLOSED
        states = {h.state for h in self.hubs}
        for s in (StreamState.RECONNECTING, StreamState.CONNECTING, StreamState.LIVE):
            if s in states:
                return s
        return StreamState.CLOSED

    async def close(self) -> None:
        for hub in self.hubs:
            await hub.close()
        self.hubs.clear()
