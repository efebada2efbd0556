"""Monthly reports: filed by the member only, for a month of the term that has begun, once per
month; receipts judged by their bytes and never left on disk when the report is refused; staff
of the host approve or return with a comment; resubmission after a return; reminders at most
once a day; the exit and follow-up surveys."""

from __future__ import annotations

import base64
import datetime as dt
import struct
import zlib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone
from tests.recruiting import factories

from hitonagare.accounts.models import User
from hitonagare.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from hitonagare.core.models import AuditEvent
from hitonagare.members import services, services_reports
from hitonagare.members.models import (
    Appointment,
    MonthlyReport,
    Outcome,
    ReportExpense,
    ReportReminder,
)
from hitonagare.members.services import AppointmentData
from hitonagare.members.services_reports import ExpenseData, OutcomeData, ReportData

pytestmark = pytest.mark.django_db

AMA = "325252"  # 島根県海士町
HAKODATE = "012025"  # 北海道函館市
D = dt.date
TODAY = D(2025, 6, 10)  # the reports' "today": April and May are due (by 5/5 and 6/5)

# --- receipt files: real, minimal ---------------------------------------------------------------

MINIMAL_PDF = factories.MINIMAL_PDF


def _png() -> bytes:
    """A 1×1 white PNG: signature, IHDR, IDAT, IEND with their CRCs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\xff\xff")  # filter byte + one pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


MINIMAL_PNG = _png()
# A 16×16 baseline JFIF image (543 bytes).
MINIMAL_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDREN"
    "Dg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ"
    "EBAQEBAQEBAQEBAQEBD/wAARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAABwQF/8QAJBAAAQQBBAICAwAA"
    "AAAAAAAAAQIDBAYFBwgSExEiABQJMTL/xAAVAQEBAAAAAAAAAAAAAAAAAAAABv/EACMRAAECBQMFAAAAAAAAAAAAAAECEQME"
    "BQYhABIxFRZhgeH/2gAMAwEAAhEDEQA/ABSm0mobc8HmExLUlRzzEWPkJWW+ulrsaUVAseUgslSlH9LKuPryIKuWPZdskzXm"
    "m3fX5m2nF4GlVxx/HOpx4ks51+MiU/Iaad7UcUo4tILoS4kqcWkezS0hO/HvuRp0rO6hWnWO1UisZVuFi4GFeyEpmGepa5S5"
    "SWVPuciFKRFLgSrwetnyPIB+Vb4N9mKhQMzo5po9XLdDs9d6ZVix2VEhiL9kuNPxw2gEKcDQ/rs8AuA8VAe0vdl7VOYn+27f"
    "lGAUgmITjbhSmCg3BYlyeWDkMolvw4KOp1KM6iCNvngZHwetf//Z"
)
# A 1×1 GIF: a real image, but not a type receipts accept.
MINIMAL_GIF = bytes.fromhex(
    "47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b"
)


def _upload(content: bytes, name: str, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Receipts stored on disk under a fresh MEDIA_ROOT, so a leftover file can be seen."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


# --- the people and the appointment -------------------------------------------------------------


@pytest.fixture
def staff(reference_data: None) -> User:
    return factories.staff_of(AMA, email="staff@ama.example.jp")


@pytest.fixture
def member(reference_data: None) -> User:
    return factories.user(email="hanako@example.jp")


def _appointment_data(**overrides: Any) -> AppointmentData:
    data = AppointmentData(
        member_name="山田 花子",
        member_email="hanako@example.jp",
        program="kyoryokutai",
        municipality_lgcode=AMA,
        start_date=D(2025, 4, 1),
        planned_end_date=D(2028, 3, 31),
    )
    return replace(data, **overrides)


def _appoint(staff: User, member: User | None = None, **overrides: Any) -> Appointment:
    appointment = services.appointment_create(user=staff, data=_appointment_data(**overrides))
    if member is not None:
        appointment = services.appointment_link_member(
            user=staff, appointment_id=appointment.pk, email=member.email
        )
    return appointment


@pytest.fixture
def appointment(staff: User, member: User) -> Appointment:
    return _appoint(staff, member)


def _report(**overrides: Any) -> ReportData:
    data = ReportData(
        month=D(2025, 5, 1),
        days_worked=20,
        hours_worked=Decimal("150.5"),
        activities="棚田の草刈りと体験イベントの準備",
        results="参加者 12名",
    )
    return replace(data, **overrides)


def _expense(receipt: Any = None, **overrides: Any) -> ExpenseData:
    values: dict[str, Any] = {
        "category": "travel",
        "amount_yen": 3_200,
        "description": "フェリー運賃",
        "receipt": receipt,
    }
    values.update(overrides)
    return ExpenseData(**values)


def _submit(user: User, appointment: Appointment, **overrides: Any) -> MonthlyReport:
    return services_reports.report_submit(
        user=user, appointment_id=appointment.pk, data=_report(**overrides), today=TODAY
    )


def _rows() -> tuple[int, int, int]:
    return MonthlyReport.objects.count(), ReportExpense.objects.count(), AuditEvent.objects.count()


# --- submit -------------------------------------------------------------------------------------


def test_the_member_files_a_report_with_expenses_and_receipts(
    appointment: Appointment, member: User, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = _submit(
            member,
            appointment,
            activities="  棚田の草刈り \n",
            expenses=(
                _expense(_upload(MINIMAL_PDF, "ferry.pdf")),
                _expense(_upload(MINIMAL_JPEG, "IMG_0001.JPG"), category="supplies"),
                _expense(_upload(MINIMAL_PNG, "scan.png"), category="events"),
                _expense(category="other", amount_yen=500, description="切手"),
            ),
        )
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.month == D(2025, 5, 1)
    assert (report.days_worked, report.hours_worked) == (20, Decimal("150.5"))
    assert report.activities == "棚田の草刈り"
    expenses = list(report.expenses.order_by("id"))
    assert [(e.category, e.amount_yen, e.receipt_type) for e in expenses] == [
        ("travel", 3_200, "application/pdf"),
        ("supplies", 3_200, "image/jpeg"),
        ("events", 3_200, "image/png"),
        ("other", 500, ""),
    ]
    assert [e.receipt_name for e in expenses[:3]] == ["ferry.pdf", "IMG_0001.JPG", "scan.png"]
    assert not expenses[3].receipt
    # The stored files are the uploaded bytes, named by the report and the detected type.
    stored = _files(media)
    assert {p.suffix: p.read_bytes() for p in stored} == {
        ".pdf": MINIMAL_PDF,
        ".jpg": MINIMAL_JPEG,
        ".png": MINIMAL_PNG,
    }
    assert all(p.name.startswith(f"receipt-{report.pk}") for p in stored)
    assert {str(media / e.receipt.name) for e in expenses[:3]} == {str(p) for p in stored}
    event = AuditEvent.objects.get(action="report.submit")
    assert (event.actor, event.object_id) == (member, str(report.pk))
    assert event.data == {"month": "2025-05-01", "expenses": 4}
    # The host's staff are told.
    assert [m.to for m in mail.outbox] == [["staff@ama.example.jp"]]
    assert "山田 花子 2025年5月" in mail.outbox[0].subject


@pytest.mark.parametrize("who", ["other_member", "staff", "anonymous"])
def test_only_the_member_can_file_their_report(
    appointment: Appointment, staff: User, who: str
) -> None:
    from django.contrib.auth.models import AnonymousUser

    user = {
        "other_member": factories.user(),
        "staff": staff,
        "anonymous": AnonymousUser(),
    }[who]
    before = _rows()
    with pytest.raises(NotFoundError):
        _submit(user, appointment)
    assert _rows() == before


def test_an_anonymous_user_cannot_file_for_an_appointment_without_an_account(
    staff: User,
) -> None:
    from django.contrib.auth.models import AnonymousUser

    imported = _appoint(staff)  # no member linked: member_id is NULL
    with pytest.raises(NotFoundError):
        _submit(AnonymousUser(), imported)
    assert MonthlyReport.objects.count() == 0


@pytest.mark.parametrize(
    ("month", "message"),
    [
        (D(2025, 3, 1), "任期外の月の報告は提出できません。"),
        (D(2028, 4, 1), "任期外の月の報告は提出できません。"),
        (D(2025, 7, 1), "まだ始まっていない月の報告は提出できません。"),
        (D(2025, 5, 15), "報告月は月の初日で指定してください。"),
        (None, "報告月を選んでください。"),
    ],
)
def test_a_month_outside_the_term_or_in_the_future_is_refused_and_nothing_is_stored(
    appointment: Appointment, member: User, media: Path, month: dt.date | None, message: str
) -> None:
    before = _rows()
    with pytest.raises(InvalidInputError) as caught:
        _submit(
            member, appointment, month=month, expenses=(_expense(_upload(MINIMAL_PDF, "a.pdf")),)
        )
    assert caught.value.errors == {"month": message}
    assert _rows() == before
    assert _files(media) == []


def test_every_report_field_is_checked_at_once(appointment: Appointment, member: User) -> None:
    with pytest.raises(InvalidInputError) as caught:
        _submit(
            member,
            appointment,
            days_worked=None,
            hours_worked=None,
            activities=" ",
            results="\x00",
            expenses=(
                _expense(category="yacht", amount_yen=0, description=""),
                _expense(amount_yen=None, description="x" * 201),
            ),
        )
    assert caught.value.errors == {
        "days_worked": "活動日数を入力してください。",
        "hours_worked": "活動時間を入力してください。",
        "activities": "活動内容を入力してください。",
        "results": "成果・課題に使えない制御文字が含まれています。",
        "expense-1-category": "経費1件目: 費目を選んでください。",
        "expense-1-amount_yen": "経費1件目: 金額は1〜10,000,000円の整数で入力してください。",
        "expense-1-description": "経費1件目: 内容を入力してください。",
        "expense-2-amount_yen": "経費2件目: 金額は1〜10,000,000円の整数で入力してください。",
        "expense-2-description": "経費2件目: 内容は制御文字を含まない200文字以内で入力してください。",
    }


def test_figures_beyond_the_month_are_refused(appointment: Appointment, member: User) -> None:
    with pytest.raises(InvalidInputError) as caught:
        _submit(member, appointment, month=D(2025, 4, 1), days_worked=31, hours_worked=Decimal(10))
    assert caught.value.errors == {"days_worked": "活動日数は0〜30日で入力してください。"}


def test_too_many_expenses_are_refused(appointment: Appointment, member: User) -> None:
    with pytest.raises(InvalidInputError) as caught:
        _submit(member, appointment, expenses=tuple(_expense() for _ in range(31)))
    assert caught.value.errors == {"expenses": "経費は1回の報告で30件までです。"}


def test_a_second_report_for_the_same_month_is_a_conflict_and_stores_nothing(
    appointment: Appointment, member: User, media: Path
) -> None:
    first = _submit(member, appointment, expenses=(_expense(_upload(MINIMAL_PDF, "a.pdf")),))
    files = _files(media)
    before = _rows()
    with pytest.raises(ConflictError) as caught:
        _submit(member, appointment, expenses=(_expense(_upload(MINIMAL_PNG, "b.png")),))
    assert caught.value.message == "2025年5月の報告はすでに提出されています。"
    assert _rows() == before
    assert _files(media) == files
    assert MonthlyReport.objects.get() == first


@pytest.mark.parametrize(
    ("content", "name", "problem"),
    [
        (b"just some text, not a receipt\n", "receipt.pdf", "PDF・JPEG・PNGのいずれか"),
        (b"<html><body>receipt</body></html>", "receipt.jpg", "PDF・JPEG・PNGのいずれか"),
        (MINIMAL_GIF, "receipt.png", "PDF・JPEG・PNGのいずれか"),
        (MINIMAL_PDF[:-7], "cut.pdf", "PDFファイルが途中で切れているか、壊れています。"),
        (b"", "empty.pdf", "ファイルが空です。"),
    ],
)
def test_a_receipt_is_judged_by_its_content_not_its_name(
    appointment: Appointment,
    member: User,
    media: Path,
    content: bytes,
    name: str,
    problem: str,
) -> None:
    before = _rows()
    with pytest.raises(InvalidInputError) as caught:
        _submit(
            member,
            appointment,
            expenses=(_expense(_upload(MINIMAL_PDF, "ok.pdf")), _expense(_upload(content, name))),
        )
    assert set(caught.value.errors) == {"expense-2-receipt"}
    assert caught.value.errors["expense-2-receipt"].startswith("経費2件目: ")
    assert problem in caught.value.errors["expense-2-receipt"]
    assert _rows() == before
    assert _files(media) == []


def test_a_receipt_over_the_size_limit_is_refused(appointment: Appointment, member: User) -> None:
    big = MINIMAL_PDF[:-6] + b" " * (5 * 1024 * 1024) + b"%%EOF\n"
    with pytest.raises(InvalidInputError) as caught:
        _submit(member, appointment, expenses=(_expense(_upload(big, "big.pdf")),))
    assert "大きすぎます" in caught.value.errors["expense-1-receipt"]


def test_a_failure_after_the_receipts_were_stored_leaves_no_file_behind(
    appointment: Appointment, member: User, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_audit(**_: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services_reports, "audit_record", broken_audit)
    before = _rows()
    with pytest.raises(RuntimeError):
        _submit(
            member,
            appointment,
            expenses=(
                _expense(_upload(MINIMAL_PDF, "a.pdf")),
                _expense(_upload(MINIMAL_JPEG, "b.jpg")),
            ),
        )
    assert _rows() == before
    assert _files(media) == []


def test_a_unique_clash_at_insert_is_a_conflict_and_leaves_no_file_behind(
    appointment: Appointment, member: User, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two submissions at once pass the "already filed?" check; the unique constraint stops
    the second. Simulated here by the clash surfacing after the receipts were written."""

    def clash(**_: Any) -> None:
        raise IntegrityError("UNIQUE constraint failed: one_report_per_month")

    monkeypatch.setattr(services_reports, "audit_record", clash)
    with pytest.raises(ConflictError) as caught:
        _submit(member, appointment, expenses=(_expense(_upload(MINIMAL_PNG, "a.png")),))
    assert caught.value.code == "report_exists"
    assert MonthlyReport.objects.count() == 0
    assert _files(media) == []


def test_a_report_can_be_filed_after_the_term_ended_for_its_months(
    staff: User, member: User
) -> None:
    appointment = _appoint(staff, member, planned_end_date=D(2026, 3, 31))
    services.appointment_end(
        user=staff,
        appointment_id=appointment.pk,
        ended_on=D(2025, 5, 20),
        reason="family",
        note="家族の事情",
    )
    report = services_reports.report_submit(
        user=member,
        appointment_id=appointment.pk,
        data=_report(month=D(2025, 5, 1)),
        today=D(2025, 7, 1),
    )
    assert report.month == D(2025, 5, 1)
    with pytest.raises(InvalidInputError):
        services_reports.report_submit(
            user=member,
            appointment_id=appointment.pk,
            data=_report(month=D(2025, 6, 1)),
            today=D(2025, 7, 1),
        )


# --- review -------------------------------------------------------------------------------------


@pytest.fixture
def submitted(appointment: Appointment, member: User) -> MonthlyReport:
    return _submit(member, appointment)


def test_host_staff_approve_a_report_and_the_member_is_told(
    submitted: MonthlyReport, staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = services_reports.report_review(
            user=staff, report_id=submitted.pk, approve=True, comment=" お疲れさまでした "
        )
    report.refresh_from_db()
    assert report.status == "approved"
    assert report.reviewed_by == staff
    assert report.reviewed_at is not None
    assert report.review_comment == "お疲れさまでした"
    assert AuditEvent.objects.get(action="report.approve").data == {"comment": "お疲れさまでした"}
    [message] = mail.outbox
    assert message.to == ["hanako@example.jp"]
    assert message.subject == "[hitonagare] 月次活動報告（2025年5月）が承認されました"


def test_a_return_needs_a_comment(submitted: MonthlyReport, staff: User) -> None:
    with pytest.raises(InvalidInputError) as caught:
        services_reports.report_review(
            user=staff, report_id=submitted.pk, approve=False, comment=" "
        )
    assert caught.value.errors == {"comment": "差し戻すときは、直してほしい点を入力してください。"}
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    report = services_reports.report_review(
        user=staff, report_id=submitted.pk, approve=False, comment="活動時間の内訳を書いてください"
    )
    assert report.status == "returned"
    assert AuditEvent.objects.filter(action="report.return").count() == 1


def test_a_comment_with_control_characters_or_too_long_is_refused(
    submitted: MonthlyReport, staff: User
) -> None:
    for comment in ("\x07", "長" * 2001):
        with pytest.raises(InvalidInputError):
            services_reports.report_review(
                user=staff, report_id=submitted.pk, approve=True, comment=comment
            )
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_reviewing_twice_is_a_conflict(submitted: MonthlyReport, staff: User) -> None:
    services_reports.report_review(user=staff, report_id=submitted.pk, approve=True)
    for approve in (True, False):
        with pytest.raises(ConflictError):
            services_reports.report_review(
                user=staff, report_id=submitted.pk, approve=approve, comment="やっぱり"
            )
    submitted.refresh_from_db()
    assert submitted.status == "approved"


def test_only_the_hosts_staff_review(submitted: MonthlyReport, member: User) -> None:
    for other in (factories.staff_of(HAKODATE), factories.prefecture_staff("32")):
        with pytest.raises(NotFoundError):
            services_reports.report_review(user=other, report_id=submitted.pk, approve=True)
    for outsider in (member, factories.ministry_staff(), factories.user()):
        with pytest.raises(PermissionDeniedError):
            services_reports.report_review(user=outsider, report_id=submitted.pk, approve=True)
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


# --- resubmit -----------------------------------------------------------------------------------


def test_a_returned_report_is_corrected_and_its_expenses_replaced(
    appointment: Appointment,
    member: User,
    staff: User,
    media: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = _submit(member, appointment, expenses=(_expense(_upload(MINIMAL_PDF, "old.pdf")),))
    [old_file] = _files(media)
    services_reports.report_review(
        user=staff, report_id=report.pk, approve=False, comment="時間を直してください"
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = services_reports.report_resubmit(
            user=member,
            report_id=report.pk,
            data=_report(
                month=D(2025, 4, 1),  # ignored: a resubmission keeps its month
                hours_worked=Decimal(120),
                expenses=(_expense(_upload(MINIMAL_PNG, "new.png"), amount_yen=800),),
            ),
            today=TODAY,
        )
    again.refresh_from_db()
    assert again.pk == report.pk
    assert again.month == D(2025, 5, 1)
    assert again.status == "submitted"
    assert again.hours_worked == Decimal(120)
    assert [(e.amount_yen, e.receipt_type) for e in again.expenses.all()] == [(800, "image/png")]
    [new_file] = _files(media)
    assert new_file != old_file
    assert new_file.read_bytes() == MINIMAL_PNG
    assert AuditEvent.objects.get(action="report.resubmit").data == {"expenses": 1}


def test_only_a_returned_report_can_be_resubmitted(
    submitted: MonthlyReport, member: User, staff: User
) -> None:
    with pytest.raises(ConflictError):
        services_reports.report_resubmit(
            user=member, report_id=submitted.pk, data=_report(), today=TODAY
        )
    services_reports.report_review(user=staff, report_id=submitted.pk, approve=True)
    with pytest.raises(ConflictError):
        services_reports.report_resubmit(
            user=member, report_id=submitted.pk, data=_report(), today=TODAY
        )


def test_a_refused_resubmission_keeps_the_old_report_and_files(
    submitted: MonthlyReport, member: User, staff: User, media: Path
) -> None:
    services_reports.report_review(
        user=staff, report_id=submitted.pk, approve=False, comment="再提出"
    )
    with pytest.raises(InvalidInputError):
        services_reports.report_resubmit(
            user=member,
            report_id=submitted.pk,
            data=_report(activities="", expenses=(_expense(_upload(MINIMAL_PDF, "a.pdf")),)),
            today=TODAY,
        )
    submitted.refresh_from_db()
    assert submitted.status == "returned"
    assert _files(media) == []


def test_a_resubmission_failing_after_its_receipts_were_stored_keeps_only_the_old_file(
    appointment: Appointment,
    member: User,
    staff: User,
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    report = _submit(member, appointment, expenses=(_expense(_upload(MINIMAL_PDF, "old.pdf")),))
    services_reports.report_review(user=staff, report_id=report.pk, approve=False, comment="再提出")
    old_files = _files(media)

    def broken_audit(**_: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services_reports, "audit_record", broken_audit)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services_reports.report_resubmit(
            user=member,
            report_id=report.pk,
            data=_report(expenses=(_expense(_upload(MINIMAL_PNG, "new.png")),)),
            today=TODAY,
        )
    report.refresh_from_db()
    assert report.status == "returned"
    assert [e.receipt_type for e in report.expenses.all()] == ["application/pdf"]
    assert _files(media) == old_files


def test_someone_else_cannot_resubmit(submitted: MonthlyReport, staff: User) -> None:
    services_reports.report_review(
        user=staff, report_id=submitted.pk, approve=False, comment="再提出"
    )
    for other in (factories.user(), staff):
        with pytest.raises(NotFoundError):
            services_reports.report_resubmit(
                user=other, report_id=submitted.pk, data=_report(), today=TODAY
            )


# --- reminders ----------------------------------------------------------------------------------


def _remind(today: dt.date, django_capture_on_commit_callbacks: Any) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return services_reports.reminders_send(today=today)


def test_a_member_with_overdue_months_is_reminded_once_a_day(
    appointment: Appointment, django_capture_on_commit_callbacks: Any
) -> None:
    assert _remind(TODAY, django_capture_on_commit_callbacks) == 1
    [message] = mail.outbox
    assert message.to == ["hanako@example.jp"]
    assert "2025年4月、2025年5月" in message.body
    # Again the same day: nothing; the next day: again.
    assert _remind(TODAY, django_capture_on_commit_callbacks) == 0
    assert _remind(TODAY + dt.timedelta(days=1), django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 2
    assert ReportReminder.objects.filter(appointment=appointment).count() == 2


def test_filing_one_of_the_missing_months_does_not_bring_a_second_reminder_that_day(
    appointment: Appointment, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    assert _remind(TODAY, django_capture_on_commit_callbacks) == 1
    _submit(member, appointment, month=D(2025, 5, 1))  # April is still missing
    assert _remind(TODAY, django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1


def test_nothing_is_sent_before_the_due_date_or_when_every_report_is_in(
    appointment: Appointment, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    assert _remind(D(2025, 5, 5), django_capture_on_commit_callbacks) == 0  # April: due today
    _submit(member, appointment, month=D(2025, 4, 1))
    _submit(member, appointment, month=D(2025, 5, 1))
    assert _remind(TODAY, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_a_returned_report_counts_as_filed_for_reminders(
    submitted: MonthlyReport, member: User, staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    _submit(member, submitted.appointment, month=D(2025, 4, 1))
    services_reports.report_review(
        user=staff, report_id=submitted.pk, approve=False, comment="直して"
    )
    assert _remind(TODAY, django_capture_on_commit_callbacks) == 0


def test_the_due_day_setting_moves_the_reminders(
    appointment: Appointment, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.HITONAGARE_REPORT_DUE_DAY = 15
    assert _remind(TODAY, django_capture_on_commit_callbacks) == 1
    assert "2025年4月" in mail.outbox[0].body
    assert "2025年5月" not in mail.outbox[0].body  # due on 6/15


def test_no_reminder_for_a_term_that_ended_long_ago(
    staff: User, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    appointment = _appoint(staff, member, planned_end_date=D(2026, 3, 31))
    services.appointment_end(
        user=staff,
        appointment_id=appointment.pk,
        ended_on=D(2025, 5, 20),
        reason="career",
        note="転職",
    )
    # Six weeks after the end the missing months are still asked for …
    assert _remind(D(2025, 7, 1), django_capture_on_commit_callbacks) == 1
    # … not once the end is more than two months back.
    assert _remind(D(2025, 9, 1), django_capture_on_commit_callbacks) == 0


def test_no_reminder_without_an_address_or_before_the_start(
    staff: User, django_capture_on_commit_callbacks: Any
) -> None:
    _appoint(staff, member_email="")  # imported, no account, no address
    _appoint(staff, member_email="later@example.jp", start_date=D(2025, 7, 1))
    assert _remind(TODAY, django_capture_on_commit_callbacks) == 0


def test_the_members_account_address_is_used_when_none_was_recorded(
    staff: User, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    _appoint(staff, member, member_email="")
    assert _remind(TODAY, django_capture_on_commit_callbacks) == 1
    assert mail.outbox[0].to == ["hanako@example.jp"]


# --- exit and follow-up surveys -----------------------------------------------------------------


@pytest.fixture
def ended(staff: User) -> Appointment:
    """A 2-year term ended on its planned day, more than a year ago."""
    appointment = _appoint(staff, start_date=D(2023, 4, 1), planned_end_date=D(2025, 3, 31))
    return services.appointment_end(
        user=staff, appointment_id=appointment.pk, ended_on=D(2025, 3, 31), reason="completed"
    )


def _outcome(**overrides: Any) -> OutcomeData:
    data = OutcomeData(
        kind="exit", surveyed_on=D(2025, 3, 31), residence="same", activity="startup"
    )
    return replace(data, **overrides)


def test_the_exit_survey_is_recorded_after_the_end(ended: Appointment, staff: User) -> None:
    outcome = services_reports.outcome_record(
        user=staff, appointment_id=ended.pk, data=_outcome(residence_place="325252", note=" 民宿 ")
    )
    outcome.refresh_from_db()
    assert (outcome.kind, outcome.residence, outcome.activity) == ("exit", "same", "startup")
    assert outcome.residence_municipality.lgcode == AMA
    assert outcome.note == "民宿"
    assert outcome.recorded_by == staff
    assert AuditEvent.objects.get(action="outcome.record").data == {
        "kind": "exit",
        "residence": "same",
        "activity": "startup",
    }


def test_no_survey_before_the_term_ended(appointment: Appointment, staff: User) -> None:
    with pytest.raises(ConflictError):
        services_reports.outcome_record(user=staff, appointment_id=appointment.pk, data=_outcome())
    assert Outcome.objects.count() == 0


def test_recording_again_corrects_the_same_survey(ended: Appointment, staff: User) -> None:
    first = services_reports.outcome_record(user=staff, appointment_id=ended.pk, data=_outcome())
    again = services_reports.outcome_record(
        user=staff, appointment_id=ended.pk, data=_outcome(residence="nearby", activity="employed")
    )
    assert again.pk == first.pk
    assert Outcome.objects.get().residence == "nearby"
    assert AuditEvent.objects.filter(action="outcome.correct").count() == 1


def test_the_follow_up_is_about_a_year_after_the_end(ended: Appointment, staff: User) -> None:
    with pytest.raises(InvalidInputError) as caught:
        services_reports.outcome_record(
            user=staff,
            appointment_id=ended.pk,
            data=_outcome(kind="follow_up", surveyed_on=D(2025, 12, 1)),
        )
    assert caught.value.errors == {
        "surveyed_on": "1年後の追跡調査は、任期終了からおおむね1年後の日付にしてください。"
    }
    # 303 days after the end is the earliest accepted (a year less two months).
    services_reports.outcome_record(
        user=staff,
        appointment_id=ended.pk,
        data=_outcome(kind="follow_up", surveyed_on=D(2025, 3, 31) + dt.timedelta(days=303)),
    )
    services_reports.outcome_record(
        user=staff,
        appointment_id=ended.pk,
        data=_outcome(kind="follow_up", surveyed_on=D(2026, 3, 31), residence="other"),
    )
    [follow_up] = Outcome.objects.all()
    assert (follow_up.kind, follow_up.residence) == ("follow_up", "other")


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"kind": "census", "residence": "moon", "activity": "nap", "surveyed_on": None},
            {
                "kind": "調査の種類を選んでください。",
                "residence": "居住地を選んでください。",
                "activity": "現在の仕事を選んでください。",
                "surveyed_on": "調査日を入力してください。",
            },
        ),
        (
            {"surveyed_on": D(2024, 12, 28)},  # 93 days before the end
            {"surveyed_on": "調査日は任期終了日の3か月前以降にしてください。"},
        ),
        (
            {"residence_place": "府中"},
            {"residence_place": "「府中」に当たる市区町村が一つに決まりません（3件）。"},
        ),
        (
            {"residence_place": HAKODATE},
            {
                "residence_place": "「同一市町村」を選んだときは、"
                "活動していた市町村と同じ市町村を入力してください。"
            },
        ),
        ({"note": "\x00"}, {"note": "備考は制御文字を含まない2000文字以内で入力してください。"}),
    ],
)
def test_a_wrong_survey_is_refused_and_writes_nothing(
    ended: Appointment, staff: User, overrides: dict[str, Any], errors: dict[str, str]
) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInputError) as caught:
        services_reports.outcome_record(
            user=staff, appointment_id=ended.pk, data=_outcome(**overrides)
        )
    got = caught.value.errors
    assert set(got) == set(errors)
    for field, message in errors.items():
        assert got[field].startswith(message)
    assert Outcome.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_a_survey_date_in_the_future_is_refused(ended: Appointment, staff: User) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(InvalidInputError) as caught:
        services_reports.outcome_record(
            user=staff,
            appointment_id=ended.pk,
            data=_outcome(kind="follow_up", surveyed_on=tomorrow),
        )
    assert caught.value.errors == {"surveyed_on": "調査日に未来の日付は入力できません。"}


def test_only_the_hosts_staff_record_surveys(ended: Appointment) -> None:
    with pytest.raises(NotFoundError):
        services_reports.outcome_record(
            user=factories.staff_of(HAKODATE), appointment_id=ended.pk, data=_outcome()
        )
    with pytest.raises(PermissionDeniedError):
        services_reports.outcome_record(
            user=factories.ministry_staff(), appointment_id=ended.pk, data=_outcome()
        )
    assert Outcome.objects.count() == 0
