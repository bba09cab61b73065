"""The quote check's API: an article's text, from the site's CMS or from the page itself."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from townhall.articles.models import ArticleSource
from townhall.articles.services import ArticleWritten, article_submit
from townhall.comments.origins import origin_may_write
from townhall.comments.schemas import ErrorOut
from townhall.comments.selectors import site_by_slug
from townhall.core.errors import Forbidden
from townhall.core.limits import COMMENT_FIELDS_BYTES, JSON_BYTES_PER_CHAR, body_limit_register
from townhall.core.text import Text
from townhall.core.throttles import WRITE

router = Router(tags=["articles"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}
# An article is far longer than a comment: its own limit, from its own setting.
body_limit_register(
    r"^/api/v1/articles$",
    max_bytes=settings.ARTICLE_MAX_CHARS * JSON_BYTES_PER_CHAR + COMMENT_FIELDS_BYTES,
    what="an article",
)


class ArticleIn(Schema):
    site: Text
    url: Text = Field(description="The page's URL; it must be on one of the site's origins.")
    text: Text = Field(description="The article as plain text, paragraphs separated by blank lines.")
    title: Text = ""


class ArticleOut(Schema):
    url: str = Field(description="The thread's canonical URL.")
    hash: str = Field(description="SHA-256 of the stored text.")
    version: int = Field(description="How many different texts the article has had.")
    source: ArticleSource
    changed: bool = Field(description="False when this text was already the article's.")


def _out(written: ArticleWritten) -> dict[str, object]:
    a = written.article
    return {"url": a.thread.url, "hash": a.hash, "version": a.version, "source": a.source, "changed": written.changed}


@router.put("/articles", response={200: ArticleOut, **ERRORS}, throttle=[WRITE])
def article_put(request: HttpRequest, payload: ArticleIn) -> dict[str, object]:
    """PUT /api/v1/articles — the site's CMS, with `Authorization: Bearer KEY` (the site's
    article key). Sets or replaces a page's article text; every comment of its thread is then
    checked again against it (a task)."""
    site = site_by_slug(payload.site)
    auth = request.headers.get("Authorization", "")
    key = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    return _out(article_submit(site=site, url=payload.url, text=payload.text, title=payload.title,
                               source=ArticleSource.CMS, key=key))


@router.post("/articles", response={200: ArticleOut, 201: ArticleOut, **ERRORS}, throttle=[WRITE])
def article_post(request: HttpRequest, payload: ArticleIn) -> Status[dict[str, object]]:
    """POST /api/v1/articles — the widget on the page (from one of the site's origins), once:
    the text of the page's <article>, where the CMS sends none. 201 stored; 200 the same text
    was already there; 409 the page's article is already known (only the CMS or a moderator
    replaces it)."""
    site = site_by_slug(payload.site)
    if not origin_may_write(request, site):
        raise Forbidden("this page's origin may not write to this site", code="origin_not_allowed")
    written = article_submit(site=site, url=payload.url, text=payload.text, title=payload.title,
                             source=ArticleSource.PAGE)
    return Status(201 if written.changed else 200, _out(written))
