"""Make resources/maps/countries.json, the country shapes of the exchange map (run once; the
JSON is committed, so nothing is downloaded when the app runs).

    pip download geopandas==0.14.4 --no-deps -d /tmp/ne
    python packaging/make_world_map.py /tmp/ne/geopandas-0.14.4-py3-none-any.whl

The shapes are Natural Earth's 1:110m admin-0 countries and populated places (public domain:
"All versions of Natural Earth raster + vector map data found on naturalearthdata.com are in the
public domain"), as geopandas 0.14 shipped them (`geopandas/datasets/naturalearth_lowres` and
`naturalearth_cities`, Natural Earth 5.x). The shapefiles are read here with the standard
library only; coordinates are rounded to 0.05° (about 5 km), far finer than the map draws.
"""
from __future__ import annotations

import json
import struct
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "resources" / "maps" / "countries.json"
DATASETS = "geopandas/datasets/"
STEP = 0.05


def read_dbf(data: bytes, encoding: str) -> list[dict]:
    count, header, length = struct.unpack("<IHH", data[4:12])
    fields, pos = [], 32
    while data[pos] != 0x0D:
        name = data[pos:pos + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, data[pos + 16]))
        pos += 32
    rows = []
    for i in range(count):
        rec = data[header + i * length: header + (i + 1) * length]
        at, row = 1, {}
        for name, size in fields:
            row[name] = rec[at:at + size].decode(encoding).strip()
            at += size
        rows.append(row)
    return rows


def read_shp(data: bytes) -> list:
    """Each record's shape: a list of rings (polygons) or one (x, y) (points)."""
    shapes, pos = [], 100
    while pos < len(data):
        _, words = struct.unpack(">ii", data[pos:pos + 8])
        body = data[pos + 8: pos + 8 + words * 2]
        pos += 8 + words * 2
        kind = struct.unpack("<i", body[:4])[0]
        if kind == 1:
            shapes.append(struct.unpack("<dd", body[4:20]))
            continue
        if kind != 5:
            shapes.append([])
            continue
        parts, points = struct.unpack("<ii", body[36:44])
        starts = struct.unpack(f"<{parts}i", body[44:44 + 4 * parts]) + (points,)
        xy = struct.unpack(f"<{2 * points}d", body[44 + 4 * parts: 44 + 4 * parts + 16 * points])
        rings = []
        for a, b in zip(starts, starts[1:]):
            ring, last = [], None
            for k in range(a, b):
                p = (round(round(xy[2 * k] / STEP) * STEP, 2),
                     round(round(xy[2 * k + 1] / STEP) * STEP, 2))
                if p != last:
                    ring += p
                    last = p
            if len(ring) >= 6:
                rings.append(ring)
        shapes.append(rings)
    return shapes


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as z:
        def layer(name):
            base = f"{DATASETS}{name}/{name}"
            encoding = z.read(base + ".cpg").decode("ascii").strip()      # ISO-8859-1
            return read_dbf(z.read(base + ".dbf"), encoding), read_shp(z.read(base + ".shp"))
        countries, shapes = layer("naturalearth_lowres")
        cities, points = layer("naturalearth_cities")
    out = {
        "source": "Natural Earth 1:110m admin-0 countries and populated places (public domain), "
                  "via geopandas 0.14.4 (geopandas/datasets)",
        "countries": [{"name": c["name"], "iso_a3": c["iso_a3"], "continent": c["continent"],
                       "rings": rings} for c, rings in zip(countries, shapes) if rings],
        "places": [{"name": c["name"], "lon": round(p[0], 3), "lat": round(p[1], 3)}
                   for c, p in zip(cities, points)],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(out, separators=(",", ":"), ensure_ascii=False)
    OUT.write_text(text, encoding="utf-8")
    print(f"{OUT}: {len(out['countries'])} countries, {len(out['places'])} places, "
          f"{len(text) // 1024} KiB")


if __name__ == "__main__":
    main(sys.argv[1])
