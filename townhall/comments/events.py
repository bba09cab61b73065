"""Named events: what happened to a comment, and who consumes it. The one place to look for
side effects of a write; nothing here is a model signal and nothing hides in `save()`.

A service calls one of the functions below inside its transaction, after the write. Durable
consumers (mail, alerts: townhall.notifications) enqueue their task right there, so the task row commits with the
write or not at all (django-tasks' database backend). In-process consumers (a log line; live
updates and webhooks tomorrow) run on `transaction.on_commit`. Layers above comments add
consumers with `subscribe()` from their AppConfig.ready().
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

from townhall.comments.models import Comment, Status

logger = logging.getLogger("townhall.events")


class Event(enum.StrEnum):
    COMMENT_PUBLISHED = "comment_published"  # readable now: posted and published, or approved
    COMMENT_HELD = "comment_held"  # waits for a moderator (posted held, or reported out of view)
    COMMENT_REJECTED = "comment_rejected"  # refused by the pipeline or a moderator
    COMMENT_EDITED = "comment_edited"  # its author changed the text, or a moderator redacted it
    COMMENT_DELETED = "comment_deleted"  # its author took it down
    COMMENT_REPORTED = "comment_reported"  # a reader reported it (once per reader)
    COMMENT_FEATURED = "comment_featured"  # made an editors' pick (not when the pick is taken back)


Consumer = Callable[[Comment], None]


DURABLE: dict[Event, list[Consumer]] = {event: [] for event in Event}
AFTER_COMMIT: dict[Event, list[Consumer]] = {event: [] for event in Event}


def subscribe(event: Event, consumer: Consumer, *, durable: bool = False) -> None:
    """Run `consumer(comment)` for every `event`: durable consumers inside the writing transaction
    (they only enqueue a task, so the task commits with the write or not at all), the others after
    the commit."""
    consumers = DURABLE.setdefault(event, []) if durable else AFTER_COMMIT[event]
    if consumer not in consumers:
        consumers.append(consumer)


def dispatch(event: Event, comment: Comment) -> None:
    for consumer in DURABLE.get(event, []):
        consumer(comment)
    for consumer in AFTER_COMMIT[event]:
        transaction.on_commit(partial(consumer, comment))
    logger.debug("%s #%s", event, comment.pk)


def comment_published(comment: Comment) -> None:
    dispatch(Event.COMMENT_PUBLISHED, comment)


def comment_held(comment: Comment) -> None:
    dispatch(Event.COMMENT_HELD, comment)


def comment_rejected(comment: Comment) -> None:
    dispatch(Event.COMMENT_REJECTED, comment)


def comment_edited(comment: Comment) -> None:
    dispatch(Event.COMMENT_EDITED, comment)


def comment_deleted(comment: Comment) -> None:
    dispatch(Event.COMMENT_DELETED, comment)


def comment_reported(comment: Comment) -> None:
    dispatch(Event.COMMENT_REPORTED, comment)


def comment_featured(comment: Comment) -> None:
    dispatch(Event.COMMENT_FEATURED, comment)


def comment_written(comment: Comment) -> None:
    """The event a new comment's status names."""
    {
        Status.PUBLISHED: comment_published,
        Status.PENDING: comment_held,
        Status.REJECTED: comment_rejected,
        Status.DELETED: comment_deleted,
    }[Status(comment.status)](comment)


def comment_status_changed(comment: Comment) -> None:
    comment_written(comment)
