"""What readers and moderators asked to hear about, and the outbox of what is still to be sent.

Every mail leaves from a row here (a Notice for readers, an Alert for moderators) that a task
sends and marks sent, so a batch or a digest is "the unsent rows of one recipient" and a crash
between writing a row and sending it loses nothing: the task row was committed with it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from townhall.comments.models import Comment, Site, Thread
from townhall.identity.models import EmailAddress
from townhall.moderation.models import FlameWar


class AddressState(models.Model):
    """What this installation keeps about mail to one address beyond identity's row."""

    address = models.OneToOneField(EmailAddress, on_delete=models.CASCADE, related_name="mail_state")
    # One confirmation mail an hour at most: typing someone's address into many forms must not
    # flood their inbox.
    confirmation_sent = models.DateTimeField(null=True, blank=True)
    unsubscribed = models.DateTimeField(null=True, blank=True, help_text="when the reader stopped all mail")

    def __str__(self) -> str:
        return f"mail state of {self.address}"


class ThreadFollow(models.Model):
    """A reader who wants every new published comment of one thread."""

    address = models.ForeignKey(EmailAddress, on_delete=models.CASCADE, related_name="follows")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["address", "thread"], name="follow_address_thread")]

    def __str__(self) -> str:
        return f"{self.address} follows {self.thread_id}"


class ThreadMute(models.Model):
    """A reader's unsubscribe from one thread: no replies, follows or outcomes from it."""

    address = models.ForeignKey(EmailAddress, on_delete=models.CASCADE, related_name="mutes")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["address", "thread"], name="mute_address_thread")]

    def __str__(self) -> str:
        return f"{self.address} muted {self.thread_id}"


class NoticeKind(models.TextChoices):
    REPLY = "reply", "a reply to your comment"
    FOLLOW = "follow", "a new comment on an article you follow"
    APPROVED = "approved", "your comment was approved"
    NOT_APPROVED = "not_approved", "your comment was not approved"
    PICKED = "picked", "your comment is an editors' pick"


class Notice(models.Model):
    """One thing to tell a reader; the unsent ones of an address go out together."""

    address = models.ForeignKey(EmailAddress, on_delete=models.CASCADE, related_name="notices")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    created = models.DateTimeField(auto_now_add=True)
    sent = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["address", "sent"], name="notice_address_sent")]
        constraints = [
            models.UniqueConstraint(fields=["address", "comment", "kind"], name="notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.comment_id} for {self.address}"


class AlertMode(models.TextChoices):
    OFF = "off", gettext_lazy("off")
    IMMEDIATE = "immediate", gettext_lazy("at once")
    HOURLY = "hourly", gettext_lazy("hourly digest")
    DAILY = "daily", gettext_lazy("daily digest")


class AlertKind(models.TextChoices):
    HELD = "held", "held comment"
    REPORTED = "reported", "reported comment"
    FLAMEWAR = "flamewar", "flame war"
    BACKLOG = "backlog", "queue backlog"


class AlertPreference(models.Model):
    """One moderator's alerts for one site."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preferences")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="alert_preferences")
    mode = models.CharField(max_length=10, choices=AlertMode.choices, default=AlertMode.OFF,
                            help_text="when alerts go out: at once, or gathered in an hourly or daily digest")
    by_mail = models.BooleanField(default=True, help_text="send alerts to the account's email address")
    held = models.BooleanField(default=True, help_text="a comment is held for review")
    reported = models.BooleanField(default=True, help_text="readers report a comment")
    flamewars = models.BooleanField(default=True, help_text="a flame war is detected (one alert per war)")
    backlog = models.BooleanField(default=True, help_text="the pending queue grows past the threshold")
    backlog_threshold = models.PositiveIntegerField(default=20, help_text="pending comments that make a backlog")
    webhook_url = models.URLField(
        max_length=500, blank=True, default="",
        help_text="a Slack-compatible incoming webhook that gets the same alerts (queue links only)",
    )
    # Set when a backlog alert went out, cleared when the queue is back under the threshold:
    # one alert per backlog, not one per held comment.
    backlog_raised = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "site"], name="alertpref_user_site")]

    def __str__(self) -> str:
        return f"{self.user} alerts for {self.site}: {self.mode}"

    def wants(self, kind: AlertKind) -> bool:
        return self.mode != AlertMode.OFF and bool(
            {AlertKind.HELD: self.held, AlertKind.REPORTED: self.reported,
             AlertKind.FLAMEWAR: self.flamewars, AlertKind.BACKLOG: self.backlog}[kind]
        )


class Alert(models.Model):
    preference = models.ForeignKey(AlertPreference, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    war = models.ForeignKey(FlameWar, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    pending = models.PositiveIntegerField(default=0)  # the queue's length, for backlog alerts
    created = models.DateTimeField(auto_now_add=True)
    sent = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["preference", "sent"], name="alert_pref_sent")]

    def __str__(self) -> str:
        return f"{self.kind} alert for {self.preference_id}"


class ActionUse(models.Model):
    """A spent one-click moderation link: the unique nonce makes each link work once."""

    nonce = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(max_length=10)
    used = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.verdict} of #{self.comment_id} by {self.user_id}"
