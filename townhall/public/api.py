"""The public JSON API under /api/v1/ (what the widget and any other client call). Each endpoint
parses input, calls one service or selector, and returns an explicit Out schema. Writes
authenticate with header tokens, never cookies."""

from __future__ import annotations

from typing import Annotated

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from ninja import Header, Path, Query, Router, Status
from pydantic import StringConstraints

from townhall.comments import selectors, services
from townhall.comments.cache import THREAD_CACHE_CONTROL, site_cache, thread_page_cached
from townhall.comments.models import MAX_TEXT, Comment, Site
from townhall.comments.models import Status as CommentStatus
from townhall.comments.origins import origin_may_write, own_origin
from townhall.comments.schemas import (
    EXAMPLE_SITE,
    EXAMPLE_URL,
    CommentDetailOut,
    CommentEditIn,
    CommentIn,
    CommentWrittenOut,
    CountsOut,
    DeletedOut,
    ErrorOut,
    OutcomeOut,
    RepliesPageOut,
    ReportIn,
    ReportOut,
    SiteConfigOut,
    ThreadPageOut,
    TokenOut,
    VoteIn,
    VoteOut,
)
from townhall.core import tokens
from townhall.core.errors import Forbidden, PayloadTooLarge
from townhall.core.limits import (
    CURSOR_PATTERN,
    MAX_CURSOR,
    MAX_ID,
    MAX_SLUG,
    MAX_URL,
    WEB_URL,
    body_limit_register,
    comment_body_limit,
    too_large_message,
)
from townhall.core.net import client_ip
from townhall.core.text import NO_NUL
from townhall.core.throttles import VOTE, WRITE
from townhall.moderation.selectors import text_limit
from townhall.moderators.selectors import can_moderate
from townhall.posting import services as posting

router = Router(tags=["comments"])
# Every status an endpoint answers besides its successes, each with the one error body: 400 a
# body that is not JSON, 413 a body over the endpoint's limit, 422 a bad field (path, query or
# body), 429 a rate limit.
READ_ERRORS = {404: ErrorOut, 422: ErrorOut}
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}

# Comment writes carry up to the longest text any site accepts; each site's own (smaller) text
# limit is checked once the body names the site (_body_within).
body_limit_register(r"^/api/v1/comments(/\d+)?$", max_bytes=comment_body_limit(MAX_TEXT), what="a comment")

# What a client can do next with a comment it has just written or read (OpenAPI links: clients
# and schemathesis' stateful tests follow them).
_AFTER_POST = ("comment_read", "comment_outcome", "comment_replies", "comment_patch", "comment_remove",
               "comment_vote", "comment_report")
_OWNED = {"comment_outcome", "comment_patch", "comment_remove"}  # they take the edit token too


def _links(status: str, comment_id: str, *operations: str) -> dict[str, object]:
    def parameters(op: str) -> dict[str, str]:
        if op in _OWNED and status == "201":
            return {"comment_id": comment_id, "header.X-Townhall-Edit-Token": "$response.body#/edit_token"}
        return {"comment_id": comment_id}

    return {"responses": {status: {"links": {op: {"operationId": op, "parameters": parameters(op)} for op in operations}}}}


EditToken = Header(None, alias="X-Townhall-Edit-Token",
                   description="The edit token a post answered with (PATCH, DELETE, outcome).")
CommentId = Path(..., ge=1, le=MAX_ID, description="A comment's id.")
SiteSlug = Query(..., min_length=1, max_length=MAX_SLUG, pattern=NO_NUL, description="The site's slug.",
              examples=[EXAMPLE_SITE])
Cursor = Query(None, max_length=MAX_CURSOR, pattern=CURSOR_PATTERN, description="A cursor from the previous page.")
Limit = Query(None, ge=1, le=selectors.MAX_LIMIT, description="How many items (default: the site's page size).")


def _staff(request: HttpRequest, site: Site) -> User | None:
    """A moderator signed in on this server posts as staff (a staff badge), but only from this
    server's own pages: the session cookie alone is no proof, a sibling site could send it, so
    the browser's Origin header must be ours (the check Django's CSRF protection makes)."""
    user = request.user
    origin = request.headers.get("Origin", "").lower()
    if origin != own_origin(request) or not isinstance(user, User) or not user.is_authenticated:
        return None
    return user if can_moderate(user, site) else None


def _writable(request: HttpRequest, site: Site) -> Site:
    if not origin_may_write(request, site):
        raise Forbidden("this page's origin may not write to this site", code="origin_not_allowed")
    return site


def _writable_comment(request: HttpRequest, comment_id: int) -> Site | None:
    site = Site.objects.filter(threads__comments=comment_id).first()
    if site is not None:  # an unknown comment is the service's 404
        _writable(request, site)
    return site


def _body_within(request: HttpRequest, site: Site) -> None:
    """The site's own comment body limit, from its text limit: the middleware could only hold
    the body to the largest any site allows."""
    chars = text_limit(site)
    max_bytes = comment_body_limit(chars)
    if len(request.body) > max_bytes:
        what = f"a comment on this site ({chars:,} characters of text)"
        raise PayloadTooLarge(too_large_message(len(request.body), max_bytes=max_bytes, what=what))


def _reader(request: HttpRequest) -> str | None:
    return tokens.reader_id(request.headers.get("X-Townhall-Token"))


@router.get("/config", response={200: SiteConfigOut, **READ_ERRORS}, operation_id="site_config")
def site_config(request: HttpRequest, site: str = SiteSlug) -> dict[str, object]:
    """GET /api/v1/config?site=SLUG — anyone. The site's public policy for the widget."""
    found = site_cache.get(site)
    return selectors.site_public_config(found, max_text_length=text_limit(found))


@router.post("/tokens", response={201: TokenOut, 413: ErrorOut}, operation_id="token_issue")
def token_issue(request: HttpRequest) -> Status[dict[str, str]]:
    """POST /api/v1/tokens — anyone. Issues a reader token that identifies this browser for
    votes, reports and "my comments"; nothing is stored server-side until it is used."""
    return Status(201, {"token": tokens.reader_token_issue()})


@router.get("/threads", response={200: ThreadPageOut, 304: None, **READ_ERRORS}, operation_id="thread_read")
def thread_read(
    request: HttpRequest,
    site: str = SiteSlug,
    url: str = Query(..., min_length=1, max_length=MAX_URL, pattern=WEB_URL,  # noqa: B008
                     description="The page's URL.", examples=[EXAMPLE_URL]),
    sort: selectors.Sort | None = None,
    limit: int | None = Limit,
    cursor: str | None = Cursor,
) -> HttpResponse:
    """GET /api/v1/threads?site=&url=&sort=&limit=&cursor= — anyone. A page of top-level
    comments with their first replies (`sort` left out: the site's default_sort), with the
    thread's editors' picks and conversations. The body holds nothing specific to the viewer, so it is
    cached by thread version and carries an ETag; If-None-Match gets a 304."""
    ref = selectors.thread_ref(site=site_cache.get(site), url=url)
    page = thread_page_cached(
        ref, sort=sort, limit=limit, cursor=cursor, if_none_match=request.headers.get("If-None-Match", "")
    )
    response = HttpResponseNotModified() if page.body is None else HttpResponse(page.body, content_type="application/json")
    response["ETag"] = page.etag
    response["Cache-Control"] = THREAD_CACHE_CONTROL
    return response


@router.get("/comments/{comment_id}", response={200: CommentDetailOut, **READ_ERRORS}, operation_id="comment_read",
            openapi_extra=_links("200", "$response.body#/id", "comment_replies", "comment_vote", "comment_report"))
def comment_read(request: HttpRequest, comment_id: int = CommentId) -> dict[str, object]:
    """GET /api/v1/comments/{id} — anyone. One visible comment (for permalinks)."""
    return selectors.comment_detail(selectors.comment_public(comment_id))


@router.get("/comments/{comment_id}/outcome", response={200: OutcomeOut, **READ_ERRORS}, operation_id="comment_outcome")
def comment_outcome(request: HttpRequest, comment_id: int = CommentId, edit_token: str | None = EditToken) -> dict[str, object]:
    """GET /api/v1/comments/{id}/outcome — the comment's author only (X-Townhall-Edit-Token of
    that comment, even expired, or the X-Townhall-Token it was posted with). Lets the widget
    show a held comment's outcome once a moderator decides."""
    return selectors.comment_outcome(
        comment_id=comment_id, edit_token=edit_token, reader=_reader(request)
    )


@router.get("/comments/{comment_id}/replies", response={200: RepliesPageOut, **READ_ERRORS},
            operation_id="comment_replies")
def comment_replies(
    request: HttpRequest, comment_id: int = CommentId, cursor: str | None = Cursor, limit: int | None = Limit
) -> dict[str, object]:
    """GET /api/v1/comments/{id}/replies?cursor= — anyone. The next page of a subtree."""
    return selectors.comment_replies(selectors.comment_public(comment_id), cursor=cursor, limit=limit)


def _written(result: posting.CommentWritten, *, created: bool = True) -> Status[dict[str, object]]:
    comment = result.comment
    if comment.status == CommentStatus.REJECTED:
        # Kept for audit; the commenter learns why in words.
        return Status(403, {"code": "rejected", "message": result.refusal(), "errors": []})
    body: dict[str, object] = {
        "id": comment.pk,
        "status": "published" if result.published else "pending",
        "comment": selectors.comment_detail(comment) if result.published else None,
        "edit_token": result.edit_token,
        "edit_expires": result.edit_expires,
        "message": "Published." if result.published else "Your comment is awaiting moderation.",
    }
    if not result.published:
        return Status(202, body)
    return Status(201 if created else 200, body)


@router.post("/comments", response={201: CommentWrittenOut, 202: CommentWrittenOut, **ERRORS}, throttle=[WRITE],
             operation_id="comment_post", openapi_extra=_links("201", "$response.body#/id", *_AFTER_POST))
def comment_post(request: HttpRequest, payload: CommentIn) -> Status[dict[str, object]]:
    """POST /api/v1/comments — anyone (subject to the site's policy and rate limits).
    201 when published, 202 when held for moderation. Side effects after commit: reply
    notification email to the parent's author if they asked for one."""
    site = _writable(request, selectors.site_by_slug(payload.site))
    _body_within(request, site)
    result = posting.comment_create(
        site=site,
        url=payload.url,
        title=payload.title,
        parent_id=payload.parent,
        text=payload.text,
        author_name=payload.author_name,
        author_email=payload.author_email,
        author_website=payload.author_website,
        notify=payload.notify,
        ip=client_ip(request),
        reader=_reader(request),
        user=_staff(request, site),
        acknowledged_warning=payload.acknowledge_warning,
    )
    return _written(result)


@router.patch("/comments/{comment_id}", response={200: CommentWrittenOut, 202: CommentWrittenOut, **ERRORS}, throttle=[WRITE],
              operation_id="comment_patch")
def comment_patch(
    request: HttpRequest, payload: CommentEditIn, comment_id: int = CommentId, edit_token: str | None = EditToken
) -> Status[dict[str, object]]:
    """PATCH /api/v1/comments/{id} — the author, with X-Townhall-Edit-Token, within the edit
    window. Marks the comment edited and runs moderation on the new text."""
    site = _writable_comment(request, comment_id)
    if site is not None:
        _body_within(request, site)
    result = posting.comment_edit(
        comment_id=comment_id, edit_token=edit_token, text=payload.text,
        acknowledged_warning=payload.acknowledge_warning,
    )
    return _written(result, created=False)


@router.delete("/comments/{comment_id}", response={200: DeletedOut, **ERRORS}, throttle=[WRITE], operation_id="comment_remove")
def comment_remove(request: HttpRequest, comment_id: int = CommentId, edit_token: str | None = EditToken) -> dict[str, object]:
    """DELETE /api/v1/comments/{id} — the author, with X-Townhall-Edit-Token, within the edit
    window. A comment with replies stays in place marked deleted."""
    _writable_comment(request, comment_id)
    comment: Comment = services.comment_delete(
        comment_id=comment_id, edit_token=edit_token
    )
    return {"id": comment.pk, "status": "deleted"}


@router.post("/comments/{comment_id}/votes", response={200: VoteOut, **ERRORS}, throttle=[VOTE], operation_id="comment_vote")
def comment_vote(request: HttpRequest, payload: VoteIn, comment_id: int = CommentId) -> dict[str, object]:
    """POST /api/v1/comments/{id}/votes — a reader with X-Townhall-Token. +1, -1, or 0 to
    withdraw; changeable."""
    _writable_comment(request, comment_id)
    comment = services.comment_vote(
        comment_id=comment_id, reader=_reader(request), ip=client_ip(request), value=payload.value
    )
    return {"id": comment.pk, "score": comment.score, "upvotes": comment.upvotes,
            "downvotes": comment.downvotes, "your_vote": payload.value}


@router.post("/comments/{comment_id}/reports", response={201: ReportOut, **ERRORS}, throttle=[VOTE],
             operation_id="comment_report")
def comment_report(request: HttpRequest, payload: ReportIn, comment_id: int = CommentId) -> Status[dict[str, object]]:
    """POST /api/v1/comments/{id}/reports — anyone; one report per reader per comment."""
    _writable_comment(request, comment_id)
    comment = posting.comment_report(
        comment_id=comment_id, reader=_reader(request), ip=client_ip(request),
        reason=payload.reason, note=payload.note,
    )
    return Status(201, {"id": comment.pk, "received": True})


# 414: the HTTP server refuses a request line over its buffer (100 URLs of 2,000 characters, encoded).
@router.get("/counts", response={200: CountsOut, 414: None, **READ_ERRORS}, operation_id="thread_counts")
def thread_counts(
    request: HttpRequest,
    site: str = SiteSlug,
    url: list[Annotated[str, StringConstraints(min_length=1, max_length=MAX_URL, pattern=WEB_URL)]] = Query(  # noqa: B008
        ..., min_length=1, max_length=100, description="Up to 100 page URLs."
    ),
) -> dict[str, object]:
    """GET /api/v1/counts?site=&url=&url=... — anyone. Published-comment counts for up to 100
    URLs, keyed by the URL as given."""
    return {"counts": selectors.thread_counts(site=site_cache.get(site), urls=url)}
