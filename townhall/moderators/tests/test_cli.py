"""`townhall moderator add|remove|list`."""

from __future__ import annotations

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
