"""Staff pages for openings (/staff/openings/): the list, create, edit, detail and status.

Who may do what (ADR 0009, accounts.roles):
- municipality and prefecture staff work on their own organisation's openings;
- prefecture staff also read, never change, the openings of their municipalities;
- the ministry reads every opening;
- applicants, companies and consultation desks get a 403 page; anonymous users the login page.
Openings are read through the role-scoped selectors, so another organisation's opening is a
404 (its id leaks nothing); edits and moves need the own organisation (else 404 too), and the
services check again who is acting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hitonagare.accounts.models import Organisation
from hitonagare.accounts.roles import HOST_ROLES, Role, organisation_of, role_of
from hitonagare.core.access import role_view
from hitonagare.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
)
from hitonagare.core.models import AuditEvent

from . import services
from .forms_openings import OpeningForm, term_help_map, term_helps
from .models import Opening
from .selectors import opening_get_for_staff, openings_for_staff

T = "recruiting/staff/"
PER_PAGE = 20
READ_ROLES = HOST_ROLES | {Role.MINISTRY_ADMIN}
OPENING_OBJECT_TYPE = "recruiting.opening"  # AuditEvent.object_type of an opening

View = Callable[..., HttpResponseBase]


# --- access ---------------------------------------------------------------------------------


opening_readers = role_view(READ_ROLES, template=T + "forbidden.html")
host_staff_only = role_view(HOST_ROLES, template=T + "forbidden.html")


def _own_opening(request: HttpRequest, opening_id: int) -> Opening:
    """An opening of the user's own organisation; any other (read-only scope included) is
    "not found", like an opening the user may not see at all."""
    opening = opening_get_for_staff(user=request.user, opening_id=opening_id)
    organisation = organisation_of(request.user)
    if organisation is None or opening.host_id != organisation.pk:
        raise NotFoundError("opening_not_found", _("募集が見つかりません。"))
    return opening


def _can_act(request: HttpRequest, opening: Opening) -> bool:
    organisation = organisation_of(request.user)
    return (
        role_of(request.user) in HOST_ROLES
        and organisation is not None
        and opening.host_id == organisation.pk
    )


# --- list -----------------------------------------------------------------------------------

STATUS_TABS = (
    ("", gettext_lazy("すべて")),
    (Opening.Status.DRAFT.value, Opening.Status.DRAFT.label),
    (Opening.Status.PUBLISHED.value, Opening.Status.PUBLISHED.label),
    (Opening.Status.CLOSED.value, Opening.Status.CLOSED.label),
    (Opening.Status.ENDED.value, Opening.Status.ENDED.label),
)


@require_GET
@opening_readers
def opening_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Opening.Status.values:
        status = ""  # an unknown tab (old bookmark, typo) shows them all
    in_scope = openings_for_staff(user=request.user)
    by_status = dict(
        in_scope.order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    tabs = [
        {
            "value": value,
            "label": label,
            "count": sum(by_status.values()) if not value else by_status.get(value, 0),
            "current": value == status,
        }
        for value, label in STATUS_TABS
    ]
    page = Paginator(openings_for_staff(user=request.user, status=status), PER_PAGE).get_page(
        request.GET.get("page")
    )
    openings = list(page.object_list)
    # Counted for the page only, so the ministry's list of every opening stays one cheap
    # COUNT plus twenty rows rather than a grouped join over the whole table.
    counts = dict(
        Opening.objects.filter(pk__in=[o.pk for o in openings])
        .annotate(n=Count("applications"))
        .values_list("pk", "n")
    )
    for opening in openings:
        opening.applications_count = counts.get(opening.pk, 0)
    organisation = organisation_of(request.user)
    return render(
        request,
        T + "opening_list.html",
        {
            "page": page,
            "openings": openings,
            "tabs": tabs,
            "status": status,
            "base_query": f"status={status}" if status else "",
            "status_label": dict(STATUS_TABS)[status],
            "total_in_scope": sum(by_status.values()),
            "can_create": role_of(request.user) in HOST_ROLES,
            # Prefecture staff and the ministry see several organisations: name the host.
            "show_host": role_of(request.user) is not Role.MUNICIPALITY_STAFF,
            "organisation": organisation,
        },
    )


# --- create and edit ------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    form: OpeningForm,
    *,
    opening: Opening | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        T + "opening_form.html",
        {
            "form": form,
            "opening": opening,
            "problem": problem,
            "term_helps": term_helps(),
            "term_help_map": term_help_map(),
            "organisation": form.host,
        },
        status=status,
    )


def _host(request: HttpRequest) -> Organisation:
    organisation = organisation_of(request.user)
    assert organisation is not None  # host_staff_only let only host staff in
    return organisation


@require_http_methods(["GET", "POST"])
@host_staff_only
def opening_create(request: HttpRequest) -> HttpResponse:
    host = _host(request)
    if request.method != "POST":
        return _form_page(request, OpeningForm(host=host))
    form = OpeningForm(request.POST, host=host)
    if form.is_valid():
        try:
            opening = services.opening_create(user=request.user, data=form.to_data())
        except InvalidInputError as error:  # changed between the check and the write
            form.add_domain_errors(error.errors)
        else:
            messages.success(
                request,
                _("募集「%(title)s」を下書きとして保存しました。内容を確認して公開してください。")
                % {"title": opening.title},
            )
            return redirect("recruiting_staff:opening", opening_id=opening.pk)
    return _form_page(request, form, status=400)


@require_http_methods(["GET", "POST"])
@host_staff_only  # a prefecture reading its municipalities' openings gets a 404 below
def opening_update(request: HttpRequest, opening_id: int) -> HttpResponse:
    opening = _own_opening(request, opening_id)
    if opening.status == Opening.Status.ENDED:
        messages.error(request, _("終了した募集は編集できません。"))
        return redirect("recruiting_staff:opening", opening_id=opening.pk)
    if request.method != "POST":
        form = OpeningForm(
            host=opening.host, current=opening, initial=OpeningForm.initial_from(opening)
        )
        return _form_page(request, form, opening=opening)
    form = OpeningForm(request.POST, host=opening.host, current=opening)
    if form.is_valid():
        try:
            services.opening_update(user=request.user, opening_id=opening.pk, data=form.to_data())
        except InvalidInputError as error:
            form.add_domain_errors(error.errors)
        except ConflictError as error:  # ended meanwhile
            return _form_page(request, form, opening=opening, problem=error.message, status=409)
        else:
            messages.success(request, _("募集の内容を保存しました。"))
            return redirect("recruiting_staff:opening", opening_id=opening.pk)
    return _form_page(request, form, opening=opening, status=400)


# --- detail, history and status -------------------------------------------------------------

# What each move is called on its button; publishing a closed opening is 再公開.
ACTION_OF_TARGET = {
    Opening.Status.PUBLISHED: "publish",
    Opening.Status.CLOSED: "close",
    Opening.Status.ENDED: "end",
}
SERVICE_OF_ACTION = {
    "publish": services.opening_publish,
    "close": services.opening_close,
    "end": services.opening_end,
}
DONE_MESSAGES = {
    "publish": gettext_lazy("募集を公開しました。"),
    "republish": gettext_lazy("募集を再公開しました。"),
    "close": gettext_lazy("募集を締め切りました。新しい応募は受け付けません。"),
    "end": gettext_lazy("募集を終了しました。"),
}
AUDIT_LABELS = {
    "opening.create": gettext_lazy("作成（下書き）"),
    "opening.update": gettext_lazy("内容の編集"),
    "opening.published": gettext_lazy("公開"),
    "opening.closed": gettext_lazy("締切"),
    "opening.ended": gettext_lazy("終了"),
}


def _actions(opening: Opening) -> list[dict[str, Any]]:
    closed = opening.status == Opening.Status.CLOSED
    labels = {
        "publish": _("再公開する") if closed else _("公開する"),
        "close": _("締め切る"),
        "end": _("終了する"),
    }
    return [
        {"action": action, "label": labels[action], "secondary": action == "end"}
        for action in (
            ACTION_OF_TARGET[target] for target in services.opening_status_targets(opening.status)
        )
    ]


def _history(request: HttpRequest, opening: Opening) -> list[dict[str, Any]]:
    """The opening's audit trail, oldest first. Staff e-mail addresses are shown to the
    opening's own organisation and the ministry; other readers see the organisation's name."""
    events = AuditEvent.objects.filter(
        object_type=OPENING_OBJECT_TYPE, object_id=str(opening.pk)
    ).select_related("actor", "organisation")
    organisation = organisation_of(request.user)
    show_emails = role_of(request.user) is Role.MINISTRY_ADMIN or (
        organisation is not None and organisation.pk == opening.host_id
    )
    rows = []
    for event in events.order_by("at", "id"):
        label = str(AUDIT_LABELS.get(event.action, event.action))
        data = event.data or {}
        if event.action == "opening.published" and data.get("from") == Opening.Status.CLOSED:
            label = _("再公開")
        if event.action == "opening.closed" and data.get("reason") == "deadline":
            label = _("締切（応募締切日の経過による自動処理）")
        if event.actor is None:
            actor = _("システム（自動処理）")
        elif show_emails:
            actor = event.actor.email or event.actor.get_username()
        else:
            actor = _("%(organisation)sの職員") % {
                "organisation": event.organisation.name if event.organisation else "-"
            }
        rows.append({"at": event.at, "actor": actor, "label": label})
    return rows


def _detail_page(
    request: HttpRequest, opening: Opening, *, problem: str = "", status: int = 200
) -> HttpResponse:
    can_act = _can_act(request, opening)
    applications_count = opening.applications.count()
    return render(
        request,
        T + "opening_detail.html",
        {
            "opening": opening,
            "can_act": can_act,
            "actions": _actions(opening) if can_act else [],
            "can_edit": can_act and opening.status != Opening.Status.ENDED,
            # Publishing would be refused (the service says why); say it before the click.
            "deadline_passed": opening.status in (Opening.Status.DRAFT, Opening.Status.CLOSED)
            and opening.deadline is not None
            and opening.deadline < timezone.localdate(),
            "history": _history(request, opening),
            "applications_count": applications_count,
            "problem": problem,
            "created_by": opening.created_by.email
            if can_act or role_of(request.user) is Role.MINISTRY_ADMIN
            else "",
        },
        status=status,
    )


@require_GET
@opening_readers
def opening_detail(request: HttpRequest, opening_id: int) -> HttpResponse:
    opening = opening_get_for_staff(user=request.user, opening_id=opening_id)
    return _detail_page(request, opening)


@require_POST
@host_staff_only  # a prefecture reading its municipalities' openings gets a 404 below
def opening_status(request: HttpRequest, opening_id: int) -> HttpResponse:
    """One of the status buttons: action = publish | close | end. 終了 asks once more."""
    opening = _own_opening(request, opening_id)
    action = request.POST.get("action", "")
    service = SERVICE_OF_ACTION.get(action)
    if service is None:
        return _detail_page(request, opening, problem=_("操作が正しくありません。"), status=400)
    may_end = Opening.Status.ENDED in services.opening_status_targets(opening.status)
    if action == "end" and may_end and request.POST.get("confirmed") != "1":
        return render(
            request,
            T + "opening_end_confirm.html",
            {"opening": opening, "applications_count": opening.applications.count()},
        )
    was_closed = opening.status == Opening.Status.CLOSED
    try:
        service(user=request.user, opening_id=opening.pk)
    except ConflictError as error:
        opening.refresh_from_db()
        return _detail_page(request, opening, problem=error.message, status=409)
    done = "republish" if action == "publish" and was_closed else action
    messages.success(request, str(DONE_MESSAGES[done]))
    return redirect("recruiting_staff:opening", opening_id=opening.pk)
