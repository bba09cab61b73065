"""Reads of moderation state."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import DatabaseError

from townhall.comments.models import Site
from townhall.comments.services import MAX_TEXT
from townhall.moderation.ml import hostility_model
from townhall.moderation.models import Policy


def languages_restricted() -> bool:
    """Whether any site accepts only some languages: only then does a worker need the language
    model (68 MB) loaded before its first comment. True when the database cannot say yet."""
    try:
        return Policy.objects.exclude(languages=[]).exists()
    except DatabaseError:  # not migrated yet: load everything, as before
        return True


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


@dataclass(frozen=True)
class Thresholds:
    warn: float
    hold: float
    flamewar: float
    flamewar_flag: float  # the model's; a site sets only the three above
    own: bool  # the site set its own thresholds
    stale: bool  # ... for another version of the model: keep or reset them (sites page)


def thresholds_for(policy: Policy) -> Thresholds:
    """The hostility thresholds in force: the site's own where set, else the shipped model's
    calibrated defaults (chosen for traffic that is about 5% hostile)."""
    model = hostility_model()
    own = any(v is not None for v in (policy.toxicity_warn, policy.toxicity_hold, policy.flamewar_toxicity_hold))
    return Thresholds(
        warn=model.warn if policy.toxicity_warn is None else policy.toxicity_warn,
        hold=model.hold if policy.toxicity_hold is None else policy.toxicity_hold,
        flamewar=model.flamewar if policy.flamewar_toxicity_hold is None else policy.flamewar_toxicity_hold,
        flamewar_flag=model.flamewar_flag,
        own=own,
        stale=own and policy.thresholds_model != model.version,
    )
