"""Who is speaking when a comment is posted, and whose names are taken.

A comment's author key says which comments are one person's (history, trust, slow mode,
bans, flame-war sides, the identicon). It rests on what the server can check, never on a
typed name or email alone, which anyone can type:
  - signed in through the site (single sign-on): the site's user id;
  - else, when the browser sent a reader token and followed a confirmation link its own request
    caused for an address, that address (`email:`): every browser that did so is one commenter;
  - else the server-issued reader token the browser sent;
  - else (an API client without a token) the client's address with the name it typed: two
    people typing one name from two addresses stay two people;
  - imported and seeded comments: their source and its author id, else its author name, in a
    space of their own (`import:`), which no live post can enter.
A typed email, even a confirmed one, never joins that identity by itself: only a browser that
followed the link does. Bans on an email digest (townhall.moderation) stop every browser.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q

from townhall.comments.models import Comment, Site
from townhall.identity.models import Identity, ReaderSession
from townhall.identity.names import name_skeleton
from townhall.identity.selectors import reader_address_digest


def _key(basis: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), basis.encode(), hashlib.sha256).hexdigest()[:32]


def identity_key(identity: Identity) -> str:
    return _key(f"identity:{identity.provider}:{identity.site_id}:{identity.subject}")


def reader_key(reader: str) -> str:
    return _key(f"reader:{reader}")


def email_author_key(digest: str) -> str:
    return _key(f"email:{digest}")


def imported_author_key(source: str, author_id: str, name: str) -> str:
    """The key of an imported or seeded author: the source and its author id, else the name."""
    basis = f"import:{source}:{('id:' + author_id) if author_id else ('name:' + name.strip().lower())}"
    return _key(basis)


def session_identity(*, site: Site, reader: str | None) -> Identity | None:
    """The signed-in reader behind a reader token on this site, if the session is still on."""
    if not reader:
        return None
    session = (
        ReaderSession.objects.select_related("identity__email", "identity__avatar")
        .filter(reader=reader, ended__isnull=True, identity__site=site)
        .first()
    )
    return session.identity if session else None


@dataclass(frozen=True)
class Speaker:
    key: str
    identity: Identity | None  # signed in through the site
    staff: bool  # the site's staff role, or a moderator signed in here

    @property
    def verified(self) -> bool:
        return self.identity is not None

    @property
    def name(self) -> str | None:
        """The name the comment must carry (the site's), or None: the typed one."""
        return self.identity.name if self.identity else None

    @property
    def email(self) -> str | None:
        if self.identity is None:
            return None
        return self.identity.email.email if self.identity.email else ""

    @property
    def avatar(self) -> str:
        return (self.identity.avatar_id or "") if self.identity else ""


def speaker_for(
    *, site: Site, reader: str | None, ip: str | None, name: str = "", user: User | None = None
) -> Speaker:
    identity = session_identity(site=site, reader=reader)
    if identity is not None:
        key = identity_key(identity)
    elif reader:
        digest = reader_address_digest(site=site, reader=reader)
        key = email_author_key(digest) if digest else reader_key(reader)
    elif ip:
        key = _key(f"ip:{ip}:name:{name.strip().casefold()}")
    else:
        key = _key(f"once:{secrets.token_hex(16)}")
    return Speaker(key=key, identity=identity, staff=bool(user) or bool(identity and identity.staff))


# Moderators' and staff's names change rarely and are read on every anonymous post: each
# process keeps their skeletons for a minute. Signed-in readers' names are read fresh (indexed).
STAFF_NAMES_TTL = 60.0
_staff_names: dict[tuple[int, object], tuple[float, frozenset[str]]] = {}


def _staff_skeletons(site: Site) -> frozenset[str]:
    # Keyed by the site's creation time too: a database rolled back or restored reuses ids.
    key = (site.pk, site.created)
    cached = _staff_names.get(key)
    if cached and time.monotonic() - cached[0] < STAFF_NAMES_TTL:
        return cached[1]
    moderators = User.objects.filter(Q(site_roles__site=site) | Q(is_superuser=True), is_active=True)
    names = {n for u in moderators.only("username", "first_name", "last_name") for n in (u.username, u.get_full_name())}
    names.update(
        Comment.objects.filter(thread__site=site).filter(Q(author_user__isnull=False) | Q(author_staff=True))
        .values_list("author_name", flat=True).distinct()[:500]
    )
    skeletons = frozenset(filter(None, (name_skeleton(n) for n in names if n)))
    _staff_names[key] = (time.monotonic(), skeletons)
    return skeletons


def staff_names_forget() -> None:
    _staff_names.clear()


def name_reserved(*, site: Site, name: str) -> bool:
    """Whether `name` looks like (same TR39 skeleton as) the name of a signed-in reader of the
    site, a moderator of it, or a name staff have posted under on it."""
    skeleton = name_skeleton(name)
    if not skeleton:
        return False
    return skeleton in _staff_skeletons(site) or Identity.objects.filter(site=site, skeleton=skeleton).exists()
