"""Background work for moderation's derived data, run by the task worker. Each task is a thin
adapter around one service."""

from __future__ import annotations

from django_tasks import task

from townhall.comments.models import Comment
from townhall.moderation import conversations


@task()
def branch_conversations_refresh(root_id: int) -> int:
    """Re-read one branch's conversations after one of its replies was published or left view."""
    return len(conversations.branch_conversations_refresh(root_id=root_id))


@task()
def thread_conversations_refresh(thread_id: int) -> int:
    """Every branch of a thread, after an import."""
    return conversations.thread_conversations_refresh(thread_id=thread_id)


def conversations_changed(comment: Comment) -> None:
    """Consumer (after commit) of the events that bring a reply into view or take it out: its
    branch's conversations are read again, by the worker."""
    if comment.root_id is not None:
        branch_conversations_refresh.enqueue(comment.root_id)
