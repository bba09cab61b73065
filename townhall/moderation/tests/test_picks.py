"""Editors' picks (featured through moderation's one service) in the thread page, the `picks`
order, and the site's default order."""

from __future__ import annotations

import pytest
from django.test import Client

from townhall.comments.models import Site
from townhall.comments.services import site_update
from townhall.comments.tests.factories import make_comment
from townhall.core.errors import ValidationFailed
from townhall.core.testing import PAGE
from townhall.moderation.services import comment_feature


def test_picks_first_pages_through_picks_then_the_rest_oldest_first(site: Site, client: Client) -> None:
    made = [make_comment(site, text=f"Comment {i}.") for i in range(5)]
    for i in (1, 3):
        comment_feature(comment=made[i], featured=True)
    ids: list[int] = []
    cursor = None
    while True:
        params = {"site": "blog", "url": PAGE, "sort": "picks", "limit": "2", **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/threads", params).json()
        ids += [c["id"] for c in page["comments"]]
        assert [p["id"] for p in page["picks"]] == [made[1].pk, made[3].pk]
        cursor = page["cursor"]
        if not cursor:
            break
    assert ids == [made[i].pk for i in (1, 3, 0, 2, 4)]
    # A pick that is no longer published is no longer pinned.
    made[3].status = "deleted"
    made[3].save(update_fields=["status"])
    comment_feature(comment=made[0], featured=False)  # bumps the version
    assert [p["id"] for p in client.get("/api/v1/threads", {"site": "blog", "url": PAGE}).json()["picks"]] == [made[1].pk]


def test_the_sites_default_order_applies_until_the_reader_chooses(site: Site, client: Client) -> None:
    older, newer = make_comment(site, text="Older."), make_comment(site, text="Newer.")
    assert client.get("/api/v1/config", {"site": "blog"}).json()["default_sort"] == "oldest"
    site_update(site=site, default_sort="newest")
    page = client.get("/api/v1/threads", {"site": "blog", "url": PAGE}).json()
    assert page["sort"] == "newest" and [c["id"] for c in page["comments"]] == [newer.pk, older.pk]
    assert client.get("/api/v1/threads", {"site": "blog", "url": PAGE, "sort": "oldest"}).json()["sort"] == "oldest"
    assert client.get("/api/v1/config", {"site": "blog"}).json()["default_sort"] == "newest"
    with pytest.raises(ValidationFailed, match="default_sort"):
        site_update(site=site, default_sort="sideways")
