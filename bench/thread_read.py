"""Baseline HTTP numbers for reading and posting comments, against the production server.

    .venv/bin/python bench/thread_read.py                      # SQLite and PostgreSQL, 5 s per scenario
    .venv/bin/python bench/thread_read.py --db sqlite --seconds 3 --concurrency 8

For each database it builds fresh data (migrate, the 60-comment demo thread, a 100,000-comment
thread, a few small threads), starts `townhall serve` (granian + task worker) on a free loopback
port, and drives it with a pure-Python keep-alive client: N threads, one connection each, a short
warm-up, then a timed run per scenario. It prints requests/s, p50/p99 latency and errors.
Building the 100k thread takes about a minute on SQLite and half that on PostgreSQL (2 cores);
`--big 2000` makes a quick check of the script itself.

The "uncached page walk" scenarios are there because every other read is answered from the
per-process page cache; they show what rendering a page from the database costs.

These are starting figures for performance work, not targets, and never part of the test run.
The client runs on the same machine as the server and shares its cores (the output says how much
CPU the client used), so absolute numbers understate what a dedicated server would do; compare
runs on the same machine only.

PostgreSQL: a throw-away database is created on 127.0.0.1:5432 (user postgres, trust auth; override
with --pg-url) and dropped at the end. Everything the script starts is stopped on exit.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SITE = "demo"
# Same value as townhall.demo.services.DEMO_URL; not imported so the parent process needs no Django.
DEMO_URL = "https://news.example/2016/09/signs-of-panic-rebellion-in-caliphate"
BIG_URL = "https://news.example/big"
POST_URL = "https://news.example/bench"  # posts go here so the seed thread stays as loaded
# Ten URLs for the counts request: the two big threads, five small ones and three nobody commented
# on (those count 0, which is a valid answer and the common case on a news front page).
SMALL_URLS = [f"https://news.example/small/{i}" for i in range(5)]
COUNT_URLS = [DEMO_URL, BIG_URL, *SMALL_URLS, *(f"https://news.example/quiet/{i}" for i in range(3))]
# Plain English words for posted comments (the demo site is English-only, so the language check
# must pass).
_SENTENCE = (
    "the council voted again on the new bridge after a long meeting where residents asked about cost "
    "traffic schools parking safety noise river budget delays contractors weather summer plans local "
    "shops families children old road reporters questions answers mayor promised review next month"
)
WORDS = sorted(set(_SENTENCE.split()))
# Settings a developer's shell might carry that would point the server at the wrong data.
STRIPPED_ENV = ("DATABASE_URL", "REDIS_URL", "TOWNHALL_DATA_DIR", "DJANGO_SETTINGS_MODULE")


class BenchError(Exception):
    """A setup step failed; main() prints it and exits non-zero."""


# --------------------------------------------------------------------------- data (in a child)

def build_data(big: int) -> None:
    """Runs in a child process whose environment points at the benchmark database (see
    `--_build-data`): the parent never imports Django, so each database gets a clean setup."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
    import django

    django.setup()
    from townhall.comments.models import Site

    # The raw-SQL builder the large-thread tests use: 100k rows in seconds rather than minutes.
    from townhall.comments.tests.factories import bulk_thread
    from townhall.posting.services import comment_create

    site = Site.objects.get(slug=SITE)
    started = time.perf_counter()
    bulk_thread(site, top_level=big, url=BIG_URL)
    for i, url in enumerate(SMALL_URLS):
        for j in range(i + 1):
            comment_create(site=site, url=url, text=f"Small thread {i}, comment {j}.", author_name="Seed")
    print(f"  built {big:,}-comment thread and {len(SMALL_URLS)} small threads in {time.perf_counter() - started:.1f} s")


# --------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def townhall_cmd() -> list[str]:
    """The `townhall` console script next to this interpreter (the venv's), else the module."""
    script = Path(sys.executable).parent / "townhall"
    return [str(script)] if script.exists() else [sys.executable, "-m", "townhall.cli"]


def run_step(name: str, cmd: list[str], env: dict[str, str]) -> None:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise BenchError(f"{name} failed (exit {done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    for line in done.stdout.strip().splitlines():
        print(f"  {line}")
    print(f"  {name}: {time.perf_counter() - started:.1f} s")


@contextlib.contextmanager
def serving(env: dict[str, str], port: int, log_path: Path, workers: int | None) -> Iterator[None]:
    """`townhall serve` in its own process group, so stopping it also stops granian's workers and
    the task worker even if `serve` itself were stuck."""
    cmd = [*townhall_cmd(), "serve", "--host", HOST, "--port", str(port), "--skip-migrate"]
    if workers:
        cmd += ["--workers", str(workers)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_healthy(proc, port, log_path)
        yield
    finally:
        stop_group(proc)


def wait_healthy(proc: subprocess.Popen[bytes], port: int, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"server exited with {proc.returncode} before answering:\n{tail(log_path)}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    raise BenchError(f"server did not answer GET /healthz with 200 within {timeout:.0f} s:\n{tail(log_path)}")


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the whole group (serve stops its children on it), SIGKILL what is left after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=15)
    # Granian workers or the task worker may outlive `serve`; the group id is still serve's pid.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


# --------------------------------------------------------------------------- load generator

Request = tuple[str, str, bytes | None, dict[str, str]]


@dataclass
class Scenario:
    """One kind of request. `make(worker, seq)` returns the request for a connection's next
    call; `seen(worker, status, body)` lets a scenario carry state (a cursor) between calls."""

    name: str
    expect: int
    make: Callable[[int, int], Request]
    seen: Callable[[int, int, bytes], None] = lambda worker, status, body: None


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    client_cpu: float = 0.0  # seconds of CPU this process used during the run
    sample: str = ""  # the first unexpected answer's body, to say why it was unexpected
    load: float = 0.0  # 1-minute load average after the run: above the core count, others ran too


def drive(port: int, scenario: Scenario, concurrency: int, seconds: float, seq_start: list[int]) -> Result:
    """`concurrency` threads, each with one keep-alive connection, calling as fast as answers
    come back until the deadline. A request already sent when time runs out still completes
    (bounded by the socket timeout), so every connection ends idle."""
    result = Result()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        latencies: list[float] = []
        statuses: Counter[str] = Counter()
        errors = 0
        try:
            while time.perf_counter() < deadline:
                with lock:
                    seq = seq_start[0]
                    seq_start[0] += 1
                method, path, body, headers = scenario.make(index, seq)
                started = time.perf_counter()
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    # A dropped connection counts as an error; reconnect and go on.
                    errors += 1
                    statuses[type(exc).__name__] += 1
                    conn.close()
                    continue
                took = time.perf_counter() - started
                statuses[str(response.status)] += 1
                if response.status == scenario.expect:
                    latencies.append(took)
                else:
                    errors += 1
                    if not result.sample:
                        result.sample = f"{response.status} {data[:300].decode(errors='replace')}"
                scenario.seen(index, response.status, data)
        finally:
            conn.close()
            with lock:
                result.latencies.extend(latencies)
                result.errors += errors
                result.statuses.update(statuses)

    cpu_before = time.process_time()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.elapsed = time.perf_counter() - started
    result.client_cpu = time.process_time() - cpu_before
    result.load = os.getloadavg()[0]
    return result


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


# What the TLS proxy in front of a real deployment adds: servers started with
# TOWNHALL_TRUSTED_PROXIES=1 redirect plain HTTP, so every benchmark request says it came over
# HTTPS (a 301 would otherwise pass for a fast answer).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def get(path: str, params: list[tuple[str, str]] | dict[str, str], headers: dict[str, str] | None = None) -> Request:
    return ("GET", f"{path}?{urlencode(params)}", None, {**PROXY_HEADERS, **(headers or {})})


def fetch(port: int, request: Request) -> tuple[int, dict[str, str], bytes]:
    method, path, body, headers = request
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={**PROXY_HEADERS, **headers})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def scenarios(port: int, concurrency: int) -> list[Scenario]:
    seed = get("/api/v1/threads", {"site": SITE, "url": DEMO_URL})
    status, headers, _ = fetch(port, seed)
    if status != 200 or "etag" not in headers:
        raise BenchError(f"GET seed thread answered {status} (headers {headers}); the demo data is missing")
    etag = headers["etag"]
    big = get("/api/v1/threads", {"site": SITE, "url": BIG_URL})
    counts = get("/api/v1/counts", [("site", SITE)] + [("url", u) for u in COUNT_URLS])

    # Uncached pages: every connection walks the 100k thread by cursor with its own `limit`
    # (50 + worker), so no two requests share a page-cache key and each page is rendered from the
    # database. The walk goes on from where the warm-up stopped, so the timed run sees new pages.
    cursors: dict[tuple[str, int], str | None] = {}

    def walk(sort: str) -> Scenario:
        def make(worker: int, seq: int) -> Request:
            params = {"site": SITE, "url": BIG_URL, "sort": sort, "limit": str(50 + worker % 50)}
            cursor = cursors.get((sort, worker))
            if cursor:
                params["cursor"] = cursor
            return get("/api/v1/threads", params)

        def seen(worker: int, status: int, body: bytes) -> None:
            cursors[(sort, worker)] = json.loads(body).get("cursor") if status == 200 else None

        return Scenario(f"100k thread, uncached page walk, sort={sort}", 200, make, seen)

    def post(worker: int, seq: int) -> Request:
        # Each post from a different author with its own sentence, as on a real site: the
        # moderation pipeline answers 429 "flood" to one author posting more than 5 a minute, and
        # near-identical texts would be treated as duplicates rather than as new comments.
        words = random.Random(seq).sample(WORDS, 12)
        text = f"Bench comment {seq}: {' '.join(words)}."
        payload = {"site": SITE, "url": POST_URL, "text": text, "author_name": f"Bench {seq}"}
        return ("POST", "/api/v1/comments", json.dumps(payload).encode(), {"Content-Type": "application/json"})

    return [
        Scenario("seed thread (60), cached page", 200, lambda w, s: seed),
        Scenario("seed thread, If-None-Match -> 304", 304,
                 lambda w, s: ("GET", seed[1], None, {"If-None-Match": etag})),
        Scenario("100k thread, first page (cached)", 200, lambda w, s: big),
        walk("oldest"),
        walk("top"),
        Scenario(f"counts for {len(COUNT_URLS)} URLs", 200, lambda w, s: counts),
        Scenario("post a comment -> 201", 201, post),
    ]


# --------------------------------------------------------------------------- databases

@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh database named after this process (two runs at once don't collide), dropped after.
    Autocommit because CREATE/DROP DATABASE can't run in a transaction."""
    import psycopg

    name = f"townhall_bench_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{admin_url.rstrip('/')}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise BenchError(f"cannot reach PostgreSQL at {admin_url}: {exc}".strip()) from exc
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        version = admin.execute("SHOW server_version").fetchone()
        print(f"  PostgreSQL {version[0] if version else '?'}, database {name}")
        try:
            yield f"{admin_url.rstrip('/')}/{name}"
        finally:
            # FORCE: the server is stopped by now, but its pooled connections may linger briefly.
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_database(db: str, args: argparse.Namespace) -> list[tuple[Scenario, Result]]:
    print(f"\n== {db}: building data")
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="townhall-bench-")))
        env = {k: v for k, v in os.environ.items() if k not in STRIPPED_ENV}
        # Secret key, static dir and (for SQLite) the database all live in the temp dir.
        env["TOWNHALL_DATA_DIR"] = str(tmp)
        env["TOWNHALL_RATE_WRITE"] = "1000000/min"  # measure posting, not the rate limiter's 429
        if db == "postgres":
            env["DATABASE_URL"] = stack.enter_context(postgres_database(args.pg_url))
        else:
            print(f"  SQLite {sqlite3.sqlite_version} (WAL), {tmp / 'townhall.sqlite3'}")
        port = free_port()
        run_step("migrate", [*townhall_cmd(), "migrate", "--no-input", "-v", "0"], env)
        run_step("demo seed", [*townhall_cmd(), "demo", "--no-serve", "--port", str(port)], env)
        run_step("big thread", [sys.executable, __file__, "--_build-data", str(args.big)], env)

        print(f"== {db}: serving on {HOST}:{port}")
        stack.enter_context(serving(env, port, tmp / "server.log", args.workers))
        results = []
        seq = [0]  # shared request counter: makes each posted comment's text unique
        for scenario in scenarios(port, args.concurrency):
            if args.only and args.only.lower() not in scenario.name.lower():
                continue
            drive(port, scenario, args.concurrency, args.warmup, seq)
            result = drive(port, scenario, args.concurrency, args.seconds, seq)
            results.append((scenario, result))
            print(f"  {scenario.name}: {len(result.latencies) / result.elapsed:,.0f} req/s")
        return results


def report(db: str, results: list[tuple[Scenario, Result]], args: argparse.Namespace) -> None:
    print(f"\n{db}: {args.concurrency} connections, {args.seconds:g} s per scenario after {args.warmup:g} s warm-up")
    print("(client CPU: share of one core the load generator used; load: 1-min load average after the run)")
    header = f"{'scenario':<46} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7} {'client CPU':>10} {'load':>5}"
    print(header)
    print("-" * len(header))
    for scenario, result in results:
        lat = sorted(result.latencies)
        rate = len(lat) / result.elapsed if result.elapsed else 0.0
        cpu = result.client_cpu / result.elapsed if result.elapsed else 0.0
        print(
            f"{scenario.name:<46} {rate:>8,.0f} {percentile(lat, 50) * 1000:>8.1f} {percentile(lat, 99) * 1000:>8.1f}"
            f" {len(lat):>9,} {result.errors:>7} {cpu:>10.0%} {result.load:>5.1f}"
        )
        unexpected = {k: v for k, v in result.statuses.items() if k != str(scenario.expect)}
        if unexpected:
            print(f"{'':<4}unexpected answers: {dict(unexpected)}; first: {result.sample}")


def machine_info(args: argparse.Namespace) -> None:
    def git(*cmd: str) -> str:
        try:
            return subprocess.run(["git", *cmd], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "?"

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    dirty = " (working tree has uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""
    print(f"commit   {git('rev-parse', 'HEAD')}{dirty}")
    print(f"machine  {platform.machine()}, {cores} cores available (nproc), {platform.platform()}")
    print(f"python   {platform.python_version()} ({sys.executable})")
    print(f"load     {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1/5/15 min) at start")
    print(
        f"client   pure-Python http.client, {args.concurrency} keep-alive connections in threads, on loopback; "
        f"it SHARES the {cores} cores with the server ({args.workers or 'default 2'} granian workers + task worker)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="timed run per scenario (default 5)")
    parser.add_argument("--warmup", type=float, default=1.0, help="untimed run before each scenario (default 1)")
    parser.add_argument("--concurrency", type=int, default=8, help="client connections (default 8)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--big", type=int, default=100_000, help="comments in the big thread (default 100000)")
    parser.add_argument("--workers", type=int, default=None, help="granian workers (default: TOWNHALL_WORKERS, 2)")
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this text")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432",
                        help="PostgreSQL server, without a database name")
    parser.add_argument("--_build-data", dest="build_data", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.build_data is not None:  # the child that fills the database (see build_data)
        build_data(args.build_data)
        return 0
    if args.seconds <= 0 or args.concurrency < 1 or args.big < 1:
        parser.error("--seconds, --concurrency and --big must be positive")

    # SIGTERM (e.g. from a CI timeout) unwinds like Ctrl-C, so the finally blocks stop the server
    # and drop the temp dir and the PostgreSQL database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    machine_info(args)
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    all_results = {}
    try:
        for db in databases:
            all_results[db] = bench_database(db, args)
    except BenchError as exc:
        print(f"\nthread_read: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nthread_read: interrupted", file=sys.stderr)
        return 130
    for db, results in all_results.items():
        report(db, results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
