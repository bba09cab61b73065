"""Roles in Django's admin (for superusers); the audit log there is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from townhall.moderators.models import AuditLog, SiteRole


@admin.register(SiteRole)
class SiteRoleAdmin(admin.ModelAdmin[SiteRole]):
    list_display = ["user", "site", "role", "created"]
    list_filter = ["site", "role"]
    search_fields = ["user__username"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin[AuditLog]):
    list_display = ["created", "actor_name", "site", "action", "target_type", "target_id"]
    list_filter = ["site", "action"]
    search_fields = ["actor_name", "action"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
