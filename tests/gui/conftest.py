"""GUI test setup: a qasync loop per test, a private QSettings/data location, a fake venue."""
from __future__ import annotations

import asyncio
import time

import pytest
from PySide6.QtCore import QSettings

SCREENSHOTS = __import__("pathlib").Path(__file__).parent / "screenshots"


def _not_blank(image) -> bool:
    first = image.pixel(2, 2)
    step_x, step_y = max(1, image.width() // 37), max(1, image.height() // 29)
    return any(image.pixel(x, y) != first for x in range(0, image.width(), step_x)
               for y in range(0, image.height(), step_y))


def save_screenshots(shots: dict, mode: str) -> None:
    """Write each grabbed pixmap as screenshots/<mode>-<name>.png; none may be blank."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for name, pixmap in shots.items():
        path = SCREENSHOTS / f"{mode}-{name}.png"
        assert pixmap.save(str(path), "PNG"), path
        assert _not_blank(pixmap.toImage()), f"{path} is blank"


@pytest.fixture(autouse=True)
def private_settings(qapp, tmp_path, monkeypatch):
    """Every test gets its own QSettings and data directory: layouts never leak between tests
    or into the user's real settings."""
    where = tmp_path / "settings"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(where))
    monkeypatch.setenv("EXCHANGE_ATLAS_DATA_DIR", str(tmp_path / "data"))
    yield where


class Loop:
    """The test's asyncio loop on Qt (qasync), running from the test's start to its end, as the
    app's loop runs for the app's whole life.

    qasync marks its loop running only inside `run_until_complete`, yet Qt runs the loop's
    callbacks whenever anything processes events: qasync's own last `processEvents()` after
    the future is done, pytest-qt between a test's phases, `qtbot.wait`. A task stepped there
    finds no running loop: "no running event loop" from `asyncio.sleep`, "<Queue> is bound to a
    different event loop" from a queue first used inside the loop — and the stream it ran dies
    for the rest of the test. So the loop stays the running loop (with asyncio's async-generator
    hooks, see gui/qtloop.py) until `close()`, and `run` lets Qt's loop run it, as qasync does."""

    def __init__(self, app) -> None:
        from gui.qtloop import AtlasEventLoop, asyncgen_hooks
        self.app = app
        self.loop = AtlasEventLoop(app)
        asyncio.set_event_loop(self.loop)
        self._hooks = asyncgen_hooks(self.loop)
        self._hooks.__enter__()
        asyncio.events._set_running_loop(self.loop)

    def run(self, coro, timeout: float = 20.0):
        task = self.loop.create_task(asyncio.wait_for(coro, timeout))
        task.add_done_callback(lambda _task: self.app.exit())
        self.app.exec()
        return task.result()

    def until(self, predicate, timeout: float = 10.0, what: str = "condition"):
        async def wait():
            deadline = time.monotonic() + timeout
            while not predicate():
                if time.monotonic() > deadline:
                    raise AssertionError(f"timed out waiting for {what}")
                await asyncio.sleep(0.02)
        return self.run(wait(), timeout + 5)

    def close(self) -> None:
        """Cancel what the test left running, let it clean up on the loop, close the streams
        still open; then the loop."""
        for _ in range(5):          # a task's cleanup may start another (closing a stream)
            pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            if not pending:
                break
            for t in pending:
                t.cancel()
            self.run(asyncio.gather(*pending, return_exceptions=True))
        self.run(self.loop.shutdown_asyncgens())
        asyncio.events._set_running_loop(None)
        self._hooks.__exit__(None, None, None)
        self.loop.close()
        asyncio.set_event_loop(None)


@pytest.fixture
def aloop(qapp):
    loop = Loop(qapp)
    yield loop
    loop.close()


@pytest.fixture
def window_factory(aloop, qtbot):
    """Build MainWindows that are shut down (tasks cancelled, adapters closed) at teardown."""
    from gui.window import MainWindow
    made = []

    def make(**kwargs):
        w = MainWindow(**kwargs)
        w.resize(1600, 950)
        made.append(w)
        return w

    yield make
    for w in made:
        aloop.run(w.shutdown(save=False))
        w.close()
        w.deleteLater()


# The offscreen platform has no window manager: it warns that it cannot propagate size hints
# or raise a window. Those are facts about the test platform, not problems in the app.
_OFFSCREEN_NOISE = (r"This plugin does not support propagateSizeHints\(\)",
                    r"This plugin does not support raise\(\)",
                    r"This plugin does not support grabbing the keyboard")   # a popup menu


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/gui" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(*_OFFSCREEN_NOISE))
