"""/members/: staff pages (views.py) and the member's own pages under mine/ (views_member.py).

Fixed segments (reports/, settlement/, mine/, new/, import/ …) never clash with the
<int:appointment_id>/ pages."""

from django.urls import path

from . import views, views_member

app_name = "members"

urlpatterns: list[object] = [
    # staff
    path("", views.appointment_list, name="list"),
    path("new/", views.appointment_create, name="create"),
    path(
        "from-application/<int:application_id>/",
        views.appointment_from_application,
        name="from_application",
    ),
    path("<int:appointment_id>/", views.appointment_detail, name="detail"),
    path("<int:appointment_id>/edit/", views.appointment_update, name="update"),
    path("<int:appointment_id>/renew/", views.appointment_renew, name="renew"),
    path("<int:appointment_id>/end/", views.appointment_end, name="end"),
    path("<int:appointment_id>/outcome/<slug:kind>/", views.outcome_record, name="outcome"),
    path("<int:appointment_id>/link/", views.appointment_link, name="link"),
    path("reports/", views.report_dashboard, name="reports"),
    path("reports/<int:report_id>/", views.report_detail, name="report"),
    path("reports/<int:report_id>/review/", views.report_review, name="report_review"),
    path(
        "reports/<int:report_id>/expenses/<int:expense_id>/receipt/",
        views.receipt_download,
        name="receipt",
    ),
    path("settlement/", views.settlement, name="settlement"),
    # the member
    path("mine/", views_member.mine, name="mine"),
    path(
        "mine/<int:appointment_id>/reports/new/",
        views_member.report_new,
        name="report_new",
    ),
    path("mine/reports/<int:report_id>/", views_member.my_report, name="my_report"),
    path(
        "mine/reports/<int:report_id>/edit/",
        views_member.my_report_edit,
        name="my_report_edit",
    ),
    path(
        "mine/reports/<int:report_id>/expenses/<int:expense_id>/receipt/",
        views_member.my_receipt,
        name="my_receipt",
    ),
]
