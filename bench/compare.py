"""Townhall against what the machine can serve, and against Isso, in one run; then posting,
cold pages, the live stream's fan-out and memory.

    .venv/bin/python bench/compare.py                       # everything; posting on both databases
    .venv/bin/python bench/compare.py --rounds 3 --seconds 5 --subscribers 5000 --db sqlite

Reads, round by round (the three servers interleaved, medians of --rounds printed with ratios):
  townhall  `townhall serve` (granian ASGI, 2 workers) with the demo's seed thread
  bare      a bare ASGI callable under granian (2 workers) answering Townhall's own bytes and
            headers for the same two requests: what this machine can serve for them
  isso      Isso 0.14 under gunicorn (2 sync workers), pip-installed into a throwaway venv under
            /tmp and given the seed thread's comments and parents through its own API (Isso nests
            one level: deeper replies hang under their top-level comment)
Requests: the seed thread's first page, and the counts of 10 URLs (Isso: POST /count).
Load: `wrk -t2 -c32` when wrk is installed (Debian: apt-get install wrk), else the thread-based
keep-alive client of bench/thread_read.py with 32 connections (it takes more of the CPU the
servers share, so its figures are lower; the output says which ran).

Then, per database (--db):
  posting   an open loop at --post-rate posts/s (default 40) from 8 clients with distinct
            addresses (X-Forwarded-For through TOWNHALL_TRUSTED_PROXIES=1), rate limits raised,
            the full moderation pipeline: latency from each post's scheduled time (so a queue
            shows), p50 / p99 / max, statuses, and whether every accepted post is stored
  cold page the seed thread's first page right after a write changed it (nothing cached)
and once (SQLite):
  live      --subscribers readers of one thread's stream (the file-descriptor limit raised):
            RSS growth of the server's workers per subscriber, and the delay from sending a post
            to each subscriber receiving it (p50 / p99 / max over --events posts)
  memory    peak RSS of each granian worker after all of the above

Everything runs on this machine: clients and servers share its cores. Stopped on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import thread_read as tr  # noqa: E402 (the sibling script: servers, data, the fallback client)

ISSO_VERSION = "0.14.0"
SEED_THREAD = tr.get("/api/v1/threads", {"site": tr.SITE, "url": tr.DEMO_URL})
COUNTS = tr.get("/api/v1/counts", [("site", tr.SITE)] + [("url", u) for u in tr.COUNT_URLS])
ISSO_URI = "/2016/09/signs-of-panic-rebellion-in-caliphate"
POST_CLIENTS = 8


# --------------------------------------------------------------------------- servers

def granian_workers(serve: int) -> list[int]:
    """The granian worker processes under a `townhall serve` (granian's main is serve's child)."""
    parents: dict[int, int] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError, IndexError):
            parents[int(pid)] = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    mains = {pid for pid, ppid in parents.items() if ppid == serve
             and b"granian" in Path(f"/proc/{pid}/cmdline").read_bytes()}
    return sorted(pid for pid, ppid in parents.items() if ppid in mains)


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def background(cmd: list[str], env: dict[str, str], log: Path, port: int, health: str) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=tr.ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise tr.BenchError(f"{cmd[0]} exited:\n{tr.tail(log)}")
            with contextlib.suppress(OSError):
                if tr.fetch(port, ("GET", health, None, {}))[0] < 500:
                    break
            if time.monotonic() > deadline:
                raise tr.BenchError(f"{' '.join(cmd)} did not answer:\n{tr.tail(log)}")
            time.sleep(0.2)
        yield proc
    finally:
        tr.stop_group(proc)


BARE_APP = '''
import json
ANSWERS = {k: (v[0], [(a.encode(), b.encode()) for a, b in v[1]], bytes.fromhex(v[2]))
           for k, v in json.load(open(%r)).items()}

async def application(scope, receive, send):
    if scope["type"] != "http":
        return
    status, headers, body = ANSWERS[scope["path"]]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
'''


def bare_server(tmp: Path, port: int, answers: dict[str, tuple[int, dict[str, str], bytes]]) -> contextlib.AbstractContextManager:
    data = tmp / "bare.json"
    data.write_text(json.dumps({p: (s, [(k, v) for k, v in h.items() if k not in ("date", "server")], b.hex())
                                for p, (s, h, b) in answers.items()}))
    (tmp / "bare_app.py").write_text(BARE_APP % str(data))
    cmd = [sys.executable, "-m", "granian", "--interface", "asgi", "--workers", "2", "--host", tr.HOST,
           "--port", str(port), "--no-access-log", "--log-level", "warning", "bare_app:application"]
    env = {**os.environ, "PYTHONPATH": str(tmp)}
    return background(cmd, env, tmp / "bare.log", port, "/api/v1/threads")


def isso_install(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not (venv / "bin" / "gunicorn").exists():
        print(f"  installing Isso {ISSO_VERSION} and gunicorn into {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"isso=={ISSO_VERSION}", "gunicorn"], check=True)
    return venv


def isso_server(tmp: Path, port: int, venv: Path) -> contextlib.AbstractContextManager:
    venv = isso_install(venv)
    config = tmp / "isso.cfg"
    config.write_text(
        f"[general]\ndbpath = {tmp / 'isso.db'}\nhost = http://{tr.HOST}:{port}/\n"
        "[moderation]\nenabled = false\n[guard]\nenabled = false\n"
    )
    cmd = [str(venv / "bin" / "gunicorn"), "-w", "2", "-b", f"{tr.HOST}:{port}", "--log-level", "warning",
           "isso.run:application"]
    env = {**os.environ, "ISSO_SETTINGS": str(config)}
    return background(cmd, env, tmp / "isso.log", port, "/info")


def isso_populate(port: int) -> int:
    """The seed thread's comments through Isso's API, parents mapped to Isso's ids."""
    seed = json.loads((tr.ROOT / "townhall" / "moderation" / "seed" / "mosul-thread.json").read_text())
    ids: dict[int, int] = {}
    for item in seed["comments"]:
        payload: dict[str, object] = {"text": item["text"], "author": item["author"] or None, "title": "Signs of panic"}
        if item["parent"] is not None:
            payload["parent"] = ids[item["parent"]]
        status, _, body = tr.fetch(port, ("POST", f"/new?uri={quote(ISSO_URI)}", json.dumps(payload).encode(),
                                          {"Content-Type": "application/json", "Origin": f"http://{tr.HOST}:{port}"}))
        if status != 201:
            raise tr.BenchError(f"Isso refused a comment: {status} {body[:200]!r}")
        ids[item["id"]] = json.loads(body)["id"]
    return len(ids)


# --------------------------------------------------------------------------- load

def wrk(port: int, request: tr.Request, seconds: float, tmp: Path) -> float:
    """Requests/s of successful answers for one request, 2 threads and 32 connections."""
    method, path, body, headers = request
    script = tmp / "wrk.lua"
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body.decode())}")
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    script.write_text("\n".join(lines) + "\n")
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds:g}s", "-s", str(script), f"http://{tr.HOST}:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    # wrk counts a redirect as a success: check one answer ourselves.
    if tr.fetch(port, request)[0] not in (200, 304):
        raise tr.BenchError(f"port {port} does not answer {path} with 200")
    if bad:
        raise tr.BenchError(f"{bad.group(1)} failed answers from port {port}:\n{out}")
    return rate


def python_client(port: int, request: tr.Request, seconds: float, tmp: Path) -> float:
    expected = tr.fetch(port, request)[0]
    result = tr.drive(port, tr.Scenario("load", expected, lambda w, s: request), 32, seconds, [0])
    if result.errors:
        raise tr.BenchError(f"{result.errors} failed answers from port {port}: {result.sample}")
    return len(result.latencies) / result.elapsed


def reads(tmp: Path, env: dict[str, str], args: argparse.Namespace, townhall_port: int) -> None:
    load = wrk if shutil.which("wrk") else python_client
    print(f"\n== reads: {'wrk -t2 -c32' if load is wrk else 'thread_read.drive, 32 connections (wrk not installed)'}, "
          f"{args.seconds:g} s each, {args.rounds} interleaved rounds")
    answers = {path.split("?")[0]: tr.fetch(townhall_port, (m, path, b, h)) for m, path, b, h in (SEED_THREAD, COUNTS)}
    print(f"  seed thread page: {len(answers['/api/v1/threads'][2]):,} bytes; counts: {len(answers['/api/v1/counts'][2])} bytes")
    bare_port, isso_port = tr.free_port(), tr.free_port()
    with bare_server(tmp, bare_port, answers), isso_server(tmp, isso_port, args.isso_venv):
        print(f"  Isso {ISSO_VERSION}: {isso_populate(isso_port)} comments posted through its API")
        isso_counts = ("POST", "/count", json.dumps([ISSO_URI] + [f"/quiet/{i}" for i in range(9)]).encode(),
                       {"Content-Type": "application/json"})
        targets = {
            ("thread", "townhall"): (townhall_port, SEED_THREAD),
            ("thread", "bare"): (bare_port, SEED_THREAD),
            ("thread", "isso"): (isso_port, tr.get("/", {"uri": ISSO_URI})),
            ("counts", "townhall"): (townhall_port, COUNTS),
            ("counts", "bare"): (bare_port, COUNTS),
            ("counts", "isso"): (isso_port, isso_counts),
        }
        figures: dict[tuple[str, str], list[float]] = {k: [] for k in targets}
        for (port, request) in targets.values():
            load(port, request, 1, tmp)  # warm-up: caches, connections, JIT-free but page-cache-full
        for round_ in range(args.rounds):
            for key, (port, request) in targets.items():
                figures[key].append(load(port, request, args.seconds, tmp))
            print(f"  round {round_ + 1}: " + ", ".join(f"{k[0]}/{k[1]} {v[-1]:,.0f}" for k, v in figures.items()))
    print(f"\n{'request':<26} {'townhall':>10} {'bare ASGI':>10} {'isso':>8} {'townhall/bare':>14} {'townhall/isso':>14}")
    for what, label in (("thread", "seed thread page"), ("counts", "counts for 10 URLs")):
        th, bare, isso = (statistics.median(figures[(what, s)]) for s in ("townhall", "bare", "isso"))
        print(f"{label:<26} {th:>10,.0f} {bare:>10,.0f} {isso:>8,.0f} {th / bare:>13.1%} {th / isso:>13.0f}x")


def posting(port: int, args: argparse.Namespace, db: str) -> None:
    """Open loop: post i is due at start + i / rate, whatever happened to the others; its latency
    counts from when it was due."""
    rate, total = args.post_rate, int(args.post_rate * args.post_seconds)
    url = f"https://news.example/posting-{db}"
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def one(i: int, due: float) -> None:
        words = random.Random(i).sample(tr.WORDS, 12)
        payload = {"site": tr.SITE, "url": url, "text": f"Posting bench {i}: {' '.join(words)}.", "author_name": f"Poster {i}"}
        client = i % POST_CLIENTS
        headers = {"Content-Type": "application/json", "X-Forwarded-For": f"10.0.{client}.1"}
        try:
            status = tr.fetch(port, ("POST", "/api/v1/comments", json.dumps(payload).encode(), headers))[0]
        except OSError:
            status = 0
        with lock:
            latencies.append(time.perf_counter() - due)
            statuses[status] += 1

    with ThreadPoolExecutor(max_workers=64) as pool:
        start = time.perf_counter() + 0.2
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i, due)
    lat = sorted(latencies)
    stored = json.loads(tr.fetch(port, tr.get("/api/v1/counts", {"site": tr.SITE, "url": url}))[2])["counts"][url]
    print(f"  posting at {rate:g}/s for {args.post_seconds:g} s from {POST_CLIENTS} addresses: {total} posts, "
          f"statuses {dict(sorted(statuses.items()))}")
    print(f"    p50 {tr.percentile(lat, 50) * 1000:.0f} ms, p99 {tr.percentile(lat, 99) * 1000:.0f} ms, "
          f"max {lat[-1] * 1000:.0f} ms; published and stored: {stored} of {statuses[201]} answered 201")


def cold_page(port: int, n: int = 40) -> None:
    """The seed thread's page right after a post changed its version: rendered from the database."""
    took = []
    for i in range(n):
        payload = {"site": tr.SITE, "url": tr.DEMO_URL, "text": f"Cold page bench {i}, about the council and the bridge.",
                   "author_name": f"Cold {i}"}
        tr.fetch(port, ("POST", "/api/v1/comments", json.dumps(payload).encode(),
                        {"Content-Type": "application/json", "X-Forwarded-For": f"10.9.{i}.1"}))
        started = time.perf_counter()
        status, _, _ = tr.fetch(port, SEED_THREAD)
        took.append(time.perf_counter() - started)
        assert status == 200
    took.sort()
    print(f"  cold seed-thread page (after a write): p50 {tr.percentile(took, 50) * 1000:.1f} ms, "
          f"p99 {tr.percentile(took, 99) * 1000:.1f} ms over {n}")


async def fan_out(port: int, group: int, subscribers: int, events: int) -> None:
    query = urlencode({"site": tr.SITE, "url": tr.DEMO_URL})
    request = (f"GET /api/v1/live?{query} HTTP/1.1\r\nHost: {tr.HOST}\r\nAccept: text/event-stream\r\n"
               "X-Forwarded-Proto: https\r\n\r\n").encode()
    workers = granian_workers(group)
    before = sum(rss_kb(p) for p in workers)
    arrivals: dict[str, list[float]] = {}
    readers = []

    async def subscribe() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection(tr.HOST, port)
        writer.write(request)
        await writer.drain()
        await reader.readuntil(b"retry:")
        return reader, writer

    async def listen(reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(Exception):
            while line := await reader.readline():
                if b"Fan-out marker " in line:
                    marker = re.search(rb"Fan-out marker (\d+)", line).group(1).decode()  # type: ignore[union-attr]
                    arrivals.setdefault(marker, []).append(time.perf_counter())

    first = subscribers // 5 // 250 * 250
    middle = 0
    for start in range(0, subscribers, 250):
        batch = await asyncio.gather(*(subscribe() for _ in range(min(250, subscribers - start))))
        for reader, writer in batch:
            readers.append((asyncio.ensure_future(listen(reader)), writer))
        if len(readers) == first:
            await asyncio.sleep(1)
            middle = sum(rss_kb(p) for p in workers)  # the first ones also grew the heaps for good
    await asyncio.sleep(1)
    after = sum(rss_kb(p) for p in workers)
    print(f"  live: {len(readers):,} subscribers on {len(workers)} workers; worker RSS {before / 1024:.0f} -> "
          f"{after / 1024:.0f} MB: {(after - before) / len(readers):.1f} KB per subscriber overall, "
          f"{(after - middle) / (len(readers) - first):.1f} KB each for the last {len(readers) - first:,}")
    delays: list[float] = []
    loop = asyncio.get_running_loop()
    for i in range(events):
        payload = {"site": tr.SITE, "url": tr.DEMO_URL, "text": f"Fan-out marker {i} about the bridge and the council.",
                   "author_name": f"Fan {i}"}
        sent = time.perf_counter()
        status = (await loop.run_in_executor(None, tr.fetch, port, ("POST", "/api/v1/comments", json.dumps(payload).encode(),
                  {"Content-Type": "application/json", "X-Forwarded-For": f"10.8.{i}.1"})))[0]
        deadline = time.perf_counter() + 10
        while len(arrivals.get(str(i), [])) < len(readers) and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        got = arrivals.get(str(i), [])
        delays += [t - sent for t in got]
        print(f"    event {i}: post {status}, reached {len(got):,} of {len(readers):,}")
        await asyncio.sleep(0.5)
    delays.sort()
    if delays:
        print(f"  live delivery from sending the post: p50 {tr.percentile(delays, 50) * 1000:.0f} ms, "
              f"p99 {tr.percentile(delays, 99) * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms")
    for task, writer in readers:
        task.cancel()
        writer.close()


# --------------------------------------------------------------------------- main

def run_database(db: str, args: argparse.Namespace) -> None:
    print(f"\n== {db}")
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="townhall-compare-")))
        env = {k: v for k, v in os.environ.items() if k not in tr.STRIPPED_ENV}
        # This checkout's code, whatever the virtualenv was installed from.
        env.update(PYTHONPATH=str(tr.ROOT), TOWNHALL_DATA_DIR=str(tmp), TOWNHALL_RATE_WRITE="1000000/min", TOWNHALL_TRUSTED_PROXIES="1",
                   TOWNHALL_TASK_WORKER="false")
        if db == "postgres":
            env["DATABASE_URL"] = stack.enter_context(tr.postgres_database(args.pg_url))
        port = tr.free_port()
        tr.run_step("migrate", [*tr.townhall_cmd(), "migrate", "--no-input", "-v", "0"], env)
        tr.run_step("demo seed", [*tr.townhall_cmd(), "demo", "--no-serve", "--port", str(port)], env)
        cmd = [*tr.townhall_cmd(), "serve", "--host", tr.HOST, "--port", str(port), "--skip-migrate", "--workers", "2"]
        server = stack.enter_context(background(cmd, env, tmp / "server.log", port, "/healthz"))
        if db == "sqlite" and not args.skip_reads:
            reads(tmp, env, args, port)
        print(f"\n== {db}: posting and cold pages")
        posting(port, args, db)
        cold_page(port)
        if db == "sqlite" and args.subscribers:
            asyncio.run(fan_out(port, server.pid, args.subscribers, args.events))
        peaks = [rss_kb(p, "VmHWM") // 1024 for p in granian_workers(server.pid)]
        print(f"  peak RSS per granian worker: {', '.join(f'{p} MB' for p in peaks)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--post-rate", type=float, default=40)
    parser.add_argument("--post-seconds", type=float, default=15)
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--events", type=int, default=3)
    parser.add_argument("--skip-reads", action="store_true")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--isso-venv", type=Path, default=Path(tempfile.gettempdir()) / "townhall-bench-isso",
                        help="a throwaway virtualenv for Isso (made and pip-installed when missing)")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # Every subscriber is a socket here and one in a worker (the servers inherit the limit).
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print(f"machine: {os.cpu_count()} cores, {tr.platform.platform()}, Python {tr.platform.python_version()}; "
          f"open files {soft} -> {hard}; load average {os.getloadavg()[0]:.1f}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
            run_database(db, args)
    except tr.BenchError as exc:
        sys.exit(f"bench: {exc}")


if __name__ == "__main__":
    main()
