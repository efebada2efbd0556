"""Reads for applications, threads, scout candidates and scouts — always scoped to the user."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from hitonagare.accounts.roles import Role, organisation_of, role_of, visible_host_ids
from hitonagare.core.errors import NotFoundError

from . import rules
from .models import ApplicantProfile, Application, Scout

SCOUT_SEARCH_LIMIT = 50


def applications_for_applicant(*, user: Any) -> QuerySet[Application]:
    return (
        Application.objects.filter(applicant=user)
        .select_related("opening", "opening__municipality", "opening__host")
        .annotate(
            unread=Count(
                "messages", filter=Q(messages__from_staff=True, messages__read_at__isnull=True)
            )
        )
        .order_by("-updated_at")
    )


def application_get_for_applicant(*, user: Any, application_id: int) -> Application:
    application = applications_for_applicant(user=user).filter(pk=application_id).first()
    if application is None:
        raise NotFoundError("application_not_found", "応募が見つかりません。")
    return application


def applications_for_staff(
    *, user: Any, opening_id: int | None = None, status: str = ""
) -> QuerySet[Application]:
    """Applications to openings the staff user may read (prefecture: its municipalities')."""
    host_ids = visible_host_ids(user)
    queryset = Application.objects.select_related(
        "opening", "opening__municipality", "opening__host", "applicant"
    ).annotate(
        unread=Count(
            "messages", filter=Q(messages__from_staff=False, messages__read_at__isnull=True)
        )
    )
    if host_ids is not None:
        queryset = queryset.filter(opening__host_id__in=host_ids)
    if opening_id is not None:
        queryset = queryset.filter(opening_id=opening_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at")


def application_get_for_staff(*, user: Any, application_id: int) -> Application:
    application = applications_for_staff(user=user).filter(pk=application_id).first()
    if application is None:
        raise NotFoundError("application_not_found", "応募が見つかりません。")
    return application


def staff_can_act_on(*, user: Any, application: Application) -> bool:
    """Only the host organisation's staff move states; prefecture staff of others only read."""
    organisation = organisation_of(user)
    return (
        organisation is not None
        and role_of(user) in (Role.MUNICIPALITY_STAFF, Role.PREFECTURE_STAFF)
        and application.opening.host_id == organisation.pk
    )


def application_timeline(*, application: Application) -> dict[str, Any]:
    return {
        "events": list(application.events.select_related("actor").all()),
        "messages": list(application.messages.all()),
        "status_label": rules.APPLICATION_STATUS_LABELS[
            rules.ApplicationStatus(application.status)
        ],
    }


def scout_candidates_search(
    *,
    user: Any,
    themes: tuple[rules.Theme, ...] = (),
    skills: str = "",
    prefecture_code: str = "",
    desired_prefecture: str = "",
) -> list[ApplicantProfile]:
    """Opted-in applicants for host staff: by interests, skills text, current or desired region.

    Only what a scout needs is shown by the views (no contact details until the person replies).
    """
    if role_of(user) not in (Role.MUNICIPALITY_STAFF, Role.PREFECTURE_STAFF):
        return []
    queryset = ApplicantProfile.objects.filter(
        scout_opt_in=True, user__membership__isnull=True, user__is_active=True
    ).select_related("municipality")
    if themes:
        mask = rules.themes_to_mask(list(themes))
        from django.db.models import F
        from django.db.models.lookups import GreaterThan

        queryset = queryset.filter(GreaterThan(F("interests_mask").bitand(mask), 0))
    if skills.strip():
        for word in skills.split()[:5]:
            queryset = queryset.filter(Q(skills__icontains=word) | Q(free_text__icontains=word))
    if prefecture_code:
        queryset = queryset.filter(municipality__lgcode__startswith=prefecture_code)
    if desired_prefecture:
        # JSON lists differ by database; the list is short, so filter after a coarse text match.
        queryset = queryset.filter(desired_prefectures__icontains=desired_prefecture)
    return list(queryset.order_by("-updated_at")[:SCOUT_SEARCH_LIMIT])


def scouts_for_applicant(*, user: Any) -> QuerySet[Scout]:
    return Scout.objects.filter(applicant=user).select_related(
        "organisation", "opening", "opening__municipality"
    )


def scouts_for_staff(*, user: Any) -> QuerySet[Scout]:
    organisation = organisation_of(user)
    if organisation is None or role_of(user) not in (
        Role.MUNICIPALITY_STAFF,
        Role.PREFECTURE_STAFF,
    ):
        return Scout.objects.none()
    return Scout.objects.filter(organisation=organisation).select_related(
        "opening", "applicant", "applicant__applicant_profile"
    )


def scout_get(*, user: Any, scout_id: int) -> Scout:
    scout = (
        scouts_for_applicant(user=user).filter(pk=scout_id).first()
        if role_of(user) is Role.APPLICANT
        else scouts_for_staff(user=user).filter(pk=scout_id).first()
    )
    if scout is None:
        raise NotFoundError("scout_not_found", "スカウトが見つかりません。")
    return scout
