"""The ranges every input is checked into before it reaches the database, and the size of the
request bodies each endpoint reads. One place, so the OpenAPI schema, the API, the no-JS pages and
the services agree on the same numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

# Primary keys are 64-bit signed on every database we support; a larger number in a path or a
# body would overflow the driver (OverflowError on SQLite, a DataError on PostgreSQL).
MAX_ID = 2**63 - 1


def id_in_range(value: int) -> bool:
    """Whether `value` can be a primary key: services treat any other number as unknown (404)."""
    return 1 <= value <= MAX_ID


MAX_URL = 2000  # Thread.url's column; the README promises URLs up to this long
MAX_EMAIL = 254  # RFC 5321's path limit, and EmailField's column
MAX_CURSOR = 200  # the longest cursor this server issues is under 120 characters
CURSOR_PATTERN = r"^[A-Za-z0-9_-]*$"  # base64url without padding, as issued
MAX_SLUG = 50  # Site.slug's column
# A page URL as the schema declares it: absolute http(s), no NUL (what canonical_url accepts
# before it checks the site's origins).
WEB_URL = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00]+$"

# A JSON body escapes a character in at most 12 bytes (a surrogate pair as two \uXXXX); the
# other fields of a comment (URL, name, email, website, title) fit in this many.
JSON_BYTES_PER_CHAR = 12
COMMENT_FIELDS_BYTES = 16 * 1024
DEFAULT_API_BODY = 16 * 1024  # votes, reports, tokens: a few short fields


def comment_body_limit(text_chars: int) -> int:
    """The largest request body that can carry a comment of `text_chars` characters."""
    return text_chars * JSON_BYTES_PER_CHAR + COMMENT_FIELDS_BYTES


@dataclass(frozen=True)
class BodyLimit:
    pattern: re.Pattern[str]
    max_bytes: int
    what: str


_BODY_LIMITS: list[BodyLimit] = []


def body_limit_register(pattern: str, *, max_bytes: int, what: str) -> None:
    """Declare the body limit of the paths matching `pattern` (the endpoint's module does, next
    to the endpoint). Registering the same pattern again replaces it."""
    _BODY_LIMITS[:] = [b for b in _BODY_LIMITS if b.pattern.pattern != pattern]
    _BODY_LIMITS.append(BodyLimit(re.compile(pattern), max_bytes, what))


def body_limit_for(path: str) -> BodyLimit:
    for limit in _BODY_LIMITS:
        if limit.pattern.match(path):
            return limit
    if path.startswith("/api/"):
        return BodyLimit(re.compile(""), DEFAULT_API_BODY, "this endpoint")
    # Forms (moderation, admin): Django's own limit on what it reads into memory.
    return BodyLimit(re.compile(""), settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440, "a form")


def too_large_message(size: int, *, max_bytes: int, what: str) -> str:
    return f"the request body is {size:,} bytes; the limit for {what} is {max_bytes:,} bytes"
