"""The estimate calculator (pure, no DB): hand-computed yen for each program and rule."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal

import pytest

from hitonagare.funding.calculator import (
    EstimateSettings,
    MemberYearInput,
    MunicipalityYearInput,
    estimate_input_problems,
    member_estimate,
    municipality_estimate,
    national_totals,
)
from hitonagare.funding.rules import CapReading, FundingProgram, MonthCounting, Variant, rates_load

D = dt.date
P = FundingProgram
RATES = rates_load()


def member(program: FundingProgram = P.KYORYOKUTAI, **overrides) -> MemberYearInput:
    values = {
        "member_ref": "m1",
        "name": "山田 花子",
        "program": program,
        "start": D(2023, 4, 1),
        "end": D(2026, 3, 31),
        "eligible": True,
    }
    values.update(overrides)
    return MemberYearInput(**values)


def estimate(m: MemberYearInput, fy: int = 2023, rates=RATES, **settings):
    return member_estimate(m, fiscal_year=fy, rates=rates, settings=EstimateSettings(**settings))


def by_item(result) -> dict:
    return {item.item: item for item in result.items}


def codes(result) -> list[str]:
    return [flag.code for flag in result.flags]


# --- 地域おこし協力隊 ---------------------------------------------------------------------------


def test_kyoryokutai_r5_full_year_is_capped_at_280_and_200_man():
    result = estimate(member(reward_yen=Decimal(3_000_000), expenses_yen=Decimal(2_500_000)))
    items = by_item(result)
    assert items["kyoryokutai.reward"].cap == Decimal(2_800_000)
    assert items["kyoryokutai.reward"].amount == Decimal(2_800_000)
    assert items["kyoryokutai.other"].cap == Decimal(2_000_000)
    assert items["kyoryokutai.other"].amount == Decimal(2_000_000)
    assert result.total == Decimal(4_800_000)
    assert result.total_is_partial is False
    assert codes(result).count("cap_exceeded") == 2
    assert result.months == 12
    reward = items["kyoryokutai.reward"]
    assert "総務省 広報誌" in reward.source
    assert "min(申請額 3,000,000円, 上限 2,800,000円) = 2,800,000円" in reward.explanation


def test_kyoryokutai_under_the_caps_counts_what_was_spent():
    result = estimate(member(reward_yen=Decimal(2_400_000), expenses_yen=Decimal(1_000_000)))
    assert result.total == Decimal(3_400_000)
    assert "cap_exceeded" not in codes(result)


TERM = {"start": D(2023, 10, 16), "end": D(2024, 9, 15), "reward_yen": Decimal(3_000_000)}


@pytest.mark.parametrize(
    ("method", "fy", "cap"),
    [
        # 2,800,000 × 6/12 ; R6 3,200,000 × 6/12
        (MonthCounting.STARTED_MONTHS, 2023, 1_400_000),
        (MonthCounting.STARTED_MONTHS, 2024, 1_600_000),
        # 2,800,000 × 5/12 = 1,166,666.67 → 1,166,666 ; 3,200,000 × 5/12 = 1,333,333.33
        (MonthCounting.FULL_MONTHS, 2023, 1_166_666),
        (MonthCounting.FULL_MONTHS, 2024, 1_333_333),
        # 2,800,000 × 168/366 = 1,285,245.9 ; 3,200,000 × 168/365 = 1,472,876.7
        (MonthCounting.DAYS, 2023, 1_285_245),
        (MonthCounting.DAYS, 2024, 1_472_876),
    ],
)
def test_term_across_two_fiscal_years_prorates_the_reward_cap(method, fy, cap):
    result = estimate(member(**TERM), fy=fy, month_counting=method)
    reward = by_item(result)["kyoryokutai.reward"]
    assert reward.cap == Decimal(cap)
    assert reward.amount == Decimal(cap)
    assert reward.annual_cap == Decimal(2_800_000 if fy == 2023 else 3_200_000)
    # the method is named and said to be a setting, not law
    assert "法令ではなく" in reward.explanation
    assert "円未満切り捨て" in reward.explanation


def test_the_r6_other_expenses_cap_is_flagged_as_inferred():
    result = estimate(member(**TERM, expenses_yen=Decimal(500_000)), fy=2024)
    inferred = [f for f in result.flags if f.code == "cap_inferred"]
    assert [f.item for f in inferred] == ["kyoryokutai.other"]
    assert by_item(result)["kyoryokutai.other"].amount == Decimal(500_000)


def test_r3_uses_the_470_man_total_because_the_split_is_not_known():
    result = estimate(
        member(
            start=D(2021, 4, 1),
            end=D(2024, 3, 31),
            reward_yen=Decimal(3_000_000),
            expenses_yen=Decimal(2_000_000),
        ),
        fy=2021,
    )
    assert [i.item for i in result.items] == ["kyoryokutai.total"]
    total = result.items[0]
    assert total.claimed == Decimal(5_000_000)
    assert total.amount == Decimal(4_700_000)
    assert "内訳の上限が資料になく" in total.explanation
    assert result.total == Decimal(4_700_000)


def test_r6_expert_tier_has_its_own_reward_cap():
    result = estimate(member(variant=Variant.EXPERT, reward_yen=Decimal(4_500_000)), fy=2024)
    reward = by_item(result)["kyoryokutai.reward.expert"]
    assert reward.cap == Decimal(4_200_000)
    assert reward.amount == Decimal(4_200_000)


def test_a_tier_before_r6_falls_back_to_the_standard_cap_with_a_flag():
    result = estimate(member(variant=Variant.DISADVANTAGED, reward_yen=Decimal(3_500_000)))
    assert by_item(result)["kyoryokutai.reward"].amount == Decimal(2_800_000)
    assert "tier_not_available" in codes(result)


def test_kyoryokutai_r7_caps_are_unknown_so_nothing_is_computed_and_the_total_is_partial():
    result = estimate(
        member(reward_yen=Decimal(3_000_000), expenses_yen=Decimal(1_000_000)), fy=2025
    )
    for item in result.items:
        assert item.cap is None
        assert item.amount is None
        assert "上限が不明" in item.explanation
    assert result.total == 0
    assert result.total_is_partial is True
    assert codes(result).count("cap_unknown") == 2
    assert "total_is_partial" in codes(result)
    assert result.to_dict()["items"][0]["amount"] is None


def test_not_meeting_the_area_requirement_counts_zero():
    result = estimate(
        member(eligible=False, reward_yen=Decimal(2_000_000), startup_yen=Decimal(500_000)), fy=2025
    )
    assert result.total == 0
    assert result.total_is_partial is False  # 0 is certain, even where the cap is unknown
    assert all(item.amount == 0 for item in result.items)
    assert "area_requirement_not_met" in codes(result)
    assert next(f for f in result.flags if f.code == "area_requirement_not_met").level == "error"


def test_area_requirement_not_evaluated_is_computed_but_flagged():
    result = estimate(member(eligible=None, reward_yen=Decimal(1_000_000)))
    assert result.total == Decimal(1_000_000)
    assert "area_requirement_unknown" in codes(result)


def test_area_requirement_does_not_apply_to_the_intern():
    result = estimate(
        member(
            P.INTERN,
            eligible=False,
            start=D(2023, 8, 1),
            end=D(2023, 8, 31),
            days=10,
            expenses_yen=Decimal(100_000),
        )
    )
    assert result.total == Decimal(100_000)
    assert "area_requirement_not_met" not in codes(result)


def test_startup_counts_in_the_year_after_the_term_without_a_term_flag():
    result = estimate(
        member(start=D(2020, 4, 1), end=D(2023, 3, 31), startup_yen=Decimal(1_200_000))
    )
    startup = by_item(result)["kyoryokutai.startup"]
    assert startup.cap == Decimal(1_000_000)
    assert startup.amount == Decimal(1_000_000)
    assert "按分しません" in startup.explanation
    assert result.total == Decimal(1_000_000)
    assert "term_not_in_fiscal_year" not in codes(result)


def test_startup_before_the_final_year_counts_zero():
    result = estimate(member(startup_yen=Decimal(800_000)))  # term ends in FY2025
    assert by_item(result)["kyoryokutai.startup"].amount == 0
    assert "startup_not_in_final_year" in codes(result)


def test_startup_in_r3_and_r4_is_flagged_as_inferred():
    result = estimate(
        member(start=D(2019, 4, 1), end=D(2022, 3, 31), startup_yen=Decimal(1_000_000)), fy=2021
    )
    assert by_item(result)["kyoryokutai.startup"].amount == Decimal(1_000_000)
    assert "cap_inferred" in codes(result)


# --- other programs ------------------------------------------------------------------------------


def test_intern_cap_is_12000_yen_per_day():
    result = estimate(
        member(
            P.INTERN,
            start=D(2023, 8, 1),
            end=D(2023, 8, 31),
            days=20,
            reward_yen=Decimal(200_000),
            expenses_yen=Decimal(100_000),
        )
    )
    item = by_item(result)["intern.per_person_day"]
    assert item.cap == Decimal(240_000)  # 12,000 × 20
    assert item.amount == Decimal(240_000)
    assert "cap_exceeded" in codes(result)
    assert "intern_days_assumed" not in codes(result)


def test_intern_without_days_uses_the_calendar_days_and_says_so():
    result = estimate(
        member(P.INTERN, start=D(2023, 8, 1), end=D(2023, 8, 31), expenses_yen=Decimal(500_000))
    )
    assert by_item(result)["intern.per_person_day"].cap == Decimal(372_000)  # 12,000 × 31
    assert "intern_days_assumed" in codes(result)


def test_intern_days_beyond_the_term_are_refused():
    with pytest.raises(ValueError, match="活動日数"):
        estimate(member(P.INTERN, start=D(2023, 8, 1), end=D(2023, 8, 31), days=40))


def test_pm_is_capped_at_650_man_and_flagged_inferred_after_r3():
    result = estimate(member(P.PM, reward_yen=Decimal(6_000_000), expenses_yen=Decimal(1_000_000)))
    item = by_item(result)["pm.per_person"]
    assert item.claimed == Decimal(7_000_000)
    assert item.amount == Decimal(6_500_000)
    assert "cap_inferred" in codes(result)


def test_a_second_pm_in_the_same_municipality_counts_zero():
    first = member(
        P.PM, member_ref="pm1", name="一人目", start=D(2023, 4, 1), reward_yen=Decimal(5_000_000)
    )
    second = member(
        P.PM, member_ref="pm2", name="二人目", start=D(2023, 7, 1), reward_yen=Decimal(5_000_000)
    )
    result = municipality_estimate(
        MunicipalityYearInput(
            lgcode="012025", name="函館市", fiscal_year=2023, members=[second, first]
        ),
        rates=RATES,
    )
    one, two = result.members[1], result.members[0]
    assert one.total == Decimal(5_000_000)
    assert two.total == 0
    assert "pm_second_in_municipality" in [f.code for f in two.flags]
    assert "一人目" in next(f.message for f in two.flags if f.code == "pm_second_in_municipality")
    assert result.total == Decimal(5_000_000)


def test_a_pm_who_follows_another_in_the_same_year_counts():
    first = member(
        P.PM,
        member_ref="pm1",
        start=D(2021, 4, 1),
        end=D(2023, 9, 30),
        reward_yen=Decimal(3_000_000),
    )
    successor = member(
        P.PM,
        member_ref="pm2",
        start=D(2023, 10, 1),
        end=D(2026, 9, 30),
        reward_yen=Decimal(3_000_000),
    )
    result = municipality_estimate(
        MunicipalityYearInput(
            lgcode="012025", name="函館市", fiscal_year=2023, members=[first, successor]
        ),
        rates=RATES,
    )
    # 6,500,000 × 6/12 = 3,250,000 each: both under the cap
    assert [m.total for m in result.members] == [Decimal(3_000_000), Decimal(3_000_000)]
    assert all("pm_second_in_municipality" not in codes(m) for m in result.members)


def test_kigyojin_dispatch_is_capped_at_560_man_per_year():
    result = estimate(member(P.KIGYOJIN, end=D(2024, 3, 31), reward_yen=Decimal(6_000_000)))
    assert by_item(result)["kigyojin.dispatch.per_person"].amount == Decimal(5_600_000)


@pytest.mark.parametrize(
    ("reading", "claimed", "amount"),
    [
        (CapReading.EXPENSE_CAP, 3_000_000, 500_000),  # min(3,000,000, 1,000,000) × 1/2
        (CapReading.MEASURE_CAP, 3_000_000, 1_000_000),  # min(3,000,000 × 1/2, 1,000,000)
        (CapReading.EXPENSE_CAP, 600_000, 300_000),
        (CapReading.MEASURE_CAP, 600_000, 300_000),
        (CapReading.EXPENSE_CAP, 333_333, 166_666),  # 166,666.5 rounded down
    ],
)
def test_kigyojin_project_expenses_at_one_half(reading, claimed, amount):
    result = estimate(
        member(P.KIGYOJIN, end=D(2024, 3, 31), project_yen=Decimal(claimed)), cap_reading=reading
    )
    item = by_item(result)["kigyojin.project"]
    assert item.rate == Decimal("0.5")
    assert item.amount == Decimal(amount)
    assert "読" in item.explanation  # which reading of 「上限（1/2）」 was applied


def test_kigyojin_side_job_has_reward_and_travel_caps_in_r6():
    result = estimate(
        member(
            P.KIGYOJIN,
            variant=Variant.SIDE_JOB,
            start=D(2024, 4, 1),
            end=D(2025, 3, 31),
            reward_yen=Decimal(1_200_000),
            expenses_yen=Decimal(300_000),
        ),
        fy=2024,
    )
    items = by_item(result)
    assert items["kigyojin.side.reward"].amount == Decimal(1_000_000)
    assert items["kigyojin.side.travel"].amount == Decimal(300_000)
    assert result.total == Decimal(1_300_000)


def test_kigyojin_side_job_before_r6_is_unknown():
    result = estimate(
        member(
            P.KIGYOJIN, variant=Variant.SIDE_JOB, end=D(2024, 3, 31), reward_yen=Decimal(500_000)
        )
    )
    assert result.total_is_partial is True
    assert by_item(result)["kigyojin.side.reward"].amount is None


def test_kigyojin_preparation_is_per_municipality_at_one_half():
    result = municipality_estimate(
        MunicipalityYearInput(
            lgcode="012025",
            name="函館市",
            fiscal_year=2023,
            kigyojin_preparation_yen=Decimal(1_500_000),
        ),
        rates=RATES,
    )
    item = result.items[0]
    assert item.item == "kigyojin.preparation"
    assert item.amount == Decimal(500_000)
    assert result.total == Decimal(500_000)


def test_digital_cap_is_unknown_and_the_explanation_gives_the_uncapped_half():
    result = estimate(member(P.DIGITAL, end=D(2024, 3, 31), reward_yen=Decimal(3_000_000)))
    item = by_item(result)["digital.per_person"]
    assert item.amount is None
    assert item.cap is None
    assert "1,500,000円" in item.explanation
    assert result.total_is_partial is True


def test_nichiiki_coordinator_before_r7_counts_zero_and_concurrent_is_40_man_in_r7():
    before = estimate(member(P.NICHIIKI, reward_yen=Decimal(1_000_000)))
    assert before.total == 0
    assert before.total_is_partial is False
    assert "measure_not_in_force" in codes(before)
    r7 = estimate(
        member(
            P.NICHIIKI,
            variant=Variant.COORDINATOR_CONCURRENT,
            start=D(2025, 4, 1),
            end=D(2026, 3, 31),
            reward_yen=Decimal(1_000_000),
        ),
        fy=2025,
    )
    assert r7.total == Decimal(400_000)


def test_nichiiki_program_rate_is_known_but_its_cap_is_not():
    result = municipality_estimate(
        MunicipalityYearInput(
            lgcode="012025",
            name="函館市",
            fiscal_year=2025,
            nichiiki_program_yen=Decimal(2_000_000),
        ),
        rates=RATES,
    )
    item = result.items[0]
    assert item.amount is None
    assert "1,000,000円" in item.explanation  # 2,000,000 × 5割, shown but not counted
    assert result.total_is_partial is True


def test_an_override_turns_an_unknown_cap_into_a_configured_figure(tmp_path):
    path = tmp_path / "o.json"
    path.write_text(
        json.dumps(
            {
                "entries": [
                    {
                        "item": "nichiiki.program",
                        "fiscal_year": 2025,
                        "value": "none",
                        "source": "要綱",
                    },
                    {
                        "item": "otameshi.per_municipality",
                        "fiscal_year": 2023,
                        "value": 1_000_000,
                        "source": "通知",
                    },
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    rates = rates_load(path)
    result = municipality_estimate(
        MunicipalityYearInput(
            lgcode="012025",
            name="函館市",
            fiscal_year=2025,
            nichiiki_program_yen=Decimal(2_000_000),
        ),
        rates=rates,
    )
    assert result.items[0].amount == Decimal(1_000_000)
    assert result.total_is_partial is False
    # おためし: the cap is per municipality, so two members are pooled
    trial = [
        member(
            P.OTAMESHI,
            member_ref=f"o{i}",
            start=D(2023, 8, 1),
            end=D(2023, 8, 3),
            expenses_yen=Decimal(claimed),
        )
        for i, claimed in enumerate((700_000, 600_000))
    ]
    pooled = municipality_estimate(
        MunicipalityYearInput(lgcode="012025", name="函館市", fiscal_year=2023, members=trial),
        rates=rates,
    )
    assert [i.item for i in pooled.items] == ["otameshi.per_municipality.pool"]
    assert pooled.items[0].claimed == Decimal(1_300_000)
    assert pooled.items[0].amount == Decimal(1_000_000)
    assert pooled.total == Decimal(1_000_000)
    assert all(not m.counted_in_municipality for m in pooled.members)
    assert "cap_configured" in [f.code for m in pooled.members for f in m.flags]


def test_a_fiscal_year_before_r3_is_flagged_and_not_computed():
    result = estimate(
        member(start=D(2019, 4, 1), end=D(2022, 3, 31), reward_yen=Decimal(1)), fy=2020
    )
    assert "fiscal_year_not_covered" in codes(result)
    assert result.total_is_partial is True


# --- flags from the member's record -----------------------------------------------------------


def test_missing_reports_and_term_out_of_bounds_are_flagged():
    result = estimate(member(reports_missing=2, end=D(2027, 3, 31), reward_yen=Decimal(100)))
    messages = {f.code: f.message for f in result.flags}
    assert "2か月" in messages["report_missing"]
    assert "1年〜3年" in messages["term_out_of_bounds"]
    assert result.total == Decimal(100)  # warnings do not change the amounts


def test_the_callers_term_problem_is_used_as_given():
    result = estimate(member(term_problem="任期の記録が矛盾しています。"))
    assert ("term_out_of_bounds", "任期の記録が矛盾しています。") in [
        (f.code, f.message) for f in result.flags
    ]


def test_a_term_outside_the_fiscal_year_is_flagged():
    result = estimate(member(start=D(2024, 4, 1), end=D(2025, 3, 31), reward_yen=Decimal(1_000)))
    assert "term_not_in_fiscal_year" in codes(result)
    assert result.total == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"reward_yen": Decimal(-1)}, "0以上"),
        ({"expenses_yen": Decimal("1.5")}, "整数"),
        ({"end": D(2023, 3, 31)}, "より前"),
        ({"variant": "side_job"}, "区分"),
        ({"days": -1}, "活動日数"),
    ],
)
def test_bad_member_input_is_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        member(**overrides)


# --- municipalities and the nation ------------------------------------------------------------


def _municipality(lgcode: str, *members: MemberYearInput, **extra) -> MunicipalityYearInput:
    return MunicipalityYearInput(
        lgcode=lgcode, name=f"町{lgcode}", fiscal_year=2023, members=members, **extra
    )


def test_municipality_total_adds_members_and_its_own_items_and_unknown_recruitment_is_partial():
    result = municipality_estimate(
        _municipality(
            "325252",
            member(member_ref="a", reward_yen=Decimal(3_000_000), expenses_yen=Decimal(2_500_000)),
            member(member_ref="b", reward_yen=Decimal(1_000_000)),
            recruitment_yen=Decimal(2_000_000),
        ),
        rates=RATES,
    )
    assert result.total == Decimal(4_800_000 + 1_000_000)
    assert result.items[0].item == "kyoryokutai.recruitment"
    assert result.items[0].amount is None
    assert result.total_is_partial is True
    assert "total_is_partial" in [f.code for f in result.flags]
    assert result.claimed_total == Decimal(5_500_000 + 1_000_000 + 2_000_000)


def test_national_totals_sum_by_program_and_count_flags():
    estimates = [
        municipality_estimate(
            _municipality("325252", member(reward_yen=Decimal(1_000_000))), rates=RATES
        ),
        municipality_estimate(
            _municipality(
                "012025",
                member(P.PM, reward_yen=Decimal(7_000_000)),
                member(member_ref="x", eligible=False, reward_yen=Decimal(9)),
            ),
            rates=RATES,
        ),
    ]
    totals = national_totals(estimates)
    assert totals.municipalities == 2
    assert totals.members == 3
    assert totals.total == Decimal(1_000_000 + 6_500_000)
    assert totals.by_program[P.KYORYOKUTAI].members == 2
    assert totals.by_program[P.KYORYOKUTAI].amount == Decimal(1_000_000)
    assert totals.by_program[P.PM].amount == Decimal(6_500_000)
    assert totals.flag_counts["area_requirement_not_met"] == 1
    assert totals.to_dict()["total"] == 7_500_000


def test_national_totals_refuse_mixed_years():
    a = municipality_estimate(_municipality("325252"), rates=RATES)
    b = municipality_estimate(
        MunicipalityYearInput(lgcode="1", name="x", fiscal_year=2024), rates=RATES
    )
    with pytest.raises(ValueError, match="年度"):
        national_totals([a, b])


def test_ten_thousand_members_in_1200_municipalities_run_in_one_pass():
    """Timing is printed, not asserted (the machine is shared); the work is O(n)."""
    programs = list(FundingProgram)
    municipalities = []
    n = 0
    for i in range(1200):
        members = []
        for _ in range(9):
            if n == 10_000:
                break
            members.append(
                member(
                    programs[n % 7] if n % 3 == 0 else P.KYORYOKUTAI,
                    member_ref=str(n),
                    start=D(2022, 4 + n % 9, 1 + n % 20),
                    end=D(2025, 3, 31),
                    reward_yen=Decimal(2_500_000 + n),
                    expenses_yen=Decimal(1_000_000),
                    eligible=None if n % 11 == 0 else True,
                )
            )
            n += 1
        municipalities.append(_municipality(f"{i:06d}", *members))
    began = time.perf_counter()
    estimates = [municipality_estimate(m, rates=RATES) for m in municipalities]
    totals = national_totals(estimates)
    print(f"10,000 members: {time.perf_counter() - began:.3f}s")
    assert totals.members == 10_000
    assert totals.total > 0


# --- what-if input ---------------------------------------------------------------------------


def problems(**overrides):
    values = {
        "program": "kyoryokutai",
        "variant": None,
        "fiscal_year": 2023,
        "start": D(2023, 4, 1),
        "end": D(2024, 3, 31),
        "amounts": {"reward": "2800000"},
        "days": None,
        "covered_years": RATES.fiscal_years,
    }
    values.update(overrides)
    return estimate_input_problems(**values)


def test_valid_what_if_input_has_no_problems():
    assert problems() == {}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"program": "nope"}, "program", "指定できません"),
        ({"variant": "side_job"}, "variant", "区分"),
        ({"fiscal_year": 2030}, "fiscal_year", "令和3年度"),
        ({"fiscal_year": "R5"}, "fiscal_year", "西暦"),
        ({"end": D(2023, 3, 1)}, "end", "開始日より前"),
        ({"amounts": {"reward": "-5"}}, "reward", "0以上"),
        ({"amounts": {"expenses": "1.5"}}, "expenses", "整数"),
        ({"days": "10"}, "days", "インターン"),
        ({"fiscal_year": 2025}, "end", "重なっていません"),
        ({"program": "intern", "days": "400"}, "days", "超えています"),
    ],
)
def test_what_if_problems_are_japanese_messages_by_field(overrides, field, message):
    found = problems(**overrides)
    assert field in found
    assert message in found[field]


def test_startup_in_the_year_after_the_term_is_a_valid_what_if():
    assert problems(fiscal_year=2024, amounts={"startup": "1000000"}) == {}
