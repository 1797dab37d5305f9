"""The taker-fee table: per venue, what the venue publishes, the default, and your own rate."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from exchanges.crossvenue import published_taker_fee
from exchanges.registry import adapter_ids

from . import theme
from .fees import DEFAULTS, FALLBACK, parse_percent, percent_text

__all__ = ["FeesDialog"]

COLUMNS = ("Venue", "Published", "Default", "Yours", "Used")
_YOURS = 3


class FeesDialog(QDialog):
    def __init__(self, cross, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Taker fees")
        self.cross = cross
        session = cross.session
        open_venues = list(session.adapters)
        venues = open_venues + sorted(v for v in set(DEFAULTS) | adapter_ids()
                                      if v not in open_venues)
        self.table = QTableWidget(len(venues), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.venues = venues
        for r, venue in enumerate(venues):
            published = published_taker_fee(session.adapters.get(venue)) \
                if venue in session.adapters else None
            rate, source = cross.fees.rate(venue, session.adapters.get(venue))
            yours = cross.fees.yours.get(venue)
            cells = [venue, percent_text(published) if published is not None else "—",
                     percent_text(DEFAULTS[venue]) if venue in DEFAULTS else
                     f"({percent_text(FALLBACK)} assumed)",
                     f"{(yours * 100).normalize():f}" if yours is not None else "",
                     f"{percent_text(rate)} ({source})"]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c != _YOURS:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                else:
                    item.setToolTip("Your taker rate in %, e.g. 0.075; empty: not set")
                if c and c != _YOURS:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if venue not in session.adapters and c != _YOURS:
                    item.setForeground(theme.muted_color())
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_YOURS, QHeaderView.ResizeMode.Stretch)
        self.error = QLabel("")
        self.error.setStyleSheet(f"color: {theme.down_color().name()}")
        intro = QLabel("The rate used is yours where you set one (your tier), else the venue's "
                       "published rate, else its base-tier default. Type yours in %.")
        intro.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, 420)

    def save(self) -> None:
        """Check every typed rate first; nothing is saved while one is wrong."""
        parsed = {}
        for r, venue in enumerate(self.venues):
            text = self.table.item(r, _YOURS).text().strip()
            try:
                parsed[venue] = parse_percent(text) if text else None
            except ValueError as exc:
                self.error.setText(f"{venue}: {exc}")
                self.table.setCurrentCell(r, _YOURS)
                return
        try:
            for venue, rate in parsed.items():
                if rate != self.cross.fees.yours.get(venue):
                    self.cross.set_fee(venue, rate)
        except OSError as exc:
            self.error.setText(f"The fee table could not be saved: {exc.strerror or exc}")
            return
        self.accept()
