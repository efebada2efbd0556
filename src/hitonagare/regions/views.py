from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hitonagare.core.errors import DomainError

from . import selectors
from .presenters import municipality_detail

SUGGEST_PARAMS = ("q", "origin", "destination", "place")


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """<option>s for a <datalist>: the field sends its own name, so accept any of ours."""
    query = next((request.GET[p] for p in SUGGEST_PARAMS if request.GET.get(p)), "")
    found = selectors.municipality_search(query=query, limit=15) if len(query.strip()) >= 1 else []
    return render(request, "regions/_suggestions.html", {"items": found})


@require_GET
def area_suggest(request: HttpRequest) -> HttpResponse:
    """<option>s for an area field: the 過疎 旧市町村 first, then the 町域 of the postal data."""
    query = next(
        (request.GET[p] for p in ("place", "origin", "destination") if request.GET.get(p)), ""
    )
    typed = next(
        (request.GET[p] for p in ("area", "origin_area", "destination_area") if request.GET.get(p)),
        "",
    ).strip()
    context: dict[str, object] = {"old_areas": [], "town_areas": []}
    if query:
        try:
            resolved = selectors.place_resolve(query=query)
            designation = selectors.designation_get(
                municipality=resolved.municipality, edition=selectors.edition_in_force()
            )
        except DomainError:
            return render(request, "regions/_area_suggestions.html", context)
        towns = selectors.town_areas(municipality=resolved.municipality)
        context["old_areas"] = [a for a in designation.kaso_partial_areas if typed in a]
        context["town_areas"] = [t for t in towns if typed in t][:200]
    return render(request, "regions/_area_suggestions.html", context)


@require_GET
def municipality(request: HttpRequest, lgcode: str) -> HttpResponse:
    try:
        resolved = selectors.place_resolve(query=lgcode)
        edition = selectors.edition_in_force()
        detail = municipality_detail(resolved=resolved, edition=edition)
    except DomainError as error:
        return render(request, "regions/not_found.html", {"error": error}, status=error.status)
    return render(request, "regions/municipality.html", {"m": detail})
