"""Eligibility reads: resolve the user's inputs, call the pure engine, shape the result."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np

from hitonagare.core.errors import DomainError
from hitonagare.regions import selectors as regions
from hitonagare.regions.models import ClassificationEdition, Designation
from hitonagare.regions.selectors import DesignationTable, ResolvedPlace

from .areas import zone_of_area
from .matrix import CODE_SYMBOLS, Matrix, pair_eligibility
from .rules import PROGRAM_LABELS, Decision, Exceptions, Place, Program, Zone, decide

MATRIX_PROGRAMS = frozenset({Program.KYORYOKUTAI, Program.PM})
_ZONE_CODES = {Zone.INSIDE: 1, Zone.OUTSIDE: 0, Zone.UNKNOWN: -1}


def program_parse(value: str | Program) -> Program:
    try:
        return Program(value)
    except ValueError:
        choices = "、".join(f"{p.value}（{PROGRAM_LABELS[p]}）" for p in Program)
        raise DomainError(
            "unknown_program", f"制度「{value}」は扱っていません。次から選んでください: {choices}"
        ) from None


@lru_cache(maxsize=8)
def _matrix(edition_id: int, loaded_at: str) -> Matrix:
    edition = ClassificationEdition.objects.get(pk=edition_id)
    return Matrix.from_json(edition.matrix, basis_date=edition.basis_date)


def matrix_for(edition: ClassificationEdition) -> Matrix:
    return _matrix(edition.pk, edition.loaded_at.isoformat())


def place_for(*, resolved: ResolvedPlace, designation: Designation, area: str | None) -> Place:
    m = resolved.municipality
    # A postal code names its 町域; use it when the user gave no area of their own.
    area = area or resolved.town_area
    zone = zone_of_area(
        area_type=designation.area_type,
        area=area,
        kaso_partial_areas=designation.kaso_partial_areas,
        kaso_list_truncated=designation.kaso_partial_areas_truncated,
    )
    return Place(
        lgcode=m.lgcode,
        name=m.full_name,
        prefecture=m.prefecture.name,
        category_id=designation.category_id,
        area_type=designation.area_type,
        in_metro=designation.in_metro,
        prefecture_in_metro=designation.prefecture_in_metro,
        pop_decline_exception=designation.pop_decline_exception,
        designated_city=designation.designated_city,
        zone=zone.zone,
        area_name=area or None,
        zone_basis=zone.basis,
        areas_to_check=zone.areas_to_check,
        areas_incomplete=zone.areas_incomplete,
    )


def _table_place(table: DesignationTable, i: int) -> Place:
    zone = {1: Zone.INSIDE, 0: Zone.OUTSIDE}.get(int(table.zones[i]), Zone.UNKNOWN)
    return Place(
        lgcode=table.lgcodes[i],
        name=table.names[i],
        prefecture=table.prefectures[i],
        category_id=int(table.categories[i]),
        area_type=table.area_types[i],
        in_metro=table.in_metro[i],
        prefecture_in_metro=table.prefecture_in_metro[i],
        pop_decline_exception=table.pop_decline_exception[i],
        designated_city=table.designated_city[i],
        zone=zone,
    )


def _resolve_field(query: str, field_name: str) -> ResolvedPlace:
    try:
        return regions.place_resolve(query=query)
    except DomainError as error:
        error.field = field_name
        raise


@dataclass(frozen=True)
class CheckResult:
    decision: Decision
    origin: ResolvedPlace | None
    destination: ResolvedPlace
    edition: ClassificationEdition

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = self.decision.to_dict()
        for key, resolved in (("from", self.origin), ("to", self.destination)):
            place = data.get(key)
            if resolved is None or not isinstance(place, dict):
                continue
            place["ward"] = resolved.ward.full_name if resolved.ward else None
            place["postal_code"] = resolved.postal_code
            place["town_area"] = resolved.town_area
        data["basis_date"] = self.edition.basis_date.isoformat()
        data["edition_title"] = self.edition.title
        return data


def eligibility_check(
    *,
    program: str | Program,
    origin: str | None,
    destination: str,
    origin_area: str | None = None,
    destination_area: str | None = None,
    as_of: date | None = None,
    exceptions: Exceptions | None = None,
) -> CheckResult:
    program = program_parse(program)
    exceptions = exceptions or Exceptions()
    edition = regions.edition_in_force(as_of=as_of)
    if not origin and not exceptions.overseas_resident:
        raise DomainError(
            "origin_required", "転出地（今お住まいの市区町村または郵便番号）を入力してください。"
        )
    if not destination:
        raise DomainError("destination_required", "転入地（活動する市区町村）を入力してください。")
    resolved_origin = _resolve_field(origin, "from") if origin else None
    resolved_destination = _resolve_field(destination, "to")
    origin_place = (
        place_for(
            resolved=resolved_origin,
            designation=regions.designation_get(
                municipality=resolved_origin.municipality, edition=edition
            ),
            area=origin_area,
        )
        if resolved_origin
        else None
    )
    destination_place = place_for(
        resolved=resolved_destination,
        designation=regions.designation_get(
            municipality=resolved_destination.municipality, edition=edition
        ),
        area=destination_area,
    )
    try:
        decision = decide(
            program=program,
            origin=origin_place,
            destination=destination_place,
            matrix=matrix_for(edition),
            exceptions=exceptions,
            source_document=edition.title,
            source_url=edition.document_url or None,
        )
    except ValueError as error:
        raise DomainError("invalid_input", str(error)) from None
    return CheckResult(
        decision=decision,
        origin=resolved_origin,
        destination=resolved_destination,
        edition=edition,
    )


@dataclass(frozen=True)
class PairItem:
    lgcode: str
    name: str
    prefecture: str
    prefecture_code: str
    category_id: int
    symbol: str | None
    eligible: bool | None
    lat: float | None
    lng: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "lgcode": self.lgcode,
            "name": self.name,
            "prefecture": self.prefecture,
            "category_id": self.category_id,
            "symbol": self.symbol,
            "eligible": self.eligible,
        }


@dataclass(frozen=True)
class PrefectureCount:
    prefecture: str
    prefecture_code: str
    eligible: int
    needs_check: int
    not_eligible: int


@dataclass(frozen=True)
class PairsResult:
    direction: str  # destinations | origins
    program: Program
    anchor: ResolvedPlace
    anchor_place: Place
    edition: ClassificationEdition
    items: list[PairItem]
    by_prefecture: list[PrefectureCount] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(i.eligible for i in self.items)
        return {"eligible": c[True], "needs_check": c[None], "not_eligible": c[False]}

    def to_dict(self, *, only_eligible: bool = False) -> dict[str, Any]:
        items = [i for i in self.items if i.eligible is not False] if only_eligible else self.items
        return {
            "program": self.program.value,
            "direction": self.direction,
            "anchor": {
                "lgcode": self.anchor_place.lgcode,
                "name": self.anchor_place.name,
                "prefecture": self.anchor_place.prefecture,
                "category_id": self.anchor_place.category_id,
                "zone": self.anchor_place.zone.value,
            },
            "basis_date": self.edition.basis_date.isoformat(),
            "summary": self.counts,
            "count": len(items),
            "items": [i.to_dict() for i in items],
        }


def _pairs(
    *,
    direction: str,
    program: str | Program,
    query: str,
    area: str | None,
    as_of: date | None,
    exceptions: Exceptions | None,
) -> PairsResult:
    program = program_parse(program)
    exceptions = exceptions or Exceptions()
    edition = regions.edition_in_force(as_of=as_of)
    resolved = _resolve_field(query, "from" if direction == "destinations" else "to")
    anchor = place_for(
        resolved=resolved,
        designation=regions.designation_get(municipality=resolved.municipality, edition=edition),
        area=area,
    )
    table = regions.designation_table(edition=edition)
    matrix = matrix_for(edition)
    n = len(table.lgcodes)
    sym_row: list[str | None]
    elig_row: list[bool | None]
    anchor_index = table.index[anchor.lgcode]
    if program in MATRIX_PROGRAMS and not exceptions.active():
        anchor_cat = np.array([anchor.category_id], dtype=np.int8)
        anchor_zone = np.array([_ZONE_CODES[anchor.zone]], dtype=np.int8)
        same = np.zeros((1, n), dtype=bool)
        same[0, anchor_index] = True
        if direction == "destinations":
            symbols, eligible = pair_eligibility(
                matrix, anchor_cat, table.categories, anchor_zone, table.zones, same
            )
        else:
            symbols, eligible = pair_eligibility(
                matrix, table.categories, anchor_cat, table.zones, anchor_zone, same.T
            )
            symbols, eligible = symbols.T, eligible.T
        sym_row = [CODE_SYMBOLS[int(c)].value for c in symbols[0]]
        elig_row = [None if e < 0 else bool(e) for e in eligible[0]]
    else:
        sym_row = []
        elig_row = []
        for i in range(n):
            other = _table_place(table, i)
            origin, dest = (anchor, other) if direction == "destinations" else (other, anchor)
            d = decide(
                program=program,
                origin=origin,
                destination=dest,
                matrix=matrix,
                exceptions=exceptions,
                source_document=edition.title,
                source_url=edition.document_url or None,
            )
            sym_row.append(d.symbol.value if d.symbol else None)
            elig_row.append(d.eligible)
    items = [
        PairItem(
            lgcode=table.lgcodes[i],
            name=table.names[i],
            prefecture=table.prefectures[i],
            prefecture_code=table.prefecture_codes[i],
            category_id=int(table.categories[i]),
            symbol=sym_row[i],
            eligible=elig_row[i],
            lat=None if np.isnan(table.lat[i]) else float(table.lat[i]),
            lng=None if np.isnan(table.lng[i]) else float(table.lng[i]),
        )
        for i in range(n)
    ]
    return PairsResult(
        direction=direction,
        program=program,
        anchor=resolved,
        anchor_place=anchor,
        edition=edition,
        items=items,
        by_prefecture=_by_prefecture(items),
    )


def _by_prefecture(items: list[PairItem]) -> list[PrefectureCount]:
    counts: dict[tuple[str, str], Counter[bool | None]] = {}
    for item in items:
        counts.setdefault((item.prefecture_code, item.prefecture), Counter())[item.eligible] += 1
    return [
        PrefectureCount(
            prefecture=name,
            prefecture_code=code,
            eligible=c[True],
            needs_check=c[None],
            not_eligible=c[False],
        )
        for (code, name), c in sorted(counts.items())
    ]


def eligibility_destinations(
    *,
    program: str | Program,
    origin: str,
    origin_area: str | None = None,
    as_of: date | None = None,
    exceptions: Exceptions | None = None,
) -> PairsResult:
    """Where can I go from here: every municipality as a 転入地."""
    return _pairs(
        direction="destinations",
        program=program,
        query=origin,
        area=origin_area,
        as_of=as_of,
        exceptions=exceptions,
    )


def eligibility_origins(
    *,
    program: str | Program,
    destination: str,
    destination_area: str | None = None,
    as_of: date | None = None,
) -> PairsResult:
    """Who can come here: every municipality as a 転出地."""
    return _pairs(
        direction="origins",
        program=program,
        query=destination,
        area=destination_area,
        as_of=as_of,
        exceptions=None,
    )
