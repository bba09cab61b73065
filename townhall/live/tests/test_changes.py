"""What a comment event tells live readers: a comment they saw that a moderator or readers' reports
take down leaves their page too; one they never saw is never named."""

from __future__ import annotations

import json
from typing import Any

import pytest

from townhall.comments.models import Site, Status
from townhall.comments.services import comment_set_status
from townhall.comments.tests.factories import make_comment
from townhall.live import consumers
from townhall.live.changes import Change

pytestmark = pytest.mark.django_db


class Sent:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def publish(self, change: Change) -> None:
        self.changes.append(change)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Sent:
    out = Sent()
    monkeypatch.setattr(consumers, "broker", lambda: out)
    return out


@pytest.mark.parametrize("status", [Status.REJECTED, Status.PENDING])
def test_a_published_comment_taken_down_is_removed_from_live_pages(
    site: Site, sent: Sent, status: Status, django_capture_on_commit_callbacks: Any
) -> None:
    comment = make_comment(site, text="Seen by readers, then taken down.")
    with django_capture_on_commit_callbacks(execute=True):
        comment_set_status(comment=comment, status=status)
    [change] = sent.changes
    assert change.kind == "removed" and json.loads(change.data) == {"id": comment.pk, "placeholder": False}


def test_a_held_comment_rejected_is_never_named(
    site: Site, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    comment = make_comment(site, text="Never shown.", status=Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        comment_set_status(comment=comment, status=Status.REJECTED)
    [change] = sent.changes
    assert change.kind == "" and change.data == ""  # it only invalidates
