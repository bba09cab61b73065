"""Reads: which sites want which events (cached per process), endpoints and their delivery log,
and who is told when an endpoint is disabled."""

from __future__ import annotations

import time
from threading import Lock

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Prefetch, QuerySet

from townhall.comments.models import Site
from townhall.core.errors import NotFound
from townhall.moderators.models import Role, SiteRole
from townhall.moderators.selectors import access_site
from townhall.webhooks.models import Attempt, Delivery, Endpoint

INDEX_TTL_SECONDS = 5.0
LOG_SIZE = 50

AnyUser = AbstractBaseUser | AnonymousUser


class EndpointIndex:
    """The event types each site's enabled endpoints want, read at most every INDEX_TTL_SECONDS
    per process. It runs inside every comment write, so a site without webhooks (or a server
    without any) pays no query per comment; the price is that an endpoint added in another
    process starts receiving events up to that many seconds later (this process: at once,
    the services call `forget`)."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._expires = 0.0
        self._events: dict[int, frozenset[str]] = {}

    def _current(self) -> dict[int, frozenset[str]]:
        now = time.monotonic()
        with self._lock:
            if now < self._expires:
                return self._events
        wanted: dict[int, set[str]] = {}
        for site_id, events in Endpoint.objects.filter(enabled=True).values_list("site_id", "events"):
            wanted.setdefault(site_id, set()).update(events)
        with self._lock:
            self._events = {site_id: frozenset(events) for site_id, events in wanted.items()}
            self._expires = now + INDEX_TTL_SECONDS
            return self._events

    def any(self) -> bool:
        return bool(self._current())

    def events_for(self, site_id: int) -> frozenset[str]:
        return self._current().get(site_id, frozenset())

    def forget(self) -> None:
        with self._lock:
            self._expires = 0.0


endpoint_index = EndpointIndex()


def endpoints_of(site: Site) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(site=site).order_by("id")


def endpoints_wanting(*, site_id: int, event: str) -> list[Endpoint]:
    """The site's enabled endpoints subscribed to `event` (JSON containment differs between
    SQLite and PostgreSQL; a site has a handful of endpoints, so the filter is done here)."""
    return [e for e in Endpoint.objects.filter(site_id=site_id, enabled=True) if event in e.events]


def endpoint_log(endpoint: Endpoint, *, limit: int = LOG_SIZE) -> list[Delivery]:
    """The endpoint's newest deliveries with their attempts: two queries."""
    return list(
        endpoint.deliveries.order_by("-id")
        .prefetch_related(Prefetch("attempt_log", queryset=Attempt.objects.order_by("number")))[:limit]
    )


def access_site_webhooks(user: AnyUser, slug: str) -> Site:
    """A site whose webhooks `user` manages: its admins (webhooks carry every comment, held
    ones included, and their secrets open the receiver), and superusers."""
    return access_site(user, slug, admin=True)


def access_endpoint(site: Site, pk: int) -> Endpoint:
    """An endpoint of `site`, which the caller got from `access_site_webhooks`."""
    endpoint = Endpoint.objects.select_related("site").filter(pk=pk, site=site).first()
    if endpoint is None:
        raise NotFound("no such webhook endpoint", code="endpoint_not_found")
    return endpoint


def site_admin_addresses(site: Site) -> list[str]:
    """Where to tell a site's admins: admins of the site with an address, else (so somebody
    hears) the server's superusers."""
    admins = SiteRole.objects.filter(site=site, role=Role.ADMIN, user__is_active=True).exclude(user__email="")
    addresses = list(admins.values_list("user__email", flat=True))
    if not addresses:
        supers = User.objects.filter(is_superuser=True, is_active=True).exclude(email="")
        addresses = list(supers.values_list("email", flat=True))
    return sorted(set(addresses))
