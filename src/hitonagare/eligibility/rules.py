"""Eligibility rules per program: plain values in, a ``Decision`` with reasons out.

Encodes domain-rules.md §1 (地域おこし協力隊の地域要件) and §2 (PM, おためし, インターン,
地域活性化起業人). Pure: stdlib only (plus :mod:`.matrix`), no Django, no ORM.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import Final

from .matrix import (
    CATEGORY_LABELS,
    ELIGIBLE,
    NEEDS_CHECK,
    NOT_ELIGIBLE,
    SYMBOL_MEANINGS,
    Matrix,
    Symbol,
)

__all__ = [
    "AREA_TYPES",
    "EXCEPTION_LABELS",
    "FAQ_URL",
    "KIGYOJIN_COMPANY_LOCATION_BASES",
    "KIGYOJIN_HOST_RULES",
    "KIGYOJIN_URL",
    "PROGRAM_LABELS",
    "Citation",
    "Decision",
    "Exceptions",
    "KigyojinParameters",
    "Place",
    "Program",
    "Zone",
    "decide",
    "to_wareki",
]

# --------------------------------------------------------------------------- 和暦

_ERAS: Final[tuple[tuple[date, str], ...]] = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
)


def to_wareki(d: date) -> str:
    """``date(2022, 4, 1)`` → ``"令和4年4月1日"``; the first year of an era is 元年."""
    for start, era in _ERAS:
        if d >= start:
            year = d.year - start.year + 1
            year_text = "元" if year == 1 else str(year)
            return f"{era}{year_text}年{d.month}月{d.day}日"
    raise ValueError(f"昭和より前の日付は和暦に変換できません: {d.isoformat()}")


# --------------------------------------------------------------------------- value objects


class Program(StrEnum):
    KYORYOKUTAI = "kyoryokutai"
    PM = "pm"
    INTERN = "intern"
    OTAMESHI = "otameshi"
    KIGYOJIN = "kigyojin"


PROGRAM_LABELS: Final[Mapping[Program, str]] = MappingProxyType(
    {
        Program.KYORYOKUTAI: "地域おこし協力隊",
        Program.PM: "地域プロジェクトマネージャー",
        Program.INTERN: "地域おこし協力隊インターン",
        Program.OTAMESHI: "おためし地域おこし協力隊",
        Program.KIGYOJIN: "地域活性化起業人",
    }
)


class Zone(StrEnum):
    """Whether the place (or the area inside it) lies in the 条件不利区域."""

    INSIDE = "inside"
    OUTSIDE = "outside"
    UNKNOWN = "unknown"


AREA_URBAN: Final = "都市地域"
AREA_ALL: Final = "全部条件不利地域"
AREA_PARTIAL: Final = "一部条件不利地域"
AREA_TYPES: Final[tuple[str, ...]] = (AREA_URBAN, AREA_ALL, AREA_PARTIAL)

_AREA_TYPE_BY_CATEGORY: Final[Mapping[int, str]] = MappingProxyType(
    {
        1: AREA_URBAN,
        2: AREA_URBAN,
        3: AREA_URBAN,
        4: AREA_URBAN,
        5: AREA_ALL,
        6: AREA_PARTIAL,
        7: AREA_PARTIAL,
        8: AREA_ALL,
        9: AREA_PARTIAL,
        10: AREA_PARTIAL,
    }
)
_METRO_CATEGORIES: Final = frozenset({1, 2, 5, 6, 7})
_DESIGNATED_CATEGORIES: Final = frozenset({2, 4, 7, 10})
_LGCODE_RE: Final = re.compile(r"[0-9]{6}")

FAQ_URL: Final = "https://www.soumu.go.jp/chiikiokoshitai/faq/index.html"
KIGYOJIN_URL: Final = (
    "https://www.soumu.go.jp/main_sosiki/jichi_gyousei/c-gyousei/bunken_kaikaku/"
    "02gyosei08_03100070.html"
)
_SAKAWA_URL: Final = "https://www.town.sakawa.lg.jp/reiki/reiki_honbun/o339RG00001167.html"


@dataclass(frozen=True)
class Place:
    """A municipality (and optionally the 大字/旧市町村 inside it) as classified by the 確認表."""

    lgcode: str
    name: str
    prefecture: str
    category_id: int
    area_type: str
    in_metro: bool
    prefecture_in_metro: bool
    pop_decline_exception: bool
    designated_city: bool
    zone: Zone
    area_name: str | None = None
    zone_basis: str | None = None
    areas_to_check: tuple[str, ...] = ()
    areas_incomplete: bool = True

    def __post_init__(self) -> None:
        where = f"{self.name}（{self.lgcode}）"
        if not _LGCODE_RE.fullmatch(self.lgcode):
            raise ValueError(f"団体コードは6桁の数字で指定してください: {self.lgcode!r}")
        if self.category_id not in CATEGORY_LABELS:
            raise ValueError(f"{where}の区分は1〜10で指定してください: {self.category_id!r}")
        if self.area_type not in AREA_TYPES:
            raise ValueError(f"{where}の地域の種類が不明です: {self.area_type!r}")
        if not isinstance(self.zone, Zone):
            raise ValueError(f"{where}の区域の指定が不正です: {self.zone!r}")
        if _AREA_TYPE_BY_CATEGORY[self.category_id] != self.area_type:
            raise ValueError(
                f"{where}の区分{self.category_id}と地域の種類「{self.area_type}」が矛盾しています。"
            )
        if self.in_metro != (self.category_id in _METRO_CATEGORIES):
            raise ValueError(f"{where}の3大都市圏の指定が区分{self.category_id}と矛盾しています。")
        if self.designated_city != (self.category_id in _DESIGNATED_CATEGORIES):
            raise ValueError(f"{where}の指定都市の指定が区分{self.category_id}と矛盾しています。")
        if self.in_metro and not self.prefecture_in_metro:
            raise ValueError(f"{where}は3大都市圏内ですが、都府県が11都府県に含まれていません。")
        if self.pop_decline_exception and not (self.category_id == 3 and self.prefecture_in_metro):
            raise ValueError(
                f"{where}の人口減少率例外は、11都府県内で3大都市圏外の都市地域（区分3）"
                "として扱われる団体にだけ指定できます。"
            )
        if self.area_type == AREA_ALL and self.zone is not Zone.INSIDE:
            raise ValueError(f"{where}は全部条件不利地域のため、区域は「inside」になります。")
        if self.area_type == AREA_URBAN and self.zone is not Zone.OUTSIDE:
            raise ValueError(f"{where}は都市地域のため、区域は「outside」になります。")

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category_id]

    @property
    def display_name(self) -> str:
        return f"{self.name}（{self.area_name}）" if self.area_name else self.name

    def to_dict(self) -> dict[str, object]:
        return {
            "lgcode": self.lgcode,
            "name": self.name,
            "prefecture": self.prefecture,
            "category_id": self.category_id,
            "category_label": self.category_label,
            "area_type": self.area_type,
            "zone": self.zone.value,
            "area_name": self.area_name,
            "zone_basis": self.zone_basis,
            "in_metro": self.in_metro,
            "prefecture_in_metro": self.prefecture_in_metro,
            "designated_city": self.designated_city,
            "pop_decline_exception": self.pop_decline_exception,
        }


@dataclass(frozen=True)
class Exceptions:
    """Facts that open the exception routes of FAQ A1 (§1.5) and of the PM 要綱 (§2.1)."""

    former_member: bool = False
    overseas_resident: bool = False
    jet_finisher: bool = False
    jet_same_area_without_move: bool = False
    pm_already_active: bool = False

    def active(self) -> tuple[str, ...]:
        """Names of the flags that are set, in declaration order."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name))


EXCEPTION_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "former_member": "元隊員（同一地域で2年以上活動し、解嘱後1年以内）",
        "overseas_resident": "海外在住者（住民基本台帳に記録がない者）",
        "jet_finisher": "JETプログラム終了者（2年以上参加し、終了後1年以内）",
        "jet_same_area_without_move": "JETプログラムの任用地域と同一地域での住民票異動なしの任用",
        "pm_already_active": "既に当該市町村で協力隊員・企業人として活動し居住している者",
    }
)
_ROUTE_EXCEPTIONS: Final = ("overseas_resident", "former_member", "jet_finisher")


@dataclass(frozen=True)
class Citation:
    document: str
    basis_date: date | None
    section: str
    url: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "document": self.document,
            "basis_date": self.basis_date.isoformat() if self.basis_date else None,
            "section": self.section,
            "url": self.url,
        }


_CITE_FAQ_A1: Final = Citation(
    document="総務省「地域おこし協力隊」よくある質問",
    basis_date=None,
    section="FAQ A1 地域要件の例外（hitonagare規則ノート §1.5）",
    url=FAQ_URL,
)
_CITE_SAME_MUNICIPALITY: Final = Citation(
    document="推進要綱（佐川町地域プロジェクトマネージャー設置要綱が引用する国の要綱の文言）",
    basis_date=None,
    section="同一市町村内の異動・任用前からの定住者は含めない（hitonagare規則ノート §1.6）",
    url=_SAKAWA_URL,
)
_CITE_PM: Final = Citation(
    document="地域プロジェクトマネージャー推進要綱（令和3年3月31日付け総行応第76号）",
    basis_date=None,
    section="地域要件は協力隊と共通・既に活動している者の任用（hitonagare規則ノート §2.1）",
    url=_SAKAWA_URL,
)
_CITE_TRIAL: Final = Citation(
    document="地域おこし協力隊推進要綱（おためし地域おこし協力隊・地域おこし協力隊インターン）",
    basis_date=None,
    section="住所地等の要件・住民票異動の要件なし（hitonagare規則ノート §2.2）",
    url=None,
)
_CITE_KIGYOJIN: Final = Citation(
    document="総務省「地域活性化起業人」",
    basis_date=None,
    section="対象となる企業・受入自治体・派遣期間（hitonagare規則ノート §2.3）",
    url=KIGYOJIN_URL,
)

KIGYOJIN_HOST_RULES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "destination_of_kyoryokutai": (
            "3大都市圏外の市町村、または3大都市圏内で条件不利地域を有する市町村"
            "（協力隊の転入地と同じ範囲）"
        ),
        "has_disadvantaged_area": "条件不利地域を有する市町村（令和2年度までの要件）",
        "outside_metro": "3大都市圏外の市町村（「地方圏」の字義どおり）",
    }
)
KIGYOJIN_COMPANY_LOCATION_BASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "prefecture": "所在市町村が三大都市圏の11都府県にあること",
        "matrix": "所在市町村が確認表で3大都市圏内とされていること（人口減少率例外は圏外）",
    }
)


@dataclass(frozen=True)
class KigyojinParameters:
    """Unverified 地域活性化起業人 rules, kept as named parameters (domain-rules.md §2.3)."""

    host_rule: str = "destination_of_kyoryokutai"
    company_location_basis: str = "prefecture"
    exclude_designated_city_hosts: bool = False

    def __post_init__(self) -> None:
        if self.host_rule not in KIGYOJIN_HOST_RULES:
            allowed = "、".join(KIGYOJIN_HOST_RULES)
            raise ValueError(f"host_rule が不正です: {self.host_rule!r}（指定できる値: {allowed}）")
        if self.company_location_basis not in KIGYOJIN_COMPANY_LOCATION_BASES:
            allowed = "、".join(KIGYOJIN_COMPANY_LOCATION_BASES)
            raise ValueError(
                f"company_location_basis が不正です: {self.company_location_basis!r}"
                f"（指定できる値: {allowed}）"
            )
        if not isinstance(self.exclude_designated_city_hosts, bool):
            raise ValueError("exclude_designated_city_hosts は真偽値で指定してください。")

    def to_dict(self) -> dict[str, object]:
        return {
            "host_rule": self.host_rule,
            "company_location_basis": self.company_location_basis,
            "exclude_designated_city_hosts": self.exclude_designated_city_hosts,
        }


_STATUS_LABELS: Final[Mapping[bool | None, str]] = MappingProxyType(
    {True: "対象", False: "対象外", None: "要確認"}
)


def _json_ready(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_ready(v) for v in value]
    return value


@dataclass(frozen=True)
class Decision:
    """The outcome of :func:`decide`; ``eligible`` is None when it must be checked (要確認)."""

    program: Program
    symbol: Symbol | None
    eligible: bool | None
    reasons: tuple[str, ...]
    citations: tuple[Citation, ...]
    inputs: Mapping[str, object]
    areas_to_check: tuple[str, ...] = ()

    @property
    def status_label(self) -> str:
        return _STATUS_LABELS[self.eligible]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (dates as ISO strings, enums as their values)."""
        return {
            "program": self.program.value,
            "program_label": PROGRAM_LABELS[self.program],
            "basis_date": _json_ready(self.inputs.get("basis_date")),
            "symbol": self.symbol.value if self.symbol else None,
            "symbol_meaning": SYMBOL_MEANINGS[self.symbol] if self.symbol else None,
            "eligible": self.eligible,
            "status_label": self.status_label,
            "reasons": list(self.reasons),
            "citations": [c.to_dict() for c in self.citations],
            "from": _json_ready(self.inputs.get("origin")),
            "to": _json_ready(self.inputs.get("destination")),
            "areas_to_check": list(self.areas_to_check),
            "inputs": _json_ready(self.inputs),
        }


# --------------------------------------------------------------------------- helpers


@dataclass
class _Outcome:
    """A partial result of one route: 1 / 0 / -1, its reasons and the areas to check."""

    value: int
    reasons: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)


def _tri_and(*values: int) -> int:
    if NOT_ELIGIBLE in values:
        return NOT_ELIGIBLE
    if NEEDS_CHECK in values:
        return NEEDS_CHECK
    return ELIGIBLE


def _tri_or(*values: int) -> int:
    if ELIGIBLE in values:
        return ELIGIBLE
    if NEEDS_CHECK in values:
        return NEEDS_CHECK
    return NOT_ELIGIBLE


def _to_bool(value: int) -> bool | None:
    return None if value == NEEDS_CHECK else value == ELIGIBLE


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _category_text(place: Place) -> str:
    return f"区分{place.category_id}「{place.category_label}」"


def _basis_text(place: Place) -> str:
    return f"（根拠: {place.zone_basis}）" if place.zone_basis else ""


def _areas_message(place: Place, role: str) -> tuple[str, list[str]]:
    head = f"{role} {place.display_name}が条件不利区域内かどうか分かりません。"
    if place.areas_to_check:
        listed = "、".join(place.areas_to_check)
        tail = "（ほか山村・離島・半島の指定区域）" if place.areas_incomplete else ""
        return f"{head}次の区域に該当するか確認してください: {listed}{tail}", list(
            place.areas_to_check
        )
    return (
        f"{head}{place.name}の条件不利区域（過疎・山村・離島・半島等の指定区域）に"
        "該当するか確認してください。",
        [],
    )


def _origin_outside(origin: Place) -> _Outcome:
    """△ side: the origin area must lie outside the 条件不利区域."""
    role = "転出地"
    if origin.zone is Zone.OUTSIDE:
        return _Outcome(
            ELIGIBLE,
            [f"{role} {origin.display_name}は条件不利区域外です{_basis_text(origin)}。"],
        )
    if origin.zone is Zone.INSIDE:
        return _Outcome(
            NOT_ELIGIBLE,
            [
                f"{role} {origin.display_name}は条件不利区域内です{_basis_text(origin)}。"
                "転出地が条件不利区域内のため、この条件を満たしません。"
            ],
        )
    message, areas = _areas_message(origin, role)
    return _Outcome(NEEDS_CHECK, [message], areas)


def _destination_inside(destination: Place) -> _Outcome:
    """▲ side: the destination area must lie inside the 条件不利区域."""
    role = "転入地"
    if destination.zone is Zone.INSIDE:
        return _Outcome(
            ELIGIBLE,
            [f"{role} {destination.display_name}は条件不利区域内です{_basis_text(destination)}。"],
        )
    if destination.zone is Zone.OUTSIDE:
        return _Outcome(
            NOT_ELIGIBLE,
            [
                f"{role} {destination.display_name}は条件不利区域外です"
                f"{_basis_text(destination)}。転入地が条件不利区域外のため、この条件を満たしません。"
            ],
        )
    message, areas = _areas_message(destination, role)
    return _Outcome(NEEDS_CHECK, [message], areas)


def _place_notes(origin: Place | None, destination: Place) -> list[str]:
    notes: list[str] = []
    for role, place in (("転出地", origin), ("転入地", destination)):
        if place is None:
            continue
        if place.pop_decline_exception:
            notes.append(
                f"{role} {place.name}は人口減少率例外（平成17年から27年に人口が11%以上減少した"
                "3大都市圏内の都市地域）に該当するため、3大都市圏外として扱います"
                "（確認表 1.(1)、hitonagare規則ノート §1.5）。"
            )
        if place.designated_city:
            notes.append(
                f"{role} {place.name}は指定都市のため、区ごとではなく市全体の区分で判定します"
                "（hitonagare規則ノート §1.2）。"
            )
    return notes


def _cross_notes(origin: Place, destination: Place) -> list[str]:
    notes: list[str] = []
    if origin.area_type == AREA_ALL:
        notes.append("全部条件不利地域は、マトリクス上どの転入地に対しても転出地になりません。")
    if destination.category_id in (1, 2):
        notes.append("3大都市圏内の都市地域は、マトリクス上どの転出地からも転入地になりません。")
    if origin.category_id == 3 and destination.area_type == AREA_URBAN:
        notes.append(
            "3大都市圏外の（指定都市でない）都市地域からは、条件不利地域への転入に限り対象です。"
        )
    if origin.category_id == 9 and destination.area_type == AREA_URBAN:
        notes.append(
            "3大都市圏外の一部条件不利地域からは、条件不利地域（区域）への転入に限り対象です。"
        )
    return notes


def _matrix_route(matrix: Matrix, origin: Place, destination: Place) -> tuple[Symbol, _Outcome]:
    symbol = matrix.symbol(origin.category_id, destination.category_id)
    head = (
        f"確認表のマトリクスで、転出地 {origin.name}（{_category_text(origin)}）から"
        f"転入地 {destination.name}（{_category_text(destination)}）への移動は"
        f"「{symbol.value}」です: {SYMBOL_MEANINGS[symbol]}"
    )
    if symbol is Symbol.CIRCLE:
        return symbol, _Outcome(ELIGIBLE, [head])
    if symbol is Symbol.CROSS:
        return symbol, _Outcome(NOT_ELIGIBLE, [head, *_cross_notes(origin, destination)])
    sides: list[_Outcome] = []
    if symbol in (Symbol.TRIANGLE, Symbol.SQUARE):
        sides.append(_origin_outside(origin))
    if symbol in (Symbol.BLACK_TRIANGLE, Symbol.SQUARE):
        sides.append(_destination_inside(destination))
    value = _tri_and(*(side.value for side in sides))
    reasons = [head]
    areas: list[str] = []
    for side in sides:
        reasons.extend(side.reasons)
        if value == NEEDS_CHECK:
            areas.extend(side.areas)
    return symbol, _Outcome(value, reasons, areas)


def _exception_destination(destination: Place, labels: str) -> _Outcome:
    """FAQ A1: 3大都市圏外の全市町村 or 3大都市圏内の条件不利地域 (§1.5)."""
    intro = (
        f"{labels}の例外（FAQ A1）では、転出地を問わず、転入地が3大都市圏外の市町村"
        "または3大都市圏内の条件不利地域であれば対象です。"
    )
    where = f"転入地 {destination.display_name}（{_category_text(destination)}）"
    if not destination.in_metro:
        return _Outcome(ELIGIBLE, [intro, f"{where}は3大都市圏外のため、この要件を満たします。"])
    if destination.area_type == AREA_ALL:
        return _Outcome(
            ELIGIBLE,
            [intro, f"{where}は3大都市圏内の全部条件不利地域のため、この要件を満たします。"],
        )
    if destination.area_type == AREA_URBAN:
        return _Outcome(
            NOT_ELIGIBLE,
            [intro, f"{where}は3大都市圏内の都市地域のため、例外でも対象になりません。"],
        )
    side = _destination_inside(destination)
    lead = f"{where}は3大都市圏内の一部条件不利地域のため、条件不利区域内であることが必要です。"
    return _Outcome(side.value, [intro, lead, *side.reasons], side.areas)


def _labels(names: Iterable[str]) -> str:
    return "・".join(EXCEPTION_LABELS[name] for name in names)


def _place_input(place: Place | None) -> dict[str, object] | None:
    return None if place is None else place.to_dict()


# --------------------------------------------------------------------------- decide


@dataclass
class _Draft:
    symbol: Symbol | None = None
    value: int = NOT_ELIGIBLE
    reasons: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)

    def cite(self, citation: Citation) -> None:
        if citation not in self.citations:
            self.citations.append(citation)


_CONCLUSIONS: Final[Mapping[bool | None, str]] = MappingProxyType(
    {
        True: "結論: {program}として対象です。",
        False: "結論: {program}として対象外です。",
        None: "結論: 要確認です。上記の確認事項を確かめてください。",
    }
)


def _validate(program: Program, origin: Place | None, exceptions: Exceptions) -> None:
    if exceptions.pm_already_active and program is not Program.PM:
        raise ValueError(
            "「既に当該市町村で活動している者」の例外は地域プロジェクトマネージャーにだけ"
            f"指定できます（指定された制度: {PROGRAM_LABELS[program]}）。"
        )
    if exceptions.jet_same_area_without_move and not exceptions.jet_finisher:
        raise ValueError(
            "JETプログラムと同一地域での任用を指定する場合は、JETプログラム終了者も指定してください。"
        )
    if program is Program.KIGYOJIN:
        if origin is None:
            raise ValueError(
                "地域活性化起業人では、派遣元企業の所在地（転出地）を指定してください。"
            )
        return
    if origin is None and not exceptions.overseas_resident:
        raise ValueError(
            "転出地が指定されていません。転出地を省略できるのは、海外在住で"
            "住民基本台帳に記録がない場合だけです。"
        )
    relocation = program in (Program.KYORYOKUTAI, Program.PM)
    if relocation and origin is not None and exceptions.overseas_resident:
        raise ValueError(
            "海外在住（住民基本台帳に記録がない）の場合は、転出地を指定しないでください。"
        )
    if exceptions.pm_already_active and origin is None:
        raise ValueError(
            "既に当該市町村に住んでいる場合は、現住所の市町村を転出地に指定してください。"
        )


def _decide_trial(program: Program, exceptions: Exceptions, draft: _Draft) -> None:
    draft.value = ELIGIBLE
    if program is Program.OTAMESHI:
        draft.reasons.append(
            "おためし地域おこし協力隊には、推進要綱上の住所地等の要件がありません"
            "（hitonagare規則ノート §2.2）。"
        )
    else:
        draft.reasons.append(
            "地域おこし協力隊インターンは住民票の異動を必要とせず、推進要綱上の住所地等の要件"
            "がありません（hitonagare規則ノート §2.2）。"
        )
    if exceptions.active():
        draft.reasons.append(
            f"指定された例外（{_labels(exceptions.active())}）は"
            f"{PROGRAM_LABELS[program]}の判定には関係しません。"
        )
    draft.cite(_CITE_TRIAL)


def _decide_kigyojin(
    origin: Place,
    destination: Place,
    exceptions: Exceptions,
    params: KigyojinParameters,
    draft: _Draft,
) -> None:
    reasons = draft.reasons
    reasons.append(
        f"地域活性化起業人では、派遣元企業の所在地 {origin.name}（{origin.prefecture}）を転出地、"
        f"受入自治体 {destination.name}（{destination.prefecture}）を転入地として判定します。"
        "確認表のマトリクス（記号）は適用しません。"
    )
    # 1. the company must be in the 三大都市圏
    if params.company_location_basis == "prefecture":
        company_ok = origin.prefecture_in_metro
        where = f"{origin.prefecture}は三大都市圏の11都府県に"
        reasons.append(
            f"派遣元企業の所在地: {where}{'含まれます' if company_ok else '含まれません'}"
            "（company_location_basis=prefecture）。"
        )
    else:
        company_ok = origin.in_metro
        note = (
            "（人口減少率例外のため3大都市圏外として扱います）"
            if origin.pop_decline_exception
            else ""
        )
        reasons.append(
            f"派遣元企業の所在地: {origin.name}は確認表で"
            f"{'3大都市圏内' if company_ok else '3大都市圏外'}です{note}"
            "（company_location_basis=matrix）。"
        )
    if not company_ok:
        reasons.append("派遣元企業が三大都市圏にないため、対象になりません。")
    reasons.append("企業の「所在地」が本社所在地か勤務地かは資料で確認できていません。")
    # 2. the host municipality
    host_text = f"受入自治体 {destination.name}（{_category_text(destination)}）"
    if params.host_rule == "destination_of_kyoryokutai":
        host_ok = (not destination.in_metro) or destination.area_type != AREA_URBAN
    elif params.host_rule == "has_disadvantaged_area":
        host_ok = destination.area_type != AREA_URBAN
    else:
        host_ok = not destination.in_metro
    reasons.append(
        f"{host_text}は、受入要件「{KIGYOJIN_HOST_RULES[params.host_rule]}」"
        f"（host_rule={params.host_rule}）を{'満たします' if host_ok else '満たしません'}。"
    )
    if destination.designated_city:
        if params.exclude_designated_city_hosts:
            host_ok = False
            reasons.append(
                f"{destination.name}は指定都市のため、受入自治体から除外しています"
                "（exclude_designated_city_hosts=True。この除外は資料で確認できていません）。"
            )
        else:
            reasons.append(
                f"{destination.name}は指定都市です。指定都市を受入自治体から除外するかどうかは"
                "資料で確認できていません（exclude_designated_city_hosts=False）。"
            )
    reasons.append(
        "受入自治体の要件（令和3年度からの1,429団体）の算定根拠は見つかっておらず、"
        f"この判定に使った規則（host_rule={params.host_rule}、"
        f"company_location_basis={params.company_location_basis}、"
        f"exclude_designated_city_hosts={params.exclude_designated_city_hosts}）は"
        "未検証の推定で、設定で変更できます。"
    )
    value = ELIGIBLE if company_ok and host_ok else NOT_ELIGIBLE
    if value == ELIGIBLE and origin.lgcode == destination.lgcode:
        value = NEEDS_CHECK
        reasons.append(
            "派遣元企業の所在地と受入自治体が同じ市町村です。この場合の扱いは資料で"
            "確認できていないため、要確認とします。"
        )
    if exceptions.active():
        reasons.append(
            f"指定された例外（{_labels(exceptions.active())}）は地域活性化起業人の判定には"
            "関係しません。"
        )
    reasons.append(
        "派遣期間は6か月〜3年です。企業派遣型では受入地域での勤務が月の半分以上必要です。"
    )
    draft.value = value
    draft.cite(_CITE_KIGYOJIN)


def _decide_relocation(
    program: Program,
    matrix: Matrix,
    origin: Place | None,
    destination: Place,
    exceptions: Exceptions,
    draft: _Draft,
) -> None:
    reasons = draft.reasons
    if program is Program.PM:
        reasons.append(
            "地域プロジェクトマネージャーの地域要件は地域おこし協力隊と同じです"
            "（共通の地域要件確認表、hitonagare規則ノート §2.1）。"
        )
        draft.cite(_CITE_PM)
    same = origin is not None and origin.lgcode == destination.lgcode

    if exceptions.pm_already_active:
        if same:
            reasons.append(
                f"既に{destination.name}で地域おこし協力隊員または地域おこし企業人として活動し、"
                "同市町村に居住して住民基本台帳に記録されている者は、移住せずに地域プロジェクト"
                "マネージャーに任用できます（hitonagare規則ノート §2.1）。"
            )
            draft.value = ELIGIBLE
            return
        reasons.append(
            "「既に当該市町村で活動している者」の例外は、現住所が任用する市町村と同じ場合"
            "だけ使えます。現住所が異なるため適用せず、通常の地域要件で判定します。"
        )

    route_flags = [name for name in _ROUTE_EXCEPTIONS if getattr(exceptions, name)]
    if exceptions.jet_same_area_without_move:
        if same:
            reasons.append(
                "JETプログラム終了者は、JETの任用地域と同一の地域であれば住民票を異動せずに"
                "隊員になれます。ただし転入地の種類は他の例外と同じ範囲に限られます（FAQ A1）。"
            )
            draft.cite(_CITE_FAQ_A1)
            outcome = _exception_destination(destination, _labels(["jet_finisher"]))
            draft.value = outcome.value
            reasons.extend(outcome.reasons)
            draft.areas.extend(outcome.areas)
            return
        reasons.append(
            "「住民票を異動しない」JETの特例は転出地と転入地が同じ市町村の場合だけ使えます。"
            "転出地が異なるため、通常のJETプログラム終了者の例外として判定します。"
        )

    if same:
        reasons.append(
            f"転出地と転入地が同じ市町村（{destination.name}）です。同一市町村内の異動や、"
            "任用前から既に定住している者（住民票の異動が済んでいる者等）は原則として"
            "対象に含めません（hitonagare規則ノート §1.6）。"
        )
        draft.value = NOT_ELIGIBLE
        draft.cite(_CITE_SAME_MUNICIPALITY)
        return

    reasons.extend(_place_notes(origin, destination))
    matrix_outcome: _Outcome | None = None
    symbol: Symbol | None = None
    if origin is not None:
        symbol, matrix_outcome = _matrix_route(matrix, origin, destination)
        reasons.extend(matrix_outcome.reasons)
    if not route_flags:
        assert matrix_outcome is not None  # origin is required without exceptions
        draft.symbol = symbol
        draft.value = matrix_outcome.value
        draft.areas.extend(matrix_outcome.areas)
        return

    labels = _labels(route_flags)
    draft.cite(_CITE_FAQ_A1)
    if matrix_outcome is not None and matrix_outcome.value == ELIGIBLE:
        reasons.append(f"マトリクスで対象になるため、{labels}の例外を使う必要はありません。")
        draft.symbol = symbol
        draft.value = ELIGIBLE
        return
    if matrix_outcome is None:
        reasons.append(
            f"{labels}のため転出地がなく、マトリクスは使わずに例外（FAQ A1）で判定します。"
        )
    else:
        state = "要確認" if matrix_outcome.value == NEEDS_CHECK else "対象外"
        reasons.append(f"マトリクスでは{state}のため、{labels}の例外（FAQ A1）で判定します。")
    exception_outcome = _exception_destination(destination, labels)
    reasons.extend(exception_outcome.reasons)
    matrix_value = matrix_outcome.value if matrix_outcome is not None else NOT_ELIGIBLE
    value = _tri_or(matrix_value, exception_outcome.value)
    draft.value = value
    if value == NEEDS_CHECK:
        if exception_outcome.value == NEEDS_CHECK:
            draft.areas.extend(exception_outcome.areas)
        else:
            # only the matrix route is still open: report its symbol and areas
            draft.symbol = symbol
        if matrix_outcome is not None and matrix_outcome.value == NEEDS_CHECK:
            draft.areas.extend(matrix_outcome.areas)


def decide(
    *,
    program: Program,
    origin: Place | None,
    destination: Place,
    matrix: Matrix,
    exceptions: Exceptions = Exceptions(),
    kigyojin: KigyojinParameters = KigyojinParameters(),
    source_document: str,
    source_url: str | None,
) -> Decision:
    """Decide whether a person (or, for 起業人, a company) qualifies for ``program``.

    ``matrix.basis_date`` is the 基準日 of the classification in force. ``origin`` is the
    転出地 (for 起業人: the company's location); it is None only for a resident abroad.
    Raises ValueError (Japanese message) for inconsistent inputs.
    """
    program = Program(program)
    _validate(program, origin, exceptions)
    basis = matrix.basis_date
    draft = _Draft()
    draft.reasons.append(
        f"{to_wareki(basis)}現在の地域要件確認表（基準日 {basis.isoformat()}）で判定しました。"
    )
    draft.cite(
        Citation(
            document=source_document,
            basis_date=basis,
            section=(
                "転出地×転入地マトリクス（hitonagare規則ノート §1.3）"
                if program in (Program.KYORYOKUTAI, Program.PM)
                else "市町村の区分（3大都市圏・条件不利地域、hitonagare規則ノート §1.2）"
            ),
            url=source_url,
        )
    )
    if program in (Program.OTAMESHI, Program.INTERN):
        _decide_trial(program, exceptions, draft)
    elif program is Program.KIGYOJIN:
        assert origin is not None  # checked by _validate
        _decide_kigyojin(origin, destination, exceptions, kigyojin, draft)
    else:
        _decide_relocation(program, matrix, origin, destination, exceptions, draft)

    eligible = _to_bool(draft.value)
    draft.reasons.append(_CONCLUSIONS[eligible].format(program=PROGRAM_LABELS[program]))
    areas = _unique(draft.areas) if eligible is None else ()
    inputs: dict[str, object] = {
        "program": program.value,
        "basis_date": basis.isoformat(),
        "origin": _place_input(origin),
        "destination": _place_input(destination),
        "origin_area_name": origin.area_name if origin else None,
        "destination_area_name": destination.area_name,
        "exceptions": list(exceptions.active()),
        "source_document": source_document,
        "source_url": source_url,
    }
    if program is Program.KIGYOJIN:
        inputs["kigyojin"] = kigyojin.to_dict()
    return Decision(
        program=program,
        symbol=draft.symbol,
        eligible=eligible,
        reasons=tuple(draft.reasons),
        citations=tuple(draft.citations),
        inputs=MappingProxyType(inputs),
        areas_to_check=areas,
    )
