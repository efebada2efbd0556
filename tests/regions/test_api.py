"""The regions part of the JSON API: search, municipality detail and postal codes."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert JAPANESE.search(body["message"]), body["message"]
    return body


class TestMunicipalitySearch:
    def test_fuchu_finds_three_places_with_their_kana_and_kind(self, client, reference_data):
        response = client.get("/api/v1/municipalities", {"q": "府中"})

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 3
        assert body["items"] == [
            {
                "lgcode": "132063",
                "name": "府中市",
                "kana": "ふちゅうし",
                "prefecture": "東京都",
                "kind": "city",
            },
            {
                "lgcode": "342084",
                "name": "府中市",
                "kana": "ふちゅうし",
                "prefecture": "広島県",
                "kind": "city",
            },
            {
                "lgcode": "343021",
                "name": "府中町",
                "kana": "ふちゅうちょう",
                "prefecture": "広島県",
                "kind": "town",
            },
        ]

    def test_katakana_finds_by_reading(self, client, reference_data):
        body = client.get("/api/v1/municipalities", {"q": "アマチョウ"}).json()

        assert [i["lgcode"] for i in body["items"]] == ["325252"]

    def test_wards_are_listed_with_their_city(self, client, reference_data):
        body = client.get("/api/v1/municipalities", {"q": "札幌市中"}).json()

        assert body["items"][0]["name"] == "札幌市中央区"
        assert body["items"][0]["kind"] == "ward"

    def test_the_limit_is_clamped_to_at_least_one(self, client, reference_data):
        assert (
            client.get("/api/v1/municipalities", {"q": "中央区", "limit": 0}).json()["count"] == 1
        )
        assert (
            client.get("/api/v1/municipalities", {"q": "中央区", "limit": 2}).json()["count"] == 2
        )

    def test_nothing_found_is_an_empty_list(self, client, reference_data):
        assert client.get("/api/v1/municipalities", {"q": "存在しない村"}).json() == {
            "count": 0,
            "items": [],
        }

    def test_a_missing_q_is_an_invalid_request(self, client, reference_data):
        body = assert_error(client.get("/api/v1/municipalities"), 400, "invalid_request")
        assert body["fields"][0]["field"] == "q"

    def test_a_non_numeric_limit_is_an_invalid_request(self, client, reference_data):
        assert_error(
            client.get("/api/v1/municipalities", {"q": "府中", "limit": "many"}),
            400,
            "invalid_request",
        )


class TestMunicipalityDetail:
    @pytest.mark.parametrize("code", ["011002", "01100"])
    def test_sapporo_by_six_or_five_digits(self, client, reference_data, code):
        response = client.get(f"/api/v1/municipalities/{code}")

        assert response.status_code == 200
        body = response.json()
        assert body["lgcode"] == "011002"
        assert body["code5"] == "01100"
        assert body["name"] == "札幌市"
        assert body["kana"] == "さっぽろし"
        assert body["prefecture"] == "北海道"
        assert body["kind"] == "designated_city"
        assert body["kind_label"] == "指定都市"
        assert body["matched_by"] == "lgcode"
        assert body["ward"] is None
        assert body["basis_date"] == "2022-04-01"
        assert body["designation"]["category_id"] == 4
        assert body["designation"]["category_label"] == "３大都市圏外 都市地域 指定都市"
        assert body["designation"]["designated_city"] is True
        assert body["designation"]["designated_city_contains_disadvantaged"] is False

    def test_a_ward_code_shows_its_city_and_names_the_ward(self, client, reference_data):
        body = client.get("/api/v1/municipalities/011011").json()

        assert body["lgcode"] == "011002"
        assert body["ward"] == {"lgcode": "011011", "name": "札幌市中央区", "prefecture": "北海道"}

    def test_a_partly_disadvantaged_city_lists_its_kaso_areas(self, client, reference_data):
        designation = client.get("/api/v1/municipalities/012084").json()["designation"]

        assert designation["area_type"] == "一部条件不利地域"
        assert designation["kaso_status"] == "partial"
        assert designation["kaso_partial_areas"] == ["常呂町", "端野町", "留辺蘂町"]
        assert designation["kaso_partial_areas_truncated"] is False

    def test_a_truncated_kaso_list_is_flagged(self, client, reference_data):
        body = client.get("/api/v1/municipalities", {"q": "上越市"}).json()
        code = body["items"][0]["lgcode"]

        designation = client.get(f"/api/v1/municipalities/{code}").json()["designation"]

        assert designation["kaso_partial_areas_truncated"] is True

    def test_a_failing_check_digit_is_a_400(self, client, reference_data):
        body = assert_error(client.get("/api/v1/municipalities/011003"), 400, "lgcode_check_digit")
        assert "011002" in body["message"]

    def test_an_unknown_code_is_a_404(self, client, reference_data):
        assert_error(client.get("/api/v1/municipalities/999997"), 404, "municipality_not_found")

    def test_a_name_is_not_a_code(self, client, reference_data):
        assert_error(client.get("/api/v1/municipalities/札幌市"), 400, "invalid_lgcode")

    def test_a_malformed_code_is_a_400(self, client, reference_data):
        assert_error(client.get("/api/v1/municipalities/1234"), 400, "invalid_code")

    def test_a_date_before_the_earliest_basis_date_is_a_400(self, client, reference_data):
        assert_error(
            client.get("/api/v1/municipalities/011002", {"as_of": "2020-01-01"}),
            400,
            "as_of_before_earliest",
        )


class TestPostalCodes:
    def test_060_0042_is_sapporo_with_the_chuo_ku_ward_and_town_area(self, client, reference_data):
        response = client.get("/api/v1/postal-codes/060-0042")

        assert response.status_code == 200
        body = response.json()
        assert body["lgcode"] == "011002"
        assert body["name"] == "札幌市"
        assert body["ward"]["name"] == "札幌市中央区"
        assert body["postal_code"] == "0600042"
        assert body["town_area"] == "大通西"
        assert body["town_area_candidates"] == ["大通西"]
        assert body["matched_by"] == "postal_code"
        assert body["designation"]["category_id"] == 4

    @pytest.mark.parametrize("code", ["1000001", "100-0001", "〒100-0001"])
    def test_100_0001_is_chiyoda_in_any_spelling(self, client, reference_data, code):
        body = client.get(f"/api/v1/postal-codes/{code}").json()

        assert body["lgcode"] == "131016"
        assert body["town_area"] == "千代田"

    def test_an_unknown_postal_code_is_a_404(self, client, reference_data):
        body = assert_error(
            client.get("/api/v1/postal-codes/999-9999"), 404, "postal_code_not_found"
        )
        assert body["message"] == "郵便番号「999-9999」は見つかりません。"

    def test_a_malformed_postal_code_is_a_400(self, client, reference_data):
        assert_error(client.get("/api/v1/postal-codes/100-001"), 400, "invalid_postal_code")

    @pytest.mark.parametrize(
        "path",
        ["/api/v1/municipalities", "/api/v1/municipalities/011002", "/api/v1/postal-codes/1000001"],
    )
    def test_post_to_a_get_endpoint_is_method_not_allowed(self, client, path):
        assert client.post(path).status_code == 405
