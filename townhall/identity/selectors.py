"""Reads about readers' addresses."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from townhall.comments.models import Site
from townhall.identity.models import EmailAddress, ReaderAddress


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


def reader_bound_to(*, site: Site, reader: str, address: EmailAddress) -> bool:
    """Whether this browser already followed a confirmation link for this address."""
    return ReaderAddress.objects.filter(site=site, reader=reader, address=address).exists()


def reader_address_digest(*, site: Site, reader: str) -> str | None:
    """The digest of the confirmed, still usable address this browser is bound to on the site."""
    return (
        ReaderAddress.objects.filter(
            site=site, reader=reader, address__confirmed__isnull=False, address__disabled__isnull=True
        )
        .values_list("address__digest", flat=True)
        .first()
    )
