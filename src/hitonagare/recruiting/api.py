"""The openings API: the public search and one opening (published, closed or ended).

The query-string names are those of the search page (/openings/), repeated for several
values: ?program=kyoryokutai&program=pm. Bad values are DomainErrors from
selectors.search_params_parse, answered by the one handler in hitonagare/api.py (400 JSON).
Not cached: the answer changes whenever an opening is published, closed or edited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from hitonagare.regions.reference import reference

from . import rules, selectors
from .models import Opening

router = Router(tags=["openings"])


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class SearchQuery(Schema):
    q: str = Field("", description="キーワード（2文字以上、スペース区切りで全部を含む）")
    program: list[str] = Field(
        default_factory=list, description="制度（複数可）: " + ", ".join(rules.OpeningProgram)
    )
    prefecture: list[str] = Field(
        default_factory=list, description="都道府県コード01〜47（複数可）"
    )
    block: list[str] = Field(default_factory=list, description="地方ブロック1〜9（複数可）")
    theme: list[str] = Field(
        default_factory=list,
        description="テーマ（複数可）: " + ", ".join(rules.THEME_SLUGS.values()),
    )
    housing: str = Field("", description="1: 住居の支援ありだけ")
    deadline: str = Field("", description="7 | 30（日以内に締切）| none（締切なし）")
    sort: str = Field(
        "", description="relevance | newest | deadline（既定: キーワードがあれば関連度）"
    )
    page: int = Field(1, description="ページ番号（1ページ20件）")


class MunicipalityOut(Schema):
    lgcode: str
    name: str
    prefecture: str


class TermOut(Schema):
    value: int
    unit: str
    label: str


class OpeningOut(Schema):
    id: int
    title: str
    summary: str
    description: str
    program: str
    program_label: str
    themes: list[str]
    theme_labels: list[str]
    municipality: MunicipalityOut
    area_name: str
    positions: int
    monthly_pay_yen: int | None
    housing_support: bool
    deadline: dt.date | None
    start_date: dt.date | None
    term: TermOut
    status: str
    published_at: dt.datetime | None
    url: str


class OpeningDetailOut(OpeningOut):
    status_label: str
    host: str
    employment_form: str
    employment_form_label: str
    housing_note: str
    vehicle: str
    vehicle_label: str
    side_work_allowed: bool
    selection_steps: str
    contact: str


class FacetOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class SearchOut(Schema):
    count: int
    count_is_lower_bound: bool
    count_is_estimate: bool
    page: int
    page_count: int
    items: list[OpeningOut]
    facets: dict[str, list[FacetOut]]


def _prefecture_names() -> dict[str, str]:
    return {p.code: p.name for p in reference().prefectures}


def _opening(request: HttpRequest, opening: Opening, prefectures: dict[str, str]) -> dict[str, Any]:
    term = opening.term
    return {
        "id": opening.pk,
        "title": opening.title,
        "summary": opening.summary,
        "description": opening.description,
        "program": opening.program,
        "program_label": opening.program_label,
        "themes": [rules.THEME_SLUGS[theme] for theme in opening.themes],
        "theme_labels": opening.theme_labels,
        "municipality": {
            "lgcode": opening.municipality.lgcode,
            "name": opening.municipality.full_name,
            "prefecture": prefectures.get(opening.prefecture_code, opening.prefecture_code),
        },
        "area_name": opening.area_name,
        "positions": opening.positions,
        "monthly_pay_yen": opening.monthly_pay_yen,
        "housing_support": opening.housing_support,
        "deadline": opening.deadline,
        "start_date": opening.start_date,
        "term": {"value": term.value, "unit": term.unit.value, "label": term.label()},
        "status": opening.status,
        "published_at": opening.published_at,
        "url": request.build_absolute_uri(reverse("recruiting_public:detail", args=[opening.pk])),
    }


@router.get(
    "",
    response={200: SearchOut, 400: ErrorOut},
    summary="公開中の募集を検索（キーワード・制度・地域・テーマ・住居・締切）",
)
def search(request: HttpRequest, query: Query[SearchQuery]) -> dict[str, Any]:
    params = selectors.search_params_parse(
        q=query.q,
        programs=query.program,
        prefectures=query.prefecture,
        blocks=query.block,
        themes=query.theme,
        housing=query.housing,
        deadline=query.deadline,
        sort=query.sort,
        page=query.page,
    )
    result = selectors.opening_search(params=params)
    prefectures = _prefecture_names()
    return {
        "count": result.total,
        "count_is_lower_bound": result.total_is_lower_bound,
        "count_is_estimate": result.total_is_estimate,
        "page": params.page,
        "page_count": result.page_count,
        "items": [_opening(request, opening, prefectures) for opening in result.items],
        "facets": {
            name: [
                {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                for v in values
            ]
            for name, values in result.facets.items()
        },
    }


@router.get(
    "/{opening_id}",
    response={200: OpeningDetailOut, 400: ErrorOut, 404: ErrorOut},
    summary="募集1件（公開中・締切・終了。下書きは404）",
)
def detail(request: HttpRequest, opening_id: int) -> dict[str, Any]:
    opening = selectors.opening_get_public(opening_id=opening_id)
    data = _opening(request, opening, _prefecture_names())
    data.update(
        status_label=str(opening.get_status_display()),
        host=opening.host.name,
        employment_form=opening.employment_form,
        employment_form_label=str(opening.get_employment_form_display()),
        housing_note=opening.housing_note,
        vehicle=opening.vehicle,
        vehicle_label=str(opening.get_vehicle_display()),
        side_work_allowed=opening.side_work_allowed,
        selection_steps=opening.selection_steps,
        contact=opening.contact,
    )
    return data
