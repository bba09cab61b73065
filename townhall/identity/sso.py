"""Single sign-on from the site's own login: the site's server signs a short-lived token (a JWT,
HS256, with the site's key from `townhall site sso SLUG`), the widget hands it over once at
POST /api/v1/sso, and gets a Townhall reader token back that stays signed in.

The claims a site signs:
    sub     the site's stable user id (required)
    name    the display name (required)
    aud     the site's slug on this server (required: a token for one site is no good on another)
    exp     at most 10 minutes ahead (required)
    jti     a unique id; each token is exchanged once (required)
    email   optional, an address the site has confirmed (reply mail goes to it)
    avatar  optional, an http(s) URL of a picture; fetched once by this server, or ignored
    roles   optional list; "staff" posts with a staff badge
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from townhall.comments.locator import is_web_url
from townhall.comments.models import Site
from townhall.core import tokens
from townhall.core.errors import DomainError
from townhall.identity.models import Identity, Provider, ReaderSession, UsedTokenId
from townhall.identity.names import name_clean, name_skeleton
from townhall.identity.services import email_address_register

ALGORITHM = "HS256"
MAX_LIFETIME = timedelta(minutes=10)
# Clocks of the site's server and this one disagree a little.
LEEWAY = timedelta(seconds=30)
MAX_SUBJECT = 255
STAFF_ROLE = "staff"


class Refusal(StrEnum):
    """Why a sign-in token was refused: the `code` of the 401."""

    NOT_CONFIGURED = "sso_not_configured"
    MALFORMED = "token_malformed"
    UNSIGNED = "token_unsigned"
    WRONG_ALGORITHM = "token_wrong_algorithm"
    BAD_SIGNATURE = "token_bad_signature"
    WRONG_AUDIENCE = "token_wrong_audience"
    EXPIRED = "token_expired"
    TOO_LONG_LIVED = "token_too_long_lived"
    NOT_YET_VALID = "token_not_yet_valid"
    MISSING_CLAIM = "token_missing_claim"
    BAD_CLAIM = "token_bad_claim"
    REPLAYED = "token_replayed"


class SignInRefused(DomainError):
    status = 401
    code = "sign_in_refused"

    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(message, code=str(reason))
        self.reason = reason


@dataclass(frozen=True)
class Claims:
    subject: str
    name: str
    email: str
    avatar: str
    staff: bool
    jti: str
    expires: datetime


def sso_verify(*, site: Site, token: str, now: datetime | None = None) -> Claims:
    """The claims of a sign-in token for `site`, or SignInRefused naming why not. Checks, in
    order: the site has a key, the token's form and algorithm (never "none"), its audience, its
    signature, its times (exp at most 10 minutes ahead), then each claim's form."""
    now = now or timezone.now()
    if not site.sso_secret:
        raise SignInRefused(Refusal.NOT_CONFIGURED, "this site has no sign-in key: townhall site sso SLUG")
    token = token.strip()
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise SignInRefused(Refusal.MALFORMED, "the sign-in token is not a JWT") from None
    alg = str(header.get("alg", "")).lower()
    if alg in ("", "none"):
        raise SignInRefused(Refusal.UNSIGNED, "the sign-in token is not signed")
    if header.get("alg") != ALGORITHM:
        raise SignInRefused(Refusal.WRONG_ALGORITHM, f"the sign-in token must be signed with {ALGORITHM}")
    # Before the signature: a token signed for another site fails there too, but this says why.
    audience = unverified.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if audience is not None and site.slug not in audiences:
        raise SignInRefused(Refusal.WRONG_AUDIENCE, f"the sign-in token is for another site, not {site.slug!r}")
    try:
        claims: dict[str, Any] = jwt.decode(
            token, site.sso_secret, algorithms=[ALGORITHM], audience=site.slug,
            leeway=LEEWAY, options={"require": ["sub", "aud", "exp", "jti"], "verify_iat": False},
        )
    except jwt.InvalidSignatureError:
        raise SignInRefused(Refusal.BAD_SIGNATURE, "the sign-in token's signature does not match the site's key") from None
    except jwt.ExpiredSignatureError:
        raise SignInRefused(Refusal.EXPIRED, "the sign-in token has expired: fetch a new one") from None
    except jwt.ImmatureSignatureError:
        raise SignInRefused(Refusal.NOT_YET_VALID, "the sign-in token is not valid yet (nbf)") from None
    except jwt.MissingRequiredClaimError as exc:
        raise SignInRefused(Refusal.MISSING_CLAIM, f"the sign-in token has no {exc.claim!r} claim") from None
    except jwt.InvalidAudienceError:
        raise SignInRefused(Refusal.WRONG_AUDIENCE, f"the sign-in token is for another site, not {site.slug!r}") from None
    except jwt.InvalidTokenError as exc:
        raise SignInRefused(Refusal.MALFORMED, f"the sign-in token is invalid: {exc}") from None
    expires = datetime.fromtimestamp(float(claims["exp"]), tz=UTC)
    if expires - now > MAX_LIFETIME + LEEWAY:
        raise SignInRefused(Refusal.TOO_LONG_LIVED, "the sign-in token must expire within 10 minutes")
    return _claims(claims, expires)


def _bad(claim: str, why: str) -> SignInRefused:
    return SignInRefused(Refusal.BAD_CLAIM, f"the sign-in token's {claim!r} claim {why}")


def _claims(raw: dict[str, Any], expires: datetime) -> Claims:
    subject, jti = raw["sub"], raw["jti"]
    if not isinstance(subject, str | int) or not str(subject).strip() or len(str(subject)) > MAX_SUBJECT:
        raise _bad("sub", f"must be a user id of 1 to {MAX_SUBJECT} characters")
    if not isinstance(jti, str) or not jti.strip() or len(jti) > 200:
        raise _bad("jti", "must be a unique string of at most 200 characters")
    name = name_clean(raw["name"]) if isinstance(raw.get("name"), str) else ""
    if not name:
        raise _bad("name", "must be a display name")
    email = raw.get("email") or ""
    if email:
        try:
            validate_email(email)
        except (DjangoValidationError, TypeError):
            raise _bad("email", "is not an email address") from None
    avatar = raw.get("avatar") or ""
    # A picture the page cannot fetch safely is ignored, not an error: the name is what counts.
    if not isinstance(avatar, str) or len(avatar) > 500 or not is_web_url(avatar):
        avatar = ""
    roles = raw.get("roles") or []
    if not isinstance(roles, list):
        raise _bad("roles", "must be a list")
    return Claims(subject=str(subject).strip(), name=name, email=str(email).strip().lower(), avatar=avatar,
                  staff=STAFF_ROLE in roles, jti=jti, expires=expires)


# A moderator signed in on this server comments as staff from the widget with a ticket the
# moderators' pages sign (the widget sends no cookies, so the session itself cannot reach it).
STAFF_TICKET_PREFIX = "staff."
STAFF_TICKET_SALT = "townhall.identity.staff-ticket"


def staff_ticket_issue(*, site: Site, user_id: int, name: str) -> str:
    """A one-time, 10-minute sign-in ticket for a moderator of `site` (the caller checked that)."""
    body = {"s": site.pk, "u": user_id, "n": name, "j": secrets.token_hex(12)}
    return STAFF_TICKET_PREFIX + signing.TimestampSigner(salt=STAFF_TICKET_SALT).sign_object(body)


def _staff_claims(site: Site, ticket: str, now: datetime) -> Claims:
    signer = signing.TimestampSigner(salt=STAFF_TICKET_SALT)
    try:
        body = signer.unsign_object(ticket.removeprefix(STAFF_TICKET_PREFIX), max_age=MAX_LIFETIME)
    except signing.SignatureExpired:
        raise SignInRefused(Refusal.EXPIRED, "the staff sign-in link has expired: open it again") from None
    except (signing.BadSignature, ValueError):
        raise SignInRefused(Refusal.BAD_SIGNATURE, "the staff sign-in link is not one this server made") from None
    if body.get("s") != site.pk:
        raise SignInRefused(Refusal.WRONG_AUDIENCE, f"the staff sign-in link is for another site, not {site.slug!r}")
    return Claims(subject=str(body["u"]), name=name_clean(str(body.get("n", ""))) or "Staff", email="", avatar="",
                  staff=True, jti=f"staff:{body['j']}", expires=now + MAX_LIFETIME)


@dataclass(frozen=True)
class SignedIn:
    identity: Identity
    reader_token: str
    avatar_to_fetch: str  # the picture's URL when it changed since the last sign-in


def sso_sign_in(*, site: Site, token: str, now: datetime | None = None) -> SignedIn:
    """Exchange a sign-in token once for a Townhall reader token bound to the site's user (or a
    moderator's staff ticket, for them).
    Side effects: the identity is created or updated from the claims; its email, if any, is
    registered as confirmed (the site confirmed it); the token's jti is spent."""
    now = now or timezone.now()
    if token.strip().startswith(STAFF_TICKET_PREFIX):
        claims, provider = _staff_claims(site, token.strip(), now), Provider.MODERATOR
    else:
        claims, provider = sso_verify(site=site, token=token, now=now), Provider.SSO
    reader_token = tokens.reader_token_issue()
    with transaction.atomic():
        # Spent ids are kept only until their token would have expired anyway.
        UsedTokenId.objects.filter(expires__lt=now - LEEWAY).delete()
        try:
            with transaction.atomic():
                UsedTokenId.objects.create(site=site, jti=claims.jti, expires=claims.expires)
        except IntegrityError:
            raise SignInRefused(Refusal.REPLAYED, "this sign-in token was used already: fetch a new one") from None
        identity, _ = Identity.objects.get_or_create(
            site=site, provider=provider, subject=claims.subject, defaults={"name": claims.name}
        )
        changed = claims.avatar != identity.avatar_source
        identity.name, identity.skeleton, identity.staff = claims.name, name_skeleton(claims.name), claims.staff
        if claims.email:
            address, _ = email_address_register(site=site, email=claims.email)
            if address.confirmed is None:
                address.confirmed = now
                address.save(update_fields=["confirmed"])
            identity.email = address
        if changed:
            # The old picture goes; the new one shows once fetched and found fit.
            identity.avatar_source, identity.avatar = claims.avatar, None
        identity.save()
        reader = tokens.reader_id(reader_token)
        assert reader is not None  # just issued
        ReaderSession.objects.create(reader=reader, identity=identity)
    return SignedIn(identity=identity, reader_token=reader_token, avatar_to_fetch=claims.avatar if changed else "")


def sso_sign_out(*, reader: str | None) -> bool:
    """End the session behind a reader token (the browser forgets the token too). Returns
    whether there was one."""
    if not reader:
        return False
    return bool(ReaderSession.objects.filter(reader=reader, ended__isnull=True).update(ended=timezone.now()))
