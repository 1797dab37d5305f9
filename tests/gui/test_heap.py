"""The heap kept small: freed memory goes back to the system, not only from the heap's top."""
from __future__ import annotations

import gc
import os
import sys

import pytest

from gui import heap


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(heap._TRIM is None, reason="no malloc_trim here (not glibc)")
def test_trim_returns_memory_freed_in_the_middle_of_the_heap():
    # 60 MB in 1 KB blocks (malloc's, not Python's small-object arenas), every 20th kept:
    # what is freed lies between kept blocks, where the allocator never returns it by itself.
    blocks = [bytearray(1024) for _ in range(60_000)]
    kept = blocks[::20]
    del blocks
    before = _rss_mb()
    assert heap.trim()
    after = _rss_mb()
    assert before - after > 20, (before, after)
    assert len(kept) == 3_000


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_settle_freezes_what_exists_and_trims_once_a_minute_from_then_on(qapp):
    try:
        heap.settle()
        heap.settle()                       # (the app may settle again: still one timer)
        assert gc.get_freeze_count() > 0
        assert heap._trimmer is not None and heap._trimmer.isActive()
        assert heap._trimmer.interval() == heap.TRIM_EVERY_MS == 60_000
    finally:
        gc.unfreeze()
        if heap._trimmer is not None:
            heap._trimmer.stop()
            heap._trimmer = None
