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


def test_a_comment_the_site_model_scored_is_explained_by_the_site_model(site: Site, people: People) -> None:
    from django.test import Client

    from townhall.core.testing import ORIGIN, PAGE, post_json
    from townhall.moderation.ml.tests.test_sitefit import decisions
    from townhall.moderation.models import Policy
    from townhall.moderation.services import policy_update
    from townhall.moderation.sitemodel import loaded_model, train_from_decisions

    loaded_model.cache_clear()  # model ids repeat between tests (rolled back), models never change
    texts, labels = decisions()  # this site rejects sneers at a rival paper
    rows = [(t, int(v)) for t, v in zip(texts, labels, strict=True)]
    policy_update(site=site, toxicity_warn=0.99, toxicity_hold=0.99)
    result = train_from_decisions(site=site, policy=Policy.objects.get(site=site), rows=rows)
    assert result.switched
    text = "Thanks for the report on the budget. Only a Bugle reader would doubt it."
    r = post_json(Client(), "/api/v1/comments", {"site": site.slug, "url": PAGE, "text": text, "author_name": "Ann"},
                  HTTP_ORIGIN=ORIGIN)
    assert r.status_code in (201, 202), r.content
    response = signed_in(people.moderator).get(
        f"/moderate/comments/{r.json()['id']}/explain/", HTTP_ACCEPT="application/json"
    )
    phrases = response.json()["phrases"]
    assert phrases and "bugle" in phrases[0]["text"].lower()
