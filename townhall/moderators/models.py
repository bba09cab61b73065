"""Who moderates which site, and the record of what they did.

Roles are per site: a moderator reviews comments and threads of their sites, an admin also
manages the site's moderators and reads its audit log. Django superusers are admins everywhere
(townhall.moderators.selectors.can_moderate)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from townhall.comments.models import Site


class Role(models.TextChoices):
    MODERATOR = "moderator"
    ADMIN = "admin"


class SiteRole(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_roles")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MODERATOR)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "site"], name="siterole_user_site")]
        ordering = ["site__slug", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} {self.role} of {self.site}"


class AuditLog(models.Model):
    """One moderator action: who, when, on what, and the state before and after.

    Rows are only ever added. The actor's name is copied so the record still reads after the
    account is deleted; `actor` is null for actions taken from the command line."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=20)  # comment, thread, flamewar, site, role
    target_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        # The audit page reads one site's newest entries first.
        indexes = [models.Index(fields=["site", "-id"], name="auditlog_site_id")]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.target_type}#{self.target_id}"
