"""Which pages may use the JSON API: CORS for reads, and an Origin check on writes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from townhall.comments.models import Site, SiteOrigin

# Set on a request once its Origin was found among a site's origins: (origin, site slug).
_CHECKED = "_townhall_origin_of_site"


def own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}".lower()


def origin_allowed_by_a_site(sender: Any, request: HttpRequest, **kwargs: Any) -> bool:
    """django-cors-headers asks this per request. With ?site= the origin must be one of that
    site's; otherwise (preflights, comment-id routes) one some site lists, and the write
    endpoints then check the comment's own site (origin_may_write)."""
    origin = request.headers.get("origin")
    if origin is None:
        return False
    slug = request.GET.get("site")
    checked = getattr(request, _CHECKED, None)
    if checked is not None and checked[0] == origin.lower() and (not slug or slug == checked[1]):
        return True  # the write already found it among its site's origins: no second query
    matches = SiteOrigin.objects.filter(origin=origin.lower())
    if slug and request.method != "OPTIONS":
        matches = matches.filter(site__slug=slug)
    return matches.exists()


def origin_may_write(request: HttpRequest, site: Site) -> bool:
    """A browser always sends Origin on a cross-site write: it must be one of the site's
    origins, or this server's own pages. No Origin: not a browser, so no forgery to fear."""
    origin = request.headers.get("origin")
    if origin is None or origin.lower() == own_origin(request):
        return True
    if any(o.origin == origin.lower() for o in site.origins.all()):
        setattr(request, _CHECKED, (origin.lower(), site.slug))  # the CORS answer reuses it
        return True
    return False
