"""The exchange map: countries coloured by what their exchanges are today, the counts on
hover, and a click that filters the exchange tree."""
from __future__ import annotations

import json
from importlib import resources

import exchanges
from PySide6.QtCore import QPoint, QPointF, Qt

from gui import atlas
from gui.widgets.worldmap import colors

from .test_trading import ui


def inside(view, item):
    """A point of the view where `item` (a country's shape) is the item under the mouse."""
    r = item.boundingRect()
    for fx in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
        for fy in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
            p = view.mapFromScene(QPointF(r.left() + r.width() * fx, r.top() + r.height() * fy))
            if view.itemAt(p) is item:
                return p
    raise AssertionError("no point of the shape found")


def test_every_seed_country_is_on_the_map_in_its_status_colour(window_factory):
    w = window_factory()
    view = w.views["map"]
    drawn = view.map.items_by_country
    assert set(drawn) == set(exchanges.by_country()) and len(drawn) == 46
    c = colors()
    # Fixed points (each other country is checked against the registry's rule above; new
    # adapters move countries from "live" to "adapter", so no live one is pinned here).
    expected = {"US": "adapter", "Argentina": "closed", "Malta": "closed"}
    st = atlas.statuses()
    for country, item in drawn.items():
        entries = exchanges.by_country()[country]
        if any(e.status != "defunct" and e.has_adapter for e in entries):
            want = "adapter"
        elif any(e.status == "active" for e in entries):
            want = "live"
        elif any(e.status == "renamed" for e in entries):
            want = "renamed"
        else:
            want = "closed"
        assert st[country].best == want, country
        assert view.map.color_of(country) == c[want], country
    for country, want in expected.items():
        assert st[country].best == want, country
    # the legend counts countries per colour, and they add up to the 46
    assert sum(int(t.split("(")[1].split(")")[0])
               for t in view.legend.text().split("&nbsp;&nbsp;")) == 46


def test_hover_says_the_counts(window_factory):
    w = window_factory()
    view = w.views["map"]
    japan = view.map.items_by_country["Japan"]
    tip = japan.toolTip()
    assert tip.startswith("Japan: 8 exchanges")
    counts = atlas.statuses()["Japan"].counts
    for cat, n in counts.items():
        assert f"{n} {atlas.LABELS[cat]}" in tip
    view._on_hover("Japan")
    assert "Japan</b>: 8 exchanges" in view.info.text()


def test_clicking_a_country_filters_the_exchange_tree_and_the_sea_clears_it(window_factory,
                                                                          aloop, qtbot):
    w = window_factory()
    w.show()
    w.docks["map"].raise_()
    view, tree = w.views["map"], w.views["exchanges"]
    aloop.until(view.map.isVisible, what="the map")
    aloop.run(__import__("asyncio").sleep(0.05))
    target = inside(view.map, view.map.items_by_country["Japan"])
    qtbot.mouseClick(view.map.viewport(), Qt.MouseButton.LeftButton, pos=target)
    proxy = tree.proxy
    assert proxy.rowCount() == 1
    assert proxy.index(0, 0).data().startswith("Japan")
    assert proxy.rowCount(proxy.index(0, 0)) == 8
    assert tree.country.isVisibleTo(tree) and tree.country.text().startswith("Japan")
    assert view.map.selected == "Japan"
    # the text filter still works inside the country
    tree.filter.setText("bitflyer")
    assert proxy.rowCount() == 1 and proxy.rowCount(proxy.index(0, 0)) == 1
    tree.filter.setText("")
    # a click on the sea shows every country again
    qtbot.mouseClick(view.map.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    # (46 countries and the built-in demo venue's group)
    assert proxy.rowCount() == 47 and not tree.country.isVisibleTo(tree)
    # a small country is a dot that can be clicked too
    view.choose("Singapore")
    assert proxy.rowCount() == 1 and proxy.rowCount(proxy.index(0, 0)) == 4
    ui(aloop, tree.country.click)
    assert proxy.rowCount() == 47


def test_the_shapes_are_bundled_with_their_licence():
    files = resources.files("resources").joinpath("maps")
    data = json.loads(files.joinpath("countries.json").read_text("utf-8"))
    assert "public domain" in data["source"] and len(data["countries"]) > 150
    licence = files.joinpath("LICENSE.md").read_text("utf-8")
    assert "Natural Earth" in licence and "public domain" in licence
