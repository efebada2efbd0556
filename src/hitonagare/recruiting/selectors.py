"""Reads for recruiting: the public search, opening pages, staff and applicant lists."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from hitonagare.accounts.roles import visible_host_ids
from hitonagare.core.errors import DomainError, NotFoundError
from hitonagare.eligibility.selectors import (
    CheckResult,
    eligibility_check,
    eligibility_destinations,
)
from hitonagare.regions.codes import REGION_BLOCK_LABELS, REGION_BLOCKS
from hitonagare.regions.models import Prefecture
from hitonagare.regions.reference import reference
from hitonagare.regions.selectors import place_resolve

from . import rules, search, search_store
from .models import ApplicantProfile, Opening
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
    # With an estimated total, whether a verified result exists after this page (the estimate
    # alone must never hide a page that has results).
    more_after_page: bool | None = None

    @property
    def page_count(self) -> int:
        pages = -(-self.total // self.params.per_page)
        if self.more_after_page is not None:
            # An estimate: at least up to this page, one more if results follow.
            pages = max(pages, self.params.page + (1 if self.more_after_page else 0))
        return max(1, min(MAX_PAGE, pages))

    @property
    def has_next(self) -> bool:
        if self.more_after_page is not None:
            return self.more_after_page and self.params.page < MAX_PAGE
        return self.params.page < self.page_count

    @property
    def has_previous(self) -> bool:
        return self.params.page > 1


# When more openings than this hold a query's bigrams (for terms of 3+ characters, where the
# bigrams alone are not proof), the count and facets come from a verified sample instead of a
# substring test of every candidate; the page itself is always verified (ADR 0008). 1,000
# keeps the exact path under ~25 ms on PostgreSQL (about 26 µs per candidate there) and is
# the threshold the issue names («1,000件以上»); HITONAGARE_SEARCH_VERIFY_ALL_LIMIT moves it.
VERIFY_ALL_LIMIT = int(getattr(settings, "HITONAGARE_SEARCH_VERIFY_ALL_LIMIT", 1000))
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
    more_after_page: bool | None = None
    if estimate:
        # One result beyond the page tells whether a next page exists.
        page_ids = _verified_page(store, ordered, terms, offset, params.per_page + 1)
        more_after_page = len(page_ids) > params.per_page
        page_ids = page_ids[: params.per_page]
        # The estimate never claims fewer than the results already confirmed.
        total = max(round(len(rows) * scale), offset + len(page_ids))
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
        more_after_page=more_after_page,
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


# --- 地域要件 from the visitor's place to the openings' areas (public search) ---------------

_AREA_STATUS = {True: ("対象", "ok"), False: ("対象外", "ng"), None: ("要確認", "check")}


@dataclass(frozen=True)
class AreaVerdict:
    """The 地域要件 of one opening for one origin: the 確認表 symbol and 対象/対象外/要確認."""

    program: str
    symbol: str | None
    eligible: bool | None
    origin: str  # the place query the visitor gave (postal code, name or 団体コード)
    destination_lgcode: str  # the judged unit: a 指定都市, never its ward
    destination_area: str = ""

    @property
    def status_label(self) -> str:
        return _AREA_STATUS[self.eligible][0]

    @property
    def status_class(self) -> str:
        return _AREA_STATUS[self.eligible][1]


class OriginEligibility:
    """地域要件 from one origin to every municipality, for the openings of one request.

    Each program's all-pairs row (eligibility_destinations) is computed on first use and kept
    on this object, so a page of twenty cards costs at most one row per program. The origin is
    resolved at once: a bad postal code or an unknown name raises DomainError(field="from").
    """

    def __init__(self, *, origin: str, as_of: dt.date | None = None) -> None:
        self.origin = origin.strip()
        self.as_of = as_of
        try:
            self.place = place_resolve(query=self.origin)
        except DomainError as error:
            error.field = "from"
            raise
        self._rows: dict[str, dict[str, Any]] = {}

    @property
    def place_name(self) -> str:
        """How the origin reads: 東京都 千代田区, or the ward of a 指定都市."""
        municipality = self.place.ward or self.place.municipality
        return f"{municipality.prefecture.name} {municipality.full_name}"

    def _row(self, program: str) -> dict[str, Any]:
        row = self._rows.get(program)
        if row is None:
            row = _destination_row(program=program, origin=self.origin, as_of=self.as_of)
            self._rows[program] = row
        return row

    def verdict(self, opening: Opening) -> AreaVerdict | None:
        """The verdict for an opening; None for a program without an area requirement."""
        if opening.program not in rules.PROGRAMS_WITH_AREA_REQUIREMENT:
            return None
        unit = _judged_lgcode(opening.municipality.lgcode)
        item = self._row(opening.program).get(unit)
        return AreaVerdict(
            program=opening.program,
            symbol=item.symbol if item is not None else None,
            eligible=item.eligible if item is not None else None,
            origin=self.origin,
            destination_lgcode=unit,
            destination_area=opening.area_name,
        )

    def verdicts(self, openings: list[Opening]) -> dict[int, AreaVerdict | None]:
        return {opening.pk: self.verdict(opening) for opening in openings}

    def eligible_municipality_ids(
        self, *, programs: tuple[str, ...] | list[str] = ()
    ) -> dict[str, frozenset[int]]:
        """program → ids of the municipalities judged eligible (○ etc., never 要確認), wards of
        an eligible 指定都市 included; for the programs with an area requirement (all of them
        when `programs` is empty)."""
        wanted = [
            program.value
            for program in rules.OpeningProgram
            if program in rules.PROGRAMS_WITH_AREA_REQUIREMENT
            and (not programs or program.value in programs)
        ]
        municipalities = reference().municipalities
        eligible_ids: dict[str, frozenset[int]] = {}
        for program in wanted:
            row = self._row(program)
            eligible_lgcodes = {lgcode for lgcode, item in row.items() if item.eligible is True}
            eligible_ids[program] = frozenset(
                m.pk
                for m in municipalities
                if m.lgcode in eligible_lgcodes
                or (m.parent is not None and m.parent.lgcode in eligible_lgcodes)
            )
        return eligible_ids


@dataclass(frozen=True, slots=True)
class _Verdict:
    symbol: str | None
    eligible: bool | None


# Rows of verdicts from one origin to every municipality, per process: a program without the
# vectorised matrix costs ~100 ms of decide() calls per row, and visitors from the same place
# ask the same question page after page. Keyed by everything the answer depends on.
_ROW_CACHE: OrderedDict[tuple[Any, ...], dict[str, _Verdict]] = OrderedDict()
_ROW_CACHE_SIZE = 128
_row_cache_lock = threading.Lock()


def _destination_row(*, program: str, origin: str, as_of: dt.date | None) -> dict[str, _Verdict]:
    key = (program, origin, as_of or timezone.localdate(), repr(reference().version))
    with _row_cache_lock:
        row = _ROW_CACHE.get(key)
        if row is not None:
            _ROW_CACHE.move_to_end(key)
            return row
    result = eligibility_destinations(program=program, origin=origin, as_of=as_of)
    row = {item.lgcode: _Verdict(item.symbol, item.eligible) for item in result.items}
    with _row_cache_lock:
        _ROW_CACHE[key] = row
        while len(_ROW_CACHE) > _ROW_CACHE_SIZE:
            _ROW_CACHE.popitem(last=False)
    return row


def destination_rows_clear() -> None:
    with _row_cache_lock:
        _ROW_CACHE.clear()


def _judged_lgcode(lgcode: str) -> str:
    """The 団体コード the 確認表 judges: a ward's designated city, else the place itself."""
    municipality = reference().by_lgcode.get(lgcode)
    if municipality is not None and municipality.parent is not None:
        return municipality.parent.lgcode
    return lgcode


def eligible_municipality_ids_for(
    *, origin_lgcode: str, programs: tuple[str, ...] | list[str] = ()
) -> dict[str, frozenset[int]]:
    """For SearchParams.eligible_municipality_ids: where someone living in `origin_lgcode` (any
    place query works: 団体コード, postal code, name) may go, per program with an area
    requirement. Raises DomainError(field="from") for an origin that cannot be resolved."""
    return OriginEligibility(origin=origin_lgcode).eligible_municipality_ids(programs=programs)


def applicant_origin_lgcode(*, user: Any) -> str | None:
    """The 団体コード of a logged-in applicant's address (their profile), else None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        ApplicantProfile.objects.filter(user=user)
        .values_list("municipality__lgcode", flat=True)
        .first()
    )


def opening_area_check(*, opening: Opening, origin: str) -> CheckResult | None:
    """The full 地域要件 decision (eligibility CheckResult) from `origin` to an opening's area,
    its 大字・地区 included; None for a program without an area requirement."""
    if opening.program not in rules.PROGRAMS_WITH_AREA_REQUIREMENT:
        return None
    try:
        return eligibility_check(
            program=opening.program,
            origin=origin,
            destination=opening.municipality.lgcode,
            destination_area=opening.area_name or None,
        )
    except DomainError as error:
        if error.field == "to":
            error.field = None  # about the opening's area, not about what the visitor typed
        raise
