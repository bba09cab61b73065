"""The README documents every event and every field of the payloads."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from townhall.comments.models import Site
from townhall.comments.tests.factories import make_comment
from townhall.moderation.flamewar import flamewar_open
from townhall.webhooks import payloads
from townhall.webhooks.models import EventType

README = Path(__file__).resolve().parents[3] / "README.md"


def webhooks_section() -> str:
    text = README.read_text()
    start = text.index("## Webhooks")
    return text[start: text.index("\n## ", start + 1)]


def test_every_event_and_payload_field_is_documented(site: Site) -> None:
    section = webhooks_section()
    for event in EventType:
        assert f"`{event.value}`" in section, event
    comment = payloads.comment_data(make_comment(site, text="Documented.", author_name="Ann"))["comment"]
    for key in [*comment, *comment["author"], *comment["thread"]]:
        assert f"`{key}`" in section, key
    root = make_comment(site, text="Start.", author_name="Ay")
    reply = make_comment(site, parent=root, text="Reply.", author_name="Bee")
    with transaction.atomic():
        war = flamewar_open(site=site, comment=reply, found={
            "anchor_path": root.path, "comments": [root.pk], "authors": ["Ay", "Bee"], "hostile": [], "rising": True,
        })
    for key in payloads.flamewar_data(war)["flamewar"]:
        assert f"`{key}`" in section, key
    for header in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        assert f"`{header}`" in section
