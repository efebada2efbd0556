"""All-pairs 協力隊 eligibility: vectorised ``pair_eligibility`` vs ``decide()`` per pair.

Runs in-process against the database Django is configured for (SQLite in var/ unless
DATABASE_URL is set). The arrays are built from the DB once; only the computation is timed.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

TARGET_MEDIAN_S = 0.020
TARGET_RATIO = 100.0


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def run(*, quick: bool, decide_limit_s: float, database: str) -> Iterator[dict[str, Any]]:
    from django.db import connection

    from hitonagare.eligibility.matrix import SYMBOL_CODES, pair_eligibility
    from hitonagare.eligibility.rules import Program, decide
    from hitonagare.eligibility.selectors import _table_place, matrix_for
    from hitonagare.regions import selectors as regions

    # ---------------------------------------------------------------- arrays from the DB, once
    edition = regions.edition_in_force()
    regions._designation_table.cache_clear()
    started = time.perf_counter()
    table = regions.designation_table(edition=edition)
    matrix = matrix_for(edition)
    places = [_table_place(table, i) for i in range(len(table.lgcodes))]
    build_s = time.perf_counter() - started
    n = len(places)
    pairs = n * n
    yield {
        "name": "matrix_build_from_db",
        "median_s": round(build_s, 6),
        "n": 1,
        "municipalities": n,
        "note": "designation_table + matrix + Place objects, cold, measured once",
        "database": database,
        "db_vendor": connection.vendor,
    }

    categories, zones = table.categories, table.zones

    # ---------------------------------------------------------------- vectorised, all pairs
    def vectorised() -> tuple[np.ndarray, np.ndarray]:
        return pair_eligibility(matrix, categories, categories, zones, zones)

    t0 = time.perf_counter()
    vectorised()  # first call also builds the Matrix's cached 33×33 look-up tables
    first_call_s = time.perf_counter() - t0
    repeats = 10 if quick else 50
    times = _time_repeats(vectorised, warmup=3, repeats=repeats)
    symbols, eligibility = vectorised()
    pe_median = statistics.median(times)
    yield {
        "name": "matrix_pair_eligibility_all_pairs",
        "median_s": round(pe_median, 6),
        "p95_s": round(_percentile(times, 95), 6),
        "min_s": round(min(times), 6),
        "max_s": round(max(times), 6),
        "n": repeats,
        "pairs": pairs,
        "ns_per_pair": round(pe_median / pairs * 1e9, 3),
        "first_call_s": round(first_call_s, 6),
        "target_median_s": TARGET_MEDIAN_S,
        "meets_target": pe_median < TARGET_MEDIAN_S,
        "database": database,
    }

    # ---------------------------------------------------------------- decide() per pair
    kwargs: dict[str, Any] = {
        "program": Program.KYORYOKUTAI,
        "matrix": matrix,
        "source_document": edition.title,
        "source_url": edition.document_url or None,
    }
    rng = random.Random(20240401)
    eligible_code = {True: 1, False: 0, None: -1}

    def decide_pairs(index: Iterable[tuple[int, int]]) -> tuple[float, list[int], list[int]]:
        sym_out: list[int] = []
        elig_out: list[int] = []
        t0 = time.perf_counter()
        for i, j in index:
            d = decide(origin=places[i], destination=places[j], **kwargs)
            sym_out.append(SYMBOL_CODES[d.symbol] if d.symbol is not None else -9)
            elig_out.append(eligible_code[d.eligible])
        return time.perf_counter() - t0, sym_out, elig_out

    pilot = [(rng.randrange(n), rng.randrange(n)) for _ in range(2_000)]
    pilot_s, _, _ = decide_pairs(pilot)
    estimate_s = pilot_s / len(pilot) * pairs
    _log(
        f"decide() pilot: {pilot_s / len(pilot) * 1e6:.1f} µs/pair → ~{estimate_s:.0f} s all pairs"
    )

    extrapolated = quick or estimate_s > decide_limit_s
    if extrapolated:
        sample_size = 100_000
        flat = np.asarray(rng.sample(range(pairs), sample_size), dtype=np.intp)
        rows, cols = np.divmod(flat, n)
        index: Iterable[tuple[int, int]] = zip(rows.tolist(), cols.tolist(), strict=True)
    else:
        sample_size = pairs
        index = ((i, j) for i in range(n) for j in range(n))
    _log(f"decide() over {sample_size:,} pairs ...")
    decide_s, sym_out, elig_out = decide_pairs(index)
    elig_arr = np.asarray(elig_out, dtype=np.int8)
    sym_arr = np.asarray(sym_out, dtype=np.int8)
    del sym_out, elig_out
    if extrapolated:
        expected_elig, expected_sym = eligibility[rows, cols], symbols[rows, cols]
    else:
        expected_elig, expected_sym = eligibility.ravel(), symbols.ravel()
    elig_mismatch = int(np.count_nonzero(expected_elig != elig_arr))
    # decide() gives no symbol (None) for a move inside one municipality, while
    # pair_eligibility keeps the matrix cell there (only eligibility is masked); so
    # symbols are compared off the diagonal.
    diagonal = (rows == cols) if extrapolated else np.eye(n, dtype=bool).ravel()
    sym_mismatch = int(np.count_nonzero((expected_sym != sym_arr) & ~diagonal))
    diagonal_none = int(np.count_nonzero(diagonal & (sym_arr == -9)))
    per_pair = decide_s / sample_size
    decide_total = per_pair * pairs
    ratio = decide_total / pe_median
    line: dict[str, Any] = {
        "name": "matrix_decide_all_pairs",
        "median_s": round(decide_total, 3),
        "n": 1,
        "pairs": pairs,
        "us_per_pair": round(per_pair * 1e6, 3),
        "extrapolated": extrapolated,
        "agree": elig_mismatch == 0,
        "eligibility_mismatches": elig_mismatch,
        "symbols_agree": sym_mismatch == 0,
        "symbol_mismatches_off_diagonal": sym_mismatch,
        "diagonal_pairs_without_symbol": diagonal_none,
        "database": database,
    }
    if extrapolated:
        line["sample"] = sample_size
        line["sample_s"] = round(decide_s, 3)
        line["note"] = "median_s = sample time per pair × all pairs"
    yield line
    yield {
        "name": "matrix_speedup_vs_decide",
        "median_s": round(pe_median, 6),
        "decide_all_pairs_s": round(decide_total, 3),
        "ratio": round(ratio, 1),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio >= TARGET_RATIO,
        "extrapolated": extrapolated,
        "agree": elig_mismatch == 0,
        "database": database,
    }


def _time_repeats(fn: Callable[[], object], *, warmup: int, repeats: int) -> list[float]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times
