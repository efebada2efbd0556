"""Scout services: only host staff, about their own published openings, to opted-in applicants,
within the per-organisation and per-applicant limits; replies, declines and who may see what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from hitonagare.accounts.models import Organisation, User
from hitonagare.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from hitonagare.core.models import AuditEvent
from hitonagare.recruiting import services
from hitonagare.recruiting.models import Message, Opening, Scout
from hitonagare.recruiting.services_scouts import (
    scout_decline,
    scout_limits,
    scout_reply,
    scout_send,
)

from . import factories

pytestmark = pytest.mark.django_db

AMA = "325252"  # 島根県海士町
NISHINOSHIMA = "325261"  # 島根県西ノ島町
BODY = "棚田の保全にご関心があると伺い、ご連絡しました。"
NOT_A_CANDIDATE = "スカウトを受け付けている応募者が見つかりません。"


@pytest.fixture
def staff() -> User:
    return factories.staff_of(AMA, email="ama-staff@example.jp")


@pytest.fixture
def opening(staff: User) -> Opening:
    return factories.opening(staff=staff)


@pytest.fixture
def applicant() -> User:
    person = factories.user(email="hanako@example.jp")
    factories.profile(person, scout_opt_in=True)
    return person


def _applicant(**profile: object) -> User:
    person = factories.user()
    factories.profile(person, **profile)
    return person


def _send(staff: User, opening: Opening, applicant: User, body: str = BODY) -> Scout:
    return scout_send(user=staff, opening_id=opening.pk, applicant_id=applicant.pk, body=body)


def _refused(error_type: type[Exception], staff: User, opening: Opening, applicant: User) -> object:
    scouts, messages = Scout.objects.count(), Message.objects.count()
    with pytest.raises(error_type) as caught:
        _send(staff, opening, applicant)
    assert (Scout.objects.count(), Message.objects.count()) == (scouts, messages)
    return caught.value


# --- sending --------------------------------------------------------------------------------


def test_send_creates_the_scout_its_first_message_an_audit_event_and_a_mail(
    staff: User, opening: Opening, applicant: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        scout = _send(staff, opening, applicant, body=f"  {BODY}  ")
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    scout.refresh_from_db()
    assert (scout.organisation, scout.opening, scout.applicant, scout.sent_by) == (
        opening.host,
        opening,
        applicant,
        staff,
    )
    assert scout.status == Scout.Status.SENT
    [message] = scout.messages.all()
    assert (message.from_staff, message.sender, message.body) == (True, staff, BODY)
    audit = AuditEvent.objects.get(action="scout.send")
    assert (audit.actor, audit.organisation, audit.object_id) == (
        staff,
        opening.host,
        str(scout.pk),
    )
    assert audit.data == {"opening": opening.pk, "applicant": applicant.pk}
    [sent] = mail.outbox
    assert sent.to == ["hanako@example.jp"]
    assert sent.subject == "[hitonagare] 海士町からスカウトが届きました"
    assert f"/me/scouts/{scout.pk}/" in sent.body


def test_only_host_staff_may_send(opening: Opening, applicant: User) -> None:
    for user in (
        _applicant(),
        factories.user(organisation=factories.other_org(Organisation.Kind.COMPANY, "株式会社A")),
        factories.user(organisation=factories.other_org(Organisation.Kind.DESK, "ふるさと窓口")),
        factories.user(organisation=factories.other_org(Organisation.Kind.MINISTRY, "総務省")),
    ):
        error = _refused(PermissionDeniedError, user, opening, applicant)
        assert error.code == "not_host_staff"


def test_only_own_openings(opening: Opening, applicant: User) -> None:
    other_staff = factories.staff_of(NISHINOSHIMA)
    error = _refused(NotFoundError, other_staff, opening, applicant)
    assert (error.code, error.message) == ("opening_not_found", "募集が見つかりません。")
    # The prefecture that can read 海士町's openings still cannot scout for them.
    prefecture_staff = factories.user(organisation=factories.prefecture_org("32"))
    assert _refused(NotFoundError, prefecture_staff, opening, applicant).code == (
        "opening_not_found"
    )
    with pytest.raises(NotFoundError):
        scout_send(
            user=opening.created_by, opening_id=999_999, applicant_id=applicant.pk, body=BODY
        )


def test_only_published_openings(staff: User, applicant: User) -> None:
    draft = factories.opening(staff=staff, publish=False)
    closed = factories.opening(staff=staff)
    services.opening_close(user=staff, opening_id=closed.pk)
    for opening in (draft, closed):
        error = _refused(ConflictError, staff, opening, applicant)
        assert (error.code, error.message) == (
            "opening_not_open",
            "公開中の募集についてだけスカウトを送れます。",
        )


def test_opted_out_applicants_look_like_unknown_ones(staff: User, opening: Opening) -> None:
    opted_out = _applicant(scout_opt_in=False)
    without_profile = factories.user()
    another_staff = factories.staff_of(NISHINOSHIMA)
    factories.profile(another_staff, scout_opt_in=True)  # a staff member with a profile
    deactivated = _applicant(scout_opt_in=True)
    User.objects.filter(pk=deactivated.pk).update(is_active=False)
    unknown = User(pk=999_999)
    for person in (opted_out, without_profile, another_staff, deactivated, unknown):
        error = _refused(NotFoundError, staff, opening, person)
        assert (error.code, error.message) == ("candidate_not_found", NOT_A_CANDIDATE)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "スカウトのメッセージを入力してください。"),
        (" \n　", "スカウトのメッセージを入力してください。"),
        ("あ" * 2001, "メッセージは2000文字以内で入力してください。"),
    ],
)
def test_body_is_required_and_bounded(
    staff: User, opening: Opening, applicant: User, body: str, message: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        _send(staff, opening, applicant, body=body)
    assert caught.value.errors == {"body": message}
    assert Scout.objects.count() == 0
    assert Message.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="scout.").exists()
    assert _send(staff, opening, applicant, body="あ" * 2000).pk


def test_one_scout_per_opening_and_applicant(
    staff: User, opening: Opening, applicant: User
) -> None:
    _send(staff, opening, applicant)
    error = _refused(ConflictError, staff, opening, applicant)
    assert (error.code, error.message) == (
        "scout_duplicate",
        "この募集についてこの方にはすでにスカウトを送っています。",
    )
    # A colleague is refused too: the rule is per opening, not per sender.
    colleague = factories.user(organisation=opening.host)
    assert _refused(ConflictError, colleague, opening, applicant).code == "scout_duplicate"
    assert AuditEvent.objects.filter(action="scout.send").count() == 1


def test_the_default_limits() -> None:
    assert scout_limits() == (100, 2)


@override_settings(HITONAGARE_SCOUTS_PER_ORGANISATION_30D=2)
def test_per_organisation_limit_over_30_days(staff: User, opening: Opening) -> None:
    first, second, third = _applicant(), _applicant(), _applicant()
    scout = _send(staff, opening, first)
    _send(staff, opening, second)
    error = _refused(ConflictError, staff, opening, third)
    assert (error.code, error.message) == (
        "scout_limit",
        "スカウトは1団体30日あたり2件までです。しばらくしてから送ってください。",
    )
    # The limit is the organisation's, not the sender's.
    colleague = factories.user(organisation=opening.host)
    assert _refused(ConflictError, colleague, opening, third).code == "scout_limit"
    # Another organisation has its own allowance.
    other_staff = factories.staff_of(NISHINOSHIMA)
    other_opening = factories.opening(
        staff=other_staff, municipality_lgcode=NISHINOSHIMA, contact="西ノ島町役場"
    )
    assert _send(other_staff, other_opening, third).pk
    # Scouts older than 30 days no longer count.
    Scout.objects.filter(pk=scout.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert _send(staff, opening, third).pk


@override_settings(HITONAGARE_SCOUTS_PER_APPLICANT_30D=1)
def test_per_applicant_limit_over_30_days(staff: User, opening: Opening, applicant: User) -> None:
    second_opening = factories.opening(staff=staff, title="空き家の活用と移住相談")
    scout = _send(staff, opening, applicant)
    error = _refused(ConflictError, staff, second_opening, applicant)
    assert (error.code, error.message) == (
        "scout_limit_applicant",
        "同じ方へのスカウトは30日あたり1件までです。",
    )
    # Someone else can still be scouted for it, and another organisation may scout this person.
    assert _send(staff, second_opening, _applicant()).pk
    other_staff = factories.staff_of(NISHINOSHIMA)
    other_opening = factories.opening(
        staff=other_staff, municipality_lgcode=NISHINOSHIMA, contact="西ノ島町役場"
    )
    assert _send(other_staff, other_opening, applicant).pk
    Scout.objects.filter(pk=scout.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert _send(staff, second_opening, applicant).pk


def test_a_recent_decline_blocks_further_scouts_from_that_organisation(
    staff: User, opening: Opening, applicant: User
) -> None:
    second_opening = factories.opening(staff=staff, title="空き家の活用と移住相談")
    scout = _send(staff, opening, applicant)
    scout_decline(user=applicant, scout_id=scout.pk)
    error = _refused(ConflictError, staff, second_opening, applicant)
    assert (error.code, error.message) == (
        "scout_declined",
        "この方は最近あなたの団体のスカウトを辞退しています。",
    )
    # Other organisations are not blocked by it.
    other_staff = factories.staff_of(NISHINOSHIMA)
    other_opening = factories.opening(
        staff=other_staff, municipality_lgcode=NISHINOSHIMA, contact="西ノ島町役場"
    )
    assert _send(other_staff, other_opening, applicant).pk
    # After 30 days the decline no longer blocks.
    Scout.objects.filter(pk=scout.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert _send(staff, second_opening, applicant).pk


# --- replies and declines -------------------------------------------------------------------


@pytest.fixture
def scout(staff: User, opening: Opening, applicant: User) -> Scout:
    return _send(staff, opening, applicant)


def test_staff_cannot_write_again_before_a_reply(scout: Scout, staff: User) -> None:
    with pytest.raises(ConflictError) as caught:
        scout_reply(user=staff, scout_id=scout.pk, body="お返事をお待ちしています。")
    assert (caught.value.code, caught.value.message) == (
        "scout_wait",
        "応募者からの返信があるまで、追加のメッセージは送れません。",
    )
    assert scout.messages.count() == 1


def test_a_reply_marks_the_scout_replied_and_opens_the_conversation(
    scout: Scout, staff: User, applicant: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reply = scout_reply(user=applicant, scout_id=scout.pk, body=" 詳しく伺いたいです。 ")
    assert (reply.from_staff, reply.sender, reply.body) == (
        False,
        applicant,
        "詳しく伺いたいです。",
    )
    scout.refresh_from_db()
    assert scout.status == Scout.Status.REPLIED
    assert [m.to[0] for m in mail.outbox] == ["ama-staff@example.jp"]
    assert mail.outbox[0].subject == "[hitonagare] スカウトに返信がありました"
    # Now staff may answer, and a colleague too; the applicant may write again.
    colleague = factories.user(organisation=scout.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        scout_reply(user=staff, scout_id=scout.pk, body="オンラインで説明会をします。")
        scout_reply(user=colleague, scout_id=scout.pk, body="日程の候補をお送りします。")
        scout_reply(user=applicant, scout_id=scout.pk, body="ありがとうございます。")
    assert list(scout.messages.values_list("from_staff", flat=True)) == [
        True,
        False,
        True,
        True,
        False,
    ]
    scout.refresh_from_db()
    assert scout.status == Scout.Status.REPLIED
    assert AuditEvent.objects.filter(action="scout.message", object_id=str(scout.pk)).count() == 4
    assert "hanako@example.jp" in [m.to[0] for m in mail.outbox]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "メッセージを入力してください。"),
        ("あ" * 2001, "メッセージは2000文字以内で入力してください。"),
    ],
)
def test_reply_body_is_checked(scout: Scout, applicant: User, body: str, message: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        scout_reply(user=applicant, scout_id=scout.pk, body=body)
    assert caught.value.errors == {"body": message}
    scout.refresh_from_db()
    assert scout.status == Scout.Status.SENT
    assert scout.messages.count() == 1


def test_the_applicant_declines(scout: Scout, staff: User, applicant: User) -> None:
    declined = scout_decline(user=applicant, scout_id=scout.pk)
    assert declined.status == Scout.Status.DECLINED
    scout.refresh_from_db()
    assert scout.status == Scout.Status.DECLINED
    audit = AuditEvent.objects.get(action="scout.decline")
    assert (audit.actor, audit.organisation, audit.object_id) == (
        applicant,
        scout.organisation,
        str(scout.pk),
    )
    # Declining twice changes nothing and records nothing more.
    assert scout_decline(user=applicant, scout_id=scout.pk).status == Scout.Status.DECLINED
    assert AuditEvent.objects.filter(action="scout.decline").count() == 1
    # Nobody can write in a declined thread.
    for user in (applicant, staff):
        with pytest.raises(ConflictError) as caught:
            scout_reply(user=user, scout_id=scout.pk, body="もう一度")
        assert caught.value.message == "辞退されたスカウトには返信できません。"
    assert scout.messages.count() == 1


def test_a_replied_scout_can_still_be_declined(scout: Scout, applicant: User) -> None:
    scout_reply(user=applicant, scout_id=scout.pk, body="質問があります。")
    assert scout_decline(user=applicant, scout_id=scout.pk).status == Scout.Status.DECLINED


def test_staff_cannot_decline_for_the_applicant(scout: Scout, staff: User) -> None:
    with pytest.raises(NotFoundError):
        scout_decline(user=staff, scout_id=scout.pk)
    scout.refresh_from_db()
    assert scout.status == Scout.Status.SENT


def test_other_people_get_not_found(scout: Scout) -> None:
    outsiders = [
        _applicant(),
        factories.staff_of(NISHINOSHIMA),
        factories.user(organisation=factories.prefecture_org("32")),
        factories.user(organisation=factories.other_org(Organisation.Kind.MINISTRY, "総務省")),
    ]
    for user in outsiders:
        with pytest.raises(NotFoundError) as caught:
            scout_reply(user=user, scout_id=scout.pk, body="こんにちは")
        assert caught.value.message == "スカウトが見つかりません。"
        with pytest.raises(NotFoundError):
            scout_decline(user=user, scout_id=scout.pk)
    with pytest.raises(NotFoundError):
        scout_reply(user=scout.applicant, scout_id=999_999, body="こんにちは")
    scout.refresh_from_db()
    assert scout.status == Scout.Status.SENT
    assert scout.messages.count() == 1
    assert not AuditEvent.objects.filter(action__in=["scout.message", "scout.decline"]).exists()
