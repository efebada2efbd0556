"""Writes for monthly reports (member files, staff approve or return), reminders for overdue
reports, and the exit / follow-up outcome surveys."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from hitonagare.accounts.models import Membership
from hitonagare.accounts.roles import require_host_staff
from hitonagare.core.audit import audit_record
from hitonagare.core.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
)
from hitonagare.core.notify import notify, site_url
from hitonagare.recruiting.services import has_control_characters
from hitonagare.recruiting.uploads import head_and_tail, receipt_type
from hitonagare.regions import selectors as regions

from . import rules
from .models import Appointment, MonthlyReport, Outcome, ReportExpense, ReportReminder

MAX_EXPENSES_PER_REPORT = 30


def report_due_day() -> int:
    return int(getattr(settings, "HITONAGARE_REPORT_DUE_DAY", 5))


@dataclass(frozen=True)
class ExpenseData:
    category: str
    amount_yen: int | None
    description: str
    receipt: UploadedFile | None = None


@dataclass(frozen=True)
class ReportData:
    month: dt.date | None
    days_worked: int | None
    hours_worked: Decimal | None
    activities: str
    results: str = ""
    expenses: tuple[ExpenseData, ...] = field(default_factory=tuple)


def _receipt_check(upload: UploadedFile) -> tuple[str | None, str]:
    problem, content_type, _extension = receipt_type(*head_and_tail(upload))
    return problem, content_type


def report_problems(
    data: ReportData, *, appointment: Appointment, today: dt.date
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.month is None:
        errors["month"] = "報告月を選んでください。"
    else:
        problem = rules.reportable_month_problem(
            data.month, appointment.start_date, appointment.end_date, today
        )
        if problem:
            errors["month"] = problem
    if data.days_worked is None:
        errors["days_worked"] = "活動日数を入力してください。"
    if data.hours_worked is None:
        errors["hours_worked"] = "活動時間を入力してください。"
    if data.month is not None and data.days_worked is not None and data.hours_worked is not None:
        errors.update(
            rules.report_problems(
                days_worked=data.days_worked, hours_worked=data.hours_worked, month=data.month
            )
        )
    if not data.activities.strip():
        errors["activities"] = "活動内容を入力してください。"
    for name, label, value in (
        ("activities", "活動内容", data.activities),
        ("results", "成果・課題", data.results),
    ):
        if len(value) > 4000:
            errors[name] = f"{label}は4000文字以内で入力してください。"
        elif has_control_characters(value):
            errors[name] = f"{label}に使えない制御文字が含まれています。"
    if len(data.expenses) > MAX_EXPENSES_PER_REPORT:
        errors["expenses"] = f"経費は1回の報告で{MAX_EXPENSES_PER_REPORT}件までです。"
    categories = {c.value for c in rules.ExpenseCategory}
    for i, expense in enumerate(data.expenses, start=1):
        prefix = f"expense-{i}"
        if expense.category not in categories:
            errors[f"{prefix}-category"] = f"経費{i}件目: 費目を選んでください。"
        if expense.amount_yen is None or not (1 <= expense.amount_yen <= rules.MAX_EXPENSE_YEN):
            errors[f"{prefix}-amount_yen"] = (
                f"経費{i}件目: 金額は1〜{rules.MAX_EXPENSE_YEN:,}円の整数で入力してください。"
            )
        description = expense.description.strip()
        if not description:
            errors[f"{prefix}-description"] = f"経費{i}件目: 内容を入力してください。"
        elif len(description) > 200 or has_control_characters(description):
            errors[f"{prefix}-description"] = (
                f"経費{i}件目: 内容は制御文字を含まない200文字以内で入力してください。"
            )
        if expense.receipt is not None:
            problem, _type = _receipt_check(expense.receipt)
            if problem:
                errors[f"{prefix}-receipt"] = f"経費{i}件目: {problem}"
    return errors


def _own_appointment_as_member(*, user: Any, appointment_id: int) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("host", "municipality")
        .filter(pk=appointment_id, member_id=getattr(user, "pk", None))
        .first()
    )
    if appointment is None or not user.is_authenticated:
        raise NotFoundError("appointment_not_found", "委嘱・任用の記録が見つかりません。")
    return appointment


def _expenses_save(
    report: MonthlyReport, expenses: tuple[ExpenseData, ...], stored: list[str]
) -> None:
    """Save the expense rows; receipt file names go to `stored` so that a caller whose
    transaction fails can delete them (files are not part of the transaction)."""
    for expense in expenses:
        row = ReportExpense(
            report=report,
            category=expense.category,
            amount_yen=expense.amount_yen or 0,
            description=expense.description.strip(),
        )
        if expense.receipt is not None:
            _problem, content_type = _receipt_check(expense.receipt)
            extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[
                content_type
            ]
            row.receipt_name = (expense.receipt.name or f"receipt.{extension}")[-200:]
            row.receipt_type = content_type
            row.receipt.save(f"receipt-{report.pk}.{extension}", expense.receipt, save=False)
            stored.append(row.receipt.name)
        row.save()


def _delete_files(names: list[str]) -> None:
    storage = ReportExpense._meta.get_field("receipt").storage
    for name in names:
        storage.delete(name)


def _staff_addresses(appointment: Appointment) -> list[str | None]:
    return list(
        Membership.objects.filter(organisation_id=appointment.host_id).values_list(
            "user__email", flat=True
        )
    )


def report_submit(
    *, user: Any, appointment_id: int, data: ReportData, today: dt.date | None = None
) -> MonthlyReport:
    """The member files the report for a month: once per month (a returned report is edited
    with report_resubmit instead)."""
    today = today or timezone.localdate()
    stored: list[str] = []
    try:
        with transaction.atomic():
            appointment = _own_appointment_as_member(user=user, appointment_id=appointment_id)
            errors = report_problems(data, appointment=appointment, today=today)
            if errors:
                raise InvalidInputError(errors)
            assert data.month is not None
            if MonthlyReport.objects.filter(appointment=appointment, month=data.month).exists():
                raise ConflictError(
                    "report_exists",
                    f"{data.month.year}年{data.month.month}月の報告はすでに提出されています。",
                )
            report = MonthlyReport.objects.create(
                appointment=appointment,
                month=data.month,
                days_worked=data.days_worked or 0,
                hours_worked=data.hours_worked or Decimal(0),
                activities=data.activities.strip(),
                results=data.results.strip(),
                submitted_at=timezone.now(),
            )
            _expenses_save(report, data.expenses, stored)
            audit_record(
                actor=user,
                action="report.submit",
                target=report,
                organisation=appointment.host,
                data={"month": data.month.isoformat(), "expenses": len(data.expenses)},
            )
    except IntegrityError:
        _delete_files(stored)
        # Two submissions for the same month at once: the unique constraint lets one through.
        raise ConflictError("report_exists", "この月の報告はすでに提出されています。") from None
    except BaseException:
        _delete_files(stored)
        raise
    notify(
        recipients=_staff_addresses(appointment),
        subject=f"月次活動報告: {appointment.member_name} {report.month.year}年{report.month.month}月",
        body=f"確認をお願いします。\n{site_url(f'/members/reports/{report.pk}/')}\n",
    )
    return report


def report_resubmit(
    *, user: Any, report_id: int, data: ReportData, today: dt.date | None = None
) -> MonthlyReport:
    """A returned report, corrected by the member; its expenses are replaced as a whole."""
    stored: list[str] = []
    try:
        return _report_resubmit(
            user=user, report_id=report_id, data=data, today=today, stored=stored
        )
    except BaseException:
        _delete_files(stored)
        raise


@transaction.atomic
def _report_resubmit(
    *, user: Any, report_id: int, data: ReportData, today: dt.date | None, stored: list[str]
) -> MonthlyReport:
    today = today or timezone.localdate()
    report = (
        MonthlyReport.objects.select_for_update(of=("self",))
        .select_related("appointment", "appointment__host")
        .filter(pk=report_id, appointment__member_id=getattr(user, "pk", None))
        .first()
    )
    if report is None or not user.is_authenticated:
        raise NotFoundError("report_not_found", "報告が見つかりません。")
    if report.status != rules.ReportStatus.RETURNED.value:
        raise ConflictError("report_not_returned", "差し戻された報告だけを修正して再提出できます。")
    data = ReportData(
        month=report.month,
        days_worked=data.days_worked,
        hours_worked=data.hours_worked,
        activities=data.activities,
        results=data.results,
        expenses=data.expenses,
    )
    errors = report_problems(data, appointment=report.appointment, today=today)
    if errors:
        raise InvalidInputError(errors)
    old_files = [e.receipt.name for e in report.expenses.all() if e.receipt]
    report.expenses.all().delete()
    report.days_worked = data.days_worked or 0
    report.hours_worked = data.hours_worked or Decimal(0)
    report.activities = data.activities.strip()
    report.results = data.results.strip()
    report.status = rules.ReportStatus.SUBMITTED.value
    report.submitted_at = timezone.now()
    report.save()
    _expenses_save(report, data.expenses, stored)
    transaction.on_commit(lambda: _delete_files(old_files))
    audit_record(
        actor=user,
        action="report.resubmit",
        target=report,
        organisation=report.appointment.host,
        data={"expenses": len(data.expenses)},
    )
    return report


@transaction.atomic
def report_review(*, user: Any, report_id: int, approve: bool, comment: str = "") -> MonthlyReport:
    """Staff of the host approve a submitted report or return it with a comment."""
    host = require_host_staff(user)
    report = (
        MonthlyReport.objects.select_for_update(of=("self",))
        .select_related("appointment")
        .filter(pk=report_id, appointment__host=host)
        .first()
    )
    if report is None:
        raise NotFoundError("report_not_found", "報告が見つかりません。")
    if report.status != rules.ReportStatus.SUBMITTED.value:
        raise ConflictError("report_not_submitted", "この報告はすでに確認済みです。")
    comment = comment.strip()
    if not approve and not comment:
        raise InvalidInputError({"comment": "差し戻すときは、直してほしい点を入力してください。"})
    if len(comment) > 2000 or has_control_characters(comment):
        raise InvalidInputError(
            {"comment": "コメントは制御文字を含まない2000文字以内で入力してください。"}
        )
    report.status = (rules.ReportStatus.APPROVED if approve else rules.ReportStatus.RETURNED).value
    report.reviewed_at = timezone.now()
    report.reviewed_by = user
    report.review_comment = comment
    report.save()
    audit_record(
        actor=user,
        action="report.approve" if approve else "report.return",
        target=report,
        organisation=host,
        data={"comment": comment[:200]},
    )
    member_email = report.appointment.member_email or (
        report.appointment.member.email if report.appointment.member else None
    )
    month = f"{report.month.year}年{report.month.month}月"
    notify(
        recipients=[member_email],
        subject=f"月次活動報告（{month}）が{'承認' if approve else '差し戻'}されました",
        body=(comment + "\n" if comment else "")
        + site_url(f"/members/mine/reports/{report.pk}/")
        + "\n",
    )
    return report


def reminders_send(*, today: dt.date | None = None) -> int:
    """E-mail every active member whose due reports are missing: once a day at most, so a
    cron job may run this as often as it likes. Returns the number of reminders sent."""
    today = today or timezone.localdate()
    due_day = report_due_day()
    sent = 0
    appointments = (
        Appointment.objects.filter(start_date__lte=today)
        # Two months after a term ended (recorded, or planned and never recorded) the
        # reminders stop: staff follow up old gaps from the dashboard instead.
        .exclude(ended_on__lt=today - dt.timedelta(days=62))
        .exclude(ended_on__isnull=True, planned_end_date__lt=today - dt.timedelta(days=62))
        .select_related("member")
        .only("id", "start_date", "planned_end_date", "ended_on", "member_email", "member")
    )
    filed: dict[int, set[dt.date]] = {}
    for appointment_id, month in MonthlyReport.objects.filter(
        appointment__in=appointments
    ).values_list("appointment_id", "month"):
        filed.setdefault(appointment_id, set()).add(month)
    for appointment in appointments:
        missing = [
            m
            for m in rules.months_due_by(
                appointment.start_date, appointment.end_date, today, due_day
            )
            if m not in filed.get(appointment.pk, set())
        ]
        address = appointment.member_email or (
            appointment.member.email if appointment.member else ""
        )
        if not missing or not address:
            continue
        latest = missing[-1]
        # Once a day per member: filing the latest missing month must not make another
        # month "latest" and bring a second mail the same day.
        if ReportReminder.objects.filter(appointment=appointment, sent_on=today).exists():
            continue
        try:
            with transaction.atomic():
                ReportReminder.objects.create(appointment=appointment, month=latest, sent_on=today)
        except IntegrityError:
            continue  # already reminded today
        months = "、".join(f"{m.year}年{m.month}月" for m in missing[-6:])
        notify(
            recipients=[address],
            subject="月次活動報告の提出をお願いします",
            body=(
                f"次の月の活動報告がまだ提出されていません: {months}\n"
                f"{site_url('/members/mine/')}\n"
            ),
        )
        sent += 1
    return sent


# --- outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeData:
    kind: str
    surveyed_on: dt.date | None
    residence: str
    activity: str
    residence_place: str = ""  # 団体コード, 郵便番号 or name; optional
    note: str = ""


@transaction.atomic
def outcome_record(*, user: Any, appointment_id: int, data: OutcomeData) -> Outcome:
    """The exit survey (after the term ended) or the follow-up (a year after it): one each,
    corrected by recording again."""
    host = require_host_staff(user)
    appointment = (
        Appointment.objects.select_for_update().filter(pk=appointment_id, host=host).first()
    )
    if appointment is None:
        raise NotFoundError("appointment_not_found", "委嘱・任用の記録が見つかりません。")
    if appointment.ended_on is None:
        raise ConflictError(
            "appointment_active", "定住状況は任期の終了を登録してから記録してください。"
        )
    errors: dict[str, str] = {}
    try:
        kind = rules.OutcomeKind(data.kind)
    except ValueError:
        kind = None
        errors["kind"] = "調査の種類を選んでください。"
    if data.residence not in {r.value for r in rules.Residence}:
        errors["residence"] = "居住地を選んでください。"
    if data.activity not in {a.value for a in rules.Activity}:
        errors["activity"] = "現在の仕事を選んでください。"
    if data.surveyed_on is None:
        errors["surveyed_on"] = "調査日を入力してください。"
    elif data.surveyed_on > timezone.localdate():
        errors["surveyed_on"] = "調査日に未来の日付は入力できません。"
    elif data.surveyed_on < appointment.ended_on - dt.timedelta(days=92):
        errors["surveyed_on"] = "調査日は任期終了日の3か月前以降にしてください。"
    elif (
        kind is rules.OutcomeKind.FOLLOW_UP
        and data.surveyed_on
        < appointment.ended_on + dt.timedelta(days=rules.FOLLOW_UP_AFTER_DAYS - 62)
    ):
        errors["surveyed_on"] = "1年後の追跡調査は、任期終了からおおむね1年後の日付にしてください。"
    if len(data.note) > 2000 or has_control_characters(data.note):
        errors["note"] = "備考は制御文字を含まない2000文字以内で入力してください。"
    municipality = None
    if data.residence_place.strip():
        try:
            municipality = regions.place_resolve(query=data.residence_place.strip()).municipality
        except DomainError as error:
            errors["residence_place"] = error.message
    if (
        municipality is not None
        and data.residence == rules.Residence.SAME.value
        and municipality.pk != appointment.municipality_id
        and municipality.parent_id != appointment.municipality_id
    ):
        errors["residence_place"] = (
            "「同一市町村」を選んだときは、活動していた市町村と同じ市町村を入力してください。"
        )
    if errors:
        raise InvalidInputError(errors)
    assert kind is not None
    assert data.surveyed_on is not None
    outcome, created = Outcome.objects.update_or_create(
        appointment=appointment,
        kind=kind.value,
        defaults={
            "surveyed_on": data.surveyed_on,
            "residence": data.residence,
            "residence_municipality": municipality,
            "activity": data.activity,
            "note": data.note.strip(),
            "recorded_by": user,
        },
    )
    audit_record(
        actor=user,
        action="outcome.record" if created else "outcome.correct",
        target=outcome,
        organisation=host,
        data={"kind": kind.value, "residence": data.residence, "activity": data.activity},
    )
    return outcome
