"""The venues tree: the built-in demo venue, then countries → exchanges of the registry, each
row with its present status, and for a venue that is open, how its connection is.

Rows are the registry's (exchange, country) rows (46 countries, 144 rows) under a "Built in"
group with the demo venue. A renamed id says what it is now; a closed venue is greyed with a
tooltip saying when and why it closed; an active venue without an adapter in this build says
so. An open venue's status reads connecting…, live, stale or error with the reason (see
`set_connection`). Every venue row carries the words a filter matches (`SEARCH_ROLE`): its
country, name, id, what it became, its status and its connection.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QStandardItem, QStandardItemModel

import exchanges
from .. import theme

__all__ = ["VenueTreeModel", "ENTRY_ROLE", "SEARCH_ROLE", "COUNTRY_ROLE", "COLUMNS", "BUILT_IN",
           "status_text", "explain", "DemoEntry"]

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 10    # the VenueEntry of a venue row
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 11   # the words a filter matches, lower case
COUNTRY_ROLE = Qt.ItemDataRole.UserRole + 12  # the seed's country name of a country row
COLUMNS = ("Exchange", "Id", "Status")
BUILT_IN = "Built in"


@dataclass(frozen=True, slots=True)
class DemoEntry:
    """The demo venue in the shape of a registry entry (it is no exchange of the seed)."""
    id: str = "demo"
    name: str = "Demo venue"
    countries: tuple[str, ...] = (BUILT_IN,)
    status: str = "active"
    successor: str | None = None
    current_name: str | None = None
    closed: str | None = None
    why: str = "a simulated exchange with a real matching engine; no network, no real money"
    adapter_id: str = "demo"
    has_adapter: bool = True
    availability: str | None = None
    since: str | None = None
    availability_note: str = ""


def status_text(entry) -> str:
    if isinstance(entry, DemoEntry):
        return "simulated"
    if entry.status == "defunct":
        return f"closed {entry.closed}" if entry.closed else "closed"
    if entry.status == "renamed":
        now = entry.current_name or entry.successor
        return f"now {now}" if now else "renamed"
    if entry.availability == "suspended":
        return f"suspended since {entry.since}" if entry.since else "suspended"
    if entry.availability == "unsupported":
        return "not supported"
    return "active" if entry.has_adapter else "no adapter yet"


def explain(entry) -> str:
    """One sentence a trader understands: what opening this venue does, or why it can't."""
    if isinstance(entry, DemoEntry):
        return f"{entry.name}: {entry.why}. Double-click to connect"
    if entry.status == "defunct":
        when = f" in {entry.closed}" if entry.closed else ""
        return f"{entry.name} closed{when}: {entry.why}"
    if entry.status == "renamed":
        now = entry.current_name or entry.successor
        tail = "" if entry.has_adapter else " (no adapter for it yet)"
        return f"{entry.name} is now {now}: opens {entry.successor}{tail}. {entry.why}"
    if entry.availability == "suspended":
        when = f" since {entry.since}" if entry.since else ""
        return f"{entry.name} is suspended{when}: {entry.availability_note}"
    if entry.availability == "unsupported":
        return f"{entry.name} is not supported: {entry.availability_note}"
    if not entry.has_adapter:
        return f"{entry.name} is operating, but Exchange Atlas has no adapter for it yet"
    return f"{entry.name}: double-click to connect with public market data"


def _words(entry, country: str) -> str:
    status = {"defunct": "closed defunct", "renamed": "renamed"}.get(entry.status, "active")
    return " ".join(str(w) for w in (
        country, entry.name, entry.id, entry.successor or "", entry.current_name or "",
        status, status_text(entry), "" if entry.has_adapter else "no adapter")).lower()


class VenueTreeModel(QStandardItemModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.rows = 0
        self._status: dict[str, list[QStandardItem]] = {}   # adapter id → its status cells
        self.connections: dict[str, tuple[str, str]] = {}  # adapter id → (text, colour)
        bold = QFont()
        bold.setBold(True)
        self._bold = bold
        self._add_group(BUILT_IN, [DemoEntry()], "Built into Exchange Atlas: no network needed")
        for country, entries in exchanges.by_country().items():
            self._add_group(country, entries, f"{country}: {len(entries)} exchanges in the "
                                              f"registry")

    def _add_group(self, name: str, entries, tip: str) -> None:
        italic = QFont()
        italic.setItalic(True)
        head = QStandardItem(f"{name}  ({len(entries)})")
        head.setFont(self._bold)
        head.setEditable(False)
        head.setToolTip(tip)
        head.setData(name, COUNTRY_ROLE)
        blanks = [QStandardItem(""), QStandardItem("")]
        for b in blanks:
            b.setEditable(False)
        for e in entries:
            status = QStandardItem(status_text(e))
            items = [QStandardItem(e.name), QStandardItem(e.id), status]
            usable = e.status != "defunct" and e.availability is None and e.has_adapter
            tip = explain(e)
            for it in items:
                it.setEditable(False)
                it.setData(e, ENTRY_ROLE)
                it.setToolTip(tip)
                if not usable:
                    # Greyed, not disabled: a disabled row would swallow the double-click
                    # that shows why it cannot be opened.
                    it.setForeground(theme.muted_color())
                if e.status == "defunct" or e.availability:
                    it.setFont(italic)
            items[0].setData(_words(e, name), SEARCH_ROLE)
            if usable:
                self._status.setdefault(e.adapter_id, []).append(status)
            head.appendRow(items)
            if not isinstance(e, DemoEntry):
                self.rows += 1
        self.appendRow([head, *blanks])

    def restyle(self) -> None:
        """The greyed rows in the current theme's grey (after a theme change)."""
        grey = theme.muted_color()
        for c in range(self.rowCount()):
            head = self.item(c, 0)
            for r in range(head.rowCount()):
                e = head.child(r, 0).data(ENTRY_ROLE)
                if e.status == "defunct" or e.availability or not e.has_adapter:
                    for col in range(3):
                        head.child(r, col).setForeground(grey)

    # -- connections ---------------------------------------------------------------------------
    def set_connection(self, venue: str, text: str | None, color: str = "") -> None:
        """Show `venue`'s connection (None: not open) on every row that opens it."""
        if text is None:
            self.connections.pop(venue, None)
        elif self.connections.get(venue) == (text, color):
            return
        else:
            self.connections[venue] = (text, color)
        for status in self._status.get(venue, ()):
            entry = status.data(ENTRY_ROLE)
            name = status.index().siblingAtColumn(0)
            words = _words(entry, status.parent().text().rsplit("  (", 1)[0])
            if text is None:
                status.setText(status_text(entry))
                status.setData(None, Qt.ItemDataRole.ForegroundRole)
                status.setToolTip(explain(entry))
            else:
                status.setText(f"● {text}")
                status.setForeground(QColor(color))
                status.setToolTip(f"{entry.name} ({venue}): {text}")
                words += f" open connected {text.lower()}"
            self.itemFromIndex(name).setData(words, SEARCH_ROLE)
