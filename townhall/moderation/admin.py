"""Moderation settings in Django's admin. A policy is saved through `policy_update`, so the admin
keeps its checks (thresholds 0..1, warn not above hold, the model version recorded with a site's
own hostility thresholds); flame wars are read-only (moderators settle them at /moderate/)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from townhall.core.errors import ValidationFailed
from townhall.moderation.models import Ban, FlameWar, Policy
from townhall.moderation.services import POLICY_FIELDS, policy_update


def _order(name: str) -> int:
    return [f.name for f in Policy._meta.concrete_fields].index(name)


class PolicyForm(forms.ModelForm[Policy]):
    class Meta:
        model = Policy
        fields = [n for n in sorted(POLICY_FIELDS, key=_order) if n not in ("thresholds_model", "site_model")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or self.instance.pk is None:
            return data
        changes = {name: data[name] for name in self.changed_data if name in data}
        try:
            # The write happens here, so the service's refusals become the form's errors.
            self.instance = policy_update(site=self.instance.site, **changes)
        except ValidationFailed as exc:
            for e in exc.errors:
                self.add_error(e.field if e.field in self.fields else None, e.message)
        return data


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin[Policy]):
    form = PolicyForm
    list_display = ("site", "post_moderation", "toxicity_warn", "toxicity_hold", "languages")
    readonly_fields = ("site", "thresholds_model", "site_model")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # every site has its policy (policy_for creates it)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Policy, form: Any, change: bool) -> None:
        """Saved by policy_update in the form's clean()."""


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin[Ban]):
    list_display = ("site", "kind", "value", "until", "reason", "created")
    list_filter = ("site", "kind")
    search_fields = ("value", "reason")


@admin.register(FlameWar)
class FlameWarAdmin(admin.ModelAdmin[FlameWar]):
    list_display = ("thread", "root", "comment_count", "hostile_count", "status", "detected")
    list_filter = ("status",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
