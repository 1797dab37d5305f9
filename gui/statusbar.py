"""Status bar: one indicator per connected venue (state, and age of its last update)."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from . import theme

__all__ = ["VenueStatusBar", "describe", "connection", "STALE_AFTER"]

STALE_AFTER = 10.0      # seconds without data before a live venue is shown as stale


def connection(state: str, detail: str, age: float | None, reason: bool = False
               ) -> tuple[str, str]:
    """(words, colour name) for a venue's connection: live (with the age of its last data),
    stale, connecting…, rate limited, error (with the reason when `reason`)."""
    warn = theme.warn_color().name()
    if state == "live":
        if age is not None and age > STALE_AFTER:
            return f"stale {age:.0f} s", warn
        shown = "" if age is None else f" {age:.1f} s" if age < 60 else f" {age / 60:.0f} min"
        return f"live{shown}", theme.up_color().name()
    if state in ("connecting", "reconnecting"):
        return f"{state}…", warn
    if state == "rate_limited":
        return detail or "rate limited", warn
    if state == "error":
        return (f"error: {detail}" if reason and detail else "error"), theme.down_color().name()
    return state, theme.muted_color().name()


def describe(venue: str, state: str, detail: str, age: float | None) -> tuple[str, str]:
    """(text, colour name) of a venue's indicator in the status bar."""
    text, color = connection(state, detail, age)
    return f"{venue}: {text}", color


class VenueStatusBar(QStatusBar):
    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.labels: dict[str, QLabel] = {}
        session.status.connect(self._on_status)
        session.venue_closed.connect(self._on_closed)
        self._timer = QTimer(self)
        self._timer.setInterval(500)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def _on_status(self, venue: str, state: str, detail: str) -> None:
        if state == "closed":
            return
        if venue not in self.labels:
            label = QLabel()
            label.setObjectName(f"venue-status-{venue}")
            self.labels[venue] = label
            self.addPermanentWidget(label)
        self.refresh()

    def _on_closed(self, venue: str) -> None:
        label = self.labels.pop(venue, None)
        if label is not None:
            self.removeWidget(label)
            label.deleteLater()

    def refresh(self) -> None:
        for venue, label in self.labels.items():
            st = self.session.states.get(venue)
            if st is None:
                continue
            text, color = describe(venue, st.state, st.detail, st.age())
            label.setText(f"<span style='color:{color}'>●</span> {text}")
            label.setToolTip(st.detail or st.state)

    def stop(self) -> None:
        self._timer.stop()
