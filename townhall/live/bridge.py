"""Django's WSGI handler on a pool of threads: the fall-through of the ASGI layer.

Django's own ASGI handler runs every synchronous view on one thread per process; the WSGI
handler on a pool keeps the concurrency `granian --interface wsgi` had (a post that waits on
the database does not hold up the others), and the request and response are Django's exactly.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def body_limit() -> int:
    """The most a request body is read into memory before Django sees it: one byte past
    Django's own limit, so Django (or a body-limit middleware) answers as it would anyway."""
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440) + 1


async def read_body(receive: Receive, declared: int | None = None) -> bytes:
    """The request body, read no further than one byte past the limit: a body declared larger
    is not read at all, and Django answers from the declared length as it would anyway."""
    limit = body_limit()
    if declared is not None and declared > limit:
        return b""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)[: limit + 1]


def declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def environ_of(scope: Scope, body: bytes) -> dict[str, Any]:
    script_name = scope.get("root_path", "").encode().decode("latin-1")
    path_info = scope["path"].encode().decode("latin-1")
    if script_name and path_info.startswith(script_name):
        path_info = path_info[len(script_name):]
    server = scope.get("server") or ("localhost", 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] or 80),
        "REMOTE_ADDR": (scope.get("client") or ("", 0))[0],
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        if name == "content-length":
            key = "CONTENT_LENGTH"
        elif name == "content-type":
            key = "CONTENT_TYPE"
        else:
            key = "HTTP_" + name.upper().replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    if "CONTENT_LENGTH" not in environ and body:
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


class Django:
    """Calls Django's WSGI handler on `threads` threads and returns its whole response."""

    def __init__(self, threads: int) -> None:
        self.handler = WSGIHandler()
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="django")

    def _call(self, environ: dict[str, Any]) -> Response:
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            started[:] = [status, headers]
            return lambda _data: None

        result = self.handler(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()  # request_finished: Django returns or keeps the thread's DB connection here
        status, headers = started
        return Response(
            int(status.split(" ", 1)[0]),
            [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
            body,
        )

    async def __call__(self, scope: Scope, body: bytes) -> Response:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, self._call, environ_of(scope, body))
