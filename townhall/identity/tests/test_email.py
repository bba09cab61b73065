"""An address is registered unconfirmed, and only a token this server signed confirms it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from townhall.comments.models import Site
from townhall.core.errors import ValidationFailed
from townhall.core.tokens import reader_id
from townhall.identity import services
from townhall.identity.models import EmailAddress, ReaderAddress
from townhall.identity.selectors import email_address_get, email_is_confirmed, reader_address_digest
from townhall.identity.speakers import email_author_key, identity_key, speaker_for
from townhall.identity.sso import sso_sign_in
from townhall.identity.tests.factories import sso_token


def test_registering_twice_gives_one_unconfirmed_row(site: Site) -> None:
    first, created = services.email_address_register(site=site, email=" Reader@Example.org ")
    again, created_again = services.email_address_register(site=site, email="reader@example.org")
    assert created and not created_again and first.pk == again.pk
    assert not email_is_confirmed(site=site, email="reader@example.org")


def test_the_signed_token_confirms_and_stores_no_address_in_it(site: Site) -> None:
    address, _ = services.email_address_register(site=site, email="reader@example.org")
    token = services.email_confirmation_token(address=address)
    assert "example" not in token
    services.email_address_confirm(token=token)
    assert email_is_confirmed(site=site, email="READER@example.org")
    assert email_address_get(site=site, email="reader@example.org") is not None


def test_forged_and_expired_tokens_are_refused(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    address, _ = services.email_address_register(site=site, email="reader@example.org")
    with pytest.raises(ValidationFailed) as forged:
        services.email_address_confirm(token=f"{address.pk}:abc:forged")
    assert forged.value.errors[0].code == "invalid"
    token = services.email_confirmation_token(address=address)
    monkeypatch.setattr(services, "CONFIRM_MAX_AGE", timedelta(seconds=-1))
    with pytest.raises(ValidationFailed) as expired:
        services.email_address_confirm(token=token)
    assert expired.value.errors[0].code == "expired"
    assert not email_is_confirmed(site=site, email="reader@example.org")
    assert signing.TimestampSigner(salt=services.CONFIRM_SALT).unsign(token).startswith(f"{address.pk}:")


def test_a_link_binds_the_browser_that_asked_and_an_old_link_binds_nobody(site: Site) -> None:
    address, _ = services.email_address_register(site=site, email="reader@example.org")
    services.email_address_confirm(token=services.email_confirmation_token(address=address))  # mailed before binding
    assert email_is_confirmed(site=site, email="reader@example.org") and not ReaderAddress.objects.exists()
    token = services.email_confirmation_token(address=address, reader="r-1")
    assert "example" not in signing.TimestampSigner(salt=services.CONFIRM_SALT).unsign(token)
    for _ in range(2):
        services.email_address_confirm(token=token)
    assert list(ReaderAddress.objects.values_list("reader", "address_id")) == [("r-1", address.pk)]
    assert reader_address_digest(site=site, reader="r-1") == address.digest
    assert reader_address_digest(site=site, reader="r-2") is None
    EmailAddress.objects.filter(pk=address.pk).update(disabled=timezone.now())
    assert reader_address_digest(site=site, reader="r-1") is None, "a stopped address binds nobody"


def test_a_signed_in_browser_bound_to_an_address_keeps_its_sign_in_identity(site: Site) -> None:
    signed = sso_sign_in(site=site, token=sso_token(site, sub="u-7", name="Ann"))
    reader = reader_id(signed.reader_token) or ""
    address, _ = services.email_address_register(site=site, email="ann@example.org")
    services.email_address_confirm(token=services.email_confirmation_token(address=address, reader=reader))
    assert speaker_for(site=site, reader=reader, ip=None).key == identity_key(signed.identity)
    anonymous = speaker_for(site=site, reader="r-9", ip=None).key
    services.email_address_confirm(token=services.email_confirmation_token(address=address, reader="r-9"))
    assert speaker_for(site=site, reader="r-9", ip=None).key == email_author_key(address.digest) != anonymous
