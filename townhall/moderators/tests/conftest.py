"""Fixtures for the moderators' side: users in every role, a second site, and a browser
(Debian's Chromium driven by Playwright, as in the widget's browser tests)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from townhall.comments.models import Comment, Site, Status
from townhall.comments.services import comment_set_status, site_create
from townhall.comments.tests.factories import make_comment
from townhall.moderators import services
from townhall.moderators.models import Role

OUTPUT = Path(__file__).resolve().parents[3] / "test-output"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The default hasher takes a quarter of a second per user on purpose; tests make many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class People:
    moderator: User  # moderator of `site`
    admin: User  # admin of `site`
    superuser: User
    outsider: User  # moderator of `other`
    nobody: User  # signed in, moderates nothing


def make_user(username: str, **extra: Any) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, **extra)


@pytest.fixture
def other_site(db: None) -> Site:
    return site_create(slug="other", name="Another site", origins=["https://other.example"])


@pytest.fixture
def people(site: Site, other_site: Site) -> People:
    moderator, admin, outsider = make_user("mod"), make_user("boss"), make_user("outsider")
    services.siterole_grant(actor=None, site=site, user=moderator, role=Role.MODERATOR)
    services.siterole_grant(actor=None, site=site, user=admin, role=Role.ADMIN)
    services.siterole_grant(actor=None, site=other_site, user=outsider, role=Role.ADMIN)
    superuser = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    return People(moderator, admin, superuser, outsider, make_user("nobody"))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def held(site: Site, **kwargs: Any) -> Comment:
    """A comment waiting for a moderator, as pre-moderation would leave it."""
    comment = make_comment(site, **kwargs)
    return comment_set_status(comment=comment, status=Status.PENDING)


@pytest.fixture
def login_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """`login_page(user)`: a page in a fresh browser context signed in as `user` (the session
    cookie of a test client), which fails the test on script errors or dialogs."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(user: User, *, allow_http_errors: bool = False) -> Any:
        client = Client()
        client.force_login(user)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        contexts.append(context)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        context.set_default_timeout(10_000)
        page = context.new_page()
        def on_dialog(dialog: Any) -> None:
            errors.append("dialog: " + dialog.message)
            dialog.dismiss()

        def on_console(message: Any) -> None:
            if message.type == "error" and not (allow_http_errors and message.text.startswith("Failed to load resource")):
                errors.append(message.text)

        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", on_dialog)
        page.on("console", on_console)
        return page

    yield make
    for context in contexts:
        context.close()
    assert errors == [], f"errors in the page: {errors}"
