"""Writes about readers' addresses: register one, confirm it with a signed link's token.

The confirmation token is signed and expires; it names the address row, never the address, so
a link in a forwarded mail tells nobody who it was for. It may also name the reader id of the
browser whose request caused it: following it binds that browser to the address (ReaderAddress)."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext

from townhall.comments.models import Site
from townhall.core.errors import FieldError, ValidationFailed
from townhall.identity.models import EmailAddress, Identity, Mute, ReaderAddress
from townhall.identity.selectors import email_digest, email_normalise

CONFIRM_SALT = "townhall.identity.confirm"
CONFIRM_MAX_AGE = timedelta(days=3)


def email_address_register(*, site: Site, email: str) -> tuple[EmailAddress, bool]:
    """The row for this address on this site, created unconfirmed when new. Returns (row, created)."""
    return EmailAddress.objects.get_or_create(
        site=site, digest=email_digest(email), defaults={"email": email_normalise(email)}
    )


def email_confirmation_token(*, address: EmailAddress, reader: str = "") -> str:
    """`reader`: the reader id of the browser that asked, bound to the address when followed."""
    value = f"{address.pk}:{address.digest[:16]}"
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(f"{value}:{reader}" if reader else value)


def _confirmation_read(token: str) -> tuple[EmailAddress, str]:
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(
            token.strip(), max_age=CONFIRM_MAX_AGE
        )
    except signing.SignatureExpired:
        raise ValidationFailed([FieldError("token", gettext("has expired: ask for a new link"), "expired")]) from None
    except signing.BadSignature:
        raise ValidationFailed([FieldError("token", gettext("is not a link this server sent"), "invalid")]) from None
    # Links mailed before readers were bound carry no third part: they confirm the address only.
    pk, digest_head, reader = (value.split(":", 2) + [""])[:3]
    address = EmailAddress.objects.filter(pk=int(pk), digest__startswith=digest_head).first()
    if address is None:
        raise ValidationFailed([FieldError("token", gettext("names an address that no longer exists"), "invalid")])
    return address, reader


def email_confirmation_check(*, token: str) -> EmailAddress:
    """The address behind a confirmation token, changing nothing (the page a link opens, before
    its button is pressed). Raises ValidationFailed with code `expired` or `invalid`."""
    return _confirmation_read(token)[0]


def email_address_confirm(*, token: str) -> EmailAddress:
    """Mark the address behind a confirmation token confirmed, and bind the browser that asked
    for it, if the token names one (idempotent). Raises ValidationFailed with code `expired` or
    `invalid`."""
    address, reader = _confirmation_read(token)
    if address.confirmed is None:
        address.confirmed = timezone.now()
        address.save(update_fields=["confirmed"])
    if reader:
        ReaderAddress.objects.update_or_create(site_id=address.site_id, reader=reader, defaults={"address": address})
    return address


def email_address_disable(*, address: EmailAddress, reason: str) -> bool:
    """Stop all mail to an address (a 5xx at RCPT, a hard bounce). Returns whether it changed:
    the first reason is kept, so a later bounce does not hide why mail stopped."""
    changed = EmailAddress.objects.filter(pk=address.pk, disabled__isnull=True).update(
        disabled=timezone.now(), disabled_reason=reason[:200]
    )
    address.refresh_from_db(fields=["disabled", "disabled_reason"])
    return bool(changed)


# ---------------------------------------------------------------------------- mutes (issue 10)

MAX_MUTES = 500


def mute_set(*, identity: Identity, author_key: str, name: str, muted: bool) -> None:
    """Mute (or unmute) a commenter for a signed-in reader, on their account."""
    if not author_key or len(author_key) > 32:
        raise ValidationFailed([FieldError("key", "is not an author key")])
    if not muted:
        Mute.objects.filter(identity=identity, author_key=author_key).delete()
        return
    if Mute.objects.filter(identity=identity).count() >= MAX_MUTES:
        raise ValidationFailed([FieldError("key", gettext("at most %(n)s commenters can be muted") % {"n": MAX_MUTES}, "too_many")])
    Mute.objects.update_or_create(identity=identity, author_key=author_key, defaults={"name": name[:100]})
