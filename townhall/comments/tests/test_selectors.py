"""A cold thread page (nothing cached) costs the same few queries whatever its size."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from townhall.comments.cache import page_cache, site_cache
from townhall.comments.models import Site
from townhall.comments.tests.factories import make_comment
from townhall.core.testing import PAGE

pytestmark = pytest.mark.django_db


def cold_page(client: Client, limit: int) -> tuple[int, dict]:
    page_cache.clear()
    site_cache.get("blog")  # the site is cached for seconds in every process: not a page's cost
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/threads", {"site": "blog", "url": PAGE, "limit": str(limit)})
    assert response.status_code == 200
    return len(queries.captured_queries), response.json()


def test_a_page_of_comments_and_their_first_replies_costs_at_most_4_queries_whatever_its_size(client: Client, site: Site) -> None:
    for i in range(12):
        top = make_comment(site, text=f"Top {i}")
        for j in range(2 if i % 3 else 12):  # some branches have more replies than a page shows
            reply = make_comment(site, parent=top, text=f"Reply {i}.{j}")
        make_comment(site, parent=reply, text=f"Deeper {i}")
    small, small_page = cold_page(client, 3)
    large, large_page = cold_page(client, 12)
    assert small == large <= 4
    assert len(large_page["comments"]) == 12
    first = large_page["comments"][0]
    assert len(first["replies"]) == site.replies_per_page and first["replies_cursor"]  # 13 replies under it
    assert [r["html"] for r in large_page["comments"][1]["replies"]] == ["<p>Reply 1.0</p>", "<p>Reply 1.1</p>"]
    assert large_page["comments"][1]["replies"][1]["replies"][0]["html"] == "<p>Deeper 1</p>"
    assert large_page["comments"][1]["replies_cursor"] is None
