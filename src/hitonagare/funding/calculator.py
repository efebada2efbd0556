"""The 特別交付税 / 地方財政措置 estimate: plain values in, explained figures out.

Pure (stdlib + :mod:`.rules` + :mod:`hitonagare.core.wareki`), money in :class:`Decimal` whole
yen, one pass over the members (O(n)). Rules applied (規則ノート §3, ADR 0011):

- **Amount** of an item = what the estimate counts: ``min(申請額, 上限)`` where the cap is the
  annual cap of the table prorated to the months of the term in the fiscal year
  (:class:`~.rules.MonthCounting`, a setting), or the per-day cap × days (インターン), or the
  per-municipality / once-per-person cap as it is. Every prorated cap is rounded down to the
  yen, and so is every amount × rate.
- **Rates** ("上限100万円（1/2）"): by default the cap limits the expense and the rate applies
  to what is under it (:attr:`~.rules.CapReading.EXPENSE_CAP`, at most 50万円): it is the
  usual reading of "上限額（措置率）" in 特別交付税 tables and the smaller of the two readings,
  so the estimate does not overstate. The other reading is a setting and each item names the
  one used. Items whose sources give no rate count the capped expense as it is (rate 1).
- **Unknown caps are not computed**: such an item has ``cap=None`` and ``amount=None`` with a
  ``cap_unknown`` flag; ``total`` adds the amounts that are known and the estimate carries
  ``total_is_partial=True`` with a ``total_is_partial`` flag, so no figure looks complete
  when it is not.
- **地域要件** (協力隊, 地域PM): ``eligible=False`` → every amount 0 with
  ``area_requirement_not_met``; ``None`` (not evaluated) → amounts computed, flag
  ``area_requirement_unknown``.
- **地域PM 1市町村1人**: in a municipality, the PMs are taken by start date; a PM whose term
  in the fiscal year overlaps the terms of as many PMs already counted as the limit allows is
  counted 0 with ``pm_second_in_municipality``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Final

from hitonagare.core.wareki import date_label, fiscal_year_bounds, fiscal_year_label, fiscal_year_of

from .rules import (
    CAP_READING_LABELS,
    GRADE_LABELS,
    MONTH_COUNTING_LABELS,
    PROGRAM_LABELS,
    PRORATION_IS_A_SETTING,
    VARIANT_LABELS,
    CapReading,
    FundingProgram,
    Grade,
    MonthCounting,
    Per,
    Rate,
    RateStatus,
    RateTable,
    TermShare,
    Variant,
    days_in_fiscal_year,
    parse_yen,
    rate_text,
    term_bounds_problem,
    term_share,
    variant_resolve,
)

__all__ = [
    "FLAG_LABELS",
    "EstimateItem",
    "EstimateSettings",
    "Flag",
    "MemberEstimate",
    "MemberYearInput",
    "MunicipalityEstimate",
    "MunicipalityYearInput",
    "NationalTotals",
    "ProgramTotals",
    "estimate_input_problems",
    "member_estimate",
    "months_text",
    "municipality_estimate",
    "national_totals",
]

ZERO: Final = Decimal(0)

# --------------------------------------------------------------------------- flags

CAP_EXCEEDED: Final = "cap_exceeded"
AREA_NOT_MET: Final = "area_requirement_not_met"
AREA_UNKNOWN: Final = "area_requirement_unknown"
TERM_OUT_OF_BOUNDS: Final = "term_out_of_bounds"
TERM_NOT_IN_YEAR: Final = "term_not_in_fiscal_year"
REPORT_MISSING: Final = "report_missing"
CAP_UNKNOWN: Final = "cap_unknown"
CAP_INFERRED: Final = "cap_inferred"
CAP_CONFIGURED: Final = "cap_configured"
TOTAL_IS_PARTIAL: Final = "total_is_partial"
PM_SECOND: Final = "pm_second_in_municipality"
PM_LIMIT_UNKNOWN: Final = "pm_limit_unknown"
YEAR_NOT_COVERED: Final = "fiscal_year_not_covered"
NOT_IN_FORCE: Final = "measure_not_in_force"
TIER_NOT_AVAILABLE: Final = "tier_not_available"
STARTUP_TIMING: Final = "startup_not_in_final_year"
INTERN_DAYS_ASSUMED: Final = "intern_days_assumed"
OTAMESHI_POOLED: Final = "otameshi_cap_per_municipality"

FLAG_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        CAP_EXCEEDED: "上限超過",
        AREA_NOT_MET: "地域要件を満たさない",
        AREA_UNKNOWN: "地域要件が未確認",
        TERM_OUT_OF_BOUNDS: "任期が制度の範囲外",
        TERM_NOT_IN_YEAR: "任期が年度外",
        REPORT_MISSING: "活動報告の未提出",
        CAP_UNKNOWN: "上限が不明",
        CAP_INFERRED: "推定の上限",
        CAP_CONFIGURED: "設定で指定した上限",
        TOTAL_IS_PARTIAL: "合計は一部のみ",
        PM_SECOND: "地域PMの2人目",
        PM_LIMIT_UNKNOWN: "地域PMの人数の上限が不明",
        YEAR_NOT_COVERED: "対象外の年度",
        NOT_IN_FORCE: "措置のない年度",
        TIER_NOT_AVAILABLE: "報償費の区分なし",
        STARTUP_TIMING: "起業・事業承継の年度",
        INTERN_DAYS_ASSUMED: "活動日数を推定",
        OTAMESHI_POOLED: "おためし協力隊の団体上限",
    }
)

ERROR: Final = "error"
WARNING: Final = "warning"
INFO: Final = "info"


@dataclass(frozen=True, slots=True)
class Flag:
    """Something a reader of the estimate must know. ``level``: error (an amount is 0 or
    missing because of it), warning (check before the survey) or info."""

    code: str
    message: str
    level: str = WARNING
    item: str | None = None

    @property
    def label(self) -> str:
        return FLAG_LABELS.get(self.code, self.code)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "label": self.label,
            "message": self.message,
            "level": self.level,
            "item": self.item,
        }


# --------------------------------------------------------------------------- inputs


def _yen(value: Decimal | int, what: str) -> Decimal:
    try:
        return parse_yen(value)
    except ValueError as error:
        raise ValueError(f"{what}: {error}") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberYearInput:
    """One member's post, term and recorded expenses for one fiscal year.

    ``reward_yen``: 報償費等 (起業人: 負担金・報償費; PM・デジタル・コーディネーター: 報酬).
    ``expenses_yen``: その他経費 (起業人 副業型: 旅費). ``startup_yen``: 協力隊の起業・事業承継.
    ``project_yen``: 起業人発案の事業経費. ``days``: インターンの活動日数 in the fiscal year
    (None = the calendar days of the term in the year, flagged). ``eligible``: 地域要件 met
    (None = not evaluated). ``reports_missing``: months of the fiscal year without an approved
    report. ``term_problem``: the caller's message when the term is out of bounds (None =
    the calculator checks the bounds itself).
    """

    member_ref: str
    name: str
    program: FundingProgram
    start: date
    end: date
    variant: Variant | None = None
    reward_yen: Decimal = ZERO
    expenses_yen: Decimal = ZERO
    startup_yen: Decimal = ZERO
    project_yen: Decimal = ZERO
    days: int | None = None
    eligible: bool | None = None
    reports_missing: int = 0
    term_problem: str | None = None

    def __post_init__(self) -> None:
        who = f"{self.name or self.member_ref}"
        program = FundingProgram(self.program)
        object.__setattr__(self, "program", program)
        try:
            object.__setattr__(self, "variant", variant_resolve(program, self.variant))
        except ValueError as error:
            raise ValueError(f"{who}: {error}") from None
        for name in ("reward_yen", "expenses_yen", "startup_yen", "project_yen"):
            object.__setattr__(self, name, _yen(getattr(self, name), who))
        if self.end < self.start:
            raise ValueError(
                f"{who}: 任期の終了日（{self.end.isoformat()}）が開始日"
                f"（{self.start.isoformat()}）より前です。"
            )
        if self.days is not None and (isinstance(self.days, bool) or self.days < 0):
            raise ValueError(f"{who}: 活動日数は0以上の整数で指定してください。")
        if self.reports_missing < 0:
            raise ValueError(f"{who}: 活動報告のない月数は0以上で指定してください。")

    @property
    def resolved_variant(self) -> Variant:
        assert self.variant is not None  # set by __post_init__
        return self.variant


@dataclass(frozen=True, slots=True, kw_only=True)
class MunicipalityYearInput:
    """A municipality's members and its own (not per-person) expenses for one fiscal year."""

    lgcode: str
    name: str
    fiscal_year: int
    members: Sequence[MemberYearInput] = ()
    recruitment_yen: Decimal = ZERO  # 協力隊 募集等経費
    kigyojin_preparation_yen: Decimal = ZERO  # 起業人 受入準備経費
    nichiiki_program_yen: Decimal = ZERO  # 二地域居住 事業経費

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", tuple(self.members))
        for name in ("recruitment_yen", "kigyojin_preparation_yen", "nichiiki_program_yen"):
            object.__setattr__(self, name, _yen(getattr(self, name), self.name or self.lgcode))


@dataclass(frozen=True, slots=True)
class EstimateSettings:
    month_counting: MonthCounting = MonthCounting.STARTED_MONTHS
    cap_reading: CapReading = CapReading.EXPENSE_CAP

    def to_dict(self) -> dict[str, object]:
        return {
            "month_counting": self.month_counting.value,
            "month_counting_label": MONTH_COUNTING_LABELS[self.month_counting],
            "cap_reading": self.cap_reading.value,
            "cap_reading_label": CAP_READING_LABELS[self.cap_reading],
        }


# --------------------------------------------------------------------------- outputs


def months_text(months: Decimal) -> str:
    """Counted months for display: "6", or "5.98" for the DAYS method."""
    if months == months.to_integral_value():
        return str(int(months))
    return str(months.quantize(Decimal("0.01")))


def _int_or_none(value: Decimal | None) -> int | None:
    return None if value is None else int(value)


@dataclass(frozen=True, slots=True)
class EstimateItem:
    """One line of an estimate. ``cap`` is the cap applied (prorated), ``annual_cap`` the
    table's value; both None when unknown or when there is no cap. ``amount`` is None when it
    could not be computed (unknown cap or rate). ``rate`` is None when the sources give none."""

    item: str
    label: str
    claimed: Decimal
    cap: Decimal | None
    amount: Decimal | None
    rate: Decimal | None
    source: str
    explanation: str
    annual_cap: Decimal | None = None
    source_url: str | None = None
    grade: Grade | None = None
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "item": self.item,
            "label": self.label,
            "claimed": int(self.claimed),
            "cap": _int_or_none(self.cap),
            "annual_cap": _int_or_none(self.annual_cap),
            "amount": _int_or_none(self.amount),
            "rate": None if self.rate is None else str(self.rate),
            "source": self.source,
            "source_url": self.source_url,
            "grade": self.grade.value if self.grade else None,
            "explanation": self.explanation,
        }


def _sum_known(items: Iterable[EstimateItem]) -> tuple[Decimal, bool]:
    total = ZERO
    partial = False
    for item in items:
        if item.amount is None:
            partial = True
        else:
            total += item.amount
    return total, partial


@dataclass(frozen=True, slots=True)
class MemberEstimate:
    member_ref: str
    name: str
    program: FundingProgram
    variant: Variant
    fiscal_year: int
    start: date
    end: date
    months: Decimal
    items: tuple[EstimateItem, ...]
    flags: tuple[Flag, ...]
    total: Decimal
    total_is_partial: bool
    settings: EstimateSettings
    counted_in_municipality: bool = True

    @property
    def claimed_total(self) -> Decimal:
        return sum((item.claimed for item in self.items), ZERO)

    @property
    def program_label(self) -> str:
        return PROGRAM_LABELS[self.program]

    @property
    def variant_label(self) -> str:
        return VARIANT_LABELS[self.variant]

    def to_dict(self) -> dict[str, object]:
        return {
            "member_ref": self.member_ref,
            "name": self.name,
            "program": self.program.value,
            "program_label": self.program_label,
            "variant": self.variant.value,
            "variant_label": self.variant_label,
            "fiscal_year": self.fiscal_year,
            "fiscal_year_label": fiscal_year_label(self.fiscal_year),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "months": months_text(self.months),
            "settings": self.settings.to_dict(),
            "total": int(self.total),
            "total_is_partial": self.total_is_partial,
            "items": [item.to_dict() for item in self.items],
            "flags": [flag.to_dict() for flag in self.flags],
        }


@dataclass(frozen=True, slots=True)
class MunicipalityEstimate:
    """``total`` = the members' totals (those counted in the municipality) + ``items`` (the
    municipality's own expenses and pooled caps)."""

    lgcode: str
    name: str
    fiscal_year: int
    members: tuple[MemberEstimate, ...]
    items: tuple[EstimateItem, ...]
    flags: tuple[Flag, ...]
    total: Decimal
    total_is_partial: bool
    settings: EstimateSettings

    @property
    def claimed_total(self) -> Decimal:
        return sum((m.claimed_total for m in self.members), ZERO) + sum(
            (item.claimed for item in self.items if not item.item.endswith(".pool")), ZERO
        )

    def all_flags(self) -> tuple[Flag, ...]:
        return self.flags + tuple(flag for m in self.members for flag in m.flags)

    def to_dict(self) -> dict[str, object]:
        return {
            "lgcode": self.lgcode,
            "name": self.name,
            "fiscal_year": self.fiscal_year,
            "fiscal_year_label": fiscal_year_label(self.fiscal_year),
            "settings": self.settings.to_dict(),
            "total": int(self.total),
            "total_is_partial": self.total_is_partial,
            "members": [m.to_dict() for m in self.members],
            "items": [item.to_dict() for item in self.items],
            "flags": [flag.to_dict() for flag in self.flags],
        }


# --------------------------------------------------------------------------- item rules


def _yen_text(value: Decimal) -> str:
    return f"{int(value):,}円"


def _floor(value: Fraction) -> Decimal:
    return Decimal(value.numerator // value.denominator)


@dataclass(slots=True)
class _Context:
    """What every item of one member (or municipality) in one fiscal year shares."""

    fiscal_year: int
    fy_label: str
    rates: RateTable
    settings: EstimateSettings
    share: TermShare
    flags: list[Flag] = field(default_factory=list)
    _proration: str | None = None

    def proration_text(self) -> str:
        if self._proration is None:
            share = self.share
            if share.method is MonthCounting.DAYS:
                counted = f"{share.days}日/{share.year_days}日"
            else:
                counted = f"{int(share.months)}か月/12か月"
            self._proration = (
                f"任期のうち{self.fy_label}の分 {counted}"
                f"（数え方:「{MONTH_COUNTING_LABELS[share.method]}」。{PRORATION_IS_A_SETTING}）"
            )
        return self._proration


def _source_text(rate: Rate) -> str:
    grade = f"・{GRADE_LABELS[rate.grade]}" if rate.grade else ""
    return f"{rate.source.label}{grade}"


def _grade_flag(rate: Rate, fy_label: str) -> Flag | None:
    if rate.grade is Grade.INFERRED:
        return Flag(
            CAP_INFERRED,
            f"{rate.label}の{fy_label}の値 {rate.value_text()} は資料からの推定です（{rate.note}）。",
            INFO,
            rate.item,
        )
    if rate.grade is Grade.CONFIGURED:
        return Flag(
            CAP_CONFIGURED,
            f"{rate.label}の{fy_label}の値 {rate.value_text()} は上書き設定で指定された値です"
            f"（{rate.source.label}）。",
            INFO,
            rate.item,
        )
    return None


def _cap_flags(ctx: _Context, rate: Rate) -> None:
    """The inferred / configured flag of an entry (made once per table and entry)."""
    if rate.grade is not Grade.INFERRED and rate.grade is not Grade.CONFIGURED:
        return
    key = ("grade_flag", rate.item, rate.fiscal_year)
    flag = ctx.rates.memo.get(key)
    if flag is None:
        flag = ctx.rates.memo[key] = _grade_flag(rate, ctx.fy_label)
    assert isinstance(flag, Flag)
    ctx.flags.append(flag)


def _cap_and_text(ctx: _Context, rate: Rate, days: int | None) -> tuple[Decimal | None, str]:
    """The cap that applies to one member (or municipality) and how it was found; memoised
    per table, entry and share of the year (members with the same months share it)."""
    share = ctx.share
    memo_key = (
        "cap",
        rate.item,
        rate.fiscal_year,
        share.method,
        share.numerator,
        share.denominator,
        days,
    )
    found = ctx.rates.memo.get(memo_key)
    if found is not None:
        return found  # type: ignore[return-value]
    cap: Decimal | None
    if rate.status is RateStatus.NO_CAP:
        cap = None
        cap_text = "上限なし（上書き設定で指定）。"
    else:
        annual = rate.value
        assert annual is not None
        if rate.per is Per.PERSON_YEAR:
            cap = share.prorate(annual)
            cap_text = (
                f"年額の上限 {_yen_text(annual)}（{ctx.fy_label}）を{ctx.proration_text()}で"
                f"按分し {_yen_text(cap)}（円未満切り捨て）。"
            )
        elif rate.per is Per.PERSON_DAY:
            assert days is not None
            cap = annual * days
            cap_text = f"1日あたりの上限 {_yen_text(annual)} × {days}日 = {_yen_text(cap)}。"
        elif rate.per is Per.PERSON_ONCE:
            cap = annual
            cap_text = f"1人あたりの上限 {_yen_text(annual)}（按分しません）。"
        else:
            cap = annual
            cap_text = f"1団体あたりの上限 {_yen_text(annual)}（{ctx.fy_label}、按分しません）。"
    ctx.rates.memo[memo_key] = (cap, cap_text)
    return cap, cap_text


def _item(
    ctx: _Context,
    key: str,
    claimed: Decimal,
    *,
    label: str | None = None,
    rate_key: str | None = None,
    days: int | None = None,
    zero_reason: str | None = None,
) -> EstimateItem:
    """One capped item: the cap (prorated by ``ctx.coverage`` for per-person-year caps, × days
    for per-day caps), the rate if ``rate_key``, the flags into ``ctx.flags``."""
    cap_rate = ctx.rates.get(key, ctx.fiscal_year)
    label = label or cap_rate.label
    source = _source_text(cap_rate)
    url = cap_rate.source.url
    note = f"（{cap_rate.note}）" if cap_rate.note else ""

    def make(
        cap: Decimal | None,
        amount: Decimal | None,
        rate: Decimal | None,
        explanation: str,
        annual_cap: Decimal | None,
    ) -> EstimateItem:
        return EstimateItem(
            item=key,
            label=label,
            claimed=claimed,
            cap=cap,
            amount=amount,
            rate=rate,
            source=source,
            explanation=explanation,
            annual_cap=annual_cap,
            source_url=url,
            grade=cap_rate.grade,
            note=cap_rate.note,
        )

    if cap_rate.status is RateStatus.NOT_APPLICABLE:
        ctx.flags.append(
            Flag(
                NOT_IN_FORCE,
                f"{label}の措置は{ctx.fy_label}にはありません{note}。見込額は0円です。",
                ERROR,
                key,
            )
        )
        return make(
            ZERO,
            ZERO,
            None,
            f"{ctx.fy_label}には{label}の措置がないため0円です{note}。",
            None,
        )

    # the rate (措置率), when the item has one
    ratio: Decimal | None = None
    ratio_text = ""
    if rate_key is not None:
        ratio_rate = ctx.rates.get(rate_key, ctx.fiscal_year)
        if not ratio_rate.known:
            ctx.flags.append(
                Flag(
                    CAP_UNKNOWN,
                    f"{label}の措置率は{ctx.fy_label}について資料で見つかっていません"
                    f"（{ratio_rate.note}）。見込額は計算していません。",
                    WARNING,
                    key,
                )
            )
            return make(
                None,
                None,
                None,
                (f"措置率が不明のため見込額を計算していません（{ratio_rate.note}）。"),
                cap_rate.value,
            )
        ratio = ratio_rate.value
        assert ratio is not None
        _cap_flags(ctx, ratio_rate)
        ratio_text = f"措置率 {rate_text(ratio)}（{_source_text(ratio_rate)}）"

    if zero_reason is not None:
        return make(
            None if not cap_rate.known else cap_rate.value,
            ZERO,
            ratio,
            f"{zero_reason}見込額は0円です。",
            cap_rate.value,
        )

    if cap_rate.status is RateStatus.UNKNOWN:
        uncapped = ""
        if ratio is not None:
            uncapped = (
                f"上限を考えずに{ratio_text}を当てはめると {_yen_text(_floor(Fraction(claimed) * Fraction(ratio)))}"
                "ですが、上限があれば少なくなります。"
            )
        ctx.flags.append(
            Flag(
                CAP_UNKNOWN,
                f"{label}の{ctx.fy_label}の上限は資料で見つかっていないため、見込額を計算して"
                f"いません{note}。",
                WARNING,
                key,
            )
        )
        return make(
            None,
            None,
            ratio,
            (
                f"{ctx.fy_label}の上限が不明なため見込額を計算していません（合計には含めません）。"
                f"{uncapped}上限が分かったら上書き設定で指定してください{note}。"
            ),
            None,
        )

    # the cap that applies
    _cap_flags(ctx, cap_rate)
    cap, cap_text = _cap_and_text(ctx, cap_rate, days)

    # the amount
    reading = ctx.settings.cap_reading
    if ratio is None:
        amount = claimed if cap is None else min(claimed, cap)
        exceeded = cap is not None and claimed > cap
        rule = (
            f"見込額 = min(申請額 {_yen_text(claimed)}, 上限 {_yen_text(cap)}) = {_yen_text(amount)}。"
            "資料は上限額だけを示し措置率の記載がないため、上限内の経費をそのまま数えています。"
            if cap is not None
            else f"見込額 = 申請額 {_yen_text(amount)}。"
        )
    elif cap is None:
        amount = _floor(Fraction(claimed) * Fraction(ratio))
        exceeded = False
        rule = f"見込額 = 申請額 {_yen_text(claimed)} × {rate_text(ratio)} = {_yen_text(amount)}（{ratio_text}）。"
    elif reading is CapReading.EXPENSE_CAP:
        counted = min(claimed, cap)
        amount = _floor(Fraction(counted) * Fraction(ratio))
        exceeded = claimed > cap
        rule = (
            f"見込額 = min(申請額 {_yen_text(claimed)}, 上限 {_yen_text(cap)}) × {rate_text(ratio)}"
            f" = {_yen_text(amount)}（{ratio_text}。「上限（措置率）」を、上限までの経費に措置率を"
            "掛けると読んでいます。資料はどちらの読み方かを示していないため、少ない方の読み方を"
            "既定にしています（設定で変更できます））。"
        )
    else:
        measured = _floor(Fraction(claimed) * Fraction(ratio))
        amount = min(measured, cap)
        exceeded = measured > cap
        rule = (
            f"見込額 = min(申請額 {_yen_text(claimed)} × {rate_text(ratio)}, 上限 {_yen_text(cap)})"
            f" = {_yen_text(amount)}（{ratio_text}。「上限（措置率）」を、措置額の上限と読む設定です）。"
        )
    if exceeded:
        assert cap is not None
        ctx.flags.append(
            Flag(
                CAP_EXCEEDED,
                f"{label}: 申請額 {_yen_text(claimed)} が上限 {_yen_text(cap)} を超えています"
                f"（超過分は見込額に含めません）。",
                WARNING,
                key,
            )
        )
    return make(
        cap,
        amount,
        ratio,
        f"{cap_text}{rule}",
        cap_rate.value,
    )


# --------------------------------------------------------------------------- members

_NO_TERM: Final = TermShare(MonthCounting.STARTED_MONTHS, 0, 365, ZERO, 0, 1)
_AREA_PROGRAMS: Final = frozenset({FundingProgram.KYORYOKUTAI, FundingProgram.PM})
_TIER_KEYS: Final[Mapping[Variant, str]] = MappingProxyType(
    {
        Variant.STANDARD: "kyoryokutai.reward",
        Variant.EXPERT: "kyoryokutai.reward.expert",
        Variant.DISADVANTAGED: "kyoryokutai.reward.disadvantaged",
    }
)


def _kyoryokutai_items(
    ctx: _Context, member: MemberYearInput, zero: str | None
) -> list[EstimateItem]:
    variant = member.resolved_variant
    reward_key = _TIER_KEYS[variant]
    reward_rate = ctx.rates.get(reward_key, ctx.fiscal_year)
    if reward_rate.status is RateStatus.NOT_APPLICABLE and variant is not Variant.STANDARD:
        ctx.flags.append(
            Flag(
                TIER_NOT_AVAILABLE,
                f"報償費の区分「{VARIANT_LABELS[variant]}」は{ctx.fy_label}にはありません"
                f"（令和6年度から）。標準の上限で計算しました。",
                INFO,
                reward_key,
            )
        )
        reward_key = _TIER_KEYS[Variant.STANDARD]
        reward_rate = ctx.rates.get(reward_key, ctx.fiscal_year)
    other_rate = ctx.rates.get("kyoryokutai.other", ctx.fiscal_year)
    total_rate = ctx.rates.get("kyoryokutai.total", ctx.fiscal_year)
    items: list[EstimateItem]
    split_unknown = not (reward_rate.known or reward_rate.status is RateStatus.NO_CAP) or not (
        other_rate.known or other_rate.status is RateStatus.NO_CAP
    )
    if split_unknown and total_rate.known:
        items = [
            _item(
                ctx,
                "kyoryokutai.total",
                member.reward_yen + member.expenses_yen,
                label="協力隊 報償費等＋その他経費（1人あたりの合計の上限）",
                zero_reason=zero,
            )
        ]
        if zero is None:
            items[0] = replace(
                items[0],
                explanation=(
                    f"{ctx.fy_label}は報償費等とその他経費の内訳の上限が資料になく、1人あたりの"
                    f"合計の上限で計算します（報償費等 {_yen_text(member.reward_yen)}＋その他経費 "
                    f"{_yen_text(member.expenses_yen)}）。{items[0].explanation}"
                ),
            )
    else:
        items = [
            _item(ctx, reward_key, member.reward_yen, zero_reason=zero),
            _item(ctx, "kyoryokutai.other", member.expenses_yen, zero_reason=zero),
        ]
    if member.startup_yen > 0:
        final_year = fiscal_year_of(member.end)
        startup_zero = zero
        if startup_zero is None and ctx.fiscal_year not in (final_year, final_year + 1):
            startup_zero = (
                f"起業・事業承継の経費は任期の最終年次（{fiscal_year_label(final_year)}）または"
                f"任期終了の翌年（{fiscal_year_label(final_year + 1)}）に限られます。"
            )
            ctx.flags.append(
                Flag(
                    STARTUP_TIMING, startup_zero + "見込額は0円です。", ERROR, "kyoryokutai.startup"
                )
            )
        items.append(
            _item(ctx, "kyoryokutai.startup", member.startup_yen, zero_reason=startup_zero)
        )
    return items


def _intern_days(ctx: _Context, member: MemberYearInput) -> int:
    if member.days is not None:
        if member.days > ctx.share.days:
            raise ValueError(
                f"{member.name or member.member_ref}: 活動日数（{member.days}日）が任期のうち"
                f"{ctx.fy_label}の日数（{ctx.share.days}日）を超えています。"
            )
        return member.days
    if ctx.share.days:
        ctx.flags.append(
            Flag(
                INTERN_DAYS_ASSUMED,
                f"活動日数の指定がないため、任期のうち{ctx.fy_label}の暦日数 {ctx.share.days}日"
                "で上限を計算しました（実際の活動日数が少なければ上限も下がります）。",
                INFO,
                "intern.per_person_day",
            )
        )
    return ctx.share.days


def _member_items(ctx: _Context, member: MemberYearInput, zero: str | None) -> list[EstimateItem]:
    program = member.program
    both = member.reward_yen + member.expenses_yen
    if program is FundingProgram.KYORYOKUTAI:
        return _kyoryokutai_items(ctx, member, zero)
    if program is FundingProgram.OTAMESHI:
        return [_item(ctx, "otameshi.per_municipality", both, zero_reason=zero)]
    if program is FundingProgram.INTERN:
        days = _intern_days(ctx, member)
        return [_item(ctx, "intern.per_person_day", both, days=days, zero_reason=zero)]
    if program is FundingProgram.PM:
        return [_item(ctx, "pm.per_person", both, zero_reason=zero)]
    if program is FundingProgram.KIGYOJIN:
        if member.resolved_variant is Variant.SIDE_JOB:
            items = [
                _item(ctx, "kigyojin.side.reward", member.reward_yen, zero_reason=zero),
                _item(ctx, "kigyojin.side.travel", member.expenses_yen, zero_reason=zero),
            ]
        else:
            items = [_item(ctx, "kigyojin.dispatch.per_person", both, zero_reason=zero)]
        if member.project_yen > 0:
            items.append(
                _item(
                    ctx,
                    "kigyojin.project",
                    member.project_yen,
                    rate_key="kigyojin.project.rate",
                    zero_reason=zero,
                )
            )
        return items
    if program is FundingProgram.DIGITAL:
        return [_item(ctx, "digital.per_person", both, rate_key="digital.rate", zero_reason=zero)]
    key = (
        "nichiiki.coordinator.concurrent"
        if member.resolved_variant is Variant.COORDINATOR_CONCURRENT
        else "nichiiki.coordinator"
    )
    return [_item(ctx, key, both, zero_reason=zero)]


def _year_flags(ctx: _Context) -> None:
    if not ctx.rates.covers(ctx.fiscal_year):
        years = ctx.rates.fiscal_years
        covered = (
            f"{fiscal_year_label(years[0])}〜{fiscal_year_label(years[-1])}" if years else "なし"
        )
        ctx.flags.append(
            Flag(
                YEAR_NOT_COVERED,
                f"{ctx.fy_label}の上限額のデータはありません（収録している年度: {covered}）。",
                ERROR,
            )
        )


def _member_estimate(
    member: MemberYearInput,
    fiscal_year: int,
    rates: RateTable,
    settings: EstimateSettings,
    fy_label: str,
    pm_excluded: str | None = None,
    counted_in_municipality: bool = True,
) -> MemberEstimate:
    share = term_share(member.start, member.end, fiscal_year, settings.month_counting)
    ctx = _Context(fiscal_year, fy_label, rates, settings, share)
    _year_flags(ctx)
    program = member.program
    label = PROGRAM_LABELS[program]

    zero: str | None = None
    if program in _AREA_PROGRAMS:
        if member.eligible is False:
            zero = f"{label}の地域要件（特別交付税措置に係る地域要件）を満たさないため、"
            ctx.flags.append(
                Flag(
                    AREA_NOT_MET,
                    f"地域要件を満たさないため、{label}としての特別交付税措置の対象になりません"
                    "（見込額0円）。",
                    ERROR,
                )
            )
        elif member.eligible is None:
            ctx.flags.append(
                Flag(
                    AREA_UNKNOWN,
                    "地域要件が判定されていません。満たさない場合、見込額は0円になります。",
                    WARNING,
                )
            )
    if pm_excluded is not None and zero is None:
        zero = pm_excluded
        ctx.flags.append(Flag(PM_SECOND, pm_excluded + "見込額は0円です。", ERROR, "pm.per_person"))

    if ctx.share.days == 0 and (member.reward_yen > 0 or member.expenses_yen > 0):
        ctx.flags.append(
            Flag(
                TERM_NOT_IN_YEAR,
                f"任期（{date_label(member.start)}〜{date_label(member.end)}）が{fy_label}と"
                "重なっていないため、年額の上限は0円です。",
                WARNING,
            )
        )
    problem = member.term_problem or term_bounds_problem(program, member.start, member.end)
    if problem:
        ctx.flags.append(Flag(TERM_OUT_OF_BOUNDS, problem, WARNING))
    if member.reports_missing > 0:
        ctx.flags.append(
            Flag(
                REPORT_MISSING,
                f"{fy_label}のうち承認済みの活動報告がない月が{member.reports_missing}か月あります。"
                "調査の前に確認してください。",
                WARNING,
            )
        )

    items = _member_items(ctx, member, zero)
    total, partial = _sum_known(items)
    if partial:
        ctx.flags.append(
            Flag(
                TOTAL_IS_PARTIAL,
                f"上限が不明な項目があるため、合計 {_yen_text(total)} は計算できた項目だけの"
                "合計です。",
                WARNING,
            )
        )
    return MemberEstimate(
        member_ref=member.member_ref,
        name=member.name,
        program=program,
        variant=member.resolved_variant,
        fiscal_year=fiscal_year,
        start=member.start,
        end=member.end,
        months=share.months,
        items=tuple(items),
        flags=tuple(ctx.flags),
        total=total,
        total_is_partial=partial,
        settings=settings,
        counted_in_municipality=counted_in_municipality,
    )


def member_estimate(
    member: MemberYearInput,
    *,
    fiscal_year: int,
    rates: RateTable,
    settings: EstimateSettings = EstimateSettings(),
) -> MemberEstimate:
    """The estimate of one member in one fiscal year, as if they were alone in their
    municipality (the per-municipality rules — PM 1人, おためし団体上限 — need
    :func:`municipality_estimate`)."""
    return _member_estimate(member, fiscal_year, rates, settings, fiscal_year_label(fiscal_year))


def _pm_exclusions(
    members: Sequence[MemberYearInput], ctx: _Context
) -> tuple[dict[int, str], list[Flag]]:
    """Index of member → why this PM is not counted (over the 1市町村1人 limit)."""
    pms = [
        (i, m)
        for i, m in enumerate(members)
        if m.program is FundingProgram.PM and days_in_fiscal_year(m.start, m.end, ctx.fiscal_year)
    ]
    if len(pms) < 2:
        return {}, []
    limit_rate = ctx.rates.get("pm.per_municipality", ctx.fiscal_year)
    if not limit_rate.known:
        return {}, [
            Flag(
                PM_LIMIT_UNKNOWN,
                f"地域プロジェクトマネージャーが{len(pms)}人いますが、{ctx.fy_label}の1市町村あたりの"
                "人数の上限は資料で見つかっていないため、全員を数えています。",
                WARNING,
                "pm.per_municipality",
            )
        ]
    assert limit_rate.value is not None
    limit = int(limit_rate.value)
    first, last = fiscal_year_bounds(ctx.fiscal_year)
    pms.sort(key=lambda pair: (pair[1].start, pair[1].member_ref))
    counted: list[tuple[date, date, MemberYearInput]] = []
    excluded: dict[int, str] = {}
    for index, member in pms:
        s, e = max(member.start, first), min(member.end, last)
        overlapping = [c for c in counted if c[0] <= e and s <= c[1]]
        if len(overlapping) >= limit:
            names = "、".join(c[2].name or c[2].member_ref for c in overlapping)
            excluded[index] = (
                f"地域プロジェクトマネージャーは1市町村{limit}人まで（{_source_text(limit_rate)}）で、"
                f"同じ期間に既に{names}を数えているため、"
            )
        else:
            counted.append((s, e, member))
    return excluded, []


def municipality_estimate(
    municipality: MunicipalityYearInput,
    *,
    rates: RateTable,
    settings: EstimateSettings = EstimateSettings(),
) -> MunicipalityEstimate:
    """The estimate of a municipality for its fiscal year: each member, the municipality's
    own items, the PM limit and the per-municipality おためし cap."""
    fiscal_year = municipality.fiscal_year
    fy_label = fiscal_year_label(fiscal_year)
    ctx = _Context(fiscal_year, fy_label, rates, settings, _NO_TERM)
    _year_flags(ctx)
    members = municipality.members
    excluded, pm_flags = _pm_exclusions(members, ctx)
    ctx.flags.extend(pm_flags)

    otameshi_rate = rates.get("otameshi.per_municipality", fiscal_year)
    otameshi_pooled = otameshi_rate.known and (
        sum(1 for m in members if m.program is FundingProgram.OTAMESHI) > 1
    )
    estimates = tuple(
        _member_estimate(
            m,
            fiscal_year,
            rates,
            settings,
            fy_label,
            pm_excluded=excluded.get(i),
            counted_in_municipality=not (otameshi_pooled and m.program is FundingProgram.OTAMESHI),
        )
        for i, m in enumerate(members)
    )

    items: list[EstimateItem] = []
    if otameshi_pooled:
        pooled = [e for e in estimates if e.program is FundingProgram.OTAMESHI]
        claimed = sum((e.claimed_total for e in pooled), ZERO)
        item = _item(ctx, "otameshi.per_municipality", claimed)
        items.append(
            replace(
                item,
                item="otameshi.per_municipality.pool",
                label="おためし地域おこし協力隊（団体の合計）",
                explanation=(
                    f"おためし協力隊の上限は1団体あたりのため、{len(pooled)}人の申請額を合計して"
                    f"上限を当てはめます（各人の行の見込額は合計に含めません）。{item.explanation}"
                ),
            )
        )
        ctx.flags.append(
            Flag(
                OTAMESHI_POOLED,
                f"おためし協力隊が{len(pooled)}人います。上限は1団体あたりのため、団体の合計で"
                "計算しました。",
                INFO,
                "otameshi.per_municipality",
            )
        )
    if municipality.recruitment_yen > 0:
        items.append(_item(ctx, "kyoryokutai.recruitment", municipality.recruitment_yen))
    if municipality.kigyojin_preparation_yen > 0:
        items.append(
            _item(
                ctx,
                "kigyojin.preparation",
                municipality.kigyojin_preparation_yen,
                rate_key="kigyojin.preparation.rate",
            )
        )
    if municipality.nichiiki_program_yen > 0:
        items.append(
            _item(
                ctx,
                "nichiiki.program",
                municipality.nichiiki_program_yen,
                rate_key="nichiiki.program.rate",
            )
        )

    total, partial = _sum_known(items)
    for estimate in estimates:
        if estimate.counted_in_municipality:
            total += estimate.total
            partial = partial or estimate.total_is_partial
    if partial:
        ctx.flags.append(
            Flag(
                TOTAL_IS_PARTIAL,
                f"上限が不明な項目があるため、{municipality.name}の合計 {_yen_text(total)} は"
                "計算できた項目だけの合計です。",
                WARNING,
            )
        )
    return MunicipalityEstimate(
        lgcode=municipality.lgcode,
        name=municipality.name,
        fiscal_year=fiscal_year,
        members=estimates,
        items=tuple(items),
        flags=tuple(ctx.flags),
        total=total,
        total_is_partial=partial,
        settings=settings,
    )


# --------------------------------------------------------------------------- national totals


@dataclass(frozen=True, slots=True)
class ProgramTotals:
    members: int
    claimed: Decimal
    amount: Decimal
    partial_members: int


@dataclass(frozen=True, slots=True)
class NationalTotals:
    fiscal_year: int
    municipalities: int
    members: int
    total: Decimal
    total_is_partial: bool
    by_program: Mapping[FundingProgram, ProgramTotals]
    municipality_items: Decimal
    flag_counts: Mapping[str, int]

    def to_dict(self) -> dict[str, object]:
        return {
            "fiscal_year": self.fiscal_year,
            "fiscal_year_label": fiscal_year_label(self.fiscal_year),
            "municipalities": self.municipalities,
            "members": self.members,
            "total": int(self.total),
            "total_is_partial": self.total_is_partial,
            "municipality_items": int(self.municipality_items),
            "by_program": {
                program.value: {
                    "label": PROGRAM_LABELS[program],
                    "members": t.members,
                    "claimed": int(t.claimed),
                    "amount": int(t.amount),
                    "partial_members": t.partial_members,
                }
                for program, t in self.by_program.items()
            },
            "flag_counts": dict(self.flag_counts),
        }


def national_totals(estimates: Sequence[MunicipalityEstimate]) -> NationalTotals:
    """Sum municipality estimates of one fiscal year (by program, and the flags by code)."""
    years = {e.fiscal_year for e in estimates}
    if len(years) > 1:
        raise ValueError(f"異なる年度の見込みは合計できません: {sorted(years)}")
    fiscal_year = years.pop() if years else 0
    members: Counter[FundingProgram] = Counter()
    partial_members: Counter[FundingProgram] = Counter()
    claimed: dict[FundingProgram, Decimal] = {}
    amount: dict[FundingProgram, Decimal] = {}
    flags: Counter[str] = Counter()
    total = ZERO
    municipality_items = ZERO
    partial = False
    for estimate in estimates:
        total += estimate.total
        partial = partial or estimate.total_is_partial
        items_total, _ = _sum_known(estimate.items)
        municipality_items += items_total
        for flag in estimate.flags:
            flags[flag.code] += 1
        for m in estimate.members:
            members[m.program] += 1
            claimed[m.program] = claimed.get(m.program, ZERO) + m.claimed_total
            if m.counted_in_municipality:
                amount[m.program] = amount.get(m.program, ZERO) + m.total
            if m.total_is_partial:
                partial_members[m.program] += 1
            for flag in m.flags:
                flags[flag.code] += 1
    by_program = {
        program: ProgramTotals(
            members=members[program],
            claimed=claimed.get(program, ZERO),
            amount=amount.get(program, ZERO),
            partial_members=partial_members[program],
        )
        for program in FundingProgram
        if members[program]
    }
    return NationalTotals(
        fiscal_year=fiscal_year,
        municipalities=len(estimates),
        members=sum(members.values()),
        total=total,
        total_is_partial=partial,
        by_program=MappingProxyType(by_program),
        municipality_items=municipality_items,
        flag_counts=MappingProxyType(dict(flags)),
    )


# --------------------------------------------------------------------------- what-if input


def estimate_input_problems(
    *,
    program: str,
    variant: str | None,
    fiscal_year: int | str | None,
    start: date | None,
    end: date | None,
    amounts: Mapping[str, str | int | Decimal | None],
    days: int | str | None,
    covered_years: Sequence[int],
) -> dict[str, str]:
    """Japanese messages by field for a what-if request (empty when it is valid).

    ``amounts`` maps field names (reward, expenses, startup, project) to the typed text.
    """
    problems: dict[str, str] = {}
    try:
        funding_program: FundingProgram | None = FundingProgram(program)
    except ValueError:
        funding_program = None
        names = "、".join(p.value for p in FundingProgram)
        problems["program"] = f"制度「{program}」は指定できません（指定できる制度: {names}）。"
    if funding_program is not None:
        try:
            variant_resolve(funding_program, variant)
        except ValueError as error:
            problems["variant"] = str(error)
    fy: int | None = None
    first, last = (covered_years[0], covered_years[-1]) if covered_years else (0, -1)
    if fiscal_year is None or fiscal_year == "":
        problems["fiscal_year"] = "年度を指定してください。"
    else:
        try:
            fy = int(str(fiscal_year).strip())
        except ValueError:
            problems["fiscal_year"] = (
                f"年度「{fiscal_year}」は西暦の年（例: 2023）で指定してください。"
            )
        if fy is not None and fy not in covered_years:
            problems["fiscal_year"] = (
                f"年度は{first}（{fiscal_year_label(first)}）〜{last}（{fiscal_year_label(last)}）"
                f"で指定してください（指定: {fy}）。"
                if covered_years
                else "上限額のデータがありません。"
            )
            fy = None
    if start is None:
        problems["start"] = "任期の開始日を入力してください。"
    if end is None:
        problems["end"] = "任期の終了日を入力してください。"
    if start is not None and end is not None and end < start:
        problems["end"] = "任期の終了日が開始日より前です。"
    parsed: dict[str, Decimal] = {}
    for name, raw in amounts.items():
        if raw is None or raw == "":
            continue
        try:
            parsed[name] = parse_yen(raw)
        except ValueError as error:
            problems[name] = str(error)
    if days is not None and days != "":
        try:
            days_value = int(str(days).strip())
        except ValueError:
            days_value = -1
        if days_value < 0:
            problems["days"] = "活動日数は0以上の整数で入力してください。"
        elif funding_program is not None and funding_program is not FundingProgram.INTERN:
            problems["days"] = "活動日数はインターンの場合だけ入力してください。"
        elif fy is not None and start is not None and end is not None and end >= start:
            covered = days_in_fiscal_year(start, end, fy)
            if days_value > covered:
                problems["days"] = (
                    f"活動日数（{days_value}日）が任期のうち{fiscal_year_label(fy)}の日数"
                    f"（{covered}日）を超えています。"
                )
    if (
        fy is not None
        and start is not None
        and end is not None
        and end >= start
        and "end" not in problems
        and not days_in_fiscal_year(start, end, fy)
    ):
        startup_next_year = (
            parsed.get("startup", ZERO) > 0
            and fy == fiscal_year_of(end) + 1
            and funding_program is FundingProgram.KYORYOKUTAI
        )
        if not startup_next_year:
            problems["end"] = (
                f"任期（{date_label(start)}〜{date_label(end)}）が{fiscal_year_label(fy)}"
                f"（{date_label(fiscal_year_bounds(fy)[0])}〜{date_label(fiscal_year_bounds(fy)[1])}）"
                "と重なっていません。"
            )
    return problems
