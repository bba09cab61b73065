"""The comment events' after-commit consumer: every process hears of the change."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from townhall.comments.events import Event
from townhall.comments.models import Comment
from townhall.live.broker import broker
from townhall.live.changes import change_of


@cache
def on_comment_event(event: Event) -> Callable[[Comment], None]:
    def consume(comment: Comment) -> None:
        broker().publish(change_of(event, comment))

    consume.__name__ = f"live_{event.value}"
    return consume
