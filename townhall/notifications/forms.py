"""Input of the moderators' alert settings page."""

from __future__ import annotations

from django import forms

from townhall.notifications.models import AlertPreference
from townhall.notifications.services import PREFERENCE_FIELDS


class AlertPreferenceForm(forms.ModelForm):
    class Meta:
        model = AlertPreference
        fields = PREFERENCE_FIELDS
        widgets = {"webhook_url": forms.URLInput(attrs={"placeholder": "https://hooks.slack.com/services/…"})}
