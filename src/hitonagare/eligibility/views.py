"""Public eligibility pages: the checker, its printable 判定根拠, and the all-pairs views."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from hitonagare.core.errors import DomainError
from hitonagare.regions.mapping import load_prefecture_shapes, project

from . import selectors
from .forms import CheckForm, PairsForm
from .rules import EXCEPTION_LABELS, PROGRAM_LABELS, Exceptions, to_wareki

FIELD_OF_ERROR = {"from": "origin", "to": "destination"}


def _check(form: CheckForm) -> selectors.CheckResult | None:
    data = form.cleaned_data
    try:
        return selectors.eligibility_check(
            program=data["program"],
            origin=data["origin"] or None,
            destination=data["destination"],
            origin_area=data["origin_area"] or None,
            destination_area=data["destination_area"] or None,
            as_of=data["as_of"],
            exceptions=Exceptions(
                former_member=data["former_member"],
                overseas_resident=data["overseas_resident"],
                jet_finisher=data["jet_finisher"] or data["jet_same_area_without_move"],
                jet_same_area_without_move=data["jet_same_area_without_move"],
                pm_already_active=data["pm_already_active"],
            ),
        )
    except DomainError as error:
        form.add_error(FIELD_OF_ERROR.get(error.field or ""), error.message)
        form.candidates = {FIELD_OF_ERROR.get(error.field or "", "__all__"): error.candidates}  # type: ignore[attr-defined]
        return None


def _decision_context(result: selectors.CheckResult) -> dict[str, Any]:
    d = result.decision
    return {
        "result": result,
        "decision": d,
        "data": result.to_dict(),
        "program_label": PROGRAM_LABELS[d.program],
        "status_class": {True: "ok", False: "ng", None: "check"}[d.eligible],
        "basis_wareki": to_wareki(result.edition.basis_date),
    }


@require_GET
def check(request: HttpRequest) -> HttpResponse:
    submitted = "destination" in request.GET
    form = CheckForm(request.GET if submitted else None)
    context: dict[str, Any] = {"form": form, "submitted": submitted}
    if submitted and form.is_valid():
        result = _check(form)
        if result is not None:
            context.update(_decision_context(result))
            context["print_query"] = request.GET.urlencode()
    context["candidates"] = getattr(form, "candidates", {})
    template = (
        "eligibility/_check_result.html"
        if getattr(request, "htmx", False)
        else "eligibility/check.html"
    )
    return render(
        request, template, context, status=200 if form.is_valid() or not submitted else 400
    )


@require_GET
def check_print(request: HttpRequest) -> HttpResponse:
    form = CheckForm(request.GET)
    result = _check(form) if form.is_valid() else None
    if result is None:
        return render(
            request, "eligibility/check.html", {"form": form, "submitted": True}, status=400
        )
    context = _decision_context(result)
    context["input_rows"] = _input_rows(result)
    now = timezone.localtime()
    context.update(
        printed_at=now, printed_wareki=to_wareki(now.date()), back_query=request.GET.urlencode()
    )
    return render(request, "eligibility/print.html", context)


def _input_rows(result: selectors.CheckResult) -> list[tuple[str, str]]:
    """What the user typed and how each end was read, as labelled rows for the 判定根拠."""
    inputs = result.decision.inputs
    rows: list[tuple[str, str]] = []
    for label, resolved, key in (
        ("転出地", result.origin, "origin"),
        ("転入地", result.destination, "destination"),
    ):
        place = inputs.get(key)
        if resolved is None or not isinstance(place, dict):
            continue
        read_as = {"lgcode": "団体コード", "postal_code": "郵便番号", "name": "名称"}[
            resolved.matched_by
        ]
        rows.append((f"{label}の入力", f"「{resolved.query}」（{read_as}として照合）"))
        if resolved.ward is not None:
            rows.append((f"{label}の区", f"{resolved.ward.full_name}（指定都市全体で判定）"))
        if place.get("area_name"):
            rows.append((f"{label}の区域", str(place["area_name"])))
        if place.get("zone_basis"):
            rows.append((f"{label}の条件不利区域", str(place["zone_basis"])))
    exceptions = list(result.decision.inputs.get("exceptions") or ())  # type: ignore[call-overload]
    rows.append(
        (
            "例外の申告",
            "、".join(EXCEPTION_LABELS[e] for e in exceptions) if exceptions else "なし",
        )
    )
    return rows


def _map(result: selectors.PairsResult) -> dict[str, Any]:
    shapes = load_prefecture_shapes()
    dots = []
    for item in result.items:
        if item.lat is None or item.lng is None:
            continue
        x, y = project(item.lat, item.lng)
        dots.append(
            {
                "x": round(x, 1),
                "y": round(y, 1),
                "cls": {True: "ok", False: "ng", None: "check"}[item.eligible],
                "title": f"{item.prefecture}{item.name}",
            }
        )
    anchor = next((i for i in result.items if i.lgcode == result.anchor_place.lgcode), None)
    anchor_xy = (
        project(anchor.lat, anchor.lng)
        if anchor and anchor.lat is not None and anchor.lng is not None
        else None
    )
    return {"shapes": shapes, "dots": dots, "anchor_xy": anchor_xy}


def _pairs_view(request: HttpRequest, direction: str) -> HttpResponse:
    submitted = "place" in request.GET
    form = PairsForm(request.GET if submitted else None)
    context: dict[str, Any] = {"form": form, "submitted": submitted, "direction": direction}
    result = None
    if submitted and form.is_valid():
        data = form.cleaned_data
        try:
            if direction == "destinations":
                result = selectors.eligibility_destinations(
                    program=data["program"], origin=data["place"], origin_area=data["area"] or None
                )
            else:
                result = selectors.eligibility_origins(
                    program=data["program"],
                    destination=data["place"],
                    destination_area=data["area"] or None,
                )
        except DomainError as error:
            form.add_error("place", error.message)
            context["candidates"] = error.candidates
    if result is not None:
        if request.GET.get("format") == "csv":
            return _pairs_csv(result)
        context.update(
            result=result,
            counts=result.counts,
            program_label=PROGRAM_LABELS[result.program],
            listed=[i for i in result.items if i.eligible is not False],
            csv_query=request.GET.urlencode() + "&format=csv",
            **_map(result),
        )
    status = 400 if submitted and result is None else 200
    return render(request, "eligibility/pairs.html", context, status=status)


def _pairs_csv(result: selectors.PairsResult) -> HttpResponse:
    name = f"{result.direction}_{result.program.value}_{result.anchor_place.lgcode}_{result.edition.basis_date.isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = csv.writer(response)
    writer.writerow(["団体コード", "都道府県", "市区町村", "区分", "記号", "判定", "基準日"])
    status = {True: "対象", False: "対象外", None: "要確認"}
    for i in result.items:
        writer.writerow(
            [
                i.lgcode,
                i.prefecture,
                i.name,
                i.category_id,
                i.symbol or "",
                status[i.eligible],
                result.edition.basis_date.isoformat(),
            ]
        )
    return response


@require_GET
def destinations(request: HttpRequest) -> HttpResponse:
    return _pairs_view(request, "destinations")


@require_GET
def origins(request: HttpRequest) -> HttpResponse:
    return _pairs_view(request, "origins")
