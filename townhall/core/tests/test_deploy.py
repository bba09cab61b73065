"""Production settings as the README documents them: `townhall check --deploy` is clean, and
behind the trusted TLS proxy the staff cookies are Secure, HttpOnly and SameSite. Each runs in a
fresh process, since settings are read from the environment at start."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from townhall.core.logs import OneLineClientErrors

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "TOWNHALL_TRUSTED_PROXIES": "1",
    "TOWNHALL_ALLOWED_HOSTS": "comments.example.com",
    "TOWNHALL_TRUSTED_ORIGINS": "https://comments.example.com",
    "TOWNHALL_PUBLIC_URL": "https://comments.example.com",
    "TOWNHALL_HSTS_SECONDS": "31536000",
}


def run(code: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # Only the machine's environment: browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process.
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TOWNHALL_", "PYTEST", "DJANGO_"))}
    environ.update(TOWNHALL_DATA_DIR=str(tmp_path), DATABASE_URL="", **env)
    return subprocess.run([sys.executable, *code], env=environ, cwd=ROOT, capture_output=True, text=True, timeout=60)  # noqa: S603


def test_check_deploy_is_clean_under_the_documented_production_settings(tmp_path: Path) -> None:
    done = run(["-m", "townhall.cli", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


COOKIES = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "townhall.settings"
django.setup()
from django.test import Client
r = Client().get("/moderate/login/", headers={"X-Forwarded-Proto": "https", "Host": "comments.example.com"})
print(r.status_code)
print(r.cookies["csrftoken"].output())
r = Client().get("/moderate/login/", headers={"Host": "comments.example.com"})
print(r.status_code, r.get("Location"))
"""


def test_staff_cookies_are_secure_behind_the_trusted_tls_proxy(tmp_path: Path) -> None:
    done = run(["-c", COOKIES], tmp_path, **PRODUCTION)
    assert done.returncode == 0, done.stderr
    status, cookie, plain = done.stdout.strip().splitlines()
    assert status == "200"
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie
    # Plain HTTP through the proxy is sent to HTTPS.
    assert plain == "301 https://comments.example.com/moderate/login/"


def test_a_4xx_is_logged_as_one_line() -> None:
    try:
        raise PermissionError("no")
    except PermissionError:
        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x",), sys.exc_info())
    record.status_code = 403
    OneLineClientErrors().filter(record)
    assert record.exc_info is None and logging.Formatter().format(record) == "Forbidden: /x"
    server_error = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), (ValueError, ValueError(), None))
    server_error.status_code = 500
    OneLineClientErrors().filter(server_error)
    assert server_error.exc_info is not None
