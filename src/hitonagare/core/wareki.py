"""和暦 labels and the Japanese fiscal year (年度, April to March). Pure: stdlib only.

- ``fiscal_year_of(date(2024, 3, 31)) == 2023``: a fiscal year is named by the western year
  in which it starts (2023 = 令和5年度 = 2023-04-01 … 2024-03-31).
- ``fiscal_year_label(2019) == "令和元年度"``: the fiscal year takes the era of its western
  year as that year is numbered at its end (2019 → 令和元年, 1989 → 平成元年), which is how
  government documents name 令和元年度 and 平成元年度. Fiscal years before 1927 are refused:
  1926 was 大正15年度 in use, a label this module does not produce.
- ``date_label(date(2019, 5, 1)) == "令和元年5月1日"``: a date takes the era in force that day.
"""

from __future__ import annotations

from datetime import date
from typing import Final

__all__ = [
    "date_label",
    "fiscal_year_bounds",
    "fiscal_year_label",
    "fiscal_year_of",
    "fiscal_year_short_label",
]

# (first day, name, romanised initial), newest first.
_ERAS: Final[tuple[tuple[date, str, str], ...]] = (
    (date(2019, 5, 1), "令和", "R"),
    (date(1989, 1, 8), "平成", "H"),
    (date(1926, 12, 25), "昭和", "S"),
)
_FIRST_FISCAL_YEAR: Final = 1927
_LAST_FISCAL_YEAR: Final = 9998  # its bounds end on 9999-03-31, inside datetime.date


def _check_fiscal_year(fiscal_year: int) -> None:
    if isinstance(fiscal_year, bool) or not isinstance(fiscal_year, int):
        raise TypeError(f"年度は整数（西暦の開始年）で指定してください: {fiscal_year!r}")
    if not _FIRST_FISCAL_YEAR <= fiscal_year <= _LAST_FISCAL_YEAR:
        raise ValueError(
            f"年度は{_FIRST_FISCAL_YEAR}〜{_LAST_FISCAL_YEAR}の西暦で指定してください"
            f"（指定: {fiscal_year}）。"
        )


def _year_text(number: int) -> str:
    return "元" if number == 1 else str(number)


def _era_of_year(year: int) -> tuple[str, str, int]:
    """(era, initial, era year) for a western year, numbered as at the end of that year."""
    for start, era, initial in _ERAS:
        if year >= start.year:
            return era, initial, year - start.year + 1
    raise ValueError(f"昭和より前の年は和暦に変換できません: {year}")


def fiscal_year_label(fiscal_year: int) -> str:
    """``2023`` → ``"令和5年度"``; ``2019`` → ``"令和元年度"``; ``2018`` → ``"平成30年度"``."""
    _check_fiscal_year(fiscal_year)
    era, _initial, number = _era_of_year(fiscal_year)
    return f"{era}{_year_text(number)}年度"


def fiscal_year_short_label(fiscal_year: int) -> str:
    """``2023`` → ``"R5"``; ``2019`` → ``"R1"``; ``2018`` → ``"H30"`` (as the rules note writes)."""
    _check_fiscal_year(fiscal_year)
    _era, initial, number = _era_of_year(fiscal_year)
    return f"{initial}{number}"


def date_label(day: date) -> str:
    """``date(2023, 4, 1)`` → ``"令和5年4月1日"``; the first year of an era is 元年."""
    if not isinstance(day, date):
        raise TypeError(f"日付を指定してください: {day!r}")
    for start, era, _initial in _ERAS:
        if day >= start:
            number = day.year - start.year + 1
            return f"{era}{_year_text(number)}年{day.month}月{day.day}日"
    raise ValueError(f"昭和より前の日付は和暦に変換できません: {day.isoformat()}")


def fiscal_year_of(day: date) -> int:
    """The fiscal year (western start year) that contains ``day``: April–March."""
    if not isinstance(day, date):
        raise TypeError(f"日付を指定してください: {day!r}")
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """The first and last day of a fiscal year: ``2023`` → (2023-04-01, 2024-03-31)."""
    _check_fiscal_year(fiscal_year)
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)
