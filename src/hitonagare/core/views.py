from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hitonagare.regions.selectors import edition_list


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"edition": edition_list().first()})
