"""The ASGI application in front of Django.

GET /api/v1/threads, /counts and /config are answered from memory when this process holds
Django's response for the very same request (path, raw query string, Host, Origin,
If-None-Match and any header Django's Vary names) and nothing has invalidated it: no parsing, no
Django, no database. Otherwise Django answers on a thread (townhall.live.bridge) and its
response is kept. Because the bytes kept are Django's own, the body and every header (CORS for
the site's origins only, CSP and security headers, Vary, ETag, Cache-Control) are the same on
both paths, and a 304 is a kept response too.

GET /api/v1/live is Django's handshake (townhall.live.api) followed by the thread's events from
the hub; the subscriber holds no thread and no database connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings

from townhall.live.api import STREAM_HEADER
from townhall.live.bridge import Django, Response, declared_length, read_body
from townhall.live.broker import Broker, broker, hub
from townhall.live.hub import MAX_STALE, Cached, Hub, Reader

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

logger = logging.getLogger("townhall.live")
HOT = frozenset({"/api/v1/threads", "/api/v1/counts", "/api/v1/config"})
LIVE = "/api/v1/live"
KEPT_STATUSES = frozenset({200, 304, 404, 422})
_STREAM = STREAM_HEADER.lower().encode()
_ETAG_THREAD = re.compile(rb'^"t(\d+)v')
_BODY_HEADERS = (b"content-length", b"transfer-encoding")


class Townhall:
    def __init__(self, django: Django, hub: Hub, broker: Broker, *, heartbeat: float) -> None:
        self.django = django
        self.hub = hub
        self.broker = broker
        self.heartbeat_seconds = heartbeat
        self.vary: dict[str, tuple[bytes, ...]] = {}  # per hot path: request headers Django varies on
        self._tasks: list[asyncio.Task[None]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            if not self._tasks:
                self.start()
            if scope["method"] == "GET":
                path = scope["path"]
                if path in HOT:
                    return await self.hot(scope, receive, send)
                if path == LIVE:
                    return await self.stream(scope, receive, send)
            return await self.respond(send, await self.django(scope, await read_body(receive, declared_length(scope))))
        if kind == "lifespan":
            return await self.lifespan(receive, send)
        if kind == "websocket":
            await send({"type": "websocket.close", "code": 1000})

    def start(self) -> None:
        """On the first request (or lifespan startup), in the worker's event loop."""
        self.hub.loop = asyncio.get_running_loop()
        self._tasks = [asyncio.ensure_future(self.broker.listen()), asyncio.ensure_future(self.beat())]
        for task in self._tasks:
            task.add_done_callback(_failed)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if not self._tasks:
                    self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for task in self._tasks:
                    task.cancel()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def beat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            self.hub.heartbeat()

    # ------------------------------------------------------------------ hot reads

    async def hot(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"])
        if any(headers.get(h, b"0") != b"0" for h in _BODY_HEADERS):
            # A GET with a body is Django's to judge (the body limit applies).
            return await self.respond(send, await self.django(scope, await read_body(receive, declared_length(scope))))
        path = scope["path"]
        key = self.key(path, scope, headers, self.vary.get(path, ()))
        hit = self.hub.get(key)
        if hit is not None:
            await send({"type": "http.response.start", "status": hit.status, "headers": hit.headers})
            await send({"type": "http.response.body", "body": hit.body})
            return
        seen, asked = self.hub.changes, time.monotonic()
        response = await self.django(scope, b"")
        self.keep(path, scope, headers, response, seen, asked)
        await self.respond(send, response)

    @staticmethod
    def key(path: str, scope: Scope, headers: dict[bytes, bytes], vary: tuple[bytes, ...]) -> tuple[Any, ...]:
        # The scheme (and a trusted proxy's word on it) decides whether Django answers or
        # redirects to HTTPS: an answer kept for one is not the other's.
        return (
            path, scope["query_string"], scope.get("scheme"), headers.get(b"x-forwarded-proto"),
            headers.get(b"host"), headers.get(b"origin"), headers.get(b"if-none-match"),
            *(headers.get(h) for h in vary),
        )

    def keep(self, path: str, scope: Scope, headers: dict[bytes, bytes], response: Response, seen: int, asked: float) -> None:
        """Keep Django's answer until MAX_STALE after it was asked for: it saw every write
        committed before that."""
        if response.status not in KEPT_STATUSES:
            return
        etag = b""
        vary: set[bytes] = set(self.vary.get(path, ()))
        for name, value in response.headers:
            if name == b"set-cookie":
                return  # a response for one client only
            if name == b"etag":
                etag = value
            elif name == b"vary":
                vary.update(v.strip().lower() for v in value.split(b","))
        vary -= {b"origin", b"host", b"if-none-match", b""}
        if vary and vary != set(self.vary.get(path, ())):
            self.vary[path] = tuple(sorted(vary))
        match = _ETAG_THREAD.match(etag)
        site = parse_qs(scope["query_string"].decode("latin-1")).get("site", [""])[0]
        entry = Cached(
            status=response.status, headers=response.headers, body=response.body,
            expires=asked + MAX_STALE, site=site, thread=int(match.group(1)) if match else 0,
        )
        self.hub.store(self.key(path, scope, headers, self.vary.get(path, ())), entry, seen=seen)

    @staticmethod
    async def respond(send: Send, response: Response) -> None:
        await send({"type": "http.response.start", "status": response.status, "headers": response.headers})
        await send({"type": "http.response.body", "body": response.body})

    # ------------------------------------------------------------------ live events

    async def stream(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.django(scope, b"")
        stream = next((v.decode() for k, v in response.headers if k == _STREAM), None)
        headers = [(k, v) for k, v in response.headers if k not in (_STREAM, b"content-length")]
        if response.status != 200 or stream is None:
            return await self.respond(send, Response(response.status, headers if stream else response.headers, response.body))
        last = next((v for k, v in scope["headers"] if k == b"last-event-id"), b"")
        reader = self.hub.subscribe(stream, int(last) if last.isdigit() else None)
        watcher = asyncio.ensure_future(_until_disconnect(receive, reader))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            first = response.body
            del response, headers  # thousands of readers wait below: hold only what they need
            await send({"type": "http.response.body", "body": first, "more_body": True})
            while frames := await reader.take():
                await send({"type": "http.response.body", "body": frames, "more_body": True})
            with contextlib.suppress(Exception):
                await send({"type": "http.response.body", "body": b""})
        except (OSError, RuntimeError):
            pass  # the reader went away mid-write (granian raises one of these)
        finally:
            self.hub.unsubscribe(stream, reader)
            watcher.cancel()


def _failed(task: asyncio.Task[None]) -> None:
    # Without its listener a process still serves nothing older than MAX_STALE, but its
    # readers hear only this process's writes: say so.
    if not task.cancelled() and task.exception() is not None:
        logger.error("the live layer stopped listening: %s", task.get_coro(), exc_info=task.exception())


async def _until_disconnect(receive: Receive, reader: Reader) -> None:
    with contextlib.suppress(Exception):
        while (await receive())["type"] != "http.disconnect":
            pass
    reader.close()


def build() -> Townhall:
    return Townhall(Django(settings.THREADS), hub(), broker(), heartbeat=settings.LIVE_HEARTBEAT)
