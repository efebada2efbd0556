"""Year-end survey exports: the xlsx read back with openpyxl and the CSV parsed (no DB)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from hitonagare.funding.calculator import (
    MemberYearInput,
    MunicipalityYearInput,
    municipality_estimate,
)
from hitonagare.funding.exports import (
    DETAIL_HEADERS,
    SUMMARY_HEADERS,
    YEN_FORMAT,
    write_csv,
    write_xlsx,
)
from hitonagare.funding.rules import FundingProgram, rates_load

D = dt.date
RATES = rates_load()


def _estimates(fiscal_year: int = 2023):
    members = [
        MemberYearInput(
            member_ref="K-001",
            name="山田 花子",
            program=FundingProgram.KYORYOKUTAI,
            start=D(2023, 4, 1),
            end=D(2026, 3, 31),
            reward_yen=Decimal(3_000_000),
            expenses_yen=Decimal(1_500_000),
            eligible=True,
        ),
        MemberYearInput(
            member_ref="D-001",
            name="佐藤 次郎",
            program=FundingProgram.DIGITAL,
            start=D(2023, 4, 1),
            end=D(2024, 3, 31),
            reward_yen=Decimal(2_000_000),
        ),
    ]
    return [
        municipality_estimate(
            MunicipalityYearInput(
                lgcode="325252",
                name="海士町",
                fiscal_year=fiscal_year,
                members=members,
                kigyojin_preparation_yen=Decimal(1_000_000),
            ),
            rates=RATES,
        ),
        municipality_estimate(
            MunicipalityYearInput(lgcode="012025", name="函館市", fiscal_year=fiscal_year),
            rates=RATES,
        ),
    ]


@pytest.fixture
def workbook():
    stream = io.BytesIO()
    write_xlsx(_estimates(), stream)
    stream.seek(0)
    return load_workbook(stream)


def test_workbook_has_the_summary_details_flags_and_sources_sheets(workbook):
    assert workbook.sheetnames == ["集計", "内訳", "注意", "出典"]


def test_summary_header_is_bold_and_frozen(workbook):
    sheet = workbook["集計"]
    assert [c.value for c in sheet[1]] == list(SUMMARY_HEADERS)
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"


def test_summary_rows_per_member_then_municipality_items_then_totals(workbook):
    rows = [
        dict(zip(SUMMARY_HEADERS, (c.value for c in r), strict=True))
        for r in workbook["集計"].iter_rows(min_row=2)
    ]
    kinds = [(r["団体コード"], r["行の種類"]) for r in rows]
    assert kinds == [
        ("325252", "隊員等"),
        ("325252", "隊員等"),
        ("325252", "団体の経費"),
        ("325252", "団体の合計"),
        ("012025", "団体の合計"),
    ]
    yamada = rows[0]
    assert yamada["年度"] == "令和5年度"
    assert yamada["任期の開始"] == "令和5年4月1日"
    assert yamada["任期の終了"] == "令和8年3月31日"
    assert yamada["申請額（円）"] == 4_500_000
    assert yamada["上限（円）"] == 4_800_000
    assert yamada["見込額（円）"] == 2_800_000 + 1_500_000
    assert "上限超過" in yamada["注意"]
    assert "総務省 広報誌" in yamada["出典"]
    digital = rows[1]
    assert digital["上限（円）"] == "不明"
    assert digital["見込額（円）"] == 0
    assert "上限が不明" in digital["注意"]
    preparation = rows[2]
    assert preparation["項目"] == "地域活性化起業人 受入準備経費"
    assert preparation["見込額（円）"] == 500_000  # min(1,000,000, 1,000,000) × 1/2
    total = rows[3]
    assert total["見込額（円）"] == 4_300_000 + 500_000
    assert "上限が不明な項目を除いた合計" in total["内訳"]


def test_yen_cells_carry_the_yen_number_format(workbook):
    sheet = workbook["集計"]
    column = SUMMARY_HEADERS.index("見込額（円）") + 1
    cell = sheet.cell(row=2, column=column)
    assert cell.value == 4_300_000
    assert cell.number_format == YEN_FORMAT


def test_details_sheet_has_one_row_per_item_with_its_explanation(workbook):
    sheet = workbook["内訳"]
    assert [c.value for c in sheet[1]] == list(DETAIL_HEADERS)
    rows = [
        dict(zip(DETAIL_HEADERS, (c.value for c in r), strict=True))
        for r in sheet.iter_rows(min_row=2)
    ]
    assert [r["項目"] for r in rows] == [
        "協力隊 報償費等（標準）",
        "協力隊 その他経費（物品購入費等）",
        "外部デジタル人材（CIO補佐官等）任用経費",
        "地域活性化起業人 受入準備経費",
    ]
    assert rows[0]["確からしさ"] == "公式"
    assert rows[3]["措置率"] == "1/2"
    assert "min(" in rows[0]["説明"]
    assert rows[2]["見込額（円）"] == "不明"


def test_sources_sheet_lists_each_source_and_the_month_counting_setting(workbook):
    values = [r[0].value for r in workbook["出典"].iter_rows(min_row=2)]
    assert any("総務省 広報誌" in v for v in values)
    assert any(v.startswith("月数の数え方") and "法令ではなく" in v for v in values)
    assert all(c.font.b for c in workbook["出典"][1])


def test_flags_sheet_has_one_row_per_flag(workbook):
    rows = list(workbook["注意"].iter_rows(min_row=2, values_only=True))
    kinds = {row[6] for row in rows}
    assert {"上限超過", "上限が不明", "合計は一部のみ"} <= kinds


def test_csv_is_utf8_with_bom_and_crlf_and_matches_the_summary():
    stream = io.StringIO(newline="")
    write_csv(_estimates(), stream)
    text = stream.getvalue()
    assert text.startswith("\ufeff年度,団体コード")
    raw = text.encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") >= 6
    assert b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows[0] == list(SUMMARY_HEADERS)
    assert rows[1][0] == "令和5年度"
    assert rows[1][SUMMARY_HEADERS.index("見込額（円）")] == "4300000"
    assert len(rows) == 6


def test_an_r7_export_never_writes_zero_for_an_unknown_cap():
    stream = io.StringIO(newline="")
    write_csv(_estimates(2025), stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue().removeprefix("\ufeff"), newline="")))
    yamada = dict(zip(rows[0], rows[1], strict=True))
    assert yamada["年度"] == "令和7年度"
    assert yamada["上限（円）"] == "不明"
    assert "不明" in yamada["内訳"]
    assert "合計は一部のみ" in yamada["注意"]
