"""Writes for appointments: create (direct or from an accepted offer), update, renew, end.

Every write checks the role and the organisation, validates every field into one
InvalidInputError, re-evaluates the 地域要件 with the appointment's facts and leaves an audit
event in the same transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from hitonagare.accounts.models import Organisation
from hitonagare.accounts.roles import require_host_staff
from hitonagare.core.audit import audit_record
from hitonagare.core.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
)
from hitonagare.recruiting import rules as recruiting_rules
from hitonagare.recruiting.models import Application
from hitonagare.recruiting.services import has_control_characters, municipality_in_host_area
from hitonagare.regions import selectors as regions
from hitonagare.regions.models import Municipality

from . import rules
from .models import Appointment, AppointmentRenewal

MAX_MONTHLY_REWARD_YEN = 2_000_000


@dataclass(frozen=True)
class AppointmentData:
    member_name: str
    program: str
    municipality_lgcode: str
    start_date: dt.date | None
    planned_end_date: dt.date | None
    member_kana: str = ""
    member_email: str = ""
    kind: str = ""
    funding_variant: str = ""
    activity_area: str = ""
    origin: str = ""  # 転出元: 団体コード, 郵便番号 or an unambiguous name
    origin_area: str = ""
    origin_overseas: bool = False
    residence_moved_on: dt.date | None = None
    monthly_reward_yen: int | None = None
    note: str = ""


def _text_problem(value: str, *, label: str, limit: int, required: bool) -> str | None:
    if required and not value.strip():
        return f"{label}を入力してください。"
    if len(value) > limit:
        return f"{label}は{limit}文字以内で入力してください。"
    if has_control_characters(value):
        return f"{label}に使えない制御文字が含まれています。"
    return None


def _variant_problem(program: str, variant: str) -> str | None:
    # funding.rules has no variant_problem: variant_resolve raises ValueError with the message.
    from hitonagare.funding.rules import program_from_opening, variant_resolve

    try:
        variant_resolve(program_from_opening(program), variant)
    except ValueError as error:
        return str(error)
    return None


def appointment_problems(
    data: AppointmentData, *, host: Organisation
) -> tuple[dict[str, str], Municipality | None, Municipality | None]:
    """Every problem with the data, by field; the activity and origin municipalities."""
    errors: dict[str, str] = {}
    for field, label, limit, required in (
        ("member_name", "氏名", 80, True),
        ("member_kana", "ふりがな", 80, False),
        ("activity_area", "活動地域（大字など）", 100, False),
        ("origin_area", "転出元の地域", 100, False),
        ("note", "備考", 2000, False),
    ):
        problem = _text_problem(getattr(data, field), label=label, limit=limit, required=required)
        if problem:
            errors[field] = problem
    if data.member_email:
        try:
            validate_email(data.member_email)
        except ValidationError:
            errors["member_email"] = "メールアドレスの形式が正しくありません。"
    program: recruiting_rules.OpeningProgram | None
    try:
        program = recruiting_rules.OpeningProgram(data.program)
    except ValueError:
        program = None
        errors["program"] = "制度を選んでください。"
    if data.kind and data.kind not in {k.value for k in rules.AppointmentKind}:
        errors["kind"] = "形態（委嘱・任用・協定）を選んでください。"
    if program is not None and data.funding_variant:
        problem = _variant_problem(program.value, data.funding_variant)
        if problem:
            errors["funding_variant"] = problem
    if data.start_date is None:
        errors["start_date"] = "任期開始日を入力してください。"
    if data.planned_end_date is None:
        errors["planned_end_date"] = "任期終了予定日を入力してください。"
    if program is not None and data.start_date and data.planned_end_date:
        problem = rules.term_dates_problem(program, data.start_date, data.planned_end_date)
        if problem:
            errors["planned_end_date"] = problem
    if (
        data.residence_moved_on is not None
        and data.planned_end_date is not None
        and data.residence_moved_on > data.planned_end_date
    ):
        errors["residence_moved_on"] = "住民票を移した日が任期終了予定日より後になっています。"
    if data.monthly_reward_yen is not None and not (
        0 <= data.monthly_reward_yen <= MAX_MONTHLY_REWARD_YEN
    ):
        errors["monthly_reward_yen"] = (
            f"月額報償費は0〜{MAX_MONTHLY_REWARD_YEN:,}円の整数で入力してください。"
        )
    municipality = municipality_in_host_area(data.municipality_lgcode, host=host, errors=errors)
    if "municipality_lgcode" in errors:
        errors["municipality_lgcode"] = errors["municipality_lgcode"].replace(
            "活動地域は自団体の区域内から選んでください。",
            "活動する市町村は自団体の区域内から選んでください。",
        )
    origin: Municipality | None = None
    if data.origin.strip() and data.origin_overseas:
        errors["origin"] = "海外からの転入のときは転出元の市区町村を空欄にしてください。"
    elif data.origin.strip():
        try:
            origin = regions.place_resolve(query=data.origin.strip()).municipality
        except DomainError as error:
            errors["origin"] = error.message
    return errors, municipality, origin


def _eligibility_evaluate(appointment: Appointment) -> None:
    """The 地域要件 with the appointment's own facts, on the day the 住民票 moved (or the
    start of the term when that is not recorded yet): that day is the stored 基準日."""
    program = recruiting_rules.OpeningProgram(appointment.program)
    has_origin = appointment.origin_municipality_id is not None or appointment.origin_overseas
    if program not in recruiting_rules.PROGRAMS_WITH_AREA_REQUIREMENT or not has_origin:
        appointment.eligibility = None
        appointment.eligibility_eligible = None
        appointment.eligibility_basis_date = None
        return
    from hitonagare.eligibility.rules import Exceptions
    from hitonagare.eligibility.selectors import eligibility_check

    basis = appointment.residence_moved_on or appointment.start_date
    try:
        result = eligibility_check(
            program=program.value,
            origin=(
                appointment.origin_municipality.lgcode if appointment.origin_municipality else None
            ),
            destination=appointment.municipality.lgcode,
            origin_area=appointment.origin_area or None,
            destination_area=appointment.activity_area or None,
            as_of=basis,
            exceptions=Exceptions(overseas_resident=appointment.origin_overseas),
        )
    except DomainError as error:
        # E.g. a term that began before the oldest 確認表 the platform holds: the decision
        # cannot be made from data, so it is stored as "not judged" with the reason, never
        # guessed from another edition.
        appointment.eligibility = {
            "unavailable": True,
            "code": error.code,
            "message": error.message,
            "as_of": basis.isoformat(),
        }
        appointment.eligibility_eligible = None
        appointment.eligibility_basis_date = basis
        return
    data = result.to_dict()
    data["as_of"] = basis.isoformat()
    appointment.eligibility = data
    appointment.eligibility_eligible = result.decision.eligible
    appointment.eligibility_basis_date = basis


def _apply(
    appointment: Appointment,
    data: AppointmentData,
    municipality: Municipality,
    origin: Municipality | None,
) -> None:
    program = recruiting_rules.OpeningProgram(data.program)
    appointment.member_name = data.member_name.strip()
    appointment.member_kana = data.member_kana.strip()
    appointment.member_email = data.member_email.strip()
    appointment.program = program.value
    appointment.kind = data.kind or rules.DEFAULT_KIND[program].value
    appointment.funding_variant = data.funding_variant
    appointment.municipality = municipality
    appointment.activity_area = data.activity_area.strip()
    assert data.start_date is not None
    assert data.planned_end_date is not None
    appointment.start_date = data.start_date
    appointment.planned_end_date = data.planned_end_date
    appointment.origin_municipality = origin
    appointment.origin_area = data.origin_area.strip()
    appointment.origin_overseas = data.origin_overseas
    appointment.residence_moved_on = data.residence_moved_on
    appointment.monthly_reward_yen = data.monthly_reward_yen
    appointment.note = data.note.strip()
    _eligibility_evaluate(appointment)


def _audit_data(data: AppointmentData) -> dict[str, Any]:
    values = asdict(data)
    values.pop("note", None)
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}


def appointment_create(
    *, user: Any, data: AppointmentData, application: Application | None = None
) -> Appointment:
    host = require_host_staff(user)
    errors, municipality, origin = appointment_problems(data, host=host)
    if errors:
        raise InvalidInputError(errors)
    assert municipality is not None
    with transaction.atomic():
        appointment = Appointment(host=host, created_by=user, application=application)
        if application is not None:
            appointment.member_id = application.applicant_id
        _apply(appointment, data, municipality, origin)
        appointment.save()
        audit_record(
            actor=user,
            action="appointment.create",
            target=appointment,
            organisation=host,
            data={**_audit_data(data), "application": application.pk if application else None},
        )
    return appointment


def application_for_appointment(*, user: Any, application_id: int) -> Application:
    """An accepted (承諾) application to one of the user's organisation's openings."""
    host = require_host_staff(user)
    application = (
        Application.objects.select_related("opening", "opening__municipality", "applicant")
        .filter(pk=application_id, opening__host=host)
        .first()
    )
    if application is None:
        raise NotFoundError("application_not_found", "応募が見つかりません。")
    if application.status != recruiting_rules.ApplicationStatus.ACCEPTED.value:
        raise ConflictError(
            "application_not_accepted",
            "委嘱・任用の登録は、内定を承諾した応募からのみ行えます。",
        )
    if Appointment.objects.filter(application=application).exists():
        raise ConflictError(
            "already_appointed", "この応募からはすでに委嘱・任用が登録されています。"
        )
    return application


def data_from_application(application: Application) -> AppointmentData:
    """The appointment form pre-filled from the opening and the applicant's snapshot."""
    opening = application.opening
    snapshot = application.profile_snapshot or {}
    name = f"{snapshot.get('family_name', '')} {snapshot.get('given_name', '')}".strip()
    kana = f"{snapshot.get('family_kana', '')} {snapshot.get('given_kana', '')}".strip()
    eligibility = application.eligibility or {}
    origin = str(snapshot.get("postal_code") or "")
    if not origin:
        origin = str((eligibility.get("from") or {}).get("lgcode") or "")
    start = opening.start_date
    end: dt.date | None = None
    if start is not None and opening.term_value and opening.term_unit:
        term = recruiting_rules.Term(
            opening.term_value, recruiting_rules.TermUnit(opening.term_unit)
        )
        # Calendar arithmetic, as term_dates_problem checks it: a year from 4/1 ends on 3/31
        # even across a 2/29 (365.25-day years would end a day early and fail the minimum).
        end = rules.add_term(start, term) - dt.timedelta(days=1)
    return AppointmentData(
        member_name=name or str(application.applicant.email or ""),
        member_kana=kana,
        member_email=str(application.applicant.email or ""),
        program=opening.program,
        municipality_lgcode=opening.municipality.lgcode,
        activity_area=opening.area_name,
        start_date=start,
        planned_end_date=end,
        origin=origin,
        monthly_reward_yen=opening.monthly_pay_yen,
    )


def appointment_from_application(
    *, user: Any, application_id: int, data: AppointmentData
) -> Appointment:
    with transaction.atomic():
        application = application_for_appointment(user=user, application_id=application_id)
        # Lock the application row: two clicks on "register" must not make two appointments.
        Application.objects.select_for_update().filter(pk=application.pk).first()
        if Appointment.objects.filter(application=application).exists():
            raise ConflictError(
                "already_appointed", "この応募からはすでに委嘱・任用が登録されています。"
            )
        return appointment_create(user=user, data=data, application=application)


def own_appointment_for_update(*, user: Any, appointment_id: int) -> Appointment:
    """The appointment, locked, when it belongs to the user's own organisation."""
    host = require_host_staff(user)
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("municipality", "origin_municipality", "host")
        .filter(pk=appointment_id, host=host)
        .first()
    )
    if appointment is None:
        raise NotFoundError("appointment_not_found", "委嘱・任用の記録が見つかりません。")
    return appointment


def data_of(appointment: Appointment) -> AppointmentData:
    return AppointmentData(
        member_name=appointment.member_name,
        member_kana=appointment.member_kana,
        member_email=appointment.member_email,
        program=appointment.program,
        kind=appointment.kind,
        funding_variant=appointment.funding_variant,
        municipality_lgcode=appointment.municipality.lgcode,
        activity_area=appointment.activity_area,
        start_date=appointment.start_date,
        planned_end_date=appointment.planned_end_date,
        origin=appointment.origin_municipality.lgcode if appointment.origin_municipality else "",
        origin_area=appointment.origin_area,
        origin_overseas=appointment.origin_overseas,
        residence_moved_on=appointment.residence_moved_on,
        monthly_reward_yen=appointment.monthly_reward_yen,
        note=appointment.note,
    )


@transaction.atomic
def appointment_update(*, user: Any, appointment_id: int, data: AppointmentData) -> Appointment:
    appointment = own_appointment_for_update(user=user, appointment_id=appointment_id)
    errors, municipality, origin = appointment_problems(data, host=appointment.host)
    if appointment.ended_on and data.start_date and appointment.ended_on < data.start_date:
        errors["start_date"] = "終了済みの任期より後に開始日を動かすことはできません。"
    if (
        appointment.ended_on
        and data.planned_end_date
        and data.planned_end_date < appointment.ended_on
    ):
        errors["planned_end_date"] = "任期終了予定日を、登録済みの終了日より前にはできません。"
    if appointment.renewals.exists() and data.planned_end_date != appointment.planned_end_date:
        errors["planned_end_date"] = (
            "更新済みの任期の終了予定日は、この画面ではなく「任期を更新」で変更してください。"
        )
    if errors:
        raise InvalidInputError(errors)
    assert municipality is not None
    _apply(appointment, data, municipality, origin)
    appointment.save()
    audit_record(
        actor=user,
        action="appointment.update",
        target=appointment,
        organisation=appointment.host,
        data=_audit_data(data),
    )
    return appointment


@transaction.atomic
def appointment_renew(
    *, user: Any, appointment_id: int, new_end_date: dt.date | None, note: str = ""
) -> Appointment:
    appointment = own_appointment_for_update(user=user, appointment_id=appointment_id)
    errors: dict[str, str] = {}
    if appointment.ended_on is not None:
        raise ConflictError("appointment_ended", "終了した任期は更新できません。")
    program = recruiting_rules.OpeningProgram(appointment.program)
    if new_end_date is None:
        errors["new_end_date"] = "更新後の終了予定日を入力してください。"
    elif new_end_date <= appointment.planned_end_date:
        errors["new_end_date"] = "更新後の終了予定日は、今の終了予定日より後にしてください。"
    else:
        problem = rules.term_total_problem(program, appointment.start_date, [new_end_date])
        if problem:
            errors["new_end_date"] = problem
    problem = _text_problem(note, label="備考", limit=200, required=False)
    if problem:
        errors["note"] = problem
    if errors:
        raise InvalidInputError(errors)
    assert new_end_date is not None
    AppointmentRenewal.objects.create(
        appointment=appointment,
        previous_end_date=appointment.planned_end_date,
        new_end_date=new_end_date,
        note=note.strip(),
        created_by=user,
    )
    previous = appointment.planned_end_date
    appointment.planned_end_date = new_end_date
    appointment.save(update_fields=["planned_end_date", "updated_at"])
    audit_record(
        actor=user,
        action="appointment.renew",
        target=appointment,
        organisation=appointment.host,
        data={"from": previous.isoformat(), "to": new_end_date.isoformat()},
    )
    return appointment


@transaction.atomic
def appointment_end(
    *,
    user: Any,
    appointment_id: int,
    ended_on: dt.date | None,
    reason: str,
    note: str = "",
) -> Appointment:
    """End the term: on its planned end (任期満了) or early, with a reason."""
    appointment = own_appointment_for_update(user=user, appointment_id=appointment_id)
    if appointment.ended_on is not None:
        raise ConflictError("appointment_ended", "この任期はすでに終了しています。")
    errors = rules.end_problems(
        start=appointment.start_date,
        planned_end=appointment.planned_end_date,
        ended_on=ended_on,
        reason=reason,
        note=note,
        today=timezone.localdate(),
    )
    problem = _text_problem(note, label="終了の詳細", limit=2000, required=False)
    if problem:
        errors["note"] = problem
    if errors:
        raise InvalidInputError(errors)
    assert ended_on is not None
    end_reason = rules.EndReason(reason)
    appointment.ended_on = ended_on
    appointment.end_reason = end_reason.value
    appointment.end_note = note.strip()
    appointment.save(update_fields=["ended_on", "end_reason", "end_note", "updated_at"])
    audit_record(
        actor=user,
        action="appointment.end",
        target=appointment,
        organisation=appointment.host,
        data={"ended_on": ended_on.isoformat(), "reason": end_reason.value},
    )
    return appointment


@transaction.atomic
def appointment_link_member(*, user: Any, appointment_id: int, email: str) -> Appointment:
    """Give an imported member access: link the appointment to the account with that e-mail."""
    from hitonagare.accounts.models import User
    from hitonagare.accounts.roles import Role, role_of

    appointment = own_appointment_for_update(user=user, appointment_id=appointment_id)
    account = User.objects.filter(email__iexact=email.strip()).first() if email.strip() else None
    if account is None or role_of(account) is not Role.APPLICANT:
        raise InvalidInputError(
            {"email": "このメールアドレスで登録された個人のアカウントが見つかりません。"}
        )
    appointment.member = account
    appointment.save(update_fields=["member", "updated_at"])
    audit_record(
        actor=user,
        action="appointment.link_member",
        target=appointment,
        organisation=appointment.host,
        data={"member": account.pk},
    )
    return appointment


__all__ = [
    "AppointmentData",
    "application_for_appointment",
    "appointment_create",
    "appointment_end",
    "appointment_from_application",
    "appointment_link_member",
    "appointment_problems",
    "appointment_renew",
    "appointment_update",
    "data_from_application",
    "data_of",
    "own_appointment_for_update",
]
