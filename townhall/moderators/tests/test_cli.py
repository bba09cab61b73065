"""`townhall moderator add|remove|list`."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from townhall.comments.models import Site
from townhall.moderators.models import AuditLog, SiteRole
from townhall.moderators.tests.conftest import make_user


def run(*args: str) -> str:
    out = StringIO()
    call_command("moderator", *args, stdout=out)
    return out.getvalue()


def test_add_list_change_and_remove(site: Site) -> None:
    user = make_user("alice")
    assert run("add", "--site", "blog", "alice") == "alice is now moderator of blog\n"
    assert SiteRole.objects.get(user=user, site=site).role == "moderator"
    assert run("add", "--site", "blog", "alice", "--role", "admin") == "alice is now admin of blog\n"
    listing = run("list")
    assert "blog" in listing and "alice" in listing and "admin" in listing
    assert run("remove", "--site", "blog", "alice") == "alice no longer moderates blog\n"
    assert not SiteRole.objects.exists()
    assert run("list") == "no moderators\n"
    assert set(AuditLog.objects.values_list("actor_name", flat=True)) == {"command line"}


def test_superusers_are_listed_as_admins_of_every_site(site: Site) -> None:
    from django.contrib.auth.models import User

    User.objects.create_superuser("root", "root@example.com", "x")
    assert "(every site)" in run("list") and "root" in run("list")


@pytest.mark.parametrize(("args", "message"), [
    (["add", "--site", "nope", "alice"], "no site 'nope' (sites: blog)"),
    (["add", "--site", "blog", "ghost"], "no user 'ghost'"),
    (["remove", "--site", "blog", "alice"], "alice has no role on blog"),
    (["list", "--site", "nope"], "no site 'nope'"),
])
def test_errors_name_the_problem(site: Site, args: list[str], message: str) -> None:
    make_user("alice")
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(*args)


def test_adding_the_same_role_twice_says_so(site: Site) -> None:
    make_user("alice")
    run("add", "--site", "blog", "alice")
    with pytest.raises(CommandError, match="alice is already moderator of blog"):
        run("add", "--site", "blog", "alice")


def test_a_bad_role_is_refused(site: Site) -> None:
    make_user("alice")
    with pytest.raises(CommandError, match="invalid choice"):
        run("add", "--site", "blog", "alice", "--role", "king")


def test_create_makes_a_moderator_who_is_not_an_administrator(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.contrib.auth.models import User

    monkeypatch.setattr("sys.stdin", StringIO("a long enough passphrase\n"))
    out = run("create", "--site", "blog", "alice", "--email", "alice@example.com", "--password-from-stdin")
    assert out == "created alice, now moderator of blog\n"
    alice = User.objects.get(username="alice")
    assert alice.email == "alice@example.com" and alice.check_password("a long enough passphrase")
    assert not (alice.is_superuser or alice.is_staff)
    assert SiteRole.objects.get(user=alice, site=site).role == "moderator"
    assert AuditLog.objects.get(action="role.grant").actor_name == "command line"


def test_create_without_a_password_says_how_to_set_one(site: Site) -> None:
    from django.contrib.auth.models import User

    out = run("create", "--site", "blog", "bob", "--role", "admin")
    assert "now admin of blog" in out and "townhall changepassword bob" in out
    assert not User.objects.get(username="bob").has_usable_password()


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["--site", "nope", "carol"], "", "no site 'nope'"),
    (["--site", "blog", "alice"], "", "user 'alice' already exists: give them a role with `townhall moderator add"),
    (["--site", "blog", "carol", "--email", "not-an-address"], "", "email: Enter a valid email address."),
    (["--site", "blog", "bad name!"], "", "user: Enter a valid username."),
    (["--site", "blog", "carol", "--password-from-stdin"], "", "standard input had no password"),
    (["--site", "blog", "carol", "--password-from-stdin"], "carol\n", "This password is too short."),
])
def test_create_refuses_clearly_and_creates_nothing(
    site: Site, monkeypatch: pytest.MonkeyPatch, args: list[str], stdin: str, message: str
) -> None:
    from django.contrib.auth.models import User

    make_user("alice")
    monkeypatch.setattr("sys.stdin", StringIO(stdin))
    with pytest.raises(CommandError, match=re.escape(message)):
        run("create", *args)
    assert list(User.objects.values_list("username", flat=True)) == ["alice"]
    assert not SiteRole.objects.exists()
