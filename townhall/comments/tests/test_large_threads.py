"""The read path's work depends on the page size, never on the thread's size.

Each test reads the first page of a 100,000-comment thread and of a 10-comment thread of the
same shape, counting queries AND rows fetched from the database (one query that loads
everything would pass a query count but not this), and on SQLite checks that every query is an
index range search, not a scan or a sort of the table.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.test.utils import CaptureQueriesContext

from townhall.comments.cache import page_cache, site_cache
from townhall.comments.models import Site
from townhall.comments.services import site_create, site_update
from townhall.comments.tests.factories import bulk_thread

pytestmark = pytest.mark.django_db
BIG = 100_000


@contextmanager
def rows_fetched(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    counter = [0]

    def wrap(name: str) -> Callable[..., Any]:
        def fetch(self: CursorWrapper, *args: Any) -> Any:
            result = getattr(self.cursor, name)(*args)
            if name == "fetchone":
                counter[0] += result is not None
            else:
                counter[0] += len(result)
            return result

        return fetch

    for name in ("fetchone", "fetchmany", "fetchall"):
        monkeypatch.setattr(CursorWrapper, name, wrap(name), raising=False)
    yield counter


def read(client: Client, monkeypatch: pytest.MonkeyPatch, path: str, params: dict[str, Any]) -> tuple[list[str], int, Any]:
    page_cache.clear()
    site_cache.clear()
    with CaptureQueriesContext(connection) as queries, rows_fetched(monkeypatch) as rows:
        response = client.get(path, params)
    assert response.status_code == 200, response.content
    return [q["sql"] for q in queries.captured_queries], rows[0], response.json()


def assert_index_searches(sqls: list[str]) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for sql in sqls:
            if "comments_comment" not in sql:
                continue
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
            # "SCAN b0": reading a UNION ALL branch's own LIMITed result, not a table.
            plan = re.sub(r"SCAN b\d+", "", plan)
            assert "SCAN" not in plan and "TEMP B-TREE" not in plan, f"{plan}\n{sql}"


@pytest.fixture
def small_site(db: None) -> Site:
    site = site_create(slug="small", name="Small", origins=["https://blog.example"])
    site_update(site=site, page_size=5, replies_per_page=5)
    return site


def shape(sqls: list[str]) -> list[str]:
    # Same statements, whatever the literal ids and paths in them.
    import re

    return [re.sub(r"'[^']*'|\b\d+\b", "?", s) for s in sqls]


def test_first_page_of_100k_top_level_costs_what_10_cost(client: Client, small_site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    small_url, big_url = "https://blog.example/small", "https://blog.example/big"
    bulk_thread(small_site, top_level=10, url=small_url)
    bulk_thread(small_site, top_level=BIG, url=big_url)
    for sort in ("oldest", "newest", "top"):
        s_sql, s_rows, s_body = read(client, monkeypatch, "/api/v1/threads", {"site": "small", "url": small_url, "sort": sort})
        b_sql, b_rows, b_body = read(client, monkeypatch, "/api/v1/threads", {"site": "small", "url": big_url, "sort": sort})
        assert len(b_body["comments"]) == 5 and b_body["cursor"] and b_body["thread"]["count"] == BIG
        assert shape(b_sql) == shape(s_sql)
        assert b_rows == s_rows <= 10
        assert_index_searches(b_sql)
        # The second page costs the same again.
        n_sql, n_rows, _ = read(client, monkeypatch, "/api/v1/threads",
                                {"site": "small", "url": big_url, "sort": sort, "cursor": b_body["cursor"]})
        assert len(n_sql) == len(b_sql) and n_rows == b_rows
        assert_index_searches(n_sql)


def test_first_page_of_a_comment_with_100k_replies_costs_what_10_cost(client: Client, small_site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    small_url, big_url = "https://blog.example/small", "https://blog.example/big"
    bulk_thread(small_site, replies_to_first=9, url=small_url)
    big = bulk_thread(small_site, replies_to_first=BIG, url=big_url)
    s_sql, s_rows, _ = read(client, monkeypatch, "/api/v1/threads", {"site": "small", "url": small_url})
    b_sql, b_rows, body = read(client, monkeypatch, "/api/v1/threads", {"site": "small", "url": big_url})
    root = body["comments"][0]
    assert len(root["replies"]) == 5 and root["replies_cursor"] and root["reply_count"] == BIG
    assert shape(b_sql) == shape(s_sql) and b_rows == s_rows <= 12
    assert_index_searches(b_sql)
    # Paging deep into the replies stays as cheap.
    root_id = big.comments.filter(depth=0).get().pk
    r_sql, r_rows, page = read(client, monkeypatch, f"/api/v1/comments/{root_id}/replies", {"cursor": root["replies_cursor"]})
    assert len(page["replies"]) == 5 and r_rows <= 12 and len(r_sql) <= 4
    assert_index_searches(r_sql)


def test_counts_for_10_urls_cost_one_query(client: Client, small_site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    bulk_thread(small_site, top_level=BIG // 10, url="https://blog.example/big")
    urls = [f"https://blog.example/{i}" for i in range(9)] + ["https://blog.example/big"]
    sqls, rows, body = read(client, monkeypatch, "/api/v1/counts", {"site": "small", "url": urls})
    assert body["counts"]["https://blog.example/big"] == BIG // 10
    assert len([s for s in sqls if "comments_thread" in s]) == 1 and rows <= 10 + 4
