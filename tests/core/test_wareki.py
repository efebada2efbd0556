"""和暦 labels and the fiscal year (April–March): hitonagare.core.wareki (pure, no DB)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hitonagare.core.wareki import (
    date_label,
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_of,
    fiscal_year_short_label,
)


@pytest.mark.parametrize(
    ("fiscal_year", "label"),
    [
        (2023, "令和5年度"),
        (2019, "令和元年度"),
        (2020, "令和2年度"),
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
        (1927, "昭和2年度"),
        (2026, "令和8年度"),
    ],
)
def test_fiscal_year_label_names_the_era_of_the_start_year(fiscal_year, label):
    assert fiscal_year_label(fiscal_year) == label


@pytest.mark.parametrize(("fiscal_year", "short"), [(2021, "R3"), (2019, "R1"), (2018, "H30")])
def test_short_label_is_the_one_the_rules_note_uses(fiscal_year, short):
    assert fiscal_year_short_label(fiscal_year) == short


@pytest.mark.parametrize("bad", [1926, 1800, 9999])
def test_fiscal_years_outside_the_supported_range_are_refused(bad):
    with pytest.raises(ValueError, match="年度は"):
        fiscal_year_label(bad)


def test_a_fiscal_year_must_be_an_integer():
    with pytest.raises(TypeError):
        fiscal_year_label("2023")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        fiscal_year_label(True)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (dt.date(2023, 4, 1), "令和5年4月1日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1926, 12, 25), "昭和元年12月25日"),
    ],
)
def test_date_label_uses_the_era_in_force_that_day(day, label):
    assert date_label(day) == label


def test_dates_before_showa_are_refused():
    with pytest.raises(ValueError, match="昭和より前"):
        date_label(dt.date(1926, 12, 24))


@pytest.mark.parametrize(
    ("day", "fiscal_year"),
    [
        (dt.date(2023, 4, 1), 2023),
        (dt.date(2024, 3, 31), 2023),
        (dt.date(2024, 4, 1), 2024),
        (dt.date(2024, 1, 1), 2023),
    ],
)
def test_fiscal_year_of_runs_from_april_to_march(day, fiscal_year):
    assert fiscal_year_of(day) == fiscal_year


def test_bounds_of_a_fiscal_year_include_a_leap_day():
    assert fiscal_year_bounds(2023) == (dt.date(2023, 4, 1), dt.date(2024, 3, 31))


@given(st.dates(min_value=dt.date(1927, 4, 1), max_value=dt.date(9999, 3, 31)))
def test_every_day_lies_inside_the_bounds_of_its_fiscal_year(day):
    first, last = fiscal_year_bounds(fiscal_year_of(day))
    assert first <= day <= last
    assert (first.month, first.day, last.month, last.day) == (4, 1, 3, 31)


@given(st.integers(min_value=1927, max_value=9998))
def test_consecutive_fiscal_years_touch_and_labels_end_in_nendo(fiscal_year):
    _, last = fiscal_year_bounds(fiscal_year)
    nxt, _ = fiscal_year_bounds(fiscal_year + 1) if fiscal_year < 9998 else (last, None)
    if fiscal_year < 9998:
        assert nxt - last == dt.timedelta(days=1)
    label = fiscal_year_label(fiscal_year)
    assert label.endswith("年度")
    assert label[:2] in {"昭和", "平成", "令和"}


@given(st.dates(min_value=dt.date(2019, 5, 1), max_value=dt.date(9999, 12, 31)))
def test_reiwa_year_number_is_the_western_year_minus_2018(day):
    number = day.year - 2018
    assert date_label(day).startswith(f"令和{'元' if number == 1 else number}年")
