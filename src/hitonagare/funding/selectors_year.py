"""The 特別交付税 estimate of a fiscal year from the records: appointments, approved monthly
reports and their expenses (members app), and the organisations' own expenses (YearClaim).

Scoped like the members pages (members.selectors.appointments_visible): staff see their own
organisation, prefecture staff their municipalities, the ministry everything and the
national totals. Four queries for any number of members; the rest is the pure calculator.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from hitonagare.accounts.roles import Role, role_of
from hitonagare.core.wareki import fiscal_year_bounds
from hitonagare.members import rules as member_rules
from hitonagare.members.models import MonthlyReport, ReportExpense
from hitonagare.members.selectors import appointments_visible, last_due_month
from hitonagare.members.services_reports import report_due_day

from .calculator import (
    EstimateSettings,
    MemberYearInput,
    MunicipalityEstimate,
    MunicipalityYearInput,
    NationalTotals,
    municipality_estimate,
    national_totals,
)
from .models import YearClaim
from .rules import (
    FundingProgram,
    RateTable,
    Variant,
    months_in_fiscal_year,
    program_from_opening,
)
from .selectors import funding_rates, funding_settings

APPROVED = member_rules.ReportStatus.APPROVED.value


@dataclass(frozen=True)
class YearEstimates:
    fiscal_year: int
    estimates: list[MunicipalityEstimate]
    national: NationalTotals | None  # the ministry only
    rates: RateTable
    settings: EstimateSettings


def _due_months_in_year(
    start: dt.date, end: dt.date, fy_start: dt.date, fy_end: dt.date, last_due: dt.date
) -> int:
    """Months of the term inside the fiscal year whose report is already due."""
    first = max(member_rules.month_start(start), fy_start)
    last = min(member_rules.month_start(end), member_rules.month_start(fy_end), last_due)
    return member_rules.month_count(first, last)


def year_inputs(
    *, user: Any, fiscal_year: int, settings: EstimateSettings, today: dt.date | None = None
) -> list[MunicipalityYearInput]:
    """Per host organisation, its members' figures for the fiscal year (April–March):
    報償費 = monthly reward × the months counted by the setting; その他経費 = the approved
    reports' expenses of the year; インターン days = the approved reports' days; months with a
    due report that is not approved count as missing."""
    today = today or timezone.localdate()
    fy_start, fy_end = fiscal_year_bounds(fiscal_year)
    last_due = last_due_month(today, report_due_day())
    appointments = (
        appointments_visible(user)
        .filter(start_date__lte=fy_end)
        .filter(
            Q(ended_on__gte=fy_start) | Q(ended_on__isnull=True, planned_end_date__gte=fy_start)
        )
    )
    rows = list(
        appointments.values_list(
            "pk",
            "host_id",
            "host__lgcode",
            "host__name",
            "member_name",
            "program",
            "funding_variant",
            "start_date",
            "planned_end_date",
            "ended_on",
            "monthly_reward_yen",
            "eligibility_eligible",
        )
    )
    in_year = Q(month__gte=fy_start, month__lte=fy_end, status=APPROVED)
    reports = {
        appointment_id: (count, days or 0)
        for appointment_id, count, days in MonthlyReport.objects.filter(
            in_year, appointment__in=appointments
        )
        .values("appointment_id")
        .annotate(n=Count("id"), days=Sum("days_worked"))
        .values_list("appointment_id", "n", "days")
    }
    expenses = dict(
        ReportExpense.objects.filter(
            report__month__gte=fy_start,
            report__month__lte=fy_end,
            report__status=APPROVED,
            report__appointment__in=appointments,
        )
        .values("report__appointment_id")
        .annotate(total=Sum("amount_yen"))
        .values_list("report__appointment_id", "total")
    )
    members: dict[int, list[MemberYearInput]] = defaultdict(list)
    hosts: dict[int, tuple[str, str]] = {}
    for (
        pk,
        host_id,
        lgcode,
        host_name,
        name,
        program,
        variant,
        start,
        planned_end,
        ended_on,
        monthly_reward,
        eligible,
    ) in rows:
        end = ended_on or planned_end
        hosts[host_id] = (lgcode or "", host_name)
        approved, days = reports.get(pk, (0, 0))
        months = months_in_fiscal_year(start, end, fiscal_year, settings.month_counting)
        reward = (Decimal(monthly_reward or 0) * months).quantize(Decimal(1), ROUND_DOWN)
        funding_program = program_from_opening(program)
        members[host_id].append(
            MemberYearInput(
                member_ref=str(pk),
                name=name,
                program=funding_program,
                start=start,
                end=end,
                variant=Variant(variant) if variant else None,
                reward_yen=reward,
                expenses_yen=Decimal(expenses.get(pk) or 0),
                days=days if funding_program is FundingProgram.INTERN else None,
                eligible=eligible,
                reports_missing=max(
                    _due_months_in_year(start, end, fy_start, fy_end, last_due) - approved, 0
                ),
            )
        )
    claims = {
        claim.organisation_id: claim
        for claim in YearClaim.objects.filter(
            fiscal_year=fiscal_year, organisation_id__in=list(hosts)
        )
    }
    inputs = []
    for host_id, (lgcode, host_name) in sorted(hosts.items(), key=lambda item: item[1]):
        claim = claims.get(host_id)
        inputs.append(
            MunicipalityYearInput(
                lgcode=lgcode,
                name=host_name,
                fiscal_year=fiscal_year,
                members=members[host_id],
                recruitment_yen=Decimal(claim.recruitment_yen if claim else 0),
                kigyojin_preparation_yen=Decimal(claim.kigyojin_preparation_yen if claim else 0),
                nichiiki_program_yen=Decimal(claim.nichiiki_program_yen if claim else 0),
            )
        )
    return inputs


def year_estimates(*, user: Any, fiscal_year: int, today: dt.date | None = None) -> YearEstimates:
    rates = funding_rates()
    settings = funding_settings()
    inputs = year_inputs(user=user, fiscal_year=fiscal_year, settings=settings, today=today)
    estimates = [municipality_estimate(i, rates=rates, settings=settings) for i in inputs]
    national = (
        national_totals(estimates) if role_of(user) is Role.MINISTRY_ADMIN and estimates else None
    )
    return YearEstimates(
        fiscal_year=fiscal_year,
        estimates=estimates,
        national=national,
        rates=rates,
        settings=settings,
    )
