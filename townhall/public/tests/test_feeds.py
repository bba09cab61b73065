"""RSS and Atom feeds of a thread and of a site: valid, published comments only, nothing private,
ETag and 304 by thread version, linked from the no-JS page."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import feedparser
import pytest
from django.test import Client

from townhall.comments.models import Comment, Site, Status
from townhall.comments.services import comment_delete, comment_set_status
from townhall.comments.tests.factories import make_comment
from townhall.core import tokens
from townhall.core.testing import PAGE

pytestmark = pytest.mark.django_db
OTHER_PAGE = "https://blog.example/2016/10/another"
PRIVATE = "never.shown@example.org"


def comments(site: Site) -> dict[str, Comment]:
    made = {
        "first": make_comment(site, text="First *take*.", author_name="Ann", author_email=PRIVATE),
        "anonymous": make_comment(site, text="No name given.", author_name=""),
        "held": make_comment(site, text="Held back.", author_name="Hal", status=Status.PENDING),
        "rejected": make_comment(site, text="Rejected words.", author_name="Rex"),
        "deleted": make_comment(site, text="Taken down.", author_name="Del"),
        "elsewhere": make_comment(site, url=OTHER_PAGE, text="On another page.", author_name="Eve", title="Another"),
    }
    made["reply"] = make_comment(site, parent=made["first"], text="A reply.", author_name="Bob", author_email=PRIVATE)
    comment_set_status(comment=made["rejected"], status=Status.REJECTED)
    comment_delete(comment_id=made["deleted"].pk, edit_token=tokens.edit_token_issue(made["deleted"].pk))
    return made


def parsed(response: Any) -> Any:
    assert response.status_code == 200, response.content
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.bozo_exception
    return feed


def check_entries(feed: Any, expected: list[Comment]) -> None:
    """Every item: guid, link, date and author name of a published comment, newest first."""
    assert [e.link for e in feed.entries] == [f"{c.thread.url}#comment-{c.pk}" for c in expected]
    for entry, comment in zip(feed.entries, expected, strict=True):
        assert entry.id == f"{comment.thread.url}#comment-{comment.pk}"
        assert tuple(entry.published_parsed[:6]) == comment.created.utctimetuple()[:6]
        assert entry.author == (comment.author_name or "Anonymous")
        assert unescape(comment.html).strip() in unescape(entry.summary)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_threads_feed_lists_its_published_comments_only(site: Site, client: Client, kind: str) -> None:
    made = comments(site)
    r = client.get(f"/feeds/blog/thread.{kind}", {"url": PAGE})
    assert r["Content-Type"].startswith(f"application/{kind}+xml")
    feed = parsed(r)
    check_entries(feed, [made["reply"], made["anonymous"], made["first"]])
    assert feed.feed.title == f"Comments on {made['first'].thread.title or PAGE}"
    assert PRIVATE not in r.content.decode() and "@" not in r.content.decode()


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_sites_feed_lists_every_pages_published_comments(site: Site, client: Client, kind: str) -> None:
    made = comments(site)
    r = client.get(f"/feeds/blog/comments.{kind}")
    feed = parsed(r)
    check_entries(feed, [made["reply"], made["elsewhere"], made["anonymous"], made["first"]])
    assert feed.feed.title == "A blog: newest comments" and feed.feed.link == "https://blog.example"
    assert PRIVATE not in r.content.decode()


def test_etag_and_304_follow_the_thread_version(site: Site, client: Client, django_assert_max_num_queries: Any) -> None:
    first = make_comment(site, text="One.")
    r = client.get("/feeds/blog/thread.rss", {"url": PAGE})
    etag = r["ETag"]
    assert client.get("/feeds/blog/thread.rss", {"url": PAGE}, HTTP_IF_NONE_MATCH=etag).status_code == 304
    with django_assert_max_num_queries(2):  # the site (cached) and the thread's version; no rendering
        again = client.get("/feeds/blog/thread.rss", {"url": PAGE})
    assert again.content == r.content and again["ETag"] == etag
    # Another format is another ETag.
    assert client.get("/feeds/blog/thread.atom", {"url": PAGE})["ETag"] != etag
    comment_set_status(comment=first, status=Status.PENDING)  # hidden: the version moves
    changed = client.get("/feeds/blog/thread.rss", {"url": PAGE}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag and parsed(changed).entries == []


def test_the_sites_feed_changes_when_any_thread_does(site: Site, client: Client) -> None:
    make_comment(site, text="One.")
    etag = client.get("/feeds/blog/comments.atom")["ETag"]
    assert client.get("/feeds/blog/comments.atom", HTTP_IF_NONE_MATCH=etag).status_code == 304
    make_comment(site, url=OTHER_PAGE, text="Elsewhere.")
    r = client.get("/feeds/blog/comments.atom", HTTP_IF_NONE_MATCH=etag)
    assert r.status_code == 200 and len(parsed(r).entries) == 2


def test_the_no_js_page_links_its_feeds(site: Site, client: Client) -> None:
    make_comment(site, text="Linked.", author_name="Ann")
    page = client.get("/embed/thread", {"site": "blog", "url": PAGE}).content.decode()
    links = re.findall(r'<link rel="alternate" type="application/(rss|atom)\+xml" title="[^"]+" href="([^"]+)">', page)
    assert {kind for kind, _ in links} == {"rss", "atom"} and len(links) == 3
    for _, href in links:
        assert parsed(client.get(unescape(href))).entries[0].author == "Ann"


def test_bad_requests_name_the_problem(site: Site, client: Client) -> None:
    missing = client.get("/feeds/blog/thread.rss")
    assert missing.status_code == 422 and missing.content.decode().startswith("url: is required")
    assert client.get("/feeds/blog/thread.rss", {"url": "https://elsewhere.example/x"}).status_code == 422
    assert client.get("/feeds/nope/comments.rss").status_code == 404
    assert client.get("/feeds/blog/comments.json").status_code == 404
    empty = parsed(client.get("/feeds/blog/thread.atom", {"url": PAGE + "/nobody-commented"}))
    assert empty.entries == []
