"""The world of the permission-matrix test (tests/test_permission_matrix.py).

Three municipalities — two in 北海道 (函館市 012025, 小樽市 012033) and one in 島根県
(海士町 325252) — their organisations, the 北海道 and 島根県 prefecture organisations, a
company, a consultation desk and the ministry; one user per actor; openings (published and
draft), applications, messages, scouts and invitations, all made through the services.

Every private piece of text carries a marker, and `MARKERS` says who may read it: the matrix
asserts that no page or API answer shows a marker to anyone else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from tests.recruiting import factories

from hitonagare.accounts import services as account_services
from hitonagare.accounts.models import Invitation, Organisation, User
from hitonagare.recruiting import services_applications, services_profiles, services_scouts
from hitonagare.recruiting.models import Application, Opening, Scout

PASSWORD = "correct-horse-battery"  # factories.user's default

# The organisations, by key.
ORG1 = "hakodate"  # 函館市 012025, 北海道
ORG2 = "otaru"  # 小樽市 012033, 北海道
ORG3 = "ama"  # 海士町 325252, 島根県
PREF_HOKKAIDO = "pref_hokkaido"  # 北海道 (01)
PREF_SHIMANE = "pref_shimane"  # 島根県 (32)
COMPANY = "company"
DESK = "desk"
MINISTRY = "ministry"

MUNICIPALITY_CODES = {ORG1: "012025", ORG2: "012033", ORG3: "325252"}
PLACES = {ORG1: "函館", ORG2: "小樽", ORG3: "海士町"}
PUBLISHED_TITLES = {
    ORG1: "函館の観光の担い手募集 PMX公開函館",
    ORG2: "小樽の観光の担い手募集 PMX公開小樽",
    ORG3: "海士町の観光の担い手募集 PMX公開海士町",
    PREF_HOKKAIDO: "北海道庁の広域連携 PMX公開北海道",
}
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PREFECTURE_OF = {ORG1: "01", ORG2: "01", ORG3: "32", PREF_HOKKAIDO: "01", PREF_SHIMANE: "32"}
HOSTS = (ORG1, ORG2, ORG3, PREF_HOKKAIDO, PREF_SHIMANE)
A_HOSTS = (ORG1, PREF_HOKKAIDO)  # applicant A applied to 函館市 and to 北海道 itself


@dataclass(frozen=True)
class Actor:
    """Who makes a request: a role and, for staff, the organisation (None: no account)."""

    name: str
    role: str
    org: str | None = None
    applicant: str | None = None  # "a" or "b" for applicants
    is_org_admin: bool = False
    email: str = ""


ACTORS: dict[str, Actor] = {
    a.name: a
    for a in (
        Actor("anonymous", "anonymous"),
        Actor("applicant", "applicant", applicant="a"),
        Actor("municipality_staff", "municipality_staff", ORG1, is_org_admin=True),
        # Same prefecture as org1, so a filter by prefecture instead of organisation shows up.
        Actor("neighbour_municipality_staff", "municipality_staff", ORG2),
        Actor("prefecture_staff", "prefecture_staff", PREF_HOKKAIDO, is_org_admin=True),
        # The other prefecture's side: 海士町 and 島根県 look at 北海道's objects.
        Actor(
            "shimane_municipality_staff",
            "municipality_staff",
            ORG3,
            is_org_admin=True,
            email="pmx-staff-ama@example.jp",
        ),
        Actor(
            "shimane_prefecture_staff",
            "prefecture_staff",
            PREF_SHIMANE,
            email="pmx-staff-shimane@example.jp",
        ),
        Actor("company_staff", "company_staff", COMPANY, is_org_admin=True),
        Actor("counselor", "counselor", DESK, is_org_admin=True),
        Actor("ministry_admin", "ministry_admin", MINISTRY, is_org_admin=True),
    )
}
HOST_ROLES = frozenset({"municipality_staff", "prefecture_staff"})
STAFF_ROLES = HOST_ROLES | {"company_staff", "counselor", "ministry_admin"}


def host_level(actor: Actor, host: str) -> str:
    """The rule of ADR 0009 for data hosted by `host`: "act" (own organisation), "read"
    (a prefecture for its municipalities; the ministry for all) or "none"."""
    if actor.org == host and actor.role in HOST_ROLES:
        return "act"
    if actor.role == "ministry_admin":
        return "read"
    host_prefecture = PREFECTURE_OF.get(host)
    if (
        actor.role == "prefecture_staff"
        and host_prefecture is not None
        and host_prefecture == PREFECTURE_OF.get(actor.org or "")
    ):
        return "read"
    return "none"


# --- markers: private text and who may see it -----------------------------------------------


def _applicant_or_host_reader(applicant: str, *hosts: str) -> Callable[[Actor], bool]:
    return lambda actor: (
        actor.applicant == applicant or any(host_level(actor, host) != "none" for host in hosts)
    )


def _host_reader(host: str) -> Callable[[Actor], bool]:
    return lambda actor: host_level(actor, host) != "none"


def _members_of(org: str) -> Callable[[Actor], bool]:
    return lambda actor: actor.org == org or actor.role == "ministry_admin"


def _admins_of(org: str) -> Callable[[Actor], bool]:
    return lambda actor: (actor.org == org and actor.is_org_admin) or actor.role == "ministry_admin"


MARKERS: dict[str, Callable[[Actor], bool]] = {
    # Drafts: only staff who may read the host's openings (never the public pages or API).
    "PMX下書き函館": _host_reader(ORG1),
    "PMX下書き小樽": _host_reader(ORG2),
    "PMX下書き海士町": _host_reader(ORG3),
    # What applicants wrote: the applicant and the staff who may read the application.
    "PMX志望動機A": _applicant_or_host_reader("a", ORG1),
    "PMX志望動機B": _applicant_or_host_reader("b", ORG3),
    "PMX北海道宛の志望動機": _applicant_or_host_reader("a", PREF_HOKKAIDO),
    "PMXメッセージA": _applicant_or_host_reader("a", ORG1),
    "PMXメッセージB": _applicant_or_host_reader("b", ORG3),
    # Contact details: the applicant and the staff of the organisations they applied to.
    # C applied nowhere: a scout candidate, whose contact details nobody sees.
    "090-3333-0003": lambda actor: False,
    "pmx-applicant-c@example.jp": lambda actor: actor.role == "ministry_admin",  # admin site
    "090-1111-0001": _applicant_or_host_reader("a", *A_HOSTS),
    "090-2222-0002": _applicant_or_host_reader("b", ORG3),
    "pmx-applicant-a@example.jp": _applicant_or_host_reader("a", *A_HOSTS),
    "pmx-applicant-b@example.jp": _applicant_or_host_reader("b", ORG3),
    # Names: the applicant and the staff who read their applications (scout candidates are
    # shown without a name). C applied nowhere: nobody.
    "燕沢": _applicant_or_host_reader("a", *A_HOSTS),
    "鵜飼野": _applicant_or_host_reader("b", ORG3),
    "蜂須賀": lambda actor: False,
    # Scout threads: the applicant and the sending organisation only.
    "PMXスカウトA": lambda actor: actor.applicant == "a" or actor.org == ORG1,
    "PMX返信A": lambda actor: actor.applicant == "a" or actor.org == ORG1,
    "PMXスカウトB": lambda actor: actor.applicant == "b" or actor.org == ORG3,
    "PMX返信B": lambda actor: actor.applicant == "b" or actor.org == ORG3,
    # Staff e-mail addresses: their own organisation (and the ministry's admin site).
    "pmx-staff-hakodate@example.jp": _members_of(ORG1),
    "pmx-staff-otaru@example.jp": _members_of(ORG2),
    "pmx-staff-ama@example.jp": _members_of(ORG3),
    "pmx-staff-shimane@example.jp": _members_of(PREF_SHIMANE),
    # Pending invitations: the inviting organisation's admins.
    "pmx-invite-hakodate@example.jp": _admins_of(ORG1),
    "pmx-invite-ama@example.jp": _admins_of(ORG3),
}


def leaked_markers(actor: Actor, text: str) -> list[str]:
    return [marker for marker, may_see in MARKERS.items() if marker in text and not may_see(actor)]


# --- the world ------------------------------------------------------------------------------


@dataclass
class World:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)  # by actor name, plus owners
    openings: dict[str, Opening] = field(default_factory=dict)  # "<org>" and "<org>_draft"
    applications: dict[str, Application] = field(default_factory=dict)  # "a", "b"
    scouts: dict[str, Scout] = field(default_factory=dict)  # "a", "b"
    invitations: dict[str, Invitation] = field(default_factory=dict)  # by org
    invitation_tokens: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # actor name → session key

    def user_of(self, actor: Actor) -> User | None:
        return self.users.get(actor.name) if actor.role != "anonymous" else None


def _opening_data(lgcode: str, title: str) -> dict[str, Any]:
    return {
        "municipality_lgcode": lgcode,
        "title": title,
        "contact": f"{title} 担当 03-0000-0000",
        "deadline": timezone.localdate() + dt.timedelta(days=30),
    }


def build_world() -> World:
    world = World()
    orgs = world.orgs
    for key, lgcode in MUNICIPALITY_CODES.items():
        orgs[key] = factories.municipality_org(lgcode)
    orgs[PREF_HOKKAIDO] = factories.prefecture_org("01")
    orgs[PREF_SHIMANE] = factories.prefecture_org("32")
    orgs[COMPANY] = factories.other_org(Organisation.Kind.COMPANY, "PMX株式会社")
    orgs[DESK] = factories.other_org(Organisation.Kind.DESK, "PMX移住相談窓口")
    orgs[MINISTRY] = account_services.organisation_for_ministry()

    users = world.users
    for actor in ACTORS.values():
        if actor.org is not None:
            users[actor.name] = factories.user(
                email=actor.email or f"pmx-{actor.name.replace('_', '-')}@example.jp",
                organisation=orgs[actor.org],
                is_admin=actor.is_org_admin,
            )
    # Staff who own the "other" side's objects (not actors themselves).
    users["staff_hakodate"] = factories.user(
        email="pmx-staff-hakodate@example.jp", organisation=orgs[ORG1]
    )
    users["staff_otaru"] = factories.user(
        email="pmx-staff-otaru@example.jp", organisation=orgs[ORG2]
    )
    users["staff_ama"] = users["shimane_municipality_staff"]
    users["applicant"] = factories.user(email="pmx-applicant-a@example.jp")
    users["applicant_b"] = factories.user(email="pmx-applicant-b@example.jp")
    factories.profile(
        users["applicant"], family_name="燕沢", given_name="花子", phone="090-1111-0001"
    )
    factories.profile(
        users["applicant_b"], family_name="鵜飼野", given_name="太郎", phone="090-2222-0002"
    )

    users["applicant_c"] = factories.user(email="pmx-applicant-c@example.jp")
    factories.profile(
        users["applicant_c"], family_name="蜂須賀", given_name="三郎", phone="090-3333-0003"
    )
    for key in ("applicant", "applicant_b"):
        services_profiles.profile_cv_attach(
            user=users[key],
            upload=SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
        )

    # Openings are made by staff whose e-mail addresses are markers (the history shows them).
    creators = {
        ORG1: users["staff_hakodate"],
        ORG2: users["staff_otaru"],
        ORG3: users["staff_ama"],
        PREF_HOKKAIDO: users["prefecture_staff"],
    }
    for org, place in PLACES.items():
        lgcode = MUNICIPALITY_CODES[org]
        world.openings[org] = factories.opening(
            staff=creators[org], **_opening_data(lgcode, PUBLISHED_TITLES[org])
        )
        world.openings[f"{org}_draft"] = factories.opening(
            staff=creators[org], publish=False, **_opening_data(lgcode, f"PMX下書き{place}")
        )
    # An opening the prefecture hosts itself (in 函館市, inside its area).
    world.openings[PREF_HOKKAIDO] = factories.opening(
        staff=creators[PREF_HOKKAIDO],
        **_opening_data("012025", PUBLISHED_TITLES[PREF_HOKKAIDO]),
    )

    world.applications["a"] = services_applications.application_submit(
        user=users["applicant"], opening_id=world.openings[ORG1].pk, motivation="PMX志望動機A"
    )
    world.applications["a_pref"] = services_applications.application_submit(
        user=users["applicant"],
        opening_id=world.openings[PREF_HOKKAIDO].pk,
        motivation="PMX北海道宛の志望動機",
    )
    world.applications["b"] = services_applications.application_submit(
        user=users["applicant_b"], opening_id=world.openings[ORG3].pk, motivation="PMX志望動機B"
    )
    services_applications.application_message_post(
        user=users["applicant"], application_id=world.applications["a"].pk, body="PMXメッセージA"
    )
    services_applications.application_message_post(
        user=users["applicant_b"],
        application_id=world.applications["b"].pk,
        body="PMXメッセージB",
    )
    world.scouts["a"] = services_scouts.scout_send(
        user=users["municipality_staff"],
        opening_id=world.openings[ORG1].pk,
        applicant_id=users["applicant"].pk,
        body="PMXスカウトA",
    )
    services_scouts.scout_reply(
        user=users["applicant"], scout_id=world.scouts["a"].pk, body="PMX返信A"
    )
    # B received one from org3 and then stopped taking scouts.
    world.scouts["b"] = services_scouts.scout_send(
        user=users["staff_ama"],
        opening_id=world.openings[ORG3].pk,
        applicant_id=users["applicant_b"].pk,
        body="PMXスカウトB",
    )
    services_scouts.scout_reply(
        user=users["applicant_b"], scout_id=world.scouts["b"].pk, body="PMX返信B"
    )
    users["applicant_b"].applicant_profile.scout_opt_in = False
    users["applicant_b"].applicant_profile.save(update_fields=["scout_opt_in"])

    for org, inviter in ((ORG1, users["municipality_staff"]), (ORG3, users["staff_ama"])):
        issued = account_services.invitation_create(
            by_user=inviter, email=f"pmx-invite-{org}@example.jp"
        )
        world.invitations[org] = issued.invitation
        world.invitation_tokens[org] = issued.token
    for key, value in list(world.applications.items()):
        world.applications[key] = Application.objects.get(pk=value.pk)
    # One login per actor, reused by every request (a test that logs out is rolled back).
    for actor in ACTORS.values():
        if actor.role != "anonymous":
            client = Client()
            client.force_login(users[actor.name])
            world.sessions[actor.name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world


# --- "nothing changed": every row of the apps the matrix can write to -----------------------

SNAPSHOT_APPS = ("accounts", "recruiting", "core")


def _snapshot_tables() -> list[tuple[str, str, str]]:
    return [
        (model._meta.label, model._meta.db_table, model._meta.pk.column)
        for label in SNAPSHOT_APPS
        for model in apps.get_app_config(label).get_models()
    ]


def db_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """All rows (all columns) of the accounts, recruiting and core tables, by model. Plain SQL:
    the ORM's per-query overhead would dominate the matrix's run time."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for label, table, pk in _snapshot_tables():
            cursor.execute(
                f"SELECT * FROM {connection.ops.quote_name(table)} "
                f"ORDER BY {connection.ops.quote_name(pk)}"
            )
            rows[label] = [tuple(row) for row in cursor.fetchall()]
    return rows


def snapshot_difference(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]
