"""Members and funding at national scale: 10,000 members in ~1,250 municipalities with
~200,000 monthly reports, per database (SQLite, and PostgreSQL when DATABASE_URL is set).

    .venv/bin/python bench/members_bench.py               # 10,000 members
    .venv/bin/python bench/members_bench.py --quick       # 1,000 members, fewer rounds

Builds a throwaway database with `hitonagare demo-data --openings 0 --applicants 0
--members N` (search_bench.bench_database), then a worker process times, in-process:

* `funding_year_estimate`: funding.selectors_year.year_estimates for the ministry (every
  member, one fiscal year), against reading the same appointment rows (the baseline);
  target: median under 1 s.
* `members_dashboard_*`: GET /members/reports/ through Django's test client (middleware,
  queries, template), for the staff of the largest host, of a typical host and for the
  ministry (all 10,000), against GET /ping/ in the same process; target: p95 under 100 ms.

One JSON object per line on stdout; progress on stderr. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import search_bench  # noqa: E402

MEMBERS = 10_000
QUICK_MEMBERS = 1_000
ESTIMATE_TARGET_S = 1.0
DASHBOARD_TARGET_P95_MS = 100.0


def log(message: str) -> None:
    print(f"[members-bench] {message}", file=sys.stderr, flush=True)


def emit(line: dict[str, Any]) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


def _times(fn: Callable[[], Any], rounds: int) -> list[float]:
    fn()  # warm: connections, imports, caches
    values = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        values.append((time.perf_counter() - started) * 1000)
    return values


def _summary(values: list[float]) -> dict[str, Any]:
    return {
        "median_s": round(statistics.median(values) / 1000, 5),
        "median_ms": round(statistics.median(values), 2),
        "p95_ms": round(search_bench.percentile(values, 95), 2),
        "n": len(values),
    }


def worker(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from hitonagare.accounts.models import Membership, Organisation
    from hitonagare.core.wareki import fiscal_year_bounds
    from hitonagare.funding import selectors_year
    from hitonagare.funding.calculator import municipality_estimate
    from hitonagare.members.models import Appointment, MonthlyReport

    settings.ALLOWED_HOSTS = ["*"]
    label = args.database
    rounds = args.rounds
    # 令和6年度: the latest fiscal year whose 協力隊 caps the sources give (R7 onwards: unknown).
    fiscal_year = 2024
    fy_start, fy_end = fiscal_year_bounds(fiscal_year)
    meta = {
        "database": label,
        "members": Appointment.objects.count(),
        "reports": MonthlyReport.objects.count(),
        "host_organisations": Appointment.objects.values("host_id").distinct().count(),
        "fiscal_year": fiscal_year,
    }
    ministry = Membership.objects.get(organisation__kind=Organisation.Kind.MINISTRY).user

    # --- the estimate of one fiscal year, every member (the ministry's view) -------------------
    in_year = Appointment.objects.filter(start_date__lte=fy_end, planned_end_date__gte=fy_start)

    def baseline() -> int:
        return len(list(in_year.values_list("pk", "host_id", "start_date", "planned_end_date")))

    def estimate() -> Any:
        return selectors_year.year_estimates(user=ministry, fiscal_year=fiscal_year)

    result = estimate()
    members_in_year = sum(len(e.members) for e in result.estimates)
    base = _times(baseline, rounds)
    timed = _times(estimate, rounds)
    # The pure part alone (calculator over prepared inputs), for where the time goes.
    settings_ = result.settings
    inputs = selectors_year.year_inputs(user=ministry, fiscal_year=fiscal_year, settings=settings_)
    pure = _times(
        lambda: [municipality_estimate(i, rates=result.rates, settings=settings_) for i in inputs],
        rounds,
    )
    line = {
        "name": "funding_year_estimate",
        **_summary(timed),
        **meta,
        "members_in_fiscal_year": members_in_year,
        "municipalities_in_fiscal_year": len(result.estimates),
        "total_yen": int(sum(e.total for e in result.estimates)),
        "what": "funding.selectors_year.year_estimates(user=ministry): 4 queries + the pure "
        "calculator for every member of the fiscal year",
        "baseline": "reading the fiscal year's appointment rows (values_list)",
        "baseline_median_ms": round(statistics.median(base), 2),
        "ratio_vs_baseline": round(statistics.median(timed) / statistics.median(base), 1),
        "pure_calculator_median_ms": round(statistics.median(pure), 2),
        "target_median_s": ESTIMATE_TARGET_S,
        "meets_target": statistics.median(timed) / 1000 < ESTIMATE_TARGET_S,
    }
    emit(line)

    # --- the staff dashboard -------------------------------------------------------------------
    by_host = list(
        Appointment.objects.values("host_id").annotate(n=Count("id")).order_by("-n", "host_id")
    )
    largest = by_host[0]
    typical = by_host[len(by_host) // 2]

    def staff_of(host_id: int) -> Any:
        return (
            Membership.objects.filter(organisation_id=host_id, is_admin=False)
            .select_related("user")
            .first()
            .user
        )

    client = Client()
    ping = _times(lambda: client.get("/ping/"), rounds * 5)
    cases = [
        ("members_dashboard_largest_host", staff_of(largest["host_id"]), largest["n"]),
        ("members_dashboard_typical_host", staff_of(typical["host_id"]), typical["n"]),
        ("members_dashboard_ministry", ministry, meta["members"]),
    ]
    for name, user, visible in cases:
        client = Client()
        client.force_login(user)
        response = client.get("/members/reports/")
        if response.status_code != 200:
            raise RuntimeError(f"{name}: /members/reports/ answered {response.status_code}")
        values = _times(lambda c=client: c.get("/members/reports/"), rounds * 5)
        summary = _summary(values)
        emit(
            {
                "name": name,
                **summary,
                **meta,
                "visible_members": visible,
                "what": "GET /members/reports/ (test client: middleware, queries, template)",
                "baseline": "GET /ping/ in the same process",
                "baseline_median_ms": round(statistics.median(ping), 2),
                "ratio_vs_baseline": round(statistics.median(values) / statistics.median(ping), 1),
                "target_p95_ms": DASHBOARD_TARGET_P95_MS,
                "meets_target": summary["p95_ms"] < DASHBOARD_TARGET_P95_MS,
            }
        )
    return 0


def run_worker(db: search_bench.BenchDatabase, *, rounds: int) -> Iterator[dict[str, Any]]:
    env = dict(db.env)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    command = [
        str(search_bench.PYTHON),
        str(Path(__file__).resolve()),
        "--worker",
        "--database",
        db.label,
        "--rounds",
        str(rounds),
    ]
    log(f"{db.label}: timing ({rounds} rounds) ...")
    output = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600, check=False
    )
    if output.returncode != 0:
        raise RuntimeError(f"worker on {db.label} failed:\n{output.stderr[-4000:]}")
    for raw in output.stdout.splitlines():
        if raw.startswith("{"):
            yield json.loads(raw)


def run(
    *, quick: bool, members: int | None, postgres_url: str | None, no_postgres: bool
) -> Iterator[dict[str, Any]]:
    count = members or (QUICK_MEMBERS if quick else MEMBERS)
    rounds = 3 if quick else 7
    for label, url in search_bench.targets(postgres_url, no_postgres):
        started = time.monotonic()
        with search_bench.bench_database(
            label=label, openings=0, members=count, postgres_url=url
        ) as db:
            yield {
                "name": "members_demo_build",
                "median_s": round(time.monotonic() - started, 2),
                "n": 1,
                "members": count,
                "database": label,
                "what": "migrate + regions load + demo-data --openings 0 --members N",
            }
            yield from run_worker(db, rounds=rounds)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1,000 members, 3 rounds")
    parser.add_argument("--members", type=int, default=None)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--postgres-url", default=os.environ.get("DATABASE_URL") or None)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", default="sqlite", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=7, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    started = time.monotonic()
    for line in run(
        quick=args.quick,
        members=args.members,
        postgres_url=args.postgres_url,
        no_postgres=args.no_postgres,
    ):
        emit({**line, **({"quick": True} if args.quick else {})})
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
