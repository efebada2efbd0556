"""Rules of domain-rules.md §1–§2, cell by cell and branch by branch (no DB)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from hitonagare.eligibility.matrix import CATEGORY_LABELS, Symbol
from hitonagare.eligibility.rules import (
    FAQ_URL,
    KIGYOJIN_URL,
    PROGRAM_LABELS,
    Decision,
    Exceptions,
    KigyojinParameters,
    Place,
    Program,
    Zone,
    decide,
    to_wareki,
)

from .expected_matrix import BASIS, EXPECTED_TABLE, MATRIX

SOURCE_DOCUMENT = "地域おこし協力隊及び地域プロジェクトマネージャーに係る地域要件確認表"
SOURCE_URL = "https://www.soumu.go.jp/main_content/000847999.pdf"

AREA_TYPES = {
    1: "都市地域",
    2: "都市地域",
    3: "都市地域",
    4: "都市地域",
    5: "全部条件不利地域",
    6: "一部条件不利地域",
    7: "一部条件不利地域",
    8: "全部条件不利地域",
    9: "一部条件不利地域",
    10: "一部条件不利地域",
}
# One real municipality per category (R4.4.1 data), with its known 過疎 旧市町村.
SAMPLES: dict[int, tuple[str, str, str, tuple[str, ...]]] = {
    1: ("112011", "埼玉県", "川越市", ()),
    2: ("141003", "神奈川県", "横浜市", ()),
    3: ("012050", "北海道", "室蘭市", ()),
    4: ("011002", "北海道", "札幌市", ()),
    5: ("113492", "埼玉県", "ときがわ町", ()),
    6: ("112071", "埼玉県", "秩父市", ("吉田町", "大滝村", "荒川村")),
    7: ("141500", "神奈川県", "相模原市", ()),
    8: ("012033", "北海道", "小樽市", ()),
    9: ("012084", "北海道", "北見市", ("常呂町", "端野町", "留辺蘂町")),
    10: ("041009", "宮城県", "仙台市", ()),
}
PARTIAL = (6, 7, 9, 10)


def make_place(
    category: int,
    *,
    zone: Zone | None = None,
    lgcode: str | None = None,
    **overrides: Any,
) -> Place:
    """A consistent Place for a category; 一部 places default to an unknown zone."""
    code, prefecture, name, areas = SAMPLES[category]
    area_type = AREA_TYPES[category]
    default_zone = {"都市地域": Zone.OUTSIDE, "全部条件不利地域": Zone.INSIDE}.get(
        area_type, Zone.UNKNOWN
    )
    in_metro = category in (1, 2, 5, 6, 7)
    place = Place(
        lgcode=lgcode or code,
        name=name,
        prefecture=prefecture,
        category_id=category,
        area_type=area_type,
        in_metro=in_metro,
        prefecture_in_metro=in_metro,
        pop_decline_exception=False,
        designated_city=category in (2, 4, 7, 10),
        zone=zone or default_zone,
        areas_to_check=areas,
    )
    return replace(place, **overrides) if overrides else place


def ogose() -> Place:
    """越生町: 人口減少率例外, 3大都市圏外として扱う都市地域 (区分3)."""
    return Place(
        lgcode="113271",
        name="越生町",
        prefecture="埼玉県",
        category_id=3,
        area_type="都市地域",
        in_metro=False,
        prefecture_in_metro=True,
        pop_decline_exception=True,
        designated_city=False,
        zone=Zone.OUTSIDE,
    )


def run(
    origin: Place | None,
    destination: Place,
    *,
    program: Program = Program.KYORYOKUTAI,
    exceptions: Exceptions | None = None,
    kigyojin: KigyojinParameters | None = None,
) -> Decision:
    return decide(
        program=program,
        origin=origin,
        destination=destination,
        matrix=MATRIX,
        exceptions=exceptions or Exceptions(),
        kigyojin=kigyojin or KigyojinParameters(),
        source_document=SOURCE_DOCUMENT,
        source_url=SOURCE_URL,
    )


def pair(
    origin_category: int, destination_category: int, oz: Zone | None, dz: Zone | None
) -> tuple[Place, Place]:
    """Origin/destination places with distinct 団体コード (same category allowed)."""
    origin = make_place(origin_category, zone=oz if origin_category in PARTIAL else None)
    destination = make_place(
        destination_category,
        zone=dz if destination_category in PARTIAL else None,
        lgcode="999999" if origin_category == destination_category else None,
    )
    return origin, destination


ALL_CELLS = [(dest, origin) for dest in range(1, 11) for origin in range(1, 11)]


# --------------------------------------------------------------------------- 和暦


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 4, 1), "令和4年4月1日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
    ],
)
def test_to_wareki_converts_reiwa_and_heisei_with_gannen(day: date, expected: str) -> None:
    assert to_wareki(day) == expected


def test_to_wareki_rejects_dates_before_showa() -> None:
    with pytest.raises(ValueError, match="和暦"):
        to_wareki(date(1900, 1, 1))


# --------------------------------------------------------------------------- all 100 cells


@pytest.mark.parametrize(("dest", "origin"), ALL_CELLS)
def test_every_cell_is_eligible_when_the_zones_favour_the_move(dest: int, origin: int) -> None:
    expected = Symbol(EXPECTED_TABLE[dest - 1][origin - 1])
    o, d = pair(origin, dest, Zone.OUTSIDE, Zone.INSIDE)
    decision = run(o, d)
    assert decision.symbol is expected
    assert decision.eligible is (expected is not Symbol.CROSS)
    assert decision.areas_to_check == ()


@pytest.mark.parametrize(("dest", "origin"), ALL_CELLS)
def test_every_cell_only_circle_is_eligible_when_the_zones_are_against(
    dest: int, origin: int
) -> None:
    expected = Symbol(EXPECTED_TABLE[dest - 1][origin - 1])
    o, d = pair(origin, dest, Zone.INSIDE, Zone.OUTSIDE)
    decision = run(o, d)
    assert decision.symbol is expected
    assert decision.eligible is (expected is Symbol.CIRCLE)
    assert decision.status_label == ("対象" if expected is Symbol.CIRCLE else "対象外")


@pytest.mark.parametrize(("dest", "origin"), ALL_CELLS)
def test_every_conditional_cell_needs_checking_when_the_zones_are_unknown(
    dest: int, origin: int
) -> None:
    expected = Symbol(EXPECTED_TABLE[dest - 1][origin - 1])
    o, d = pair(origin, dest, Zone.UNKNOWN, Zone.UNKNOWN)
    decision = run(o, d)
    assert decision.symbol is expected
    if expected is Symbol.CIRCLE:
        assert decision.eligible is True
    elif expected is Symbol.CROSS:
        assert decision.eligible is False
    else:
        assert decision.eligible is None
        assert decision.status_label == "要確認"


def test_matrix_cell_reason_names_both_category_labels() -> None:
    decision = run(make_place(1), make_place(8))
    text = "\n".join(decision.reasons)
    assert CATEGORY_LABELS[1] in text
    assert CATEGORY_LABELS[8] in text
    assert "「○」" in text


# ------------------------------------------------------------------ first reason / citations


def test_first_reason_states_the_basis_date_in_wareki_and_iso() -> None:
    decision = run(make_place(1), make_place(8))
    assert decision.reasons[0] == (
        "令和4年4月1日現在の地域要件確認表（基準日 2022-04-01）で判定しました。"
    )


def test_matrix_citation_carries_source_document_basis_date_and_url() -> None:
    decision = run(make_place(1), make_place(8))
    first = decision.citations[0]
    assert first.document == SOURCE_DOCUMENT
    assert first.basis_date == BASIS
    assert first.url == SOURCE_URL
    assert "マトリクス" in first.section
    assert all(c.url != FAQ_URL for c in decision.citations)


# --------------------------------------------------------------------------- ○ / × explanations


def test_origin_in_metro_city_can_go_to_rural_town() -> None:
    decision = run(make_place(1), make_place(8))
    assert decision.symbol is Symbol.CIRCLE
    assert decision.eligible is True
    assert decision.status_label == "対象"


def test_fully_disadvantaged_origin_is_never_a_valid_origin() -> None:
    decision = run(make_place(8), make_place(5))
    assert decision.symbol is Symbol.CROSS
    assert decision.eligible is False
    assert any("全部条件不利地域は、マトリクス上" in r for r in decision.reasons)


def test_metro_city_is_never_a_valid_destination() -> None:
    decision = run(make_place(4), make_place(1))
    assert decision.eligible is False
    assert any("3大都市圏内の都市地域は、マトリクス上" in r for r in decision.reasons)


def test_outside_metro_city_can_only_move_to_disadvantaged_areas() -> None:
    decision = run(make_place(3), make_place(4))
    assert decision.symbol is Symbol.CROSS
    assert any("条件不利地域への転入に限り" in r for r in decision.reasons)


# --------------------------------------------------------------------------- △ / ▲ / □ branches


@pytest.mark.parametrize(
    ("origin_zone", "expected"),
    [(Zone.OUTSIDE, True), (Zone.INSIDE, False), (Zone.UNKNOWN, None)],
)
def test_triangle_depends_on_the_origin_zone(origin_zone: Zone, expected: bool | None) -> None:
    origin = make_place(9, zone=origin_zone, area_name="常呂町" if origin_zone else None)
    decision = run(origin, make_place(8))
    assert decision.symbol is Symbol.TRIANGLE
    assert decision.eligible is expected


def test_triangle_with_unknown_origin_lists_the_areas_to_check() -> None:
    decision = run(make_place(9, zone=Zone.UNKNOWN), make_place(8))
    assert decision.areas_to_check == ("常呂町", "端野町", "留辺蘂町")
    assert any(
        "次の区域に該当するか確認してください: 常呂町、端野町、留辺蘂町"
        "（ほか山村・離島・半島の指定区域）" in r
        for r in decision.reasons
    )


def test_unknown_zone_without_an_area_list_asks_for_a_general_check() -> None:
    decision = run(make_place(10, zone=Zone.UNKNOWN), make_place(8))
    assert decision.eligible is None
    assert decision.areas_to_check == ()
    assert any("条件不利区域（過疎・山村・離島・半島等の指定区域）" in r for r in decision.reasons)


def test_complete_area_list_omits_the_other_laws_note() -> None:
    origin = make_place(9, zone=Zone.UNKNOWN, areas_incomplete=False)
    decision = run(origin, make_place(8))
    assert not any("ほか山村" in r for r in decision.reasons)


def test_zone_basis_is_quoted_in_the_reasons() -> None:
    origin = make_place(
        9, zone=Zone.INSIDE, area_name="常呂町", zone_basis="常呂町は過疎地域の旧市町村です"
    )
    decision = run(origin, make_place(8))
    assert decision.eligible is False
    assert any(
        "北見市（常呂町）" in r and "常呂町は過疎地域の旧市町村です" in r for r in decision.reasons
    )


@pytest.mark.parametrize(
    ("destination_zone", "expected"),
    [(Zone.INSIDE, True), (Zone.OUTSIDE, False), (Zone.UNKNOWN, None)],
)
def test_black_triangle_depends_on_the_destination_zone(
    destination_zone: Zone, expected: bool | None
) -> None:
    decision = run(make_place(3), make_place(6, zone=destination_zone))
    assert decision.symbol is Symbol.BLACK_TRIANGLE
    assert decision.eligible is expected
    if expected is None:
        assert decision.areas_to_check == ("吉田町", "大滝村", "荒川村")


@pytest.mark.parametrize(
    ("origin_zone", "destination_zone", "expected"),
    [
        (Zone.OUTSIDE, Zone.INSIDE, True),
        (Zone.OUTSIDE, Zone.OUTSIDE, False),
        (Zone.INSIDE, Zone.INSIDE, False),
        (Zone.INSIDE, Zone.OUTSIDE, False),
        (Zone.INSIDE, Zone.UNKNOWN, False),
        (Zone.UNKNOWN, Zone.OUTSIDE, False),
        (Zone.OUTSIDE, Zone.UNKNOWN, None),
        (Zone.UNKNOWN, Zone.INSIDE, None),
        (Zone.UNKNOWN, Zone.UNKNOWN, None),
    ],
)
def test_square_needs_origin_outside_and_destination_inside(
    origin_zone: Zone, destination_zone: Zone, expected: bool | None
) -> None:
    decision = run(make_place(9, zone=origin_zone), make_place(6, zone=destination_zone))
    assert decision.symbol is Symbol.SQUARE
    assert decision.eligible is expected
    if expected is not None:
        assert decision.areas_to_check == ()


def test_square_with_both_unknown_lists_both_sides_areas() -> None:
    decision = run(make_place(9, zone=Zone.UNKNOWN), make_place(6, zone=Zone.UNKNOWN))
    assert decision.areas_to_check == ("常呂町", "端野町", "留辺蘂町", "吉田町", "大滝村", "荒川村")


def test_square_with_only_destination_unknown_lists_only_destination_areas() -> None:
    decision = run(make_place(9, zone=Zone.OUTSIDE), make_place(6, zone=Zone.UNKNOWN))
    assert decision.areas_to_check == ("吉田町", "大滝村", "荒川村")


# --------------------------------------------------------------------------- notes


def test_population_decline_exception_is_treated_as_outside_metro_and_mentioned() -> None:
    decision = run(ogose(), make_place(8))
    assert decision.symbol is Symbol.CIRCLE
    assert any("人口減少率例外" in r and "3大都市圏外として扱います" in r for r in decision.reasons)


def test_designated_city_is_judged_as_a_whole() -> None:
    decision = run(make_place(2), make_place(10, zone=Zone.INSIDE))
    assert decision.eligible is True
    texts = [r for r in decision.reasons if "市全体の区分で判定します" in r]
    assert len(texts) == 2  # 横浜市 and 仙台市


# --------------------------------------------------------------------------- same municipality


def test_move_within_the_same_municipality_never_counts() -> None:
    origin = make_place(9, zone=Zone.OUTSIDE)
    destination = make_place(9, zone=Zone.INSIDE)  # same lgcode: □ would otherwise pass
    decision = run(origin, destination)
    assert decision.eligible is False
    assert decision.symbol is None
    assert any("§1.6" in r for r in decision.reasons)
    assert any("§1.6" in c.section for c in decision.citations)


def test_same_municipality_rule_also_applies_to_pm() -> None:
    decision = run(make_place(4), make_place(4), program=Program.PM)
    assert decision.eligible is False


# --------------------------------------------------------------------------- PM


def test_pm_shares_the_kyoryokutai_requirements() -> None:
    decision = run(make_place(1), make_place(8), program=Program.PM)
    assert decision.eligible is True
    assert decision.symbol is Symbol.CIRCLE
    assert any("地域おこし協力隊と同じ" in r for r in decision.reasons)
    assert any("§2.1" in c.section for c in decision.citations)


def test_pm_already_active_in_the_municipality_is_eligible_without_moving() -> None:
    place = make_place(8)
    decision = run(place, place, program=Program.PM, exceptions=Exceptions(pm_already_active=True))
    assert decision.eligible is True
    assert decision.symbol is None
    assert any("移住せずに" in r for r in decision.reasons)


def test_pm_already_active_is_ignored_for_a_different_municipality() -> None:
    decision = run(
        make_place(8),
        make_place(9, zone=Zone.INSIDE),
        program=Program.PM,
        exceptions=Exceptions(pm_already_active=True),
    )
    assert decision.symbol is Symbol.CROSS
    assert decision.eligible is False
    assert any("現住所が異なるため適用せず" in r for r in decision.reasons)


@pytest.mark.parametrize(
    "program", [Program.KYORYOKUTAI, Program.INTERN, Program.OTAMESHI, Program.KIGYOJIN]
)
def test_pm_already_active_for_another_program_is_rejected(program: Program) -> None:
    with pytest.raises(ValueError, match="地域プロジェクトマネージャーにだけ"):
        run(
            make_place(8),
            make_place(8),
            program=program,
            exceptions=Exceptions(pm_already_active=True),
        )


# --------------------------------------------------------------------------- FAQ A1 exceptions


EXCEPTION_DESTINATIONS = [
    (3, None, True),
    (4, None, True),
    (8, None, True),
    (9, Zone.OUTSIDE, True),
    (10, Zone.UNKNOWN, True),
    (5, None, True),
    (6, Zone.INSIDE, True),
    (7, Zone.INSIDE, True),
    (6, Zone.OUTSIDE, False),
    (6, Zone.UNKNOWN, None),
    (1, None, False),
    (2, None, False),
]


@pytest.mark.parametrize(("category", "zone", "expected"), EXCEPTION_DESTINATIONS)
def test_overseas_resident_without_origin_is_judged_by_the_destination(
    category: int, zone: Zone | None, expected: bool | None
) -> None:
    decision = run(
        None, make_place(category, zone=zone), exceptions=Exceptions(overseas_resident=True)
    )
    assert decision.eligible is expected
    assert decision.symbol is None
    assert any(c.url == FAQ_URL for c in decision.citations)
    assert any("海外在住者" in r for r in decision.reasons)
    if expected is None:
        assert decision.areas_to_check == ("吉田町", "大滝村", "荒川村")


@pytest.mark.parametrize(("category", "zone", "expected"), EXCEPTION_DESTINATIONS)
def test_former_member_from_a_rural_town_is_judged_by_the_destination(
    category: int, zone: Zone | None, expected: bool | None
) -> None:
    # 全部条件不利 origin: the matrix alone would always say ×.
    decision = run(
        make_place(8, lgcode="012025", name="函館市"),
        make_place(category, zone=zone),
        exceptions=Exceptions(former_member=True),
    )
    assert decision.eligible is expected
    assert decision.symbol is None
    assert any("元隊員" in r for r in decision.reasons)
    assert any("マトリクスでは" in r for r in decision.reasons)


def test_former_member_whose_matrix_move_already_qualifies_keeps_the_matrix_result() -> None:
    decision = run(
        make_place(1), make_place(6, zone=Zone.OUTSIDE), exceptions=Exceptions(former_member=True)
    )
    assert decision.symbol is Symbol.CIRCLE
    assert decision.eligible is True
    assert any("例外を使う必要はありません" in r for r in decision.reasons)


def test_exception_route_keeps_the_matrix_check_open_when_only_the_matrix_can_still_pass() -> None:
    # 転出地 is a 一部 指定都市 of unknown zone (△), 転入地 a 圏内 一部 area outside the zone.
    decision = run(
        make_place(10, zone=Zone.UNKNOWN, areas_to_check=("区域A", "区域B")),
        make_place(6, zone=Zone.OUTSIDE),
        exceptions=Exceptions(jet_finisher=True),
    )
    assert decision.eligible is None
    assert decision.symbol is Symbol.TRIANGLE
    assert decision.areas_to_check == ("区域A", "区域B")


@pytest.mark.parametrize(("category", "zone", "expected"), EXCEPTION_DESTINATIONS)
def test_jet_finisher_is_judged_by_the_destination(
    category: int, zone: Zone | None, expected: bool | None
) -> None:
    decision = run(
        make_place(8, lgcode="012025", name="函館市"),
        make_place(category, zone=zone),
        exceptions=Exceptions(jet_finisher=True),
    )
    assert decision.eligible is expected
    assert any("JETプログラム終了者" in r for r in decision.reasons)


@pytest.mark.parametrize(
    ("category", "zone", "expected"),
    [
        (8, None, True),
        (3, None, True),
        (6, Zone.INSIDE, True),
        (6, Zone.OUTSIDE, False),
        (1, None, False),
    ],
)
def test_jet_finisher_may_join_in_the_same_area_without_moving(
    category: int, zone: Zone | None, expected: bool
) -> None:
    place = make_place(category, zone=zone)
    decision = run(
        place,
        place,
        exceptions=Exceptions(jet_finisher=True, jet_same_area_without_move=True),
    )
    assert decision.eligible is expected
    assert decision.symbol is None
    assert any("住民票を異動せずに" in r for r in decision.reasons)


def test_jet_same_area_flag_with_a_different_origin_uses_the_normal_jet_route() -> None:
    decision = run(
        make_place(8),
        make_place(9, zone=Zone.INSIDE),
        exceptions=Exceptions(jet_finisher=True, jet_same_area_without_move=True),
    )
    assert decision.eligible is True
    assert any("通常のJETプログラム終了者の例外" in r for r in decision.reasons)


def test_jet_same_area_flag_without_jet_finisher_is_rejected() -> None:
    with pytest.raises(ValueError, match="JETプログラム終了者"):
        run(make_place(8), make_place(8), exceptions=Exceptions(jet_same_area_without_move=True))


def test_missing_origin_without_overseas_residence_is_rejected() -> None:
    with pytest.raises(ValueError, match="転出地が指定されていません"):
        run(None, make_place(8))


def test_overseas_resident_with_an_origin_is_rejected() -> None:
    with pytest.raises(ValueError, match="転出地を指定しないでください"):
        run(make_place(1), make_place(8), exceptions=Exceptions(overseas_resident=True))


# --------------------------------------------------------------------------- おためし / インターン


@pytest.mark.parametrize("program", [Program.OTAMESHI, Program.INTERN])
def test_trial_programs_have_no_residence_requirement(program: Program) -> None:
    decision = run(make_place(8), make_place(1), program=program)  # × for 協力隊
    assert decision.eligible is True
    assert decision.symbol is None
    assert any("住所地等の要件がありません" in r for r in decision.reasons)
    assert any("§2.2" in c.section for c in decision.citations)


def test_intern_reason_says_no_resident_record_move_is_needed() -> None:
    decision = run(make_place(1), make_place(1), program=Program.INTERN)
    assert any("住民票の異動を必要とせず" in r for r in decision.reasons)


@pytest.mark.parametrize("program", [Program.OTAMESHI, Program.INTERN])
def test_exceptions_are_irrelevant_for_trial_programs(program: Program) -> None:
    decision = run(
        None, make_place(1), program=program, exceptions=Exceptions(overseas_resident=True)
    )
    assert decision.eligible is True
    assert any("判定には関係しません" in r for r in decision.reasons)


# --------------------------------------------------------------------------- 地域活性化起業人


def kigyojin(
    origin: Place, destination: Place, params: KigyojinParameters | None = None, **flags: bool
) -> Decision:
    return run(
        origin,
        destination,
        program=Program.KIGYOJIN,
        kigyojin=params,
        exceptions=Exceptions(**flags),
    )


def test_metro_company_can_dispatch_to_a_rural_town() -> None:
    decision = kigyojin(make_place(1), make_place(8))
    assert decision.eligible is True
    assert decision.symbol is None
    text = "\n".join(decision.reasons)
    assert "未検証" in text
    assert "host_rule=destination_of_kyoryokutai" in text
    assert "6か月〜3年" in text
    assert any(c.url == KIGYOJIN_URL for c in decision.citations)


def test_company_outside_the_metro_prefectures_is_not_eligible() -> None:
    decision = kigyojin(make_place(4), make_place(8))
    assert decision.eligible is False
    assert any("三大都市圏にないため" in r for r in decision.reasons)


def test_company_location_basis_decides_the_population_decline_towns() -> None:
    by_prefecture = kigyojin(ogose(), make_place(8))
    by_matrix = kigyojin(
        ogose(), make_place(8), KigyojinParameters(company_location_basis="matrix")
    )
    assert by_prefecture.eligible is True
    assert by_matrix.eligible is False


@pytest.mark.parametrize(
    ("host_rule", "category", "expected"),
    [
        ("destination_of_kyoryokutai", 1, False),
        ("destination_of_kyoryokutai", 3, True),
        ("destination_of_kyoryokutai", 5, True),
        ("destination_of_kyoryokutai", 6, True),
        ("has_disadvantaged_area", 3, False),
        ("has_disadvantaged_area", 6, True),
        ("has_disadvantaged_area", 8, True),
        ("outside_metro", 6, False),
        ("outside_metro", 3, True),
        ("outside_metro", 4, True),
    ],
)
def test_host_rule_parameter_selects_the_host_municipalities(
    host_rule: str, category: int, expected: bool
) -> None:
    origin = make_place(2)
    decision = kigyojin(origin, make_place(category), KigyojinParameters(host_rule=host_rule))
    assert decision.eligible is expected
    assert any(f"host_rule={host_rule}" in r for r in decision.reasons)


def test_host_in_metro_partial_area_counts_regardless_of_zone() -> None:
    decision = kigyojin(make_place(1), make_place(6, zone=Zone.OUTSIDE))
    assert decision.eligible is True


def test_designated_city_hosts_can_be_excluded_by_parameter() -> None:
    host = make_place(4)
    assert kigyojin(make_place(1), host).eligible is True
    excluded = kigyojin(make_place(1), host, KigyojinParameters(exclude_designated_city_hosts=True))
    assert excluded.eligible is False
    assert any("受入自治体から除外しています" in r for r in excluded.reasons)


def test_company_in_the_host_municipality_needs_checking() -> None:
    place = make_place(7, zone=Zone.INSIDE)
    decision = kigyojin(place, place)
    assert decision.eligible is None


def test_kyoryokutai_exceptions_are_irrelevant_for_kigyojin() -> None:
    decision = kigyojin(make_place(1), make_place(8), former_member=True)
    assert decision.eligible is True
    assert any("地域活性化起業人の判定には関係しません" in r for r in decision.reasons)


def test_kigyojin_requires_the_company_location() -> None:
    with pytest.raises(ValueError, match="派遣元企業の所在地"):
        run(
            None,
            make_place(8),
            program=Program.KIGYOJIN,
            exceptions=Exceptions(overseas_resident=True),
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"host_rule": "anywhere"},
        {"company_location_basis": "headquarters"},
        {"exclude_designated_city_hosts": "yes"},
    ],
)
def test_invalid_kigyojin_parameter_is_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"不正|真偽値"):
        KigyojinParameters(**kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- Place validation


@pytest.mark.parametrize(
    "overrides",
    [
        {"lgcode": "11201"},
        {"category_id": 11},
        {"area_type": "全部条件不利地域"},
        {"in_metro": True},
        {"designated_city": True},
        {"zone": Zone.INSIDE},
        {"pop_decline_exception": True},
        {"zone": "outside"},
    ],
)
def test_inconsistent_place_is_rejected(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        make_place(3, **overrides)


def test_fully_disadvantaged_place_must_be_inside() -> None:
    with pytest.raises(ValueError, match="inside"):
        make_place(8, zone=Zone.OUTSIDE)


# --------------------------------------------------------------------------- Decision.to_dict


def test_to_dict_is_json_serialisable_and_complete() -> None:
    decision = run(
        make_place(9, zone=Zone.UNKNOWN, area_name="常呂町"),
        make_place(6, zone=Zone.INSIDE),
        exceptions=Exceptions(),
    )
    data = json.loads(json.dumps(decision.to_dict(), ensure_ascii=False))
    assert data["program"] == "kyoryokutai"
    assert data["program_label"] == PROGRAM_LABELS[Program.KYORYOKUTAI]
    assert data["symbol"] == "□"
    assert data["eligible"] is None
    assert data["status_label"] == "要確認"
    assert data["basis_date"] == "2022-04-01"
    assert data["reasons"][0].startswith("令和4年4月1日現在")
    assert data["citations"][0]["basis_date"] == "2022-04-01"
    assert data["citations"][0]["url"] == SOURCE_URL
    assert data["from"]["lgcode"] == "012084"
    assert data["from"]["category_label"] == CATEGORY_LABELS[9]
    assert data["from"]["zone"] == "unknown"
    assert data["from"]["area_name"] == "常呂町"
    assert data["to"]["area_type"] == "一部条件不利地域"
    assert data["to"]["prefecture"] == "埼玉県"
    assert data["areas_to_check"] == ["常呂町", "端野町", "留辺蘂町"]
    assert data["inputs"]["exceptions"] == []


def test_to_dict_for_overseas_resident_has_no_origin_and_lists_the_exception() -> None:
    decision = run(None, make_place(8), exceptions=Exceptions(overseas_resident=True))
    data = json.loads(json.dumps(decision.to_dict(), ensure_ascii=False))
    assert data["from"] is None
    assert data["symbol"] is None
    assert data["eligible"] is True
    assert data["inputs"]["exceptions"] == ["overseas_resident"]


def test_to_dict_for_kigyojin_records_the_parameters() -> None:
    decision = kigyojin(make_place(1), make_place(8))
    data = json.loads(json.dumps(decision.to_dict(), ensure_ascii=False))
    assert data["inputs"]["kigyojin"] == {
        "host_rule": "destination_of_kyoryokutai",
        "company_location_basis": "prefecture",
        "exclude_designated_city_hosts": False,
    }
