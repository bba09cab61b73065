"""A flood through the API: a burst of simultaneous posts from a fresh address gets exactly the
limit through, with the counter table and with Redis, and another client is served meanwhile.
Before the counts were atomic, 22-34 of 40 simultaneous posts passed a limit of 10 (14-17 with
Redis)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import Client

from townhall.comments.models import Site
from townhall.comments.services import site_create
from townhall.core.testing import ORIGIN, PAGE, post_json
from townhall.core.tests.test_throttles import burst, store

__all__ = ["store"]
pytestmark = pytest.mark.usefixtures("concurrent_db")


@pytest.fixture
def site(concurrent_db: None) -> Site:
    return site_create(slug="blog", name="A blog", origins=[ORIGIN])


def test_a_burst_of_40_simultaneous_posts_gets_exactly_the_limit_through(site: Site, store: str, settings: Any) -> None:
    settings.RATE_WRITE = "10/min"

    def post(i: int) -> int:
        body = {"site": "blog", "url": PAGE, "text": f"Burst comment number {i}.", "author_name": f"Flood {i}"}
        return int(post_json(Client(REMOTE_ADDR="198.51.100.7"), "/api/v1/comments", body, Origin=ORIGIN).status_code)

    statuses = burst(40, post)
    assert sorted(set(statuses)) == [201, 429], statuses
    assert statuses.count(201) == 10
    # Another client is served at once, its budget untouched by the flood.
    started = time.monotonic()
    other = post_json(Client(REMOTE_ADDR="203.0.113.9"), "/api/v1/comments",
                      {"site": "blog", "url": PAGE, "text": "Not a flood.", "author_name": "Calm"}, Origin=ORIGIN)
    assert other.status_code == 201 and time.monotonic() - started < 3


