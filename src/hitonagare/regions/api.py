from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view

from hitonagare.core.http_cache import cached_get_response

from . import selectors
from .presenters import municipality_detail

router = Router(tags=["regions"])


class ErrorOut(Schema):
    code: str
    message: str


class MunicipalityBrief(Schema):
    lgcode: str
    name: str
    kana: str
    prefecture: str
    kind: str


class MunicipalityList(Schema):
    count: int
    items: list[MunicipalityBrief]


class SearchParams(Schema):
    q: str = Field(..., max_length=60)
    limit: int = 20


@decorate_view(cached_get_response)
@router.get(
    "/municipalities",
    response={200: MunicipalityList, 400: ErrorOut},
    summary="市区町村を名前（漢字・かな）で検索",
)
def municipality_search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    found = selectors.municipality_search(query=params.q, limit=max(1, min(params.limit, 100)))
    items = [
        {
            "lgcode": m.lgcode,
            "name": m.full_name,
            "kana": m.full_kana,
            "prefecture": m.prefecture.name,
            "kind": m.kind,
        }
        for m in found
    ]
    return {"count": len(items), "items": items}


@decorate_view(cached_get_response)
@router.get(
    "/municipalities/{code}",
    response={200: dict[str, Any], 400: ErrorOut, 404: ErrorOut},
    summary="市区町村の詳細と地域要件区分（団体コード5桁・6桁）",
)
def municipality_show(request: HttpRequest, code: str, as_of: date | None = None) -> dict[str, Any]:
    resolved = selectors.place_resolve(query=code)
    if resolved.matched_by != "lgcode":
        from hitonagare.core.errors import DomainError

        raise DomainError("invalid_lgcode", f"「{code}」は団体コード（5桁・6桁）ではありません。")
    edition = selectors.edition_in_force(as_of=as_of)
    return municipality_detail(resolved=resolved, edition=edition)


@decorate_view(cached_get_response)
@router.get(
    "/postal-codes/{code}",
    response={200: dict[str, Any], 400: ErrorOut, 404: ErrorOut},
    summary="郵便番号から市区町村・町域を引く",
)
def postal_code_show(request: HttpRequest, code: str, as_of: date | None = None) -> dict[str, Any]:
    resolved = selectors.postal_code_lookup(postal_code=code)
    edition = selectors.edition_in_force(as_of=as_of)
    return municipality_detail(resolved=resolved, edition=edition)
