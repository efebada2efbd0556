"""E-mail notifications, sent only after the transaction that caused them commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction


def notify(*, recipients: Iterable[str | None], subject: str, body: str) -> None:
    addresses = sorted({address for address in recipients if address})
    if not addresses:
        return

    def send() -> None:
        # One mail per recipient, so nobody sees the other addresses.
        for address in addresses:
            send_mail(
                subject=f"[hitonagare] {subject}",
                message=body,
                from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
                recipient_list=[address],
                fail_silently=False,
            )

    transaction.on_commit(send)


def site_url(path: str) -> str:
    """An absolute link for mails when HITONAGARE_SITE_URL is set, else the path."""
    return f"{getattr(settings, 'HITONAGARE_SITE_URL', '').rstrip('/')}{path}"
