import pytest
from django.contrib.auth.models import User
from django.test import Client

from townhall.comments.models import Comment, Site, Status, Thread
from townhall.comments.tests.factories import make_comment

pytestmark = pytest.mark.django_db


def test_admin_lists_searches_and_filters_comments_behind_login(site: Site) -> None:
    make_comment(site, text="needle in the haystack", author_name="Finder")
    make_comment(site, text="other text")
    anonymous = Client()
    assert anonymous.get("/admin/comments/comment/").status_code == 302
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-for-test-only"))
    found = client.get("/admin/comments/comment/", {"q": "needle"})
    assert found.status_code == 200 and b"Finder" in found.content
    assert client.get("/admin/comments/comment/", {"status__exact": "pending"}).status_code == 200
    for path in ("/admin/comments/site/", "/admin/comments/thread/", "/admin/moderation/policy/"):
        assert client.get(path).status_code == 200


@pytest.fixture
def root() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-for-test-only"))
    return client


def test_the_store_is_read_only_in_the_admin(site: Site, root: Client) -> None:
    """Comment status, sites and origins change only through the services (counts, thread
    version, audit): the admin shows them and refuses edits."""
    comment = make_comment(site)
    thread = Thread.objects.get()
    page = root.get(f"/admin/comments/comment/{comment.pk}/change/")
    assert page.status_code == 200 and b'name="status"' not in page.content
    posted = root.post(f"/admin/comments/comment/{comment.pk}/change/", {"status": "rejected", "text": "x"})
    assert posted.status_code == 403
    comment.refresh_from_db()
    assert comment.status == Status.PUBLISHED and Thread.objects.get().comment_count == 1
    assert Thread.objects.get().version == thread.version
    site_page = root.get(f"/admin/comments/site/{site.pk}/change/").content.decode()
    assert "townhall site set" in site_page and 'name="page_size"' not in site_page
    assert "top-level comments per page" in site_page
    assert root.post(f"/admin/comments/site/{site.pk}/change/", {"slug": "x", "name": "y"}).status_code == 403
    assert root.get("/admin/comments/site/add/").status_code == 403
    assert root.post(f"/admin/comments/comment/{comment.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Site.objects.get().slug == site.slug and Comment.objects.count() == 1
