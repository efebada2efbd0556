from django.urls import path

from . import views_public

app_name = "recruiting_public"
urlpatterns = [
    path("", views_public.search, name="search"),
    path("feed.atom", views_public.feed, name="feed"),
    path("<int:opening_id>/", views_public.detail, name="detail"),
]
