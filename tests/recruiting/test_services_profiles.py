"""Applicant profile services: validation of every field, the address from the postal code,
one profile per person, the CV by content, export and deletion of one's own data."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from hitonagare.accounts.models import User
from hitonagare.core.errors import DomainError, InvalidInputError, PermissionDeniedError
from hitonagare.core.models import AuditEvent
from hitonagare.recruiting import rules, services_applications, services_scouts
from hitonagare.recruiting.models import (
    ApplicantProfile,
    Application,
    ApplicationEvent,
    Message,
    Scout,
)
from hitonagare.recruiting.services_profiles import (
    applicant_data_delete,
    applicant_data_export,
    profile_cv_attach,
    profile_cv_remove,
    profile_problems,
    profile_save,
)
from hitonagare.recruiting.uploads import MAX_CV_BYTES

from . import factories

pytestmark = pytest.mark.django_db

NOT_PDF = "PDFファイルではありません（ファイルの中身がPDFの形式ではありません）。"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01" + b"\x00" * 64


@pytest.fixture
def applicant() -> User:
    return factories.user(email="hanako@example.jp")


def _save_fails(user: User, **overrides: object) -> InvalidInputError:
    audits = AuditEvent.objects.count()
    with pytest.raises(InvalidInputError) as caught:
        profile_save(user=user, data=factories.profile_data(**overrides))
    assert not ApplicantProfile.objects.filter(user=user).exists()
    assert AuditEvent.objects.count() == audits
    return caught.value


# --- validation -----------------------------------------------------------------------------

FIELD_CASES = [
    ("family_name", "", "姓を入力してください。"),
    ("family_name", "　 ", "姓を入力してください。"),
    ("given_name", "", "名を入力してください。"),
    ("family_name", "山" * 41, "姓は40文字以内で入力してください。"),
    ("given_name", "花" * 41, "名は40文字以内で入力してください。"),
    ("family_kana", "", "せいを入力してください。"),
    ("given_kana", "", "めいを入力してください。"),
    ("family_kana", "ヤマダ", "ふりがなはひらがなで入力してください。"),
    ("family_kana", "yamada", "ふりがなはひらがなで入力してください。"),
    ("given_kana", "花子", "ふりがなはひらがなで入力してください。"),
    ("given_kana", "ﾊﾅｺ", "ふりがなはひらがなで入力してください。"),
    ("family_kana", "や" * 41, "せいは40文字以内で入力してください。"),
    ("birth_date", None, "生年月日を入力してください。"),
    ("phone", "", "電話番号は 090-1234-5678 のように数字とハイフンで入力してください。"),
    ("phone", "abc", "電話番号は 090-1234-5678 のように数字とハイフンで入力してください。"),
    (
        "phone",
        "90-1234-5678",
        "電話番号は 090-1234-5678 のように数字とハイフンで入力してください。",
    ),
    ("phone", "090-1234-56", "電話番号は 090-1234-5678 のように数字とハイフンで入力してください。"),
    (
        "phone",
        "+81-90-1234-5678",
        "電話番号は 090-1234-5678 のように数字とハイフンで入力してください。",
    ),
    ("postal_code", "", "郵便番号を入力してください。"),
    ("postal_code", "12345", "郵便番号「12345」は7桁（例: 100-0001）で入力してください。"),
    ("postal_code", "100-00011", "郵便番号「100-00011」は7桁（例: 100-0001）で入力してください。"),
    ("postal_code", "999-9999", "郵便番号「999-9999」は見つかりません。"),
    ("licences", ("car", "spaceship"), "資格・免許の選択肢にない値があります。"),
    ("desired_prefectures", ("48",), "希望する地域は都道府県から選んでください。"),
    ("desired_prefectures", ("00",), "希望する地域は都道府県から選んでください。"),
    ("desired_prefectures", ("1",), "希望する地域は都道府県から選んでください。"),
    ("desired_prefectures", ("tokyo",), "希望する地域は都道府県から選んでください。"),
    ("desired_prefectures", ("01",) * 48, "希望する地域が多すぎます。"),
    ("availability", "soon", "着任可能時期を選んでください。"),
    ("availability", "", "着任可能時期を選んでください。"),
    ("address_line", "あ" * 201, "町名・番地以降は200文字以内で入力してください。"),
    ("skills", "あ" * 2001, "スキル・経験は2000文字以内で入力してください。"),
    ("free_text", "あ" * 4001, "自己PRは4000文字以内で入力してください。"),
]


@pytest.mark.parametrize(("field", "value", "message"), FIELD_CASES)
def test_each_field_is_checked_and_nothing_is_written(
    applicant: User, field: str, value: object, message: str
) -> None:
    error = _save_fails(applicant, **{field: value})
    assert error.errors == {field: message}
    assert error.message == message
    assert error.field == field
    assert error.code == "invalid_input"


def test_several_errors_are_reported_together(applicant: User) -> None:
    error = _save_fails(applicant, family_kana="ヤマダ", phone="x", availability="later")
    assert error.errors == {
        "family_kana": "ふりがなはひらがなで入力してください。",
        "phone": "電話番号は 090-1234-5678 のように数字とハイフンで入力してください。",
        "availability": "着任可能時期を選んでください。",
    }
    assert error.message == "入力に3件の誤りがあります。ふりがなはひらがなで入力してください。"


@pytest.mark.parametrize(
    ("birth_date", "ok"),
    [
        (dt.date(2011, 6, 1), True),  # 15 today
        (dt.date(2011, 6, 2), False),  # 15 tomorrow
        (dt.date(1926, 6, 1), True),  # 100 today
        (dt.date(1925, 6, 2), True),  # 100 (101 tomorrow)
        (dt.date(1925, 6, 1), False),  # 101 today
        (dt.date(2030, 1, 1), False),  # not born yet
    ],
)
def test_age_must_be_15_to_100_on_the_day(birth_date: dt.date, ok: bool) -> None:
    today = dt.date(2026, 6, 1)
    errors, _ = profile_problems(factories.profile_data(birth_date=birth_date), today=today)
    if ok:
        assert "birth_date" not in errors
    else:
        assert errors["birth_date"] == "生年月日を確認してください（15歳以上100歳以下）。"


def test_age_out_of_range_is_refused_by_profile_save(applicant: User) -> None:
    error = _save_fails(applicant, birth_date=dt.date.today() - dt.timedelta(days=365 * 10))
    assert error.errors == {"birth_date": "生年月日を確認してください（15歳以上100歳以下）。"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("090-1234-5678", "090-1234-5678"),
        ("09012345678", "09012345678"),
        ("０９０ー１２３４ー５６７８", "090-1234-5678"),
        ("０９０－１２３４－５６７８", "090-1234-5678"),  # full-width hyphen-minus (Windows IME)
        ("090−1234−5678", "090-1234-5678"),  # minus sign (macOS 全角英数)
        ("090‐1234‐5678", "090-1234-5678"),  # hyphen U+2010
        (" 090-1234-5678 ", "090-1234-5678"),
        ("03-1234-5678", "03-1234-5678"),
        ("08514-2-1111", "08514-2-1111"),
    ],
)
def test_phone_forms_accepted_and_normalised(applicant: User, typed: str, stored: str) -> None:
    profile = profile_save(user=applicant, data=factories.profile_data(phone=typed))
    assert profile.phone == stored


def test_kana_may_have_long_vowel_marks_and_spaces(applicant: User) -> None:
    profile = profile_save(
        user=applicant,
        data=factories.profile_data(family_kana=" やまだ ", given_kana="はーこ　みか"),
    )
    assert (profile.family_kana, profile.given_kana) == ("やまだ", "はーこ　みか")


# --- saving ---------------------------------------------------------------------------------


def test_save_stores_every_field_and_the_municipality(applicant: User) -> None:
    profile = profile_save(user=applicant, data=factories.profile_data(licences=("car", "car")))
    profile.refresh_from_db()
    assert profile.user == applicant
    assert (profile.family_name, profile.given_name) == ("山田", "花子")
    assert profile.birth_date == dt.date(1995, 4, 1)
    assert profile.postal_code == "1000001"
    assert profile.municipality.lgcode == "131016"  # 千代田区
    assert profile.address_line == "千代田1-1"
    assert profile.licences == ["car"]
    assert profile.interests == [rules.Theme.TOURISM, rules.Theme.PRIMARY_INDUSTRY]
    assert profile.desired_prefectures == ["32", "39"]
    assert profile.availability == "3m"
    assert profile.scout_opt_in is True
    event = AuditEvent.objects.get(action="profile.create")
    assert (event.actor, event.object_id) == (applicant, str(profile.pk))


def test_a_sapporo_postal_code_stores_the_ward(applicant: User) -> None:
    profile = profile_save(user=applicant, data=factories.profile_data(postal_code="〒060-0001"))
    profile.refresh_from_db()
    assert profile.postal_code == "0600001"
    assert profile.municipality.lgcode == "011011"  # 札幌市中央区, not 札幌市 (011002)
    assert profile.municipality.parent.lgcode == "011002"


def test_update_keeps_one_profile(applicant: User) -> None:
    first = profile_save(user=applicant, data=factories.profile_data())
    second = profile_save(
        user=applicant,
        data=factories.profile_data(
            given_name="美香", postal_code="684-0403", licences=(), scout_opt_in=False
        ),
    )
    assert ApplicantProfile.objects.filter(user=applicant).count() == 1
    assert second.pk == first.pk
    second.refresh_from_db()
    assert second.given_name == "美香"
    assert second.municipality.lgcode == "325252"  # 海士町
    assert second.licences == []
    assert second.scout_opt_in is False
    assert list(
        AuditEvent.objects.filter(object_id=str(first.pk), action__startswith="profile.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["profile.create", "profile.update"]


def test_a_failed_update_leaves_the_profile_as_it_was(applicant: User) -> None:
    profile = profile_save(user=applicant, data=factories.profile_data())
    with pytest.raises(InvalidInputError):
        profile_save(user=applicant, data=factories.profile_data(given_name="", phone="x"))
    profile.refresh_from_db()
    assert (profile.given_name, profile.phone) == ("花子", "090-1234-5678")


def test_staff_and_anonymous_users_cannot_save_a_profile() -> None:
    staff = factories.staff_of("325252")
    with pytest.raises(PermissionDeniedError) as caught:
        profile_save(user=staff, data=factories.profile_data())
    assert caught.value.code == "not_applicant"
    assert caught.value.message == "この操作は応募者のアカウントでのみ行えます。"
    with pytest.raises(PermissionDeniedError):
        profile_save(user=AnonymousUser(), data=factories.profile_data())
    assert ApplicantProfile.objects.count() == 0


# --- CV -------------------------------------------------------------------------------------


def _upload(content: bytes, name: str = "rirekisho.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _cv_fails(user: User, upload: SimpleUploadedFile, message: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        profile_cv_attach(user=user, upload=upload)
    assert caught.value.errors == {"cv_file": message}
    profile = ApplicantProfile.objects.get(user=user)
    assert not profile.cv_file
    assert profile.cv_original_name == ""
    assert not AuditEvent.objects.filter(action="profile.cv_attach").exists()


def test_a_real_minimal_pdf_is_accepted(applicant: User) -> None:
    factories.profile(applicant)
    profile = profile_cv_attach(user=applicant, upload=_upload(factories.MINIMAL_PDF))
    profile.refresh_from_db()
    assert profile.cv_original_name == "rirekisho.pdf"
    assert profile.cv_file.name.endswith(".pdf")
    with profile.cv_file.open("rb") as stored:
        assert stored.read() == factories.MINIMAL_PDF
    event = AuditEvent.objects.get(action="profile.cv_attach")
    assert event.data == {"bytes": len(factories.MINIMAL_PDF)}


def test_png_bytes_named_cv_pdf_are_refused(applicant: User) -> None:
    factories.profile(applicant)
    _cv_fails(applicant, _upload(PNG, name="cv.pdf"), NOT_PDF)


def test_an_empty_file_is_refused(applicant: User) -> None:
    factories.profile(applicant)
    _cv_fails(applicant, _upload(b""), "ファイルが空です。")


def test_a_file_over_5mb_is_refused(applicant: User) -> None:
    factories.profile(applicant)
    body = b"%PDF-1.4\n" + b"0" * (MAX_CV_BYTES - 9 - 6 + 1) + b"%%EOF\n"
    assert len(body) == MAX_CV_BYTES + 1
    _cv_fails(applicant, _upload(body), "ファイルが大きすぎます（上限 5MB）。")


def test_a_file_of_exactly_5mb_is_accepted(applicant: User) -> None:
    factories.profile(applicant)
    body = b"%PDF-1.4\n" + b"0" * (MAX_CV_BYTES - 9 - 6) + b"%%EOF\n"
    assert len(body) == MAX_CV_BYTES
    assert profile_cv_attach(user=applicant, upload=_upload(body)).cv_file


def test_a_truncated_pdf_is_refused(applicant: User) -> None:
    factories.profile(applicant)
    truncated = factories.MINIMAL_PDF[: factories.MINIMAL_PDF.index(b"%%EOF")]
    _cv_fails(applicant, _upload(truncated), "PDFファイルが途中で切れているか、壊れています。")


def test_a_cv_needs_a_profile_first(applicant: User) -> None:
    with pytest.raises(DomainError) as caught:
        profile_cv_attach(user=applicant, upload=_upload(factories.MINIMAL_PDF))
    assert caught.value.code == "profile_required"


def test_replacing_a_cv_deletes_the_old_file_after_commit(
    applicant: User, django_capture_on_commit_callbacks
) -> None:
    factories.profile(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        first = profile_cv_attach(user=applicant, upload=_upload(factories.MINIMAL_PDF, "a.pdf"))
    old_name, storage = first.cv_file.name, first.cv_file.storage
    assert storage.exists(old_name)

    second_pdf = factories.MINIMAL_PDF.replace(b"%PDF-1.4", b"%PDF-1.7")
    with django_capture_on_commit_callbacks() as callbacks:
        second = profile_cv_attach(user=applicant, upload=_upload(second_pdf, "b.pdf"))
        # Not yet committed: the old file must still be there (a rollback would need it).
        assert storage.exists(old_name)
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    second.refresh_from_db()
    assert second.cv_file.name != old_name
    assert not storage.exists(old_name)
    assert storage.exists(second.cv_file.name)
    with second.cv_file.open("rb") as stored:
        assert stored.read() == second_pdf
    assert second.cv_original_name == "b.pdf"


def test_removing_a_cv_deletes_the_file_after_commit(
    applicant: User, django_capture_on_commit_callbacks
) -> None:
    factories.profile(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        profile = profile_cv_attach(user=applicant, upload=_upload(factories.MINIMAL_PDF))
    name, storage = profile.cv_file.name, profile.cv_file.storage
    with django_capture_on_commit_callbacks(execute=True):
        profile_cv_remove(user=applicant)
    profile.refresh_from_db()
    assert not profile.cv_file
    assert profile.cv_original_name == ""
    assert not storage.exists(name)
    assert AuditEvent.objects.filter(action="profile.cv_remove").count() == 1


# --- export and deletion --------------------------------------------------------------------


@pytest.fixture
def two_applicants_with_data(applicant: User) -> dict[str, object]:
    """Two applicants, each with a profile, an application with messages both ways and a scout
    with a reply, on the same opening of 海士町."""
    staff = factories.staff_of("325252", email="staff@amacho.example.jp")
    opening = factories.opening(staff=staff)
    other = factories.user(email="other@example.jp")
    result: dict[str, object] = {"staff": staff, "opening": opening, "other": other}
    for person, name in ((applicant, "花子"), (other, "太郎")):
        factories.profile(person, given_name=name)
        application = services_applications.application_submit(
            user=person, opening_id=opening.pk, motivation=f"{name}の志望動機"
        )
        services_applications.application_message_post(
            user=person, application_id=application.pk, body=f"{name}からの質問"
        )
        services_applications.application_message_post(
            user=staff, application_id=application.pk, body=f"{name}さんへの回答"
        )
        scout = services_scouts.scout_send(
            user=staff,
            opening_id=opening.pk,
            applicant_id=person.pk,
            body=f"{name}さんへのスカウト",
        )
        services_scouts.scout_reply(user=person, scout_id=scout.pk, body=f"{name}のスカウト返信")
        result[f"application_{person.pk}"] = application
        result[f"scout_{person.pk}"] = scout
    return result


def test_export_holds_only_the_users_own_data(
    applicant: User, two_applicants_with_data: dict[str, object]
) -> None:
    data = applicant_data_export(user=applicant)
    text = json.dumps(data, ensure_ascii=False)  # JSON-ready
    assert "太郎" not in text
    assert "other@example.jp" not in text
    assert data["account"]["email"] == "hanako@example.jp"
    assert data["profile"]["given_name"] == "花子"
    assert data["profile"]["municipality"] == {"lgcode": "131016", "name": "千代田区"}
    [application] = data["applications"]
    assert application["motivation"] == "花子の志望動機"
    assert application["status"] == "応募済"
    assert application["eligibility"]["symbol"] == "○"
    assert [(e["from"], e["to"]) for e in application["history"]] == [("", "applied")]
    assert [(m["from_staff"], m["body"]) for m in application["messages"]] == [
        (False, "花子からの質問"),
        (True, "花子さんへの回答"),
    ]
    [scout] = data["scouts"]
    assert scout["organisation"] == "海士町"
    assert scout["status"] == "返信あり"
    assert [m["body"] for m in scout["messages"]] == ["花子さんへのスカウト", "花子のスカウト返信"]


def test_export_without_a_profile(applicant: User) -> None:
    data = applicant_data_export(user=applicant)
    assert data["profile"] is None
    assert data["applications"] == []
    assert data["scouts"] == []


def test_staff_cannot_export_or_delete_as_applicants() -> None:
    staff = factories.staff_of("325252")
    with pytest.raises(PermissionDeniedError):
        applicant_data_export(user=staff)
    with pytest.raises(PermissionDeniedError):
        applicant_data_delete(user=staff, confirm_email=staff.email)
    assert User.objects.filter(pk=staff.pk).exists()


@pytest.mark.parametrize("typed", ["", "other@example.jp", "hanako@example.j"])
def test_delete_requires_the_right_email(
    applicant: User, two_applicants_with_data: dict[str, object], typed: str
) -> None:
    counts = (Application.objects.count(), Message.objects.count(), Scout.objects.count())
    with pytest.raises(InvalidInputError) as caught:
        applicant_data_delete(user=applicant, confirm_email=typed)
    assert caught.value.errors == {
        "confirm_email": "確認のため、登録したメールアドレスを入力してください。"
    }
    assert User.objects.filter(pk=applicant.pk).exists()
    assert ApplicantProfile.objects.filter(user=applicant).exists()
    assert (Application.objects.count(), Message.objects.count(), Scout.objects.count()) == counts
    assert not AuditEvent.objects.filter(action="applicant.delete").exists()


def test_delete_removes_everything_of_the_user_and_nothing_else(
    applicant: User, two_applicants_with_data: dict[str, object], django_capture_on_commit_callbacks
) -> None:
    other = two_applicants_with_data["other"]
    assert isinstance(other, User)
    with django_capture_on_commit_callbacks(execute=True):
        profile_cv_attach(user=applicant, upload=_upload(factories.MINIMAL_PDF))
    cv = ApplicantProfile.objects.get(user=applicant).cv_file
    cv_name, storage = cv.name, cv.storage
    user_id = applicant.pk
    application = two_applicants_with_data[f"application_{user_id}"]
    scout = two_applicants_with_data[f"scout_{user_id}"]
    other_counts = {
        "applications": Application.objects.filter(applicant=other).count(),
        "events": ApplicationEvent.objects.filter(application__applicant=other).count(),
        "app_messages": Message.objects.filter(application__applicant=other).count(),
        "scout_messages": Message.objects.filter(scout__applicant=other).count(),
        "scouts": Scout.objects.filter(applicant=other).count(),
    }
    assert other_counts == {
        "applications": 1,
        "events": 1,
        "app_messages": 2,
        "scout_messages": 2,
        "scouts": 1,
    }

    with django_capture_on_commit_callbacks(execute=True):
        applicant_data_delete(user=applicant, confirm_email="  Hanako@Example.JP ")

    assert not User.objects.filter(pk=user_id).exists()
    assert not ApplicantProfile.objects.filter(user_id=user_id).exists()
    assert not Application.objects.filter(applicant_id=user_id).exists()
    assert not ApplicationEvent.objects.filter(application_id=application.pk).exists()
    assert not Message.objects.filter(application_id=application.pk).exists()
    assert not Scout.objects.filter(applicant_id=user_id).exists()
    assert not Message.objects.filter(scout_id=scout.pk).exists()
    assert not storage.exists(cv_name)
    # The other applicant is untouched.
    assert ApplicantProfile.objects.filter(user=other).exists()
    assert {
        "applications": Application.objects.filter(applicant=other).count(),
        "events": ApplicationEvent.objects.filter(application__applicant=other).count(),
        "app_messages": Message.objects.filter(application__applicant=other).count(),
        "scout_messages": Message.objects.filter(scout__applicant=other).count(),
        "scouts": Scout.objects.filter(applicant=other).count(),
    } == other_counts
    # The audit trail keeps that a deletion happened, and nothing about the person.
    event = AuditEvent.objects.get(action="applicant.delete")
    assert event.actor is None
    assert (event.object_type, event.object_id) == ("accounts.user", str(user_id))
    assert event.data == {}
    assert not AuditEvent.objects.filter(actor_id=user_id).exists()


def test_profile_data_defaults_are_valid() -> None:
    # The factory the other tests build on passes validation as it is.
    errors, resolved = profile_problems(factories.profile_data())
    assert errors == {}
    assert resolved.municipality.lgcode == "131016"
    assert replace(factories.profile_data(), phone="x") != factories.profile_data()
