from django.contrib import admin
from django.urls import include, path

from hitonagare.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("hitonagare.core.urls")),
    path("accounts/", include("hitonagare.accounts.urls")),
    path("regions/", include("hitonagare.regions.urls")),
    path("eligibility/", include("hitonagare.eligibility.urls")),
    path("openings/", include("hitonagare.recruiting.urls_public")),
    path("staff/", include("hitonagare.recruiting.urls_staff")),
    path("me/", include("hitonagare.recruiting.urls_applicant")),
    path("members/import/", include("hitonagare.members.urls_import")),
    path("members/", include("hitonagare.members.urls")),
    path("funding/", include("hitonagare.funding.urls")),
]
