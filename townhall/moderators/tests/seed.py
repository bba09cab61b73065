"""The seed thread (the Mosul article's comment section) loaded THROUGH the moderation
pipeline, in time order, as if posted live on a site that is English-only and post-moderated."""

from __future__ import annotations

from townhall.comments.models import Site, Thread
from townhall.comments.services import comment_create, site_create
from townhall.core.errors import DomainError
from townhall.moderation.replay import SEED_POLICY, seed_comments
from townhall.moderation.services import policy_update

SEED_ORIGIN = "https://news.example"
SEED_URL = SEED_ORIGIN + "/2016/09/mosul"


def seed_site() -> Site:
    site = site_create(slug="news", name="News blog", origins=[SEED_ORIGIN], rules="This is an English-only weblog.")
    policy_update(site=site, **SEED_POLICY)
    return site


def seed_load(site: Site) -> Thread:
    ids: dict[int, int] = {}
    for item in seed_comments():
        parent = ids.get(item["parent_ref"]) if item["parent_ref"] is not None else None
        try:
            written = comment_create(
                site=site, url=SEED_URL, title="Signs of panic, rebellion in the heart of I.S.'s caliphate",
                text=item["text"], author_name=item["author"], parent_id=parent, created=item["created"],
                acknowledged_warning=True, enforce_limits=False,
            )
        except DomainError:
            continue  # refused outright: nothing stored, replies to it go to the top
        ids[item["ref"]] = written.comment.pk
    return Thread.objects.get(site=site, url=SEED_URL)
