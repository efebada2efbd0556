"""Pure funding rules: programs and their variants, the table of caps and rates, and how
the months of a term are counted. No Django imports (mypy --strict).

Encodes hitonagare規則ノート (domain-rules.md) §3 「特別交付税 / 地方財政措置」. The caps and
rates are data (``data/rates.json``, described in ``data/SOURCES.md`` and ADR 0011): one entry
per item and fiscal year (令和3〜8年度), each with its source and grade. A value the sources do
not give is ``unknown`` and is never replaced by a guess: an overrides file (its path is a
parameter; the project passes the setting ``HITONAGARE_FUNDING_OVERRIDES_FILE``) can set it,
and every figure computed from it then says that it came from that file.

The caps are annual and no source gives a rule for a part of a year (規則ノート §3 "Proration
by months: not found"), so how the months of a term are counted is an explicit setting,
:class:`MonthCounting`, and every prorated cap names the method and says it is a setting.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Final

from hitonagare.core.wareki import date_label, fiscal_year_bounds, fiscal_year_label
from hitonagare.recruiting.rules import OPENING_PROGRAM_LABELS, TERM_BOUNDS, OpeningProgram, Term
from hitonagare.recruiting.rules import TermUnit as _TermUnit

__all__ = [
    "DATA_FILE",
    "DATA_PACKAGE",
    "DEFAULT_VARIANT",
    "GRADE_LABELS",
    "MONTH_COUNTING_DESCRIPTIONS",
    "MONTH_COUNTING_LABELS",
    "PROGRAM_LABELS",
    "PROGRAM_VARIANTS",
    "VARIANT_LABELS",
    "CapReading",
    "FundingProgram",
    "Grade",
    "MonthCounting",
    "Per",
    "Rate",
    "RateStatus",
    "RateTable",
    "Source",
    "TermShare",
    "Unit",
    "Variant",
    "coverage_in_fiscal_year",
    "days_in_fiscal_year",
    "months_in_fiscal_year",
    "parse_yen",
    "program_from_opening",
    "rates_load",
    "rates_parse",
    "term_bounds_problem",
    "term_share",
    "variant_resolve",
]

DATA_PACKAGE: Final = "hitonagare.funding.data"
DATA_FILE: Final = "rates.json"

# --------------------------------------------------------------------------- programs


class FundingProgram(StrEnum):
    """The programs with a 特別交付税 / 地方財政措置; the values are OpeningProgram's."""

    KYORYOKUTAI = "kyoryokutai"
    OTAMESHI = "otameshi"
    INTERN = "intern"
    PM = "pm"
    KIGYOJIN = "kigyojin"
    DIGITAL = "digital"
    NICHIIKI = "nichiiki"


PROGRAM_LABELS: Final[Mapping[FundingProgram, str]] = MappingProxyType(
    {FundingProgram(p.value): label for p, label in OPENING_PROGRAM_LABELS.items()}
)


def program_from_opening(program: OpeningProgram | str) -> FundingProgram:
    """The funding program of a recruiting program (the two enums share their values)."""
    return FundingProgram(OpeningProgram(program).value)


class Variant(StrEnum):
    """The kind of post inside a program, where the caps differ.

    協力隊: the 報償費 tier (from 令和6年度); 起業人: 企業派遣型 / 副業型; 二地域居住: the
    現地コーディネーター, full-time or 兼任. The other programs have one kind only.
    """

    STANDARD = "standard"
    EXPERT = "expert"
    DISADVANTAGED = "disadvantaged"
    DISPATCH = "dispatch"
    SIDE_JOB = "side_job"
    COORDINATOR = "coordinator"
    COORDINATOR_CONCURRENT = "coordinator_concurrent"
    SINGLE = "single"


VARIANT_LABELS: Final[Mapping[Variant, str]] = MappingProxyType(
    {
        Variant.STANDARD: "標準",
        Variant.EXPERT: "高度専門人材",
        Variant.DISADVANTAGED: "著しく条件不利な地域",
        Variant.DISPATCH: "企業派遣型",
        Variant.SIDE_JOB: "副業型",
        Variant.COORDINATOR: "現地コーディネーター",
        Variant.COORDINATOR_CONCURRENT: "現地コーディネーター（兼任）",
        Variant.SINGLE: "—",
    }
)

PROGRAM_VARIANTS: Final[Mapping[FundingProgram, tuple[Variant, ...]]] = MappingProxyType(
    {
        FundingProgram.KYORYOKUTAI: (Variant.STANDARD, Variant.EXPERT, Variant.DISADVANTAGED),
        FundingProgram.OTAMESHI: (Variant.SINGLE,),
        FundingProgram.INTERN: (Variant.SINGLE,),
        FundingProgram.PM: (Variant.SINGLE,),
        FundingProgram.KIGYOJIN: (Variant.DISPATCH, Variant.SIDE_JOB),
        FundingProgram.DIGITAL: (Variant.SINGLE,),
        FundingProgram.NICHIIKI: (Variant.COORDINATOR, Variant.COORDINATOR_CONCURRENT),
    }
)
DEFAULT_VARIANT: Final[Mapping[FundingProgram, Variant]] = MappingProxyType(
    {program: variants[0] for program, variants in PROGRAM_VARIANTS.items()}
)


def variant_resolve(program: FundingProgram, variant: Variant | str | None) -> Variant:
    """The variant to use: the program's default for None or "", else a valid one of it."""
    if variant is None or variant == "":
        return DEFAULT_VARIANT[program]
    try:
        resolved = Variant(variant)
    except ValueError:
        resolved = None
    allowed = PROGRAM_VARIANTS[program]
    if resolved is None or resolved not in allowed:
        names = "、".join(f"{v.value}（{VARIANT_LABELS[v]}）" for v in allowed)
        raise ValueError(
            f"{PROGRAM_LABELS[program]}の区分「{variant}」は指定できません（指定できる区分: {names}）。"
        )
    return resolved


# --------------------------------------------------------------------------- the rate table


class Grade(StrEnum):
    """How sure a value is (規則ノート: [official] / [secondary] / [inferred]); CONFIGURED is a
    value set by the overrides file."""

    OFFICIAL = "official"
    SECONDARY = "secondary"
    INFERRED = "inferred"
    CONFIGURED = "configured"


GRADE_LABELS: Final[Mapping[Grade, str]] = MappingProxyType(
    {
        Grade.OFFICIAL: "公式",
        Grade.SECONDARY: "二次資料",
        Grade.INFERRED: "推定",
        Grade.CONFIGURED: "設定で指定",
    }
)


class RateStatus(StrEnum):
    KNOWN = "known"
    UNKNOWN = "unknown"  # the sources do not give it
    NOT_APPLICABLE = "not_applicable"  # the measure (or tier) did not exist that year
    NO_CAP = "none"  # set by an override: there is no cap


class Unit(StrEnum):
    YEN = "yen"
    RATE = "rate"
    COUNT = "count"


class Per(StrEnum):
    """What a cap is counted per, which decides whether it is prorated by months."""

    PERSON_YEAR = "person_year"  # prorated by the months of the term in the fiscal year
    PERSON_DAY = "person_day"  # multiplied by the days
    PERSON_ONCE = "person_once"  # once per person (起業・事業承継), not prorated
    MUNICIPALITY_YEAR = "municipality_year"  # once per municipality and year, not prorated


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    label: str
    url: str | None
    grade: Grade | None

    @property
    def link(self) -> str | None:
        """The URL with a scheme (the notes often give only the host and path)."""
        if not self.url:
            return None
        return self.url if "://" in self.url else f"https://{self.url}"


@dataclass(frozen=True, slots=True)
class Rate:
    """One entry of the table: an item in one fiscal year."""

    item: str
    label: str
    fiscal_year: int
    status: RateStatus
    value: Decimal | None
    unit: Unit
    per: Per
    source: Source
    grade: Grade | None
    note: str

    @property
    def known(self) -> bool:
        return self.status is RateStatus.KNOWN

    def value_text(self) -> str:
        """The value as a Japanese text: "2,800,000円", "1/2", "1人", "不明", "なし"."""
        if self.status is RateStatus.UNKNOWN:
            return "不明"
        if self.status is RateStatus.NOT_APPLICABLE:
            return "措置なし（この年度には制度・区分がない）"
        if self.status is RateStatus.NO_CAP:
            return "上限なし（設定で指定）"
        assert self.value is not None
        if self.unit is Unit.RATE:
            return rate_text(self.value)
        if self.unit is Unit.COUNT:
            return f"{int(self.value)}人"
        return f"{int(self.value):,}円"

    def to_dict(self) -> dict[str, object]:
        value: object
        if self.status is RateStatus.KNOWN:
            assert self.value is not None
            value = str(self.value) if self.unit is Unit.RATE else int(self.value)
        else:
            value = self.status.value
        return {
            "item": self.item,
            "label": self.label,
            "fiscal_year": self.fiscal_year,
            "fiscal_year_label": fiscal_year_label(self.fiscal_year),
            "value": value,
            "unit": self.unit.value,
            "per": self.per.value,
            "source": self.source.label,
            "source_url": self.source.url,
            "grade": self.grade.value if self.grade else None,
            "note": self.note,
        }


def rate_text(value: Decimal) -> str:
    """0.5 → "1/2"; other rates as a fraction in lowest terms when short, else the decimal."""
    fraction = Fraction(value)
    if fraction.denominator <= 100:
        return f"{fraction.numerator}/{fraction.denominator}" if fraction != 1 else "1"
    return str(value)


_NOT_FOUND_SOURCE: Final = Source(
    key="not_found",
    label="hitonagare規則ノート §3・§6（資料で見つかっていない）",
    url=None,
    grade=None,
)


@dataclass(frozen=True, slots=True)
class _ItemMeta:
    label: str
    unit: Unit
    per: Per


class RateTable:
    """The entries by (item, fiscal year); a missing pair reads as unknown, never as 0."""

    __slots__ = ("_entries", "_items", "fiscal_years", "memo", "overridden", "overrides_file")

    def __init__(
        self,
        entries: Mapping[tuple[str, int], Rate],
        items: Mapping[str, _ItemMeta],
        *,
        overridden: Iterable[tuple[str, int]] = (),
        overrides_file: str | None = None,
    ) -> None:
        self._entries = dict(entries)
        self._items = dict(items)
        self.fiscal_years: tuple[int, ...] = tuple(sorted({fy for _item, fy in self._entries}))
        self.overridden: frozenset[tuple[str, int]] = frozenset(overridden)
        self.overrides_file = overrides_file
        # Values derived from one entry (the calculator's flags), computed once per table.
        self.memo: dict[tuple[object, ...], object] = {}

    @property
    def items(self) -> tuple[str, ...]:
        return tuple(self._items)

    def item_label(self, item: str) -> str:
        return self._items[item].label

    def covers(self, fiscal_year: int) -> bool:
        return fiscal_year in self.fiscal_years

    def get(self, item: str, fiscal_year: int) -> Rate:
        """The entry, or an "unknown" entry for a year the table does not cover."""
        found = self._entries.get((item, fiscal_year))
        if found is not None:
            return found
        meta = self._items.get(item)
        if meta is None:
            raise KeyError(f"未知の項目です: {item}")
        return Rate(
            item=item,
            label=meta.label,
            fiscal_year=fiscal_year,
            status=RateStatus.UNKNOWN,
            value=None,
            unit=meta.unit,
            per=meta.per,
            source=_NOT_FOUND_SOURCE,
            grade=None,
            note=f"{fiscal_year_label(fiscal_year)}のデータは収録していません。",
        )

    def entries(self) -> tuple[Rate, ...]:
        """Every entry, by item (file order) then fiscal year."""
        order = {item: i for i, item in enumerate(self._items)}
        return tuple(sorted(self._entries.values(), key=lambda r: (order[r.item], r.fiscal_year)))


def _bad(where: str, message: str) -> ValueError:
    return ValueError(f"{where}: {message}")


_RATE_RE: Final = re.compile(r"(0(\.[0-9]+)?|1(\.0+)?)")


def _parse_value(
    raw: object, unit: Unit, where: str, *, allow_no_cap: bool
) -> tuple[RateStatus, Decimal | None]:
    if raw == "unknown":
        return RateStatus.UNKNOWN, None
    if raw == "not_applicable":
        return RateStatus.NOT_APPLICABLE, None
    if raw == "none":
        if not allow_no_cap or unit is not Unit.YEN:
            raise _bad(where, "「none」（上限なし）は上書き設定の金額の項目にだけ指定できます。")
        return RateStatus.NO_CAP, None
    if unit is Unit.RATE:
        if not isinstance(raw, str) or not _RATE_RE.fullmatch(raw):
            raise _bad(
                where, f'措置率は 0〜1 の小数を文字列で指定してください（例: "0.5"）: {raw!r}'
            )
        return RateStatus.KNOWN, Decimal(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise _bad(where, f'値は0以上の整数（円・人数）か "unknown" で指定してください: {raw!r}')
    return RateStatus.KNOWN, Decimal(raw)


def _parse_grade(raw: object, where: str) -> Grade | None:
    if raw is None:
        return None
    try:
        return Grade(str(raw))
    except ValueError:
        raise _bad(where, f"grade が不正です: {raw!r}") from None


def rates_parse(text: str) -> RateTable:
    """Read the table from the JSON text of ``rates.json``; ValueError if it is malformed."""
    where = DATA_FILE
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _bad(where, f"JSONとして読めません（{error}）") from None
    if not isinstance(data, dict):
        raise _bad(where, "最上位はオブジェクトにしてください。")
    sources: dict[str, Source] = {}
    for key, raw in dict(data.get("sources", {})).items():
        sources[key] = Source(
            key=key,
            label=str(raw["label"]),
            url=raw.get("url"),
            grade=_parse_grade(raw.get("grade"), f"{where} sources.{key}"),
        )
    items: dict[str, _ItemMeta] = {}
    for key, raw in dict(data.get("items", {})).items():
        items[key] = _ItemMeta(label=str(raw["label"]), unit=Unit(raw["unit"]), per=Per(raw["per"]))
    entries: dict[tuple[str, int], Rate] = {}
    for index, raw in enumerate(list(data.get("entries", []))):
        at = f"{where} entries[{index}]"
        item = raw.get("item")
        if item not in items:
            raise _bad(at, f"未知の項目です: {item!r}")
        fiscal_year = raw.get("fiscal_year")
        if isinstance(fiscal_year, bool) or not isinstance(fiscal_year, int):
            raise _bad(at, f"fiscal_year は西暦の整数で指定してください: {fiscal_year!r}")
        if (item, fiscal_year) in entries:
            raise _bad(at, f"{item} の {fiscal_year} 年度が重複しています。")
        meta = items[item]
        status, value = _parse_value(raw.get("value"), meta.unit, at, allow_no_cap=False)
        source_key = raw.get("source")
        if source_key not in sources:
            raise _bad(at, f"未知の出典です: {source_key!r}")
        grade = _parse_grade(raw.get("grade"), at)
        if status is RateStatus.KNOWN and grade is None:
            raise _bad(at, "値のある項目には grade（official / secondary / inferred）が必要です。")
        entries[(item, fiscal_year)] = Rate(
            item=item,
            label=meta.label,
            fiscal_year=fiscal_year,
            status=status,
            value=value,
            unit=meta.unit,
            per=meta.per,
            source=sources[source_key],
            grade=grade if status is RateStatus.KNOWN else None,
            note=str(raw.get("note", "")),
        )
    return RateTable(entries, items)


def _overrides_apply(table: RateTable, text: str, origin: str) -> RateTable:
    """The table with the entries of an overrides file replacing (or adding) its own.

    The file is JSON: ``{"entries": [{"item": "kyoryokutai.reward", "fiscal_year": 2025,
    "value": 3500000, "source": "総務省通知（令和7年…）", "url": "…", "note": "…"}]}``.
    ``value`` is yen or a count (an integer), a rate ("0.5"), "unknown", or "none" (no cap).
    ``source`` is required: a configured value must say where it comes from.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _bad(origin, f"JSONとして読めません（{error}）") from None
    raw_entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(raw_entries, list):
        raise _bad(origin, "「entries」（上書きする項目の配列）が必要です。")
    entries = {(r.item, r.fiscal_year): r for r in table.entries()}
    overridden: set[tuple[str, int]] = set(table.overridden)
    for index, raw in enumerate(raw_entries):
        at = f"{origin} entries[{index}]"
        if not isinstance(raw, dict):
            raise _bad(at, "各項目はオブジェクトで指定してください。")
        item = raw.get("item")
        if not isinstance(item, str) or item not in table.items:
            known = "、".join(table.items)
            raise _bad(at, f"未知の項目です: {item!r}（指定できる項目: {known}）")
        fiscal_year = raw.get("fiscal_year")
        if isinstance(fiscal_year, bool) or not isinstance(fiscal_year, int):
            raise _bad(at, f"fiscal_year は西暦の整数で指定してください: {fiscal_year!r}")
        if not 2021 <= fiscal_year <= 2099:
            raise _bad(at, f"fiscal_year は2021〜2099で指定してください: {fiscal_year}")
        source_label = raw.get("source")
        if not isinstance(source_label, str) or not source_label.strip():
            raise _bad(at, "source（値の根拠となる資料名）を指定してください。")
        url = raw.get("url")
        if url is not None and not isinstance(url, str):
            raise _bad(at, "url は文字列で指定してください。")
        meta = table._items[item]
        status, value = _parse_value(raw.get("value"), meta.unit, at, allow_no_cap=True)
        note = str(raw.get("note", ""))
        shipped = entries.get((item, fiscal_year))
        if shipped is not None:
            note = f"{note}（同梱データの値: {shipped.value_text()}）".lstrip()
        entries[(item, fiscal_year)] = Rate(
            item=item,
            label=meta.label,
            fiscal_year=fiscal_year,
            status=status,
            value=value,
            unit=meta.unit,
            per=meta.per,
            source=Source(
                key=f"override:{item}:{fiscal_year}",
                label=f"{source_label.strip()}（上書き設定 {Path(origin).name}）",
                url=url,
                grade=Grade.CONFIGURED,
            ),
            grade=Grade.CONFIGURED if status is RateStatus.KNOWN else None,
            note=note,
        )
        overridden.add((item, fiscal_year))
    return RateTable(entries, table._items, overridden=overridden, overrides_file=origin)


@lru_cache(maxsize=1)
def _shipped() -> RateTable:
    text = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return rates_parse(text)


@lru_cache(maxsize=8)
def _with_overrides(path: str, _mtime_ns: int, _size: int) -> RateTable:
    text = Path(path).read_text(encoding="utf-8")
    return _overrides_apply(_shipped(), text, path)


def rates_load(overrides_file: str | os.PathLike[str] | None = None) -> RateTable:
    """The shipped table, with the entries of ``overrides_file`` (JSON) applied if given.

    The file is re-read when it changes (its modification time or size). A missing or
    malformed file raises ValueError: a configured path that cannot be read is an error,
    not a silent fallback to the shipped values.
    """
    if overrides_file is None or str(overrides_file) == "":
        return _shipped()
    path = str(overrides_file)
    try:
        stat = os.stat(path)
    except OSError as error:
        raise ValueError(f"上書き設定ファイルを読めません: {path}（{error.strerror}）") from None
    return _with_overrides(path, stat.st_mtime_ns, stat.st_size)


# --------------------------------------------------------------------------- months


class MonthCounting(StrEnum):
    """How much of an annual cap a term inside one fiscal year earns (a setting, not law)."""

    STARTED_MONTHS = "started_months"
    FULL_MONTHS = "full_months"
    DAYS = "days"


MONTH_COUNTING_LABELS: Final[Mapping[MonthCounting, str]] = MappingProxyType(
    {
        MonthCounting.STARTED_MONTHS: "在任した月（1日でも在任した月を1か月と数える）",
        MonthCounting.FULL_MONTHS: "全期間在任した月だけを数える",
        MonthCounting.DAYS: "日割り（在任日数÷その年度の日数）",
    }
)
MONTH_COUNTING_DESCRIPTIONS: Final[Mapping[MonthCounting, str]] = MappingProxyType(
    {
        MonthCounting.STARTED_MONTHS: (
            "任期が1日でも含まれる月を1か月と数え、年額の上限×月数/12 で按分します。"
        ),
        MonthCounting.FULL_MONTHS: (
            "月の初日から末日まで在任した月だけを数え、年額の上限×月数/12 で按分します。"
        ),
        MonthCounting.DAYS: (
            "その年度に在任した日数をその年度の日数（365日または366日）で割って按分します。"
        ),
    }
)
PRORATION_IS_A_SETTING: Final = (
    "年度の途中の任期の按分方法は資料に定めがなく（規則ノート §3）、法令ではなく"
    "このシステムの設定（HITONAGARE_FUNDING_MONTH_COUNTING）です。"
)


@dataclass(frozen=True, slots=True)
class TermShare:
    """How much of one fiscal year a term [start, end] covers, counted by ``method``.

    ``days``: calendar days of the term inside the year; ``year_days``: 365 or 366;
    ``months``: the counted months (whole for the month methods; 12 × days ÷ year_days for
    DAYS); ``numerator``/``denominator``: the exact share of an annual cap, 0 to 1.
    """

    method: MonthCounting
    days: int
    year_days: int
    months: Decimal
    numerator: int
    denominator: int

    @property
    def share(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)

    def prorate(self, annual: Decimal) -> Decimal:
        """``annual`` × the share, rounded down to the yen."""
        return Decimal(int(annual) * self.numerator // self.denominator)


def _is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def _counted_months(s: date, e: date, method: MonthCounting) -> int:
    months = (e.year * 12 + e.month) - (s.year * 12 + s.month) + 1
    if method is MonthCounting.STARTED_MONTHS:
        return months
    partial_first = 0 if s.day == 1 else 1
    partial_last = 0 if _is_month_end(e) else 1
    if months == 1:
        return 1 if not (partial_first or partial_last) else 0
    return months - partial_first - partial_last


def term_share(start: date, end: date, fiscal_year: int, method: MonthCounting) -> TermShare:
    """The part of ``fiscal_year`` the term [start, end] (both days included) covers."""
    if end < start:
        raise ValueError(f"終了日（{end.isoformat()}）が開始日（{start.isoformat()}）より前です。")
    method = MonthCounting(method)
    first, last = fiscal_year_bounds(fiscal_year)
    year_days = (last - first).days + 1
    s, e = max(start, first), min(end, last)
    if s > e:
        return TermShare(method, 0, year_days, Decimal(0), 0, 1)
    days = (e - s).days + 1
    if method is MonthCounting.DAYS:
        share = Fraction(days, year_days)
        months = (
            Decimal(int(share * 12))
            if (share * 12).denominator == 1
            else Decimal(12 * share.numerator) / Decimal(share.denominator)
        )
        return TermShare(method, days, year_days, months, share.numerator, share.denominator)
    counted = _counted_months(s, e, method)
    return TermShare(method, days, year_days, Decimal(counted), counted, 12)


def days_in_fiscal_year(start: date, end: date, fiscal_year: int) -> int:
    """Calendar days of the term [start, end] (both included) inside the fiscal year."""
    return term_share(start, end, fiscal_year, MonthCounting.DAYS).days


def coverage_in_fiscal_year(
    start: date, end: date, fiscal_year: int, method: MonthCounting
) -> Fraction:
    """The share of an annual cap the term earns in the fiscal year, 0 to 1 (exact)."""
    return term_share(start, end, fiscal_year, method).share


def months_in_fiscal_year(
    start: date, end: date, fiscal_year: int, method: MonthCounting
) -> Decimal:
    """The months of the term [start, end] counted in the fiscal year by ``method``.

    STARTED_MONTHS and FULL_MONTHS give whole months (0–12). DAYS gives 12 × the days in
    the fiscal year ÷ the days of that fiscal year, so a whole year is exactly 12 and a term
    of 2023-10-01…2024-03-31 (183 of 366 days) is exactly 6.
    """
    return term_share(start, end, fiscal_year, method).months


class CapReading(StrEnum):
    """How "上限100万円（1/2）" is read (the sources do not say).

    EXPENSE_CAP: the expense counted is capped, then the rate applies (at most 50万円).
    MEASURE_CAP: the rate applies to the whole expense and the result is capped (at most
    100万円).
    """

    EXPENSE_CAP = "expense_cap"
    MEASURE_CAP = "measure_cap"


CAP_READING_LABELS: Final[Mapping[CapReading, str]] = MappingProxyType(
    {
        CapReading.EXPENSE_CAP: "上限は対象経費の上限（上限内の経費×措置率）",
        CapReading.MEASURE_CAP: "上限は措置額の上限（経費×措置率を上限まで）",
    }
)


# --------------------------------------------------------------------------- terms and input


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = (following - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def _add_term(day: date, term: Term) -> date:
    if term.unit is _TermUnit.DAYS:
        return day + timedelta(days=term.value)
    if term.unit is _TermUnit.WEEKS:
        return day + timedelta(weeks=term.value)
    if term.unit is _TermUnit.MONTHS:
        return _add_months(day, term.value)
    return _add_months(day, 12 * term.value)


@lru_cache(maxsize=65536)
def term_bounds_problem(program: FundingProgram, start: date, end: date) -> str | None:
    """A Japanese message when the term [start, end] is shorter or longer than the program's
    bounds (recruiting.rules.TERM_BOUNDS, in calendar units: 1年 from 2023-04-01 is the day
    before 2024-04-01), else None."""
    if end < start:
        return f"任期の終了日（{date_label(end)}）が開始日（{date_label(start)}）より前です。"
    bounds = TERM_BOUNDS[OpeningProgram(FundingProgram(program).value)]
    after = end + timedelta(days=1)
    if _add_term(start, bounds.minimum) <= after <= _add_term(start, bounds.maximum):
        return None
    days = (end - start).days + 1
    return (
        f"{PROGRAM_LABELS[FundingProgram(program)]}の任期は{bounds.label()}です"
        f"（{date_label(start)}〜{date_label(end)}、{days}日）。"
    )


_YEN_RE: Final = re.compile(r"[0-9]+")


def parse_yen(text: str | int | Decimal) -> Decimal:
    """An amount in whole yen: "2,800,000", "２８０００００", 2800000 → Decimal(2800000).

    ValueError (Japanese message) for a negative, fractional or non-numeric amount.
    """
    if isinstance(text, bool):
        raise ValueError("金額は0以上の整数（円）で入力してください。")
    if isinstance(text, int | Decimal):
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError("金額は0以上の整数（円）で入力してください。") from None
        if not value.is_finite() or value != value.to_integral_value():
            raise ValueError("金額は円単位の整数で入力してください（小数は使えません）。")
        if value < 0:
            raise ValueError("金額は0以上で入力してください。")
        return value.quantize(Decimal(1))
    cleaned = unicodedata.normalize("NFKC", text).strip()
    cleaned = cleaned.replace(",", "").replace(" ", "").removesuffix("円")
    if cleaned.startswith("-") and _YEN_RE.fullmatch(cleaned[1:].split(".")[0] or "x"):
        raise ValueError("金額は0以上で入力してください。")
    if re.fullmatch(r"[0-9]+\.[0-9]+", cleaned):
        raise ValueError("金額は円単位の整数で入力してください（小数は使えません）。")
    if not _YEN_RE.fullmatch(cleaned):
        raise ValueError(f"金額「{text}」は0以上の整数（円）で入力してください。")
    return Decimal(int(cleaned))
