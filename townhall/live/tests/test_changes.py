"""What a comment event tells live readers: a comment they saw that a moderator or readers' reports
take down leaves their page too; one they never saw is never named."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User

from townhall.comments.models import Site, Status
from townhall.comments.services import comment_set_status
from townhall.comments.tests.factories import make_comment
from townhall.live import consumers
from townhall.live.changes import Change
from townhall.moderation.services import comment_redact

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


def test_a_redaction_reaches_live_pages_and_an_edit_of_a_held_comment_names_nothing(
    site: Site, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    moderator = User.objects.create_user("mod")
    shown = make_comment(site, text="My neighbour's phone number is 555-0100.")
    with django_capture_on_commit_callbacks(execute=True):
        comment_redact(comment=shown, text="[number removed by a moderator]", moderator=moderator)
    [change] = sent.changes
    assert change.kind == "edited" and "number removed" in change.data and "555-0100" not in change.data
    held = make_comment(site, text="Held for review.", status=Status.PENDING)
    sent.changes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_redact(comment=held, text="Held, redacted.", moderator=moderator)
    [change] = sent.changes
    assert change.kind == "" and change.data == ""
