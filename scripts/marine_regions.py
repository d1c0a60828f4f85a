#!/usr/bin/env python3
"""Derives crates/nlq/src/marine_regions.txt from Natural Earth 1:50m marine polygons.

Usage: python3 scripts/marine_regions.py PATH/ne_50m_geography_marine_polys.geojson > crates/nlq/src/marine_regions.txt

Each output line is `name|featurecla|ring;ring...`, a ring being `lon,lat lon,lat ...` (closed, exterior
rings only: holes are islands or neighbouring seas, which a query region may include). Rings are simplified
with Douglas-Peucker at 0.1 degrees and rounded to 0.01 degrees. Natural Earth is public domain.
"""
import json
import sys

TOL = 0.1


def dp(pts, tol):
    if len(pts) < 3:
        return pts
    (x1, y1), (x2, y2) = pts[0], pts[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = (dx * dx + dy * dy) ** 0.5
    best, idx = -1.0, 0
    for i in range(1, len(pts) - 1):
        x, y = pts[i]
        d = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm if norm > 0 else ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
        if d > best:
            best, idx = d, i
    if best <= tol:
        return [pts[0], pts[-1]]
    return dp(pts[: idx + 1], tol)[:-1] + dp(pts[idx:], tol)


def simplify_ring(ring):
    ring = [tuple(p[:2]) for p in ring]
    if ring[0] == ring[-1]:
        ring = ring[:-1]
    # split the closed ring at the vertex farthest from the first one
    far = max(range(len(ring)), key=lambda i: (ring[i][0] - ring[0][0]) ** 2 + (ring[i][1] - ring[0][1]) ** 2)
    a = dp(ring[: far + 1], TOL)
    b = dp(ring[far:] + [ring[0]], TOL)
    out = a[:-1] + b
    if len(out) < 4:
        out = ring + [ring[0]]
    return out


def main():
    d = json.load(open(sys.argv[1], encoding="utf-8"))
    for f in d["features"]:
        p, g = f["properties"], f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        rings = []
        for poly in polys:
            r = simplify_ring(poly[0])
            rings.append(" ".join(f"{round(x, 2):g},{round(y, 2):g}" for x, y in r))
        name = " ".join(p["name"].split())
        print(f"{name}|{p['featurecla']}|{';'.join(rings)}")


if __name__ == "__main__":
    main()
