"""The signed values inside mail: unsubscribe links, one-click moderation links and the VERP
return path. Each names rows by id, never an address, so a forwarded mail or a bounce tells
nobody whom it was for."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext

from townhall.core.errors import FieldError, ValidationFailed
from townhall.moderation.decisions import Verdict

UNSUBSCRIBE_SALT = "townhall.notifications.unsubscribe"
ACTION_SALT = "townhall.notifications.action"
ACTION_VERDICTS = (Verdict.APPROVE, Verdict.REJECT, Verdict.SPAM)


def _invalid(message: str = "", code: str = "invalid") -> ValidationFailed:
    return ValidationFailed([FieldError("token", message or gettext("is not a link this server sent"), code)])


@dataclass(frozen=True)
class Unsubscribe:
    """What one unsubscribe link stops: a reader's mail about one thread (thread_id), all of a
    reader's mail (address_id alone), or a moderator's alerts for one site (preference_id)."""

    address_id: int = 0
    thread_id: int = 0
    preference_id: int = 0


def unsubscribe_token(scope: Unsubscribe) -> str:
    # Unsubscribe links never expire: RFC 8058 mail clients may post them long after the mail came.
    return signing.dumps([scope.address_id, scope.thread_id, scope.preference_id], salt=UNSUBSCRIBE_SALT,
                         compress=False)


def unsubscribe_read(token: str) -> Unsubscribe:
    try:
        a, t, p = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return Unsubscribe(int(a), int(t), int(p))
    except (signing.BadSignature, ValueError, TypeError):
        raise _invalid() from None


@dataclass(frozen=True)
class Action:
    user_id: int
    comment_id: int
    verdict: Verdict
    nonce: str


def action_token(*, user_id: int, comment_id: int, verdict: Verdict) -> str:
    """A one-click verdict for one moderator on one comment; the nonce makes it single use."""
    return signing.dumps([user_id, comment_id, str(verdict), secrets.token_hex(8)], salt=ACTION_SALT, compress=False)


def action_read(token: str) -> Action:
    """Raises ValidationFailed with code `expired` or `invalid`."""
    max_age = timedelta(hours=settings.MAIL_ACTION_HOURS)
    try:
        value: Any = signing.loads(token, salt=ACTION_SALT, max_age=max_age)
        user_id, comment_id, verdict, nonce = value
        return Action(int(user_id), int(comment_id), Verdict(verdict), str(nonce))
    except signing.SignatureExpired:
        raise _invalid(gettext("has expired: moderate this comment from the queue instead"), "expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise _invalid() from None


# ---------------------------------------------------------------------------- VERP

def _verp_mac(address_id: int) -> str:
    # Lower-case hex: some mail servers lower-case the local part of the address they bounce to.
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"verp:{address_id}".encode(), hashlib.sha256).hexdigest()[:12]


def _return_path_base() -> tuple[str, str]:
    from email.utils import parseaddr

    base = settings.MAIL_RETURN_PATH or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    local, _, domain = base.partition("@")
    return local, domain


def verp_address(address_id: int) -> str:
    """The envelope sender of mail to one address: bounces come back to it and name the row."""
    local, domain = _return_path_base()
    return f"{local}+b{address_id}-{_verp_mac(address_id)}@{domain}"


def verp_read(recipient: str) -> int | None:
    """The address row a bounce is about, from the address it was sent to; None if not ours."""
    local, _, _ = recipient.strip().strip("<>").partition("@")
    _, _, tag = local.partition("+")
    if not tag.lower().startswith("b") or "-" not in tag:
        return None
    pk, _, mac = tag[1:].partition("-")
    if not pk.isdigit() or not hmac.compare_digest(mac.lower(), _verp_mac(int(pk))):
        return None
    return int(pk)
