"""The shared base of every fake venue: a real aiohttp server on 127.0.0.1.

A venue's fake declares its routes (paths and JSON shapes as the venue documents them) and how
the venue checks a signature; this base gives them all the same server, request log, websocket
scripting and fault injection. Point an adapter at it with `urls=fake.urls`.
"""
from __future__ import annotations

import asyncio
import contextvars
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_response(payload, status: int = 200, headers: dict | None = None) -> web.Response:
    """JSON as a venue sends it; Decimal values keep their digits (written as JSON numbers)."""
    text = payload if isinstance(payload, str) else json.dumps(payload, default=_num)
    return web.Response(text=text, status=status, content_type="application/json",
                        headers=headers)


def _num(value):
    from decimal import Decimal
    if isinstance(value, Decimal):
        return float(value)  # test data only; real venues send strings for money anyway
    raise TypeError(type(value).__name__)


@dataclass
class Seen:
    """One request the fake received, as it arrived on the wire."""
    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: str


@dataclass
class Faults:
    """Faults to inject: REST ones are callables (request) -> bool / status, stream ones flags
    the fake reads (and clears once used)."""
    drop_after_accept: Callable[[web.Request], bool] | None = None   # handle, then cut the line
    delay: float = 0.0                                                 # seconds before replying
    delay_if: Callable[[web.Request], bool] | None = None
    status_if: Callable[[web.Request], int | None] | None = None       # e.g. 502 instead
    status_after_if: Callable[[web.Request], int | None] | None = None  # handle, then e.g. 502
    garble_if: Callable[[web.Request], bool] | None = None   # handle, then answer 200 "{}"
    gap_next: bool = False          # lose the next book frame
    refuse_next: bool = False       # refuse the next subscription
    stall: bool = False             # keep connections open, send nothing
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def fail_next(self, status: int, when: Callable[[web.Request], bool] = lambda r: True,
                  after: bool = False) -> None:
        """Answer the next matching request with `status` (before or after handling it)."""
        def once(request):
            if when(request):
                setattr(self, attr, None)
                return status
            return None
        attr = "status_after_if" if after else "status_if"
        setattr(self, attr, once)


# The request being handled (each is handled in its own task): lets the order store say which
# request placed an order.
CURRENT_REQUEST: contextvars.ContextVar[web.Request | None] = contextvars.ContextVar(
    "CURRENT_REQUEST", default=None)


class FakeVenue:
    """Subclasses register routes in `setup_routes()` and websocket behaviour in `on_ws_text`."""

    ws_path = "/ws"

    def __init__(self) -> None:
        self.app = web.Application()
        self.seen: list[Seen] = []
        self.faults = Faults()
        self.ws_clients: list[web.WebSocketResponse] = []
        self.ws_received: list[object] = []
        self.ws_connections = 0
        self._server: TestServer | None = None
        self.app.middlewares.append(self._middleware)
        self.setup_routes()

    # -- to override -------------------------------------------------------------------------
    def setup_routes(self) -> None:
        pass

    async def on_ws_text(self, ws: web.WebSocketResponse, message: object) -> None:
        """React to a client frame (subscribe, ping …). Default: nothing."""

    async def on_ws_open(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        """Right after a client connects, before it sends anything (a venue's welcome frame,
        or refusing a bad connection token). Default: nothing."""

    # -- helpers for subclasses --------------------------------------------------------------
    def route(self, method: str, path: str, handler: Handler) -> None:
        self.app.router.add_route(method, path, handler)

    def add_ws(self, path: str | None = None) -> None:
        self.app.router.add_get(path or self.ws_path, self._ws_handler)

    async def broadcast(self, message) -> None:
        text = message if isinstance(message, str) else json.dumps(message)
        for ws in list(self.ws_clients):
            if not ws.closed:
                await ws.send_str(text)

    async def drop_ws(self) -> None:
        """Cut every websocket connection, as a venue restart would."""
        for ws in list(self.ws_clients):
            await ws.close()

    # -- server ------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        assert self._server is not None, "start the fake first (async with fake:)"
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def urls(self) -> dict[str, str]:
        return {"rest": self.base, "ws": self.base.replace("http://", "ws://") + self.ws_path}

    async def __aenter__(self):
        self._server = TestServer(self.app, host="127.0.0.1")
        await self._server.start_server()
        return self

    async def __aexit__(self, *exc) -> None:
        for ws in list(self.ws_clients):
            await ws.close()
        await self._server.close()

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler):
        CURRENT_REQUEST.set(request)
        body = await request.text()
        self.seen.append(Seen(request.method, request.path, request.query_string,
                              dict(request.headers), body))
        f = self.faults
        if f.status_if is not None:
            status = f.status_if(request)
            if status:
                return json_response({"error": "injected"}, status=status)
        if f.delay and (f.delay_if is None or f.delay_if(request)):
            await asyncio.sleep(f.delay)
        response = await handler(request)
        if f.status_after_if is not None:
            status = f.status_after_if(request)
            if status:
                return json_response({"error": "injected after handling"}, status=status)
        if f.garble_if is not None and f.garble_if(request):
            # The venue acted, then answered success with a body nobody can read.
            return json_response({})
        if f.drop_after_accept is not None and f.drop_after_accept(request):
            # The venue handled the request, but the reply never arrives.
            request.transport.close()
            raise asyncio.CancelledError
        return response

    async def _ws_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.ws_clients.append(ws)
        self.ws_connections += 1
        try:
            await self.on_ws_open(ws, request)
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        data = json.loads(msg.data)
                    except ValueError:
                        data = msg.data
                    self.ws_received.append(data)
                    await self.on_ws_text(ws, data)
        finally:
            if ws in self.ws_clients:
                self.ws_clients.remove(ws)
        return ws
