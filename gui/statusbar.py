"""Status bar: one indicator per connected venue (state, and age of its last update).

With many venues open the indicators in full ("binance: live 0.4 s", ~130 px each) made the
status bar, and so the window, over 3,000 px wide with 21 venues. They take at most SHARE of the
bar: in full if that fits, else as a coloured dot and the venue's name, else one line of counts
("21 venues: ● 18 live ● 2 connecting… ● 1 error"); the tooltip always lists every venue."""
from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QLabel, QStatusBar

from . import theme

__all__ = ["VenueStatusBar", "describe", "connection", "STALE_AFTER"]

STALE_AFTER = 10.0      # seconds without data before a live venue is shown as stale
SHARE = 0.7             # of the status bar's width the venue indicators may take
_GAP = 14               # px between two indicators (the bar's spacing and margins)


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


class _Indicator(QLabel):
    """A label that asks for its text's width but never insists on it: the window's minimum
    width is never set by the status bar (the bar picks words that fit, `refresh`)."""

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())


class VenueStatusBar(QStatusBar):
    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.labels: dict[str, QLabel] = {}
        self.mode = "full"              # full | short | counts (what fits; see the docstring)
        self.summary = _Indicator()
        self.summary.setObjectName("venue-status-summary")
        self.summary.hide()
        self.addPermanentWidget(self.summary)
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
            label = _Indicator()
            label.setObjectName(f"venue-status-{venue}")
            self.labels[venue] = label
            self.addPermanentWidget(label)
        self.refresh()

    def _on_closed(self, venue: str) -> None:
        label = self.labels.pop(venue, None)
        if label is not None:
            self.removeWidget(label)
            label.deleteLater()
        self.refresh()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.refresh()

    def refresh(self) -> None:
        shown = []                      # (label, venue, text, colour)
        for venue, label in self.labels.items():
            st = self.session.states.get(venue)
            if st is not None:
                shown.append((label, venue, *describe(venue, st.state, st.detail, st.age())))
        fm, room = self.fontMetrics(), self.width() * SHARE
        def width(texts):
            return sum(fm.horizontalAdvance(f"● {t}") + _GAP for t in texts)
        if width(t for _l, _v, t, _c in shown) <= room:
            mode = "full"
        elif width(v for _l, v, _t, _c in shown) <= room:
            mode = "short"
        else:
            mode = "counts"
        self.mode = mode
        for label, venue, text, color in shown:
            words = text if mode == "full" else venue
            label.setText(f"<span style='color:{color}'>●</span> {words}")
            detail = self._detail(venue)
            label.setToolTip(detail if mode == "full" else f"{text}\n{detail}")
            label.setVisible(mode != "counts")
        self.summary.setVisible(mode == "counts" and bool(shown))
        if mode == "counts" and shown:
            self.summary.setText(self._counts(shown))
            self.summary.setToolTip("\n".join(t for _l, _v, t, _c in shown))

    def _detail(self, venue: str) -> str:
        st = self.session.states.get(venue)
        return (st.detail or st.state) if st else ""

    @staticmethod
    def _counts(shown) -> str:
        """'21 venues: ● 18 live ● 2 connecting…': one dot per state, in its colour."""
        states: Counter = Counter()
        colors: dict[str, str] = {}
        for _label, venue, text, color in shown:
            state = text[len(venue) + 2:].split(" ")[0].rstrip(":")     # "live", "error"…
            states[state] += 1
            colors[state] = color
        parts = " ".join(f"<span style='color:{colors[s]}'>●</span> {n} {s}"
                         for s, n in states.most_common())
        return f"{len(shown)} venues: {parts}"

    def plain_text(self) -> str:
        """What the bar's venue indicators say, as text (for tests and the log)."""
        labels = [self.summary] if self.mode == "counts" else list(self.labels.values())
        return "  ".join(QTextDocumentFragment.fromHtml(lab.text()).toPlainText()
                         for lab in labels)

    def stop(self) -> None:
        self._timer.stop()
