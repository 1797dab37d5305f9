"""OKX US: the same v5 API as OKX on its own hosts (us.okx.com), so the same fake serves it;
registered apart so every generic test runs against the OKXUS adapter too."""
from __future__ import annotations

from .okx import CREDENTIALS, SYMBOL, FakeOKX

__all__ = ["FAKE", "SYMBOL", "CREDENTIALS", "VENUE_ID"]

VENUE_ID = "okxus"
FAKE = FakeOKX
