"""The webhooks' subscriptions to the named events. Durable: each runs inside the transaction
that wrote the change and only enqueues the fan-out task, so the event is stored with the
change or not at all, and the HTTP requests happen later, on the worker. The body is built
here, so it says what the comment was at the event, not when the worker gets to it."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from townhall.comments import events
from townhall.comments.events import Event
from townhall.comments.models import Comment
from townhall.moderation import events as moderation_events
from townhall.moderation.models import FlameWar
from townhall.webhooks import payloads, signing, tasks
from townhall.webhooks.models import EventType
from townhall.webhooks.selectors import endpoint_index
from townhall.webhooks.services import sweep_later

COMMENT_EVENTS: dict[Event, EventType] = {
    Event.COMMENT_PUBLISHED: EventType.COMMENT_PUBLISHED,
    Event.COMMENT_HELD: EventType.COMMENT_HELD,
    Event.COMMENT_REJECTED: EventType.COMMENT_REJECTED,
    Event.COMMENT_EDITED: EventType.COMMENT_EDITED,
    Event.COMMENT_DELETED: EventType.COMMENT_DELETED,
    Event.COMMENT_REPORTED: EventType.COMMENT_REPORTED,
}


def _enqueue(site_id: int, event: EventType, data: dict[str, object]) -> None:
    now = timezone.now()
    tasks.webhook_fan_out.enqueue(site_id, event.value, signing.message_id_new(), payloads.body(event, now, data))
    # If the worker dies running the fan-out, the sweep puts it back.
    sweep_later(now)


def _comment_consumer(event: EventType) -> Callable[[Comment], None]:
    def consume(comment: Comment) -> None:
        if not endpoint_index.any():  # no webhooks on this server: no query, no task
            return
        site_id = comment.thread.site_id
        if event in endpoint_index.events_for(site_id):
            _enqueue(site_id, event, payloads.comment_data(comment))

    consume.__qualname__ = f"webhook_{event.value.replace('.', '_')}"
    return consume


CONSUMERS: dict[Event, Callable[[Comment], None]] = {e: _comment_consumer(t) for e, t in COMMENT_EVENTS.items()}


def flamewar_detected(war_id: int) -> None:
    if not endpoint_index.any():
        return
    war = FlameWar.objects.select_related("thread__site").get(pk=war_id)
    if EventType.FLAMEWAR_DETECTED in endpoint_index.events_for(war.thread.site_id):
        _enqueue(war.thread.site_id, EventType.FLAMEWAR_DETECTED, payloads.flamewar_data(war))


def subscribe_all() -> None:
    for event, consumer in CONSUMERS.items():
        events.subscribe(event, consumer, durable=True)
    moderation_events.subscribe_flamewar_detected(flamewar_detected, durable=True)
