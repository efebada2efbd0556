"""hitonagare benchmarks: one JSON object per line on stdout (progress goes to stderr).

    .venv/bin/python bench/run.py                 # everything (~25 min on 2 cores: search ~15, members ~3)
    .venv/bin/python bench/run.py --quick         # smoke run (~30 s)
    .venv/bin/python bench/run.py --only matrix   # matrix | api | destinations | search | search_load | members

Nothing here asserts anything about time; targets are reported next to the numbers
(``meets_target``). See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "src"))

import load  # noqa: E402
import matrix_bench  # noqa: E402
import members_bench  # noqa: E402
import search_bench  # noqa: E402
import search_load  # noqa: E402

GROUPS = ("matrix", "api", "destinations", "search", "search_load", "members")


def emit(line: dict[str, Any]) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop the server


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short durations, sampled decide()")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help=f"run only these groups ({', '.join(GROUPS)}); repeatable or comma-separated",
    )
    parser.add_argument(
        "--duration", type=int, default=None, help="seconds per wrk run (20; quick 3)"
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--blocking-threads",
        default="4",
        help="granian --blocking-threads per worker; a comma list runs the HTTP benchmarks "
        "once per value (default 4, as `make serve`)",
    )
    parser.add_argument(
        "--decide-limit-s",
        type=float,
        default=180.0,
        help="sample decide() instead of running all pairs when the estimate exceeds this",
    )
    parser.add_argument(
        "--no-postgres",
        action="store_true",
        help="skip the PostgreSQL HTTP run even when DATABASE_URL is set",
    )
    args = parser.parse_args(argv)
    only = {name.strip() for value in args.only for name in value.split(",") if name.strip()}
    unknown = only - set(GROUPS)
    if unknown:
        parser.error(f"unknown --only {sorted(unknown)}; choose from {', '.join(GROUPS)}")
    args.groups = only or set(GROUPS)
    args.duration = args.duration or (3 if args.quick else 20)
    args.blocking_threads = [int(v) for v in str(args.blocking_threads).split(",") if v]
    return args


def database_label(url: str | None) -> str:
    if not url:
        return "sqlite"
    scheme = urlsplit(url).scheme
    return "postgresql" if scheme.startswith("postgres") else scheme


def prepare_database(url: str) -> None:
    """migrate + load the reference data into DATABASE_URL (idempotent, like `make setup`)."""
    env = load.server_env(url)
    cli = str(ROOT / ".venv" / "bin" / "hitonagare")
    for command in ([cli, "migrate", "--noinput", "-v0"], [cli, "regions", "load", "--commit"]):
        log(f"{database_label(url)}: {' '.join(command[1:])}")
        subprocess.run(
            command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, timeout=600
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    started = time.monotonic()
    database_url = os.environ.get("DATABASE_URL") or None
    if database_url:
        prepare_database(database_url)

    # In-process Django for the matrix benchmark (and the lgcode list of the HTTP mix).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", load.SETTINGS)
    import django

    django.setup()
    from hitonagare.regions import selectors as regions

    in_process_db = database_label(database_url)
    edition = regions.edition_in_force()
    lgcodes = list(regions.designation_table(edition=edition).lgcodes)

    failures = 0
    if "matrix" in args.groups:
        for line in matrix_bench.run(
            quick=args.quick, decide_limit_s=args.decide_limit_s, database=in_process_db
        ):
            emit({**line, **({"quick": True} if args.quick else {})})

    http_groups = args.groups & {"api", "destinations"}
    if http_groups:
        targets: list[tuple[str, str | None]] = [("sqlite", None)]
        if database_url and not args.no_postgres:
            targets.append((database_label(database_url), database_url))
        for label, url in targets:
            for threads in args.blocking_threads:
                try:
                    for line in load.run(
                        groups=http_groups,
                        quick=args.quick,
                        database=label,
                        database_url=url,
                        blocking_threads=threads,
                        workers=args.workers,
                        connections=args.connections,
                        wrk_threads=args.wrk_threads,
                        duration_s=args.duration,
                        lgcodes=lgcodes,
                    ):
                        emit({**line, **({"quick": True} if args.quick else {})})
                except (RuntimeError, OSError, subprocess.SubprocessError) as error:
                    failures += 1
                    log(f"HTTP benchmarks on {label} failed: {error}")
                    emit(
                        {
                            "name": "api_error",
                            "median_s": None,
                            "database": label,
                            "blocking_threads": threads,
                            "error": str(error)[:2000],
                        }
                    )
    search_groups = args.groups & {"search", "search_load"}
    if search_groups:
        # 100,000 demo openings (10,000 with --quick) in a throwaway SQLite database and, with
        # DATABASE_URL, a throwaway PostgreSQL database: bench/search_bench.py, search_load.py.
        def search_page_load(db: search_bench.BenchDatabase) -> Any:
            return search_load.run(
                db,
                quick=args.quick,
                duration_s=args.duration,
                workers=args.workers,
                blocking_threads=args.blocking_threads[0],
                connections=args.connections,
                wrk_threads=args.wrk_threads,
            )

        try:
            for line in search_bench.run(
                quick=args.quick,
                postgres_url=database_url,
                no_postgres=args.no_postgres,
                load=search_page_load if "search_load" in search_groups else None,
                queries="search" in search_groups,
            ):
                emit({**line, **({"quick": True} if args.quick else {})})
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            failures += 1
            log(f"search benchmarks failed: {error}")
            emit({"name": "search_error", "median_s": None, "error": str(error)[:2000]})
    if "members" in args.groups:
        # 10,000 members and ~200,000 monthly reports (1,000 with --quick): the year's funding
        # estimate and the report dashboard, bench/members_bench.py.
        try:
            for line in members_bench.run(
                quick=args.quick,
                members=None,
                postgres_url=database_url,
                no_postgres=args.no_postgres,
            ):
                emit({**line, **({"quick": True} if args.quick else {})})
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            failures += 1
            log(f"members benchmarks failed: {error}")
            emit({"name": "members_error", "median_s": None, "error": str(error)[:2000]})
    log(f"done in {time.monotonic() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
