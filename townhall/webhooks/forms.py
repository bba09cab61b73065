"""Input of the webhooks page. The service checks the URL and its address."""

from __future__ import annotations

from django import forms

from townhall.webhooks.models import SUBSCRIBABLE


class EndpointForm(forms.Form):
    url = forms.CharField(max_length=500, strip=True, label="URL",
                          widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/townhall", "size": 50}))
    description = forms.CharField(max_length=200, required=False, strip=True)
    events = forms.MultipleChoiceField(choices=[(e, e) for e in SUBSCRIBABLE], initial=list(SUBSCRIBABLE),
                                       widget=forms.CheckboxSelectMultiple)
