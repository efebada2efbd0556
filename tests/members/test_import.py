"""The roster import (services_import.roster_import and /members/import/): CSV in UTF-8, with
BOM and in Shift_JIS, xlsx built here with openpyxl; all or nothing; errors by row and column;
duplicates in the file and against existing appointments; files refused by content; the
appointments a commit creates (地域要件 evaluated, audit events); who may use the pages."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.urls import include, path, reverse
from tests.recruiting import factories

from hitonagare.config import urls as root_urls
from hitonagare.core.errors import DomainError, PermissionDeniedError
from hitonagare.core.models import AuditEvent
from hitonagare.members import roster
from hitonagare.members.models import Appointment
from hitonagare.members.services_import import roster_import

# The project mounts urls_import at /members/import/; until it does, so do these tests.
_MOUNTED = any(getattr(p, "namespace", None) == "members_import" for p in root_urls.urlpatterns)
urlpatterns = [
    *([] if _MOUNTED else [path("members/import/", include("hitonagare.members.urls_import"))]),
    *root_urls.urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

HEADERS = [
    "氏名",
    "ふりがな",
    "メールアドレス",
    "制度",
    "形態",
    "活動市町村（団体コード）",
    "任期開始日",
    "任期終了予定日",
    "転出元",
    "住民票異動日",
    "月額報償費",
]
HANAKO = [
    "山田 花子",
    "やまだ はなこ",
    "hanako@example.jp",
    "地域おこし協力隊",
    "委嘱",
    "012025",
    "2025-04-01",
    "2028-03-31",
    "1000001",
    "2025-04-10",
    "250,000",
]
ICHIRO = [
    "佐藤 一郎",
    "さとう いちろう",
    "",
    "kyoryokutai",
    "",
    "012025",
    "R7.10.1",
    "令和8年9月30日",
    "100-0001",
    "",
    "２４０，０００",
]


def csv_bytes(rows: list[list[str]], *, encoding: str = "utf-8", bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return (codecs.BOM_UTF8 if bom else b"") + out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("メモ").append(["二枚目のシートは読みません"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def staff(reference_data):
    return factories.staff_of("012025")  # 函館市


def run(user, content: bytes, *, filename: str = "roster.csv", commit: bool = False):
    return roster_import(user=user, content=content, filename=filename, commit=commit)


# --- reading the file -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "named"),
    [
        ("utf-8", False, "UTF-8"),
        ("utf-8", True, "UTF-8（BOM付き）"),
        ("cp932", False, "Shift_JIS（CP932）"),
    ],
)
def test_csv_in_utf8_with_bom_and_shift_jis_is_checked_without_writing(staff, encoding, bom, named):
    content = csv_bytes([HEADERS, HANAKO, ICHIRO], encoding=encoding, bom=bom)
    result = run(staff, content)
    assert result.errors == []
    assert (result.rows, result.created, result.committed, result.encoding) == (2, 0, False, named)
    assert [p.member_name for p in result.preview] == ["山田 花子", "佐藤 一郎"]
    assert not Appointment.objects.exists()
    assert not AuditEvent.objects.exists()


def test_xlsx_with_date_cells_and_numbers_whose_leading_zero_was_lost(staff):
    content = xlsx_bytes(
        [
            ["令和7年度 地域おこし協力隊 名簿"],
            HEADERS,
            [
                "山田 花子",
                "やまだ はなこ",
                None,
                "地域おこし協力隊",
                None,
                12025,  # 012025 typed into a number cell
                dt.datetime(2025, 4, 1),
                dt.datetime(2028, 3, 31),
                1000001,
                None,
                250000,
            ],
        ]
    )
    result = run(staff, content, filename="名簿.xlsx", commit=True)
    assert result.errors == []
    assert (result.rows, result.created, result.encoding) == (1, 1, "")
    appointment = Appointment.objects.get()
    assert appointment.municipality.lgcode == "012025"
    assert appointment.start_date == dt.date(2025, 4, 1)
    assert appointment.monthly_reward_yen == 250000
    assert appointment.origin_municipality.lgcode == "131016"  # 千代田区


def test_a_municipality_name_is_looked_up(staff):
    row = [*HANAKO]
    row[5] = "函館市"
    result = run(staff, csv_bytes([HEADERS, row]), commit=True)
    assert result.errors == []
    assert Appointment.objects.get().municipality.lgcode == "012025"


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"name,program\n", "roster.xlsx", "中身が Excel ブックではありません"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "roster.xls", ".xls"),
        (b"%PDF-1.4\n", "roster.pdf", "CSV（.csv）か Excel ブック（.xlsx）"),
        (b"\x00\x00\x00\x00", "roster.csv", "CSV ファイルではない"),
        (b"\x81\x39\xff\xfe,\n", "roster.csv", "文字コードを判別できません"),
        (b"", "roster.csv", "空です"),
    ],
)
def test_files_that_are_not_a_csv_or_xlsx_by_content_are_refused(staff, content, filename, message):
    with pytest.raises(DomainError, match=message) as raised:
        run(staff, content, filename=filename)
    assert raised.value.field == "file"


def test_a_zip_that_is_not_a_workbook_is_refused(staff):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(DomainError, match=r"Excel ブック（\.xlsx）ではありません"):
        run(staff, out.getvalue(), filename="roster.xlsx")


def test_a_workbook_named_csv_is_refused(staff):
    with pytest.raises(DomainError, match=r"拡張子は \.csv ですが"):
        run(staff, xlsx_bytes([HEADERS, HANAKO]), filename="roster.csv")


def test_a_file_over_the_size_limit_is_refused(staff):
    content = csv_bytes([HEADERS]) + b"#" * roster.MAX_BYTES
    with pytest.raises(DomainError, match="5MBまで"):
        run(staff, content)


def test_more_rows_than_the_limit_are_refused(staff, monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 3)
    with pytest.raises(DomainError, match="3行まで"):
        run(staff, csv_bytes([HEADERS, HANAKO, ICHIRO, HANAKO, ICHIRO]))


def test_a_missing_column_is_one_error_listing_what_is_missing_and_found(staff):
    result = run(staff, csv_bytes([HEADERS[:6], HANAKO[:6]]), commit=True)
    assert result.rows == 0
    assert len(result.errors) == 1
    assert result.errors[0].row == 1
    assert "必須の列がありません: 任期開始日、任期終了予定日" in result.errors[0].message
    assert "見つかった" in result.errors[0].message or "見出し: 氏名" in result.errors[0].message
    assert not Appointment.objects.exists()


def test_a_header_without_rows_says_so(staff):
    result = run(staff, csv_bytes([HEADERS]))
    assert [(e.row, e.message) for e in result.errors] == [
        (2, "見出しの下に隊員の行がありません。")
    ]


def test_unknown_columns_are_reported_and_not_read(staff):
    result = run(staff, csv_bytes([[*HEADERS, "生年月日"], [*HANAKO, "1990-01-01"]]))
    assert result.errors == []
    assert result.ignored_columns == ("生年月日",)


# --- all or nothing, errors by row and column -------------------------------------------------


def test_one_bad_row_among_good_ones_writes_nothing_and_names_row_and_column(staff):
    bad = [*ICHIRO]
    bad[0] = "鈴木 三郎"
    bad[7] = "2029-09-30"  # four years: beyond the 協力隊 maximum
    result = run(staff, csv_bytes([HEADERS, HANAKO, ICHIRO, bad]), commit=True)
    assert (result.created, result.rows, result.committed) == (0, 3, False)
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.row, error.column) == (4, "任期終了予定日")
    assert str(error).startswith("4行目・任期終了予定日: 地域おこし協力隊の任期は1年〜3年です")
    assert not Appointment.objects.exists()
    assert not AuditEvent.objects.exists()


def test_every_problem_of_every_row_is_reported_under_the_file_s_own_headers(staff):
    headers = ["名前", "制度名", "団体コード", "開始日", "終了予定日", "転出元", "メール"]
    rows = [
        headers,
        ["", "協力隊", "012025", "2025-04-01", "2026-03-31", "", ""],
        ["田中", "協力員", "325252", "2025-02-30", "2026-03-31", "9999999", "not-an-address"],
    ]
    result = run(staff, csv_bytes(rows))
    found = [(e.row, e.column) for e in result.errors]
    assert found == [
        (2, "名前"),
        (3, "メール"),
        (3, "制度名"),
        (3, "団体コード"),
        (3, "開始日"),
        (3, "転出元"),
    ]
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert messages[(2, "名前")] == "氏名を入力してください。"
    assert "函館市の区域ではありません" in messages[(3, "団体コード")]
    assert "存在しない日付" in messages[(3, "開始日")]
    assert "制度「協力員」が分かりません" in messages[(3, "制度名")]


def test_the_same_person_twice_in_the_file_is_an_error(staff):
    twice = [*HANAKO]
    twice[0] = "山田　花子"  # a full-width space: still the same name
    result = run(staff, csv_bytes([HEADERS, HANAKO, ICHIRO, twice]), commit=True)
    assert [(e.row, e.column) for e in result.errors] == [(4, "氏名")]
    assert "2行目と同じ氏名・任期開始日" in result.errors[0].message
    assert not Appointment.objects.exists()


def test_a_person_already_registered_with_the_same_start_is_an_error(staff):
    assert run(staff, csv_bytes([HEADERS, HANAKO]), commit=True).created == 1
    existing = Appointment.objects.get()
    result = run(staff, csv_bytes([HEADERS, ICHIRO, HANAKO]), commit=True)
    assert [(e.row, e.column) for e in result.errors] == [(3, "氏名")]
    assert f"すでに登録されています（ID {existing.pk}）" in result.errors[0].message
    assert Appointment.objects.count() == 1


def test_the_same_person_at_another_host_is_not_a_duplicate(staff, reference_data):
    assert run(staff, csv_bytes([HEADERS, HANAKO]), commit=True).created == 1
    other = factories.staff_of("325252")  # 海士町
    row = [*HANAKO]
    row[5] = "325252"
    assert run(other, csv_bytes([HEADERS, row]), commit=True).created == 1


# --- the appointments a commit creates --------------------------------------------------------


def test_commit_creates_every_row_through_appointment_create_with_the_area_requirement(staff):
    result = run(staff, csv_bytes([HEADERS, HANAKO, ICHIRO], bom=True), commit=True)
    assert result.errors == []
    assert (result.created, result.rows, result.committed) == (2, 2, True)
    hanako, ichiro = Appointment.objects.order_by("start_date")
    assert hanako.host == staff.membership.organisation
    assert hanako.created_by == staff
    assert (hanako.program, hanako.kind) == ("kyoryokutai", "entrustment")
    assert ichiro.kind == "entrustment"  # empty: the program's usual kind
    assert hanako.member_email == "hanako@example.jp"
    assert hanako.monthly_reward_yen == 250000
    assert ichiro.monthly_reward_yen == 240000
    assert (ichiro.start_date, ichiro.planned_end_date) == (
        dt.date(2025, 10, 1),
        dt.date(2026, 9, 30),
    )
    # 地域要件: judged on the day the 住民票 moved, else on the start of the term.
    assert hanako.eligibility_basis_date == dt.date(2025, 4, 10)
    assert ichiro.eligibility_basis_date == dt.date(2025, 10, 1)
    assert hanako.eligibility_eligible is True
    assert hanako.eligibility["as_of"] == "2025-04-10"
    assert [p.eligible for p in result.preview] == [True, True]
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["appointment.create", "appointment.create", "appointment.import"]
    event = AuditEvent.objects.get(action="appointment.import")
    assert event.data["rows"] == 2
    assert event.organisation == staff.membership.organisation


def test_a_row_without_an_origin_is_imported_without_a_judgement(staff):
    row = [*HANAKO]
    row[8] = ""
    result = run(staff, csv_bytes([HEADERS, row]), commit=True)
    assert result.errors == []
    appointment = Appointment.objects.get()
    assert appointment.eligibility_eligible is None
    assert result.preview[0].eligible is None


def test_prefecture_staff_import_for_a_municipality_of_their_prefecture(reference_data):
    hokkaido = factories.prefecture_staff("01")
    result = run(hokkaido, csv_bytes([HEADERS, HANAKO]), commit=True)
    assert result.created == 1
    assert Appointment.objects.get().host == hokkaido.membership.organisation


@pytest.mark.parametrize("who", ["ministry", "applicant"])
def test_only_host_staff_may_import(reference_data, who):
    user = factories.ministry_staff() if who == "ministry" else factories.user()
    with pytest.raises(PermissionDeniedError):
        run(user, csv_bytes([HEADERS, HANAKO]), commit=True)
    assert not Appointment.objects.exists()


# --- the pages --------------------------------------------------------------------------------


def upload(client, content: bytes, *, action: str, name: str = "roster.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("members_import:upload"), {"file": file, "action": action})


@pytest.mark.parametrize("who", ["municipality", "prefecture"])
def test_host_staff_see_the_upload_form(client, reference_data, who):
    user = (
        factories.staff_of("012025") if who == "municipality" else factories.prefecture_staff("01")
    )
    client.force_login(user)
    response = client.get(reverse("members_import:upload"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'type="file"' in body
    assert 'accept=".csv,.xlsx' in body
    assert "確認のみ（登録しない）" in body
    assert "登録する" in body
    assert reverse("members_import:template") in body


@pytest.mark.parametrize("who", ["ministry", "applicant", "company"])
def test_other_roles_get_403(client, reference_data, who):
    user = {
        "ministry": factories.ministry_staff,
        "applicant": factories.user,
        "company": lambda: factories.user(
            organisation=factories.other_org("company", "株式会社例")
        ),
    }[who]()
    client.force_login(user)
    assert client.get(reverse("members_import:upload")).status_code == 403
    assert client.get(reverse("members_import:template")).status_code == 403
    assert upload(client, csv_bytes([HEADERS, HANAKO]), action="commit").status_code == 403
    assert not Appointment.objects.exists()


def test_anonymous_users_are_sent_to_the_login_page(client, reference_data):
    for url in (reverse("members_import:upload"), reverse("members_import:template")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_check_shows_how_many_can_be_registered_and_writes_nothing(client, staff):
    client.force_login(staff)
    response = upload(client, csv_bytes([HEADERS, HANAKO, ICHIRO]), action="check")
    assert response.status_code == 200
    body = response.content.decode()
    assert "2件を登録できます" in body
    assert "山田 花子" in body
    assert not Appointment.objects.exists()


def test_errors_are_shown_as_a_table_of_row_column_and_message(client, staff):
    client.force_login(staff)
    bad = [*ICHIRO]
    bad[7] = "2029-09-30"
    response = upload(client, csv_bytes([HEADERS, HANAKO, bad]), action="commit")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="import-error-table"' in body
    assert "3行目</th>" in body
    assert "任期終了予定日" in body
    assert "地域おこし協力隊の任期は1年〜3年です" in body
    assert "何も登録していません" in body
    assert not Appointment.objects.exists()


def test_register_creates_the_appointments_and_redirects(client, staff):
    client.force_login(staff)
    response = upload(client, xlsx_bytes([HEADERS, HANAKO, ICHIRO]), action="commit", name="r.xlsx")
    assert response.status_code == 302
    assert Appointment.objects.count() == 2


def test_a_file_the_service_refuses_is_shown_under_the_file_input(client, staff):
    client.force_login(staff)
    response = upload(client, b"name\n", action="check", name="roster.xlsx")
    assert response.status_code == 400
    body = response.content.decode()
    assert "中身が Excel ブックではありません" in body
    assert 'aria-invalid="true"' in body


def test_posting_without_a_file_asks_for_one(client, staff):
    client.force_login(staff)
    response = client.post(reverse("members_import:upload"), {"action": "check"})
    assert response.status_code == 400
    assert "取り込むファイルを選んでください" in response.content.decode()


def test_the_template_csv_has_a_bom_the_headers_and_an_example_that_imports(client, staff):
    client.force_login(staff)
    response = client.get(reverse("members_import:template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(codecs.BOM_UTF8)
    first_line = content.decode("utf-8-sig").splitlines()[0]
    assert first_line.split(",") == [c.header for c in roster.COLUMNS]
    result = run(staff, content, filename="roster-template.csv")
    assert result.errors == []
    assert result.rows == 1


def test_the_template_of_a_prefecture_uses_one_of_its_municipalities(client, reference_data):
    client.force_login(factories.prefecture_staff("32"))  # 島根県
    content = client.get(reverse("members_import:template")).content.decode("utf-8-sig")
    example = next(csv.reader(io.StringIO(content.splitlines()[1])))
    assert example[6].startswith("32")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (5, "", "活動する市町村の団体コードを入力してください（例: 012025）。"),
        (5, "131016", "千代田区は函館市の区域ではありません"),
        (5, "472018", "那覇市は函館市の区域ではありません"),
        (5, "479993", "団体コード「479993」の市区町村は見つかりません。"),
        (3, "", "制度を入力してください（例: 地域おこし協力隊）。"),
    ],
)
def test_messages_speak_of_the_file_not_of_a_form(staff, column, value, message):
    row = [*HANAKO]
    row[column] = value
    result = run(staff, csv_bytes([HEADERS, row]))
    assert len(result.errors) == 1
    assert result.errors[0].column == HEADERS[column]
    assert message in result.errors[0].message


def test_the_sample_in_the_docs_imports_for_hakodate(staff):
    sample = Path(__file__).resolve().parents[2] / "docs" / "samples" / "roster-sample.csv"
    content = sample.read_bytes()
    assert content.startswith(codecs.BOM_UTF8)
    result = run(staff, content, filename=sample.name, commit=True)
    assert result.errors == []
    assert result.created == 3
    assert [p.eligible for p in result.preview] == [True, True, True]


def test_the_variant_is_read_by_its_label_or_code_and_checked_against_the_program(staff):
    headers = [*HEADERS, "区分"]
    dispatch = [
        "木村 健",
        "",
        "",
        "地域活性化起業人",
        "",
        "012025",
        "2025-04-01",
        "2026-03-31",
        "",
        "",
        "",
        "企業派遣型",
    ]
    side_job = [*dispatch]
    side_job[0], side_job[-1] = "林 花", "side_job"
    wrong = [*dispatch]
    wrong[0], wrong[-1] = "森 一", "高度専門人材"  # a 協力隊 tier, not a 起業人 type
    result = run(staff, csv_bytes([headers, dispatch, side_job, wrong]))
    assert [(e.row, e.column) for e in result.errors] == [(4, "区分")]
    assert "地域活性化起業人の区分「expert」は指定できません" in result.errors[0].message
    result = run(staff, csv_bytes([headers, dispatch, side_job]), commit=True)
    assert result.created == 2
    assert dict(Appointment.objects.values_list("member_name", "funding_variant")) == {
        "木村 健": "dispatch",
        "林 花": "side_job",
    }
    assert set(Appointment.objects.values_list("kind", flat=True)) == {"agreement"}


# --- ended terms --------------------------------------------------------------------------------

END_HEADERS = [
    "氏名",
    "制度",
    "活動市町村（団体コード）",
    "任期開始日",
    "任期終了予定日",
    "終了日",
    "終了の理由",
    "終了の詳細",
]


def test_ended_terms_are_imported_with_their_end(staff):
    rows = [
        END_HEADERS,
        [
            "終了 満子",
            "地域おこし協力隊",
            "012025",
            "2021-04-01",
            "2024-03-31",
            "2024-03-31",
            "任期満了",
            "",
        ],
        [
            "途中 退子",
            "地域おこし協力隊",
            "012025",
            "2022-04-01",
            "2025-03-31",
            "2023-09-30",
            "転職",
            "地元企業に就職",
        ],
    ]
    result = run(staff, csv_bytes(rows), commit=True)
    assert result.errors == []
    assert result.created == 2
    completed = Appointment.objects.get(member_name="終了 満子")
    assert (completed.ended_on, completed.end_reason) == (dt.date(2024, 3, 31), "completed")
    early = Appointment.objects.get(member_name="途中 退子")
    assert (early.ended_on, early.end_reason, early.end_note) == (
        dt.date(2023, 9, 30),
        "career",
        "地元企業に就職",
    )
    assert AuditEvent.objects.filter(action="appointment.end").count() == 2


def test_an_end_that_breaks_the_rules_is_named_by_row_and_column_and_nothing_is_written(staff):
    rows = [
        END_HEADERS,
        [
            "良い 行",
            "地域おこし協力隊",
            "012025",
            "2021-04-01",
            "2024-03-31",
            "2024-03-31",
            "任期満了",
            "",
        ],
        # Early end without its details; then an unknown reason; then an end after the plan.
        [
            "詳細 なし",
            "地域おこし協力隊",
            "012025",
            "2022-04-01",
            "2025-03-31",
            "2023-09-30",
            "転職",
            "",
        ],
        [
            "理由 不明",
            "地域おこし協力隊",
            "012025",
            "2022-04-01",
            "2025-03-31",
            "2023-09-30",
            "引っ越し",
            "",
        ],
        [
            "予定 超過",
            "地域おこし協力隊",
            "012025",
            "2022-04-01",
            "2025-03-31",
            "2025-06-30",
            "任期満了",
            "",
        ],
    ]
    result = run(staff, csv_bytes(rows), commit=True)
    assert result.created == 0
    assert not Appointment.objects.exists()
    found = {(e.row, e.column) for e in result.errors}
    assert (3, "終了の詳細") in found
    assert (4, "終了の理由") in found
    assert (5, "終了日") in found
    assert any("終了の理由「引っ越し」" in e.message for e in result.errors)
