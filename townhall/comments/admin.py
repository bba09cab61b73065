from django.contrib import admin

from townhall.comments.models import SITE_POLICY_FIELDS, Comment, Report, Site, SiteOrigin, Thread, Vote


class SiteOriginInline(admin.TabularInline):
    model = SiteOrigin
    extra = 1


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "premoderate", "created")
    search_fields = ("slug", "name")
    inlines = [SiteOriginInline]
    # The policy's fields and their help texts come from the model (SITE_POLICY_FIELDS).
    fieldsets = [(None, {"fields": ("slug", "name")}), ("Policy", {"fields": SITE_POLICY_FIELDS})]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("url", "site", "title", "comment_count", "closed", "created")
    list_filter = ("site", "closed")
    search_fields = ("url", "title")
    readonly_fields = ("comment_count", "version")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "thread", "author_name", "status", "flagged", "score", "report_count", "created")
    list_filter = ("status", "flagged", "thread__site")
    search_fields = ("text", "author_name", "author_email", "thread__url")
    raw_id_fields = ("thread", "parent", "author_user")
    # Counts and tree position are derived; editing them by hand would make them lie.
    readonly_fields = ("path", "depth", "reply_count", "score", "upvotes", "downvotes", "report_count", "author_key")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("comment", "reason", "created", "resolved")
    list_filter = ("reason", "resolved")
    raw_id_fields = ("comment",)


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("comment", "value", "created")
    raw_id_fields = ("comment",)
