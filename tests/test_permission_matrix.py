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
Anonymous users are sent to the login page (HTML). Every API operation is public today; a
non-public one needs its rule in `test_api_matrix` (anonymous → 401) before the suite passes.
Reading (GET) writes nothing, except that opening one's own thread marks its messages read. A refused request changes nothing: every row
of accounts, recruiting and core is compared before and after. A successful POST does change
something — proof that its payload is valid, so each refusal above is the permission check and
not a form error. Every answer is searched for the world's private markers
(permission_fixtures.MARKERS): none may reach an actor who is not allowed to read it.
CSRF: every POST route answers 403 without a token and writes nothing; with one it works.
"""

from __future__ import annotations

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
    "recruiting_staff:application_cv": Route(STAFF_READ, obj="application", get_needs="act"),
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
}


def object_of(world: World, target: Target) -> Any:
    return OBJECTS[target.kind](world)[target.key]


def url_for(name: str, route: Route, world: World, target: Target | None) -> str:
    kwargs: dict[str, Any] = route.kwargs(world) if route.kwargs else {}
    if target is not None and route.obj_in is None:
        kwargs[f"{target.kind}_id"] = object_of(world, target).pk
    return reverse(name, kwargs=kwargs) + route.query


def client_for(world: World, actor: Actor, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    if actor.name in world.sessions:  # logged in once when the world was built
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[actor.name]
    return client


def body_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


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
        assert set(changed) <= set(allowed), f"a GET wrote to {changed}"
    text = body_of(response)
    assert_no_leak(actor, text, public=route.rule in PUBLIC_RULES, reveals=route.reveals)
    if outcome == OK and case.method == "GET":
        missing = [m for m in (route.shows(actor) if route.shows else ()) if m not in text]
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
    """Guard the fixture: drafts are drafts; applications, scouts and CVs are as described."""
    from hitonagare.recruiting.models import ApplicantProfile, Opening, Scout

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
