"""Reads for recruiting: the public search, opening pages, staff and applicant lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.lookups import Exact
from django.utils import timezone

from hitonagare.accounts.roles import visible_host_ids
from hitonagare.core.errors import DomainError, NotFoundError
from hitonagare.regions.codes import REGION_BLOCK_LABELS, REGION_BLOCKS
from hitonagare.regions.models import Prefecture

from . import rules
from .models import Opening
from .search import text_filter
from .search_text import QueryError, QueryTerm, parse_query

PER_PAGE = 20
MAX_PAGE = 500
# Above this many matches the total is shown as "N件以上" instead of counted exactly.
EXACT_TOTAL_LIMIT = 5000


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    DEADLINE = "deadline"
    ALL = (RELEVANCE, NEWEST, DEADLINE)


class DeadlineWindow:
    WEEK = "7"
    MONTH = "30"
    OPEN = "none"  # 随時募集 (no deadline)
    ALL = (WEEK, MONTH, OPEN)
    LABELS = {WEEK: "7日以内に締切", MONTH: "30日以内に締切", OPEN: "締切なし（随時）"}


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    programs: tuple[str, ...] = ()
    prefectures: tuple[str, ...] = ()  # 2-digit codes
    blocks: tuple[int, ...] = ()
    themes: tuple[rules.Theme, ...] = ()
    housing: bool = False
    deadline: str = ""
    sort: str = ""
    page: int = 1
    per_page: int = PER_PAGE
    eligible_municipality_ids: dict[str, frozenset[int]] | None = None  # program → allowed


def search_params_parse(
    *,
    q: str = "",
    programs: list[str] | tuple[str, ...] = (),
    prefectures: list[str] | tuple[str, ...] = (),
    blocks: list[str] | tuple[str, ...] = (),
    themes: list[str] | tuple[str, ...] = (),
    housing: str | bool = "",
    deadline: str = "",
    sort: str = "",
    page: str | int = 1,
    per_page: int = PER_PAGE,
) -> SearchParams:
    """Validate raw (query-string) values; unknown values are errors, not silently dropped."""
    program_values = {p.value for p in rules.OpeningProgram}
    for program in programs:
        if program not in program_values:
            raise DomainError(
                "unknown_program", f"制度「{program}」はありません。", field="program"
            )
    for code in prefectures:
        if len(code) != 2 or not code.isdigit() or not 1 <= int(code) <= 47:
            raise DomainError(
                "unknown_prefecture",
                f"都道府県コード「{code}」は01〜47の2桁で指定してください。",
                field="prefecture",
            )
    block_numbers: list[int] = []
    for block in blocks:
        if not str(block).isdigit() or int(block) not in REGION_BLOCK_LABELS:
            raise DomainError(
                "unknown_block", f"地方ブロック「{block}」はありません。", field="block"
            )
        block_numbers.append(int(block))
    theme_values: list[rules.Theme] = []
    for slug in themes:
        theme = rules.THEME_BY_SLUG.get(slug)
        if theme is None:
            raise DomainError("unknown_theme", f"テーマ「{slug}」はありません。", field="theme")
        theme_values.append(theme)
    if deadline and deadline not in DeadlineWindow.ALL:
        raise DomainError("unknown_deadline", "締切の指定が正しくありません。", field="deadline")
    if sort and sort not in Sort.ALL:
        raise DomainError("unknown_sort", "並べ替えの指定が正しくありません。", field="sort")
    try:
        page_number = int(page)
    except (TypeError, ValueError):
        raise DomainError(
            "bad_page", "ページ番号は1以上の整数で指定してください。", field="page"
        ) from None
    if not 1 <= page_number <= MAX_PAGE:
        raise DomainError(
            "bad_page", f"ページ番号は1〜{MAX_PAGE}で指定してください。", field="page"
        )
    try:
        parse_query(q)
    except QueryError as error:
        raise DomainError("bad_query", str(error), field="q") from None
    return SearchParams(
        q=q.strip(),
        programs=tuple(dict.fromkeys(programs)),
        prefectures=tuple(dict.fromkeys(prefectures)),
        blocks=tuple(dict.fromkeys(block_numbers)),
        themes=tuple(dict.fromkeys(theme_values)),
        housing=housing in (True, "1", "on", "true"),
        deadline=deadline,
        sort=sort,
        page=page_number,
        per_page=per_page,
    )


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResult:
    params: SearchParams
    terms: tuple[QueryTerm, ...]
    items: list[Opening]
    total: int
    total_is_lower_bound: bool
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.total // self.params.per_page)))

    @property
    def has_next(self) -> bool:
        return self.params.page < self.page_count

    @property
    def has_previous(self) -> bool:
        return self.params.page > 1


def _filtered(params: SearchParams, terms: tuple[QueryTerm, ...]) -> QuerySet[Opening]:
    queryset = Opening.objects.filter(status=Opening.Status.PUBLISHED)
    if terms:
        queryset = queryset.filter(text_filter(terms))
    if params.programs:
        queryset = queryset.filter(program__in=params.programs)
    if params.prefectures:
        queryset = queryset.filter(prefecture_code__in=params.prefectures)
    if params.blocks:
        queryset = queryset.filter(region_block__in=params.blocks)
    if params.themes:
        mask = rules.themes_to_mask(list(params.themes))
        queryset = queryset.filter(Exact(F("themes_mask").bitand(mask), mask))
    if params.housing:
        queryset = queryset.filter(housing_support=True)
    if params.deadline:
        today = timezone.localdate()
        if params.deadline == DeadlineWindow.OPEN:
            queryset = queryset.filter(deadline__isnull=True)
        else:
            days = int(params.deadline)
            queryset = queryset.filter(
                deadline__gte=today, deadline__lte=today + dt.timedelta(days=days)
            )
    if params.eligible_municipality_ids is not None:
        condition = Q(
            program__in=[
                p.value
                for p in rules.OpeningProgram
                if p not in rules.PROGRAMS_WITH_AREA_REQUIREMENT
            ]
        )
        for program, ids in params.eligible_municipality_ids.items():
            condition |= Q(program=program, municipality_id__in=sorted(ids))
        queryset = queryset.filter(condition)
    return queryset


def _ordered(
    queryset: QuerySet[Opening], params: SearchParams, terms: tuple[QueryTerm, ...]
) -> QuerySet[Opening]:
    sort = params.sort or (Sort.RELEVANCE if terms else Sort.NEWEST)
    if sort == Sort.DEADLINE:
        return queryset.order_by(F("deadline").asc(nulls_last=True), "-published_at", "-id")
    if sort == Sort.RELEVANCE and terms:
        # A term in the title counts three times as much as a term elsewhere.
        score = sum(
            (
                Case(
                    When(search_title__contains=term.text, then=Value(3)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
                for term in terms
            ),
            Value(0),
        )
        return queryset.annotate(relevance=score).order_by("-relevance", "-published_at", "-id")
    return queryset.order_by("-published_at", "-id")


def _facets(
    queryset: QuerySet[Opening], params: SearchParams
) -> tuple[int, dict[str, list[FacetValue]]]:
    today = timezone.localdate()
    aggregates: dict[str, Any] = {
        "total": Count("id"),
        "housing": Sum(Case(When(housing_support=True, then=1), default=0)),
        "deadline_week": Sum(
            Case(
                When(deadline__gte=today, deadline__lte=today + dt.timedelta(days=7), then=1),
                default=0,
            )
        ),
        "deadline_month": Sum(
            Case(
                When(deadline__gte=today, deadline__lte=today + dt.timedelta(days=30), then=1),
                default=0,
            )
        ),
        "deadline_none": Sum(Case(When(deadline__isnull=True, then=1), default=0)),
    }
    for theme in rules.Theme:
        bit = 1 << int(theme)
        aggregates[f"theme_{int(theme)}"] = Sum(
            Case(When(Exact(F("themes_mask").bitand(bit), bit), then=1), default=0)
        )
    totals = queryset.order_by().aggregate(**aggregates)
    total = int(totals["total"] or 0)
    by_program = dict(queryset.order_by().values_list("program").annotate(n=Count("id")))
    by_prefecture = dict(queryset.order_by().values_list("prefecture_code").annotate(n=Count("id")))
    prefecture_names = dict(Prefecture.objects.values_list("code", "name"))
    facets = {
        "program": [
            FacetValue(
                p.value,
                rules.OPENING_PROGRAM_LABELS[p],
                by_program.get(p.value, 0),
                p.value in params.programs,
            )
            for p in rules.OpeningProgram
        ],
        "block": [
            FacetValue(
                str(block),
                label,
                sum(by_prefecture.get(code, 0) for code in codes),
                block in params.blocks,
            )
            for block, label, codes in REGION_BLOCKS
        ],
        "prefecture": [
            FacetValue(
                code,
                prefecture_names.get(code, code),
                by_prefecture.get(code, 0),
                code in params.prefectures,
            )
            for _block, _label, codes in REGION_BLOCKS
            for code in codes
        ],
        "theme": [
            FacetValue(
                rules.THEME_SLUGS[theme],
                rules.THEME_LABELS[theme],
                int(totals[f"theme_{int(theme)}"] or 0),
                theme in params.themes,
            )
            for theme in rules.Theme
        ],
        "housing": [FacetValue("1", "住居の支援あり", int(totals["housing"] or 0), params.housing)],
        "deadline": [
            FacetValue(
                DeadlineWindow.WEEK,
                DeadlineWindow.LABELS[DeadlineWindow.WEEK],
                int(totals["deadline_week"] or 0),
                params.deadline == DeadlineWindow.WEEK,
            ),
            FacetValue(
                DeadlineWindow.MONTH,
                DeadlineWindow.LABELS[DeadlineWindow.MONTH],
                int(totals["deadline_month"] or 0),
                params.deadline == DeadlineWindow.MONTH,
            ),
            FacetValue(
                DeadlineWindow.OPEN,
                DeadlineWindow.LABELS[DeadlineWindow.OPEN],
                int(totals["deadline_none"] or 0),
                params.deadline == DeadlineWindow.OPEN,
            ),
        ],
    }
    return total, facets


def opening_search(*, params: SearchParams, with_facets: bool = True) -> SearchResult:
    """Published openings matching the query and filters: one page, the total and facets."""
    terms = parse_query(params.q)
    queryset = _filtered(params, terms)
    facets: dict[str, list[FacetValue]] = {}
    if with_facets:
        total, facets = _facets(queryset, params)
    else:
        total = queryset.order_by().count()
    offset = (params.page - 1) * params.per_page
    items = list(
        _ordered(queryset, params, terms).select_related("municipality", "host")[
            offset : offset + params.per_page
        ]
    )
    return SearchResult(
        params=params,
        terms=terms,
        items=items,
        total=total,
        total_is_lower_bound=False,
        facets=facets,
    )


def opening_get_public(*, opening_id: int) -> Opening:
    """A published (or closed/ended, still readable) opening; drafts are never public."""
    opening = (
        Opening.objects.select_related("municipality", "municipality__prefecture", "host")
        .exclude(status=Opening.Status.DRAFT)
        .filter(pk=opening_id)
        .first()
    )
    if opening is None:
        raise NotFoundError("opening_not_found", "募集が見つかりません。")
    return opening


def openings_for_staff(*, user: Any, status: str = "") -> QuerySet[Opening]:
    """Openings a staff user may read: own organisation (prefecture: its municipalities too)."""
    host_ids = visible_host_ids(user)
    queryset = Opening.objects.select_related("municipality", "host")
    if host_ids is not None:
        queryset = queryset.filter(host_id__in=host_ids)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-updated_at", "-id")


def opening_get_for_staff(*, user: Any, opening_id: int) -> Opening:
    opening = openings_for_staff(user=user).filter(pk=opening_id).first()
    if opening is None:
        raise NotFoundError("opening_not_found", "募集が見つかりません。")
    return opening
