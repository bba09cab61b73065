"""The phrases behind a hostility score, on demand from the queue."""

from __future__ import annotations

import pytest

from townhall.comments.models import Site
from townhall.moderators.tests.conftest import People, held, signed_in

pytestmark = pytest.mark.django_db

HOSTILE = "I read the article twice. You are a pathetic idiot and a liar. The numbers were in the third paragraph."


def test_explanation_names_the_insult_not_the_civil_sentences(site: Site, people: People) -> None:
    c = held(site, text=HOSTILE)
    response = signed_in(people.moderator).get(
        f"/moderate/comments/{c.pk}/explain/", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    phrases = response.json()["phrases"]
    assert phrases, "a comment with an insult must have a phrase behind its score"
    top = phrases[0]["text"].lower()
    assert "idiot" in top or "pathetic" in top or "liar" in top
    assert all("third paragraph" not in p["text"] for p in phrases[:1])
    assert phrases[0]["weight"] > 0


def test_explanation_page_without_script_and_only_for_the_sites_moderators(site: Site, people: People) -> None:
    c = held(site, text=HOSTILE)
    page = signed_in(people.moderator).get(f"/moderate/comments/{c.pk}/explain/")
    assert page.status_code == 200 and b"<mark>" in page.content
    assert signed_in(people.outsider).get(f"/moderate/comments/{c.pk}/explain/").status_code == 403
    assert signed_in(people.moderator).get("/moderate/comments/99999999/explain/").status_code == 404


def test_the_queue_links_each_scored_item_to_its_explanation(site: Site, people: People) -> None:
    c = held(site, text=HOSTILE)
    page = signed_in(people.moderator).get("/moderate/queue/pending/")
    assert f'data-explain="/moderate/comments/{c.pk}/explain/"'.encode() in page.content
