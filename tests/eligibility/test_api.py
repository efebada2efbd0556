"""The JSON API at /api/v1/: the OpenAPI schema, the eligibility contract and its errors."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.django_db

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
CHECK = "/api/v1/eligibility/check"
DESTINATIONS = "/api/v1/eligibility/destinations"
ORIGINS = "/api/v1/eligibility/origins"


def _get(client, path: str, **params: str):
    return client.get(f"{path}?{urlencode(params)}" if params else path)


def assert_error(response, status: int, code: str) -> dict:
    """Every error is JSON with a stable `code` and a Japanese `message`."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert JAPANESE.search(body["message"]), body["message"]
    return body


class TestOpenApi:
    def test_the_schema_builds_and_lists_every_path(self, client):
        response = client.get("/api/v1/openapi.json")

        assert response.status_code == 200
        schema = response.json()
        assert schema["info"]["title"] == "hitonagare API"
        assert set(schema["paths"]) == {
            "/api/v1/eligibility/check",
            "/api/v1/eligibility/destinations",
            "/api/v1/eligibility/origins",
            "/api/v1/municipalities",
            "/api/v1/municipalities/{code}",
            "/api/v1/postal-codes/{code}",
            "/api/v1/openings",
            "/api/v1/openings/{opening_id}",
        }
        assert all(set(ops) == {"get"} for ops in schema["paths"].values())

    def test_the_check_parameters_use_from_and_to(self, client):
        schema = client.get("/api/v1/openapi.json").json()
        names = {p["name"] for p in schema["paths"][CHECK]["get"]["parameters"]}

        assert {"program", "from", "to", "from_area", "to_area", "as_of"} <= names

    def test_the_interactive_docs_page_renders(self, client):
        response = client.get("/api/v1/docs")

        assert response.status_code == 200
        assert b"openapi.json" in response.content


class TestCheckContract:
    def test_chiyoda_postal_code_to_ama_is_eligible(self, client, reference_data):
        response = _get(client, CHECK, program="kyoryokutai", **{"from": "100-0001"}, to="海士町")

        assert response.status_code == 200
        body = response.json()
        assert body["program"] == "kyoryokutai"
        assert body["symbol"] == "○"
        assert body["eligible"] is True
        assert body["status_label"] == "対象"
        assert isinstance(body["reasons"], list)
        assert body["reasons"]
        assert all(isinstance(r, str) for r in body["reasons"])
        assert body["citations"][0]["basis_date"] == "2022-04-01"
        assert set(body["citations"][0]) >= {"document", "section", "url"}
        assert body["areas_to_check"] == []
        assert body["basis_date"] == "2022-04-01"
        assert "令和4年4月1日現在" in body["edition_title"]
        for key, lgcode, name, prefecture, category in (
            ("from", "131016", "千代田区", "東京都", 1),
            ("to", "325252", "海士町", "島根県", 8),
        ):
            place = body[key]
            assert re.fullmatch(r"\d{6}", place["lgcode"])
            assert place["lgcode"] == lgcode
            assert place["name"] == name
            assert place["prefecture"] == prefecture
            assert place["category_id"] == category

    def test_a_triangle_case_reports_the_areas_to_check(self, client, reference_data):
        body = _get(client, CHECK, program="kyoryokutai", **{"from": "北見市"}, to="海士町").json()

        assert body["symbol"] == "△"
        assert body["eligible"] is None
        assert body["status_label"] == "要確認"
        assert body["areas_to_check"] == ["常呂町", "端野町", "留辺蘂町"]

    def test_the_areas_change_the_decision(self, client, reference_data):
        body = _get(
            client,
            CHECK,
            program="kyoryokutai",
            **{"from": "北見市"},
            to="海士町",
            from_area="常呂町",
        ).json()

        assert body["eligible"] is False

    def test_a_resident_abroad_may_leave_out_from(self, client, reference_data):
        body = _get(
            client, CHECK, program="kyoryokutai", to="海士町", overseas_resident="true"
        ).json()

        assert body["eligible"] is True
        assert body["from"] is None

    @pytest.mark.parametrize("program", ["pm", "intern", "otameshi", "kigyojin"])
    def test_every_program_answers(self, client, reference_data, program):
        body = _get(client, CHECK, program=program, **{"from": "131016"}, to="325252").json()

        assert body["program"] == program
        assert body["eligible"] is True


class TestCheckErrors:
    def test_an_unknown_program_is_a_400(self, client, reference_data):
        body = assert_error(
            _get(client, CHECK, program="jet", **{"from": "100-0001"}, to="海士町"),
            400,
            "unknown_program",
        )
        assert "kyoryokutai" in body["message"]

    def test_a_missing_to_is_an_invalid_request(self, client, reference_data):
        body = assert_error(
            _get(client, CHECK, program="kyoryokutai", **{"from": "100-0001"}),
            400,
            "invalid_request",
        )
        assert body["fields"][0]["field"] == "to"

    def test_a_missing_program_is_an_invalid_request(self, client, reference_data):
        assert_error(
            _get(client, CHECK, **{"from": "100-0001"}, to="海士町"), 400, "invalid_request"
        )

    def test_a_missing_from_is_required_unless_abroad(self, client, reference_data):
        assert_error(
            _get(client, CHECK, program="kyoryokutai", to="海士町"), 400, "origin_required"
        )

    def test_a_malformed_date_is_an_invalid_request(self, client, reference_data):
        body = assert_error(
            _get(
                client,
                CHECK,
                program="kyoryokutai",
                **{"from": "100-0001"},
                to="海士町",
                as_of="2022-13-01",
            ),
            400,
            "invalid_request",
        )
        assert body["fields"][0]["field"] == "as_of"

    def test_a_failing_check_digit_is_a_400_naming_the_field(self, client, reference_data):
        body = assert_error(
            _get(client, CHECK, program="kyoryokutai", **{"from": "131017"}, to="海士町"),
            400,
            "lgcode_check_digit",
        )
        assert body["field"] == "from"
        assert "131016" in body["message"]

    def test_a_malformed_code_is_a_400(self, client, reference_data):
        assert_error(
            _get(client, CHECK, program="kyoryokutai", **{"from": "12-34"}, to="海士町"),
            400,
            "invalid_code",
        )

    def test_an_unknown_code_is_a_404(self, client, reference_data):
        body = assert_error(
            _get(client, CHECK, program="kyoryokutai", **{"from": "131016"}, to="999997"),
            404,
            "municipality_not_found",
        )
        assert body["field"] == "to"

    def test_an_unknown_postal_code_is_a_404(self, client, reference_data):
        assert_error(
            _get(client, CHECK, program="kyoryokutai", **{"from": "999-9999"}, to="海士町"),
            404,
            "postal_code_not_found",
        )

    def test_an_ambiguous_name_lists_the_candidates(self, client, reference_data):
        body = assert_error(
            _get(client, CHECK, program="kyoryokutai", **{"from": "府中"}, to="海士町"),
            400,
            "ambiguous_name",
        )
        assert body["field"] == "from"
        assert [c["lgcode"] for c in body["candidates"]] == ["132063", "342084", "343021"]
        assert {"lgcode": "343021", "name": "府中町", "prefecture": "広島県"} in body["candidates"]

    def test_a_date_before_the_earliest_basis_date_is_a_400(self, client, reference_data):
        body = assert_error(
            _get(
                client,
                CHECK,
                program="kyoryokutai",
                **{"from": "100-0001"},
                to="海士町",
                as_of="2020-01-01",
            ),
            400,
            "as_of_before_earliest",
        )
        assert "2022-04-01" in body["message"]

    def test_inconsistent_exceptions_are_a_400(self, client, reference_data):
        assert_error(
            _get(
                client,
                CHECK,
                program="kyoryokutai",
                **{"from": "100-0001"},
                to="海士町",
                pm_already_active="true",
            ),
            400,
            "invalid_input",
        )

    @pytest.mark.parametrize("path", [CHECK, DESTINATIONS, ORIGINS])
    def test_post_to_a_get_endpoint_is_method_not_allowed(self, client, path):
        assert client.post(path, {"program": "kyoryokutai"}).status_code == 405


class TestPairs:
    def test_destinations_from_chiyoda_give_count_and_items(self, client, reference_data):
        response = _get(client, DESTINATIONS, program="kyoryokutai", **{"from": "千代田区"})

        assert response.status_code == 200
        body = response.json()
        assert body["direction"] == "destinations"
        assert body["basis_date"] == "2022-04-01"
        assert body["summary"] == {"eligible": 1414, "needs_check": 0, "not_eligible": 327}
        assert body["count"] == 1741
        assert len(body["items"]) == 1741
        first = body["items"][0]
        assert set(first) >= {"lgcode", "name", "symbol", "eligible"}
        assert first == {
            "lgcode": "011002",
            "name": "札幌市",
            "prefecture": "北海道",
            "category_id": 4,
            "symbol": "○",
            "eligible": True,
        }

    def test_only_eligible_drops_the_not_eligible_items(self, client, reference_data):
        body = _get(
            client,
            DESTINATIONS,
            program="kyoryokutai",
            **{"from": "131016"},
            only_eligible="true",
        ).json()

        assert body["count"] == 1414
        assert len(body["items"]) == 1414
        assert all(i["eligible"] is True for i in body["items"])

    def test_origins_of_ama_give_count_and_items(self, client, reference_data):
        body = _get(client, ORIGINS, program="kyoryokutai", to="海士町").json()

        assert body["direction"] == "origins"
        assert body["summary"] == {"eligible": 630, "needs_check": 292, "not_eligible": 819}
        assert body["count"] == 1741
        kitami = next(i for i in body["items"] if i["lgcode"] == "012084")
        assert (kitami["symbol"], kitami["eligible"]) == ("△", None)

    def test_origins_with_only_eligible_keep_the_ones_to_check(self, client, reference_data):
        body = _get(
            client, ORIGINS, program="kyoryokutai", to="海士町", only_eligible="true"
        ).json()

        assert body["count"] == 630 + 292
        assert {i["eligible"] for i in body["items"]} == {True, None}

    def test_destinations_errors_are_json_with_a_code(self, client, reference_data):
        assert_error(
            _get(client, DESTINATIONS, program="kyoryokutai", **{"from": "府中"}),
            400,
            "ambiguous_name",
        )
        assert_error(_get(client, DESTINATIONS, program="kyoryokutai"), 400, "invalid_request")
        assert_error(
            _get(client, DESTINATIONS, program="nope", **{"from": "131016"}),
            400,
            "unknown_program",
        )

    def test_origins_errors_are_json_with_a_code(self, client, reference_data):
        assert_error(
            _get(client, ORIGINS, program="kyoryokutai", to="999-9999"),
            404,
            "postal_code_not_found",
        )
        assert_error(
            _get(client, ORIGINS, program="kyoryokutai", to="325252", as_of="2020-01-01"),
            400,
            "as_of_before_earliest",
        )
