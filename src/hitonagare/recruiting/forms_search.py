"""The public search form: query-string values in, SearchParams out; facets for the template.

Format only: the values are checked by selectors.search_params_parse (one place for the web
page, the feed and the API), whose DomainError lands under the field it is about.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from hitonagare.core.errors import DomainError
from hitonagare.eligibility.forms import PLACE_HELP
from hitonagare.regions.codes import REGION_BLOCKS
from hitonagare.regions.reference import reference

from . import rules
from .selectors import DeadlineWindow, FacetValue, SearchParams, SearchResult, Sort
from .selectors import search_params_parse as parse

# The query-string names, the same as the API's: repeated for the multi-valued ones.
MULTI_VALUED = ("program", "block", "prefecture", "theme")
# The form sends "" for relevance, so a keyword typed after a search without one is still
# ranked by relevance (the selector's default), not by the "newest" that was in effect.
SORT_LABELS = {
    "": _("関連度"),
    Sort.NEWEST: _("新着"),
    Sort.DEADLINE: _("締切が近い"),
}


class _Values(forms.MultipleChoiceField):
    """Repeated query-string values, passed through as strings: the selector checks them, so
    an unknown value gets its message ("制度「x」はありません。") rather than Django's."""

    def validate(self, value: Any) -> None:
        return None


def _origin_field() -> forms.CharField:
    return forms.CharField(
        label=_("お住まいの郵便番号または市区町村"),
        required=False,
        max_length=60,
        help_text=PLACE_HELP,
        error_messages={"max_length": _("60文字以内で入力してください。")},
    )


class _OriginMixin(forms.Form):
    """The visitor's place (`from`, as on the eligibility pages and in the API). "from" is a
    Python keyword, so the field is added by name."""

    candidates: list[dict[str, str]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = _origin_field()
        self.candidates = []

    @property
    def origin_query(self) -> str:
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return ""
        return str(self.cleaned_data.get("from") or "").strip()

    def raw(self, name: str) -> list[str]:
        """What the query string holds for a field (to keep the visitor's choices on an error)."""
        if not self.is_bound:
            return []
        values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
        return [str(value) for value in values if value != ""]


class OriginForm(_OriginMixin):
    """The postal-code box of an opening's page."""


class SearchForm(_OriginMixin):
    q = forms.CharField(
        label=_("キーワード"),
        required=False,
        strip=False,
        help_text=_("2文字以上。スペースで区切ると全部を含む募集"),
    )
    program = _Values(label=_("制度"), required=False)
    block = _Values(label=_("地方ブロック"), required=False)
    prefecture = _Values(label=_("都道府県"), required=False)
    theme = _Values(label=_("テーマ"), required=False)
    housing = forms.CharField(label=_("住居の支援あり"), required=False)
    deadline = forms.CharField(label=_("締切"), required=False)
    sort = forms.CharField(label=_("並べ替え"), required=False)
    page = forms.CharField(label=_("ページ"), required=False)
    eligible = forms.BooleanField(label=_("応募できる募集だけ"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params: SearchParams | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            self.params = parse(
                q=data.get("q") or "",
                programs=data.get("program") or [],
                prefectures=data.get("prefecture") or [],
                blocks=data.get("block") or [],
                themes=data.get("theme") or [],
                housing=data.get("housing") or "",
                deadline=data.get("deadline") or "",
                sort=data.get("sort") or "",
                page=data.get("page") or 1,
            )
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


def search_query(
    params: SearchParams, *, origin: str = "", eligible: bool = False, page: int | None = None
) -> str:
    """The canonical, shareable query string of a search (empty values left out); the same
    names as the API. `page` replaces the page number (1 leaves it out)."""
    pairs: list[tuple[str, str]] = []
    if params.q:
        pairs.append(("q", params.q))
    pairs += [("program", value) for value in params.programs]
    pairs += [("block", str(value)) for value in params.blocks]
    pairs += [("prefecture", value) for value in params.prefectures]
    pairs += [("theme", rules.THEME_SLUGS[theme]) for theme in params.themes]
    if params.housing:
        pairs.append(("housing", "1"))
    if params.deadline:
        pairs.append(("deadline", params.deadline))
    if params.sort:
        pairs.append(("sort", params.sort))
    if origin:
        pairs.append(("from", origin))
    if eligible:
        pairs.append(("eligible", "1"))
    number = params.page if page is None else page
    if number > 1:
        pairs.append(("page", str(number)))
    return urlencode(pairs)


# --- facets for the template ----------------------------------------------------------------


@dataclass
class FacetOption:
    value: str
    label: str
    count: int | None  # None when the search could not run (an error in the query string)
    selected: bool


@dataclass
class PrefectureBlock:
    label: str
    options: list[FacetOption]

    @property
    def selected_count(self) -> int:
        return sum(1 for option in self.options if option.selected)


@dataclass
class Facets:
    program: list[FacetOption] = field(default_factory=list)
    block: list[FacetOption] = field(default_factory=list)
    prefecture_blocks: list[PrefectureBlock] = field(default_factory=list)
    theme: list[FacetOption] = field(default_factory=list)
    housing: FacetOption | None = None
    deadline: list[FacetOption] = field(default_factory=list)
    estimated: bool = False

    @property
    def prefectures_selected(self) -> int:
        return sum(block.selected_count for block in self.prefecture_blocks)


def _static_choices() -> dict[str, list[tuple[str, str]]]:
    prefecture_names = {p.code: p.name for p in reference().prefectures}
    return {
        "program": [(p.value, rules.OPENING_PROGRAM_LABELS[p]) for p in rules.OpeningProgram],
        "block": [(str(block), label) for block, label, _codes in REGION_BLOCKS],
        "prefecture": [
            (code, prefecture_names.get(code, code))
            for _block, _label, codes in REGION_BLOCKS
            for code in codes
        ],
        "theme": [(rules.THEME_SLUGS[t], rules.THEME_LABELS[t]) for t in rules.Theme],
        "deadline": [(window, DeadlineWindow.LABELS[window]) for window in DeadlineWindow.ALL],
    }


def facets_for(form: SearchForm, result: SearchResult | None) -> Facets:
    """Every facet option with its count (from the result) and whether the visitor chose it
    (from the query string, so choices survive an error elsewhere in the form)."""
    counted: dict[str, dict[str, FacetValue]] = (
        {name: {v.value: v for v in values} for name, values in result.facets.items()}
        if result is not None
        else {}
    )

    def options(name: str, choices: list[tuple[str, str]]) -> list[FacetOption]:
        chosen = set(form.raw(name))
        counts = counted.get(name, {})
        return [
            FacetOption(
                value,
                label,
                counts[value].count if value in counts else None,
                value in chosen,
            )
            for value, label in choices
        ]

    choices = _static_choices()
    prefectures = {option.value: option for option in options("prefecture", choices["prefecture"])}
    housing_counts = counted.get("housing", {})
    return Facets(
        program=options("program", choices["program"]),
        block=options("block", choices["block"]),
        prefecture_blocks=[
            PrefectureBlock(label, [prefectures[code] for code in codes])
            for _block, label, codes in REGION_BLOCKS
        ],
        theme=options("theme", choices["theme"]),
        housing=FacetOption(
            "1",
            str(_("住居の支援あり")),
            housing_counts["1"].count if "1" in housing_counts else None,
            bool(form.raw("housing")) and form.raw("housing")[0] in ("1", "on", "true"),
        ),
        deadline=options("deadline", choices["deadline"]),
        estimated=bool(result and result.total_is_estimate),
    )


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    remove_query: str  # the search without this one filter


def active_filters(params: SearchParams, *, origin: str, eligible: bool) -> list[ActiveFilter]:
    """The chosen filters, each with a link that removes it (the empty state offers them)."""
    choices = {name: dict(values) for name, values in _static_choices().items()}
    found: list[ActiveFilter] = []

    def add(label: str, changed: SearchParams) -> None:
        found.append(
            ActiveFilter(label, search_query(changed, origin=origin, eligible=eligible, page=1))
        )

    for value in params.programs:
        add(
            choices["program"][value],
            replace(params, programs=tuple(p for p in params.programs if p != value)),
        )
    for block in params.blocks:
        add(
            choices["block"][str(block)],
            replace(params, blocks=tuple(b for b in params.blocks if b != block)),
        )
    for code in params.prefectures:
        add(
            choices["prefecture"][code],
            replace(params, prefectures=tuple(c for c in params.prefectures if c != code)),
        )
    for theme in params.themes:
        add(
            rules.THEME_LABELS[theme],
            replace(params, themes=tuple(t for t in params.themes if t != theme)),
        )
    if params.housing:
        add(str(_("住居の支援あり")), replace(params, housing=False))
    if params.deadline:
        add(str(DeadlineWindow.LABELS[params.deadline]), replace(params, deadline=""))
    if eligible:
        found.append(
            ActiveFilter(
                str(_("応募できる募集だけ")),
                search_query(params, origin=origin, eligible=False, page=1),
            )
        )
    return found
