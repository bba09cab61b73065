"""Durable consumers of comment and flame-war events: each decides in memory whether anyone
could be owed mail (no query: the parent, the comment and the thread's follower count are at
hand) and only then enqueues one task, inside the writing transaction."""

from __future__ import annotations

from townhall.comments.events import Event, subscribe
from townhall.comments.models import Comment
from townhall.moderation.events import subscribe_flamewar_detected
from townhall.notifications import tasks
from townhall.notifications.models import AlertKind


def _asked(comment: Comment) -> bool:
    return comment.notify and bool(comment.author_email)


def _was_held(comment: Comment) -> bool:
    return (comment.moderation or {}).get("action") == "hold"


def on_published(comment: Comment) -> None:
    parent = comment.parent if comment.parent_id else None
    replied = parent is not None and parent.notify and bool(parent.author_email) and parent.author_key != comment.author_key
    if replied or _asked(comment) or comment.thread.followers:
        tasks.comment_event.enqueue(str(Event.COMMENT_PUBLISHED), comment.pk)


def on_held(comment: Comment) -> None:
    tasks.alert_raise.enqueue(str(AlertKind.HELD), comment.pk)
    if _asked(comment):
        tasks.comment_event.enqueue(str(Event.COMMENT_HELD), comment.pk)


def on_rejected(comment: Comment) -> None:
    if _asked(comment) and _was_held(comment):
        tasks.comment_event.enqueue(str(Event.COMMENT_REJECTED), comment.pk)


def on_featured(comment: Comment) -> None:
    if _asked(comment):
        tasks.comment_event.enqueue(str(Event.COMMENT_FEATURED), comment.pk)


def on_reported(comment: Comment) -> None:
    tasks.alert_raise.enqueue(str(AlertKind.REPORTED), comment.pk)


def on_flamewar(war_id: int) -> None:
    tasks.alert_raise.enqueue(str(AlertKind.FLAMEWAR), war_id)


def subscribe_all() -> None:
    subscribe(Event.COMMENT_PUBLISHED, on_published, durable=True)
    subscribe(Event.COMMENT_HELD, on_held, durable=True)
    subscribe(Event.COMMENT_REJECTED, on_rejected, durable=True)
    subscribe(Event.COMMENT_FEATURED, on_featured, durable=True)
    subscribe(Event.COMMENT_REPORTED, on_reported, durable=True)
    subscribe_flamewar_detected(on_flamewar, durable=True)
