"""Narrow tables hide their least wanted columns whole instead of eliding every one."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from exchanges import Market, Trade
from gui.models.trades import TradesModel
from gui.views import tape

D = Decimal
BTC = Market("BTC/USD", "BTCUSD", "BTC", "USD", D("0.01"), D("0.00001"))


@pytest.fixture
def tape_view(qtbot):
    trades = TradesModel()
    trades.clear(BTC)
    view = tape.build(SimpleNamespace(trades=trades, fill_order=lambda **kw: None))
    qtbot.addWidget(view)
    view.resize(500, 300)
    view.show()
    qtbot.waitExposed(view)
    trades.add([Trade(str(i), 1_764_000_000_000 + i * 1000, "buy" if i % 2 else "sell",
                      D("64253.92") + i, D("0.21876")) for i in range(20)])
    return view


def shown(view) -> set[int]:
    return {c for c in range(view.model().columnCount()) if not view.isColumnHidden(c)}


@pytest.mark.parametrize("width", [500, 300, 240, 200, 170, 140, 110])
def test_a_narrow_tape_keeps_price_then_size_then_side_then_time(tape_view, qtbot, width):
    tape_view.resize(width, 300)
    qtbot.waitUntil(lambda: tape_view.width() == width)
    order = [1, 2, 3, 0]
    need = {c: max(tape_view.sizeHintForColumn(c),
                   tape_view.horizontalHeader().sectionSizeHint(c)) for c in order}
    room = tape_view.viewport().width()
    fits = [c for i, c in enumerate(order) if sum(need[x] for x in order[:i + 1]) <= room]
    assert shown(tape_view) == set(fits)                    # the wanted ones that fit
    if width >= 500:
        assert fits == order
    if width <= 110:
        assert fits == [1]
    header = tape_view.horizontalHeader()
    for c in fits:                                          # none of them elided
        assert header.sectionSize(c) >= tape_view.sizeHintForColumn(c), c


def test_columns_come_back_when_there_is_room(tape_view, qtbot):
    tape_view.resize(120, 300)
    qtbot.waitUntil(lambda: shown(tape_view) == {1})
    tape_view.resize(600, 300)
    qtbot.waitUntil(lambda: shown(tape_view) == {0, 1, 2, 3})
