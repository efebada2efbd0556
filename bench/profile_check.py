"""Where does one ``/api/v1/eligibility/check`` request spend its time? (cProfile, in-process)

    .venv/bin/python bench/profile_check.py [--requests 300] [--path /api/v1/...] [--top 30]

Runs the request through Django's WSGI handler (the same middleware stack granian
serves) after a warm-up, prints the per-request wall time and the top functions by
cumulative and by own time. Not part of bench/run.py; a diagnostic only.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import CHECK_PATH  # noqa: E402


def wsgi_get(application: Any, path: str) -> tuple[str, bytes]:
    path_info, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status: list[str] = []

    def start_response(s: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        status.append(s)

    body = b"".join(application(environ, start_response))
    return status[0], body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--path", default=CHECK_PATH)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitonagare.config.settings.local")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    for _ in range(20):
        status, body = wsgi_get(application, args.path)
    if not status.startswith("200"):
        raise SystemExit(f"{args.path} → {status}: {body[:300]!r}")

    times = []
    for _ in range(args.requests):
        t0 = time.perf_counter()
        wsgi_get(application, args.path)
        times.append(time.perf_counter() - t0)
    print(
        f"unprofiled: median {statistics.median(times) * 1e3:.2f} ms/request, "
        f"min {min(times) * 1e3:.2f} ms over {args.requests} requests of {args.path}"
    )

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        wsgi_get(application, args.path)
    profiler.disable()
    for sort in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort)
        stats.print_stats(args.top)
        print(f"\n===== by {sort} ({args.requests} requests) =====")
        print(out.getvalue().split("\n", 6)[-1] if sort else out.getvalue())


if __name__ == "__main__":
    main()
