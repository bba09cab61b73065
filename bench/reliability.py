"""The reliability suite's long variants, against the production server (`townhall serve`).

    .venv/bin/python bench/reliability.py                 # SQLite and PostgreSQL, about 5 minutes
    .venv/bin/python bench/reliability.py --long          # the long run the README quotes (~20 min)
    .venv/bin/python bench/reliability.py --db sqlite --examples 50 --cycles 1 --posts 100

For each database: a fresh installation (a data directory, or a throw-away PostgreSQL database on
127.0.0.1:5432, --pg-url), then
  1. kill -9 under concurrent posting, in cycles: one HTTP worker, the task worker, then every
     process at once, restarting on the same port; at the end every acknowledged comment must
     be stored and the thread's count must equal the comments stored;
  2. schemathesis over the OpenAPI schema with every check but positive_data_acceptance (a
     cursor is opaque: only the server's own are valid; the in-suite test keeps that check with
     this one exception), --examples per operation, all phases including the stateful one;
  3. floods with TOWNHALL_RATE_WRITE=10/min (addresses from X-Forwarded-For behind one trusted
     proxy): 2,001 posts from one address, and bursts of 40 simultaneous posts from fresh
     addresses; another client's latency meanwhile.
It prints cases, 5xx answers, lost writes and accepted counts. Never part of the test run; the
suite's short versions are townhall/comments/tests/test_serve.py, public/tests/test_schema_fuzz.py,
public/tests/test_flood.py.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
os.environ.setdefault("TOWNHALL_DATA_DIR", tempfile.mkdtemp(prefix="townhall-bench-"))

import django  # noqa: E402

django.setup()

# The harness is the test suite's own (the short kill -9 test).
from townhall.comments.schemas import EXAMPLE_SITE  # noqa: E402
from townhall.comments.tests.test_serve import Poster, Server, free_port, published_ids  # noqa: E402
from townhall.core.testing import ORIGIN, PAGE  # noqa: E402


def cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "townhall.cli", *args], env=env, cwd=ROOT, check=True, capture_output=True)


def install(db: str, pg_url: str, workdir: Path) -> tuple[dict[str, str], Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(TOWNHALL_DATA_DIR=str(workdir), TOWNHALL_RATE_WRITE="100000/min", TOWNHALL_RATE_VOTE="100000/min")
    cleanup: Any = lambda: None  # noqa: E731
    if db == "postgres":
        import psycopg

        name = f"townhall_reliability_{os.getpid()}"
        with psycopg.connect(pg_url + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')

        def cleanup() -> None:
            with psycopg.connect(pg_url + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        env["DATABASE_URL"] = f"{pg_url}/{name}"
    else:
        env["DATABASE_URL"] = ""
    cli(env, "migrate", "-v0")
    cli(env, "site", "add", "blog", "--name", "Blog", "--origin", ORIGIN)
    cli(env, "site", "add", EXAMPLE_SITE, "--name", "Demo", "--origin", "https://news.example")
    return env, cleanup


def kill_cycles(env: dict[str, str], cycles: int, posts: int) -> dict[str, int]:
    server = Server(env, free_port())
    server.start()
    restarts: list[float] = []
    try:
        with Poster(server.port, threads=8) as poster:
            for _ in range(cycles):
                poster.wait_for_more(posts // (3 * cycles) or 1, timeout=120)
                procs = server.processes()
                os.kill(procs["workers"][0], signal.SIGKILL)
                poster.wait_for_more(posts // (3 * cycles) or 1, timeout=120)
                for pid in server.processes()["tasks"]:
                    os.kill(pid, signal.SIGKILL)
                poster.wait_for_more(posts // (3 * cycles) or 1, timeout=120)
                for pid in [p for ps in server.processes().values() for p in ps]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                assert server.process is not None
                server.process.wait()
                restarts.append(server.start())
            poster.wait_for_more(10, timeout=120)
        stored, count = published_ids(server.port)
        return {"acknowledged": len(poster.acknowledged), "lost": len(set(poster.acknowledged) - stored),
                "count_off_by": abs(count - len(stored)), "5xx": poster.errors_5xx,
                "requests refused or cut while down": poster.failed, "slowest restart to first answer, ms": int(max(restarts) * 1000)}
    finally:
        server.stop()


def fuzz(env: dict[str, str], examples: int) -> dict[str, Any]:
    server = Server(env, free_port())
    server.start()
    try:
        st = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
        started = time.monotonic()
        done = subprocess.run(  # noqa: S603
            [st, "run", f"http://127.0.0.1:{server.port}/api/v1/openapi.json", "--checks", "all",
             "--exclude-checks", "positive_data_acceptance", "-n", str(examples), "--seed", "14",
             "-H", "Origin: https://news.example", "--no-color", "--wait-for-schema", "30"],
            capture_output=True, text=True, env={**env, "SCHEMATHESIS_HOOKS": ""},
            cwd=env["TOWNHALL_DATA_DIR"],  # its .schemathesis/ cache stays out of the checkout
        )
        out = done.stdout + done.stderr
        report = Path(tempfile.gettempdir()) / f"townhall-reliability-schemathesis-{env['DATABASE_URL'] and 'postgres' or 'sqlite'}.txt"
        report.write_text(out)
        cases = sum(int(n) for n in re.findall(r"(\d+) generated", out)) or sum(
            int(n) for n in re.findall(r"Test cases:\s*(\d+)", out))
        failures = re.findall(r"^\s*(?:[-_] )?((?:ST|Server error|Undocumented|Response violates).*)$", out, re.M)
        return {"cases": cases, "failures": len(set(failures)), "exit": done.returncode,
                "seconds": int(time.monotonic() - started), "report": str(report),
                "summary": out.strip().splitlines()[-6:]}
    finally:
        server.stop()


def floods(env: dict[str, str], bursts: int) -> dict[str, Any]:
    env = {**env, "TOWNHALL_RATE_WRITE": "10/min", "TOWNHALL_TRUSTED_PROXIES": "1"}
    server = Server(env, free_port())
    server.start()

    def post(address: str, n: int) -> int:
        import http.client
        import json

        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        body = {"site": "blog", "url": PAGE, "text": f"Flood {address} {n}", "author_name": f"F{address}-{n}"}
        conn.request("POST", "/api/v1/comments", json.dumps(body), {
            "Content-Type": "application/json", "Origin": ORIGIN, "X-Forwarded-For": address,
            "X-Forwarded-Proto": "https",  # as the trusted TLS proxy says (else a redirect to HTTPS)
        })
        status = conn.getresponse().status
        conn.close()
        return status

    try:
        sequential = [post("198.51.100.1", i) for i in range(2001)]
        accepted_bursts, latencies = [], []
        for b in range(bursts):
            statuses: list[int] = []
            barrier = threading.Barrier(40)

            def one(i: int, address: str = f"198.51.100.{10 + b}", barrier: threading.Barrier = barrier,
                    statuses: list[int] = statuses) -> None:
                barrier.wait()
                statuses.append(post(address, i))

            threads = [threading.Thread(target=one, args=(i,)) for i in range(40)]
            for t in threads:
                t.start()
            started = time.monotonic()
            post(f"203.0.113.{b + 1}", 0)  # another client, during the burst
            latencies.append(time.monotonic() - started)
            for t in threads:
                t.join()
            accepted_bursts.append(statuses.count(201))
        return {"2,001 posts from one address: accepted": sequential.count(201),
                "5xx": sum(1 for s in sequential if s >= 500),
                "bursts of 40: accepted each": accepted_bursts,
                "another client's latency during a burst, max ms": int(max(latencies) * 1000)}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--long", action="store_true",
                        help="the long run: 300 examples per operation, 3 kill cycles, 600+ posts, 5 bursts")
    parser.add_argument("--examples", type=int, help="schemathesis examples per operation")
    parser.add_argument("--cycles", type=int, help="kill -9 cycles")
    parser.add_argument("--posts", type=int, help="acknowledged posts to wait for across the cycles")
    parser.add_argument("--bursts", type=int, help="bursts of 40 simultaneous posts")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--only", default="kill,fuzz,flood", help="which parts, comma-separated (kill, fuzz, flood)")
    args = parser.parse_args()
    examples = args.examples or (300 if args.long else 50)
    cycles = args.cycles or (3 if args.long else 1)
    posts = args.posts or (600 if args.long else 100)
    bursts = args.bursts or (5 if args.long else 1)
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        workdir = Path(tempfile.mkdtemp(prefix=f"townhall-reliability-{db}-"))
        env, cleanup = install(db, args.pg_url, workdir)
        try:
            parts = set(args.only.split(","))
            if "kill" in parts:
                print(f"== {db}: kill -9 ({cycles} cycles, {posts}+ posts, 8 posting threads)", flush=True)
                print("  ", kill_cycles(env, cycles, posts), flush=True)
            if "fuzz" in parts:
                print(f"== {db}: schemathesis, {examples} examples per operation, all phases", flush=True)
                result = fuzz(env, examples)
                summary = result.pop("summary")
                print("  ", result)
                for line in summary:
                    print("    |", line)
            if "flood" in parts:
                print(f"== {db}: floods at 10/min", flush=True)
                print("  ", floods(env, bursts), flush=True)
        finally:
            cleanup()
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
