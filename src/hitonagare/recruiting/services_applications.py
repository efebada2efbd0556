"""Writes for applications: submit with a profile snapshot and the 地域要件 decision,
move through the states by the right role, and talk in a thread per application."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from hitonagare.accounts.models import Membership
from hitonagare.accounts.roles import HOST_ROLES, Role, organisation_of, require_applicant, role_of
from hitonagare.core.audit import audit_record
from hitonagare.core.errors import ConflictError, DomainError, InvalidInputError, NotFoundError
from hitonagare.core.notify import notify, site_url

from . import rules
from .models import ApplicantProfile, Application, ApplicationEvent, Message, Opening
from .services_profiles import profile_as_dict

MAX_MOTIVATION = 4000
MAX_MESSAGE = 4000


def profile_snapshot(profile: ApplicantProfile) -> dict[str, Any]:
    """The profile as it was when applying: later edits do not change what staff received."""
    data = profile_as_dict(profile)
    data["has_cv"] = bool(profile.cv_file)
    data["email"] = profile.user.email
    return data


def eligibility_for(profile: ApplicantProfile, opening: Opening) -> dict[str, Any] | None:
    """The 地域要件 decision from the applicant's current address to the activity area."""
    if rules.OpeningProgram(opening.program) not in rules.PROGRAMS_WITH_AREA_REQUIREMENT:
        return None
    from hitonagare.eligibility.selectors import eligibility_check

    result = eligibility_check(
        program=opening.program,
        origin=profile.postal_code or profile.municipality.lgcode,
        destination=opening.municipality.lgcode,
        destination_area=opening.area_name or None,
        as_of=timezone.localdate(),
    )
    data = result.to_dict()
    data["as_of"] = timezone.localdate().isoformat()
    return data


def _staff_addresses(opening: Opening) -> list[str | None]:
    return list(
        Membership.objects.filter(organisation_id=opening.host_id).values_list(
            "user__email", flat=True
        )
    )


@transaction.atomic
def application_submit(*, user: Any, opening_id: int, motivation: str) -> Application:
    require_applicant(user)
    motivation = (motivation or "").strip()
    errors = {}
    if not motivation:
        errors["motivation"] = "志望動機を入力してください。"
    elif len(motivation) > MAX_MOTIVATION:
        errors["motivation"] = f"志望動機は{MAX_MOTIVATION}文字以内で入力してください。"
    profile = ApplicantProfile.objects.filter(user=user).select_related("municipality").first()
    if profile is None:
        raise DomainError("profile_required", "応募の前にプロフィールを登録してください。")
    opening = (
        Opening.objects.select_related("municipality", "host")
        .filter(pk=opening_id)
        .exclude(status=Opening.Status.DRAFT)
        .first()
    )
    if opening is None:
        raise NotFoundError("opening_not_found", "募集が見つかりません。")
    if opening.status != Opening.Status.PUBLISHED or (
        opening.deadline is not None and opening.deadline < timezone.localdate()
    ):
        raise ConflictError("opening_not_open", "この募集は締め切られています。")
    if errors:
        raise InvalidInputError(errors)
    if Application.objects.filter(opening=opening, applicant=user).exists():
        raise ConflictError("already_applied", "この募集にはすでに応募しています。")
    try:
        with transaction.atomic():
            application = Application.objects.create(
                opening=opening,
                applicant=user,
                motivation=motivation,
                profile_snapshot=profile_snapshot(profile),
                eligibility=eligibility_for(profile, opening),
            )
    except IntegrityError:
        # Two submissions at once: the unique constraint lets only one through.
        raise ConflictError("already_applied", "この募集にはすでに応募しています。") from None
    ApplicationEvent.objects.create(
        application=application, from_status="", to_status=application.status, actor=user
    )
    audit_record(
        actor=user,
        action="application.submit",
        target=application,
        organisation=opening.host,
        data={"opening": opening.pk},
    )
    notify(
        recipients=_staff_addresses(opening),
        subject=f"新しい応募: {opening.title}",
        body=(
            f"「{opening.title}」に新しい応募がありました。\n"
            f"{site_url(f'/staff/applications/{application.pk}/')}\n"
        ),
    )
    return application


def _application_for_actor(*, user: Any, application_id: int) -> tuple[Application, rules.Actor]:
    """The application locked for update, and whether the user acts as applicant or staff."""
    application = (
        Application.objects.select_for_update()
        .select_related("opening", "opening__host", "applicant")
        .filter(pk=application_id)
        .first()
    )
    if application is not None:
        if application.applicant_id == user.pk and role_of(user) is Role.APPLICANT:
            return application, rules.Actor.APPLICANT
        organisation = organisation_of(user)
        if (
            role_of(user) in HOST_ROLES
            and organisation is not None
            and application.opening.host_id == organisation.pk
        ):
            return application, rules.Actor.STAFF
    raise NotFoundError("application_not_found", "応募が見つかりません。")


@transaction.atomic
def application_transition(
    *, user: Any, application_id: int, to_status: str, note: str = ""
) -> Application:
    application, actor = _application_for_actor(user=user, application_id=application_id)
    try:
        target = rules.ApplicationStatus(to_status)
    except ValueError:
        raise DomainError(
            "unknown_status", "変更先の状態が正しくありません。", field="to_status"
        ) from None
    if len(note) > 500:
        raise InvalidInputError({"note": "メモは500文字以内で入力してください。"})
    current = rules.ApplicationStatus(application.status)
    problem = rules.transition_problem(current, target, actor)
    if problem:
        raise ConflictError("bad_transition", problem)
    application.status = target.value
    application.save(update_fields=["status", "updated_at"])
    ApplicationEvent.objects.create(
        application=application,
        from_status=current.value,
        to_status=target.value,
        actor=user,
        note=note.strip(),
    )
    audit_record(
        actor=user,
        action="application.transition",
        target=application,
        organisation=application.opening.host,
        data={"from": current.value, "to": target.value},
    )
    label = rules.APPLICATION_STATUS_LABELS[target]
    if actor is rules.Actor.STAFF:
        notify(
            recipients=[application.applicant.email],
            subject=f"応募の状況が「{label}」になりました",
            body=(
                f"「{application.opening.title}」への応募の状況が「{label}」になりました。\n"
                f"{site_url(f'/me/applications/{application.pk}/')}\n"
            ),
        )
    else:
        notify(
            recipients=_staff_addresses(application.opening),
            subject=f"応募者が「{label}」にしました: {application.opening.title}",
            body=f"{site_url(f'/staff/applications/{application.pk}/')}\n",
        )
    return application


@transaction.atomic
def application_message_post(*, user: Any, application_id: int, body: str) -> Message:
    application, actor = _application_for_actor(user=user, application_id=application_id)
    body = (body or "").strip()
    if not body:
        raise InvalidInputError({"body": "メッセージを入力してください。"})
    if len(body) > MAX_MESSAGE:
        raise InvalidInputError({"body": f"メッセージは{MAX_MESSAGE}文字以内で入力してください。"})
    message = Message.objects.create(
        application=application, sender=user, from_staff=actor is rules.Actor.STAFF, body=body
    )
    audit_record(
        actor=user,
        action="message.post",
        target=message,
        organisation=application.opening.host,
        data={"application": application.pk},
    )
    if actor is rules.Actor.STAFF:
        notify(
            recipients=[application.applicant.email],
            subject=f"メッセージが届きました: {application.opening.title}",
            body=f"{site_url(f'/me/applications/{application.pk}/')}\n",
        )
    else:
        notify(
            recipients=_staff_addresses(application.opening),
            subject=f"応募者からメッセージ: {application.opening.title}",
            body=f"{site_url(f'/staff/applications/{application.pk}/')}\n",
        )
    return message


@transaction.atomic
def application_messages_mark_read(*, user: Any, application_id: int) -> int:
    """Mark the other party's messages as read when the thread is opened."""
    application, actor = _application_for_actor(user=user, application_id=application_id)
    return (
        Message.objects.filter(application=application, read_at__isnull=True)
        .exclude(from_staff=actor is rules.Actor.STAFF)
        .update(read_at=timezone.now())
    )
