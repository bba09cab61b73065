"""Moderation's own named events: a flame war detected. Comment events live in
townhall.comments.events; this follows the same rules (durable consumers enqueue inside the
transaction, the others run on commit; layers above subscribe from their AppConfig.ready())."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

logger = logging.getLogger("townhall.moderation")

WarConsumer = Callable[[int], None]
DURABLE: list[WarConsumer] = []
AFTER_COMMIT: list[WarConsumer] = []


def subscribe_flamewar_detected(consumer: WarConsumer, *, durable: bool = False) -> None:
    """Run `consumer(war_id)` once for each newly detected war (never per reply)."""
    consumers = DURABLE if durable else AFTER_COMMIT
    if consumer not in consumers:
        consumers.append(consumer)


def flamewar_detected(war_id: int) -> None:
    """Called inside the transaction that created the war."""
    for consumer in DURABLE:
        consumer(war_id)
    for consumer in AFTER_COMMIT:
        transaction.on_commit(partial(consumer, war_id))
    # The moderators' queue reads FlameWar rows directly; the log line is for operators.
    logger.info("flame war %s detected", war_id)
