"""Openings (募集): validation with the services' Japanese messages, term bounds per program,
the host's area, status moves, the audit trail and the search index, and that nothing is
written when the input or the move is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from hitonagare.core.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from hitonagare.core.models import AuditEvent
from hitonagare.recruiting import rules, services
from hitonagare.recruiting.models import Opening
from hitonagare.recruiting.selectors import opening_search, search_params_parse

from . import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def staff(reference_data):
    """Staff of 海士町 (島根県)."""
    return factories.staff_of("325252", email="staff@ama.example.jp")


@pytest.fixture
def draft(staff):
    return factories.opening(staff=staff, publish=False)


def _rows() -> tuple[int, int, int]:
    """Openings, audit events and rows of the search index: what a refused call must not change."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM recruiting_opening_fts")
        indexed = cursor.fetchone()[0]
    return Opening.objects.count(), AuditEvent.objects.count(), indexed


def _create_errors(staff, **overrides) -> dict[str, str]:
    before = _rows()
    with pytest.raises(InvalidInputError) as caught:
        services.opening_create(user=staff, data=factories.opening_data(**overrides))
    assert _rows() == before, "a refused create wrote something"
    return caught.value.errors


def _found(q: str) -> set[int]:
    return {opening.pk for opening in opening_search(params=search_params_parse(q=q)).items}


# --- validation --------------------------------------------------------------------------------

LONG = "あ"

FIELD_CASES = [
    ({"title": ""}, "title", "タイトルを入力してください。"),
    ({"title": "   "}, "title", "タイトルを入力してください。"),
    ({"title": LONG * 81}, "title", "タイトルは80文字以内で入力してください（81文字）。"),
    ({"summary": ""}, "summary", "概要を入力してください。"),
    ({"summary": LONG * 201}, "summary", "概要は200文字以内で入力してください（201文字）。"),
    ({"description": ""}, "description", "活動内容を入力してください。"),
    (
        {"description": LONG * 6001},
        "description",
        "活動内容は6000文字以内で入力してください（6001文字）。",
    ),
    ({"selection_steps": ""}, "selection_steps", "選考の流れを入力してください。"),
    (
        {"selection_steps": LONG * 2001},
        "selection_steps",
        "選考の流れは2000文字以内で入力してください（2001文字）。",
    ),
    ({"contact": ""}, "contact", "問い合わせ先を入力してください。"),
    (
        {"contact": LONG * 301},
        "contact",
        "問い合わせ先は300文字以内で入力してください（301文字）。",
    ),
    ({"area_name": LONG * 41}, "area_name", "大字・地区は40文字以内で入力してください（41文字）。"),
    (
        {"housing_note": LONG * 201},
        "housing_note",
        "住居については200文字以内で入力してください（201文字）。",
    ),
    ({"program": ""}, "program", "制度を選んでください。"),
    ({"program": "shokuin"}, "program", "制度を選んでください。"),
    ({"themes": ()}, "themes", "テーマを1つ以上選んでください。"),
    ({"positions": 0}, "positions", "募集人数は1〜100人で入力してください。"),
    ({"positions": 101}, "positions", "募集人数は1〜100人で入力してください。"),
    ({"employment_form": ""}, "employment_form", "雇用形態を選んでください。"),
    ({"employment_form": "slave"}, "employment_form", "雇用形態を選んでください。"),
    ({"vehicle": ""}, "vehicle", "車両について選んでください。"),
    (
        {"monthly_pay_yen": -1},
        "monthly_pay_yen",
        "月額報酬は0〜2,000,000円の整数で入力してください。",
    ),
    (
        {"monthly_pay_yen": 2_000_001},
        "monthly_pay_yen",
        "月額報酬は0〜2,000,000円の整数で入力してください。",
    ),
    ({"term_unit": "decades"}, "term_unit", "期間の単位を選んでください。"),
    ({"term_value": 0}, "term_value", "期間は1以上の数で入力してください。"),
    ({"term_value": -3}, "term_value", "期間は1以上の数で入力してください。"),
    (
        {"deadline": "yesterday"},
        "deadline",
        "応募締切日は今日以降の日付にしてください。",
    ),
    (
        {"municipality_lgcode": ""},
        "municipality_lgcode",
        "活動地域の市区町村を団体コードまたは候補から選んでください。",
    ),
    (
        {"municipality_lgcode": "999999"},
        "municipality_lgcode",
        "活動地域の市区町村を団体コードまたは候補から選んでください。",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    FIELD_CASES,
    ids=[f"{c[1]}-{i}" for i, c in enumerate(FIELD_CASES)],
)
def test_each_field_is_checked_with_its_japanese_message(staff, overrides, field, message):
    if overrides.get("deadline") == "yesterday":  # the project's today (Asia/Tokyo)
        overrides = {"deadline": TODAY() - dt.timedelta(days=1)}

    errors = _create_errors(staff, **overrides)

    assert errors == {field: message}


def test_every_problem_is_reported_at_once_and_the_first_is_the_summary(staff):
    with pytest.raises(InvalidInputError) as caught:
        services.opening_create(
            user=staff, data=factories.opening_data(title="", themes=(), positions=0)
        )

    assert set(caught.value.errors) == {"title", "themes", "positions"}
    assert caught.value.message == "入力に3件の誤りがあります。タイトルを入力してください。"
    assert caught.value.status == 400


@pytest.mark.parametrize(
    "overrides",
    [
        {"positions": 1},
        {"positions": 100},
        {"monthly_pay_yen": 0},
        {"monthly_pay_yen": 2_000_000},
        {"monthly_pay_yen": None},
        {"title": LONG * 80, "summary": LONG * 200, "area_name": LONG * 40},
        {"deadline": None, "start_date": None},
        {"themes": (rules.Theme.OTHER,)},
    ],
)
def test_values_at_the_limits_are_accepted(staff, overrides):
    opening = services.opening_create(user=staff, data=factories.opening_data(**overrides))

    assert opening.pk is not None
    for name, value in overrides.items():
        if name == "themes":
            assert opening.themes == list(value)
        else:
            assert getattr(opening, name) == value


def test_the_deadline_may_be_today_and_the_start_must_come_after_it(staff):
    today = TODAY()
    assert services.opening_create(user=staff, data=factories.opening_data(deadline=today))

    same_day = _create_errors(
        staff, deadline=today + dt.timedelta(days=10), start_date=today + dt.timedelta(days=10)
    )
    before = _create_errors(
        staff, deadline=today + dt.timedelta(days=10), start_date=today + dt.timedelta(days=9)
    )
    after = services.opening_create(
        user=staff,
        data=factories.opening_data(
            deadline=today + dt.timedelta(days=10), start_date=today + dt.timedelta(days=11)
        ),
    )

    message = "着任予定日は応募締切日より後の日付にしてください。"
    assert same_day == {"start_date": message}
    assert before == {"start_date": message}
    assert after.start_date == today + dt.timedelta(days=11)


def test_text_is_stored_trimmed_and_the_search_columns_are_filled(staff):
    opening = services.opening_create(
        user=staff, data=factories.opening_data(title="  棚田の保全  ", area_name=" 豊田 ")
    )

    assert opening.title == "棚田の保全"
    assert opening.area_name == "豊田"
    assert opening.prefecture_code == "32"
    assert "棚田" in opening.search_text
    assert opening.status == Opening.Status.DRAFT
    assert opening.host.lgcode == "325252"
    assert opening.created_by == staff


# --- term bounds -------------------------------------------------------------------------------

TERMS = [
    # 協力隊: おおむね1年以上3年以下
    ("kyoryokutai", 1, "years", True),
    ("kyoryokutai", 3, "years", True),
    ("kyoryokutai", 12, "months", True),
    ("kyoryokutai", 36, "months", True),
    ("kyoryokutai", 11, "months", False),
    ("kyoryokutai", 37, "months", False),
    ("kyoryokutai", 4, "years", False),
    # 地域プロジェクトマネージャー: 1年以上3年以下
    ("pm", 1, "years", True),
    ("pm", 3, "years", True),
    ("pm", 364, "days", False),
    ("pm", 4, "years", False),
    # インターン: 2週間〜3か月
    ("intern", 2, "weeks", True),
    ("intern", 14, "days", True),
    ("intern", 3, "months", True),
    ("intern", 13, "days", False),
    ("intern", 4, "months", False),
    ("intern", 1, "years", False),
    # 起業人: 6か月〜3年
    ("kigyojin", 6, "months", True),
    ("kigyojin", 3, "years", True),
    ("kigyojin", 36, "months", True),
    ("kigyojin", 5, "months", False),
    ("kigyojin", 37, "months", False),
    # おためし: 数日程度 (1〜14日)
    ("otameshi", 1, "days", True),
    ("otameshi", 3, "days", True),
    ("otameshi", 14, "days", True),
    ("otameshi", 2, "weeks", True),
    ("otameshi", 15, "days", False),
    ("otameshi", 1, "months", False),
    # 外部デジタル人材・二地域居住: no rule in the sources, 1 day to 3 years accepted
    ("digital", 1, "days", True),
    ("digital", 3, "years", True),
    ("digital", 4, "years", False),
    ("nichiiki", 1, "days", True),
    ("nichiiki", 36, "months", True),
    ("nichiiki", 37, "months", False),
]


@pytest.mark.parametrize(("program", "value", "unit", "ok"), TERMS)
def test_term_bounds_per_program_are_inclusive(staff, program, value, unit, ok):
    data = factories.opening_data(program=program, term_value=value, term_unit=unit)

    errors, _municipality = services.opening_problems(data, host=staff.membership.organisation)

    if ok:
        assert errors == {}
    else:
        label = rules.OPENING_PROGRAM_LABELS[rules.OpeningProgram(program)]
        bounds = rules.TERM_BOUNDS[rules.OpeningProgram(program)].label()
        term = rules.Term(value, rules.TermUnit(unit)).label()
        assert errors == {"term_value": f"{label}の期間は{bounds}です（入力: {term}）。"}


def test_a_term_outside_the_program_is_refused_by_create(staff):
    errors = _create_errors(staff, program="intern", term_value=1, term_unit="years")

    assert errors == {
        "term_value": "地域おこし協力隊インターンの期間は2週間〜3か月です（入力: 1年）。"
    }


# --- the host's area ----------------------------------------------------------------------------


def test_a_municipality_recruits_for_itself_only(staff):
    errors = _create_errors(staff, municipality_lgcode="325261")  # 西ノ島町, same prefecture

    assert errors == {
        "municipality_lgcode": "西ノ島町は海士町の区域ではありません。"
        "活動地域は自団体の区域内から選んでください。"
    }


def test_a_designated_city_recruits_for_itself_and_its_wards(reference_data):
    sapporo = factories.staff_of("011002")

    whole_city = factories.opening(staff=sapporo, publish=False, municipality_lgcode="011002")
    ward = factories.opening(staff=sapporo, publish=False, municipality_lgcode="011011")
    errors = _create_errors(sapporo, municipality_lgcode="012025")

    assert whole_city.municipality.full_name == "札幌市"
    assert ward.municipality.full_name == "札幌市中央区"
    assert errors == {
        "municipality_lgcode": "函館市は札幌市の区域ではありません。"
        "活動地域は自団体の区域内から選んでください。"
    }


def test_a_prefecture_recruits_for_any_municipality_inside_it(reference_data):
    shimane = factories.prefecture_staff("32")

    inside = factories.opening(staff=shimane, publish=False, municipality_lgcode="322016")
    errors = _create_errors(shimane, municipality_lgcode="012025")

    assert inside.host.kind == "prefecture"
    assert inside.municipality.full_name == "松江市"
    assert errors == {
        "municipality_lgcode": "函館市は島根県の区域ではありません。"
        "活動地域は自団体の区域内から選んでください。"
    }


# --- who may write ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["applicant", "company", "desk", "ministry"])
def test_only_municipality_and_prefecture_staff_create_openings(reference_data, kind):
    if kind == "applicant":
        user = factories.user()
    elif kind == "ministry":
        user = factories.ministry_staff()
    else:
        user = factories.user(organisation=factories.other_org(kind, f"テスト{kind}"))
    before = _rows()

    with pytest.raises(PermissionDeniedError) as caught:
        services.opening_create(user=user, data=factories.opening_data())

    assert caught.value.message == "募集を扱えるのは市区町村・都道府県の職員です。"
    assert _rows() == before


@pytest.mark.parametrize("who", ["other_municipality", "own_prefecture", "other_prefecture"])
def test_staff_of_another_organisation_cannot_change_an_opening(staff, draft, who):
    user = {
        "other_municipality": lambda: factories.staff_of("325261"),
        # A prefecture reads its municipalities' openings but does not change them.
        "own_prefecture": lambda: factories.prefecture_staff("32"),
        "other_prefecture": lambda: factories.prefecture_staff("01"),
    }[who]()
    before = _rows()

    for call in (
        lambda: services.opening_update(
            user=user, opening_id=draft.pk, data=factories.opening_data(title="乗っ取り")
        ),
        lambda: services.opening_publish(user=user, opening_id=draft.pk),
        lambda: services.opening_close(user=user, opening_id=draft.pk),
        lambda: services.opening_end(user=user, opening_id=draft.pk),
    ):
        with pytest.raises(NotFoundError) as caught:
            call()
        assert caught.value.message == "募集が見つかりません。"

    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("棚田の保全と農業体験の企画", Opening.Status.DRAFT)
    assert _rows() == before


# --- update -------------------------------------------------------------------------------------


def test_update_changes_the_opening_and_records_it(staff, draft):
    services.opening_update(
        user=staff,
        opening_id=draft.pk,
        data=factories.opening_data(title="牡蠣の養殖と加工", positions=2),
    )

    draft.refresh_from_db()
    assert (draft.title, draft.positions) == ("牡蠣の養殖と加工", 2)
    event = AuditEvent.objects.filter(object_id=str(draft.pk), action="opening.update").get()
    assert event.actor == staff
    assert event.data["title"] == "牡蠣の養殖と加工"


def test_invalid_update_writes_nothing(staff, draft):
    before = _rows()

    with pytest.raises(InvalidInputError) as caught:
        services.opening_update(
            user=staff, opening_id=draft.pk, data=factories.opening_data(title="", positions=500)
        )

    assert caught.value.errors == {
        "title": "タイトルを入力してください。",
        "positions": "募集人数は1〜100人で入力してください。",
    }
    draft.refresh_from_db()
    assert (draft.title, draft.positions) == ("棚田の保全と農業体験の企画", 1)
    assert _rows() == before


def test_an_unchanged_past_deadline_may_stay_but_a_new_one_may_not_be_past(staff):
    opening = factories.opening(staff=staff)
    services.opening_close(user=staff, opening_id=opening.pk)
    opening = factories.backdate_deadline(opening, days=3)

    services.opening_update(
        user=staff,
        opening_id=opening.pk,
        data=factories.opening_data(title="締切後の修正", deadline=opening.deadline),
    )
    with pytest.raises(InvalidInputError) as caught:
        services.opening_update(
            user=staff,
            opening_id=opening.pk,
            data=factories.opening_data(deadline=opening.deadline - dt.timedelta(days=1)),
        )

    opening.refresh_from_db()
    assert opening.title == "締切後の修正"
    assert caught.value.errors == {"deadline": "応募締切日は今日以降の日付にしてください。"}


def test_an_ended_opening_cannot_be_edited(staff, draft):
    services.opening_end(user=staff, opening_id=draft.pk)
    before = _rows()

    with pytest.raises(ConflictError) as caught:
        services.opening_update(
            user=staff, opening_id=draft.pk, data=factories.opening_data(title="再利用")
        )

    assert caught.value.message == "終了した募集は編集できません。"
    assert caught.value.status == 409
    assert _rows() == before


# --- status moves -------------------------------------------------------------------------------

MOVE = {
    "published": services.opening_publish,
    "closed": services.opening_close,
    "ended": services.opening_end,
}


def _opening_in(staff, status: str) -> Opening:
    opening = factories.opening(staff=staff, publish=False)
    path = {
        "draft": [],
        "published": ["published"],
        "closed": ["published", "closed"],
        "ended": ["ended"],
    }[status]
    for step in path:
        MOVE[step](user=staff, opening_id=opening.pk)
    opening.refresh_from_db()
    assert opening.status == status
    return opening


ALLOWED = {
    ("draft", "published"),
    ("draft", "ended"),
    ("published", "closed"),
    ("published", "ended"),
    ("closed", "published"),
    ("closed", "ended"),
}
LABELS = {"draft": "下書き", "published": "公開", "closed": "締切", "ended": "終了"}


@pytest.mark.parametrize("start", ["draft", "published", "closed", "ended"])
@pytest.mark.parametrize("target", ["published", "closed", "ended"])
def test_status_moves_are_allowed_or_refused(staff, start, target):
    opening = _opening_in(staff, start)
    before = _rows()

    if (start, target) in ALLOWED:
        MOVE[target](user=staff, opening_id=opening.pk)
        opening.refresh_from_db()
        assert opening.status == target
        event = AuditEvent.objects.filter(object_id=str(opening.pk)).order_by("-id").first()
        assert event.action == f"opening.{target}"
        assert event.data == {"from": start, "reason": ""}
        assert event.actor == staff
        assert event.organisation == staff.membership.organisation
    else:
        with pytest.raises(ConflictError) as caught:
            MOVE[target](user=staff, opening_id=opening.pk)
        assert caught.value.code == "opening_status"
        assert caught.value.message == (
            f"「{LABELS[start]}」の募集を「{LABELS[target]}」にはできません。"
        )
        opening.refresh_from_db()
        assert opening.status == start
        assert _rows() == before


@pytest.mark.parametrize(
    ("status", "targets"),
    [
        ("draft", ["published", "ended"]),
        ("published", ["closed", "ended"]),
        ("closed", ["published", "ended"]),
        ("ended", []),
    ],
)
def test_status_targets_match_the_moves(status, targets):
    assert [t.value for t in services.opening_status_targets(status)] == targets
    assert {(status, t) for t in targets} == {pair for pair in ALLOWED if pair[0] == status}


def test_publishing_with_a_past_deadline_is_refused(staff, draft):
    factories.backdate_deadline(draft)
    before = _rows()

    with pytest.raises(ConflictError) as caught:
        services.opening_publish(user=staff, opening_id=draft.pk)

    assert caught.value.code == "opening_deadline_passed"
    assert (
        caught.value.message == "応募締切日が過ぎています。締切日を変更してから公開してください。"
    )
    draft.refresh_from_db()
    assert draft.status == Opening.Status.DRAFT
    assert draft.published_at is None
    assert _rows() == before


def test_republishing_a_closed_opening_with_a_past_deadline_is_refused(staff):
    opening = _opening_in(staff, "closed")
    factories.backdate_deadline(opening)

    with pytest.raises(ConflictError):
        services.opening_publish(user=staff, opening_id=opening.pk)

    opening.refresh_from_db()
    assert opening.status == Opening.Status.CLOSED


def test_publish_close_and_republish_keep_the_first_publication_time(staff, draft):
    published = services.opening_publish(user=staff, opening_id=draft.pk)
    first = published.published_at
    closed = services.opening_close(user=staff, opening_id=draft.pk)
    assert closed.closed_at is not None
    again = services.opening_publish(user=staff, opening_id=draft.pk)

    assert first is not None
    assert again.published_at == first
    assert again.closed_at is None
    ended = services.opening_end(user=staff, opening_id=draft.pk)
    assert ended.closed_at is not None


# --- audit trail ---------------------------------------------------------------------------------


def test_every_write_leaves_an_audit_event(staff):
    opening = services.opening_create(user=staff, data=factories.opening_data())
    services.opening_update(
        user=staff, opening_id=opening.pk, data=factories.opening_data(title="更新後")
    )
    services.opening_publish(user=staff, opening_id=opening.pk)
    services.opening_close(user=staff, opening_id=opening.pk)
    services.opening_publish(user=staff, opening_id=opening.pk)
    services.opening_end(user=staff, opening_id=opening.pk)

    events = list(
        AuditEvent.objects.filter(object_type="recruiting.opening", object_id=str(opening.pk))
        .order_by("at", "id")
        .values_list("action", "actor_id", "organisation_id")
    )
    host = staff.membership.organisation_id
    assert events == [
        ("opening.create", staff.pk, host),
        ("opening.update", staff.pk, host),
        ("opening.published", staff.pk, host),
        ("opening.closed", staff.pk, host),
        ("opening.published", staff.pk, host),
        ("opening.ended", staff.pk, host),
    ]
    created = AuditEvent.objects.get(object_id=str(opening.pk), action="opening.create")
    assert sorted(created.data["themes"]) == [
        int(rules.Theme.TOURISM),
        int(rules.Theme.PRIMARY_INDUSTRY),
    ]
    assert created.data["deadline"] == factories.opening_data().deadline.isoformat()
    assert "description" not in created.data


# --- search index --------------------------------------------------------------------------------


def test_the_search_finds_an_opening_only_while_it_is_published(staff):
    opening = services.opening_create(
        user=staff, data=factories.opening_data(title="隠岐の牡蠣養殖の担い手")
    )
    assert opening.pk not in _found("牡蠣養殖")  # a draft is never found

    services.opening_publish(user=staff, opening_id=opening.pk)
    assert _found("牡蠣養殖") == {opening.pk}
    assert _found("牡蠣") == {opening.pk}

    services.opening_close(user=staff, opening_id=opening.pk)
    assert _found("牡蠣養殖") == set()

    services.opening_publish(user=staff, opening_id=opening.pk)
    assert _found("牡蠣養殖") == {opening.pk}

    services.opening_end(user=staff, opening_id=opening.pk)
    assert _found("牡蠣養殖") == set()


def test_editing_a_published_opening_updates_the_index(staff):
    opening = factories.opening(staff=staff, title="隠岐の牡蠣養殖の担い手")

    services.opening_update(
        user=staff,
        opening_id=opening.pk,
        data=factories.opening_data(title="岩がきのブランド化", summary="島の岩がきを売ります"),
    )

    assert _found("岩がき") == {opening.pk}
    assert _found("牡蠣養殖") == set()


# --- closing past deadlines ----------------------------------------------------------------------


def test_close_past_deadline_closes_only_published_openings_before_today(staff):
    past = factories.backdate_deadline(factories.opening(staff=staff, title="過ぎた募集"))
    today = factories.opening(staff=staff, deadline=TODAY())
    future = factories.opening(staff=staff)
    no_deadline = factories.opening(staff=staff, deadline=None)
    draft_past = factories.backdate_deadline(factories.opening(staff=staff, publish=False))

    assert [o.pk for o in services.openings_due_for_closing()] == [past.pk]
    assert services.openings_close_past_deadline() == 1
    assert services.openings_close_past_deadline() == 0

    statuses = dict(Opening.objects.values_list("id", "status"))
    assert statuses[past.pk] == "closed"
    assert {statuses[o.pk] for o in (today, future, no_deadline)} == {"published"}
    assert statuses[draft_past.pk] == "draft"
    event = AuditEvent.objects.filter(object_id=str(past.pk)).order_by("-id").first()
    assert (event.action, event.actor_id) == ("opening.closed", None)
    assert event.data == {"from": "published", "reason": "deadline"}
    assert _found("過ぎた募集") == set()


def test_close_past_deadline_takes_the_day_to_compare_with(staff):
    opening = factories.opening(staff=staff, deadline=TODAY() + dt.timedelta(days=5))

    assert services.openings_close_past_deadline(today=TODAY() + dt.timedelta(days=5)) == 0
    assert services.openings_close_past_deadline(today=TODAY() + dt.timedelta(days=6)) == 1

    opening.refresh_from_db()
    assert opening.status == Opening.Status.CLOSED


def test_control_characters_in_text_fields_are_refused_and_nothing_is_written(reference_data):
    from hitonagare.core.errors import InvalidInputError
    from hitonagare.recruiting.models import Opening
    from hitonagare.recruiting.services import opening_create

    staff = factories.user(organisation=factories.municipality_org("325252"))
    with pytest.raises(InvalidInputError) as caught:
        opening_create(user=staff, data=factories.opening_data(description="棚田\x00の保全"))
    assert caught.value.errors["description"] == "活動内容に使えない制御文字が含まれています。"
    assert not Opening.objects.exists()
