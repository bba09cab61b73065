"""Writes to moderation state: site policies and bans."""

from __future__ import annotations

import ipaddress
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from townhall.comments.models import Site
from townhall.core.errors import FieldError, ValidationFailed
from townhall.moderation.models import Ban, BanKind, Policy
from townhall.moderation.pipeline import policy_for

POLICY_FIELDS = {f.name for f in Policy._meta.get_fields() if f.concrete and f.name not in ("id", "site")}
THRESHOLDS = {"toxicity_warn", "toxicity_hold", "spam_hold", "duplicate_containment", "flamewar_toxicity_hold"}


def policy_update(*, site: Site, **changes: object) -> Policy:
    policy = policy_for(site)
    errors: list[FieldError] = []
    for name, value in changes.items():
        if name not in POLICY_FIELDS:
            errors.append(FieldError(name, "is not a moderation setting"))
            continue
        if name in THRESHOLDS and not (isinstance(value, int | float) and 0 <= float(value) <= 1):
            errors.append(FieldError(name, "must be a number between 0 and 1"))
            continue
        setattr(policy, name, value)
    if policy.toxicity_warn > policy.toxicity_hold:
        errors.append(FieldError("toxicity_warn", "must not be above toxicity_hold"))
    try:
        policy.full_clean(exclude=["site"])
    except DjangoValidationError as exc:
        errors.extend(FieldError(f, "; ".join(m)) for f, m in exc.message_dict.items())
    if errors:
        policy.refresh_from_db()
        raise ValidationFailed(errors)
    with transaction.atomic():
        policy.save()
    return policy


def ban_create(*, site: Site, kind: str, value: str, reason: str = "", until: datetime | None = None) -> Ban:
    if kind not in BanKind.values:
        raise ValidationFailed.one("kind", f"must be one of: {', '.join(BanKind.values)}")
    value = value.strip()
    if not value:
        raise ValidationFailed.one("value", "is required", "required")
    if kind == BanKind.IP_RANGE:
        try:
            value = str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValidationFailed.one("value", "is not an IP address or range (CIDR)") from None
    if kind in (BanKind.EMAIL, BanKind.EMAIL_DOMAIN):
        value = value.lower().lstrip("@")
    return Ban.objects.create(site=site, kind=kind, value=value, reason=reason, until=until)
