"""Member reads, scoped by role: municipality staff their own organisation's appointments,
prefecture staff their municipalities', the ministry everything, a member their own; the report
dashboard on a hand-built case; the 定住 report (latest answer, 不明 for no answer, the national
row for the ministry only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from tests.recruiting import factories

from hitonagare.accounts.models import User
from hitonagare.core.errors import NotFoundError, PermissionDeniedError
from hitonagare.members import rules, selectors, services, services_reports
from hitonagare.members.models import Appointment, MonthlyReport
from hitonagare.members.services import AppointmentData
from hitonagare.members.services_reports import OutcomeData, ReportData

pytestmark = pytest.mark.django_db

AMA = "325252"  # 島根県海士町
HAKODATE = "012025"  # 北海道函館市
OTARU = "012033"  # 北海道小樽市
D = dt.date
TODAY = D(2025, 6, 10)


def _data(lgcode: str, **overrides: Any) -> AppointmentData:
    data = AppointmentData(
        member_name="山田 花子",
        member_kana="やまだ はなこ",
        program="kyoryokutai",
        municipality_lgcode=lgcode,
        start_date=D(2025, 4, 1),
        planned_end_date=D(2028, 3, 31),
    )
    return replace(data, **overrides)


def _appoint(
    staff: User, lgcode: str, *, member: User | None = None, **overrides: Any
) -> Appointment:
    appointment = services.appointment_create(user=staff, data=_data(lgcode, **overrides))
    if member is not None:
        appointment = services.appointment_link_member(
            user=staff, appointment_id=appointment.pk, email=member.email
        )
    return appointment


@pytest.fixture
def people(reference_data: None) -> dict[str, User]:
    return {
        "hakodate": factories.staff_of(HAKODATE),
        "otaru": factories.staff_of(OTARU),
        "ama": factories.staff_of(AMA),
        "hokkaido": factories.prefecture_staff("01"),
        "shimane": factories.prefecture_staff("32"),
        "ministry": factories.ministry_staff(),
    }


@pytest.fixture
def appointments(people: dict[str, User]) -> dict[str, Appointment]:
    return {
        "hakodate": _appoint(people["hakodate"], HAKODATE, member_name="函館 一郎"),
        "otaru": _appoint(people["otaru"], OTARU, member_name="小樽 二郎"),
        "ama": _appoint(people["ama"], AMA, member_name="海士 三子"),
        # The prefecture itself hosts one, in 函館市.
        "hokkaido": _appoint(people["hokkaido"], HAKODATE, member_name="道庁 四郎"),
    }


def _visible(user: User) -> set[str]:
    return set(selectors.appointments_visible(user).values_list("member_name", flat=True))


# --- scoping ------------------------------------------------------------------------------------


def test_each_role_sees_its_own_appointments(
    people: dict[str, User], appointments: dict[str, Appointment]
) -> None:
    assert _visible(people["hakodate"]) == {"函館 一郎"}
    assert _visible(people["otaru"]) == {"小樽 二郎"}
    assert _visible(people["ama"]) == {"海士 三子"}
    # 北海道 sees its municipalities' and its own, never 島根県's.
    assert _visible(people["hokkaido"]) == {"函館 一郎", "小樽 二郎", "道庁 四郎"}
    assert _visible(people["shimane"]) == {"海士 三子"}
    assert _visible(people["ministry"]) == {"函館 一郎", "小樽 二郎", "海士 三子", "道庁 四郎"}


def test_a_single_appointment_outside_the_scope_is_not_found(
    people: dict[str, User], appointments: dict[str, Appointment]
) -> None:
    ama = appointments["ama"]
    for user in (people["hakodate"], people["hokkaido"]):
        with pytest.raises(NotFoundError):
            selectors.appointment_get(user=user, appointment_id=ama.pk)
    for user in (people["ama"], people["shimane"], people["ministry"]):
        assert selectors.appointment_get(user=user, appointment_id=ama.pk) == ama


@pytest.mark.parametrize("kind", ["applicant", "company", "counselor", "anonymous"])
def test_people_outside_the_hosts_and_the_ministry_may_not_read_member_records(
    appointments: dict[str, Appointment], kind: str
) -> None:
    user: Any = {
        "applicant": lambda: factories.user(),
        "company": lambda: factories.user(organisation=factories.other_org("company", "株式会社X")),
        "counselor": lambda: factories.user(organisation=factories.other_org("desk", "相談窓口")),
        "anonymous": AnonymousUser,
    }[kind]()
    with pytest.raises(PermissionDeniedError):
        selectors.appointments_visible(user)
    with pytest.raises(PermissionDeniedError):
        selectors.appointment_list(user=user)
    with pytest.raises(PermissionDeniedError):
        selectors.appointment_get(user=user, appointment_id=appointments["ama"].pk)
    with pytest.raises(PermissionDeniedError):
        selectors.report_dashboard(user=user, today=TODAY)
    with pytest.raises(PermissionDeniedError):
        selectors.settlement_report(user=user)


def test_a_member_sees_only_their_own_appointments_and_reports(
    people: dict[str, User],
) -> None:
    hanako, taro = factories.user(), factories.user()
    mine = _appoint(people["ama"], AMA, member=hanako)
    theirs = _appoint(people["ama"], AMA, member=taro, member_name="別の 人")
    report = services_reports.report_submit(
        user=taro,
        appointment_id=theirs.pk,
        data=ReportData(
            month=D(2025, 5, 1), days_worked=10, hours_worked=Decimal(60), activities="活動"
        ),
        today=TODAY,
    )
    assert list(selectors.appointments_of_member(hanako)) == [mine]
    assert selectors.appointment_of_member(user=hanako, appointment_id=mine.pk) == mine
    with pytest.raises(NotFoundError):
        selectors.appointment_of_member(user=hanako, appointment_id=theirs.pk)
    with pytest.raises(NotFoundError):
        selectors.report_of_member(user=hanako, report_id=report.pk)
    assert selectors.report_of_member(user=taro, report_id=report.pk) == report
    assert list(selectors.appointments_of_member(AnonymousUser())) == []
    with pytest.raises(NotFoundError):
        selectors.report_of_member(user=AnonymousUser(), report_id=report.pk)
    # Staff of the host read it; staff elsewhere do not.
    assert selectors.report_visible(user=people["shimane"], report_id=report.pk) == report
    with pytest.raises(NotFoundError):
        selectors.report_visible(user=people["hokkaido"], report_id=report.pk)


def test_the_list_filters_by_status_program_and_name(people: dict[str, User]) -> None:
    staff = people["ama"]
    today = timezone.localdate()
    active = _appoint(staff, AMA, member_name="在任 花子", member_kana="ざいにん はなこ")
    ended = _appoint(
        staff,
        AMA,
        member_name="終了 太郎",
        program="pm",
        start_date=D(2023, 4, 1),
        planned_end_date=D(2025, 3, 31),
    )
    services.appointment_end(
        user=staff, appointment_id=ended.pk, ended_on=D(2025, 3, 31), reason="completed"
    )
    ending_today = _appoint(
        staff,
        AMA,
        member_name="今日 終了",
        start_date=today - dt.timedelta(days=400),
        planned_end_date=today,
    )
    services.appointment_end(
        user=staff, appointment_id=ending_today.pk, ended_on=today, reason="completed"
    )

    def names(**filters: str) -> list[str]:
        return [a.member_name for a in selectors.appointment_list(user=staff, **filters)]

    assert set(names()) == {"在任 花子", "終了 太郎", "今日 終了"}
    assert set(names(status="active")) == {"在任 花子", "今日 終了"}  # still in post today
    assert names(status="ended") == ["終了 太郎"]
    assert names(program="pm") == ["終了 太郎"]
    assert names(q="ざいにん") == ["在任 花子"]
    assert names(q=" 太郎 ") == ["終了 太郎"]
    assert active.pk in {a.pk for a in selectors.appointment_list(user=staff, status="active")}


# --- the report dashboard -----------------------------------------------------------------------


def _file(member: User, appointment: Appointment, month: dt.date) -> MonthlyReport:
    return services_reports.report_submit(
        user=member,
        appointment_id=appointment.pk,
        data=ReportData(month=month, days_worked=15, hours_worked=Decimal(90), activities="活動"),
        today=TODAY,
    )


@pytest.fixture
def dashboard_case(people: dict[str, User]) -> dict[str, Appointment]:
    """函館市, on 2025-06-10 with reports due by the 5th:

    x: from April; April filed and waiting → May overdue (1), 1 waiting.
    y: from February; Feb approved, Mar returned → Apr and May overdue (2), 1 returned.
    z: from June → nothing due yet.
    w: from April; April and May approved → nothing to do.
    小樽市 has one overdue member too, which 函館市 staff do not see.
    """
    staff = people["hakodate"]
    members = {key: factories.user() for key in "xyzwo"}
    case = {
        "x": _appoint(staff, HAKODATE, member=members["x"], member_name="x"),
        "y": _appoint(
            staff,
            HAKODATE,
            member=members["y"],
            member_name="y",
            start_date=D(2025, 2, 1),
            planned_end_date=D(2026, 1, 31),
        ),
        "z": _appoint(
            staff,
            HAKODATE,
            member=members["z"],
            member_name="z",
            start_date=D(2025, 6, 1),
            planned_end_date=D(2026, 5, 31),
        ),
        "w": _appoint(staff, HAKODATE, member=members["w"], member_name="w"),
        "o": _appoint(people["otaru"], OTARU, member=members["o"], member_name="o"),
    }
    _file(members["x"], case["x"], D(2025, 4, 1))
    feb = _file(members["y"], case["y"], D(2025, 2, 1))
    mar = _file(members["y"], case["y"], D(2025, 3, 1))
    services_reports.report_review(user=staff, report_id=feb.pk, approve=True)
    services_reports.report_review(user=staff, report_id=mar.pk, approve=False, comment="直して")
    for month in (D(2025, 4, 1), D(2025, 5, 1)):
        report = _file(members["w"], case["w"], month)
        services_reports.report_review(user=staff, report_id=report.pk, approve=True)
    return case


def test_the_dashboard_counts_overdue_waiting_and_returned(
    people: dict[str, User], dashboard_case: dict[str, Appointment]
) -> None:
    board = selectors.report_dashboard(user=people["hakodate"], today=TODAY)
    assert board.due_day == 5
    assert board.last_due_month == D(2025, 5, 1)
    assert board.next_due == D(2025, 7, 5)
    assert board.active_members == 4
    assert (board.overdue_members, board.overdue_reports) == (2, 3)
    assert (board.waiting_reports, board.returned_reports) == (1, 1)
    assert [(r.appointment.member_name, r.overdue, r.waiting, r.returned) for r in board.rows] == [
        ("y", 2, 0, 1),
        ("x", 1, 1, 0),
    ]
    assert [(r.appointment.member_name, r.month) for r in board.waiting] == [("x", D(2025, 4, 1))]


def test_the_dashboard_agrees_with_the_months_due_rule(
    people: dict[str, User], dashboard_case: dict[str, Appointment]
) -> None:
    board = selectors.report_dashboard(user=people["hokkaido"], today=TODAY)
    overdue = {r.appointment.member_name: r.overdue for r in board.rows}
    for name, appointment in dashboard_case.items():
        filed = set(appointment.reports.values_list("month", flat=True))
        due = rules.months_due_by(appointment.start_date, appointment.end_date, TODAY, 5)
        assert overdue.get(name, 0) == len([m for m in due if m not in filed]), name
    assert board.active_members == 5  # 北海道 sees 小樽市's member too


def test_the_dashboard_follows_the_due_day_setting(
    people: dict[str, User], dashboard_case: dict[str, Appointment], settings: Any
) -> None:
    settings.HITONAGARE_REPORT_DUE_DAY = 15
    board = selectors.report_dashboard(user=people["hakodate"], today=TODAY)
    assert board.due_day == 15
    assert board.last_due_month == D(2025, 4, 1)  # May's report is due on 6/15
    assert board.next_due == D(2025, 6, 15)
    assert (board.overdue_members, board.overdue_reports) == (1, 1)
    assert [(r.appointment.member_name, r.overdue) for r in board.rows] == [("y", 1), ("x", 0)]


def test_on_the_due_day_itself_nothing_new_is_overdue(
    people: dict[str, User], dashboard_case: dict[str, Appointment]
) -> None:
    board = selectors.report_dashboard(user=people["hakodate"], today=D(2025, 6, 5))
    assert board.last_due_month == D(2025, 4, 1)
    assert board.next_due == D(2025, 6, 5)
    assert board.overdue_reports == 1  # y's April only


def test_a_report_waiting_from_a_term_ended_months_ago_is_counted_with_the_list(
    people: dict[str, User],
) -> None:
    staff, member = people["hakodate"], factories.user()
    old = _appoint(
        staff,
        HAKODATE,
        member=member,
        start_date=D(2025, 1, 1),
        planned_end_date=D(2025, 12, 31),
    )
    services.appointment_end(
        user=staff, appointment_id=old.pk, ended_on=D(2025, 3, 15), reason="health", note="療養"
    )
    late = _file(member, old, D(2025, 2, 1))
    board = selectors.report_dashboard(user=staff, today=TODAY)
    assert [r.pk for r in board.waiting] == [late.pk]
    assert board.waiting_reports == len(board.waiting) == 1


def test_an_empty_dashboard(people: dict[str, User]) -> None:
    board = selectors.report_dashboard(user=people["ministry"], today=TODAY)
    assert (board.active_members, board.overdue_reports, board.rows, board.waiting) == (
        0,
        0,
        [],
        [],
    )


def test_the_member_sees_each_month_with_its_report_or_due_date(
    people: dict[str, User], dashboard_case: dict[str, Appointment]
) -> None:
    months = selectors.member_report_months(dashboard_case["y"], today=TODAY)
    assert [(m["month"], m["due"], m["overdue"], m["report"] is not None) for m in months] == [
        (D(2025, 6, 1), D(2025, 7, 5), False, False),
        (D(2025, 5, 1), D(2025, 6, 5), True, False),
        (D(2025, 4, 1), D(2025, 5, 5), True, False),
        (D(2025, 3, 1), D(2025, 4, 5), False, True),
        (D(2025, 2, 1), D(2025, 3, 5), False, True),
    ]


# --- 定住 report ----------------------------------------------------------------------------------


def _ended(staff: User, lgcode: str, *, ended_on: dt.date | None = None, **kw: Any) -> Appointment:
    ended_on = ended_on or D(2025, 3, 31)
    appointment = _appoint(
        staff,
        lgcode,
        start_date=ended_on.replace(year=ended_on.year - 2) + dt.timedelta(days=1),
        planned_end_date=ended_on,
        **kw,
    )
    return services.appointment_end(
        user=staff, appointment_id=appointment.pk, ended_on=ended_on, reason="completed"
    )


def _survey(
    staff: User, appointment: Appointment, kind: str, residence: str, activity: str = "employed"
) -> None:
    surveyed_on = (
        appointment.ended_on if kind == "exit" else appointment.ended_on + dt.timedelta(days=366)
    )
    services_reports.outcome_record(
        user=staff,
        appointment_id=appointment.pk,
        data=OutcomeData(
            kind=kind, surveyed_on=surveyed_on, residence=residence, activity=activity
        ),
    )


@pytest.fixture
def settlement_case(people: dict[str, User]) -> None:
    """函館市: h1 follow-up 近隣 (after an exit answer 同一), h2 同一 起業 at exit only,
    h3 no answer, h4 hosted by 北海道 itself and 同一; 小樽市: o1 他地域; 海士町: a1 同一 就農,
    a2 a PM (another program); a 協力隊 still in post is never counted."""
    hakodate, otaru, ama, hokkaido = (people[k] for k in ("hakodate", "otaru", "ama", "hokkaido"))
    h1 = _ended(hakodate, HAKODATE)
    _survey(hakodate, h1, "follow_up", "nearby")  # recorded first: order does not matter
    _survey(hakodate, h1, "exit", "same", "startup")
    h2 = _ended(hakodate, HAKODATE)
    _survey(hakodate, h2, "exit", "same", "startup")
    _ended(hakodate, HAKODATE)
    h4 = _ended(hokkaido, HAKODATE)
    _survey(hokkaido, h4, "exit", "same", "employed")
    o1 = _ended(otaru, OTARU)
    _survey(otaru, o1, "exit", "other")
    a1 = _ended(ama, AMA)
    _survey(ama, a1, "exit", "same", "farming")
    a2 = _ended(ama, AMA, program="pm")
    _survey(ama, a2, "exit", "same")
    _appoint(ama, AMA)  # in post


def _row(row: selectors.SettlementRow) -> tuple[str, str, int, int, int, int, int]:
    f = row.figures
    return (row.key, row.label, f.ended, f.same, f.nearby, f.moved_away, f.unknown)


def test_the_ministry_sees_every_municipality_prefecture_and_the_nation(
    people: dict[str, User], settlement_case: None
) -> None:
    report = selectors.settlement_report(user=people["ministry"])
    assert [_row(r) for r in report.municipalities] == [
        (HAKODATE, "北海道函館市", 4, 2, 1, 0, 1),
        (OTARU, "北海道小樽市", 1, 0, 0, 1, 0),
        (AMA, "島根県海士町", 1, 1, 0, 0, 0),
    ]
    assert [_row(r) for r in report.prefectures] == [
        ("01", "北海道", 5, 2, 1, 1, 1),
        ("32", "島根県", 1, 1, 0, 0, 0),
    ]
    assert report.nation is not None
    assert _row(report.nation) == ("all", "全国", 6, 3, 1, 1, 1)
    nation = report.nation.figures
    assert nation.settlement_rate == Decimal("66.7")  # (3 + 1) / 6
    # The activity breakdown is of the latest answers of 同一市町村 settlers.
    assert nation.same_by_activity[rules.Activity.STARTUP] == 1  # h2; h1's exit was superseded
    assert nation.same_by_activity[rules.Activity.EMPLOYED] == 1
    assert nation.same_by_activity[rules.Activity.FARMING] == 1
    hakodate_row = report.municipalities[0].figures
    assert hakodate_row.settlement_rate == Decimal("75.0")


def test_prefecture_staff_see_their_municipalities_without_a_national_row(
    people: dict[str, User], settlement_case: None
) -> None:
    report = selectors.settlement_report(user=people["hokkaido"])
    assert [r.key for r in report.municipalities] == [HAKODATE, OTARU]
    assert [_row(r) for r in report.prefectures] == [("01", "北海道", 5, 2, 1, 1, 1)]
    assert report.nation is None
    shimane = selectors.settlement_report(user=people["shimane"])
    assert [r.key for r in shimane.municipalities] == [AMA]
    assert shimane.nation is None


def test_municipality_staff_see_their_own_figures_only(
    people: dict[str, User], settlement_case: None
) -> None:
    report = selectors.settlement_report(user=people["hakodate"])
    # 函館市's own three; the one hosted by 北海道 in 函館市 is the prefecture's record.
    assert [_row(r) for r in report.municipalities] == [(HAKODATE, "北海道函館市", 3, 1, 1, 0, 1)]
    assert [_row(r) for r in report.prefectures] == [("01", "北海道", 3, 1, 1, 0, 1)]
    assert report.nation is None


def test_the_report_is_per_program_and_per_end_date(
    people: dict[str, User], settlement_case: None
) -> None:
    pm = selectors.settlement_report(user=people["ministry"], program="pm")
    assert pm.nation is not None
    assert _row(pm.nation) == ("all", "全国", 1, 1, 0, 0, 0)
    earlier = _ended(people["ama"], AMA, ended_on=D(2024, 3, 31))
    _survey(people["ama"], earlier, "exit", "other")
    by_2024 = selectors.settlement_report(user=people["ministry"], ended_by=D(2024, 12, 31))
    assert by_2024.ended_by == D(2024, 12, 31)
    assert by_2024.nation is not None
    assert _row(by_2024.nation) == ("all", "全国", 1, 0, 0, 1, 0)
    assert selectors.settlement_report(user=people["ministry"]).nation.figures.ended == 7


def test_nobody_ended_gives_empty_rows_and_no_rate(people: dict[str, User]) -> None:
    report = selectors.settlement_report(user=people["ministry"])
    assert (report.municipalities, report.prefectures) == ([], [])
    assert report.nation is not None
    assert report.nation.figures.ended == 0
    assert report.nation.figures.settlement_rate is None
