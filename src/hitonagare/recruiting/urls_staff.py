"""Staff pages under /staff/. Each area keeps its patterns together; add new areas below."""

from django.urls import path

from . import views_staff
from . import views_staff_applicants as staff_applicants

app_name = "recruiting_staff"
urlpatterns = [
    # --- openings (views_staff.py) ---
    path("openings/", views_staff.opening_list, name="openings"),
    path("openings/create/", views_staff.opening_create, name="opening_create"),
    path("openings/<int:opening_id>/", views_staff.opening_detail, name="opening"),
    path("openings/<int:opening_id>/update/", views_staff.opening_update, name="opening_update"),
    path("openings/<int:opening_id>/status/", views_staff.opening_status, name="opening_status"),
]

# --- applications and scouting (views_staff_applicants.py) ---
urlpatterns += [
    path("applications/", staff_applicants.application_list, name="applications"),
    path(
        "applications/<int:application_id>/",
        staff_applicants.application_detail,
        name="application",
    ),
    path(
        "applications/<int:application_id>/status/",
        staff_applicants.application_status,
        name="application_status",
    ),
    path(
        "applications/<int:application_id>/messages/",
        staff_applicants.application_message,
        name="application_message",
    ),
    path(
        "applications/<int:application_id>/cv/",
        staff_applicants.application_cv,
        name="application_cv",
    ),
    path("scouts/", staff_applicants.scout_list, name="scouts"),
    path("scouts/candidates/", staff_applicants.scout_candidates, name="scout_candidates"),
    path("scouts/candidates/send/", staff_applicants.scout_send, name="scout_send"),
    path("scouts/<int:scout_id>/", staff_applicants.scout_detail, name="scout"),
    path("scouts/<int:scout_id>/messages/", staff_applicants.scout_message, name="scout_message"),
]
