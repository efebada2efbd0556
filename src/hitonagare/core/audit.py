"""The audit trail: services call audit_record inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    organisation: Any = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    return AuditEvent.objects.create(
        actor_id=actor_id,
        organisation=organisation,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        data=data or {},
    )
