"""Pure member rules (no database): term bounds over calendar dates (leap years included), report
months and due dates, the checks on a report, and the 定住 figures computed the way the
ministry's 定住状況調査 computes them (docs/domain-rules.md §4.2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hitonagare.members import rules
from hitonagare.members.rules import Activity, EndedMember, Residence
from hitonagare.recruiting.rules import TERM_BOUNDS, OpeningProgram, Term, TermUnit

P = OpeningProgram
D = dt.date
ONE_DAY = dt.timedelta(days=1)

# --- add_term: calendar arithmetic ----------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "term", "expected"),
    [
        (D(2025, 4, 1), Term(3, TermUnit.YEARS), D(2028, 4, 1)),  # across 2028-02-29
        (D(2025, 4, 1), Term(1, TermUnit.YEARS), D(2026, 4, 1)),
        (D(2025, 4, 1), Term(36, TermUnit.MONTHS), D(2028, 4, 1)),
        (D(2024, 2, 29), Term(1, TermUnit.YEARS), D(2025, 2, 28)),  # no 29th: clipped
        (D(2024, 2, 29), Term(4, TermUnit.YEARS), D(2028, 2, 29)),
        (D(2025, 1, 31), Term(1, TermUnit.MONTHS), D(2025, 2, 28)),
        (D(2024, 1, 31), Term(1, TermUnit.MONTHS), D(2024, 2, 29)),
        (D(2025, 8, 31), Term(6, TermUnit.MONTHS), D(2026, 2, 28)),
        (D(2025, 11, 15), Term(3, TermUnit.MONTHS), D(2026, 2, 15)),  # over the new year
        (D(2025, 4, 1), Term(2, TermUnit.WEEKS), D(2025, 4, 15)),
        (D(2025, 12, 30), Term(3, TermUnit.DAYS), D(2026, 1, 2)),
    ],
)
def test_add_term_counts_calendar_months_and_years(
    start: dt.date, term: Term, expected: dt.date
) -> None:
    assert rules.add_term(start, term) == expected


def test_term_days_counts_both_ends() -> None:
    assert rules.term_days(D(2025, 4, 1), D(2026, 3, 31)) == 365
    assert rules.term_days(D(2027, 4, 1), D(2028, 3, 31)) == 366  # 2028 is a leap year
    assert rules.term_days(D(2025, 4, 1), D(2028, 3, 31)) == 1096
    assert rules.term_days(D(2025, 4, 1), D(2025, 4, 1)) == 1


# --- term bounds by program -----------------------------------------------------------------

TERM_DATE_CASES = [
    # 協力隊: 1年以上3年以下. 2025-04-01..2028-03-31 is exactly three years (1,096 days with
    # 2028-02-29); one more day is not.
    (P.KYORYOKUTAI, D(2025, 4, 1), D(2028, 3, 31), True),
    (P.KYORYOKUTAI, D(2025, 4, 1), D(2028, 4, 1), False),
    (P.KYORYOKUTAI, D(2025, 4, 1), D(2026, 3, 31), True),  # one year
    (P.KYORYOKUTAI, D(2025, 4, 1), D(2026, 3, 30), False),  # a day short
    (P.KYORYOKUTAI, D(2027, 4, 1), D(2028, 3, 31), True),  # one leap year: 366 days
    (P.KYORYOKUTAI, D(2027, 4, 1), D(2028, 3, 30), False),  # 365 days, still short
    (P.KYORYOKUTAI, D(2024, 2, 29), D(2025, 2, 27), True),  # leap day start: to 2/28
    (P.KYORYOKUTAI, D(2024, 2, 29), D(2025, 2, 26), False),
    (P.KYORYOKUTAI, D(2024, 2, 29), D(2027, 2, 27), True),
    (P.KYORYOKUTAI, D(2024, 2, 29), D(2027, 2, 28), False),
    (P.KYORYOKUTAI, D(2025, 10, 1), D(2028, 9, 30), True),  # not on a fiscal year
    # 地域プロジェクトマネージャー: the same 1〜3年.
    (P.PM, D(2025, 4, 1), D(2028, 3, 31), True),
    (P.PM, D(2025, 4, 1), D(2028, 4, 1), False),
    (P.PM, D(2025, 4, 1), D(2026, 3, 31), True),
    (P.PM, D(2025, 4, 1), D(2026, 3, 30), False),
    # インターン: 2週間〜3か月.
    (P.INTERN, D(2025, 4, 1), D(2025, 4, 14), True),  # 14 days
    (P.INTERN, D(2025, 4, 1), D(2025, 4, 13), False),
    (P.INTERN, D(2025, 4, 1), D(2025, 6, 30), True),  # three months
    (P.INTERN, D(2025, 4, 1), D(2025, 7, 1), False),
    (P.INTERN, D(2025, 12, 1), D(2026, 2, 28), True),  # over the new year, short February
    (P.INTERN, D(2025, 12, 1), D(2026, 3, 1), False),
    # 地域活性化起業人: 6か月〜3年.
    (P.KIGYOJIN, D(2025, 4, 1), D(2025, 9, 30), True),
    (P.KIGYOJIN, D(2025, 4, 1), D(2025, 9, 29), False),
    (P.KIGYOJIN, D(2025, 4, 1), D(2028, 3, 31), True),
    (P.KIGYOJIN, D(2025, 4, 1), D(2028, 4, 1), False),
    # おためし: a few days (accepted: 1〜14日).
    (P.OTAMESHI, D(2025, 8, 1), D(2025, 8, 1), True),  # a single day
    (P.OTAMESHI, D(2025, 8, 1), D(2025, 8, 3), True),  # 2泊3日
    (P.OTAMESHI, D(2025, 8, 1), D(2025, 8, 14), True),
    (P.OTAMESHI, D(2025, 8, 1), D(2025, 8, 15), False),
]


@pytest.mark.parametrize(("program", "start", "end", "fits"), TERM_DATE_CASES)
def test_term_dates_fit_the_program_bounds(
    program: OpeningProgram, start: dt.date, end: dt.date, fits: bool
) -> None:
    problem = rules.term_dates_problem(program, start, end)
    assert (problem is None) is fits, problem


def test_a_term_over_three_years_says_the_bounds_and_the_days_entered() -> None:
    problem = rules.term_dates_problem(P.KYORYOKUTAI, D(2025, 4, 1), D(2028, 4, 1))
    assert problem == "地域おこし協力隊の任期は1年〜3年です（入力: 1097日間）。"


def test_an_intern_term_message_names_weeks_and_months() -> None:
    problem = rules.term_dates_problem(P.INTERN, D(2025, 4, 1), D(2025, 4, 10))
    assert problem == "地域おこし協力隊インターンの任期は2週間〜3か月です（入力: 10日間）。"


def test_an_end_before_the_start_is_refused_whatever_the_program() -> None:
    for program in P:
        assert (
            rules.term_dates_problem(program, D(2025, 4, 2), D(2025, 4, 1))
            == "任期の終了日は開始日より後の日付にしてください。"
        )


@given(
    start=st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)),
    program=st.sampled_from(list(P)),
)
def test_the_longest_and_shortest_terms_fit_and_one_day_more_or_less_does_not(
    start: dt.date, program: OpeningProgram
) -> None:
    bounds = TERM_BOUNDS[program]
    longest = rules.add_term(start, bounds.maximum) - ONE_DAY
    shortest = rules.add_term(start, bounds.minimum) - ONE_DAY
    assert rules.term_dates_problem(program, start, longest) is None
    assert rules.term_dates_problem(program, start, shortest) is None
    assert rules.term_dates_problem(program, start, longest + ONE_DAY) is not None
    assert rules.term_dates_problem(program, start, shortest - ONE_DAY) is not None


def test_a_renewal_within_three_years_in_total_is_fine() -> None:
    start = D(2025, 4, 1)
    assert rules.term_total_problem(P.KYORYOKUTAI, start, [D(2026, 3, 31)]) is None
    assert rules.term_total_problem(P.KYORYOKUTAI, start, [D(2027, 3, 31), D(2028, 3, 31)]) is None


def test_a_renewal_past_three_years_in_total_is_refused_with_the_total_term() -> None:
    problem = rules.term_total_problem(
        P.KYORYOKUTAI, D(2025, 4, 1), [D(2027, 3, 31), D(2028, 4, 1)]
    )
    assert problem == (
        "更新後の通算任期が地域おこし協力隊の上限を超えます。"
        "地域おこし協力隊の任期は1年〜3年です（入力: 1097日間）。"
    )


def test_a_kigyojin_renewal_is_judged_on_its_own_bounds() -> None:
    start = D(2025, 4, 1)
    assert rules.term_total_problem(P.KIGYOJIN, start, [D(2025, 9, 30), D(2028, 3, 31)]) is None
    assert rules.term_total_problem(P.KIGYOJIN, start, [D(2028, 4, 1)]) is not None


# --- report months and due dates ------------------------------------------------------------


def test_report_months_are_every_month_the_term_touches() -> None:
    assert rules.report_months(D(2025, 4, 15), D(2025, 7, 1)) == [
        D(2025, 4, 1),
        D(2025, 5, 1),
        D(2025, 6, 1),
        D(2025, 7, 1),
    ]


def test_report_months_cross_the_new_year() -> None:
    assert rules.report_months(D(2025, 11, 30), D(2026, 2, 1)) == [
        D(2025, 11, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
        D(2026, 2, 1),
    ]


def test_a_three_year_term_has_thirty_six_report_months() -> None:
    months = rules.report_months(D(2025, 4, 1), D(2028, 3, 31))
    assert len(months) == 36
    assert (months[0], months[-1]) == (D(2025, 4, 1), D(2028, 3, 1))


def test_a_single_day_term_has_one_report_month() -> None:
    assert rules.report_months(D(2025, 8, 31), D(2025, 8, 31)) == [D(2025, 8, 1)]


@pytest.mark.parametrize(
    ("month", "due_day", "expected"),
    [
        (D(2025, 4, 1), 5, D(2025, 5, 5)),  # the default: the 5th of the next month
        (D(2025, 12, 1), 5, D(2026, 1, 5)),  # December → January of the next year
        (D(2025, 1, 1), 31, D(2025, 2, 28)),  # February has no 31st: its last day
        (D(2024, 1, 1), 31, D(2024, 2, 29)),  # … 29th in a leap year
        (D(2025, 3, 1), 31, D(2025, 4, 30)),
        (D(2025, 4, 1), 31, D(2025, 5, 31)),
        (D(2025, 4, 1), 0, D(2025, 5, 1)),  # nonsense settings are clipped, not a crash
        (D(2025, 4, 1), 99, D(2025, 5, 31)),
    ],
)
def test_report_due_date_is_the_due_day_of_the_next_month(
    month: dt.date, due_day: int, expected: dt.date
) -> None:
    assert rules.report_due_date(month, due_day) == expected


def test_a_report_is_overdue_only_after_its_due_date() -> None:
    start, end = D(2025, 4, 1), D(2028, 3, 31)
    assert rules.months_due_by(start, end, D(2025, 5, 5), 5) == []  # due today: not late yet
    assert rules.months_due_by(start, end, D(2025, 5, 6), 5) == [D(2025, 4, 1)]
    assert rules.months_due_by(start, end, D(2025, 6, 6), 5) == [D(2025, 4, 1), D(2025, 5, 1)]
    # A later due day moves the deadline: May's report is not due before 6/15.
    assert rules.months_due_by(start, end, D(2025, 6, 6), 15) == [D(2025, 4, 1)]


def test_months_due_stop_at_the_end_of_the_term() -> None:
    assert rules.months_due_by(D(2025, 4, 1), D(2025, 6, 30), D(2026, 1, 1), 5) == [
        D(2025, 4, 1),
        D(2025, 5, 1),
        D(2025, 6, 1),
    ]


def test_nothing_is_due_before_the_term_starts() -> None:
    assert rules.months_due_by(D(2026, 4, 1), D(2029, 3, 31), D(2026, 3, 31), 5) == []


@given(
    start=st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)),
    length=st.integers(min_value=0, max_value=1200),
    today=st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31)),
    due_day=st.integers(min_value=1, max_value=31),
)
def test_months_due_are_term_months_whose_due_date_has_passed(
    start: dt.date, length: int, today: dt.date, due_day: int
) -> None:
    end = start + dt.timedelta(days=length)
    months = rules.report_months(start, end)
    due = rules.months_due_by(start, end, today, due_day)
    assert due == [m for m in months if rules.report_due_date(m, due_day) < today]
    assert due == months[: len(due)]  # always a prefix: the earliest months fall due first
    for month in months:
        assert month.day == 1
        assert rules.report_due_date(month, due_day) > month


@pytest.mark.parametrize(
    ("month", "message"),
    [
        (D(2025, 5, 2), "報告月は月の初日で指定してください。"),
        (D(2025, 3, 1), "任期外の月の報告は提出できません。"),
        (D(2028, 4, 1), "任期外の月の報告は提出できません。"),
        (D(2025, 7, 1), "まだ始まっていない月の報告は提出できません。"),
    ],
)
def test_a_report_month_outside_the_term_or_in_the_future_is_refused(
    month: dt.date, message: str
) -> None:
    problem = rules.reportable_month_problem(month, D(2025, 4, 15), D(2028, 3, 31), D(2025, 6, 10))
    assert problem == message


def test_the_current_month_and_the_first_month_of_a_mid_month_start_can_be_reported() -> None:
    start, end, today = D(2025, 4, 15), D(2028, 3, 31), D(2025, 6, 10)
    assert rules.reportable_month_problem(D(2025, 4, 1), start, end, today) is None
    assert rules.reportable_month_problem(D(2025, 6, 1), start, end, today) is None


def test_the_last_month_of_an_ended_term_can_still_be_reported() -> None:
    assert (
        rules.reportable_month_problem(D(2025, 9, 1), D(2025, 4, 1), D(2025, 9, 15), D(2026, 1, 1))
        is None
    )


def test_report_figures_within_the_month_are_fine() -> None:
    assert (
        rules.report_problems(days_worked=20, hours_worked=Decimal("155.5"), month=D(2025, 4, 1))
        == {}
    )
    assert rules.report_problems(days_worked=0, hours_worked=Decimal(0), month=D(2025, 4, 1)) == {}
    assert (
        rules.report_problems(days_worked=29, hours_worked=Decimal(200), month=D(2024, 2, 1)) == {}
    )


@pytest.mark.parametrize(
    ("days", "hours", "month", "errors"),
    [
        (29, Decimal(100), D(2025, 2, 1), {"days_worked": "活動日数は0〜28日で入力してください。"}),
        (31, Decimal(100), D(2025, 4, 1), {"days_worked": "活動日数は0〜30日で入力してください。"}),
        (32, Decimal(100), D(2025, 5, 1), {"days_worked": "活動日数は0〜31日で入力してください。"}),
        (
            20,
            Decimal(-1),
            D(2025, 4, 1),
            {"hours_worked": "活動時間は0〜400時間で入力してください。"},
        ),
        (
            31,
            Decimal("400.5"),
            D(2025, 5, 1),
            {"hours_worked": "活動時間は0〜400時間で入力してください。"},
        ),
        (
            2,
            Decimal("48.5"),
            D(2025, 4, 1),
            {"hours_worked": "活動時間が活動日数×24時間を超えています。"},
        ),
        (
            0,
            Decimal("0.5"),
            D(2025, 4, 1),
            {"hours_worked": "活動時間が活動日数×24時間を超えています。"},
        ),
    ],
)
def test_report_figures_outside_the_month_are_refused(
    days: int, hours: Decimal, month: dt.date, errors: dict[str, str]
) -> None:
    assert rules.report_problems(days_worked=days, hours_worked=hours, month=month) == errors


# --- 定住 figures -----------------------------------------------------------------------------


def _members(**counts: int) -> list[EndedMember]:
    """`same_startup=2, nearby=3, none=1`: residence_activity → how many people."""
    members: list[EndedMember] = []
    for key, count in counts.items():
        residence_key, _, activity_key = key.partition("_")
        residence = None if residence_key == "none" else Residence(residence_key)
        activity = Activity(activity_key) if activity_key else None
        members.extend([EndedMember(residence, activity)] * count)
    return members


def test_the_r5_survey_is_reproduced() -> None:
    """R5.3.31: 終了者 11,123; 同一 5,779 (52.0%) + 近隣 1,435 (12.9%) = 定住 7,214 (64.9%);
    他地域転出 2,470; 不明 1,439; 起業 2,497 of the 同一市町村定住 (43.2%)."""
    members = _members(
        same_startup=2_497,
        same_employed=1_900,  # the 就業 figure is cut off in the source: the rest is made up
        same_farming=800,
        same_succession=82,
        same_other=500,
        nearby_employed=1_435,
        other_employed=2_470,
        unknown=1_000,
        none=439,  # nobody answered: 不明 too
    )
    figures = rules.settlement_figures(members)
    assert figures.ended == 11_123
    assert (figures.same, figures.nearby) == (5_779, 1_435)
    assert figures.settled == 7_214
    assert figures.moved_away == 2_470
    assert figures.unknown == 1_439
    assert figures.settlement_rate == Decimal("64.9")
    assert figures.same_rate == Decimal("52.0")
    assert figures.nearby_rate == Decimal("12.9")
    assert figures.same_by_activity[Activity.STARTUP] == 2_497
    assert figures.activity_rate(Activity.STARTUP) == Decimal("43.2")
    # 近隣 and 他地域 answers are not part of the activity breakdown (it is of 同一市町村定住).
    assert sum(figures.same_by_activity.values()) == 5_779


def test_the_h29_survey_is_reproduced() -> None:
    """H29.3.31: 2,230 終了者; 同一 1,075 (48%) + 近隣 321 (14%)."""
    figures = rules.settlement_figures(
        _members(same_employed=1_075, nearby_other=321, other_other=834)
    )
    assert figures.ended == 2_230
    assert figures.same_rate == Decimal("48.2")
    assert figures.nearby_rate == Decimal("14.4")
    assert figures.settlement_rate == Decimal("62.6")


def test_people_with_no_answer_stay_in_the_denominator_as_unknown() -> None:
    figures = rules.settlement_figures(_members(same_startup=1, none=3))
    assert (figures.ended, figures.unknown) == (4, 3)
    assert figures.settlement_rate == Decimal("25.0")


def test_a_same_answer_without_an_activity_counts_as_settled_only() -> None:
    figures = rules.settlement_figures(_members(same=2, same_startup=2))
    assert figures.same == 4
    assert figures.same_by_activity[Activity.STARTUP] == 2
    assert figures.activity_rate(Activity.STARTUP) == Decimal("50.0")
    assert figures.activity_rate(Activity.STUDY) == Decimal("0.0")


def test_nobody_ended_gives_no_rate_rather_than_zero() -> None:
    figures = rules.settlement_figures([])
    assert figures.ended == 0
    assert figures.settlement_rate is None
    assert figures.same_rate is None
    assert figures.activity_rate(Activity.STARTUP) is None
    assert set(figures.same_by_activity) == set(Activity)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (1, 8, Decimal("12.5")),
        (1, 16, Decimal("6.3")),  # 6.25: half up, as printed
        (1, 1, Decimal("100.0")),
        (0, 5, Decimal("0.0")),
    ],
)
def test_percent_rounds_half_up_to_one_decimal(part: int, whole: int, expected: Decimal) -> None:
    assert rules.percent(part, whole) == expected


member_strategy = st.builds(
    EndedMember,
    residence=st.one_of(st.none(), st.sampled_from(list(Residence))),
    activity=st.one_of(st.none(), st.sampled_from(list(Activity))),
)


@given(st.lists(member_strategy, max_size=200))
def test_settlement_counts_add_up_and_rates_stay_within_bounds(
    members: list[EndedMember],
) -> None:
    figures = rules.settlement_figures(members)
    assert figures.ended == len(members)
    assert figures.same + figures.nearby + figures.moved_away + figures.unknown == figures.ended
    assert figures.settled == figures.same + figures.nearby <= figures.ended
    assert sum(figures.same_by_activity.values()) <= figures.same
    assert figures.unknown == sum(1 for m in members if m.residence in (None, Residence.UNKNOWN))
    if members:
        for rate in (figures.settlement_rate, figures.same_rate, figures.nearby_rate):
            assert rate is not None
            assert Decimal(0) <= rate <= Decimal(100)
        assert figures.same_rate is not None
        assert figures.nearby_rate is not None
        assert figures.settlement_rate is not None
        # Rounded separately, the parts may differ from the whole by at most 0.1.
        assert abs(figures.same_rate + figures.nearby_rate - figures.settlement_rate) <= Decimal(
            "0.1"
        )
    else:
        assert figures.settlement_rate is None


def test_follow_up_is_due_a_year_after_the_end() -> None:
    assert rules.follow_up_due(D(2025, 3, 31)) == D(2026, 3, 31)


def test_negative_days_give_one_message_not_a_misleading_second():
    import datetime as _dt
    from decimal import Decimal as _D

    from hitonagare.members import rules as _rules

    errors = _rules.report_problems(
        days_worked=-1, hours_worked=_D("10"), month=_dt.date(2025, 4, 1)
    )
    assert set(errors) == {"days_worked"}
