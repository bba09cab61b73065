"""Fixtures for webhook tests: a real HTTP receiver on 127.0.0.1 that checks Standard Webhooks
signatures, a controllable clock, and django-tasks-db's own worker run in-process."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook, WebhookVerificationError

from townhall.comments.models import Site
from townhall.moderators.models import Role
from townhall.moderators.services import siterole_grant
from townhall.webhooks.selectors import endpoint_index
from townhall.webhooks.services import sweep_memo_forget
from townhall.webhooks.tasks import webhook_sweep


@pytest.fixture(autouse=True)
def _webhook_settings(settings: Any) -> Iterator[None]:
    settings.WEBHOOK_ALLOW_NETWORKS = ["127.0.0.1"]
    settings.WEBHOOK_TIMEOUT = 2.0
    settings.WEBHOOK_RETRY_SCHEDULE = "5s,5m,30m"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Ids repeat between tests (rolled back), so an index cached in one could answer in the next;
    # and a sweep one test queued is gone in the next.
    endpoint_index.forget()
    sweep_memo_forget()
    yield
    endpoint_index.forget()
    sweep_memo_forget()


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each request with the next scripted status (then 200), or 401 when the signature
    does not verify with `secret` (no secret: nothing is checked); `hang` seconds of silence
    first, if set."""

    url: str = ""
    secret: str = ""
    script: list[int] = field(default_factory=list)
    hang: float = 0.0
    received: list[Received] = field(default_factory=list)

    def verify(self, body: bytes, headers: dict[str, str]) -> bool:
        if not self.secret:
            return True
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            return False
        return True


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            ok = state.verify(body, headers)
            state.received.append(Received(headers, body, ok))
            if state.hang:
                time.sleep(state.hang)
            status = state.script.pop(0) if state.script else 200
            try:
                self.send_response(status if ok else 401)
                self.end_headers()
                self.wfile.write(b"ok" if ok and status < 300 else b"no thanks")
            except OSError:
                pass  # the sender gave up waiting (the hanging receiver's case)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    server.shutdown()
    server.server_close()


class Clock:
    """timezone.now() moved forward at will: django-tasks-db picks a task when its run_after has
    come by this clock, and the services stamp attempts with it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = timedelta()
        real = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real() + self.offset)

    def advance(self, **delta: float) -> datetime:
        self.offset += timedelta(**delta)
        return timezone.now()


@dataclass
class TaskWorker:
    clock: Clock

    def drain(self, limit: int | None = None) -> int:
        """Run every task that is due now (at most `limit`), as `townhall db_worker` would; how
        many ran."""
        worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                        max_tasks=None, worker_id="test", excluded_queue_names=[])
        ran = 0
        while (limit is None or ran < limit) and (result := DBTaskResult.objects.ready().first()) is not None:
            result.claim("test")
            worker.run_task(result)
            ran += 1
        return ran

    def pending(self) -> int:
        """Tasks waiting to run, less the sweep (it waits while deliveries are pending)."""
        return DBTaskResult.objects.filter(status="READY").exclude(task_path=webhook_sweep.module_path).count()

    def claim_without_running(self) -> DBTaskResult:
        """The next due task, claimed by a worker that then dies."""
        result = DBTaskResult.objects.ready().first()
        assert result is not None
        result.claim("killed")
        return result


@pytest.fixture
def worker(settings: Any, monkeypatch: pytest.MonkeyPatch) -> TaskWorker:
    """The database task backend, as in production (the suite's default runs tasks in-line)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return TaskWorker(Clock(monkeypatch))


@pytest.fixture
def admin(site: Site) -> User:
    user = User.objects.create_user("boss", "boss@example.org", "x" * 12)
    siterole_grant(actor=None, site=site, user=user, role=Role.ADMIN)
    return user
