"""The JSON each event sends. Built from public fields only: never an email address, an IP or
anything derived from one but the author key (the same HMAC the public API shows).

Every body is `{"type": ..., "timestamp": ..., "data": {...}}` (the Standard Webhooks shape);
the README documents each `data`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from townhall.comments.locator import is_web_url
from townhall.comments.models import Comment, Status
from townhall.moderation.models import FlameWar
from townhall.webhooks.models import EventType


def _when(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _permalink(url: str, comment_id: int) -> str:
    return f"{url}#comment-{comment_id}"


def comment_data(comment: Comment) -> dict[str, Any]:
    """A comment as of the event. A deleted one keeps its place but loses its author and text,
    as it does on the page."""
    thread = comment.thread
    gone = comment.status == Status.DELETED
    website = comment.author_website if comment.author_website and is_web_url(comment.author_website) else None
    return {
        "comment": {
            "id": comment.pk,
            "site": thread.site.slug,
            "thread": {"id": thread.pk, "url": thread.url, "title": thread.title},
            "url": _permalink(thread.url, comment.pk),
            "parent": comment.parent_id,
            "status": str(comment.status),
            "author": None if gone else {
                "name": comment.author_name,
                "website": website,
                "key": comment.author_key,
                "staff": comment.author_user_id is not None,
            },
            "text": "" if gone else comment.text,
            "html": "" if gone else comment.html,
            "created": _when(comment.created),
            "edited": None if gone else _when(comment.edited),
            "reasons": list(comment.reasons or []),
            "report_count": comment.report_count,
        }
    }


def flamewar_data(war: FlameWar) -> dict[str, Any]:
    thread = war.thread
    return {
        "flamewar": {
            "id": war.pk,
            "site": thread.site.slug,
            "thread": {"id": thread.pk, "url": thread.url, "title": thread.title},
            "root_comment": war.root_id,
            "url": _permalink(thread.url, war.root_id),
            "participants": list(war.participants),  # names, as the page shows them
            "comment_count": war.comment_count,
            "hostile_count": war.hostile_count,
            "detected": _when(war.detected),
        }
    }


def test_data(*, endpoint_id: int, site: str) -> dict[str, Any]:
    return {"test": {"endpoint": endpoint_id, "site": site, "message": "A test event from Townhall."}}


def body(event: EventType | str, at: datetime, data: dict[str, Any]) -> str:
    """Serialised once; every attempt signs and sends exactly these characters."""
    return json.dumps({"type": str(event), "timestamp": _when(at), "data": data}, separators=(",", ":"), ensure_ascii=False)
