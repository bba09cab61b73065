"""`townhall serve`: migrate, then run the HTTP server (granian, ASGI: townhall.asgi) and the task worker."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.comments.tasks import schedule_housekeeping

# No client address in the access log: it is personal data and the log is not the place for it.
ACCESS_LOG_FORMAT = '[%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1fms'


class Command(BaseCommand):
    help = "Migrate, then serve Townhall with granian and run the background task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=settings.WORKERS)
        parser.add_argument("--skip-migrate", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        check_address(opts["host"], opts["port"])
        if not opts["skip_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        schedule_housekeeping()
        server_cmd = [
            sys.executable, "-m", "granian", "--interface", "asgi",
            "--host", opts["host"], "--port", str(opts["port"]),
            # Each live reader holds a request open: the default (backlog / workers) would cap
            # a worker at a few hundred of them. HTTP/1 only (proxies speak it upstream): a held
            # HTTP/2-capable connection costs granian 28 KB instead of 16.
            "--workers", str(opts["workers"]), "--backpressure", "20000", "--http", "1",
            "--log-level", "warning",
        ]
        if settings.ACCESS_LOG:
            server_cmd += ["--access-log", "--access-log-fmt", ACCESS_LOG_FORMAT]
        else:
            server_cmd += ["--no-access-log"]
        server_cmd.append("townhall.asgi:application")
        env = {**os.environ, "TOWNHALL_STATIC_COLLECTED": "true"}
        # Each child leads its own process group, so stopping it stops granian's workers too.
        children = [subprocess.Popen(server_cmd, env=env, start_new_session=True)]  # noqa: S603 (our argv, no shell)
        if settings.RUN_TASK_WORKER:
            children.append(
                subprocess.Popen(  # noqa: S603
                    [sys.executable, "-m", "townhall.cli", "db_worker", "--interval", "1"], start_new_session=True
                )
            )
        self.stdout.write(f"serving on http://{opts['host']}:{opts['port']}/ (Ctrl-C stops)")
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping and all(c.poll() is None for c in children):
                time.sleep(0.5)
        finally:
            for child in children:
                _signal_group(child, signal.SIGTERM)
            for child in children:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=10)
                _signal_group(child, signal.SIGKILL)
        failed = [c.returncode for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            sys.exit(1)


def _signal_group(child: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, sig)


def check_address(host: str, port: int) -> None:
    """Refuse a bad address or a port in use before starting anything: granian binds with
    SO_REUSEPORT and would otherwise quietly share the port with whatever holds it."""
    if not 1 <= port <= 65535:
        raise CommandError(f"--port: {port} is not a port number (1-65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise CommandError(f"--host: cannot listen on {host!r}: not an address of this machine") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(address)
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
