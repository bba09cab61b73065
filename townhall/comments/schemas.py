"""The JSON contract of the public API. Explicit Out schemas: the widget's contract never
changes by accident, and no private field (email, address) can slip into a response."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from townhall.comments.models import (
    MAX_NAME,
    MAX_NOTE,
    MAX_TEXT,
    MAX_TITLE,
    MAX_WEBSITE,
    ReportReason,
    site_policy_field,
)
from townhall.comments.selectors import Sort
from townhall.core.limits import MAX_EMAIL, MAX_ID, MAX_SLUG, MAX_URL, WEB_URL
from townhall.core.text import Text


def _doc(name: str) -> str:
    return str(site_policy_field(name).help_text)


class SiteConfigOut(Schema):
    """Explicit on purpose (the public contract); its policy fields are SITE_PUBLIC_FIELDS, with
    their help text from the model (a test keeps the two in step)."""

    site: str
    name: str
    require_name: bool = Field(description=_doc("require_name"))
    require_email: bool = Field(description=_doc("require_email"))
    edit_window_minutes: int = Field(description=_doc("edit_window_minutes"))
    display_depth: int = Field(description=_doc("display_depth"))
    page_size: int = Field(description=_doc("page_size"))
    replies_per_page: int = Field(description=_doc("replies_per_page"))
    rules: str = Field(description=_doc("rules"))
    premoderate: bool = Field(description=_doc("premoderate"))
    close_after_days: int = Field(description=_doc("close_after_days"))
    language: str = Field(description=_doc("language"))
    sign_in_required: bool = Field(description=_doc("sign_in_required"))
    login_url: str = Field(description=_doc("login_url"))
    erasure_grace_days: int = Field(description=_doc("erasure_grace_days"))
    default_sort: Sort = Field(description=_doc("default_sort"))
    max_text_length: int = Field(description="the longest comment text accepted, in characters")


class AuthorOut(Schema):
    name: str
    website: str | None
    key: str = Field(description="Stable per author (keyed hash of who is speaking); draw the identicon from it.")
    avatar: str | None = Field(
        None, description="Path of the author's picture on this server (/api/v1/avatars/...), for signed-in authors."
    )


class InReplyToOut(Schema):
    id: int
    name: str


class QuoteMarkOut(Schema):
    """What the quote check found for one passage a comment quotes."""

    kind: Literal["article", "missing", "comment"] = Field(
        description="article: found in the article; missing: not in this article; comment: quotes another comment."
    )
    quote: str = Field(description="The quoted passage as the comment gives it (shortened).")
    passage: str = Field(description="For `article`: the article's own words, to find and highlight on the page.")
    comment: int | None = Field(description="For `comment`: the quoted comment's id.")
    author: str = Field(description="For `comment`: the quoted comment's author name.")
    score: int = Field(description="How closely it matched, 0-100.")


class CommentOut(Schema):
    id: int
    parent: int | None
    depth: int = Field(description="True depth in the tree (0 = top level).")
    level: int = Field(description="Indentation level to display: depth capped at the site's display depth.")
    author: AuthorOut | None = Field(description="null for a placeholder (deleted or held) kept for its replies.")
    badges: list[str] = Field(description="verified (signed in through the site), staff, featured.")
    html: str = Field(description="Sanitised HTML rendered from the Markdown source.")
    status: Literal["published", "deleted", "held"] = Field(
        description="published; or a placeholder with no author or text, kept while it has visible replies: "
        "deleted, or held (awaiting moderation)."
    )
    created: datetime
    edited: datetime | None
    score: int
    upvotes: int
    downvotes: int
    reply_count: int = Field(description="Visible direct replies.")
    in_reply_to: InReplyToOut | None = Field(
        description="Set when the comment is shown flat below the display depth: whom it answers."
    )
    replies: list[CommentOut]
    replies_cursor: str | None = Field(description="More replies in this subtree: GET /comments/{id}/replies?cursor=")
    quotes: list[QuoteMarkOut] = Field(description="The quote check's marks, one per quoted passage.")
    conversation: int | None = Field(description="The collapsed dialogue (ThreadPageOut.conversations) it belongs to.")


class CommentDetailOut(CommentOut):
    thread_url: str
    ancestors: list[int] = Field(description="Ids from the top-level comment down to the parent.")


class ThreadInfoOut(Schema):
    url: str
    title: str
    count: int = Field(description="Published comments in the thread.")
    closed: bool
    version: int
    article: bool = Field(description="Whether the article's text is known (the quote check reads it).")
    quotes: bool = Field(description="Some comment of the thread has quote marks.")
    conversations_open: bool = Field(description="A moderator chose to show this thread's conversations open.")


class ConversationAuthorOut(Schema):
    name: str
    key: str
    count: int


class ConversationOut(Schema):
    """A run of replies alternating between the same two or three authors, shown as one line."""

    id: int
    anchor: int = Field(description="The comment whose replies the run is among.")
    first: int = Field(description="Its first reply: the line is drawn there.")
    count: int
    authors: list[ConversationAuthorOut]
    started: datetime
    ended: datetime
    heat: float = Field(description="Share of its replies moderation found hostile, 0-1.")


class ThreadPageOut(Schema):
    thread: ThreadInfoOut
    sort: Sort
    comments: list[CommentOut]
    cursor: str | None = Field(description="Next page of top-level comments.")
    picks: list[CommentOut] = Field(description="Editors' picks (featured comments), oldest first.")
    conversations: list[ConversationOut]


class RepliesPageOut(Schema):
    comment: int
    replies: list[CommentOut]
    cursor: str | None


# The demo's site and article (`townhall demo`, the README's curl examples): requests built from
# the schema's examples reach real data there.
EXAMPLE_SITE = "demo"
EXAMPLE_URL = "https://news.example/2016/09/signs-of-panic-rebellion-in-caliphate"

# minLength is declared for clients but checked by the services, which name every bad field of
# a post at once (a schema error would stop at the first).
_NOT_EMPTY: dict[str, Any] = {"minLength": 1}
# A page URL: absolute http(s) (the services refuse anything else with a 422 on the field).
_WEB_URL: dict[str, Any] = {"minLength": 1, "format": "uri", "pattern": WEB_URL}


class CommentIn(Schema):
    site: Text = Field(max_length=MAX_SLUG, json_schema_extra=_NOT_EMPTY, examples=[EXAMPLE_SITE])
    url: Text = Field(max_length=MAX_URL, json_schema_extra=_WEB_URL, examples=[EXAMPLE_URL],
                      description="The page's URL; it must be on one of the site's origins.")
    title: Text = Field("", max_length=MAX_TITLE)
    parent: int | None = Field(None, ge=1, le=MAX_ID, strict=True)
    text: Text = Field(max_length=MAX_TEXT, json_schema_extra=_NOT_EMPTY, examples=["Hello, *world*."],
                       description="Markdown; the site's limit is /config's max_text_length.")
    author_name: Text = Field("", max_length=MAX_NAME)
    author_email: Text = Field("", max_length=MAX_EMAIL, description="Private: never shown, used for notifications and avatars.")
    author_website: Text = Field("", max_length=MAX_WEBSITE)
    notify: bool = Field(False, strict=True)
    acknowledge_warning: bool = Field(
        False, strict=True, description="Post anyway after a 422 `toxicity_warning` (the commenter chose not to revise)."
    )


class OutcomeOut(Schema):
    id: int
    status: Literal["published", "pending", "rejected", "deleted"]


class CommentEditIn(Schema):
    text: Text = Field(max_length=MAX_TEXT, json_schema_extra=_NOT_EMPTY)
    acknowledge_warning: bool = Field(False, strict=True)


class CommentWrittenOut(Schema):
    comment: CommentDetailOut | None = Field(description="The comment as readers will see it; null while held.")
    id: int
    status: Literal["published", "pending"]
    edit_token: str | None = Field(
        description="Send as X-Townhall-Edit-Token to PATCH or DELETE within the site's edit window."
    )
    edit_expires: datetime | None
    message: str


class VoteIn(Schema):
    value: Literal[1, -1, 0]


class VoteOut(Schema):
    id: int
    score: int
    upvotes: int
    downvotes: int
    your_vote: int


class ReportIn(Schema):
    reason: ReportReason
    note: Text = Field("", max_length=MAX_NOTE)


class ReportOut(Schema):
    id: int
    received: bool


class DeletedOut(Schema):
    id: int
    status: Literal["deleted"]


class CountsOut(Schema):
    counts: dict[str, int]


class TokenOut(Schema):
    token: str = Field(description="Keep in the browser; send as X-Townhall-Token on writes.")


class ErrorDetail(Schema):
    field: str
    message: str
    code: str


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[ErrorDetail] = []
