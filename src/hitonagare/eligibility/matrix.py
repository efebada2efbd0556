"""転出地×転入地マトリクス（地域要件確認表）: pure data and vectorised look-ups.

The 10×10 matrix is stored as ``cells[転入地区分 - 1][転出地区分 - 1]``
(domain-rules.md §1.3). No Django, no ORM: stdlib and numpy only.

Integer encodings used by the vectorised functions:

* symbol codes: × = 0, ○ = 1, △ = 2, ▲ = 3, □ = 4 (``SYMBOL_CODES``);
* zones: 1 = inside the 条件不利区域, 0 = outside, -1 = unknown;
* eligibility: 1 = eligible, 0 = not eligible, -1 = 要確認.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = [
    "CATEGORY_IDS",
    "CATEGORY_LABELS",
    "CODE_SYMBOLS",
    "ELIGIBLE",
    "NEEDS_CHECK",
    "NOT_ELIGIBLE",
    "SYMBOL_CODES",
    "SYMBOL_MEANINGS",
    "ZONE_INSIDE",
    "ZONE_OUTSIDE",
    "ZONE_UNKNOWN",
    "Matrix",
    "Symbol",
    "pair_eligibility",
    "pair_symbols",
    "same_municipality_mask",
    "symbol_eligibility",
]


class Symbol(StrEnum):
    """確認表の記号."""

    CIRCLE = "○"
    TRIANGLE = "△"
    BLACK_TRIANGLE = "▲"
    SQUARE = "□"
    CROSS = "×"


#: Legend of the 確認表 (symbolMeta summaries of chiikiyouken_R4_matrix_shige-spec.json).
SYMBOL_MEANINGS: Final[Mapping[Symbol, str]] = MappingProxyType(
    {
        Symbol.CIRCLE: "特別交付税措置の対象です。",
        Symbol.TRIANGLE: (
            "原則として、隊員等の転出地が条件不利区域以外の区域であった場合に限り、"
            "特別交付税措置の対象となります。"
        ),
        Symbol.BLACK_TRIANGLE: (
            "原則として、隊員等の転入地が条件不利区域内である場合に限り、"
            "特別交付税措置の対象となります。"
        ),
        Symbol.SQUARE: (
            "転出地が条件不利区域外かつ転入地が条件不利区域内である場合に限り、"
            "特別交付税措置の対象となります。"
        ),
        Symbol.CROSS: "区分マトリクス上、原則として地域要件を満たしません（対象外）。",
    }
)

#: Category ids 1..10 (domain-rules.md §1.2), labels as in the 確認表.
CATEGORY_LABELS: Final[Mapping[int, str]] = MappingProxyType(
    {
        1: "３大都市圏内 都市地域",
        2: "３大都市圏内 都市地域 指定都市",
        3: "３大都市圏外 都市地域",
        4: "３大都市圏外 都市地域 指定都市",
        5: "３大都市圏内 全部条件不利地域",
        6: "３大都市圏内 一部条件不利地域",
        7: "３大都市圏内 一部条件不利地域 指定都市",
        8: "３大都市圏外 全部条件不利地域",
        9: "３大都市圏外 一部条件不利地域",
        10: "３大都市圏外 一部条件不利地域 指定都市",
    }
)
CATEGORY_IDS: Final[tuple[int, ...]] = tuple(range(1, 11))

SYMBOL_CODES: Final[Mapping[Symbol, int]] = MappingProxyType(
    {
        Symbol.CROSS: 0,
        Symbol.CIRCLE: 1,
        Symbol.TRIANGLE: 2,
        Symbol.BLACK_TRIANGLE: 3,
        Symbol.SQUARE: 4,
    }
)
CODE_SYMBOLS: Final[Mapping[int, Symbol]] = MappingProxyType(
    {code: symbol for symbol, code in SYMBOL_CODES.items()}
)

ZONE_INSIDE: Final = 1
ZONE_OUTSIDE: Final = 0
ZONE_UNKNOWN: Final = -1

ELIGIBLE: Final = 1
NOT_ELIGIBLE: Final = 0
NEEDS_CHECK: Final = -1

_SIZE: Final = 10
# Zone value -> state index used by the extended look-up tables.
_ZONE_STATES: Final[tuple[int, ...]] = (ZONE_UNKNOWN, ZONE_OUTSIDE, ZONE_INSIDE)


def _check_category(value: int, role: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _SIZE:
        raise ValueError(f"{role}の区分は1〜10の整数で指定してください（値: {value!r}）。")


def _tri_and(left: int, right: int) -> int:
    """Three-valued AND: any 0 wins, then any -1, else 1."""
    if NOT_ELIGIBLE in (left, right):
        return NOT_ELIGIBLE
    if NEEDS_CHECK in (left, right):
        return NEEDS_CHECK
    return ELIGIBLE


def symbol_eligibility(symbol: Symbol, *, origin_zone: int, destination_zone: int) -> int:
    """Eligibility (1 / 0 / -1) of one matrix cell given the zones of both ends.

    △ needs the origin outside the 条件不利区域, ▲ the destination inside it, □ both.
    """
    origin_outside = {ZONE_OUTSIDE: ELIGIBLE, ZONE_INSIDE: NOT_ELIGIBLE}.get(
        origin_zone, NEEDS_CHECK
    )
    destination_inside = {ZONE_INSIDE: ELIGIBLE, ZONE_OUTSIDE: NOT_ELIGIBLE}.get(
        destination_zone, NEEDS_CHECK
    )
    if symbol is Symbol.CIRCLE:
        return ELIGIBLE
    if symbol is Symbol.CROSS:
        return NOT_ELIGIBLE
    if symbol is Symbol.TRIANGLE:
        return origin_outside
    if symbol is Symbol.BLACK_TRIANGLE:
        return destination_inside
    return _tri_and(origin_outside, destination_inside)


@dataclass(frozen=True)
class Matrix:
    """The 転出地×転入地 matrix in force on ``basis_date`` (基準日 of the 確認表)."""

    basis_date: date
    cells: tuple[tuple[Symbol, ...], ...]

    def __post_init__(self) -> None:
        if len(self.cells) != _SIZE or any(len(row) != _SIZE for row in self.cells):
            raise ValueError("マトリクスは10行×10列でなければなりません。")
        for row in self.cells:
            for cell in row:
                if not isinstance(cell, Symbol):
                    raise ValueError(f"マトリクスに不明な記号があります: {cell!r}")

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, basis_date: date) -> Matrix:
        """Build from the ``{"matrix": [[...]]}`` layout (``matrix[転入-1][転出-1]``)."""
        raw = data.get("matrix")
        if not isinstance(raw, list | tuple) or len(raw) != _SIZE:
            raise ValueError("マトリクスは10行×10列でなければなりません（行数が不正です）。")
        rows: list[tuple[Symbol, ...]] = []
        for row_index, row in enumerate(raw, start=1):
            if not isinstance(row, list | tuple) or len(row) != _SIZE:
                raise ValueError(
                    f"マトリクスは10行×10列でなければなりません（{row_index}行目の列数が不正です）。"
                )
            symbols: list[Symbol] = []
            for column_index, value in enumerate(row, start=1):
                try:
                    symbols.append(Symbol(value))
                except ValueError:
                    raise ValueError(
                        f"マトリクスに不明な記号があります: {value!r}"
                        f"（転入地区分{row_index}・転出地区分{column_index}）"
                    ) from None
            rows.append(tuple(symbols))
        return cls(basis_date=basis_date, cells=tuple(rows))

    def symbol(self, origin_category: int, destination_category: int) -> Symbol:
        """The symbol for a move from ``origin_category`` to ``destination_category``."""
        _check_category(origin_category, "転出地")
        _check_category(destination_category, "転入地")
        return self.cells[destination_category - 1][origin_category - 1]

    @cached_property
    def codes(self) -> npt.NDArray[np.int8]:
        """Read-only int8 array (11×11) indexed ``[転入地区分, 転出地区分]``; row/col 0 unused."""
        table = np.zeros((_SIZE + 1, _SIZE + 1), dtype=np.int8)
        for dest in CATEGORY_IDS:
            for origin in CATEGORY_IDS:
                table[dest, origin] = SYMBOL_CODES[self.cells[dest - 1][origin - 1]]
        table.flags.writeable = False
        return table

    @cached_property
    def _codes_by_origin(self) -> npt.NDArray[np.int8]:
        """``codes`` transposed (origin-major, contiguous) for row gathers."""
        table = np.ascontiguousarray(self.codes.T)
        table.flags.writeable = False
        return table

    @cached_property
    def _pair_tables(self) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]:
        """Origin-major tables keyed by ``category*3 + zone_state`` on both axes.

        ``symbols[o_key, d_key]`` and ``eligibility[o_key, d_key]`` where
        ``key = category * 3 + (zone + 1)``.
        """
        n = (_SIZE + 1) * 3
        symbols = np.zeros((n, n), dtype=np.int8)
        eligibility = np.zeros((n, n), dtype=np.int8)
        for origin in CATEGORY_IDS:
            for o_state, o_zone in enumerate(_ZONE_STATES):
                for dest in CATEGORY_IDS:
                    for d_state, d_zone in enumerate(_ZONE_STATES):
                        symbol = self.cells[dest - 1][origin - 1]
                        o_key = origin * 3 + o_state
                        d_key = dest * 3 + d_state
                        symbols[o_key, d_key] = SYMBOL_CODES[symbol]
                        eligibility[o_key, d_key] = symbol_eligibility(
                            symbol, origin_zone=o_zone, destination_zone=d_zone
                        )
        symbols.flags.writeable = False
        eligibility.flags.writeable = False
        return symbols, eligibility


def _as_categories(values: npt.ArrayLike, role: str) -> npt.NDArray[np.intp]:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{role}の区分は1次元配列で指定してください。")
    if array.size and (int(array.min()) < 1 or int(array.max()) > _SIZE):
        raise ValueError(f"{role}の区分は1〜10の整数で指定してください。")
    return array.astype(np.intp, copy=False)


def _as_zones(values: npt.ArrayLike, size: int, role: str) -> npt.NDArray[np.intp]:
    array = np.asarray(values)
    if array.shape != (size,):
        raise ValueError(f"{role}の区域の配列の長さが区分の配列と一致しません。")
    if array.size and (int(array.min()) < ZONE_UNKNOWN or int(array.max()) > ZONE_INSIDE):
        raise ValueError(f"{role}の区域は 1（区域内）・0（区域外）・-1（不明）で指定してください。")
    return array.astype(np.intp, copy=False)


def _gather(
    table: npt.NDArray[np.int8],
    row_keys: npt.NDArray[np.intp],
    column_keys: npt.NDArray[np.intp],
    out: npt.NDArray[np.int8],
) -> None:
    """``out[i, j] = table[row_keys[i], column_keys[j]]`` without 2-D fancy indexing.

    Gathering the (few) distinct table rows first and then whole rows by key is several
    times faster than ``table[row_keys[:, None], column_keys[None, :]]``.
    """
    np.take(np.take(table, column_keys, axis=1), row_keys, axis=0, out=out, mode="clip")


def pair_symbols(
    matrix: Matrix,
    origin_categories: npt.NDArray[np.integer[Any]],
    destination_categories: npt.NDArray[np.integer[Any]],
) -> npt.NDArray[np.int8]:
    """Symbol codes for every (origin, destination) pair, shape (n_origins, n_destinations).

    Same result as ``matrix.codes[destinations[None, :], origins[:, None]]``.
    """
    origins = _as_categories(origin_categories, "転出地")
    destinations = _as_categories(destination_categories, "転入地")
    out = np.empty((origins.size, destinations.size), dtype=np.int8)
    _gather(matrix._codes_by_origin, origins, destinations, out)
    return out


def same_municipality_mask(
    origin_lgcodes: npt.ArrayLike, destination_lgcodes: npt.ArrayLike
) -> npt.NDArray[np.bool_]:
    """Boolean (n_origins × n_destinations) mask, True where the 団体コード are equal."""
    origins = np.asarray(origin_lgcodes)
    destinations = np.asarray(destination_lgcodes)
    if origins.ndim != 1 or destinations.ndim != 1:
        raise ValueError("団体コードは1次元配列で指定してください。")
    mask: npt.NDArray[np.bool_] = origins[:, None] == destinations[None, :]
    return mask


def pair_eligibility(
    matrix: Matrix,
    origin_categories: npt.NDArray[np.integer[Any]],
    destination_categories: npt.NDArray[np.integer[Any]],
    origin_zones: npt.NDArray[np.integer[Any]],
    destination_zones: npt.NDArray[np.integer[Any]],
    same_municipality: npt.NDArray[np.bool_] | None = None,
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]:
    """All-pairs (symbol codes, eligibility) for the 協力隊 / PM matrix route.

    Zones: 1 = inside the 条件不利区域, 0 = outside, -1 = unknown (全部条件不利 → 1,
    都市地域 → 0). Eligibility: 1 = eligible, 0 = not, -1 = 要確認.

    ``same_municipality``: a boolean array broadcastable to (n_origins, n_destinations)
    whose True cells are forced to 0 (a move inside one municipality never counts,
    domain-rules.md §1.6); build it with :func:`same_municipality_mask`, or pass
    ``np.array(False)`` for "no pair is the same municipality". ``None`` compares
    indexes: origins and destinations are taken to be the same list, so the diagonal
    is masked (a ValueError is raised when the two lists differ in length).
    Symbol codes are never masked (they are the matrix cells).
    """
    origins = _as_categories(origin_categories, "転出地")
    destinations = _as_categories(destination_categories, "転入地")
    o_zones = _as_zones(origin_zones, origins.size, "転出地")
    d_zones = _as_zones(destination_zones, destinations.size, "転入地")
    shape = (origins.size, destinations.size)
    if same_municipality is None and origins.size != destinations.size:
        raise ValueError(
            "転出地と転入地の件数が異なるため、同一市町村の判定には"
            "same_municipality のマスクを指定してください。"
        )

    symbol_table, eligibility_table = matrix._pair_tables
    o_keys = origins * 3 + (o_zones + 1)
    d_keys = destinations * 3 + (d_zones + 1)
    buffer = np.empty((2, *shape), dtype=np.int8)
    symbols, eligibility = buffer[0], buffer[1]
    _gather(symbol_table, o_keys, d_keys, symbols)
    _gather(eligibility_table, o_keys, d_keys, eligibility)
    if same_municipality is None:
        np.fill_diagonal(eligibility, NOT_ELIGIBLE)
    else:
        mask = np.asarray(same_municipality, dtype=np.bool_)
        try:
            np.copyto(eligibility, np.int8(NOT_ELIGIBLE), where=mask)
        except ValueError:
            raise ValueError(
                f"same_municipality の形 {mask.shape} が {shape} と一致しません。"
            ) from None
    return symbols, eligibility
