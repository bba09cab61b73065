"""Names through the API and on every page that shows them: cleaned when stored, invisible-only
names count as empty, names isolated from the text around them, and moderators see where
something was removed (issue 14)."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from townhall.comments.models import Comment, Site
from townhall.comments.services import site_update
from townhall.core.testing import ORIGIN, PAGE, post_json

pytestmark = pytest.mark.django_db
RLO_NAME = "Ann\u202enimda"  # reads "Annadmin" reversed: "Ann" + "admin" backwards


def post(client: Client, **fields: Any) -> Any:
    return post_json(client, "/api/v1/comments", {"site": "blog", "url": PAGE, "text": "Hello", **fields}, Origin=ORIGIN)


def test_an_invisible_only_name_is_empty_where_a_name_is_required(client: Client, site: Site) -> None:
    site_update(site=site, require_name=True)
    r = post(client, author_name="\u200b\u2067\u3164\u2069")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "author_name" and "invisible" in r.json()["errors"][0]["message"]


def test_a_name_with_an_override_is_stored_and_shown_cleaned(client: Client, site: Site) -> None:
    r = post(client, author_name=RLO_NAME, title="Title\u200b with\u202e tricks")
    assert r.status_code == 201
    assert r.json()["comment"]["author"]["name"] == "Annnimda"
    stored = Comment.objects.get()
    assert stored.author_name_cleaned and stored.thread.title == "Title with tricks"
    page = client.get("/embed/thread", {"site": "blog", "url": PAGE}).content.decode()
    assert '<b class="th-name" dir="auto">Annnimda</b>' in page and "\u202e" not in page


def test_moderators_see_a_marker_where_a_name_was_cleaned(client: Client, site: Site) -> None:
    site_update(site=site, premoderate=True)
    assert post(client, author_name=RLO_NAME).status_code == 202
    assert post(client, author_name="Plain Bob").status_code == 202
    admin = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    staff = Client()
    staff.force_login(admin)
    queue = staff.get("/moderate/", follow=True).content.decode()
    assert queue.count("name cleaned") == 1
    assert "<bdi>Annnimda</bdi>" in queue and "<bdi>Plain Bob</bdi>" in queue
