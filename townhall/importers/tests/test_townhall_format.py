"""Export, then import into an empty database: the same thread page, byte for byte."""

from __future__ import annotations

import json
import os
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from townhall.comments.cache import page_cache
from townhall.comments.models import Comment, Site, Thread, Vote
from townhall.comments.services import comment_vote
from townhall.importers.models import ImportedComment
from townhall.importers.tests.helpers import FIXTURES, db_state, imported, run

PAGE = "https://blog.example/2016/09/article"


def page(client: Client) -> bytes:
    page_cache.clear()
    response = client.get("/api/v1/threads", {"site": "blog", "url": PAGE, "limit": "100"})
    assert response.status_code == 200
    return response.content


def rows() -> list[tuple[object, ...]]:
    return list(Comment.objects.order_by("id").values_list(
        "id", "parent_id", "path", "depth", "status", "created", "text", "html", "author_name", "author_key",
        "author_email", "ip", "upvotes", "downvotes", "score", "reply_count", "featured", "flagged", "reasons",
    ))


def votes() -> list[tuple[object, ...]]:
    """Each vote row without its own id (which the import does not keep)."""
    return list(Vote.objects.order_by("comment_id", "voter").values_list("comment_id", "voter", "ip_hash", "value", "created"))


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_export_then_import_into_an_empty_database_gives_the_same_thread(
    site: Site, client: Client, tmp_path: Path, fmt: str
) -> None:
    run("import", "disqus", str(FIXTURES / "disqus.xml"), "--site", "blog")
    liked = imported("disqus", "5001")
    for n, value in enumerate([1, 1, 1, -1]):
        comment_vote(comment_id=liked.pk, reader=f"reader-{n}", ip=f"192.0.2.{n}", value=value)
    Comment.objects.filter(pk=liked.pk).update(featured=True)
    before_page, before_rows, before_votes = page(client), rows(), votes()
    assert len(before_votes) == 4 and imported("disqus", "5001").score == 2
    before_thread = Thread.objects.values("url", "title", "comment_count", "version", "closed").get()

    path = tmp_path / f"export.{fmt}"
    err = StringIO()
    call_command("export", "--site", "blog", "--format", fmt, "--include-private", "-o", str(path), stdout=StringIO(), stderr=err)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "WARNING" in err.getvalue() and "email" in err.getvalue()

    ImportedComment.objects.all().delete()
    Thread.objects.all().delete()
    assert db_state() == (0, 0, 0)

    report = run("import", "townhall", str(path), "--site", "blog")
    assert "imported 7 comments in 1 threads" in report and "votes: restored 4" in report
    assert rows() == before_rows
    assert votes() == before_votes
    assert Thread.objects.values("url", "title", "comment_count", "version", "closed").get() == before_thread
    assert page(client) == before_page
    # Importing the export again adds nothing.
    report = run("import", "townhall", str(path), "--site", "blog")
    assert Comment.objects.count() == 7 and "votes: restored 0, already there 4" in report
    assert votes() == before_votes


def test_public_export_has_no_emails_or_addresses(site: Site) -> None:
    run("import", "disqus", str(FIXTURES / "disqus.xml"), "--site", "blog")
    out = StringIO()
    call_command("export", "--site", "blog", stdout=out, stderr=StringIO())
    text = out.getvalue()
    records = [json.loads(line) for line in text.splitlines()]
    assert records[0]["format"] == "townhall-export" and records[0]["version"] == 1
    assert sum(r["type"] == "comment" for r in records) == 7
    assert "@example.com" not in text and "203.0.113" not in text and "198.51.100" not in text
    assert all("author_email" not in r and "ip" not in r for r in records)


def test_a_broken_townhall_file_is_refused(site: Site, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"type":"meta","format":"townhall-export","version":1}\n{"type":"thread","id":1,"url":"https://blog.example/a"}\n'
                    '{"type":"comment","id":1,"thread":1,"parent":null,"created":"2016-09-20T09:00:00","status":"published","text":"x"}\n')
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"line 3: the date '2016-09-20T09:00:00' has no time zone"):
        run("import", "townhall", str(path), "--site", "blog")
    assert db_state() == (0, 0, 0)


@pytest.mark.parametrize(("vote", "message"), [
    ('{"type":"vote","comment":1,"voter":"r","ip_hash":"h","value":2,"created":"2016-09-20T09:00:00+00:00"}',
     r"line 5: a vote's value is 2, not 1 or -1"),
    ('{"type":"vote","comment":1,"voter":"r","ip_hash":"h","value":1,"created":"2016-09-20T09:00:00+00:00"}',
     r"line 5: a second vote of one voter on comment 1 \(first at line 4\)"),
])
def test_a_bad_vote_is_refused_naming_its_line(site: Site, tmp_path: Path, vote: str, message: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"type":"meta","format":"townhall-export","version":1}\n{"type":"thread","id":1,"url":"https://blog.example/a"}\n'
                    '{"type":"comment","id":1,"thread":1,"parent":null,"created":"2016-09-20T09:00:00+00:00","status":"published","text":"x"}\n'
                    '{"type":"vote","comment":1,"voter":"r","ip_hash":"h","value":1,"created":"2016-09-20T09:00:00+00:00"}\n'
                    + vote + "\n")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        run("import", "townhall", str(path), "--site", "blog")
    assert db_state() == (0, 0, 0) and not Vote.objects.exists()
