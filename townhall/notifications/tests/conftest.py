"""A real SMTP server (aiosmtpd, in a thread) that records what arrives and can refuse or defer
recipients; the database task backend with a worker that runs what is due (optionally "later",
for batches, digests and retries); and a local HTTP receiver for the alert webhook."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User
from django.utils import timezone

from townhall.comments.models import Site
from townhall.moderators.models import Role
from townhall.moderators.services import siterole_grant

logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line-by-line log
URL_RE = re.compile(r"https?://[^\s<>\"']+")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]

    @property
    def text(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())

    @property
    def html(self) -> str:
        part = self.message.get_body(("html",))
        assert part is not None
        return str(part.get_content())

    def links(self, contains: str = "") -> list[str]:
        return [u.rstrip(".,)") for u in URL_RE.findall(self.text) if contains in u]

    def path(self, contains: str) -> str:
        """The path of the one link in the text that contains `contains`, to follow with a client."""
        found = sorted(set(self.links(contains)))
        assert len(found) == 1, (contains, found)
        return found[0].removeprefix("http://testserver")

    def after(self, label: str) -> str:
        """The path of the link that follows `label` in the plain text ("Approve: URL")."""
        found = re.findall(re.escape(label) + r":?\s*(https?://\S+)", self.text)
        assert len(found) == 1, (label, found)
        return str(found[0]).removeprefix("http://testserver")

    def addresses(self) -> set[str]:
        return {a.lower() for a in EMAIL_RE.findall(self.raw.decode(errors="replace"))}


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # 550 at RCPT
    defer: set[str] = field(default_factory=set)  # 451 at RCPT

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        if address.lower() in self.defer:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if r.rcpt_tos == [address]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def _smtp_server() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def smtp(_smtp_server: tuple[Handler, int], settings: Any, db: None) -> Handler:
    handler, port = _smtp_server
    handler.received.clear()
    handler.refuse.clear()
    handler.defer.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Townhall <townhall@news.example>"
    settings.PUBLIC_URL = "http://testserver"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return handler


class Worker:
    """Runs the database backend's due tasks in this process, as `db_worker --batch` would;
    `later` pretends that much time has passed (batches, digests, retry back-off)."""

    def run(self, *, later: timedelta = timedelta(0)) -> int:
        from django_tasks_db.models import DBTaskResult, get_date_max

        until: datetime = timezone.now() + later
        ran = 0
        while True:
            ready = DBTaskResult.objects.filter(status="READY")
            # What is due now runs before what was deferred: time moves forward, not back.
            due = (ready.filter(run_after=get_date_max()).order_by("enqueued_at").first()
                   or ready.filter(run_after__lte=until).order_by("run_after", "enqueued_at").first())
            if due is None:
                return ran
            due.claim("test-worker")
            result = due.task.call(*due.task_result.args, **due.task_result.kwargs)
            due.set_successful(result)
            ran += 1

    def waiting(self) -> list[Any]:
        from django_tasks_db.models import DBTaskResult

        return list(DBTaskResult.objects.filter(status="READY"))


@pytest.fixture
def worker(smtp: Handler) -> Worker:
    return Worker()


def make_moderator(site: Site, username: str = "mod", email_address: str = "mod@staff.example") -> User:
    user = User.objects.create_user(username, email=email_address, password="pw-for-tests-only")
    siterole_grant(actor=None, site=site, user=user, role=Role.MODERATOR)
    return user


@dataclass
class Hooks:
    bodies: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def hook_receiver(settings: Any) -> Iterator[Hooks]:
    """A Slack-compatible incoming webhook on 127.0.0.1 that keeps every JSON body."""
    hooks = Hooks()

    class Receive(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length", "0"))
            hooks.bodies.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receive)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ALERT_WEBHOOK_ALLOW = ["127.0.0.1"]
    hooks.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/alerts"
    yield hooks
    server.shutdown()
    server.server_close()
