"""members.roster: headers, cell values and row errors of a roster file (pure, no database)."""

from __future__ import annotations

import codecs
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hitonagare.members import roster
from hitonagare.members.roster import RowError, parse_rows

HEADERS = ["氏名", "制度", "活動市町村（団体コード）", "任期開始日", "任期終了予定日"]
ROW = ["山田 花子", "地域おこし協力隊", "012025", "2025-04-01", "2028-03-31"]


# --- headers ----------------------------------------------------------------------------------


def test_template_headers_are_read_as_the_columns():
    header = roster.header_find([[c.header for c in roster.COLUMNS]])
    assert header.row == 1
    assert set(header.index) == {c.key for c in roster.COLUMNS}
    assert header.ignored == ()


def test_aliases_full_width_brackets_spaces_and_marks_are_accepted():
    header = roster.header_find(
        [["※名前", "制度名", "活動市町村(団体コード)", " 開始日 ", "終了予定日（必須）", "Eメール"]]
    )
    assert header.index == {
        "member_name": 0,
        "program": 1,
        "municipality_lgcode": 2,
        "start_date": 3,
        "planned_end_date": 4,
        "member_email": 5,
    }
    assert header.title("start_date") == "開始日"


def test_a_title_row_above_the_header_is_skipped_and_row_numbers_follow_the_sheet():
    rows, errors = parse_rows([["令和7年度 協力隊名簿"], [], HEADERS, ROW])
    assert errors == []
    assert [r.row for r in rows] == [4]


def test_missing_required_columns_are_listed_with_what_was_found():
    rows, errors = parse_rows([["氏名", "制度", "生年月日"], ["山田", "協力隊", "1990-01-01"]])
    assert rows == []
    assert len(errors) == 1
    error = errors[0]
    assert (error.row, error.column) == (1, roster.HEADER_COLUMN)
    assert (
        "必須の列がありません: 活動市町村（団体コード）、任期開始日、任期終了予定日"
        in error.message
    )
    assert "氏名、制度、生年月日" in error.message


def test_no_header_row_at_all_says_which_headers_are_expected():
    _rows, errors = parse_rows([["a", "b"], ["1", "2"]])
    assert len(errors) == 1
    assert "見出しの行が見つかりません" in errors[0].message
    assert "1行目の内容: a、b" in errors[0].message


def test_two_columns_for_the_same_field_are_refused():
    with pytest.raises(roster.HeaderError, match="「任期開始日」と「開始日」"):
        roster.header_find([[*HEADERS, "開始日"]])


def test_unknown_columns_are_reported_as_ignored():
    header = roster.header_find([[*HEADERS, "生年月日", "No."]])
    assert header.ignored == ("生年月日", "No.")


def test_an_empty_file_has_a_clear_error():
    _rows, errors = parse_rows([])
    assert "データがありません" in errors[0].message


# --- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-01", dt.date(2025, 4, 1)),
        ("2025/4/1", dt.date(2025, 4, 1)),
        ("2025.4.1", dt.date(2025, 4, 1)),
        ("2025年4月1日", dt.date(2025, 4, 1)),
        ("20250401", dt.date(2025, 4, 1)),
        ("２０２５／４／１", dt.date(2025, 4, 1)),
        ("2025-04-01 00:00:00", dt.date(2025, 4, 1)),
        ("R7.4.1", dt.date(2025, 4, 1)),
        ("r7/4/1", dt.date(2025, 4, 1)),
        ("令和7年4月1日", dt.date(2025, 4, 1)),
        ("令7.4.1", dt.date(2025, 4, 1)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("H31.4.30", dt.date(2019, 4, 30)),
        ("平成元年1月8日", dt.date(1989, 1, 8)),
        ("S64.1.7", dt.date(1989, 1, 7)),
        ("", None),
    ],
)
def test_dates_in_the_forms_people_write_them(text, expected):
    assert roster.parse_date(text) == expected


def test_spreadsheet_dates_are_dates():
    assert roster.parse_date(dt.datetime(2025, 4, 1)) == dt.date(2025, 4, 1)
    assert roster.parse_date(dt.date(2025, 4, 1)) == dt.date(2025, 4, 1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-02-30", "存在しない日付"),
        ("令和1年4月1日", "令和の始まり（2019年5月1日）より前"),
        ("平成31年5月1日", "平成は2019年4月30日まで"),
        ("R0.4.1", "令和0年はありません"),
        ("4/1", "読み取れません"),
        ("25/4/1", "読み取れません"),
        (45748, "数値（45748）"),
        (dt.datetime(2025, 4, 1, 9, 30), "時刻"),
    ],
)
def test_impossible_or_unreadable_dates_are_refused_not_moved(value, message):
    with pytest.raises(roster.ValueProblem, match=message):
        roster.parse_date(value)


@given(st.dates(min_value=dt.date(1989, 1, 8), max_value=dt.date(2100, 12, 31)))
def test_every_date_reads_back_from_iso_slash_and_japanese_era(day):
    assert roster.parse_date(day.isoformat()) == day
    assert roster.parse_date(f"{day.year}/{day.month}/{day.day}") == day
    era, first, initial = ("令和", 2019, "R") if day >= dt.date(2019, 5, 1) else ("平成", 1989, "H")
    year = day.year - first + 1
    number = "元" if year == 1 else str(year)
    assert roster.parse_date(f"{era}{number}年{day.month}月{day.day}日") == day
    assert roster.parse_date(f"{initial}{year}.{day.month}.{day.day}") == day


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("250000", 250000),
        ("250,000", 250000),
        ("２５０，０００", 250000),
        ("￥250,000円", 250000),
        ("25万円", 250000),
        ("25万5000円", 255000),
        ("250000.0", 250000),
        (250000, 250000),
        (250000.0, 250000),
        ("", None),
        (None, None),
    ],
)
def test_yen_amounts(value, expected):
    assert roster.parse_yen(value) == expected


@pytest.mark.parametrize("value", ["25.5万", "250000.5", 250000.5, "二十五万", "abc", "万"])
def test_yen_that_is_not_a_whole_number_of_yen_is_refused(value):
    with pytest.raises(roster.ValueProblem):
        roster.parse_yen(value)


@given(st.integers(min_value=0, max_value=10**9))
def test_every_amount_reads_back_with_commas_and_full_width_digits(amount):
    with_commas = f"{amount:,}"
    full_width = with_commas.translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    assert roster.parse_yen(with_commas) == amount
    assert roster.parse_yen(full_width + "円") == amount


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("地域おこし協力隊", "kyoryokutai"),
        ("kyoryokutai", "kyoryokutai"),
        ("KYORYOKUTAI", "kyoryokutai"),
        ("協力隊", "kyoryokutai"),
        ("地域プロジェクトマネージャー", "pm"),
        ("地域PM", "pm"),
        ("地域活性化起業人", "kigyojin"),
        ("外部デジタル人材（CIO補佐官等）", "digital"),
        ("", ""),
    ],
)
def test_programs_by_label_code_or_short_name(value, expected):
    assert roster.parse_program(value) == expected


def test_an_unknown_program_lists_the_labels():
    with pytest.raises(roster.ValueProblem, match="地域おこし協力隊、"):
        roster.parse_program("協力員")


def test_kinds_by_label_or_code():
    assert roster.parse_kind("委嘱") == "entrustment"
    assert roster.parse_kind("agreement") == "agreement"
    assert roster.parse_kind("") == ""
    with pytest.raises(roster.ValueProblem, match="委嘱・任用・協定"):
        roster.parse_kind("雇用")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("012025", ("012025",)),
        ("０１２０２５", ("012025",)),
        ("01202", ("012025",)),  # 5 digits: the check digit is added
        ("1202", ("012025",)),  # "01202" whose leading 0 a spreadsheet dropped
        (12025, ("120251", "012025")),  # 5 digits or a 6-digit code without its 0
        ("012025 函館市", ("012025",)),
        ("函館市", ()),  # a name: the services look it up
        ("", ()),
    ],
)
def test_lgcodes(value, expected):
    assert roster.parse_lgcode(value) == expected


def test_an_lgcode_with_a_wrong_check_digit_is_refused():
    with pytest.raises(roster.ValueProblem, match="検査数字"):
        roster.parse_lgcode("012020")


def test_flags():
    assert [roster.parse_flag(v) for v in ("はい", "○", "1", "TRUE", True, 1)] == [True] * 6
    assert [roster.parse_flag(v) for v in ("", "いいえ", "×", "0", None, False)] == [False] * 6
    with pytest.raises(roster.ValueProblem):
        roster.parse_flag("たぶん")


def test_text_of_spreadsheet_numbers_has_no_decimal_point():
    assert roster.text_of(1000001.0) == "1000001"
    assert roster.text_of("  山田　") == "山田"


# --- rows -------------------------------------------------------------------------------------


def test_a_row_is_read_into_appointment_values():
    rows, errors = parse_rows(
        [
            [*HEADERS, "転出元", "海外から転入", "月額報償費", "住民票異動日", "形態"],
            [
                "山田 花子",
                "協力隊",
                "012025",
                "R7.4.1",
                "2028/3/31",
                "1000001",
                "",
                "250,000",
                "",
                "委嘱",
            ],
        ]
    )
    assert errors == []
    (row,) = rows
    assert (row.row, row.member_name, row.program) == (2, "山田 花子", "kyoryokutai")
    assert row.municipality_codes == ("012025",)
    assert (row.start_date, row.planned_end_date) == (dt.date(2025, 4, 1), dt.date(2028, 3, 31))
    assert (row.origin, row.origin_overseas, row.monthly_reward_yen) == ("1000001", False, 250000)
    assert row.kind == "entrustment"
    assert row.residence_moved_on is None


def test_blank_rows_are_skipped_but_keep_the_row_numbers():
    rows, errors = parse_rows([HEADERS, ROW, [], ["", " "], [*ROW[:3], "2026-04-01", "2027-03-31"]])
    assert errors == []
    assert [r.row for r in rows] == [2, 5]


def test_each_unreadable_cell_is_an_error_naming_row_and_column():
    rows, errors = parse_rows(
        [
            ["名前", "制度", "団体コード", "開始日", "終了予定日", "月額報償費"],
            [*ROW, "250000"],
            ["佐藤 一郎", "協力員", "012025", "2025-02-30", "2026-03-31", "たくさん"],
        ]
    )
    assert len(rows) == 2
    assert [(e.row, e.column, e.field) for e in errors] == [
        (3, "制度", "program"),
        (3, "開始日", "start_date"),
        (3, "月額報償費", "monthly_reward_yen"),
    ]
    assert rows[1].unreadable == {"program", "start_date", "monthly_reward_yen"}
    assert str(errors[1]).startswith("3行目・開始日: 日付「2025-02-30」は存在しない日付です。")


def test_the_same_person_and_start_date_twice_in_a_file_is_an_error_on_the_later_row():
    _rows, errors = parse_rows(
        [
            HEADERS,
            ROW,
            ["山田　花子", *ROW[1:]],
            ["山田 花子", *ROW[1:3], "2028-04-01", "2029-03-31"],
        ]
    )
    assert errors == [
        RowError(
            3,
            "氏名",
            "2行目と同じ氏名・任期開始日です。同じ人を二度登録しようとしていないか確かめてください。",
            "member_name",
        )
    ]


# --- files ------------------------------------------------------------------------------------


def test_csv_encodings_are_detected_and_named():
    text = "氏名,制度\n山田,協力隊\n"
    assert roster.csv_decode(text.encode("utf-8")) == (text, "UTF-8")
    assert roster.csv_decode(codecs.BOM_UTF8 + text.encode("utf-8")) == (text, "UTF-8（BOM付き）")
    assert roster.csv_decode(text.encode("cp932")) == (text, "Shift_JIS（CP932）")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("氏名,制度\n山田,協力隊\n".encode("utf-16"), "UTF-16"),
        ("氏名,制度\n山田,協力隊\n".encode("euc_jp"), "判別できません"),
        ("山田,ささき\n".encode("euc_jp"), "EUC-JP"),  # decodes as CP932 half-width kana
        (b"\x00\x01\x02binary", "CSV ファイルではない"),
        (b"\x81\x39\xff\xfe", "判別できません"),
    ],
)
def test_encodings_that_are_not_utf8_or_shift_jis_are_refused(content, message):
    with pytest.raises(roster.RosterFileError, match=message):
        roster.csv_decode(content)


def test_csv_rows_keep_quoted_line_breaks_in_one_row_and_read_tab_separated_files():
    assert roster.csv_rows('氏名,備考\n山田,"1行目\n2行目"\n') == [
        ["氏名", "備考"],
        ["山田", "1行目\n2行目"],
    ]
    assert roster.csv_rows("氏名\t制度\n山田\t協力隊\n") == [["氏名", "制度"], ["山田", "協力隊"]]


def test_too_many_rows_are_refused_while_reading():
    text = "氏名\n" + "山田\n" * (roster.MAX_ROWS + roster.HEADER_SCAN_ROWS + 1)
    with pytest.raises(roster.RosterFileError, match="5,000行まで"):
        roster.csv_rows(text)


def test_the_template_is_utf8_with_bom_and_parses_without_errors():
    content = roster.template_csv(lgcode="012025")
    assert content.startswith(codecs.BOM_UTF8)
    text, _encoding = roster.csv_decode(content)
    rows, errors = parse_rows(roster.csv_rows(text))
    assert errors == []
    assert rows[0].municipality_codes == ("012025",)
    assert rows[0].program == "kyoryokutai"
