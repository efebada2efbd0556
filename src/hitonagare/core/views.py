from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hitonagare.regions.selectors import edition_list


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"edition": edition_list().first()})


def ping(request: HttpRequest) -> JsonResponse:
    """Liveness probe, and the trivial baseline view the load benchmarks compare against."""
    return JsonResponse({"status": "ok"})
