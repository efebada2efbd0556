"""Opening search on 100,000 demo openings: one client, many calls, per database.

    .venv/bin/python bench/search_bench.py                  # SQLite, and PostgreSQL if DATABASE_URL
    .venv/bin/python bench/search_bench.py --quick          # 10,000 openings, fewer rounds
    .venv/bin/python bench/search_bench.py --openings 50000 --no-postgres

For each database a throwaway database is built (SQLite: a file in a temporary directory;
PostgreSQL: a new C.UTF-8 database on the server of DATABASE_URL, dropped afterwards) with
`hitonagare migrate`, `regions load --commit` and `demo-data --openings N --applicants 0`.
A worker process with that database then times `selectors.opening_search` (page 1 with
facets) for each query class, and the exact-substring scan (SQL LIKE over search_text: the
count and the first page) for the same queries as the baseline. A breakdown pass times the
parts of a search (version check, index query, substring verification, facets, ordering,
page fetch) so a slow class points at its SQL.

One JSON object per line on stdout, progress on stderr. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
CLI = ROOT / ".venv" / "bin" / "hitonagare"
PYTHON = ROOT / ".venv" / "bin" / "python"
SETTINGS = "hitonagare.config.settings.local"

TARGET_P95_MS = 50.0
OPENINGS = 100_000
QUICK_OPENINGS = 10_000
SEED = 1

QUERY_CLASSES: dict[str, list[str]] = {
    "two_char": ["農業", "林業", "漁業", "移住", "観光", "温泉", "棚田", "古民", "教育", "福祉"],
    "three_plus_char": [
        "地場産品",
        "古民家再生",
        "移住相談",
        "森林整備",
        "観光協会",
        "農業体験",
        "空き家バンク",
        "鳥獣被害",
        "高校魅力化",
        "道の駅",
    ],
    "two_term": [
        "農業 移住",
        "古民家 カフェ",
        "観光 温泉",
        "林業 移住",
        "子育て 移住",
        "地場産品 販路",
        "ジビエ 狩猟",
        "棚田 農業体験",
    ],
    "browse": [""],
}
# Not in the target's query classes, reported for context: filters without a query, and a
# term that matches nothing.
EXTRA_CLASSES: dict[str, list[dict[str, Any]]] = {
    "browse_filtered": [
        {"programs": ["kyoryokutai"], "prefectures": ["32"]},
        {"themes": ["primary-industry"], "deadline": "30"},
        {"blocks": ["1"], "housing": "1", "sort": "deadline"},
    ],
    "no_match": [{"q": "宇宙開発"}, {"q": "量子計算"}],
}


def log(message: str) -> None:
    print(f"[search-bench] {message}", file=sys.stderr, flush=True)


def emit(line: dict[str, Any]) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (as numpy's default), without numpy in the parent."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --------------------------------------------------------------------------- databases


@dataclass
class BenchDatabase:
    """A throwaway database filled with demo openings; `env` runs Django against it."""

    label: str  # sqlite | postgresql
    env: dict[str, str]
    openings: int
    build_line: dict[str, Any] = field(default_factory=dict)


def _env(*, var_dir: Path, database_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env["HITONAGARE_VAR_DIR"] = str(var_dir)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run_cli(env: dict[str, str], *args: str, timeout: float = 3600) -> str:
    result = subprocess.run(
        [str(CLI), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"hitonagare {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


def _with_database_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _postgres_admin(url: str) -> Any:
    import psycopg

    return psycopg.connect(_with_database_name(url, "postgres"), autocommit=True)


@contextlib.contextmanager
def bench_database(
    *,
    label: str,
    openings: int,
    seed: int = SEED,
    postgres_url: str | None = None,
    members: int = 0,
) -> Iterator[BenchDatabase]:
    """Build a fresh database with `openings` demo openings; drop it afterwards.

    PostgreSQL: a database named hn_search_bench_<random> (C.UTF-8, template0) on the server
    of `postgres_url`, created and dropped through the server's `postgres` database.
    """
    var_dir = Path(tempfile.mkdtemp(prefix="hn-search-bench-"))
    database_url = None
    name = ""
    if label == "postgresql":
        if not postgres_url:
            raise ValueError("postgresql needs a URL")
        name = f"hn_search_bench_{secrets.token_hex(4)}"
        with _postgres_admin(postgres_url) as admin:
            admin.execute(
                f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
                " LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
        database_url = _with_database_name(postgres_url, name)
        log(f"{label}: created database {name}")
    env = _env(var_dir=var_dir, database_url=database_url)
    try:
        log(f"{label}: migrate, regions load, collectstatic")
        _run_cli(env, "migrate", "--noinput", "-v0")
        _run_cli(env, "regions", "load", "--commit")
        _run_cli(env, "collectstatic", "--noinput", "-v0")
        log(f"{label}: demo-data --openings {openings:,} (seed {seed}) ...")
        started = time.monotonic()
        output = _run_cli(
            env,
            "demo-data",
            "--openings",
            str(openings),
            "--applicants",
            "0",
            "--members",
            str(members),
            "--seed",
            str(seed),
        )
        build_s = time.monotonic() - started
        log(f"{label}: built in {build_s:.1f} s: {output.strip().splitlines()[0]}")
        analyze_s = None
        if label == "postgresql":
            assert database_url is not None
            import psycopg

            started = time.monotonic()
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
            analyze_s = round(time.monotonic() - started, 2)
        yield BenchDatabase(
            label=label,
            env=env,
            openings=openings,
            build_line={
                "name": "search_demo_build",
                "median_s": round(build_s, 2),
                "n": 1,
                "openings": openings,
                "database": label,
                "what": "hitonagare demo-data --openings N --applicants 0 (one transaction, "
                "bulk_create + index_openings_bulk), wall time incl. process start",
                **({"vacuum_analyze_s": analyze_s} if analyze_s is not None else {}),
            },
        )
    finally:
        if label == "postgresql" and postgres_url and name:
            try:
                with _postgres_admin(postgres_url) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                log(f"{label}: dropped database {name}")
            except Exception as error:  # report, never hide the real error
                log(f"{label}: could not drop {name}: {error}")
        shutil.rmtree(var_dir, ignore_errors=True)


# --------------------------------------------------------------------------- the worker


def _timed_wrappers(
    modules: list[tuple[Any, str, str]],
) -> tuple[dict[str, float], Callable[[], None]]:
    """Wrap module functions to accumulate their time per call; returns (totals, undo)."""
    totals: dict[str, float] = {}
    originals = []
    for module, attribute, label in modules:
        original = getattr(module, attribute)
        originals.append((module, attribute, original))

        def wrapper(
            *args: Any, __original: Any = original, __label: str = label, **kwargs: Any
        ) -> Any:
            started = time.perf_counter()
            try:
                return __original(*args, **kwargs)
            finally:
                totals[__label] = totals.get(__label, 0.0) + time.perf_counter() - started

        setattr(module, attribute, wrapper)

    def undo() -> None:
        for module, attribute, original in originals:
            setattr(module, attribute, original)

    return totals, undo


def worker(args: argparse.Namespace) -> int:
    """Runs inside the database's environment: time the searches, print JSON lines."""
    import django

    django.setup()
    from django.db import connection

    from hitonagare.recruiting import search, search_store, selectors
    from hitonagare.recruiting.models import Opening
    from hitonagare.recruiting.search_text import parse_query

    label = args.database
    rounds = args.rounds
    meta = {"database": label, "openings": Opening.objects.count(), "client": "one, in-process"}
    published = Opening.objects.filter(status=Opening.Status.PUBLISHED).count()
    meta["published"] = published

    def params_for(spec: dict[str, Any]) -> Any:
        return selectors.search_params_parse(**spec)

    def search_once(spec: dict[str, Any]) -> tuple[float, Any]:
        started = time.perf_counter()
        result = selectors.opening_search(params=params_for(spec), with_facets=True)
        return (time.perf_counter() - started) * 1000, result

    # Cold: the first search builds the per-process columns (search_store).
    search_store.search_store_clear()
    cold_ms, _ = search_once({"q": ""})
    emit(
        {
            "name": "search_first_call",
            "median_s": round(cold_ms / 1000, 4),
            "n": 1,
            "what": "first opening_search in a process: builds the NumPy columns of all "
            "published openings (search_store) + one browse search",
            **meta,
        }
    )

    classes: dict[str, list[dict[str, Any]]] = {
        name: [{"q": q} for q in queries] for name, queries in QUERY_CLASSES.items()
    }
    classes.update(EXTRA_CLASSES)
    for specs in classes.values():  # warm-up: every query once
        for spec in specs:
            search_once(spec)

    results: dict[str, dict[str, Any]] = {}
    for name, specs in classes.items():
        times: list[float] = []
        totals: dict[str, Any] = {}
        per_query: dict[str, list[float]] = {}
        estimated_keys: set[str] = set()
        page_ok = True
        estimates = 0
        for _ in range(rounds):
            for spec in specs:
                elapsed, result = search_once(spec)
                times.append(elapsed)
                key = spec.get("q") or json.dumps(spec, ensure_ascii=False)
                totals[key] = result.total
                per_query.setdefault(key, []).append(elapsed)
                estimates += bool(result.total_is_estimate)
                if result.total_is_estimate:
                    estimated_keys.add(key)
                # Exactness of the page itself: every item holds every term.
                page_ok = page_ok and all(
                    term.text in item.search_text for item in result.items for term in result.terms
                )
        p95 = percentile(times, 95)
        line = {
            "name": f"search_{name}",
            "median_s": round(statistics.median(times) / 1000, 5),
            "median_ms": round(statistics.median(times), 2),
            "p95_ms": round(p95, 2),
            "p99_ms": round(percentile(times, 99), 2),
            "max_ms": round(max(times), 2),
            "n": len(times),
            "queries": len(specs),
            "rounds": rounds,
            "matches": totals,
            "per_query_median_ms": {
                key: round(statistics.median(values), 1) for key, values in per_query.items()
            },
            "estimated_totals": estimates,
            "estimated_queries": sorted(estimated_keys),
            "page_items_all_match": page_ok,
            **meta,
        }
        if name in QUERY_CLASSES:
            line["target_p95_ms"] = TARGET_P95_MS
            line["meets_target"] = p95 < TARGET_P95_MS
        results[name] = line

    # Baseline: the exact-substring scan over search_text (SQL LIKE), count + first page.
    baseline_rounds = max(1, args.baseline_rounds)
    for name, queries in QUERY_CLASSES.items():
        times = []
        agree = True
        mismatches: dict[str, Any] = {}
        estimate_errors: dict[str, Any] = {}
        for _ in range(baseline_rounds):
            for q in queries:
                started = time.perf_counter()
                queryset = Opening.objects.filter(status=Opening.Status.PUBLISHED)
                for term in parse_query(q):
                    queryset = queryset.filter(search_text__contains=term.text)
                count = queryset.count()
                page = list(queryset.order_by("-published_at", "-id")[:20])
                times.append((time.perf_counter() - started) * 1000)
                expected = results[name]["matches"].get(q or json.dumps({"q": q}))
                if q in results[name]["estimated_queries"]:
                    estimate_errors[q] = {
                        "estimate": expected,
                        "like_scan": count,
                        "error_pct": round(100 * (expected - count) / max(count, 1), 1),
                    }
                elif q and expected != count:
                    agree = False
                    mismatches[q] = {"search": expected, "like_scan": count}
                del page
        line = results[name]
        like_median = statistics.median(times)
        line["baseline"] = "SQL LIKE over search_text: count(*) + first 20 rows by newest"
        line["baseline_median_ms"] = round(like_median, 2)
        line["baseline_p95_ms"] = round(percentile(times, 95), 2)
        line["baseline_n"] = len(times)
        line["ratio_vs_like_scan"] = round(like_median / line["median_ms"], 1)
        if name != "browse":
            # Exact totals (every query not in estimated_queries) must equal the scan's count.
            line["exact_totals_agree_with_like_scan"] = agree
            if mismatches:
                line["mismatches"] = mismatches
            if estimate_errors:
                line["estimates_vs_like_scan"] = estimate_errors

    for line in results.values():
        emit(line)

    # Breakdown: where the time of one search goes, per class (a separate, shorter pass).
    wrapped = [
        (search_store, "snapshot", "version_check_and_snapshot"),
        (search, "candidate_ids", "index_query"),
        (search, "verified_ids", "substring_verify"),
        (selectors, "_row_filter", "filters"),
        (selectors, "_order", "order"),
        (selectors, "_verified_page", "verified_page"),
        (selectors, "_facet_counts", "facets"),
    ]
    acc, undo = _timed_wrappers(wrapped)
    try:
        for name, specs in classes.items():
            acc.clear()
            calls = 0
            whole = 0.0
            for _ in range(max(1, rounds // 4)):
                for spec in specs:
                    elapsed, _result = search_once(spec)
                    whole += elapsed / 1000
                    calls += 1
            parts = {key: round(value / calls * 1000, 3) for key, value in sorted(acc.items())}
            accounted = sum(acc.values())
            # The rest: parsing, the page's SELECT (in_bulk of 20 rows) and Python glue.
            parts["page_fetch_and_rest"] = round((whole - accounted) / calls * 1000, 3)
            emit(
                {
                    "name": f"search_breakdown_{name}",
                    "median_s": None,
                    "mean_ms_per_search": round(whole / calls * 1000, 2),
                    "parts_mean_ms": parts,
                    "n": calls,
                    **meta,
                }
            )
    finally:
        undo()

    # The SQL of the index query for a few terms, with its own timing (for the report).
    for q in ("農業", "地場産品", "農業 移住"):
        terms = parse_query(q)
        times = []
        count = 0
        for _ in range(max(3, rounds // 2)):
            started = time.perf_counter()
            count = len(search.candidate_ids(terms))
            times.append((time.perf_counter() - started) * 1000)
        emit(
            {
                "name": "search_index_query",
                "median_s": round(statistics.median(times) / 1000, 5),
                "median_ms": round(statistics.median(times), 2),
                "p95_ms": round(percentile(times, 95), 2),
                "n": len(times),
                "q": q,
                "candidates": count,
                "sql": (
                    "SELECT group_concat(rowid) FROM recruiting_opening_fts WHERE "
                    "recruiting_opening_fts MATCH ?"
                    if connection.vendor == "sqlite"
                    else "SELECT string_agg(opening_id::text, ',') FROM recruiting_opening_fts"
                    " WHERE tokens @@ ?::tsquery"
                ),
                **meta,
            }
        )
    return 0


# --------------------------------------------------------------------------- the parent


def run_queries(
    db: BenchDatabase, *, rounds: int, baseline_rounds: int
) -> Iterator[dict[str, Any]]:
    """Run the worker against `db`; yields its JSON lines."""
    command = [
        str(PYTHON),
        str(Path(__file__).resolve()),
        "--worker",
        "--database",
        db.label,
        "--rounds",
        str(rounds),
        "--baseline-rounds",
        str(baseline_rounds),
    ]
    env = dict(db.env)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    log(f"{db.label}: timing searches ({rounds} rounds, baseline {baseline_rounds}) ...")
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert proc.stdout is not None
    try:
        for raw in proc.stdout:
            raw = raw.strip()
            if raw.startswith("{"):
                yield json.loads(raw)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        raise RuntimeError(f"search worker on {db.label} exited with {proc.returncode}")


def targets(postgres_url: str | None, no_postgres: bool) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = [("sqlite", None)]
    if postgres_url and not no_postgres and urlsplit(postgres_url).scheme.startswith("postgres"):
        found.append(("postgresql", postgres_url))
    return found


def run(
    *,
    quick: bool,
    openings: int | None = None,
    postgres_url: str | None = None,
    no_postgres: bool = False,
    rounds: int | None = None,
    baseline_rounds: int | None = None,
    load: Callable[[BenchDatabase], Iterator[dict[str, Any]]] | None = None,
    queries: bool = True,
) -> Iterator[dict[str, Any]]:
    """Everything for each database: build, time the searches (unless not `queries`), then
    `load` (bench/search_load.py) against the same database, if given."""
    count = openings or (QUICK_OPENINGS if quick else OPENINGS)
    rounds = rounds or (5 if quick else 30)
    baseline_rounds = baseline_rounds or (1 if quick else 3)
    for label, url in targets(postgres_url, no_postgres):
        with bench_database(label=label, openings=count, postgres_url=url) as db:
            yield db.build_line
            if queries:
                yield from run_queries(db, rounds=rounds, baseline_rounds=baseline_rounds)
            if load is not None:
                yield from load(db)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10,000 openings, 5 rounds")
    parser.add_argument("--openings", type=int, default=None, help="openings per database")
    parser.add_argument("--rounds", type=int, default=None, help="rounds over each class (30)")
    parser.add_argument(
        "--baseline-rounds", type=int, default=None, help="rounds of the LIKE scan (3)"
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="server for the throwaway PostgreSQL database (default: DATABASE_URL)",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", default="sqlite", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    started = time.monotonic()
    for line in run(
        quick=args.quick,
        openings=args.openings,
        postgres_url=args.postgres_url,
        no_postgres=args.no_postgres,
        rounds=args.rounds,
        baseline_rounds=args.baseline_rounds,
    ):
        emit({**line, **({"quick": True} if args.quick else {})})
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
