"""The pending queue's cost does not grow with the number of items on the page."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.comments.models import Site
from townhall.comments.tests.factories import make_comment
from townhall.moderators.tests.conftest import People, held, signed_in

# Measured before the sibling lookup was batched: 113 queries for 50 items (two per item).
MAX_QUERIES = 10


def test_fifty_pending_items_in_at_most_ten_queries(site: Site, people: People) -> None:
    # Replies under a few parents and top-level comments, so every item has siblings to show.
    parents = [make_comment(site, text=f"Parent {i}.", url=f"https://blog.example/p{i % 2}") for i in range(3)]
    for i in range(50):
        parent = parents[i % 4] if i % 4 < 3 else None
        held(site, text=f"Held {i}.", author_name=f"Reader {i % 7}", parent=parent,
             url=parent.thread.url if parent else "https://blog.example/p9")
    client = signed_in(people.moderator)
    client.get("/moderate/queue/pending/")  # the session and the site cache are warm from here on
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/moderate/queue/pending/")
    assert page.status_code == 200
    assert page.content.decode().count("data-item ") == 50
    assert page.content.decode().count('class="ctx sibling"') > 50  # the context is really there
    assert len(queries) <= MAX_QUERIES, "\n".join(q["sql"][:200] for q in queries.captured_queries)
