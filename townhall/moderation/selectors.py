"""Reads of moderation state."""

from __future__ import annotations

from townhall.comments.models import Site
from townhall.comments.services import MAX_TEXT
from townhall.moderation.models import Policy


def policy_for(site: Site) -> Policy:
    """The site's moderation policy (created with the defaults on first use), kept on the site
    object for the rest of the request."""
    policy = getattr(site, "_moderation_policy", None)
    if policy is None:
        policy, _ = Policy.objects.get_or_create(site=site)
        site._moderation_policy = policy  # type: ignore[attr-defined]
    return policy


def text_limit(site: Site, policy: Policy | None = None) -> int:
    """The longest comment the site accepts: the one number /config advertises, the widget and
    the moderators' edit form enforce, and posting checks."""
    return min(MAX_TEXT, (policy or policy_for(site)).max_length)
