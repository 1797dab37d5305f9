"""Discovery of every venue fake under tests/fakes/ that declares the shared constants
(FAKE, SYMBOL, CREDENTIALS, VENUE_ID), so a test written once runs against every venue."""
from __future__ import annotations

import importlib
import pkgutil

import tests.fakes as fakes_pkg


def venue_fakes():
    out = []
    for mod in sorted(pkgutil.iter_modules(fakes_pkg.__path__), key=lambda m: m.name):
        if mod.name == "base":
            continue
        module = importlib.import_module(f"tests.fakes.{mod.name}")
        if all(hasattr(module, n) for n in ("FAKE", "SYMBOL", "CREDENTIALS", "VENUE_ID")):
            out.append(module)
    return out


VENUES = venue_fakes()
IDS = [m.VENUE_ID for m in VENUES]
