from django.urls import path

from . import views_applicant as views

app_name = "recruiting_applicant"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("profile/", views.profile_edit, name="profile"),
    path("profile/cv/", views.profile_cv_download, name="cv"),
    path("profile/cv/upload/", views.profile_cv_upload, name="cv_upload"),
    path("profile/cv/remove/", views.profile_cv_delete, name="cv_remove"),
    path("data/export/", views.data_export, name="data_export"),
    path("data/delete/", views.data_delete, name="data_delete"),
    path("applications/new/<int:opening_id>/", views.application_new, name="apply"),
    path("applications/<int:application_id>/", views.application_detail, name="application"),
    path(
        "applications/<int:application_id>/status/",
        views.application_status,
        name="application_status",
    ),
    path(
        "applications/<int:application_id>/messages/",
        views.application_message,
        name="application_message",
    ),
    path("scouts/", views.scout_list, name="scouts"),
    path("scouts/<int:scout_id>/", views.scout_detail, name="scout"),
    path("scouts/<int:scout_id>/reply/", views.scout_reply, name="scout_reply"),
    path("scouts/<int:scout_id>/decline/", views.scout_decline, name="scout_decline"),
]
