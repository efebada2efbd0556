"""The public search page under load, beside /ping/ in the same server (see bench/load.py).

    .venv/bin/python bench/search_load.py                 # SQLite, and PostgreSQL if DATABASE_URL
    .venv/bin/python bench/search_load.py --quick         # 10,000 openings, 3 s runs
    .venv/bin/python bench/search_load.py --no-postgres --duration 20
    .venv/bin/python bench/search_load.py --existing-var-dir var --openings 400   # no build

Each database is a throwaway one with 100,000 demo openings (search_bench.bench_database).
granian (production WSGI server, `make serve` settings) serves it on 127.0.0.1; wrk
(32 connections, 20 s after a 3 s warm-up) loads /ping/, /openings/?q=農業 and a mix of
queries, filters and pages. `ratio_vs_ping` = requests/s ÷ ping's requests/s in the same run.
Targets: ratio ≥ 0.5 and p99 < 200 ms. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import load  # noqa: E402
import search_bench  # noqa: E402

TARGET_RPS_RATIO = 0.50
TARGET_P99_S = 0.200

PAGE = "/openings/"


def page_path(**params: str) -> str:
    return PAGE + ("?" + urlencode(params) if params else "")


ONE_QUERY_PATH = page_path(q="農業")


def mix_paths() -> list[str]:
    """Every benchmark query (all classes), some with filters, sorting and later pages."""
    paths: list[str] = []
    for queries in search_bench.QUERY_CLASSES.values():
        for q in queries:
            paths.append(page_path(q=q) if q else PAGE)
    paths += [
        page_path(q="農業", page="2"),
        page_path(q="移住", page="3"),
        page_path(q="観光", program="kyoryokutai"),
        page_path(q="地場産品", prefecture="32"),
        page_path(prefecture="01"),
        page_path(program="otameshi"),
        page_path(theme="primary-industry", sort="deadline"),
        page_path(q="古民家", sort="newest"),
    ]
    return paths


def origin_paths() -> list[str]:
    """Searches with the visitor's place (`from`): a 地域要件 verdict on every card, and the
    eligible-only filter. The page never caches these (ADR 10), so they are measured apart."""
    return [
        page_path(**{"q": "農業", "from": "100-0001"}),
        page_path(**{"q": "移住", "from": "530-0001", "eligible": "1"}),
        page_path(**{"q": "観光", "from": "060-0001"}),
        page_path(**{"from": "810-0001", "eligible": "1"}),
    ]


def _log(message: str) -> None:
    print(f"[search-load] {message}", file=sys.stderr, flush=True)


def run(
    db: search_bench.BenchDatabase,
    *,
    quick: bool,
    duration_s: int,
    workers: int = 2,
    blocking_threads: int = 4,
    connections: int = 32,
    wrk_threads: int = 2,
) -> Iterator[dict[str, Any]]:
    meta = {
        "database": db.label,
        "openings": db.openings,
        "server": "granian",
        "interface": "wsgi",
        "workers": workers,
        "blocking_threads": blocking_threads,
        "connections": connections,
        "wrk_threads": wrk_threads,
    }
    wrk = load.ensure_wrk()
    if wrk is None:
        yield {
            "name": "search_load",
            "median_s": None,
            "skipped": "wrk is not installed: run `apt-get install -y wrk` (as root) and re-run",
            **meta,
        }
        return
    warmup_s = 1 if quick else 3
    mix = mix_paths()
    origins = origin_paths()

    def measure(
        env: dict[str, str], cases: list[tuple[str, str, list[str]]], extra: dict[str, Any]
    ) -> Iterator[dict[str, Any]]:
        """cases: (name, label, paths); the first case is the ping baseline of this server."""
        with load.Server(env=env, workers=workers, blocking_threads=blocking_threads) as server:
            port = server.port
            for _name, _label, paths in cases:
                for path in paths:  # every path must answer 200 first (this warms caches)
                    status, body = load._get(port, path, timeout=120)
                    if status != 200:
                        raise RuntimeError(f"GET {path} → {status}: {body[:500]!r}")
            results: dict[str, dict[str, Any]] = {}
            for name, label, paths in cases:
                script = load._mix_script(paths) if len(paths) > 1 else load.LUA_REPORT
                path = "/" if len(paths) > 1 else paths[0]
                try:
                    _log(f"{db.label}: wrk {name}: warm-up {warmup_s} s, then {duration_s} s")
                    options = {"connections": connections, "threads": wrk_threads, "script": script}
                    load.run_wrk(wrk, port, path, duration_s=warmup_s, **options)
                    data = load.run_wrk(wrk, port, path, duration_s=duration_s, **options)
                finally:
                    if script is not load.LUA_REPORT:
                        script.unlink(missing_ok=True)
                line = load._load_line(name, label, data, meta={**meta, **extra})
                if line["errors"] >= line["n"]:
                    # No request finished within wrk's 5 s timeout: wrk has no latencies.
                    for key in ("median_s", "p90_s", "p95_s", "p99_s", "p999_s", "mean_s"):
                        line[key] = None
                    line["note"] = "no request finished within wrk's 5 s timeout"
                results[name] = line
        ping_name = cases[0][0]
        ping = results[ping_name]
        yield ping
        for name, line in results.items():
            if name == ping_name:
                continue
            line["ratio_vs_ping"] = round(line["requests_per_s"] / ping["requests_per_s"], 3)
            line["target_ratio_vs_ping"] = TARGET_RPS_RATIO
            line["target_p99_s"] = TARGET_P99_S
            line["meets_target"] = (
                line["ratio_vs_ping"] >= TARGET_RPS_RATIO
                and line["p99_s"] is not None
                and line["p99_s"] < TARGET_P99_S
                and line["errors"] == 0
            )
            yield line

    # Is the page there at all? (It answers 200 for a query once recruiting/views_public is in.)
    with load.Server(env=db.env, workers=1, blocking_threads=1) as server:
        status, body = load._get(server.port, ONE_QUERY_PATH, timeout=120)
    if status != 200:
        yield {
            "name": "search_load",
            "median_s": None,
            "skipped": f"GET {ONE_QUERY_PATH} → HTTP {status} (is the search page there?)",
            "body": body[:300].decode(errors="replace"),
            **meta,
        }
        return
    mix_label = f"{len(mix)} paths (every benchmark query, filters, pages), e.g. {mix[1]}"
    # As served (anonymous search pages are cached per process, ADR 10).
    yield from measure(
        db.env,
        [
            ("search_load_ping", load.PING_PATH, [load.PING_PATH]),
            ("search_page_one_query", ONE_QUERY_PATH, [ONE_QUERY_PATH]),
            ("search_page_mix", mix_label, mix),
            (
                "search_page_with_origin",
                f"{len(origins)} paths with from= (never cached), e.g. {origins[0]}",
                origins,
            ),
        ],
        {"response_cache": "as configured"},
    )
    # The same with the response cache off: every request runs the search and the template.
    yield from measure(
        dict(db.env, HITONAGARE_RESPONSE_CACHE_SECONDS="0"),
        [
            ("search_load_ping_uncached_run", load.PING_PATH, [load.PING_PATH]),
            ("search_page_one_query_uncached", ONE_QUERY_PATH, [ONE_QUERY_PATH]),
            ("search_page_mix_uncached", mix_label, mix),
        ],
        {"response_cache": "off"},
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10,000 openings, 3 s runs")
    parser.add_argument("--openings", type=int, default=None)
    parser.add_argument("--duration", type=int, default=None, help="seconds per wrk run (20)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--blocking-threads", type=int, default=4)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--existing-var-dir",
        help="load an existing database instead of building one: HITONAGARE_VAR_DIR of a "
        "SQLite database (with --existing-database-url: of the static files only)",
    )
    parser.add_argument("--existing-database-url", help="an existing PostgreSQL database")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DATABASE_URL") or None,
        help="server for the throwaway PostgreSQL database (default: DATABASE_URL)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    count = args.openings or (search_bench.QUICK_OPENINGS if args.quick else search_bench.OPENINGS)
    duration = args.duration or (3 if args.quick else 20)
    if args.existing_var_dir:
        url = args.existing_database_url
        db = search_bench.BenchDatabase(
            label="postgresql" if url else "sqlite",
            env=search_bench._env(var_dir=Path(args.existing_var_dir), database_url=url),
            openings=args.openings or 0,
        )
        for line in run(
            db,
            quick=args.quick,
            duration_s=duration,
            workers=args.workers,
            blocking_threads=args.blocking_threads,
            connections=args.connections,
            wrk_threads=args.wrk_threads,
        ):
            search_bench.emit({**line, "existing_database": True})
        return 0
    for label, url in search_bench.targets(args.postgres_url, args.no_postgres):
        with search_bench.bench_database(label=label, openings=count, postgres_url=url) as db:
            search_bench.emit(db.build_line)
            for line in run(
                db,
                quick=args.quick,
                duration_s=duration,
                workers=args.workers,
                blocking_threads=args.blocking_threads,
                connections=args.connections,
                wrk_threads=args.wrk_threads,
            ):
                search_bench.emit({**line, **({"quick": True} if args.quick else {})})
    _log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
