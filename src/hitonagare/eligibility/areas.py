"""Whether an area (大字・町域・旧市町村) lies in the 条件不利区域 (pure).

The data know the 過疎 part of the 条件不利区域 of an 一部条件不利 municipality as a list
of 旧市町村 names; the 山村・離島・半島 parts are not available. So an area can be shown to be
inside (its name starts with a listed 旧市町村), but never shown to be outside from the data
alone: that needs the user's own statement, recorded as such.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .rules import Zone

AREA_TYPE_URBAN = "都市地域"
AREA_TYPE_FULL = "全部条件不利地域"
AREA_TYPE_PARTIAL = "一部条件不利地域"

DECLARED_INSIDE = frozenset({"inside", "条件不利区域内", "区域内", "内"})
DECLARED_OUTSIDE = frozenset({"outside", "条件不利区域外", "区域外", "外"})


@dataclass(frozen=True)
class AreaZone:
    zone: Zone
    basis: str | None
    areas_to_check: tuple[str, ...]
    areas_incomplete: bool


def _normalise(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def zone_of_area(
    *,
    area_type: str,
    area: str | None,
    kaso_partial_areas: Sequence[str],
    kaso_list_truncated: bool,
) -> AreaZone:
    areas = tuple(kaso_partial_areas)
    if area_type == AREA_TYPE_FULL:
        return AreaZone(
            Zone.INSIDE, "全部条件不利地域（市町村の全域が条件不利地域）です。", (), False
        )
    if area_type == AREA_TYPE_URBAN:
        return AreaZone(Zone.OUTSIDE, "都市地域（条件不利地域を含まない市町村）です。", (), False)
    if area_type != AREA_TYPE_PARTIAL:
        raise ValueError(f"区分「{area_type}」は不正です。")
    text = _normalise(area or "")
    if not text:
        return AreaZone(Zone.UNKNOWN, None, areas, True)
    if text.lower() in DECLARED_INSIDE:
        return AreaZone(
            Zone.INSIDE, "条件不利区域内であることは利用者の申告によります。", areas, True
        )
    if text.lower() in DECLARED_OUTSIDE:
        return AreaZone(
            Zone.OUTSIDE, "条件不利区域外であることは利用者の申告によります。", areas, True
        )
    for old in areas:
        name = _normalise(old)
        if len(text) >= 2 and (text.startswith(name) or name.startswith(text)):
            return AreaZone(
                Zone.INSIDE,
                f"「{area}」は名称から、過疎地域とみなされる区域（旧{old}）に当たると判断しました"
                "（過疎地域市町村等一覧）。",
                areas,
                True,
            )
    note = "（資料の旧市町村一覧が途中までしかありません）" if kaso_list_truncated else ""
    return AreaZone(
        Zone.UNKNOWN,
        f"「{area}」が条件不利区域に当たるかは参照データから判断できません{note}。",
        areas,
        True,
    )
