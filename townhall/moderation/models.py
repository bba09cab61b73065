"""Moderation state beside the comments: each site's policy, bans, the near-duplicate index and
flame wars. A comment's own moderation record (decision, reasons, scores, model versions) is
stored on the comment itself (`Comment.moderation`, `reasons`, `flagged`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from townhall.comments.models import Comment, Site, Thread


class Policy(models.Model):
    """How a site's pipeline runs. Every field has a default, so a new site is moderated sensibly
    from its first comment."""

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, related_name="moderation_policy", help_text=_("the site this policy moderates")
    )
    post_moderation = models.BooleanField(
        default=True, help_text=_("soft signals publish and flag for review instead of holding")
    )
    # Hard rules.
    min_length = models.PositiveIntegerField(default=1, help_text=_("shortest comment text accepted, in characters"))
    max_length = models.PositiveIntegerField(default=5000, help_text=_("longest comment text accepted, in characters"))
    flood_count = models.PositiveIntegerField(default=5, help_text=_("comments per author per flood window"))
    flood_seconds = models.PositiveIntegerField(default=60, help_text=_("the flood window, in seconds"))
    # Word lists (matched after folding case, accents, look-alikes, spacing and leetspeak).
    banned_words = models.JSONField(default=list, blank=True, help_text=_("words that reject a comment"))
    suspect_words = models.JSONField(default=list, blank=True, help_text=_("words that hold (or flag) a comment"))
    # Links.
    max_links = models.PositiveIntegerField(default=3, help_text=_("more links than this hold a comment"))
    link_allow = models.JSONField(default=list, blank=True, help_text=_("if set, links elsewhere are held"))
    link_deny = models.JSONField(default=list, blank=True, help_text=_("link domains that reject a comment"))
    # Languages (ISO 639-1); empty accepts every language.
    languages = models.JSONField(
        default=list, blank=True, help_text=_("accepted languages (ISO 639-1 codes); empty: every language")
    )
    # Classifier thresholds (0..1). The hostility ones are empty by default: the shipped model's
    # calibrated defaults apply (`selectors.thresholds_for`), and follow it when it changes.
    toxicity_warn = models.FloatField(
        null=True, blank=True, default=None,
        help_text=_("hostility score that asks the author to revise; empty: the shipped model's default"),
    )
    toxicity_hold = models.FloatField(
        null=True, blank=True, default=None,
        help_text=_("hostility score that holds a comment for a moderator; empty: the shipped model's default"),
    )
    thresholds_model = models.CharField(
        max_length=40, blank=True, default="",
        help_text=_("version of the hostility model the site's own thresholds were set for"),
    )
    spam_hold = models.FloatField(default=0.8, help_text=_("spam score (0..1) that holds a comment with other signals"))
    # Near-duplicates: share of a comment's word triples already posted on the site recently.
    duplicate_hours = models.PositiveIntegerField(default=72, help_text=_("hours a posted text counts for repeats"))
    duplicate_containment = models.FloatField(
        default=0.9, help_text=_("share (0..1) of a comment's word triples already posted that makes it a repeat")
    )
    # Reports from this many distinct readers hide a published comment pending review.
    report_hide_count = models.PositiveIntegerField(
        default=3, help_text=_("reports from this many distinct readers hide a comment pending review")
    )
    # New and trusted commenters (trust is bound to the server-issued reader token).
    premoderate_first = models.PositiveIntegerField(
        default=0, help_text=_("hold the first N comments of an unknown author (0: none)")
    )
    trusted_after = models.PositiveIntegerField(
        default=5, help_text=_("approved comments after which soft signals no longer hold an author's comments")
    )
    # Flame wars.
    flamewar_min_run = models.PositiveIntegerField(default=8, help_text=_("alternating replies between 2-3 authors"))
    flamewar_min_hostile = models.PositiveIntegerField(default=2, help_text=_("hostile replies that make a run a flame war"))
    flamewar_slow_minutes = models.PositiveIntegerField(
        default=10, help_text=_("slow mode a new flame war's branch gets: one reply per author per N minutes (0: none)")
    )
    flamewar_toxicity_hold = models.FloatField(
        null=True, blank=True, default=None,
        help_text=_("hostility score that holds a reply inside a flame war; empty: the shipped model's default"),
    )
    # The site's own model, fitted on its moderators' decisions; null: the shipped model alone.
    site_model = models.ForeignKey(
        "SiteModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("the site's own model in use (townhall moderation retrain); empty: the shipped model alone"),
    )

    def __str__(self) -> str:
        return f"policy of {self.site}"


class SiteModel(models.Model):
    """A model of "a moderator of this site rejects it", over the shipped model's score, the
    comment's embedding and its hashed words, fitted by `townhall moderation retrain` or
    `train-site`. Weights are plain numbers in JSON, never a pickle."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="models")
    created = models.DateTimeField(auto_now_add=True)
    bits = models.PositiveSmallIntegerField()  # of the word buckets (0: no words)
    weights = models.JSONField()  # ml/sitefit.SiteFit.to_json(); a plain list for older dense-only models
    metrics = models.JSONField(default=dict)
    examples = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"model {self.pk} of {self.site}"


class BanKind(models.TextChoices):
    """What a sanction is held against. A reader token, a signed-in user and a confirmed email
    are things the server issued or checked; an author key covers whichever of them the comment
    was keyed by; an IP range stops a network, and everyone behind it."""

    # The labels spell out what the generated ones were, so the migration state stays the same.
    AUTHOR_KEY = "author_key", _("Author Key")
    READER = "reader", _("reader token")
    SSO_USER = "sso_user", _("signed-in user (the site's user id)")
    EMAIL = "email", _("email address (kept as its keyed digest)")
    EMAIL_DOMAIN = "email_domain", _("Email Domain")
    IP_RANGE = "ip_range", _("Ip Range")


class BanAction(models.TextChoices):
    """What a sanction does to the next comment it matches."""

    BAN = "ban", _("refuse their comments (a suspension when it has an end)")
    PREMODERATE = "premoderate", _("hold every comment of theirs for a moderator")
    WARN = "warn", _("show them a warning they must acknowledge before posting again")


class Ban(models.Model):
    """A sanction on a commenter: a ban (or suspension, with `until`), always-premoderate, or a
    warning to acknowledge. Changed and lifted from the moderators' dashboard, audited there."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="bans")
    kind = models.CharField(max_length=20, choices=BanKind.choices)
    value = models.CharField(max_length=300)
    action = models.CharField(max_length=12, choices=BanAction.choices, default=BanAction.BAN)
    reason = models.CharField(max_length=300, blank=True, default="")
    message = models.CharField(
        max_length=500, blank=True, default="", help_text=_("the warning the commenter reads (warnings only)")
    )
    acknowledged = models.DateTimeField(null=True, blank=True, help_text=_("when the commenter acknowledged the warning"))
    until = models.DateTimeField(null=True, blank=True)  # null: permanent
    lifted = models.DateTimeField(null=True, blank=True, help_text=_("when a moderator lifted it"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["site", "kind", "value"], name="ban_lookup")]

    def __str__(self) -> str:
        return f"{self.action} {self.kind}={self.value}"


class Shingle(models.Model):
    """The near-duplicate index: sampled hashes of each comment's word triples.

    In the database so every worker process shares it and it survives restarts; one indexed
    IN-query per new comment counts, per earlier comment, how many of its triples were seen."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="shingles")
    hash = models.BigIntegerField()
    created = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["site", "hash", "created"], name="shingle_lookup")]

    def __str__(self) -> str:
        return f"{self.hash} of #{self.comment_id}"


class FlameWarStatus(models.TextChoices):
    OPEN = "open"
    RESOLVED = "resolved"


class FlameWar(models.Model):
    """A run of hostile back-and-forth in one branch: one item for moderators, not fifty."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="flamewars")
    root = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flamewars")
    participants = models.JSONField(default=list)  # author names (public anyway)
    author_keys = models.JSONField(default=list)
    first_comment = models.ForeignKey(Comment, on_delete=models.SET_NULL, null=True, related_name="+")
    last_comment = models.ForeignKey(Comment, on_delete=models.SET_NULL, null=True, related_name="+")
    comment_count = models.PositiveIntegerField(default=0)
    hostile_count = models.PositiveIntegerField(default=0)
    evidence = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=FlameWarStatus.choices, default=FlameWarStatus.OPEN)
    slow_minutes = models.PositiveIntegerField(default=10)
    detected = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["root", "status"], name="flamewar_root_status")]

    def __str__(self) -> str:
        return f"flame war under #{self.root_id}: {', '.join(self.participants)}"
