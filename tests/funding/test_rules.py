"""Funding rules (pure, no DB): the shipped rate table, overrides, month counting, terms,
amount parsing and program variants."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hitonagare.funding import rules
from hitonagare.funding.rules import (
    FundingProgram,
    Grade,
    MonthCounting,
    RateStatus,
    Variant,
    coverage_in_fiscal_year,
    days_in_fiscal_year,
    months_in_fiscal_year,
    parse_yen,
    program_from_opening,
    rates_load,
    rates_parse,
    term_bounds_problem,
    variant_resolve,
)
from hitonagare.recruiting.rules import OpeningProgram

YEARS = (2021, 2022, 2023, 2024, 2025, 2026)
D = dt.date


# --- the shipped table ------------------------------------------------------------------------


def test_shipped_table_has_one_entry_per_item_and_fiscal_year_r3_to_r8():
    table = rates_load()
    assert table.fiscal_years == YEARS
    pairs = [(r.item, r.fiscal_year) for r in table.entries()]
    assert len(pairs) == len(set(pairs)) == len(table.items) * len(YEARS)


def test_every_known_value_has_a_source_and_a_grade():
    for rate in rates_load().entries():
        if rate.status is RateStatus.KNOWN:
            assert rate.grade in {Grade.OFFICIAL, Grade.SECONDARY, Grade.INFERRED}, rate
            assert rate.source.key != "not_found", rate
            assert rate.source.label
        else:
            assert rate.grade is None
            assert rate.value is None
            assert rate.note, rate  # an unknown says why


def test_kyoryokutai_r4_and_r5_caps_are_the_official_280_and_200_man():
    table = rates_load()
    for fy in (2022, 2023):
        reward = table.get("kyoryokutai.reward", fy)
        other = table.get("kyoryokutai.other", fy)
        assert (reward.value, reward.grade) == (Decimal(2_800_000), Grade.OFFICIAL)
        assert (other.value, other.grade) == (Decimal(2_000_000), Grade.OFFICIAL)
        assert table.get("kyoryokutai.total", fy).value == Decimal(4_800_000)


def test_r6_tiers_are_secondary_and_the_r6_total_is_inferred():
    table = rates_load()
    assert table.get("kyoryokutai.reward", 2024).value == Decimal(3_200_000)
    assert table.get("kyoryokutai.reward.expert", 2024).value == Decimal(4_200_000)
    assert table.get("kyoryokutai.reward.disadvantaged", 2024).value == Decimal(3_700_000)
    assert table.get("kyoryokutai.reward.expert", 2024).grade is Grade.SECONDARY
    total = table.get("kyoryokutai.total", 2024)
    assert (total.value, total.grade) == (Decimal(5_200_000), Grade.INFERRED)
    assert table.get("kyoryokutai.other", 2024).grade is Grade.INFERRED
    # the tiers did not exist before 令和6年度
    assert table.get("kyoryokutai.reward.expert", 2023).status is RateStatus.NOT_APPLICABLE


@pytest.mark.parametrize("fy", [2025, 2026])
@pytest.mark.parametrize(
    "item",
    ["kyoryokutai.reward", "kyoryokutai.other", "kyoryokutai.total", "kyoryokutai.reward.expert"],
)
def test_kyoryokutai_caps_from_r7_are_unknown(item, fy):
    assert rates_load().get(item, fy).status is RateStatus.UNKNOWN


def test_recruitment_and_otameshi_are_unknown_and_the_old_200_man_is_only_a_note():
    table = rates_load()
    for fy in YEARS:
        recruitment = table.get("kyoryokutai.recruitment", fy)
        assert recruitment.status is RateStatus.UNKNOWN
        assert "200万円" in recruitment.note
        assert table.get("otameshi.per_municipality", fy).status is RateStatus.UNKNOWN


def test_digital_cap_is_unknown_and_its_rate_is_marked_press_only():
    table = rates_load()
    rate = table.get("digital.rate", 2022)
    assert rate.value == Decimal("0.5")
    assert "報道のみ" in rate.note or "報道のみ" in rate.source.label
    assert all(table.get("digital.per_person", fy).status is RateStatus.UNKNOWN for fy in YEARS)


def test_nichiiki_exists_only_from_r7():
    table = rates_load()
    for fy in (2021, 2022, 2023, 2024):
        assert table.get("nichiiki.coordinator", fy).status is RateStatus.NOT_APPLICABLE
    assert table.get("nichiiki.coordinator", 2025).value == Decimal(5_000_000)
    assert table.get("nichiiki.coordinator.concurrent", 2025).value == Decimal(400_000)
    assert table.get("nichiiki.program.rate", 2025).value == Decimal("0.5")


def test_a_year_outside_the_table_reads_as_unknown_not_zero():
    rate = rates_load().get("pm.per_person", 2019)
    assert rate.status is RateStatus.UNKNOWN
    assert rate.value is None
    assert "令和元年度" in rate.note


def test_value_text_speaks_japanese():
    table = rates_load()
    assert table.get("kyoryokutai.reward", 2023).value_text() == "2,800,000円"
    assert table.get("kigyojin.project.rate", 2023).value_text() == "1/2"
    assert table.get("pm.per_municipality", 2021).value_text() == "1人"
    assert table.get("kyoryokutai.reward", 2025).value_text() == "不明"


def test_malformed_table_is_refused_with_the_entry_named():
    data = json.loads(
        rules.resources.files(rules.DATA_PACKAGE).joinpath(rules.DATA_FILE).read_text("utf-8")
    )
    data["entries"][0]["value"] = -5
    with pytest.raises(ValueError, match=r"entries\[0\]"):
        rates_parse(json.dumps(data))


# --- overrides -------------------------------------------------------------------------------


def _write(tmp_path, entries) -> str:
    path = tmp_path / "overrides.json"
    path.write_text(json.dumps({"entries": entries}, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_override_sets_an_unknown_value_and_says_where_it_comes_from(tmp_path):
    path = _write(
        tmp_path,
        [
            {
                "item": "kyoryokutai.reward",
                "fiscal_year": 2025,
                "value": 3_500_000,
                "source": "総務省通知（令和7年度）",
            }
        ],
    )
    table = rates_load(path)
    rate = table.get("kyoryokutai.reward", 2025)
    assert rate.value == Decimal(3_500_000)
    assert rate.grade is Grade.CONFIGURED
    assert "総務省通知（令和7年度）" in rate.source.label
    assert "上書き設定" in rate.source.label
    assert ("kyoryokutai.reward", 2025) in table.overridden
    # the shipped table is untouched
    assert rates_load().get("kyoryokutai.reward", 2025).status is RateStatus.UNKNOWN


def test_override_can_say_there_is_no_cap_and_can_add_a_year(tmp_path):
    path = _write(
        tmp_path,
        [
            {"item": "nichiiki.program", "fiscal_year": 2025, "value": "none", "source": "要綱"},
            {"item": "pm.per_person", "fiscal_year": 2027, "value": 6_500_000, "source": "要綱"},
        ],
    )
    table = rates_load(path)
    assert table.get("nichiiki.program", 2025).status is RateStatus.NO_CAP
    assert 2027 in table.fiscal_years


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"item": "nope", "fiscal_year": 2025, "value": 1, "source": "x"}, "未知の項目"),
        (
            {"item": "pm.per_person", "fiscal_year": "2025", "value": 1, "source": "x"},
            "fiscal_year",
        ),
        ({"item": "pm.per_person", "fiscal_year": 2025, "value": 1}, "source"),
        ({"item": "pm.per_person", "fiscal_year": 2025, "value": 1.5, "source": "x"}, "整数"),
        ({"item": "digital.rate", "fiscal_year": 2025, "value": "2", "source": "x"}, "措置率"),
        ({"item": "digital.rate", "fiscal_year": 2025, "value": "none", "source": "x"}, "none"),
    ],
)
def test_bad_override_entries_are_refused(tmp_path, entry, message):
    with pytest.raises(ValueError, match=message):
        rates_load(_write(tmp_path, [entry]))


def test_missing_overrides_file_is_an_error_not_a_silent_fallback(tmp_path):
    with pytest.raises(ValueError, match="上書き設定ファイルを読めません"):
        rates_load(tmp_path / "missing.json")


def test_overrides_file_is_read_again_when_it_changes(tmp_path):
    path = _write(
        tmp_path, [{"item": "pm.per_person", "fiscal_year": 2025, "value": 1, "source": "a"}]
    )
    assert rates_load(path).get("pm.per_person", 2025).value == 1
    _write(tmp_path, [{"item": "pm.per_person", "fiscal_year": 2025, "value": 22, "source": "b"}])
    assert rates_load(path).get("pm.per_person", 2025).value == 22


# --- months ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "fy2023", "fy2024"),
    [
        (MonthCounting.STARTED_MONTHS, Decimal(6), Decimal(6)),
        (MonthCounting.FULL_MONTHS, Decimal(5), Decimal(5)),
    ],
)
def test_term_across_two_fiscal_years_by_month_methods(method, fy2023, fy2024):
    start, end = D(2023, 10, 16), D(2024, 9, 15)
    assert months_in_fiscal_year(start, end, 2023, method) == fy2023
    assert months_in_fiscal_year(start, end, 2024, method) == fy2024


def test_days_method_divides_by_the_days_of_that_fiscal_year():
    start, end = D(2023, 10, 16), D(2024, 9, 15)
    # FY2023 (366 days, 2024-02-29): 16 + 30 + 31 + 31 + 29 + 31 = 168 days
    assert days_in_fiscal_year(start, end, 2023) == 168
    assert coverage_in_fiscal_year(start, end, 2023, MonthCounting.DAYS) == Fraction(168, 366)
    # FY2024 (365 days): 30 + 31 + 30 + 31 + 31 + 15 = 168 days
    assert coverage_in_fiscal_year(start, end, 2024, MonthCounting.DAYS) == Fraction(168, 365)
    months = months_in_fiscal_year(start, end, 2024, MonthCounting.DAYS)
    assert Decimal("5.52") < months < Decimal("5.53")


def test_half_a_leap_fiscal_year_is_exactly_six_months_by_days():
    assert months_in_fiscal_year(D(2023, 10, 1), D(2024, 3, 31), 2023, MonthCounting.DAYS) == 6


def test_a_whole_fiscal_year_is_twelve_months_by_every_method():
    for method in MonthCounting:
        assert months_in_fiscal_year(D(2020, 1, 1), D(2030, 1, 1), 2023, method) == 12


def test_a_single_partial_month_counts_only_when_started_months():
    start, end = D(2023, 5, 10), D(2023, 5, 20)
    assert months_in_fiscal_year(start, end, 2023, MonthCounting.STARTED_MONTHS) == 1
    assert months_in_fiscal_year(start, end, 2023, MonthCounting.FULL_MONTHS) == 0
    assert (
        months_in_fiscal_year(D(2023, 5, 1), D(2023, 5, 31), 2023, MonthCounting.FULL_MONTHS) == 1
    )


def test_a_term_outside_the_fiscal_year_counts_nothing():
    for method in MonthCounting:
        assert months_in_fiscal_year(D(2021, 4, 1), D(2022, 3, 31), 2023, method) == 0


def test_end_before_start_is_refused():
    with pytest.raises(ValueError, match="より前"):
        months_in_fiscal_year(D(2023, 5, 1), D(2023, 4, 1), 2023, MonthCounting.DAYS)


terms = st.tuples(
    st.dates(min_value=D(2019, 1, 1), max_value=D(2028, 12, 31)),
    st.integers(min_value=0, max_value=1500),
)


@given(terms, st.sampled_from(list(MonthCounting)))
def test_months_over_all_fiscal_years_add_up(term, method):
    start, length = term
    end = start + dt.timedelta(days=length)
    years = range(start.year - 1, end.year + 1)
    shares = [coverage_in_fiscal_year(start, end, fy, method) for fy in years]
    assert all(0 <= s <= 1 for s in shares)
    if method is MonthCounting.DAYS:
        assert sum(days_in_fiscal_year(start, end, fy) for fy in years) == length + 1
    if method is MonthCounting.STARTED_MONTHS:
        calendar_months = (end.year * 12 + end.month) - (start.year * 12 + start.month) + 1
        assert sum(s * 12 for s in shares) == calendar_months


@given(terms, st.integers(min_value=2019, max_value=2028))
def test_full_months_never_exceed_started_months(term, fy):
    start, length = term
    end = start + dt.timedelta(days=length)
    full = months_in_fiscal_year(start, end, fy, MonthCounting.FULL_MONTHS)
    started = months_in_fiscal_year(start, end, fy, MonthCounting.STARTED_MONTHS)
    assert 0 <= full <= started <= 12


# --- terms, amounts, variants -------------------------------------------------------------------


def test_three_year_kyoryokutai_term_from_april_fits_even_across_a_leap_year():
    assert term_bounds_problem(FundingProgram.KYORYOKUTAI, D(2023, 4, 1), D(2026, 3, 31)) is None
    assert term_bounds_problem(FundingProgram.KYORYOKUTAI, D(2023, 4, 1), D(2024, 3, 31)) is None


def test_kyoryokutai_term_longer_than_three_years_or_shorter_than_one_is_a_problem():
    long = term_bounds_problem(FundingProgram.KYORYOKUTAI, D(2023, 4, 1), D(2026, 4, 1))
    short = term_bounds_problem(FundingProgram.KYORYOKUTAI, D(2023, 4, 1), D(2024, 3, 30))
    assert long is not None
    assert "1年〜3年" in long
    assert "令和8年4月1日" in long
    assert short is not None


def test_intern_term_is_two_weeks_to_three_months():
    assert term_bounds_problem(FundingProgram.INTERN, D(2023, 8, 1), D(2023, 8, 14)) is None
    assert term_bounds_problem(FundingProgram.INTERN, D(2023, 8, 1), D(2023, 8, 13)) is not None
    assert term_bounds_problem(FundingProgram.INTERN, D(2023, 8, 1), D(2023, 10, 31)) is None
    assert term_bounds_problem(FundingProgram.INTERN, D(2023, 8, 1), D(2023, 11, 1)) is not None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2800000", 2_800_000),
        ("2,800,000", 2_800_000),
        ("２８０００００", 2_800_000),
        ("0", 0),
        ("1,000円", 1000),
    ],
)
def test_parse_yen_accepts_whole_yen(text, value):
    assert parse_yen(text) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [("-1", "0以上"), ("1.5", "整数"), ("abc", "整数"), ("", "整数"), ("1e6", "整数")],
)
def test_parse_yen_refuses_negative_fractional_and_other_text(text, message):
    with pytest.raises(ValueError, match=message):
        parse_yen(text)


def test_parse_yen_refuses_fractional_decimals():
    with pytest.raises(ValueError, match="小数"):
        parse_yen(Decimal("10.5"))
    assert parse_yen(Decimal("10.00")) == Decimal(10)


def test_every_opening_program_maps_to_a_funding_program():
    for program in OpeningProgram:
        assert program_from_opening(program).value == program.value


def test_variants_default_per_program_and_foreign_ones_are_refused():
    assert variant_resolve(FundingProgram.KYORYOKUTAI, None) is Variant.STANDARD
    assert variant_resolve(FundingProgram.KIGYOJIN, "") is Variant.DISPATCH
    assert variant_resolve(FundingProgram.KIGYOJIN, "side_job") is Variant.SIDE_JOB
    assert variant_resolve(FundingProgram.PM, None) is Variant.SINGLE
    with pytest.raises(ValueError, match="副業型"):
        variant_resolve(FundingProgram.KIGYOJIN, "expert")
    with pytest.raises(ValueError, match="指定できません"):
        variant_resolve(FundingProgram.KYORYOKUTAI, "bogus")
