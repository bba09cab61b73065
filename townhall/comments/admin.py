"""The store in Django's admin: for looking, not for writing. Every change a reader could see
goes through a service that keeps the counts, the thread version and the audit log true
(`townhall site add|set` for sites and origins, /moderate/ for comments and threads), so these
pages are read-only: an edit here would make the counts and cached pages lie."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from townhall.comments.models import SITE_POLICY_FIELDS, Comment, Report, Site, SiteOrigin, Thread, Vote


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Lists, search and detail pages; no add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SiteOriginInline(admin.TabularInline[SiteOrigin, Site]):
    model = SiteOrigin
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Site)
class SiteAdmin(ReadOnlyAdmin):
    list_display = ("slug", "name", "premoderate", "created")
    search_fields = ("slug", "name")
    inlines = [SiteOriginInline]
    # The policy's fields and their help texts come from the model (SITE_POLICY_FIELDS).
    fieldsets = [
        (None, {"fields": ("slug", "name"), "description": "Change a site with: townhall site set SLUG --help"}),
        ("Policy", {"fields": SITE_POLICY_FIELDS}),
    ]


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ("url", "site", "title", "comment_count", "closed", "created")
    list_filter = ("site", "closed")
    search_fields = ("url", "title")


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ("id", "thread", "author_name", "status", "flagged", "score", "report_count", "created")
    list_filter = ("status", "flagged", "thread__site")
    search_fields = ("text", "author_name", "author_email", "thread__url")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("comment", "reason", "created", "resolved")
    list_filter = ("reason", "resolved")


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ("comment", "value", "created")
