"""The no-JavaScript fallback: the same thread as plain server-rendered HTML, for readers
without JavaScript and for search engines. The embed snippet links here inside <noscript>.
Reads go through the same selectors as the JSON API, so both show the same comments."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from townhall.comments import selectors
from townhall.comments.cache import site_cache
from townhall.core.errors import DomainError


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "widget/error.html", {"message": exc.message}, status=exc.status)


def _thread_link(site: str, url: str, **extra: str) -> str:
    return reverse("widget-thread") + "?" + urlencode({"site": site, "url": url, **extra})


def _replies_link(comment_id: int, cursor: str) -> str:
    return reverse("widget-replies", args=[comment_id]) + "?" + urlencode({"cursor": cursor})


def _annotate(comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add the "more replies" link to each comment that has a cursor, all the way down, and
    keep an author's website only if it is an http(s) link (imported data included)."""
    for c in comments:
        c["more_url"] = _replies_link(c["id"], c["replies_cursor"]) if c.get("replies_cursor") else None
        author = c.get("author")
        if author and not str(author.get("website") or "").lower().startswith(("http://", "https://")):
            author["website"] = None
        _annotate(c["replies"])
    return comments


def thread_noscript(request: HttpRequest) -> HttpResponse:
    """GET /embed/thread?site=SLUG&url=URL[&sort=][&cursor=] — anyone. A page of the thread
    as HTML, with links to the next page and to each comment's further replies."""
    slug, url = request.GET.get("site", ""), request.GET.get("url", "")
    sort = request.GET.get("sort", "oldest")
    if sort not in selectors.SORTS:
        sort = "oldest"
    try:
        ref = selectors.thread_ref(site=site_cache.get(slug), url=url)
        page = selectors.thread_page(ref, sort=sort, cursor=request.GET.get("cursor") or None)  # type: ignore[arg-type]
    except DomainError as exc:
        return _error(request, exc)
    next_url = _thread_link(slug, url, sort=sort, cursor=page["cursor"]) if page["cursor"] else None
    context = {
        "site": ref.site,
        "thread": page["thread"],
        "comments": _annotate(page["comments"]),
        "next_url": next_url,
        "first_url": _thread_link(slug, url, sort=sort) if request.GET.get("cursor") else None,
        "sorts": [(s, _thread_link(slug, url, sort=s), s == sort) for s in selectors.SORTS],
    }
    return render(request, "widget/thread.html", context)


def replies_noscript(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET /embed/comments/{id}[?cursor=] — anyone. One comment and a page of its subtree,
    with a link to the next page."""
    try:
        comment = selectors.comment_public(comment_id)
        detail = selectors.comment_detail(comment)
        page = selectors.comment_replies(comment, cursor=request.GET.get("cursor") or None)
    except DomainError as exc:
        return _error(request, exc)
    site = comment.thread.site
    replies = _annotate(page["replies"])
    # The page is the comment's whole subtree: a reply here may answer someone further down the
    # branch, and must say whom (a reader without script cannot see the nesting on other pages).
    elsewhere = {r["parent"] for r in replies if r["parent"] != comment.pk and not r.get("in_reply_to")}
    names = selectors.comment_names(elsewhere) if elsewhere else {}
    for r in replies:
        if r["parent"] in names:
            r["in_reply_to"] = {"id": r["parent"], "name": names[r["parent"]] or "a comment awaiting moderation",
                                "url": f"/embed/comments/{r['parent']}"}
    context = {
        "site": site,
        "thread": {"url": comment.thread.url, "title": comment.thread.title},
        "comment": _annotate([detail])[0],
        "replies": replies,
        "next_url": _replies_link(comment.pk, page["cursor"]) if page["cursor"] else None,
        "thread_url": _thread_link(site.slug, comment.thread.url),
    }
    return render(request, "widget/replies.html", context)
