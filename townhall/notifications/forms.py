"""Input of the moderators' alert settings page."""

from __future__ import annotations

from django import forms

from townhall.notifications.models import AlertPreference
from townhall.notifications.services import PREFERENCE_FIELDS


class AlertPreferenceForm(forms.ModelForm):
    webhook_url = forms.URLField(required=False, max_length=500, assume_scheme="https",
                                 help_text=AlertPreference._meta.get_field("webhook_url").help_text)

    class Meta:
        model = AlertPreference
        fields = PREFERENCE_FIELDS
        widgets = {"webhook_url": forms.URLInput(attrs={"placeholder": "https://hooks.slack.com/services/…"})}
