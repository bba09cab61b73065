"""`townhall webhook add|list|rotate|enable|test|remove`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from townhall.comments.models import Site
from townhall.webhooks.models import Delivery, Endpoint
from townhall.webhooks.tests.conftest import Receiver

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("webhook", *args, stdout=out)
    return out.getvalue()


def test_add_list_rotate_test_and_remove(site: Site, receiver: Receiver, settings: object) -> None:
    out = run("add", "--site", "blog", receiver.url, "--events", "comment.published,comment.held")
    endpoint = Endpoint.objects.get()
    assert f"added endpoint {endpoint.pk} for blog: {receiver.url}" in out and f"secret: {endpoint.secret}" in out
    assert endpoint.events == ["comment.published", "comment.held"]
    listing = run("list")
    assert str(endpoint.pk) in listing and receiver.url in listing and "[enabled]" in listing
    out = run("rotate", str(endpoint.pk))
    endpoint.refresh_from_db()
    assert f"new secret: {endpoint.secret}" in out and endpoint.previous_secret
    assert "test event msg_" in run("test", str(endpoint.pk)) and Delivery.objects.count() == 1
    assert run("remove", str(endpoint.pk)).startswith(f"removed endpoint {endpoint.pk}")
    assert run("list") == "no webhook endpoints\n"


@pytest.mark.parametrize(("args", "message"), [
    (["add", "--site", "nope", "https://hooks.example/"], "no site 'nope'"),
    (["add", "--site", "blog", "ftp://hooks.example/"], "url: must be an http:// or https:// URL"),
    (["add", "--site", "blog", "https://93.184.216.34/", "--events", "comment.liked"], "events: unknown events: comment.liked"),
    (["rotate", "99"], "no webhook endpoint 99"),
    (["enable", "99"], "no webhook endpoint 99"),
])
def test_errors_name_the_problem(site: Site, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_enabling_an_enabled_endpoint_says_so(site: Site, receiver: Receiver) -> None:
    run("add", "--site", "blog", receiver.url)
    with pytest.raises(CommandError, match="already enabled"):
        run("enable", str(Endpoint.objects.get().pk))
