"""The offline prefecture map and its projection (pure Python, no database)."""

from __future__ import annotations

import csv
import math
import re
from importlib import resources

import pytest

from hitonagare.regions import mapping
from hitonagare.regions.mapping import load_prefecture_shapes, project

_NUM = r"-?\d+(?:\.\d+)?"
_PAIR = rf"{_NUM},{_NUM}"
_RING = rf"M{_PAIR}L{_PAIR}(?: {_PAIR})+Z"
_PATH_RE = re.compile(rf"(?:{_RING})+")

TOKYO = (35.68, 139.76)
OSAKA = (34.69, 135.50)
SAPPORO = (43.06, 141.35)
NAHA = (26.21, 127.68)


def _inside_view_box(x: float, y: float) -> bool:
    vx, vy, vw, vh = load_prefecture_shapes().view_box_numbers
    return vx <= x <= vx + vw and vy <= y <= vy + vh


def _ring_points(path: str) -> list[list[tuple[float, float]]]:
    rings = []
    for ring in re.findall(r"M([^Z]+)Z", path):
        pairs = ring.replace("L", " ").split()
        rings.append([(float(a), float(b)) for a, b in (p.split(",") for p in pairs)])
    return rings


def _point_in_path(x: float, y: float, path: str) -> bool:
    for ring in _ring_points(path):
        inside = False
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        if inside:
            return True
    return False


def test_47_prefectures_with_codes_01_to_47() -> None:
    shapes = load_prefecture_shapes()
    assert [p.code for p in shapes.prefectures] == [f"{i:02d}" for i in range(1, 48)]
    names = shapes.by_code()
    assert names["01"].name == "北海道"
    assert names["13"].name == "東京都"
    assert names["47"].name == "沖縄県"
    assert all(p.name.endswith(("都", "道", "府", "県")) for p in shapes.prefectures)


def test_paths_are_svg_path_syntax() -> None:
    for pref in load_prefecture_shapes().prefectures:
        assert _PATH_RE.fullmatch(pref.path), pref.code


def test_every_vertex_lies_in_the_view_box() -> None:
    for pref in load_prefecture_shapes().prefectures:
        for ring in _ring_points(pref.path):
            assert len(ring) >= 3
            assert all(_inside_view_box(x, y) for x, y in ring), pref.code


def test_metadata_and_projection_match_the_module() -> None:
    shapes = load_prefecture_shapes()
    assert "Natural Earth" in shapes.source
    assert "public domain" in shapes.licence
    assert "Natural Earth" in shapes.attribution
    proj = shapes.projection
    assert (proj.lon0, proj.lat0, proj.scale, proj.x_offset, proj.y_offset) == (
        mapping.LON0,
        mapping.LAT0,
        mapping.SCALE,
        mapping.X_OFFSET,
        mapping.Y_OFFSET,
    )
    assert re.fullmatch(rf"0 0 1000 {_NUM}", shapes.view_box)


def test_file_stays_small() -> None:
    data = resources.files("hitonagare.regions.data").joinpath("prefecture_shapes.json")
    assert len(data.read_bytes()) <= 300_000


def test_loading_is_cached() -> None:
    assert load_prefecture_shapes() is load_prefecture_shapes()


def test_project_is_the_documented_formula() -> None:
    x, y = project(mapping.LAT0, mapping.LON0)
    assert (x, y) == (mapping.X_OFFSET, mapping.Y_OFFSET)
    x1, _ = project(mapping.LAT0, mapping.LON0 + 1)
    assert x1 - x == pytest.approx(math.cos(math.radians(36.0)) * mapping.SCALE)
    _, y1 = project(mapping.LAT0 + 1, mapping.LON0)
    assert y - y1 == pytest.approx(mapping.SCALE)


def test_tokyo_is_inside_the_view_box_and_east_of_osaka() -> None:
    tx, ty = project(*TOKYO)
    ox, _ = project(*OSAKA)
    assert _inside_view_box(tx, ty)
    assert tx > ox


def test_sapporo_is_north_of_naha() -> None:
    _, sy = project(*SAPPORO)
    _, ny = project(*NAHA)
    assert sy < ny


@pytest.mark.parametrize(
    ("code", "lat", "lng"),
    [
        ("01", *SAPPORO),
        ("13", *TOKYO),
        ("27", *OSAKA),
        ("47", *NAHA),
        ("46", 28.38, 129.49),  # 奄美市: Amami is Kagoshima's, not Okinawa's
        ("40", 33.59, 130.40),  # 福岡市
        ("04", 38.27, 140.87),  # 仙台市
    ],
)
def test_cities_fall_inside_their_own_prefecture(code: str, lat: float, lng: float) -> None:
    x, y = project(lat, lng)
    by_code = load_prefecture_shapes().by_code()
    assert _point_in_path(x, y, by_code[code].path)
    others = [c for c in by_code if c != code and _point_in_path(x, y, by_code[c].path)]
    assert others == []


def test_all_municipalities_project_inside_the_view_box() -> None:
    source = resources.files("hitonagare.regions.data").joinpath("municipalities.csv")
    if not source.is_file():
        pytest.skip("municipalities.csv not present")
    with source.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("lat") and r.get("lng")]
    assert len(rows) >= 1741
    for r in rows:
        assert _inside_view_box(*project(float(r["lat"]), float(r["lng"]))), r["name"]
