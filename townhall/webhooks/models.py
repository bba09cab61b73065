"""Webhook endpoints of a site, and the log of what was sent to them.

A Delivery is one event for one endpoint: its body is serialised once, when the event happens,
so every attempt sends (and signs) the same bytes under the same `webhook-id`, and receivers
can drop repeats by that id. Attempts are kept one row each for the dashboard's delivery log."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from townhall.comments.models import Site


class EventType(models.TextChoices):
    # Labels as Django would generate them (the migration state stays the same), translated.
    COMMENT_PUBLISHED = "comment.published", _("Comment Published")
    COMMENT_HELD = "comment.held", _("Comment Held")
    COMMENT_REJECTED = "comment.rejected", _("Comment Rejected")
    COMMENT_EDITED = "comment.edited", _("Comment Edited")
    COMMENT_DELETED = "comment.deleted", _("Comment Deleted")
    COMMENT_REPORTED = "comment.reported", _("Comment Reported")
    FLAMEWAR_DETECTED = "flamewar.detected", _("Flamewar Detected")
    # Sent only by "send test event", to the one endpoint asked for.
    TEST = "webhook.test", _("Test")


SUBSCRIBABLE: tuple[str, ...] = tuple(e.value for e in EventType if e != EventType.TEST)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # not yet answered with a 2xx; the next attempt is scheduled
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")  # the retry schedule ran out, or the endpoint was disabled or removed


class Endpoint(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(max_length=500)
    description = models.CharField(max_length=200, blank=True, default="")
    events = models.JSONField(default=list)  # EventType values this endpoint receives
    # "whsec_" + base64 of 32 random bytes, as Standard Webhooks asks. The previous secret
    # signs too until `previous_secret_until`, so a receiver can switch without losing events.
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    # The first failed attempt since the last success; disabling counts days from here.
    failing_since = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["site", "enabled"], name="webhook_endpoint_site")]

    def __str__(self) -> str:
        return self.url


class Delivery(models.Model):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=EventType.choices)
    message_id = models.CharField(max_length=40)  # the webhook-id header: one per event
    body = models.TextField()  # the exact JSON that is signed and sent
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    created = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The delivery log reads one endpoint's newest first.
        indexes = [models.Index(fields=["endpoint", "-id"], name="webhook_delivery_endpoint")]

    def __str__(self) -> str:
        return f"{self.event} {self.message_id} to endpoint #{self.endpoint_id}"


class Attempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # none: no answer
    error = models.CharField(max_length=300, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery_id", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery #{self.delivery_id}"
