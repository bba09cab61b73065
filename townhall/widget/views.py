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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

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


HEAT_LEVELS = (0.15, 0.4)  # as in extras.js: share of hostile replies at which the mark warms


def conversation_line(conv: dict[str, Any]) -> dict[str, Any]:
    """The one line a collapsed conversation reads as, and its heat mark, in words."""
    names = [a["name"] for a in conv["authors"]]
    who = names[0] if len(names) < 2 else _("%(a)s and %(b)s") % {"a": ", ".join(names[:-1]), "b": names[-1]}
    seconds = (conv["ended"] - conv["started"]).total_seconds()
    days, hours, minutes = round(seconds / 86400), round(seconds / 3600), max(1, round(seconds / 60))
    if days >= 1:
        span = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    elif hours >= 1:
        span = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    else:
        span = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    line = ngettext("%(names)s, %(n)d reply over %(span)s", "%(names)s, %(n)d replies over %(span)s",
                    conv["count"]) % {"names": who, "n": conv["count"], "span": span}
    level = 2 if conv["heat"] >= HEAT_LEVELS[1] else 1 if conv["heat"] >= HEAT_LEVELS[0] else 0
    heat = [_("Calm"), _("Heated"), _("Very heated")][level]
    return {**conv, "line": line, "heat_level": level, "heat_text": heat}


def _group(replies: list[dict[str, Any]], conversations: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """A list of replies as items to draw: a comment, or the consecutive members of one
    conversation as one {"conversation", "members"} item (a <details> on the page)."""
    items: list[dict[str, Any]] = []
    for r in replies:
        conv = conversations.get(r.get("conversation") or 0)
        if conv is None:
            items.append({"comment": r})
        elif items and items[-1].get("conversation") is conv:
            items[-1]["members"].append(r)
        else:
            items.append({"conversation": conv, "members": [r]})
    for item in items:
        for m in item.get("members", []):
            index = next((i for i, a in enumerate(item["conversation"]["authors"])
                          if m.get("author") and a["key"] == m["author"]["key"]), 2)
            m["side"] = "abc"[min(index, 2)]
    return items


def _annotate(
    comments: list[dict[str, Any]], conversations: dict[int, dict[str, Any]], **extra: str
) -> list[dict[str, Any]]:
    """Add the "more replies" link to each comment that has a cursor, all the way down, keep an
    author's website only if it is an http(s) link (imported data included), and group each
    comment's replies into conversations."""
    for c in comments:
        c["more_url"] = _replies_link(c["id"], c["replies_cursor"], **extra) if c.get("replies_cursor") else None
        author = c.get("author")
        if author and not str(author.get("website") or "").lower().startswith(("http://", "https://")):
            author["website"] = None
        _annotate(c["replies"], conversations, **extra)
        c["items"] = _group(c["replies"], conversations)
    return comments


def thread_noscript(request: HttpRequest) -> HttpResponse:
    """GET /embed/thread?site=SLUG&url=URL[&sort=][&cursor=] — anyone. A page of the thread
    as HTML, with links to the next page and to each comment's further replies."""
    slug, url = request.GET.get("site", ""), request.GET.get("url", "")
    asked = request.GET.get("sort", "")
    try:
        ref = selectors.thread_ref(site=site_cache.get(slug), url=url)
        page = selectors.thread_page(ref, sort=asked if asked in selectors.SORTS else None,  # type: ignore[arg-type]
                                     cursor=request.GET.get("cursor") or None)
    except DomainError as exc:
        return _error(request, exc)
    keep = _keep(request)
    sort = page["sort"]
    conversations = {c["id"]: conversation_line(c) for c in page["conversations"]}
    next_url = _thread_link(slug, url, sort=sort, cursor=page["cursor"], **keep) if page["cursor"] else None
    context = {
        "site": ref.site,
        "thread": page["thread"],
        "picks": _annotate(page["picks"], {}, **keep),
        "conversations_open": page["thread"]["conversations_open"],
        "comments": _annotate(page["comments"], conversations, **keep),
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
    conversations = {c["id"]: conversation_line(c) for c in selectors.thread_conversations(comment.thread)}
    replies = _annotate(page["replies"], conversations, **keep)
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
        "comment": _annotate([detail], conversations, **keep)[0],
        "replies": replies,
        "items": _group(replies, conversations),
        "conversations_open": comment.thread.conversations_open,
        "next_url": _replies_link(comment.pk, page["cursor"], **keep) if page["cursor"] else None,
        "thread_url": _thread_link(site.slug, comment.thread.url, **keep),
    }
    return _render(request, site, "widget/replies.html", context)
