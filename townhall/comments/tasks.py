"""Background work for comments, run by the task worker (django-tasks database backend).

Each task is a thin adapter: load, check it still applies, do one thing.
"""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from townhall.core.throttles import rate_counters_purge

logger = logging.getLogger("townhall.tasks")
HOUSEKEEPING_EVERY = timedelta(hours=1)


@task()
def housekeeping() -> int:
    """Hourly: truncate stored addresses past retention; drop closed rate-limit windows."""
    from townhall.comments.services import comment_ips_truncate  # services import this module

    truncated = comment_ips_truncate()
    if truncated:
        logger.info("truncated %d stored addresses past retention", truncated)
    rate_counters_purge()
    # Runs again in an hour; a restart schedules a fresh run, which is harmless (idempotent).
    housekeeping.using(run_after=timezone.now() + HOUSEKEEPING_EVERY).enqueue()
    return truncated


def schedule_housekeeping() -> None:
    from django_tasks_db.models import DBTaskResult

    pending = DBTaskResult.objects.filter(task_path=housekeeping.module_path, status="READY").exists()
    if not pending:
        housekeeping.enqueue()
