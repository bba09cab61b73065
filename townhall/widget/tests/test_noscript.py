"""The no-JavaScript fallback pages (/embed/thread, /embed/comments/{id}), with Django's client
so the middleware (CSP) runs too."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from townhall.comments.models import Comment, Site, Status, Thread
from townhall.comments.selectors import SORTS
from townhall.comments.services import comment_delete, comment_set_status, site_update
from townhall.comments.tests.factories import make_comment
from townhall.demo.services import DEMO_URL, demo_load, load_seed_document
from townhall.posting.services import comment_create

pytestmark = pytest.mark.django_db


class Comments(HTMLParser):
    """Which comment (by element id) each comment article is nested in, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.parents: dict[str, str | None] = {}
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "article":
            own = a.get("id")
            self.parents[own or ""] = next((s for s in reversed(self.stack) if s), None)
            self.stack.append(own)
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.stack.pop()


def parse(html: str) -> Comments:
    p = Comments()
    p.feed(html)
    return p


@pytest.fixture
def demo() -> dict[int, int]:
    site, _ = demo_load(serving_origins=[])
    seed = load_seed_document()["comments"]
    rows = Comment.objects.filter(thread__site=site).order_by("id").values_list("id", flat=True)
    return {item["id"]: pk for item, pk in zip(seed, rows, strict=True)}


def published(demo: dict[int, int]) -> set[int]:
    """The demo's published comments (it is loaded through the pipeline: some wait in the queue)."""
    return set(Comment.objects.filter(pk__in=demo.values(), status=Status.PUBLISHED).values_list("id", flat=True))


def heading() -> str:
    n = Thread.objects.get(site__slug="demo").comment_count
    return f"{n} comment{'s' if n != 1 else ''}"


def thread_page(client: Client, **params: str) -> Any:
    return client.get("/embed/thread", {"site": "demo", "url": DEMO_URL, **params})


def test_thread_page_renders_the_first_page_nested(client: Client, demo: dict[int, int]) -> None:
    response = thread_page(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1 class=\"th-count\">{len(published(demo))} comments</h1>" in html
    assert "takes a while for the underground to show" in html
    # Comment 3 is held by the pipeline ("worthless crap article"): it keeps its place as a
    # placeholder without its text, and the reply to it stays readable beneath.
    assert Comment.objects.get(pk=demo[3]).status == Status.PENDING
    assert "Still trying to sell that worthless crap article?" not in html
    assert "This comment is awaiting moderation." in html
    parsed = parse(html)
    assert parsed.parents[f"comment-{demo[1]}"] is None
    assert parsed.parents[f"comment-{demo[3]}"] == f"comment-{demo[1]}"
    assert parsed.parents[f"comment-{demo[5]}"] == f"comment-{demo[4]}"
    assert parsed.parents[f"comment-{demo[6]}"] == f"comment-{demo[5]}"
    # The site's rules and a link back to the article.
    assert "English-only" in html
    assert f'href="{DEMO_URL}"' in html


def test_more_replies_pages_reach_every_reply(client: Client, demo: dict[int, int]) -> None:
    seen = set(parse(thread_page(client).content.decode()).parents)
    link: str | None = next(u for u in parse(thread_page(client).content.decode()).links if u.startswith("/embed/comments/"))
    pages = 0
    while link:
        response = client.get(link)
        assert response.status_code == 200
        parsed = parse(response.content.decode())
        seen |= set(parsed.parents)
        link = next((u for u in parsed.links if re.match(r"^/embed/comments/\d+\?cursor=", u)), None)
        pages += 1
    assert pages >= 4
    # Every published comment is reachable, and the count is what a reader can see; the only
    # others are placeholders of held comments, each kept for a published reply somewhere beneath
    # it (a held reply to a held comment keeps its own placeholder too).
    expected = {f"comment-{pk}" for pk in published(demo)}
    assert expected <= seen
    for extra in seen - expected:
        held = Comment.objects.get(pk=int(extra.removeprefix("comment-")))
        assert held.status != Status.PUBLISHED
        below = Comment.objects.filter(thread_id=held.thread_id, path__startswith=held.path).exclude(pk=held.pk)
        assert below.filter(status=Status.PUBLISHED).exists()
    assert f"{len(expected)} comments" == heading()


def test_a_held_parent_stays_as_a_placeholder_over_its_published_replies(
    client: Client, site: Site
) -> None:
    url = "https://blog.example/post"
    # Written by the store, not the pipeline: this is about what readers see, whatever it scores.
    parent = make_comment(site, url=url, text="A parent that will be held", author_name="Held Author")
    reply = make_comment(site, url=url, text="A published reply", author_name="B", parent=parent)
    comment_set_status(comment=parent, status=Status.PENDING)
    html = client.get("/embed/thread", {"site": site.slug, "url": url}).content.decode()
    parsed = parse(html)
    assert parsed.parents[f"comment-{reply.pk}"] == f"comment-{parent.pk}"
    assert "This comment is awaiting moderation." in html and "th-held" in html
    assert "A parent that will be held" not in html and "Held Author" not in html
    assert "<h1 class=\"th-count\">1 comment</h1>" in html
    # The same for a rejected parent; its reply's own page shows it too.
    comment_set_status(comment=parent, status=Status.REJECTED)
    html = client.get("/embed/thread", {"site": site.slug, "url": url}).content.decode()
    assert "A published reply" in html and "A parent that will be held" not in html
    page = client.get(f"/embed/comments/{parent.pk}")
    assert page.status_code == 200 and "A published reply" in page.content.decode()
    assert "Held Author" not in page.content.decode()


def test_next_page_link_for_top_level_comments(client: Client, demo: dict[int, int]) -> None:
    site = Site.objects.get(slug="demo")
    site_update(site=site, page_size=1)
    extra = comment_create(site=site, url=DEMO_URL, text="A second top-level comment", author_name="B")
    parsed = parse(thread_page(client).content.decode())
    assert f"comment-{extra.comment.pk}" not in parsed.parents
    nxt = next(u for u in parsed.links if "cursor=" in u and u.startswith("/embed/thread"))
    second = client.get(nxt).content.decode()
    assert "A second top-level comment" in second
    assert "First page" in second


def test_sort_links_and_order(client: Client, demo: dict[int, int]) -> None:
    site = Site.objects.get(slug="demo")
    comment_create(site=site, url=DEMO_URL, text="Newest top-level", author_name="C")
    html = thread_page(client, sort="newest").content.decode()
    assert html.index("Newest top-level") < html.index("takes a while for the underground")
    assert 'aria-current="page">newest<' in html
    # An unknown sort falls back to oldest rather than failing.
    assert thread_page(client, sort="sideways").status_code == 200


def test_untrusted_text_is_escaped(client: Client, site: Site) -> None:
    comment_create(
        site=site, url="https://blog.example/post",
        author_name='<script>alert("name")</script>', text='<img src=x onerror="alert(1)"> hello',
    )
    response = client.get("/embed/thread", {"site": "blog", "url": "https://blog.example/post"})
    html = response.content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<img" not in html
    # Served under the strict CSP, with no inline script at all.
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script" not in html


def test_only_http_websites_become_links(client: Client, site: Site) -> None:
    url = "https://blog.example/post"
    ok = comment_create(site=site, url=url, text="Linked", author_name="Web", author_website="https://web.example")
    odd = comment_create(site=site, url=url, text="Imported", author_name="Odd")
    # As an importer might store it, bypassing the form's validation.
    Comment.objects.filter(pk=odd.comment.pk).update(author_website="javascript:alert(1)")
    html = client.get("/embed/thread", {"site": "blog", "url": url}).content.decode()
    assert 'href="https://web.example"' in html
    assert "javascript:" not in html
    assert ok.comment.pk


def test_deleted_comment_with_replies_keeps_its_place(client: Client, site: Site) -> None:
    url = "https://blog.example/post"
    parent = comment_create(site=site, url=url, text="Soon gone", author_name="A")
    comment_create(site=site, url=url, text="A reply stays", author_name="B", parent_id=parent.comment.pk)
    comment_delete(comment_id=parent.comment.pk, edit_token=parent.edit_token)
    html = client.get("/embed/thread", {"site": "blog", "url": url}).content.decode()
    assert "This comment was deleted." in html
    assert "Soon gone" not in html
    assert "A reply stays" in html


def test_empty_thread_and_errors(client: Client, site: Site) -> None:
    empty = client.get("/embed/thread", {"site": "blog", "url": "https://blog.example/nothing-yet"})
    assert empty.status_code == 200
    assert "No comments yet." in empty.content.decode()
    assert client.get("/embed/thread", {"site": "nope", "url": "https://blog.example/x"}).status_code == 404
    assert client.get("/embed/thread", {"site": "blog", "url": "https://elsewhere.example/x"}).status_code == 422
    comment_create(site=site, url="https://blog.example/x", text="Here", author_name="A")
    bad_cursor = client.get("/embed/thread", {"site": "blog", "url": "https://blog.example/x", "cursor": "junk"})
    assert bad_cursor.status_code == 422
    assert "not a cursor" in bad_cursor.content.decode()
    assert client.get("/embed/comments/999999").status_code == 404


def test_demo_page_embeds_the_widget_with_its_noscript_link(client: Client, demo: dict[int, int]) -> None:
    response = client.get("/")
    html = response.content.decode()
    assert f'<link rel="canonical" href="{DEMO_URL}">' in html
    assert re.search(r'<script defer src="/static/townhall/embed\.js"></script>', html)
    assert f'<a href="#comments" data-townhall-count>{heading()}</a>' in html
    noscript = re.search(r'<div id="townhall" data-site="demo"><noscript><a href="([^"]+)">', html)
    assert noscript
    follow = client.get(noscript.group(1).replace("&amp;", "&"))
    assert follow.status_code == 200 and heading() in follow.content.decode()
    # No inline script or style in the page's own HTML: it runs under script-src/style-src 'self'.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "style=" not in html and "<style" not in html


def test_static_widget_files_are_served(client: Client) -> None:
    for name in ("embed.js", "embed.css", "count.js", "live.js"):
        response = client.get(f"/static/townhall/{name}")
        assert response.status_code == 200, name


def test_the_widget_offers_the_sorts_the_server_knows() -> None:
    js = (Path(__file__).parents[1] / "static" / "townhall" / "embed.js").read_text()
    found = re.search(r"const SORTS = \[([^\]]*)\]", js)
    assert found and tuple(re.findall(r"'(\w+)'", found.group(1))) == SORTS


def test_continuation_page_says_whom_each_reply_answers(client: Client, demo: dict[int, int]) -> None:
    # The "more replies" page of comment 1 is its whole branch: most of it answers Rudy1947's
    # comment 5, not 5thDrawer's comment 1, and the page must not claim otherwise.
    link = next(u for u in parse(thread_page(client).content.decode()).links if u.startswith("/embed/comments/"))
    html = client.get(link).content.decode()
    assert "Replies to 5thDrawer" not in html
    assert "The conversation under <bdi>5thDrawer</bdi>'s comment" in html
    under_5 = [pk for seed_id, pk in demo.items() if seed_id > 5
               and Comment.objects.filter(pk=pk, parent_id=demo[5], status=Status.PUBLISHED).exists()]
    shown = [pk for pk in under_5 if f'id="comment-{pk}"' in html]
    assert shown, "the page lists replies to comment 5"
    assert html.count(f'in reply to <a href="/embed/comments/{demo[5]}"><bdi>Rudy1947</bdi></a>') == len(shown)
