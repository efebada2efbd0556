"""The public web pages: checker, printable 判定根拠, all-pairs pages and region pages."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.django_db

CHECK = "/eligibility/"
PRINT = "/eligibility/print/"
DESTINATIONS = "/eligibility/destinations/"
ORIGINS = "/eligibility/origins/"


def _url(path: str, **params: str) -> str:
    return f"{path}?{urlencode(params)}"


def _html(response) -> str:
    return response.content.decode("utf-8")


class TestHome:
    def test_the_home_page_links_to_the_checker_and_names_the_edition(self, client, reference_data):
        response = client.get("/")

        assert response.status_code == 200
        html = _html(response)
        assert 'href="/eligibility/"' in html
        assert 'href="/eligibility/destinations/"' in html
        assert "基準日 2022-04-01" in html


class TestCheckPage:
    def test_the_empty_form_renders_with_its_labels(self, client, reference_data):
        response = client.get(CHECK)

        assert response.status_code == 200
        html = _html(response)
        assert "<html" in html
        for label in (
            "制度",
            "転出地（今お住まいの場所）",
            "転入地（活動する市町村）",
            "判定の基準とする日（任意）",
            "地域おこし協力隊",
            "地域プロジェクトマネージャー",
        ):
            assert label in html
        assert '<label for="id_origin">' in html
        assert '<label for="id_destination">' in html
        assert "aria-invalid" not in html
        assert "判定の理由" not in html

    def test_a_submitted_check_renders_the_decision_with_reasons_and_sources(
        self, client, reference_data
    ):
        response = client.get(
            _url(CHECK, program="kyoryokutai", origin="100-0001", destination="海士町")
        )

        assert response.status_code == 200
        html = _html(response)
        assert "decision--ok" in html
        assert "対象" in html
        assert "○" in html
        assert "東京都 千代田区" in html
        assert "島根県 海士町" in html
        assert "判定の理由（適用した順）" in html
        assert "結論: 地域おこし協力隊として対象です。" in html
        assert "出典" in html
        assert "https://www.soumu.go.jp/main_content/000847999.pdf" in html
        assert "判定根拠を印刷する" in html
        assert "/eligibility/print/?" in html

    def test_a_case_to_check_lists_the_areas(self, client, reference_data):
        html = _html(
            client.get(_url(CHECK, program="kyoryokutai", origin="北見市", destination="海士町"))
        )

        assert "decision--check" in html
        assert "要確認" in html
        assert "確認が必要な区域: 常呂町、端野町、留辺蘂町" in html

    def test_a_ward_postal_code_shows_the_ward_and_town_area(self, client, reference_data):
        html = _html(
            client.get(_url(CHECK, program="kyoryokutai", origin="060-0042", destination="海士町"))
        )

        assert "北海道 札幌市（札幌市中央区）" in html
        assert "大通西" in html

    def test_an_htmx_request_gets_only_the_result_partial(self, client, reference_data):
        response = client.get(
            _url(CHECK, program="kyoryokutai", origin="100-0001", destination="海士町"),
            headers={"HX-Request": "true"},
        )

        assert response.status_code == 200
        html = _html(response)
        assert "<html" not in html
        assert "<form" not in html
        assert "decision--ok" in html
        assert "結論: 地域おこし協力隊として対象です。" in html

    def test_a_failing_check_digit_is_a_400_with_the_error_at_the_field(
        self, client, reference_data
    ):
        response = client.get(
            _url(CHECK, program="kyoryokutai", origin="131017", destination="海士町")
        )

        assert response.status_code == 400
        html = _html(response)
        assert "検査数字が正しくありません" in html
        assert 'id="id_origin-error"' in html
        assert 'aria-invalid="true"' in html
        assert "入力を確認してください。" in html
        assert "判定の理由" not in html

    def test_a_missing_origin_is_a_400_in_japanese(self, client, reference_data):
        response = client.get(_url(CHECK, program="kyoryokutai", origin="", destination="海士町"))

        assert response.status_code == 400
        html = _html(response)
        assert "転出地を入力してください" in html
        assert 'aria-invalid="true"' in html

    def test_an_unknown_program_is_a_400(self, client, reference_data):
        response = client.get(_url(CHECK, program="jet", origin="131016", destination="325252"))

        assert response.status_code == 400
        assert "制度を選び直してください。" in _html(response)

    def test_a_date_before_the_earliest_edition_is_a_400(self, client, reference_data):
        response = client.get(
            _url(
                CHECK,
                program="kyoryokutai",
                origin="131016",
                destination="325252",
                as_of="2020-01-01",
            )
        )

        assert response.status_code == 400
        assert "より前の地域要件確認表はありません" in _html(response)

    def test_an_invalid_htmx_request_returns_the_error_partial(self, client, reference_data):
        response = client.get(
            _url(CHECK, program="kyoryokutai", origin="12-34", destination="海士町"),
            headers={"HX-Request": "true"},
        )

        assert response.status_code == 400
        html = _html(response)
        assert "<html" not in html
        assert 'role="alert"' in html
        assert "団体コード（5桁・6桁）にも郵便番号（7桁）にも当たりません" in html

    def test_an_ambiguous_name_shows_the_candidates(self, client, reference_data):
        response = client.get(
            _url(CHECK, program="kyoryokutai", origin="131016", destination="府中")
        )

        assert response.status_code == 400
        html = _html(response)
        assert "一つに決まりません（3件）" in html
        assert "候補（選ぶと入力されます）" in html
        assert "東京都 府中市（132063）" in html
        assert "広島県 府中市（342084）" in html
        assert "広島県 府中町（343021）" in html
        assert 'id="id_destination-error"' in html

    def test_an_autocompleted_value_is_decided_by_its_code(self, client, reference_data):
        response = client.get(
            _url(
                CHECK,
                program="kyoryokutai",
                origin="131016 東京都千代田区",
                destination="343021 広島県府中町",
            )
        )

        assert response.status_code == 200
        assert "広島県 府中町" in _html(response)


class TestPrintPage:
    def test_the_print_page_shows_the_basis_and_when_it_was_printed(self, client, reference_data):
        response = client.get(
            _url(PRINT, program="kyoryokutai", origin="100-0001", destination="海士町")
        )

        assert response.status_code == 200
        html = _html(response)
        assert "地域要件 判定根拠" in html
        assert "基準日" in html
        assert "2022-04-01（令和4年4月1日）" in html
        assert "印刷日時: " in html
        assert "東京都 千代田区（団体コード 131016）" in html
        assert "島根県 海士町（団体コード 325252）" in html
        assert "判定の理由（適用した順）" in html
        assert "判定画面に戻る" in html

    def test_the_print_page_refuses_bad_input_with_a_400(self, client, reference_data):
        response = client.get(
            _url(PRINT, program="kyoryokutai", origin="府中", destination="海士町")
        )

        assert response.status_code == 400
        html = _html(response)
        assert "一つに決まりません" in html
        assert "印刷日時" not in html
        assert 'aria-invalid="true"' in html


class TestPairsPages:
    def test_the_empty_destinations_page_shows_the_form(self, client, reference_data):
        response = client.get(DESTINATIONS)

        assert response.status_code == 200
        html = _html(response)
        assert "ここから行ける地域" in html
        assert "<svg" not in html

    def test_destinations_from_chiyoda_render_counts_map_and_prefecture_table(
        self, client, reference_data
    ):
        response = client.get(_url(DESTINATIONS, program="kyoryokutai", place="千代田区"))

        assert response.status_code == 200
        html = _html(response)
        assert "東京都 千代田区 — 地域おこし協力隊" in html
        assert re.search(r"<strong>1,?414</strong>", html)  # with or without a separator
        assert "<strong>327</strong>" in html
        assert "<svg" in html
        assert 'class="map"' in html
        assert 'class="dot--ok"' in html
        assert "dot--anchor" in html
        assert "都道府県別の件数" in html
        assert '<th scope="row">北海道</th>' in html
        assert '<th scope="row">沖縄県</th>' in html
        assert "format=csv" in html

    def test_origins_of_ama_render_the_three_counts(self, client, reference_data):
        response = client.get(_url(ORIGINS, program="kyoryokutai", place="325252"))

        assert response.status_code == 200
        html = _html(response)
        assert "ここへ来られる地域" in html
        assert "<strong>630</strong>" in html
        assert "<strong>292</strong>" in html
        assert "<strong>819</strong>" in html
        assert 'class="dot--check"' in html
        assert "都道府県別の件数" in html

    def test_the_csv_has_a_bom_a_header_and_one_line_per_municipality(self, client, reference_data):
        response = client.get(
            _url(DESTINATIONS, program="kyoryokutai", place="131016", format="csv")
        )

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment;" in response["Content-Disposition"]
        assert "destinations_kyoryokutai_131016_2022-04-01.csv" in response["Content-Disposition"]
        assert response.content.startswith(b"\xef\xbb\xbf")
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(text.splitlines()) == 1742
        assert rows[0] == ["団体コード", "都道府県", "市区町村", "区分", "記号", "判定", "基準日"]
        assert rows[1] == ["011002", "北海道", "札幌市", "4", "○", "対象", "2022-04-01"]
        assert sum(1 for r in rows[1:] if r[5] == "対象") == 1414

    def test_an_ambiguous_place_is_a_400_with_candidate_links(self, client, reference_data):
        response = client.get(_url(ORIGINS, program="kyoryokutai", place="府中"))

        assert response.status_code == 400
        html = _html(response)
        assert "一つに決まりません" in html
        assert "place=343021" in html
        assert 'aria-invalid="true"' in html
        assert "<svg" not in html

    def test_a_missing_place_is_a_400_in_japanese(self, client, reference_data):
        response = client.get(_url(DESTINATIONS, program="kyoryokutai", place=""))

        assert response.status_code == 400
        assert "市区町村または郵便番号を入力してください。" in _html(response)

    def test_a_program_without_pairs_is_refused(self, client, reference_data):
        response = client.get(_url(DESTINATIONS, program="otameshi", place="131016"))

        assert response.status_code == 400
        assert "制度を選び直してください。" in _html(response)


class TestRegionPages:
    def test_suggestions_are_datalist_options(self, client, reference_data):
        response = client.get("/regions/suggest/", {"origin": "あま"})

        assert response.status_code == 200
        html = _html(response)
        assert "<option" in html
        assert '<option value="325252 島根県海士町">あまちょう</option>' in html
        assert "<html" not in html

    @pytest.mark.parametrize("param", ["q", "origin", "destination", "place"])
    def test_every_field_name_is_accepted(self, client, reference_data, param):
        html = _html(client.get("/regions/suggest/", {param: "府中"}))

        assert html.count("<option") == 3

    def test_an_empty_suggestion_query_gives_no_options(self, client, reference_data):
        response = client.get("/regions/suggest/", {"origin": ""})

        assert response.status_code == 200
        assert "<option" not in _html(response)

    def test_the_municipality_page_shows_the_designation(self, client, reference_data):
        response = client.get("/regions/011002/")

        assert response.status_code == 200
        html = _html(response)
        assert "北海道 札幌市" in html
        assert "さっぽろし" in html
        assert "011002" in html
        assert "指定都市" in html
        assert "4: ３大都市圏外 都市地域 指定都市" in html
        assert "/eligibility/origins/?program=kyoryokutai&amp;place=011002" in html

    def test_the_municipality_page_lists_kaso_areas(self, client, reference_data):
        html = _html(client.get("/regions/012084/"))

        assert "常呂町、端野町、留辺蘂町" in html

    def test_an_unknown_code_is_a_404_page_in_japanese(self, client, reference_data):
        response = client.get("/regions/999997/")

        assert response.status_code == 404
        html = _html(response)
        assert "市区町村が見つかりません" in html
        assert "団体コード「999997」の市区町村は見つかりません。" in html

    def test_a_failing_check_digit_is_a_400_page(self, client, reference_data):
        response = client.get("/regions/011003/")

        assert response.status_code == 400
        assert "検査数字が正しくありません" in _html(response)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        CHECK,
        PRINT,
        DESTINATIONS,
        ORIGINS,
        "/regions/suggest/",
        "/regions/011002/",
    ],
)
def test_post_to_a_page_is_method_not_allowed(client, path):
    assert client.post(path, {"program": "kyoryokutai"}).status_code == 405
