"""Reads for members, always scoped by role: staff see their organisation's appointments,
prefecture staff their municipalities', the ministry everything, a member their own."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hitonagare.accounts.roles import Role, role_of, visible_host_ids
from hitonagare.core.errors import NotFoundError, PermissionDeniedError

from . import rules
from .models import Appointment, MonthlyReport, Outcome
from .services_reports import report_due_day

STAFF_ROLES = frozenset({Role.MUNICIPALITY_STAFF, Role.PREFECTURE_STAFF, Role.MINISTRY_ADMIN})


def require_member_reader(user: Any) -> None:
    if role_of(user) not in STAFF_ROLES:
        raise PermissionDeniedError(
            "not_member_reader",
            "隊員の記録を見られるのは受入団体・都道府県の職員と総務省の担当者です。",
        )


def appointments_visible(user: Any) -> QuerySet[Appointment]:
    require_member_reader(user)
    queryset = Appointment.objects.select_related(
        "host", "municipality", "municipality__prefecture"
    )
    host_ids = visible_host_ids(user)
    return queryset if host_ids is None else queryset.filter(host_id__in=host_ids)


def appointment_get(*, user: Any, appointment_id: int) -> Appointment:
    appointment = (
        appointments_visible(user)
        .select_related("origin_municipality", "member", "application")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise NotFoundError("appointment_not_found", "委嘱・任用の記録が見つかりません。")
    return appointment


def appointments_of_member(user: Any) -> QuerySet[Appointment]:
    if not getattr(user, "is_authenticated", False):
        return Appointment.objects.none()
    return Appointment.objects.select_related("host", "municipality").filter(member=user)


def appointment_of_member(*, user: Any, appointment_id: int) -> Appointment:
    appointment = appointments_of_member(user).filter(pk=appointment_id).first()
    if appointment is None:
        raise NotFoundError("appointment_not_found", "委嘱・任用の記録が見つかりません。")
    return appointment


def report_of_member(*, user: Any, report_id: int) -> MonthlyReport:
    report = (
        MonthlyReport.objects.select_related("appointment", "appointment__host")
        .prefetch_related("expenses")
        .filter(pk=report_id, appointment__member_id=getattr(user, "pk", None))
        .first()
    )
    if report is None or not user.is_authenticated:
        raise NotFoundError("report_not_found", "報告が見つかりません。")
    return report


def report_visible(*, user: Any, report_id: int) -> MonthlyReport:
    report = (
        MonthlyReport.objects.select_related(
            "appointment", "appointment__host", "appointment__municipality", "reviewed_by"
        )
        .prefetch_related("expenses")
        .filter(pk=report_id, appointment__in=appointments_visible(user))
        .first()
    )
    if report is None:
        raise NotFoundError("report_not_found", "報告が見つかりません。")
    return report


def appointment_list(
    *, user: Any, status: str = "", program: str = "", q: str = ""
) -> QuerySet[Appointment]:
    """The staff list: active (在任中), ended (終了), or all; by program; by name."""
    queryset = appointments_visible(user)
    today = timezone.localdate()
    if status == "active":
        queryset = queryset.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    elif status == "ended":
        queryset = queryset.filter(ended_on__lt=today)
    if program:
        queryset = queryset.filter(program=program)
    if q.strip():
        term = q.strip()
        queryset = queryset.filter(Q(member_name__icontains=term) | Q(member_kana__icontains=term))
    return queryset.order_by("-start_date", "-id")


# --- the report dashboard -------------------------------------------------------------------


def last_due_month(today: dt.date, due_day: int) -> dt.date:
    """The latest month whose report is already overdue on `today`."""
    month = rules.month_start(today)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    if rules.report_due_date(previous, due_day) < today:
        return previous
    return (previous - dt.timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class MemberReportState:
    appointment: Appointment
    overdue: int  # due months with no report filed
    waiting: int  # filed, waiting for review
    returned: int  # returned to the member


@dataclass(frozen=True)
class ReportDashboard:
    due_day: int
    last_due_month: dt.date
    next_due: dt.date
    overdue_members: int
    overdue_reports: int
    waiting_reports: int
    returned_reports: int
    active_members: int
    rows: list[MemberReportState]  # members with something to do, most overdue first
    waiting: list[MonthlyReport]  # the oldest submissions first


def _reports_visible(user: Any) -> QuerySet[MonthlyReport]:
    """Reports of the appointments the user may read, filtered by host (no subquery over
    every appointment for the ministry)."""
    require_member_reader(user)
    host_ids = visible_host_ids(user)
    reports = MonthlyReport.objects.all()
    if host_ids is None:
        return reports  # the ministry: the status index alone
    # An organisation's few hundred reports by their appointments' ids (the (appointment,
    # month) index), not by scanning every report in a status and joining to the host.
    ids = list(Appointment.objects.filter(host_id__in=host_ids).values_list("pk", flat=True))
    return reports.filter(appointment_id__in=ids)


def report_dashboard(
    *, user: Any, today: dt.date | None = None, limit: int = 50
) -> ReportDashboard:
    """What is late, waiting for review or returned, for the appointments the user may read.

    One query for the appointments with their filed-report counts, then the oldest
    submissions waiting for review and the waiting/returned totals; the overdue months are
    arithmetic, not a loop over months.
    """
    today = today or timezone.localdate()
    due_day = report_due_day()
    last_due = last_due_month(today, due_day)
    active = (
        appointments_visible(user)
        .filter(start_date__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=last_due))
    )
    # Filed months per appointment: a grouped count over the (appointment, month) unique
    # index for the listed ids, never the report rows (a LEFT JOIN annotation of the
    # appointments was 4x slower at 10,000 members; a subquery made SQLite scan the index).
    active_rows = list(active.values_list("pk", "start_date", "planned_end_date", "ended_on"))
    filed: dict[int, int] = {}
    filed_reports = MonthlyReport.objects.filter(month__lte=last_due).order_by()
    if connection.vendor == "sqlite":
        # SQLite scans the whole index for a subquery; listed ids are looked up one by one
        # (at most 999 parameters a statement).
        ids = [row[0] for row in active_rows]
        batches = [
            filed_reports.filter(appointment_id__in=ids[i : i + 900])
            for i in range(0, len(ids), 900)
        ]
    else:
        # PostgreSQL plans the subquery well; thousands of parameters cost more to send.
        batches = [filed_reports.filter(appointment__in=active.values("pk"))]
    for batch in batches:
        filed.update(
            batch.values("appointment_id")
            .annotate(n=Count("id"))
            .values_list("appointment_id", "n")
        )
    pending_by_appointment: dict[int, list[int]] = {}
    pending_states = (rules.ReportStatus.SUBMITTED.value, rules.ReportStatus.RETURNED.value)
    visible_reports = _reports_visible(user)
    if visible_host_ids(user) is None:
        # Every organisation: the few reports in these states, through the status index.
        visible_reports = visible_reports.filter(status__in=pending_states)
    # An organisation: its reports through the appointment index; states checked here, as
    # SQLite would otherwise walk the status index over every organisation's reports.
    for appointment_id, status in visible_reports.order_by().values_list(
        "appointment_id", "status"
    ):
        if status not in pending_states:
            continue
        pair = pending_by_appointment.setdefault(appointment_id, [0, 0])
        pair[0 if status == pending_states[0] else 1] += 1
    counts: dict[int, tuple[int, int, int]] = {}
    active_members = 0
    last_due_index = last_due.year * 12 + last_due.month
    for pk, start, planned_end, ended_on in active_rows:
        filed_due = filed.get(pk, 0)
        active_members += 1
        end = ended_on or planned_end
        # Months from the start month to the earlier of the end month and the last due
        # month, as month indexes (this loop runs once per active member).
        last_index = min(end.year * 12 + end.month, last_due_index)
        due = max(last_index - (start.year * 12 + start.month) + 1, 0)
        overdue = max(due - filed_due, 0)
        waiting, returned = pending_by_appointment.get(pk, (0, 0))
        if overdue or waiting or returned:
            counts[pk] = (overdue, waiting, returned)
    ordered = sorted(counts.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    shown_ids = [pk for pk, _ in ordered[:limit]]
    by_id = {
        a.pk: a for a in Appointment.objects.select_related("municipality").filter(pk__in=shown_ids)
    }
    rows = [MemberReportState(by_id[pk], *counts[pk]) for pk in shown_ids if pk in by_id]
    waiting_reports = list(
        _reports_visible(user)
        .select_related("appointment", "appointment__municipality")
        .filter(status=rules.ReportStatus.SUBMITTED.value)
        .order_by("submitted_at", "id")[:limit]
    )
    # The totals count every visible report, like the list above: a late report from a term
    # that ended before the window of `active` still waits for review.
    pending = {
        "waiting": sum(pair[0] for pair in pending_by_appointment.values()),
        "returned": sum(pair[1] for pair in pending_by_appointment.values()),
    }
    this_month = rules.month_start(today)
    previous = (this_month - dt.timedelta(days=1)).replace(day=1)
    next_due = rules.report_due_date(previous, due_day)
    if next_due < today:
        next_due = rules.report_due_date(this_month, due_day)
    return ReportDashboard(
        due_day=due_day,
        last_due_month=last_due,
        next_due=next_due,
        overdue_members=sum(1 for c in counts.values() if c[0]),
        overdue_reports=sum(c[0] for c in counts.values()),
        waiting_reports=pending["waiting"],
        returned_reports=pending["returned"],
        active_members=active_members,
        rows=rows,
        waiting=waiting_reports,
    )


def member_report_months(
    appointment: Appointment, *, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Every month of the member's term up to now, with its report (or its due date)."""
    today = today or timezone.localdate()
    due_day = report_due_day()
    reports = {r.month: r for r in appointment.reports.all()}
    months = []
    for month in rules.report_months(appointment.start_date, appointment.end_date):
        if month > today:
            break
        due = rules.report_due_date(month, due_day)
        report = reports.get(month)
        months.append(
            {
                "month": month,
                "due": due,
                "report": report,
                "overdue": report is None and due < today,
            }
        )
    months.reverse()
    return months


# --- 定住 outcome ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementRow:
    key: str  # 団体コード of the municipality, prefecture code, or "all"
    label: str
    figures: rules.SettlementFigures


@dataclass(frozen=True)
class SettlementReport:
    ended_by: dt.date
    program: str
    municipalities: list[SettlementRow]
    prefectures: list[SettlementRow]
    nation: SettlementRow | None  # only for the ministry


def settlement_report(
    *, user: Any, ended_by: dt.date | None = None, program: str = "kyoryokutai"
) -> SettlementReport:
    """定住状況 of everyone whose term ended on or before `ended_by`, per municipality of
    activity, per prefecture and (for the ministry) for the nation; the latest survey answer
    counts (the follow-up when there is one), no answer counts as 不明."""
    ended_by = ended_by or timezone.localdate()
    appointments = appointments_visible(user).filter(
        ended_on__isnull=False, ended_on__lte=ended_by, program=program
    )
    rows = list(
        appointments.values_list(
            "pk",
            "municipality__lgcode",
            "municipality__name",
            "municipality__prefecture__code",
            "municipality__prefecture__name",
        )
    )
    latest: dict[int, tuple[str, str]] = {}
    rank = {rules.OutcomeKind.EXIT.value: 0, rules.OutcomeKind.FOLLOW_UP.value: 1}
    best_rank: dict[int, int] = {}
    for appointment_id, kind, residence, activity in Outcome.objects.filter(
        appointment__in=appointments, surveyed_on__lte=max(ended_by, timezone.localdate())
    ).values_list("appointment_id", "kind", "residence", "activity"):
        if rank[kind] >= best_rank.get(appointment_id, -1):
            best_rank[appointment_id] = rank[kind]
            latest[appointment_id] = (residence, activity)
    by_municipality: dict[tuple[str, str], list[rules.EndedMember]] = defaultdict(list)
    by_prefecture: dict[tuple[str, str], list[rules.EndedMember]] = defaultdict(list)
    everyone: list[rules.EndedMember] = []
    for pk, lgcode, name, pref_code, pref_name in rows:
        answer = latest.get(pk)
        member = rules.EndedMember(
            residence=rules.Residence(answer[0]) if answer else None,
            activity=rules.Activity(answer[1]) if answer else None,
        )
        by_municipality[(lgcode, f"{pref_name}{name}")].append(member)
        by_prefecture[(pref_code, pref_name)].append(member)
        everyone.append(member)
    nation = (
        SettlementRow("all", "全国", rules.settlement_figures(everyone))
        if role_of(user) is Role.MINISTRY_ADMIN
        else None
    )
    return SettlementReport(
        ended_by=ended_by,
        program=program,
        municipalities=[
            SettlementRow(code, label, rules.settlement_figures(members))
            for (code, label), members in sorted(by_municipality.items())
        ],
        prefectures=[
            SettlementRow(code, label, rules.settlement_figures(members))
            for (code, label), members in sorted(by_prefecture.items())
        ],
        nation=nation,
    )
