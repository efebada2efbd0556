from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.decorators import decorate_view

from hitonagare.core.http_cache import cached_get_response

from . import selectors
from .rules import Exceptions

router = Router(tags=["eligibility"])


class ErrorOut(Schema):
    code: str
    message: str


class CheckParams(Schema):
    program: str = Field(..., description="kyoryokutai | pm | intern | otameshi | kigyojin")
    origin: str | None = Field(
        None, max_length=60, alias="from", description="転出地: 団体コード、郵便番号、市区町村名"
    )
    destination: str = Field(
        ..., max_length=60, alias="to", description="転入地: 団体コード、郵便番号、市区町村名"
    )
    from_area: str | None = Field(
        None, max_length=60, description="転出地の区域（大字・旧市町村、inside/outside）"
    )
    to_area: str | None = Field(
        None, max_length=60, description="転入地の区域（大字・旧市町村、inside/outside）"
    )
    as_of: date | None = Field(None, description="この日に有効な基準日で判定（既定は今日）")
    former_member: bool = False
    overseas_resident: bool = False
    jet_finisher: bool = False
    jet_same_area_without_move: bool = False
    pm_already_active: bool = False


class PlaceOut(Schema):
    lgcode: str
    name: str
    prefecture: str
    category_id: int
    category_label: str | None = None
    area_type: str | None = None
    zone: str | None = None


class CitationOut(Schema):
    document: str
    basis_date: str | None = None
    section: str
    url: str | None = None


class DecisionOut(Schema):
    program: str
    symbol: str | None
    eligible: bool | None
    status_label: str | None = None
    reasons: list[str]
    citations: list[CitationOut]
    areas_to_check: list[str] = []
    origin: PlaceOut | None = Field(None, alias="from")
    destination: PlaceOut = Field(..., alias="to")
    basis_date: str
    edition_title: str


@decorate_view(cached_get_response)
@router.get(
    "/check",
    response={200: DecisionOut, 400: ErrorOut, 404: ErrorOut},
    by_alias=True,
    summary="転出地から転入地への地域要件を判定",
)
def check(request: HttpRequest, params: Query[CheckParams]) -> dict[str, Any]:
    result = selectors.eligibility_check(
        program=params.program,
        origin=params.origin,
        destination=params.destination,
        origin_area=params.from_area,
        destination_area=params.to_area,
        as_of=params.as_of,
        exceptions=Exceptions(
            former_member=params.former_member,
            overseas_resident=params.overseas_resident,
            jet_finisher=params.jet_finisher,
            jet_same_area_without_move=params.jet_same_area_without_move,
            pm_already_active=params.pm_already_active,
        ),
    )
    return result.to_dict()


class PairItemOut(Schema):
    lgcode: str
    name: str
    prefecture: str
    category_id: int
    symbol: str | None
    eligible: bool | None


class PairsOut(Schema):
    program: str
    direction: str
    basis_date: str
    summary: dict[str, int]
    count: int
    items: list[PairItemOut]


class DestinationParams(Schema):
    program: str
    origin: str = Field(..., max_length=60, alias="from")
    from_area: str | None = Field(None, max_length=60)
    as_of: date | None = None
    only_eligible: bool = False


class OriginParams(Schema):
    program: str
    destination: str = Field(..., max_length=60, alias="to")
    to_area: str | None = Field(None, max_length=60)
    as_of: date | None = None
    only_eligible: bool = False


@decorate_view(cached_get_response)
@router.get(
    "/destinations",
    response={200: PairsOut, 400: ErrorOut, 404: ErrorOut},
    summary="ここから行ける転入地（全市町村）",
)
def destinations(request: HttpRequest, params: Query[DestinationParams]) -> dict[str, Any]:
    result = selectors.eligibility_destinations(
        program=params.program,
        origin=params.origin,
        origin_area=params.from_area,
        as_of=params.as_of,
    )
    return result.to_dict(only_eligible=params.only_eligible)


@decorate_view(cached_get_response)
@router.get(
    "/origins",
    response={200: PairsOut, 400: ErrorOut, 404: ErrorOut},
    summary="ここへ来られる転出地（全市町村）",
)
def origins(request: HttpRequest, params: Query[OriginParams]) -> dict[str, Any]:
    result = selectors.eligibility_origins(
        program=params.program,
        destination=params.destination,
        destination_area=params.to_area,
        as_of=params.as_of,
    )
    return result.to_dict(only_eligible=params.only_eligible)
