"""Resolving postal codes, codes and names against the shipped reference data."""

from __future__ import annotations

from datetime import date

import pytest

from hitonagare.core.errors import DomainError, NotFoundError
from hitonagare.regions import selectors
from hitonagare.regions.models import Municipality

pytestmark = pytest.mark.django_db


def _names(found: list[Municipality]) -> list[str]:
    return [f"{m.prefecture.name}{m.full_name}" for m in found]


class TestPostalCodeLookup:
    def test_100_0001_is_chiyoda_ku_with_the_town_area_chiyoda(self, reference_data):
        place = selectors.postal_code_lookup(postal_code="100-0001")

        assert place.municipality.lgcode == "131016"
        assert place.municipality.full_name == "千代田区"
        assert place.municipality.prefecture.name == "東京都"
        assert place.matched_by == "postal_code"
        assert place.postal_code == "1000001"
        assert place.town_area == "千代田"
        assert place.town_area_candidates == ("千代田",)
        assert place.ward is None

    def test_a_sapporo_chuo_ku_postal_code_is_judged_as_the_whole_designated_city(
        self, reference_data
    ):
        place = selectors.postal_code_lookup(postal_code="〒060-0042")

        assert place.municipality.lgcode == "011002"
        assert place.municipality.full_name == "札幌市"
        assert place.municipality.kind == Municipality.Kind.DESIGNATED_CITY
        assert place.ward is not None
        assert place.ward.name == "中央区"
        assert place.ward.full_name == "札幌市中央区"
        assert place.ward.parent_id == place.municipality.pk

    def test_a_hamamatsu_postal_code_after_the_2024_ward_reorganisation_is_hamamatsu(
        self, reference_data
    ):
        place = selectors.postal_code_lookup(postal_code="430-0911")

        assert place.municipality.full_name == "浜松市"
        assert place.municipality.lgcode == "221309"
        assert place.ward is not None
        assert place.ward.full_name == "浜松市中央区"

    def test_an_unknown_postal_code_is_not_found(self, reference_data):
        with pytest.raises(NotFoundError) as caught:
            selectors.postal_code_lookup(postal_code="999-9999")

        assert caught.value.status == 404
        assert caught.value.code == "postal_code_not_found"
        assert caught.value.message == "郵便番号「999-9999」は見つかりません。"

    def test_a_malformed_postal_code_is_a_bad_request(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.postal_code_lookup(postal_code="100-001")

        assert caught.value.status == 400
        assert caught.value.code == "invalid_postal_code"


class TestPlaceResolveByCode:
    @pytest.mark.parametrize("query", ["131016", "13101", "１３１０１６"])
    def test_a_five_or_six_digit_code_finds_the_municipality(self, reference_data, query):
        place = selectors.place_resolve(query=query)

        assert place.municipality.full_name == "千代田区"
        assert place.matched_by == "lgcode"

    def test_a_ward_code_resolves_to_its_designated_city(self, reference_data):
        place = selectors.place_resolve(query="011011")

        assert place.municipality.full_name == "札幌市"
        assert place.ward is not None
        assert place.ward.full_name == "札幌市中央区"

    def test_the_autocomplete_form_resolves_by_its_code(self, reference_data):
        place = selectors.place_resolve(query="011002 北海道札幌市")

        assert place.municipality.lgcode == "011002"
        assert place.matched_by == "lgcode"

    def test_a_failing_check_digit_is_refused(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.place_resolve(query="131017")

        assert caught.value.code == "lgcode_check_digit"
        assert caught.value.status == 400
        assert "131016" in caught.value.message

    def test_a_well_formed_but_unknown_code_is_not_found(self, reference_data):
        with pytest.raises(NotFoundError) as caught:
            selectors.place_resolve(query="999997")

        assert caught.value.code == "municipality_not_found"
        assert "999997" in caught.value.message

    def test_digits_that_are_neither_code_nor_postal_code_are_refused(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.place_resolve(query="12-34")

        assert caught.value.code == "invalid_code"

    def test_an_empty_query_is_refused(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.place_resolve(query="  ")

        assert caught.value.code == "empty_query"


class TestPlaceResolveByName:
    @pytest.mark.parametrize("query", ["海士町", "あまちょう", "アマチョウ", "島根県海士町"])
    def test_ama_cho_is_found_by_kanji_hiragana_and_katakana(self, reference_data, query):
        place = selectors.place_resolve(query=query)

        assert place.municipality.lgcode == "325252"
        assert place.municipality.full_name == "海士町"
        assert place.matched_by == "name"
        assert place.query == query

    def test_fuchu_is_ambiguous_and_lists_its_three_candidates(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.place_resolve(query="府中")

        error = caught.value
        assert error.code == "ambiguous_name"
        assert error.status == 400
        assert "一つに決まりません（3件）" in error.message
        assert error.candidates == [
            {"lgcode": "132063", "name": "府中市", "prefecture": "東京都"},
            {"lgcode": "342084", "name": "府中市", "prefecture": "広島県"},
            {"lgcode": "343021", "name": "府中町", "prefecture": "広島県"},
        ]

    def test_fuchu_shi_alone_is_still_ambiguous_between_tokyo_and_hiroshima(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.place_resolve(query="府中市")

        assert caught.value.code == "ambiguous_name"
        assert {c["prefecture"] for c in caught.value.candidates} == {"東京都", "広島県"}

    def test_the_prefecture_makes_tokyo_fuchu_shi_unique(self, reference_data):
        place = selectors.place_resolve(query="東京都府中市")

        assert place.municipality.lgcode == "132063"
        assert place.municipality.prefecture.name == "東京都"

    def test_sapporo_chuo_ku_is_unique_and_judged_as_sapporo(self, reference_data):
        place = selectors.place_resolve(query="札幌市中央区")

        assert place.municipality.full_name == "札幌市"
        assert place.ward is not None
        assert place.ward.lgcode == "011011"

    def test_a_unique_prefix_resolves_without_the_full_name(self, reference_data):
        assert selectors.place_resolve(query="北見").municipality.full_name == "北見市"

    def test_an_unknown_name_is_not_found(self, reference_data):
        with pytest.raises(NotFoundError) as caught:
            selectors.place_resolve(query="存在しない村")

        assert caught.value.code == "municipality_not_found"
        assert caught.value.status == 404
        assert "存在しない村" in caught.value.message


class TestMunicipalitySearch:
    def test_exact_matches_come_before_prefix_matches_before_partial_matches(self, reference_data):
        found = _names(selectors.municipality_search(query="東村"))

        assert found[0] == "沖縄県東村"  # exact
        assert found[1] == "東京都東村山市"  # prefix
        assert set(found[2:]) == {"群馬県榛東村", "沖縄県南大東村", "沖縄県北大東村"}  # partial

    def test_cities_come_before_their_wards_at_the_same_rank(self, reference_data):
        found = _names(selectors.municipality_search(query="広島市"))

        assert found[0] == "広島県広島市"
        assert "広島県広島市中区" in found[1:]
        assert found.index("広島県広島市中区") < found.index("広島県東広島市")

    @pytest.mark.parametrize("query", ["府中", "ふちゅう", "フチュウ"])
    def test_kanji_and_both_kana_find_the_same_places(self, reference_data, query):
        assert _names(selectors.municipality_search(query=query)) == [
            "東京都府中市",
            "広島県府中市",
            "広島県府中町",
        ]

    def test_a_prefecture_prefix_narrows_the_search(self, reference_data):
        assert _names(selectors.municipality_search(query="東京都府中")) == ["東京都府中市"]

    def test_a_ward_is_found_by_its_city_and_the_start_of_its_name(self, reference_data):
        assert _names(selectors.municipality_search(query="札幌市中")) == ["北海道札幌市中央区"]

    def test_the_limit_is_respected(self, reference_data):
        assert len(selectors.municipality_search(query="中央区", limit=3)) == 3

    def test_a_blank_query_finds_nothing(self, reference_data):
        assert selectors.municipality_search(query=" ") == []


class TestEditions:
    def test_the_edition_in_force_today_is_the_2022_04_01_edition(self, reference_data):
        edition = selectors.edition_in_force()

        assert edition.basis_date == date(2022, 4, 1)
        assert "令和4年4月1日現在" in edition.title

    def test_the_basis_date_itself_is_covered(self, reference_data):
        assert selectors.edition_in_force(as_of=date(2022, 4, 1)).basis_date == date(2022, 4, 1)

    def test_a_date_before_the_earliest_basis_date_is_refused_in_japanese(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.edition_in_force(as_of=date(2021, 1, 1))

        assert caught.value.code == "as_of_before_earliest"
        assert caught.value.status == 400
        assert "2021-01-01 より前の地域要件確認表はありません" in caught.value.message
        assert "2022-04-01" in caught.value.message


class TestDesignations:
    def test_the_designation_table_has_one_row_per_designated_municipality(self, reference_data):
        table = selectors.designation_table(edition=selectors.edition_in_force())

        assert len(table.lgcodes) == 1741
        assert table.categories.shape == (1741,)
        assert table.zones.shape == (1741,)
        assert len(table.index) == 1741
        assert table.names[table.index["325252"]] == "海士町"
        assert int(table.categories[table.index["325252"]]) == 8
        assert int(table.zones[table.index["325252"]]) == 1  # 全部条件不利 → inside
        assert int(table.zones[table.index["131016"]]) == 0  # 都市地域 → outside
        assert int(table.zones[table.index["012084"]]) == -1  # 一部 → depends on the area

    def test_the_table_lists_designated_cities_but_not_their_wards(self, reference_data):
        table = selectors.designation_table(edition=selectors.edition_in_force())

        assert "011002" in table.index
        assert "011011" not in table.index

    def test_the_category_counts_match_the_r4_kakuninhyou(self, reference_data):
        table = selectors.designation_table(edition=selectors.edition_in_force())
        counts = {c: int((table.categories == c).sum()) for c in range(1, 11)}

        # domain-rules §1.2: 1:319, 2:8, 3:301, 4:2, 5:102, 6:41, 7:2, 8:717, 9:241, 10:8
        assert counts == {1: 319, 2: 8, 3: 301, 4: 2, 5: 102, 6: 41, 7: 2, 8: 717, 9: 241, 10: 8}

    def test_a_ward_gets_the_designation_of_its_city(self, reference_data):
        ward = selectors.municipality_get(lgcode="011011")
        designation = selectors.designation_get(
            municipality=ward, edition=selectors.edition_in_force()
        )

        assert designation.municipality.lgcode == "011002"
        assert designation.category_id == 4

    def test_kitami_lists_its_kaso_areas(self, reference_data):
        designation = selectors.designation_get(
            municipality=selectors.municipality_get(lgcode="012084"),
            edition=selectors.edition_in_force(),
        )

        assert designation.area_type == "一部条件不利地域"
        assert designation.kaso_partial_areas == ["常呂町", "端野町", "留辺蘂町"]

    def test_town_areas_come_from_the_postal_data(self, reference_data):
        areas = selectors.town_areas(municipality=selectors.municipality_get(lgcode="131016"))

        assert "千代田" in areas
        assert areas == sorted(areas)
