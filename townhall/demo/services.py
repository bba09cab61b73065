"""The demo: the seed article and its thread, loaded once into the site `demo` through the
moderation pipeline, in time order, with the seed site's policy, so the first start shows what
the pipeline makes of it: the flame war under comment 5, the held comments in the queue, the
thread-health picture."""

from __future__ import annotations

from django.db import transaction

from townhall.articles.models import ArticleSource
from townhall.articles.services import article_submit
from townhall.comments.models import Site, SiteOrigin, Thread
from townhall.comments.services import site_article_key, site_create
from townhall.moderation.seed import SEED_POLICY, SEED_RULES, load_seed_document, seed_timestamps
from townhall.moderation.services import policy_update
from townhall.posting.services import ImportRow, comment_import

__all__ = ["DEMO_SLUG", "DEMO_URL", "demo_load", "demo_site_ensure", "load_seed_document"]

DEMO_SLUG = "demo"
# The article's canonical address (a reserved example domain): the thread is keyed by it, so
# it stays one thread whatever host and port the demo is served on.
DEMO_URL = "https://news.example/2016/09/signs-of-panic-rebellion-in-caliphate"
DEMO_ORIGIN = "https://news.example"


def demo_site_ensure(*, serving_origins: list[str]) -> Site:
    site = Site.objects.filter(slug=DEMO_SLUG).first()
    if site is None:
        site = site_create(
            slug=DEMO_SLUG,
            name="News blog (demo)",
            origins=[DEMO_ORIGIN, *serving_origins],
            rules=SEED_RULES,
            display_depth=5,
            edit_window_minutes=15,
        )
        policy_update(site=site, **SEED_POLICY)
    else:
        for origin in serving_origins:
            SiteOrigin.objects.get_or_create(site=site, origin=origin)
    return site


def demo_load(*, serving_origins: list[str]) -> tuple[Site, int]:
    """Create the demo site and load the seed thread through the pipeline. Running it again adds
    nothing. Returns the site and how many comments were added now."""
    site = demo_site_ensure(serving_origins=serving_origins)
    if Thread.objects.filter(site=site, url=DEMO_URL).exists():
        return site, 0
    doc = load_seed_document()
    comments = doc["comments"]
    rows = [
        ImportRow(ref=item["id"], parent_ref=item["parent"], text=item["text"], created=created,
                  author_name=item["author"] or "")
        for item, created in zip(comments, seed_timestamps(len(comments)), strict=True)
    ]
    with transaction.atomic():
        # The demo is the site's CMS: it gives the article's text with the site's key, first, so
        # the import's one pass of the quote check reads it.
        article_submit(site=site, url=DEMO_URL, text="\n\n".join(doc["article"]["paragraphs"]),
                       title=doc["article"]["title"], source=ArticleSource.CMS, key=site_article_key(site=site))
        done = comment_import(site=site, url=DEMO_URL, rows=rows, title=doc["article"]["title"], source="seed")
    return site, sum(1 for d in done if d.comment is not None)
