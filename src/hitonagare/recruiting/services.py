"""Writes for recruiting: openings, profiles, applications, messages, scouts.

Every function checks who is acting (accounts.roles), validates, writes inside one
transaction, records an audit event and keeps the search index in step.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from hitonagare.accounts.models import Organisation
from hitonagare.accounts.roles import require_host_staff
from hitonagare.core.audit import audit_record
from hitonagare.core.errors import ConflictError, InvalidInputError, NotFoundError
from hitonagare.regions.models import Municipality

from . import rules
from .models import Opening
from .search import fill_denormalised, index_opening

MAX_MONTHLY_PAY_YEN = 2_000_000


@dataclass(frozen=True)
class OpeningData:
    """Everything staff enter for an opening, as plain values (forms and the API build it)."""

    program: str
    title: str
    summary: str
    description: str
    themes: tuple[rules.Theme, ...]
    positions: int
    municipality_lgcode: str
    employment_form: str
    vehicle: str
    term_value: int
    term_unit: str
    selection_steps: str
    contact: str
    area_name: str = ""
    monthly_pay_yen: int | None = None
    housing_support: bool = False
    housing_note: str = ""
    side_work_allowed: bool = False
    start_date: dt.date | None = None
    deadline: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_LENGTHS = {
    "title": (80, "タイトル"),
    "summary": (200, "概要"),
    "description": (6000, "活動内容"),
    "selection_steps": (2000, "選考の流れ"),
    "contact": (300, "問い合わせ先"),
    "area_name": (40, "大字・地区"),
    "housing_note": (200, "住居について"),
}


def has_control_characters(value: str) -> bool:
    """NUL and other control characters (tabs and line breaks are fine): PostgreSQL cannot
    store NUL, and nobody types them on purpose."""
    return any(unicodedata.category(char) == "Cc" and char not in "\n\r\t" for char in value)


_REQUIRED = ("title", "summary", "description", "selection_steps", "contact")


def opening_problems(
    data: OpeningData,
    *,
    host: Organisation,
    today: dt.date | None = None,
    current: Opening | None = None,
) -> tuple[dict[str, str], Municipality | None]:
    """Field → Japanese message for everything wrong with `data`; and the resolved municipality.

    `current` is the opening being edited: its deadline, if unchanged, may already be past
    (an unchanged past deadline is not a new mistake)."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    for name in _REQUIRED:
        if not str(getattr(data, name)).strip():
            errors[name] = f"{_LENGTHS[name][1]}を入力してください。"
    for name, (limit, label) in _LENGTHS.items():
        value = getattr(data, name) or ""
        if len(value) > limit:
            errors[name] = f"{label}は{limit}文字以内で入力してください（{len(value)}文字）。"
        elif has_control_characters(value):
            errors[name] = f"{label}に使えない制御文字が含まれています。"
    try:
        program = rules.OpeningProgram(data.program)
    except ValueError:
        program = None
        errors["program"] = "制度を選んでください。"
    if not data.themes:
        errors["themes"] = "テーマを1つ以上選んでください。"
    if not 1 <= data.positions <= 100:
        errors["positions"] = "募集人数は1〜100人で入力してください。"
    if data.employment_form not in Opening.EmploymentForm.values:
        errors["employment_form"] = "雇用形態を選んでください。"
    if data.vehicle not in Opening.Vehicle.values:
        errors["vehicle"] = "車両について選んでください。"
    if data.monthly_pay_yen is not None and not 0 <= data.monthly_pay_yen <= MAX_MONTHLY_PAY_YEN:
        errors["monthly_pay_yen"] = (
            f"月額報酬は0〜{MAX_MONTHLY_PAY_YEN:,}円の整数で入力してください。"
        )
    if data.term_unit not in {unit.value for unit in rules.TermUnit}:
        errors["term_unit"] = "期間の単位を選んでください。"
    elif program is not None:
        problem = rules.term_problem(
            program, rules.Term(data.term_value, rules.TermUnit(data.term_unit))
        )
        if problem:
            errors["term_value"] = problem
    unchanged_deadline = current is not None and current.deadline == data.deadline
    if data.deadline is not None and data.deadline < today and not unchanged_deadline:
        errors["deadline"] = "応募締切日は今日以降の日付にしてください。"
    if (
        data.start_date is not None
        and data.deadline is not None
        and data.start_date <= data.deadline
    ):
        errors["start_date"] = "着任予定日は応募締切日より後の日付にしてください。"
    municipality = municipality_in_host_area(data.municipality_lgcode, host=host, errors=errors)
    return errors, municipality


def municipality_in_host_area(
    lgcode: str, *, host: Organisation, errors: dict[str, str]
) -> Municipality | None:
    municipality = (
        Municipality.objects.select_related("prefecture").filter(lgcode=lgcode.strip()).first()
        if lgcode
        else None
    )
    if municipality is None:
        errors["municipality_lgcode"] = (
            "活動地域の市区町村を団体コードまたは候補から選んでください。"
        )
        return None
    # A municipality recruits for itself; a prefecture for any municipality inside it.
    allowed = (
        (host.municipality_id is not None and municipality.pk in (host.municipality_id,))
        or (host.municipality_id is not None and municipality.parent_id == host.municipality_id)
        or (
            host.kind == Organisation.Kind.PREFECTURE
            and municipality.prefecture_id == host.prefecture_id
        )
    )
    if not allowed:
        errors["municipality_lgcode"] = (
            f"{municipality.full_name}は{host.name}の区域ではありません。"
            "活動地域は自団体の区域内から選んでください。"
        )
        return None
    return municipality


def _apply(opening: Opening, data: OpeningData, municipality: Municipality) -> None:
    opening.program = data.program
    opening.title = data.title.strip()
    opening.summary = data.summary.strip()
    opening.description = data.description.strip()
    opening.themes_mask = rules.themes_to_mask(list(data.themes))
    opening.positions = data.positions
    opening.municipality = municipality
    opening.area_name = data.area_name.strip()
    opening.employment_form = data.employment_form
    opening.monthly_pay_yen = data.monthly_pay_yen
    opening.housing_support = data.housing_support
    opening.housing_note = data.housing_note.strip()
    opening.vehicle = data.vehicle
    opening.side_work_allowed = data.side_work_allowed
    opening.term_value = data.term_value
    opening.term_unit = data.term_unit
    opening.start_date = data.start_date
    opening.deadline = data.deadline
    opening.selection_steps = data.selection_steps.strip()
    opening.contact = data.contact.strip()
    fill_denormalised(opening)


def _data_for_audit(data: OpeningData) -> dict[str, Any]:
    values = asdict(data)
    values["themes"] = [int(theme) for theme in data.themes]
    for key in ("start_date", "deadline"):
        values[key] = values[key].isoformat() if values[key] else None
    values.pop("description")
    return values


@transaction.atomic
def opening_create(*, user: Any, data: OpeningData) -> Opening:
    host = require_host_staff(user)
    errors, municipality = opening_problems(data, host=host)
    if errors:
        raise InvalidInputError(errors)
    assert municipality is not None
    opening = Opening(host=host, created_by=user, status=Opening.Status.DRAFT)
    _apply(opening, data, municipality)
    opening.save()
    audit_record(
        actor=user,
        action="opening.create",
        target=opening,
        organisation=host,
        data=_data_for_audit(data),
    )
    return opening


def _own_opening_for_update(*, user: Any, opening_id: int) -> Opening:
    host = require_host_staff(user)
    opening = (
        Opening.objects.select_for_update()
        .select_related("municipality", "host")
        .filter(pk=opening_id)
        .first()
    )
    if opening is None or opening.host_id != host.pk:
        # Someone else's opening is "not found", so ids of other organisations leak nothing.
        raise NotFoundError("opening_not_found", "募集が見つかりません。")
    return opening


@transaction.atomic
def opening_update(*, user: Any, opening_id: int, data: OpeningData) -> Opening:
    opening = _own_opening_for_update(user=user, opening_id=opening_id)
    if opening.status == Opening.Status.ENDED:
        raise ConflictError("opening_ended", "終了した募集は編集できません。")
    errors, municipality = opening_problems(data, host=opening.host, current=opening)
    if errors:
        raise InvalidInputError(errors)
    assert municipality is not None
    _apply(opening, data, municipality)
    opening.save()
    index_opening(opening)
    audit_record(
        actor=user,
        action="opening.update",
        target=opening,
        organisation=opening.host,
        data=_data_for_audit(data),
    )
    return opening


_ALLOWED_STATUS_MOVES = {
    (Opening.Status.DRAFT, Opening.Status.PUBLISHED),
    (Opening.Status.PUBLISHED, Opening.Status.CLOSED),
    (Opening.Status.CLOSED, Opening.Status.PUBLISHED),
    (Opening.Status.PUBLISHED, Opening.Status.ENDED),
    (Opening.Status.CLOSED, Opening.Status.ENDED),
    (Opening.Status.DRAFT, Opening.Status.ENDED),
}


def opening_status_targets(status: str) -> list[Opening.Status]:
    """The states an opening in `status` may be moved to (in the order of Opening.Status)."""
    current = Opening.Status(status)
    return [target for target in Opening.Status if (current, target) in _ALLOWED_STATUS_MOVES]


def _set_status(opening: Opening, target: str, *, user: Any, reason: str = "") -> Opening:
    current = Opening.Status(opening.status)
    target_status = Opening.Status(target)
    if (current, target_status) not in _ALLOWED_STATUS_MOVES:
        raise ConflictError(
            "opening_status",
            f"「{current.label}」の募集を「{target_status.label}」にはできません。",
        )
    now = timezone.now()
    if target_status == Opening.Status.PUBLISHED:
        if opening.deadline is not None and opening.deadline < timezone.localdate():
            raise ConflictError(
                "opening_deadline_passed",
                "応募締切日が過ぎています。締切日を変更してから公開してください。",
            )
        opening.published_at = opening.published_at or now
        opening.closed_at = None
    elif target_status in (Opening.Status.CLOSED, Opening.Status.ENDED):
        opening.closed_at = opening.closed_at or now
    opening.status = target_status
    opening.save(update_fields=["status", "published_at", "closed_at", "updated_at"])
    index_opening(opening)
    audit_record(
        actor=user,
        action=f"opening.{target_status.value}",
        target=opening,
        organisation=opening.host,
        data={"from": current.value, "reason": reason},
    )
    return opening


@transaction.atomic
def opening_publish(*, user: Any, opening_id: int) -> Opening:
    return _set_status(
        _own_opening_for_update(user=user, opening_id=opening_id),
        Opening.Status.PUBLISHED,
        user=user,
    )


@transaction.atomic
def opening_close(*, user: Any, opening_id: int) -> Opening:
    return _set_status(
        _own_opening_for_update(user=user, opening_id=opening_id), Opening.Status.CLOSED, user=user
    )


@transaction.atomic
def opening_end(*, user: Any, opening_id: int) -> Opening:
    return _set_status(
        _own_opening_for_update(user=user, opening_id=opening_id), Opening.Status.ENDED, user=user
    )


def openings_due_for_closing(*, today: dt.date | None = None) -> QuerySet[Opening]:
    """Published openings whose deadline is before `today` (default: today in TIME_ZONE):
    what openings_close_past_deadline closes, and what its dry run lists."""
    today = today or timezone.localdate()
    return (
        Opening.objects.filter(status=Opening.Status.PUBLISHED, deadline__lt=today)
        .select_related("host", "municipality")
        .order_by("deadline", "id")
    )


def openings_close_past_deadline(*, today: dt.date | None = None) -> int:
    """Close every published opening whose deadline has passed (cron: `recruiting close-deadlines`).
    Idempotent: a second run finds nothing to close."""
    closed = 0
    ids = list(openings_due_for_closing(today=today).values_list("id", flat=True))
    for opening_id in ids:
        with transaction.atomic():
            opening = Opening.objects.select_for_update().filter(pk=opening_id).first()
            if opening is None or opening.status != Opening.Status.PUBLISHED:
                continue  # changed by someone else meanwhile
            _set_status(opening, Opening.Status.CLOSED, user=None, reason="deadline")
            closed += 1
    return closed
