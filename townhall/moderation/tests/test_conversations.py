"""The conversation view's data: alternating runs found in a branch, stored as Conversations."""

from __future__ import annotations

from townhall.comments.models import Comment, Conversation, Site, Status
from townhall.comments.tests.factories import make_comment
from townhall.moderation.conversations import alternating_runs, branch_conversations_refresh


def test_runs_are_told_apart_by_author_key_and_need_alternation(site: Site) -> None:
    top = make_comment(site, text="Top.", author_name="Top")
    # Two different people both called "Sam" (different emails) and Kim: three authors.
    people = [("Sam", "sam1@example.org"), ("Sam", "sam2@example.org"), ("Kim", "")]
    replies = [
        make_comment(site, parent=top, text=f"Reply {i}.", author_name=people[i % 3][0], author_email=people[i % 3][1])
        for i in range(9)
    ]
    branch_conversations_refresh(root_id=top.pk)
    conv = Conversation.objects.get(anchor=top)
    assert conv.count == 9 and len(conv.authors) == 3
    assert {x["name"] for x in conv.authors} == {"Sam", "Kim"}
    assert Comment.objects.filter(conversation=conv).count() == 9

    # One author writing on and on is no conversation; two taking turns only now and then neither.
    history = replies[:2] + [replies[0]] * 8
    assert alternating_runs(history, min_run=8) == []
    # Taken out of view, the run is too short: the conversation goes.
    Comment.objects.filter(pk__in=[r.pk for r in replies[:3]]).update(status=Status.DELETED)
    branch_conversations_refresh(root_id=top.pk)
    assert not Conversation.objects.filter(anchor=top).exists()
    assert not Comment.objects.filter(thread=top.thread).exclude(conversation=None).exists()
