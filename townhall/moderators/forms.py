"""Input of the moderators' forms. Views validate with these, then call one service."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from townhall.moderation.decisions import Verdict
from townhall.moderation.models import BanAction, BanKind
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


class SanctionForm(forms.Form):
    """A sanction: on the author of a comment (by its id), or by hand on a kind and value."""

    comment = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False,
                                 help_text=gettext_lazy("the id of one of their comments: every identifier of its author"))
    kind = forms.ChoiceField(choices=[("", gettext_lazy("(the comment's author)")), *BanKind.choices], required=False)
    value = forms.CharField(max_length=300, required=False, strip=True,
                            help_text=gettext_lazy("an IP address or range, an email, a domain, a user id"))
    action = forms.ChoiceField(choices=BanAction.choices, initial=BanAction.BAN)
    days = forms.IntegerField(min_value=0, max_value=MAX_BAN_DAYS, required=False,
                              help_text=gettext_lazy("empty or 0: until lifted; a ban with days is a suspension"))
    message = forms.CharField(max_length=500, required=False, strip=True,
                              help_text=gettext_lazy("what a warned commenter reads and must acknowledge"))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("comment") and not (data.get("kind") and data.get("value")):
            raise forms.ValidationError(gettext_lazy("name a comment (its author is sanctioned), or a kind and a value"))
        return data


class SanctionChangeForm(forms.Form):
    action = forms.ChoiceField(choices=BanAction.choices)
    days = forms.IntegerField(min_value=0, max_value=MAX_BAN_DAYS, required=False)
