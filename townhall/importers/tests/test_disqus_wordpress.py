from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from townhall.comments.models import VISIBLE, Comment, Site, Status, Thread
from townhall.comments.services import author_key
from townhall.importers.services import import_author_key
from townhall.importers.tests.helpers import FIXTURES, db_state, imported, run
from townhall.moderation.duplicates import find_repeat
from townhall.moderation.models import Shingle

PAGE = "https://blog.example/2016/09/article"


def thread_page(client: Client, url: str = PAGE) -> dict[str, Any]:
    response = client.get("/api/v1/threads", {"site": "blog", "url": url, "limit": "100"})
    assert response.status_code == 200, response.content
    return response.json()


def test_disqus_fixture_imports_with_parents_states_dates_and_counts(site: Site, client: Client) -> None:
    report = run("import", "disqus", str(FIXTURES / "disqus.xml"), "--site", "blog")

    # Two Disqus threads (one identifier, http and https) are one page here; the scraper's copy
    # and the moved page are outside the site's origins.
    thread = Thread.objects.get(site=site)
    assert thread.url == PAGE and thread.title == "The article"
    assert Comment.objects.filter(thread=thread).count() == 7
    assert "imported 7 comments in 1 threads" in report
    assert "skipped, thread outside the site's origins: 2" in report
    assert "https://elsewhere.example/copied-page" in report and "--map-url" in report

    first, early_reply = imported("disqus", "5001"), imported("disqus", "5003")
    assert early_reply.parent_id == first.pk and early_reply.depth == 1
    assert early_reply.path == first.path + f"{early_reply.pk:012d}"
    assert early_reply.created == datetime(2016, 9, 20, 9, 30, tzinfo=UTC)  # +02:00 in the file

    deleted, answer = imported("disqus", "5002"), imported("disqus", "5004")
    assert deleted.status == Status.DELETED and answer.parent_id == deleted.pk
    assert imported("disqus", "5006").status == Status.DELETED
    assert imported("disqus", "5005").status == Status.REJECTED
    orphan = imported("disqus", "5007")
    assert orphan.parent_id is None and "parent is not in the file, kept at the top level: 1" in report

    # Counters: the thread's count is its published comments; deleted 5002 stays as a placeholder.
    thread.refresh_from_db()
    published = Comment.objects.filter(thread=thread, status=Status.PUBLISHED).count()
    assert thread.comment_count == published == 4
    assert first.reply_count == 1 and deleted.reply_count == 1
    assert Comment.objects.filter(thread=thread).filter(VISIBLE).count() == 5

    page = thread_page(client)
    assert page["thread"]["count"] == 4
    top = {c["id"]: c for c in page["comments"]}
    assert set(top) == {first.pk, deleted.pk, orphan.pk}
    assert top[deleted.pk]["author"] is None  # the "deleted" placeholder
    assert [r["id"] for r in top[first.pk]["replies"]] == [early_reply.pk]

    # HTML became our Markdown, then our sanitised rendering; the script is gone.
    assert "**first**" in early_reply.text and "<b>" not in early_reply.text
    assert "<strong>first</strong>" in early_reply.html
    assert "script" not in first.html and "alert" not in first.text
    assert 'href="https://example.org/x"' in first.html

    # Authors: keyed by source and username; private fields kept private.
    assert early_reply.author_key == import_author_key("disqus", "bob_b", "Bob")
    assert early_reply.author_key != author_key(email="bob@example.com", name="Bob")
    assert early_reply.author_email == "bob@example.com"
    assert early_reply.ip == "203.0.113.0" and early_reply.ip_truncated  # past the retention window
    assert b"bob@example.com" not in client.get("/api/v1/threads", {"site": "blog", "url": PAGE}).content


def test_imported_comments_enter_the_near_duplicate_index(site: Site) -> None:
    run("import", "disqus", str(FIXTURES / "disqus.xml"), "--site", "blog")
    first = imported("disqus", "5001")
    assert Shingle.objects.filter(comment=first).exists()
    match, share = find_repeat(site=site, text=first.text, author_key="someone", since=datetime(2000, 1, 1, tzinfo=UTC),
                               containment=0.9)
    assert match == first.pk and share == 1.0


def test_reimport_adds_nothing_and_map_url_brings_in_the_moved_page(site: Site) -> None:
    path = str(FIXTURES / "disqus.xml")
    run("import", "disqus", path, "--site", "blog")
    before = db_state()
    version = Thread.objects.get().version
    report = run("import", "disqus", path, "--site", "blog")
    assert db_state() == before
    assert Thread.objects.get().version == version
    assert "already imported (left as they are): 7" in report

    report = run("import", "disqus", path, "--site", "blog", "--map-url", "https://old.blog.example/=https://blog.example/")
    moved = Thread.objects.get(url="https://blog.example/2015/01/moved")
    assert list(moved.comments.values_list("created", flat=True)) == [datetime(2015, 1, 2, 15, 0, tzinfo=UTC)]
    assert "imported 1 comments" in report


def test_dry_run_writes_nothing_and_says_what_it_would_do(site: Site) -> None:
    report = run("import", "disqus", str(FIXTURES / "disqus.xml"), "--site", "blog", "--dry-run")
    assert db_state() == (0, 0, 0)
    assert "would import 7 comments in 1 threads (1 new)" in report
    assert "thread outside the site's origins: 2" in report


def test_wordpress_fixture(site: Site, client: Client) -> None:
    report = run("import", "wordpress", str(FIXTURES / "wordpress.xml"), "--site", "blog")
    thread = Thread.objects.get(site=site)
    assert thread.url == PAGE and thread.title == "The article"
    assert "skipped, pingbacks: 1" in report and "skipped, trackbacks: 1" in report
    assert "skipped, block-editor notes: 1" in report

    ann, bob = imported("wordpress", "11"), imported("wordpress", "12")
    assert bob.parent_id == ann.pk  # whitespace inside <wp:comment_id> read the same
    assert ann.author_name == "Ann" and bob.author_website == "https://bob.example"
    assert ann.created == datetime(2016, 9, 20, 9, 0, tzinfo=UTC)  # the _gmt field
    assert ann.text == "Plain & simple, no CDATA.\n\nA second paragraph **bold**."
    assert bob.html == "<p>A reply before its parent.<br>\nSecond line of it.</p>"
    assert ann.author_key == import_author_key("wordpress", "user:3", "Ann")
    assert imported("wordpress", "16").status == Status.PENDING
    assert imported("wordpress", "17").status == Status.REJECTED
    trashed, answer = imported("wordpress", "18"), imported("wordpress", "19")
    assert trashed.status == Status.DELETED and answer.parent_id == trashed.pk and trashed.reply_count == 1
    thread.refresh_from_db()
    assert thread.comment_count == Comment.objects.filter(thread=thread, status=Status.PUBLISHED).count() == 3
    assert thread_page(client)["thread"]["count"] == 3
    # and once more: nothing new
    before = db_state()
    run("import", "wordpress", str(FIXTURES / "wordpress.xml"), "--site", "blog")
    assert db_state() == before


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_older_wxr_namespaces_read_the_same(site: Site, tmp_path: Path, version: str) -> None:
    text = (FIXTURES / "wordpress.xml").read_text().replace("export/1.2/", f"export/{version}/")
    path = tmp_path / "old.xml"
    path.write_text(text)
    run("import", "wordpress", str(path), "--site", "blog")
    assert Comment.objects.count() == 6
