from django.contrib import admin

from townhall.moderation.models import Ban, FlameWar, Policy


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("site", "post_moderation", "toxicity_warn", "toxicity_hold", "languages")


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = ("site", "kind", "value", "until", "reason", "created")
    list_filter = ("site", "kind")
    search_fields = ("value", "reason")


@admin.register(FlameWar)
class FlameWarAdmin(admin.ModelAdmin):
    list_display = ("thread", "root", "comment_count", "hostile_count", "status", "detected")
    list_filter = ("status",)
    raw_id_fields = ("thread", "root", "first_comment", "last_comment")
