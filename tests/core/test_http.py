"""HTTP plumbing: the API's JSON error shape everywhere, and the response cache."""

from __future__ import annotations

import pytest
from django.test import Client

CHECK = "/api/v1/eligibility/check?program=kyoryokutai&from=100-0001&to=海士町"


@pytest.mark.django_db
def test_wrong_method_on_an_api_endpoint_answers_json_with_allow_header():
    response = Client().post(CHECK)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"


@pytest.mark.django_db
def test_unknown_api_url_answers_json_not_found():
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "このURLのAPIはありません。/api/v1/docs を参照してください。",
    }


@pytest.mark.django_db
def test_unknown_page_shows_the_japanese_not_found_page():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


@pytest.mark.django_db
def test_a_repeated_check_is_served_from_the_cache_with_identical_body():
    client = Client()
    first = client.get(CHECK)
    second = client.get(CHECK)
    assert first.status_code == second.status_code == 200
    assert "X-Cache" not in first
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


@pytest.mark.django_db
def test_errors_are_cached_too_and_stay_errors():
    client = Client()
    url = "/api/v1/eligibility/check?program=nope&from=100-0001&to=海士町"
    assert client.get(url).status_code == 400
    again = client.get(url)
    assert again.status_code == 400
    assert again["X-Cache"] == "hit"
    assert again.json()["code"] == "unknown_program"


@pytest.mark.django_db
def test_a_reference_data_change_is_never_answered_from_the_old_cache():
    from hitonagare.regions.models import Designation, Municipality
    from hitonagare.regions.services import reference_data_load

    client = Client()
    assert client.get(CHECK).json()["eligible"] is True
    ama = Municipality.objects.get(lgcode="325252")
    # Pretend the edition reclassified 海士町 as 3大都市圏内の都市地域 (never a 転入地).
    Designation.objects.filter(municipality=ama).update(
        category_id=1, area_type="都市地域", in_metro=True, prefecture_in_metro=True
    )
    from django.utils import timezone

    from hitonagare.regions.models import ClassificationEdition
    from hitonagare.regions.reference import reference_cache_clear

    ClassificationEdition.objects.update(loaded_at=timezone.now())
    reference_cache_clear()
    changed = client.get(CHECK)
    assert "X-Cache" not in changed
    assert changed.json()["eligible"] is False
    reference_data_load(commit=True)  # the loader repairs it, and the answer follows
    assert client.get(CHECK).json()["eligible"] is True


def test_non_ascii_digits_are_not_taken_for_a_code():
    from hitonagare.regions.codes import QueryKind, classify_query

    # Arabic-Indic digits survive NFKC; they must not pass as a 団体コード.
    assert classify_query("١٣١٠١٦").kind is QueryKind.NAME


@pytest.mark.django_db
def test_an_overlong_place_is_rejected_with_the_api_error_shape():
    response = Client().get(
        "/api/v1/eligibility/check", {"program": "kyoryokutai", "from": "あ" * 5000, "to": "海士町"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert len(response.content) < 2000


@pytest.mark.django_db
def test_large_answers_and_junk_parameters_are_not_kept_in_the_cache():
    client = Client()
    url = "/api/v1/eligibility/destinations?program=kyoryokutai&from=100-0001"
    client.get(url)
    assert "X-Cache" not in client.get(url)  # ~200 KB body: never cached
    junk = CHECK + "&junk=" + "x" * 600
    client.get(junk)
    assert "X-Cache" not in client.get(junk)
