"""The what-if page (/funding/estimate/): staff try a term and amounts against the caps.

Who: municipality and prefecture staff and the ministry (the same gate as reading the staff
pages, ADR 0009); applicants, companies and consultation desks get a 403 page; anonymous
users the login page. The page reads nothing of any organisation: it is a calculator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from hitonagare.accounts.roles import HOST_ROLES, Role
from hitonagare.core.access import role_view
from hitonagare.core.errors import InvalidInputError
from hitonagare.core.wareki import fiscal_year_label, fiscal_year_of

from . import selectors
from .calculator import ERROR, INFO, WARNING
from .forms import EstimateForm
from .rules import (
    CAP_READING_LABELS,
    GRADE_LABELS,
    MONTH_COUNTING_DESCRIPTIONS,
    MONTH_COUNTING_LABELS,
    PRORATION_IS_A_SETTING,
)

READ_ROLES = HOST_ROLES | {Role.MINISTRY_ADMIN}
View = Callable[..., HttpResponseBase]
NOTICE_CLASS = {ERROR: "notice--error", WARNING: "notice--warn", INFO: ""}


# Login (else the login page), then host staff or the ministry (else a 403 page).
funding_staff_only = role_view(READ_ROLES, template="funding/forbidden.html")


def initial_fiscal_year(years: tuple[int, ...]) -> int | None:
    if not years:
        return None
    current = fiscal_year_of(timezone.localdate())
    return current if current in years else years[-1]


@require_GET
@funding_staff_only
def estimate(request: HttpRequest) -> HttpResponse:
    rates = selectors.funding_rates()
    years = rates.fiscal_years
    submitted = "program" in request.GET
    initial_fy = initial_fiscal_year(years)
    form = EstimateForm(
        request.GET if submitted else None,
        fiscal_years=years,
        initial={"fiscal_year": str(initial_fy) if initial_fy else ""},
    )
    estimate_settings = selectors.funding_settings()
    context: dict[str, Any] = {
        "form": form,
        "submitted": submitted,
        "default_counting_label": MONTH_COUNTING_LABELS[estimate_settings.month_counting],
        "cap_reading_label": CAP_READING_LABELS[estimate_settings.cap_reading],
        "proration_note": PRORATION_IS_A_SETTING,
        "overrides_file": bool(rates.overrides_file),
    }
    status = 200
    if submitted:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                what_if = selectors.estimate_what_if(
                    program=data["program"],
                    variant=data["variant"] or None,
                    fiscal_year=data["fiscal_year"],
                    start=data["start"],
                    end=data["end"],
                    amounts={name: data[name] for name in selectors.AMOUNT_FIELDS},
                    days=data["days"] or None,
                    month_counting=data["month_counting"] or None,
                )
            except InvalidInputError as error:
                for field, message in error.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                status = 200
                result = what_if.estimate
                fy = result.fiscal_year
                context.update(
                    result=result,
                    fiscal_year_label=fiscal_year_label(fy),
                    flags=[
                        {"flag": flag, "css": NOTICE_CLASS.get(flag.level, "")}
                        for flag in result.flags
                    ],
                    counting_label=MONTH_COUNTING_LABELS[result.settings.month_counting],
                    counting_description=MONTH_COUNTING_DESCRIPTIONS[
                        result.settings.month_counting
                    ],
                    year_rates=[
                        {"rate": r, "grade": GRADE_LABELS[r.grade] if r.grade else ""}
                        for r in what_if.rates.entries()
                        if r.fiscal_year == fy
                    ],
                )
    return render(request, "funding/estimate.html", context, status=status)
