"""The what-if page /funding/estimate/: who may use it, the result table, the messages."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from tests.recruiting import factories

from hitonagare.accounts.models import Organisation

pytestmark = pytest.mark.django_db

URL = "/funding/estimate/"
QUERY = {
    "program": "kyoryokutai",
    "variant": "",
    "fiscal_year": "2023",
    "start": "2023-04-01",
    "end": "2026-03-31",
    "reward": "3,000,000",
    "expenses": "1500000",
}


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _html(response) -> str:
    return response.content.decode("utf-8")


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _html(response)))


def test_url_name_resolves():
    assert reverse("funding:estimate") == URL


def test_anonymous_users_are_sent_to_the_login_page():
    response = _client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "make",
    [
        lambda: factories.user(),
        lambda: factories.user(
            organisation=factories.other_org(Organisation.Kind.COMPANY, "株式会社テスト")
        ),
        lambda: factories.user(
            organisation=factories.other_org(Organisation.Kind.DESK, "移住相談窓口")
        ),
    ],
    ids=["applicant", "company", "desk"],
)
def test_applicants_companies_and_desks_get_403(make):
    response = _client(make()).get(URL, QUERY)
    assert response.status_code == 403
    assert "市区町村・都道府県の職員と総務省" in _html(response)
    assert "見込額の合計" not in _html(response)


@pytest.mark.parametrize(
    "make",
    [
        lambda: factories.staff_of("012025"),
        lambda: factories.prefecture_staff("01"),
        lambda: factories.ministry_staff(),
    ],
    ids=["municipality", "prefecture", "ministry"],
)
def test_host_staff_and_the_ministry_may_use_it(make):
    response = _client(make()).get(URL)
    assert response.status_code == 200
    html = _html(response)
    assert "特別交付税の見込みの試算" in html
    assert "令和5年度（2023年4月〜2024年3月）" in html
    assert "令和8年度" in html


def test_result_table_shows_claims_caps_amounts_and_sources():
    response = _client(factories.staff_of("012025")).get(URL, QUERY)
    assert response.status_code == 200
    text = _text(response)
    assert "令和5年度の見込み（地域おこし協力隊）" in text
    assert "見込額の合計 : 4,300,000 円" in text or "見込額の合計: 4,300,000 円" in text
    assert "3,000,000円" in text
    assert "2,800,000円" in text
    assert "総務省 広報誌" in text
    assert "上限超過" in text
    assert "法令ではなく" in text  # the month counting is a setting


def test_unknown_caps_are_shown_as_unknown_and_explained():
    query = dict(QUERY, fiscal_year="2025", start="2025-04-01", end="2026-03-31")
    response = _client(factories.ministry_staff()).get(URL, query)
    assert response.status_code == 200
    text = _text(response)
    assert "不明" in text
    assert "計算していません" in text
    assert "一部不明を含む" in text
    assert "上書き設定で指定してください" in text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": "2023-03-01"}, "任期の終了日が開始日より前です。"),
        ({"reward": "-100"}, "金額は0以上で入力してください。"),
        ({"expenses": "1.5"}, "金額は円単位の整数で入力してください"),
        ({"fiscal_year": "2030"}, "年度は令和3年度〜令和8年度から選んでください。"),
        ({"start": "2024-04-01", "end": "2025-03-31"}, "重なっていません"),
        ({"days": "10"}, "活動日数はインターンの場合だけ入力してください。"),
        ({"start": "2023-13-01"}, "日付は YYYY-MM-DD の形式で入力してください。"),
    ],
)
def test_bad_input_shows_the_message_under_the_field_with_400(changes, message):
    response = _client(factories.staff_of("012025")).get(URL, dict(QUERY, **changes))
    assert response.status_code == 400
    html = _html(response)
    assert message in html
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert "見込額の合計" not in html


def test_error_is_linked_to_its_input():
    response = _client(factories.staff_of("012025")).get(URL, dict(QUERY, reward="abc"))
    html = _html(response)
    match = re.search(r"<input[^>]*name=\"reward\"[^>]*>", html)
    assert match is not None
    assert "id_reward_error" in match.group(0)
    assert 'id="id_reward_error"' in html


def test_the_month_counting_setting_is_used_and_named(tmp_path):
    query = dict(QUERY, start="2023-10-16", end="2024-09-15", expenses="0")
    with override_settings(HITONAGARE_FUNDING_MONTH_COUNTING="full_months"):
        response = _client(factories.staff_of("012025")).get(URL, query)
    text = _text(response)
    assert "1,166,666円" in text  # 2,800,000 × 5/12, rounded down
    assert "全期間在任した月だけを数える" in text


def test_an_overrides_file_from_the_settings_is_used(tmp_path):
    path = tmp_path / "overrides.json"
    path.write_text(
        json.dumps(
            {
                "entries": [
                    {
                        "item": "kyoryokutai.reward",
                        "fiscal_year": 2025,
                        "value": 3500000,
                        "source": "総務省通知（テスト）",
                    }
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    query = dict(QUERY, fiscal_year="2025", start="2025-04-01", end="2026-03-31", expenses="0")
    with override_settings(HITONAGARE_FUNDING_OVERRIDES_FILE=str(path)):
        response = _client(factories.staff_of("012025")).get(URL, query)
    text = _text(response)
    assert "3,000,000円" in text
    assert "総務省通知（テスト）" in text
    assert "上書き設定" in text


def test_post_is_not_allowed():
    response = _client(factories.staff_of("012025")).post(URL, QUERY)
    assert response.status_code == 405
