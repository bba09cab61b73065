import pytest
from django.contrib.auth.models import User
from django.test import Client

from townhall.comments.models import Site
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
