"""`townhall serve`: migrate, then run the HTTP server (granian, WSGI) and the task worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

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
        if not opts["skip_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        from townhall.core.tasks import schedule_housekeeping

        schedule_housekeeping()
        server_cmd = [
            sys.executable, "-m", "granian", "--interface", "wsgi",
            "--host", opts["host"], "--port", str(opts["port"]),
            "--workers", str(opts["workers"]), "--blocking-threads", "4",
            "--log-level", "warning",
        ]
        if settings.ACCESS_LOG:
            server_cmd += ["--access-log", "--access-log-fmt", ACCESS_LOG_FORMAT]
        else:
            server_cmd += ["--no-access-log"]
        server_cmd.append("townhall.wsgi:application")
        env = {**os.environ, "TOWNHALL_STATIC_COLLECTED": "true"}
        children = [subprocess.Popen(server_cmd, env=env)]  # noqa: S603 (our own argv, no shell)
        if settings.RUN_TASK_WORKER:
            children.append(
                subprocess.Popen([sys.executable, "-m", "townhall.cli", "db_worker", "--interval", "1"])  # noqa: S603
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
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [c.returncode for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            sys.exit(1)
