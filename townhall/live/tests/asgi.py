"""Drives the ASGI application as granian would, from a test: the app's event loop runs in a
thread of its own (as in a worker), Django's work on the app's own pool."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connections

from townhall.live.app import Townhall
from townhall.live.bridge import Django, Response
from townhall.live.broker import broker, hub


@dataclass
class Reply:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v.decode() for k, v in self.headers if k == name.lower().encode()), None)


class CountingDjango:
    """The fall-through, counted: a reply that did not reach Django came from memory."""

    def __init__(self, inner: Django) -> None:
        self.inner = inner
        self.calls = 0

    async def __call__(self, scope: dict[str, Any], body: bytes) -> Response:
        self.calls += 1
        return await self.inner(scope, body)


def scope(path: str, query: str = "", headers: dict[str, str] | None = None) -> dict[str, Any]:
    sent = {"host": "testserver", **(headers or {})}
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "root_path": "", "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in sent.items()],
        "server": ("testserver", 80), "client": ("127.0.0.1", 50000),
    }


@dataclass
class Stream:
    """An open event stream: what arrived so far, and a way to hang up."""

    chunks: list[bytes] = field(default_factory=list)
    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    hang_up: asyncio.Event | None = None

    @property
    def text(self) -> str:
        return b"".join(self.chunks).decode()

    def wait_for(self, check: Callable[[str], bool], timeout: float = 2.0) -> float:
        """Seconds until `check(text)` held; fails after `timeout`."""
        start = time.monotonic()
        while not check(self.text):
            assert time.monotonic() - start < timeout, f"not within {timeout} s: {self.text!r}"
            time.sleep(0.005)
        return time.monotonic() - start


class Driver:
    def __init__(self, heartbeat: float = 0.2) -> None:
        self.django = CountingDjango(Django(1))
        self.app = Townhall(self.django, hub(), broker(), heartbeat=heartbeat)  # type: ignore[arg-type]
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.read = 0

    def run(self, coro: Any, timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def get(self, path: str, query: str = "", **headers: str) -> Reply:
        return self.request("GET", path, query, [], **headers)

    def request(self, method: str, path: str, query: str, chunks: list[bytes], **headers: str) -> Reply:
        """`chunks` arrive one http.request message each; `self.read` counts those the app took."""
        reply = Reply(0, [], b"")
        pending = list(chunks) or [b""]
        self.read = 0

        async def receive() -> dict[str, Any]:
            self.read += 1
            return {"type": "http.request", "body": pending.pop(0), "more_body": bool(pending)}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                reply.status, reply.headers = message["status"], list(message["headers"])
            else:
                reply.body += message.get("body", b"")

        request = scope(path, query, headers)
        request["method"] = method
        self.run(self.app(request, receive, send))
        return reply

    def stream(self, query: str, **headers: str) -> Stream:
        stream = Stream()

        async def open_() -> None:
            stream.hang_up = asyncio.Event()
            requested = False

            async def receive() -> dict[str, Any]:
                nonlocal requested
                if not requested:
                    requested = True
                    return {"type": "http.request", "body": b"", "more_body": False}
                assert stream.hang_up is not None
                await stream.hang_up.wait()
                return {"type": "http.disconnect"}

            async def send(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    stream.status, stream.headers = message["status"], list(message["headers"])
                else:
                    stream.chunks.append(message.get("body", b""))

            asyncio.ensure_future(self.app(scope("/api/v1/live", query, headers), receive, send))

        self.run(open_())
        return stream

    def close_stream(self, stream: Stream) -> None:
        assert stream.hang_up is not None
        self.loop.call_soon_threadsafe(stream.hang_up.set)

    def close(self) -> None:
        async def stop() -> None:
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        self.run(stop())
        # The pool's thread holds its own database connection: closed before the test database
        # is flushed or dropped.
        self.django.inner.pool.submit(connections.close_all).result()
        self.django.inner.pool.shutdown()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@contextmanager
def driven(heartbeat: float = 0.2) -> Iterator[Driver]:
    shared = hub()
    shared.invalidate()
    shared.subscribers.clear()
    shared.recent.clear()
    shared.complete_since = time.time_ns()
    driver = Driver(heartbeat)
    try:
        yield driver
    finally:
        driver.close()
        shared.loop = None
