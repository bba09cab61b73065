"""The demo: the seed article and its 60-comment thread, loaded once into the site `demo`."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction

from townhall.comments.models import Site, SiteOrigin, Thread
from townhall.comments.services import comment_create, site_create

DEMO_SLUG = "demo"
SEED_FILE = Path(__file__).parent / "seed" / "mosul-thread.json"
# The article's canonical address (a reserved example domain): the thread is keyed by it, so
# it stays one thread whatever host and port the demo is served on.
DEMO_URL = "https://news.example/2016/09/signs-of-panic-rebellion-in-caliphate"
DEMO_ORIGIN = "https://news.example"
# The article is from September 2016; the replies span about two days after it.
ARTICLE_TIME = datetime(2016, 9, 20, 9, 30, tzinfo=UTC)
RULES = "This is an English-only weblog. Stay on topic, argue with the point and not the person, no insults."


@cache
def load_seed_document() -> dict[str, Any]:
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def seed_timestamps(count: int) -> list[datetime]:
    """Plausible, deterministic times: a first burst within the hour, then gaps of minutes to
    hours, ending about two days after the article."""
    times, t = [], ARTICLE_TIME + timedelta(minutes=40)
    for i in range(count):
        gap = 4 + zlib.crc32(f"seed-{i}".encode()) % 90  # 4..93 minutes, repeatable
        t += timedelta(minutes=gap)
        times.append(t)
    return times


def demo_site_ensure(*, serving_origins: list[str]) -> Site:
    site = Site.objects.filter(slug=DEMO_SLUG).first()
    if site is None:
        site = site_create(
            slug=DEMO_SLUG,
            name="News blog (demo)",
            origins=[DEMO_ORIGIN, *serving_origins],
            rules=RULES,
            display_depth=5,
            edit_window_minutes=15,
        )
        from townhall.moderation.services import policy_update

        # The seed blog was "an English-only weblog", post-moderated.
        policy_update(site=site, languages=["en"], post_moderation=True)
    else:
        for origin in serving_origins:
            SiteOrigin.objects.get_or_create(site=site, origin=origin)
    return site


def demo_load(*, serving_origins: list[str]) -> tuple[Site, int]:
    """Create the demo site and the seed thread. Running it again adds nothing.
    The seed comments are loaded as published: moderation does not run on them."""
    site = demo_site_ensure(serving_origins=serving_origins)
    if Thread.objects.filter(site=site, url=DEMO_URL, comment_count__gt=0).exists():
        return site, 0
    doc = load_seed_document()
    comments = doc["comments"]
    ids: dict[int, int] = {}
    with transaction.atomic():
        for item, created in zip(comments, seed_timestamps(len(comments)), strict=True):
            written = comment_create(
                site=site,
                url=DEMO_URL,
                title=doc["article"]["title"],
                parent_id=ids[item["parent"]] if item["parent"] else None,
                text=item["text"],
                author_name=item["author"] or "",
                created=created,
                moderate=False,
            )
            ids[item["id"]] = written.comment.pk
    return site, len(ids)
