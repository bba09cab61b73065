"""Background work for webhooks, run by the task worker. Thin adapters around the services."""

from __future__ import annotations

from django_tasks import task

from townhall.webhooks import services


@task()
def webhook_fan_out(site_id: int, event: str, message_id: str, body: str) -> int:
    """One event: a delivery per endpoint of the site that wants it."""
    return len(services.deliveries_create(site_id=site_id, event=event, message_id=message_id, body=body))


@task()
def webhook_deliver(delivery_id: int) -> str:
    """One attempt of one delivery; a failure schedules the next attempt itself."""
    delivery = services.delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "gone"


@task()
def webhook_sweep() -> int:
    """While webhook work is in flight: put back what a dead worker dropped."""
    return services.webhook_work_resume()
