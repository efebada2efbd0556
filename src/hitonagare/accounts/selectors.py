"""Reads for the accounts pages: a staff member's own organisation, members, invitations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hitonagare.core.errors import PermissionDeniedError

from .models import Invitation, Membership, Organisation
from .roles import organisation_of


def own_organisation(*, user: Any) -> Organisation:
    """The user's organisation, or PermissionDeniedError for applicants."""
    organisation = organisation_of(user)
    if organisation is None:
        raise PermissionDeniedError(
            "not_staff",
            _("組織のページは、自治体・企業・窓口などの職員のアカウントでのみ開けます。"),
        )
    return organisation


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-is_admin", "user__email")
    )


def pending_invitations(*, organisation: Organisation) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            organisation=organisation, accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )
