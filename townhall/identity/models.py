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
