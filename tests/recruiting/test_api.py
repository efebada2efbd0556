"""The openings API (/api/v1/openings): the search's shape, facets, repeated parameters,
pages and errors; one opening (drafts are 404)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pytest

from hitonagare.recruiting import rules
from hitonagare.recruiting.services import opening_close, opening_end

from . import factories

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/openings"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
AMA = "325252"


def _get(client, path: str = SEARCH, params: list[tuple[str, str]] | dict | None = None):
    query = urlencode(params or {}, doseq=True)
    return client.get(f"{path}?{query}" if query else path)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert JAPANESE.search(body["message"]), body["message"]
    return body


@pytest.fixture
def staff(reference_data):
    return factories.staff_of(AMA)


@pytest.fixture
def three(staff):
    farm = factories.opening(staff=staff, title="地場産品の販路開拓と古民家カフェ")
    guide = factories.opening(
        staff=staff,
        title="観光案内所の運営",
        summary="観光客の案内と情報発信",
        description="案内所での接客を担当します。",
        themes=(rules.Theme.TOURISM,),
        housing_support=False,
        monthly_pay_yen=None,
        deadline=None,
    )
    manager = factories.opening(
        staff=staff,
        program="pm",
        title="観光戦略のプロジェクトマネージャー",
        summary="観光戦略を実行します。",
        description="観光の事業計画づくりを担います。",
        themes=(rules.Theme.TOURISM, rules.Theme.ICT_DX),
        area_name="豊田",
        monthly_pay_yen=300000,
    )
    return farm, guide, manager


class TestSearch:
    def test_the_shape_of_the_answer(self, client, three):
        farm, guide, manager = three

        response = client.get(SEARCH)

        assert response.status_code == 200
        body = response.json()
        assert set(body) == {
            "count",
            "count_is_lower_bound",
            "count_is_estimate",
            "page",
            "page_count",
            "items",
            "facets",
        }
        assert body["count"] == 3
        assert body["count_is_lower_bound"] is False
        assert (body["page"], body["page_count"]) == (1, 1)
        assert [item["id"] for item in body["items"]] == [manager.pk, guide.pk, farm.pk]
        item = body["items"][0]
        assert item == {
            "id": manager.pk,
            "title": manager.title,
            "summary": manager.summary,
            "description": manager.description,
            "program": "pm",
            "program_label": "地域プロジェクトマネージャー",
            "themes": ["tourism", "ict-dx"],
            "theme_labels": ["観光振興", "ICT・DX"],
            "municipality": {"lgcode": AMA, "name": "海士町", "prefecture": "島根県"},
            "area_name": "豊田",
            "positions": 1,
            "monthly_pay_yen": 300000,
            "housing_support": True,
            "deadline": manager.deadline.isoformat(),
            "start_date": None,
            "term": {"value": 3, "unit": "years", "label": "3年"},
            "status": "published",
            "published_at": item["published_at"],
            "url": f"http://testserver/openings/{manager.pk}/",
        }
        published = dt.datetime.fromisoformat(item["published_at"])  # ISO 8601, milliseconds
        assert abs(published - manager.published_at) < dt.timedelta(milliseconds=1)
        no_pay = body["items"][1]
        assert no_pay["monthly_pay_yen"] is None
        assert no_pay["deadline"] is None

    def test_facets_carry_value_label_count_and_selection(self, client, three):
        body = _get(client, params={"q": "観光", "program": "pm"}).json()

        facets = body["facets"]
        assert set(facets) == {"program", "block", "prefecture", "theme", "housing", "deadline"}
        programs = {f["value"]: f for f in facets["program"]}
        assert programs["pm"] == {
            "value": "pm",
            "label": "地域プロジェクトマネージャー",
            "count": 1,
            "selected": True,
        }
        assert programs["kyoryokutai"]["count"] == 0
        assert len(facets["prefecture"]) == 47
        assert {f["value"]: f["count"] for f in facets["prefecture"]}["32"] == 1
        assert {f["value"]: f["count"] for f in facets["theme"]}["ict-dx"] == 1
        assert [f["value"] for f in facets["deadline"]] == ["7", "30", "none"]

    def test_keywords_two_four_characters_and_two_terms(self, client, three):
        farm, guide, _manager = three

        def ids(q: str) -> set[int]:
            return {item["id"] for item in _get(client, params={"q": q}).json()["items"]}

        assert ids("地場") == {farm.pk}
        assert ids("地場産品") == {farm.pk}
        assert ids("古民家 地場") == {farm.pk}
        assert ids("観光 案内所") == {guide.pk}
        assert ids("案内所 古民家") == set()

    def test_repeated_parameters_mean_any_of_them(self, client, three):
        farm, _guide, manager = three

        both = _get(client, params=[("program", "kyoryokutai"), ("program", "pm")]).json()
        one = _get(client, params={"program": "pm"}).json()
        combined = _get(
            client,
            params=[("theme", "tourism"), ("housing", "1"), ("prefecture", "32"), ("block", "7")],
        ).json()

        assert both["count"] == 3
        assert [item["id"] for item in one["items"]] == [manager.pk]
        assert {item["id"] for item in combined["items"]} == {farm.pk, manager.pk}

    def test_pages(self, client, staff):
        for n in range(21):
            factories.opening(staff=staff, title=f"林業の担い手 {n:02d}")

        first = _get(client, params={"q": "林業"}).json()
        second = _get(client, params={"q": "林業", "page": "2"}).json()

        assert (first["count"], first["page_count"], len(first["items"])) == (21, 2, 20)
        assert (second["page"], len(second["items"])) == (2, 1)
        assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}

    def test_drafts_closed_and_ended_are_not_searched(self, client, staff, three):
        draft = factories.opening(staff=staff, publish=False, title="秘密の下書き")
        closed = factories.opening(staff=staff, title="秘密の締切")
        opening_close(user=staff, opening_id=closed.pk)

        body = _get(client, params={"q": "秘密"}).json()
        everything = {item["id"] for item in client.get(SEARCH).json()["items"]}

        assert body["count"] == 0
        assert draft.pk not in everything
        assert closed.pk not in everything

    @pytest.mark.parametrize(
        ("params", "code", "field"),
        [
            ({"q": "農"}, "bad_query", "q"),
            ({"program": "zz"}, "unknown_program", "program"),
            ({"prefecture": "99"}, "unknown_prefecture", "prefecture"),
            ({"block": "0"}, "unknown_block", "block"),
            ({"theme": "fishing"}, "unknown_theme", "theme"),
            ({"deadline": "tomorrow"}, "unknown_deadline", "deadline"),
            ({"sort": "random"}, "unknown_sort", "sort"),
            ({"page": "0"}, "bad_page", "page"),
            ({"page": "501"}, "bad_page", "page"),
        ],
    )
    def test_bad_values_are_400_json_with_a_code(self, client, three, params, code, field):
        body = assert_error(_get(client, params=params), 400, code)

        assert body["field"] == field

    def test_a_one_character_keyword_explains_itself(self, client, three):
        body = assert_error(_get(client, params={"q": "農"}), 400, "bad_query")

        assert "2文字以上" in body["message"]

    def test_a_page_that_is_not_a_number_is_a_400(self, client, three):
        assert_error(_get(client, params={"page": "abc"}), 400, "invalid_request")

    def test_the_search_is_in_the_openapi_schema_with_its_parameters(self, client):
        schema = client.get("/api/v1/openapi.json").json()

        assert {"/api/v1/openings", "/api/v1/openings/{opening_id}"} <= set(schema["paths"])
        names = {p["name"] for p in schema["paths"]["/api/v1/openings"]["get"]["parameters"]}
        assert names == {
            "q",
            "program",
            "prefecture",
            "block",
            "theme",
            "housing",
            "deadline",
            "sort",
            "page",
        }


class TestDetail:
    def test_a_published_opening_with_every_field(self, client, three):
        _farm, _guide, manager = three

        response = client.get(f"{SEARCH}/{manager.pk}")

        assert response.status_code == 200
        body = response.json()
        assert body["id"] == manager.pk
        assert body["status"] == "published"
        assert body["status_label"] == "公開"
        assert body["host"] == "海士町"
        assert body["employment_form"] == "appointed"
        assert body["employment_form_label"] == "会計年度任用職員"
        assert body["vehicle_label"] == "活動用車両の貸与あり"
        assert body["side_work_allowed"] is False
        assert body["selection_steps"] == "書類選考 → 面接（オンライン可）"
        assert body["contact"] == "海士町役場 交流促進課 03-0000-0000"
        assert body["municipality"] == {"lgcode": AMA, "name": "海士町", "prefecture": "島根県"}
        assert body["term"] == {"value": 3, "unit": "years", "label": "3年"}

    def test_closed_and_ended_openings_are_readable(self, client, staff):
        closed = factories.opening(staff=staff)
        opening_close(user=staff, opening_id=closed.pk)
        ended = factories.opening(staff=staff)
        opening_end(user=staff, opening_id=ended.pk)

        assert client.get(f"{SEARCH}/{closed.pk}").json()["status"] == "closed"
        assert client.get(f"{SEARCH}/{ended.pk}").json()["status"] == "ended"

    def test_a_draft_is_404_json(self, client, staff):
        draft = factories.opening(staff=staff, publish=False)

        assert_error(client.get(f"{SEARCH}/{draft.pk}"), 404, "opening_not_found")
        assert_error(client.get(f"{SEARCH}/999999"), 404, "opening_not_found")
