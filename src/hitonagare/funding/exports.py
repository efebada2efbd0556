"""The year-end survey figures (年度末の調査) per municipality, as xlsx and CSV.

Rows of the summary (「集計」, and the CSV): per municipality, one row per member, one row per
item of the municipality's own (募集等経費, 受入準備経費, 事業経費, pooled caps), then a total
row. Fiscal years and dates are written in 和暦 ("令和5年度", "令和5年4月1日"). Amounts are
whole yen; an amount that could not be computed (unknown cap) is the text 「不明」, never 0.

The xlsx adds 「内訳」 (one row per item with its explanation), 「注意」 (one row per flag) and
「出典」 (the sources of the figures used, and the settings). Callers pass estimates from
:func:`hitonagare.funding.calculator.municipality_estimate`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any, Final

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from hitonagare.core.wareki import date_label, fiscal_year_label

from .calculator import EstimateItem, Flag, MemberEstimate, MunicipalityEstimate
from .rules import (
    CAP_READING_LABELS,
    GRADE_LABELS,
    MONTH_COUNTING_LABELS,
    PRORATION_IS_A_SETTING,
    VARIANT_LABELS,
    Variant,
    rate_text,
)

__all__ = [
    "DETAIL_HEADERS",
    "SUMMARY_HEADERS",
    "YEN_FORMAT",
    "detail_rows",
    "summary_rows",
    "write_csv",
    "write_xlsx",
]

UNKNOWN: Final = "不明"
YEN_FORMAT: Final = '#,##0"円"'

ROW_MEMBER: Final = "隊員等"
ROW_MUNICIPALITY: Final = "団体の経費"
ROW_TOTAL: Final = "団体の合計"

SUMMARY_HEADERS: Final = (
    "年度",
    "団体コード",
    "団体名",
    "行の種類",
    "隊員等の番号",
    "氏名",
    "制度",
    "区分",
    "任期の開始",
    "任期の終了",
    "当該年度の月数",
    "項目",
    "申請額（円）",
    "上限（円）",
    "見込額（円）",
    "内訳",
    "注意",
    "出典",
)
_SUMMARY_YEN: Final = frozenset({"申請額（円）", "上限（円）", "見込額（円）"})
_SUMMARY_WIDTHS: Final = (11, 10, 16, 10, 12, 14, 22, 14, 16, 16, 8, 28, 14, 14, 14, 60, 60, 40)

DETAIL_HEADERS: Final = (
    "年度",
    "団体コード",
    "団体名",
    "隊員等の番号",
    "氏名",
    "制度",
    "項目",
    "申請額（円）",
    "上限（按分後・円）",
    "年額等の上限（円）",
    "措置率",
    "見込額（円）",
    "確からしさ",
    "出典",
    "URL",
    "説明",
)
_DETAIL_YEN: Final = frozenset(
    {"申請額（円）", "上限（按分後・円）", "年額等の上限（円）", "見込額（円）"}
)
_DETAIL_WIDTHS: Final = (11, 10, 16, 12, 14, 22, 34, 14, 14, 14, 8, 14, 10, 40, 30, 100)

FLAG_HEADERS: Final = (
    "年度",
    "団体コード",
    "団体名",
    "隊員等の番号",
    "氏名",
    "重要度",
    "種類",
    "内容",
)
_FLAG_WIDTHS: Final = (11, 10, 16, 12, 14, 8, 22, 100)
_LEVEL_LABELS: Final = {"error": "要対応", "warning": "要確認", "info": "参考"}

SOURCE_HEADERS: Final = ("出典", "確からしさ", "URL", "使った項目")
_SOURCE_WIDTHS: Final = (60, 12, 50, 80)

Cell = str | int | None


def _yen(value: Decimal | None) -> Cell:
    return UNKNOWN if value is None else int(value)


def _months(value: Decimal) -> Cell:
    return int(value) if value == value.to_integral_value() else f"{value:.2f}"


def _flags_text(flags: Iterable[Flag]) -> str:
    return " / ".join(f"{flag.label}: {flag.message}" for flag in flags)


def _item_text(item: EstimateItem) -> str:
    cap = UNKNOWN if item.cap is None and item.amount is None else _yen_text(item.cap)
    amount = UNKNOWN if item.amount is None else _yen_text(item.amount)
    return f"{item.label}: 申請 {_yen_text(item.claimed)} / 上限 {cap} / 見込 {amount}"


def _yen_text(value: Decimal | None) -> str:
    return "なし" if value is None else f"{int(value):,}円"


def _caps_total(items: Sequence[EstimateItem]) -> Cell:
    if any(item.cap is None for item in items):
        return UNKNOWN if any(item.amount is None for item in items) else ""
    return int(sum((item.cap for item in items if item.cap is not None), Decimal(0)))


def _variant(member: MemberEstimate) -> str:
    return "" if member.variant is Variant.SINGLE else VARIANT_LABELS[member.variant]


def _sources(items: Iterable[EstimateItem]) -> str:
    return " / ".join(dict.fromkeys(item.source for item in items))


def summary_rows(estimates: Iterable[MunicipalityEstimate]) -> Iterator[tuple[Cell, ...]]:
    """The rows of the summary, without the header (see SUMMARY_HEADERS)."""
    for estimate in estimates:
        fy = fiscal_year_label(estimate.fiscal_year)
        head = (fy, estimate.lgcode, estimate.name)
        for m in estimate.members:
            flags = list(m.flags)
            note = _flags_text(flags)
            if not m.counted_in_municipality:
                note = (
                    "団体の合計の行で上限を当てはめて計上（この行の見込額は団体の合計に含めません）。"
                    + (f" / {note}" if note else "")
                )
            yield (
                *head,
                ROW_MEMBER,
                m.member_ref,
                m.name,
                m.program_label,
                _variant(m),
                date_label(m.start),
                date_label(m.end),
                _months(m.months),
                "",
                int(m.claimed_total),
                _caps_total(m.items),
                int(m.total),
                "; ".join(_item_text(item) for item in m.items)
                + ("（上限が不明な項目を除く）" if m.total_is_partial else ""),
                note,
                _sources(m.items),
            )
        for item in estimate.items:
            yield (
                *head,
                ROW_MUNICIPALITY,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                item.label,
                int(item.claimed),
                _yen(item.cap) if item.cap is not None or item.amount is None else "",
                _yen(item.amount),
                item.explanation,
                _flags_text(f for f in estimate.flags if f.item == item.item),
                item.source,
            )
        partial = "上限が不明な項目を除いた合計です。" if estimate.total_is_partial else ""
        yield (
            *head,
            ROW_TOTAL,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            f"{len(estimate.members)}人",
            int(estimate.claimed_total),
            "",
            int(estimate.total),
            partial,
            _flags_text(f for f in estimate.flags if f.item is None),
            "",
        )


def detail_rows(estimates: Iterable[MunicipalityEstimate]) -> Iterator[tuple[Cell, ...]]:
    """One row per item (members' and the municipality's), see DETAIL_HEADERS."""
    for estimate in estimates:
        fy = fiscal_year_label(estimate.fiscal_year)
        owners: list[tuple[str, str, str, Sequence[EstimateItem]]] = [
            (m.member_ref, m.name, m.program_label, m.items) for m in estimate.members
        ]
        owners.append(("", "（団体）", "", estimate.items))
        for ref, name, program, items in owners:
            for item in items:
                yield (
                    fy,
                    estimate.lgcode,
                    estimate.name,
                    ref,
                    name,
                    program,
                    item.label,
                    int(item.claimed),
                    _yen(item.cap) if item.cap is not None or item.amount is None else "",
                    _yen(item.annual_cap) if item.annual_cap is not None else "",
                    rate_text(item.rate) if item.rate is not None else "",
                    _yen(item.amount),
                    GRADE_LABELS[item.grade] if item.grade else "",
                    item.source,
                    item.source_url or "",
                    item.explanation,
                )


def _flag_rows(estimates: Iterable[MunicipalityEstimate]) -> Iterator[tuple[Cell, ...]]:
    for estimate in estimates:
        fy = fiscal_year_label(estimate.fiscal_year)
        for flag in estimate.flags:
            yield (fy, estimate.lgcode, estimate.name, "", "（団体）", *_flag_cells(flag))
        for m in estimate.members:
            for flag in m.flags:
                yield (fy, estimate.lgcode, estimate.name, m.member_ref, m.name, *_flag_cells(flag))


def _flag_cells(flag: Flag) -> tuple[str, str, str]:
    return (_LEVEL_LABELS.get(flag.level, flag.level), flag.label, flag.message)


def _source_rows(estimates: Sequence[MunicipalityEstimate]) -> list[tuple[Cell, ...]]:
    used: dict[tuple[str, str], tuple[str | None, set[str]]] = {}
    for estimate in estimates:
        items = [i for m in estimate.members for i in m.items] + list(estimate.items)
        for item in items:
            grade = GRADE_LABELS[item.grade] if item.grade else "—"
            key = (item.source, grade)
            _url, labels = used.setdefault(key, (item.source_url, set()))
            labels.add(item.label)
    rows: list[tuple[Cell, ...]] = [
        (source, grade, url or "", "、".join(sorted(labels)))
        for (source, grade), (url, labels) in used.items()
    ]
    settings = {e.settings for e in estimates}
    for s in settings:
        rows.append(
            (
                f"月数の数え方: {MONTH_COUNTING_LABELS[s.month_counting]}。{PRORATION_IS_A_SETTING}",
                "設定",
                "",
                "",
            )
        )
        rows.append(
            (f"措置率のある項目の読み方: {CAP_READING_LABELS[s.cap_reading]}", "設定", "", "")
        )
    rows.append(
        (
            "上限額・措置率の一覧と出典: hitonagare/funding/data/SOURCES.md（hitonagare規則ノート §3）。"
            "「不明」は資料で見つかっていない値で、計算に使っていません。",
            "",
            "",
            "",
        )
    )
    return rows


# --------------------------------------------------------------------------- xlsx

_BOLD: Final = Font(bold=True)
_WRAP: Final = Alignment(wrap_text=True, vertical="top")


def _sheet(
    workbook: Workbook,
    title: str,
    headers: Sequence[str],
    widths: Sequence[int],
    rows: Iterable[Sequence[Cell]],
    yen_headers: frozenset[str] = frozenset(),
) -> None:
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = _BOLD
        cell.alignment = _WRAP
        header_cells.append(cell)
    sheet.append(header_cells)
    yen_columns = [i for i, h in enumerate(headers) if h in yen_headers]
    for row in rows:
        values: list[Any] = list(row)
        for i in yen_columns:
            if isinstance(values[i], int):
                cell = WriteOnlyCell(sheet, value=values[i])
                cell.number_format = YEN_FORMAT
                values[i] = cell
        sheet.append(values)


def write_xlsx(estimates: Sequence[MunicipalityEstimate], stream: IO[bytes]) -> None:
    """The survey workbook: 集計 (as the CSV), 内訳, 注意, 出典. Bold headers, the header row
    frozen, yen cells formatted as 円."""
    estimates = list(estimates)
    workbook = Workbook(write_only=True)
    _sheet(
        workbook, "集計", SUMMARY_HEADERS, _SUMMARY_WIDTHS, summary_rows(estimates), _SUMMARY_YEN
    )
    _sheet(workbook, "内訳", DETAIL_HEADERS, _DETAIL_WIDTHS, detail_rows(estimates), _DETAIL_YEN)
    _sheet(workbook, "注意", FLAG_HEADERS, _FLAG_WIDTHS, _flag_rows(estimates))
    _sheet(workbook, "出典", SOURCE_HEADERS, _SOURCE_WIDTHS, _source_rows(estimates))
    workbook.save(stream)


# --------------------------------------------------------------------------- CSV


def write_csv(estimates: Iterable[MunicipalityEstimate], stream: IO[str] | Any) -> None:
    """The summary as CSV: UTF-8 with a BOM (so Excel reads it as UTF-8), CRLF line ends.

    ``stream`` takes text (a file opened with ``newline=""``, io.StringIO, or an
    HttpResponse, whose charset must be utf-8).
    """
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(SUMMARY_HEADERS)
    writer.writerows(summary_rows(estimates))
