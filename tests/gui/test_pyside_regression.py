"""PySide6 6.12.0 aborted ("Fatal Python error: bool_dealloc") after a few thousand
dataChanged.emit calls on Python 3.11. Run 40,000 emits with a view attached in a child
process, so an abort fails this test instead of killing the suite."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from PySide6.QtWidgets import QApplication, QTableView

    class Model(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()): return 0 if parent.isValid() else 200
        def columnCount(self, parent=QModelIndex()): return 0 if parent.isValid() else 9
        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            if role == Qt.ItemDataRole.DisplayRole and index.isValid():
                return f"{index.row()}:{index.column()}"
            return None

    app = QApplication([])
    model = Model()
    view = QTableView()
    view.setModel(model)
    view.resize(800, 600)
    view.show()
    for i in range(40_000):
        r = i % 200
        model.dataChanged.emit(model.index(r, 2), model.index(r, 5), [Qt.ItemDataRole.DisplayRole])
        if i % 1000 == 0:
            app.processEvents()
    app.processEvents()
    print("survived 40000")
""")


def test_forty_thousand_data_changed_emits_do_not_abort():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=90, env=env)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    assert "survived 40000" in proc.stdout
