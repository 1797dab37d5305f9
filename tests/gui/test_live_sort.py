"""The live board's proxy: sorted like a plain sort, filtered, re-sorted once per batch, and
selections stay on their rows while rows move."""
from __future__ import annotations

import time
from decimal import Decimal as D

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from exchanges import Ticker
from gui.models.live_sort import LiveSortProxy
from gui.models.tickers import KEY_ROLE, SORT_ROLE, TickerModel

CHANGE = 5      # the 24h % column


def ticker(symbol: str, last: str, open_: str | None = "100") -> Ticker:
    p = D(last)
    return Ticker(symbol, 0, p - 1, p + 1, p, p + 5, p - 5, D(open_) if open_ else None,
                  D(10), None)


def keys(proxy):
    return [proxy.index(r, 0).data(KEY_ROLE)[1] for r in range(proxy.rowCount())]


def board(n=6):
    model = TickerModel()
    model.update({("v", f"S{i}/USD"): ticker(f"S{i}/USD", str(100 + i * 7 % 11)) for i in range(n)})
    proxy = LiveSortProxy()
    proxy.setSourceModel(model)
    return model, proxy


def shown(qtbot, proxy, model, column):
    """A table view of `model` through `proxy`, sorted by `column` descending, every cell in
    sight and painted once."""
    from PySide6.QtWidgets import QTableView

    proxy.setSourceModel(model)
    proxy.sort(column, Qt.SortOrder.DescendingOrder)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.resize(1600, 300)
    view.show()
    qtbot.waitExposed(view)
    qtbot.wait(20)
    return view


def expected(model, column, descending=False):
    rows = [(model.index(r, column).data(SORT_ROLE), model.index(r, 1).data())
            for r in range(model.rowCount())]
    valued = [s for v, s in sorted(((v, s) for v, s in rows if v is not None),
                                   key=lambda x: x[0], reverse=descending)]
    return valued + [s for v, s in rows if v is None]


def test_it_is_a_valid_model_and_sorts_like_a_plain_sort(qtmodeltester):
    model, proxy = board()
    qtmodeltester.check(proxy, force_py=True)
    assert keys(proxy) == [f"S{i}/USD" for i in range(6)]      # arrival order until asked
    proxy.sort(CHANGE, Qt.SortOrder.DescendingOrder)
    assert keys(proxy) == expected(model, CHANGE, descending=True)
    proxy.sort(2, Qt.SortOrder.AscendingOrder)
    assert keys(proxy) == expected(model, 2)


def test_blanks_sort_last_both_ways():
    model, proxy = board(3)
    model.update({("v", "S1/USD"): ticker("S1/USD", "50", open_=None)})    # no 24h %
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        proxy.sort(CHANGE, order)
        assert keys(proxy)[-1] == "S1/USD"


def test_a_batch_is_resorted_once_and_the_selection_follows_its_row(qtbot):
    model, proxy = board()
    proxy.sort(CHANGE, Qt.SortOrder.DescendingOrder)
    selection = QItemSelectionModel(proxy)
    row = keys(proxy).index("S3/USD")
    selection.setCurrentIndex(proxy.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    before = proxy.resorts
    # One frame's batch: every row's 24h % moves.
    model.update({("v", f"S{i}/USD"): ticker(f"S{i}/USD", str(200 - i * 13 % 17))
                  for i in range(6)})
    assert proxy.resorts == before                 # nothing yet: once per batch, not per row
    qtbot.waitUntil(lambda: proxy.resorts == before + 1, timeout=1000)
    assert keys(proxy) == expected(model, CHANGE, descending=True)
    assert selection.currentIndex().data(KEY_ROLE) == ("v", "S3/USD")


def test_cells_change_in_place_without_a_resort(qtbot):
    model, proxy = board()
    proxy.sort(1, Qt.SortOrder.AscendingOrder)     # by symbol: prices do not move rows
    seen = []
    proxy.dataChanged.connect(lambda a, b, roles=(): seen.append(a.row()))
    before = proxy.resorts
    model.update({("v", "S2/USD"): ticker("S2/USD", "999")})
    qtbot.wait(20)
    assert proxy.resorts == before and seen == [keys(proxy).index("S2/USD")]
    assert proxy.index(seen[0], 2).data() == "999.00"


def test_filter_on_any_columns_text(qtbot):
    model, proxy = board()
    proxy.setFilterFixedString("s4")
    assert keys(proxy) == ["S4/USD"]
    proxy.setFilterFixedString("")
    assert len(keys(proxy)) == 6
    model.update({("w", "NEW/USD"): ticker("NEW/USD", "1")})
    assert "NEW/USD" in keys(proxy)


def test_a_painted_cell_gets_every_role_in_one_call_and_the_same_values_as_data(qtbot,
                                                                               monkeypatch):
    """Qt 6's delegates ask seven roles at once (multiData): the board and its proxy answer
    them in one call, with exactly what data() answers role by role."""
    from types import SimpleNamespace

    from gui import theme

    model, proxy = board()
    model.update({("v", "S2/USD"): ticker("S2/USD", "90")})     # a falling 24 h % (coloured)
    model.set_stale({("v", "S4/USD"): True})                    # greyed, with a tooltip
    proxy.sort(CHANGE, Qt.SortOrder.DescendingOrder)
    # S2's last price flashes, a tint that fades with time: the clock stops while compared
    monkeypatch.setattr(theme, "time", SimpleNamespace(monotonic=lambda now=time.monotonic(): now))
    calls = {"data": 0, "multi": 0}

    class Counting(LiveSortProxy):
        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            calls["data"] += 1
            return super().data(index, role)

        def multiData(self, index, span):
            calls["multi"] += 1
            return super().multiData(index, span)

    counting = Counting()
    view = shown(qtbot, counting, model, CHANGE)
    calls.update(data=0, multi=0)
    view.viewport().repaint()
    cells = counting.rowCount() * counting.columnCount()
    assert calls["multi"] >= cells and calls["data"] == 0

    from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan
    roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole,
             Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole,
             Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole,
             Qt.ItemDataRole.DecorationRole, SORT_ROLE, KEY_ROLE]
    for m in (proxy, model):
        for r in range(m.rowCount()):
            for c in range(m.columnCount()):
                index = m.index(r, c)
                for role in roles:      # (Python can only make spans of one)
                    slot = QModelRoleData(int(role))
                    m.multiData(index, QModelRoleDataSpan(slot))
                    assert slot.data() == index.data(role)


def _plain_table():
    from PySide6.QtGui import QColor

    from gui.models.table import TableModel

    class Plain(TableModel):
        COLUMNS = ("Name", "Price", "Size")
        NUMERIC = frozenset({1, 2})

        def row_count(self):
            return 5

        def cell(self, r, c, role):
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{r}.{c}"
            if role == Qt.ItemDataRole.ForegroundRole and c == 1 and r % 2:
                return QColor("red")
            if role == Qt.ItemDataRole.BackgroundRole and c == 2 and r == 3:
                return QColor("blue")
            if role == Qt.ItemDataRole.ToolTipRole:
                return "tip"
            return None
    return Plain()


@pytest.mark.parametrize("which", ["board", "another table"])
def test_the_delegates_seven_roles_are_answered_by_position_as_data_answers(qtbot, monkeypatch,
                                                                           which):
    """A painted cell's seven roles are answered by where Qt's delegate puts them (fewer calls
    into Qt per cell). Pinned here against the installed Qt: the delegate's layout, no role
    left as they came (Qt reuses them), the fast path taken, and every answer what data()
    gives role by role."""
    from types import SimpleNamespace

    from gui import theme
    from gui.models import table

    if which == "board":
        model, _ = board()
        model.update({("v", "S2/USD"): ticker("S2/USD", "90")})  # falling (red), flashing
        model.set_stale({("v", "S4/USD"): True})                 # greyed
        monkeypatch.setattr(theme, "time",
                            SimpleNamespace(monotonic=lambda now=time.monotonic(): now))
    else:
        model = _plain_table()
    fast = []
    real = table.delegate_span
    monkeypatch.setattr(table, "delegate_span", lambda span: fast.append(real(span)) or fast[-1])
    seen = []

    class Recording(LiveSortProxy):
        def multiData(self, index, span):
            arrived = [(span[i].role(), span[i].data()) for i in range(len(span))]
            super().multiData(index, span)
            seen.append((index.row(), index.column(), arrived,
                         [span[i].data() for i in range(len(span))]))

    proxy = Recording()
    view = shown(qtbot, proxy, model, CHANGE if which == "board" else 1)
    seen.clear()
    fast.clear()
    view.viewport().repaint()
    assert len(seen) >= proxy.rowCount() * proxy.columnCount() and fast and all(fast)
    colours = 0
    for r, c, arrived, answered in seen:
        assert tuple(role for role, _ in arrived) == table.DELEGATE_ROLES
        assert answered == [proxy.index(r, c).data(role) for role, _ in arrived], (r, c)
        colours += sum(v is not None for v in answered[2::4])   # foreground, background
    assert colours >= 2             # the coloured cells were among them


def test_the_board_paints_a_moved_price_tinted_then_plain(qtbot):
    """The flash reaches the screen through Qt's own delegate (the cell's BackgroundRole),
    sorted through the live proxy, and FlashFade repaints it away once it has faded."""
    from PySide6.QtCore import QEvent, QObject, QRect
    from PySide6.QtWidgets import QTableView

    from gui.models.tickers import FLASH_MS, LAST
    from gui.views.board import configure_table
    from gui.widgets.flash import FlashFade
    model, proxy = board(3)
    view = QTableView()
    view.setModel(proxy)
    configure_table(view)
    view.resize(900, 200)
    view._flash = FlashFade(view, model, LAST, FLASH_MS)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    proxy.sort(CHANGE, Qt.SortOrder.DescendingOrder)
    row = 1
    source = proxy.mapToSource(proxy.index(row, 0)).row()

    def pixel(column):      # the cell's left edge: background, not text (numbers align right)
        rect = view.visualRect(proxy.index(row, column))
        return view.viewport().grab().toImage().pixelColor(rect.left() + 3, rect.center().y())

    plain = pixel(LAST)
    assert pixel(LAST - 1) == plain
    key, last = model.index(source, 0).data(KEY_ROLE), model.index(source, LAST).data(SORT_ROLE)
    model.update({key: ticker(key[1], str(last + 3))})
    row = keys(proxy).index(key[1])
    tinted = pixel(LAST)
    assert tinted != plain and tinted.green() > tinted.red(), tinted.name()
    assert pixel(LAST - 1) == plain
    # while it fades, the last price's column is repainted (and only it); then nothing is
    # (grab() above paints by itself: the repaints are counted as the screen gets them)
    painted = []

    class Paints(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                painted.append((time.monotonic(), event.rect()))
            return False

    counter = Paints(view)
    view.viewport().installEventFilter(counter)
    moved = time.monotonic()
    qtbot.wait(FLASH_MS + 400)
    fading = [rect for at, rect in painted if at - moved < FLASH_MS / 1000]
    column = QRect(view.columnViewportPosition(LAST), 0, view.columnWidth(LAST),
                   view.viewport().height())
    # (the row moved up, so the re-sort repainted the whole board once, the fade only the column)
    assert len([rect for rect in fading if column.contains(rect)]) >= 3, painted
    assert not [at for at, _ in painted if at - moved > FLASH_MS / 1000 + 0.25], painted
    assert pixel(LAST) == plain


def test_a_cell_that_cannot_be_answered_is_painted_empty_and_logged_once(qtbot, caplog,
                                                                         monkeypatch):
    """An exception escaping the board's multiData() during a paint ended the app (a segfault
    in PySide 6.11, through the proxy): it is caught, the cell stays empty, the log says so."""
    import gui.models.table
    monkeypatch.setattr(gui.models.table, "_reported", set())

    class Broken(TickerModel):
        def cell(self, r, c, role):
            if c == CHANGE and role == Qt.ItemDataRole.DisplayRole:
                raise ValueError("a value the formatter cannot read")
            return super().cell(r, c, role)

    model = Broken()
    model.update({("v", f"S{i}/USD"): ticker(f"S{i}/USD", str(100 + i)) for i in range(3)})
    proxy = LiveSortProxy()
    view = shown(qtbot, proxy, model, 0)
    for _ in range(3):
        view.viewport().grab()              # paints every cell, as the screen would
    errors = [r for r in caplog.records if "could not be shown" in r.getMessage()]
    assert len(errors) == 1 and "a value the formatter cannot read" in errors[0].getMessage()
    assert view.isVisible() and proxy.index(0, CHANGE - 1).data() is not None


def test_changed_rows_go_down_the_board_in_one_batch_and_as_datachanged_to_listeners():
    """An update reaches the live sort, and from it the mirror, as one `rows_changed` of
    (row, first column, last column); `dataChanged` per row still reaches who listens to it."""
    model, proxy = board(4)
    proxy.sort(CHANGE, Qt.SortOrder.DescendingOrder)
    proxy._refresh()
    from_model, from_proxy, cells = [], [], []
    model.rows_changed.connect(from_model.append)
    proxy.rows_changed.connect(from_proxy.append)
    model.dataChanged.connect(lambda a, b, roles=(): cells.append((a.row(), a.column(),
                                                                   b.column())))
    model.update({("v", "S1/USD"): ticker("S1/USD", "150"),
                  ("v", "S3/USD"): ticker("S3/USD", "110")})        # S3: as it was
    r1, r3 = model.row_of("v", "S1/USD"), model.row_of("v", "S3/USD")
    assert len(from_model) == 1 and [r for r, _, _ in from_model[0]] == [r1]
    assert cells == from_model[0]
    assert len(from_proxy) == 1
    (p, lo, hi), = from_proxy[0]
    assert proxy.mapToSource(proxy.index(p, 0)).row() == r1 and (lo, hi) == from_model[0][0][1:]
    assert r3 not in [r for r, _, _ in from_model[0]]


def test_a_source_without_batches_reaches_the_live_sort_through_datachanged():
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    source = QStandardItemModel(0, 2)
    for name, value in (("a", 3), ("b", 1), ("c", 2)):
        item = QStandardItem(name)
        value_item = QStandardItem(str(value))
        value_item.setData(value, SORT_ROLE)
        source.appendRow([item, value_item])
    proxy = LiveSortProxy()
    proxy.setSourceModel(source)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    proxy._refresh()
    assert [proxy.index(r, 0).data() for r in range(3)] == ["b", "c", "a"]
    batches = []
    proxy.rows_changed.connect(batches.append)
    source.item(0, 1).setData(0, SORT_ROLE)                 # "a" moves to the top
    assert batches and batches[0][0][0] == 2                # its cells, at its place then
    proxy._refresh()
    assert [proxy.index(r, 0).data() for r in range(3)] == ["a", "b", "c"]


def test_nobody_listening_to_datachanged_gets_no_per_row_signal():
    model = TickerModel()
    model.update({("v", "S/USD"): ticker("S/USD", "100")})
    made = []
    real = model.createIndex
    model.createIndex = lambda *a: made.append(a) or real(*a)
    batches = []
    model.rows_changed.connect(batches.append)
    model.update({("v", "S/USD"): ticker("S/USD", "101")})
    assert len(batches) == 1 and made == []             # one batch, no index made per row
    model.dataChanged.connect(lambda *a: None)
    model.update({("v", "S/USD"): ticker("S/USD", "102")})
    assert len(batches) == 2 and len(made) == 2         # a listener: dataChanged per row
