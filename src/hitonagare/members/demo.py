"""Demo members for `hitonagare demo-data --members N` (called from recruiting/demo.py inside
its transaction): appointments across the demo host municipalities, monthly reports with
expenses in every state, early ends, exit and follow-up outcomes in the proportions of the
ministry's latest 定住状況調査 (docs/domain-rules.md §4.2). Bulk inserts: 10,000 members and
~200,000 reports are a benchmark size."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from hitonagare.accounts.models import Organisation
from hitonagare.core.errors import DomainError
from hitonagare.recruiting import rules as recruiting_rules
from hitonagare.regions import selectors as regions
from hitonagare.regions.models import Municipality

from . import rules
from .models import Appointment, MonthlyReport, Outcome, ReportExpense
from .services import _eligibility_evaluate
from .services_reports import report_due_day

BATCH = 5000

PROGRAM_WEIGHTS: tuple[tuple[recruiting_rules.OpeningProgram, int], ...] = (
    (recruiting_rules.OpeningProgram.KYORYOKUTAI, 74),
    (recruiting_rules.OpeningProgram.KIGYOJIN, 12),
    (recruiting_rules.OpeningProgram.INTERN, 8),
    (recruiting_rules.OpeningProgram.PM, 3),
    (recruiting_rules.OpeningProgram.DIGITAL, 3),
)
# 転出元: the big cities people come from (三大都市圏).
ORIGIN_PREFECTURES = ("11", "12", "13", "14", "23", "26", "27", "28")
# R5.3.31 survey: 同一 52.0 %, 近隣 12.9 %, 他地域 22.2 %, 不明 12.9 % (§4.2).
RESIDENCE_WEIGHTS = (
    (rules.Residence.SAME, 520),
    (rules.Residence.NEARBY, 129),
    (rules.Residence.OTHER, 222),
    (rules.Residence.UNKNOWN, 129),
)
ACTIVITY_WEIGHTS = (
    (rules.Activity.STARTUP, 43),
    (rules.Activity.EMPLOYED, 36),
    (rules.Activity.FARMING, 12),
    (rules.Activity.SUCCESSION, 3),
    (rules.Activity.STUDY, 1),
    (rules.Activity.OTHER, 5),
)
FAMILY_NAMES = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "松本",
    "井上",
    "木村",
]
GIVEN_NAMES = [
    "陽菜",
    "結衣",
    "葵",
    "蓮",
    "湊",
    "大翔",
    "悠真",
    "美咲",
    "健太",
    "直樹",
    "由美",
    "恵",
    "翔太",
    "彩",
    "拓也",
    "真央",
]
ACTIVITIES = {
    recruiting_rules.OpeningProgram.KYORYOKUTAI: (
        "棚田の草刈りと水路の清掃に参加し、耕作者の聞き取りを行った。",
        "道の駅の特産品の販路調査と、首都圏の物産展への出展準備を行った。",
        "移住相談窓口で相談対応を行い、空き家バンクの物件調査に同行した。",
        "地域の小中学校で郷土学習の補助を行い、放課後の居場所づくりを試行した。",
    ),
    recruiting_rules.OpeningProgram.KIGYOJIN: (
        "観光DXの計画を策定し、予約システムの導入について事業者と協議した。",
        "自治体業務のデジタル化に向けて窓口業務の現状調査を行った。",
    ),
    recruiting_rules.OpeningProgram.INTERN: (
        "農家の収穫作業を手伝い、地域の行事の運営を補助した。",
    ),
    recruiting_rules.OpeningProgram.PM: (
        "総合戦略の重点プロジェクトの進捗会議を運営し、関係団体との調整を行った。",
    ),
    recruiting_rules.OpeningProgram.DIGITAL: (
        "情報システムの調達仕様を点検し、職員向けの研修を行った。",
    ),
}
EXPENSES = (
    (rules.ExpenseCategory.TRAVEL, "活動先への交通費", 2_000, 30_000),
    (rules.ExpenseCategory.SUPPLIES, "作業用品の購入", 1_000, 40_000),
    (rules.ExpenseCategory.VEHICLE, "活動用車両の燃料費", 5_000, 25_000),
    (rules.ExpenseCategory.TRAINING, "研修会の参加費", 3_000, 50_000),
    (rules.ExpenseCategory.EVENTS, "イベントのチラシ印刷", 5_000, 60_000),
    (rules.ExpenseCategory.HOUSING, "住居の家賃", 20_000, 60_000),
)


@dataclass(frozen=True)
class DemoHost:
    organisation: Organisation
    municipality: Municipality
    staff: Any  # the host's demo staff user (recorded as who registered and reviewed)


@dataclass
class MembersDemoResult:
    appointments: int = 0
    reports: int = 0
    outcomes: int = 0


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs], k=1)[0]


def _add_years(day: dt.date, years: int) -> dt.date:
    return rules.add_term(day, recruiting_rules.Term(years, recruiting_rules.TermUnit.YEARS))


def _term(
    rng: random.Random, program: recruiting_rules.OpeningProgram, today: dt.date
) -> tuple[dt.date, dt.date]:
    """A start (often 4/1, always a 1st) within the last six years and a planned end; most
    協力隊 serve the full three years."""
    months_back = rng.randrange(1, 72)
    index = today.year * 12 + today.month - 1 - months_back
    start = dt.date(index // 12, index % 12 + 1, 1)
    if rng.random() < 0.4:
        start = dt.date(start.year, 4, 1) if start.month >= 4 else dt.date(start.year - 1, 4, 1)
    unit = recruiting_rules.TermUnit
    if program is recruiting_rules.OpeningProgram.INTERN:
        term = recruiting_rules.Term(rng.choice((1, 2, 3)), unit.MONTHS)
    elif program is recruiting_rules.OpeningProgram.KIGYOJIN:
        term = recruiting_rules.Term(rng.choice((6, 12, 24, 36)), unit.MONTHS)
    else:
        term = recruiting_rules.Term(rng.choice((1, 2, 3, 3, 3, 3, 3, 3)), unit.YEARS)
    return start, rules.add_term(start, term) - dt.timedelta(days=1)


class _Eligibility:
    """The 地域要件 through the service's own code, memoised per pair and edition: a demo of
    10,000 members has far fewer distinct (program, 転出元, 活動地) pairs."""

    def __init__(self) -> None:
        self._editions: dict[dt.date, int | None] = {}
        self._decisions: dict[tuple[Any, ...], tuple[Any, Any]] = {}

    def apply(self, appointment: Appointment) -> None:
        basis = appointment.residence_moved_on or appointment.start_date
        if basis not in self._editions:
            try:
                self._editions[basis] = regions.edition_in_force(as_of=basis).pk
            except DomainError:
                self._editions[basis] = None  # before the oldest 確認表: "not judged"
        edition = self._editions[basis]
        if edition is None:
            _eligibility_evaluate(appointment)  # stores "not judged" with its own reason
            return
        key = (
            appointment.program,
            appointment.origin_municipality_id,
            appointment.municipality_id,
            edition,
        )
        cached = self._decisions.get(key)
        if cached is None:
            _eligibility_evaluate(appointment)
            self._decisions[key] = (appointment.eligibility, appointment.eligibility_eligible)
            return
        data, eligible = cached
        if data is not None:
            data = {**data, "as_of": basis.isoformat()}
        appointment.eligibility = data
        appointment.eligibility_eligible = eligible
        appointment.eligibility_basis_date = basis if data is not None else None


def members_demo_create(
    *,
    rng: random.Random,
    hosts: Sequence[DemoHost],
    member_users: Sequence[Any],
    count: int,
    today: dt.date,
    say: Callable[[str], None],
    featured: DemoHost | None = None,
) -> MembersDemoResult:
    """`featured`: the host whose demo staff account is printed for local use gets the first
    few members (two of them linked to the first demo applicants, in post), so that logging in
    shows a dashboard with something in it."""
    result = MembersDemoResult()
    if count <= 0 or not hosts:
        return result
    origins = list(
        Municipality.objects.filter(prefecture__code__in=ORIGIN_PREFECTURES)
        .exclude(kind=Municipality.Kind.DESIGNATED_CITY)
        .order_by("lgcode")
    )
    eligibility = _Eligibility()
    due_day = report_due_day()
    now = timezone.now()
    linked = list(reversed(member_users))  # pop() gives the first demo applicants first
    featured_count = min(count, 8) if featured is not None else 0
    written = 0
    while written < count:
        size = min(BATCH, count - written)
        appointments: list[Appointment] = []
        for i in range(size):
            is_featured = written + i < featured_count
            host = featured if is_featured and featured is not None else rng.choice(hosts)
            program = (
                recruiting_rules.OpeningProgram.KYORYOKUTAI
                if is_featured
                else _weighted(rng, PROGRAM_WEIGHTS)
            )
            start, planned_end = _term(rng, program, today)
            if is_featured and written + i < 2:
                # In post for a while: months of reports in every state, and more to come.
                index = today.year * 12 + today.month - 1 - 8 - (written + i) * 5
                start = dt.date(index // 12, index % 12 + 1, 1)
                planned_end = rules.add_term(
                    start, recruiting_rules.Term(3, recruiting_rules.TermUnit.YEARS)
                ) - dt.timedelta(days=1)
            origin = rng.choice(origins)
            member = (
                linked.pop()
                if linked and (rng.random() < 0.5 or (is_featured and written + i < 2))
                else None
            )
            family, given = rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES)
            appointment = Appointment(
                host=host.organisation,
                municipality=host.municipality,
                member=member,
                member_name=f"{family} {given}",
                member_email=member.email if member else "",
                program=program.value,
                kind=rules.DEFAULT_KIND[program].value,
                start_date=start,
                planned_end_date=planned_end,
                origin_municipality=origin,
                residence_moved_on=start - dt.timedelta(days=rng.randrange(0, 20)),
                monthly_reward_yen=(
                    rng.randrange(200, 281, 5) * 1000
                    if program is recruiting_rules.OpeningProgram.KYORYOKUTAI
                    else None
                ),
                created_by=host.staff,
            )
            if planned_end < today:
                if rng.random() < 0.15 and (planned_end - start).days > 120:
                    appointment.ended_on = start + dt.timedelta(
                        days=rng.randrange(90, (planned_end - start).days)
                    )
                    appointment.end_reason = rng.choice(
                        [
                            r.value
                            for r in rules.EndReason
                            if r is not rules.EndReason.TERM_COMPLETED
                        ]
                    )
                    appointment.end_note = "本人の申し出により任期途中で退任。"
                else:
                    appointment.ended_on = planned_end
                    appointment.end_reason = rules.EndReason.TERM_COMPLETED.value
            eligibility.apply(appointment)
            appointments.append(appointment)
        Appointment.objects.bulk_create(appointments)
        reports: list[MonthlyReport] = []
        outcomes: list[Outcome] = []
        for appointment in appointments:
            reports.extend(_reports(rng, appointment, today=today, due_day=due_day, now=now))
            outcomes.extend(_outcomes(rng, appointment, today=today))
        for start_at in range(0, len(reports), BATCH):
            chunk = MonthlyReport.objects.bulk_create(reports[start_at : start_at + BATCH])
            expenses = [e for report in chunk for e in _expenses(rng, report)]
            ReportExpense.objects.bulk_create(expenses, batch_size=BATCH)
        Outcome.objects.bulk_create(outcomes, batch_size=BATCH)
        written += size
        result.appointments += size
        result.reports += len(reports)
        result.outcomes += len(outcomes)
        say(f"隊員: {written:,} / {count:,}（月次報告 {result.reports:,}）")
    return result


def _reports(
    rng: random.Random,
    appointment: Appointment,
    *,
    today: dt.date,
    due_day: int,
    now: dt.datetime,
) -> list[MonthlyReport]:
    program = recruiting_rules.OpeningProgram(appointment.program)
    texts = ACTIVITIES[program]
    reports = []
    end = appointment.ended_on or appointment.planned_end_date
    diligent = rng.random() < 0.85
    for month in rules.report_months(appointment.start_date, end):
        if month > today:
            break
        due = rules.report_due_date(month, due_day)
        if rng.random() > (0.99 if diligent else 0.8) or (month == rules.month_start(today)):
            continue
        age = (today - due).days
        if age > 90:
            status = rules.ReportStatus.APPROVED  # a returned report is corrected in time
        elif age > 45:
            status = (
                rules.ReportStatus.APPROVED if rng.random() < 0.9 else rules.ReportStatus.RETURNED
            )
        elif age > 0:
            status = _weighted(
                rng,
                (
                    (rules.ReportStatus.APPROVED, 6),
                    (rules.ReportStatus.SUBMITTED, 3),
                    (rules.ReportStatus.RETURNED, 1),
                ),
            )
        else:
            status = rules.ReportStatus.SUBMITTED
        days = rng.randrange(12, 23)
        submitted = timezone.make_aware(
            dt.datetime.combine(due - dt.timedelta(days=rng.randrange(0, 6)), dt.time(18))
        )
        reports.append(
            MonthlyReport(
                appointment=appointment,
                month=month,
                status=status.value,
                days_worked=days,
                hours_worked=Decimal(days) * Decimal("7.5"),
                activities=rng.choice(texts),
                results="関係者との打ち合わせを重ね、次月の計画を立てた。",
                submitted_at=min(submitted, now),
                reviewed_at=(
                    min(submitted + dt.timedelta(days=3), now)
                    if status is not rules.ReportStatus.SUBMITTED
                    else None
                ),
                reviewed_by=(
                    appointment.created_by if status is not rules.ReportStatus.SUBMITTED else None
                ),
                review_comment=(
                    "経費の内訳を費目ごとに分けて再提出してください。"
                    if status is rules.ReportStatus.RETURNED
                    else ""
                ),
            )
        )
    return reports


def _expenses(rng: random.Random, report: MonthlyReport) -> list[ReportExpense]:
    if report.appointment.program != recruiting_rules.OpeningProgram.KYORYOKUTAI.value:
        return []
    rows = []
    for category, description, low, high in rng.sample(EXPENSES, rng.randrange(0, 3)):
        rows.append(
            ReportExpense(
                report=report,
                category=category.value,
                amount_yen=rng.randrange(low, high, 100),
                description=description,
            )
        )
    return rows


def _outcomes(rng: random.Random, appointment: Appointment, *, today: dt.date) -> list[Outcome]:
    if appointment.ended_on is None or appointment.ended_on > today:
        return []
    if appointment.program not in (
        recruiting_rules.OpeningProgram.KYORYOKUTAI.value,
        recruiting_rules.OpeningProgram.PM.value,
    ):
        return []
    outcomes = []
    if rng.random() < 0.87:
        residence = _weighted(rng, RESIDENCE_WEIGHTS)
        outcomes.append(
            Outcome(
                appointment=appointment,
                kind=rules.OutcomeKind.EXIT.value,
                surveyed_on=min(appointment.ended_on + dt.timedelta(days=10), today),
                residence=residence.value,
                residence_municipality=(
                    appointment.municipality if residence is rules.Residence.SAME else None
                ),
                activity=_weighted(rng, ACTIVITY_WEIGHTS).value,
                recorded_by=appointment.created_by,
            )
        )
        follow_up = rules.follow_up_due(appointment.ended_on)
        if follow_up <= today and rng.random() < 0.6:
            moved = residence is rules.Residence.SAME and rng.random() < 0.08
            outcomes.append(
                Outcome(
                    appointment=appointment,
                    kind=rules.OutcomeKind.FOLLOW_UP.value,
                    surveyed_on=follow_up,
                    residence=(rules.Residence.OTHER if moved else residence).value,
                    activity=outcomes[0].activity,
                    recorded_by=appointment.created_by,
                )
            )
    return outcomes
