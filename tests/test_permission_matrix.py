"""The permission matrix (issue 3 §8, ADR 0009): every view and API endpoint, for every role,
against an object of its own organisation and one of another's.

How it stays current: `ROUTES` classifies every named URL of the root resolver and
`API_ROUTES` every path and method of the ninja API; `test_every_route_is_classified` fails
when a route exists that the tables do not name (add it, with its rule) or when the tables
name a route that no longer exists. The Django admin is represented by its index and one
changelist.

The rules (`expected_outcome` states them once):
- public            anyone; drafts never appear (pages, feed, API), whoever asks.
- public-opening    anyone, for a published opening; a draft → 404 for everyone, its own staff
                    included (they see drafts on the staff pages).
- authenticated     any account.
- staff             any member of an organisation; applicants → 403.
- org-admin         the admins of the user's own organisation; other accounts → 403.
- org-admin-own     an invitation of the user's own organisation, its admins only (other
                    members → 403); another organisation's invitation → 404, for everyone.
- applicant         the applicant's own pages; staff → 403.
- applicant-own     the applicant's own application/scout; another applicant's → 404;
                    staff → 403.
- applicant-apply   any published opening; a draft → 404; staff → 403.
- staff-read-scope  municipality/prefecture staff and the ministry (others → 403) READ the
                    objects in their scope: own organisation; a prefecture also its
                    municipalities'; the ministry all. Out of scope → 404. Writing (POST) needs
                    the object's own organisation: everyone else in the gate → 404 (so the
                    ministry acting on an application gets 404, its role passing the gate).
                    A route may ask "act" for reading too (the applicant's CV file).
- host-staff-own    municipality/prefecture staff only (the ministry too → 403), and only their
                    own organisation's objects, for reading and writing; others' → 404.
- host-staff        municipality/prefecture staff only, no object in the URL (the ministry →
                    403). Objects named in a POST body must be the organisation's own:
                    another's is rejected (400/404) and nothing is written.
- admin             the Django admin: ministry admins only (others are sent to its login
                    view, which answers 403).
The members pages follow the same rules: appointments and monthly reports belong to the host
organisation (staff-read-scope to read, host-staff-own to change a record, the review of a
report only by the host's own staff — every other reader gets 404); the member's own pages
(/members/mine/) are applicant-own, the member being the applicant linked to the appointment.
The funding pages are staff-read-scope without an object (what they show is scoped: the
markers prove it); the organisation's own expenses (year claim) are host-staff. A URL with a
second id (a report's expense, for its receipt) takes it from the target (`Route.sub`): the
receipt of the report's own expense; a foreign expense under one's own report is tested apart.
Anonymous users are sent to the login page (HTML). Every API operation is public today; a
non-public one needs its rule in `test_api_matrix` (anonymous → 401) before the suite passes.
Reading (GET) writes nothing, except that opening one's own thread marks its messages read,
and that exports and staff downloads of personal files (CVs, receipts) are written to the
audit trail (`Route.get_writes`). A refused request changes nothing: every row of accounts,
recruiting, core, members and funding is compared before and after. A successful POST does
change something — proof that its payload is valid, so each refusal above is the permission
check and not a form error. Every answer (a workbook: its cells) is searched for the world's
private markers (permission_fixtures.MARKERS): none may reach an actor who is not allowed to
read it.
CSRF: every POST route answers 403 without a token and writes nothing; with one it works.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from tests import permission_fixtures as pf
from tests.permission_fixtures import ACTORS, Actor, World

from hitonagare.api import api

PUBLIC = "public"
PUBLIC_OPENING = "public-opening"
AUTHENTICATED = "authenticated"
STAFF = "staff"
ORG_ADMIN = "org-admin"
ORG_ADMIN_OWN = "org-admin-own"
APPLICANT = "applicant"
APPLICANT_OWN = "applicant-own"
APPLICANT_APPLY = "applicant-apply"
STAFF_READ = "staff-read-scope"
HOST_STAFF_OWN = "host-staff-own"
HOST_STAFF = "host-staff"
ADMIN = "admin"
PUBLIC_RULES = (PUBLIC, PUBLIC_OPENING)

OK, LOGIN, FORBIDDEN, NOT_FOUND, REJECTED = "ok", "login", "403", "404", "rejected"

NEW_PASSWORD = "atarashii-kagi-2026-pmx"


@dataclass(frozen=True)
class Target:
    """An object of the world, by kind and key, with what the rules need to know about it."""

    kind: str
    key: str
    host: str  # the organisation it belongs to
    applicant: str | None = None
    draft: bool = False


Payload = Callable[[World, Actor, "Target | None"], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    """One named URL: who may use it (`rule`), with which methods, on which object."""

    rule: str
    methods: tuple[str, ...] = ("GET",)
    # The kind of object the request names ("application", "scout", "opening", "invitation").
    obj: str | None = None
    # Where the object's id goes: None = the URL (<kind>_id); "post" = the POST body (the
    # payload function puts it there).
    obj_in: str | None = None
    # For URLs with other parameters (tokens, codes): the kwargs for reverse().
    kwargs: Callable[[World], dict[str, Any]] | None = None
    # A second object in the URL that belongs to the first (<sub>_id): taken from the target,
    # e.g. "expense" for the receipt of the report's own expense (World.expenses[key]).
    sub: str | None = None
    # POST payload: valid, so a missing permission check would show up as a write.
    post: Payload | None = None
    # False for POSTs whose success writes nothing to the compared tables (logout, language).
    writes: bool = True
    ok_get: frozenset[int] = frozenset({200})
    ok_post: frozenset[int] = frozenset({302})
    # The level a GET needs on the object under staff-read-scope ("read", or "act" for the
    # few pages only the host organisation's own staff open).
    get_needs: str = "read"
    # Which objects to try (default: all of the kind); the first of each relation is used.
    candidates: tuple[str, ...] | None = None
    query: str = ""
    # Markers this URL may show anyone who has it (it carries a secret token).
    reveals: tuple[str, ...] = ()
    # Text a successful GET must contain / must not contain for this actor.
    shows: Callable[[Actor], tuple[str, ...]] | None = None
    hides: Callable[[Actor], tuple[str, ...]] | None = None
    # Text of the object a successful GET must contain (proof that the page shows the
    # object's private text, so its absence from every other answer means something).
    shows_obj: Callable[[Actor, Target], tuple[str, ...]] | None = None
    # Models a successful GET may write to (an export leaves an audit event).
    get_writes: tuple[str, ...] = ()


# --- payloads (valid for the actor the rules allow) --------------------------------------------


def _profile_post(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    return {
        "family_name": "燕沢",
        "given_name": "花子",
        "family_kana": "つばめさわ",
        "given_kana": "はなこ",
        "birth_date": "1995-04-01",
        "phone": "090-1111-0001",
        "postal_code": "100-0001",
        "address_line": "千代田1-1",
        "skills": "観光案内の経験5年",
        "interests": ["tourism"],
        "availability": "3m",
        "scout_opt_in": "on",
    }


def _pdf(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    return {"cv_file": SimpleUploadedFile("cv.pdf", pf.PDF, content_type="application/pdf")}


def _signup(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    return {
        "email": "pmx-new-signup@example.jp",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "display_name": "",
    }


def _fixed(data: dict[str, Any]) -> Payload:
    return lambda w, a, t: dict(data)


def _opening_fields(opening: Any) -> dict[str, Any]:
    from hitonagare.recruiting.forms_openings import OpeningForm

    data: dict[str, Any] = {}
    for name, value in OpeningForm.initial_from(opening).items():
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    return data


def _opening_create(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    data = _opening_fields(w.openings[pf.ORG1])
    # A municipality inside the actor's own area (a prefecture: one of its municipalities).
    home = {pf.ORG2: "012033", pf.ORG3: "325252", pf.PREF_SHIMANE: "325252"}.get(
        a.org or "", "012025"
    )
    data.update(title="PMX新しい募集", municipality_lgcode=home)
    return data


def _opening_update(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    assert t is not None
    data = _opening_fields(w.openings[t.key])
    data["title"] = "PMX書き換えた募集"
    return data


def _scout_send(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    assert t is not None
    return {
        "opening": w.openings[t.key].pk,
        "applicant": w.users["applicant_c"].pk,
        "body": "観光の仕事に興味はありませんか。",
        "search": "",
    }


# Members: a municipality inside the actor's own area (a prefecture: one of its municipalities).
def _home(a: Actor) -> str:
    return {pf.ORG2: "012033", pf.ORG3: "325252", pf.PREF_SHIMANE: "325252"}.get(
        a.org or "", "012025"
    )


def _appointment_fields(data: Any) -> dict[str, Any]:
    from hitonagare.members.forms import AppointmentForm

    fields: dict[str, Any] = {}
    for name, value in AppointmentForm.initial_from(data).items():
        if value is None or value is False:
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        fields[name] = "on" if value is True else value
    return fields


def _appointment_create(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    from hitonagare.members.services import AppointmentData

    return _appointment_fields(
        AppointmentData(
            member_name="PMX新しい隊員",
            program="kyoryokutai",
            municipality_lgcode=_home(a),
            start_date=pf.TERM_START,
            planned_end_date=pf.TERM_END,
        )
    )


def _appointment_from_application(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    from dataclasses import replace

    from hitonagare.members.services import data_from_application

    assert t is not None
    data = data_from_application(w.applications[t.key])
    # The openings name no start date: the host fills in the term.
    return _appointment_fields(
        replace(data, start_date=pf.TERM_START, planned_end_date=pf.TERM_END)
    )


def _appointment_update(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    from dataclasses import replace

    from hitonagare.members.services import data_of

    assert t is not None
    return _appointment_fields(
        replace(data_of(w.appointments[t.key]), member_name="PMX書き換えた隊員")
    )


def _outcome(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    return {
        "surveyed_on": pf.TODAY.isoformat(),
        "residence": "same",
        "residence_place": "",
        "activity": "employed",
        "note": "",
    }


EXPENSE_MANAGEMENT = {
    "expense-TOTAL_FORMS": "1",
    "expense-INITIAL_FORMS": "0",
    "expense-MIN_NUM_FORMS": "0",
    "expense-MAX_NUM_FORMS": "30",
}


def _report_new(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    return {
        "month": f"{pf.OPEN_MONTH:%Y-%m}",
        "days_worked": "10",
        "hours_worked": "60",
        "activities": "移住相談会の運営",
        "results": "",
        **EXPENSE_MANAGEMENT,
        "expense-0-category": "travel",
        "expense-0-amount_yen": "1200",
        "expense-0-description": "バス代",
        "expense-0-receipt": SimpleUploadedFile(
            "receipt.pdf", pf.PDF, content_type="application/pdf"
        ),
    }


def _report_resubmit(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    assert t is not None
    return {
        "month": f"{pf.REPORTS[t.key].month:%Y-%m}",
        "days_worked": "12",
        "hours_worked": "80",
        "activities": "直した活動内容",
        "results": "",
        **EXPENSE_MANAGEMENT,  # one blank row: no expenses any more
    }


def _roster_upload(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    body = (
        "\ufeff氏名,制度,活動市町村（団体コード）,任期開始日,任期終了予定日\r\n"
        f"PMX取込 花子,地域おこし協力隊,{_home(a)},{pf.TERM_START},{pf.TERM_END}\r\n"
    )
    return {
        "file": SimpleUploadedFile("roster.csv", body.encode(), content_type="text/csv"),
        "action": "commit",
    }


def _year_claim(w: World, a: Actor, t: Target | None) -> dict[str, Any]:
    return {"fiscal_year": str(pf.FUNDING_FY), "recruitment_yen": "500000"}


# --- what list pages must and must not show -----------------------------------------------------


def _titles(actor: Actor, *, visible: bool) -> tuple[str, ...]:
    titles = []
    for host in (pf.ORG1, pf.ORG2, pf.ORG3, pf.PREF_HOKKAIDO):
        if (pf.host_level(actor, host) != "none") == visible:
            titles.append(pf.PUBLISHED_TITLES[host].split()[-1])
            if host in pf.PLACES:
                titles.append(f"PMX下書き{pf.PLACES[host]}")
    return tuple(titles)


# Whose applications show whose names: A applied to 函館市 and 北海道, B to 海士町.
APPLICANT_NAMES = {"燕沢": pf.A_HOSTS, "鵜飼野": (pf.ORG3,)}


def _names(actor: Actor, *, visible: bool) -> tuple[str, ...]:
    return tuple(
        name
        for name, hosts in APPLICANT_NAMES.items()
        if any(pf.host_level(actor, host) != "none" for host in hosts) == visible
    )


SCOUTED_OPENING = {pf.ORG1: "PMX公開函館", pf.ORG3: "PMX公開海士町"}  # scouts a and b


def _scout_titles(actor: Actor, *, visible: bool) -> tuple[str, ...]:
    return tuple(t for org, t in SCOUTED_OPENING.items() if (org == actor.org) == visible)


ACTIVE = tuple(key for key, spec in pf.APPOINTMENTS.items() if not spec.ended)
ENDED = tuple(key for key, spec in pf.APPOINTMENTS.items() if spec.ended)
SUBMITTED = tuple(key for key, report in pf.REPORTS.items() if not report.returned)
RETURNED = tuple(key for key, report in pf.REPORTS.items() if report.returned)
ACCEPTED = ("d", "d_pref", "e")  # offers accepted, not yet registered as members


def _member_names(
    actor: Actor, keys: tuple[str, ...] = tuple(pf.APPOINTMENTS), *, visible: bool = True
) -> tuple[str, ...]:
    """The names of the appointments (of `keys`) the actor may / may not read."""
    return tuple(
        pf.APPOINTMENTS[key].name
        for key in keys
        if (pf.host_level(actor, pf.APPOINTMENTS[key].host) != "none") == visible
    )


def _waiting_names(actor: Actor) -> tuple[str, ...]:
    """The report dashboard lists the submitted reports waiting for review, by member."""
    return _member_names(actor, tuple({pf.REPORTS[key].appointment: 0 for key in SUBMITTED}))


def _year_detail_names(actor: Actor) -> tuple[str, ...]:
    """/funding/year/ opens the per-member detail by itself when the user's scope holds one
    organisation: a municipality's own members."""
    if actor.role != "municipality_staff":
        return ()
    return tuple(pf.APPOINTMENTS[k].name for k in ACTIVE if pf.APPOINTMENTS[k].host == actor.org)


FUNDING_QUERY = f"?fy={pf.FUNDING_FY}"


def _appointment_texts(actor: Actor, target: Target) -> tuple[str, ...]:
    """The record's name and staff note; its e-mail address for the host's own staff and the
    ministry only; the end of the term when it ended."""
    spec = pf.APPOINTMENTS[target.key]
    texts = [spec.name, spec.note]
    if pf.host_level(actor, spec.host) == "act" or actor.role == "ministry_admin":
        texts.append(f"pmx-member-{target.key.replace('_', '-')}@example.jp")
    if spec.ended:
        texts.append(f"PMX終了の詳細{spec.label}")
    return tuple(texts)


def _report_texts(actor: Actor, target: Target) -> tuple[str, ...]:
    report = pf.REPORTS[target.key]
    texts = [f"{text}{report.tag}" for text in ("PMX活動報告", "PMX成果", "PMX経費", "PMX領収書")]
    if report.returned:
        texts.append(f"PMX差戻しコメント{report.tag}")
    return tuple(texts)


def _receipt_text(actor: Actor, target: Target) -> tuple[str, ...]:
    return (f"PMX領収書の中身{pf.REPORTS[target.key].tag}",)


def _own_claim(actor: Actor) -> tuple[str, ...]:
    """The organisation's own expenses, in the claim form of its own staff."""
    if actor.role in pf.HOST_ROLES and actor.org in pf.CLAIMS:
        return (str(pf.CLAIMS[actor.org]),)
    return ()


ROUTES: dict[str, Route] = {
    # --- core, regions, eligibility: public pages ---
    "core:home": Route(PUBLIC),
    "core:ping": Route(PUBLIC),
    "core:language": Route(
        PUBLIC, kwargs=lambda w: {"code": "en"}, query="?next=/", ok_get=frozenset({302})
    ),
    "set_language": Route(
        PUBLIC, ("POST",), post=_fixed({"language": "en", "next": "/"}), writes=False
    ),
    "regions:suggest": Route(PUBLIC, query="?q=函館"),
    "regions:area_suggest": Route(PUBLIC, query="?lgcode=325252&q=海士"),
    "regions:municipality": Route(PUBLIC, kwargs=lambda w: {"lgcode": "012025"}),
    "eligibility:check": Route(PUBLIC),
    "eligibility:print": Route(
        PUBLIC, query="?program=kyoryokutai&origin=1000001&destination=325252"
    ),
    "eligibility:destinations": Route(PUBLIC, query="?program=kyoryokutai&from=1000001"),
    "eligibility:origins": Route(PUBLIC, query="?program=kyoryokutai&to=325252"),
    "api-v1:openapi-json": Route(PUBLIC),
    "api-v1:openapi-view": Route(PUBLIC),
    "api-v1:api-root": Route(PUBLIC, ok_get=frozenset({200, 404})),
    # --- public openings: search, feed, detail; drafts never ---
    "recruiting_public:search": Route(PUBLIC, query="?q=PMX", shows=lambda a: ("PMX公開函館",)),
    "recruiting_public:feed": Route(PUBLIC, query="?q=PMX", shows=lambda a: ("PMX公開函館",)),
    "recruiting_public:detail": Route(PUBLIC_OPENING, obj="opening"),
    # --- accounts ---
    "accounts:signup": Route(PUBLIC, ("GET", "POST"), post=_signup, ok_get=frozenset({200, 302})),
    "accounts:signup_done": Route(PUBLIC),
    "accounts:verification_resend": Route(
        PUBLIC, ("GET", "POST"), post=_fixed({"email": "pmx-applicant-a@example.jp"}), writes=False
    ),
    "accounts:verify": Route(
        PUBLIC,
        # No such user (999999): the failure page.
        kwargs=lambda w: {"uidb64": "OTk5OTk5", "token": "pmx-not-a-token"},
        ok_get=frozenset({400}),
    ),
    "accounts:login": Route(
        PUBLIC,
        ("GET", "POST"),
        post=_fixed({"email": "pmx-applicant-a@example.jp", "password": pf.PASSWORD}),
    ),
    "accounts:logout": Route(AUTHENTICATED, ("POST",), post=_fixed({}), writes=False),
    "accounts:password_reset": Route(
        PUBLIC, ("GET", "POST"), post=_fixed({"email": "pmx-applicant-a@example.jp"}), writes=False
    ),
    "accounts:password_reset_done": Route(PUBLIC),
    "accounts:password_reset_confirm": Route(
        PUBLIC, kwargs=lambda w: {"uidb64": "OTk5OTk5", "token": "pmx-not-a-token"}
    ),
    "accounts:password_reset_complete": Route(PUBLIC),
    "accounts:password_change": Route(
        AUTHENTICATED,
        ("GET", "POST"),
        post=_fixed(
            {
                "old_password": pf.PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            }
        ),
    ),
    "accounts:password_change_done": Route(AUTHENTICATED),
    "accounts:organisation": Route(STAFF),
    "accounts:invitation_create": Route(
        ORG_ADMIN, ("POST",), post=_fixed({"email": "pmx-invite-new@example.jp"})
    ),
    "accounts:invitation_revoke": Route(
        ORG_ADMIN_OWN, ("POST",), obj="invitation", post=_fixed({})
    ),
    "accounts:invitation": Route(
        PUBLIC,
        ("GET", "POST"),
        kwargs=lambda w: {"token": w.invitation_tokens[pf.ORG1]},
        post=_fixed({"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "display_name": ""}),
        # Whoever holds the link may read the address it was sent to.
        reveals=("pmx-invite-hakodate@example.jp",),
    ),
    # --- the applicant's pages (/me/) ---
    "recruiting_applicant:dashboard": Route(APPLICANT),
    "recruiting_applicant:profile": Route(APPLICANT, ("GET", "POST"), post=_profile_post),
    "recruiting_applicant:cv": Route(APPLICANT),
    "recruiting_applicant:cv_upload": Route(APPLICANT, ("POST",), post=_pdf),
    "recruiting_applicant:cv_remove": Route(APPLICANT, ("POST",), post=_fixed({})),
    "recruiting_applicant:data_export": Route(APPLICANT),
    "recruiting_applicant:data_delete": Route(
        APPLICANT, ("GET", "POST"), post=_fixed({"confirm_email": "pmx-applicant-a@example.jp"})
    ),
    "recruiting_applicant:apply": Route(
        APPLICANT_APPLY,
        ("GET", "POST"),
        obj="opening",
        post=_fixed({"motivation": "小樽の観光に関わりたいです。"}),
        # Not the opening applicant A applied to already (that answers 409).
        candidates=(pf.ORG2, f"{pf.ORG2}_draft"),
    ),
    "recruiting_applicant:application": Route(APPLICANT_OWN, obj="application"),
    "recruiting_applicant:application_status": Route(
        APPLICANT_OWN,
        ("POST",),
        obj="application",
        post=_fixed({"to_status": "withdrawn", "confirmed": "on", "note": ""}),
    ),
    "recruiting_applicant:application_message": Route(
        APPLICANT_OWN, ("POST",), obj="application", post=_fixed({"body": "質問があります。"})
    ),
    "recruiting_applicant:scouts": Route(APPLICANT),
    "recruiting_applicant:scout": Route(APPLICANT_OWN, obj="scout"),
    "recruiting_applicant:scout_reply": Route(
        APPLICANT_OWN, ("POST",), obj="scout", post=_fixed({"body": "ぜひお話を聞かせてください。"})
    ),
    "recruiting_applicant:scout_decline": Route(
        APPLICANT_OWN, ("POST",), obj="scout", post=_fixed({})
    ),
    # --- staff: openings (/staff/openings/) ---
    "recruiting_staff:openings": Route(
        STAFF_READ,
        shows=lambda a: _titles(a, visible=True),
        hides=lambda a: _titles(a, visible=False),
    ),
    "recruiting_staff:opening_create": Route(HOST_STAFF, ("GET", "POST"), post=_opening_create),
    "recruiting_staff:opening": Route(STAFF_READ, obj="opening"),
    "recruiting_staff:opening_update": Route(
        HOST_STAFF_OWN, ("GET", "POST"), obj="opening", post=_opening_update
    ),
    "recruiting_staff:opening_status": Route(
        HOST_STAFF_OWN,
        ("POST",),
        obj="opening",
        # 終了 is allowed from a draft and from a published opening alike.
        post=_fixed({"action": "end", "confirmed": "1"}),
    ),
    # --- staff: applications (/staff/applications/) ---
    "recruiting_staff:applications": Route(
        STAFF_READ,
        shows=lambda a: _names(a, visible=True),
        hides=lambda a: _names(a, visible=False),
    ),
    "recruiting_staff:application": Route(STAFF_READ, obj="application"),
    "recruiting_staff:application_status": Route(
        STAFF_READ,
        ("POST",),
        obj="application",
        post=_fixed({"to_status": "screening", "note": ""}),
    ),
    "recruiting_staff:application_message": Route(
        STAFF_READ, ("POST",), obj="application", post=_fixed({"body": "面接の日程について"})
    ),
    # The CV file: only the host organisation's own staff (readers in scope get 404).
    "recruiting_staff:application_cv": Route(
        STAFF_READ, obj="application", get_needs="act", get_writes=("core.AuditEvent",)
    ),
    # --- staff: scouting (/staff/scouts/) ---
    "recruiting_staff:scouts": Route(
        HOST_STAFF,
        shows=lambda a: _scout_titles(a, visible=True),
        hides=lambda a: _scout_titles(a, visible=False),
    ),
    "recruiting_staff:scout_candidates": Route(HOST_STAFF),
    "recruiting_staff:scout_send": Route(
        HOST_STAFF, ("POST",), obj="opening", obj_in="post", post=_scout_send
    ),
    "recruiting_staff:scout": Route(HOST_STAFF_OWN, obj="scout"),
    "recruiting_staff:scout_message": Route(
        HOST_STAFF_OWN,
        ("POST",),
        obj="scout",
        post=_fixed({"body": "ご返信ありがとうございます。"}),
    ),
    # --- members: staff pages (/members/) ---
    "members:list": Route(
        STAFF_READ,
        query="?status=all",
        shows=lambda a: _member_names(a),
        hides=lambda a: _member_names(a, visible=False),
    ),
    "members:create": Route(HOST_STAFF, ("GET", "POST"), post=_appointment_create),
    "members:from_application": Route(
        HOST_STAFF_OWN,
        ("GET", "POST"),
        obj="application",
        post=_appointment_from_application,
        candidates=ACCEPTED,
        shows_obj=lambda a, t: ("雲雀丘" if t.applicant == "d" else "鴫原",),
    ),
    "members:detail": Route(STAFF_READ, obj="appointment", shows_obj=_appointment_texts),
    "members:update": Route(
        HOST_STAFF_OWN,
        ("GET", "POST"),
        obj="appointment",
        post=_appointment_update,
        shows_obj=lambda a, t: (pf.APPOINTMENTS[t.key].name, pf.APPOINTMENTS[t.key].note),
    ),
    "members:renew": Route(
        HOST_STAFF_OWN,
        ("GET", "POST"),
        obj="appointment",
        post=_fixed({"new_end_date": pf.RENEWED_END.isoformat(), "note": ""}),
        candidates=ACTIVE,
    ),
    "members:end": Route(
        HOST_STAFF_OWN,
        ("GET", "POST"),
        obj="appointment",
        post=_fixed({"ended_on": pf.TODAY.isoformat(), "reason": "career", "note": "転職のため"}),
        candidates=ACTIVE,
    ),
    "members:outcome": Route(
        HOST_STAFF_OWN,
        ("GET", "POST"),
        obj="appointment",
        kwargs=lambda w: {"kind": "exit"},
        post=_outcome,
        candidates=ENDED,
        shows_obj=lambda a, t: (f"PMX定住メモ{pf.APPOINTMENTS[t.key].label}",),
    ),
    "members:link": Route(
        HOST_STAFF_OWN,
        ("GET", "POST"),
        obj="appointment",
        post=_fixed({"email": "pmx-applicant-c@example.jp"}),
        shows_obj=lambda a, t: (f"pmx-member-{t.key.replace('_', '-')}@example.jp",),
    ),
    "members:reports": Route(STAFF_READ, shows=_waiting_names),
    "members:report": Route(STAFF_READ, obj="report", shows_obj=_report_texts),
    # Approve or return: the host's own staff only; every other reader → 404.
    "members:report_review": Route(
        STAFF_READ,
        ("POST",),
        obj="report",
        post=_fixed({"decision": "approve", "comment": ""}),
        candidates=SUBMITTED,
    ),
    # A staff download of a receipt (and of a CV) is kept in the audit trail.
    "members:receipt": Route(
        STAFF_READ,
        obj="report",
        sub="expense",
        shows_obj=_receipt_text,
        get_writes=("core.AuditEvent",),
    ),
    "members:settlement": Route(STAFF_READ),
    # --- members: roster import (/members/import/) ---
    "members_import:upload": Route(HOST_STAFF, ("GET", "POST"), post=_roster_upload),
    "members_import:template": Route(HOST_STAFF),
    # --- members: the member's own pages (/members/mine/) ---
    "members:mine": Route(APPLICANT),
    "members:report_new": Route(
        APPLICANT_OWN,
        ("GET", "POST"),
        obj="appointment",
        query=f"?month={pf.OPEN_MONTH:%Y-%m}",
        post=_report_new,
        candidates=ACTIVE,
    ),
    "members:my_report": Route(APPLICANT_OWN, obj="report", shows_obj=_report_texts),
    # Only a returned report is corrected (another one's GET redirects to it).
    "members:my_report_edit": Route(
        APPLICANT_OWN,
        ("GET", "POST"),
        obj="report",
        post=_report_resubmit,
        candidates=RETURNED,
        shows_obj=lambda a, t: (f"PMX活動報告{pf.REPORTS[t.key].tag}",),
    ),
    "members:my_receipt": Route(
        APPLICANT_OWN, obj="report", sub="expense", shows_obj=_receipt_text
    ),
    # --- funding (/funding/) ---
    "funding:estimate": Route(STAFF_READ),
    "funding:year": Route(
        STAFF_READ,
        query=FUNDING_QUERY,
        shows=lambda a: _year_detail_names(a) + _own_claim(a),
    ),
    "funding:year_claim": Route(HOST_STAFF, ("POST",), post=_year_claim),
    "funding:year_export_csv": Route(
        STAFF_READ,
        query=FUNDING_QUERY,
        shows=lambda a: _member_names(a, ACTIVE),
        get_writes=("core.AuditEvent",),
    ),
    # xlsx: body_of reads the cells, so the markers are searched there too.
    "funding:year_export_xlsx": Route(
        STAFF_READ,
        query=FUNDING_QUERY,
        shows=lambda a: _member_names(a, ACTIVE),
        get_writes=("core.AuditEvent",),
    ),
    # --- the Django admin: the index and one changelist stand for the rest ---
    "admin:index": Route(ADMIN),
    "admin:accounts_user_changelist": Route(ADMIN),
}

ADMIN_NAMESPACE = "admin"
API_NAMESPACE = "api-v1"


@dataclass(frozen=True)
class ApiRoute:
    rule: str
    sample: str  # the path with a query string; "{<kind>_id}" is filled in from the target
    obj: str | None = None
    ok: frozenset[int] = frozenset({200})
    shows: tuple[str, ...] = ()


API_ROUTES: dict[tuple[str, str], ApiRoute] = {
    ("GET", "/api/v1/eligibility/check"): ApiRoute(
        PUBLIC, "/api/v1/eligibility/check?program=kyoryokutai&from=1000001&to=325252"
    ),
    ("GET", "/api/v1/eligibility/destinations"): ApiRoute(
        PUBLIC, "/api/v1/eligibility/destinations?program=kyoryokutai&from=1000001"
    ),
    ("GET", "/api/v1/eligibility/origins"): ApiRoute(
        PUBLIC, "/api/v1/eligibility/origins?program=kyoryokutai&to=325252"
    ),
    ("GET", "/api/v1/municipalities"): ApiRoute(PUBLIC, "/api/v1/municipalities?q=函館"),
    ("GET", "/api/v1/municipalities/{code}"): ApiRoute(PUBLIC, "/api/v1/municipalities/012025"),
    ("GET", "/api/v1/postal-codes/{code}"): ApiRoute(PUBLIC, "/api/v1/postal-codes/0400001"),
    ("GET", "/api/v1/openings"): ApiRoute(
        PUBLIC, "/api/v1/openings?q=PMX", shows=("PMX公開函館", "PMX公開海士町")
    ),
    ("GET", "/api/v1/openings/{opening_id}"): ApiRoute(
        PUBLIC_OPENING, "/api/v1/openings/{opening_id}", obj="opening"
    ),
}


# --- enumeration ------------------------------------------------------------------------------


def _walk(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            joined = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), joined)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield name, prefix + str(pattern.pattern)


def url_routes() -> dict[str, list[str]]:
    """Every named URL of the root resolver (name → its patterns), recursing into includes."""
    found: dict[str, list[str]] = {}
    for name, pattern in _walk(get_resolver()):
        found.setdefault(name, []).append(pattern)
    return found


def api_operations() -> set[tuple[str, str]]:
    """(METHOD, path) of every operation of the ninja API, from its OpenAPI schema."""
    schema = api.get_openapi_schema()
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }


def _as_openapi_path(pattern: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


def test_every_route_is_classified():
    routes = url_routes()
    operations = api_operations()
    api_paths = {path for _method, path in operations}
    unnamed = [
        p
        for name, patterns in routes.items()
        if name.split(":")[-1] == "None" and not name.startswith(ADMIN_NAMESPACE + ":")
        for p in patterns
    ]
    assert not unnamed, f"URL patterns without a name cannot be classified: {unnamed}"
    unclassified = sorted(
        f"{name}  {patterns}"
        for name, patterns in routes.items()
        if name not in ROUTES
        and not name.startswith(ADMIN_NAMESPACE + ":")
        and not (
            name.startswith(API_NAMESPACE + ":")
            and all(_as_openapi_path(p) in api_paths for p in patterns)
        )
    )
    assert not unclassified, (
        "Routes without an access rule in tests/test_permission_matrix.py ROUTES: "
        + ", ".join(unclassified)
    )
    gone = sorted(set(ROUTES) - set(routes))
    assert not gone, f"ROUTES names routes that no longer exist: {gone}"
    unclassified_api = sorted(operations - set(API_ROUTES))
    assert not unclassified_api, f"API operations without a rule in API_ROUTES: {unclassified_api}"
    gone_api = sorted(set(API_ROUTES) - operations)
    assert not gone_api, f"API_ROUTES names operations that no longer exist: {gone_api}"


def test_route_objects_match_their_url_parameters():
    """A route naming an object kind has exactly that object's id in its URL (or its body), and
    the others have none: no URL takes an object id the matrix does not try across
    organisations."""
    routes = url_routes()
    for name, route in ROUTES.items():
        for pattern in routes[name]:
            ids = re.findall(r"<int:(\w+)_id>", pattern)
            in_url = [route.obj] if route.obj and route.obj_in is None else []
            in_url += [route.sub] if route.sub and in_url else []
            assert ids == in_url, name
    for (_method, path), api_route in API_ROUTES.items():
        ids = re.findall(r"\{(\w+)_id\}", path)
        assert ids == ([api_route.obj] if api_route.obj else []), path


# --- the world, once per module ------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once; each test runs in a savepoint inside this transaction (rolled back)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield pf.build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_reference_index() -> Iterator[None]:
    """Overrides tests/conftest.py for this module: the reference rows never change here, so
    the reference index is built once (rebuilding it per test would cost ~0.4 s a case); the
    search columns are rebuilt per test, since tests publish and end openings."""
    from hitonagare.recruiting.search_store import search_store_clear

    search_store_clear()
    yield
    search_store_clear()


@pytest.fixture(scope="module", autouse=True)
def _reference_index_per_module() -> Iterator[None]:
    from hitonagare.regions.reference import reference_cache_clear

    reference_cache_clear()
    yield
    reference_cache_clear()


# --- objects and relations --------------------------------------------------------------------


TARGETS: dict[str, tuple[Target, ...]] = {
    "application": (
        Target("application", "a", pf.ORG1, applicant="a"),
        Target("application", "b", pf.ORG3, applicant="b"),
        Target("application", "a_pref", pf.PREF_HOKKAIDO, applicant="a"),
        # Accepted offers (members:from_application picks these by `candidates`; for the
        # other routes they add no new relation, so the first of each stays as it was).
        Target("application", "d", pf.ORG1, applicant="d"),
        Target("application", "d_pref", pf.PREF_HOKKAIDO, applicant="d"),
        Target("application", "e", pf.ORG3, applicant="e"),
    ),
    "scout": (
        Target("scout", "a", pf.ORG1, applicant="a"),
        Target("scout", "b", pf.ORG3, applicant="b"),
    ),
    "opening": tuple(
        Target("opening", key, key.removesuffix("_draft"), draft=key.endswith("_draft"))
        for key in (
            pf.ORG1,
            f"{pf.ORG1}_draft",
            pf.ORG2,
            f"{pf.ORG2}_draft",
            pf.ORG3,
            f"{pf.ORG3}_draft",
            pf.PREF_HOKKAIDO,
        )
    ),
    "invitation": (
        Target("invitation", pf.ORG1, pf.ORG1),
        Target("invitation", pf.ORG3, pf.ORG3),
    ),
    # Active appointments first (函館, 小樽, 海士町, 北海道), then the ended ones.
    "appointment": tuple(
        Target("appointment", key, spec.host, applicant=spec.member)
        for key, spec in pf.APPOINTMENTS.items()
    ),
    # Submitted and returned reports; the member is the appointment's.
    "report": tuple(
        Target(
            "report",
            key,
            pf.APPOINTMENTS[report.appointment].host,
            applicant=pf.APPOINTMENTS[report.appointment].member,
        )
        for key, report in pf.REPORTS.items()
    ),
}


def relation(actor: Actor, target: Target) -> str:
    """How the object stands to the actor: own, scope (read only) or other; "-draft" added."""
    if actor.role == "applicant" and target.applicant is not None:
        label = "own" if target.applicant == actor.applicant else "other"
    elif actor.org is not None and actor.org == target.host:
        label = "own"
    elif actor.role == "prefecture_staff" and pf.host_level(actor, target.host) == "read":
        label = "scope"
    else:
        label = "other"
    return label + ("-draft" if target.draft else "")


def targets_for(
    kind: str | None, actor: Actor, candidates: tuple[str, ...] | None = None
) -> list[tuple[str, Target | None]]:
    """The objects of `kind` to try for `actor`: the first of each relation ("" for none)."""
    if kind is None:
        return [("", None)]
    pool = TARGETS[kind]
    if candidates is not None:
        pool = tuple(t for t in pool if t.key in candidates)
    chosen: dict[str, Target | None] = {}
    for target in pool:
        chosen.setdefault(relation(actor, target), target)
    return list(chosen.items())


def expected_outcome(route: Route, actor: Actor, target: Target | None, method: str) -> str:
    """The rule of `route.rule` for this actor, object and method (see the module docstring)."""
    role, rule = actor.role, route.rule
    if rule == PUBLIC:
        return OK
    if rule == PUBLIC_OPENING:
        assert target is not None
        return NOT_FOUND if target.draft else OK
    if role == "anonymous":
        return LOGIN
    if rule == AUTHENTICATED:
        return OK
    if rule == STAFF:
        return OK if role in pf.STAFF_ROLES else FORBIDDEN
    if rule == ORG_ADMIN:
        return OK if actor.is_org_admin else FORBIDDEN
    if rule == ORG_ADMIN_OWN:
        assert target is not None
        if actor.org != target.host:
            return NOT_FOUND
        return OK if actor.is_org_admin else FORBIDDEN
    if rule in (APPLICANT, APPLICANT_OWN, APPLICANT_APPLY):
        if role != "applicant":
            return FORBIDDEN
        if rule == APPLICANT:
            return OK
        assert target is not None
        if rule == APPLICANT_APPLY:
            return NOT_FOUND if target.draft else OK
        return OK if target.applicant == actor.applicant else NOT_FOUND
    if rule in (STAFF_READ, HOST_STAFF_OWN, HOST_STAFF):
        gate = pf.HOST_ROLES | ({"ministry_admin"} if rule == STAFF_READ else set())
        if role not in gate:
            return FORBIDDEN
        if target is None:
            return OK
        level = pf.host_level(actor, target.host)
        needs = route.get_needs if (rule == STAFF_READ and method == "GET") else "act"
        if level == "act" or (level == "read" and needs == "read"):
            # A scout can only be sent about a published opening of one's own.
            if rule == HOST_STAFF and target.draft:
                return REJECTED
            return OK
        return REJECTED if route.obj_in else NOT_FOUND
    if rule == ADMIN:
        return OK if role == "ministry_admin" else FORBIDDEN
    raise AssertionError(f"unknown rule {rule}")


# --- requests -------------------------------------------------------------------------------


OBJECTS = {
    "application": lambda w: w.applications,
    "scout": lambda w: w.scouts,
    "opening": lambda w: w.openings,
    "invitation": lambda w: w.invitations,
    "appointment": lambda w: w.appointments,
    "report": lambda w: w.reports,
    "expense": lambda w: w.expenses,  # by the report's key (Route.sub)
}


def object_of(world: World, target: Target) -> Any:
    return OBJECTS[target.kind](world)[target.key]


def url_for(name: str, route: Route, world: World, target: Target | None) -> str:
    kwargs: dict[str, Any] = route.kwargs(world) if route.kwargs else {}
    if target is not None and route.obj_in is None:
        kwargs[f"{target.kind}_id"] = object_of(world, target).pk
        if route.sub is not None:
            kwargs[f"{route.sub}_id"] = OBJECTS[route.sub](world)[target.key].pk
    return reverse(name, kwargs=kwargs) + route.query


def client_for(world: World, actor: Actor, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    if actor.name in world.sessions:  # logged in once when the world was built
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor.name]
    return client


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def body_of(response: Any) -> str:
    """The answer as text; of a workbook, the values of every cell of every sheet."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if response.status_code == 200 and response.get("Content-Type", "").startswith(XLSX):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return content.decode("utf-8", "replace")


def assert_outcome(response: Any, outcome: str, ok: frozenset[int], *, admin: bool = False) -> None:
    status = response.status_code
    location = response.get("Location", "")
    if outcome == OK:
        assert status in ok, (status, location)
    elif outcome == LOGIN:
        assert status == 302, status
        # The admin sends to its own login view, which sends on to ours.
        assert location.startswith("/admin/login/" if admin else settings.LOGIN_URL), location
    elif outcome == FORBIDDEN:
        if admin:  # the admin refuses by sending to its login view (403 there, see below)
            assert status == 302, status
            assert location.startswith("/admin/login/"), location
        else:
            assert status == 403, status
    elif outcome == NOT_FOUND:
        assert status == 404, status
    elif outcome == REJECTED:
        assert status in (400, 404, 409), status
    else:
        raise AssertionError(outcome)


DRAFT_MARKERS = tuple(marker for marker in pf.MARKERS if marker.startswith("PMX下書き"))


def assert_no_leak(actor: Actor, text: str, *, public: bool, reveals: tuple[str, ...] = ()) -> None:
    leaked = [marker for marker in pf.leaked_markers(actor, text) if marker not in reveals]
    if public:  # public pages and the API never show a draft, whoever asks
        leaked += [marker for marker in DRAFT_MARKERS if marker in text]
    assert not leaked, f"{actor.name} sees {leaked}"


# --- the matrix -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    actor: Actor
    route_name: str
    route: Route
    method: str
    rel: str = ""
    target: Target | None = None

    @property
    def id(self) -> str:
        parts = [self.actor.name] + ([self.rel] if self.rel else []) + [self.route_name]
        return "-".join(parts) + ("" if self.method == "GET" else "-POST")


def matrix_cases() -> list[Case]:
    cases = []
    for name, route in ROUTES.items():
        for method in route.methods:
            if route.rule in PUBLIC_RULES and method == "POST":
                continue  # public forms (login, sign-up…) are not scoped; CSRF is tested below
            for actor in ACTORS.values():
                kind = route.obj if (method == "POST" or route.obj_in is None) else None
                for rel, target in targets_for(kind, actor, route.candidates):
                    cases.append(Case(actor, name, route, method, rel, target))
    return cases


CASES = matrix_cases()


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_matrix(world: World, case: Case):
    route, actor = case.route, case.actor
    url = url_for(case.route_name, route, world, case.target)
    outcome = expected_outcome(route, actor, case.target, case.method)
    client = client_for(world, actor)
    before = pf.db_snapshot()
    if case.method == "GET":
        response = client.get(url)
    else:
        assert route.post is not None, case.route_name
        response = client.post(url, route.post(world, actor, case.target))
    ok = route.ok_get if case.method == "GET" else route.ok_post
    assert_outcome(response, outcome, ok, admin=route.rule == ADMIN)
    changed = pf.snapshot_difference(before, pf.db_snapshot())
    if outcome != OK:
        assert changed == [], f"a refused request wrote to {changed}"
    elif case.method == "POST" and route.writes:
        assert changed, "a successful POST that wrote nothing"
    elif case.method == "GET":
        # Reading writes nothing, except that opening one's own thread marks its messages
        # read; a reader in scope (prefecture, ministry) leaves them unread.
        allowed = ["recruiting.Message"] if case.rel == "own" else []
        if outcome == OK:
            allowed += route.get_writes
        assert set(changed) <= set(allowed), f"a GET wrote to {changed}"
    text = body_of(response)
    assert_no_leak(actor, text, public=route.rule in PUBLIC_RULES, reveals=route.reveals)
    if outcome == OK and case.method == "GET":
        expected = list(route.shows(actor) if route.shows else ())
        if route.shows_obj is not None:
            assert case.target is not None
            expected += route.shows_obj(actor, case.target)
        missing = [m for m in expected if m not in text]
        assert not missing, f"{actor.name} should see {missing}"
        shown = [m for m in (route.hides(actor) if route.hides else ()) if m in text]
        assert not shown, f"{actor.name} should not see {shown}"


@pytest.mark.django_db
def test_admin_refuses_everyone_but_the_ministry_when_followed(world: World):
    for actor in ACTORS.values():
        response = client_for(world, actor).get("/admin/", follow=True)
        if actor.role == "ministry_admin":
            assert response.status_code == 200
        elif actor.role == "anonymous":
            assert response.redirect_chain[-1][0].startswith(settings.LOGIN_URL)
        else:
            assert response.status_code == 403, actor.name


# --- the API ----------------------------------------------------------------------------------


API_CASES = [
    (actor, key, api_route, rel, target)
    for key, api_route in API_ROUTES.items()
    for actor in ACTORS.values()
    for rel, target in targets_for(api_route.obj, actor)
]


def _api_id(actor: Actor, key: tuple[str, str], rel: str) -> str:
    return "-".join([actor.name, *([rel] if rel else []), f"api:{key[0]} {key[1]}"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "key", "api_route", "rel", "target"),
    API_CASES,
    ids=[_api_id(actor, key, rel) for actor, key, _r, rel, _t in API_CASES],
)
def test_api_matrix(
    world: World,
    actor: Actor,
    key: tuple[str, str],
    api_route: ApiRoute,
    rel: str,
    target: Target | None,
):
    method, _path = key
    path = api_route.sample
    if target is not None:
        path = path.replace(f"{{{target.kind}_id}}", str(object_of(world, target).pk))
    client = client_for(world, actor)
    before = pf.db_snapshot()
    response = client.generic(method, path)
    if api_route.rule == PUBLIC:
        assert response.status_code in api_route.ok, response.status_code
    elif api_route.rule == PUBLIC_OPENING:
        assert target is not None
        assert response.status_code == (404 if target.draft else 200), response.status_code
    else:
        raise AssertionError(f"no expectation for API rule {api_route.rule}")
    assert pf.snapshot_difference(before, pf.db_snapshot()) == []
    text = body_of(response)
    assert_no_leak(actor, text, public=api_route.rule in PUBLIC_RULES)
    if response.status_code == 200:
        assert all(marker in text for marker in api_route.shows), api_route.shows


# --- CSRF -------------------------------------------------------------------------------------


def csrf_cases() -> list[tuple[str, Route, Actor, Target | None]]:
    """Every POST route, with the first actor and object the rules allow."""
    cases = []
    for name, route in ROUTES.items():
        if "POST" not in route.methods:
            continue
        for actor in ACTORS.values():
            allowed = [
                target
                for _rel, target in targets_for(route.obj, actor, route.candidates)
                if expected_outcome(route, actor, target, "POST") == OK
            ]
            if allowed:
                cases.append((name, route, actor, allowed[0]))
                break
        else:
            raise AssertionError(f"nobody may POST to {name}")
    return cases


CSRF_CASES = csrf_cases()
CSRF_TOKEN = "pmxCsrfSecretOfThirtyTwoCharsAbc"  # 32 characters: the cookie's unmasked form


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "route", "actor", "target"),
    CSRF_CASES,
    ids=[f"{actor.name}-{name}" for name, _route, actor, _target in CSRF_CASES],
)
def test_csrf(world: World, name: str, route: Route, actor: Actor, target: Target | None):
    assert route.post is not None
    url = url_for(name, route, world, target)
    client = client_for(world, actor, enforce_csrf_checks=True)
    before = pf.db_snapshot()
    response = client.post(url, route.post(world, actor, target))
    assert response.status_code == 403
    assert "csrf" in body_of(response).lower()
    assert pf.snapshot_difference(before, pf.db_snapshot()) == []
    # The same request with the token goes through: the 403 above was the missing token.
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_TOKEN
    response = client.post(url, route.post(world, actor, target), HTTP_X_CSRFTOKEN=CSRF_TOKEN)
    assert response.status_code in route.ok_post, response.status_code


@pytest.mark.django_db
def test_world_is_what_the_matrix_assumes(world: World):
    """Guard the fixture: drafts are drafts; applications, scouts, CVs and members are as
    described."""
    from hitonagare.recruiting.models import ApplicantProfile, Application, Opening, Scout

    for key, opening in world.openings.items():
        opening.refresh_from_db()
        expected = Opening.Status.DRAFT if key.endswith("_draft") else Opening.Status.PUBLISHED
        assert opening.status == expected, key
    assert world.applications["a"].opening.host == world.orgs[pf.ORG1]
    assert world.applications["b"].opening.host == world.orgs[pf.ORG3]
    for key in ("a", "b"):  # replied, so their organisation's staff may write again
        assert Scout.objects.get(pk=world.scouts[key].pk).status == Scout.Status.REPLIED
    assert world.scouts["b"].organisation == world.orgs[pf.ORG3]
    for key in ("applicant", "applicant_b"):
        assert ApplicantProfile.objects.get(user=world.users[key]).cv_file
    assert not ApplicantProfile.objects.get(user=world.users["applicant_b"]).scout_opt_in
    # Members: as pf.APPOINTMENTS and pf.REPORTS describe them.
    from hitonagare.funding.models import YearClaim
    from hitonagare.members.models import Appointment, MonthlyReport, Outcome

    for key, spec in pf.APPOINTMENTS.items():
        appointment = Appointment.objects.get(pk=world.appointments[key].pk)
        assert appointment.host == world.orgs[spec.host], key
        member = world.users[pf.MEMBER_USERS[spec.member]] if spec.member else None
        assert appointment.member == member, key
        assert (appointment.ended_on is not None) == spec.ended, key
        assert Outcome.objects.filter(appointment=appointment).count() == int(spec.ended), key
    for key, report in pf.REPORTS.items():
        filed = MonthlyReport.objects.get(pk=world.reports[key].pk)
        assert filed.appointment_id == world.appointments[report.appointment].pk, key
        assert filed.status == ("returned" if report.returned else "submitted"), key
        assert filed.expenses.get().receipt, key
    for key in ACCEPTED:
        assert Application.objects.get(pk=world.applications[key].pk).status == "accepted"
    assert {c.organisation_id for c in YearClaim.objects.filter(fiscal_year=pf.FUNDING_FY)} == {
        world.orgs[org].pk for org in pf.CLAIMS
    }


# --- filters and searches that name another organisation's objects --------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor_name", "foreign"),
    [
        ("municipality_staff", pf.ORG3),
        ("shimane_municipality_staff", pf.ORG1),
        ("neighbour_municipality_staff", pf.ORG1),
        ("shimane_prefecture_staff", pf.ORG1),
        ("prefecture_staff", pf.ORG3),
    ],
)
def test_application_list_filtered_by_a_foreign_opening_shows_nothing_of_it(
    world: World, actor_name: str, foreign: str
):
    """/staff/applications/?opening=<id of another organisation's opening> lists nothing of it
    (the id is refused or ignored; either way no applicant of that opening appears)."""
    actor = ACTORS[actor_name]
    client = client_for(world, actor)
    opening = world.openings[foreign]
    response = client.get(f"/staff/applications/?opening={opening.pk}")
    assert response.status_code in (200, 400, 404)
    text = body_of(response)
    assert_no_leak(actor, text, public=False)
    for name in _names(actor, visible=False):
        assert name not in text


@pytest.mark.django_db
@pytest.mark.parametrize("actor_name", list(ACTORS))
def test_searching_for_drafts_finds_nothing_anywhere_public(world: World, actor_name: str):
    """The drafts' own words, searched for on the public page, the feed and the API."""
    actor = ACTORS[actor_name]
    client = client_for(world, actor)
    page = client.get("/openings/?q=PMX下書き")
    feed = client.get("/openings/feed.atom?q=PMX下書き")
    answer = client.get("/api/v1/openings?q=PMX下書き")
    assert (page.status_code, feed.status_code, answer.status_code) == (200, 200, 200)
    assert answer.json()["count"] == 0
    assert answer.json()["items"] == []
    for response in (page, feed, answer):
        assert_no_leak(actor, body_of(response), public=True)


@pytest.mark.django_db
def test_the_api_lists_exactly_the_published_openings(world: World):
    from hitonagare.recruiting.models import Opening

    published = {o.pk for key, o in world.openings.items() if not key.endswith("_draft")}
    for actor in ACTORS.values():
        answer = client_for(world, actor).get("/api/v1/openings?q=PMX").json()
        assert {item["id"] for item in answer["items"]} == published, actor.name
        assert {item["status"] for item in answer["items"]} == {Opening.Status.PUBLISHED}


# --- members and funding: what the matrix's one object per relation does not reach ----------


MEMBER_C = Actor("applicant_c", "applicant", applicant="c")  # an account with no appointment


@pytest.mark.django_db
def test_a_member_page_without_appointments_is_empty(world: World):
    client = Client()
    client.force_login(world.users["applicant_c"])
    response = client.get(reverse("members:mine"))
    assert response.status_code == 200
    text = body_of(response)
    assert 'id="mine-empty"' in text
    assert_no_leak(MEMBER_C, text, public=False)


def _receipt_url(name: str, world: World, report: str, expense: str) -> str:
    return reverse(
        name,
        kwargs={"report_id": world.reports[report].pk, "expense_id": world.expenses[expense].pk},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor_name", "report", "expense"),
    [
        # One's own (or a readable) report, with the expense of another organisation's.
        ("municipality_staff", pf.ORG1, pf.ORG3),
        ("prefecture_staff", pf.ORG1, pf.ORG3),
        ("shimane_municipality_staff", pf.ORG3, pf.ORG1),
        # The ministry may read both: the pair still has to match.
        ("ministry_admin", pf.ORG1, pf.ORG3),
        ("ministry_admin", pf.ORG1, f"{pf.ORG1}_returned"),
    ],
)
def test_a_receipt_is_found_only_under_its_own_report(
    world: World, actor_name: str, report: str, expense: str
):
    actor = ACTORS[actor_name]
    response = client_for(world, actor).get(_receipt_url("members:receipt", world, report, expense))
    assert response.status_code == 404
    assert "PMX領収書の中身" not in body_of(response)


@pytest.mark.django_db
@pytest.mark.parametrize("expense", [pf.ORG3, f"{pf.ORG3}_returned", f"{pf.ORG1}_returned"])
def test_a_members_receipt_is_found_only_under_its_own_report(world: World, expense: str):
    """A's own report with B's expense (or with A's other report's expense): 404."""
    response = client_for(world, ACTORS["applicant"]).get(
        _receipt_url("members:my_receipt", world, pf.ORG1, expense)
    )
    assert response.status_code == 404
    assert "PMX領収書の中身" not in body_of(response)


@pytest.mark.django_db
def test_registering_needs_an_accepted_offer_not_registered_yet(world: World):
    """members:from_application: 409 for an application that is not accepted (A's is still
    applied) and for one registered already; nothing written either time."""
    client = client_for(world, ACTORS["municipality_staff"])
    url = reverse("members:from_application", kwargs={"application_id": world.applications["a"].pk})
    before = pf.db_snapshot()
    assert client.get(url).status_code == 409
    assert (
        client.post(url, _appointment_create(world, ACTORS["municipality_staff"], None)).status_code
        == 409
    )
    assert pf.snapshot_difference(before, pf.db_snapshot()) == []

    target = Target("application", "d", pf.ORG1, applicant="d")
    url = reverse("members:from_application", kwargs={"application_id": world.applications["d"].pk})
    payload = _appointment_from_application(world, ACTORS["municipality_staff"], target)
    assert client.post(url, payload).status_code == 302
    before = pf.db_snapshot()
    again = client.get(url)
    assert again.status_code == 409
    assert client.post(url, payload).status_code == 409
    assert pf.snapshot_difference(before, pf.db_snapshot()) == []
    # The refusal page of another organisation's staff names nothing of it.
    other = client_for(world, ACTORS["neighbour_municipality_staff"]).get(url)
    assert other.status_code == 404
    assert_no_leak(ACTORS["neighbour_municipality_staff"], body_of(other), public=False)


@pytest.mark.django_db
def test_outcome_kinds_and_states(world: World):
    client = client_for(world, ACTORS["municipality_staff"])
    ended = world.appointments[f"{pf.ORG1}_ended"].pk
    active = world.appointments[pf.ORG1].pk
    follow_up = reverse("members:outcome", kwargs={"appointment_id": ended, "kind": "follow_up"})
    assert client.get(follow_up).status_code == 200
    bogus = reverse("members:outcome", kwargs={"appointment_id": ended, "kind": "bogus"})
    assert client.get(bogus).status_code == 404
    # Not ended yet: refused, nothing written; another organisation's ended one: 404.
    before = pf.db_snapshot()
    url = reverse("members:outcome", kwargs={"appointment_id": active, "kind": "exit"})
    assert client.post(url, _outcome(world, ACTORS["municipality_staff"], None)).status_code == 409
    foreign = world.appointments[f"{pf.ORG3}_ended"].pk
    url = reverse("members:outcome", kwargs={"appointment_id": foreign, "kind": "follow_up"})
    assert client.get(url).status_code == 404
    assert client.post(url, _outcome(world, ACTORS["municipality_staff"], None)).status_code == 404
    assert pf.snapshot_difference(before, pf.db_snapshot()) == []


@pytest.mark.django_db
def test_a_report_not_returned_is_not_edited(world: World):
    """The member's edit page of a submitted report redirects to it; a POST changes nothing."""
    client = client_for(world, ACTORS["applicant"])
    report = world.reports[pf.ORG1]
    url = reverse("members:my_report_edit", kwargs={"report_id": report.pk})
    target = Target("report", f"{pf.ORG1}_returned", pf.ORG1, applicant="a")
    before = pf.db_snapshot()
    for response in (
        client.get(url),
        client.post(url, _report_resubmit(world, ACTORS["applicant"], target)),
    ):
        assert response.status_code == 302
        assert response["Location"] == reverse("members:my_report", kwargs={"report_id": report.pk})
    assert pf.snapshot_difference(before, pf.db_snapshot()) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor_name", "data", "field"),
    [
        # A municipality outside the actor's area, named in the body: refused, nothing written.
        ("municipality_staff", {"municipality_lgcode": "325252"}, "municipality_lgcode"),
        ("prefecture_staff", {"municipality_lgcode": "325252"}, "municipality_lgcode"),
        ("shimane_municipality_staff", {"municipality_lgcode": "012025"}, "municipality_lgcode"),
    ],
)
def test_a_new_appointment_outside_the_own_area_is_refused(
    world: World, actor_name: str, data: dict[str, str], field: str
):
    actor = ACTORS[actor_name]
    client = client_for(world, actor)
    payload = {**_appointment_create(world, actor, None), **data}
    before = pf.db_snapshot()
    assert client.post(reverse("members:create"), payload).status_code == 400
    upload = _roster_upload(world, actor, None)
    upload["file"] = SimpleUploadedFile(
        "roster.csv",
        upload["file"].read().replace(_home(actor).encode(), data[field].encode()),
        content_type="text/csv",
    )
    assert client.post(reverse("members_import:upload"), upload).status_code == 400
    assert pf.snapshot_difference(before, pf.db_snapshot()) == []


@pytest.mark.django_db
def test_checking_a_roster_writes_nothing(world: World):
    actor = ACTORS["municipality_staff"]
    payload = {**_roster_upload(world, actor, None), "action": "check"}
    before = pf.db_snapshot()
    response = client_for(world, actor).post(reverse("members_import:upload"), payload)
    assert response.status_code == 200
    assert "PMX取込" in body_of(response)
    assert pf.snapshot_difference(before, pf.db_snapshot()) == []


@pytest.mark.django_db
def test_only_personal_accounts_are_linked_as_members(world: World):
    client = client_for(world, ACTORS["municipality_staff"])
    url = reverse("members:link", kwargs={"appointment_id": world.appointments[pf.ORG1].pk})
    before = pf.db_snapshot()
    for email in ("pmx-staff-ama@example.jp", "pmx-nobody@example.jp"):
        assert client.post(url, {"email": email}).status_code == 400
    assert pf.snapshot_difference(before, pf.db_snapshot()) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "actor_name", [a for a, actor in ACTORS.items() if actor.role in pf.HOST_ROLES]
)
def test_a_year_claim_writes_the_own_organisations_row_only(world: World, actor_name: str):
    """Whatever the body names (another organisation's id), the claim saved is the user's
    organisation's; the other organisations' rows stay as they were."""
    from hitonagare.funding.models import YearClaim

    actor = ACTORS[actor_name]
    own = world.orgs[actor.org or ""]
    others = {
        c.pk: (c.organisation_id, c.recruitment_yen)
        for c in YearClaim.objects.exclude(organisation=own)
    }
    payload = {
        **_year_claim(world, actor, None),
        "organisation": str(world.orgs[pf.ORG3 if actor.org != pf.ORG3 else pf.ORG1].pk),
        "organisation_id": str(world.orgs[pf.ORG3 if actor.org != pf.ORG3 else pf.ORG1].pk),
    }
    response = client_for(world, actor).post(reverse("funding:year_claim"), payload)
    assert response.status_code == 302
    claim = YearClaim.objects.get(organisation=own, fiscal_year=pf.FUNDING_FY)
    assert claim.recruitment_yen == 500_000
    assert {
        c.pk: (c.organisation_id, c.recruitment_yen)
        for c in YearClaim.objects.exclude(organisation=own)
    } == others


def _org_lgcode(world: World, org: str) -> str:
    return world.orgs[org].lgcode


@pytest.mark.django_db
@pytest.mark.parametrize(
    "actor_name",
    [a for a, actor in ACTORS.items() if actor.role in pf.HOST_ROLES | {"ministry_admin"}],
)
def test_the_year_detail_of_an_organisation_out_of_scope_is_404(world: World, actor_name: str):
    """/funding/year/?org=<団体コード>: the detail of an organisation in scope names its
    members; out of scope → 404, whatever the code."""
    actor = ACTORS[actor_name]
    client = client_for(world, actor)
    for org in (pf.ORG1, pf.ORG2, pf.ORG3, pf.PREF_HOKKAIDO):
        url = reverse("funding:year") + f"{FUNDING_QUERY}&org={_org_lgcode(world, org)}"
        response = client.get(url)
        text = body_of(response)
        assert_no_leak(actor, text, public=False)
        if pf.host_level(actor, org) == "none":
            assert response.status_code == 404, org
        else:
            assert response.status_code == 200, org
            names = [pf.APPOINTMENTS[k].name for k in ACTIVE if pf.APPOINTMENTS[k].host == org]
            assert names, org
            assert all(name in text for name in names), org
