"""`townhall check` (and every start) refuses webhook settings that would only fail later, on
the worker: a retry schedule or an allowed network that does not parse."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from townhall.webhooks import net
from townhall.webhooks.services import retry_schedule


@register()
def webhook_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    try:
        retry_schedule()
    except ImproperlyConfigured as exc:
        errors.append(Error(str(exc), id="townhall.webhooks.E001"))
    try:
        net.allowed_networks()
    except net.AddressRefused as exc:
        errors.append(Error(str(exc), id="townhall.webhooks.E002"))
    return errors
