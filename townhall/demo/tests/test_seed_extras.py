"""The seed page's quote marks and conversation, as `townhall demo` loads them (the browser
tests in townhall/widget/tests show them on the page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from townhall.comments.models import Comment, Conversation, Site, Status
from townhall.conftest import post_json
from townhall.demo.services import DEMO_URL, demo_load, load_seed_document


@pytest.fixture
def seeded(db: None, django_capture_on_commit_callbacks: Any) -> Site:
    with django_capture_on_commit_callbacks(execute=True):
        site, _ = demo_load(serving_origins=[])
    return site


def seed_comment(site: Site, seed_id: int) -> Comment:
    text = next(c["text"] for c in load_seed_document()["comments"] if c["id"] == seed_id)
    return Comment.objects.get(thread__site=site, text=text)


def test_on_the_seed_the_generals_speech_is_not_in_the_article_and_a_reply_quoting_it_is(
    seeded: Site, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    rudy = seed_comment(seeded, 5)
    assert [m["kind"] for m in rudy.quotes] == ["missing"]
    assert rudy.quotes[0]["quote"].startswith("His speech gave a general overview")
    # Hind Abyad quotes Rudy1947's earlier words back at him: a quote of a comment, with a link.
    hind = seed_comment(seeded, 51)
    rudy_46 = seed_comment(seeded, 46)
    assert rudy_46.status == "published"
    assert hind.quotes[0]["kind"] == "comment" and hind.quotes[0]["comment"] == rudy_46.pk
    assert hind.quotes[0]["author"] == "Rudy1947"

    with django_capture_on_commit_callbacks(execute=True):
        r = post_json(client, "/api/v1/comments", {
            "site": "demo", "url": DEMO_URL, "parent": rudy.pk, "author_name": "Reader",
            "text": "The article says “Daesh is weaker in Mosul, but it is using methods of oppression”.",
        })
    assert r.status_code == 201, r.content
    page = client.get("/api/v1/comments/" + str(r.json()["id"])).json()
    assert page["quotes"] == [{
        "kind": "article", "quote": "Daesh is weaker in Mosul, but it is using methods of oppression",
        "passage": "Daesh is weaker in Mosul, but it is using methods of oppression", "score": 100,
        "comment": None, "author": "",
    }]
    # And in the thread's page, where the widget reads it.
    thread_page = client.get("/api/v1/threads", {"site": "demo", "url": DEMO_URL}).json()

    def walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [x for n in nodes for x in [n, *walk(n["replies"])]]

    marked = [c for c in walk(thread_page["comments"]) if c["id"] == rudy.pk]
    assert marked and marked[0]["quotes"][0]["kind"] == "missing"


def test_the_seed_argument_under_comment_5_is_one_conversation(seeded: Site, client: Client) -> None:
    seed = load_seed_document()["comments"]
    rudy = Comment.objects.get(thread__site=seeded, text=next(c["text"] for c in seed if c["id"] == 5))
    conv = Conversation.objects.get(thread__site=seeded)
    assert conv.anchor_id == rudy.pk
    assert [a["name"] for a in conv.authors] == ["Rudy1947", "5thDrawer", "Hind Abyad"]
    published_under_5 = Comment.objects.filter(parent=rudy, status=Status.PUBLISHED)
    # PatienceTew's one line sits inside the exchange and does not split it.
    assert conv.count == published_under_5.count() >= 40
    assert set(conv.members.values_list("id", flat=True)) == set(published_under_5.values_list("id", flat=True))
    assert 1 <= (conv.ended - conv.started).days <= 2
    assert 0 < conv.heat < 1

    page = client.get("/api/v1/threads", {"site": "demo", "url": DEMO_URL}).json()
    [shown] = page["conversations"]
    assert shown["anchor"] == rudy.pk and shown["count"] == conv.count
    assert shown["first"] == min(published_under_5.values_list("id", flat=True))
    assert page["thread"]["conversations_open"] is False


