"""Housekeeping run by the task worker."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from townhall.comments.models import Comment
from townhall.core.net import truncate_ip

logger = logging.getLogger("townhall.tasks")
HOUSEKEEPING_EVERY = timedelta(hours=1)


def ips_truncate_expired(*, now: datetime | None = None) -> int:
    """Truncate stored addresses older than TOWNHALL_IP_RETENTION_DAYS (IPv4 /24, IPv6 /48)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.IP_RETENTION_DAYS)
    done = 0
    qs = Comment.objects.filter(created__lt=cutoff, ip_truncated=False, ip__isnull=False).only("id", "ip")
    while batch := list(qs[:500]):
        with transaction.atomic():
            for comment in batch:
                Comment.objects.filter(pk=comment.pk).update(ip=truncate_ip(comment.ip or "") or None, ip_truncated=True)
        done += len(batch)
    return done


@task()
def housekeeping() -> int:
    truncated = ips_truncate_expired()
    if truncated:
        logger.info("truncated %d stored addresses past retention", truncated)
    # Runs again in an hour; a restart schedules a fresh run, which is harmless (idempotent).
    housekeeping.using(run_after=timezone.now() + HOUSEKEEPING_EVERY).enqueue()
    return truncated


def schedule_housekeeping() -> None:
    from django_tasks_db.models import DBTaskResult

    pending = DBTaskResult.objects.filter(task_path=housekeeping.module_path, status="READY").exists()
    if not pending:
        housekeeping.enqueue()
