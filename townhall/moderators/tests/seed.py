"""The seed thread (the Mosul article's comment section) loaded THROUGH the moderation
pipeline, in time order, as if posted live on a site that is English-only and post-moderated."""

from __future__ import annotations

from townhall.comments.models import Site, Thread
from townhall.comments.services import site_create
from townhall.moderation.seed import SEED_POLICY, seed_comments
from townhall.moderation.services import policy_update
from townhall.posting.services import ImportRow, comment_import

SEED_ORIGIN = "https://news.example"
SEED_URL = SEED_ORIGIN + "/2016/09/mosul"


def seed_site() -> Site:
    site = site_create(slug="news", name="News blog", origins=[SEED_ORIGIN], rules="This is an English-only weblog.")
    policy_update(site=site, **SEED_POLICY)
    return site


def seed_load(site: Site) -> Thread:
    rows = [
        ImportRow(ref=item["ref"], parent_ref=item["parent_ref"], text=item["text"], created=item["created"],
                  author_name=item["author"])
        for item in seed_comments()
    ]
    comment_import(site=site, url=SEED_URL, rows=rows, title="Signs of panic, rebellion in the heart of I.S.'s caliphate",
                   source="seed")
    return Thread.objects.get(site=site, url=SEED_URL)
