"""The worker's side of notifications (django-tasks' database backend): each task is a one-line
adapter around townhall.notifications.outbox. They import it when they run, so the services
that enqueue them (and outbox itself) can import this module.

Batches and digests are delayed tasks (`run_after`); a temporary failure enqueues the same send
again with a doubled delay. All of it is rows in the database, so a restart loses nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task


def enqueue_later(t: Task[Any, Any], *args: Any, seconds: float) -> None:
    """Enqueue `t` to run in `seconds`, or now where the backend cannot defer (the tests' and
    other apps' in-line backend)."""
    if seconds > 0 and t.get_backend().supports_defer:
        t.using(run_after=timezone.now() + timedelta(seconds=seconds)).enqueue(*args)
    else:
        t.enqueue(*args)


@task()
def comment_event(event: str, comment_id: int) -> int:
    """A comment was published, held, rejected or picked: register an address that asked for
    mail, and write the notices its readers are owed."""
    from townhall.notifications import outbox

    return outbox.notices_for_event(event=event, comment_id=comment_id)


@task()
def confirmation_send(address_id: int, attempt: int = 0, reader: str = "") -> str:
    """`reader`: the browser that asked, bound to the address when the link is followed."""
    from townhall.notifications import outbox

    return outbox.confirmation_send(address_id=address_id, attempt=attempt, reader=reader)


@task()
def notices_deliver(address_id: int) -> str:
    """The batch window of an address closed: send what gathered."""
    from townhall.notifications import outbox

    return outbox.notices_deliver(address_id=address_id)


@task()
def notices_send(address_id: int, notice_ids: list[int], attempt: int) -> str:
    from townhall.notifications import outbox

    return outbox.notices_send(address_id=address_id, notice_ids=notice_ids, attempt=attempt)


@task()
def alert_raise(kind: str, object_id: int) -> int:
    """A comment was held or reported, or a flame war detected: write each moderator's alert."""
    from townhall.notifications import outbox

    return outbox.alerts_for_event(kind=kind, object_id=object_id)


@task()
def alerts_deliver(preference_id: int) -> str:
    from townhall.notifications import outbox

    return outbox.alerts_deliver(preference_id=preference_id)


@task()
def alerts_send(preference_id: int, alert_ids: list[int], destination: str, attempt: int) -> str:
    from townhall.notifications import outbox

    return outbox.alerts_send(preference_id=preference_id, alert_ids=alert_ids, destination=destination,
                              attempt=attempt)
