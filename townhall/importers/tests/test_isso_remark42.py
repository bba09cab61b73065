from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from townhall.comments.models import Comment, Site, Status, Thread
from townhall.importers.services import import_author_key
from townhall.importers.tests.helpers import FIXTURES, db_state, imported, run

PAGE = "https://blog.example/2016/09/article"


@pytest.fixture
def isso_db(tmp_path: Path) -> Path:
    path = tmp_path / "comments.db"
    db = sqlite3.connect(path)
    db.executescript((FIXTURES / "isso.sql").read_text())
    db.commit()
    db.close()
    return path


def test_isso_database(site: Site, isso_db: Path) -> None:
    report = run("import", "isso", str(isso_db), "--site", "blog")
    assert "imported 6 comments in 2 threads" in report
    thread = Thread.objects.get(url=PAGE)
    assert thread.title == "The article"
    assert Thread.objects.filter(url="https://blog.example/about/").exists()
    first, reply = imported("isso", "1"), imported("isso", "2")
    assert first.created == datetime(2016, 9, 20, 9, 0, 0, 250000, tzinfo=UTC)
    assert reply.parent_id == first.pk and reply.depth == 1
    assert first.html == "<p>First, in <em>Markdown</em>.</p>"  # Isso stores Markdown: kept as it is
    assert (first.upvotes, first.downvotes, first.score) == (4, 1, 3)
    assert first.author_website == "https://ann.example" and first.author_email == "ann@example.com"
    assert first.author_key == import_author_key("isso", "", "Ann")
    assert imported("isso", "3").status == Status.PENDING
    deleted, under = imported("isso", "4"), imported("isso", "5")
    assert deleted.status == Status.DELETED and under.parent_id == deleted.pk and deleted.reply_count == 1
    thread.refresh_from_db()
    assert thread.comment_count == Comment.objects.filter(thread=thread, status=Status.PUBLISHED).count() == 3
    before = db_state()
    run("import", "isso", str(isso_db), "--site", "blog")
    assert db_state() == before


def test_not_an_isso_database(site: Site, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE threads (id INTEGER PRIMARY KEY, url TEXT)")
    db.commit()
    db.close()
    with pytest.raises(CommandError, match="not an Isso database: table 'threads' lacks title, uri"):
        run("import", "isso", str(other), "--site", "blog")
    with pytest.raises(CommandError, match="not an Isso database: not an SQLite file"):
        run("import", "isso", str(FIXTURES / "disqus.xml"), "--site", "blog")
    assert db_state() == (0, 0, 0)


def test_isso_bad_mode_names_the_row(site: Site, isso_db: Path) -> None:
    db = sqlite3.connect(isso_db)
    db.execute("UPDATE comments SET mode = 9 WHERE id = 5")
    db.commit()
    db.close()
    with pytest.raises(CommandError, match=r"comments row id=5: unknown mode 9"):
        run("import", "isso", str(isso_db), "--site", "blog")
    assert db_state() == (0, 0, 0)


def test_remark42_backup(site: Site) -> None:
    report = run("import", "remark42", str(FIXTURES / "remark42.jsonl"), "--site", "blog")
    assert "imported 4 comments in 1 threads" in report
    assert "thread outside the site's origins: 1" in report
    first, reply = imported("remark42", "c-1"), imported("remark42", "c-2")
    assert reply.parent_id == first.pk
    assert reply.created == datetime(2016, 9, 20, 9, 0, tzinfo=UTC)
    assert first.html == "<p>First, <strong>bold</strong>.</p>"
    assert (first.upvotes, first.downvotes) == (2, 0) and (reply.upvotes, reply.downvotes) == (0, 1)
    assert first.author_key == import_author_key("remark42", "github_1f2e", "Ann")
    deleted = imported("remark42", "c-3")
    assert deleted.status == Status.DELETED and deleted.reply_count == 1
    before = db_state()
    run("import", "remark42", str(FIXTURES / "remark42.jsonl"), "--site", "blog")
    assert db_state() == before


@pytest.mark.parametrize(("content", "message"), [
    ('{"version":1}\n{"id":"a","locator":{"url":"https://blog.example/a"},"time":"2016-09-20T09:00:00Z"}\n{"id":', r"line 3: not JSON"),
    ('{"version":1}\n{"id":"a","locator":{"url":"https://blog.example/a"},"time":"yesterday"}\n', r"line 2 \(comment a\): 'yesterday' is not a date"),
    ('{"version":1}\n{"id":"a","locator":{"url":"https://blog.example/a"},"time":"2016-09-20T09:00:00Z"}\n'
     '{"id":"a","locator":{"url":"https://blog.example/a"},"time":"2016-09-20T09:00:00Z"}\n', r"line 3 \(comment a\): duplicate comment id 'a' \(first at line 2"),
    ('[1, 2]\n', r"line 1: expected a JSON object"),
    ('{"users": []}\n', r"line 1: this is not a Remark42 backup"),
])
def test_broken_remark42_files(site: Site, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "backup.jsonl"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        run("import", "remark42", str(path), "--site", "blog")
    assert db_state() == (0, 0, 0)
