from django.urls import path

from . import views, views_year

app_name = "funding"

urlpatterns = [
    path("estimate/", views.estimate, name="estimate"),
    path("year/", views_year.year, name="year"),
    path("year/claims/", views_year.year_claim, name="year_claim"),
    path("year/export.xlsx", views_year.year_export_xlsx, name="year_export_xlsx"),
    path("year/export.csv", views_year.year_export_csv, name="year_export_csv"),
]
