"""`hitonagare members import FILE --as EMAIL [--commit]` (dry run by default, errors by row and
column, exit status 2 on bad input) and `hitonagare members remind-overdue [--today]` (one
reminder per member and day, however often cron runs it)."""

from __future__ import annotations

import codecs
import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.recruiting import factories

from hitonagare.core.models import AuditEvent
from hitonagare.members.models import Appointment, MonthlyReport
from hitonagare.members.services import AppointmentData, appointment_create

pytestmark = pytest.mark.django_db

HEADER = "氏名,制度,活動市町村（団体コード）,任期開始日,任期終了予定日,転出元,メールアドレス"
GOOD = [
    "山田 花子,地域おこし協力隊,012025,2025-04-01,2028-03-31,1000001,hanako@example.jp",
    "佐藤 一郎,協力隊,012025,R7.10.1,R8.9.30,100-0001,",
]
BAD = "鈴木 三郎,協力隊,012025,2025-04-01,2029-09-30,1000001,"  # four years


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("members", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def staff(reference_data):
    return factories.staff_of("012025", email="hakodate@example.jp")


@pytest.fixture
def roster_file(tmp_path):
    def write(lines: list[str]) -> str:
        path = tmp_path / "roster.csv"
        path.write_bytes(codecs.BOM_UTF8 + "\r\n".join([HEADER, *lines]).encode("utf-8"))
        return str(path)

    return write


# --- import -----------------------------------------------------------------------------------


def test_import_is_a_dry_run_by_default(staff, roster_file):
    out, _err = run("import", roster_file(GOOD), "--as", "hakodate@example.jp")
    assert "2行を読み込みました、文字コード UTF-8（BOM付き）" in out
    assert (
        "2行目 山田 花子（地域おこし協力隊・函館市 2025-04-01〜2028-03-31） 地域要件: 満たす" in out
    )
    assert "2件を登録できます" in out
    assert "--commit で登録します" in out
    assert not Appointment.objects.exists()
    assert not AuditEvent.objects.exists()


def test_import_commit_registers_every_row(staff, roster_file):
    out, _err = run("import", roster_file(GOOD), "--as", "HAKODATE@example.jp", "--commit")
    assert "2件の委嘱・任用を登録しました" in out
    assert Appointment.objects.filter(host=staff.membership.organisation).count() == 2
    assert AuditEvent.objects.filter(action="appointment.import").count() == 1


def test_a_bad_row_exits_2_prints_row_and_column_and_writes_nothing(staff, roster_file):
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "members",
            "import",
            roster_file([*GOOD, BAD]),
            "--as",
            "hakodate@example.jp",
            "--commit",
            stdout=StringIO(),
            stderr=err,
        )
    assert raised.value.returncode == 2
    assert "1件の誤りがあります。何も登録していません。" in str(raised.value)
    assert "4行目・任期終了予定日: 地域おこし協力隊の任期は1年〜3年です" in err.getvalue()
    assert not Appointment.objects.exists()


def test_a_missing_column_exits_2(staff, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("氏名,制度\n山田,協力隊\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "members",
            "import",
            str(path),
            "--as",
            "hakodate@example.jp",
            stdout=StringIO(),
            stderr=err,
        )
    assert raised.value.returncode == 2
    assert "1行目・見出し: 必須の列がありません" in err.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as", "nobody@example.jp"], "アカウントがありません"),
        (["--as", "ministry@example.jp"], "市区町村・都道府県の職員"),
    ],
)
def test_an_unknown_or_non_host_user_exits_2(staff, roster_file, args, message):
    factories.ministry_staff(email="ministry@example.jp")
    with pytest.raises(CommandError, match=message) as raised:
        run("import", roster_file(GOOD), *args, "--commit")
    assert raised.value.returncode == 2
    assert not Appointment.objects.exists()


def test_a_missing_file_or_a_wrong_format_exits_2(staff, tmp_path, roster_file):
    with pytest.raises(CommandError, match="を読めません") as raised:
        run("import", str(tmp_path / "none.csv"), "--as", "hakodate@example.jp")
    assert raised.value.returncode == 2
    fake = tmp_path / "roster.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(CommandError, match="中身が Excel ブックではありません") as raised:
        run("import", str(fake), "--as", "hakodate@example.jp")
    assert raised.value.returncode == 2


def test_shift_jis_files_are_read(staff, tmp_path):
    path = tmp_path / "roster.csv"  # as Excel in Japan saves "CSV (コンマ区切り)": no BOM
    path.write_bytes("\r\n".join([HEADER, *GOOD]).encode("cp932"))
    out, _err = run("import", str(path), "--as", "hakodate@example.jp")
    assert "文字コード Shift_JIS（CP932）" in out
    assert "2件を登録できます" in out


# --- remind-overdue ---------------------------------------------------------------------------


@pytest.fixture
def member_appointment(staff):
    return appointment_create(
        user=staff,
        data=AppointmentData(
            member_name="山田 花子",
            member_email="hanako@example.jp",
            program="kyoryokutai",
            municipality_lgcode="012025",
            start_date=dt.date(2025, 4, 1),
            planned_end_date=dt.date(2028, 3, 31),
            origin="1000001",
        ),
    )


def remind(today: str, capture) -> str:
    with capture(execute=True):
        out, _err = run("remind-overdue", "--today", today)
    return out


def test_remind_overdue_mails_once_a_day(member_appointment, django_capture_on_commit_callbacks):
    out = remind("2025-07-10", django_capture_on_commit_callbacks)
    assert "2025-07-10: 催促のメールを1件送りました" in out
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanako@example.jp"]
    assert "2025年4月、2025年5月、2025年6月" in message.body

    out = remind("2025-07-10", django_capture_on_commit_callbacks)
    assert "催促のメールを0件送りました" in out
    assert len(mail.outbox) == 1  # the second run the same day sends none

    remind("2025-07-11", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2  # the next day, one more


def test_remind_overdue_sends_nothing_when_reports_are_in(
    member_appointment, django_capture_on_commit_callbacks
):
    for month in (4, 5, 6):
        MonthlyReport.objects.create(
            appointment=member_appointment,
            month=dt.date(2025, month, 1),
            days_worked=20,
            hours_worked=120,
            activities="棚田の保全",
            submitted_at=dt.datetime(2025, month + 1, 1, tzinfo=dt.UTC),
        )
    out = remind("2025-07-10", django_capture_on_commit_callbacks)
    assert "0件" in out
    assert mail.outbox == []


def test_remind_overdue_with_a_bad_date_exits_2(reference_data):
    with pytest.raises(CommandError, match="YYYY-MM-DD") as raised:
        run("remind-overdue", "--today", "2025/07/10")
    assert raised.value.returncode == 2
