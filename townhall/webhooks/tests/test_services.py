"""Delivery by the worker: retries on the schedule, then failed; an endpoint failing for days is
disabled and its admins told; secrets rotate; a hanging receiver costs the post nothing; the
address is checked again at every attempt."""

from __future__ import annotations

import smtplib
import socket
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django_tasks_db.models import DBTaskResult

from townhall.comments.models import Site, Status
from townhall.comments.tests.factories import make_comment
from townhall.core.errors import Conflict, ValidationFailed
from townhall.moderators.models import AuditLog
from townhall.webhooks import services
from townhall.webhooks.models import SUBSCRIBABLE, Attempt, Delivery, DeliveryStatus, Endpoint
from townhall.webhooks.tests.conftest import Receiver, TaskWorker

pytestmark = pytest.mark.django_db


def endpoint_for(site: Site, receiver: Receiver, **extra: Any) -> Endpoint:
    endpoint = services.endpoint_create(actor=None, site=site, url=receiver.url, events=list(SUBSCRIBABLE), **extra)
    receiver.secret = endpoint.secret
    return endpoint


def test_retries_after_a_500_follow_the_schedule_until_one_succeeds(
    site: Site, receiver: Receiver, worker: TaskWorker,
) -> None:
    endpoint = endpoint_for(site, receiver)
    receiver.script = [500, 503]
    make_comment(site, text="Retry me.")
    worker.drain()
    assert len(receiver.received) == 1
    assert worker.drain() == 0  # the retry waits for its time
    worker.clock.advance(seconds=5)
    assert worker.drain() == 1 and len(receiver.received) == 2
    worker.clock.advance(minutes=4)
    assert worker.drain() == 0
    worker.clock.advance(minutes=1)
    assert worker.drain() == 1
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3
    assert [a.status_code for a in Attempt.objects.filter(delivery=delivery)] == [500, 503, 200]
    # Every attempt carries the same id and a valid signature, so the receiver can drop repeats.
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert all(r.verified for r in receiver.received)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.enabled


def test_a_delivery_is_marked_failed_when_the_schedule_runs_out(
    site: Site, receiver: Receiver, worker: TaskWorker, settings: Any,
) -> None:
    settings.WEBHOOK_RETRY_SCHEDULE = "5s"
    endpoint = endpoint_for(site, receiver)
    receiver.script = [500, 500]
    make_comment(site, text="Doomed.")
    worker.drain()
    worker.clock.advance(seconds=5)
    worker.drain()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 2 and delivery.next_attempt is None
    assert delivery.last_status_code == 500 and delivery.last_error.startswith("HTTP 500")
    assert worker.pending() == 0
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is not None


def test_an_endpoint_failing_for_n_days_is_disabled_and_the_site_admins_told(
    site: Site, receiver: Receiver, worker: TaskWorker, settings: Any, admin: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.WEBHOOK_DISABLE_AFTER_DAYS = 2
    settings.WEBHOOK_RETRY_SCHEDULE = "1h"
    User.objects.create_superuser("root", "root@example.org", "x" * 12)  # an admin exists: not told
    endpoint = endpoint_for(site, receiver)
    receiver.script = [500] * 10
    make_comment(site, text="First failure.")
    worker.drain()
    worker.clock.advance(hours=1)
    worker.drain()
    endpoint.refresh_from_db()
    assert endpoint.enabled and Delivery.objects.get().status == DeliveryStatus.FAILED
    worker.clock.advance(days=2)
    make_comment(site, text="Still failing two days later.")
    with django_capture_on_commit_callbacks(execute=True):  # the mail goes once the disabling commits
        worker.drain()
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "failing for 2 days" in endpoint.disabled_reason
    assert not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()
    assert worker.pending() == 0
    [message] = mail.outbox
    assert message.to == ["boss@example.org"] and receiver.url in message.body and "HTTP 500" in message.body
    # Disabled: the next event is not even queued.
    make_comment(site, text="Nobody listens now.")
    assert worker.pending() == 0 and len(receiver.received) == 3


def test_a_hanging_receiver_never_slows_posting_and_the_event_is_not_lost(
    site: Site, receiver: Receiver, worker: TaskWorker, settings: Any,
) -> None:
    settings.WEBHOOK_TIMEOUT = 0.3
    endpoint_for(site, receiver)
    receiver.hang = 2.0
    started = time.monotonic()
    make_comment(site, text="Posted while the receiver hangs.")
    assert time.monotonic() - started < 1.0 and receiver.received == []
    started = time.monotonic()
    worker.drain()
    assert time.monotonic() - started < 1.5  # the worker gave up after the timeout
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code is None
    assert "timed out" in delivery.last_error
    receiver.hang = 0
    worker.clock.advance(seconds=5)
    worker.drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and receiver.received[-1].verified


def test_the_receiver_rejects_a_tampered_body_or_a_wrong_secret(
    site: Site, receiver: Receiver, worker: TaskWorker,
) -> None:
    endpoint_for(site, receiver)
    make_comment(site, text="Genuine.")
    worker.drain()
    genuine = receiver.received[0]
    assert genuine.verified
    headers = {k: v for k, v in genuine.headers.items() if k.startswith("webhook-")}
    tampered = genuine.body.replace(b"Genuine.", b"Forged!!")
    request = urllib.request.Request(receiver.url, data=tampered, headers=headers, method="POST")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 - the local receiver
    assert refused.value.code == 401 and not receiver.received[-1].verified
    # A delivery signed with another secret is refused too, so the worker retries it.
    receiver.secret = "whsec_" + "B" * 43
    make_comment(site, text="Signed with a secret the receiver does not have.")
    worker.drain()
    assert receiver.received[-1].verified is False
    assert Delivery.objects.order_by("-id").first().last_status_code == 401  # type: ignore[union-attr]


def test_a_rotated_secret_signs_beside_the_old_one_for_the_grace_period(
    site: Site, receiver: Receiver, worker: TaskWorker, settings: Any,
) -> None:
    settings.WEBHOOK_SECRET_GRACE_HOURS = 24
    endpoint = endpoint_for(site, receiver)
    old = endpoint.secret
    services.endpoint_rotate_secret(actor=None, endpoint=endpoint)
    assert endpoint.secret != old
    make_comment(site, text="During the grace period.")
    worker.drain()
    during = receiver.received[-1]
    assert during.verified and len(during.headers["webhook-signature"].split(" ")) == 2  # still the old secret
    worker.clock.advance(hours=25)
    make_comment(site, text="After it.")
    worker.drain()
    assert not receiver.received[-1].verified  # the old secret alone no longer verifies
    receiver.secret = endpoint.secret
    worker.clock.advance(seconds=5)
    worker.drain()
    assert receiver.received[-1].verified and len(receiver.received[-1].headers["webhook-signature"].split(" ")) == 1
    assert AuditLog.objects.filter(action="webhook.rotate", target_id=endpoint.pk).exists()


def test_the_address_is_checked_again_at_delivery(
    site: Site, receiver: Receiver, worker: TaskWorker, settings: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: the name was public when the endpoint was added and is loopback now."""
    settings.WEBHOOK_ALLOW_NETWORKS = []
    port = receiver.url.split(":")[2].split("/")[0]
    answer = {"address": "93.184.216.34"}

    def resolve(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer["address"], port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    services.endpoint_create(actor=None, site=site, url=f"http://hooks.example:{port}/hooks", events=["comment.published"])
    answer["address"] = "127.0.0.1"
    make_comment(site, text="Should not reach the loopback.")
    worker.drain()
    delivery = Delivery.objects.get()
    assert receiver.received == [] and delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("refused: hooks.example resolves to 127.0.0.1")


def test_work_a_dead_worker_dropped_is_put_back_by_the_sweep(
    site: Site, receiver: Receiver, worker: TaskWorker,
) -> None:
    endpoint_for(site, receiver)
    make_comment(site, text="The worker dies running the fan-out.")
    worker.claim_without_running()
    make_comment(site, text="The worker dies sending this one.")
    worker.drain(limit=1)  # the second fan-out
    worker.claim_without_running()  # its delivery
    assert worker.drain() == 0 and receiver.received == []
    worker.clock.advance(minutes=16)
    worker.drain()
    texts = sorted(r.json["data"]["comment"]["text"] for r in receiver.received)
    assert texts == ["The worker dies running the fan-out.", "The worker dies sending this one."]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    # Nothing in flight any more: the sweep stops coming back.
    worker.clock.advance(minutes=16)
    worker.drain()
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.parametrize(("url", "events", "field"), [
    ("http://127.0.0.2/hooks", ["comment.published"], "url"),  # loopback, not allow-listed
    ("gopher://hooks.example/", ["comment.published"], "url"),
    ("https://hooks.example/", [], "events"),
    ("https://hooks.example/", ["comment.liked"], "events"),
])
def test_a_bad_endpoint_is_refused_naming_the_field(site: Site, url: str, events: list[str], field: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2" if host == "127.0.0.2" else "93.184.216.34", port))])
    with pytest.raises(ValidationFailed) as refused:
        services.endpoint_create(actor=None, site=site, url=url, events=events)
    assert [e.field for e in refused.value.errors] == [field]
    assert not Endpoint.objects.exists()


def test_a_test_event_goes_to_that_endpoint_only_and_not_when_disabled(
    site: Site, receiver: Receiver, worker: TaskWorker,
) -> None:
    endpoint = endpoint_for(site, receiver)
    services.endpoint_create(actor=None, site=site, url=receiver.url + "/other", events=["comment.held"])
    services.endpoint_send_test(actor=None, endpoint=endpoint)
    worker.drain()
    [got] = receiver.received
    assert got.verified and got.json["type"] == "webhook.test" and got.json["data"]["test"]["endpoint"] == endpoint.pk
    services.endpoint_set_enabled(actor=None, endpoint=endpoint, enabled=False)
    with pytest.raises(Conflict):
        services.endpoint_send_test(actor=None, endpoint=endpoint)
    make_comment(site, text="Disabled endpoint: nothing sent.", status=Status.PUBLISHED)
    worker.drain()
    assert len(receiver.received) == 1


def test_enabling_again_counts_failures_afresh(site: Site, receiver: Receiver) -> None:
    endpoint = endpoint_for(site, receiver)
    services.endpoint_set_enabled(actor=None, endpoint=endpoint, enabled=False)
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since="2020-01-01T00:00:00Z")
    endpoint.refresh_from_db()
    services.endpoint_set_enabled(actor=None, endpoint=endpoint, enabled=True)
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is None and endpoint.disabled_reason == ""
    actions = list(AuditLog.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["webhook.add", "webhook.disable", "webhook.enable"]
    assert endpoint.secret not in str(list(AuditLog.objects.values("before", "after")))


def test_settings_that_would_fail_on_the_worker_fail_the_check_at_start(settings: Any) -> None:
    from django.core.checks import run_checks

    settings.WEBHOOK_RETRY_SCHEDULE = "5s,soon"
    settings.WEBHOOK_ALLOW_NETWORKS = ["10.0.0.0/33"]
    messages = {e.id: e.msg for e in run_checks() if (e.id or "").startswith("townhall.webhooks")}
    assert "'soon' is not a wait" in messages["townhall.webhooks.E001"]
    assert "'10.0.0.0/33' is not a network" in messages["townhall.webhooks.E002"]
    settings.WEBHOOK_RETRY_SCHEDULE = "5s,1d"
    settings.WEBHOOK_ALLOW_NETWORKS = ["10.0.0.0/8"]
    assert [e for e in run_checks() if (e.id or "").startswith("townhall.webhooks")] == []
    assert services.retry_schedule()[1].days == 1


def test_a_refused_admin_mail_logs_no_address(
    site: Site, receiver: Receiver, admin: User, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    endpoint = endpoint_for(site, receiver)

    def refuse(**kwargs: Any) -> int:
        raise smtplib.SMTPRecipientsRefused({kwargs["recipient_list"][0]: (550, b"no such user")})

    monkeypatch.setattr(services, "send_mail", refuse)
    services._tell_admins_disabled(endpoint)
    assert "could not mail an admin of blog" in caplog.text
    assert "boss@example.org" not in caplog.text
