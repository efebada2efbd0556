"""`current_role` for every template: the user's role, its label and organisation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .roles import ROLE_LABELS, Role, is_org_admin, organisation_of, role_of


def current_role(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = role_of(user)

    def is_member() -> bool:
        """An applicant whose account is linked to an appointment (the 活動報告 link): one
        EXISTS query, run only when a template asks and only for applicants."""
        if role is not Role.APPLICANT:
            return False
        from hitonagare.members.models import Appointment

        return Appointment.objects.filter(member=user).exists()

    return {
        "current_role": role.value,
        "current_role_label": ROLE_LABELS[role],
        "current_organisation": organisation_of(user),
        "current_is_org_admin": is_org_admin(user),
        "current_is_applicant": role is Role.APPLICANT,
        "current_is_member": is_member,  # a callable: templates call it on first use
        "current_is_host_staff": role in (Role.MUNICIPALITY_STAFF, Role.PREFECTURE_STAFF),
        "current_is_ministry": role is Role.MINISTRY_ADMIN
        or bool(getattr(user, "is_superuser", False)),
    }
