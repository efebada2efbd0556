"""Reads for recruiting: the public search, opening pages, staff and applicant lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone

from hitonagare.accounts.roles import visible_host_ids
from hitonagare.core.errors import DomainError, NotFoundError
from hitonagare.regions.codes import REGION_BLOCK_LABELS, REGION_BLOCKS
from hitonagare.regions.models import Prefecture

from . import rules, search, search_store
from .models import Opening
from .search_store import NO_DEADLINE, PROGRAM_CODES, Snapshot
from .search_text import QueryError, QueryTerm, parse_query

PER_PAGE = 20
MAX_PAGE = 500


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
    # True when `total` is a guaranteed minimum ("N件以上"), never used for an exact count.
    total_is_lower_bound: bool
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    # True when `total` and the facet counts are estimates ("約N件") from a verified sample.
    total_is_estimate: bool = False

    @property
    def page_count(self) -> int:
        return max(1, min(MAX_PAGE, -(-self.total // self.params.per_page)))

    @property
    def has_next(self) -> bool:
        return self.params.page < self.page_count

    @property
    def has_previous(self) -> bool:
        return self.params.page > 1


# When more openings than this hold a query's bigrams (for terms of 3+ characters, where the
# bigrams alone are not proof), the count and facets come from a verified sample instead of a
# substring test of every candidate; the page itself is always verified (ADR 0008).
VERIFY_ALL_LIMIT = 3000
SAMPLE_SIZE = 400


def _row_filter(store: Snapshot, rows: np.ndarray, params: SearchParams) -> np.ndarray:
    keep = np.ones(len(rows), dtype=bool)
    if params.programs:
        codes = [PROGRAM_CODES[p] for p in params.programs]
        keep &= np.isin(store.program[rows], codes)
    if params.prefectures:
        keep &= np.isin(store.prefecture[rows], [int(code) for code in params.prefectures])
    if params.blocks:
        keep &= np.isin(store.block[rows], list(params.blocks))
    if params.themes:
        mask = rules.themes_to_mask(list(params.themes))
        keep &= (store.themes[rows] & mask) == mask
    if params.housing:
        keep &= store.housing[rows]
    if params.deadline:
        deadlines = store.deadline[rows]
        if params.deadline == DeadlineWindow.OPEN:
            keep &= deadlines == NO_DEADLINE
        else:
            today = timezone.localdate().toordinal()
            keep &= (deadlines >= today) & (deadlines <= today + int(params.deadline))
    if params.eligible_municipality_ids is not None:
        allowed = np.zeros(len(rows), dtype=bool)
        programs = store.program[rows]
        for program in rules.OpeningProgram:
            in_program = programs == PROGRAM_CODES[program.value]
            if program not in rules.PROGRAMS_WITH_AREA_REQUIREMENT:
                allowed |= in_program
                continue
            ids = params.eligible_municipality_ids.get(program.value, frozenset())
            if ids:
                allowed |= in_program & np.isin(
                    store.municipality[rows], np.fromiter(ids, dtype=np.int64)
                )
        keep &= allowed
    return rows[keep]


def _order(
    store: Snapshot, rows: np.ndarray, params: SearchParams, terms: tuple[QueryTerm, ...]
) -> np.ndarray:
    newest = -store.published_rank[rows]
    sort = params.sort or (Sort.RELEVANCE if terms else Sort.NEWEST)
    if sort == Sort.DEADLINE:
        return rows[np.lexsort((newest, store.deadline[rows]))]
    if sort == Sort.RELEVANCE and terms:
        # A term in the title counts three times as much as a term elsewhere.
        score = np.zeros(len(rows), dtype=np.int32)
        for term in terms:
            score += np.where(store.title_hits(term.text)[rows], 3, 1).astype(np.int32)
        return rows[np.lexsort((newest, -score))]
    return rows[np.argsort(newest, kind="stable")]


def _facet_counts(
    store: Snapshot, rows: np.ndarray, params: SearchParams, scale: float
) -> dict[str, list[FacetValue]]:
    def count(value: int | np.integer[Any]) -> int:
        return round(int(value) * scale)

    programs = np.bincount(store.program[rows], minlength=len(PROGRAM_CODES))
    prefectures = np.bincount(store.prefecture[rows], minlength=48)
    themes = store.themes[rows]
    deadlines = store.deadline[rows]
    today = timezone.localdate().toordinal()
    prefecture_names = dict(Prefecture.objects.values_list("code", "name"))
    return {
        "program": [
            FacetValue(
                p.value,
                rules.OPENING_PROGRAM_LABELS[p],
                count(programs[PROGRAM_CODES[p.value]]),
                p.value in params.programs,
            )
            for p in rules.OpeningProgram
        ],
        "block": [
            FacetValue(
                str(block),
                label,
                count(sum(int(prefectures[int(code)]) for code in codes)),
                block in params.blocks,
            )
            for block, label, codes in REGION_BLOCKS
        ],
        "prefecture": [
            FacetValue(
                code,
                prefecture_names.get(code, code),
                count(prefectures[int(code)]),
                code in params.prefectures,
            )
            for _block, _label, codes in REGION_BLOCKS
            for code in codes
        ],
        "theme": [
            FacetValue(
                rules.THEME_SLUGS[theme],
                rules.THEME_LABELS[theme],
                count(np.count_nonzero(themes & (1 << int(theme)))),
                theme in params.themes,
            )
            for theme in rules.Theme
        ],
        "housing": [
            FacetValue(
                "1", "住居の支援あり", count(np.count_nonzero(store.housing[rows])), params.housing
            )
        ],
        "deadline": [
            FacetValue(
                window,
                DeadlineWindow.LABELS[window],
                count(
                    np.count_nonzero(deadlines == NO_DEADLINE)
                    if window == DeadlineWindow.OPEN
                    else np.count_nonzero((deadlines >= today) & (deadlines <= today + int(window)))
                ),
                params.deadline == window,
            )
            for window in DeadlineWindow.ALL
        ],
    }


def opening_search(*, params: SearchParams, with_facets: bool = True) -> SearchResult:
    """Published openings matching the query and filters: one page, the total and facets.

    Exact whenever the query's terms are two characters (the index is then the answer) or
    few enough openings hold the bigrams to test them all; otherwise the total and facets are
    estimates from a verified sample, flagged as such, and the page is still verified.
    """
    terms = parse_query(params.q)
    store = search_store.snapshot()
    if terms:
        rows = store.positions_of(search.candidate_ids(terms))
    else:
        rows = np.arange(len(store.ids), dtype=np.int64)
    rows = _row_filter(store, rows, params)
    needs_check = any(term.needs_substring_check for term in terms)
    estimate = False
    scale = 1.0
    if needs_check and len(rows) <= VERIFY_ALL_LIMIT:
        rows = store.positions_of(search.verified_ids(store.ids[rows], terms))
    elif needs_check:
        estimate = True
        sample = rows[:: max(1, len(rows) // SAMPLE_SIZE)]
        confirmed = len(search.verified_ids(store.ids[sample], terms))
        scale = confirmed / len(sample) if len(sample) else 0.0
    ordered = _order(store, rows, params, terms)
    offset = (params.page - 1) * params.per_page
    if estimate:
        page_ids = _verified_page(store, ordered, terms, offset, params.per_page)
        total = round(len(rows) * scale)
    else:
        page_ids = [int(i) for i in store.ids[ordered[offset : offset + params.per_page]]]
        total = len(rows)
    facets = _facet_counts(store, rows, params, scale) if with_facets else {}
    by_id = Opening.objects.select_related("municipality", "host").in_bulk(page_ids)
    items = [by_id[i] for i in page_ids if i in by_id]
    return SearchResult(
        params=params,
        terms=terms,
        items=items,
        total=total,
        total_is_lower_bound=False,
        facets=facets,
        total_is_estimate=estimate,
    )


def _verified_page(
    store: Snapshot, ordered: np.ndarray, terms: tuple[QueryTerm, ...], offset: int, size: int
) -> list[int]:
    """Walk the ordered candidates, testing them in chunks, until the page is filled."""
    wanted = offset + size
    confirmed: list[int] = []
    chunk = max(size * 2, 50)
    start = 0
    while len(confirmed) < wanted and start < len(ordered):
        ids = store.ids[ordered[start : start + chunk]]
        ok = set(search.verified_ids(ids, terms).tolist())
        confirmed.extend(int(i) for i in ids if int(i) in ok)
        start += chunk
        chunk = min(chunk * 2, 2000)
    return confirmed[offset:wanted]


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
