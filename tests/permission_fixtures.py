"""The world of the permission-matrix test (tests/test_permission_matrix.py).

Three municipalities — two in 北海道 (函館市 012025, 小樽市 012033) and one in 島根県
(海士町 325252) — their organisations, the 北海道 and 島根県 prefecture organisations, a
company, a consultation desk and the ministry; one user per actor; openings (published and
draft), applications, messages, scouts and invitations; members (appointments, monthly
reports with receipts, ended terms with their outcome surveys, offers accepted and not yet
registered) and the organisations' own expenses of a fiscal year — all made through the
services.

Members: applicant A is the member of 函館市's and 北海道's appointments (as A applied to
both), applicant B of 海士町's; 小樽市's member has no account yet. The appointments' dates
are relative to today: a two-year term that began on 1 April of the previous fiscal year
(`FUNDING_FY`, the year the funding pages are asked about), and a one-year term that ended
on the 31 March before that year began.

Every private piece of text carries a marker, and `MARKERS` says who may read it: the matrix
asserts that no page or API answer shows a marker to anyone else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
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
from hitonagare.core.wareki import fiscal_year_of
from hitonagare.funding import services as funding_services
from hitonagare.funding.models import YearClaim
from hitonagare.members import services as member_services
from hitonagare.members import services_reports
from hitonagare.members.models import Appointment, MonthlyReport, ReportExpense
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
D_HOSTS = (ORG1, PREF_HOKKAIDO)  # applicant D was offered both and accepted
E_HOSTS = (ORG3,)


# --- members: dates relative to today ------------------------------------------------------


def _months_back(day: dt.date, n: int) -> dt.date:
    month = day.replace(day=1)
    for _ in range(n):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


TODAY = timezone.localdate()
FUNDING_FY = fiscal_year_of(TODAY) - 1  # every active appointment overlaps it
TERM_START = dt.date(FUNDING_FY, 4, 1)
TERM_END = dt.date(FUNDING_FY + 2, 3, 31)  # two years: renewable to three
RENEWED_END = dt.date(FUNDING_FY + 3, 3, 31)
ENDED_START = dt.date(FUNDING_FY - 1, 4, 1)
ENDED_END = dt.date(FUNDING_FY, 3, 31)  # ended before FUNDING_FY began
SUBMITTED_MONTH = _months_back(TODAY, 1)
RETURNED_MONTH = _months_back(TODAY, 2)
OPEN_MONTH = _months_back(TODAY, 3)  # a month of the term with no report: report_new


@dataclass(frozen=True)
class AppointmentSpec:
    host: str
    lgcode: str  # where the member works
    label: str  # in every marker of the appointment
    member: str | None = None  # the applicant ("a", "b") linked to it
    ended: bool = False

    @property
    def name(self) -> str:
        return f"PMX{'終了' if self.ended else ''}隊員{self.label}"

    @property
    def note(self) -> str:
        return f"PMX{'終了' if self.ended else '在任'}備考{self.label}"


# By key: "<org>" (active) and "<org>_ended" (term over, exit survey recorded).
APPOINTMENTS: dict[str, AppointmentSpec] = {
    ORG1: AppointmentSpec(ORG1, "012025", "函館", member="a"),
    ORG2: AppointmentSpec(ORG2, "012033", "小樽"),
    ORG3: AppointmentSpec(ORG3, "325252", "海士町", member="b"),
    PREF_HOKKAIDO: AppointmentSpec(PREF_HOKKAIDO, "012033", "北海道", member="a"),
    f"{ORG1}_ended": AppointmentSpec(ORG1, "012025", "函館", ended=True),
    f"{ORG3}_ended": AppointmentSpec(ORG3, "325252", "海士町", ended=True),
    f"{PREF_HOKKAIDO}_ended": AppointmentSpec(PREF_HOKKAIDO, "012025", "北海道", ended=True),
}


@dataclass(frozen=True)
class ReportSpec:
    appointment: str
    tag: str  # in every marker of the report (no tag is a prefix of another)
    returned: bool = False

    @property
    def month(self) -> dt.date:
        return RETURNED_MONTH if self.returned else SUBMITTED_MONTH


# By key: "<org>" (submitted, waiting for review) and "<org>_returned" (returned).
REPORTS: dict[str, ReportSpec] = {
    ORG1: ReportSpec(ORG1, "函館"),
    f"{ORG1}_returned": ReportSpec(ORG1, "差戻函館", returned=True),
    ORG3: ReportSpec(ORG3, "海士町"),
    f"{ORG3}_returned": ReportSpec(ORG3, "差戻海士町", returned=True),
    PREF_HOKKAIDO: ReportSpec(PREF_HOKKAIDO, "北海道"),
}
MEMBER_USERS = {"a": "applicant", "b": "applicant_b"}
CLAIMS = {ORG1: 7_654_321, ORG3: 1_357_913}  # 募集等経費 of FUNDING_FY


def receipt_pdf(tag: str) -> bytes:
    """A receipt the upload check accepts, whose bytes carry the report's marker."""
    return PDF.replace(b"trailer", f"% PMX領収書の中身{tag}\ntrailer".encode())


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


def _host_actor_or_ministry(host: str, member: str | None) -> Callable[[Actor], bool]:
    """What the members pages show only to the host's own staff and the ministry (and the
    member): e-mail addresses. A prefecture reading its municipality's record does not."""
    return lambda actor: (
        host_level(actor, host) == "act"
        or actor.role == "ministry_admin"
        or (member is not None and actor.applicant == member)
    )


def _member_markers() -> dict[str, Callable[[Actor], bool]]:
    markers: dict[str, Callable[[Actor], bool]] = {}
    for key, spec in APPOINTMENTS.items():
        # The member's name: the member and whoever may read the host's records.
        markers[spec.name] = (
            _applicant_or_host_reader(spec.member, spec.host)
            if spec.member
            else _host_reader(spec.host)
        )
        markers[f"pmx-member-{key.replace('_', '-')}@example.jp"] = _host_actor_or_ministry(
            spec.host, spec.member
        )
        # Staff notes on the record, the end of a term, the outcome survey: staff only.
        markers[spec.note] = _host_reader(spec.host)
        if spec.ended:
            markers[f"PMX終了の詳細{spec.label}"] = _host_reader(spec.host)
            markers[f"PMX定住メモ{spec.label}"] = _host_reader(spec.host)
    for report in REPORTS.values():
        spec = APPOINTMENTS[report.appointment]
        assert spec.member is not None
        reader = _applicant_or_host_reader(spec.member, spec.host)
        for text in ("PMX活動報告", "PMX成果", "PMX経費", "PMX領収書", "PMX領収書の中身"):
            markers[f"{text}{report.tag}"] = reader
        if report.returned:
            markers[f"PMX差戻しコメント{report.tag}"] = reader
    for org, yen in CLAIMS.items():  # the organisation's own expenses, raw and formatted
        markers[str(yen)] = _host_reader(org)
        markers[f"{yen:,}"] = _host_reader(org)
    return markers


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
    # C applied nowhere: a scout candidate, whose contact details nobody else sees.
    "090-3333-0003": lambda actor: actor.applicant == "c",
    "pmx-applicant-c@example.jp": lambda actor: (
        actor.applicant == "c" or actor.role == "ministry_admin"  # admin site
    ),
    "090-1111-0001": _applicant_or_host_reader("a", *A_HOSTS),
    "090-2222-0002": _applicant_or_host_reader("b", ORG3),
    "pmx-applicant-a@example.jp": _applicant_or_host_reader("a", *A_HOSTS),
    "pmx-applicant-b@example.jp": _applicant_or_host_reader("b", ORG3),
    # Names: the applicant and the staff who read their applications (scout candidates are
    # shown without a name). C applied nowhere: nobody.
    "燕沢": _applicant_or_host_reader("a", *A_HOSTS),
    "鵜飼野": _applicant_or_host_reader("b", ORG3),
    "蜂須賀": lambda actor: actor.applicant == "c",
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
    # D and E accepted offers (D: 函館市 and 北海道, E: 海士町), not yet registered as members.
    "雲雀丘": _applicant_or_host_reader("d", *D_HOSTS),
    "鴫原": _applicant_or_host_reader("e", *E_HOSTS),
    "090-4444-0004": _applicant_or_host_reader("d", *D_HOSTS),
    "090-5555-0005": _applicant_or_host_reader("e", *E_HOSTS),
    "pmx-applicant-d@example.jp": _applicant_or_host_reader("d", *D_HOSTS),
    "pmx-applicant-e@example.jp": _applicant_or_host_reader("e", *E_HOSTS),
    "PMX志望動機D": _applicant_or_host_reader("d", ORG1),
    "PMX北海道宛の志望動機D": _applicant_or_host_reader("d", PREF_HOKKAIDO),
    "PMX志望動機E": _applicant_or_host_reader("e", ORG3),
    # Members: names, addresses, notes, reports, receipts, outcomes, own expenses.
    **_member_markers(),
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
    # Members, by the keys of APPOINTMENTS and REPORTS (expenses: the report's one expense).
    appointments: dict[str, Appointment] = field(default_factory=dict)
    reports: dict[str, MonthlyReport] = field(default_factory=dict)
    expenses: dict[str, ReportExpense] = field(default_factory=dict)
    claims: dict[str, YearClaim] = field(default_factory=dict)  # by org
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
    _build_offers(world)
    _build_members(world)
    for key, value in list(world.applications.items()):
        world.applications[key] = Application.objects.get(pk=value.pk)
    # One login per actor, reused by every request (a test that logs out is rolled back).
    for actor in ACTORS.values():
        if actor.role != "anonymous":
            client = Client()
            client.force_login(users[actor.name])
            world.sessions[actor.name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world


def _build_offers(world: World) -> None:
    """D applied to 函館市 and to 北海道, E to 海士町; each host offered, the applicant
    accepted: offers to register as members (members:from_application)."""
    users = world.users
    users["applicant_d"] = factories.user(email="pmx-applicant-d@example.jp")
    users["applicant_e"] = factories.user(email="pmx-applicant-e@example.jp")
    factories.profile(
        users["applicant_d"], family_name="雲雀丘", given_name="四郎", phone="090-4444-0004"
    )
    factories.profile(
        users["applicant_e"], family_name="鴫原", given_name="五郎", phone="090-5555-0005"
    )
    # Not staff_ama (whose address is a marker): the timeline shows who moved the status.
    users["staff_ama_2"] = factories.user(
        email="pmx-staff-ama-2@example.jp", organisation=world.orgs[ORG3]
    )
    offers = (
        ("d", "applicant_d", ORG1, "PMX志望動機D", users["municipality_staff"]),
        (
            "d_pref",
            "applicant_d",
            PREF_HOKKAIDO,
            "PMX北海道宛の志望動機D",
            users["prefecture_staff"],
        ),
        ("e", "applicant_e", ORG3, "PMX志望動機E", users["staff_ama_2"]),
    )
    for key, applicant, org, motivation, staff in offers:
        application = services_applications.application_submit(
            user=users[applicant], opening_id=world.openings[org].pk, motivation=motivation
        )
        for to_status, by in (("screening", staff), ("offered", staff), ("accepted", None)):
            services_applications.application_transition(
                user=by or users[applicant], application_id=application.pk, to_status=to_status
            )
        world.applications[key] = application


def _locking_service(service: Callable[..., Any], kwargs: dict[str, Any], **fields: Any) -> None:
    """Run a members service that locks the appointment; the fields it must have written are
    checked, so the world is built through the services on SQLite and PostgreSQL alike."""
    service(**kwargs)
    appointment = Appointment.objects.get(pk=kwargs["appointment_id"])
    for name, value in fields.items():
        assert getattr(appointment, name) == value, (name, getattr(appointment, name), value)


def _build_members(world: World) -> None:
    """Appointments, monthly reports (one expense with a receipt each), ended terms with their
    exit survey, and the organisations' own expenses of FUNDING_FY."""
    users = world.users
    staff_of = {
        ORG1: users["municipality_staff"],
        ORG2: users["staff_otaru"],
        ORG3: users["staff_ama_2"],
        PREF_HOKKAIDO: users["prefecture_staff"],
    }
    for key, spec in APPOINTMENTS.items():
        staff = staff_of[spec.host]
        appointment = member_services.appointment_create(
            user=staff,
            data=member_services.AppointmentData(
                member_name=spec.name,
                member_email=f"pmx-member-{key.replace('_', '-')}@example.jp",
                program="kyoryokutai",
                municipality_lgcode=spec.lgcode,
                start_date=ENDED_START if spec.ended else TERM_START,
                planned_end_date=ENDED_END if spec.ended else TERM_END,
                origin="1000001",
                monthly_reward_yen=240_000,
                note=spec.note,
            ),
        )
        if spec.member is not None:
            member = users[MEMBER_USERS[spec.member]]
            _locking_service(
                member_services.appointment_link_member,
                {"user": staff, "appointment_id": appointment.pk, "email": member.email},
                member=member,
            )
        if spec.ended:
            end_note = f"PMX終了の詳細{spec.label}"
            _locking_service(
                member_services.appointment_end,
                {
                    "user": staff,
                    "appointment_id": appointment.pk,
                    "ended_on": ENDED_END,
                    "reason": "completed",
                    "note": end_note,
                },
                ended_on=ENDED_END,
                end_reason="completed",
                end_note=end_note,
            )
            services_reports.outcome_record(
                user=staff,
                appointment_id=appointment.pk,
                data=services_reports.OutcomeData(
                    kind="exit",
                    surveyed_on=ENDED_END,
                    residence="same",
                    activity="employed",
                    note=f"PMX定住メモ{spec.label}",
                ),
            )
        world.appointments[key] = Appointment.objects.get(pk=appointment.pk)
    for key, report in REPORTS.items():
        spec = APPOINTMENTS[report.appointment]
        assert spec.member is not None
        tag = report.tag
        receipt = SimpleUploadedFile(
            f"PMX領収書{tag}.pdf", receipt_pdf(tag), content_type="application/pdf"
        )
        filed = services_reports.report_submit(
            user=users[MEMBER_USERS[spec.member]],
            appointment_id=world.appointments[report.appointment].pk,
            data=services_reports.ReportData(
                month=report.month,
                days_worked=18,
                hours_worked=Decimal("120.5"),
                activities=f"PMX活動報告{tag}",
                results=f"PMX成果{tag}",
                expenses=(
                    services_reports.ExpenseData(
                        category="travel",
                        amount_yen=3200,
                        description=f"PMX経費{tag}",
                        receipt=receipt,
                    ),
                ),
            ),
        )
        if report.returned:
            services_reports.report_review(
                user=staff_of[spec.host],
                report_id=filed.pk,
                approve=False,
                comment=f"PMX差戻しコメント{tag}",
            )
        world.reports[key] = MonthlyReport.objects.get(pk=filed.pk)
        world.expenses[key] = ReportExpense.objects.get(report=filed)
    for org, yen in CLAIMS.items():
        world.claims[org] = funding_services.year_claim_save(
            user=staff_of[org], fiscal_year=FUNDING_FY, amounts={"recruitment_yen": yen}
        )


# --- "nothing changed": every row of the apps the matrix can write to -----------------------

SNAPSHOT_APPS = ("accounts", "recruiting", "core", "members", "funding")


def _snapshot_tables() -> list[tuple[str, str, str]]:
    return [
        (model._meta.label, model._meta.db_table, model._meta.pk.column)
        for label in SNAPSHOT_APPS
        for model in apps.get_app_config(label).get_models()
    ]


def db_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """All rows (all columns) of the tables of SNAPSHOT_APPS, by model. Plain SQL:
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
