"""Delivery over real SMTP: a 5xx at RCPT stops mail to the address at once, a 4xx is retried
with back-off on the worker, and a later bounce to the VERP return path (by the command or the
provider webhook) stops it too."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from townhall.comments.models import Site
from townhall.identity.selectors import email_address_get
from townhall.notifications.services import address_request
from townhall.notifications.tests.conftest import Handler, Worker
from townhall.notifications.tests.helpers import ANN, BOB, confirmed
from townhall.notifications.tokens import verp_address

pytestmark = pytest.mark.django_db
GONE, SLOW = "gone@readers.example", "slow@readers.example"


def test_a_5xx_at_rcpt_stops_mail_at_once_and_a_4xx_is_retried_with_back_off(
    site: Site, smtp: Handler, worker: Worker, settings: Any
) -> None:
    smtp.refuse.add(GONE)
    address_request(site=site, email=GONE)
    worker.run()
    gone = email_address_get(site=site, email=GONE)
    assert gone is not None and gone.disabled is not None and gone.disabled_reason.startswith("550 at RCPT")
    assert smtp.received == [] and worker.waiting() == [], "no retry for a permanent refusal"

    smtp.defer.add(SLOW)
    address_request(site=site, email=SLOW)
    worker.run()
    [retry] = worker.waiting()
    wait = (retry.run_after - timezone.now()).total_seconds()
    assert settings.MAIL_RETRY_SECONDS - 5 < wait <= settings.MAIL_RETRY_SECONDS
    worker.run(later=timedelta(seconds=settings.MAIL_RETRY_SECONDS + 1))
    [second] = worker.waiting()
    assert (second.run_after - timezone.now()).total_seconds() > settings.MAIL_RETRY_SECONDS + 5, "the wait doubles"
    smtp.defer.clear()
    worker.run(later=timedelta(seconds=4 * settings.MAIL_RETRY_SECONDS))
    [arrived] = smtp.to(SLOW)
    assert "Confirm" in arrived.message["Subject"] and worker.waiting() == []


def _dsn(*, to: str, status: str) -> bytes:
    """A delivery status notification (RFC 3464) as a receiving MTA writes it."""
    action = "failed" if status.startswith("5") else "delayed"
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.readers.example>
To: {to}
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUND"

--BOUND
Content-Type: text/plain

This is the mail system. Your message could not be delivered.

--BOUND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.readers.example

Final-Recipient: rfc822; someone
Action: {action}
Status: {status}

--BOUND--
""".replace("\n", "\r\n").encode()


def test_a_bounce_read_through_the_verp_return_path(site: Site, smtp: Handler, tmp_path: Path, client: Client,
                                                    settings: Any) -> None:
    ann, bob = confirmed(site, ANN), confirmed(site, BOB)
    hard, soft = tmp_path / "hard.eml", tmp_path / "soft.eml"
    hard.write_bytes(_dsn(to=verp_address(ann.pk), status="5.1.1"))
    soft.write_bytes(_dsn(to=verp_address(bob.pk), status="4.4.7"))
    out = StringIO()
    call_command("mail", "bounce", str(soft), stdout=out)
    call_command("mail", "bounce", str(hard), stdout=out)
    assert "temporary failure 4.4.7; nothing changed" in out.getvalue()
    assert f"address #{ann.pk}: permanent failure 5.1.1; mail to it stopped" in out.getvalue()
    assert "@" not in out.getvalue(), "the command never prints an address"
    ann.refresh_from_db()
    bob.refresh_from_db()
    assert ann.disabled is not None and ann.disabled_reason == "bounced: 5.1.1" and bob.disabled is None

    forged = tmp_path / "forged.eml"
    forged.write_bytes(_dsn(to=verp_address(bob.pk).replace("-", "-0", 1), status="5.1.1"))
    with pytest.raises(CommandError, match="not a bounce of ours"):
        call_command("mail", "bounce", str(forged))

    assert client.post("/mail/bounces/anything/", data=b"x", content_type="message/rfc822").status_code == 404
    settings.MAIL_BOUNCE_SECRET = "s3cret-path"
    assert client.post("/mail/bounces/wrong/", data=b"x", content_type="message/rfc822").status_code == 404
    r = client.post("/mail/bounces/s3cret-path/", data=_dsn(to=verp_address(bob.pk), status="5.2.1"),
                    content_type="message/rfc822")
    assert r.status_code == 200 and r.json() == {"recognised": True, "status": "5.2.1", "permanent": True,
                                                 "disabled": True}
    bob.refresh_from_db()
    assert bob.disabled is not None
