"""Model permissions for ministry admins, so the Django admin works for them without
per-user permission rows (they are ordinary users with a ministry membership, ADR 0009).

Listed after ModelBackend in AUTHENTICATION_BACKENDS; it never authenticates anyone. A ministry
admin may view every registered model (each ModelAdmin narrows further: reference data and
users are read-only) and add organisations and invitations, which the admin turns into
service calls (accounts/admin.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from .roles import Role, role_of

MINISTRY_WRITE_PERMISSIONS = frozenset({"accounts.add_organisation", "accounts.add_invitation"})


def _is_ministry_admin(user_obj: Any) -> bool:
    return bool(
        user_obj is not None and user_obj.is_active and role_of(user_obj) is Role.MINISTRY_ADMIN
    )


class MinistryAdminPermissionBackend(BaseBackend):
    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not _is_ministry_admin(user_obj):
            return False
        codename = perm.partition(".")[2]
        return codename.startswith("view_") or perm in MINISTRY_WRITE_PERMISSIONS

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return _is_ministry_admin(user_obj)
