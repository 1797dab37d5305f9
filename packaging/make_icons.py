"""Draw the app icon at every size the platforms want (run once; the PNG/ICO/ICNS are committed).

    python packaging/make_icons.py      # needs PySide6; Pillow for the .ico and .icns

The design: a dark globe with meridians (the atlas) behind a green and a red candle (trading).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import (QBrush, QColor, QGuiApplication, QImage, QLinearGradient,  # noqa: E402
                           QPainter, QPainterPath, QPen)

OUT = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)


def draw(size: int) -> QImage:
    img = QImage(size, size, QImage.Format_ARGB32)
    img.fill(Qt.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.Antialiasing)
    s = size / 64.0
    bg = QPainterPath()
    bg.addRoundedRect(QRectF(2 * s, 2 * s, 60 * s, 60 * s), 13 * s, 13 * s)
    grad = QLinearGradient(0, 0, 0, size)
    grad.setColorAt(0, QColor("#1d2b44"))
    grad.setColorAt(1, QColor("#0b1220"))
    p.fillPath(bg, QBrush(grad))
    # Globe with meridians and parallels.
    pen = QPen(QColor(90, 150, 230, 200), max(1.0, 1.6 * s))
    p.setPen(pen)
    p.setBrush(Qt.NoBrush)
    c = QPointF(32 * s, 32 * s)
    r = 22 * s
    p.drawEllipse(c, r, r)
    if size >= 24:
        for w in (0.45, 0.85):
            p.drawEllipse(c, r * w, r)
        p.drawLine(QPointF(c.x() - r, c.y()), QPointF(c.x() + r, c.y()))
        for dy in (-0.5, 0.5):
            half = r * (1 - dy * dy) ** 0.5
            y = c.y() + dy * r
            p.drawLine(QPointF(c.x() - half, y), QPointF(c.x() + half, y))
    # Two candles in front.
    for x, top, bottom, wt, wb, color in ((23, 24, 44, 18, 50, "#26c281"),
                                          (39, 30, 42, 22, 48, "#ef5350")):
        p.setPen(QPen(QColor(color), max(1.0, 2.0 * s)))
        p.drawLine(QPointF((x + 3) * s, wt * s), QPointF((x + 3) * s, wb * s))
        p.setPen(Qt.NoPen)
        p.setBrush(QColor(color))
        p.drawRoundedRect(QRectF(x * s, top * s, 6 * s, (bottom - top) * s), 1.2 * s, 1.2 * s)
    p.end()
    return img


def main() -> int:
    app = QGuiApplication(sys.argv)  # noqa: F841 - QPainter on QImage needs an app for fonts
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        draw(size).save(str(OUT / f"exchange-atlas-{size}.png"))
    try:
        from PIL import Image
    except ImportError:
        print("Pillow not installed: skipped .ico and .icns")
        return 0
    big = Image.open(OUT / "exchange-atlas-1024.png")
    big.save(OUT / "exchange-atlas.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    big.save(OUT / "exchange-atlas.icns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
