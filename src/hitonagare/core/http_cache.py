"""A response cache for public GET endpoints whose answer depends only on the URL.

An eligibility answer is a pure function of the query string, the reference data version and
today's date (the default `as_of`). Caching the rendered bytes under exactly that key skips
parameter parsing, the engine and serialisation on a repeat; a reload of the reference data
changes the version, so stale answers are never served after this process has seen it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from hitonagare.regions.reference import reference

CACHEABLE_STATUSES = frozenset({200, 400, 404})
# Bound memory: big bodies (all-pairs lists) and long URLs (junk parameters) are not cached.
MAX_CACHED_BYTES = 16 * 1024
MAX_CACHED_PATH = 512


def _key(request: HttpRequest) -> str:
    raw = "|".join(
        (
            request.get_full_path(),
            translation.get_language() or "",
            repr(reference().version),
            timezone.localdate().isoformat(),
        )
    )
    return "resp:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def cached_get_response(run: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for a ninja operation's run (see ninja.decorators.decorate_view)."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.method != "GET" or len(request.get_full_path()) > MAX_CACHED_PATH:
            return run(request, *args, **kwargs)
        key = _key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type, status = hit
            response = HttpResponse(content, content_type=content_type, status=status)
            response["X-Cache"] = "hit"
            return response
        response = run(request, *args, **kwargs)
        if (
            isinstance(response, HttpResponse)
            and response.status_code in CACHEABLE_STATUSES
            and len(response.content) <= MAX_CACHED_BYTES
        ):
            cache.set(
                key,
                (response.content, response["Content-Type"], response.status_code),
                settings.HITONAGARE_RESPONSE_CACHE_SECONDS,
            )
        return response

    return wrapper
