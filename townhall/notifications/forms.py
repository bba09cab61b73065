"""Input of the moderators' alert settings page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from townhall.notifications.models import AlertPreference
from townhall.notifications.services import PREFERENCE_FIELDS


class AlertPreferenceForm(forms.ModelForm):
    webhook_url = forms.URLField(required=False, max_length=500, assume_scheme="https",
                                 label=_("Webhook URL"), help_text=_(
                                     "a Slack-compatible incoming webhook that gets the same alerts (queue links only)"))

    class Meta:
        model = AlertPreference
        fields = PREFERENCE_FIELDS
        widgets = {"webhook_url": forms.URLInput(attrs={"placeholder": "https://hooks.slack.com/services/…"})}
        # The model's help texts, in the moderator's language.
        labels = {"mode": _("Mode"), "by_mail": _("By mail"), "held": _("Held"), "reported": _("Reported"),
                  "flamewars": _("Flame wars"), "backlog": _("Backlog"), "backlog_threshold": _("Backlog threshold")}
        help_texts = {
            "mode": _("when alerts go out: at once, or gathered in an hourly or daily digest"),
            "by_mail": _("send alerts to the account's email address"),
            "held": _("a comment is held for review"),
            "reported": _("readers report a comment"),
            "flamewars": _("a flame war is detected (one alert per war)"),
            "backlog": _("the pending queue grows past the threshold"),
            "backlog_threshold": _("pending comments that make a backlog"),
        }
