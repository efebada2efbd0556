"""Application services: submit (snapshot, 地域要件 decision, one per person), the states moved
by the right party only, the thread, and two submissions at once on a real database."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from hitonagare.accounts.models import Organisation, User
from hitonagare.core.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from hitonagare.core.models import AuditEvent
from hitonagare.recruiting import services, services_applications
from hitonagare.recruiting.models import (
    ApplicantProfile,
    Application,
    ApplicationEvent,
    Message,
    Opening,
)
from hitonagare.recruiting.services_applications import (
    application_message_post,
    application_messages_mark_read,
    application_submit,
    application_transition,
)
from hitonagare.recruiting.services_profiles import profile_save

from . import factories

AMA = "325252"  # 島根県海士町
SHINJUKU = "131041"  # 東京都新宿区
MOTIVATION = "島の暮らしと棚田の保全に関わりたいと考えています。"

# The concurrency test at the end overrides this with transaction=True (closest mark wins).
pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db: None) -> User:
    return factories.staff_of(AMA, email="ama-staff@example.jp")


@pytest.fixture
def opening(staff: User) -> Opening:
    return factories.opening(staff=staff)


@pytest.fixture
def applicant(db: None) -> User:
    person = factories.user(email="hanako@example.jp")
    factories.profile(person)  # 千代田区 100-0001
    return person


def _submit(user: User, opening: Opening, motivation: str = MOTIVATION) -> Application:
    return application_submit(user=user, opening_id=opening.pk, motivation=motivation)


def _nothing_written() -> None:
    assert Application.objects.count() == 0
    assert ApplicationEvent.objects.count() == 0
    assert not AuditEvent.objects.filter(action="application.submit").exists()


# --- submit ---------------------------------------------------------------------------------


def test_submit_stores_the_application_history_and_audit(applicant: User, opening: Opening) -> None:
    application = _submit(applicant, opening, motivation=f"  {MOTIVATION}\n")
    application.refresh_from_db()
    assert application.opening == opening
    assert application.applicant == applicant
    assert application.status == "applied"
    assert application.motivation == MOTIVATION
    [event] = ApplicationEvent.objects.filter(application=application)
    assert (event.from_status, event.to_status, event.actor) == ("", "applied", applicant)
    audit = AuditEvent.objects.get(action="application.submit")
    assert audit.actor == applicant
    assert audit.organisation == opening.host
    assert audit.object_id == str(application.pk)
    assert audit.data == {"opening": opening.pk}


def test_the_snapshot_does_not_follow_later_profile_edits(
    applicant: User, opening: Opening
) -> None:
    application = _submit(applicant, opening)
    snapshot = dict(application.profile_snapshot)
    assert snapshot["family_name"] == "山田"
    assert snapshot["given_name"] == "花子"
    assert snapshot["email"] == "hanako@example.jp"
    assert snapshot["has_cv"] is False
    assert snapshot["municipality"] == {"lgcode": "131016", "name": "千代田区"}

    profile_save(
        user=applicant,
        data=factories.profile_data(
            given_name="美香", postal_code="684-0403", phone="0851-42-0000"
        ),
    )
    assert ApplicantProfile.objects.get(user=applicant).given_name == "美香"
    application.refresh_from_db()
    assert application.profile_snapshot == snapshot
    assert application.profile_snapshot["given_name"] == "花子"
    assert application.profile_snapshot["phone"] == "090-0000-0000"


def test_eligibility_from_chiyoda_to_amacho_is_a_circle(applicant: User, opening: Opening) -> None:
    eligibility = _submit(applicant, opening).eligibility
    assert eligibility is not None
    assert eligibility["program"] == "kyoryokutai"
    assert eligibility["symbol"] == "○"
    assert eligibility["eligible"] is True
    assert eligibility["status_label"] == "対象"
    assert eligibility["from"]["lgcode"] == "131016"
    assert eligibility["to"]["lgcode"] == AMA
    assert eligibility["as_of"] == timezone.localdate().isoformat()


def test_eligibility_metro_to_metro_is_not_eligible(applicant: User) -> None:
    shinjuku_staff = factories.staff_of(SHINJUKU)
    opening = factories.opening(
        staff=shinjuku_staff, municipality_lgcode=SHINJUKU, contact="新宿区役所 03-0000-0000"
    )
    assert opening.host.lgcode == SHINJUKU
    eligibility = _submit(applicant, opening).eligibility
    assert eligibility is not None
    assert eligibility["eligible"] is False
    assert eligibility["from"]["lgcode"] == "131016"
    assert eligibility["to"]["lgcode"] == SHINJUKU


def test_eligibility_within_the_same_municipality_is_not_eligible(opening: Opening) -> None:
    islander = factories.user()
    factories.profile(islander, lgcode=AMA, postal_code="6840403")
    eligibility = _submit(islander, opening).eligibility
    assert eligibility is not None
    assert eligibility["eligible"] is False
    assert any("同じ市町村" in reason for reason in eligibility["reasons"])


def test_eligibility_from_a_ward_is_judged_for_its_city(opening: Opening) -> None:
    sapporo = factories.user()
    profile_save(user=sapporo, data=factories.profile_data(postal_code="060-0001"))
    eligibility = _submit(sapporo, opening).eligibility
    assert eligibility is not None
    assert eligibility["from"]["lgcode"] == "011002"  # 札幌市, the unit the 地域要件 judges
    assert eligibility["from"]["ward"] == "札幌市中央区"
    assert eligibility["from"]["postal_code"] == "0600001"
    assert eligibility["eligible"] is True


@pytest.mark.parametrize("program", ["digital", "nichiiki"])
def test_no_eligibility_for_programs_without_an_area_requirement(
    applicant: User, staff: User, program: str
) -> None:
    opening = factories.opening(staff=staff, program=program, term_value=1, term_unit="years")
    application = _submit(applicant, opening)
    assert application.eligibility is None


def test_one_application_per_opening_per_person(applicant: User, opening: Opening) -> None:
    _submit(applicant, opening)
    with pytest.raises(ConflictError) as caught:
        _submit(applicant, opening, motivation="もう一度")
    assert caught.value.code == "already_applied"
    assert caught.value.message == "この募集にはすでに応募しています。"
    assert Application.objects.filter(applicant=applicant).count() == 1
    assert ApplicationEvent.objects.count() == 1
    # Another person may still apply to it, and this person to another opening.
    other = factories.user()
    factories.profile(other)
    _submit(other, opening)
    second = factories.opening(staff=opening.created_by, title="空き家の活用")
    _submit(applicant, second)
    assert Application.objects.count() == 3


def test_a_draft_opening_is_not_found(applicant: User, staff: User) -> None:
    draft = factories.opening(staff=staff, publish=False)
    with pytest.raises(NotFoundError) as caught:
        _submit(applicant, draft)
    assert caught.value.message == "募集が見つかりません。"
    with pytest.raises(NotFoundError):
        application_submit(user=applicant, opening_id=999_999, motivation=MOTIVATION)
    _nothing_written()


def test_closed_and_ended_openings_are_refused(applicant: User, staff: User) -> None:
    closed = factories.opening(staff=staff)
    services.opening_close(user=staff, opening_id=closed.pk)
    ended = factories.opening(staff=staff)
    services.opening_end(user=staff, opening_id=ended.pk)
    for opening in (closed, ended):
        with pytest.raises(ConflictError) as caught:
            _submit(applicant, opening)
        assert caught.value.code == "opening_not_open"
        assert caught.value.message == "この募集は締め切られています。"
    _nothing_written()


def test_a_published_opening_past_its_deadline_is_refused(
    applicant: User, opening: Opening
) -> None:
    # Published, but the nightly close has not run yet.
    Opening.objects.filter(pk=opening.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(ConflictError) as caught:
        _submit(applicant, opening)
    assert caught.value.code == "opening_not_open"
    _nothing_written()
    # The deadline day itself is still open.
    Opening.objects.filter(pk=opening.pk).update(deadline=timezone.localdate())
    assert _submit(applicant, opening).pk


@pytest.mark.parametrize(
    ("motivation", "message"),
    [
        ("", "志望動機を入力してください。"),
        (" \n　", "志望動機を入力してください。"),
        ("あ" * 4001, "志望動機は4000文字以内で入力してください。"),
    ],
)
def test_motivation_is_required_and_bounded(
    applicant: User,
    opening: Opening,
    motivation: str,
    message: str,
    django_capture_on_commit_callbacks,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(InvalidInputError) as caught,
    ):
        _submit(applicant, opening, motivation=motivation)
    assert caught.value.errors == {"motivation": message}
    _nothing_written()
    assert mail.outbox == []


def test_motivation_of_exactly_4000_characters_is_accepted(
    applicant: User, opening: Opening
) -> None:
    assert len(_submit(applicant, opening, motivation="あ" * 4000).motivation) == 4000


def test_a_profile_is_needed_and_staff_cannot_apply(opening: Opening, staff: User) -> None:
    without_profile = factories.user()
    with pytest.raises(DomainError) as caught:
        _submit(without_profile, opening)
    assert caught.value.code == "profile_required"
    with pytest.raises(PermissionDeniedError):
        _submit(staff, opening)
    _nothing_written()


def test_host_staff_are_mailed_after_commit(
    applicant: User, opening: Opening, django_capture_on_commit_callbacks
) -> None:
    second = factories.user(email="ama-2@example.jp", organisation=opening.host)
    factories.staff_of(SHINJUKU, email="shinjuku@example.jp")
    with django_capture_on_commit_callbacks() as callbacks:
        application = _submit(applicant, opening)
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        ["ama-staff@example.jp", second.email]
    )
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert mail.outbox[0].subject == f"[hitonagare] 新しい応募: {opening.title}"
    assert f"/staff/applications/{application.pk}/" in mail.outbox[0].body


# --- transitions ----------------------------------------------------------------------------


@pytest.fixture
def application(applicant: User, opening: Opening) -> Application:
    return _submit(applicant, opening)


def _move(user: User, application: Application, to: str, note: str = "") -> Application:
    return application_transition(user=user, application_id=application.pk, to_status=to, note=note)


def _history(application: Application) -> list[tuple[str, str, int | None]]:
    return list(
        ApplicationEvent.objects.filter(application=application)
        .order_by("at", "id")
        .values_list("from_status", "to_status", "actor_id")
    )


def test_full_path_to_accepted(
    application: Application, staff: User, applicant: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _move(staff, application, "screening", note=" 書類OK ")
        _move(staff, application, "interview")
        _move(staff, application, "offered")
        final = _move(applicant, application, "accepted")
    assert final.status == "accepted"
    application.refresh_from_db()
    assert application.status == "accepted"
    assert _history(application) == [
        ("", "applied", applicant.pk),
        ("applied", "screening", staff.pk),
        ("screening", "interview", staff.pk),
        ("interview", "offered", staff.pk),
        ("offered", "accepted", applicant.pk),
    ]
    assert ApplicationEvent.objects.get(to_status="screening").note == "書類OK"
    audits = AuditEvent.objects.filter(action="application.transition").order_by("id")
    assert [a.data for a in audits] == [
        {"from": "applied", "to": "screening"},
        {"from": "screening", "to": "interview"},
        {"from": "interview", "to": "offered"},
        {"from": "offered", "to": "accepted"},
    ]
    assert all(a.organisation_id == application.opening.host_id for a in audits)
    # Staff moves are mailed to the applicant, the applicant's to the host's staff.
    subjects = [(m.to[0], m.subject) for m in mail.outbox]
    assert ("hanako@example.jp", "[hitonagare] 応募の状況が「内定」になりました") in subjects
    assert (
        "ama-staff@example.jp",
        f"[hitonagare] 応募者が「承諾」にしました: {application.opening.title}",
    ) in subjects


@pytest.mark.parametrize(
    "path",
    [
        [("staff", "rejected")],
        [("staff", "screening"), ("staff", "offered"), ("applicant", "declined")],
        [("staff", "screening"), ("staff", "rejected")],
        [("staff", "screening"), ("staff", "interview"), ("staff", "rejected")],
        [("applicant", "withdrawn")],
        [("staff", "screening"), ("applicant", "withdrawn")],
        [("staff", "screening"), ("staff", "interview"), ("applicant", "withdrawn")],
    ],
)
def test_other_paths_by_the_right_party(
    application: Application, staff: User, applicant: User, path: list[tuple[str, str]]
) -> None:
    users = {"staff": staff, "applicant": applicant}
    for who, to in path:
        _move(users[who], application, to)
    application.refresh_from_db()
    assert application.status == path[-1][1]
    assert [to for _, to, _ in _history(application)] == ["applied"] + [to for _, to in path]


@pytest.mark.parametrize(
    ("setup", "who", "to", "message"),
    [
        ([], "applicant", "screening", "「書類選考中」への変更は募集団体の職員だけが行えます。"),
        ([], "staff", "withdrawn", "「取り下げ」への変更は応募者だけが行えます。"),
        ([], "staff", "offered", "「応募済」から「内定」には変更できません。"),
        ([], "staff", "accepted", "「応募済」から「承諾」には変更できません。"),
        ([], "staff", "applied", "「応募済」から「応募済」には変更できません。"),
        (["screening", "offered"], "staff", "accepted", "「承諾」への変更は応募者だけが行えます。"),
        (
            ["screening", "offered"],
            "applicant",
            "withdrawn",
            "「内定」から「取り下げ」には変更できません。",
        ),
    ],
)
def test_wrong_moves_are_refused_with_a_message(
    application: Application,
    staff: User,
    applicant: User,
    setup: list[str],
    who: str,
    to: str,
    message: str,
) -> None:
    for step in setup:
        _move(staff, application, step)
    before = Application.objects.get(pk=application.pk).status
    events = ApplicationEvent.objects.count()
    with pytest.raises(ConflictError) as caught:
        _move({"staff": staff, "applicant": applicant}[who], application, to)
    assert caught.value.code == "bad_transition"
    assert caught.value.message == message
    application.refresh_from_db()
    assert application.status == before
    assert ApplicationEvent.objects.count() == events


def test_an_unknown_status_and_a_long_note_are_refused(
    application: Application, staff: User
) -> None:
    with pytest.raises(DomainError) as caught:
        _move(staff, application, "hired")
    assert (caught.value.code, caught.value.field) == ("unknown_status", "to_status")
    assert caught.value.message == "変更先の状態が正しくありません。"
    with pytest.raises(InvalidInputError) as long_note:
        _move(staff, application, "screening", note="あ" * 501)
    assert long_note.value.errors == {"note": "メモは500文字以内で入力してください。"}
    application.refresh_from_db()
    assert application.status == "applied"
    assert _move(staff, application, "screening", note="あ" * 500).status == "screening"


@pytest.mark.parametrize(
    "path",
    [
        [("staff", "rejected")],
        [("applicant", "withdrawn")],
        [("staff", "screening"), ("staff", "offered"), ("applicant", "accepted")],
        [("staff", "screening"), ("staff", "offered"), ("applicant", "declined")],
    ],
)
def test_terminal_states_are_frozen(
    application: Application, staff: User, applicant: User, path: list[tuple[str, str]]
) -> None:
    users = {"staff": staff, "applicant": applicant}
    for who, to in path:
        _move(users[who], application, to)
    final = path[-1][1]
    events = ApplicationEvent.objects.count()
    for user in (staff, applicant):
        for to in (
            "applied",
            "screening",
            "interview",
            "offered",
            "accepted",
            "declined",
            "rejected",
            "withdrawn",
        ):
            with pytest.raises(ConflictError):
                _move(user, application, to)
    application.refresh_from_db()
    assert application.status == final
    assert ApplicationEvent.objects.count() == events


def test_outsiders_get_not_found_on_transition(application: Application) -> None:
    outsiders = {
        "other municipality": factories.staff_of(SHINJUKU),
        # 島根県 staff may read 海士町's applications but never move them.
        "prefecture": factories.user(organisation=factories.prefecture_org("32")),
        "ministry": factories.user(
            organisation=factories.other_org(Organisation.Kind.MINISTRY, "総務省")
        ),
        "company": factories.user(
            organisation=factories.other_org(Organisation.Kind.COMPANY, "株式会社ひとなかれ")
        ),
        "other applicant": factories.user(),
    }
    for name, user in outsiders.items():
        for to in ("screening", "withdrawn"):
            with pytest.raises(NotFoundError) as caught:
                _move(user, application, to)
            assert caught.value.message == "応募が見つかりません。", name
    with pytest.raises(NotFoundError):
        application_transition(
            user=application.applicant, application_id=999_999, to_status="withdrawn"
        )
    application.refresh_from_db()
    assert application.status == "applied"
    assert ApplicationEvent.objects.filter(application=application).count() == 1


def test_a_prefecture_moves_applications_to_its_own_openings(applicant: User) -> None:
    prefecture_staff = factories.user(organisation=factories.prefecture_org("32"))
    opening = factories.opening(staff=prefecture_staff, contact="島根県 地域振興課")
    application = _submit(applicant, opening)
    assert _move(prefecture_staff, application, "screening").status == "screening"
    with pytest.raises(NotFoundError):
        _move(factories.staff_of(AMA), application, "interview")


# --- messages -------------------------------------------------------------------------------


def test_both_parties_post_in_the_thread(
    application: Application, staff: User, applicant: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = application_message_post(
            user=applicant, application_id=application.pk, body=" 住居について教えてください。 "
        )
        second = application_message_post(
            user=staff, application_id=application.pk, body="町営住宅を用意しています。"
        )
    assert (first.from_staff, first.sender, first.body) == (
        False,
        applicant,
        "住居について教えてください。",
    )
    assert (second.from_staff, second.sender) == (True, staff)
    assert list(application.messages.values_list("body", flat=True)) == [
        "住居について教えてください。",
        "町営住宅を用意しています。",
    ]
    assert AuditEvent.objects.filter(action="message.post").count() == 2
    assert sorted(m.to[0] for m in mail.outbox if "メッセージ" in m.subject) == [
        "ama-staff@example.jp",
        "hanako@example.jp",
    ]


def test_others_cannot_post_or_read(application: Application) -> None:
    for outsider in (
        factories.user(),
        factories.staff_of(SHINJUKU),
        factories.user(organisation=factories.prefecture_org("32")),
    ):
        with pytest.raises(NotFoundError):
            application_message_post(
                user=outsider, application_id=application.pk, body="こんにちは"
            )
        with pytest.raises(NotFoundError):
            application_messages_mark_read(user=outsider, application_id=application.pk)
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "メッセージを入力してください。"),
        ("  \n ", "メッセージを入力してください。"),
        ("あ" * 4001, "メッセージは4000文字以内で入力してください。"),
    ],
)
def test_empty_or_too_long_messages_are_refused(
    application: Application, staff: User, applicant: User, body: str, message: str
) -> None:
    for user in (applicant, staff):
        with pytest.raises(InvalidInputError) as caught:
            application_message_post(user=user, application_id=application.pk, body=body)
        assert caught.value.errors == {"body": message}
    assert Message.objects.count() == 0
    assert not AuditEvent.objects.filter(action="message.post").exists()


def test_mark_read_marks_only_the_other_partys_messages(
    application: Application, staff: User, applicant: User
) -> None:
    def post(user: User, body: str) -> Message:
        return application_message_post(user=user, application_id=application.pk, body=body)

    mine = [post(applicant, "質問1"), post(applicant, "質問2")]
    theirs = [post(staff, "回答1"), post(staff, "回答2"), post(staff, "回答3")]

    assert application_messages_mark_read(user=applicant, application_id=application.pk) == 3
    assert all(Message.objects.get(pk=m.pk).read_at is not None for m in theirs)
    assert all(Message.objects.get(pk=m.pk).read_at is None for m in mine)
    # Already read: nothing more to mark.
    assert application_messages_mark_read(user=applicant, application_id=application.pk) == 0

    assert application_messages_mark_read(user=staff, application_id=application.pk) == 2
    assert all(Message.objects.get(pk=m.pk).read_at is not None for m in mine)


# --- two submissions at once ----------------------------------------------------------------


@pytest.fixture
def committed_reference_rows(transactional_db: None) -> None:
    """A transactional test starts from what the previous one left: pytest-django flushes every
    table after each, so make sure the reference data are there."""
    from hitonagare.regions.models import Designation
    from hitonagare.regions.services import reference_data_load

    if Designation.objects.count() != 1741:
        reference_data_load(commit=True)


# Every installed app stays available; naming them makes Django's flush after the test use
# TRUNCATE … CASCADE, which PostgreSQL needs because the raw search table
# recruiting_opening_fts (not a model, so not in the flush list) references recruiting_opening.
ALL_APPS = [config.name for config in django_apps.get_app_configs()]


@pytest.mark.django_db(transaction=True, available_apps=ALL_APPS)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason=(
        "SQLite (the in-memory test database) allows one writer at a time: a second thread's "
        "write transaction fails with 'database table is locked' instead of racing on the "
        "unique constraint. Run with DATABASE_URL=postgres://… to exercise it."
    ),
)
def test_two_simultaneous_submissions_give_one_application(
    committed_reference_rows: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = factories.staff_of(AMA)
    opening = factories.opening(staff=staff)
    applicant = factories.user()
    factories.profile(applicant)

    # Hold both threads after their "already applied?" check and before the INSERT, so both
    # pass the check and the unique constraint alone must decide (no lucky timing).
    both_checked = threading.Barrier(2)
    real_snapshot = services_applications.profile_snapshot

    def snapshot_after_both_checked(profile: ApplicantProfile) -> dict[str, object]:
        both_checked.wait(timeout=20)
        return real_snapshot(profile)

    monkeypatch.setattr(services_applications, "profile_snapshot", snapshot_after_both_checked)

    outcomes: list[object] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            result: object = application_submit(
                user=applicant, opening_id=opening.pk, motivation=MOTIVATION
            )
        except Exception as error:
            result = error
        finally:
            connections.close_all()  # this thread's own connection
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 2, outcomes
    created = [o for o in outcomes if isinstance(o, Application)]
    refused = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(created) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert (refused[0].code, refused[0].message) == (
        "already_applied",
        "この募集にはすでに応募しています。",
    )
    [stored] = Application.objects.filter(opening=opening, applicant=applicant)
    assert stored.pk == created[0].pk
    assert ApplicationEvent.objects.filter(application__opening=opening).count() == 1
    assert AuditEvent.objects.filter(action="application.submit").count() == 1
