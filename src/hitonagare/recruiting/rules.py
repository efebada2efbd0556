"""Pure recruiting rules: the programs an opening can be for, themes, term bounds,
application states and who may move them. No Django imports (mypy --strict)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Final


class OpeningProgram(StrEnum):
    KYORYOKUTAI = "kyoryokutai"
    OTAMESHI = "otameshi"
    INTERN = "intern"
    PM = "pm"
    KIGYOJIN = "kigyojin"
    DIGITAL = "digital"
    NICHIIKI = "nichiiki"


OPENING_PROGRAM_LABELS: Final[Mapping[OpeningProgram, str]] = MappingProxyType(
    {
        OpeningProgram.KYORYOKUTAI: "地域おこし協力隊",
        OpeningProgram.OTAMESHI: "おためし地域おこし協力隊",
        OpeningProgram.INTERN: "地域おこし協力隊インターン",
        OpeningProgram.PM: "地域プロジェクトマネージャー",
        OpeningProgram.KIGYOJIN: "地域活性化起業人",
        OpeningProgram.DIGITAL: "外部デジタル人材（CIO補佐官等）",
        OpeningProgram.NICHIIKI: "二地域居住・関係人口",
    }
)

# Programs judged by the 地域要件 engine (eligibility.rules.Program has the same values).
PROGRAMS_WITH_AREA_REQUIREMENT: Final = frozenset(
    {
        OpeningProgram.KYORYOKUTAI,
        OpeningProgram.OTAMESHI,
        OpeningProgram.INTERN,
        OpeningProgram.PM,
        OpeningProgram.KIGYOJIN,
    }
)


class Theme(IntEnum):
    """The controlled vocabulary; an opening stores its themes as a bit mask (1 << value)."""

    TOURISM = 0
    LOCAL_PRODUCTS = 1
    PRIMARY_INDUSTRY = 2
    MIGRATION = 3
    WELFARE = 4
    CHILDCARE_EDUCATION = 5
    ICT_DX = 6
    ENVIRONMENT_ENERGY = 7
    CULTURE_SPORTS = 8
    TOWN_VACANT_HOUSES = 9
    OTHER = 10


THEME_LABELS: Final[Mapping[Theme, str]] = MappingProxyType(
    {
        Theme.TOURISM: "観光振興",
        Theme.LOCAL_PRODUCTS: "地場産品開発・販路拡大",
        Theme.PRIMARY_INDUSTRY: "農林水産業",
        Theme.MIGRATION: "移住・定住支援",
        Theme.WELFARE: "生活支援・福祉",
        Theme.CHILDCARE_EDUCATION: "子育て・教育",
        Theme.ICT_DX: "ICT・DX",
        Theme.ENVIRONMENT_ENERGY: "環境・エネルギー",
        Theme.CULTURE_SPORTS: "文化・スポーツ",
        Theme.TOWN_VACANT_HOUSES: "まちづくり・空き家",
        Theme.OTHER: "その他",
    }
)
THEME_SLUGS: Final[Mapping[Theme, str]] = MappingProxyType(
    {
        Theme.TOURISM: "tourism",
        Theme.LOCAL_PRODUCTS: "local-products",
        Theme.PRIMARY_INDUSTRY: "primary-industry",
        Theme.MIGRATION: "migration",
        Theme.WELFARE: "welfare",
        Theme.CHILDCARE_EDUCATION: "childcare-education",
        Theme.ICT_DX: "ict-dx",
        Theme.ENVIRONMENT_ENERGY: "environment-energy",
        Theme.CULTURE_SPORTS: "culture-sports",
        Theme.TOWN_VACANT_HOUSES: "town-vacant-houses",
        Theme.OTHER: "other",
    }
)
THEME_BY_SLUG: Final[Mapping[str, Theme]] = MappingProxyType(
    {slug: theme for theme, slug in THEME_SLUGS.items()}
)


def themes_to_mask(themes: list[Theme] | tuple[Theme, ...] | set[Theme]) -> int:
    mask = 0
    for theme in themes:
        mask |= 1 << int(theme)
    return mask


def mask_to_themes(mask: int) -> list[Theme]:
    return [theme for theme in Theme if mask & (1 << int(theme))]


# --- terms -------------------------------------------------------------------------------


class TermUnit(StrEnum):
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"
    YEARS = "years"


TERM_UNIT_LABELS: Final[Mapping[TermUnit, str]] = MappingProxyType(
    {TermUnit.DAYS: "日", TermUnit.WEEKS: "週間", TermUnit.MONTHS: "か月", TermUnit.YEARS: "年"}
)

# A month is a twelfth of a year so that 12 months = 1 year and 36 months = 3 years exactly.
_DAYS_PER_UNIT: Final[Mapping[TermUnit, Fraction]] = MappingProxyType(
    {
        TermUnit.DAYS: Fraction(1),
        TermUnit.WEEKS: Fraction(7),
        TermUnit.MONTHS: Fraction(36525, 1200),
        TermUnit.YEARS: Fraction(36525, 100),
    }
)


@dataclass(frozen=True, slots=True)
class Term:
    value: int
    unit: TermUnit

    def days(self) -> Fraction:
        return self.value * _DAYS_PER_UNIT[self.unit]

    def label(self) -> str:
        return f"{self.value}{TERM_UNIT_LABELS[self.unit]}"


@dataclass(frozen=True, slots=True)
class TermBounds:
    minimum: Term
    maximum: Term
    source: str

    def label(self) -> str:
        return f"{self.minimum.label()}〜{self.maximum.label()}"


# Sources: hitonagare規則ノート (docs/domain-rules.md). おためし is "a few days" (2泊3日程度 in
# the 要綱); we accept 1–14 days. 外部デジタル人材 and 二地域居住 have no term rule in the sources,
# so any term from 1 day to 3 years is accepted and the page says so.
TERM_BOUNDS: Final[Mapping[OpeningProgram, TermBounds]] = MappingProxyType(
    {
        OpeningProgram.KYORYOKUTAI: TermBounds(
            Term(1, TermUnit.YEARS), Term(3, TermUnit.YEARS), "協力隊の任期はおおむね1年以上3年以下"
        ),
        OpeningProgram.PM: TermBounds(
            Term(1, TermUnit.YEARS),
            Term(3, TermUnit.YEARS),
            "地域プロジェクトマネージャーは1年以上3年以下",
        ),
        OpeningProgram.INTERN: TermBounds(
            Term(2, TermUnit.WEEKS), Term(3, TermUnit.MONTHS), "インターンは2週間〜3か月"
        ),
        OpeningProgram.OTAMESHI: TermBounds(
            Term(1, TermUnit.DAYS),
            Term(14, TermUnit.DAYS),
            "おためし協力隊は数日程度（2泊3日程度）",
        ),
        OpeningProgram.KIGYOJIN: TermBounds(
            Term(6, TermUnit.MONTHS), Term(3, TermUnit.YEARS), "地域活性化起業人は6か月〜3年"
        ),
        OpeningProgram.DIGITAL: TermBounds(
            Term(1, TermUnit.DAYS),
            Term(3, TermUnit.YEARS),
            "資料に期間の定めなし（確認してください）",
        ),
        OpeningProgram.NICHIIKI: TermBounds(
            Term(1, TermUnit.DAYS),
            Term(3, TermUnit.YEARS),
            "資料に期間の定めなし（確認してください）",
        ),
    }
)


def term_problem(program: OpeningProgram, term: Term) -> str | None:
    """A Japanese message when the term does not fit the program, else None."""
    if term.value <= 0:
        return "期間は1以上の数で入力してください。"
    bounds = TERM_BOUNDS[program]
    # A year is 365.25 days here; "365日" still means one year to the people who type it.
    if bounds.minimum.days() - 1 < term.days() <= bounds.maximum.days():
        return None
    return (
        f"{OPENING_PROGRAM_LABELS[program]}の期間は{bounds.label()}です（入力: {term.label()}）。"
    )


# --- application states -------------------------------------------------------------------


class ApplicationStatus(StrEnum):
    APPLIED = "applied"
    SCREENING = "screening"
    INTERVIEW = "interview"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


APPLICATION_STATUS_LABELS: Final[Mapping[ApplicationStatus, str]] = MappingProxyType(
    {
        ApplicationStatus.APPLIED: "応募済",
        ApplicationStatus.SCREENING: "書類選考中",
        ApplicationStatus.INTERVIEW: "面接調整中",
        ApplicationStatus.OFFERED: "内定",
        ApplicationStatus.ACCEPTED: "承諾",
        ApplicationStatus.DECLINED: "辞退",
        ApplicationStatus.REJECTED: "不採用",
        ApplicationStatus.WITHDRAWN: "取り下げ",
    }
)

TERMINAL_STATUSES: Final = frozenset(
    {
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.DECLINED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    }
)


class Actor(StrEnum):
    APPLICANT = "applicant"
    STAFF = "staff"


_S = ApplicationStatus
# (from, to) → who may make the move.
TRANSITIONS: Final[Mapping[tuple[ApplicationStatus, ApplicationStatus], Actor]] = MappingProxyType(
    {
        (_S.APPLIED, _S.SCREENING): Actor.STAFF,
        (_S.SCREENING, _S.INTERVIEW): Actor.STAFF,
        (_S.INTERVIEW, _S.OFFERED): Actor.STAFF,
        (_S.SCREENING, _S.OFFERED): Actor.STAFF,
        (_S.APPLIED, _S.REJECTED): Actor.STAFF,
        (_S.SCREENING, _S.REJECTED): Actor.STAFF,
        (_S.INTERVIEW, _S.REJECTED): Actor.STAFF,
        (_S.OFFERED, _S.ACCEPTED): Actor.APPLICANT,
        (_S.OFFERED, _S.DECLINED): Actor.APPLICANT,
        (_S.APPLIED, _S.WITHDRAWN): Actor.APPLICANT,
        (_S.SCREENING, _S.WITHDRAWN): Actor.APPLICANT,
        (_S.INTERVIEW, _S.WITHDRAWN): Actor.APPLICANT,
    }
)


def next_statuses(current: ApplicationStatus, actor: Actor) -> list[ApplicationStatus]:
    return [to for (frm, to), who in TRANSITIONS.items() if frm is current and who is actor]


def transition_problem(
    current: ApplicationStatus, target: ApplicationStatus, actor: Actor
) -> str | None:
    """A Japanese message when `actor` may not move an application from current to target."""
    who = TRANSITIONS.get((current, target))
    if who is None:
        return (
            f"「{APPLICATION_STATUS_LABELS[current]}」から"
            f"「{APPLICATION_STATUS_LABELS[target]}」には変更できません。"
        )
    if who is not actor:
        return (
            f"「{APPLICATION_STATUS_LABELS[target]}」への変更は"
            f"{'応募者' if who is Actor.APPLICANT else '募集団体の職員'}だけが行えます。"
        )
    return None
