"""Exchange map dock: every country of the seed list coloured by what its exchanges are today
(live with an adapter, live without one, renamed, closed), the counts on hover, and a click
that filters the exchange tree to that country (the sea clears it)."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from .. import atlas
from ..widgets.worldmap import WorldMap, colors

__all__ = ["MapView", "build"]


class MapView(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window_ = window
        self.statuses = atlas.statuses()
        self.map = WorldMap()
        cats = {c: st.best for c, st in self.statuses.items()}
        tips = {c: st.describe() for c, st in self.statuses.items()}
        places = {c: atlas.place_of(c) for c in self.statuses if atlas.place_of(c)}
        self.map.build(atlas.shapes(), cats, tips, atlas.SHAPE_NAMES, places)
        self.map.clicked.connect(self.choose)
        self.map.hovered.connect(self._on_hover)
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)           # wraps in a narrow dock, never widens it
        self.info = QLabel("")
        self.info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.info.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        note = QLabel("Shapes: Natural Earth (public domain)")
        note.setEnabled(False)
        note.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bottom = QHBoxLayout()
        bottom.setSpacing(8)
        bottom.addWidget(self.info, 1)
        bottom.addWidget(note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.legend)
        layout.addWidget(self.map, 1)
        layout.addLayout(bottom)
        self.restyle()
        self._on_hover("")

    def restyle(self) -> None:
        c = colors()
        counts = {k: sum(1 for st in self.statuses.values() if st.best == k)
                  for k in atlas.CATEGORIES}
        self.legend.setText("&nbsp;&nbsp;".join(
            f"<span style='color:{c[k].name()}'>■</span> {html.escape(atlas.LABELS[k])} "
            f"({counts[k]})" for k in atlas.CATEGORIES))
        self.legend.setToolTip("Countries by the best their exchanges offer today "
                               "(numbers: countries)")
        self.map.restyle()

    def _on_hover(self, country: str) -> None:
        st = self.statuses.get(country)
        if st is None:
            chosen = f"Showing {self.map.selected} in the exchange tree · " \
                if self.map.selected else ""
            self.info.setText(f"{chosen}Click a country to filter the exchange tree")
            return
        parts = [f"{st.counts[k]} {atlas.LABELS[k]}" for k in atlas.CATEGORIES
                 if st.counts.get(k)]
        self.info.setText(f"<b>{html.escape(country)}</b>: {st.total} exchange"
                          f"{'s' if st.total != 1 else ''} · " + " · ".join(parts))

    def choose(self, country: str) -> None:
        """Filter the exchange tree to `country` ("" clears the filter)."""
        self.map.select(country)
        tree = self.window_.views.get("exchanges")
        if tree is not None:
            tree.set_country(country or None)
            if country:
                dock = self.window_.docks.get("exchanges")
                if dock is not None:
                    dock.raise_()
        self._on_hover("")


def build(window) -> MapView:
    return MapView(window)
