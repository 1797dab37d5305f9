"""asyncio on Qt's event loop: what qasync leaves out, done once for the app and its tests.

qasync (0.28, on Unix) never installs asyncio's async-generator hooks. asyncio's own loops do:
a stream (an async generator) then belongs to the loop that first ran it, one dropped without
being closed is closed by an `aclose()` task on that loop, and every one still open is closed
by `shutdown_asyncgens()` when the loop ends. Without the hooks none of that happens: the
garbage collector throws GeneratorExit into a forgotten stream whenever it runs — later, on
no loop or on another one — and its `finally` (unsubscribe, cancel its helper tasks) fails
there or never runs.
"""
from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager

__all__ = ["asyncgen_hooks", "run"]


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


def run(main: Coroutine):
    """`qasync.run(main)` with the hooks: a stream still open when `main` returns is closed
    on the loop (`shutdown_asyncgens`) before the loop closes."""
    import qasync

    async def hooked():
        with asyncgen_hooks(asyncio.get_running_loop()):
            return await main
    return qasync.run(hooked())
