"""GET /api/v1/comments/{id}/outcome: the commenter learns what became of a held comment.

Through ninja's TestClient(router): errors surface as the domain errors that townhall.api's one
handler turns into 403/404 JSON once the router is mounted there."""

from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import User
from ninja.testing import TestClient

from townhall.comments.models import Site
from townhall.comments.services import site_update
from townhall.comments.tests.factories import make_comment
from townhall.core import tokens
from townhall.core.errors import Forbidden, NotFound
from townhall.moderators import services
from townhall.moderators.api import router
from townhall.moderators.services import Decision

client = TestClient(router)


def _outcome(comment_id: int, token: str | None) -> tuple[int, dict[str, object]]:
    headers = {"X-Townhall-Edit-Token": token} if token else {}
    response = client.get(f"/comments/{comment_id}/outcome", headers=headers)
    return response.status_code, response.json()


def test_awaiting_moderation_then_approved(site: Site) -> None:
    site_update(site=site, premoderate=True)
    from townhall.comments.services import comment_create

    written = comment_create(site=site, url="https://blog.example/p", text="Hello.", author_name="Ann")
    assert written.edit_token
    status, body = _outcome(written.comment.pk, written.edit_token)
    assert (status, body["status"], body["message"]) == (200, "pending", "Your comment is awaiting moderation.")
    moderator = User.objects.create_user("m")
    services.comment_decide(moderator=moderator, comment=written.comment, decision=Decision.APPROVE)
    assert _outcome(written.comment.pk, written.edit_token)[1]["status"] == "published"


def test_rejected(site: Site) -> None:
    comment = make_comment(site)
    token = tokens.edit_token_issue(comment.pk)
    services.comment_decide(moderator=User.objects.create_user("m"), comment=comment, decision=Decision.REJECT)
    status, body = _outcome(comment.pk, token)
    assert (status, body["status"]) == (200, "rejected")


@pytest.mark.parametrize("which", ["none", "another comment's", "forged"])
def test_needs_the_comments_own_token(site: Site, which: str) -> None:
    a, b = make_comment(site), make_comment(site)
    token = {"none": None, "another comment's": tokens.edit_token_issue(b.pk), "forged": "forged"}[which]
    with pytest.raises(Forbidden) as caught:
        _outcome(a.pk, token)
    assert caught.value.status == 403 and caught.value.code == "edit_token_invalid"


def test_the_token_outlives_the_edit_window(site: Site) -> None:
    """Moderators may take days; the edit window is minutes."""
    comment = make_comment(site)
    token = tokens.edit_token_issue(comment.pk)
    later = time.time() + timedelta(days=3).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert _outcome(comment.pk, token)[0] == 200


def test_unknown_comment(site: Site) -> None:
    with pytest.raises(NotFound):
        _outcome(999_999, tokens.edit_token_issue(999_999))
