"""Pure rules for members through their term: appointment kinds, term bounds over dates,
report months and due dates, report states, exit outcomes and the 定住 figures computed the way
the ministry's 定住状況調査 computes them (docs/domain-rules.md §4.2). No Django imports."""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from hitonagare.recruiting.rules import (
    OPENING_PROGRAM_LABELS,
    TERM_BOUNDS,
    OpeningProgram,
    Term,
    TermUnit,
)

# --- appointments ---------------------------------------------------------------------------


class AppointmentKind(StrEnum):
    """How the municipality engages the person: 委嘱 (協力隊), 任用 (会計年度任用職員 / PM),
    協定 (起業人: an agreement with the company)."""

    ENTRUSTMENT = "entrustment"
    EMPLOYMENT = "employment"
    AGREEMENT = "agreement"


APPOINTMENT_KIND_LABELS: Final[Mapping[AppointmentKind, str]] = MappingProxyType(
    {
        AppointmentKind.ENTRUSTMENT: "委嘱",
        AppointmentKind.EMPLOYMENT: "任用",
        AppointmentKind.AGREEMENT: "協定",
    }
)

# The usual kind per program, offered as the default in forms and imports.
DEFAULT_KIND: Final[Mapping[OpeningProgram, AppointmentKind]] = MappingProxyType(
    {
        OpeningProgram.KYORYOKUTAI: AppointmentKind.ENTRUSTMENT,
        OpeningProgram.OTAMESHI: AppointmentKind.ENTRUSTMENT,
        OpeningProgram.INTERN: AppointmentKind.ENTRUSTMENT,
        OpeningProgram.PM: AppointmentKind.EMPLOYMENT,
        OpeningProgram.KIGYOJIN: AppointmentKind.AGREEMENT,
        OpeningProgram.DIGITAL: AppointmentKind.EMPLOYMENT,
        OpeningProgram.NICHIIKI: AppointmentKind.ENTRUSTMENT,
    }
)


class EndReason(StrEnum):
    TERM_COMPLETED = "completed"
    CAREER = "career"
    BUSINESS = "business"
    FAMILY = "family"
    HEALTH = "health"
    HOST = "host"
    OTHER = "other"


END_REASON_LABELS: Final[Mapping[EndReason, str]] = MappingProxyType(
    {
        EndReason.TERM_COMPLETED: "任期満了",
        EndReason.CAREER: "転職・就職",
        EndReason.BUSINESS: "起業・事業承継",
        EndReason.FAMILY: "家庭の事情",
        EndReason.HEALTH: "健康上の理由",
        EndReason.HOST: "受入側の事情",
        EndReason.OTHER: "その他",
    }
)


def term_days(start: date, end: date) -> int:
    """Days of a term, both ends included (4/1–3/31 is 365 days: one year)."""
    return (end - start).days + 1


def add_term(start: date, term: Term) -> date:
    """The day a term of `term` beginning on `start` has run its course (exclusive end):
    calendar months and years, so 2025-04-01 + 3 years is 2028-04-01 whatever the leap days."""
    if term.unit is TermUnit.DAYS:
        return start + timedelta(days=term.value)
    if term.unit is TermUnit.WEEKS:
        return start + timedelta(weeks=term.value)
    months = term.value * (12 if term.unit is TermUnit.YEARS else 1)
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def term_dates_problem(program: OpeningProgram, start: date, end: date) -> str | None:
    """Why a term from `start` to `end` (both included) does not fit the program, or None.

    Calendar arithmetic: 4/1–3/31 is one year and 2025-04-01–2028-03-31 three years."""
    if end < start:
        return "任期の終了日は開始日より後の日付にしてください。"
    bounds = TERM_BOUNDS[program]
    last_day = end + timedelta(days=1)
    if add_term(start, bounds.minimum) <= last_day <= add_term(start, bounds.maximum):
        return None
    label = OPENING_PROGRAM_LABELS[program]
    return f"{label}の任期は{bounds.label()}です（入力: {term_days(start, end)}日間）。"


def term_total_problem(program: OpeningProgram, start: date, ends: Iterable[date]) -> str | None:
    """A renewal must keep the whole term (first start to the last end) within the bounds."""
    last = max(ends, default=start)
    problem = term_dates_problem(program, start, last)
    if problem is None:
        return None
    label = OPENING_PROGRAM_LABELS[program]
    return f"更新後の通算任期が{label}の上限を超えます。{problem}"


def end_problems(
    *,
    start: date,
    planned_end: date,
    ended_on: date | None,
    reason: str,
    note: str,
    today: date,
) -> dict[str, str]:
    """Why an end of term cannot be recorded (keys: ended_on, reason, note), or {}."""
    errors: dict[str, str] = {}
    end_reason: EndReason | None
    try:
        end_reason = EndReason(reason)
    except ValueError:
        end_reason = None
        errors["reason"] = "終了の理由を選んでください。"
    if ended_on is None:
        errors["ended_on"] = "終了日を入力してください。"
    elif ended_on < start:
        errors["ended_on"] = "終了日は任期開始日以降の日付にしてください。"
    elif ended_on > planned_end:
        errors["ended_on"] = (
            "終了日が任期終了予定日より後です。任期を延ばすときは「任期を更新」を使ってください。"
        )
    elif ended_on > today + timedelta(days=31):
        errors["ended_on"] = "終了日は1か月先までの日付で入力してください。"
    if end_reason is EndReason.TERM_COMPLETED and ended_on is not None and ended_on < planned_end:
        errors["reason"] = "任期終了予定日より前の終了は「任期満了」以外の理由を選んでください。"
    early = end_reason is not None and end_reason is not EndReason.TERM_COMPLETED
    if early and not note.strip():
        errors["note"] = "任期途中の終了は、詳細を入力してください。"
    return errors


# --- monthly reports ------------------------------------------------------------------------


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


REPORT_STATUS_LABELS: Final[Mapping[ReportStatus, str]] = MappingProxyType(
    {
        ReportStatus.SUBMITTED: "確認待ち",
        ReportStatus.RETURNED: "差戻し",
        ReportStatus.APPROVED: "承認済",
    }
)


class ExpenseCategory(StrEnum):
    TRAVEL = "travel"
    SUPPLIES = "supplies"
    TRAINING = "training"
    VEHICLE = "vehicle"
    HOUSING = "housing"
    EVENTS = "events"
    OTHER = "other"


EXPENSE_CATEGORY_LABELS: Final[Mapping[ExpenseCategory, str]] = MappingProxyType(
    {
        ExpenseCategory.TRAVEL: "旅費・交通費",
        ExpenseCategory.SUPPLIES: "消耗品・備品",
        ExpenseCategory.TRAINING: "研修費",
        ExpenseCategory.VEHICLE: "車両費・燃料費",
        ExpenseCategory.HOUSING: "住居費",
        ExpenseCategory.EVENTS: "イベント・広報費",
        ExpenseCategory.OTHER: "その他",
    }
)

MAX_DAYS_WORKED: Final = 31
MAX_HOURS_WORKED: Final = Decimal("400")
MAX_EXPENSE_YEN: Final = 10_000_000


def month_start(d: date) -> date:
    return d.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_count(first: date, last: date) -> int:
    """Calendar months from `first`'s month to `last`'s, both included; 0 if last is before."""
    return max((last.year - first.year) * 12 + last.month - first.month + 1, 0)


def report_months(start: date, end: date) -> list[date]:
    """The months a member reports for: every month the term touches (first days)."""
    months: list[date] = []
    month = month_start(start)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def report_due_date(month: date, due_day: int) -> date:
    """The report for `month` is due on `due_day` of the next month (clipped to its length)."""
    following = next_month(month)
    last = calendar.monthrange(following.year, following.month)[1]
    return following.replace(day=min(max(due_day, 1), last))


def months_due_by(start: date, end: date, today: date, due_day: int) -> list[date]:
    """The term's months whose report is already due on `today` (due date has passed)."""
    return [m for m in report_months(start, end) if report_due_date(m, due_day) < today]


def reportable_month_problem(month: date, start: date, end: date, today: date) -> str | None:
    """A report can be filed for a month of the term that has begun."""
    if month.day != 1:
        return "報告月は月の初日で指定してください。"
    if month < month_start(start) or month > end:
        return "任期外の月の報告は提出できません。"
    if month > today:
        return "まだ始まっていない月の報告は提出できません。"
    return None


def report_problems(*, days_worked: int, hours_worked: Decimal, month: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    month_days = calendar.monthrange(month.year, month.month)[1]
    if days_worked < 0 or days_worked > min(MAX_DAYS_WORKED, month_days):
        errors["days_worked"] = f"活動日数は0〜{month_days}日で入力してください。"
    if hours_worked < 0 or hours_worked > MAX_HOURS_WORKED:
        errors["hours_worked"] = f"活動時間は0〜{MAX_HOURS_WORKED}時間で入力してください。"
    elif "days_worked" not in errors and hours_worked > Decimal(24) * days_worked:
        errors["hours_worked"] = "活動時間が活動日数×24時間を超えています。"
    return errors


# --- exit and 定住 outcome ------------------------------------------------------------------


class OutcomeKind(StrEnum):
    EXIT = "exit"
    FOLLOW_UP = "follow_up"


OUTCOME_KIND_LABELS: Final[Mapping[OutcomeKind, str]] = MappingProxyType(
    {OutcomeKind.EXIT: "任期終了時", OutcomeKind.FOLLOW_UP: "1年後の追跡"}
)

FOLLOW_UP_AFTER_DAYS: Final = 365


class Residence(StrEnum):
    SAME = "same"
    NEARBY = "nearby"
    OTHER = "other"
    UNKNOWN = "unknown"


RESIDENCE_LABELS: Final[Mapping[Residence, str]] = MappingProxyType(
    {
        Residence.SAME: "同一市町村",
        Residence.NEARBY: "近隣市町村",
        Residence.OTHER: "その他（他地域へ転出）",
        Residence.UNKNOWN: "不明",
    }
)


class Activity(StrEnum):
    STARTUP = "startup"
    EMPLOYED = "employed"
    FARMING = "farming"
    SUCCESSION = "succession"
    STUDY = "study"
    OTHER = "other"


ACTIVITY_LABELS: Final[Mapping[Activity, str]] = MappingProxyType(
    {
        Activity.STARTUP: "起業",
        Activity.EMPLOYED: "就業",
        Activity.FARMING: "就農・就林・就漁",
        Activity.SUCCESSION: "事業承継",
        Activity.STUDY: "進学",
        Activity.OTHER: "その他",
    }
)


def follow_up_due(ended_on: date) -> date:
    return ended_on + timedelta(days=FOLLOW_UP_AFTER_DAYS)


@dataclass(frozen=True, slots=True)
class EndedMember:
    """One person whose term has ended, with the latest outcome known (None: none recorded)."""

    residence: Residence | None
    activity: Activity | None


@dataclass(frozen=True, slots=True)
class SettlementFigures:
    """定住状況 as the ministry's survey reports it (docs/domain-rules.md §4.2):
    終了者 is everyone whose term ended; 定住 = 同一市町村 + 近隣市町村; people with no answer
    count as 不明 and stay in the denominator; the activity breakdown is of 同一市町村定住."""

    ended: int
    same: int
    nearby: int
    moved_away: int
    unknown: int
    same_by_activity: Mapping[Activity, int]

    @property
    def settled(self) -> int:
        return self.same + self.nearby

    @property
    def settlement_rate(self) -> Decimal | None:
        return percent(self.settled, self.ended)

    @property
    def same_rate(self) -> Decimal | None:
        return percent(self.same, self.ended)

    @property
    def nearby_rate(self) -> Decimal | None:
        return percent(self.nearby, self.ended)

    def activity_rate(self, activity: Activity) -> Decimal | None:
        return percent(self.same_by_activity.get(activity, 0), self.same)


def percent(part: int, whole: int) -> Decimal | None:
    """A percentage to one decimal place as the survey prints it; None when nobody ended."""
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def settlement_figures(members: Iterable[EndedMember]) -> SettlementFigures:
    counts: Counter[Residence] = Counter()
    by_activity: Counter[Activity] = Counter()
    ended = 0
    for member in members:
        ended += 1
        residence = member.residence or Residence.UNKNOWN
        counts[residence] += 1
        if residence is Residence.SAME and member.activity is not None:
            by_activity[member.activity] += 1
    return SettlementFigures(
        ended=ended,
        same=counts[Residence.SAME],
        nearby=counts[Residence.NEARBY],
        moved_away=counts[Residence.OTHER],
        unknown=counts[Residence.UNKNOWN],
        same_by_activity=MappingProxyType(
            {activity: by_activity[activity] for activity in Activity}
        ),
    )
