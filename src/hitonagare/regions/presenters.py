"""Plain, JSON-ready views of region objects, shared by the web, the API and the CLI."""

from __future__ import annotations

from typing import Any

from hitonagare.eligibility.matrix import CATEGORY_LABELS

from .models import ClassificationEdition, Designation, Municipality
from .selectors import ResolvedPlace, designation_get


def designation_dict(designation: Designation) -> dict[str, Any]:
    return {
        "category_id": designation.category_id,
        "category_label": CATEGORY_LABELS[designation.category_id],
        "area_type": designation.area_type,
        "in_metro": designation.in_metro,
        "prefecture_in_metro": designation.prefecture_in_metro,
        "pop_decline_exception": designation.pop_decline_exception,
        "designated_city": designation.designated_city,
        "designated_city_contains_disadvantaged": designation.designated_city_contains_disadvantaged,
        "kaso_status": designation.kaso_status or None,
        "kaso_status_label": designation.get_kaso_status_display(),
        "kaso_graduate_transitional": designation.kaso_graduate_transitional,
        "kaso_partial_areas": list(designation.kaso_partial_areas),
        "kaso_partial_areas_truncated": designation.kaso_partial_areas_truncated,
        "other_partial_areas_known": False,
        "note": designation.note,
    }


def municipality_brief(m: Municipality) -> dict[str, Any]:
    return {"lgcode": m.lgcode, "name": m.full_name, "prefecture": m.prefecture.name}


def municipality_detail(
    *, resolved: ResolvedPlace, edition: ClassificationEdition
) -> dict[str, Any]:
    m = resolved.municipality
    designation = designation_get(municipality=m, edition=edition)
    return {
        "lgcode": m.lgcode,
        "code5": m.code5,
        "name": m.full_name,
        "kana": m.full_kana,
        "prefecture": m.prefecture.name,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "lat": m.lat,
        "lng": m.lng,
        "url": m.url,
        "ward": municipality_brief(resolved.ward) if resolved.ward else None,
        "postal_code": resolved.postal_code,
        "town_area": resolved.town_area,
        "town_area_candidates": list(resolved.town_area_candidates),
        "matched_by": resolved.matched_by,
        "basis_date": edition.basis_date.isoformat(),
        "edition_title": edition.title,
        "edition_url": edition.document_url,
        "designation": designation_dict(designation),
    }
