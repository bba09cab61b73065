"""Real servers: `townhall serve` with two workers, and two `townhall serve` sharing one database
and one Redis (standing in for two machines). A write made through one process reaches the
readers and the cached pages of the others within the bound; rate limits are shared."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from django.db import connection

from townhall.comments.models import Site
from townhall.comments.services import site_create
from townhall.core.testing import PAGE
from townhall.live.hub import MAX_STALE

pytestmark = pytest.mark.django_db(transaction=True)
TOWNHALL = Path(sys.executable).with_name("townhall")
REDIS = os.environ.get("TOWNHALL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ORIGIN = "http://127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Server:
    def __init__(self, data: Path, *, workers: int, redis_url: str = "", rate: str = "1000/min") -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env.update(
            TOWNHALL_DATA_DIR=str(data), TOWNHALL_TASK_WORKER="false", SECRET_KEY="test-servers-secret",
            TOWNHALL_RATE_WRITE=rate, REDIS_URL=redis_url, TOWNHALL_LIVE_HEARTBEAT="0.5",
        )
        if connection.vendor == "postgresql":
            db = connection.settings_dict
            env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        self.process = subprocess.Popen(  # noqa: S603 (our own command)
            [str(TOWNHALL), "serve", "--skip-migrate", "--port", str(self.port), "--workers", str(workers)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def wait_serving(self) -> None:
        """Until `serve` has started granian."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if b"serving on" in line:
                threading.Thread(target=self.process.stdout.read, daemon=True).start()  # drain
                return
        raise AssertionError("townhall serve exited")

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return
            time.sleep(0.05)
        raise AssertionError(f"server on {self.port} did not start")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def thread_path(site: str = "blog", url: str = PAGE) -> str:
    return "/api/v1/threads?" + urlencode({"site": site, "url": url})


def post(port: int, text: str, url: str = PAGE) -> int:
    status, _ = request(port, "POST", "/api/v1/comments", {"site": "blog", "url": url, "text": text, "author_name": "Ann"})
    return status


class Listener:
    """A reader of one thread's live stream, on its own connection."""

    def __init__(self, port: int, url: str = PAGE) -> None:
        self.text = ""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.conn.request("GET", "/api/v1/live?" + urlencode({"site": "blog", "url": url}))
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        with contextlib.suppress(Exception):  # the server hung up when it stopped
            while chunk := self.response.read1(65536):
                self.text += chunk.decode()

    def wait_for(self, needle: str, since: float, timeout: float = MAX_STALE) -> float:
        while needle not in self.text:
            assert time.monotonic() - since < timeout, f"{needle!r} not within {timeout} s: {self.text!r}"
            time.sleep(0.005)
        return time.monotonic() - since

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.sock.shutdown(socket.SHUT_RDWR)  # type: ignore[union-attr]
        self.conn.close()


@pytest.fixture
def data(tmp_path: Path, transactional_db: None) -> Iterator[tuple[Path, Site]]:
    """Committed test data where servers in other processes can read it."""
    site = site_create(slug="blog", name="A blog", origins=["https://blog.example", ORIGIN])
    if connection.vendor == "sqlite":
        # The test database lives in memory: the servers get a copy of it as their file.
        connection.ensure_connection()
        target = sqlite3.connect(tmp_path / "townhall.sqlite3")
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        target.close()
    yield tmp_path, site


def started(folder: Path, *configs: dict) -> list[Server]:
    # Together: each collects the same static files into the folder first, which is idempotent.
    servers = [Server(folder, **config) for config in configs]
    for server in servers:
        server.wait_serving()
    for server in servers:
        server.wait_ready()
    return servers


def test_workers_and_servers_see_each_others_writes_within_the_bound(data: tuple[Path, Site]) -> None:
    """`alone` is one machine without Redis (two workers); `one` and `two` share Redis."""
    folder, _ = data
    store = redis.Redis.from_url(REDIS)
    for key in store.scan_iter("*rate:*"):  # a budget left by an earlier run (core.throttles keys)
        store.delete(key)
    alone, one, two = servers = started(
        folder, {"workers": 2}, {"workers": 1, "redis_url": REDIS, "rate": "4/min"},
        {"workers": 1, "redis_url": REDIS, "rate": "4/min"},
    )
    other = "https://blog.example/other"
    try:
        for server, url in ((alone, other), (one, PAGE), (two, PAGE)):
            for _ in range(6):  # every worker keeps the page
                assert request(server.port, "GET", thread_path(url=url))[0] == 200
        readers = {alone: [Listener(alone.port, other) for _ in range(4)],
                   two: [Listener(one.port) for _ in range(2)] + [Listener(two.port) for _ in range(2)]}
        time.sleep(0.2)  # subscribed
        for writer, url, text in ((alone, other, "Written on a machine alone."), (one, PAGE, "Written on the first server.")):
            written = time.monotonic()
            assert post(writer.port, text, url) == 201
            for reader in readers[alone if writer is alone else two]:
                reader.wait_for(text, since=written)
            for server in (alone,) if writer is alone else (one, two):
                for _ in range(6):
                    assert text.encode() in request(server.port, "GET", thread_path(url=url))[1]
            assert time.monotonic() - written < MAX_STALE
        # One budget for a client, whichever server it reaches: 4 posts a minute.
        assert [post(two.port, "Second post."), post(one.port, "Third post, a different one."),
                post(two.port, "Fourth post, yet another.")] == [201, 201, 201]
        assert post(one.port, "A fifth is one too many.") == 429
        for reader in readers[alone] + readers[two]:
            reader.close()
    finally:
        for server in servers:
            server.stop()
