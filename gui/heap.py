"""Keep Python's full garbage collections short once the app has started.

A full (generation 2) collection scans every tracked object; with the modules, widgets, markets
and rows the app holds after start that took ~18 ms on the board benchmark: a whole frame of
event-loop stall, at random. What exists once start-up has settled lives as long as the app, so
it is moved out of the collector's sight (`gc.freeze`): later full collections scan only what
was made since. Garbage made before the freeze is collected first, so nothing is kept by it.
"""
from __future__ import annotations

import gc

__all__ = ["settle"]


def settle() -> None:
    gc.collect()
    gc.freeze()
