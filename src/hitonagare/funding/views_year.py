"""The year's estimate from the records (/funding/year/): per organisation, per member, the
national totals for the ministry, the organisation's own expenses, and the year-end survey
exports (xlsx, CSV). Scoped by funding.selectors_year (members' visibility rules)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hitonagare.accounts.roles import HOST_ROLES, organisation_of, role_of
from hitonagare.core.audit import audit_record
from hitonagare.core.errors import InvalidInputError
from hitonagare.core.wareki import fiscal_year_label

from . import exports, selectors, selectors_year, services
from .models import YearClaim
from .views import NOTICE_CLASS, funding_staff_only, initial_fiscal_year

PER_PAGE = 100


def _fiscal_year(request: HttpRequest, years: tuple[int, ...]) -> int:
    raw = request.GET.get("fy") or request.POST.get("fiscal_year") or ""
    if not raw:
        initial = initial_fiscal_year(years)
        assert initial is not None  # the rate table covers at least one year
        return initial
    if not raw.isdigit() or int(raw) not in years:
        raise Http404  # a year the rate table does not cover: no page
    return int(raw)


def _distinct_flags(flags: Any) -> list[dict[str, Any]]:
    """Each notice once: several members can raise the same one (e.g. a cap unknown)."""
    seen: set[tuple[str, str]] = set()
    shown = []
    for flag in flags:
        key = (flag.code, flag.message)
        if key not in seen:
            seen.add(key)
            shown.append({"flag": flag, "css": NOTICE_CLASS.get(flag.level, "")})
    return shown


@require_GET
@funding_staff_only
def year(request: HttpRequest) -> HttpResponse:
    years = selectors.funding_rates().fiscal_years
    fiscal_year = _fiscal_year(request, years)
    result = selectors_year.year_estimates(user=request.user, fiscal_year=fiscal_year)
    selected = request.GET.get("org", "")
    detail = next((e for e in result.estimates if e.lgcode == selected), None)
    if selected and detail is None:
        raise Http404
    if detail is None and len(result.estimates) == 1:
        detail = result.estimates[0]
    page = Paginator(result.estimates, PER_PAGE).get_page(request.GET.get("page"))
    host = organisation_of(request.user) if role_of(request.user) in HOST_ROLES else None
    claim = (
        YearClaim.objects.filter(organisation=host, fiscal_year=fiscal_year).first()
        if host
        else None
    )
    context: dict[str, Any] = {
        "fiscal_year": fiscal_year,
        "fiscal_year_label": fiscal_year_label(fiscal_year),
        "years": [(y, fiscal_year_label(y)) for y in years],
        "result": result,
        "page": page,
        "detail": detail,
        "detail_flags": _distinct_flags(detail.all_flags()) if detail else [],
        "grand_total": sum((e.total for e in result.estimates), 0),
        "any_partial": any(e.total_is_partial for e in result.estimates),
        "host": host,
        "claim": claim,
        "claim_errors": {},
    }
    return render(request, "funding/year.html", context)


@require_POST
@funding_staff_only
def year_claim(request: HttpRequest) -> HttpResponse:
    years = selectors.funding_rates().fiscal_years
    raw = request.POST.get("fiscal_year", "")
    fiscal_year = int(raw) if raw.isdigit() else None
    try:
        services.year_claim_save(
            user=request.user,
            fiscal_year=fiscal_year,
            amounts={field: request.POST.get(field, "") for field in services.CLAIM_FIELDS},
        )
    except InvalidInputError as error:
        for message in error.errors.values():
            messages.error(request, message)
        target = fiscal_year if fiscal_year in years else ""
        return redirect(f"{request.path.rsplit('claims/', 1)[0]}?fy={target}#claims")
    messages.success(request, _("団体の経費を保存しました。"))
    return redirect(f"{request.path.rsplit('claims/', 1)[0]}?fy={fiscal_year}#claims")


def _export(request: HttpRequest, kind: str) -> HttpResponse:
    years = selectors.funding_rates().fiscal_years
    fiscal_year = _fiscal_year(request, years)
    result = selectors_year.year_estimates(user=request.user, fiscal_year=fiscal_year)
    label = fiscal_year_label(fiscal_year)
    filename = f"tokubetsu-koufuzei-{fiscal_year}.{kind}"
    if kind == "xlsx":
        stream = io.BytesIO()
        exports.write_xlsx(result.estimates, stream)
        response = HttpResponse(
            stream.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        text = io.StringIO(newline="")
        exports.write_csv(result.estimates, text)
        response = HttpResponse(
            text.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    organisation = organisation_of(request.user)
    if organisation is not None:
        audit_record(
            actor=request.user,
            action=f"funding.export_{kind}",
            target=organisation,
            organisation=organisation,
            data={
                "fiscal_year": fiscal_year,
                "label": label,
                "organisations": len(result.estimates),
            },
        )
    return response


@require_GET
@funding_staff_only
def year_export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")


@require_GET
@funding_staff_only
def year_export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")
