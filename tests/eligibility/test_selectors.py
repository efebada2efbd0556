"""eligibility_check / destinations / origins end to end on the shipped reference data."""

from __future__ import annotations

import random
from datetime import date

import pytest

from hitonagare.core.errors import DomainError, NotFoundError
from hitonagare.eligibility import selectors
from hitonagare.eligibility.rules import Exceptions, Program, Zone, decide
from hitonagare.regions import selectors as regions

pytestmark = pytest.mark.django_db

CHIYODA = "131016"
AMA = "325252"
KITAMI = "012084"
SAPPORO = "011002"


def _place(lgcode: str, area: str | None = None):
    edition = regions.edition_in_force()
    resolved = regions.place_resolve(query=lgcode)
    designation = regions.designation_get(municipality=resolved.municipality, edition=edition)
    return selectors.place_for(resolved=resolved, designation=designation, area=area)


class TestCheck:
    def test_chiyoda_to_ama_is_a_circle_and_eligible(self, reference_data):
        result = selectors.eligibility_check(
            program="kyoryokutai", origin="100-0001", destination="海士町"
        )

        d = result.decision
        assert d.program is Program.KYORYOKUTAI
        assert d.symbol is not None
        assert d.symbol.value == "○"
        assert d.eligible is True
        assert d.status_label == "対象"
        assert d.areas_to_check == ()
        assert d.reasons[-1] == "結論: 地域おこし協力隊として対象です。"
        assert any("区分1" in r and "区分8" in r and "「○」" in r for r in d.reasons)
        assert d.citations[0].basis_date == date(2022, 4, 1)
        assert result.edition.basis_date == date(2022, 4, 1)
        assert result.origin is not None
        assert result.origin.town_area == "千代田"

    def test_the_result_dict_carries_both_places_and_the_edition(self, reference_data):
        data = selectors.eligibility_check(
            program="kyoryokutai", origin="100-0001", destination="海士町"
        ).to_dict()

        assert data["from"]["lgcode"] == CHIYODA
        assert data["from"]["name"] == "千代田区"
        assert data["from"]["prefecture"] == "東京都"
        assert data["from"]["category_id"] == 1
        assert data["from"]["postal_code"] == "1000001"
        assert data["from"]["town_area"] == "千代田"
        assert data["from"]["ward"] is None
        assert data["to"]["lgcode"] == AMA
        assert data["to"]["category_id"] == 8
        assert data["to"]["zone"] == "inside"
        assert data["basis_date"] == "2022-04-01"
        assert "令和4年4月1日現在" in data["edition_title"]

    def test_sapporo_to_kitami_tokoro_is_eligible_and_the_area_is_recorded(self, reference_data):
        result = selectors.eligibility_check(
            program="kyoryokutai",
            origin="札幌市",
            destination="北見市",
            destination_area="常呂町",
        )

        data = result.to_dict()
        assert result.decision.eligible is True
        assert data["symbol"] == "○"
        assert data["from"]["category_id"] == 4
        assert data["to"]["category_id"] == 9
        assert data["to"]["area_name"] == "常呂町"
        assert data["to"]["zone"] == "inside"
        assert "旧常呂町" in data["to"]["zone_basis"]
        assert any("指定都市のため" in r for r in result.decision.reasons)

    def test_a_ward_postal_code_is_shown_with_its_ward(self, reference_data):
        data = selectors.eligibility_check(
            program="kyoryokutai", origin="060-0042", destination="海士町"
        ).to_dict()

        assert data["from"]["lgcode"] == SAPPORO
        assert data["from"]["ward"] == "札幌市中央区"
        assert data["from"]["town_area"] == "大通西"
        assert data["eligible"] is True

    def test_a_triangle_with_an_unknown_origin_area_needs_checking(self, reference_data):
        result = selectors.eligibility_check(
            program="kyoryokutai", origin="北見市", destination="海士町"
        )

        d = result.decision
        assert d.symbol is not None
        assert d.symbol.value == "△"
        assert d.eligible is None
        assert d.status_label == "要確認"
        assert d.areas_to_check == ("常呂町", "端野町", "留辺蘂町")
        assert any("常呂町、端野町、留辺蘂町" in r for r in d.reasons)

    def test_a_triangle_from_a_kaso_area_is_not_eligible(self, reference_data):
        result = selectors.eligibility_check(
            program="kyoryokutai", origin="北見市", origin_area="常呂町", destination="海士町"
        )

        assert result.decision.eligible is False
        assert result.decision.areas_to_check == ()

    def test_a_postal_code_in_a_kaso_area_places_the_origin_inside(self, reference_data):
        result = selectors.eligibility_check(
            program="kyoryokutai", origin="093-0215", destination="海士町"
        )

        data = result.to_dict()
        assert data["from"]["lgcode"] == KITAMI
        assert data["from"]["town_area"] == "常呂町岐阜"
        assert data["from"]["zone"] == "inside"
        assert "旧常呂町" in data["from"]["zone_basis"]
        assert result.decision.eligible is False

    def test_an_area_given_by_the_user_wins_over_the_postal_town_area(self, reference_data):
        result = selectors.eligibility_check(
            program="kyoryokutai",
            origin="093-0215",
            origin_area="outside",
            destination="海士町",
        )

        assert result.to_dict()["from"]["area_name"] == "outside"
        assert result.decision.eligible is True

    def test_a_triangle_from_a_declared_outside_area_is_eligible(self, reference_data):
        result = selectors.eligibility_check(
            program="kyoryokutai", origin="北見市", origin_area="outside", destination="海士町"
        )

        assert result.decision.eligible is True
        assert any("利用者の申告" in r for r in result.decision.reasons)

    def test_a_move_inside_one_municipality_is_not_eligible(self, reference_data):
        result = selectors.eligibility_check(
            program="kyoryokutai", origin="海士町", destination="325252"
        )

        assert result.decision.eligible is False
        assert any("同じ市町村" in r for r in result.decision.reasons)

    def test_a_resident_abroad_needs_no_origin(self, reference_data):
        result = selectors.eligibility_check(
            program="kyoryokutai",
            origin=None,
            destination="海士町",
            exceptions=Exceptions(overseas_resident=True),
        )

        assert result.decision.eligible is True
        assert result.origin is None
        assert result.to_dict()["from"] is None

    def test_the_as_of_date_picks_the_edition(self, reference_data):
        result = selectors.eligibility_check(
            program="kyoryokutai",
            origin=CHIYODA,
            destination=AMA,
            as_of=date(2024, 4, 1),
        )

        assert result.edition.basis_date == date(2022, 4, 1)


class TestOtherPrograms:
    def test_pm_shares_the_kyoryokutai_matrix(self, reference_data):
        d = selectors.eligibility_check(program="pm", origin=CHIYODA, destination=AMA).decision

        assert d.program is Program.PM
        assert d.eligible is True
        assert d.symbol is not None
        assert d.symbol.value == "○"
        assert len(d.citations) == 2

    def test_pm_already_active_in_the_same_town_needs_no_move(self, reference_data):
        d = selectors.eligibility_check(
            program="pm",
            origin=AMA,
            destination=AMA,
            exceptions=Exceptions(pm_already_active=True),
        ).decision

        assert d.eligible is True

    @pytest.mark.parametrize("program", ["intern", "otameshi"])
    def test_the_trial_programs_have_no_address_requirement(self, reference_data, program):
        d = selectors.eligibility_check(program=program, origin=AMA, destination=CHIYODA).decision

        assert d.eligible is True
        assert d.symbol is None
        assert any("住所地等の要件" in r for r in d.reasons)

    def test_kigyojin_from_a_tokyo_company_to_ama_is_eligible(self, reference_data):
        d = selectors.eligibility_check(
            program="kigyojin", origin=CHIYODA, destination=AMA
        ).decision

        assert d.eligible is True
        assert d.symbol is None
        assert any("三大都市圏の11都府県に含まれます" in r for r in d.reasons)

    def test_kigyojin_from_a_company_outside_the_metro_areas_is_not_eligible(self, reference_data):
        d = selectors.eligibility_check(
            program="kigyojin", origin=SAPPORO, destination=AMA
        ).decision

        assert d.eligible is False


class TestBadInput:
    def test_an_unknown_program_lists_the_programs_in_japanese(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.eligibility_check(program="jet", origin=CHIYODA, destination=AMA)

        assert caught.value.code == "unknown_program"
        assert "制度「jet」は扱っていません" in caught.value.message
        assert "kyoryokutai（地域おこし協力隊）" in caught.value.message

    def test_a_missing_origin_is_required(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.eligibility_check(program="kyoryokutai", origin=None, destination=AMA)

        assert caught.value.code == "origin_required"

    def test_a_missing_destination_is_required(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.eligibility_check(program="kyoryokutai", origin=CHIYODA, destination="")

        assert caught.value.code == "destination_required"

    def test_an_ambiguous_origin_names_the_field_and_lists_candidates(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.eligibility_check(program="kyoryokutai", origin="府中", destination=AMA)

        assert caught.value.code == "ambiguous_name"
        assert caught.value.field == "from"
        assert len(caught.value.candidates) == 3

    def test_a_bad_destination_check_digit_names_the_to_field(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.eligibility_check(program="kyoryokutai", origin=CHIYODA, destination="325253")

        assert caught.value.code == "lgcode_check_digit"
        assert caught.value.field == "to"

    def test_an_unknown_postal_code_is_not_found(self, reference_data):
        with pytest.raises(NotFoundError) as caught:
            selectors.eligibility_check(program="kyoryokutai", origin="999-9999", destination=AMA)

        assert caught.value.code == "postal_code_not_found"

    def test_a_date_before_the_earliest_edition_is_refused(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.eligibility_check(
                program="kyoryokutai",
                origin=CHIYODA,
                destination=AMA,
                as_of=date(2021, 3, 31),
            )

        assert caught.value.code == "as_of_before_earliest"

    def test_inconsistent_exceptions_are_a_domain_error(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.eligibility_check(
                program="kyoryokutai",
                origin=CHIYODA,
                destination=AMA,
                exceptions=Exceptions(pm_already_active=True),
            )

        assert caught.value.code == "invalid_input"
        assert "地域プロジェクトマネージャー" in caught.value.message


class TestDestinations:
    def test_from_chiyoda_1414_municipalities_can_take_a_kyoryokutai(self, reference_data):
        result = selectors.eligibility_destinations(program="kyoryokutai", origin="千代田区")

        # domain-rules §1.7: 1,461 受入可能団体 = 1,414 municipalities + 47 prefectures.
        assert result.counts == {"eligible": 1414, "needs_check": 0, "not_eligible": 327}
        assert result.counts["eligible"] + 47 == 1461
        assert len(result.items) == 1741
        assert result.direction == "destinations"
        assert result.anchor_place.lgcode == CHIYODA

    def test_only_metro_urban_areas_are_closed_to_chiyoda(self, reference_data):
        result = selectors.eligibility_destinations(program="kyoryokutai", origin=CHIYODA)

        closed = {i.category_id for i in result.items if i.eligible is False}
        assert closed == {1, 2}

    def test_the_counts_by_prefecture_add_up_to_1741(self, reference_data):
        result = selectors.eligibility_destinations(program="kyoryokutai", origin=CHIYODA)

        assert len(result.by_prefecture) == 47
        assert result.by_prefecture[0].prefecture == "北海道"
        assert result.by_prefecture[-1].prefecture == "沖縄県"
        assert sum(p.eligible + p.needs_check + p.not_eligible for p in result.by_prefecture) == (
            1741
        )
        assert sum(p.eligible for p in result.by_prefecture) == 1414
        tokyo = next(p for p in result.by_prefecture if p.prefecture == "東京都")
        okinawa = next(p for p in result.by_prefecture if p.prefecture == "沖縄県")
        assert okinawa.eligible == 41  # every 沖縄 municipality is 全部条件不利
        assert tokyo.not_eligible > 0

    def test_only_eligible_filters_the_items_but_not_the_summary(self, reference_data):
        data = selectors.eligibility_destinations(program="kyoryokutai", origin=CHIYODA).to_dict(
            only_eligible=True
        )

        assert data["count"] == 1414
        assert len(data["items"]) == 1414
        assert data["summary"]["not_eligible"] == 327
        assert all(i["eligible"] is not False for i in data["items"])
        assert set(data["items"][0]) >= {"lgcode", "name", "symbol", "eligible"}

    def test_nothing_is_open_from_a_fully_disadvantaged_town(self, reference_data):
        result = selectors.eligibility_destinations(program="kyoryokutai", origin="海士町")

        assert result.counts == {"eligible": 0, "needs_check": 0, "not_eligible": 1741}

    def test_a_ward_anchor_is_judged_as_its_city(self, reference_data):
        result = selectors.eligibility_destinations(program="kyoryokutai", origin="札幌市中央区")

        assert result.anchor_place.lgcode == SAPPORO
        assert result.anchor.ward is not None

    def test_kigyojin_destinations_use_the_per_pair_rules(self, reference_data):
        result = selectors.eligibility_destinations(program="kigyojin", origin=CHIYODA)

        assert result.counts["eligible"] == 1414
        assert all(i.symbol is None for i in result.items)


class TestOrigins:
    def test_ama_accepts_every_urban_area_and_must_check_every_partial_one(self, reference_data):
        result = selectors.eligibility_origins(program="kyoryokutai", destination="海士町")

        # 都市 630 ○ / 一部 292 △ (area unknown) / 全部 819 × (domain-rules §1.2)
        assert result.counts == {"eligible": 630, "needs_check": 292, "not_eligible": 819}
        symbols = {i.symbol for i in result.items}
        assert symbols == {"○", "△", "×"}
        kitami = next(i for i in result.items if i.lgcode == KITAMI)
        assert (kitami.symbol, kitami.eligible) == ("△", None)
        assert result.direction == "origins"

    def test_pm_origins_equal_kyoryokutai_origins(self, reference_data):
        pm = selectors.eligibility_origins(program="pm", destination=AMA)
        kyoryokutai = selectors.eligibility_origins(program="kyoryokutai", destination=AMA)

        assert [(i.lgcode, i.eligible) for i in pm.items] == [
            (i.lgcode, i.eligible) for i in kyoryokutai.items
        ]

    def test_an_unknown_program_is_refused(self, reference_data):
        with pytest.raises(DomainError) as caught:
            selectors.eligibility_origins(program="nope", destination=AMA)

        assert caught.value.code == "unknown_program"


class TestVectorisedEqualsPerPair:
    """The numpy all-pairs path gives the same answers as `decide` for each pair."""

    @pytest.mark.parametrize("anchor", [KITAMI, CHIYODA, "221309"])  # 221309 浜松市 (区分10)
    @pytest.mark.parametrize("direction", ["destinations", "origins"])
    @pytest.mark.parametrize("program", [Program.KYORYOKUTAI, Program.PM])
    def test_a_random_sample_of_50_pairs_matches_decide(
        self, reference_data, anchor, direction, program
    ):
        if direction == "destinations":
            result = selectors.eligibility_destinations(program=program, origin=anchor)
        else:
            result = selectors.eligibility_origins(program=program, destination=anchor)
        edition = result.edition
        matrix = selectors.matrix_for(edition)
        anchor_place = _place(anchor)
        others = [i for i in result.items if i.lgcode != anchor]
        sample = random.Random(f"{anchor}-{direction}").sample(others, 50)

        for item in sample:
            other = _place(item.lgcode)
            origin, destination = (
                (anchor_place, other) if direction == "destinations" else (other, anchor_place)
            )
            expected = decide(
                program=program,
                origin=origin,
                destination=destination,
                matrix=matrix,
                source_document=edition.title,
                source_url=edition.document_url or None,
            )
            assert (item.symbol, item.eligible) == (
                expected.symbol.value if expected.symbol else None,
                expected.eligible,
            ), item.lgcode

    def test_the_anchor_itself_is_never_eligible_in_either_direction(self, reference_data):
        for result in (
            selectors.eligibility_destinations(program="kyoryokutai", origin=KITAMI),
            selectors.eligibility_origins(program="kyoryokutai", destination=KITAMI),
        ):
            own = next(i for i in result.items if i.lgcode == KITAMI)
            assert own.eligible is False

    def test_the_unknown_zone_of_the_anchor_is_what_makes_pairs_need_checking(self, reference_data):
        unknown = selectors.eligibility_destinations(program="kyoryokutai", origin=KITAMI)
        outside = selectors.eligibility_destinations(
            program="kyoryokutai", origin=KITAMI, origin_area="outside"
        )

        assert unknown.anchor_place.zone is Zone.UNKNOWN
        assert outside.anchor_place.zone is Zone.OUTSIDE
        assert outside.counts["needs_check"] < unknown.counts["needs_check"]
        assert outside.counts["eligible"] > unknown.counts["eligible"]
