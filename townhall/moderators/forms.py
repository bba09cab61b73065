"""Input of the moderators' forms. Views validate with these, then call one service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from townhall.moderation.decisions import Verdict
from townhall.moderators.models import Role
from townhall.moderators.services import MAX_BAN_DAYS, MAX_SLOW_MINUTES

BAN_CHOICES = [(1, gettext_lazy("1 day")), (7, gettext_lazy("7 days")), (30, gettext_lazy("30 days")),
               (365, gettext_lazy("1 year"))]


class EditForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=10_000, strip=True)


class BanForm(forms.Form):
    ban_days = forms.IntegerField(min_value=1, max_value=MAX_BAN_DAYS, initial=7, required=False)


class BulkForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)
    action = forms.ChoiceField(choices=[(d.value, d.value) for d in (Verdict.APPROVE, Verdict.REJECT, Verdict.SPAM)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Any integer is accepted here; the view keeps only comments the user may moderate.
        # Digits only, and within a database integer: anything else is not one of our comments.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit() and len(str(value)) <= 18  # type: ignore[attr-defined]


class SlowForm(forms.Form):
    minutes = forms.IntegerField(min_value=0, max_value=MAX_SLOW_MINUTES)


class RoleForm(forms.Form):
    username = forms.CharField(max_length=150, strip=True)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MODERATOR)
