"""The member's own pages (/members/mine/): who may use them, the months to report, filing a
monthly report with expenses and receipts (checked by content), one report per month, the
correction of a returned report, and the member's own receipts only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from tests.recruiting import factories

from hitonagare.accounts.models import User
from hitonagare.members import rules, services, services_reports
from hitonagare.members.models import Appointment, MonthlyReport, ReportExpense
from hitonagare.members.services import AppointmentData
from hitonagare.members.services_reports import ExpenseData, ReportData

pytestmark = pytest.mark.django_db

HAKODATE = "012025"  # 北海道函館市
OTARU = "012033"  # 北海道小樽市
PDF = factories.MINIMAL_PDF
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
MEMBER_FORBIDDEN = "活動報告のページは、隊員本人の個人アカウントで使えます"


def _html(response) -> str:
    return response.content.decode("utf-8")


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _months_ago(n: int) -> dt.date:
    first = timezone.localdate().replace(day=1)
    index = first.year * 12 + first.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


def _value(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def _appoint(staff: User, person: User, *, lgcode: str = HAKODATE, months_ago: int = 3):
    start = _months_ago(months_ago)
    end = rules.add_term(start, rules.Term(1, rules.TermUnit.YEARS)) - dt.timedelta(days=1)
    created = services.appointment_create(
        user=staff,
        data=AppointmentData(
            member_name="山田 花子",
            program="kyoryokutai",
            municipality_lgcode=lgcode,
            start_date=start,
            planned_end_date=end,
            origin="1000001",
            member_email=person.email,
        ),
    )
    return services.appointment_link_member(
        user=staff, appointment_id=created.pk, email=person.email
    )


def _post(for_month: dt.date, rows: int = 3, **overrides: object) -> dict[str, object]:
    """The report form as the browser sends it: `rows` expense rows, all blank."""
    data: dict[str, object] = {
        "month": _value(for_month),
        "days_worked": "18",
        "hours_worked": "120.5",
        "activities": "空き家の調査と移住相談会の準備",
        "results": "相談会に12組が参加",
        "expense-TOTAL_FORMS": str(rows),
        "expense-INITIAL_FORMS": "0",
        "expense-MIN_NUM_FORMS": "0",
        "expense-MAX_NUM_FORMS": "30",
    }
    for i in range(rows):
        data.update(
            {
                f"expense-{i}-category": "",
                f"expense-{i}-amount_yen": "",
                f"expense-{i}-description": "",
                f"expense-{i}-keep_receipt": "",
            }
        )
    data.update(overrides)
    return data


def _upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def host_staff(reference_data):
    return factories.staff_of(HAKODATE, email="staff@hakodate.example.jp")


@pytest.fixture
def member(reference_data):
    return factories.user(email="hanako@example.jp")


@pytest.fixture
def other_member(reference_data):
    return factories.user(email="jiro@example.jp")


@pytest.fixture
def applicant(reference_data):
    return factories.user(email="someone@example.jp")


@pytest.fixture
def appointment(host_staff, member):
    return _appoint(host_staff, member)


@pytest.fixture
def other_appointment(other_member):
    return _appoint(factories.staff_of(OTARU), other_member, lgcode=OTARU)


def _filed(member: User, appointment: Appointment, month: dt.date) -> MonthlyReport:
    return services_reports.report_submit(
        user=member,
        appointment_id=appointment.pk,
        data=ReportData(
            month=month,
            days_worked=10,
            hours_worked=Decimal("60"),
            activities="地域の行事の手伝い",
            expenses=(
                ExpenseData(
                    category="supplies",
                    amount_yen=1500,
                    description="文具",
                    receipt=_upload("receipt.pdf", PDF, "application/pdf"),
                ),
            ),
        ),
    )


# --- who may use the pages ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(appointment):
    for url in ("/members/mine/", f"/members/mine/{appointment.pk}/reports/new/"):
        response = _client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/members/mine/")


def test_staff_accounts_get_the_403_page(appointment, host_staff):
    client = _client(host_staff)
    for url in ("/members/mine/", f"/members/mine/{appointment.pk}/reports/new/"):
        response = client.get(url)
        assert response.status_code == 403
        assert MEMBER_FORBIDDEN in _html(response)


def test_an_account_without_appointments_sees_an_empty_page_and_404_elsewhere(
    appointment, member, applicant
):
    report = _filed(member, appointment, _months_ago(2))
    expense = report.expenses.get()
    client = _client(applicant)
    page = client.get("/members/mine/")
    assert page.status_code == 200
    assert "つながった委嘱・任用の記録はありません" in _html(page)
    for url in (
        f"/members/mine/{appointment.pk}/reports/new/",
        f"/members/mine/reports/{report.pk}/",
        f"/members/mine/reports/{report.pk}/edit/",
        f"/members/mine/reports/{report.pk}/expenses/{expense.pk}/receipt/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/members/mine/{appointment.pk}/reports/new/", _post(_months_ago(1)))
    assert response.status_code == 404
    assert MonthlyReport.objects.count() == 1


def test_the_menu_shows_activity_reports_only_to_members(appointment, member, applicant):
    assert 'href="/members/mine/"' in _html(_client(member).get("/me/"))
    assert 'href="/members/mine/"' not in _html(_client(applicant).get("/me/"))


# --- the months -------------------------------------------------------------------------------------


def test_the_member_sees_the_months_with_due_dates_and_overdue_marks(appointment, member):
    _filed(member, appointment, _months_ago(3))
    page = _html(_client(member).get("/members/mine/"))
    assert "函館市" in page
    table = page[page.index(f'id="months-{appointment.pk}"') :]
    for n in range(4):  # the first month of the term up to this month
        assert _label(_months_ago(n)) in table
    assert "確認待ち" in table  # the filed month
    assert f"reports/new/?month={_value(_months_ago(2))}" in table
    assert f"reports/new/?month={_value(_months_ago(3))}" not in table
    assert "期限切れ" in table
    assert "提出期限を過ぎた報告が" in page


# --- filing a report --------------------------------------------------------------------------------


def test_a_member_files_a_report_with_expenses_and_receipts(appointment, member):
    client = _client(member)
    month = _months_ago(1)
    form = _html(client.get(f"/members/mine/{appointment.pk}/reports/new/?month={_value(month)}"))
    assert 'enctype="multipart/form-data"' in form
    assert f'<option value="{_value(month)}" selected>' in form
    assert 'name="expense-4-receipt"' in form  # five blank rows
    data = _post(
        month,
        **{
            "expense-0-category": "travel",
            "expense-0-amount_yen": "3,200",
            "expense-0-description": "相談会会場までの交通費",
            "expense-0-receipt": _upload("交通費.png", PNG, "image/png"),
            "expense-2-category": "supplies",
            "expense-2-amount_yen": "1800",
            "expense-2-description": "チラシ用紙",
            "expense-2-receipt": _upload("scan.jpg", JPEG, "image/jpeg"),
        },
    )
    response = client.post(f"/members/mine/{appointment.pk}/reports/new/", data)
    report = MonthlyReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/members/mine/reports/{report.pk}/"
    assert report.month == month
    assert report.days_worked == 18
    assert report.hours_worked == Decimal("120.5")
    expenses = list(report.expenses.order_by("id"))
    assert [(e.category, e.amount_yen, e.receipt_type) for e in expenses] == [
        ("travel", 3200, "image/png"),
        ("supplies", 1800, "image/jpeg"),
    ]
    page = _html(client.get(response["Location"]))
    assert "の活動報告を提出しました" in page
    assert 'id="expenses-total">5,000<' in page
    download = client.get(f"/members/mine/reports/{report.pk}/expenses/{expenses[0].pk}/receipt/")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PNG


def test_a_month_already_filed_is_refused_with_a_message(appointment, member):
    month = _months_ago(2)
    _filed(member, appointment, month)
    client = _client(member)
    page = _html(client.get(f"/members/mine/{appointment.pk}/reports/new/?month={_value(month)}"))
    assert f"{_label(month)}の報告はすでに提出されています。" in page
    response = client.post(f"/members/mine/{appointment.pk}/reports/new/", _post(month))
    assert response.status_code == 409
    assert f"{_label(month)}の報告はすでに提出されています。" in _html(response)
    assert MonthlyReport.objects.count() == 1
    assert ReportExpense.objects.count() == 1


def test_a_renamed_executable_is_not_a_receipt(appointment, member):
    data = _post(
        _months_ago(1),
        **{
            "expense-1-category": "travel",
            "expense-1-amount_yen": "500",
            "expense-1-description": "バス代",
            "expense-1-receipt": _upload("receipt.pdf", EXE, "application/pdf"),
        },
    )
    response = _client(member).post(f"/members/mine/{appointment.pk}/reports/new/", data)
    page = _html(response)
    assert response.status_code == 400
    message = "領収書はPDF・JPEG・PNGのいずれかにしてください（ファイルの中身で判定しています）。"
    # Under the row it came from (the second row on the page), and in the summary.
    field = page[page.index('id="field-expense-1-receipt"') :]
    assert message in field[: field.index("</div>")]
    assert "経費2行目 領収書（PDF・JPEG・PNG）" in page
    assert not MonthlyReport.objects.exists()
    assert not ReportExpense.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"days_worked": "40"}, "活動日数は0〜"),
        ({"days_worked": "たくさん"}, "活動日数は整数で入力してください。"),
        ({"hours_worked": "12.25"}, "活動時間の小数は1桁までにしてください。"),
        ({"days_worked": "1", "hours_worked": "30"}, "活動時間が活動日数×24時間を超えています。"),
        ({"activities": "  "}, "活動内容を入力してください。"),
        ({"month": "2020-01"}, "任期外の月の報告は提出できません。"),
        ({"month": "来月"}, "報告月は YYYY-MM の形式で選んでください。"),
        (
            {"expense-0-category": "travel", "expense-0-description": "バス代"},
            "金額は1〜10,000,000円の整数で入力してください。",
        ),
        (
            {"expense-0-amount_yen": "500", "expense-0-description": "バス代"},
            "費目を選んでください。",
        ),
    ],
)
def test_bad_reports_are_refused_with_a_japanese_message(appointment, member, overrides, message):
    response = _client(member).post(
        f"/members/mine/{appointment.pk}/reports/new/", _post(_months_ago(1), **overrides)
    )
    assert response.status_code == 400
    assert message in _html(response)
    assert "まだ何も保存していません。" in _html(response)
    assert not MonthlyReport.objects.exists()


def test_next_month_cannot_be_reported_yet(appointment, member):
    response = _client(member).post(
        f"/members/mine/{appointment.pk}/reports/new/", _post(_months_ago(-1))
    )
    assert response.status_code == 400
    assert "まだ始まっていない月の報告は提出できません。" in _html(response)
    assert not MonthlyReport.objects.exists()


def test_more_expense_rows_without_losing_what_was_typed(appointment, member):
    client = _client(member)
    page = _html(client.get(f"/members/mine/{appointment.pk}/reports/new/?rows=12"))
    assert 'name="expense-11-amount_yen"' in page
    assert 'name="expense-12-amount_yen"' not in page
    response = client.post(
        f"/members/mine/{appointment.pk}/reports/new/",
        _post(_months_ago(1), rows=3, add_rows="1", activities="下書きの活動内容"),
    )
    page = _html(response)
    assert response.status_code == 200
    assert 'name="expense-7-amount_yen"' in page
    assert "下書きの活動内容" in page
    assert not MonthlyReport.objects.exists()


# --- own reports and their correction ----------------------------------------------------------------


def test_a_returned_report_is_corrected_keeping_its_receipt(appointment, member, host_staff):
    report = _filed(member, appointment, _months_ago(2))
    kept = report.expenses.get()
    services_reports.report_review(
        user=host_staff, report_id=report.pk, approve=False, comment="活動時間を見直してください。"
    )
    client = _client(member)
    page = _html(client.get(f"/members/mine/reports/{report.pk}/"))
    assert "活動時間を見直してください。" in page
    assert f"/members/mine/reports/{report.pk}/edit/" in page
    form = _html(client.get(f"/members/mine/reports/{report.pk}/edit/"))
    assert "提出済みの領収書: receipt.pdf" in form
    assert f'name="expense-0-keep_receipt" value="{kept.pk}"' in form
    data = _post(
        report.month,
        rows=2,
        **{
            "hours_worked": "64",
            "expense-0-category": "supplies",
            "expense-0-amount_yen": "1500",
            "expense-0-description": "文具",
            "expense-0-keep_receipt": str(kept.pk),
        },
    )
    response = client.post(f"/members/mine/reports/{report.pk}/edit/", data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"
    assert report.hours_worked == Decimal("64")
    expense = report.expenses.get()
    assert expense.receipt_type == "application/pdf"
    with expense.receipt.open("rb") as stored:
        assert stored.read() == PDF
    # Once filed again, there is nothing to correct.
    again = client.get(f"/members/mine/reports/{report.pk}/edit/")
    assert again.status_code == 302


def test_a_correction_with_bad_input_changes_nothing(appointment, member, host_staff):
    report = _filed(member, appointment, _months_ago(2))
    services_reports.report_review(
        user=host_staff, report_id=report.pk, approve=False, comment="内容を詳しく"
    )
    response = _client(member).post(
        f"/members/mine/reports/{report.pk}/edit/", _post(report.month, activities="")
    )
    assert response.status_code == 400
    assert "活動内容を入力してください。" in _html(response)
    report.refresh_from_db()
    assert report.status == "returned"
    assert report.activities == "地域の行事の手伝い"
    assert report.expenses.count() == 1


def test_another_members_report_and_receipt_are_not_found(
    appointment, other_appointment, member, other_member
):
    theirs = _filed(other_member, other_appointment, _months_ago(2))
    foreign = theirs.expenses.get()
    mine = _filed(member, appointment, _months_ago(2))
    client = _client(member)
    assert client.get(f"/members/mine/reports/{theirs.pk}/").status_code == 404
    url = f"/members/mine/reports/{theirs.pk}/expenses/{foreign.pk}/receipt/"
    assert client.get(url).status_code == 404
    # Nor through one's own report.
    url = f"/members/mine/reports/{mine.pk}/expenses/{foreign.pk}/receipt/"
    assert client.get(url).status_code == 404
    assert client.get(f"/members/mine/{other_appointment.pk}/reports/new/").status_code == 404
    response = client.post(
        f"/members/mine/{other_appointment.pk}/reports/new/", _post(_months_ago(1))
    )
    assert response.status_code == 404
    assert MonthlyReport.objects.filter(appointment=other_appointment).count() == 1


def test_a_member_has_nothing_to_file_when_every_month_is_filed(host_staff, member):
    appointment = _appoint(host_staff, member, months_ago=0)
    _filed(member, appointment, _months_ago(0))
    page = _html(_client(member).get(f"/members/mine/{appointment.pk}/reports/new/"))
    assert "いま提出できる月はありません" in page
    assert 'enctype="multipart/form-data"' not in page


def test_a_report_with_blank_expense_rows_is_filed_without_expenses(appointment, member):
    response = _client(member).post(
        f"/members/mine/{appointment.pk}/reports/new/", _post(_months_ago(0), rows=1)
    )
    assert response.status_code == 302
    report = MonthlyReport.objects.get()
    assert report.expenses.count() == 0
