"""Pictures of signed-in readers: fetched once by this server from the URL their sign-in token
named, checked (size, type by its first bytes), stored, and served from this host. The page
never asks another host for a picture, and a picture that fails any check is ignored."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import socket
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

from townhall.identity.models import Avatar, Identity

logger = logging.getLogger("townhall.identity")
TIMEOUT_SECONDS = 5
# The first bytes of the formats browsers show everywhere; SVG is left out (it can carry script).
MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF87a": "image/gif",
         b"GIF89a": "image/gif"}


def sniff(data: bytes) -> str | None:
    for magic, content_type in MAGIC.items():
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _public_host(host: str) -> bool:
    """Whether every address the host resolves to is a public one: a sign-in token must not make
    this server fetch from its own network."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return all(ipaddress.ip_address(info[4][0]).is_global for info in infos)


def avatar_download(url: str) -> tuple[bytes, str] | None:
    """The picture's bytes and type, or None when it breaks a rule (scheme, private host, size,
    type) or cannot be read."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if not settings.AVATAR_PRIVATE_HOSTS and not _public_host(parts.hostname):
        return None
    limit = settings.AVATAR_MAX_BYTES
    request = urllib.request.Request(url, headers={"User-Agent": "Townhall avatar fetch"})  # noqa: S310 (scheme checked)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            data = response.read(limit + 1)
    except (OSError, ValueError) as exc:
        logger.info("avatar not fetched: %s", type(exc).__name__)
        return None
    content_type = sniff(data)
    if len(data) > limit or content_type is None:
        return None
    return data, content_type


def avatar_store(*, identity: Identity, url: str) -> Avatar | None:
    """Fetch the picture at `url` for `identity` unless the identity has moved on to another
    one since; store it under the digest of its bytes (one row per distinct picture)."""
    if identity.avatar_source != url:
        return None
    fetched = avatar_download(url)
    if fetched is None:
        return None
    data, content_type = fetched
    digest = hashlib.sha256(data).hexdigest()
    avatar, _ = Avatar.objects.get_or_create(digest=digest, defaults={"content_type": content_type, "data": data})
    Identity.objects.filter(pk=identity.pk, avatar_source=url).update(avatar=avatar)
    return avatar
