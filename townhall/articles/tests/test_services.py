"""The quote check end to end: an article's text arrives once per version, comments' quotes are
marked when they are written or the article changes, and the marks are in the public JSON."""

from __future__ import annotations

from typing import Any

from django.test import Client

from townhall.articles.models import Article, ArticleSource
from townhall.articles.services import article_submit
from townhall.comments.models import Comment, Site, Thread
from townhall.comments.services import site_article_key
from townhall.comments.tests.factories import make_comment
from townhall.conftest import ORIGIN, PAGE, post_json

ARTICLE = (
    "Mosul is the largest city under Islamic State control and is central to its narrative of having "
    "restored the Islamic caliphate.\n\nThe militants have constructed new berms around neighborhoods on "
    "the north, east and south sides of the city, he said."
)
QUOTING = "As the article says: “The militants have constructed new berms around neighborhoods on the north side”"


def test_the_page_gives_the_first_text_only_and_the_cms_replaces_it_with_its_key(
    site: Site, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    quoting = make_comment(site, text=QUOTING)
    body = {"site": "blog", "url": PAGE, "text": "Some other text entirely, nothing like it at all."}
    with django_capture_on_commit_callbacks(execute=True):
        first = post_json(client, "/api/v1/articles", body, Origin=ORIGIN)
    assert first.status_code == 201 and first.json()["source"] == "page"
    assert Comment.objects.get(pk=quoting.pk).quotes[0]["kind"] == "missing"
    # The same text again changes nothing; another text from a page is refused.
    assert post_json(client, "/api/v1/articles", body, Origin=ORIGIN).status_code == 200
    other = post_json(client, "/api/v1/articles", {**body, "text": ARTICLE}, Origin=ORIGIN)
    assert other.status_code == 409 and other.json()["code"] == "article_exists"
    # A page of another origin may not give it at all.
    assert post_json(client, "/api/v1/articles", body, Origin="https://evil.example").status_code == 403

    put = {"site": "blog", "url": PAGE, "text": ARTICLE}
    no_key = client.put("/api/v1/articles", put, content_type="application/json")
    assert no_key.status_code == 403 and no_key.json()["code"] == "bad_article_key"
    key = site_article_key(site=site)
    with django_capture_on_commit_callbacks(execute=True):
        cms = client.put("/api/v1/articles", put, content_type="application/json", headers={"Authorization": f"Bearer {key}"})
    assert cms.status_code == 200 and cms.json()["version"] == 2 and cms.json()["source"] == "cms"
    thread = Thread.objects.get(site=site, url=PAGE)
    assert thread.article_hash == cms.json()["hash"] == Article.objects.get(thread=thread).hash
    # The article changed: the quote is checked again, and found now.
    mark = Comment.objects.get(pk=quoting.pk).quotes[0]
    assert mark["kind"] == "article" and mark["passage"].startswith("The militants have constructed new berms")
    # A rotated key stops the old one at once.
    site_article_key(site=site, rotate=True)
    again = client.put("/api/v1/articles", put, content_type="application/json", headers={"Authorization": f"Bearer {key}"})
    assert again.status_code == 403


def test_an_article_has_its_own_size_limit_and_is_plain_text(site: Site, client: Client, settings: Any) -> None:
    settings.ARTICLE_MAX_CHARS = 50
    r = post_json(client, "/api/v1/articles", {"site": "blog", "url": PAGE, "text": "x" * 51}, Origin=ORIGIN)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "text"
    empty = post_json(client, "/api/v1/articles", {"site": "blog", "url": PAGE, "text": " \n "}, Origin=ORIGIN)
    assert empty.status_code == 422 and empty.json()["errors"][0]["code"] == "required"
    written = article_submit(site=site, url=PAGE, text="  One   line.\n\n\n\nTwo.  ", source=ArticleSource.MODERATOR)
    assert written.article.text == "One line.\n\nTwo."


def test_without_an_article_a_quote_gets_no_mark_unless_it_quotes_a_comment(
    site: Site, django_capture_on_commit_callbacks: Any
) -> None:
    first = make_comment(site, text="I never said the war would be over by the end of this very year.",
                         author_name="Ann")
    with django_capture_on_commit_callbacks(execute=True):
        reply = make_comment(site, parent=first, author_name="Bob", text=(
            "You did: “I never said the war would be over by the end of this year.” And "
            "“something nobody here ever wrote in any comment at all”."))
    from townhall.comments import events

    with django_capture_on_commit_callbacks(execute=True):
        events.comment_published(reply)
    marks = Comment.objects.get(pk=reply.pk).quotes
    assert [(m["kind"], m["comment"], m["author"]) for m in marks] == [("comment", first.pk, "Ann")]


def test_a_long_article_fits_the_articles_own_body_limit_not_a_comments(site: Site, client: Client) -> None:
    key = site_article_key(site=site)
    long_text = ("Paragraph of the article with enough words to be a real one. " * 8 + "\n\n") * 120  # ~60,000 chars
    cms = client.put("/api/v1/articles", {"site": "blog", "url": PAGE, "text": long_text},
                     content_type="application/json", headers={"Authorization": f"Bearer {key}"})
    assert cms.status_code == 200, cms.content
    huge = client.put("/api/v1/articles", {"site": "blog", "url": PAGE, "text": "y" * 1_300_000},
                      content_type="application/json", headers={"Authorization": f"Bearer {key}"})
    assert huge.status_code == 413 and "an article" in huge.json()["message"]
