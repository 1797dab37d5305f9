"""The venues tree: countries → exchanges of the registry, with each venue's present status.

Rows are the registry's (exchange, country) rows (46 countries, 144 rows). A renamed id says
what it is now; a closed venue is greyed with a tooltip saying when and why it closed; an
active venue without an adapter in this build says so.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel

import exchanges
from .. import theme

__all__ = ["VenueTreeModel", "ENTRY_ROLE", "COUNTRY_ROLE", "COLUMNS", "status_text", "explain"]

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 10    # the VenueEntry of a venue row
COUNTRY_ROLE = Qt.ItemDataRole.UserRole + 11  # the seed's country name of a country row
COLUMNS = ("Exchange", "Id", "Status")


def status_text(entry) -> str:
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


class VenueTreeModel(QStandardItemModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.rows = 0
        bold = QFont()
        bold.setBold(True)
        italic = QFont()
        italic.setItalic(True)
        for country, entries in exchanges.by_country().items():
            head = QStandardItem(f"{country}  ({len(entries)})")
            head.setFont(bold)
            head.setEditable(False)
            head.setData(country, COUNTRY_ROLE)
            head.setToolTip(f"{country}: {len(entries)} exchanges in the registry")
            blanks = [QStandardItem(""), QStandardItem("")]
            for b in blanks:
                b.setEditable(False)
            for e in entries:
                items = [QStandardItem(e.name), QStandardItem(e.id), QStandardItem(status_text(e))]
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
                head.appendRow(items)
                self.rows += 1
            self.appendRow([head, *blanks])
