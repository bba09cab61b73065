"""`townhall serve` under faults: kill -9 of one HTTP worker, of the task worker, then of every
process, during concurrent posting. Runs the real command (granian and the task worker) on a free
port against this pass's database engine. Every acknowledged comment must be there afterwards
and the thread's count must equal the comments stored."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from townhall.comments.services import site_create
from townhall.core.testing import ORIGIN, PAGE

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name is in parentheses and may hold spaces: fields follow the last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def request(port: int, method: str, path: str, body: dict[str, Any] | None = None, timeout: float = 10) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": "application/json", "Origin": ORIGIN})
        response = conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw.startswith(b"{") else raw
    finally:
        conn.close()


class Server:
    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port = env, port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start serve and return how long it took to answer /healthz."""
        started = time.monotonic()
        # The server's log goes to a file: a pipe nobody reads fills up and blocks the server.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the server)
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "townhall.cli", "serve", "--port", str(self.port), "--skip-migrate", "--workers", "2"],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.log,
        )
        deadline = started + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_tail()
            try:
                if request(self.port, "GET", "/healthz", timeout=1)[0] == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("serve did not answer /healthz within 30 s")

    def log_tail(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def processes(self) -> dict[str, list[int]]:
        assert self.process is not None
        kids = children_of(self.process.pid)
        granian = [p for p in kids if "granian" in cmdline(p)]
        return {
            "serve": [self.process.pid],
            "granian": granian,
            "workers": [w for g in granian for w in children_of(g)],
            "tasks": [p for p in kids if "db_worker" in cmdline(p)],
        }

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=20)


class Poster:
    """Threads posting comments as fast as the server answers, recording what was acknowledged."""

    def __init__(self, port: int, threads: int = 6) -> None:
        self.port, self.failed, self.errors_5xx = port, 0, 0
        self.acknowledged: list[int] = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(threads)]

    def __enter__(self) -> Poster:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()

    def run(self, n: int) -> None:
        i = 0
        while not self.stop.is_set():
            i += 1
            body = {"site": "blog", "url": PAGE, "text": f"Comment {n}-{i} on the article.", "author_name": f"Poster {n}-{i}"}
            try:
                status, answer = request(self.port, "POST", "/api/v1/comments", body, timeout=5)
            except OSError:  # the process that held this connection was killed: not acknowledged
                with self.lock:
                    self.failed += 1
                time.sleep(0.05)
                continue
            with self.lock:
                if status == 201:
                    self.acknowledged.append(answer["id"])
                elif status >= 500:
                    self.errors_5xx += 1

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)

    def wait_for_more(self, n: int, timeout: float = 30) -> None:
        target, deadline = self.count() + n, time.monotonic() + timeout
        while self.count() < target:
            assert time.monotonic() < deadline, f"posting stalled at {self.count()} acknowledged ({self.failed} failed)"
            time.sleep(0.05)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
    env.update(TOWNHALL_RATE_WRITE="100000/min", TOWNHALL_WORKERS="2", TOWNHALL_STATIC_COLLECTED="false")
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database is in memory; the server gets a file of its own.
        env.update(TOWNHALL_DATA_DIR=str(tmp_path), DATABASE_URL="")
        for args in (["migrate", "-v0"], ["site", "add", "blog", "--name", "Blog", "--origin", ORIGIN]):
            subprocess.run([sys.executable, "-m", "townhall.cli", *args], env=env, cwd=ROOT, check=True,  # noqa: S603
                           capture_output=True)
    else:
        env.update(DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
                   TOWNHALL_DATA_DIR=str(tmp_path))
        site_create(slug="blog", name="Blog", origins=[ORIGIN])
    srv = Server(env, free_port())
    try:
        yield srv
    finally:
        srv.stop()
        for pids in srv.processes().values() if srv.process and srv.process.poll() is None else []:
            for pid in pids:
                os.kill(pid, signal.SIGKILL)


def published_ids(port: int) -> tuple[set[int], int]:
    ids: set[int] = set()
    cursor, count = "", -1
    while True:
        status, page = request(port, "GET", f"/api/v1/threads?site=blog&url={PAGE}&limit=100" + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200, page
        ids |= {c["id"] for c in page["comments"]}
        count = page["thread"]["count"]
        cursor = page["cursor"]
        if not cursor:
            return ids, count


def test_workers_come_back_and_every_acknowledged_comment_survives_kill_9(server: Server) -> None:
    server.start()
    with Poster(server.port) as poster:
        poster.wait_for_more(10)
        procs = server.processes()
        assert len(procs["workers"]) == 2 and len(procs["tasks"]) == 1, procs

        # One HTTP worker dies: the other goes on answering, and granian replaces the dead one.
        os.kill(procs["workers"][0], signal.SIGKILL)
        killed_at = time.monotonic()
        poster.wait_for_more(10, timeout=5)
        while len(set(server.processes()["workers"]) - {procs["workers"][0]}) < 2:
            # granian respawns after 1 s; the new worker then imports Django (slow on a busy machine).
            assert time.monotonic() - killed_at < 15, "the dead HTTP worker was not replaced"
            time.sleep(0.1)

        # The task worker dies: serve starts another.
        os.kill(procs["tasks"][0], signal.SIGKILL)
        killed_at = time.monotonic()
        while not [p for p in server.processes()["tasks"] if p != procs["tasks"][0]]:
            assert time.monotonic() - killed_at < 10, "the task worker was not restarted"
            time.sleep(0.1)
        poster.wait_for_more(5)

        # Everything dies at once, mid-post; a restart on the same port binds at once (the
        # connections just cut sit in TIME_WAIT) and serves what was acknowledged.
        everything = [pid for pids in server.processes().values() for pid in pids]
        for pid in everything:
            os.kill(pid, signal.SIGKILL)
        assert server.process is not None
        server.process.wait()
        # start() fails at once if serve cannot bind (it exits), and waits for its first answer.
        server.start()
        poster.wait_for_more(5)
    assert poster.errors_5xx == 0
    stored, count = published_ids(server.port)
    lost = set(poster.acknowledged) - stored
    assert not lost, f"{len(lost)} acknowledged comments lost"
    assert count == len(stored), (count, len(stored))


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_a_dead_leader_takes_its_orphans_along_when_restarted() -> None:
    """granian's master dying leaves its workers serving on the port (SO_REUSEPORT); the
    supervisor ends that whole group before starting the command again."""
    from townhall.comments.management.commands.serve import Supervisor

    leader = ("import subprocess, sys, time; "
              "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)")
    supervisor = Supervisor({"leader": [sys.executable, "-c", leader]}, env=dict(os.environ), log=lambda _: None)
    runner = threading.Thread(target=supervisor.run)
    runner.start()
    try:
        deadline = time.monotonic() + 10
        while not (supervisor.children and children_of(supervisor.children["leader"].pid)):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        first = supervisor.children["leader"].pid
        orphan = children_of(first)[0]
        os.kill(first, signal.SIGKILL)
        while supervisor.children["leader"].pid == first or _alive(orphan):
            assert time.monotonic() < deadline + 10, "not restarted, or the orphan lives on"
            time.sleep(0.05)
    finally:
        supervisor.stop()
        runner.join()
