"""A thread's identity: (site, canonical URL), after Remark42's Locator.

The same article reached as HTTP://Example.com:443/a?utm_source=x#c5 and https://example.com/a
must be one thread, and a URL on a host the site does not own must not create threads at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator

from townhall.core.errors import ValidationFailed
from townhall.core.limits import MAX_URL

_WEB_URL = URLValidator(schemes=["http", "https"])


def is_web_url(url: str) -> bool:
    """The one rule for an author's website: only an http(s) URL is stored, and only one
    becomes a link (JSON, widget and no-JS page all read the `website` this leaves)."""
    try:
        _WEB_URL(url)
    except DjangoValidationError:
        return False
    return True

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(raw: str) -> str:
    """scheme://host[:port], lower-cased, default port dropped; ValueError if it is not one."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an http(s) origin: {raw!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"an origin has no path, query or fragment: {raw!r}")
    return _origin(parts.scheme, parts.hostname, parts.port)


def _origin(scheme: str, host: str, port: int | None) -> str:
    host = host.lower().rstrip(".")
    with contextlib.suppress(UnicodeError):  # leave a host idna can't encode as typed
        host = host.encode("idna").decode("ascii")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port and port != DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}:{port}"
    return f"{scheme}://{host}"


def canonical_url(raw: str, *, origins: Iterable[str], identity_params: Iterable[str], field: str = "url") -> str:
    """The canonical form of a page URL, or a 422 naming `field` if the site does not own it.

    Scheme and host are lower-cased, default ports and the fragment dropped, and only the
    query parameters the site declared part of a page's identity are kept (sorted), so tracking
    parameters never split a thread. http and https of one host are the same page: the scheme is
    taken from the site's registered origin.
    """
    if len(raw) > MAX_URL:
        raise ValidationFailed.one(field, f"is longer than {MAX_URL:,} characters", "too_long")
    try:
        parts = urlsplit(raw.strip())
        port = parts.port
    except ValueError:
        raise ValidationFailed.one(field, "is not a valid URL") from None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        raise ValidationFailed.one(field, "must be an absolute http or https URL")
    scheme = parts.scheme.lower()
    candidate = _origin(scheme, parts.hostname, port)
    by_host = {o.split("://", 1)[1]: o for o in origins}
    host_part = candidate.split("://", 1)[1]
    origin = by_host.get(host_part)
    if origin is None and port is None:
        # An https origin seen over http (or the reverse) with its default port.
        other = "http" if scheme == "https" else "https"
        origin = by_host.get(_origin(other, parts.hostname, None).split("://", 1)[1])
    if origin is None:
        raise ValidationFailed.one(field, "is not on one of this site's origins", code="foreign_origin")
    keep = set(identity_params)
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k in keep))
    path = parts.path or "/"
    canonical = urlunsplit((origin.split("://", 1)[0], origin.split("://", 1)[1], path, query, ""))
    if len(canonical) > MAX_URL:  # the origin's scheme or host may be longer than the one given
        raise ValidationFailed.one(field, f"is longer than {MAX_URL:,} characters", "too_long")
    return canonical
