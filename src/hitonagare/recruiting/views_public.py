"""Public opening pages (no log-in): the search, an opening's page and the Atom feed.

Every bit of state is in the query string (the same names as /api/v1/openings), so a search
can be shared and bookmarked. A bad value renders the page with the message under its field
and status 400. With htmx, the form and the page links swap only the results region.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hitonagare.core.errors import DomainError, NotFoundError

from . import rules, search_store, selectors
from .forms_search import (
    SORT_LABELS,
    OriginForm,
    SearchForm,
    active_filters,
    facets_for,
    search_query,
)
from .models import Opening
from .selectors import OriginEligibility, SearchParams, Sort

T = "recruiting/public/"
RESULTS_ID = "search-results"
FEED_SIZE = 50


def _visitor_origin(
    request: HttpRequest, form: SearchForm | OriginForm
) -> tuple[OriginEligibility | None, str]:
    """Where the visitor lives, for the 地域要件: the `from` they typed, else their profile's
    municipality. Returns (origin, "query" | "profile" | ""); a bad `from` is a form error."""
    query = form.origin_query
    if query:
        try:
            return OriginEligibility(origin=query), "query"
        except DomainError as error:
            form.add_error("from", error.message)
            form.candidates = error.candidates
            return None, ""
    lgcode = selectors.applicant_origin_lgcode(user=request.user)
    if lgcode:
        try:
            return OriginEligibility(origin=lgcode), "profile"
        except DomainError:
            return None, ""
    return None, ""


def _wants_results_only(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request and htmx.target == RESULTS_ID


# Rendered search pages for anonymous visitors without a `from`, per process (ADR 0010). The
# page has no form that POSTs for an anonymous visitor (the language switch is a link), so it
# is rendered without a CSRF token: the cached bytes are the same for everyone and a hit
# neither generates a token nor sets a cookie.
MAX_CACHED_SEARCH_PATH = 512


def _search_cache_key(request: HttpRequest) -> str | None:
    if (
        request.user.is_authenticated
        or request.GET.get("from")
        or len(request.get_full_path()) > MAX_CACHED_SEARCH_PATH
    ):
        return None
    raw = "|".join(
        (
            request.get_full_path(),
            translation.get_language() or "",
            repr(search_store.data_version()),
            timezone.localdate().isoformat(),
            request.headers.get("HX-Request", ""),
            request.headers.get("HX-Target", ""),
            request.headers.get("HX-History-Restore-Request", ""),
        )
    )
    return "search-page:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    key = _search_cache_key(request)
    if key is not None:
        hit = cache.get(key)
        if hit is None:
            rendered = _search(request, cacheable=True)
            hit = (rendered.content, rendered.status_code, rendered.get("Content-Type"))
            cache.set(key, hit, settings.HITONAGARE_RESPONSE_CACHE_SECONDS)
        content, status, content_type = hit
        response = HttpResponse(content, status=status, content_type=content_type)
        patch_vary_headers(response, ["HX-Request", "HX-Target", "Cookie"])
        return response
    return _search(request)


def _search(request: HttpRequest, *, cacheable: bool = False) -> HttpResponse:
    form = SearchForm(request.GET)
    form.is_valid()
    origin, origin_source = _visitor_origin(request, form)
    params: SearchParams | None = form.params
    eligible_wanted = bool(form.cleaned_data.get("eligible"))
    eligible_applied = False
    if params is not None and eligible_wanted and origin is not None:
        params = replace(
            params,
            eligible_municipality_ids=origin.eligible_municipality_ids(programs=params.programs),
        )
        eligible_applied = True
    result = selectors.opening_search(params=params) if params is not None else None
    verdicts = origin.verdicts(result.items) if origin is not None and result is not None else {}
    origin_query = origin.origin if origin is not None and origin_source == "query" else ""
    chosen_sort = params.sort if params is not None else (form.raw("sort") or [""])[0]
    current_sort = "" if chosen_sort == Sort.RELEVANCE else chosen_sort
    context: dict[str, Any] = {
        "form": form,
        "result": result,
        "cards": [
            {
                "opening": opening,
                "area": verdicts.get(opening.pk),
                "has_area_requirement": opening.program in rules.PROGRAMS_WITH_AREA_REQUIREMENT,
                "reason_query": _reason_query(opening, origin.origin) if origin else "",
            }
            for opening in (result.items if result is not None else [])
        ],
        "card_start": (params.page - 1) * params.per_page + 1 if params is not None else 1,
        "facets": facets_for(form, result),
        "sort_options": [
            (value, label, value == current_sort) for value, label in SORT_LABELS.items()
        ],
        "origin": origin,
        "origin_source": origin_source,
        "eligible_wanted": eligible_wanted,
        "eligible_applied": eligible_applied,
        "eligible_needs_origin": eligible_wanted and origin is None and not form["from"].errors,
        "candidates": form.candidates,
        "results_id": RESULTS_ID,
    }
    if params is not None:
        context.update(
            base_query=search_query(params, origin=origin_query, eligible=eligible_applied, page=1),
            feed_query=search_query(replace(params, sort="", page=1)),
            filters=active_filters(params, origin=origin_query, eligible=eligible_applied),
            keyword_only_query=search_query(SearchParams(q=params.q)),
        )
    context["results_only"] = _wants_results_only(request)
    if cacheable:
        # The view's context sits above the context processors, so this wins over the real
        # token: the page shared by all anonymous visitors carries none.
        context["csrf_token"] = ""
    template = T + ("_results.html" if context["results_only"] else "search.html")
    response = render(request, template, context, status=400 if form.errors else 200)
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response


@require_GET
def detail(request: HttpRequest, opening_id: int) -> HttpResponse:
    try:
        opening = selectors.opening_get_public(opening_id=opening_id)
    except NotFoundError:
        raise Http404(_("募集が見つかりません。")) from None
    form = OriginForm(request.GET)
    form.is_valid()
    origin, origin_source = _visitor_origin(request, form)
    check = None
    check_error = ""
    if origin is not None:
        try:
            check = selectors.opening_area_check(opening=opening, origin=origin.origin)
        except DomainError as error:
            check_error = error.message
    context = {
        "opening": opening,
        "form": form,
        "origin": origin,
        "origin_source": origin_source,
        "check": check,
        "check_error": check_error,
        "has_area_requirement": opening.program in rules.PROGRAMS_WITH_AREA_REQUIREMENT,
        "area_reason_query": (_reason_query(opening, origin.origin) if origin is not None else ""),
        "candidates": form.candidates,
        "can_apply": opening.status == Opening.Status.PUBLISHED,
        "apply_url": f"/me/applications/new/{opening.pk}/",
    }
    return render(request, T + "detail.html", context, status=400 if form.errors else 200)


def _reason_query(opening: Opening, origin: str) -> str:
    pairs = [
        ("program", opening.program),
        ("origin", origin),
        ("destination", opening.municipality.lgcode),
    ]
    if opening.area_name:
        pairs.append(("destination_area", opening.area_name))
    return urlencode(pairs)


# --- Atom feed ------------------------------------------------------------------------------


class OpeningFeed(Feed):  # type: ignore[type-arg]  # Feed is generic only in the stubs
    """The newest published openings matching a search (the same query string as the page)."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> SearchParams:
        params: SearchParams = kwargs["params"]
        return params

    def title(self, obj: SearchParams) -> str:
        if obj.q:
            return _("人の流れ: 「%(q)s」の新着募集") % {"q": obj.q}
        return _("人の流れ: 新着募集")

    def subtitle(self, obj: SearchParams) -> str:
        return _("条件に合う公開中の募集（新しい順に最大%(n)s件）") % {"n": FEED_SIZE}

    def link(self, obj: SearchParams) -> str:
        query = search_query(replace(obj, page=1))
        return reverse("recruiting_public:search") + (f"?{query}" if query else "")

    def items(self, obj: SearchParams) -> list[Opening]:
        params = replace(obj, sort=Sort.NEWEST, page=1, per_page=FEED_SIZE)
        return selectors.opening_search(params=params, with_facets=False).items

    def item_title(self, item: Opening) -> str:
        return item.title

    def item_description(self, item: Opening) -> str:
        return item.summary

    def item_link(self, item: Opening) -> str:
        return reverse("recruiting_public:detail", args=[item.pk])

    def item_pubdate(self, item: Opening) -> Any:
        return item.published_at

    def item_updateddate(self, item: Opening) -> Any:
        return item.updated_at

    def item_author_name(self, item: Opening) -> str:
        return item.host.name

    def item_categories(self, item: Opening) -> list[str]:
        return [item.program_label, *item.theme_labels]


opening_feed = OpeningFeed()


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    if not form.is_valid() or form.params is None:
        messages = [str(message) for errors in form.errors.values() for message in errors]
        return HttpResponseBadRequest(
            "\n".join(messages) + "\n", content_type="text/plain; charset=utf-8"
        )
    return opening_feed(request, params=form.params)
