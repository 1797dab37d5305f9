"""Keep Python's full garbage collections short, and the process's memory from creeping up.

A full (generation 2) collection scans every tracked object; with the modules, widgets, markets
and rows the app holds after start that took ~18 ms on the board benchmark: a whole frame of
event-loop stall, at random. What exists once start-up has settled lives as long as the app, so
it is moved out of the collector's sight (`gc.freeze`): later full collections scan only what
was made since. Garbage made before the freeze is collected first, so nothing is kept by it.

glibc's allocator keeps what is freed in the middle of its heap for reuse, and hands it back to
the system only from the heap's top. With every venue streaming, the app's memory in use stayed
flat (Python's blocks, malloc's "in use") while its heap, and so its RSS, grew ~0.8 MB a minute:
freed, never returned. `malloc_trim(0)` returns the free pages wherever they are (as Dask's
workers do for their "unmanaged memory"); the app calls it once a minute, a millisecond or two.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys

from PySide6.QtCore import QTimer

__all__ = ["settle", "trim", "TRIM_EVERY_MS"]

TRIM_EVERY_MS = 60_000
_trimmer: QTimer | None = None


def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None         # macOS and Windows allocators return free memory themselves
    try:
        fn = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):   # not glibc (musl has no malloc_trim)
        return None
    fn.argtypes, fn.restype = [ctypes.c_size_t], ctypes.c_int
    return fn


_TRIM = _malloc_trim()


def trim() -> bool:
    """Return the allocator's free pages to the system; False where there is nothing to call."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


def settle() -> None:
    """Once the app has started: freeze what start made, and trim the heap from now on."""
    global _trimmer
    gc.collect()
    gc.freeze()
    trim()
    if _trimmer is None and _TRIM is not None:
        _trimmer = QTimer()
        _trimmer.timeout.connect(trim)
        _trimmer.start(TRIM_EVERY_MS)
