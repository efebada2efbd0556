"""Staff pages for openings (/staff/openings/): who sees what, the list (tabs, counts, pages,
empty state), the form (the services' messages under the fields, nothing written on error),
the detail page (status buttons, conflicts, history) and CSRF."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hitonagare.core.models import AuditEvent
from hitonagare.recruiting import services, services_applications
from hitonagare.recruiting.models import Opening

from . import factories

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    return response.content.decode("utf-8")


def _client(user=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _list_url(**query: str) -> str:
    url = reverse("recruiting_staff:openings")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _detail(opening) -> str:
    return reverse("recruiting_staff:opening", args=[opening.pk])


def _update(opening) -> str:
    return reverse("recruiting_staff:opening_update", args=[opening.pk])


def _status(opening) -> str:
    return reverse("recruiting_staff:opening_status", args=[opening.pk])


CREATE = "/staff/openings/create/"


def _post_data(**overrides: object) -> dict[str, object]:
    deadline = timezone.localdate() + dt.timedelta(days=30)
    data: dict[str, object] = {
        "program": "kyoryokutai",
        "title": "隠岐の牡蠣養殖の担い手",
        "summary": "岩がきの養殖と出荷を担当します。",
        "description": "漁協と協力して、岩がきの養殖・加工・出荷に取り組みます。",
        "themes": ["primary-industry", "local-products"],
        "positions": "2",
        "municipality_lgcode": "325252",
        "area_name": "",
        "employment_form": "appointed",
        "monthly_pay_yen": "240,000",
        "housing_support": "on",
        "housing_note": "町営住宅を貸与",
        "vehicle": "provided",
        "term_value": "3",
        "term_unit": "years",
        "start_date": "",
        "deadline": deadline.isoformat(),
        "selection_steps": "書類選考 → 面接",
        "contact": "海士町役場 交流促進課",
    }
    data.update(overrides)
    return data


@pytest.fixture
def ama(reference_data):
    """Staff of 海士町 (島根県)."""
    return factories.staff_of("325252", email="staff@ama.example.jp")


@pytest.fixture
def ama_colleague(ama):
    return factories.user(
        email="colleague@ama.example.jp", organisation=ama.membership.organisation
    )


@pytest.fixture
def nishinoshima(reference_data):
    """Staff of 西ノ島町: another municipality of the same prefecture."""
    return factories.staff_of("325261", email="staff@nishinoshima.example.jp")


@pytest.fixture
def shimane(reference_data):
    return factories.prefecture_staff("32", email="staff@pref.shimane.example.jp")


@pytest.fixture
def hokkaido(reference_data):
    return factories.prefecture_staff("01", email="staff@pref.hokkaido.example.jp")


@pytest.fixture
def ministry(reference_data):
    return factories.ministry_staff(email="staff@soumu.example.jp")


@pytest.fixture
def applicant(reference_data):
    person = factories.user(email="hanako@example.jp")
    factories.profile(person)
    return person


@pytest.fixture
def company(reference_data):
    return factories.user(organisation=factories.other_org("company", "テスト株式会社"))


@pytest.fixture
def counselor(reference_data):
    return factories.user(organisation=factories.other_org("desk", "テスト移住相談窓口"))


@pytest.fixture
def published(ama):
    return factories.opening(staff=ama, title="棚田の保全と農業体験の企画")


@pytest.fixture
def draft(ama):
    return factories.opening(staff=ama, publish=False, title="下書きの牡蠣の募集")


def _snapshot() -> list[tuple]:
    return list(Opening.objects.order_by("pk").values_list()) + list(
        AuditEvent.objects.order_by("pk").values_list("pk", "action")
    )


# --- who gets in ----------------------------------------------------------------------------------


def _urls(opening) -> list[str]:
    return [_list_url(), CREATE, _detail(opening), _update(opening)]


def test_anonymous_users_are_sent_to_the_login_page(published):
    for url in _urls(published):
        response = Client().get(url)
        assert response.status_code == 302, url
        login = reverse(settings.LOGIN_URL) if ":" in settings.LOGIN_URL else settings.LOGIN_URL
        assert response["Location"] == f"{login}?next={quote(url)}"
    before = _snapshot()
    response = Client().post(_status(published), {"action": "close"})
    assert response.status_code == 302
    assert _snapshot() == before


@pytest.mark.parametrize("who", ["applicant", "company", "counselor"])
def test_applicants_companies_and_desks_get_a_403_page(request, published, who):
    client = _client(request.getfixturevalue(who))
    for url in _urls(published):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "募集の管理は、市区町村・都道府県の職員のアカウントでのみ使えます。" in _html(
            response
        )
        assert "棚田の保全" not in _html(response)
    before = _snapshot()
    assert client.post(_status(published), {"action": "close"}).status_code == 403
    assert client.post(CREATE, _post_data()).status_code == 403
    assert _snapshot() == before


def test_host_staff_open_every_page(ama, published):
    client = _client(ama)
    for url in _urls(published):
        assert client.get(url).status_code == 200, url


def test_another_municipality_gets_404_on_the_opening_pages(nishinoshima, published, draft):
    client = _client(nishinoshima)
    before = _snapshot()
    for opening in (published, draft):
        assert client.get(_detail(opening)).status_code == 404
        assert client.get(_update(opening)).status_code == 404
        assert client.post(_update(opening), _post_data(title="乗っ取り")).status_code == 404
        for action in ("publish", "close", "end"):
            response = client.post(_status(opening), {"action": action, "confirmed": "1"})
            assert response.status_code == 404
    assert _snapshot() == before
    listing = _html(client.get(_list_url()))
    assert "棚田の保全" not in listing
    assert "下書きの牡蠣" not in listing


def test_the_prefecture_reads_its_municipalities_openings_without_acting(shimane, published, draft):
    client = _client(shimane)
    before = _snapshot()

    listing = _html(client.get(_list_url()))
    page = client.get(_detail(draft))

    assert "棚田の保全" in listing
    assert "下書きの牡蠣" in listing
    assert "海士町" in listing  # the host column
    assert page.status_code == 200
    html = _html(page)
    assert "閲覧のみ: この募集を編集・公開・締切できるのは海士町の職員です。" in html
    assert 'id="opening-actions"' not in html
    assert _update(draft) not in html
    assert client.get(_update(draft)).status_code == 404
    assert client.post(_update(draft), _post_data(title="県が書き換え")).status_code == 404
    for action in ("publish", "end"):
        response = client.post(_status(draft), {"action": action, "confirmed": "1"})
        assert response.status_code == 404
    assert _snapshot() == before


def test_a_prefecture_outside_gets_404(hokkaido, published):
    client = _client(hokkaido)

    assert client.get(_detail(published)).status_code == 404
    assert client.get(_update(published)).status_code == 404
    assert client.post(_status(published), {"action": "close"}).status_code == 404
    assert "棚田の保全" not in _html(client.get(_list_url()))
    published.refresh_from_db()
    assert published.status == Opening.Status.PUBLISHED


def test_the_ministry_reads_every_opening_but_creates_and_acts_on_none(ministry, published):
    client = _client(ministry)
    before = _snapshot()

    assert "棚田の保全" in _html(client.get(_list_url()))
    detail = client.get(_detail(published))
    create = client.get(CREATE)

    assert detail.status_code == 200
    assert "閲覧のみ" in _html(detail)
    assert create.status_code == 403
    assert "総務省のアカウントでは募集を閲覧できます。" in _html(create)
    assert client.post(CREATE, _post_data()).status_code == 403
    assert client.get(_update(published)).status_code == 403
    assert client.post(_status(published), {"action": "close"}).status_code == 403
    assert _snapshot() == before


# --- list -------------------------------------------------------------------------------------


def test_the_list_shows_the_columns_and_the_applications_count(ama, published, applicant):
    services_applications.application_submit(
        user=applicant, opening_id=published.pk, motivation="島の農業に関わりたいです。"
    )

    html = _html(_client(ama).get(_list_url()))

    row = re.search(rf'<tr>\s*<td><a href="{_detail(published)}">.*?</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(0), re.S)
    text = [re.sub(r"<[^>]+>", "", c).strip() for c in cells]
    assert text[0] == "棚田の保全と農業体験の企画"
    assert text[1] == "地域おこし協力隊"
    assert text[2] == "海士町"
    assert text[3] == "公開"
    assert text[4].endswith("日")  # 2026年1月1日
    assert text[5] == "1"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text[6])


def test_status_tabs_filter_and_count(ama, published, draft):
    closed = factories.opening(staff=ama, title="締め切った募集")
    services.opening_close(user=ama, opening_id=closed.pk)
    client = _client(ama)

    everything = _html(client.get(_list_url()))
    drafts = _html(client.get(_list_url(status="draft")))
    unknown = _html(client.get(_list_url(status="bogus")))

    for label, count in (("すべて", 3), ("下書き", 1), ("公開", 1), ("締切", 1), ("終了", 0)):
        assert re.search(rf"{label} <span class=\"muted\">\({count}\)</span>", everything), label
    assert "下書きの牡蠣の募集" in drafts
    assert "棚田の保全" not in drafts
    assert "締め切った募集" not in drafts
    assert 'href="/staff/openings/?status=draft" aria-current="page"' in drafts
    assert all(title in unknown for title in ("下書きの牡蠣", "棚田の保全", "締め切った募集"))
    ended = _html(client.get(_list_url(status="ended")))
    assert "「終了」の募集はありません。" in ended


def test_the_list_pages_by_twenty(ama):
    for n in range(23):
        factories.opening(staff=ama, publish=False, title=f"募集その{n:02d}")
    client = _client(ama)

    first = _html(client.get(_list_url()))
    second = _html(client.get(_list_url(page="2")))
    beyond = client.get(_list_url(page="99"))

    assert first.count("募集その") == 20
    assert second.count("募集その") == 3
    assert "1 / 2ページ" in first
    assert 'href="?page=2" rel="next"' in first
    assert beyond.status_code == 200  # a page past the end shows the last one
    assert _html(beyond).count("募集その") == 3
    drafts_page_2 = _html(client.get(_list_url(status="draft", page="2")))
    assert 'href="?status=draft" rel="prev"' in drafts_page_2


def test_an_empty_list_offers_to_create_the_first_opening(ama):
    html = _html(_client(ama).get(_list_url()))

    assert "まだ募集はありません。" in html
    assert html.count(f'href="{CREATE}"') == 2
    assert "新しい募集を作る" in html


# --- create ---------------------------------------------------------------------------------------


def test_the_form_defaults_to_the_own_municipality(ama):
    html = _html(_client(ama).get(CREATE))

    select = re.search(r'<select name="municipality_lgcode".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="(\d*)"', select) == ["325252"]
    assert 'value="325252" selected' in select
    assert 'type="date"' in html
    assert html.count('type="checkbox" name="themes"') == 11
    assert "資料に期間の定めがないため、1日〜3年の範囲で受け付けます。" in html
    assert (
        "地域おこし協力隊の期間は1年〜3年です（根拠: 協力隊の任期はおおむね1年以上3年以下）。"
        in html
    )


def test_a_designated_city_chooses_the_city_or_a_ward(reference_data):
    sapporo = factories.staff_of("011002")

    html = _html(_client(sapporo).get(CREATE))

    select = re.search(r'<select name="municipality_lgcode".*?</select>', html, re.S).group(0)
    codes = re.findall(r'<option value="(\d*)"', select)
    assert codes[:3] == ["", "011002", "011011"]
    assert len(codes) == 1 + 1 + 10  # the city and its ten wards
    assert 'value="011002" selected' in select


def test_a_prefecture_chooses_among_its_municipalities(shimane):
    html = _html(_client(shimane).get(CREATE))

    select = re.search(r'<select name="municipality_lgcode".*?</select>', html, re.S).group(0)
    codes = re.findall(r'<option value="(\d+)"', select)
    assert "325252" in codes
    assert "322016" in codes
    assert all(code.startswith("32") for code in codes)
    assert "島根県の区域内の市区町村から選んでください。" in html


def test_create_saves_a_draft_and_shows_it(ama):
    response = _client(ama).post(CREATE, _post_data())

    opening = Opening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(opening)
    assert opening.status == Opening.Status.DRAFT
    assert opening.monthly_pay_yen == 240000  # "240,000" read as whole yen
    assert opening.positions == 2
    assert opening.housing_support is True
    assert [t.name for t in opening.themes] == ["LOCAL_PRODUCTS", "PRIMARY_INDUSTRY"]
    assert AuditEvent.objects.filter(object_id=str(opening.pk), action="opening.create").exists()
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [
        "募集「隠岐の牡蠣養殖の担い手」を下書きとして保存しました。内容を確認して公開してください。"
    ]


def test_a_prefecture_creates_an_opening_in_its_municipality(shimane):
    response = _client(shimane).post(CREATE, _post_data(municipality_lgcode="322016"))

    assert response.status_code == 302
    opening = Opening.objects.get()
    assert opening.host == shimane.membership.organisation
    assert opening.municipality.full_name == "松江市"


def _error_of(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', html, re.S)
    assert match is not None, f"no error under {field}"
    return match.group(1)


def test_invalid_input_shows_the_services_messages_under_the_fields(ama):
    before = _snapshot()
    response = _client(ama).post(
        CREATE,
        _post_data(
            title="",
            themes=[],
            positions="0",
            program="intern",
            term_value="1",
            term_unit="years",
            deadline=(timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            monthly_pay_yen="たくさん",
            start_date="2026-13-40",
        ),
    )

    assert response.status_code == 400
    assert _snapshot() == before
    html = _html(response)
    assert _error_of(html, "title") == "タイトルを入力してください。"
    assert _error_of(html, "themes") == "テーマを1つ以上選んでください。"
    assert _error_of(html, "positions") == "募集人数は1〜100人で入力してください。"
    assert _error_of(html, "term_value") == (
        "地域おこし協力隊インターンの期間は2週間〜3か月です（入力: 1年）。"
    )
    assert _error_of(html, "deadline") == "応募締切日は今日以降の日付にしてください。"
    assert _error_of(html, "monthly_pay_yen") == (
        "月額報酬は円単位の整数で入力してください（例: 240000）。"
    )
    assert _error_of(html, "start_date") == "日付は YYYY-MM-DD の形式で入力してください。"
    # The field is marked invalid and points at its message; the summary links to it.
    title_input = re.search(r'<input type="text" name="title"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in title_input
    assert "id_title_error" in title_input
    assert '<a href="#field-title">タイトル: タイトルを入力してください。</a>' in html
    assert 'aria-describedby="id_themes_helptext id_themes_error"' in html
    # What was typed stays in the form.
    assert "岩がきの養殖と出荷を担当します。" in html
    # The term help follows the chosen program.
    assert "地域おこし協力隊インターンの期間は2週間〜3か月です（根拠" in html


def test_a_municipality_outside_the_area_is_refused_with_the_services_message(ama):
    before = _snapshot()

    response = _client(ama).post(CREATE, _post_data(municipality_lgcode="012025"))

    assert response.status_code == 400
    assert _error_of(_html(response), "municipality_lgcode") == (
        "函館市は海士町の区域ではありません。活動地域は自団体の区域内から選んでください。"
    )
    assert _snapshot() == before


# --- update -----------------------------------------------------------------------------------


def test_the_edit_form_is_filled_in_and_saves(ama, published):
    client = _client(ama)

    form = _html(client.get(_update(published)))
    response = client.post(_update(published), _post_data(title="棚田の保全（改訂）"))

    assert 'value="棚田の保全と農業体験の企画"' in form
    checked = re.findall(r'name="themes" value="([\w-]+)" id="id_themes_\d+" checked', form)
    assert checked == ["tourism", "primary-industry"]
    assert 'value="kyoryokutai" selected' in form
    assert "公開中の募集です。保存すると公開ページにすぐ反映されます。" in form
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.title == "棚田の保全（改訂）"
    assert published.status == Opening.Status.PUBLISHED


def test_an_invalid_edit_changes_nothing(ama, published):
    before = _snapshot()

    response = _client(ama).post(_update(published), _post_data(contact=""))

    assert response.status_code == 400
    assert _error_of(_html(response), "contact") == "問い合わせ先を入力してください。"
    assert _snapshot() == before


def test_an_unchanged_past_deadline_can_be_kept_when_editing(ama, published):
    services.opening_close(user=ama, opening_id=published.pk)
    opening = factories.backdate_deadline(published, days=2)

    response = _client(ama).post(
        _update(opening), _post_data(title="締切後の修正", deadline=opening.deadline.isoformat())
    )

    assert response.status_code == 302
    opening.refresh_from_db()
    assert opening.title == "締切後の修正"


def test_an_ended_opening_is_not_edited(ama, published):
    services.opening_end(user=ama, opening_id=published.pk)
    client = _client(ama)
    before = _snapshot()

    get = client.get(_update(published))
    post = client.post(_update(published), _post_data(title="再利用"))

    for response in (get, post):
        assert response.status_code == 302
        assert response["Location"] == _detail(published)
    assert "終了した募集は編集できません。" in [str(m) for m in get_messages(get.wsgi_request)]
    assert _snapshot() == before


# --- detail and status buttons -------------------------------------------------------------------


def _buttons(html: str) -> list[str]:
    """The labels of the status buttons (the actions block; none when it is absent)."""
    block = re.search(r'<div class="actions" id="opening-actions">.*?\n  </div>', html, re.S)
    if block is None:
        return []
    return [
        re.sub(r"<[^>]+>", "", b).strip()
        for b in re.findall(
            r'<button class="button[^"]*" type="submit">(.*?)</button>', block.group(0)
        )
    ]


def test_the_buttons_follow_the_status(ama, draft):
    client = _client(ama)

    assert _buttons(_html(client.get(_detail(draft)))) == ["公開する", "終了する…"]
    response = client.post(_status(draft), {"action": "publish"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["募集を公開しました。"]
    assert _buttons(_html(client.get(_detail(draft)))) == ["締め切る", "終了する…"]
    client.post(_status(draft), {"action": "close"})
    assert _buttons(_html(client.get(_detail(draft)))) == ["再公開する", "終了する…"]
    response = client.post(_status(draft), {"action": "publish"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["募集を再公開しました。"]
    draft.refresh_from_db()
    assert draft.status == Opening.Status.PUBLISHED


def test_ending_asks_once_more(ama, published):
    client = _client(ama)

    ask = client.post(_status(published), {"action": "end"})
    published.refresh_from_db()
    assert ask.status_code == 200
    assert "終了した募集は編集も再公開もできません。" in _html(ask)
    assert 'name="confirmed" value="1"' in _html(ask)
    assert published.status == Opening.Status.PUBLISHED

    done = client.post(_status(published), {"action": "end", "confirmed": "1"})
    published.refresh_from_db()
    assert done.status_code == 302
    assert published.status == Opening.Status.ENDED
    page = _html(client.get(_detail(published)))
    assert _buttons(page) == []
    assert "終了しました。編集や再公開はできません。" in page
    assert _update(published) not in page


def test_a_conflict_shows_the_services_message(ama, draft):
    factories.backdate_deadline(draft)
    client = _client(ama)
    before = _snapshot()

    page = _html(client.get(_detail(draft)))
    response = client.post(_status(draft), {"action": "publish"})
    wrong = client.post(_status(draft), {"action": "close"})

    assert "応募締切日が過ぎています。公開するには、先に締切日を変更してください。" in page
    assert response.status_code == 409
    assert "応募締切日が過ぎています。締切日を変更してから公開してください。" in _html(response)
    assert wrong.status_code == 409
    assert "「下書き」の募集を「締切」にはできません。" in _html(wrong)
    assert _snapshot() == before


def test_an_unknown_action_is_refused(ama, draft):
    before = _snapshot()

    response = _client(ama).post(_status(draft), {"action": "delete"})

    assert response.status_code == 400
    assert "操作が正しくありません。" in _html(response)
    assert _snapshot() == before


def test_get_on_the_status_url_is_not_allowed(ama, draft):
    assert _client(ama).get(_status(draft)).status_code == 405


def _history(html: str) -> list[list[str]]:
    table = re.search(r'<table id="opening-history">.*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr><td>(.*?)</tr>", table, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.split(r"</td><td>", row)]
        for row in rows
    ]


def test_the_history_lists_who_did_what(ama, ama_colleague, draft, shimane):
    services.opening_publish(user=ama_colleague, opening_id=draft.pk)
    services.opening_close(user=ama, opening_id=draft.pk)
    services.opening_publish(user=ama, opening_id=draft.pk)
    factories.backdate_deadline(draft)
    services.openings_close_past_deadline()

    rows = _history(_html(_client(ama).get(_detail(draft))))
    seen_by_prefecture = _history(_html(_client(shimane).get(_detail(draft))))

    assert [(r[1], r[2].removesuffix("</td>")) for r in rows] == [
        ("staff@ama.example.jp", "作成（下書き）"),
        ("colleague@ama.example.jp", "公開"),
        ("staff@ama.example.jp", "締切"),
        ("staff@ama.example.jp", "再公開"),
        ("システム（自動処理）", "締切（応募締切日の経過による自動処理）"),
    ]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", r[0]) for r in rows)
    # Another organisation reads the history without the staff's e-mail addresses.
    assert [r[1] for r in seen_by_prefecture][:2] == ["海士町の職員", "海士町の職員"]
    assert "@ama.example.jp" not in _html(_client(shimane).get(_detail(draft)))


# --- CSRF -----------------------------------------------------------------------------------------


def test_every_post_needs_the_csrf_token(ama, published):
    client = _client(ama, enforce_csrf_checks=True)
    before = _snapshot()

    for url, data in (
        (CREATE, _post_data()),
        (_update(published), _post_data(title="CSRFなし")),
        (_status(published), {"action": "close"}),
        (_status(published), {"action": "end", "confirmed": "1"}),
    ):
        response = client.post(url, data)
        assert response.status_code == 403, url
    assert _snapshot() == before

    # With the token from the page, the same request goes through.
    page = _html(client.get(_detail(published)))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(_status(published), {"action": "close", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == Opening.Status.CLOSED
