"""The read path's caches: a page is rendered once per thread version, its ETag follows the
version, and any change a reader could see gives a new page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.comments.cache import page_cache, site_cache, thread_page_cached
from townhall.comments.models import Site, Status
from townhall.comments.selectors import thread_ref
from townhall.comments.services import comment_set_status, site_update
from townhall.comments.tests.factories import make_comment
from townhall.core.testing import PAGE

pytestmark = pytest.mark.django_db


def page(site: Site, if_none_match: str = ""):  # type: ignore[no-untyped-def]
    return thread_page_cached(
        thread_ref(site=site, url=PAGE), sort="oldest", limit=None, cursor=None, if_none_match=if_none_match
    )


def test_a_page_is_rendered_once_per_version_and_its_etag_follows_the_version(site: Site) -> None:
    comment = make_comment(site, text="First words")
    first = page(site)
    assert first.body is not None and b"First words" in first.body
    with CaptureQueriesContext(connection) as ctx:
        again = page(site)
    assert again == first
    assert not any("comments_comment" in q["sql"] for q in ctx.captured_queries)  # no rendering
    assert page(site, if_none_match=first.etag).body is None
    comment_set_status(comment=comment, status=Status.PENDING)
    changed = page(site, if_none_match=first.etag)
    assert changed.etag != first.etag and changed.body is not None and b"First words" not in changed.body


def test_the_site_cache_forgets_a_site_when_it_changes(site: Site) -> None:
    assert site_cache.get(site.slug).page_size == 20
    site_update(site=site, page_size=3)
    assert site_cache.get(site.slug).page_size == 3
    page_cache.clear()
