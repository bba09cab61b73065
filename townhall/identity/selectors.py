"""Reads about readers' addresses."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from townhall.comments.models import Site
from townhall.identity.models import EmailAddress


def email_normalise(email: str) -> str:
    return email.strip().lower()


def email_digest(email: str) -> str:
    """A keyed hash of the address: equal for equal addresses, useless to anyone without the key."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"email:{email_normalise(email)}".encode(), hashlib.sha256).hexdigest()


def email_address_get(*, site: Site, email: str) -> EmailAddress | None:
    return EmailAddress.objects.filter(site=site, digest=email_digest(email)).first()


def email_is_confirmed(*, site: Site, email: str) -> bool:
    """Whether mail other than the confirmation itself may go to this address on this site."""
    return EmailAddress.objects.filter(
        site=site, digest=email_digest(email), confirmed__isnull=False, disabled__isnull=True
    ).exists()


def email_address_usable(address: EmailAddress) -> bool:
    """Mail other than the confirmation may go to this row: confirmed and not stopped."""
    return address.confirmed is not None and address.disabled is None
