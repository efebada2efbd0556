from django.urls import path

from . import views

app_name = "eligibility"
urlpatterns = [
    path("", views.check, name="check"),
    path("print/", views.check_print, name="print"),
    path("destinations/", views.destinations, name="destinations"),
    path("origins/", views.origins, name="origins"),
]
