"""Can Qt open a window here? Asked before the QApplication exists, so that a machine with no
display, or without the system libraries Qt's X11 plugin loads, gets one line saying so and
what to do, instead of Qt's abort ("could not load the Qt platform plugin …", core dumped).
"""
from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping

__all__ = ["problem", "XCB_LIBRARIES", "apt_line"]

# What Qt's xcb platform plugin (and the Qt libraries it pulls in) load, by soname, with the
# Debian/Ubuntu package that ships it. The README's install line is this table's packages.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}


def apt_line(packages) -> str:
    return "sudo apt-get install -y " + " ".join(packages)


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
        return True
    except OSError:
        return False


def _x_server_answers(display: str) -> bool:
    """Whether the X server named by `display` accepts a connection (through libxcb)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True          # reported as a missing library instead
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    conn = xcb.xcb_connect(display.encode(), None)
    try:
        return conn is not None and xcb.xcb_connection_has_error(conn) == 0
    finally:
        if conn:
            xcb.xcb_disconnect(conn)


def problem(env: Mapping[str, str] | None = None, platform: str = sys.platform,
            loads=_loads, x_server_answers=_x_server_answers) -> str | None:
    """Why no window can be opened here, in one line; None when nothing is known to be wrong.

    Only Linux/BSD desktops are checked (macOS and Windows always have their platform)."""
    env = os.environ if env is None else env
    if not platform.startswith(("linux", "freebsd", "openbsd")):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    x11, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if chosen and chosen != "xcb":
        if chosen.startswith("wayland") and not wayland:
            return ("no Wayland display: QT_QPA_PLATFORM asks for Wayland but WAYLAND_DISPLAY "
                    "is not set")
        return None           # offscreen, vnc, eglfs …: Qt's own business
    if not chosen and wayland and not x11:
        return None           # a Wayland session: Qt picks its Wayland plugin
    if not x11:
        return ("no display: neither DISPLAY nor WAYLAND_DISPLAY is set. Start it from a desktop"
                " session (or ssh -X); --screenshot and --self-test need no display")
    missing = [pkg for lib, pkg in XCB_LIBRARIES.items() if not loads(lib)]
    if missing:
        return (f"Qt's X11 plugin needs system libraries that are missing here: install them "
                f"with: {apt_line(missing)}")
    if not x_server_answers(x11):
        return f"cannot connect to the X display {x11!r} (is the X server running, and yours?)"
    return None
