"""What the worker does: decide who is owed a notice or an alert, gather them into batches and
digests, and send them with retries. Called only from townhall.notifications.tasks.

Nobody gets mail unless their address is confirmed, not disabled and not unsubscribed (from
everything, or from the thread); nobody is told about their own comment by anyone but a
moderator; a notice whose comment the page no longer shows is dropped when the batch is sent."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks.base import Task

from townhall.comments.events import Event
from townhall.comments.models import Comment, Site, Status, Thread
from townhall.identity.models import EmailAddress
from townhall.identity.selectors import email_address_get, email_address_usable, email_digest, reader_bound_to
from townhall.identity.services import email_confirmation_token
from townhall.moderation.models import FlameWar
from townhall.moderators.selectors import can_moderate
from townhall.notifications import compose, tasks
from townhall.notifications.delivery import (
    Destination,
    MailDestination,
    Outcome,
    WebhookDestination,
    mail_send,
)
from townhall.notifications.models import (
    ActionUse,
    AddressState,
    Alert,
    AlertKind,
    AlertMode,
    AlertPreference,
    Notice,
    NoticeKind,
    ThreadFollow,
    ThreadMute,
)
from townhall.notifications.services import address_request

logger = logging.getLogger("townhall.mail")
KEEP_SENT = timedelta(days=7)  # longer than every retry's back-off
DIGEST_SECONDS = {AlertMode.HOURLY: 3600, AlertMode.DAILY: 24 * 3600}


def _retry(t: Task[Any, Any], *args: Any, attempt: int, after: tuple[Any, ...] = ()) -> str:
    if attempt >= settings.MAIL_RETRIES:
        logger.warning("%s: gave up after %d attempts", t.name, attempt + 1)
        return "gave up"
    tasks.enqueue_later(t, *args, attempt + 1, *after, seconds=settings.MAIL_RETRY_SECONDS * 2**attempt)
    return "retry"


def _stopped(address: EmailAddress) -> bool:
    return AddressState.objects.filter(address=address, unsubscribed__isnull=False).exists()


def _receives(address: EmailAddress | None, thread: Thread) -> bool:
    return (
        address is not None and email_address_usable(address) and not _stopped(address)
        and not ThreadMute.objects.filter(address=address, thread=thread).exists()
    )


# ---------------------------------------------------------------------------- readers

def was_held(comment: Comment) -> bool:
    """The pipeline held it, so a moderator decided: its author waits for the outcome."""
    return (comment.moderation or {}).get("action") == "hold"


def notices_for_event(*, event: str, comment_id: int) -> int:
    comment = (Comment.objects.select_related("thread__site", "parent").filter(pk=comment_id).first())
    if comment is None:
        return 0
    site, thread = comment.thread.site, comment.thread
    asked = comment.notify and bool(comment.author_email)
    if asked and event in (Event.COMMENT_PUBLISHED, Event.COMMENT_HELD):
        # Ticking "Email me replies" again on an article they had unsubscribed from is asking again.
        requested = address_request(site=site, email=comment.author_email, reader=comment.author_token)
        ThreadMute.objects.filter(address=requested, thread=thread).delete()
    owed: list[tuple[EmailAddress | None, NoticeKind]] = []
    mine = _address(site, comment.author_email) if asked else None
    if event == Event.COMMENT_PUBLISHED:
        if asked and was_held(comment):
            owed.append((mine, NoticeKind.APPROVED))
        parent = comment.parent
        replied_to = None
        if parent is not None and parent.notify and parent.author_email and parent.author_key != comment.author_key:
            replied_to = _address(site, parent.author_email)
            owed.append((replied_to, NoticeKind.REPLY))
        if thread.followers:
            own = email_digest(comment.author_email) if comment.author_email else ""
            follows = ThreadFollow.objects.filter(thread=thread).select_related("address").exclude(address__digest=own)
            owed.extend((f.address, NoticeKind.FOLLOW) for f in follows
                        if replied_to is None or f.address_id != replied_to.pk)
    elif event == Event.COMMENT_REJECTED and asked and was_held(comment):
        owed.append((mine, NoticeKind.NOT_APPROVED))
    elif event == Event.COMMENT_FEATURED and asked:
        owed.append((mine, NoticeKind.PICKED))
    written = 0
    for address, kind in owed:
        if address is not None and _receives(address, thread):
            written += _notice(address=address, comment=comment, kind=kind)
    return written


def _address(site: Site, email: str) -> EmailAddress | None:
    return email_address_get(site=site, email=email)


def _notice(*, address: EmailAddress, comment: Comment, kind: NoticeKind) -> int:
    with transaction.atomic():
        first = not Notice.objects.filter(address=address, sent__isnull=True).exists()
        _, created = Notice.objects.get_or_create(
            address=address, comment=comment, kind=kind, defaults={"thread_id": comment.thread_id}
        )
        if created and first:
            # The batch window opens with its first notice; whatever else arrives for this
            # address before it closes goes out in the same mail.
            tasks.enqueue_later(tasks.notices_deliver, address.pk, seconds=settings.MAIL_BATCH_SECONDS)
    return int(created)


def _claim_unsent(rows: QuerySet[Any]) -> list[int]:
    """The unsent rows' ids, marked sent in one transaction: two workers never send one twice."""
    with transaction.atomic():
        ids = list(rows.select_for_update().filter(sent__isnull=True).order_by("pk").values_list("pk", flat=True))
        rows.model.objects.filter(pk__in=ids).update(sent=timezone.now())
    return ids


def notices_deliver(*, address_id: int) -> str:
    # The outbox keeps sent rows a while (a retry reads them), then they go: no archive of mail.
    Notice.objects.filter(address_id=address_id, sent__lt=timezone.now() - KEEP_SENT).delete()
    ids = _claim_unsent(Notice.objects.filter(address_id=address_id))
    if not ids:
        return "nothing"
    return notices_send(address_id=address_id, notice_ids=ids, attempt=0)


def notices_send(*, address_id: int, notice_ids: list[int], attempt: int) -> str:
    address = EmailAddress.objects.select_related("site").filter(pk=address_id).first()
    if address is None or not email_address_usable(address) or _stopped(address):
        return "stopped"
    muted = set(ThreadMute.objects.filter(address=address).values_list("thread_id", flat=True))
    batch = [n for n in Notice.objects.filter(pk__in=notice_ids).select_related("comment__thread").order_by("pk")
             if n.thread_id not in muted]
    message = compose.notices(address=address, batch=batch)
    if message is None:
        return "nothing"
    outcome = mail_send(message, address=address)
    if outcome == Outcome.RETRY:
        return _retry(tasks.notices_send, address_id, notice_ids, attempt=attempt)
    return str(outcome)


def confirmation_send(*, address_id: int, attempt: int, reader: str = "") -> str:
    address = EmailAddress.objects.select_related("site").filter(pk=address_id).first()
    if address is None or address.disabled is not None:
        return "not needed"
    # A confirmed address still gets a link for a browser not yet bound to it (speakers).
    if address.confirmed is not None and (not reader or reader_bound_to(site=address.site, reader=reader, address=address)):
        return "not needed"
    message = compose.confirmation(address=address, token=email_confirmation_token(address=address, reader=reader))
    outcome = mail_send(message, address=address)
    if outcome == Outcome.RETRY:
        return _retry(tasks.confirmation_send, address_id, attempt=attempt, after=(reader,))
    return str(outcome)


# ---------------------------------------------------------------------------- moderators

def alerts_for_event(*, kind: str, object_id: int) -> int:
    comment: Comment | None = None
    war: FlameWar | None = None
    if kind == AlertKind.FLAMEWAR:
        war = FlameWar.objects.select_related("thread__site").filter(pk=object_id).first()
        site = war.thread.site if war else None
    else:
        comment = Comment.objects.select_related("thread__site").filter(pk=object_id).first()
        site = comment.thread.site if comment else None
    if site is None:
        return 0
    preferences = [p for p in AlertPreference.objects.filter(site=site).exclude(mode=AlertMode.OFF)
                   .select_related("user", "site") if can_moderate(p.user, site)]
    pending = (Comment.objects.filter(thread__site=site, status=Status.PENDING).count()
               if kind == AlertKind.HELD and any(p.backlog for p in preferences) else 0)
    written = 0
    for preference in preferences:
        if preference.wants(AlertKind(kind)):
            written += _alert(preference, kind=AlertKind(kind), comment=comment, war=war)
        if kind == AlertKind.HELD and preference.backlog:
            over = pending > preference.backlog_threshold
            if over and not preference.backlog_raised:
                written += _alert(preference, kind=AlertKind.BACKLOG, pending=pending)
            if over != preference.backlog_raised:
                AlertPreference.objects.filter(pk=preference.pk).update(backlog_raised=over)
    return written


def _alert(preference: AlertPreference, *, kind: AlertKind, comment: Comment | None = None,
           war: FlameWar | None = None, pending: int = 0) -> int:
    with transaction.atomic():
        unsent = Alert.objects.filter(preference=preference, sent__isnull=True)
        if comment is not None and unsent.filter(kind=kind, comment=comment).exists():
            return 0  # the second report of a comment is not news while the first is unsent
        first = not unsent.exists()
        Alert.objects.create(preference=preference, kind=kind, comment=comment, war=war, pending=pending)
        if preference.mode == AlertMode.IMMEDIATE:
            tasks.alerts_deliver.enqueue(preference.pk)
        elif first:
            # A digest goes out an hour (a day) after its first alert, with all that came since.
            tasks.enqueue_later(tasks.alerts_deliver, preference.pk, seconds=DIGEST_SECONDS[AlertMode(preference.mode)])
    return 1


def alerts_deliver(*, preference_id: int) -> str:
    Alert.objects.filter(preference_id=preference_id, sent__lt=timezone.now() - KEEP_SENT).delete()
    # A spent link's row only has to outlive the link itself.
    ActionUse.objects.filter(used__lt=timezone.now() - timedelta(hours=settings.MAIL_ACTION_HOURS + 1)).delete()
    ids = _claim_unsent(Alert.objects.filter(preference_id=preference_id))
    if not ids:
        return "nothing"
    return ",".join(alerts_send(preference_id=preference_id, alert_ids=ids, destination=name, attempt=0)
                    for name in ("mail", "webhook"))


def _destination(preference: AlertPreference, name: str, build: Any) -> Destination | None:
    if name == "webhook":
        return WebhookDestination(preference.webhook_url) if preference.webhook_url else None
    email = preference.user.email
    address = _address(preference.site, email) if preference.by_mail and email else None
    if address is None or not email_address_usable(address) or _stopped(address):
        return None
    return MailDestination(address, build(address))


def alerts_send(*, preference_id: int, alert_ids: list[int], destination: str, attempt: int) -> str:
    preference = AlertPreference.objects.select_related("user", "site").filter(pk=preference_id).first()
    if preference is None or preference.mode == AlertMode.OFF or not can_moderate(preference.user, preference.site):
        return "stopped"
    alerts = list(Alert.objects.filter(pk__in=alert_ids).select_related(
        "preference__site", "comment__thread", "war__thread").order_by("pk"))
    batch = compose.alert_batch(preference=preference, alerts=alerts)
    if batch is None:
        return "nothing"
    target = _destination(preference, destination,
                          lambda address: compose.alert_mail(batch=batch, alerts=alerts, address=address))
    if target is None:
        return f"{destination}: none"
    outcome = target.send(batch)
    if outcome == Outcome.RETRY:
        return _retry(tasks.alerts_send, preference_id, alert_ids, destination, attempt=attempt)
    return f"{destination}: {outcome}"
