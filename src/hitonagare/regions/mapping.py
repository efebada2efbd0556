"""Offline map of Japan: prefecture outlines and a lat/lng → SVG projection.

The outlines live in ``hitonagare/regions/data/prefecture_shapes.json`` (built by
``scripts/build_prefecture_shapes.py``; provenance and licence in
``PROVENANCE-prefecture-shapes.md`` beside it). Their SVG paths are in the same
coordinate system as :func:`project`, so a municipality's dot can be drawn at
``project(lat, lng)`` on top of the ``<path>`` elements inside the shipped
``viewBox``. No tiles, no network, no Django.

Projection: equirectangular around (LAT0, LON0) with the x axis shrunk by
cos(LAT0) so shapes around 36°N keep their proportions, y pointing down::

    x = X_OFFSET + (lng - LON0) * cos(LAT0) * SCALE
    y = Y_OFFSET - (lat - LAT0) * SCALE

Okinawa is not inset: every place is drawn at its true relative position.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final

__all__ = [
    "LAT0",
    "LON0",
    "SCALE",
    "X_OFFSET",
    "Y_OFFSET",
    "PrefectureShape",
    "PrefectureShapes",
    "Projection",
    "load_prefecture_shapes",
    "project",
]

LON0: Final[float] = 137.0
"""Central meridian (degrees east)."""
LAT0: Final[float] = 36.0
"""Standard parallel (degrees north); x is scaled by cos(LAT0)."""
SCALE: Final[float] = 52.0
"""SVG units per degree of latitude (≈ 2.1 km per unit)."""
X_OFFSET: Final[float] = 610.0
"""x of LON0."""
Y_OFFSET: Final[float] = 515.0
"""y of LAT0."""

_KX: Final[float] = math.cos(math.radians(LAT0)) * SCALE

_DATA_PACKAGE: Final[str] = "hitonagare.regions.data"
_DATA_FILE: Final[str] = "prefecture_shapes.json"


def project(lat: float, lng: float) -> tuple[float, float]:
    """Return the SVG (x, y) of a point given in degrees (JGD2011/WGS84 alike)."""
    return (X_OFFSET + (lng - LON0) * _KX, Y_OFFSET - (lat - LAT0) * SCALE)


@dataclass(frozen=True, slots=True)
class Projection:
    """Parameters of :func:`project` as recorded in the data file."""

    kind: str
    lon0: float
    lat0: float
    scale: float
    x_offset: float
    y_offset: float


@dataclass(frozen=True, slots=True)
class PrefectureShape:
    """One prefecture: JIS code ("01"–"47"), name and SVG path data."""

    code: str
    name: str
    path: str


@dataclass(frozen=True, slots=True)
class PrefectureShapes:
    """The whole map, as loaded from ``prefecture_shapes.json``."""

    source: str
    licence: str
    attribution: str
    projection: Projection
    view_box: str
    prefectures: tuple[PrefectureShape, ...]

    @property
    def view_box_numbers(self) -> tuple[float, float, float, float]:
        """The viewBox as (min_x, min_y, width, height)."""
        x, y, w, h = (float(v) for v in self.view_box.split())
        return (x, y, w, h)

    def by_code(self) -> dict[str, PrefectureShape]:
        """Prefectures keyed by their two-digit code."""
        return {p.code: p for p in self.prefectures}


def _parse(raw: dict[str, Any]) -> PrefectureShapes:
    proj = raw["projection"]
    return PrefectureShapes(
        source=str(raw["source"]),
        licence=str(raw["licence"]),
        attribution=str(raw["attribution"]),
        projection=Projection(
            kind=str(proj["kind"]),
            lon0=float(proj["lon0"]),
            lat0=float(proj["lat0"]),
            scale=float(proj["scale"]),
            x_offset=float(proj["x_offset"]),
            y_offset=float(proj["y_offset"]),
        ),
        view_box=str(raw["viewBox"]),
        prefectures=tuple(
            PrefectureShape(code=str(p["code"]), name=str(p["name"]), path=str(p["path"]))
            for p in raw["prefectures"]
        ),
    )


@cache
def load_prefecture_shapes() -> PrefectureShapes:
    """Load (once) the prefecture outlines shipped in ``hitonagare.regions.data``."""
    text = resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE).read_text(encoding="utf-8")
    raw: dict[str, Any] = json.loads(text)
    return _parse(raw)
