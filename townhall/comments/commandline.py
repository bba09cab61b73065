"""What the management commands of every app share about sites."""

from __future__ import annotations

from django.core.management.base import CommandError

from townhall.comments.models import Site


def site_or_error(slug: str) -> Site:
    """The site named on a command line, or an error that lists the sites there are."""
    site = Site.objects.filter(slug=slug).first()
    if site is None:
        known = ", ".join(Site.objects.values_list("slug", flat=True)) or "none yet: `townhall site add`"
        raise CommandError(f"no site {slug!r} (sites: {known})")
    return site
