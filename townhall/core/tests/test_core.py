from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from townhall.comments.models import Comment, Site, Thread
from townhall.comments.tests.factories import make_comment
from townhall.core.mail import mask_emails
from townhall.core.management.commands.settings_table import settings_markdown
from townhall.core.net import client_ip, truncate_ip
from townhall.core.tasks import ips_truncate_expired

README = Path(__file__).resolve().parents[3] / "README.md"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_readme_documents_every_setting() -> None:
    assert settings_markdown() in README.read_text()


@pytest.mark.parametrize(
    ("hops", "xff", "expected"),
    [(0, "1.2.3.4", "9.9.9.9"), (1, "1.2.3.4", "1.2.3.4"), (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"),
     (2, "6.6.6.6, 1.2.3.4, 5.5.5.5", "1.2.3.4"), (1, "not-an-ip", "9.9.9.9")],
)
def test_client_ip_trusts_exactly_the_configured_proxies(settings: Any, hops: int, xff: str, expected: str) -> None:
    settings.TRUSTED_PROXIES = hops
    request = RequestFactory().get("/", REMOTE_ADDR="9.9.9.9", HTTP_X_FORWARDED_FOR=xff)
    assert client_ip(request) == expected


def test_truncate_ip() -> None:
    assert truncate_ip("203.0.113.77") == "203.0.113.0"
    assert truncate_ip("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::"
    assert truncate_ip("garbage") == ""


@pytest.mark.django_db
def test_addresses_are_truncated_after_retention(site: Site, settings: Any) -> None:
    settings.IP_RETENTION_DAYS = 30
    old = make_comment(site, ip="203.0.113.77")
    new = make_comment(site, ip="198.51.100.9")
    Comment.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=31))
    assert ips_truncate_expired() == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.ip == "203.0.113.0" and old.ip_truncated
    assert new.ip == "198.51.100.9" and not new.ip_truncated
    assert ips_truncate_expired() == 0


def test_log_mail_backend_masks_addresses() -> None:
    assert mask_emails("to ann.b+x@example.co.uk now") == "to <email hidden> now"


@pytest.mark.django_db
def test_site_commands() -> None:
    out = run("site", "add", "paper", "--name", "The Paper", "--origin", "https://Paper.Example/", "--origin", "http://localhost:8000", "--premoderate", "yes")
    assert "created site paper" in out and 'data-site="paper"' in out and "embed.js" in out
    site = Site.objects.get(slug="paper")
    assert site.premoderate and sorted(o.origin for o in site.origins.all()) == ["http://localhost:8000", "https://paper.example"]
    assert "paper\tThe Paper" in run("site", "list")
    shown = run("site", "show", "paper")
    assert "premoderate" in shown and "True" in shown
    assert "display_depth        3" in run("site", "set", "paper", "--display-depth", "3")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("site", "add", "x", "--name", "X", "--origin", "example.com"), "origins: not an http(s) origin"),
        (("site", "add", "x", "--name", "X", "--origin", "https://x.example", "--page-size", "many"), "--page-size"),
        (("site", "add", "x", "--name", "X", "--origin", "https://x.example", "--premoderate", "perhaps"), "--premoderate"),
        (("site", "show", "ghost"), "no site 'ghost'"),
    ],
)
def test_site_command_errors_are_messages(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert message in str(exc.value)
    assert not Site.objects.filter(slug="x").exists()


@pytest.mark.django_db
def test_duplicate_site_is_refused() -> None:
    run("site", "add", "dup", "--name", "D", "--origin", "https://d.example")
    with pytest.raises(CommandError, match="already exists"):
        run("site", "add", "dup", "--name", "D", "--origin", "https://d.example")


@pytest.mark.django_db
def test_demo_loads_the_seed_once() -> None:
    first = run("demo", "--no-serve")
    assert "60 comments (60 added now)" in first
    second = run("demo", "--no-serve", "--port", "9000")
    assert "60 comments (0 added now)" in second
    thread = Thread.objects.get(site__slug="demo")
    assert thread.comment_count == 60 == Comment.objects.filter(thread=thread).count()
    assert Site.objects.get(slug="demo").origins.filter(origin="http://127.0.0.1:9000").exists()
    # True parents from the seed: 3 answers 1, and 55 replies sit under comment 5.
    by_text = {c.text[:40]: c for c in Comment.objects.filter(thread=thread)}
    c3 = next(c for t, c in by_text.items() if t.startswith("Still trying to sell"))
    assert c3.parent and c3.parent.author_name == "5thDrawer" and c3.parent.parent is None
    c5 = next(c for t, c in by_text.items() if t.startswith("In one article his speech"))
    assert c5.children.count() == 55 and c5.depth == 3
    times = list(Comment.objects.filter(thread=thread).order_by("id").values_list("created", flat=True))
    assert times == sorted(times) and times[0].year == 2016 and (times[-1] - times[0]).days <= 3


@pytest.mark.django_db
def test_createadmin_creates_a_superuser() -> None:
    from django.contrib.auth.models import User

    run("createadmin", "--noinput", "--username", "root", "--email", "root@example.com")
    assert User.objects.get(username="root").is_superuser


def test_throttle_state_is_per_thread(settings: Any) -> None:
    import threading

    from townhall.core.throttles import WRITE

    settings.RATE_WRITE = "5/min"
    WRITE.history = ["main"]
    seen: list[object] = []

    def other() -> None:
        seen.append(getattr(WRITE, "history", None))
        WRITE.history = ["other"]

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen == [None] and WRITE.history == ["main"]


@pytest.mark.django_db
def test_no_email_or_address_in_logs(site: Site, settings: Any, caplog: Any, django_capture_on_commit_callbacks: Any) -> None:
    import logging

    from django.test import Client

    from townhall.conftest import PAGE, post_json

    settings.EMAIL_BACKEND = "townhall.core.mail.MaskedLogBackend"
    caplog.set_level(logging.DEBUG)
    client = Client(REMOTE_ADDR="198.51.100.23")
    with django_capture_on_commit_callbacks(execute=True):
        parent = post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "first", "author_name": "Ann",
                                                          "author_email": "ann.private@example.com", "notify": True}).json()
        post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "reply", "parent": parent["id"],
                                               "author_email": "bob.private@example.com"})
        post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "", "author_email": "bad@"})
    logged = caplog.text
    assert "email (not sent" in logged  # the notification went through the log backend
    assert "@example.com" not in logged and "198.51.100.23" not in logged


@pytest.mark.django_db
@pytest.mark.parametrize(("flag", "value"), [("--page-size", "0"), ("--replies-per-page", "0"), ("--display-depth", "0"),
                                             ("--edit-window-minutes", "9223372036854775807"), ("--page-size", "1000")])
def test_site_policy_out_of_range_is_refused(flag: str, value: str) -> None:
    run("site", "add", "pol", "--name", "P", "--origin", "https://p.example")
    with pytest.raises(CommandError) as exc:
        run("site", "set", "pol", flag, value)
    assert flag.lstrip("-").replace("-", "_") in str(exc.value)
    site = Site.objects.get(slug="pol")
    assert (site.page_size, site.replies_per_page, site.display_depth, site.edit_window_minutes) == (20, 10, 5, 15)


@pytest.mark.parametrize(("host", "port", "message"), [("127.0.0.1", 99999, "--port"), ("256.1.1.1", 8000, "--host")])
def test_serve_refuses_bad_addresses(host: str, port: int, message: str) -> None:
    from townhall.core.management.commands.serve import check_address

    with pytest.raises(CommandError, match=message):
        check_address(host, port)


def test_serve_refuses_a_port_in_use() -> None:
    import socket

    from townhall.core.management.commands.serve import check_address

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        with pytest.raises(CommandError, match="cannot listen"):
            check_address("127.0.0.1", held.getsockname()[1])


@pytest.mark.django_db
def test_replay_of_an_unknown_site_is_a_message() -> None:
    with pytest.raises(CommandError, match="no site 'nope'"):
        call_command("moderation", "replay", "--seed", "--site", "nope", stdout=StringIO())
