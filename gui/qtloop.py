"""asyncio on Qt's event loop: qasync's loop, scheduled as asyncio's own, with what qasync
leaves out.

Scheduling. qasync (0.28) gives every `call_soon` and `call_later` its own Qt timer, and a
cancelled handle keeps its timer until it would have fired. A websocket read under
`asyncio.timeout` schedules and cancels a timeout per frame, so with many venues streaming,
hundreds of thousands of Qt timers sat registered at once and every new or killed one walked
that list: in the whole-app benchmark `QObject.killTimer` alone took most of the app's time and
the loop stalled for seconds. `AtlasEventLoop` keeps the handles as asyncio's base loop does (a
deque of ready callbacks, a heap of timers, cancelled ones dropped) and one precise single-shot
Qt timer wakes it for the next of them: Qt sees one timer whatever asyncio schedules.

Reading. qasync reads a socket on every readiness; with every venue streaming, each websocket
frame then cost a loop turn, a poll of every socket, a read and a wake of each task on its way.
A socket that keeps receiving is read at most every READ_EVERY here (what came meanwhile is
read and handed on in one go); one quiet for that long is read at once.

Async-generator hooks. qasync (on Unix) never installs them; asyncio's own loops do: a stream
(an async generator) then belongs to the loop that first ran it, one dropped without being
closed is closed by an `aclose()` task on that loop, and every one still open is closed by
`shutdown_asyncgens()` when the loop ends. Without the hooks the garbage collector throws
GeneratorExit into a forgotten stream whenever it runs — later, on no loop or on another one —
and its `finally` (unsubscribe, cancel its helper tasks) fails there or never runs.
"""
from __future__ import annotations

import asyncio
import collections
import heapq
import math
import sys
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager

import qasync
from PySide6.QtCore import QSocketNotifier, Qt, QTimer
from PySide6.QtWidgets import QApplication

__all__ = ["AtlasEventLoop", "asyncgen_hooks", "run"]

_RESOLUTION = 0.0005          # a timer due within this is run now (Qt counts in ms)
# Ready callbacks run for at most this long before Qt gets the loop back (paint, input,
# timers), then the rest run at the next turn, in order. With every venue streaming, a turn
# that ran everything ready took 100–500 ms.
BUDGET = 0.004
# A busy socket is read at most this often (see "Reading" above): once per display frame.
# Each read costs a loop turn, a wake of each task on the way and a notifier toggled, whatever
# it carries. Every 10 ms → every frame: ~9 % less CPU with every venue (bench_app, app÷fakes
# 0.92-0.96 → 0.84-0.88), the latency's p99 there no worse; at 10 venues its p99 went 27 →
# 32.5 ms (still under two frames). Reading every socket at one shared frame start and
# flushing right after (tried) did better at 10 venues, worse with every venue (one burst).
READ_EVERY = 1 / 60


class AtlasEventLoop(qasync.QEventLoop):
    def __init__(self, *args, **kwargs) -> None:
        self._ready: collections.deque[asyncio.Handle] = collections.deque()
        self._scheduled: list[asyncio.TimerHandle] = []
        self._cancelled_timers = 0
        self._pacers: dict[int, _PacedReader] = {}
        self._armed: float | None = None          # when the Qt timer will fire
        self._wake = QTimer()
        self._wake.setSingleShot(True)
        self._wake.setTimerType(Qt.TimerType.PreciseTimer)
        self._wake.timeout.connect(self._run_once)
        super().__init__(*args, **kwargs)

    # -- scheduling (asyncio's AbstractEventLoop) -------------------------------------------
    # The callback checks run in debug mode only, as on asyncio's own loops: they cost more
    # than the scheduling itself, and this is called for every future and task step.
    def call_soon(self, callback, *args, context=None):
        if self._debug:
            self._check_callback(callback)
        handle = asyncio.Handle(callback, args, self, context)
        self._ready.append(handle)
        self._arm(0.0)
        return handle

    def call_later(self, delay, callback, *args, context=None):
        return self.call_at(self.time() + delay, callback, *args, context=context)

    def call_at(self, when, callback, *args, context=None):
        if self._debug:
            self._check_callback(callback)
        handle = asyncio.TimerHandle(when, callback, args, self, context)
        heapq.heappush(self._scheduled, handle)
        handle._scheduled = True
        self._arm(when)
        return handle

    def _timer_handle_cancelled(self, handle) -> None:
        """asyncio calls this when a scheduled TimerHandle is cancelled: drop the dead ones
        once they are most of the heap (as asyncio's base loop does)."""
        self._cancelled_timers += 1
        if self._cancelled_timers > 100 and self._cancelled_timers * 2 > len(self._scheduled):
            live = [h for h in self._scheduled if not h._cancelled]
            for h in self._scheduled:
                if h._cancelled:
                    h._scheduled = False
            heapq.heapify(live)
            self._scheduled = live
            self._cancelled_timers = 0

    @staticmethod
    def _check_callback(callback) -> None:
        if asyncio.iscoroutine(callback) or asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with call_soon/call_later")
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")

    # -- running -----------------------------------------------------------------------------
    def _arm(self, when: float) -> None:
        """Have the Qt timer fire by `when` (0: at the next loop turn)."""
        if self._armed is not None and self._armed <= when:
            return
        self._armed = when
        delay = 0 if when <= 0 else max(0, math.ceil((when - self.time()) * 1000))
        self._wake.start(delay)

    def _run_once(self) -> None:
        """Run what is due, as asyncio's `_run_once` does: the timers that came due join the
        ready queue, then the callbacks ready now run (those they schedule wait a turn), for
        at most BUDGET seconds, so that Qt events run in between."""
        self._armed = None
        now = self.time()
        end, stop = now + _RESOLUTION, now + BUDGET
        scheduled, ready = self._scheduled, self._ready
        while scheduled and (scheduled[0]._cancelled or scheduled[0]._when <= end):
            handle = heapq.heappop(scheduled)
            handle._scheduled = False
            if handle._cancelled:
                self._cancelled_timers = max(0, self._cancelled_timers - 1)
            else:
                ready.append(handle)
        clock = self.time
        for _ in range(len(ready)):
            handle = ready.popleft()
            if not handle._cancelled:
                handle._run()
                if clock() > stop:
                    break
        if ready:
            self._arm(0.0)
        elif scheduled:
            self._arm(scheduled[0]._when)

    # -- reading (replaces qasync's one notifier per socket, read on every readiness) ---------
    def _add_reader(self, fd, callback, *args) -> None:
        self._check_closed()
        self._remove_reader(fd)
        self._pacers[_fileno(fd)] = _PacedReader(self, _fileno(fd), callback, args)

    def _remove_reader(self, fd) -> bool:
        reader = self._pacers.pop(_fileno(fd), None)
        if reader is None:
            return False
        reader.close()
        return True

    def close(self) -> None:
        for reader in list(self._pacers.values()):
            reader.close()
        self._pacers.clear()
        self._wake.stop()
        self._ready.clear()
        self._scheduled.clear()
        super().close()


def _fileno(fd) -> int:
    return fd if isinstance(fd, int) else fd.fileno()


class _PacedReader:
    """One socket's readiness → its reader callback, at most once per READ_EVERY."""

    def __init__(self, loop: AtlasEventLoop, fd: int, callback, args) -> None:
        self.loop, self.callback, self.args = loop, callback, args
        self.last = -math.inf           # loop time of the last read
        self.closed = False
        self.notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read)
        self.notifier.activated.connect(self._ready)
        self.notifier.setEnabled(True)

    def _ready(self) -> None:
        self.notifier.setEnabled(False)         # until it has been read
        due = self.last + READ_EVERY
        if due <= self.loop.time():
            self.loop.call_soon(self._read)
        else:
            self.loop.call_at(due, self._read)

    def _read(self) -> None:
        if self.closed:
            return
        self.last = self.loop.time()
        try:
            self.callback(*self.args)
        finally:
            if not self.closed:                 # (the callback may have removed it)
                self.notifier.setEnabled(True)

    def close(self) -> None:
        self.closed = True
        self.notifier.setEnabled(False)
        self.notifier.activated.disconnect(self._ready)
        self.notifier.deleteLater()


@contextmanager
def asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Async generators first iterated inside the block belong to `loop`, as on asyncio's
    own loops (its `run_forever` installs the same two hooks)."""
    previous = sys.get_asyncgen_hooks()
    sys.set_asyncgen_hooks(firstiter=loop._asyncgen_firstiter_hook,
                           finalizer=loop._asyncgen_finalizer_hook)
    try:
        yield
    finally:
        sys.set_asyncgen_hooks(*previous)


class _Policy(asyncio.DefaultEventLoopPolicy):
    def new_event_loop(self):
        return AtlasEventLoop(QApplication.instance() or QApplication(sys.argv))


def run(main: Coroutine):
    """`qasync.run(main)` on `AtlasEventLoop`, with the hooks. qasync.run is, on Python 3.11,
    `asyncio.run` under a policy that makes qasync's loop, and offers no way to name another
    loop class; this is the same two steps with this one. As there, `asyncio.run` cancels what
    is left when `main` returns and closes every stream still open (`shutdown_asyncgens`) on
    the loop before it closes."""
    async def hooked():
        with asyncgen_hooks(asyncio.get_running_loop()):
            return await main
    if sys.version_info >= (3, 12):
        return asyncio.run(hooked(), loop_factory=_Policy().new_event_loop)
    old = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(_Policy())
    try:
        return asyncio.run(hooked())
    finally:
        asyncio.set_event_loop_policy(old)
