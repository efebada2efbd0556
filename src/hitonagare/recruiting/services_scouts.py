"""Writes for scouting: host staff write to opted-in applicants about an opening, within limits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hitonagare.accounts.models import Organisation
from hitonagare.accounts.roles import Role, require_host_staff, role_of
from hitonagare.core.audit import audit_record
from hitonagare.core.errors import ConflictError, InvalidInputError, NotFoundError
from hitonagare.core.notify import notify, site_url

from .models import ApplicantProfile, Message, Opening, Scout

MAX_SCOUT_MESSAGE = 2000


def scout_limits() -> tuple[int, int]:
    """(per organisation per 30 days, per applicant per organisation per 30 days) — settings."""
    return (
        int(getattr(settings, "HITONAGARE_SCOUTS_PER_ORGANISATION_30D", 100)),
        int(getattr(settings, "HITONAGARE_SCOUTS_PER_APPLICANT_30D", 2)),
    )


@transaction.atomic
def scout_send(*, user: Any, opening_id: int, applicant_id: int, body: str) -> Scout:
    host = require_host_staff(user)
    # Lock the organisation row: concurrent sends are counted one after the other.
    Organisation.objects.select_for_update().filter(pk=host.pk).first()
    body = (body or "").strip()
    if not body:
        raise InvalidInputError({"body": "スカウトのメッセージを入力してください。"})
    if len(body) > MAX_SCOUT_MESSAGE:
        raise InvalidInputError(
            {"body": f"メッセージは{MAX_SCOUT_MESSAGE}文字以内で入力してください。"}
        )
    opening = Opening.objects.filter(pk=opening_id, host=host).first()
    if opening is None:
        raise NotFoundError("opening_not_found", "募集が見つかりません。")
    if opening.status != Opening.Status.PUBLISHED:
        raise ConflictError("opening_not_open", "公開中の募集についてだけスカウトを送れます。")
    profile = (
        ApplicantProfile.objects.select_related("user")
        .filter(user_id=applicant_id, scout_opt_in=True, user__is_active=True)
        .first()
    )
    if profile is None or role_of(profile.user) is not Role.APPLICANT:
        # Opted-out, deactivated and unknown look the same: nobody learns who exists.
        raise NotFoundError(
            "candidate_not_found", "スカウトを受け付けている応募者が見つかりません。"
        )
    since = timezone.now() - dt.timedelta(days=30)
    per_org, per_applicant = scout_limits()
    sent = Scout.objects.filter(organisation=host, created_at__gte=since)
    if sent.count() >= per_org:
        raise ConflictError(
            "scout_limit",
            f"スカウトは1団体30日あたり{per_org}件までです。しばらくしてから送ってください。",
        )
    if sent.filter(applicant_id=applicant_id).count() >= per_applicant:
        raise ConflictError(
            "scout_limit_applicant",
            f"同じ方へのスカウトは30日あたり{per_applicant}件までです。",
        )
    if Scout.objects.filter(
        applicant_id=applicant_id,
        status=Scout.Status.DECLINED,
        organisation=host,
        created_at__gte=since,
    ).exists():
        raise ConflictError(
            "scout_declined", "この方は最近あなたの団体のスカウトを辞退しています。"
        )
    try:
        with transaction.atomic():
            scout = Scout.objects.create(
                organisation=host, opening=opening, applicant_id=applicant_id, sent_by=user
            )
    except IntegrityError:
        raise ConflictError(
            "scout_duplicate", "この募集についてこの方にはすでにスカウトを送っています。"
        ) from None
    Message.objects.create(scout=scout, sender=user, from_staff=True, body=body)
    audit_record(
        actor=user,
        action="scout.send",
        target=scout,
        organisation=host,
        data={"opening": opening.pk, "applicant": applicant_id},
    )
    notify(
        recipients=[profile.user.email],
        subject=f"{host.name}からスカウトが届きました",
        body=f"「{opening.title}」についてメッセージが届いています。\n{site_url(f'/me/scouts/{scout.pk}/')}\n",
    )
    return scout


def _scout_for(*, user: Any, scout_id: int) -> tuple[Scout, bool]:
    """(scout, acting as staff?) for the applicant it was sent to or its organisation's staff."""
    scout = (
        Scout.objects.select_for_update()
        .select_related("organisation", "opening", "applicant")
        .filter(pk=scout_id)
        .first()
    )
    if scout is not None:
        if scout.applicant_id == user.pk and role_of(user) is Role.APPLICANT:
            return scout, False
        membership = getattr(user, "membership", None)
        if membership is not None and membership.organisation_id == scout.organisation_id:
            return scout, True
    raise NotFoundError("scout_not_found", "スカウトが見つかりません。")


@transaction.atomic
def scout_reply(*, user: Any, scout_id: int, body: str) -> Message:
    scout, as_staff = _scout_for(user=user, scout_id=scout_id)
    body = (body or "").strip()
    if not body:
        raise InvalidInputError({"body": "メッセージを入力してください。"})
    if len(body) > MAX_SCOUT_MESSAGE:
        raise InvalidInputError(
            {"body": f"メッセージは{MAX_SCOUT_MESSAGE}文字以内で入力してください。"}
        )
    if scout.status == Scout.Status.DECLINED:
        raise ConflictError("scout_declined", "辞退されたスカウトには返信できません。")
    if as_staff and scout.status != Scout.Status.REPLIED:
        raise ConflictError(
            "scout_wait", "応募者からの返信があるまで、追加のメッセージは送れません。"
        )
    message = Message.objects.create(scout=scout, sender=user, from_staff=as_staff, body=body)
    if not as_staff and scout.status == Scout.Status.SENT:
        scout.status = Scout.Status.REPLIED
        scout.save(update_fields=["status"])
    audit_record(actor=user, action="scout.message", target=scout, organisation=scout.organisation)
    if as_staff:
        notify(
            recipients=[scout.applicant.email],
            subject=f"{scout.organisation.name}からメッセージ",
            body=f"{site_url(f'/me/scouts/{scout.pk}/')}\n",
        )
    else:
        notify(
            recipients=[scout.sent_by.email],
            subject="スカウトに返信がありました",
            body=f"{site_url(f'/staff/scouts/{scout.pk}/')}\n",
        )
    return message


@transaction.atomic
def scout_decline(*, user: Any, scout_id: int) -> Scout:
    scout, as_staff = _scout_for(user=user, scout_id=scout_id)
    if as_staff:
        raise NotFoundError("scout_not_found", "スカウトが見つかりません。")
    if scout.status == Scout.Status.DECLINED:
        return scout
    scout.status = Scout.Status.DECLINED
    scout.save(update_fields=["status"])
    audit_record(actor=user, action="scout.decline", target=scout, organisation=scout.organisation)
    return scout
