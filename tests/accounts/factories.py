"""Small helpers for accounts tests: organisations and users made through the services."""

from __future__ import annotations

import itertools
import re

from django.core import mail

from hitonagare.accounts import services
from hitonagare.accounts.models import Organisation, User

PASSWORD = "kagi-no-2026-hitonagare"
_seq = itertools.count(1)


def municipality(lgcode: str = "325252") -> Organisation:  # 島根県海士町
    return services.organisation_for_municipality(lgcode=lgcode)


def staff(organisation: Organisation, *, is_admin: bool = False, email: str = "") -> User:
    return services.staff_user_create(
        email=email or f"staff{next(_seq)}@example.jp",
        password=PASSWORD,
        organisation=organisation,
        is_admin=is_admin,
    )


def ministry_admin(email: str = "") -> User:
    return staff(services.organisation_for_ministry(), is_admin=True, email=email)


def applicant(email: str = "") -> User:
    """A verified applicant (signed up and confirmed)."""
    email = email or f"applicant{next(_seq)}@example.jp"
    user = User.objects.create_user(username=email, email=email, password=PASSWORD)
    user.email_verified_at = user.date_joined
    user.save()
    return user


def last_link(pattern: str) -> str:
    """The first path matching `pattern` in the newest mail of the outbox."""
    body = mail.outbox[-1].body
    found = re.search(pattern, body)
    assert found, body
    return found.group(0)
