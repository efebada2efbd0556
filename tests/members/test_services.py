"""Appointment services: create (direct or from an accepted offer) with every field checked at
once, the host's area, 転出元 resolution, the 地域要件 re-evaluated and stored with its 基準日,
renewals within the program's total term, early ends, updates, linking an account, and the
audit trail; a refused call writes nothing."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from tests.recruiting import factories

from hitonagare.accounts.models import User
from hitonagare.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from hitonagare.core.models import AuditEvent
from hitonagare.members import services
from hitonagare.members.models import Appointment, AppointmentRenewal
from hitonagare.members.services import AppointmentData
from hitonagare.recruiting.models import Application
from hitonagare.recruiting.services_applications import application_submit, application_transition

pytestmark = pytest.mark.django_db

AMA = "325252"  # 島根県海士町
HAKODATE = "012025"  # 北海道函館市
OTARU = "012033"  # 北海道小樽市
CHIYODA = "131016"  # 東京都千代田区
D = dt.date


@pytest.fixture
def staff(reference_data: None) -> User:
    return factories.staff_of(AMA, email="staff@ama.example.jp")


def _data(**overrides: Any) -> AppointmentData:
    data = AppointmentData(
        member_name="山田 花子",
        member_kana="やまだ はなこ",
        member_email="hanako@example.jp",
        program="kyoryokutai",
        municipality_lgcode=AMA,
        activity_area="知々井",
        start_date=D(2025, 4, 1),
        planned_end_date=D(2028, 3, 31),
        origin="1000001",  # 千代田区
        monthly_reward_yen=240_000,
    )
    return replace(data, **overrides)


def _rows() -> tuple[int, int, int]:
    return (
        Appointment.objects.count(),
        AppointmentRenewal.objects.count(),
        AuditEvent.objects.count(),
    )


def _create_errors(user: User, **overrides: Any) -> dict[str, str]:
    before = _rows()
    with pytest.raises(InvalidInputError) as caught:
        services.appointment_create(user=user, data=_data(**overrides))
    assert _rows() == before, "a refused create wrote something"
    return caught.value.errors


def _audit(action: str) -> AuditEvent:
    [event] = AuditEvent.objects.filter(action=action)
    return event


# --- create -----------------------------------------------------------------------------------


def test_create_stores_the_appointment_with_the_eligibility_and_an_audit_event(
    staff: User,
) -> None:
    appointment = services.appointment_create(user=staff, data=_data())
    appointment.refresh_from_db()
    assert appointment.host.lgcode == AMA
    assert appointment.municipality.lgcode == AMA
    assert appointment.member_name == "山田 花子"
    assert appointment.kind == "entrustment"  # 協力隊: 委嘱 by default
    assert appointment.origin_municipality is not None
    assert appointment.origin_municipality.lgcode == CHIYODA
    assert appointment.member is None
    assert appointment.application is None
    assert appointment.created_by == staff
    # 千代田区 (区分1) → 海士町 (区分8) is ○ in the 確認表.
    assert appointment.eligibility_eligible is True
    assert appointment.eligibility is not None
    assert appointment.eligibility["symbol"] == "○"
    event = _audit("appointment.create")
    assert event.actor == staff
    assert event.organisation == appointment.host
    assert event.object_id == str(appointment.pk)
    assert event.data["origin"] == "1000001"
    assert event.data["start_date"] == "2025-04-01"
    assert event.data["application"] is None
    assert "note" not in event.data


def test_the_kind_defaults_per_program_and_can_be_chosen(staff: User) -> None:
    pm = services.appointment_create(
        user=staff, data=_data(program="pm", planned_end_date=D(2026, 3, 31))
    )
    kigyojin = services.appointment_create(user=staff, data=_data(program="kigyojin"))
    chosen = services.appointment_create(user=staff, data=_data(kind="employment"))
    assert (pm.kind, kigyojin.kind, chosen.kind) == ("employment", "agreement", "employment")


def test_create_with_every_field_wrong_reports_every_field_and_writes_nothing(
    staff: User,
) -> None:
    errors = _create_errors(
        staff,
        member_name="  ",
        member_kana="あ" * 81,
        member_email="not-an-address",
        program="astronaut",
        kind="boss",
        municipality_lgcode="999999",
        activity_area="地" * 101,
        start_date=None,
        planned_end_date=D(2025, 4, 1),
        origin="府中",  # 東京都府中市, 広島県府中市, 広島県府中町
        origin_area="\x00",
        residence_moved_on=D(2025, 5, 1),
        monthly_reward_yen=-1,
        note="x" * 2001,
    )
    assert errors == {
        "member_name": "氏名を入力してください。",
        "member_kana": "ふりがなは80文字以内で入力してください。",
        "member_email": "メールアドレスの形式が正しくありません。",
        "program": "制度を選んでください。",
        "kind": "形態（委嘱・任用・協定）を選んでください。",
        "municipality_lgcode": "活動地域の市区町村を団体コードまたは候補から選んでください。",
        "activity_area": "活動地域（大字など）は100文字以内で入力してください。",
        "start_date": "任期開始日を入力してください。",
        "origin": errors["origin"],
        "origin_area": "転出元の地域に使えない制御文字が含まれています。",
        "residence_moved_on": "住民票を移した日が任期終了予定日より後になっています。",
        "monthly_reward_yen": "月額報償費は0〜2,000,000円の整数で入力してください。",
        "note": "備考は2000文字以内で入力してください。",
    }
    assert "一つに決まりません" in errors["origin"]


def test_term_and_variant_are_checked_once_the_program_is_known(staff: User) -> None:
    errors = _create_errors(
        staff, planned_end_date=D(2028, 4, 1), funding_variant="moonbase", start_date=D(2025, 4, 1)
    )
    assert errors["planned_end_date"] == (
        "地域おこし協力隊の任期は1年〜3年です（入力: 1097日間）。"
    )
    assert "moonbase" in errors["funding_variant"]
    assert set(errors) == {"planned_end_date", "funding_variant"}


def test_a_known_funding_variant_is_stored(staff: User) -> None:
    appointment = services.appointment_create(
        user=staff, data=_data(program="kigyojin", funding_variant="side_job")
    )
    assert appointment.funding_variant == "side_job"


def test_missing_dates_are_reported_per_field(staff: User) -> None:
    errors = _create_errors(staff, start_date=None, planned_end_date=None)
    assert errors == {
        "start_date": "任期開始日を入力してください。",
        "planned_end_date": "任期終了予定日を入力してください。",
    }


@pytest.mark.parametrize(
    ("program", "end", "fits"),
    [
        ("kyoryokutai", D(2028, 3, 31), True),
        ("kyoryokutai", D(2028, 4, 1), False),
        ("intern", D(2025, 4, 14), True),
        ("intern", D(2025, 4, 13), False),
        ("intern", D(2025, 6, 30), True),
        ("intern", D(2025, 7, 1), False),
        ("kigyojin", D(2025, 9, 30), True),
        ("kigyojin", D(2025, 9, 29), False),
        ("otameshi", D(2025, 4, 3), True),
        ("otameshi", D(2025, 4, 15), False),
    ],
)
def test_the_term_is_checked_against_the_program(
    staff: User, program: str, end: dt.date, fits: bool
) -> None:
    data = _data(program=program, start_date=D(2025, 4, 1), planned_end_date=end)
    if fits:
        assert services.appointment_create(user=staff, data=data).planned_end_date == end
    else:
        errors = _create_errors(staff, program=program, planned_end_date=end)
        assert set(errors) == {"planned_end_date"}


def test_an_activity_municipality_outside_the_host_is_refused(staff: User) -> None:
    errors = _create_errors(staff, municipality_lgcode=HAKODATE)
    assert errors == {
        "municipality_lgcode": "函館市は海士町の区域ではありません。"
        "活動する市町村は自団体の区域内から選んでください。"
    }


def test_prefecture_staff_may_appoint_into_any_of_its_municipalities(reference_data: None) -> None:
    hokkaido = factories.prefecture_staff("01")
    appointment = services.appointment_create(
        user=hokkaido, data=_data(municipality_lgcode=OTARU, activity_area="")
    )
    assert appointment.host == hokkaido.membership.organisation
    assert appointment.municipality.lgcode == OTARU
    assert "municipality_lgcode" in _create_errors(hokkaido, municipality_lgcode=AMA)


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: factories.user(),  # an applicant
        lambda: factories.ministry_staff(),
        lambda: factories.user(organisation=factories.other_org("company", "株式会社ひとなが")),
        lambda: factories.user(organisation=factories.other_org("desk", "移住相談センター")),
    ],
)
def test_only_municipality_and_prefecture_staff_may_create(
    reference_data: None, make_user: Any
) -> None:
    user = make_user()
    before = _rows()
    with pytest.raises(PermissionDeniedError):
        services.appointment_create(user=user, data=_data())
    assert _rows() == before


@pytest.mark.parametrize("origin", ["1000001", "100-0001", CHIYODA, "千代田区"])
def test_the_origin_is_found_by_postal_code_lgcode_or_an_unambiguous_name(
    staff: User, origin: str
) -> None:
    appointment = services.appointment_create(user=staff, data=_data(origin=origin))
    assert appointment.origin_municipality is not None
    assert appointment.origin_municipality.lgcode == CHIYODA


@pytest.mark.parametrize(
    ("origin", "message"),
    [
        ("府中", "「府中」に当たる市区町村が一つに決まりません（3件）。"),
        ("伊達市", "「伊達市」に当たる市区町村が一つに決まりません（2件）。"),
        ("どこでもない村", "「どこでもない村」に当たる市区町村は見つかりません。"),
        ("0000000", "郵便番号「000-0000」は見つかりません。"),
    ],
)
def test_an_ambiguous_or_unknown_origin_is_a_message_under_the_field(
    staff: User, origin: str, message: str
) -> None:
    errors = _create_errors(staff, origin=origin)
    assert set(errors) == {"origin"}
    assert errors["origin"].startswith(message)


def test_an_origin_with_the_overseas_box_ticked_is_refused(staff: User) -> None:
    errors = _create_errors(staff, origin_overseas=True)
    assert errors == {"origin": "海外からの転入のときは転出元の市区町村を空欄にしてください。"}


# --- the 地域要件 with the appointment's facts ---------------------------------------------------


def test_the_eligibility_basis_date_is_the_day_the_residence_moved(staff: User) -> None:
    appointment = services.appointment_create(
        user=staff, data=_data(residence_moved_on=D(2025, 3, 20))
    )
    appointment.refresh_from_db()
    assert appointment.eligibility_basis_date == D(2025, 3, 20)
    assert appointment.eligibility["as_of"] == "2025-03-20"
    # The edition in force on that day (the 確認表 of R4.4.1) is stored with the decision.
    assert appointment.eligibility["basis_date"] == "2022-04-01"
    assert appointment.eligibility["from"]["lgcode"] == CHIYODA
    assert appointment.eligibility["to"]["lgcode"] == AMA


def test_without_the_residence_date_the_basis_is_the_start_of_the_term(staff: User) -> None:
    appointment = services.appointment_create(user=staff, data=_data())
    assert appointment.eligibility_basis_date == D(2025, 4, 1)
    assert appointment.eligibility["as_of"] == "2025-04-01"


def test_an_origin_the_matrix_refuses_is_stored_as_not_eligible(staff: User) -> None:
    # 函館市 is 全部条件不利 (区分8): never an origin for 協力隊.
    appointment = services.appointment_create(user=staff, data=_data(origin=HAKODATE))
    assert appointment.eligibility_eligible is False
    assert appointment.eligibility["symbol"] == "×"


def test_a_move_from_abroad_is_judged_by_the_overseas_exception(staff: User) -> None:
    appointment = services.appointment_create(
        user=staff, data=_data(origin="", origin_overseas=True)
    )
    assert appointment.origin_municipality is None
    assert appointment.eligibility_eligible is True
    assert appointment.eligibility_basis_date == D(2025, 4, 1)


def test_no_eligibility_without_an_origin(staff: User) -> None:
    appointment = services.appointment_create(user=staff, data=_data(origin=""))
    assert appointment.eligibility is None
    assert appointment.eligibility_eligible is None
    assert appointment.eligibility_basis_date is None


@pytest.mark.parametrize("program", ["digital", "nichiiki"])
def test_no_eligibility_for_programs_without_an_area_requirement(staff: User, program: str) -> None:
    appointment = services.appointment_create(user=staff, data=_data(program=program))
    assert appointment.origin_municipality is not None  # the origin is still recorded
    assert appointment.eligibility is None
    assert appointment.eligibility_eligible is None
    assert appointment.eligibility_basis_date is None


def test_a_basis_date_before_the_oldest_edition_is_stored_as_not_judged(staff: User) -> None:
    """No 確認表 before 2022-04-01: a term begun in 2021 is recorded with its origin, and the
    decision is stored as unavailable (with the reason and the 基準日), never guessed."""
    appointment = services.appointment_create(
        user=staff, data=_data(start_date=D(2021, 4, 1), planned_end_date=D(2024, 3, 31))
    )
    appointment.refresh_from_db()
    assert appointment.origin_municipality.lgcode == CHIYODA
    assert appointment.eligibility_eligible is None
    assert appointment.eligibility_basis_date == D(2021, 4, 1)
    assert appointment.eligibility["unavailable"] is True
    assert appointment.eligibility["code"] == "as_of_before_earliest"
    assert appointment.eligibility["as_of"] == "2021-04-01"
    assert "2022-04-01" in appointment.eligibility["message"]
    # Moving the 住民票 date into the edition's time makes it judged again on update.
    services.appointment_update(
        user=staff,
        appointment_id=appointment.pk,
        data=_data(
            start_date=D(2021, 4, 1),
            planned_end_date=D(2024, 3, 31),
            residence_moved_on=D(2022, 4, 1),
        ),
    )
    appointment.refresh_from_db()
    assert appointment.eligibility_eligible is True
    assert appointment.eligibility_basis_date == D(2022, 4, 1)
    assert "unavailable" not in appointment.eligibility


# --- from an accepted application ---------------------------------------------------------------


def _application(staff: User, *, moves: tuple[tuple[str, str], ...], **opening: Any) -> Application:
    """An application to a new 海士町 opening, moved through `moves` ((who, status) pairs)."""
    posted = factories.opening(staff=staff, **opening)
    applicant = factories.user()
    factories.profile(applicant)  # 千代田区 100-0001
    application = application_submit(
        user=applicant, opening_id=posted.pk, motivation="島の暮らしに関わりたいです。"
    )
    for who, status in moves:
        actor = staff if who == "staff" else applicant
        application = application_transition(
            user=actor, application_id=application.pk, to_status=status
        )
    return application


ACCEPTED = (("staff", "screening"), ("staff", "offered"), ("applicant", "accepted"))


def test_an_accepted_application_becomes_an_appointment_of_the_applicant(staff: User) -> None:
    application = _application(staff, moves=ACCEPTED)
    assert services.application_for_appointment(user=staff, application_id=application.pk) == (
        application
    )
    appointment = services.appointment_from_application(
        user=staff, application_id=application.pk, data=_data()
    )
    appointment.refresh_from_db()
    assert appointment.application == application
    assert appointment.member == application.applicant
    assert _audit("appointment.create").data["application"] == application.pk


@pytest.mark.parametrize(
    "moves",
    [
        (),
        (("staff", "screening"),),
        (("staff", "screening"), ("staff", "offered")),
        (("staff", "screening"), ("staff", "offered"), ("applicant", "declined")),
        (("staff", "rejected"),),
        (("applicant", "withdrawn"),),
    ],
)
def test_an_application_not_accepted_cannot_become_an_appointment(
    staff: User, moves: tuple[tuple[str, str], ...]
) -> None:
    application = _application(staff, moves=moves)
    with pytest.raises(ConflictError) as caught:
        services.appointment_from_application(
            user=staff, application_id=application.pk, data=_data()
        )
    assert caught.value.code == "application_not_accepted"
    assert Appointment.objects.count() == 0


def test_another_organisations_application_is_not_found(staff: User) -> None:
    application = _application(staff, moves=ACCEPTED)
    hakodate = factories.staff_of(HAKODATE)
    with pytest.raises(NotFoundError):
        services.appointment_from_application(
            user=hakodate,
            application_id=application.pk,
            data=_data(municipality_lgcode=HAKODATE, activity_area=""),
        )
    with pytest.raises(NotFoundError):
        services.application_for_appointment(user=staff, application_id=10_000_000)
    assert Appointment.objects.count() == 0


def test_a_second_appointment_from_the_same_application_is_a_conflict(staff: User) -> None:
    application = _application(staff, moves=ACCEPTED)
    services.appointment_from_application(user=staff, application_id=application.pk, data=_data())
    with pytest.raises(ConflictError) as caught:
        services.appointment_from_application(
            user=staff, application_id=application.pk, data=_data()
        )
    assert caught.value.code == "already_appointed"
    with pytest.raises(ConflictError):
        services.application_for_appointment(user=staff, application_id=application.pk)
    assert Appointment.objects.count() == 1


def test_a_refused_form_from_an_application_writes_nothing(staff: User) -> None:
    application = _application(staff, moves=ACCEPTED)
    before = _rows()
    with pytest.raises(InvalidInputError):
        services.appointment_from_application(
            user=staff, application_id=application.pk, data=_data(member_name="")
        )
    assert _rows() == before


def _year_before_a_leap_year(after: int) -> int:
    year = after
    while not calendar.isleap(year + 1):
        year += 1
    return year


def test_the_form_from_an_application_is_prefilled_from_the_opening_and_the_applicant(
    staff: User,
) -> None:
    year = _year_before_a_leap_year(dt.date.today().year + 1)
    application = _application(
        staff,
        moves=ACCEPTED,
        start_date=D(year, 4, 1),
        term_value=3,
        term_unit="years",
        area_name="知々井",
    )
    data = services.data_from_application(application)
    assert data.member_name == "山田 花子"
    assert data.member_kana == "やまだ はなこ"
    assert data.member_email == application.applicant.email
    assert (data.program, data.municipality_lgcode, data.activity_area) == (
        "kyoryokutai",
        AMA,
        "知々井",
    )
    assert data.origin == "1000001"
    assert data.monthly_reward_yen == 240_000
    assert data.start_date == D(year, 4, 1)
    # Three calendar years, both ends included (the range holds a 2/29).
    assert data.planned_end_date == D(year + 3, 3, 31)


def test_a_one_year_opening_across_a_leap_day_prefills_a_term_the_rules_accept(
    staff: User,
) -> None:
    year = _year_before_a_leap_year(dt.date.today().year + 1)
    application = _application(
        staff, moves=ACCEPTED, start_date=D(year, 4, 1), term_value=1, term_unit="years"
    )
    data = services.data_from_application(application)
    assert data.planned_end_date == D(year + 1, 3, 31)
    appointment = services.appointment_from_application(
        user=staff, application_id=application.pk, data=data
    )
    assert appointment.planned_end_date == D(year + 1, 3, 31)


def test_an_opening_without_a_start_date_prefills_no_dates(staff: User) -> None:
    application = _application(staff, moves=ACCEPTED)
    data = services.data_from_application(application)
    assert (data.start_date, data.planned_end_date) == (None, None)


# --- update -----------------------------------------------------------------------------------


@pytest.fixture
def appointment(staff: User) -> Appointment:
    return services.appointment_create(user=staff, data=_data())


def test_update_changes_the_facts_and_re_evaluates_the_eligibility(
    staff: User, appointment: Appointment
) -> None:
    updated = services.appointment_update(
        user=staff,
        appointment_id=appointment.pk,
        data=_data(member_name="山田 華子", origin=HAKODATE, residence_moved_on=D(2025, 4, 10)),
    )
    updated.refresh_from_db()
    assert updated.member_name == "山田 華子"
    assert updated.origin_municipality.lgcode == HAKODATE
    assert updated.eligibility_eligible is False
    assert updated.eligibility_basis_date == D(2025, 4, 10)
    event = _audit("appointment.update")
    assert (event.actor, event.object_id) == (staff, str(appointment.pk))


def test_data_of_round_trips_through_update(staff: User, appointment: Appointment) -> None:
    data = services.data_of(appointment)
    assert data.origin == CHIYODA
    services.appointment_update(user=staff, appointment_id=appointment.pk, data=data)
    appointment.refresh_from_db()
    assert services.data_of(appointment) == data


def test_a_refused_update_changes_nothing(staff: User, appointment: Appointment) -> None:
    before = _rows()
    with pytest.raises(InvalidInputError) as caught:
        services.appointment_update(
            user=staff,
            appointment_id=appointment.pk,
            data=_data(member_name="別人", planned_end_date=D(2028, 4, 1)),
        )
    assert set(caught.value.errors) == {"planned_end_date"}
    appointment.refresh_from_db()
    assert appointment.member_name == "山田 花子"
    assert _rows() == before


def test_another_organisations_appointment_cannot_be_updated(appointment: Appointment) -> None:
    for other in (factories.staff_of(HAKODATE), factories.prefecture_staff("32")):
        with pytest.raises(NotFoundError):
            services.appointment_update(
                user=other, appointment_id=appointment.pk, data=_data(member_name="別人")
            )
    with pytest.raises(PermissionDeniedError):
        services.appointment_update(
            user=factories.ministry_staff(), appointment_id=appointment.pk, data=_data()
        )
    appointment.refresh_from_db()
    assert appointment.member_name == "山田 花子"


def test_a_renewed_term_end_moves_only_through_renew(staff: User) -> None:
    short = services.appointment_create(user=staff, data=_data(planned_end_date=D(2026, 3, 31)))
    services.appointment_renew(user=staff, appointment_id=short.pk, new_end_date=D(2027, 3, 31))
    with pytest.raises(InvalidInputError) as caught:
        services.appointment_update(
            user=staff, appointment_id=short.pk, data=_data(planned_end_date=D(2028, 3, 31))
        )
    assert set(caught.value.errors) == {"planned_end_date"}
    # The other fields can still change when the end date stays.
    services.appointment_update(
        user=staff,
        appointment_id=short.pk,
        data=_data(member_name="山田 華子", planned_end_date=D(2027, 3, 31)),
    )


def test_an_ended_term_cannot_start_after_its_end(staff: User, appointment: Appointment) -> None:
    services.appointment_end(
        user=staff,
        appointment_id=appointment.pk,
        ended_on=D(2025, 9, 30),
        reason="family",
        note="家族の介護のため。",
    )
    with pytest.raises(InvalidInputError) as caught:
        services.appointment_update(
            user=staff,
            appointment_id=appointment.pk,
            data=_data(start_date=D(2025, 10, 1), planned_end_date=D(2028, 9, 30)),
        )
    assert set(caught.value.errors) == {"start_date"}


# --- renew ------------------------------------------------------------------------------------


@pytest.fixture
def one_year(staff: User) -> Appointment:
    return services.appointment_create(user=staff, data=_data(planned_end_date=D(2026, 3, 31)))


def test_renewal_moves_the_planned_end_and_keeps_the_history(
    staff: User, one_year: Appointment
) -> None:
    services.appointment_renew(
        user=staff, appointment_id=one_year.pk, new_end_date=D(2027, 3, 31), note="2年目"
    )
    services.appointment_renew(user=staff, appointment_id=one_year.pk, new_end_date=D(2028, 3, 31))
    one_year.refresh_from_db()
    assert one_year.planned_end_date == D(2028, 3, 31)
    history = [
        (r.previous_end_date, r.new_end_date, r.note, r.created_by) for r in one_year.renewals.all()
    ]
    assert history == [
        (D(2026, 3, 31), D(2027, 3, 31), "2年目", staff),
        (D(2027, 3, 31), D(2028, 3, 31), "", staff),
    ]
    events = AuditEvent.objects.filter(action="appointment.renew").order_by("id")
    assert [e.data for e in events] == [
        {"from": "2026-03-31", "to": "2027-03-31"},
        {"from": "2027-03-31", "to": "2028-03-31"},
    ]


@pytest.mark.parametrize(
    ("new_end", "message"),
    [
        (
            D(2028, 4, 1),
            "更新後の通算任期が地域おこし協力隊の上限を超えます。"
            "地域おこし協力隊の任期は1年〜3年です（入力: 1097日間）。",
        ),
        (D(2026, 3, 31), "更新後の終了予定日は、今の終了予定日より後にしてください。"),
        (D(2025, 12, 31), "更新後の終了予定日は、今の終了予定日より後にしてください。"),
        (None, "更新後の終了予定日を入力してください。"),
    ],
)
def test_a_renewal_outside_the_total_term_is_refused(
    staff: User, one_year: Appointment, new_end: dt.date | None, message: str
) -> None:
    before = _rows()
    with pytest.raises(InvalidInputError) as caught:
        services.appointment_renew(user=staff, appointment_id=one_year.pk, new_end_date=new_end)
    assert caught.value.errors == {"new_end_date": message}
    one_year.refresh_from_db()
    assert one_year.planned_end_date == D(2026, 3, 31)
    assert _rows() == before


def test_a_renewal_note_is_checked(staff: User, one_year: Appointment) -> None:
    with pytest.raises(InvalidInputError) as caught:
        services.appointment_renew(
            user=staff, appointment_id=one_year.pk, new_end_date=D(2027, 3, 31), note="x" * 201
        )
    assert set(caught.value.errors) == {"note"}


def test_an_ended_term_cannot_be_renewed(staff: User, one_year: Appointment) -> None:
    services.appointment_end(
        user=staff, appointment_id=one_year.pk, ended_on=D(2026, 3, 31), reason="completed"
    )
    with pytest.raises(ConflictError):
        services.appointment_renew(
            user=staff, appointment_id=one_year.pk, new_end_date=D(2027, 3, 31)
        )
    assert AppointmentRenewal.objects.count() == 0


def test_another_organisation_cannot_renew(one_year: Appointment) -> None:
    with pytest.raises(NotFoundError):
        services.appointment_renew(
            user=factories.staff_of(HAKODATE),
            appointment_id=one_year.pk,
            new_end_date=D(2027, 3, 31),
        )
    assert AppointmentRenewal.objects.count() == 0


# --- end --------------------------------------------------------------------------------------


def test_an_early_end_with_a_reason_and_a_note_is_recorded(
    staff: User, appointment: Appointment
) -> None:
    ended = services.appointment_end(
        user=staff,
        appointment_id=appointment.pk,
        ended_on=D(2026, 9, 30),
        reason="career",
        note=" 町内の企業に就職 ",
    )
    ended.refresh_from_db()
    assert (ended.ended_on, ended.end_reason, ended.end_note) == (
        D(2026, 9, 30),
        "career",
        "町内の企業に就職",
    )
    assert ended.end_date == D(2026, 9, 30)
    assert _audit("appointment.end").data == {"ended_on": "2026-09-30", "reason": "career"}


def test_an_end_on_the_planned_date_needs_no_note(staff: User, one_year: Appointment) -> None:
    ended = services.appointment_end(
        user=staff, appointment_id=one_year.pk, ended_on=D(2026, 3, 31), reason="completed"
    )
    assert (ended.end_reason, ended.end_note) == ("completed", "")


@pytest.mark.parametrize(
    ("ended_on", "reason", "note", "errors"),
    [
        (
            D(2026, 9, 30),
            "career",
            "  ",
            {"note": "任期途中の終了は、詳細を入力してください。"},
        ),
        (
            D(2026, 9, 30),
            "completed",
            "",
            {"reason": "任期終了予定日より前の終了は「任期満了」以外の理由を選んでください。"},
        ),
        (D(2026, 9, 30), "bored", "飽きた", {"reason": "終了の理由を選んでください。"}),
        (
            D(2028, 4, 1),
            "completed",
            "",
            {
                "ended_on": "終了日が任期終了予定日より後です。"
                "任期を延ばすときは「任期を更新」を使ってください。"
            },
        ),
        (
            D(2025, 3, 31),
            "health",
            "体調不良",
            {"ended_on": "終了日は任期開始日以降の日付にしてください。"},
        ),
        (
            None,
            "",
            "",
            {"reason": "終了の理由を選んでください。", "ended_on": "終了日を入力してください。"},
        ),
    ],
)
def test_a_wrong_end_is_refused_and_changes_nothing(
    staff: User,
    appointment: Appointment,
    ended_on: dt.date | None,
    reason: str,
    note: str,
    errors: dict[str, str],
) -> None:
    before = _rows()
    with pytest.raises(InvalidInputError) as caught:
        services.appointment_end(
            user=staff, appointment_id=appointment.pk, ended_on=ended_on, reason=reason, note=note
        )
    assert caught.value.errors == errors
    appointment.refresh_from_db()
    assert (appointment.ended_on, appointment.end_reason) == (None, "")
    assert _rows() == before


def test_an_end_more_than_a_month_ahead_is_refused(staff: User, reference_data: None) -> None:
    today = dt.date.today()
    future = services.appointment_create(
        user=staff,
        data=_data(origin="", start_date=today, planned_end_date=today + dt.timedelta(days=400)),
    )
    with pytest.raises(InvalidInputError) as caught:
        services.appointment_end(
            user=staff,
            appointment_id=future.pk,
            ended_on=today + dt.timedelta(days=60),
            reason="family",
            note="転居",
        )
    assert caught.value.errors == {"ended_on": "終了日は1か月先までの日付で入力してください。"}


def test_ending_twice_is_a_conflict(staff: User, one_year: Appointment) -> None:
    services.appointment_end(
        user=staff, appointment_id=one_year.pk, ended_on=D(2026, 3, 31), reason="completed"
    )
    with pytest.raises(ConflictError):
        services.appointment_end(
            user=staff, appointment_id=one_year.pk, ended_on=D(2026, 3, 31), reason="completed"
        )
    assert AuditEvent.objects.filter(action="appointment.end").count() == 1


def test_another_organisation_cannot_end(one_year: Appointment) -> None:
    with pytest.raises(NotFoundError):
        services.appointment_end(
            user=factories.staff_of(HAKODATE),
            appointment_id=one_year.pk,
            ended_on=D(2026, 3, 31),
            reason="completed",
        )


# --- link a member's account ------------------------------------------------------------------


def test_an_imported_appointment_is_linked_to_the_members_account(
    staff: User, appointment: Appointment
) -> None:
    member = factories.user(email="Hanako.Yamada@example.jp")
    linked = services.appointment_link_member(
        user=staff, appointment_id=appointment.pk, email=" hanako.yamada@EXAMPLE.jp "
    )
    linked.refresh_from_db()
    assert linked.member == member
    assert _audit("appointment.link_member").data == {"member": member.pk}


@pytest.mark.parametrize("kind", ["staff", "unknown", "blank"])
def test_only_a_personal_account_can_be_linked(
    staff: User, appointment: Appointment, kind: str
) -> None:
    email = {"staff": "staff@ama.example.jp", "unknown": "nobody@example.jp", "blank": " "}[kind]
    with pytest.raises(InvalidInputError) as caught:
        services.appointment_link_member(user=staff, appointment_id=appointment.pk, email=email)
    assert caught.value.errors == {
        "email": "このメールアドレスで登録された個人のアカウントが見つかりません。"
    }
    appointment.refresh_from_db()
    assert appointment.member is None
    assert not AuditEvent.objects.filter(action="appointment.link_member").exists()


def test_another_organisation_cannot_link(appointment: Appointment) -> None:
    factories.user(email="member@example.jp")
    with pytest.raises(NotFoundError):
        services.appointment_link_member(
            user=factories.staff_of(OTARU), appointment_id=appointment.pk, email="member@example.jp"
        )
