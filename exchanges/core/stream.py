"""Websocket streams: one connection per venue host, shared by every subscription on it.

The hub connects on the first subscription, sends each subscription's message, routes every
frame to the subscriptions it belongs to, and when the connection drops or goes silent for
longer than the venue's heartbeat it reconnects with exponential backoff and jitter and sends
the subscriptions again. Each subscriber receives `RESYNC` after a reconnect, so that state
built from deltas (an order book) is rebuilt, never patched across a gap.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

from .. import errors as E
from ..numbers import loads

__all__ = ["StreamHub", "Subscription", "RESYNC", "StreamState"]

log = logging.getLogger("exchanges.stream")


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


RESYNC = _Marker("RESYNC")   # the connection was re-established: rebuild state from scratch


class StreamState:
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    CLOSED = "closed"


Route = Callable[[object], "str | None | tuple[str, E.ExchangeError] | list[str]"]


@dataclass(eq=False)
class Subscription:
    key: str
    subscribe: object                 # message sent on every (re)connect
    unsubscribe: object | None
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
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            # A consumer that fell this far behind would only see stale data: start it over.
            self.queue = asyncio.Queue(maxsize=self.queue.maxsize)
            self.queue.put_nowait(RESYNC)


class StreamHub:
    """One websocket URL of one adapter."""

    def __init__(self, exchange: str, url: str, session: Callable[[], aiohttp.ClientSession], *,
                 route: Route, heartbeat: float = 30.0,
                 ping: Callable[[], object] | None = None, ping_interval: float = 20.0,
                 on_open: Callable[[aiohttp.ClientWebSocketResponse], Awaitable[None]] | None
                 = None,
                 on_state: Callable[[str, str], None] | None = None,
                 decode: Callable[[str], object] = loads,
                 backoff: tuple[float, float] = (0.2, 15.0)) -> None:
        self.exchange = exchange
        self.url = url
        self._session = session
        self._route = route
        self.heartbeat = heartbeat            # silence longer than this means a dead connection
        self._ping = ping
        self._ping_interval = ping_interval
        self._on_open = on_open
        self._on_state = on_state
        self._decode = decode
        self._backoff = backoff
        self._subs: dict[str, list[Subscription]] = {}
        self._task: asyncio.Task | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._connected = asyncio.Event()
        self.state = StreamState.CLOSED
        self.reconnects = 0

    # -- subscriptions -----------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def subscribe(self, key: str, message: object, unsubscribe: object | None = None):
        sub = Subscription(key, message, unsubscribe)
        first_for_key = key not in self._subs
        self._subs.setdefault(key, []).append(sub)
        try:
            if self._task is None or self._task.done():
                self._task = asyncio.get_running_loop().create_task(
                    self._run(), name=f"{self.exchange} stream")
            elif first_for_key and self._ws is not None and not self._ws.closed:
                await self._send(message)
            yield sub
        finally:
            subs = self._subs.get(key, [])
            if sub in subs:
                subs.remove(sub)
            if not subs:
                self._subs.pop(key, None)
                if unsubscribe is not None and self._ws is not None and not self._ws.closed:
                    with contextlib.suppress(Exception):
                        await self._send(unsubscribe)
            if not self._subs:
                await self.close()

    async def resubscribe(self, key: str) -> None:
        """Ask the venue for the channel again (a fresh snapshot), e.g. after a checksum error."""
        subs = self._subs.get(key)
        if not subs or self._ws is None or self._ws.closed:
            return
        if subs[0].unsubscribe is not None:
            await self._send(subs[0].unsubscribe)
        await self._send(subs[0].subscribe)

    async def send(self, message: object) -> None:
        await self._connected.wait()
        await self._send(message)

    async def _send(self, message: object) -> None:
        assert self._ws is not None
        if callable(message):   # built when sent: e.g. an unsubscribe naming a server channel id
            message = message()
            if message is None:
                return
        text = message if isinstance(message, str) else json.dumps(message, default=str)
        await self._ws.send_str(text)

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
        failures = 0
        first = True
        while self._subs:
            self._set_state(StreamState.CONNECTING if first else StreamState.RECONNECTING, "")
            try:
                await self._connect_and_read(resync=not first)
                failures = 0
                reason = "the venue closed the connection"
            except asyncio.CancelledError:
                raise
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                failures += 1
                reason = f"{type(exc).__name__}: {exc}"[:200]
            finally:
                self._connected.clear()
                if self._ws is not None and not self._ws.closed:
                    with contextlib.suppress(Exception):
                        await self._ws.close()
                self._ws = None
            if not self._subs:
                break
            first = False
            self.reconnects += 1
            lo, hi = self._backoff
            delay = min(hi, lo * 2 ** min(failures, 10)) * (0.5 + random.random() / 2)
            log.warning("%s: stream dropped (%s); reconnecting in %.2f s",
                        self.exchange, reason, delay)
            self._set_state(StreamState.RECONNECTING, f"{reason}; retrying in {delay:.1f} s")
            await asyncio.sleep(delay)

    async def _connect_and_read(self, resync: bool) -> None:
        ws = await self._session().ws_connect(self.url, heartbeat=None, autoping=True,
                                              timeout=aiohttp.ClientWSTimeout(ws_close=2.0))
        self._ws = ws
        if self._on_open is not None:
            await self._on_open(ws)
        for subs in list(self._subs.values()):
            if subs:
                await self._send(subs[0].subscribe)
        self._connected.set()
        self._set_state(StreamState.LIVE, "")
        if resync:
            for subs in list(self._subs.values()):
                for sub in subs:
                    sub.put(RESYNC)
        pinger = None
        if self._ping is not None:
            pinger = asyncio.get_running_loop().create_task(self._pinger(ws))
        try:
            while True:
                msg = await ws.receive(timeout=self.heartbeat)
                if msg.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
                    self._dispatch(msg.data)
                elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING,
                                  aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                    return
        finally:
            if pinger is not None:
                pinger.cancel()

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
        if isinstance(routed, tuple):
            key, item = routed
        else:
            key, item = routed, msg
        keys = key if isinstance(key, list) else [key]
        for k in keys:
            for sub in self._subs.get(k, ()):
                sub.put(item)
