"""The app's asyncio loop (gui/qtloop.py) and the tests' use of it (conftest `Loop`).

asyncio's ordering and timing on one Qt timer, and Qt gets the loop back between slices of a
long run of ready callbacks. A task runs inside its loop whenever Qt runs it:

Qt runs the asyncio loop's callbacks whenever anything processes events — qasync's last
processEvents() after a future is done, pytest-qt between a test's phases, qtbot.wait — and a
task stepped there must still find its loop running, or the stream it runs dies mid-test."""
from __future__ import annotations

import asyncio
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from gui import qtloop
from gui.qtloop import AtlasEventLoop


def test_a_task_steps_inside_its_loop_between_runs_and_when_qt_processes_events(aloop, qtbot):
    steps, outside = [], []

    async def ticking():
        while True:
            try:
                running = asyncio.get_running_loop()
            except RuntimeError as exc:
                outside.append(str(exc))
                raise
            steps.append(running is aloop.loop)
            await asyncio.sleep(0)          # a callback always pending: any event step runs it

    task = aloop.loop.create_task(ticking())
    for _ in range(3):
        aloop.run(asyncio.sleep(0.03))
        qtbot.wait(10)
        QApplication.processEvents()
    assert not outside and not task.done()
    assert steps and all(steps)


def test_a_queue_first_used_in_the_loop_keeps_working_after_qt_processes_events(aloop, qtbot):
    """What failed as "<Queue> is bound to a different event loop" in the merged ticker stream
    of an adapter that writes its own watch_ticker (the demo venues)."""
    queue: asyncio.Queue = asyncio.Queue()
    got: list[int] = []

    async def consume():
        while True:
            got.append(await queue.get())

    async def produce():
        i = 0
        while True:
            await queue.put(i)
            i += 1
            await asyncio.sleep(0)

    consumer = aloop.loop.create_task(consume())
    producer = aloop.loop.create_task(produce())
    for _ in range(10):
        aloop.run(asyncio.sleep(0.01))
        QApplication.processEvents()
    assert not consumer.done() and not producer.done()
    assert got == list(range(len(got))) and len(got) > 10


def forgotten_stream(closed: list, kept: list):
    """A coroutine that opens a stream, takes one item and leaves it open in `kept` (as a
    forgotten stream is); the stream's cleanup needs the loop (an unsubscribe) and says in
    `closed` when it ran."""
    async def stream():
        try:
            while True:
                yield 1
                await asyncio.sleep(0)
        finally:
            await asyncio.sleep(0)
            closed.append("closed")

    async def take_one():
        s = stream()
        kept.append(s)
        return await s.__anext__()
    return take_one()


def test_streams_belong_to_the_loop_and_are_closed_when_it_ends(qapp):
    """A stream nobody closed is closed on the loop when the loop ends (asyncio's
    async-generator hooks), not by the garbage collector somewhere later."""
    from tests.gui.conftest import Loop
    before = sys.get_asyncgen_hooks()
    loop = Loop(qapp)
    closed: list[str] = []
    kept: list = []
    assert loop.run(forgotten_stream(closed, kept)) == 1
    loop.close()
    assert closed == ["closed"]
    assert sys.get_asyncgen_hooks() == before and asyncio.events._get_running_loop() is None


def test_the_apps_loop_closes_a_stream_left_open_when_the_app_ends(qapp):
    """The app's loop (gui.qtloop.run) closes a stream still open when the app's main
    coroutine returns, on the loop, before the loop closes."""
    closed: list[str] = []
    kept: list = []
    assert qtloop.run(forgotten_stream(closed, kept)) == 1
    assert closed == ["closed"]


def test_callbacks_run_in_order_and_timers_when_due(qapp):
    lp = AtlasEventLoop(qapp)
    try:
        seen = []

        async def main():
            lp.call_later(0.05, seen.append, "late")
            lp.call_later(0.01, seen.append, "soon")
            dead = lp.call_later(0.02, seen.append, "cancelled")
            for i in range(3):
                lp.call_soon(seen.append, i)
            dead.cancel()
            t0 = time.monotonic()
            await asyncio.sleep(0.08)
            return time.monotonic() - t0
        slept = lp.run_until_complete(main())
        assert seen == [0, 1, 2, "soon", "late"]
        assert 0.075 <= slept < 0.5
    finally:
        lp.close()


def test_cancelled_timeouts_do_not_pile_up(qapp):
    """A read under asyncio.timeout schedules and cancels a timer per frame."""
    lp = AtlasEventLoop(qapp)
    try:
        async def main():
            for _ in range(5000):
                async with asyncio.timeout(30):
                    await asyncio.sleep(0)
        lp.run_until_complete(main())
        assert len(lp._scheduled) < 300
    finally:
        lp.close()


def test_a_long_run_of_ready_callbacks_lets_qt_in_between(qapp):
    lp = AtlasEventLoop(qapp)
    try:
        order = []
        qt_ticks = []
        timer = QTimer()
        timer.timeout.connect(lambda: qt_ticks.append(len(order)))
        timer.start(0)

        def busy(i):
            t = time.perf_counter()
            while time.perf_counter() - t < 0.001:
                pass
            order.append(i)

        async def main():
            for i in range(60):          # 60 ms of work, ready at once
                lp.call_soon(busy, i)
            while len(order) < 60:
                await asyncio.sleep(0.001)
        lp.run_until_complete(main())
        timer.stop()
        assert order == list(range(60))                       # still in order
        assert any(0 < n < 60 for n in qt_ticks)              # Qt ran in the middle
        assert qtloop.BUDGET < 0.017
    finally:
        lp.close()


def test_a_busy_socket_is_read_at_most_every_read_every_and_a_quiet_one_at_once(qapp,
                                                                                monkeypatch):
    import socket
    monkeypatch.setattr(qtloop, "READ_EVERY", 0.2)
    lp = AtlasEventLoop(qapp)
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    reads: list[tuple[float, bytes]] = []
    try:
        lp.add_reader(ours.fileno(), lambda: reads.append((time.monotonic(), ours.recv(4096))))

        async def main():
            sent = time.monotonic()
            theirs.send(b"a")                       # quiet until now: read at once
            while not reads:
                await asyncio.sleep(0.005)
            first = reads[0][0] - sent
            frames, end = 0, time.monotonic() + 0.7
            while time.monotonic() < end:           # busy: a frame every 10 ms
                theirs.send(b"b")
                frames += 1
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)
            return first, frames
        first, frames = lp.run_until_complete(main())
        assert first < 0.1
        gaps = [b[0] - a[0] for a, b in zip(reads, reads[1:])]
        assert gaps and min(gaps) >= 0.19
        assert b"".join(data for _, data in reads) == b"a" + b"b" * frames     # all, in order
        assert len(reads) <= 6                      # ~70 frames, in a handful of reads
    finally:
        lp.remove_reader(ours.fileno())
        ours.close()
        theirs.close()
        lp.close()
