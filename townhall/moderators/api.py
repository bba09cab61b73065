"""The commenter's side of moderation: what became of a held comment.

Mount with `api.add_router("", townhall.moderators.api.router)` in townhall/api.py. The widget
keeps each held comment's id and edit token in localStorage and asks here until there is an
outcome."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema

from townhall.comments.models import Comment, Status
from townhall.comments.schemas import ErrorOut
from townhall.core import tokens
from townhall.core.errors import Forbidden, NotFound

router = Router(tags=["moderation"])

# Edit tokens expire with the site's edit window (minutes), but a held comment may wait days for
# a moderator; the token still proves the asker posted it, so its age is checked against this.
OUTCOME_TOKEN_MAX_AGE = 60 * 60 * 24 * 90


class OutcomeOut(Schema):
    id: int
    status: Literal["pending", "published", "rejected", "deleted"]
    message: str


MESSAGES = {
    Status.PENDING: "Your comment is awaiting moderation.",
    Status.PUBLISHED: "Your comment was approved and is published.",
    Status.REJECTED: "Your comment was not approved by a moderator.",
    Status.DELETED: "Your comment was deleted.",
}


@router.get("/comments/{comment_id}/outcome", response={200: OutcomeOut, 403: ErrorOut, 404: ErrorOut})
def comment_outcome(request: HttpRequest, comment_id: int) -> dict[str, object]:
    """GET /api/v1/comments/{id}/outcome — the author, with the comment's X-Townhall-Edit-Token
    (up to 90 days old). The comment's moderation status in words; no side effects. Without a
    valid token it answers 403, so ids cannot be probed for held or rejected comments."""
    try:
        tokens.edit_token_check(request.headers.get("X-Townhall-Edit-Token"), comment_id=comment_id,
                                max_age_seconds=OUTCOME_TOKEN_MAX_AGE)
    except (tokens.EditTokenInvalid, tokens.EditTokenExpired):
        raise Forbidden("a valid edit token for this comment is required", code="edit_token_invalid") from None
    status = Comment.objects.filter(pk=comment_id).values_list("status", flat=True).first()
    if status is None:
        raise NotFound("no such comment", code="comment_not_found")
    return {"id": comment_id, "status": status, "message": MESSAGES[Status(status)]}
