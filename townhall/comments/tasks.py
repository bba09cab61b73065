"""Background work for comments, run by the task worker (django-tasks database backend).

Each task is a thin adapter: load, check it still applies, do one thing.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from townhall.comments.models import Comment, Status
from townhall.comments.rendering import plain_excerpt
from townhall.core.throttles import rate_counters_purge

logger = logging.getLogger("townhall.tasks")
HOUSEKEEPING_EVERY = timedelta(hours=1)


@task()
def notify_reply(comment_id: int) -> bool:
    """Email the parent's author, if they asked for it, that someone replied."""
    comment = Comment.objects.select_related("parent", "thread").filter(pk=comment_id).first()
    if comment is None or comment.status != Status.PUBLISHED or comment.parent is None:
        return False
    parent = comment.parent
    if not (parent.notify and parent.author_email) or parent.author_key == comment.author_key:
        return False
    link = f"{comment.thread.url}#comment-{comment.pk}"
    body = (
        f"{comment.author_name or 'Someone'} replied to your comment on "
        f"\"{comment.thread.title or comment.thread.url}\":\n\n"
        f"{plain_excerpt(comment.html, 500)}\n\nRead and answer: {link}\n"
    )
    send_mail(
        subject=f"New reply to your comment on {comment.thread.title or comment.thread.url}"[:200],
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[parent.author_email],
    )
    return True


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
