"""Identities a reader can prove: for now, an email address confirmed through a signed link.

An address is per site: each newsroom asks its own readers, and an unsubscribe or a bounce on one
site says nothing about another. Nothing is sent to an address, beyond the confirmation itself,
until `confirmed` is set."""

from __future__ import annotations

from django.db import models

from townhall.comments.models import Site


class EmailAddress(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="email_addresses")
    # RFC 5321 caps a path at 256 octets; 320 is the largest address anyone has typed in tests.
    email = models.CharField(max_length=320, help_text="the address as the reader typed it, lowercased")
    digest = models.CharField(
        max_length=64, help_text="keyed hash of the address: what audits and logs store instead of it"
    )
    created = models.DateTimeField(auto_now_add=True)
    confirmed = models.DateTimeField(null=True, blank=True, help_text="when the reader followed the link")
    disabled = models.DateTimeField(
        null=True, blank=True, help_text="when mail to it stopped (a hard bounce or a complaint)"
    )
    disabled_reason = models.CharField(max_length=200, blank=True, help_text="why mail to it stopped")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "digest"], name="emailaddress_site_digest")]

    def __str__(self) -> str:
        return f"address {self.digest[:8]} on {self.site_id}"


# ---------------------------------------------------------------------------- who is speaking


class Provider(models.TextChoices):
    # The site's own login, by a token it signs (single sign-on). OpenID Connect on a hosted
    # identity provider would be another provider here, its subject the provider's `sub`.
    SSO = "sso"
    # A moderator signed in on this server, commenting as staff (subject: their account id).
    MODERATOR = "moderator"


class Identity(models.Model):
    """A reader the site vouches for: (site, provider, subject) is the site's own user id. What a
    token last said about them (name, staff role, picture) is kept to show on their comments."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="identities")
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.SSO)
    subject = models.CharField(max_length=255, help_text="the user id at the provider (the token's sub)")
    name = models.CharField(max_length=100, help_text="display name, cleaned like any name")
    # The name's confusable skeleton (townhall.identity.names): no anonymous comment may carry
    # a name with the same one. Indexed: one lookup per anonymous post.
    skeleton = models.CharField(max_length=200, db_index=True, default="")
    # Its confirmed address when the token carried one (the site confirmed it): reply mail.
    email = models.ForeignKey(EmailAddress, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    staff = models.BooleanField(default=False, help_text="the token carried the role staff")
    avatar = models.ForeignKey("Avatar", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    avatar_source = models.CharField(max_length=500, blank=True, default="", help_text="the URL it was fetched from")
    created = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "provider", "subject"], name="identity_site_provider_subject")
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject} on {self.site_id}"


class ReaderSession(models.Model):
    """A reader token a signed-in reader holds: the widget exchanged a sign-in token for it, so
    reloads and other tabs of the same browser stay signed in. Ended by signing out."""

    reader = models.CharField(max_length=64, unique=True, help_text="the reader id inside the token")
    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="sessions")
    created = models.DateTimeField(auto_now_add=True)
    ended = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"session of {self.identity}"


class ReaderAddress(models.Model):
    """A browser that followed a confirmation link its own request caused: its anonymous posts
    speak as the address (townhall.identity.speakers), so every browser that did so is one
    commenter. One address per browser per site: the last one it confirmed."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    reader = models.CharField(max_length=64, help_text="the reader id inside the browser's token")
    address = models.ForeignKey(EmailAddress, on_delete=models.CASCADE, related_name="readers")
    created = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "reader"], name="readeraddress_site_reader")]

    def __str__(self) -> str:
        return f"reader bound to {self.address}"


class UsedTokenId(models.Model):
    """The `jti` of every sign-in token exchanged, until it expires: a token works once."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=200)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "jti"], name="usedtokenid_site_jti")]

    def __str__(self) -> str:
        return self.jti


class Avatar(models.Model):
    """A picture Townhall fetched once from the URL a sign-in token named, served from its own
    host (/api/v1/avatars/DIGEST), so the page never asks another host for it."""

    digest = models.CharField(max_length=64, primary_key=True, help_text="SHA-256 of the bytes")
    content_type = models.CharField(max_length=20)
    data = models.BinaryField()
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.digest[:12]


class ErasureState(models.TextChoices):
    REQUESTED = "requested"  # waiting for the reader to confirm (email) or for the grace period
    SCHEDULED = "scheduled"  # confirmed: carried out once `due` has passed
    DONE = "done"
    CANCELLED = "cancelled"


class ErasureRequest(models.Model):
    """A reader's request to erase their comments on a site (GDPR art. 17). Whose comments:
    a signed-in identity, a reader id, or a confirmed email address (its digest only)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="erasures")
    identity = models.ForeignKey(Identity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reader = models.CharField(max_length=64, blank=True, default="")
    email_digest = models.CharField(max_length=64, blank=True, default="")
    state = models.CharField(max_length=10, choices=ErasureState.choices, default=ErasureState.SCHEDULED)
    requested = models.DateTimeField(auto_now_add=True)
    due = models.DateTimeField(db_index=True)
    done = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="what was erased, counts only")

    def __str__(self) -> str:
        return f"erasure {self.pk} on {self.site_id}: {self.state}"


class Mute(models.Model):
    """A signed-in reader muted a commenter: kept on their account, so every browser they sign
    in from hides that commenter too (anonymous readers' mutes stay in their browser)."""

    identity = models.ForeignKey(Identity, on_delete=models.CASCADE, related_name="mutes")
    author_key = models.CharField(max_length=32)
    name = models.CharField(max_length=100, blank=True, default="", help_text="the name shown when muted")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["identity", "author_key"], name="mute_identity_author")]

    def __str__(self) -> str:
        return f"{self.identity} mutes {self.author_key[:8]}"
