"""Entry point: QApplication + qasync loop, and the command line.

    exchange-atlas                          the app (the demo venue when nothing is set up)
    exchange-atlas --screenshot F [--after S]   offscreen: PNG of the main window once live
                                            data shows (or after S seconds), then exit 0
    exchange-atlas --self-test              headless checks, one line of JSON, exit 0 if all pass
    exchange-atlas --version                the version, then exit
"""
from __future__ import annotations

import time

_T0 = time.perf_counter()      # before the heavy imports: part of the measured cold start

import argparse
import asyncio
import json
import logging
import os
import sys

__all__ = ["main", "process_age_ms", "show"]

log = logging.getLogger("gui")


def process_age_ms() -> float:
    """Milliseconds since this process started (from /proc on Linux, else since import)."""
    try:
        with open("/proc/self/stat") as fh:
            start_ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fh:
            uptime = float(fh.read().split()[0])
        return (uptime - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000
    except (OSError, ValueError, IndexError):
        return (time.perf_counter() - _T0) * 1000


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="exchange-atlas",
                                description="A desktop trading terminal for many exchanges.")
    p.add_argument("--screenshot", metavar="FILE",
                   help="start on the demo venue offscreen, save a PNG of the window, exit")
    p.add_argument("--after", metavar="SECONDS", type=float, default=None,
                   help="with --screenshot: wait at most this long for live data (default 15)")
    p.add_argument("--self-test", action="store_true",
                   help="check the window, the adapter layer and the demo venue; print JSON")
    from . import __version__
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = p.parse_args(argv)
    if args.after is not None and not args.screenshot:
        p.error("--after only applies to --screenshot (how long to wait for live data)")
    if args.after is not None and args.after < 0:
        p.error("--after must be a number of seconds, 0 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.screenshot or args.self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    quiet = args.self_test or args.screenshot
    if not quiet:
        from .display import problem
        why = problem()
        if why:                    # before Qt, which would abort with a longer story
            print(f"exchange-atlas: {why}", file=sys.stderr)
            return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from exchanges.redact import install as redact_logs
    redact_logs()                                    # secrets never reach a log handler
    for handler in logging.getLogger().handlers:     # headless runs: stdout is for the result
        handler.setLevel(logging.WARNING if quiet else logging.INFO)
    from PySide6.QtWidgets import QApplication

    from . import qtloop
    from .settings import ORGANIZATION, application_name
    if quiet:
        _quiet_offscreen_notes()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(application_name())
    app.setApplicationDisplayName("Exchange Atlas")
    app.setDesktopFileName("exchange-atlas")        # matches packaging/linux's .desktop file
    app.setWindowIcon(app_icon())
    if args.self_test:
        run = _self_test(app)
    elif args.screenshot:
        run = _screenshot(app, args.screenshot, args.after)
    else:
        run = _interactive(app)
    return qtloop.run(run)


def app_icon():
    """The app icon at every size shipped in resources/icons (window, taskbar, dock)."""
    from importlib import resources

    from PySide6.QtGui import QIcon
    icon = QIcon()
    try:
        icons = resources.files("resources").joinpath("icons")
    except (ImportError, OSError) as exc:        # an incomplete install: run without an icon
        logging.getLogger("gui").warning("app icon not found: %s", exc)
        return icon
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        path = icons.joinpath(f"exchange-atlas-{size}.png")
        if path.is_file():
            icon.addFile(str(path))
    return icon


# What the offscreen platform says about itself (it has no window manager), not about the app.
_OFFSCREEN_NOTES = ("does not support propagateSizeHints", "does not support raise")


def _quiet_offscreen_notes() -> None:
    from PySide6.QtCore import qInstallMessageHandler

    def handler(mode, context, message):
        if not any(note in message for note in _OFFSCREEN_NOTES):
            sys.stderr.write(message + "\n")
    qInstallMessageHandler(handler)


def _window(app, headless: bool = False):
    from . import theme
    from .settings import Settings
    from .window import MainWindow
    settings = Settings()
    theme.apply(app, settings.theme())
    window = MainWindow(settings=settings)
    # a headless run neither shows nor changes the trader's saved demo account
    window.demo_account.enabled = not headless
    return window


async def _interactive(app) -> int:
    from . import heap
    quit_event = asyncio.Event()
    # Qt must not stop the loop by itself when the window closes: the adapters still have to
    # be closed on it. The last window closing ends `main`, which shuts down, then returns.
    app.setQuitOnLastWindowClosed(False)
    app.aboutToQuit.connect(quit_event.set)
    app.lastWindowClosed.connect(quit_event.set)
    window = _window(app)
    show(window)
    try:
        await window.start()
        heap.settle()            # what start made lives as long as the app
        await quit_event.wait()
    finally:
        await window.shutdown()
    return 0


def show(window) -> None:
    """Show the main window: maximised on a first start (the layout uses the screen), else as
    it was (start() puts back the saved geometry)."""
    if window.settings.layout()[0] is None:
        window.showMaximized()
    else:
        window.show()


def _has_live_data(window) -> bool:
    chart = window.views.get("chart")
    return (window.tickers.rowCount() > 0 and window.book.rowCount() > 0
            and window.trades.rowCount() > 0 and (chart is None or chart.loaded))


async def _screenshot(app, path: str, after: float | None) -> int:
    window = _window(app, headless=True)
    window.resize(1680, 1000)
    window.show()
    try:
        await window.start(restore=False, venues=["demo"])
        deadline = time.monotonic() + (15.0 if after is None else after)
        while time.monotonic() < deadline and not _has_live_data(window):
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.6)       # let a few frames land (flashes, forming candle)
        ok = window.grab().save(path, "PNG")
    finally:
        await window.shutdown(save=False)
    if not ok:
        print(f"could not write {path}", file=sys.stderr)
        return 1
    return 0


async def _first_live_tick(window, venue: str = "demo") -> None:
    """Return once a streamed (not snapshot) tick of `venue` has reached the board model."""
    while True:
        st = window.session.states.get(venue)
        if st is not None and st.first_tick is not None and window.tickers.rowCount():
            return
        await asyncio.sleep(0.005)


def _adapters_load() -> tuple[dict[str, str], bool]:
    """Build every adapter offline (nothing connects): proves each venue's module and what it
    needs (JWT, EC keys, the typed JSON decoder) are importable, which a bundle could lack."""
    import exchanges
    from exchanges.registry import adapter_ids
    out = {}
    for ad_id in sorted(adapter_ids()):
        try:
            out[ad_id] = type(exchanges.create(ad_id)).__name__
        except Exception as exc:
            out[ad_id] = f"error: {type(exc).__name__}: {exc}"
    return out, bool(out) and not any(v.startswith("error") for v in out.values())


async def _self_test(app) -> int:
    checks: dict[str, object] = {}
    first_tick_ms = None
    window = None
    try:
        import exchanges
        reg = exchanges.registry()
        countries = exchanges.by_country()
        checks["registry"] = {"ids": len(reg), "countries": len(countries),
                              "rows": sum(len(v) for v in countries.values())}
        checks["registry_ok"] = (len(reg), len(countries), checks["registry"]["rows"]) == (102, 46, 144)
        window = _window(app, headless=True)
        from .views import DOCKS
        checks["window_ok"] = (len(window.docks) == len(DOCKS) and all(
            d.objectName() and d.widget() is not None for d in window.docks.values())
            and not app.windowIcon().isNull())     # the icon ships (pip install or bundle)
        await window.start(restore=False, venues=["demo"])
        try:
            await asyncio.wait_for(_first_live_tick(window), 20)
            first_tick_ms = round(process_age_ms())
            checks["demo_ok"] = True
        except asyncio.TimeoutError:
            st = window.session.states.get("demo")
            checks["demo_ok"] = False
            checks["demo_detail"] = st.detail if st else "the demo venue did not open"
        checks["adapters"], checks["adapters_ok"] = _adapters_load()
    except Exception as exc:
        checks["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        if window is not None:
            await window.shutdown(save=False)
    ok = all(checks.get(k) is True for k in ("registry_ok", "window_ok", "demo_ok",
                                             "adapters_ok"))
    print(json.dumps({"ok": ok, "checks": checks, "cold_start_to_first_tick_ms": first_tick_ms}),
          flush=True)
    return 0 if ok else 1
