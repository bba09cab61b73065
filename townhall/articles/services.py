"""Writes for the quote check: an article's text (once per version), and each comment's quote
marks, computed when the comment is written or its article changes, never per page view."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from townhall.articles import quotes as q
from townhall.articles.models import Article, ArticleSource
from townhall.comments.models import Comment, QuoteKind, Site, Status, Thread
from townhall.comments.selectors import thread_locate
from townhall.comments.services import _thread_get_or_create
from townhall.core.errors import Conflict, Forbidden, ValidationFailed

# Earlier comments a quote is compared with when it is not in the article ("quoting X above"):
# the thread's latest ones, so the work per comment is bounded.
EARLIER_COMMENTS = 200


def article_key_valid(site: Site, key: str) -> bool:
    return bool(site.article_key) and hmac.compare_digest(site.article_key.encode(), key.encode())


def article_clean(text: str) -> str:
    """Plain text: lines trimmed, runs of blank lines made one; at most ARTICLE_MAX_CHARS."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not cleaned:
        raise ValidationFailed.one("text", "is required", "required")
    if len(cleaned) > settings.ARTICLE_MAX_CHARS:
        raise ValidationFailed.one("text", f"is longer than {settings.ARTICLE_MAX_CHARS} characters", "too_long")
    return cleaned


@dataclass
class ArticleWritten:
    article: Article
    changed: bool  # False: the same text was already there


def article_submit(*, site: Site, url: str, text: str, source: ArticleSource, title: str = "",
                   key: str | None = None) -> ArticleWritten:
    """Store a page's article text. The CMS (`source=cms` with the site's key) and moderators
    may replace it; a page may only give the first one, so an article set once stays what its
    site says. The same text again changes nothing. Side effect: every comment of the thread is
    checked again against the new text (a task)."""
    if source == ArticleSource.CMS and not article_key_valid(site, key or ""):
        raise Forbidden("a valid article key is required (townhall site article-key SLUG)", code="bad_article_key")
    cleaned = article_clean(text)
    canonical = thread_locate(site=site, url=url)
    digest = hashlib.sha256(cleaned.encode()).hexdigest()
    with transaction.atomic():
        thread = _thread_get_or_create(site=site, url=canonical, title=title[:300])
        article = Article.objects.select_for_update().filter(thread=thread).first()
        if article is not None and article.hash == digest:
            return ArticleWritten(article, changed=False)
        if article is not None and source == ArticleSource.PAGE:
            raise Conflict("this page's article is already known; only its site or a moderator can replace it",
                           code="article_exists")
        now = timezone.now()
        if article is None:
            article = Article.objects.create(thread=thread, text=cleaned, hash=digest, source=source, updated=now)
        else:
            article.text, article.hash, article.source, article.updated = cleaned, digest, source, now
            article.version += 1
            article.save()
        Thread.objects.filter(pk=thread.pk).update(article_hash=digest, version=F("version") + 1)
        from townhall.articles.tasks import thread_quotes_refresh  # tasks import this module

        thread_quotes_refresh.enqueue(thread.pk)
    return ArticleWritten(article, changed=True)


def _mark(kind: QuoteKind, quote: str, *, score: int = 0, passage: str = "", comment: Comment | None = None) -> dict[str, Any]:
    return {
        "kind": str(kind), "quote": q.shorten(quote), "passage": passage, "score": score,
        "comment": comment.pk if comment else None, "author": (comment.author_name or "anonymous") if comment else "",
    }


class Prepared:
    """What a thread's quotes are compared with, reduced once per batch of comments."""

    def __init__(self, thread: Thread, article: Article | None) -> None:
        self.thread = thread
        self.text = article.text if article else ""
        self.article = q.reduce(self.text) if article else None
        self._earlier: dict[int, q.Reduced] = {}

    def earlier(self, comment: Comment) -> list[tuple[Comment, q.Reduced]]:
        rows = (
            Comment.objects.filter(thread_id=comment.thread_id, status=Status.PUBLISHED, pk__lt=comment.pk)
            .exclude(author_key=comment.author_key)  # quoting oneself is a repeat, not a citation
            .only("id", "text", "author_name").order_by("-id")[:EARLIER_COMMENTS]
        )
        out = []
        for c in rows:
            if c.pk not in self._earlier:
                self._earlier[c.pk] = q.reduce(c.text)
            out.append((c, self._earlier[c.pk]))
        return out


def quote_marks(comment: Comment, prepared: Prepared) -> list[dict[str, Any]]:
    """One mark per passage the comment quotes: found in the article (with the article's own
    words), quoting an earlier comment, or not in this article. Without an article text, a
    quote of nothing earlier gets no mark: unknown is not "missing"."""
    marks = []
    for quote in q.extract_quotes(comment.text):
        needle = q.reduce(quote)
        if prepared.article is not None:
            found = q.find(needle, prepared.article)
            if found is not None:
                marks.append(_mark(QuoteKind.ARTICLE, quote, score=found.score,
                                   passage=prepared.text[found.start : found.end]))
                continue
        best: tuple[int, Comment] | None = None
        for other, reduced in prepared.earlier(comment):
            match = q.find(needle, reduced)
            if match is not None and (best is None or match.score > best[0]):
                best = (match.score, other)
                if match.score == 100:
                    break
        if best is not None:
            marks.append(_mark(QuoteKind.COMMENT, quote, score=best[0], comment=best[1]))
        elif prepared.article is not None:
            marks.append(_mark(QuoteKind.MISSING, quote))
    return marks


def comment_quotes_mark(*, comment: Comment, prepared: Prepared | None = None) -> list[dict[str, Any]]:
    """Compute and store a comment's quote marks; bumps the thread's version when they changed."""
    if prepared is None:
        thread = Thread.objects.get(pk=comment.thread_id)
        prepared = Prepared(thread, Article.objects.filter(thread=thread).first())
    marks = quote_marks(comment, prepared)
    if marks != (comment.quotes or []):
        with transaction.atomic():
            Comment.objects.filter(pk=comment.pk).update(quotes=marks)
            flags: dict[str, Any] = {"has_quotes": True} if marks else {}
            Thread.objects.filter(pk=comment.thread_id).update(version=F("version") + 1, **flags)
        comment.quotes = marks
    return marks


def thread_quotes_mark(*, thread: Thread) -> int:
    """Every comment of a thread checked again (the article changed, or comments were imported):
    how many comments have marks now. Only comments that quote something are read in full."""
    prepared = Prepared(thread, Article.objects.filter(thread=thread).first())
    changed = 0
    marked = 0
    rows = Comment.objects.filter(thread=thread).exclude(status=Status.DELETED)
    for comment in rows.only("id", "thread_id", "text", "author_key", "quotes").order_by("id").iterator(chunk_size=500):
        marks = quote_marks(comment, prepared)
        marked += bool(marks)
        if marks != (comment.quotes or []):
            Comment.objects.filter(pk=comment.pk).update(quotes=marks)
            changed += 1
    if changed:
        Thread.objects.filter(pk=thread.pk).update(version=F("version") + 1, has_quotes=marked > 0)
    return marked
