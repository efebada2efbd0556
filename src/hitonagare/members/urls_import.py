"""/members/import/: the roster import (views_import.py)."""

from django.urls import path

from . import views_import

app_name = "members_import"

urlpatterns = [
    path("", views_import.roster_import, name="upload"),
    path("template.csv", views_import.roster_template, name="template"),
]
