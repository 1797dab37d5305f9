"""The board's view paints a MirrorModel (C++ items holding the rows on screen): every cell on
screen shows what the live proxy answers, through re-sorts, filters, scrolling, stale rows,
flashes and a theme change; rows off screen cost nothing; the selection follows its row."""
from __future__ import annotations

import dataclasses
import random
import time
from decimal import Decimal as D

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QTableView

from gui import theme
from gui.models.live_sort import LiveSortProxy
from gui.models.mirror import MirrorModel
from gui.models.table import SHOWN_ROLES, TableModel
from gui.models.tickers import CHANGE, FLASH_MS, KEY_ROLE, LAST, TickerModel
from gui.views.board import configure_table

from .test_live_sort import ticker

ALIGN = Qt.ItemDataRole.TextAlignmentRole


def board(qtbot, n=200, height=300):
    model = TickerModel()
    model.update({("v", f"S{i:03d}/USD"): ticker(f"S{i:03d}/USD", str(100 + i * 7 % 41))
                  for i in range(n)})
    proxy = LiveSortProxy()
    proxy.setSourceModel(model)
    view = QTableView()
    qtbot.addWidget(view)
    configure_table(view)
    mirror = MirrorModel(proxy, view)
    view._models = (model, proxy)               # as the board holds them: as long as the view
    view.setSortingEnabled(True)
    view.sortByColumn(CHANGE, Qt.SortOrder.DescendingOrder)
    view.resize(1000, height)
    view.show()
    qtbot.waitExposed(view)
    return model, proxy, view, mirror


def on_screen(view) -> range:
    first = view.rowAt(0)
    last = view.rowAt(view.viewport().height() - 1)
    return range(first, (last if last >= 0 else view.model().rowCount() - 1) + 1)


def assert_shows_the_proxy(view, proxy, mirror):
    rows = on_screen(view)
    assert len(rows) > 3
    for r in rows:
        for c in range(proxy.columnCount()):
            for role in SHOWN_ROLES + (int(ALIGN),):
                assert mirror.index(r, c).data(role) == proxy.index(r, c).data(role), (r, c, role)


def random_moves(model, rng, n=60, stale=False):
    batch = {}
    for i in rng.sample(range(model.rowCount()), n):
        symbol = f"S{i:03d}/USD"
        batch[("v", symbol)] = ticker(symbol, str(rng.randint(50, 150)),
                                      rng.choice(["100", "100", None]))
    model.update(batch)
    if stale:
        model.set_stale({("v", f"S{i:03d}/USD"): rng.random() < 0.5
                         for i in rng.sample(range(model.rowCount()), 30)})


def test_every_cell_on_screen_shows_what_the_proxy_answers(qtbot, monkeypatch):
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now)     # a flash's tint is of its age
    model, proxy, view, mirror = board(qtbot)
    rng = random.Random(7)
    model.set_twins("v", {"S001/USD": ("S002/USD", "S-BOOK"), "S004/USD": ("S005/USD", "X")})
    assert_shows_the_proxy(view, proxy, mirror)
    for round_ in range(6):
        before = proxy.resorts
        random_moves(model, rng, stale=round_ % 2 == 1)
        qtbot.waitUntil(lambda: proxy.resorts > before, timeout=2000)
        assert_shows_the_proxy(view, proxy, mirror)
    coloured = [r for r in on_screen(view)
                if mirror.index(r, CHANGE).data(Qt.ItemDataRole.ForegroundRole) is not None]
    assert coloured                             # (the comparison saw colours, not only text)
    proxy.setFilterFixedString("s01")           # S010…S019
    assert proxy.rowCount() == 10 and mirror.rowCount() == 10
    assert_shows_the_proxy(view, proxy, mirror)
    proxy.setFilterFixedString("")
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    assert on_screen(view)[-1] == proxy.rowCount() - 1
    assert_shows_the_proxy(view, proxy, mirror)


def test_rows_off_screen_are_not_copied_until_they_scroll_in(qtbot):
    model, proxy, view, mirror = board(qtbot, n=2000)
    last = on_screen(view)[-1]
    assert mirror.item(200, 0) is None and mirror.item(1999, 0) is None
    calls = []
    real = proxy.shown_cells
    proxy.shown_cells = lambda r: calls.append(r) or real(r)     # (what the mirror reads)
    model.update({("v", "S1999/USD"): ticker("S1999/USD", "1")})    # a row far off screen
    assert not [r for r in calls if r > last + 2]
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    assert mirror.item(1999, 0) is not None
    assert_shows_the_proxy(view, proxy, mirror)


def test_the_fast_shown_cells_equal_the_role_by_role_answers(qtbot):
    """TickerModel.shown_cells answers without a call per role: the same values as data()."""
    model = TickerModel()
    model.update({("v", "A/USD"): ticker("A/USD", "101"), ("v", "B/USD"): ticker("B/USD", "99"),
                  ("v", "C/USD"): ticker("C/USD", "100", None),
                  ("v", "D/USD"): ticker("D/USD", "100")})
    model.update({("v", "A/USD"): ticker("A/USD", "105")})             # a flash
    model.set_twins("v", {"B/USD": ("A/USD", "A-BOOK")})
    model.set_stale({("v", "D/USD"): True})
    day = dataclasses.replace(ticker("E/USD", "120", None), open_today=D("100"))
    model.update({("v", "E/USD"): day})
    for r in range(model.rowCount()):
        assert model.shown_cells(r) == TableModel.shown_cells(model, r), r
    assert model.shown_cells(0)[LAST][2] is not None                 # the flash's tint
    assert model.shown_cells(3)[0][1] is not None                    # stale: greyed
    assert model.shown_cells(4)[CHANGE][0].endswith("today")         # the day's change
    assert model.shown_cells(4)[CHANGE][3] is not None               # (in italics)


def test_the_selection_follows_its_row_without_scrolling_the_board(qtbot):
    model, proxy, view, mirror = board(qtbot)
    rows = on_screen(view)
    view.selectRow(rows[2])
    key = proxy.index(rows[2], 0).data(KEY_ROLE)
    scrolled = view.verticalScrollBar().value()
    before = proxy.resorts
    model.update({key: ticker(key[1], "10")})   # −90 %: to the bottom, far off screen
    qtbot.waitUntil(lambda: proxy.resorts > before, timeout=2000)
    current = view.selectionModel().currentIndex()
    assert proxy.index(current.row(), 0).data(KEY_ROLE) == key
    assert [i.row() for i in view.selectionModel().selectedRows()] == [current.row()]
    assert current.row() == proxy.rowCount() - 1
    assert view.verticalScrollBar().value() == scrolled
    proxy.setFilterFixedString("no such pair")
    assert not view.selectionModel().selectedRows()


def test_a_header_click_sorts_the_proxy(qtbot):
    model, proxy, view, mirror = board(qtbot, n=20)
    header = view.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(1) + 5, 5))
    assert proxy.sortColumn() == 1
    symbols = [mirror.index(r, 1).data() for r in on_screen(view)]
    assert symbols in (sorted(symbols), sorted(symbols, reverse=True))
    assert mirror.headerData(CHANGE, Qt.Orientation.Horizontal) == "24h %"


@pytest.mark.parametrize("mode", ["dark", "light"])
def test_a_theme_change_recolours_the_cells_on_screen(qtbot, mode):
    model, proxy, view, mirror = board(qtbot)
    app = QApplication.instance()
    other = "light" if mode == "dark" else "dark"
    try:
        theme.apply(app, mode)
        qtbot.wait(10)
        theme.apply(app, other)
        qtbot.waitUntil(lambda: any(
            mirror.index(r, CHANGE).data(Qt.ItemDataRole.ForegroundRole) ==
            proxy.index(r, CHANGE).data(Qt.ItemDataRole.ForegroundRole) is not None
            for r in on_screen(view)), timeout=1000)
        assert_shows_the_proxy(view, proxy, mirror)
    finally:
        theme.apply(app, "light")


def test_the_flash_fades_in_the_mirror(qtbot):
    from gui.widgets.flash import FlashFade
    model, proxy, view, mirror = board(qtbot, n=20)
    view._flash = FlashFade(view, model, LAST, FLASH_MS)
    row = on_screen(view)[1]
    key = proxy.index(row, 0).data(KEY_ROLE)
    last = model.sort_value(model.row_of(*key), LAST)
    model.update({key: ticker(key[1], str(last + 1))})
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(KEY_ROLE) == key)
    tint = mirror.index(row, LAST).data(Qt.ItemDataRole.BackgroundRole)
    assert tint is not None and tint.green() > tint.red()
    qtbot.wait(FLASH_MS // 2)
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(KEY_ROLE) == key)
    fading = mirror.index(row, LAST).data(Qt.ItemDataRole.BackgroundRole)
    assert fading is not None and fading.alpha() < tint.alpha()
    qtbot.waitUntil(lambda: mirror.index(row, LAST).data(Qt.ItemDataRole.BackgroundRole) is None,
                    timeout=FLASH_MS + 500)
    assert time.monotonic() - model.last_move >= FLASH_MS / 1000
