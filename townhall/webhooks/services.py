"""Every write of the webhooks: endpoints (add, rotate the secret, disable, enable, remove, send a
test event), the fan-out of an event to a site's endpoints, and each delivery attempt with its
retry or its end.

An attempt never runs inside a transaction: the HTTP request may take seconds, and on SQLite a
transaction holds the one write lock that every comment post needs. The attempt's outcome is
recorded afterwards, guarded by the attempt count, so a duplicate task cannot record twice."""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from townhall.comments.models import Site
from townhall.core.errors import Conflict, FieldError, ValidationFailed
from townhall.moderation.models import FlameWar
from townhall.moderators.privacy import ERASED, Whose
from townhall.moderators.services import audit_write
from townhall.webhooks import net, payloads, signing, tasks
from townhall.webhooks.models import SUBSCRIBABLE, Attempt, Delivery, DeliveryStatus, Endpoint, EventType
from townhall.webhooks.selectors import endpoint_index, endpoints_wanting, site_admin_addresses

logger = logging.getLogger("townhall.webhooks")

MAX_ENDPOINTS_PER_SITE = 20
# Work this late lost its task (see webhook_work_resume). A delivery that was merely waiting in a
# long queue is then attempted by whichever task comes first; the other finds it delivered or
# rescheduled and does nothing.
STALLED_AFTER = timedelta(minutes=15)  # far above an attempt's limit (3 x the timeout)
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def retry_schedule() -> list[timedelta]:
    """TOWNHALL_WEBHOOK_RETRY_SCHEDULE as waits: the n-th wait follows the n-th failed attempt."""
    waits = []
    for item in (i.strip() for i in settings.WEBHOOK_RETRY_SCHEDULE.split(",")):
        if not item:
            continue
        match = _DURATION.match(item)
        if match is None:
            raise ImproperlyConfigured(
                f"TOWNHALL_WEBHOOK_RETRY_SCHEDULE: {item!r} is not a wait like 30s, 5m, 2h or 1d"
            )
        waits.append(timedelta(**{_UNITS[match[2]]: int(match[1])}))
    return waits


def _state(endpoint: Endpoint) -> dict[str, Any]:
    """What the audit log keeps of an endpoint: never its secret."""
    return {"url": endpoint.url, "events": list(endpoint.events), "enabled": endpoint.enabled}


def _audit(actor: AbstractBaseUser | None, endpoint: Endpoint, action: str,
           before: dict[str, Any], after: dict[str, Any]) -> None:
    audit_write(actor=actor, site=endpoint.site, action=action, target_type="webhook",
                target_id=endpoint.pk, before=before, after=after)


# ---------------------------------------------------------------------------- endpoints

def endpoint_create(
    *, actor: AbstractBaseUser | None, site: Site, url: str, events: list[str], description: str = "",
    now: datetime | None = None,
) -> Endpoint:
    """Add an endpoint with a fresh secret. The URL must be http(s) and its host must resolve
    only to public addresses (or networks the operator allowed)."""
    errors: list[FieldError] = []
    url = url.strip()
    try:
        net.url_parts(url)
        net.resolve_checked(url)
    except ValueError as exc:
        errors.append(FieldError("url", str(exc)))
    except net.AddressRefused as exc:
        errors.append(FieldError("url", str(exc), "address_refused"))
    unknown = [e for e in events if e not in SUBSCRIBABLE]
    if unknown:
        errors.append(FieldError("events", f"unknown events: {', '.join(unknown)} (known: {', '.join(SUBSCRIBABLE)})"))
    elif not events:
        errors.append(FieldError("events", "choose at least one event", "required"))
    if len(description) > 200:
        errors.append(FieldError("description", "is longer than 200 characters", "too_long"))
    if errors:
        raise ValidationFailed(errors)
    if Endpoint.objects.filter(site=site).count() >= MAX_ENDPOINTS_PER_SITE:
        raise Conflict(f"a site may have at most {MAX_ENDPOINTS_PER_SITE} webhook endpoints", code="too_many_endpoints")
    with transaction.atomic():
        endpoint = Endpoint.objects.create(
            site=site, url=url, description=description.strip(), events=[e for e in SUBSCRIBABLE if e in events],
            secret=signing.secret_new(), created=now or timezone.now(),
        )
        _audit(actor, endpoint, "webhook.add", {}, _state(endpoint))
    endpoint_index.forget()
    return endpoint


def endpoint_rotate_secret(*, actor: AbstractBaseUser | None, endpoint: Endpoint, now: datetime | None = None) -> Endpoint:
    """A new secret. The old one keeps signing beside it (a second `v1,` signature) for
    TOWNHALL_WEBHOOK_SECRET_GRACE_HOURS, so the receiver can be switched without losing events."""
    now = now or timezone.now()
    with transaction.atomic():
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = now + timedelta(hours=settings.WEBHOOK_SECRET_GRACE_HOURS)
        endpoint.secret = signing.secret_new()
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
        _audit(actor, endpoint, "webhook.rotate", {"secret": "old"}, {"secret": "new"})
    return endpoint


def endpoint_set_enabled(*, actor: AbstractBaseUser | None, endpoint: Endpoint, enabled: bool, reason: str = "") -> Endpoint:
    """Disable (pending deliveries are marked failed: nobody will send them) or enable again
    (counting failures afresh)."""
    if endpoint.enabled == enabled:
        raise Conflict(f"the endpoint is already {'enabled' if enabled else 'disabled'}", code="unchanged")
    before = _state(endpoint)
    with transaction.atomic():
        _set_enabled(endpoint, enabled, reason or ("disabled by an admin" if not enabled else ""))
        _audit(actor, endpoint, "webhook.enable" if enabled else "webhook.disable", before, _state(endpoint))
    endpoint_index.forget()
    return endpoint


def _set_enabled(endpoint: Endpoint, enabled: bool, reason: str, now: datetime | None = None) -> None:
    endpoint.enabled = enabled
    endpoint.disabled_reason = "" if enabled else reason[:300]
    endpoint.failing_since = None if enabled else endpoint.failing_since
    endpoint.save(update_fields=["enabled", "disabled_reason", "failing_since"])
    if not enabled:
        endpoint.deliveries.filter(status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, next_attempt=None, finished=now or timezone.now(),
            last_error=f"not sent: endpoint disabled ({reason})"[:300],
        )


def endpoint_remove(*, actor: AbstractBaseUser | None, endpoint: Endpoint) -> None:
    """Delete the endpoint and its delivery log; its pending deliveries are never sent."""
    with transaction.atomic():
        _audit(actor, endpoint, "webhook.remove", _state(endpoint), {})
        endpoint.delete()
    endpoint_index.forget()


def endpoint_send_test(*, actor: AbstractBaseUser | None, endpoint: Endpoint, now: datetime | None = None) -> Delivery:
    """Queue a `webhook.test` event for this endpoint alone; the worker sends it like any other."""
    if not endpoint.enabled:
        raise Conflict("the endpoint is disabled: enable it first", code="endpoint_disabled")
    now = now or timezone.now()
    data = payloads.test_data(endpoint_id=endpoint.pk, site=endpoint.site.slug)
    with transaction.atomic():
        delivery = Delivery.objects.create(
            endpoint=endpoint, event=EventType.TEST, message_id=signing.message_id_new(),
            body=payloads.body(EventType.TEST, now, data), created=now,
        )
        _audit(actor, endpoint, "webhook.test", {}, {"delivery": delivery.pk})
        tasks.webhook_deliver.enqueue(delivery.pk)
        sweep_later(now)
    return delivery


# ---------------------------------------------------------------------------- deliveries

def deliveries_create(*, site_id: int, event: str, message_id: str, body: str, now: datetime | None = None) -> list[Delivery]:
    """The fan-out: one delivery per enabled endpoint of the site that wants `event`, each with
    its first attempt queued in the same transaction."""
    now = now or timezone.now()
    endpoints = endpoints_wanting(site_id=site_id, event=event)
    with transaction.atomic():
        deliveries = [
            Delivery.objects.create(endpoint=e, event=event, message_id=message_id, body=body, created=now)
            for e in endpoints
        ]
        for delivery in deliveries:
            tasks.webhook_deliver.enqueue(delivery.pk)
    return deliveries


def webhook_work_resume(*, now: datetime | None = None) -> int:
    """The sweep. A worker killed mid-task leaves its task "running" for ever, and a delivery
    task that raised leaves its delivery pending with nothing queued: either way the event or
    its retries would stop there. So: put our tasks that have been running for STALLED_AFTER
    back in the queue, queue again every pending delivery that is that overdue, and come back
    while any such work remains. Returns how many were put back."""
    now = now or timezone.now()
    ours = [tasks.webhook_fan_out.module_path, tasks.webhook_deliver.module_path]
    with transaction.atomic():
        stuck = DBTaskResult.objects.filter(task_path__in=ours, status="RUNNING", started_at__lt=now - STALLED_AFTER)
        revived = stuck.update(status="READY")
        overdue = Delivery.objects.filter(status=DeliveryStatus.PENDING).filter(
            Q(next_attempt__lt=now - STALLED_AFTER) | Q(next_attempt__isnull=True, created__lt=now - STALLED_AFTER)
        )
        ids = list(overdue.values_list("id", flat=True)[:1000])
        for delivery_id in ids:
            tasks.webhook_deliver.enqueue(delivery_id)
        waiting = DBTaskResult.objects.filter(task_path__in=ours, status__in=["READY", "RUNNING"]).exists()
        if waiting or Delivery.objects.filter(status=DeliveryStatus.PENDING).exists():
            sweep_later(now)
    if revived or ids:
        logger.warning("webhooks: %d stalled tasks and %d overdue deliveries queued again", revived, len(ids))
    return revived + len(ids)


class _SweepMemo:
    """When this process last saw the sweep queued for: until then, events need not look (the
    look is a query in every comment write of a site with webhooks)."""

    until: datetime | None = None


def sweep_later(now: datetime) -> None:
    """Keep one sweep waiting in the queue while webhook work is in flight (none otherwise)."""
    if not tasks.webhook_sweep.get_backend().supports_defer:
        return  # the in-process backend of tests and development: nothing is ever left behind
    if _SweepMemo.until is not None and now < _SweepMemo.until:
        return
    queued = (
        DBTaskResult.objects.filter(task_path=tasks.webhook_sweep.module_path, status="READY")
        .order_by("run_after").values_list("run_after", flat=True).first()
    )
    if queued is None:
        queued = now + STALLED_AFTER
        tasks.webhook_sweep.using(run_after=queued).enqueue()

    def remember() -> None:  # only once the queued sweep is committed
        _SweepMemo.until = queued

    transaction.on_commit(remember)


def sweep_memo_forget() -> None:
    _SweepMemo.until = None


def _signing_secrets(endpoint: Endpoint, now: datetime) -> list[str]:
    grace = endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > now
    return [endpoint.secret, endpoint.previous_secret] if grace else [endpoint.secret]


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """One attempt: sign (the timestamp is the wall clock at sending, which receivers compare
    against), POST, record. A 2xx delivers; anything else schedules the next attempt from the
    retry schedule, or ends the delivery as failed when the schedule has run out."""
    now = now or timezone.now()
    delivery = Delivery.objects.select_related("endpoint__site").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return delivery
    if delivery.next_attempt and delivery.next_attempt > now:
        return delivery  # a stray early run: the scheduled task comes at next_attempt
    endpoint = delivery.endpoint
    headers = signing.signature_headers(
        signing_secrets=_signing_secrets(endpoint, now), message_id=delivery.message_id,
        timestamp=int(time.time()), body=delivery.body,
    )
    answer = net.post(endpoint.url, body=delivery.body.encode(), headers=headers)
    _record(delivery, answer, now)
    return delivery


def _record(delivery: Delivery, answer: net.Answer, now: datetime) -> None:
    endpoint = delivery.endpoint
    number = delivery.attempts + 1
    fields: dict[str, Any] = {"attempts": number, "last_status_code": answer.status, "last_error": answer.error}
    disable = False
    if answer.ok:
        fields.update(status=DeliveryStatus.DELIVERED, next_attempt=None, finished=now)
    else:
        waits = retry_schedule()
        if number <= len(waits):
            fields.update(next_attempt=now + waits[number - 1])
        else:
            fields.update(status=DeliveryStatus.FAILED, next_attempt=None, finished=now)
        failing_since = endpoint.failing_since or now
        disable = endpoint.enabled and failing_since <= now - timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS)
    with transaction.atomic():
        # Guarded by the attempt count: if another run recorded this attempt first, stop here.
        if not Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING, attempts=delivery.attempts).update(**fields):
            return
        for key, value in fields.items():
            setattr(delivery, key, value)
        Attempt.objects.create(delivery=delivery, number=number, at=now, status_code=answer.status,
                               error=answer.error, duration_ms=answer.duration_ms)
        if answer.ok:
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        else:
            Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
        if disable:
            days = settings.WEBHOOK_DISABLE_AFTER_DAYS
            endpoint.refresh_from_db()
            _set_enabled(endpoint, False, f"failing for {days} day{'s' if days != 1 else ''} without a success", now)
            endpoint_index.forget()
            transaction.on_commit(lambda: _tell_admins_disabled(endpoint))
        elif delivery.status == DeliveryStatus.PENDING:
            _schedule(delivery.pk, fields["next_attempt"])


def _schedule(delivery_id: int, at: datetime) -> None:
    if tasks.webhook_deliver.get_backend().supports_defer:
        tasks.webhook_deliver.using(run_after=at).enqueue(delivery_id)
    else:
        # The in-process backend of tests and development runs tasks at once: it cannot wait.
        logger.warning("task backend cannot defer: webhook delivery %s will not be retried", delivery_id)


def _tell_admins_disabled(endpoint: Endpoint) -> None:
    site = endpoint.site
    recipients = site_admin_addresses(site)
    last = Attempt.objects.filter(delivery__endpoint=endpoint).order_by("-id").values_list("error", flat=True).first()
    body = (
        f"The webhook endpoint {endpoint.url} of {site.name} ({site.slug}) has been disabled: "
        f"{endpoint.disabled_reason}.\n\n"
        f"Last error: {last or '(none recorded)'}\n\n"
        "Events are no longer sent to it. Fix the receiver, then enable the endpoint again on the "
        f"site's webhooks page (/moderate/sites/{site.slug}/webhooks/) and send a test event.\n"
    )
    for address in recipients:  # one message each: admins need not learn each other's addresses
        try:
            send_mail(subject=f"Webhook disabled on {site.name}"[:200], message=body,
                      from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[address])
        except OSError as exc:
            # The exception's text may name the address (SMTPRecipientsRefused): only its kind is logged.
            logger.warning("could not mail an admin of %s about a disabled webhook: %s", site.slug, type(exc).__name__)
    logger.warning("webhook endpoint %s of %s disabled: %s", endpoint.pk, site.slug, endpoint.disabled_reason)


# ---------------------------------------------------------------------------- erasure


def _erased_body(body: str, ids: set[int], wars: dict[int, list[str]]) -> str | None:
    """The body as it reads once the reader is erased, or None when it says nothing of them."""
    message = json.loads(body)
    data = message.get("data") or {}
    comment, war = data.get("comment"), data.get("flamewar")
    if isinstance(comment, dict) and comment.get("id") in ids:
        if comment.get("author") is None and not comment.get("text") and not comment.get("html"):
            return None  # already says nothing of them (the erasure's own comment.deleted)
        comment.update(author=None, text="", html="", edited=None)
    elif isinstance(war, dict) and ERASED in wars.get(int(war.get("id") or 0), []):
        # The war record kept the names still there and put ERASED in place of the erased ones.
        kept = wars[war["id"]]
        names = [p if p in kept else ERASED for p in war.get("participants") or []]
        if names == war.get("participants"):
            return None
        war["participants"] = names
    else:
        return None
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def deliveries_erase(whose: Whose, ids: list[int]) -> int:
    """Erasure's reach into the webhooks (a `privacy.register_eraser` eraser, run inside the
    erasure's transaction, after the war records lost the reader's names): the stored bodies of
    deliveries, and of fan-outs not yet pruned, lose the erased comments' authors and texts, and
    flame-war bodies those names. A delivery still to be attempted sends the erased body.
    Returns how many bodies were rewritten."""
    wanted = set(ids)
    wars = {war.pk: list(war.participants) for war in FlameWar.objects.filter(thread__site=whose.site)}
    found: dict[int, str] = {}
    chunks = [Q(event__startswith="flamewar.")] + [
        Q(*[Q(body__contains=f'"comment":{{"id":{i},') for i in sorted(wanted)[n:n + 200]], _connector=Q.OR)
        for n in range(0, len(wanted), 200)
    ]
    for q in chunks:
        found.update(Delivery.objects.filter(endpoint__site=whose.site).filter(q).values_list("id", "body"))
    erased = 0
    for delivery_id, old in found.items():
        body = _erased_body(old, wanted, wars)
        if body is not None:
            Delivery.objects.filter(pk=delivery_id).update(body=body)
            erased += 1
    # A fan-out's task row carries the body too, until it is pruned.
    results = DBTaskResult.objects.filter(task_path=tasks.webhook_fan_out.module_path).only("id", "args_kwargs")
    for result in results.iterator():
        args = list((result.args_kwargs or {}).get("args") or [])
        if len(args) != 4 or args[0] != whose.site.pk:
            continue
        body = _erased_body(args[3], wanted, wars)
        if body is not None:
            args[3] = body
            DBTaskResult.objects.filter(pk=result.pk).update(args_kwargs={**result.args_kwargs, "args": args})
            erased += 1
    return erased
