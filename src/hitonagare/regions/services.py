"""Writes for the regions app: loading the shipped reference data."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from django.db import transaction

from hitonagare.core.errors import DomainError

from .codes import CodeError, normalise_lgcode
from .models import ClassificationEdition, Designation, Municipality, Prefecture
from .reference import reference_cache_clear

DATA_PACKAGE = "hitonagare.regions.data"


@dataclass
class TableSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class LoadSummary:
    committed: bool
    tables: dict[str, TableSummary] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "committed": self.committed,
            "tables": {name: t.as_dict() for name, t in self.tables.items()},
            "warnings": self.warnings,
        }


class _DryRunRollback(Exception):
    pass


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _flag(value: str) -> bool:
    return value == "1"


def _float_or_none(value: str) -> float | None:
    return float(value) if value else None


def _valid_lgcode(value: str, where: str) -> str:
    try:
        code = normalise_lgcode(value)
    except CodeError as error:
        raise DomainError("invalid_reference_data", f"{where}: {error.message}") from None
    if code != value:
        raise DomainError(
            "invalid_reference_data", f"{where}: 団体コード「{value}」が6桁ではありません。"
        )
    return code


def _sync(
    model: Any,
    key: str,
    rows: list[dict[str, Any]],
    summary: TableSummary,
    scope: dict[str, Any] | None = None,
) -> dict[Any, Any]:
    """Create or update `rows` keyed by `key` (within `scope`); returns saved objects by key."""
    scope = scope or {}
    keys = [r[key] for r in rows]
    existing = {getattr(o, key): o for o in model.objects.filter(**scope, **{f"{key}__in": keys})}
    to_create, to_update, fields = [], [], [f for f in rows[0] if f != key] if rows else []
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            to_create.append(model(**scope, **row))
            continue
        if any(getattr(obj, f) != row[f] for f in fields):
            for f in fields:
                setattr(obj, f, row[f])
            to_update.append(obj)
        else:
            summary.unchanged += 1
    model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=500)
    summary.created += len(to_create)
    summary.updated += len(to_update)
    return {getattr(o, key): o for o in model.objects.filter(**scope, **{f"{key}__in": keys})}


def reference_data_load(*, commit: bool = False) -> LoadSummary:
    """Load prefectures, municipalities and every classification edition shipped in the package.

    Idempotent (a second run reports everything unchanged) and all-or-nothing: the whole
    load runs in one transaction, and a dry run (the default) rolls it back at the end.
    """
    summary = LoadSummary(committed=commit)
    try:
        with transaction.atomic():
            _load(summary)
            if not commit:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    # This process sees the new data at once; others within HITONAGARE_REFERENCE_CHECK_SECONDS.
    reference_cache_clear()
    return summary


def _load(summary: LoadSummary) -> None:
    pref_rows = [
        {
            "code": r["code"],
            "lgcode": _valid_lgcode(r["lgcode"], f"prefectures.csv {r['code']}"),
            "name": r["name"],
            "kana": r["kana"],
            "in_three_metro_areas": _flag(r["in_three_metro_areas"]),
        }
        for r in _read_csv("prefectures.csv")
    ]
    summary.tables["prefectures"] = TableSummary()
    prefectures = _sync(Prefecture, "code", pref_rows, summary.tables["prefectures"])

    raw = _read_csv("municipalities.csv")
    by_code = {r["lgcode"]: r for r in raw}
    summary.tables["municipalities"] = TableSummary()
    rows_by_level: list[list[dict[str, Any]]] = [[], []]
    for r in raw:
        where = f"municipalities.csv {r['lgcode']}"
        _valid_lgcode(r["lgcode"], where)
        parent = by_code.get(r["parent_lgcode"]) if r["parent_lgcode"] else None
        if r["parent_lgcode"] and parent is None:
            raise DomainError("invalid_reference_data", f"{where}: 親の指定都市が見つかりません。")
        if r["prefecture_code"] not in prefectures:
            raise DomainError("invalid_reference_data", f"{where}: 都道府県コードが不正です。")
        row = {
            "lgcode": r["lgcode"],
            "code5": r["code5"],
            "prefecture": prefectures[r["prefecture_code"]],
            "name": r["name"],
            "kana": r["kana"],
            "full_name": (parent["name"] if parent else "") + r["name"],
            "full_kana": (parent["kana"] if parent else "") + r["kana"],
            "kind": r["kind"],
            "lat": _float_or_none(r["lat"]),
            "lng": _float_or_none(r["lng"]),
            "url": r["url"],
        }
        rows_by_level[1 if parent else 0].append(row)
    cities = _sync(Municipality, "lgcode", rows_by_level[0], summary.tables["municipalities"])
    for row in rows_by_level[1]:
        row["parent"] = cities[by_code[row["lgcode"]]["parent_lgcode"]]
    _sync(Municipality, "lgcode", rows_by_level[1], summary.tables["municipalities"])
    municipalities = {m.lgcode: m for m in Municipality.objects.all()}

    summary.tables["editions"] = TableSummary()
    summary.tables["designations"] = TableSummary()
    for e in _read_csv("editions.csv"):
        matrix = json.loads(
            resources.files(DATA_PACKAGE).joinpath(e["matrix_file"]).read_text(encoding="utf-8")
        )
        _validate_matrix(matrix, e["matrix_file"])
        basis = date.fromisoformat(e["basis_date"])
        editions = _sync(
            ClassificationEdition,
            "basis_date",
            [
                {
                    "basis_date": basis,
                    "title": e["title"],
                    "document_url": e["document_url"],
                    "kaso_title": e["kaso_title"],
                    "kaso_document_url": e["kaso_document_url"],
                    "matrix": matrix,
                }
            ],
            summary.tables["editions"],
        )
        _load_designations(editions[basis], e["designations_file"], municipalities, summary)


def _validate_matrix(matrix: dict[str, Any], name: str) -> None:
    cells = matrix.get("matrix")
    if (
        not isinstance(cells, list)
        or len(cells) != 10
        or any(not isinstance(r, list) or len(r) != 10 for r in cells)
        or any(c not in {"○", "△", "▲", "□", "×"} for r in cells for c in r)
    ):
        raise DomainError(
            "invalid_reference_data", f"{name}: 10×10の○△▲□×マトリクスではありません。"
        )


def _load_designations(
    edition: ClassificationEdition,
    file_name: str,
    municipalities: dict[str, Municipality],
    summary: LoadSummary,
) -> None:
    table = summary.tables["designations"]
    rows: list[dict[str, Any]] = []
    for r in _read_csv(file_name):
        where = f"{file_name} {r['lgcode']}"
        m = municipalities.get(r["lgcode"])
        if m is None:
            raise DomainError("invalid_reference_data", f"{where}: 市区町村が見つかりません。")
        category = int(r["category_id"]) if r["category_id"].isdigit() else 0
        if not 1 <= category <= 10:
            raise DomainError("invalid_reference_data", f"{where}: 区分は1〜10です。")
        if r["area_type"] not in Designation.AreaType.values:
            raise DomainError(
                "invalid_reference_data", f"{where}: 区分「{r['area_type']}」は不正です。"
            )
        rows.append(
            {
                "municipality_id": m.pk,
                "category_id": category,
                "area_type": r["area_type"],
                "in_metro": _flag(r["in_metro"]),
                "prefecture_in_metro": _flag(r["prefecture_in_metro"]),
                "pop_decline_exception": _flag(r["pop_decline_exception"]),
                "designated_city": _flag(r["designated_city"]),
                "designated_city_contains_disadvantaged": (
                    None
                    if r["designated_city_contains_disadvantaged"] == ""
                    else _flag(r["designated_city_contains_disadvantaged"])
                ),
                "kaso_status": r["kaso_status"],
                "kaso_graduate_transitional": _flag(r["kaso_graduate_transitional"]),
                "kaso_partial_areas": [a for a in r["kaso_partial_areas"].split("|") if a],
                "kaso_partial_areas_truncated": _flag(r["kaso_partial_areas_truncated"]),
                "note": r["note"],
            }
        )
    _sync(Designation, "municipality_id", rows, table, scope={"edition": edition})
    if any(t.created or t.updated for t in summary.tables.values()):
        # loaded_at keys the in-process caches of designation tables and matrices; the
        # tables also hold municipality and prefecture names and coordinates, and
        # bulk_update of the edition (its matrix) does not touch the auto_now field.
        edition.save(update_fields=["loaded_at"])
    truncated = [
        d.municipality.full_name
        for d in Designation.objects.filter(
            edition=edition, kaso_partial_areas_truncated=True
        ).select_related("municipality")
    ]
    if truncated:
        summary.warnings.append(
            f"{edition.basis_date.isoformat()}: 過疎の旧市町村の一覧が資料で途中までしかない団体: "
            + "、".join(truncated)
        )
    missing = [
        m.full_name
        for m in municipalities.values()
        if m.kind != Municipality.Kind.WARD and m.lat is None
    ]
    if missing:
        summary.warnings.append("座標のない市区町村: " + "、".join(missing))
