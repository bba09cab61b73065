"""Moderator alerts through a real SMTP server and a local webhook receiver: preferences set in
the dashboard, an immediate alert whose one-click links land on a confirmation page that acts
only on POST, once, for that moderator; and an hourly digest of every kind of alert."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from townhall.comments.models import Comment, Site, Status
from townhall.comments.services import site_update
from townhall.moderation.events import flamewar_detected
from townhall.moderation.models import FlameWar
from townhall.moderators.models import AuditLog
from townhall.notifications.models import AlertPreference
from townhall.notifications.services import alert_preference_save
from townhall.notifications.tests.conftest import Handler, Hooks, Worker, make_moderator
from townhall.notifications.tests.helpers import ANN, BOB, FROM, confirmed, post
from townhall.posting.services import comment_report

pytestmark = pytest.mark.django_db
MOD = "mod@staff.example"

FORM = {"site": "blog", "blog-mode": "immediate", "blog-by_mail": "on", "blog-held": "on", "blog-reported": "on",
        "blog-flamewars": "on", "blog-backlog": "on", "blog-backlog_threshold": "20", "blog-webhook_url": ""}


def test_an_immediate_alert_and_its_one_click_links(site: Site, smtp: Handler, worker: Worker, client: Client,
                                                     settings: Any) -> None:
    moderator = make_moderator(site, "mod", MOD)
    other = make_moderator(site, "other", "other@staff.example")
    client.force_login(moderator)
    page = client.get("/moderate/alerts/")
    assert page.status_code == 200 and b"Save alerts for A blog" in page.content
    bad = client.post("/moderate/alerts/", {**FORM, "blog-mode": "sometimes", "blog-webhook_url": "ftp://x"})
    assert bad.status_code == 422 and b"sometimes" in bad.content and not AlertPreference.objects.exists()
    assert client.post("/moderate/alerts/", FORM).status_code == 302
    client.logout()
    worker.run()
    [confirm] = smtp.to(MOD)
    assert client.post(confirm.path("/mail/confirm/")).status_code == 200

    site_update(site=site, premoderate=True)
    held = post(site, "Please approve this comment about the budget.", name="Ann", email=ANN)
    worker.run()
    [alert] = smtp.to(MOD)[1:]
    assert alert.message["Subject"] == "[A blog] Held on https://blog.example/2016/09/article"
    assert "about the budget" in alert.text and "By Ann" in alert.text
    assert "reviews every comment before publishing" in alert.html
    assert alert.addresses() <= {MOD, FROM, alert.mail_from.lower()}, "the author's address is never in an alert"
    assert str(alert.message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"

    approve, reject, spam = alert.after("Approve"), alert.after("Reject"), alert.after("Spam")
    page = client.get(approve)
    assert page.status_code == 200 and b"Approve this comment" in page.content and b"about the budget" in page.content
    held.refresh_from_db()
    assert held.status == Status.PENDING, "opening the link (a mail scanner) changes nothing"

    forged = client.post(approve[:-4] + "AAA/")
    assert forged.status_code == 400 and b"not a link this server sent" in forged.content
    client.force_login(other)
    assert client.post(approve).status_code == 403
    client.logout()
    held.refresh_from_db()
    assert held.status == Status.PENDING

    done = client.post(approve)
    assert done.status_code == 200 and b"is now published" in done.content
    held.refresh_from_db()
    assert held.status == Status.PUBLISHED
    assert AuditLog.objects.filter(action="comment.approve", actor=moderator, target_id=held.pk).count() == 1
    again = client.post(reject.replace(reject, approve))
    assert again.status_code == 410 and b"already used" in again.content
    held.refresh_from_db()
    assert held.status == Status.PUBLISHED

    settings.MAIL_ACTION_HOURS = 0
    expired = client.post(spam)
    assert expired.status_code == 410 and b"expired" in expired.content
    held.refresh_from_db()
    assert held.status == Status.PUBLISHED

    # The footer's link turns these alerts off.
    assert client.post(alert.after("Stop these alerts")).status_code == 200
    post(site, "Another comment that no alert mentions.", name="Bob", email=BOB)
    worker.run()
    assert len(smtp.to(MOD)) == 2


def test_an_hourly_digest_by_mail_and_webhook(site: Site, smtp: Handler, worker: Worker, hook_receiver: Hooks) -> None:
    moderator = make_moderator(site, "mod", MOD)
    confirmed(site, MOD)
    alert_preference_save(user=moderator, site=site, mode="hourly", backlog_threshold=1,
                          webhook_url=hook_receiver.url)
    reported = post(site, "A published comment that readers report.", name="Bob")
    for reader in ("r1", "r2"):
        comment_report(comment_id=reported.pk, reader=reader, ip="10.0.0.9", reason="abuse")
    site_update(site=site, premoderate=True)
    for text in ("The first held comment of the day.", "The second held comment, over the threshold.",
                 "The third, while the backlog alert is already out."):
        post(site, text, name="Ann")
        worker.run()  # the worker counts the queue as each one arrives
    with transaction.atomic():
        root = Comment.objects.get(pk=reported.pk)
        war = FlameWar.objects.create(thread=root.thread, root=root, participants=["Bob", "Carl"],
                                      comment_count=9, hostile_count=3, detected=timezone.now(), updated=timezone.now())
        flamewar_detected(war.pk)
    worker.run()
    assert smtp.to(MOD) == [] and hook_receiver.bodies == [], "a digest waits for its hour"

    worker.run(later=timedelta(hours=1, seconds=1))
    [digest] = smtp.to(MOD)
    assert digest.message["Subject"] == "[A blog] 6 moderation alerts"
    text = digest.text
    assert text.count("Reported on") == 1 and text.count("Held on") == 3
    assert "Flame war on" in text and "Bob, Carl" in text
    assert text.count("comments wait in the pending queue") == 1 and "2 comments wait" in text
    assert text.count("Approve: ") == 4, "each comment has its own links; wars and backlogs link to the queue"
    [hook] = hook_receiver.bodies
    assert "6 moderation alerts" in hook["text"] and "/moderate/flamewars/" in hook["text"]
    assert "/mail/act/" not in hook["text"], "a channel never gets a moderator's one-click links"
