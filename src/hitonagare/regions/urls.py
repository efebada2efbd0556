from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("suggest/", views.suggest, name="suggest"),
    path("areas/", views.area_suggest, name="area_suggest"),
    path("<str:lgcode>/", views.municipality, name="municipality"),
]
