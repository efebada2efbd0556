"""The applicant's own pages (/me/): profile and CV, applications, scouts, data export/deletion.

Every view needs a logged-in applicant (staff get a 403 page). Objects are read through the
applicant-scoped selectors, so another person's application or scout is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from hitonagare.accounts.roles import Role, role_of
from hitonagare.core.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from hitonagare.core.forms import submit
from hitonagare.eligibility.rules import to_wareki
from hitonagare.regions.reference import reference

from . import (
    rules,
    selectors_applications,
    services_applications,
    services_profiles,
    services_scouts,
)
from .forms_applicant import (
    ApplyForm,
    CvForm,
    DeleteForm,
    MessageForm,
    ProfileForm,
    ScoutReplyForm,
    TransitionForm,
)
from .models import ApplicantProfile, Application, Opening, Scout
from .selectors import opening_get_public

T = "recruiting/applicant/"
# Moves the applicant must confirm on a second page before they happen.
CONFIRM_FIRST = frozenset({rules.ApplicationStatus.WITHDRAWN, rules.ApplicationStatus.DECLINED})
STATUS_CLASS = {True: "ok", False: "ng", None: "check"}
BUTTON_LABELS = {
    rules.ApplicationStatus.ACCEPTED: gettext_lazy("内定を承諾する"),
    rules.ApplicationStatus.DECLINED: gettext_lazy("内定を辞退する…"),
    rules.ApplicationStatus.WITHDRAWN: gettext_lazy("応募を取り下げる…"),
}
# A scout's state as the applicant reads it (the model's labels are the sender's view).
SCOUT_LABELS = {
    Scout.Status.SENT: gettext_lazy("未返信"),
    Scout.Status.REPLIED: gettext_lazy("返信済み"),
    Scout.Status.DECLINED: gettext_lazy("辞退"),
}

View = Callable[..., HttpResponseBase]


def applicant_required(view: View) -> View:
    """Login (else the login page), then the applicant role (else a 403 page in Japanese)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if role_of(request.user) is not Role.APPLICANT:
            return _forbidden(request)
        try:
            return view(request, *args, **kwargs)
        except PermissionDeniedError:
            return _forbidden(request)
        except NotFoundError as error:
            raise Http404(error.message) from None

    return login_required(never_cache(wrapper))


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, T + "forbidden.html", status=403)


def _own_profile(user: Any) -> ApplicantProfile | None:
    return ApplicantProfile.objects.filter(user=user).select_related("municipality").first()


def _postal_label(code: str) -> str:
    return f"{code[:3]}-{code[3:]}" if len(code) == 7 and code.isdigit() else code


def _address_label(profile: ApplicantProfile) -> str:
    """ "千代田区（100-0001）": the municipality the postal code resolved to."""
    return f"{profile.municipality.full_name}（{_postal_label(profile.postal_code)}）"


def _safe_next(request: HttpRequest, value: str | None) -> str | None:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _decision_context(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored decision (CheckResult.to_dict() + as_of) in the shape eligibility/_decision.html
    reads: dates back to dates so the partial's date filters work."""
    if not stored:
        return None
    basis = _date(stored.get("basis_date"))
    decision = dict(stored)
    decision["citations"] = [
        {**c, "basis_date": _date(c.get("basis_date"))} for c in stored.get("citations") or ()
    ]
    return {
        "decision": decision,
        "data": stored,
        "program_label": stored.get("program_label", ""),
        "status_class": STATUS_CLASS.get(stored.get("eligible"), "check"),
        "result": {"edition": {"basis_date": basis}},
        "basis_wareki": to_wareki(basis) if basis else "",
        "as_of": _date(stored.get("as_of")),
        "eligible": stored.get("eligible"),
    }


def snapshot_rows(snapshot: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The profile snapshot (services_applications.profile_snapshot) as labelled rows."""
    if not snapshot:
        return []
    names = {p.code: p.name for p in reference().prefectures}
    municipality = snapshot.get("municipality") or {}
    birth = _date(snapshot.get("birth_date"))
    address = " ".join(
        part
        for part in (
            f"〒{_postal_label(str(snapshot.get('postal_code') or ''))}",
            str(municipality.get("name") or ""),
            str(snapshot.get("address_line") or ""),
        )
        if part
    )
    return [
        (_("氏名"), f"{snapshot.get('family_name', '')} {snapshot.get('given_name', '')}"),
        (_("ふりがな"), f"{snapshot.get('family_kana', '')} {snapshot.get('given_kana', '')}"),
        (_("生年月日"), birth.isoformat() if birth else ""),
        (_("電話番号"), str(snapshot.get("phone") or "")),
        (_("現住所"), address),
        (_("スキル・経験"), str(snapshot.get("skills") or "")),
        (_("資格・免許"), "、".join(snapshot.get("licences") or ())),
        (_("関心のあるテーマ"), "、".join(snapshot.get("interests") or ())),
        (
            _("希望する地域"),
            "、".join(names.get(code, code) for code in snapshot.get("desired_prefectures") or ()),
        ),
        (_("着任可能時期"), str(snapshot.get("availability") or "")),
        (_("自己PR"), str(snapshot.get("free_text") or "")),
        (
            _("履歴書（PDF）"),
            str(_("あり")) if snapshot.get("has_cv") or snapshot.get("cv_file") else str(_("なし")),
        ),
    ]


def _is_open(opening: Opening) -> bool:
    return opening.status == Opening.Status.PUBLISHED and (
        opening.deadline is None or opening.deadline >= timezone.localdate()
    )


def _prefecture_name(code: str) -> str:
    return next((p.name for p in reference().prefectures if p.code == code), "")


# --- dashboard ----------------------------------------------------------------------------


def profile_completeness(profile: ApplicantProfile | None) -> dict[str, Any]:
    """What is filled in: the required part counts once, each optional part once."""
    items = [
        (_("基本情報（氏名・生年月日・連絡先・郵便番号）"), profile is not None),
    ]
    if profile is not None:
        items += [
            (_("町名・番地"), bool(profile.address_line)),
            (_("スキル・経験"), bool(profile.skills)),
            (_("資格・免許"), bool(profile.licences)),
            (_("関心のあるテーマ"), bool(profile.interests_mask)),
            (_("希望する地域"), bool(profile.desired_prefectures)),
            (
                _("着任可能時期"),
                profile.availability != ApplicantProfile.Availability.UNDECIDED,
            ),
            (_("自己PR"), bool(profile.free_text)),
            (_("履歴書（PDF）"), bool(profile.cv_file)),
        ]
        total = len(items)
    else:
        total = 9
    done = sum(1 for _label, ok in items if ok)
    return {
        "percent": round(100 * done / total),
        "done": done,
        "total": total,
        "missing": [label for label, ok in items if not ok],
    }


@require_GET
@applicant_required
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = _own_profile(request.user)
    applications = list(selectors_applications.applications_for_applicant(user=request.user))
    for application in applications:
        application.prefecture_name = _prefecture_name(application.opening.prefecture_code)  # type: ignore[attr-defined]
    scouts = _scouts_with_labels(request.user)
    counts = {status: 0 for status in Scout.Status.values}
    for scout in scouts:
        counts[scout.status] += 1
    return render(
        request,
        T + "dashboard.html",
        {
            "profile": profile,
            "address_label": _address_label(profile) if profile else "",
            "completeness": profile_completeness(profile),
            "applications": applications,
            "scouts": scouts,
            "scout_counts": [(SCOUT_LABELS[Scout.Status(s)], n) for s, n in counts.items()],
        },
    )


# --- profile and CV -------------------------------------------------------------------------


def _profile_page(
    request: HttpRequest,
    *,
    form: ProfileForm | None = None,
    cv_form: CvForm | None = None,
    status: int = 200,
) -> HttpResponse:
    profile = _own_profile(request.user)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    return render(
        request,
        T + "profile.html",
        {
            "profile": profile,
            "address_label": _address_label(profile) if profile else "",
            "form": form or ProfileForm(initial=ProfileForm.initial_from(profile)),
            "cv_form": cv_form or CvForm(),
            "next": next_url or "",
            "scouts_per_organisation": services_scouts.scout_limits()[1],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@applicant_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _profile_page(request)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            profile = services_profiles.profile_save(user=request.user, data=form.to_data())
        except InvalidInputError as error:
            form.add_domain_errors(error.errors)
        else:
            messages.success(
                request,
                _("プロフィールを保存しました。現住所の市区町村: %(address)s")
                % {"address": _address_label(profile)},
            )
            return redirect(
                _safe_next(request, request.POST.get("next")) or "recruiting_applicant:profile"
            )
    else:
        # Report the service's findings too, so every mistake shows on the first try.
        problems, _resolved = services_profiles.profile_problems(form.to_data())
        form.add_domain_errors(problems)
    return _profile_page(request, form=form, status=400)


@require_POST
@applicant_required
def profile_cv_upload(request: HttpRequest) -> HttpResponse:
    cv_form = CvForm(request.POST, request.FILES)
    if cv_form.is_valid():
        try:
            services_profiles.profile_cv_attach(
                user=request.user, upload=cv_form.cleaned_data["cv_file"]
            )
        except InvalidInputError as error:
            cv_form.add_error("cv_file", error.errors.get("cv_file", error.message))
        except DomainError as error:  # no profile yet
            messages.error(request, error.message)
            return redirect("recruiting_applicant:profile")
        else:
            messages.success(request, _("履歴書（PDF）を登録しました。"))
            return HttpResponseRedirect(reverse("recruiting_applicant:profile") + "#cv")
    return _profile_page(request, cv_form=cv_form, status=400)


@require_GET
@applicant_required
def profile_cv_download(request: HttpRequest) -> HttpResponseBase:
    """The applicant's own CV only: there is no id in the URL to point at someone else's."""
    profile = _own_profile(request.user)
    if profile is None or not profile.cv_file:
        raise Http404(_("履歴書は登録されていません。"))
    name = profile.cv_original_name or "cv.pdf"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    response = FileResponse(
        profile.cv_file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@applicant_required
def profile_cv_delete(request: HttpRequest) -> HttpResponse:
    try:
        services_profiles.profile_cv_remove(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("履歴書（PDF）を削除しました。"))
    return HttpResponseRedirect(reverse("recruiting_applicant:profile") + "#cv")


# --- own data -------------------------------------------------------------------------------


@require_GET
@applicant_required
def data_export(request: HttpRequest) -> HttpResponse:
    data = services_profiles.applicant_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    filename = f"hitonagare-my-data-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@applicant_required
def data_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services_profiles.applicant_data_delete(
                user=request.user, confirm_email=form.cleaned_data["confirm_email"]
            )
        except InvalidInputError as error:
            form.add_domain_errors(error.errors)
        else:
            logout(request)
            messages.success(
                request,
                _("アカウントと登録したデータをすべて削除しました。ご利用ありがとうございました。"),
            )
            return redirect("core:home")
    return render(
        request,
        T + "data_delete.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- applications ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@applicant_required
def application_new(request: HttpRequest, opening_id: int) -> HttpResponse:
    profile = _own_profile(request.user)
    if profile is None:
        messages.info(request, _("応募の前にプロフィールを登録してください。"))
        return HttpResponseRedirect(
            reverse("recruiting_applicant:profile") + "?" + urlencode({"next": request.path})
        )
    opening = opening_get_public(opening_id=opening_id)
    existing = (
        selectors_applications.applications_for_applicant(user=request.user)
        .filter(opening_id=opening.pk)
        .first()
    )
    form = ApplyForm(request.POST if request.method == "POST" else None)
    problem = ""
    status = 200
    if request.method == "POST" and existing is not None:
        problem, status = _("この募集にはすでに応募しています。"), 409
    elif request.method == "POST" and form.is_valid():
        try:
            application = services_applications.application_submit(
                user=request.user,
                opening_id=opening.pk,
                motivation=form.cleaned_data["motivation"],
            )
        except InvalidInputError as error:
            form.add_domain_errors(error.errors)
            status = 400
        except NotFoundError:
            raise
        except DomainError as error:  # closed meanwhile, applied twice at once
            problem, status = error.message, error.status
            existing = (
                selectors_applications.applications_for_applicant(user=request.user)
                .filter(opening_id=opening.pk)
                .first()
            )
        else:
            messages.success(
                request,
                _("「%(title)s」に応募しました。募集団体からの連絡はこのページに届きます。")
                % {"title": opening.title},
            )
            return redirect("recruiting_applicant:application", application_id=application.pk)
    elif request.method == "POST":
        status = 400
    eligibility_error = ""
    try:
        eligibility = services_applications.eligibility_for(profile, opening)
    except DomainError as error:
        eligibility, eligibility_error = None, error.message
    return render(
        request,
        T + "apply.html",
        {
            "opening": opening,
            "prefecture_name": _prefecture_name(opening.prefecture_code),
            "is_open": _is_open(opening),
            "existing": existing,
            "problem": problem,
            "form": form,
            "elig": _decision_context(eligibility),
            "eligibility_error": eligibility_error,
            "has_area_requirement": rules.OpeningProgram(opening.program)
            in rules.PROGRAMS_WITH_AREA_REQUIREMENT,
            "snapshot_rows": snapshot_rows(services_applications.profile_snapshot(profile)),
            "address_label": _address_label(profile),
        },
        status=status,
    )


def _application_page(
    request: HttpRequest,
    application: Application,
    *,
    message_form: MessageForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    timeline = selectors_applications.application_timeline(application=application)
    # Read before marking, so the staff messages that were unread can be shown as 新着.
    services_applications.application_messages_mark_read(
        user=request.user, application_id=application.pk
    )
    current = rules.ApplicationStatus(application.status)
    actions = [
        {
            "value": target.value,
            "label": rules.APPLICATION_STATUS_LABELS[target],
            "button_label": BUTTON_LABELS.get(target, rules.APPLICATION_STATUS_LABELS[target]),
            "confirm": target in CONFIRM_FIRST,
        }
        for target in rules.next_statuses(current, rules.Actor.APPLICANT)
    ]
    events = [
        {
            "from_label": rules.APPLICATION_STATUS_LABELS[rules.ApplicationStatus(e.from_status)]
            if e.from_status
            else "",
            "to_label": rules.APPLICATION_STATUS_LABELS[rules.ApplicationStatus(e.to_status)],
            "at": e.at,
            "by_me": e.actor_id == request.user.pk,
            # Notes are shown for the applicant's own moves; staff notes stay with staff.
            "note": e.note if e.actor_id == request.user.pk else "",
        }
        for e in timeline["events"]
    ]
    return render(
        request,
        T + "application.html",
        {
            "application": application,
            "opening": application.opening,
            "prefecture_name": _prefecture_name(application.opening.prefecture_code),
            "status_label": timeline["status_label"],
            "events": events,
            "thread_messages": timeline["messages"],
            "actions": actions,
            "elig": _decision_context(application.eligibility),
            "has_area_requirement": rules.OpeningProgram(application.opening.program)
            in rules.PROGRAMS_WITH_AREA_REQUIREMENT,
            "snapshot_rows": snapshot_rows(application.profile_snapshot),
            "message_form": message_form or MessageForm(),
            "problem": problem,
        },
        status=status,
    )


@require_GET
@applicant_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors_applications.application_get_for_applicant(
        user=request.user, application_id=application_id
    )
    return _application_page(request, application)


@require_POST
@applicant_required
def application_status(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors_applications.application_get_for_applicant(
        user=request.user, application_id=application_id
    )
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _application_page(
            request, application, problem=_("変更先の状態が正しくありません。"), status=400
        )
    target = rules.ApplicationStatus(form.cleaned_data["to_status"])
    current = rules.ApplicationStatus(application.status)
    problem = rules.transition_problem(current, target, rules.Actor.APPLICANT)
    if problem is None and target in CONFIRM_FIRST and not form.cleaned_data["confirmed"]:
        return render(
            request,
            T + "confirm_transition.html",
            {
                "application": application,
                "opening": application.opening,
                "target": target.value,
                "target_label": rules.APPLICATION_STATUS_LABELS[target],
                "form": form,
            },
        )
    try:
        services_applications.application_transition(
            user=request.user,
            application_id=application.pk,
            to_status=target.value,
            note=form.cleaned_data["note"],
        )
    except ConflictError as error:
        return _application_page(request, application, problem=error.message, status=409)
    except InvalidInputError as error:
        return _application_page(request, application, problem=error.message, status=400)
    messages.success(
        request,
        _("応募の状況を「%(label)s」にしました。")
        % {"label": rules.APPLICATION_STATUS_LABELS[target]},
    )
    return redirect("recruiting_applicant:application", application_id=application.pk)


@require_POST
@applicant_required
def application_message(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors_applications.application_get_for_applicant(
        user=request.user, application_id=application_id
    )
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            message = services_applications.application_message_post(
                user=request.user,
                application_id=application.pk,
                body=form.cleaned_data["body"],
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
                        "message_form": MessageForm(),
                        "first": application.messages.count() == 1,
                    },
                )
            messages.success(request, _("メッセージを送りました。"))
            return HttpResponseRedirect(
                reverse("recruiting_applicant:application", args=[application.pk]) + "#thread"
            )
    if getattr(request, "htmx", False):
        response = render(
            request,
            T + "_message_form.html",
            {"application": application, "message_form": form},
            status=400,
        )
        return reswap(retarget(response, "#message-form"), "outerHTML")
    return _application_page(request, application, message_form=form, status=400)


# --- scouts ---------------------------------------------------------------------------------


def _scouts_with_labels(user: Any) -> list[Scout]:
    scouts = list(selectors_applications.scouts_for_applicant(user=user))
    for scout in scouts:
        scout.applicant_label = SCOUT_LABELS[Scout.Status(scout.status)]  # type: ignore[attr-defined]
    return scouts


@require_GET
@applicant_required
def scout_list(request: HttpRequest) -> HttpResponse:
    scouts = _scouts_with_labels(request.user)
    applied = set(
        selectors_applications.applications_for_applicant(user=request.user).values_list(
            "opening_id", flat=True
        )
    )
    return render(
        request,
        T + "scouts.html",
        {"scouts": scouts, "applied": applied, "profile": _own_profile(request.user)},
    )


def _scout_page(
    request: HttpRequest,
    scout: Scout,
    *,
    form: ScoutReplyForm | None = None,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    existing = (
        selectors_applications.applications_for_applicant(user=request.user)
        .filter(opening_id=scout.opening_id)
        .first()
    )
    return render(
        request,
        T + "scout.html",
        {
            "scout": scout,
            "opening": scout.opening,
            "thread_messages": list(scout.messages.all()),
            "form": form or ScoutReplyForm(),
            "existing": existing,
            "opening_open": _is_open(scout.opening),
            "status_label": SCOUT_LABELS[Scout.Status(scout.status)],
            "problem": problem,
        },
        status=status,
    )


@require_GET
@applicant_required
def scout_detail(request: HttpRequest, scout_id: int) -> HttpResponse:
    scout = selectors_applications.scout_get(user=request.user, scout_id=scout_id)
    return _scout_page(request, scout)


@require_POST
@applicant_required
def scout_reply(request: HttpRequest, scout_id: int) -> HttpResponse:
    scout = selectors_applications.scout_get(user=request.user, scout_id=scout_id)
    form = ScoutReplyForm(request.POST)

    def sent(_message: Any) -> HttpResponse:
        messages.success(request, _("返信を送りました。"))
        return HttpResponseRedirect(
            reverse("recruiting_applicant:scout", args=[scout.pk]) + "#thread"
        )

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


@require_POST
@applicant_required
def scout_decline(request: HttpRequest, scout_id: int) -> HttpResponse:
    scout = selectors_applications.scout_get(user=request.user, scout_id=scout_id)
    services_scouts.scout_decline(user=request.user, scout_id=scout.pk)
    messages.success(
        request,
        _("%(name)sからのスカウトを辞退しました。") % {"name": scout.organisation.name},
    )
    return redirect("recruiting_applicant:scout", scout_id=scout.pk)
