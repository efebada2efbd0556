from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from hitonagare.regions.selectors import edition_list


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"edition": edition_list().first()})


def ping(request: HttpRequest) -> JsonResponse:
    """Liveness probe, and the trivial baseline view the load benchmarks compare against."""
    return JsonResponse({"status": "ok"})


@require_GET
def language(request: HttpRequest, code: str) -> HttpResponse:
    """Switch the display language by a plain link (no form, so public pages need no CSRF
    token and can be served from the page cache, ADR 0010): sets the language cookie and goes
    back to `next` on this site."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
