"""The no-JavaScript fallback: the same thread as plain server-rendered HTML, for readers
without JavaScript and for search engines. The embed snippet links here inside <noscript>.
Reads go through the same selectors as the JSON API, so both show the same comments."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy, pgettext_lazy

from townhall.comments import selectors
from townhall.comments.cache import site_cache
from townhall.core.errors import DomainError
from townhall.core.i18n import reader_language

# Rendered inside the page's language (see _render), hence lazy.
SORT_LABELS = {"oldest": pgettext_lazy("sort", "oldest"), "newest": pgettext_lazy("sort", "newest"),
               "top": pgettext_lazy("sort", "top")}
HELD_PARENT = gettext_lazy("a comment awaiting moderation")


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    with translation.override(reader_language(requested=request.GET.get("lang"), site_language=None)):
        return render(request, "widget/error.html", {"message": exc.message}, status=exc.status)


def _render(request: HttpRequest, site: Any, template: str, context: dict[str, Any]) -> HttpResponse:
    """The page in the language the embedding page asked for (?lang=, as its noscript link may
    carry it), else in the site's."""
    with translation.override(reader_language(requested=request.GET.get("lang"), site_language=site.language)):
        return render(request, template, context)


def _thread_link(site: str, url: str, **extra: str) -> str:
    return reverse("widget-thread") + "?" + urlencode({"site": site, "url": url, **extra})


def _replies_link(comment_id: int, cursor: str, **extra: str) -> str:
    return reverse("widget-replies", args=[comment_id]) + "?" + urlencode({"cursor": cursor, **extra})


def _keep(request: HttpRequest) -> dict[str, str]:
    """What every link of the no-JS pages carries on: the language the page asked for."""
    lang = request.GET.get("lang", "")
    return {"lang": lang} if lang else {}


def _annotate(comments: list[dict[str, Any]], **extra: str) -> list[dict[str, Any]]:
    """Add the "more replies" link to each comment that has a cursor, all the way down, and
    keep an author's website only if it is an http(s) link (imported data included)."""
    for c in comments:
        c["more_url"] = _replies_link(c["id"], c["replies_cursor"], **extra) if c.get("replies_cursor") else None
        author = c.get("author")
        if author and not str(author.get("website") or "").lower().startswith(("http://", "https://")):
            author["website"] = None
        _annotate(c["replies"], **extra)
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
    keep = _keep(request)
    next_url = _thread_link(slug, url, sort=sort, cursor=page["cursor"], **keep) if page["cursor"] else None
    context = {
        "site": ref.site,
        "thread": page["thread"],
        "comments": _annotate(page["comments"], **keep),
        "next_url": next_url,
        "first_url": _thread_link(slug, url, sort=sort, **keep) if request.GET.get("cursor") else None,
        "sorts": [(SORT_LABELS.get(s, s), _thread_link(slug, url, sort=s, **keep), s == sort) for s in selectors.SORTS],
    }
    return _render(request, ref.site, "widget/thread.html", context)


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
    keep = _keep(request)
    replies = _annotate(page["replies"], **keep)
    # The page is the comment's whole subtree: a reply here may answer someone further down the
    # branch, and must say whom (a reader without script cannot see the nesting on other pages).
    elsewhere = {r["parent"] for r in replies if r["parent"] != comment.pk and not r.get("in_reply_to")}
    names = selectors.comment_names(elsewhere) if elsewhere else {}
    for r in replies:
        if r["parent"] in names:
            r["in_reply_to"] = {"id": r["parent"], "name": names[r["parent"]] or HELD_PARENT,
                                "url": f"/embed/comments/{r['parent']}"}
    context = {
        "site": site,
        "thread": {"url": comment.thread.url, "title": comment.thread.title},
        "comment": _annotate([detail], **keep)[0],
        "replies": replies,
        "next_url": _replies_link(comment.pk, page["cursor"], **keep) if page["cursor"] else None,
        "thread_url": _thread_link(site.slug, comment.thread.url, **keep),
    }
    return _render(request, site, "widget/replies.html", context)
