"""HTTP benchmarks against the production server (granian, WSGI) on 127.0.0.1.

The server is started by :class:`Server` (a context manager that always terminates the
whole process group), the load comes from ``wrk`` with ``bench/wrk_report.lua``.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
LUA_REPORT = BENCH / "wrk_report.lua"
HOST = "127.0.0.1"
APP = "hitonagare.config.wsgi:application"
SETTINGS = "hitonagare.config.settings.local"

TARGET_RPS_RATIO = 0.80
TARGET_P99_S = 0.100

PING_PATH = "/ping/"
CHECK_PATH = "/api/v1/eligibility/check?" + urlencode(
    {"program": "kyoryokutai", "from": "100-0001", "to": "海士町"}
)
DESTINATIONS_PATH = "/api/v1/eligibility/destinations?" + urlencode(
    {"program": "kyoryokutai", "from": "100-0001"}
)
# The HTML page takes `place` (its form field), not `from`.
DESTINATIONS_PAGE_PATH = "/eligibility/destinations/?" + urlencode(
    {"program": "kyoryokutai", "place": "100-0001"}
)


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str, timeout: float = 30.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def server_env(database_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


class Server:
    """``granian --interface wsgi`` in its own process group; killed on exit, even on error."""

    def __init__(self, *, env: dict[str, str], workers: int, blocking_threads: int) -> None:
        self.env = env
        self.workers = workers
        self.blocking_threads = blocking_threads
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = tempfile.NamedTemporaryFile(prefix="bench-granian-", suffix=".log", delete=False)  # noqa: SIM115

    @property
    def command(self) -> list[str]:
        return [
            str(ROOT / ".venv" / "bin" / "granian"),
            "--interface",
            "wsgi",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--blocking-threads",
            str(self.blocking_threads),
            "--no-ws",
            APP,
        ]

    def __enter__(self) -> Server:
        _log("start: " + " ".join(self.command[1:]))
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_ready(timeout=60.0)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _wait_ready(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"granian exited early ({self.proc.returncode}):\n{self.tail()}")
            try:
                status, _ = _get(self.port, PING_PATH, timeout=2.0)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"granian did not answer {PING_PATH} within {timeout:.0f} s:\n{self.tail()}"
        )

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(proc.pid, sig)  # our own process group (start_new_session)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        _log(f"stopped granian (pid {proc.pid}, rc {proc.returncode})")
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


# --------------------------------------------------------------------------- wrk


def ensure_wrk() -> str | None:
    """Path to wrk; installs the Debian package when running as root. None if unavailable."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        _log("wrk not found; installing the Debian package (apt-get install -y wrk) ...")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        result = subprocess.run(
            ["apt-get", "install", "-y", "wrk"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            _log("apt-get install wrk failed:\n" + result.stderr[-2000:])
        return shutil.which("wrk")
    return None


def run_wrk(
    wrk: str,
    port: int,
    path: str,
    *,
    duration_s: int,
    connections: int,
    threads: int,
    script: Path = LUA_REPORT,
) -> dict[str, Any]:
    url = f"http://{HOST}:{port}{path}"
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration_s}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        url,
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=duration_s + 60, check=False
    )
    for line in result.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            data: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
            return data
    raise RuntimeError(
        f"wrk gave no report (rc {result.returncode}):\n{result.stdout}\n{result.stderr}"
    )


def _mix_script(paths: list[str]) -> Path:
    body = LUA_REPORT.read_text()
    listed = ",\n".join(json.dumps(p) for p in paths)  # JSON strings are valid Lua strings here
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
        "w", prefix="bench-wrk-mix-", suffix=".lua", delete=False, encoding="utf-8"
    )
    with handle:
        handle.write(f"paths = {{\n{listed}\n}}\n\n{body}")
    return Path(handle.name)


def _load_line(
    name: str, path: str, data: dict[str, Any], *, meta: dict[str, Any]
) -> dict[str, Any]:
    seconds = data["duration_us"] / 1e6
    errors = {
        k: data[k]
        for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    }
    return {
        "name": name,
        "median_s": data["p50_us"] / 1e6,
        "p90_s": data["p90_us"] / 1e6,
        "p95_s": data["p95_us"] / 1e6,
        "p99_s": data["p99_us"] / 1e6,
        "p999_s": data["p999_us"] / 1e6,
        "mean_s": round(data["mean_us"] / 1e6, 6),
        "max_s": data["max_us"] / 1e6,
        "requests_per_s": round(data["requests"] / seconds, 1),
        "n": data["requests"],
        "duration_s": round(seconds, 2),
        "bytes_per_response": round(data["bytes"] / max(data["requests"], 1), 1),
        "errors": sum(errors.values()),
        **({"error_detail": errors} if any(errors.values()) else {}),
        "path": path,
        **meta,
    }


def _sequential(port: int, path: str, *, repeats: int, warmup: int) -> tuple[list[float], int]:
    """Latency of one request at a time over one keep-alive connection."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    times: list[float] = []
    size = 0
    try:
        for k in range(warmup + repeats):
            t0 = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - t0
            if response.status != 200:
                raise RuntimeError(f"GET {path} → {response.status}: {body[:300]!r}")
            if k >= warmup:
                times.append(elapsed)
                size = len(body)
    finally:
        conn.close()
    return times, size


def mix_paths(lgcodes: list[str], count: int, seed: int = 7) -> list[str]:
    import random

    rng = random.Random(seed)
    return [
        "/api/v1/eligibility/check?"
        + urlencode(
            {"program": "kyoryokutai", "from": rng.choice(lgcodes), "to": rng.choice(lgcodes)}
        )
        for _ in range(count)
    ]


def run(
    *,
    groups: set[str],
    quick: bool,
    database: str,
    database_url: str | None,
    blocking_threads: int,
    workers: int,
    connections: int,
    wrk_threads: int,
    duration_s: int,
    lgcodes: list[str],
) -> Iterator[dict[str, Any]]:
    meta = {
        "database": database,
        "server": "granian",
        "interface": "wsgi",
        "workers": workers,
        "blocking_threads": blocking_threads,
        "connections": connections,
        "wrk_threads": wrk_threads,
    }
    env = server_env(database_url)
    wrk = ensure_wrk() if "api" in groups else None
    if "api" in groups and wrk is None:
        yield {
            "name": "api_load",
            "median_s": None,
            "skipped": "wrk is not installed: run `apt-get install -y wrk` (as root) and re-run",
            **meta,
        }
    warmup_s = 1 if quick else 3
    mix = mix_paths(lgcodes, 2000) if lgcodes else []
    with Server(env=env, workers=workers, blocking_threads=blocking_threads) as server:
        port = server.port
        # Every endpoint must answer 200 before it is loaded (and this warms the caches).
        for path in [CHECK_PATH, DESTINATIONS_PATH, *mix[:50]]:
            status, body = _get(port, path)
            if status != 200:
                raise RuntimeError(f"GET {path} → {status}: {body[:500]!r}")

        if "api" in groups and wrk is not None:
            mix_script = _mix_script(mix) if mix else None
            try:
                # (name, path reported, path requested, script); the mix script picks paths.
                cases = [
                    ("api_ping", PING_PATH, PING_PATH, LUA_REPORT),
                    ("api_check", CHECK_PATH, CHECK_PATH, LUA_REPORT),
                ]
                if mix_script is not None:
                    label = f"{len(mix)} random lgcode pairs, e.g. {mix[0]}"
                    cases.append(("api_check_lgcode_mix", label, "/", mix_script))
                results: dict[str, dict[str, Any]] = {}
                for name, label, path, script in cases:
                    _log(f"wrk {name}: warm-up {warmup_s} s, then {duration_s} s")
                    options = {"connections": connections, "threads": wrk_threads, "script": script}
                    run_wrk(wrk, port, path, duration_s=warmup_s, **options)
                    data = run_wrk(wrk, port, path, duration_s=duration_s, **options)
                    results[name] = _load_line(name, label, data, meta=meta)
                yield from _with_ratios(results)
            finally:
                if mix_script is not None:
                    mix_script.unlink(missing_ok=True)

        if "destinations" in groups:
            repeats = 5 if quick else 30
            for name, path in (
                ("destinations_api", DESTINATIONS_PATH),
                ("destinations_page", DESTINATIONS_PAGE_PATH),
            ):
                status, _ = _get(port, path)
                if status != 200:
                    yield {
                        "name": name,
                        "median_s": None,
                        "skipped": f"HTTP {status}",
                        "path": path,
                    }
                    continue
                times, size = _sequential(port, path, repeats=repeats, warmup=3)
                yield {
                    "name": name,
                    "median_s": round(statistics.median(times), 6),
                    "p95_s": round(float(np.percentile(times, 95)), 6),
                    "min_s": round(min(times), 6),
                    "n": repeats,
                    "bytes": size,
                    "path": path,
                    "mode": "sequential, one keep-alive connection",
                    **meta,
                    "connections": 1,
                }

    if "api" in groups and wrk is not None and mix:
        # The same load with the response cache off (every request runs the engine): the
        # cost of a first-time answer, against a trivial view served by the same server.
        uncached_env = dict(env, HITONAGARE_RESPONSE_CACHE_SECONDS="0")
        with Server(env=uncached_env, workers=workers, blocking_threads=blocking_threads) as server:
            port = server.port
            for path in [CHECK_PATH, *mix[:20]]:
                status, body = _get(port, path)
                if status != 200:
                    raise RuntimeError(f"GET {path} → {status}: {body[:500]!r}")
            mix_script = _mix_script(mix)
            try:
                results = {}
                uncached_meta = {**meta, "response_cache": "off"}
                for name, label, path, script in (
                    ("api_ping_uncached_run", PING_PATH, PING_PATH, LUA_REPORT),
                    ("api_check_uncached", CHECK_PATH, CHECK_PATH, LUA_REPORT),
                    (
                        "api_check_lgcode_mix_uncached",
                        f"{len(mix)} random lgcode pairs, response cache off",
                        "/",
                        mix_script,
                    ),
                ):
                    _log(f"wrk {name}: warm-up {warmup_s} s, then {duration_s} s")
                    options = {"connections": connections, "threads": wrk_threads, "script": script}
                    run_wrk(wrk, port, path, duration_s=warmup_s, **options)
                    data = run_wrk(wrk, port, path, duration_s=duration_s, **options)
                    results[name] = _load_line(name, label, data, meta=uncached_meta)
                yield from _with_ratios(results, ping_name="api_ping_uncached_run")
            finally:
                mix_script.unlink(missing_ok=True)


def _with_ratios(
    results: dict[str, dict[str, Any]], ping_name: str = "api_ping"
) -> Iterator[dict[str, Any]]:
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
            and line["p99_s"] < TARGET_P99_S
            and line["errors"] == 0
        )
        yield line
