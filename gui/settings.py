"""Where the app remembers things.

Layout, connected venues and the selected symbol live in QSettings (INI format, per user).
User data (watchlist, alerts …) are JSON files written atomically: a temp file in the same
directory, fsync, then rename, so a crash never leaves half a file. A file that cannot be read
is moved aside (kept for the user) and the defaults are used.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

__all__ = ["ORGANIZATION", "application_name", "Settings", "data_dir", "read_json",
           "write_json_atomic"]

log = logging.getLogger("gui.settings")
ORGANIZATION = "ExchangeAtlas"


def application_name() -> str:
    """Tests run with EXCHANGE_ATLAS_SETTINGS_SCOPE=test so they never touch a user's layout."""
    scope = os.environ.get("EXCHANGE_ATLAS_SETTINGS_SCOPE", "")
    return "Exchange Atlas" + (f" ({scope})" if scope else "")


def data_dir() -> Path:
    override = os.environ.get("EXCHANGE_ATLAS_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs
    return Path(platformdirs.user_data_dir(application_name(), ORGANIZATION))


class Settings:
    """Typed access to the app's QSettings."""

    def __init__(self) -> None:
        self.q = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                           ORGANIZATION, application_name())

    def save_layout(self, geometry: QByteArray, state: QByteArray) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)

    def layout(self) -> tuple[QByteArray | None, QByteArray | None]:
        return self.q.value("window/geometry"), self.q.value("window/state")

    def venues(self) -> list[str]:
        value = self.q.value("session/venues", [])
        if isinstance(value, str):          # QSettings returns a lone item as a string
            value = [value] if value else []
        return [str(v) for v in value or []]

    def set_venues(self, venues: list[str]) -> None:
        self.q.setValue("session/venues", list(venues))

    def has_venues(self) -> bool:
        """Whether a list of venues was ever saved (a first start has none)."""
        return self.q.contains("session/venues")

    def launch_choice(self, venue: str) -> str | None:
        """The trader's own "open on launch" for `venue`: "on", "off", or None (automatic:
        it comes back if it was open and working when the app closed)."""
        value = self.q.value(f"launch/{venue}", "")
        return value if value in ("on", "off") else None

    def set_launch_choice(self, venue: str, choice: str | None) -> None:
        if choice is None:
            self.q.remove(f"launch/{venue}")
        else:
            self.q.setValue(f"launch/{venue}", choice)

    def launch_on(self) -> list[str]:
        """The venues the trader asked to open on every launch."""
        self.q.beginGroup("launch")
        try:
            return [k for k in self.q.childKeys() if self.q.value(k) == "on"]
        finally:
            self.q.endGroup()

    def selection(self) -> tuple[str, str] | None:
        venue, symbol = self.q.value("session/venue", ""), self.q.value("session/symbol", "")
        return (str(venue), str(symbol)) if venue and symbol else None

    def set_selection(self, venue: str, symbol: str) -> None:
        self.q.setValue("session/venue", venue)
        self.q.setValue("session/symbol", symbol)

    def theme(self) -> str:
        return str(self.q.value("view/theme", "system"))

    def set_theme(self, mode: str) -> None:
        self.q.setValue("view/theme", mode)

    def far_percent(self) -> Decimal:
        """Warn before an order priced further than this from the market (percent)."""
        try:
            value = Decimal(str(self.q.value("trading/far_percent", "5")))
        except ArithmeticError:
            return Decimal(5)
        return value if value.is_finite() and value > 0 else Decimal(5)

    def set_far_percent(self, percent: Decimal) -> None:
        self.q.setValue("trading/far_percent", str(percent))

    def sync(self) -> None:
        self.q.sync()


def write_json_atomic(path: Path, data) -> None:
    """Write `data` as JSON so that `path` is always either the old file or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def read_json(path: Path, default):
    """The JSON in `path`, or `default` if it is missing; a corrupt file is moved aside."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return default
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        os.replace(path, aside)
        log.warning("%s could not be read (%s); kept it as %s and started from defaults",
                    path.name, exc, aside.name)
        return default
