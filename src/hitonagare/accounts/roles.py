"""Who a user is, for scoping: one role per user, derived from their organisation.

Every selector that lists organisation data filters through these helpers, so the rule
"each role sees only its own organisation's data" is written once.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from hitonagare.core.errors import PermissionDeniedError

from .models import Organisation


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    APPLICANT = "applicant"
    MUNICIPALITY_STAFF = "municipality_staff"
    PREFECTURE_STAFF = "prefecture_staff"
    COMPANY_STAFF = "company_staff"
    COUNSELOR = "counselor"
    MINISTRY_ADMIN = "ministry_admin"


ROLE_LABELS = {
    Role.ANONYMOUS: _("未ログイン"),
    Role.APPLICANT: _("応募者"),
    Role.MUNICIPALITY_STAFF: _("市区町村職員"),
    Role.PREFECTURE_STAFF: _("都道府県職員"),
    Role.COMPANY_STAFF: _("企業担当者"),
    Role.COUNSELOR: _("相談員"),
    Role.MINISTRY_ADMIN: _("総務省管理者"),
}

_ROLE_BY_KIND = {
    Organisation.Kind.MUNICIPALITY: Role.MUNICIPALITY_STAFF,
    Organisation.Kind.PREFECTURE: Role.PREFECTURE_STAFF,
    Organisation.Kind.COMPANY: Role.COMPANY_STAFF,
    Organisation.Kind.DESK: Role.COUNSELOR,
    Organisation.Kind.MINISTRY: Role.MINISTRY_ADMIN,
}

HOST_ROLES = frozenset({Role.MUNICIPALITY_STAFF, Role.PREFECTURE_STAFF})


def organisation_of(user: Any) -> Organisation | None:
    if user is None or not user.is_authenticated:
        return None
    membership = getattr(user, "membership", None)
    return membership.organisation if membership is not None else None


def role_of(user: Any) -> Role:
    if user is None or not user.is_authenticated:
        return Role.ANONYMOUS
    organisation = organisation_of(user)
    if organisation is None:
        return Role.APPLICANT
    return _ROLE_BY_KIND[Organisation.Kind(organisation.kind)]


def is_org_admin(user: Any) -> bool:
    membership = getattr(user, "membership", None) if user and user.is_authenticated else None
    return bool(membership and membership.is_admin)


def require_host_staff(user: Any) -> Organisation:
    """The organisation of a municipality/prefecture staff member, or PermissionDeniedError."""
    if role_of(user) not in HOST_ROLES:
        raise PermissionDeniedError(
            "not_host_staff", str(_("募集を扱えるのは市区町村・都道府県の職員です。"))
        )
    organisation = organisation_of(user)
    assert organisation is not None
    return organisation


def require_applicant(user: Any) -> None:
    if role_of(user) is not Role.APPLICANT:
        raise PermissionDeniedError(
            "not_applicant", str(_("この操作は応募者のアカウントでのみ行えます。"))
        )


def visible_host_ids(user: Any) -> list[int] | None:
    """Organisation ids whose openings and applicants a staff user may read.

    None means every organisation (the ministry); an empty list means none.
    Prefecture staff read their prefecture's own openings and those of its municipalities.
    """
    role = role_of(user)
    organisation = organisation_of(user)
    if role is Role.MINISTRY_ADMIN:
        return None
    if organisation is None or role not in HOST_ROLES:
        return []
    if role is Role.PREFECTURE_STAFF:
        if organisation.prefecture_id is None:
            return [organisation.pk]
        return list(
            Organisation.objects.filter(
                prefecture_id=organisation.prefecture_id,
                kind__in=[Organisation.Kind.MUNICIPALITY, Organisation.Kind.PREFECTURE],
            ).values_list("id", flat=True)
        )
    return [organisation.pk]
