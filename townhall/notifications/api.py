"""Public API of notifications, added to /api/v1/ by townhall.api."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Router, Status

from townhall.comments.schemas import ErrorOut
from townhall.comments.selectors import site_by_slug
from townhall.core import tokens
from townhall.core.throttles import WRITE
from townhall.notifications import services
from townhall.notifications.schemas import FollowIn, FollowOut

router = Router(tags=["notifications"])

# Lazy: the widget sends its language as Accept-Language, and the reader reads this sentence.
FOLLOW_MESSAGE = gettext_lazy("You will get an email for each new comment on this article. If this is the first "
                              "time you use this address here, confirm it first with the link we just sent.")


@router.post("/follows", response={202: FollowOut, 400: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}, throttle=[WRITE])
def follow_create(request: HttpRequest, payload: FollowIn) -> Status[dict[str, str]]:
    """POST /api/v1/follows {site, url, email, title?} — anyone. Follows the article by mail
    (every new published comment). Side effects: a confirmation mail the first time the address
    asks for anything on the site (or this browser, sending its reader token, asks for it: its
    link binds the browser to the address); 202 either way, with the same message."""
    site = site_by_slug(payload.site)
    reader = tokens.reader_id(request.headers.get("X-Townhall-Token")) or ""
    services.thread_follow(site=site, url=payload.url, email=payload.email, title=payload.title, reader=reader)
    return Status(202, {"message": str(FOLLOW_MESSAGE)})
