"""The public opening pages (/openings/): search with facets and pages, the 地域要件 slot on
each card, an opening's page, the Atom feed; errors in the query string are 400 pages."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from hitonagare.recruiting import rules
from hitonagare.recruiting.selectors import eligible_municipality_ids_for
from hitonagare.recruiting.services import opening_close, opening_end
from hitonagare.recruiting.templatetags.recruiting_tags import (
    count_label,
    deadline_label,
    monthly_pay,
    page_window,
)
from hitonagare.regions.models import Municipality

from . import factories

pytestmark = pytest.mark.django_db

SEARCH = "/openings/"
FEED = "/openings/feed.atom"
ATOM = "{http://www.w3.org/2005/Atom}"
AMA = "325252"  # 島根県海士町: 全部条件不利地域
CHIYODA = "131016"  # 東京都千代田区: 都市地域 (3大都市圏)
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "search-results"}


def _html(response) -> str:
    return response.content.decode("utf-8")


def _get(client, path: str = SEARCH, params: list[tuple[str, str]] | dict | None = None, **kw):
    query = urlencode(params or {}, doseq=True)
    return client.get(f"{path}?{query}" if query else path, **kw)


def _card_ids(html: str) -> list[int]:
    """The openings listed as result cards, in order (each card's title links to its page)."""
    return [
        int(i)
        for i in re.findall(r'<h3 class="opening-card__title" id="opening-(\d+)-title"', html)
    ]


def _count(html: str, facet: str, value: str) -> str:
    match = re.search(
        rf'<span class="search-count" id="count-{facet}-{value}"[^>]*>([^<]*)</span>', html
    )
    assert match, f"no count for {facet}={value}"
    return match.group(1)


@pytest.fixture
def ama_staff(reference_data):
    return factories.staff_of(AMA)


@pytest.fixture
def chiyoda_staff(reference_data):
    return factories.staff_of(CHIYODA)


@pytest.fixture
def three(ama_staff):
    """Three published openings in 海士町 that differ in words, program, themes and housing."""
    farm = factories.opening(staff=ama_staff, title="地場産品の販路開拓と古民家カフェ")
    guide = factories.opening(
        staff=ama_staff,
        title="観光案内所の運営",
        summary="観光客の案内と情報発信",
        description="案内所での接客と、島の魅力の発信を担当します。",
        themes=(rules.Theme.TOURISM,),
        housing_support=False,
        monthly_pay_yen=None,
        deadline=None,
    )
    manager = factories.opening(
        staff=ama_staff,
        program="pm",
        title="島の観光戦略をまとめるプロジェクトマネージャー",
        summary="観光協会と役場をつなぎ、観光戦略を実行します。",
        description="観光の事業計画づくりと関係者の調整を担います。",
        themes=(rules.Theme.TOURISM, rules.Theme.ICT_DX),
        monthly_pay_yen=300000,
    )
    return farm, guide, manager


class TestSearchPage:
    def test_the_empty_search_lists_every_published_opening_with_its_facts(self, client, three):
        farm, guide, manager = three

        response = client.get(SEARCH)

        assert response.status_code == 200
        html = _html(response)
        # Newest first without a keyword.
        assert _card_ids(html) == [manager.pk, guide.pk, farm.pk]
        assert "3件の募集" in html
        assert f'href="/openings/{farm.pk}/"' in html
        assert "島根県 海士町" in html
        assert "月額24万円" in html
        assert "月額30万円" in html
        assert '<span aria-hidden="true">—</span>' in html  # the guide gives no pay
        expected_deadline = farm.deadline
        assert (
            f"{expected_deadline.year}年{expected_deadline.month}月{expected_deadline.day}日締切"
            in html
        )
        assert "随時" in html  # no deadline
        assert "農林水産業" in html
        assert "ICT・DX" in html
        assert "地域プロジェクトマネージャー" in html
        # The form: labelled keyword box with its hint, sort, the feed link, the nav item.
        assert '<label for="id_q">キーワード' in html
        assert "2文字以上。スペースで区切ると全部を含む募集" in html
        assert 'aria-describedby="id_q-help' in html
        assert 'hx-get="/openings/"' in html
        assert 'hx-target="#search-results"' in html
        assert 'hx-push-url="true"' in html
        assert 'type="application/atom+xml"' in html
        assert 'href="/openings/feed.atom"' in html
        assert re.search(r'<li><a href="/openings/" aria-current="page">募集を探す</a></li>', html)
        assert "aria-invalid" not in html
        # The default sort is sent as "", so a keyword added later is still ranked by relevance.
        assert '<option value="" selected>関連度</option>' in html

    @pytest.mark.parametrize(
        ("q", "which"),
        [
            ("地場", {"farm"}),  # two characters: the index alone answers
            ("地場産品", {"farm"}),  # four characters: index, then a substring test
            ("古民家 地場", {"farm"}),  # two terms: both must occur
            ("観光", {"farm", "guide", "manager"}),  # the farm has the theme 観光振興
            ("観光 案内所", {"guide"}),
            ("ｶﾌｪ", {"farm"}),  # half-width kana are normalised
            ("古民家 観光", {"farm"}),
            ("古民家 案内所", set()),
        ],
    )
    def test_keywords_find_the_right_cards(self, client, three, q, which):
        farm, guide, manager = three
        names = {"farm": farm.pk, "guide": guide.pk, "manager": manager.pk}

        response = _get(client, params={"q": q})

        assert response.status_code == 200
        assert set(_card_ids(_html(response))) == {names[n] for n in which}

    def test_a_keyword_in_the_title_ranks_first(self, client, three):
        _farm, guide, manager = three
        # "観光" is in the titles of guide and manager; the farm has it only in its themes.
        response = _get(client, params={"q": "観光"})

        ids = _card_ids(_html(response))
        assert set(ids[:2]) == {guide.pk, manager.pk}

    def test_facets_count_the_matching_openings(self, client, three):
        html = _html(client.get(SEARCH))

        assert _count(html, "program", "kyoryokutai") == "2件"
        assert _count(html, "program", "pm") == "1件"
        assert _count(html, "program", "intern") == "0件"
        assert _count(html, "block", "7") == "3件"  # 中国
        assert _count(html, "prefecture", "32") == "3件"  # 島根県
        assert _count(html, "prefecture", "13") == "0件"
        assert _count(html, "theme", "tourism") == "3件"
        assert _count(html, "theme", "primary-industry") == "1件"
        assert _count(html, "housing", "1") == "2件"
        assert _count(html, "deadline", "none") == "1件"
        assert _count(html, "deadline", "30") == "2件"
        # The facets are real checkboxes and radios, grouped and labelled.
        assert '<input type="checkbox" name="program" value="pm" id="f-program-pm">' in html
        assert "<legend>制度</legend>" in html
        assert "<legend>テーマ</legend>" in html
        assert '<input type="radio" name="deadline" value="7" id="f-deadline-7">' in html
        assert "<summary>都道府県" in html
        assert "<legend>中国</legend>" in html

    def test_a_keyword_narrows_the_facet_counts(self, client, three):
        html = _html(_get(client, params={"q": "案内"}))

        assert _count(html, "program", "kyoryokutai") == "1件"
        assert _count(html, "program", "pm") == "0件"
        assert _count(html, "housing", "1") == "0件"

    def test_filters_combine_and_stay_checked(self, client, three):
        farm, guide, manager = three

        only_pm = _html(_get(client, params={"program": "pm"}))
        housing_and_tourism = _html(_get(client, params={"housing": "1", "theme": "tourism"}))
        kyoryokutai_housed = _html(
            _get(client, params={"program": "kyoryokutai", "housing": "1", "theme": "tourism"})
        )
        open_deadline = _html(_get(client, params={"deadline": "none"}))
        elsewhere = _html(_get(client, params={"prefecture": "13"}))
        both_programs = _html(
            _get(client, params=[("program", "kyoryokutai"), ("program", "pm"), ("block", "7")])
        )

        assert _card_ids(only_pm) == [manager.pk]
        assert 'value="pm" id="f-program-pm" checked' in only_pm
        assert set(_card_ids(housing_and_tourism)) == {farm.pk, manager.pk}
        assert _card_ids(kyoryokutai_housed) == [farm.pk]
        assert _card_ids(open_deadline) == [guide.pk]
        assert _card_ids(elsewhere) == []
        assert set(_card_ids(both_programs)) == {farm.pk, guide.pk, manager.pk}
        assert 'value="kyoryokutai" id="f-program-kyoryokutai" checked' in both_programs
        assert 'value="7" id="f-block-7" checked' in both_programs

    def test_sort_by_deadline_puts_the_nearest_first_and_no_deadline_last(self, client, ama_staff):
        today = timezone.localdate()
        late = factories.opening(
            staff=ama_staff, title="遅い締切", deadline=today + dt.timedelta(days=60)
        )
        never = factories.opening(staff=ama_staff, title="随時募集", deadline=None)
        soon = factories.opening(
            staff=ama_staff, title="早い締切", deadline=today + dt.timedelta(days=3)
        )

        html = _html(_get(client, params={"sort": "deadline"}))

        assert _card_ids(html) == [soon.pk, late.pk, never.pk]
        assert '<option value="deadline" selected>締切が近い</option>' in html
        assert _card_ids(_html(_get(client, params={"deadline": "7"}))) == [soon.pk]

    def test_pages_of_twenty_with_previous_next_and_the_current_page(self, client, ama_staff):
        created = [
            factories.opening(staff=ama_staff, title=f"農業の担い手 {n:02d}") for n in range(23)
        ]
        newest_first = [o.pk for o in reversed(created)]

        first = _html(_get(client, params={"q": "農業", "sort": "newest"}))
        second = _html(_get(client, params={"q": "農業", "sort": "newest", "page": "2"}))

        assert "23件の募集" in first
        assert "（1 / 2ページ）" in first
        assert _card_ids(first) == newest_first[:20]
        assert _card_ids(second) == newest_first[20:]
        assert '<nav class="search-pages" aria-label="ページ送り">' in first
        # The page links keep the whole search in the query string.
        assert 'href="?q=%E8%BE%B2%E6%A5%AD&amp;sort=newest&amp;page=2" rel="next"' in first
        assert 'rel="prev"' not in first
        assert re.search(
            r'href="\?q=%E8%BE%B2%E6%A5%AD&amp;sort=newest" aria-current="page" aria-label="1ページ目"',
            first,
        )
        assert 'href="?q=%E8%BE%B2%E6%A5%AD&amp;sort=newest" rel="prev"' in second
        assert re.search(r'aria-current="page" aria-label="2ページ目"', second)
        assert 'rel="next"' not in second
        assert '<ol class="search-cards" start="21"' in second

    def test_a_page_past_the_end_shows_the_empty_state(self, client, three):
        response = _get(client, params={"page": "3"})

        assert response.status_code == 200
        html = _html(response)
        assert _card_ids(html) == []
        assert "条件に合う募集はありません。" in html
        assert '<a href="?">1ページ目に戻る</a>' in html

    def test_no_results_suggest_removing_each_filter(self, client, three):
        html = _html(_get(client, params={"q": "古民家", "program": "pm", "housing": "1"}))

        assert _card_ids(html) == []
        assert "条件に合う募集はありません。" in html
        assert "キーワードを減らすか" in html
        # One link per chosen filter, each the same search without it.
        assert 'href="?q=%E5%8F%A4%E6%B0%91%E5%AE%B6&amp;housing=1"' in html  # without pm
        assert 'href="?q=%E5%8F%A4%E6%B0%91%E5%AE%B6&amp;program=pm"' in html  # without housing
        assert 'href="?q=%E5%8F%A4%E6%B0%91%E5%AE%B6">「古民家」だけで探す</a>' in html
        assert '<a href="/openings/">すべての募集を見る</a>' in html

    def test_drafts_closed_and_ended_openings_are_not_searched(self, client, ama_staff, three):
        draft = factories.opening(staff=ama_staff, publish=False, title="下書きの秘密の募集")
        closed = factories.opening(staff=ama_staff, title="締め切った秘密の募集")
        opening_close(user=ama_staff, opening_id=closed.pk)
        ended = factories.opening(staff=ama_staff, title="終わった秘密の募集")
        opening_end(user=ama_staff, opening_id=ended.pk)

        html = _html(_get(client, params={"q": "秘密"}))
        everything = _html(client.get(SEARCH))

        assert _card_ids(html) == []
        for hidden in (draft, closed, ended):
            assert hidden.pk not in _card_ids(everything)
            assert hidden.title not in everything


class TestSearchErrors:
    def test_a_one_character_keyword_is_a_400_with_the_message_at_the_field(self, client, three):
        response = _get(client, params={"q": "農", "program": "pm"})

        assert response.status_code == 400
        html = _html(response)
        assert (
            '<p class="error" id="id_q-error">キーワード「農」は1文字です。2文字以上で入力してください（例: 農業、林業、移住）。</p>'
            in html
        )
        assert re.search(
            r'<input type="text" name="q" id="id_q" value="農"[^>]*aria-describedby="id_q-help id_q-error"[^>]*aria-invalid="true"',
            html,
            re.S,
        )
        assert '<a href="#id_q">キーワード「農」は1文字です' in html  # the summary links to it
        assert _card_ids(html) == []
        # The other choices survive, without counts (the search did not run).
        assert 'value="pm" id="f-program-pm" checked' in html
        assert '<span class="search-count" id="count-program-pm"></span>' in html

    @pytest.mark.parametrize(
        ("params", "field", "message"),
        [
            ({"program": "zz"}, "program", "制度「zz」はありません。"),
            (
                {"prefecture": "48"},
                "prefecture",
                "都道府県コード「48」は01〜47の2桁で指定してください。",
            ),
            ({"block": "10"}, "block", "地方ブロック「10」はありません。"),
            ({"theme": "fishing"}, "theme", "テーマ「fishing」はありません。"),
            ({"deadline": "99"}, "deadline", "締切の指定が正しくありません。"),
            ({"page": "0"}, "page", "ページ番号は1〜500で指定してください。"),
            ({"page": "abc"}, "page", "ページ番号は1以上の整数で指定してください。"),
            ({"page": "501"}, "page", "ページ番号は1〜500で指定してください。"),
        ],
    )
    def test_bad_values_are_400_with_the_message(self, client, three, params, field, message):
        response = _get(client, params=params)

        assert response.status_code == 400
        html = _html(response)
        assert message in html
        if field != "page":
            assert f'<p class="error" id="f-{field}-error">{message}</p>' in html
        assert "検索条件を確認してください。" in html

    def test_a_bad_sort_is_shown_at_the_select(self, client, three):
        response = _get(client, params={"sort": "random"})

        assert response.status_code == 400
        html = _html(response)
        assert '<p class="error" id="id_sort-error">並べ替えの指定が正しくありません。</p>' in html
        assert 'aria-describedby="id_sort-help id_sort-error" aria-invalid="true"' in html

    def test_an_unknown_place_in_from_is_a_400_at_that_field_and_results_still_show(
        self, client, three
    ):
        response = _get(client, params={"from": "0000000"})

        assert response.status_code == 400
        html = _html(response)
        assert 'id="id_from-error"' in html
        assert len(_card_ids(html)) == 3
        assert "opening-elig" not in html


class TestHtmx:
    def test_an_htmx_search_returns_the_results_region_and_fresh_counts(self, client, three):
        _farm, _guide, manager = three

        response = _get(client, params={"program": "pm"}, **HTMX)

        assert response.status_code == 200
        html = _html(response)
        assert "<html" not in html
        assert "<form" not in html
        assert _card_ids(html) == [manager.pk]
        assert '<p id="search-status" hx-swap-oob="innerHTML">1件の募集</p>' in html
        assert (
            '<span class="search-count" id="count-program-pm" hx-swap-oob="true">1件</span>' in html
        )
        assert (
            '<span class="search-count" id="count-theme-ict-dx" hx-swap-oob="true">1件</span>'
            in html
        )
        assert "HX-Request" in response["Vary"]

    def test_an_htmx_error_comes_back_as_400_with_the_summary_and_the_field_marked(
        self, client, three
    ):
        response = _get(client, params={"q": "田"}, **HTMX)

        assert response.status_code == 400
        html = _html(response)
        assert "<html" not in html
        assert 'role="alert"' in html
        assert "「田」は1文字です" in html
        # The keyword box comes back out of band with its message and aria-invalid.
        field = re.search(
            r'<div id="search-q-field" hx-swap-oob="true">(.*?)</div>\n</div>', html, re.S
        )
        assert field
        assert '<p class="error" id="id_q-error">キーワード「田」は1文字です' in field.group(1)
        assert 'aria-invalid="true"' in field.group(1)

    def test_a_good_htmx_search_clears_every_message(self, client, three):
        html = _html(_get(client, params={"q": "棚田"}, **HTMX))

        field = re.search(
            r'<div id="search-q-field" hx-swap-oob="true">(.*?)</div>\n</div>', html, re.S
        )
        assert field
        assert 'value="棚田"' in field.group(1)
        assert "aria-invalid" not in html
        assert 'class="error"' not in html
        for name in ("program", "block", "prefecture", "theme", "housing", "deadline"):
            assert (
                f'<div class="search-facet-errors" id="f-{name}-errors" hx-swap-oob="true"></div>'
                in html
            )
        assert '<div class="field search-sort" id="search-sort-field" hx-swap-oob="true">' in html
        assert '<div id="search-from-field" hx-swap-oob="true">' in html

    def test_a_history_restore_gets_the_whole_page(self, client, three):
        response = _get(
            client, params={"program": "pm"}, **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"
        )

        assert "<html" in _html(response)


class TestAreaRequirement:
    def test_a_from_postal_code_puts_the_symbol_on_each_card(self, client, three):
        _farm, _guide, manager = three

        html = _html(_get(client, params={"from": "100-0001"}))

        assert "地域要件は 東京都 千代田区 から移る場合で判定しています。" in html
        # 千代田区 (都市地域) → 海士町 (条件不利地域): ○ 対象, for 協力隊 and PM alike.
        assert (
            html.count(
                '<span class="opening-elig opening-elig--ok"><span class="opening-elig__symbol" aria-hidden="true">○</span>対象'
            )
            == 3
        )
        reason = "/eligibility/?" + urlencode(
            {"program": "pm", "origin": "100-0001", "destination": AMA}
        )
        assert f'href="{reason.replace("&", "&amp;")}"' in html
        assert f"（{manager.title}の地域要件）" in html

    def test_a_logged_in_applicant_is_judged_from_their_profile(self, client, three):
        applicant = factories.user()
        factories.profile(applicant, lgcode=CHIYODA)
        client.force_login(applicant)

        html = _html(client.get(SEARCH))

        assert html.count('<span class="opening-elig__symbol" aria-hidden="true">○</span>対象') == 3
        assert "プロフィールの住所（東京都 千代田区）で判定しています。" in html
        assert f"origin={CHIYODA}" in html

    def test_same_municipality_is_not_eligible_and_programs_without_the_rule_say_so(
        self, client, chiyoda_staff
    ):
        chiyoda = factories.opening(
            staff=chiyoda_staff, title="千代田区の協力隊", municipality_lgcode=CHIYODA
        )
        relation = factories.opening(
            staff=chiyoda_staff,
            title="千代田区の関係人口づくり",
            municipality_lgcode=CHIYODA,
            program="nichiiki",
        )

        html = _html(_get(client, params={"from": CHIYODA}))

        assert set(_card_ids(html)) == {chiyoda.pk, relation.pk}
        assert '<span class="opening-elig opening-elig--ng">' in html
        assert "対象外" in html
        assert "地域要件なし" in html

    def test_eligible_only_removes_an_opening_in_the_same_urban_municipality(
        self, client, three, chiyoda_staff
    ):
        farm, guide, manager = three
        chiyoda = factories.opening(
            staff=chiyoda_staff, title="千代田区の協力隊", municipality_lgcode=CHIYODA
        )
        relation = factories.opening(
            staff=chiyoda_staff,
            title="千代田区の関係人口づくり",
            municipality_lgcode=CHIYODA,
            program="nichiiki",
        )

        everything = _html(_get(client, params={"from": "千代田区"}))
        eligible = _html(_get(client, params={"from": "千代田区", "eligible": "1"}))
        two_programs = _html(
            _get(
                client,
                params=[
                    ("program", "kyoryokutai"),
                    ("program", "nichiiki"),
                    ("from", "千代田区"),
                    ("eligible", "1"),
                ],
            )
        )

        assert chiyoda.pk in _card_ids(everything)
        # 千代田区 → 千代田区 is the same municipality: not eligible. 二地域居住 has no rule.
        assert set(_card_ids(eligible)) == {farm.pk, guide.pk, manager.pk, relation.pk}
        assert set(_card_ids(two_programs)) == {farm.pk, guide.pk, relation.pk}
        assert "「応募できる募集だけ」を表示中です。" in eligible
        assert 'name="eligible" value="1" id="id_eligible" checked' in eligible
        # Shareable: the links that remove one filter keep from= and eligible=1 ...
        assert (
            'href="?program=nichiiki&amp;from=%E5%8D%83%E4%BB%A3%E7%94%B0%E5%8C%BA&amp;eligible=1"'
            in two_programs
        )
        # ... and the one that removes the eligibility filter keeps the place only.
        assert (
            'href="?program=kyoryokutai&amp;program=nichiiki&amp;from=%E5%8D%83%E4%BB%A3%E7%94%B0%E5%8C%BA"'
            in two_programs
        )

    def test_eligible_only_without_a_place_asks_for_a_postal_code(self, client, three):
        response = _get(client, params={"eligible": "1"})

        assert response.status_code == 200
        html = _html(response)
        assert "お住まいの郵便番号（例: 100-0001）または市区町村を入力してください" in html
        assert len(_card_ids(html)) == 3  # not filtered

    def test_an_opening_in_a_ward_is_judged_as_its_designated_city(self, client, reference_data):
        sapporo_staff = factories.staff_of("011002")  # 札幌市 recruits for its 中央区
        ward = factories.opening(
            staff=sapporo_staff, title="中央区のまちづくり", municipality_lgcode="011011"
        )
        ward_ids = set(
            Municipality.objects.filter(parent__lgcode="011002").values_list("id", flat=True)
        )

        from_chiyoda = _html(_get(client, params={"from": CHIYODA}))
        from_ama = _html(_get(client, params={"from": AMA}))
        eligible_from_chiyoda = _html(_get(client, params={"from": CHIYODA, "eligible": "1"}))
        eligible_from_ama = _html(_get(client, params={"from": AMA, "eligible": "1"}))

        # The 確認表 judges 札幌市 as a whole: 千代田区 → 札幌市 ○, 海士町 → 札幌市 ×.
        assert '<span class="opening-elig__symbol" aria-hidden="true">○</span>対象' in from_chiyoda
        assert "destination=011011" in from_chiyoda  # the check page names the ward too
        assert '<span class="opening-elig__symbol" aria-hidden="true">×</span>対象外' in from_ama
        assert _card_ids(eligible_from_chiyoda) == [ward.pk]
        assert _card_ids(eligible_from_ama) == []
        assert len(ward_ids) == 10
        assert ward_ids <= eligible_municipality_ids_for(origin_lgcode=CHIYODA)["kyoryokutai"]
        assert not ward_ids & eligible_municipality_ids_for(origin_lgcode=AMA)["kyoryokutai"]

    def test_eligible_ids_cover_only_the_programs_asked_for(self, reference_data):
        ids = eligible_municipality_ids_for(origin_lgcode=CHIYODA, programs=["pm", "nichiiki"])
        chiyoda = Municipality.objects.get(lgcode=CHIYODA).pk
        ama = Municipality.objects.get(lgcode=AMA).pk

        assert set(ids) == {"pm"}
        assert ama in ids["pm"]
        assert chiyoda not in ids["pm"]


class TestDetailPage:
    def test_every_field_the_status_and_the_apply_button(self, client, ama_staff):
        opening = factories.opening(
            staff=ama_staff,
            area_name="豊田",
            housing_note="町営住宅（家賃月1万円）",
            side_work_allowed=True,
            start_date=timezone.localdate() + dt.timedelta(days=60),
        )

        response = client.get(f"/openings/{opening.pk}/")

        assert response.status_code == 200
        html = _html(response)
        start = opening.start_date
        for text in (
            opening.title,
            opening.summary,
            opening.description,
            "海士町",  # host and area
            "島根県 海士町（豊田）",
            "地域おこし協力隊",
            "観光振興、農林水産業",
            "1人",
            "会計年度任用職員",
            "月額24万円",
            "支援あり（町営住宅（家賃月1万円））",
            "活動用車両の貸与あり",
            "<dt>副業</dt><dd>可</dd>",
            "3年",
            f"{start.year}年{start.month}月{start.day}日",
            "締切",
            "書類選考 → 面接（オンライン可）",
            "海士町役場 交流促進課 03-0000-0000",
        ):
            assert text in html, text
        assert 'class="badge opening-status opening-status--published">公開</span>' in html
        assert f'<a class="button" href="/me/applications/new/{opening.pk}/">応募する</a>' in html
        # The 地域要件 box asks for a place.
        assert '<label for="id_from">お住まいの郵便番号または市区町村' in html

    def test_a_closed_opening_has_no_apply_button(self, client, ama_staff):
        opening = factories.opening(staff=ama_staff)
        opening_close(user=ama_staff, opening_id=opening.pk)

        html = _html(client.get(f"/openings/{opening.pk}/"))

        assert 'opening-status--closed">締切</span>' in html
        assert "/me/applications/new/" not in html
        assert "応募は受け付けていません" in html

    def test_an_ended_opening_is_readable(self, client, ama_staff):
        opening = factories.opening(staff=ama_staff)
        opening_end(user=ama_staff, opening_id=opening.pk)

        response = client.get(f"/openings/{opening.pk}/")

        assert response.status_code == 200
        assert 'opening-status--ended">終了</span>' in _html(response)

    def test_drafts_and_unknown_ids_are_404(self, client, ama_staff):
        draft = factories.opening(staff=ama_staff, publish=False)

        assert client.get(f"/openings/{draft.pk}/").status_code == 404
        assert client.get("/openings/999999/").status_code == 404

    def test_the_area_check_for_a_postal_code(self, client, ama_staff):
        opening = factories.opening(staff=ama_staff)

        response = _get(client, f"/openings/{opening.pk}/", {"from": "100-0001"})

        html = _html(response)
        assert response.status_code == 200
        assert '<span class="opening-elig__symbol" aria-hidden="true">○</span>' in html
        assert "<strong>対象</strong>" in html
        assert "東京都 千代田区 から移る場合" in html
        assert '<ol class="reasons">' in html
        assert (
            "/eligibility/?program=kyoryokutai&amp;origin=100-0001&amp;destination=325252" in html
        )

    def test_the_area_check_for_a_profile_user(self, client, ama_staff):
        opening = factories.opening(staff=ama_staff)
        applicant = factories.user()
        factories.profile(applicant, lgcode=CHIYODA)
        client.force_login(applicant)

        html = _html(client.get(f"/openings/{opening.pk}/"))

        assert "<strong>対象</strong>" in html
        assert "（プロフィールの住所）" in html

    def test_a_bad_postal_code_is_a_400_at_the_field(self, client, ama_staff):
        opening = factories.opening(staff=ama_staff)

        response = _get(client, f"/openings/{opening.pk}/", {"from": "0000000"})

        assert response.status_code == 400
        html = _html(response)
        assert 'id="id_from-error"' in html
        assert 'aria-invalid="true"' in html

    def test_a_program_without_an_area_requirement_says_so(self, client, ama_staff):
        opening = factories.opening(staff=ama_staff, program="nichiiki")

        html = _html(_get(client, f"/openings/{opening.pk}/", {"from": "100-0001"}))

        assert "この制度には、住民票の異動などの地域要件はありません。" in html
        assert "opening-elig-box" not in html


class TestFeed:
    def test_the_feed_is_atom_with_the_newest_matching_openings(self, client, three, ama_staff):
        farm, guide, manager = three
        draft = factories.opening(staff=ama_staff, publish=False, title="下書きの観光")

        response = _get(client, FEED, {"q": "観光"})

        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        root = ET.fromstring(response.content)
        assert root.tag == f"{ATOM}feed"
        assert "「観光」の新着募集" in root.findtext(f"{ATOM}title")
        entries = root.findall(f"{ATOM}entry")
        titles = [e.findtext(f"{ATOM}title") for e in entries]
        assert titles == [manager.title, guide.title, farm.title]  # newest first
        assert draft.title not in titles
        link = entries[0].find(f"{ATOM}link").get("href")
        assert link.endswith(f"/openings/{manager.pk}/")
        assert entries[0].findtext(f"{ATOM}summary") == manager.summary
        categories = {c.get("term") for c in entries[0].findall(f"{ATOM}category")}
        assert {"地域プロジェクトマネージャー", "観光振興"} <= categories

    def test_the_feed_filters_like_the_page(self, client, three):
        farm, _guide, _manager = three

        root = ET.fromstring(
            _get(client, FEED, [("program", "kyoryokutai"), ("housing", "1")]).content
        )

        assert [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")] == [farm.title]

    def test_the_feed_holds_at_most_fifty(self, client, ama_staff):
        for n in range(52):
            factories.opening(staff=ama_staff, title=f"林業の担い手 {n:02d}")

        root = ET.fromstring(client.get(FEED).content)

        assert len(root.findall(f"{ATOM}entry")) == 50

    def test_bad_parameters_are_400_text(self, client, three):
        response = _get(client, FEED, {"q": "農"})

        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")
        assert "1文字です" in response.content.decode()

    def test_the_search_page_links_the_feed_for_its_search(self, client, three):
        html = _html(_get(client, params={"q": "観光", "program": "pm", "page": "1"}))

        assert (
            '<a href="/openings/feed.atom?q=%E8%A6%B3%E5%85%89&amp;program=pm" rel="alternate" type="application/atom+xml">'
            in html
        )


class TestFormatting:
    def test_pay(self):
        assert monthly_pay(240000) == "月額24万円"
        assert monthly_pay(245000) == "月額24万5,000円"
        assert monthly_pay(8000) == "月額8,000円"
        assert monthly_pay(None) == "—"

    def test_deadline(self):
        assert deadline_label(dt.date(2026, 12, 26)) == "2026年12月26日締切"
        assert deadline_label(None) == "随時"

    def test_counts(self):
        assert count_label(1234) == "1,234件"
        assert count_label(500, True) == "500件以上"
        assert count_label(1200, False, True) == "約1,200件"

    def test_page_window(self):
        assert page_window(1, 1) == [1]
        assert page_window(1, 3) == [1, 2, 3]
        assert page_window(7, 20) == [1, None, 5, 6, 7, 8, 9, None, 20]
        assert page_window(2, 20) == [1, 2, 3, 4, None, 20]


class TestSearchPageCache:
    """Anonymous search pages are cached per process; tokens and new openings are never stale."""

    def test_the_cached_page_is_the_same_for_everyone_and_sets_no_cookie(self, reference_data):
        staff = factories.user(organisation=factories.municipality_org("325252"))
        factories.opening(staff=staff)
        first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
        response_one = first.get("/openings/?q=棚田")
        response_two = second.get("/openings/?q=棚田")
        assert response_one.content == response_two.content
        # No token in the shared bytes, and no per-visitor cookie from a cache hit.
        assert b"csrfmiddlewaretoken" not in response_two.content
        assert b"X-CSRFToken" not in response_two.content
        assert "csrftoken" not in response_two.cookies
        assert "Cookie" in response_two["Vary"]

    def test_the_language_link_on_the_cached_page_switches_the_language(self, reference_data):
        client = Client(enforce_csrf_checks=True)
        page = client.get("/openings/", {"q": "棚田"}).content.decode()
        assert 'href="/language/en/?next=/openings/%3Fq%3D%25E6%25A3%259A%25E7%2594%25B0"' in page
        response = client.get("/language/en/", {"next": "/openings/?q=棚田"})
        assert response.status_code == 302
        assert response["Location"] == "/openings/?q=%E6%A3%9A%E7%94%B0"
        assert response.cookies["django_language"].value == "en"
        english = client.get("/openings/", {"q": "棚田"}).content.decode()
        assert '<html lang="en"' in english

    def test_a_newly_published_opening_appears_at_once(self, reference_data):
        staff = factories.user(organisation=factories.municipality_org("325252"))
        factories.opening(staff=staff, title="棚田の保全")
        client = Client()
        assert "星空ガイド" not in client.get("/openings/?q=海士").content.decode()
        factories.opening(staff=staff, title="星空ガイドの育成")
        assert "星空ガイド" in client.get("/openings/?q=海士").content.decode()

    def test_logged_in_visitors_are_not_served_from_the_cache(self, reference_data, client):
        applicant = factories.user()
        factories.profile(applicant)
        staff = factories.user(organisation=factories.municipality_org("325252"))
        factories.opening(staff=staff)
        Client().get("/openings/")  # fills the cache for anonymous visitors
        client.force_login(applicant)
        assert "○" in client.get("/openings/").content.decode()  # their own 地域要件 symbol
