"""Staff pages for members through their term (/members/): the list, appointments (direct or
from an accepted offer), the detail with renewals, end, outcomes and the stored 地域要件
decision, the monthly-report dashboard and review, receipts, and the 定住状況 tables.

Who may do what (ADR 0009, accounts.roles, the members selectors and services):
- municipality and prefecture staff read their organisation's members; prefecture staff also
  read their municipalities' members; the ministry reads every member and the national row;
- writing (register, edit, renew, end, outcomes, link an account, review a report) is for the
  staff of the appointment's own host organisation: a read-only reader gets the 404 page on
  an object (as if it did not exist), the ministry the 403 page on the forms without object;
- applicants, companies and consultation desks get a 403 page; anonymous users the login page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hitonagare.accounts.models import Organisation
from hitonagare.accounts.roles import HOST_ROLES, Role, organisation_of, role_of
from hitonagare.core.access import role_view
from hitonagare.core.audit import audit_record
from hitonagare.core.errors import (
    ConflictError,
    NotFoundError,
)
from hitonagare.core.forms import submit
from hitonagare.recruiting import rules as recruiting_rules
from hitonagare.recruiting.views_applicant import _decision_context
from hitonagare.recruiting.views_staff_applicants import (
    eligibility_print_url,
    eligibility_summary,
)

from . import rules, selectors, services, services_reports
from .forms import (
    AppointmentFilterForm,
    AppointmentForm,
    EndForm,
    LinkForm,
    OutcomeForm,
    RenewForm,
    ReviewForm,
    SettlementFilterForm,
    month_label,
)
from .models import Appointment, MonthlyReport, ReportExpense

T = "members/"
PER_PAGE = 50
READ_ROLES = HOST_ROLES | {Role.MINISTRY_ADMIN}
RECEIPT_EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}

View = Callable[..., HttpResponseBase]


# --- access ---------------------------------------------------------------------------------


readers = role_view(READ_ROLES, template=T + "forbidden.html", context={"area": "read"})
host_staff_only = role_view(HOST_ROLES, template=T + "forbidden.html", context={"area": "write"})


def _host(request: HttpRequest) -> Organisation:
    organisation = organisation_of(request.user)
    assert organisation is not None  # host_staff_only let only host staff in
    return organisation


def _to_detail(request: HttpRequest, appointment: Appointment, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("members:detail", appointment_id=appointment.pk)


def _registered(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    return _to_detail(
        request,
        appointment,
        _("%(name)sさんの委嘱・任用を登録しました。") % {"name": appointment.member_name},
    )


def can_write(request: HttpRequest, appointment: Appointment) -> bool:
    """The staff of the appointment's own host organisation (never the ministry)."""
    organisation = organisation_of(request.user)
    return (
        role_of(request.user) in HOST_ROLES
        and organisation is not None
        and appointment.host_id == organisation.pk
    )


def _own_appointment(request: HttpRequest, appointment_id: int) -> Appointment:
    """An appointment of the user's own organisation; one the user may only read is "not
    found", like one the user may not see at all."""
    appointment = selectors.appointment_get(user=request.user, appointment_id=appointment_id)
    if not can_write(request, appointment):
        raise NotFoundError("appointment_not_found", _("委嘱・任用の記録が見つかりません。"))
    return appointment


# --- shared presentation --------------------------------------------------------------------


def term_state(appointment: Appointment, today: dt.date | None = None) -> dict[str, str]:
    """在任中 / 着任前 / 終了予定 / 終了 with a CSS state."""
    today = today or timezone.localdate()
    if appointment.ended_on is not None:
        if appointment.ended_on < today:
            return {"label": _("終了"), "cls": "ended"}
        return {"label": _("終了予定"), "cls": "ending"}
    if appointment.start_date > today:
        return {"label": _("着任前"), "cls": "upcoming"}
    return {"label": _("在任中"), "cls": "active"}


def eligibility_unavailable(stored: dict[str, Any] | None) -> str:
    """Why the 地域要件 could not be judged (e.g. a 基準日 before the oldest 確認表), or ""."""
    if stored and stored.get("unavailable"):
        return str(stored.get("message") or _("地域要件を判定できませんでした。"))
    return ""


def eligibility_row(appointment: Appointment) -> dict[str, Any] | None:
    """The list's 地域要件 cell: symbol, 対象/対象外/要確認 (or 判定不可) and the 基準日."""
    if eligibility_unavailable(appointment.eligibility):
        summary: dict[str, str] | None = {"symbol": "", "label": _("判定不可"), "cls": "check"}
    else:
        summary = eligibility_summary(appointment.eligibility)
    if summary is None:
        return None
    return {**summary, "basis": appointment.eligibility_basis_date}


def has_area_requirement(program: str) -> bool:
    try:
        return (
            recruiting_rules.OpeningProgram(program)
            in recruiting_rules.PROGRAMS_WITH_AREA_REQUIREMENT
        )
    except ValueError:
        return False


def missing_months(
    appointments: list[Appointment], today: dt.date | None = None
) -> dict[int, list[dt.date]]:
    """Per appointment, the months whose report is overdue (due date passed, nothing filed):
    one query for the filed months of all the appointments, the rest is arithmetic."""
    today = today or timezone.localdate()
    due_day = services_reports.report_due_day()
    filed: dict[int, set[dt.date]] = defaultdict(set)
    for appointment_id, month in MonthlyReport.objects.filter(
        appointment_id__in=[a.pk for a in appointments]
    ).values_list("appointment_id", "month"):
        filed[appointment_id].add(month)
    return {
        a.pk: [
            m
            for m in rules.months_due_by(a.start_date, a.end_date, today, due_day)
            if m not in filed[a.pk]
        ]
        for a in appointments
    }


def report_status_label(status: str) -> str:
    try:
        return rules.REPORT_STATUS_LABELS[rules.ReportStatus(status)]
    except ValueError:
        return status


def expense_rows(report: MonthlyReport) -> tuple[list[dict[str, Any]], int]:
    """The report's expenses with their category labels, and their total in yen."""
    rows = []
    total = 0
    for expense in report.expenses.all():
        total += expense.amount_yen
        rows.append({"expense": expense, "category": expense.get_category_display()})
    return rows, total


def receipt_response(expense: ReportExpense, *, user: Any = None) -> FileResponse:
    """The receipt as a download, typed by what the upload check found in its content; a
    download by staff is kept in the audit trail."""
    if not expense.receipt:
        raise Http404(_("領収書は添付されていません。"))
    if user is not None:
        audit_record(
            actor=user,
            action="report.receipt_download",
            target=expense.report,
            organisation=expense.report.appointment.host,
            data={"expense": expense.pk},
        )
    content_type = expense.receipt_type or "application/octet-stream"
    extensions = RECEIPT_EXTENSIONS.get(content_type, ("",))
    name = expense.receipt_name or f"receipt-{expense.pk}{extensions[0]}"
    if not name.lower().endswith(extensions):
        name += extensions[0]
    response = FileResponse(
        expense.receipt.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- list -----------------------------------------------------------------------------------


def _list_query(status: str, program: str, q: str) -> str:
    params = {k: v for k, v in (("status", status), ("program", program), ("q", q)) if v}
    return urlencode(params)


@require_GET
@readers
def appointment_list(request: HttpRequest) -> HttpResponse:
    form = AppointmentFilterForm(request.GET)
    status = form.value("status") or "active"
    program = form.value("program")
    q = form.value("q").strip()
    queryset = selectors.appointment_list(
        user=request.user, status="" if status == "all" else status, program=program, q=q
    )
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    appointments = list(page.object_list)
    overdue = missing_months(appointments)
    today = timezone.localdate()
    rows = [
        {
            "appointment": a,
            "state": term_state(a, today),
            "elig": eligibility_row(a),
            "has_area_requirement": has_area_requirement(a.program),
            "overdue": len(overdue.get(a.pk, ())),
        }
        for a in appointments
    ]
    organisation = organisation_of(request.user)
    filtered = bool(program or q or status != "active")
    return render(
        request,
        T + "list.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "status": status,
            "base_query": _list_query(status if status != "active" else "", program, q),
            "filtered": filtered,
            "any_in_scope": bool(rows) or selectors.appointments_visible(request.user).exists(),
            "can_create": role_of(request.user) in HOST_ROLES,
            "show_host": role_of(request.user) is not Role.MUNICIPALITY_STAFF,
            "organisation": organisation,
            "due_day": services_reports.report_due_day(),
        },
    )


# --- create and edit ------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: AppointmentForm,
    *,
    appointment: Appointment | None = None,
    application: Any = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        T + "form.html",
        {
            "form": form,
            "appointment": appointment,
            "application": application,
            "applicant_name": _applicant_name(application),
            "problem": problem,
            "organisation": form.host,
            "default_kinds": {
                p.value: rules.DEFAULT_KIND[p].value for p in recruiting_rules.OpeningProgram
            },
        },
        status=status,
    )


def _applicant_name(application: Any) -> str:
    if application is None:
        return ""
    snapshot = application.profile_snapshot or {}
    name = f"{snapshot.get('family_name', '')} {snapshot.get('given_name', '')}".strip()
    return name or str(application.applicant.email or "")


def _service_problems(form: AppointmentForm) -> None:
    """After a format error: the service's findings too, so every mistake shows at once."""
    problems, _municipality, _origin = services.appointment_problems(form.to_data(), host=form.host)
    form.add_domain_errors(problems)


@require_http_methods(["GET", "POST"])
@host_staff_only
def appointment_create(request: HttpRequest) -> HttpResponse:
    host = _host(request)
    if request.method != "POST":
        return _form_page(request, AppointmentForm(host=host))
    form = AppointmentForm(request.POST, host=host)
    return submit(
        form,
        lambda _data: services.appointment_create(user=request.user, data=form.to_data()),
        done=lambda appointment: _registered(request, appointment),
        redisplay=lambda problem, status: _form_page(request, form, problem=problem, status=status),
        when_invalid=lambda: _service_problems(form),
    )


@require_http_methods(["GET", "POST"])
@host_staff_only
def appointment_from_application(request: HttpRequest, application_id: int) -> HttpResponse:
    """Register the appointment of an applicant who accepted an offer: the form starts with
    the opening's and the applicant's facts; the application is linked to the appointment."""
    host = _host(request)
    try:
        application = services.application_for_appointment(
            user=request.user, application_id=application_id
        )
    except ConflictError as error:
        existing = Appointment.objects.filter(application_id=application_id, host=host).first()
        return render(
            request,
            T + "from_application_refused.html",
            {"problem": error.message, "application_id": application_id, "existing": existing},
            status=409,
        )
    if request.method != "POST":
        initial = AppointmentForm.initial_from(services.data_from_application(application))
        return _form_page(
            request, AppointmentForm(host=host, initial=initial), application=application
        )
    form = AppointmentForm(request.POST, host=host)
    # A ConflictError here: registered meanwhile (another tab, a colleague).
    return submit(
        form,
        lambda _data: services.appointment_from_application(
            user=request.user, application_id=application.pk, data=form.to_data()
        ),
        done=lambda appointment: _registered(request, appointment),
        redisplay=lambda problem, status: _form_page(
            request, form, application=application, problem=problem, status=status
        ),
        when_invalid=lambda: _service_problems(form),
    )


@require_http_methods(["GET", "POST"])
@host_staff_only
def appointment_update(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = _own_appointment(request, appointment_id)
    if request.method != "POST":
        initial = AppointmentForm.initial_from(services.data_of(appointment))
        form = AppointmentForm(host=appointment.host, initial=initial)
        return _form_page(request, form, appointment=appointment)
    form = AppointmentForm(request.POST, host=appointment.host)
    return submit(
        form,
        lambda _data: services.appointment_update(
            user=request.user, appointment_id=appointment.pk, data=form.to_data()
        ),
        done=lambda _saved: _to_detail(request, appointment, _("委嘱・任用の内容を保存しました。")),
        redisplay=lambda problem, status: _form_page(
            request, form, appointment=appointment, problem=problem, status=status
        ),
        when_invalid=lambda: _service_problems(form),
    )


# --- detail ---------------------------------------------------------------------------------


@require_GET
@readers
def appointment_detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, appointment_id=appointment_id)
    writable = can_write(request, appointment)
    today = timezone.localdate()
    months = selectors.member_report_months(appointment, today=today)
    for month in months:
        month["label"] = month_label(month["month"])
        report = month["report"]
        month["status_label"] = report_status_label(report.status) if report else ""
    outcomes = {
        o.kind: o for o in appointment.outcomes.select_related("residence_municipality").all()
    }
    unavailable = eligibility_unavailable(appointment.eligibility)
    ended = appointment.ended_on is not None
    follow_up_due = rules.follow_up_due(appointment.ended_on) if appointment.ended_on else None
    surveys = []
    for kind in rules.OutcomeKind:
        due = appointment.ended_on if kind is rules.OutcomeKind.EXIT else follow_up_due
        outcome = outcomes.get(kind.value)
        surveys.append(
            {
                "kind": kind.value,
                "label": rules.OUTCOME_KIND_LABELS[kind],
                "outcome": outcome,
                "due": due,
                "overdue": due is not None and outcome is None and due < today,
            }
        )
    return render(
        request,
        T + "detail.html",
        {
            "appointment": appointment,
            "state": term_state(appointment, today),
            "can_write": writable,
            "months": months,
            "overdue_count": sum(1 for m in months if m["overdue"]),
            "renewals": list(appointment.renewals.select_related("created_by")),
            "surveys": surveys,
            "ended": ended,
            "follow_up_due": follow_up_due,
            "elig": None if unavailable else _decision_context(appointment.eligibility),
            "eligibility_error": unavailable,
            "eligibility_as_of": appointment.eligibility_basis_date,
            "has_area_requirement": has_area_requirement(appointment.program),
            "print_url": None if unavailable else eligibility_print_url(appointment.eligibility),
            "term_days": rules.term_days(appointment.start_date, appointment.end_date),
            "due_day": services_reports.report_due_day(),
            "show_emails": writable or role_of(request.user) is Role.MINISTRY_ADMIN,
        },
    )


# --- renew, end, outcomes, account ---------------------------------------------------------


def _small_form_page(
    request: HttpRequest,
    template: str,
    appointment: Appointment,
    form: Any,
    *,
    problem: str = "",
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        T + template,
        {"appointment": appointment, "form": form, "problem": problem, **extra},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@host_staff_only
def appointment_renew(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = _own_appointment(request, appointment_id)
    renewals = list(appointment.renewals.all())
    if request.method != "POST":
        return _small_form_page(request, "renew.html", appointment, RenewForm(), renewals=renewals)
    form = RenewForm(request.POST)
    return submit(
        form,
        lambda data: services.appointment_renew(
            user=request.user,
            appointment_id=appointment.pk,
            new_end_date=data["new_end_date"],
            note=data["note"],
        ),
        done=lambda _renewed: _to_detail(request, appointment, _("任期を更新しました。")),
        redisplay=lambda problem, status: _small_form_page(
            request,
            "renew.html",
            appointment,
            form,
            problem=problem,
            status=status,
            renewals=renewals,
        ),
    )


@require_http_methods(["GET", "POST"])
@host_staff_only
def appointment_end(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = _own_appointment(request, appointment_id)
    if request.method != "POST":
        initial = {"ended_on": appointment.planned_end_date}
        return _small_form_page(request, "end.html", appointment, EndForm(initial=initial))
    form = EndForm(request.POST)
    return submit(
        form,
        lambda data: services.appointment_end(
            user=request.user,
            appointment_id=appointment.pk,
            ended_on=data["ended_on"],
            reason=data["reason"],
            note=data["note"],
        ),
        done=lambda _ended: _to_detail(
            request,
            appointment,
            _("任期の終了を登録しました。任期終了時の定住状況を記録してください。"),
        ),
        redisplay=lambda problem, status: _small_form_page(
            request, "end.html", appointment, form, problem=problem, status=status
        ),
    )


@require_http_methods(["GET", "POST"])
@host_staff_only
def outcome_record(request: HttpRequest, appointment_id: int, kind: str) -> HttpResponse:
    appointment = _own_appointment(request, appointment_id)
    try:
        outcome_kind = rules.OutcomeKind(kind)
    except ValueError:
        raise Http404(_("調査の種類が正しくありません。")) from None
    existing = (
        appointment.outcomes.select_related("residence_municipality")
        .filter(kind=outcome_kind.value)
        .first()
    )
    extra: dict[str, Any] = {
        "kind": outcome_kind.value,
        "kind_label": rules.OUTCOME_KIND_LABELS[outcome_kind],
        "existing": existing,
        "follow_up_due": rules.follow_up_due(appointment.ended_on)
        if appointment.ended_on
        else None,
    }
    if request.method != "POST":
        initial: dict[str, Any] = {"surveyed_on": timezone.localdate()}
        if existing is not None:
            initial = {
                "surveyed_on": existing.surveyed_on,
                "residence": existing.residence,
                "residence_place": existing.residence_municipality.lgcode
                if existing.residence_municipality
                else "",
                "activity": existing.activity,
                "note": existing.note,
            }
        return _small_form_page(
            request, "outcome.html", appointment, OutcomeForm(initial=initial), **extra
        )
    form = OutcomeForm(request.POST)
    return submit(
        form,
        lambda _data: services_reports.outcome_record(
            user=request.user,
            appointment_id=appointment.pk,
            data=form.to_data(outcome_kind.value),
        ),
        done=lambda _outcome: _to_detail(
            request,
            appointment,
            _("定住状況（%(label)s）を記録しました。")
            % {"label": rules.OUTCOME_KIND_LABELS[outcome_kind]},
        ),
        redisplay=lambda problem, status: _small_form_page(
            request, "outcome.html", appointment, form, problem=problem, status=status, **extra
        ),
    )


@require_http_methods(["GET", "POST"])
@host_staff_only
def appointment_link(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = _own_appointment(request, appointment_id)
    if request.method != "POST":
        form = LinkForm(initial={"email": appointment.member_email})
        return _small_form_page(request, "link.html", appointment, form)
    form = LinkForm(request.POST)
    return submit(
        form,
        lambda data: services.appointment_link_member(
            user=request.user, appointment_id=appointment.pk, email=data["email"]
        ),
        done=lambda linked: _to_detail(
            request,
            appointment,
            _("%(email)s のアカウントをつなぎました。本人が活動報告を提出できます。")
            % {"email": linked.member.email if linked.member else ""},
        ),
        redisplay=lambda problem, status: _small_form_page(
            request, "link.html", appointment, form, problem=problem, status=status
        ),
    )


# --- monthly reports: dashboard, review, receipts -------------------------------------------


@require_GET
@readers
def report_dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    dashboard = selectors.report_dashboard(user=request.user, today=today)
    missing = missing_months([row.appointment for row in dashboard.rows], today)
    rows = [
        {
            "state": row,
            "missing": [month_label(m) for m in missing.get(row.appointment.pk, [])],
        }
        for row in dashboard.rows
    ]
    waiting = [
        {"report": r, "label": month_label(r.month), "days": (today - r.submitted_at.date()).days}
        for r in dashboard.waiting
    ]
    return render(
        request,
        T + "reports.html",
        {
            "dashboard": dashboard,
            "rows": rows,
            "waiting": waiting,
            "last_due_label": month_label(dashboard.last_due_month),
            "show_host": role_of(request.user) is not Role.MUNICIPALITY_STAFF,
        },
    )


def _report_page(
    request: HttpRequest,
    report: MonthlyReport,
    *,
    form: ReviewForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    appointment = report.appointment
    writable = can_write(request, appointment)
    rows, total = expense_rows(report)
    return render(
        request,
        T + "report.html",
        {
            "report": report,
            "appointment": appointment,
            "month_label": month_label(report.month),
            "status_label": report_status_label(report.status),
            "expenses": rows,
            "total": total,
            "can_review": writable and report.status == rules.ReportStatus.SUBMITTED.value,
            "can_write": writable,
            "form": form or ReviewForm(),
            "problem": problem,
            "due": rules.report_due_date(report.month, services_reports.report_due_day()),
            "receipt_url_name": "members:receipt",
        },
        status=status,
    )


@require_GET
@readers
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_visible(user=request.user, report_id=report_id)
    return _report_page(request, report)


@require_POST
@readers
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    """承認 or 差戻し by the host's staff; any other reader is told the report does not exist."""
    report = selectors.report_visible(user=request.user, report_id=report_id)
    if not can_write(request, report.appointment):
        raise NotFoundError("report_not_found", _("報告が見つかりません。"))
    form = ReviewForm(request.POST)

    def reviewed(reviewed_report: MonthlyReport) -> HttpResponse:
        messages.success(
            request,
            _("報告を承認しました。")
            if reviewed_report.status == rules.ReportStatus.APPROVED.value
            else _("報告を差し戻しました。隊員にメールでお知らせしました。"),
        )
        return redirect("members:report", report_id=report.pk)

    def again(problem: str, status: int) -> HttpResponse:
        if status == 409:
            report.refresh_from_db()  # reviewed meanwhile: show its current state
        return _report_page(request, report, form=form, problem=problem, status=status)

    return submit(
        form,
        lambda data: services_reports.report_review(
            user=request.user,
            report_id=report.pk,
            approve=data["decision"] == "approve",
            comment=data["comment"],
        ),
        done=reviewed,
        redisplay=again,
    )


@require_GET
@readers
def receipt_download(request: HttpRequest, report_id: int, expense_id: int) -> HttpResponseBase:
    report = selectors.report_visible(user=request.user, report_id=report_id)
    expense = next((e for e in report.expenses.all() if e.pk == expense_id), None)
    if expense is None:
        raise Http404(_("領収書が見つかりません。"))
    expense.report = report  # the report (and its host) is loaded already
    return receipt_response(expense, user=request.user)


# --- 定住状況 ---------------------------------------------------------------------------------


def _figures(row: selectors.SettlementRow) -> dict[str, Any]:
    f = row.figures
    return {
        "key": row.key,
        "label": row.label,
        "ended": f.ended,
        "same": f.same,
        "same_rate": f.same_rate,
        "nearby": f.nearby,
        "nearby_rate": f.nearby_rate,
        "settled": f.settled,
        "rate": f.settlement_rate,
        "moved_away": f.moved_away,
        "unknown": f.unknown,
        "activities": [
            {
                "label": rules.ACTIVITY_LABELS[a],
                "count": f.same_by_activity.get(a, 0),
                "rate": f.activity_rate(a),
            }
            for a in rules.Activity
        ],
    }


@require_GET
@readers
def settlement(request: HttpRequest) -> HttpResponse:
    form = SettlementFilterForm(request.GET if request.GET else None)
    ended_by: dt.date | None = None
    program = recruiting_rules.OpeningProgram.KYORYOKUTAI.value
    status = 200
    if form.is_bound:
        if form.is_valid():
            ended_by = form.cleaned_data["ended_by"]
            program = form.cleaned_data["program"] or program
        else:
            status = 400
    report = None
    if status == 200:
        report = selectors.settlement_report(user=request.user, ended_by=ended_by, program=program)
    return render(
        request,
        T + "settlement.html",
        {
            "form": form,
            "report": report,
            "program_label": recruiting_rules.OPENING_PROGRAM_LABELS[
                recruiting_rules.OpeningProgram(program)
            ],
            "municipalities": [_figures(r) for r in report.municipalities] if report else [],
            "prefectures": [_figures(r) for r in report.prefectures] if report else [],
            "nation_rows": [_figures(report.nation)] if report and report.nation else [],
            "activity_labels": [rules.ACTIVITY_LABELS[a] for a in rules.Activity],
            "is_ministry": role_of(request.user) is Role.MINISTRY_ADMIN,
        },
        status=status,
    )
