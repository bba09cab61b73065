"""`townhall serve`: migrate, then run the HTTP server (granian, ASGI: townhall.asgi) and the task
worker, and keep both running: granian respawns a dead HTTP worker itself while the others go on
serving, and this command restarts granian or the task worker if either process dies."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.comments.tasks import schedule_housekeeping

# No client address in the access log: it is personal data and the log is not the place for it.
ACCESS_LOG_FORMAT = '[%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1fms'
RESPAWN_SECONDS = 1.0
MIN_HEALTHY_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 30.0


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
            # granian's own supervision: a worker that dies (OOM killer, kill -9, a crash in a
            # native library) is replaced after RESPAWN_SECONDS while the other workers serve.
            "--respawn-failed-workers", "--respawn-interval", str(RESPAWN_SECONDS),
        ]
        if settings.ACCESS_LOG:
            server_cmd += ["--access-log", "--access-log-fmt", ACCESS_LOG_FORMAT]
        else:
            server_cmd += ["--no-access-log"]
        server_cmd.append("townhall.asgi:application")
        env = {**os.environ, "TOWNHALL_STATIC_COLLECTED": "true"}
        commands = {"http server": server_cmd}
        if settings.RUN_TASK_WORKER:
            commands["task worker"] = [sys.executable, "-m", "townhall.cli", "db_worker", "--interval", "1"]
        supervisor = Supervisor(commands, env=env, log=self.stderr.write)
        self.stdout.write(f"serving on http://{opts['host']}:{opts['port']}/ (Ctrl-C stops)")
        signal.signal(signal.SIGTERM, supervisor.stop)
        signal.signal(signal.SIGINT, supervisor.stop)
        supervisor.run()


class Supervisor:
    """Starts each command in its own process group and restarts any that exits while the
    server is meant to run (after a short back-off that grows while a command keeps failing at
    once, so a broken configuration does not spin). Stopping signals each group, waits, then
    kills what is left."""

    def __init__(self, commands: dict[str, list[str]], *, env: dict[str, str], log: Callable[[str], object]) -> None:
        self.commands, self.env, self.log = commands, env, log
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.started: dict[str, float] = {}
        self.failures: dict[str, int] = dict.fromkeys(commands, 0)
        self.stopping = False

    def stop(self, *_: Any) -> None:
        self.stopping = True

    def _start(self, name: str) -> None:
        # Each child leads its own process group, so stopping it stops granian's workers too.
        self.children[name] = subprocess.Popen(self.commands[name], env=self.env, start_new_session=True)  # noqa: S603 (our argv, no shell)
        self.started[name] = time.monotonic()

    def run(self) -> None:
        for name in self.commands:
            self._start(name)
        restart_at: dict[str, float] = {}
        try:
            while not self.stopping:
                now = time.monotonic()
                for name, child in self.children.items():
                    if name in restart_at or child.poll() is None:
                        continue
                    # Whatever is left of its group (granian's workers, when granian itself died)
                    # goes too: orphaned workers would keep serving beside the new ones.
                    _signal_group(child, signal.SIGKILL)
                    # A process that ran for a while had a one-off failure: restart at once.
                    quick = now - self.started[name] < MIN_HEALTHY_SECONDS
                    self.failures[name] = self.failures[name] + 1 if quick else 0
                    delay = min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** self.failures[name]) if quick else 0.0
                    self.log(f"{name} exited with status {child.returncode}; restarting in {delay:.1f}s\n")
                    restart_at[name] = now + delay
                for name, when in list(restart_at.items()):
                    if now >= when and not self.stopping:
                        self._start(name)
                        del restart_at[name]
                time.sleep(0.2)
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        for child in self.children.values():
            _signal_group(child, signal.SIGTERM)
        for child in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=10)
            _signal_group(child, signal.SIGKILL)


def _signal_group(child: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, sig)


def check_address(host: str, port: int) -> None:
    """Refuse a bad address or a port in use before starting anything: granian binds with
    SO_REUSEPORT and would otherwise quietly share the port with whatever holds it. The probe
    sets SO_REUSEADDR, as granian does: connections of a crashed server left in TIME_WAIT must
    not keep a restart from binding for a minute, while a live listener still refuses it."""
    if not 1 <= port <= 65535:
        raise CommandError(f"--port: {port} is not a port number (1-65535)")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise CommandError(f"--host: cannot listen on {host!r}: not an address of this machine") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
