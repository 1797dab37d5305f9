"""The app's asyncio loop: asyncio's ordering and timing on one Qt timer, and Qt gets the loop
back between slices of a long run of ready callbacks."""
from __future__ import annotations

import asyncio
import time

from PySide6.QtCore import QTimer

from gui import loop as gui_loop
from gui.loop import AtlasEventLoop


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
        assert gui_loop.BUDGET < 0.017
    finally:
        lp.close()
