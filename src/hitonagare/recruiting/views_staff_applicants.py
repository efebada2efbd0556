"""Staff pages for applications and scouting (/staff/applications/, /staff/scouts/).

Municipality and prefecture staff work on their own organisation's applications; prefecture
staff also read (never act on) those of their municipalities, and the ministry reads all.
Everything is read through the role-scoped selectors, so another organisation's application
or scout is a 404; applicants, companies and desks get a 403 page. Moves, messages and scouts
go through the services, which check again who may act.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from hitonagare.accounts.roles import (
    HOST_ROLES,
    Role,
    organisation_of,
    visible_host_ids,
)
from hitonagare.core.access import role_view
from hitonagare.core.audit import audit_record
from hitonagare.core.errors import (
    ConflictError,
    InvalidInputError,
)
from hitonagare.core.forms import submit
from hitonagare.regions.reference import reference

from . import rules, selectors_applications, services_applications, services_scouts
from .forms_staff_applicants import (
    ApplicationFilterForm,
    CandidateSearchForm,
    ScoutMessageForm,
    ScoutSendForm,
    StaffMessageForm,
    StaffTransitionForm,
    set_choices,
)
from .models import ApplicantProfile, Application, Opening, Scout
from .services_profiles import LICENCES
from .views_applicant import _decision_context, snapshot_rows

T = "recruiting/staff_applicants/"
PAGE_SIZE = 20
EXCERPT_CHARS = 120
READ_ROLES = HOST_ROLES | {Role.MINISTRY_ADMIN}
STATUS_CLASS: dict[bool | None, str] = {True: "ok", False: "ng", None: "check"}
ELIGIBILITY_LABELS: dict[bool | None, str] = {True: "対象", False: "対象外", None: "要確認"}
# Moves shown as the secondary (less prominent) button.
SECONDARY_MOVES = frozenset({rules.ApplicationStatus.REJECTED})
SCOUT_LABELS = {
    Scout.Status.SENT: gettext_lazy("返信待ち"),
    Scout.Status.REPLIED: gettext_lazy("返信あり"),
    Scout.Status.DECLINED: gettext_lazy("辞退"),
}

View = Callable[..., HttpResponseBase]


# --- access ---------------------------------------------------------------------------------


application_readers = role_view(
    READ_ROLES, template=T + "forbidden.html", context={"area": "applications"}
)
host_staff_only = role_view(HOST_ROLES, template=T + "forbidden.html", context={"area": "scouts"})


# --- shared presentation ------------------------------------------------------------------------


def _prefecture_names() -> dict[str, str]:
    return {p.code: p.name for p in reference().prefectures}


def snapshot_name(snapshot: dict[str, Any] | None) -> str:
    snapshot = snapshot or {}
    return f"{snapshot.get('family_name', '')} {snapshot.get('given_name', '')}".strip()


def eligibility_summary(stored: dict[str, Any] | None) -> dict[str, str] | None:
    """Symbol, 対象/対象外/要確認 and a CSS state for a stored decision (None: no requirement)."""
    if not stored:
        return None
    eligible: bool | None = stored.get("eligible")
    return {
        "symbol": str(stored.get("symbol") or ""),
        "label": str(stored.get("status_label") or ELIGIBILITY_LABELS[eligible]),
        "cls": STATUS_CLASS[eligible],
    }


def eligibility_print_url(stored: dict[str, Any] | None) -> str | None:
    """The printable 判定根拠 (/eligibility/print/) for the inputs of a stored decision: the
    same origin (postal code if it was read as one, else 団体コード), destination and area,
    exceptions and 基準日 (as_of = the day of application), so it shows that decision again."""
    if not stored or not stored.get("program"):
        return None
    origin = stored.get("from") or {}
    destination = stored.get("to") or {}
    inputs = stored.get("inputs") or {}
    if not destination.get("lgcode"):
        return None
    params: dict[str, str] = {"program": str(stored["program"])}
    if origin:
        params["origin"] = str(origin.get("postal_code") or origin.get("lgcode") or "")
        # A postal code brings its 町域 as the area; only an area of its own needs sending.
        if origin.get("area_name") and origin.get("area_name") != origin.get("town_area"):
            params["origin_area"] = str(origin["area_name"])
    params["destination"] = str(destination["lgcode"])
    if destination.get("area_name") and destination.get("area_name") != destination.get(
        "town_area"
    ):
        params["destination_area"] = str(destination["area_name"])
    as_of = stored.get("as_of") or stored.get("basis_date")
    if as_of:
        params["as_of"] = str(as_of)
    for name in inputs.get("exceptions") or ():
        params[str(name)] = "on"
    return reverse("eligibility:print") + "?" + urlencode(params)


def staff_snapshot_rows(snapshot: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The applicant's snapshot as received, with the e-mail address staff reply to."""
    rows = snapshot_rows(snapshot)
    if snapshot and snapshot.get("email"):
        at = next((i + 1 for i, (label, _v) in enumerate(rows) if label == _("電話番号")), 1)
        rows.insert(at, (_("メールアドレス"), str(snapshot["email"])))
    return rows


def age_band(birth_date: dt.date | None, today: dt.date | None = None) -> str:
    """「30代」: the decade of the age today — all a scout search shows of the birth date."""
    if birth_date is None:
        return ""
    today = today or timezone.localdate()
    age = (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )
    return _("%(decade)d代") % {"decade": max(age // 10, 1) * 10}


def _excerpt(text: str) -> str:
    return Truncator(" ".join((text or "").split())).chars(EXCERPT_CHARS)


def candidate_card(profile: ApplicantProfile, names: dict[str, str]) -> dict[str, Any]:
    """What a scout search shows of a person: never the name, phone, e-mail or address."""
    municipality = profile.municipality
    return {
        "id": profile.user_id,
        "age_band": age_band(profile.birth_date),
        "place": f"{names.get(municipality.lgcode[:2], '')} {municipality.full_name}".strip(),
        "interests": [rules.THEME_LABELS[t] for t in profile.interests],
        "licences": [LICENCES.get(code, code) for code in profile.licences or ()],
        "desired": [names.get(code, code) for code in profile.desired_prefectures or ()],
        "skills": _excerpt(profile.skills),
        "free_text": _excerpt(profile.free_text),
        "availability": profile.get_availability_display(),
    }


# --- applications: list -----------------------------------------------------------------------


def _openings_with_applications(user: Any) -> list[Opening]:
    host_ids = visible_host_ids(user)
    queryset = Opening.objects.filter(applications__isnull=False)
    if host_ids is not None:
        queryset = queryset.filter(host_id__in=host_ids)
    return list(queryset.select_related("host").distinct().order_by("-published_at", "-id"))


def _status_counts(user: Any, opening_id: int | None) -> dict[str, int]:
    """Applications per state in the user's scope (the list's filter on the opening applies)."""
    host_ids = visible_host_ids(user)
    queryset = Application.objects.all()
    if host_ids is not None:
        queryset = queryset.filter(opening__host_id__in=host_ids)
    if opening_id is not None:
        queryset = queryset.filter(opening_id=opening_id)
    return dict(queryset.order_by().values_list("status").annotate(n=Count("id")))


def _list_url(*, opening_id: int | None, status: str, page: int | None = None) -> str:
    params: dict[str, Any] = {}
    if opening_id is not None:
        params["opening"] = opening_id
    if status:
        params["status"] = status
    if page and page > 1:
        params["page"] = page
    base = reverse("recruiting_staff:applications")
    return base + ("?" + urlencode(params) if params else "")


@require_GET
@application_readers
def application_list(request: HttpRequest) -> HttpResponse:
    organisation = organisation_of(request.user)
    openings = _openings_with_applications(request.user)
    # Prefecture staff and the ministry also read other organisations' applications.
    several_hosts = bool({o.host_id for o in openings} - {getattr(organisation, "pk", None)})
    form = ApplicationFilterForm(request.GET, openings=openings)
    if several_hosts:
        set_choices(
            form,
            "opening",
            [("", _("すべての募集")), *((o.pk, f"{o.title}（{o.host.name}）") for o in openings)],
        )
    opening_id: int | None = form.value("opening")
    status: str = form.value("status") or ""
    queryset = selectors_applications.applications_for_staff(
        user=request.user, opening_id=opening_id, status=status
    ).order_by("-created_at", "-id")  # a stable order across pages
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = _status_counts(request.user, opening_id)
    tabs = [
        {
            "label": _("すべて"),
            "count": sum(counts.values()),
            "url": _list_url(opening_id=opening_id, status=""),
            "current": status == "",
        }
    ] + [
        {
            "label": rules.APPLICATION_STATUS_LABELS[s],
            "count": counts.get(s.value, 0),
            "url": _list_url(opening_id=opening_id, status=s.value),
            "current": status == s.value,
        }
        for s in rules.ApplicationStatus
    ]
    rows = [
        {
            "application": a,
            "name": snapshot_name(a.profile_snapshot) or _("（氏名なし）"),
            "elig": eligibility_summary(a.eligibility),
            "read_only": organisation is None or a.opening.host_id != organisation.pk,
        }
        for a in page.object_list
    ]
    return render(
        request,
        T + "list.html",
        {
            "form": form,
            "status": status,
            "tabs": tabs,
            "rows": rows,
            "page": page,
            "several_hosts": several_hosts,
            "filtered": bool(opening_id or status),
            "prev_url": _list_url(
                opening_id=opening_id, status=status, page=page.previous_page_number()
            )
            if page.has_previous()
            else "",
            "next_url": _list_url(
                opening_id=opening_id, status=status, page=page.next_page_number()
            )
            if page.has_next()
            else "",
        },
    )


# --- applications: detail, moves, messages, CV ---------------------------------------------------


def _detail_page(
    request: HttpRequest,
    application: Application,
    *,
    transition_form: StaffTransitionForm | None = None,
    message_form: StaffMessageForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    can_act = selectors_applications.staff_can_act_on(user=request.user, application=application)
    timeline = selectors_applications.application_timeline(application=application)
    if can_act:
        # Read first, so the messages that were unread are shown as 新着 this once.
        services_applications.application_messages_mark_read(
            user=request.user, application_id=application.pk
        )
    current = rules.ApplicationStatus(application.status)
    actions = [
        {
            "value": target.value,
            "label": rules.APPLICATION_STATUS_LABELS[target],
            "secondary": target in SECONDARY_MOVES,
        }
        for target in rules.next_statuses(current, rules.Actor.STAFF)
    ]
    name = snapshot_name(application.profile_snapshot)
    # A staff member's address is shown to their own organisation only; prefecture staff
    # and the ministry read "職員（<host>）".
    own_host = selectors_applications.staff_can_act_on(user=request.user, application=application)
    staff_label = _("職員（%(host)s）") % {"host": application.opening.host.name}
    events = [
        {
            "from_label": rules.APPLICATION_STATUS_LABELS[rules.ApplicationStatus(e.from_status)]
            if e.from_status
            else "",
            "to_label": rules.APPLICATION_STATUS_LABELS[rules.ApplicationStatus(e.to_status)],
            "at": e.at,
            "by": _("応募者")
            if e.actor_id == application.applicant_id
            else (e.actor.email if e.actor is not None and own_host else staff_label),
            "note": e.note,
        }
        for e in timeline["events"]
    ]
    profile = (
        ApplicantProfile.objects.filter(user_id=application.applicant_id).only("cv_file").first()
    )
    elig = _decision_context(application.eligibility)
    return render(
        request,
        T + "detail.html",
        {
            "application": application,
            "opening": application.opening,
            "name": name,
            "status_label": timeline["status_label"],
            "events": events,
            "thread_messages": timeline["messages"],
            "actions": actions if can_act else [],
            "can_act": can_act,
            "elig": elig,
            "has_area_requirement": rules.OpeningProgram(application.opening.program)
            in rules.PROGRAMS_WITH_AREA_REQUIREMENT,
            "print_url": eligibility_print_url(application.eligibility),
            "snapshot_rows": staff_snapshot_rows(application.profile_snapshot),
            "has_cv": bool(profile and profile.cv_file),
            "transition_form": transition_form or StaffTransitionForm(),
            "message_form": message_form or StaffMessageForm(),
            "problem": problem,
        },
        status=status,
    )


@require_GET
@application_readers
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors_applications.application_get_for_staff(
        user=request.user, application_id=application_id
    )
    return _detail_page(request, application)


@require_POST
@application_readers
def application_status(request: HttpRequest, application_id: int) -> HttpResponse:
    """A move by staff. The service refuses (404) anyone but the host organisation's staff."""
    application = selectors_applications.application_get_for_staff(
        user=request.user, application_id=application_id
    )
    form = StaffTransitionForm(request.POST)
    if not form.is_valid():
        return _detail_page(
            request,
            application,
            transition_form=form,
            problem=_("変更先の状態が正しくありません。"),
            status=400,
        )
    try:
        services_applications.application_transition(
            user=request.user,
            application_id=application.pk,
            to_status=form.cleaned_data["to_status"],
            note=form.cleaned_data["note"],
        )
    except ConflictError as error:
        return _detail_page(
            request, application, transition_form=form, problem=error.message, status=409
        )
    except InvalidInputError as error:
        form.add_domain_errors(error.errors)
        return _detail_page(
            request, application, transition_form=form, problem=error.message, status=400
        )
    label = rules.APPLICATION_STATUS_LABELS[rules.ApplicationStatus(form.cleaned_data["to_status"])]
    messages.success(
        request,
        _("応募の状態を「%(label)s」にしました。応募者にメールでお知らせしました。")
        % {"label": label},
    )
    return redirect("recruiting_staff:application", application_id=application.pk)


@require_POST
@application_readers
def application_message(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors_applications.application_get_for_staff(
        user=request.user, application_id=application_id
    )
    form = StaffMessageForm(request.POST)
    if form.is_valid():
        try:
            message = services_applications.application_message_post(
                user=request.user, application_id=application.pk, body=form.cleaned_data["body"]
            )
        except InvalidInputError as error:
            form.add_domain_errors(error.errors)
        else:
            if getattr(request, "htmx", False):
                return render(
                    request,
                    T + "_message_posted.html",
                    {
                        "m": message,
                        "application": application,
                        "name": snapshot_name(application.profile_snapshot),
                        "message_form": StaffMessageForm(),
                        "first": application.messages.count() == 1,
                    },
                )
            messages.success(request, _("メッセージを送りました。"))
            return redirect(
                reverse("recruiting_staff:application", args=[application.pk]) + "#thread"
            )
    if getattr(request, "htmx", False):
        response = render(
            request,
            T + "_message_form.html",
            {"application": application, "message_form": form},
            status=400,
        )
        return reswap(retarget(response, "#message-form"), "outerHTML")
    return _detail_page(request, application, message_form=form, status=400)


@require_GET
@application_readers
def application_cv(request: HttpRequest, application_id: int) -> HttpResponseBase:
    """The applicant's current CV, for the host organisation's staff of an application only."""
    application = selectors_applications.application_get_for_staff(
        user=request.user, application_id=application_id
    )
    if not selectors_applications.staff_can_act_on(user=request.user, application=application):
        raise Http404(_("応募が見つかりません。"))
    profile = ApplicantProfile.objects.filter(user_id=application.applicant_id).first()
    if profile is None or not profile.cv_file:
        raise Http404(_("履歴書は登録されていません。"))
    response = FileResponse(
        profile.cv_file.open("rb"),
        as_attachment=True,
        filename=f"cv-application-{application.pk}.pdf",
        content_type="application/pdf",
    )
    # Personal data leaving the system: who downloaded whose CV is kept in the audit trail.
    audit_record(
        actor=request.user,
        action="application.cv_download",
        target=application,
        organisation=application.opening.host,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- scouting -------------------------------------------------------------------------------------


def _published_openings(user: Any) -> list[Opening]:
    organisation = organisation_of(user)
    return list(
        Opening.objects.filter(host=organisation, status=Opening.Status.PUBLISHED).order_by(
            "-published_at", "-id"
        )
    )


def _search_query(value: str) -> QueryDict:
    """A candidates search carried through a POST: only the search's own fields survive."""
    data = QueryDict(value or "", mutable=True)
    for key in list(data.keys()):
        if key not in CandidateSearchForm.base_fields:
            del data[key]
    return data


def _candidates_page(
    request: HttpRequest,
    *,
    search: QueryDict,
    failed: ScoutSendForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    openings = _published_openings(request.user)
    form = CandidateSearchForm(search)
    profiles: list[ApplicantProfile] = []
    if form.is_valid():
        profiles = selectors_applications.scout_candidates_search(
            user=request.user, **form.search_args()
        )
    elif status == 200:
        status = 400
    search_string = _search_query(search.urlencode()).urlencode()
    scouted: dict[int, list[Scout]] = defaultdict(list)
    for scout in selectors_applications.scouts_for_staff(user=request.user).filter(
        applicant_id__in=[p.user_id for p in profiles]
    ):
        scouted[scout.applicant_id].append(scout)
    names = _prefecture_names()
    failed_id = str(failed.data.get("applicant", "")) if failed is not None else ""
    cards = []
    for profile in profiles:
        card = candidate_card(profile, names)
        card["scouts"] = scouted.get(profile.user_id, [])
        card["problem"] = ""
        if failed is not None and failed_id == str(profile.user_id):
            card["form"], card["problem"] = failed, problem
        else:
            card["form"] = ScoutSendForm(
                openings=openings,
                initial={"applicant": profile.user_id, "search": search_string},
                auto_id=f"c{profile.user_id}_%s",
            )
        cards.append(card)
    failed_card = next((card for card in cards if card["form"] is failed), None)
    return render(
        request,
        T + "candidates.html",
        {
            "form": form,
            "cards": cards,
            "openings": openings,
            "limit": selectors_applications.SCOUT_SEARCH_LIMIT,
            "per_organisation": services_scouts.scout_limits()[0],
            "per_applicant": services_scouts.scout_limits()[1],
            # Shown on top when the person is not in the results (any more), else at the card.
            "problem": problem if failed_card is None else "",
            "failed_card": failed_card,
        },
        status=status,
    )


@require_GET
@host_staff_only
def scout_candidates(request: HttpRequest) -> HttpResponse:
    return _candidates_page(request, search=_search_query(request.GET.urlencode()))


@require_POST
@host_staff_only
def scout_send(request: HttpRequest) -> HttpResponse:
    raw_id = request.POST.get("applicant", "")
    auto_id = f"c{raw_id}_%s" if raw_id.isdigit() else "id_%s"
    form = ScoutSendForm(request.POST, openings=_published_openings(request.user), auto_id=auto_id)
    search = _search_query(request.POST.get("search", ""))
    problem, status = "", 400
    if form.is_valid():
        try:
            scout = services_scouts.scout_send(
                user=request.user,
                opening_id=form.cleaned_data["opening"],
                applicant_id=form.cleaned_data["applicant"],
                body=form.cleaned_data["body"],
            )
        except InvalidInputError as error:
            form.add_domain_errors(error.errors)
        except ConflictError as error:
            problem, status = error.message, 409
        else:
            messages.success(
                request,
                _("スカウトを送りました（募集: %(title)s）。返信があるとメールでお知らせします。")
                % {"title": scout.opening.title},
            )
            query = search.urlencode()
            return redirect(
                reverse("recruiting_staff:scout_candidates")
                + (f"?{query}" if query else "")
                + f"#candidate-{scout.applicant_id}"
            )
    return _candidates_page(request, search=search, failed=form, problem=problem, status=status)


@require_GET
@host_staff_only
def scout_list(request: HttpRequest) -> HttpResponse:
    queryset = (
        selectors_applications.scouts_for_staff(user=request.user)
        .select_related("sent_by", "applicant__applicant_profile__municipality")
        .annotate(message_count=Count("messages"))
        .order_by("-created_at", "-id")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    names = _prefecture_names()
    scouts = list(page.object_list)
    applied = _applications_for_scouts(request.user, scouts)
    rows = []
    for scout in scouts:
        profile = getattr(scout.applicant, "applicant_profile", None)
        rows.append(
            {
                "scout": scout,
                "label": SCOUT_LABELS[Scout.Status(scout.status)],
                "candidate": candidate_card(profile, names) if profile is not None else None,
                "application": applied.get((scout.opening_id, scout.applicant_id)),
            }
        )
    return render(request, T + "scouts.html", {"rows": rows, "page": page})


def _applications_for_scouts(user: Any, scouts: list[Scout]) -> dict[tuple[int, int], Application]:
    """Applications (in the user's scope) to the scouted opening by the scouted person."""
    if not scouts:
        return {}
    found = selectors_applications.applications_for_staff(user=user).filter(
        opening_id__in={s.opening_id for s in scouts},
        applicant_id__in={s.applicant_id for s in scouts},
    )
    return {(a.opening_id, a.applicant_id): a for a in found}


def _scout_page(
    request: HttpRequest,
    scout: Scout,
    *,
    form: ScoutMessageForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    profile = (
        ApplicantProfile.objects.filter(user_id=scout.applicant_id)
        .select_related("municipality")
        .first()
    )
    applied = _applications_for_scouts(request.user, [scout])
    return render(
        request,
        T + "scout.html",
        {
            "scout": scout,
            "opening": scout.opening,
            "label": SCOUT_LABELS[Scout.Status(scout.status)],
            "candidate": candidate_card(profile, _prefecture_names()) if profile else None,
            "application": applied.get((scout.opening_id, scout.applicant_id)),
            "thread_messages": list(scout.messages.all()),
            "can_write": scout.status == Scout.Status.REPLIED,
            "form": form or ScoutMessageForm(),
            "problem": problem,
        },
        status=status,
    )


@require_GET
@host_staff_only
def scout_detail(request: HttpRequest, scout_id: int) -> HttpResponse:
    scout = selectors_applications.scout_get(user=request.user, scout_id=scout_id)
    return _scout_page(request, scout)


@require_POST
@host_staff_only
def scout_message(request: HttpRequest, scout_id: int) -> HttpResponse:
    scout = selectors_applications.scout_get(user=request.user, scout_id=scout_id)
    form = ScoutMessageForm(request.POST)

    def sent(_message: Any) -> HttpResponse:
        messages.success(request, _("メッセージを送りました。"))
        return redirect(reverse("recruiting_staff:scout", args=[scout.pk]) + "#thread")

    return submit(
        form,
        lambda data: services_scouts.scout_reply(
            user=request.user, scout_id=scout.pk, body=data["body"]
        ),
        done=sent,
        redisplay=lambda problem, status: _scout_page(
            request, scout, form=form, problem=problem, status=status
        ),
    )
