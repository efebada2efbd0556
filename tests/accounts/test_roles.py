"""accounts.roles: one role per user from the kind of their organisation, and which host
organisations' data each role may read (the one place scoping is decided)."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser

from hitonagare.accounts.models import Membership, Organisation, User
from hitonagare.accounts.roles import (
    HOST_ROLES,
    Role,
    is_org_admin,
    organisation_of,
    require_applicant,
    require_host_staff,
    role_of,
    visible_host_ids,
)
from hitonagare.core.errors import PermissionDeniedError
from hitonagare.regions.models import Municipality, Prefecture

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)


def _municipality(lgcode: str) -> Organisation:
    municipality = Municipality.objects.get(lgcode=lgcode)
    return Organisation.objects.create(
        kind=Organisation.Kind.MUNICIPALITY,
        name=municipality.full_name,
        lgcode=lgcode,
        municipality=municipality,
        prefecture=municipality.prefecture,
    )


def _prefecture(code: str) -> Organisation:
    prefecture = Prefecture.objects.get(code=code)
    return Organisation.objects.create(
        kind=Organisation.Kind.PREFECTURE,
        name=prefecture.name,
        lgcode=prefecture.lgcode,
        prefecture=prefecture,
    )


def _other(kind: str, name: str, prefecture_code: str | None = None) -> Organisation:
    prefecture = Prefecture.objects.get(code=prefecture_code) if prefecture_code else None
    return Organisation.objects.create(kind=kind, name=name, prefecture=prefecture)


def _user(organisation: Organisation | None = None, *, is_admin: bool = False) -> User:
    email = f"roles{next(_seq)}@example.jp"
    user = User.objects.create_user(username=email, email=email, password="x" * 16)
    if organisation is not None:
        Membership.objects.create(user=user, organisation=organisation, is_admin=is_admin)
    return User.objects.get(pk=user.pk)  # fresh: no cached membership


@pytest.fixture
def orgs() -> dict[str, Organisation]:
    return {
        "ama": _municipality("325252"),  # 島根県海士町
        "matsue": _municipality("322016"),  # 島根県松江市
        "shimane": _prefecture("32"),
        "tottori_city": _municipality("312011"),  # 鳥取県鳥取市
        "tottori": _prefecture("31"),
        "company": _other(Organisation.Kind.COMPANY, "株式会社しまね", "32"),
        "desk": _other(Organisation.Kind.DESK, "しまね移住相談窓口", "32"),
        "ministry": _other(Organisation.Kind.MINISTRY, "総務省"),
    }


# --- role_of --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("org", "role"),
    [
        ("ama", Role.MUNICIPALITY_STAFF),
        ("shimane", Role.PREFECTURE_STAFF),
        ("company", Role.COMPANY_STAFF),
        ("desk", Role.COUNSELOR),
        ("ministry", Role.MINISTRY_ADMIN),
    ],
)
def test_role_follows_the_organisation_kind(
    orgs: dict[str, Organisation], org: str, role: Role
) -> None:
    user = _user(orgs[org])
    assert role_of(user) is role
    assert organisation_of(user) == orgs[org]


def test_every_organisation_kind_has_a_role(orgs: dict[str, Organisation]) -> None:
    kinds = {organisation.kind for organisation in orgs.values()}
    assert kinds == set(Organisation.Kind.values)
    assert {role_of(_user(organisation)) for organisation in orgs.values()} == {
        Role.MUNICIPALITY_STAFF,
        Role.PREFECTURE_STAFF,
        Role.COMPANY_STAFF,
        Role.COUNSELOR,
        Role.MINISTRY_ADMIN,
    }


def test_a_user_without_an_organisation_is_an_applicant() -> None:
    user = _user()
    assert role_of(user) is Role.APPLICANT
    assert organisation_of(user) is None


def test_anonymous_visitors() -> None:
    assert role_of(AnonymousUser()) is Role.ANONYMOUS
    assert role_of(None) is Role.ANONYMOUS
    assert organisation_of(AnonymousUser()) is None
    assert organisation_of(None) is None


def test_host_roles_are_municipality_and_prefecture_staff() -> None:
    assert frozenset({Role.MUNICIPALITY_STAFF, Role.PREFECTURE_STAFF}) == HOST_ROLES


# --- requirements ---------------------------------------------------------------------------


def test_require_host_staff(orgs: dict[str, Organisation]) -> None:
    assert require_host_staff(_user(orgs["ama"])) == orgs["ama"]
    assert require_host_staff(_user(orgs["shimane"])) == orgs["shimane"]
    for user in (
        _user(orgs["company"]),
        _user(orgs["desk"]),
        _user(orgs["ministry"]),
        _user(),
        AnonymousUser(),
    ):
        with pytest.raises(PermissionDeniedError) as caught:
            require_host_staff(user)
        assert caught.value.code == "not_host_staff"
        assert caught.value.message == "募集を扱えるのは市区町村・都道府県の職員です。"
        assert caught.value.status == 403


def test_require_applicant(orgs: dict[str, Organisation]) -> None:
    require_applicant(_user())  # no error
    for user in [_user(organisation) for organisation in orgs.values()] + [AnonymousUser()]:
        with pytest.raises(PermissionDeniedError) as caught:
            require_applicant(user)
        assert caught.value.code == "not_applicant"
        assert caught.value.message == "この操作は応募者のアカウントでのみ行えます。"


def test_is_org_admin(orgs: dict[str, Organisation]) -> None:
    assert is_org_admin(_user(orgs["ama"], is_admin=True)) is True
    assert is_org_admin(_user(orgs["ama"])) is False
    assert is_org_admin(_user()) is False
    assert is_org_admin(AnonymousUser()) is False


# --- visible_host_ids -----------------------------------------------------------------------


def test_municipality_staff_see_only_their_own_organisation(orgs: dict[str, Organisation]) -> None:
    assert visible_host_ids(_user(orgs["ama"])) == [orgs["ama"].pk]
    assert visible_host_ids(_user(orgs["tottori_city"])) == [orgs["tottori_city"].pk]


def test_prefecture_staff_see_themselves_and_their_municipalities(
    orgs: dict[str, Organisation],
) -> None:
    shimane = visible_host_ids(_user(orgs["shimane"]))
    assert shimane is not None
    assert sorted(shimane) == sorted([orgs["shimane"].pk, orgs["ama"].pk, orgs["matsue"].pk])
    # Not another prefecture or its municipalities, nor companies or desks located in Shimane.
    for name in ("tottori", "tottori_city", "company", "desk", "ministry"):
        assert orgs[name].pk not in shimane
    tottori = visible_host_ids(_user(orgs["tottori"]))
    assert tottori is not None
    assert sorted(tottori) == sorted([orgs["tottori"].pk, orgs["tottori_city"].pk])


def test_a_new_municipality_organisation_becomes_visible_to_its_prefecture(
    orgs: dict[str, Organisation],
) -> None:
    staff = _user(orgs["shimane"])
    nishinoshima = _municipality("325261")  # 島根県西ノ島町
    assert nishinoshima.pk in (visible_host_ids(staff) or [])
    assert nishinoshima.pk not in (visible_host_ids(_user(orgs["tottori"])) or [])


def test_ministry_sees_everything(orgs: dict[str, Organisation]) -> None:
    assert visible_host_ids(_user(orgs["ministry"])) is None


@pytest.mark.parametrize("org", ["company", "desk"])
def test_companies_and_desks_see_no_host(orgs: dict[str, Organisation], org: str) -> None:
    assert visible_host_ids(_user(orgs[org])) == []


def test_applicants_and_anonymous_see_no_host(orgs: dict[str, Organisation]) -> None:
    assert visible_host_ids(_user()) == []
    assert visible_host_ids(AnonymousUser()) == []
