"""Getting a message out: through Django's mail backend (real SMTP in production), or to a
Slack-compatible incoming webhook. Both are destinations of a moderator's alerts, behind one
small Protocol; readers only get mail.

What a failure means decides what happens next: a 5xx at RCPT stops mail to that address at once
(identity's EmailAddress.disabled), a 4xx or a lost connection is retried later by the task that
sent it, anything else is dropped and logged (without the address)."""

from __future__ import annotations

import enum
import ipaddress
import json
import logging
import smtplib
import socket
import urllib.error
import urllib.request
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from townhall.core.errors import ValidationFailed
from townhall.identity.models import EmailAddress
from townhall.identity.services import email_address_disable

logger = logging.getLogger("townhall.mail")
WEBHOOK_TIMEOUT = 10  # seconds; a slow chat server delays only the worker, never a request


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"  # temporary: try again later
    REFUSED = "refused"  # the address is refused for good (and now disabled)
    FAILED = "failed"  # this message will not go out; nothing to retry


def mail_send(message: EmailMultiAlternatives, *, address: EmailAddress) -> Outcome:
    """Send one message to one address over the configured backend."""
    try:
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        code = min((c for c, _ in exc.recipients.values()), default=0)
        if code >= 500:
            reply = next(iter(exc.recipients.values()))[1]
            reason = f"{code} at RCPT: {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            email_address_disable(address=address, reason=reason)
            logger.warning("address #%s refused (%s); mail to it stopped", address.pk, code)
            return Outcome.REFUSED
        return Outcome.RETRY
    except smtplib.SMTPResponseException as exc:
        logger.warning("mail to address #%s: SMTP %s", address.pk, exc.smtp_code)
        return Outcome.RETRY if 400 <= exc.smtp_code < 500 else Outcome.FAILED
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("mail to address #%s: %s", address.pk, type(exc).__name__)
        return Outcome.RETRY
    return Outcome.SENT


# ---------------------------------------------------------------------------- alert destinations

class AlertMessage(Protocol):
    """What every destination can render: a subject, plain text, and for mail the rest."""

    subject: str
    text: str


class Destination(Protocol):
    name: str

    def send(self, message: AlertMessage) -> Outcome: ...


class MailDestination:
    name = "mail"

    def __init__(self, address: EmailAddress, build: EmailMultiAlternatives) -> None:
        self.address, self.build = address, build

    def send(self, message: AlertMessage) -> Outcome:
        return mail_send(self.build, address=self.address)


class WebhookDestination:
    """A Slack-compatible incoming webhook: one POST of {"text": ...} (Slack, Mattermost,
    Rocket.Chat and Discord's /slack endpoint all read it). It gets queue links, never the
    one-click verdict links: those are bound to one moderator, a channel is not."""

    name = "webhook"

    def __init__(self, url: str) -> None:
        self.url = url

    def send(self, message: AlertMessage) -> Outcome:
        try:
            webhook_check(self.url)  # again: the name may resolve elsewhere than when it was saved
        except ValidationFailed:
            logger.warning("alert webhook now points into a private network; not sent")
            return Outcome.FAILED
        body = json.dumps({"text": f"*{message.subject}*\n{message.text}"}).encode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked by webhook_check)
            self.url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
                response.read(1024)
        except urllib.error.HTTPError as exc:
            logger.warning("alert webhook answered %s", exc.code)
            return Outcome.RETRY if exc.code >= 500 or exc.code == 429 else Outcome.FAILED
        except (urllib.error.URLError, OSError) as exc:
            logger.warning("alert webhook unreachable: %s", type(exc).__name__)
            return Outcome.RETRY
        return Outcome.SENT


def webhook_check(url: str) -> str:
    """An alert webhook URL a moderator may set: http(s), and not a private, loopback or
    link-local address (which would let a moderator make the server call its own network),
    unless TOWNHALL_ALERT_WEBHOOK_ALLOW names the host."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed.one("webhook_url", "must be an http or https URL")
    host = parts.hostname
    if host in settings.ALERT_WEBHOOK_ALLOW:
        return url
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        raise ValidationFailed.one("webhook_url", f"names a host that does not resolve ({host})") from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise ValidationFailed.one("webhook_url", f"points into a private network ({host}); "
                                       "an operator may allow it with TOWNHALL_ALERT_WEBHOOK_ALLOW")
    return url
