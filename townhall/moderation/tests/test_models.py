"""Each moderation policy field says what it does: the admin shows the help text beside it."""

from townhall.moderation.models import Policy


def test_every_policy_field_has_its_help_text() -> None:
    missing = [f.name for f in Policy._meta.concrete_fields if not f.help_text and f.name != "id"]
    assert missing == []
