"""The member's own pages (/members/mine/): their appointments, the months to report, the
monthly report form with expenses and receipts, their filed reports and the correction of a
returned one.

Every view needs a logged-in personal account (staff accounts get a 403 page). Appointments
and reports are read through the member-scoped selectors, so anything that is not the
member's own is a 404, whatever its id.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hitonagare.accounts.roles import Role
from hitonagare.core.access import role_view
from hitonagare.core.errors import (
    ConflictError,
    InvalidInputError,
)

from . import rules, selectors, services_reports
from .forms import (
    DEFAULT_ROWS,
    EXPENSE_PREFIX,
    MORE_ROWS,
    ExpenseFormSet,
    ReportForm,
    month_label,
    month_value,
    parse_month,
    report_data,
)
from .models import Appointment, MonthlyReport
from .services_reports import MAX_EXPENSES_PER_REPORT, ExpenseData
from .views import expense_rows, receipt_response, report_status_label, term_state

T = "members/"
EXPENSE_FIELDS = ("category", "amount_yen", "description", "receipt")
ROW_PREFIX = re.compile(r"^経費\d+件目: ")  # the service's "n-th expense" prefix

View = Callable[..., HttpResponseBase]


# A personal account (else the 403 page in Japanese); NotFoundError becomes the 404 page.
member_required = role_view(
    {Role.APPLICANT}, template="members/forbidden.html", context={"area": "member"}
)


# --- the member's appointments --------------------------------------------------------------


def _months(appointment: Appointment, today: dt.date) -> list[dict[str, Any]]:
    months = selectors.member_report_months(appointment, today=today)
    for month in months:
        month["label"] = month_label(month["month"])
        month["value"] = month_value(month["month"])
        report = month["report"]
        month["status_label"] = report_status_label(report.status) if report else ""
    return months


@require_GET
@member_required
def mine(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    appointments = list(selectors.appointments_of_member(request.user).prefetch_related("reports"))
    cards = []
    for appointment in appointments:
        months = _months(appointment, today)
        cards.append(
            {
                "appointment": appointment,
                "state": term_state(appointment, today),
                "months": months,
                "overdue": sum(1 for m in months if m["overdue"]),
                "returned": sum(
                    1
                    for m in months
                    if m["report"] and m["report"].status == rules.ReportStatus.RETURNED.value
                ),
            }
        )
    return render(
        request,
        T + "mine.html",
        {"cards": cards, "due_day": services_reports.report_due_day()},
    )


# --- the report form ------------------------------------------------------------------------


def _row_count(value: Any, default: int = DEFAULT_ROWS) -> int:
    try:
        rows = int(value)
    except (TypeError, ValueError):
        rows = default
    return max(1, min(rows, MAX_EXPENSES_PER_REPORT))


def _open_months(appointment: Appointment, today: dt.date) -> list[dt.date]:
    """The term's months that have begun and have no report yet, the latest first."""
    filed = set(appointment.reports.values_list("month", flat=True))
    return [
        m
        for m in reversed(rules.report_months(appointment.start_date, appointment.end_date))
        if m <= today and m not in filed
    ]


def _expenses(formset: Any, *, kept: dict[int, Any] | None = None) -> list[tuple[int, ExpenseData]]:
    """(row index, ExpenseData) of every row that holds an expense. A row that carries a
    receipt filed before (a returned report being corrected) keeps it unless a new file is
    chosen or the row says to drop it: the stored file goes to the service as an upload again,
    since the service replaces a returned report's expenses as a whole."""
    kept = kept or {}
    rows: list[tuple[int, ExpenseData]] = []
    for index, form in formset.rows():
        data = form.cleaned_data
        receipt = data.get("receipt") or None
        keep_id = data.get("keep_receipt")
        if receipt is None and keep_id in kept and not data.get("drop_receipt"):
            expense = kept[keep_id]
            with expense.receipt.open("rb") as stored:
                receipt = SimpleUploadedFile(
                    expense.receipt_name or f"receipt-{expense.pk}",
                    stored.read(),
                    content_type=expense.receipt_type,
                )
        rows.append(
            (
                index,
                ExpenseData(
                    category=str(data.get("category") or ""),
                    amount_yen=data.get("amount_yen"),
                    description=str(data.get("description") or ""),
                    receipt=receipt,
                ),
            )
        )
    return rows


def _put_errors(
    form: ReportForm,
    formset: Any,
    rows: list[tuple[int, ExpenseData]],
    errors: dict[str, str],
) -> list[str]:
    """The service's messages under their fields: `expense-<n>-<field>` (n counts the filed
    expenses from 1) goes on the page row it came from; what belongs to no field is returned."""
    loose: list[str] = []
    report_errors: dict[str, str] = {}
    for key, message in errors.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "expense" and parts[1].isdigit():
            n, field = int(parts[1]), parts[2]
            if 1 <= n <= len(rows) and field in EXPENSE_FIELDS:
                row_form = formset.forms[rows[n - 1][0]]
                if field not in row_form.errors:
                    # Shown under the row, whose number on the page may differ from n.
                    row_form.add_error(field, ROW_PREFIX.sub("", message))
                continue
            loose.append(message)
        elif key in form.fields:
            report_errors[key] = message
        else:
            loose.append(message)
    form.add_domain_errors(report_errors)
    return loose


def _with_more_rows(data: QueryDict) -> QueryDict:
    """The posted form again, with more blank expense rows ("行を追加" without script)."""
    data = data.copy()
    key = f"{EXPENSE_PREFIX}-TOTAL_FORMS"
    data[key] = str(_row_count(_row_count(data.get(key), 0) + MORE_ROWS))
    return data


def _form_page(
    request: HttpRequest,
    *,
    appointment: Appointment,
    form: ReportForm,
    formset: Any,
    report: MonthlyReport | None = None,
    problems: list[str] | None = None,
    filed: MonthlyReport | None = None,
    kept: dict[int, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = []
    for index, row_form in enumerate(formset.forms):
        keep_id = row_form["keep_receipt"].value()
        try:
            kept_expense = (kept or {}).get(int(keep_id)) if keep_id else None
        except (TypeError, ValueError):
            kept_expense = None
        rows.append({"number": index + 1, "form": row_form, "kept": kept_expense})
    row_errors = [
        {"number": r["number"], "field": row_form[name], "errors": row_form[name].errors}
        for r in rows
        for row_form in [r["form"]]
        for name in EXPENSE_FIELDS
        if row_form[name].errors
    ]
    total_forms = len(formset.forms)
    return render(
        request,
        T + "report_form.html",
        {
            "appointment": appointment,
            "report": report,
            "form": form,
            "formset": formset,
            "rows": rows,
            "row_errors": row_errors,
            "problems": (problems or []) + list(formset.non_form_errors()),
            "filed": filed,
            "filed_label": month_label(filed.month) if filed else "",
            "month_label": month_label(report.month) if report else "",
            "can_add_rows": total_forms < MAX_EXPENSES_PER_REPORT,
            "max_rows": MAX_EXPENSES_PER_REPORT,
            "more_rows_url": "?"
            + urlencode(
                {
                    "month": form["month"].value() or "",
                    "rows": min(total_forms + MORE_ROWS, MAX_EXPENSES_PER_REPORT),
                }
            ),
            "error_count": len(form.errors) + len(row_errors) + len(problems or []),
            "due_day": services_reports.report_due_day(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@member_required
def report_new(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = selectors.appointment_of_member(user=request.user, appointment_id=appointment_id)
    today = timezone.localdate()
    months = _open_months(appointment, today)
    if request.method != "POST":
        wanted = parse_month(request.GET.get("month"))
        filed = appointment.reports.filter(month=wanted).first() if wanted is not None else None
        initial = wanted if wanted in months else (months[0] if months else None)
        form = ReportForm(months=months, initial={"month": month_value(initial) if initial else ""})
        formset = ExpenseFormSet(
            prefix=EXPENSE_PREFIX, initial=[{}] * _row_count(request.GET.get("rows"))
        )
        return _form_page(request, appointment=appointment, form=form, formset=formset, filed=filed)
    if "add_rows" in request.POST:
        more = _with_more_rows(request.POST)
        form = ReportForm(more, months=months)
        formset = ExpenseFormSet(more, prefix=EXPENSE_PREFIX)
        return _form_page(request, appointment=appointment, form=form, formset=formset)
    form = ReportForm(request.POST, months=months)
    formset = ExpenseFormSet(request.POST, request.FILES, prefix=EXPENSE_PREFIX)
    valid = form.is_valid()
    valid = formset.is_valid() and valid
    rows = _expenses(formset)
    data = report_data(form, rows)
    problems: list[str] = []
    status = 400
    if valid:
        try:
            report = services_reports.report_submit(
                user=request.user, appointment_id=appointment.pk, data=data, today=today
            )
        except InvalidInputError as error:
            problems = _put_errors(form, formset, rows, error.errors)
        except ConflictError as error:  # this month was filed already
            problems, status = [error.message], 409
        else:
            messages.success(
                request,
                _("%(month)sの活動報告を提出しました。受入団体の確認をお待ちください。")
                % {"month": month_label(report.month)},
            )
            return redirect("members:my_report", report_id=report.pk)
    else:
        # Say everything at once: the service's findings on what passed the format checks.
        problems = _put_errors(
            form,
            formset,
            rows,
            services_reports.report_problems(data, appointment=appointment, today=today),
        )
    return _form_page(
        request,
        appointment=appointment,
        form=form,
        formset=formset,
        problems=problems,
        status=status,
    )


# --- the member's reports -------------------------------------------------------------------


@require_GET
@member_required
def my_report(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_of_member(user=request.user, report_id=report_id)
    rows, total = expense_rows(report)
    return render(
        request,
        T + "my_report.html",
        {
            "report": report,
            "appointment": report.appointment,
            "month_label": month_label(report.month),
            "status_label": report_status_label(report.status),
            "expenses": rows,
            "total": total,
            "returned": report.status == rules.ReportStatus.RETURNED.value,
            "receipt_url_name": "members:my_receipt",
        },
    )


def _initial_rows(report: MonthlyReport, rows: int) -> list[dict[str, Any]]:
    filed = [
        {
            "category": e.category,
            "amount_yen": e.amount_yen,
            "description": e.description,
            "keep_receipt": e.pk if e.receipt else None,
        }
        for e in report.expenses.all()
    ]
    blank = max(rows - len(filed), 1 if len(filed) < MAX_EXPENSES_PER_REPORT else 0)
    return (filed + [{}] * blank)[:MAX_EXPENSES_PER_REPORT]


@require_http_methods(["GET", "POST"])
@member_required
def my_report_edit(request: HttpRequest, report_id: int) -> HttpResponse:
    """A returned report, corrected and filed again."""
    report = selectors.report_of_member(user=request.user, report_id=report_id)
    appointment = report.appointment
    if report.status != rules.ReportStatus.RETURNED.value:
        messages.info(request, _("差し戻された報告だけを修正して再提出できます。"))
        return redirect("members:my_report", report_id=report.pk)
    kept = {e.pk: e for e in report.expenses.all() if e.receipt}
    fixed: dict[str, Any] = {"months": [report.month], "fixed_month": True}
    if request.method != "POST":
        form = ReportForm(
            initial={
                "month": month_value(report.month),
                "days_worked": report.days_worked,
                "hours_worked": report.hours_worked,
                "activities": report.activities,
                "results": report.results,
            },
            **fixed,
        )
        formset = ExpenseFormSet(
            prefix=EXPENSE_PREFIX,
            initial=_initial_rows(report, _row_count(request.GET.get("rows"), 0)),
        )
        return _form_page(
            request, appointment=appointment, form=form, formset=formset, report=report, kept=kept
        )
    if "add_rows" in request.POST:
        more = _with_more_rows(request.POST)
        form = ReportForm(more, **fixed)
        formset = ExpenseFormSet(more, prefix=EXPENSE_PREFIX)
        return _form_page(
            request, appointment=appointment, form=form, formset=formset, report=report, kept=kept
        )
    form = ReportForm(request.POST, **fixed)
    formset = ExpenseFormSet(request.POST, request.FILES, prefix=EXPENSE_PREFIX)
    valid = form.is_valid()
    valid = formset.is_valid() and valid
    rows = _expenses(formset, kept=kept)
    data = report_data(form, rows, month=report.month)
    problems: list[str] = []
    status = 400
    if valid:
        try:
            services_reports.report_resubmit(user=request.user, report_id=report.pk, data=data)
        except InvalidInputError as error:
            problems = _put_errors(form, formset, rows, error.errors)
        except ConflictError as error:
            problems, status = [error.message], 409
        else:
            messages.success(
                request,
                _("%(month)sの活動報告を修正して再提出しました。")
                % {"month": month_label(report.month)},
            )
            return redirect("members:my_report", report_id=report.pk)
    else:
        problems = _put_errors(
            form,
            formset,
            rows,
            services_reports.report_problems(
                data, appointment=appointment, today=timezone.localdate()
            ),
        )
    return _form_page(
        request,
        appointment=appointment,
        form=form,
        formset=formset,
        report=report,
        problems=problems,
        kept=kept,
        status=status,
    )


@require_GET
@member_required
def my_receipt(request: HttpRequest, report_id: int, expense_id: int) -> HttpResponseBase:
    report = selectors.report_of_member(user=request.user, report_id=report_id)
    expense = next((e for e in report.expenses.all() if e.pk == expense_id), None)
    if expense is None:
        raise Http404(_("領収書が見つかりません。"))
    return receipt_response(expense)
