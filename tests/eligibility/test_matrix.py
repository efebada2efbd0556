"""The 10×10 matrix, its integer codes and the vectorised all-pairs functions (no DB)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hitonagare.eligibility.matrix import (
    CATEGORY_LABELS,
    CODE_SYMBOLS,
    SYMBOL_CODES,
    SYMBOL_MEANINGS,
    Matrix,
    Symbol,
    pair_eligibility,
    pair_symbols,
    same_municipality_mask,
    symbol_eligibility,
)
from hitonagare.eligibility.rules import Exceptions, Place, Program, Zone, decide

from .expected_matrix import BASIS, EXPECTED_TABLE, MATRIX

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
ZONE_BY_CODE = {1: Zone.INSIDE, 0: Zone.OUTSIDE, -1: Zone.UNKNOWN}
# The zones each category can have: 都市 → outside, 全部 → inside, 一部 → any.
VARIANTS: list[tuple[int, int]] = [
    (category, zone)
    for category in range(1, 11)
    for zone in {"都市地域": (0,), "全部条件不利地域": (1,)}.get(AREA_TYPES[category], (1, 0, -1))
]


def make_place(category: int, zone_code: int, lgcode: str) -> Place:
    in_metro = category in (1, 2, 5, 6, 7)
    return Place(
        lgcode=lgcode,
        name=f"市町村{lgcode}",
        prefecture="テスト県",
        category_id=category,
        area_type=AREA_TYPES[category],
        in_metro=in_metro,
        prefecture_in_metro=in_metro,
        pop_decline_exception=False,
        designated_city=category in (2, 4, 7, 10),
        zone=ZONE_BY_CODE[zone_code],
    )


def decide_code(origin: Place, destination: Place) -> tuple[int, int]:
    decision = decide(
        program=Program.KYORYOKUTAI,
        origin=origin,
        destination=destination,
        matrix=MATRIX,
        exceptions=Exceptions(),
        source_document="地域要件確認表",
        source_url=None,
    )
    eligibility = {True: 1, False: 0, None: -1}[decision.eligible]
    symbol = SYMBOL_CODES[decision.symbol] if decision.symbol else -9
    return symbol, eligibility


def arrays(variants: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    categories = np.array([c for c, _ in variants], dtype=np.int8)
    zones = np.array([z for _, z in variants], dtype=np.int8)
    return categories, zones


# --------------------------------------------------------------------------- Matrix


def test_from_json_reads_the_table_as_destination_rows_and_origin_columns() -> None:
    assert MATRIX.basis_date == BASIS
    assert MATRIX.symbol(origin_category=1, destination_category=8) is Symbol.CIRCLE
    assert MATRIX.symbol(origin_category=8, destination_category=1) is Symbol.CROSS
    assert MATRIX.symbol(origin_category=3, destination_category=6) is Symbol.BLACK_TRIANGLE
    assert MATRIX.symbol(origin_category=6, destination_category=3) is Symbol.TRIANGLE
    assert MATRIX.symbol(origin_category=9, destination_category=10) is Symbol.SQUARE


@pytest.mark.parametrize(("dest", "origin"), [(d, o) for d in range(1, 11) for o in range(1, 11)])
def test_symbol_matches_every_cell_of_the_table(dest: int, origin: int) -> None:
    assert MATRIX.symbol(origin, dest).value == EXPECTED_TABLE[dest - 1][origin - 1]


def test_from_json_rejects_a_nine_row_matrix() -> None:
    with pytest.raises(ValueError, match="10行×10列"):
        Matrix.from_json({"matrix": EXPECTED_TABLE[:9]}, basis_date=BASIS)


def test_from_json_rejects_a_short_row() -> None:
    rows = [list(r) for r in EXPECTED_TABLE]
    rows[4] = rows[4][:9]
    with pytest.raises(ValueError, match="5行目"):
        Matrix.from_json({"matrix": rows}, basis_date=BASIS)


def test_from_json_rejects_a_missing_matrix() -> None:
    with pytest.raises(ValueError, match="10行×10列"):
        Matrix.from_json({}, basis_date=BASIS)


@pytest.mark.parametrize("bad", ["◎", "", "o", None, 1])
def test_from_json_rejects_unknown_symbols(bad: object) -> None:
    rows: list[list[object]] = [list(r) for r in EXPECTED_TABLE]
    rows[2][3] = bad
    with pytest.raises(ValueError, match="不明な記号"):
        Matrix.from_json({"matrix": rows}, basis_date=BASIS)


def test_matrix_constructor_validates_cells() -> None:
    with pytest.raises(ValueError, match="10行×10列"):
        Matrix(basis_date=BASIS, cells=((Symbol.CROSS,) * 10,) * 9)


@pytest.mark.parametrize(("origin", "dest"), [(0, 1), (1, 11), (-1, 5), (5, 0), (True, 1)])
def test_symbol_rejects_out_of_range_categories(origin: int, dest: int) -> None:
    with pytest.raises(ValueError, match="1〜10"):
        MATRIX.symbol(origin, dest)


def test_codes_are_an_11_by_11_read_only_int8_table_indexed_by_category_ids() -> None:
    codes = MATRIX.codes
    assert codes.shape == (11, 11)
    assert codes.dtype == np.int8
    assert not codes.flags.writeable
    assert (codes[0, :] == 0).all()
    assert (codes[:, 0] == 0).all()
    for dest in range(1, 11):
        for origin in range(1, 11):
            assert (
                CODE_SYMBOLS[int(codes[dest, origin])].value == EXPECTED_TABLE[dest - 1][origin - 1]
            )


def test_symbol_codes_are_the_agreed_integers() -> None:
    assert dict(SYMBOL_CODES) == {
        Symbol.CROSS: 0,
        Symbol.CIRCLE: 1,
        Symbol.TRIANGLE: 2,
        Symbol.BLACK_TRIANGLE: 3,
        Symbol.SQUARE: 4,
    }
    assert {CODE_SYMBOLS[c]: c for c in CODE_SYMBOLS} == dict(SYMBOL_CODES)


def test_labels_and_meanings_cover_every_category_and_symbol() -> None:
    assert sorted(CATEGORY_LABELS) == list(range(1, 11))
    assert CATEGORY_LABELS[7] == "３大都市圏内 一部条件不利地域 指定都市"
    assert set(SYMBOL_MEANINGS) == set(Symbol)
    assert "転出地が条件不利区域以外" in SYMBOL_MEANINGS[Symbol.TRIANGLE]
    assert "転入地が条件不利区域内" in SYMBOL_MEANINGS[Symbol.BLACK_TRIANGLE]


@pytest.mark.parametrize(
    ("symbol", "origin_zone", "destination_zone", "expected"),
    [
        (Symbol.CIRCLE, 1, 0, 1),
        (Symbol.CROSS, 0, 1, 0),
        (Symbol.TRIANGLE, 0, -1, 1),
        (Symbol.TRIANGLE, 1, 1, 0),
        (Symbol.TRIANGLE, -1, 1, -1),
        (Symbol.BLACK_TRIANGLE, 1, 1, 1),
        (Symbol.BLACK_TRIANGLE, 0, 0, 0),
        (Symbol.BLACK_TRIANGLE, 0, -1, -1),
        (Symbol.SQUARE, 0, 1, 1),
        (Symbol.SQUARE, 1, -1, 0),
        (Symbol.SQUARE, -1, 0, 0),
        (Symbol.SQUARE, 0, -1, -1),
    ],
)
def test_symbol_eligibility_three_valued(
    symbol: Symbol, origin_zone: int, destination_zone: int, expected: int
) -> None:
    assert (
        symbol_eligibility(symbol, origin_zone=origin_zone, destination_zone=destination_zone)
        == expected
    )


# --------------------------------------------------------------------------- pair_symbols


def test_pair_symbols_has_origin_rows_and_destination_columns() -> None:
    origins = np.array([1, 8, 3], dtype=np.int8)
    destinations = np.array([8, 1], dtype=np.int16)
    codes = pair_symbols(MATRIX, origins, destinations)
    assert codes.shape == (3, 2)
    assert codes.dtype == np.int8
    assert codes.tolist() == [[1, 0], [0, 0], [1, 0]]


def test_pair_symbols_equals_fancy_indexing_on_codes() -> None:
    rng = np.random.default_rng(7)
    origins = rng.integers(1, 11, 300)
    destinations = rng.integers(1, 11, 200)
    expected = MATRIX.codes[destinations[None, :], origins[:, None]]
    assert np.array_equal(pair_symbols(MATRIX, origins, destinations), expected)


def test_pair_symbols_accepts_empty_inputs() -> None:
    empty = np.array([], dtype=np.int8)
    assert pair_symbols(MATRIX, empty, np.array([1, 2])).shape == (0, 2)


@pytest.mark.parametrize("bad", [[0, 1], [1, 11], [[1, 2]]])
def test_pair_symbols_rejects_bad_categories(bad: list[object]) -> None:
    with pytest.raises(ValueError, match="区分"):
        pair_symbols(MATRIX, np.array(bad), np.array([1]))


# --------------------------------------------------------------------------- pair_eligibility


def test_pair_eligibility_agrees_with_decide_on_the_full_category_and_zone_sweep() -> None:
    categories, zones = arrays(VARIANTS)
    symbols, eligibility = pair_eligibility(
        MATRIX, categories, categories, zones, zones, np.zeros((len(VARIANTS),) * 2, dtype=bool)
    )
    assert symbols.shape == eligibility.shape == (len(VARIANTS), len(VARIANTS))
    assert symbols.dtype == eligibility.dtype == np.int8
    for i, (oc, oz) in enumerate(VARIANTS):
        origin = make_place(oc, oz, f"{100000 + i}")
        for j, (dc, dz) in enumerate(VARIANTS):
            destination = make_place(dc, dz, f"{200000 + j}")
            assert (int(symbols[i, j]), int(eligibility[i, j])) == decide_code(
                origin, destination
            ), (VARIANTS[i], VARIANTS[j])


variant = st.sampled_from(VARIANTS)
lgcode = st.sampled_from(["011002", "012025", "132039", "472018"])


@settings(max_examples=200, deadline=None)
@given(
    origins=st.lists(st.tuples(variant, lgcode), min_size=1, max_size=6),
    destinations=st.lists(st.tuples(variant, lgcode), min_size=1, max_size=6),
)
def test_pair_eligibility_agrees_with_decide_on_random_pairs(
    origins: list[tuple[tuple[int, int], str]],
    destinations: list[tuple[tuple[int, int], str]],
) -> None:
    o_categories, o_zones = arrays([v for v, _ in origins])
    d_categories, d_zones = arrays([v for v, _ in destinations])
    mask = same_municipality_mask([c for _, c in origins], [c for _, c in destinations])
    symbols, eligibility = pair_eligibility(
        MATRIX, o_categories, d_categories, o_zones, d_zones, mask
    )
    for i, ((oc, oz), ocode) in enumerate(origins):
        for j, ((dc, dz), dcode) in enumerate(destinations):
            symbol, expected = decide_code(make_place(oc, oz, ocode), make_place(dc, dz, dcode))
            assert eligibility[i, j] == expected
            if ocode != dcode:
                assert symbols[i, j] == symbol
            else:
                assert symbols[i, j] == MATRIX.codes[dc, oc]


def test_same_municipality_mask_forces_not_eligible() -> None:
    categories = np.array([1, 8, 9], dtype=np.int8)
    zones = np.array([0, 1, 0], dtype=np.int8)
    d_categories = np.array([8, 9], dtype=np.int8)
    d_zones = np.array([1, 1], dtype=np.int8)
    _, free = pair_eligibility(MATRIX, categories, d_categories, zones, d_zones, np.array(False))
    assert free.tolist() == [[1, 1], [0, 0], [1, 1]]
    mask = np.array([[True, False], [False, False], [False, True]])
    symbols, masked = pair_eligibility(MATRIX, categories, d_categories, zones, d_zones, mask)
    assert masked.tolist() == [[0, 1], [0, 0], [1, 0]]
    assert symbols.tolist() == [[1, 1], [0, 0], [2, 4]]  # symbols are never masked


def test_same_municipality_mask_may_be_a_broadcastable_row() -> None:
    categories = np.array([1], dtype=np.int8)
    zones = np.array([0], dtype=np.int8)
    d_categories = np.array([8, 8, 8], dtype=np.int8)
    d_zones = np.array([1, 1, 1], dtype=np.int8)
    same = np.array([[False, True, False]])
    _, eligibility = pair_eligibility(MATRIX, categories, d_categories, zones, d_zones, same)
    assert eligibility.tolist() == [[1, 0, 1]]


def test_none_mask_treats_the_diagonal_as_the_same_municipality() -> None:
    categories = np.array([4, 4, 8], dtype=np.int8)  # 4→4 is ○
    zones = np.array([0, 0, 1], dtype=np.int8)
    _, eligibility = pair_eligibility(MATRIX, categories, categories, zones, zones)
    assert eligibility.tolist() == [[0, 1, 1], [1, 0, 1], [0, 0, 0]]


def test_none_mask_with_different_list_lengths_is_rejected() -> None:
    with pytest.raises(ValueError, match="same_municipality"):
        pair_eligibility(MATRIX, np.array([1]), np.array([8, 8]), np.array([0]), np.array([1, 1]))


def test_mask_of_the_wrong_shape_is_rejected() -> None:
    with pytest.raises(ValueError, match="same_municipality"):
        pair_eligibility(
            MATRIX,
            np.array([1, 1]),
            np.array([8, 8]),
            np.array([0, 0]),
            np.array([1, 1]),
            np.zeros((3, 2), dtype=bool),
        )


@pytest.mark.parametrize(
    ("o_zones", "d_zones"), [([0, 2], [1]), ([0, -2], [1]), ([0], [1]), ([0, 0], [1, 1])]
)
def test_bad_zone_arrays_are_rejected(o_zones: list[int], d_zones: list[int]) -> None:
    with pytest.raises(ValueError, match="区域"):
        pair_eligibility(
            MATRIX,
            np.array([1, 9]),
            np.array([8]),
            np.array(o_zones),
            np.array(d_zones),
            np.array(False),
        )


def test_same_municipality_mask_compares_codes() -> None:
    mask = same_municipality_mask(["011002", "012025"], ["012025", "011002", "999999"])
    assert mask.dtype == np.bool_
    assert mask.tolist() == [[False, True, False], [True, False, False]]


def test_pair_eligibility_handles_all_municipalities_at_once() -> None:
    rng = np.random.default_rng(0)
    n = 1741
    categories = rng.integers(1, 11, n).astype(np.int8)
    zones = np.where(
        np.isin(categories, [5, 8]), 1, np.where(np.isin(categories, [1, 2, 3, 4]), 0, -1)
    ).astype(np.int8)
    symbols, eligibility = pair_eligibility(MATRIX, categories, categories, zones, zones)
    assert symbols.shape == eligibility.shape == (n, n)
    assert np.array_equal(symbols, MATRIX.codes[categories[None, :], categories[:, None]])
    assert (np.diag(eligibility) == 0).all()
    assert set(np.unique(eligibility).tolist()) <= {-1, 0, 1}
