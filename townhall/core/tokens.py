"""Server-issued tokens: the reader token a browser keeps, and per-comment edit tokens.

Both are signed with the secret key, so nobody can type one into existence: trust, votes and
edits hang on something the server handed out.
"""

from __future__ import annotations

import secrets

from django.core import signing

READER_SALT = "townhall.reader"
EDIT_SALT = "townhall.edit"


def reader_token_issue() -> str:
    return signing.Signer(salt=READER_SALT).sign(secrets.token_urlsafe(16))


def reader_id(token: str | None) -> str | None:
    """The reader id inside a token, or None if absent or forged."""
    if not token:
        return None
    try:
        return signing.Signer(salt=READER_SALT).unsign(token.strip())
    except signing.BadSignature:
        return None


def edit_token_issue(comment_id: int) -> str:
    return signing.TimestampSigner(salt=EDIT_SALT).sign(str(comment_id))


class EditTokenInvalid(Exception):
    pass


class EditTokenExpired(Exception):
    pass


def edit_token_owns(token: str | None, *, comment_id: int) -> bool:
    """Whether the token was issued for this comment, however old: it still proves authorship
    (to ask how moderation went) after it stopped allowing edits."""
    if not token:
        return False
    try:
        return signing.TimestampSigner(salt=EDIT_SALT).unsign(token.strip()) == str(comment_id)
    except signing.BadSignature:
        return False


def edit_token_check(token: str | None, *, comment_id: int, max_age_seconds: int) -> None:
    if not token:
        raise EditTokenInvalid
    signer = signing.TimestampSigner(salt=EDIT_SALT)
    try:
        value = signer.unsign(token.strip(), max_age=max_age_seconds)
    except signing.SignatureExpired:
        raise EditTokenExpired from None
    except signing.BadSignature:
        raise EditTokenInvalid from None
    if value != str(comment_id):
        raise EditTokenInvalid
