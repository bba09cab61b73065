"""Fixtures shared by every app's tests. Data is set up through services, as users cause it."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from townhall.comments.cache import page_cache, site_cache
from townhall.comments.models import Site
from townhall.comments.services import site_create
from townhall.core.testing import ORIGIN, PAGE, post_json

__all__ = ["ORIGIN", "PAGE", "post_json"]


@pytest.fixture(autouse=True)
def _isolation(settings: Any) -> Iterator[None]:
    # Thread ids and versions repeat between tests (the database is rolled back), so a page
    # cached in one test could answer in the next.
    page_cache.clear()
    site_cache.clear()
    settings.RATE_WRITE = "10000/min"
    settings.RATE_VOTE = "10000/min"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Tasks run in-line in tests; the worker itself is django-tasks-db's, tested upstream.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    yield
    page_cache.clear()


@pytest.fixture
def site(db: None) -> Site:
    return site_create(slug="blog", name="A blog", origins=[ORIGIN])


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def concurrent_db(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """A database that threads can really write to at once, for race tests. PostgreSQL's test
    database already is. SQLite's is in memory in shared-cache mode, where a second writer fails
    at once ("database table is locked") instead of waiting as it would on the file Townhall
    runs on; so the test gets a file copy (WAL, IMMEDIATE, busy timeout, as in production), and
    the in-memory database comes back untouched afterwards."""
    conn = connections["default"]
    if conn.vendor != "sqlite":
        yield
        return
    conn.ensure_connection()
    path = tmp_path / "concurrent.sqlite3"
    with sqlite3.connect(path) as copy:
        conn.connection.backup(copy)
    in_memory, name = conn.connection, conn.settings_dict["NAME"]
    conn.connection, conn.settings_dict["NAME"] = None, str(path)
    try:
        yield
    finally:
        conn.close()
        conn.connection, conn.settings_dict["NAME"] = in_memory, name


# Browser tests drive Debian's Chromium (installed by scripts/install-browser.sh), never a
# downloaded browser. One browser for the whole run: Playwright's sync API allows one instance
# per thread, so every app's browser tests share this fixture.
CHROMIUM = Path(os.environ.get("TOWNHALL_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-browser.sh (or set TOWNHALL_CHROMIUM)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls tests make here for
    # setup are plain synchronous calls all the same.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        yield b
        b.close()
