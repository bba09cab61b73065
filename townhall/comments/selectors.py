"""Reads: thread pages, reply pages, single comments, counts, site policy.

The work per request depends on the page size, never on the thread's size: top-level comments
come from a keyset range on (thread, depth, id) or (thread, depth, score, id), each page of
replies from a range on (thread, path). Nothing here uses OFFSET or loads a whole thread.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from django.db.models import Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.comments.locator import canonical_url, is_web_url
from townhall.comments.models import (
    PATH_SEGMENT,
    SITE_POLICY_FIELDS,
    SITE_PUBLIC_FIELDS,
    VISIBLE,
    Comment,
    Conversation,
    Site,
    Status,
    Thread,
    site_policy_field,
    subtree_end,
)
from townhall.core.errors import NotFound, ValidationFailed
from townhall.core.limits import MAX_CURSOR, MAX_ID, id_in_range
from townhall.core.tokens import edit_token_owns

# The one sort list: the API's parameter and schema, the no-JS page's links, and (a test checks
# it) the widget's menu.
Sort = Literal["oldest", "newest", "top", "picks"]
SORTS: tuple[Sort, ...] = ("oldest", "newest", "top", "picks")
MAX_LIMIT = 100
MAX_PICKS = 20  # featured comments pinned above a thread

# Only these columns leave the database for a public page: never the email or the address.
PUBLIC_COLUMNS = (
    "id", "thread_id", "parent_id", "depth", "path", "author_name", "author_website", "author_key",
    "author_user_id", "author_verified", "author_staff", "author_avatar", "html", "status", "reply_count",
    "score", "upvotes", "downvotes", "featured", "created", "edited", "quotes", "conversation_id",
)


def thread_locate(*, site: Site, url: str, field: str = "url") -> str:
    """The canonical URL of a page on a site (the thread's key), or a 422 on `field`."""
    origins = [o.origin for o in site.origins.all()]
    return canonical_url(url, origins=origins, identity_params=site.identity_params, field=field)


def thread_is_closed(thread: Thread, now: datetime | None = None) -> bool:
    if thread.closed:
        return True
    days = thread.site.close_after_days
    return bool(days) and thread.created < (now or timezone.now()) - timedelta(days=days)


def site_by_slug(slug: str) -> Site:
    """A site read afresh, with its origins (the write checks and the thread's URL need them)."""
    site = Site.objects.prefetch_related("origins").filter(slug=slug).first()
    if site is None:
        raise NotFound(f"no site {slug!r}", code="site_not_found")
    return site


def site_public_config(site: Site, *, max_text_length: int) -> dict[str, Any]:
    """The site's public policy: every public Site field (SITE_PUBLIC_FIELDS; the schema
    SiteConfigOut lists them with the field's help text), and the text limit the moderation
    policy sets."""
    return {
        "site": site.slug,
        "name": site.name,
        **{name: getattr(site, name) for name in SITE_PUBLIC_FIELDS},
        "max_text_length": max_text_length,
    }


def site_policy_table(site: Site) -> list[tuple[str, str, str]]:
    """The site's policy for people: (label, value, help text) per field, from the model."""
    rows = []
    for name in SITE_POLICY_FIELDS:
        field = site_policy_field(name)
        value = getattr(site, name)
        if isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif isinstance(value, list):
            shown = ", ".join(map(str, value)) or _("(none)")
        else:
            shown = str(value) if value != "" else _("(none)")
        rows.append((str(field.verbose_name).capitalize(), shown, str(field.help_text)))
    return rows


# ---------------------------------------------------------------------------- cursors

def _encode_cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, *, keys: set[str]) -> dict[str, Any]:
    """A cursor this server issued, or a 422 on `cursor`. Anything else a client can put in
    base64 is refused here: Infinity and NaN, numbers past 64 bits, nesting deep enough to
    exhaust the parser's recursion."""
    bad = ValidationFailed.one("cursor", "is not a cursor this server issued")
    if len(cursor) > MAX_CURSOR:
        raise bad
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)), parse_constant=_no_constant)
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise bad from None
    if not isinstance(data, dict) or set(data) != keys:
        raise bad
    for value in data.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, float) or (isinstance(item, int) and not -MAX_ID <= item <= MAX_ID):
                raise bad
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(name)


# ---------------------------------------------------------------------------- thread pages

@dataclass(frozen=True)
class ThreadRef:
    site: Site
    url: str
    thread: Thread | None

    @property
    def version(self) -> int:
        return self.thread.version if self.thread else 0


def thread_ref(*, site: Site, url: str) -> ThreadRef:
    """Locate a thread; a page nobody has commented on yet is an empty thread, not an error."""
    canonical = thread_locate(site=site, url=url)
    thread = Thread.objects.filter(site=site, url=canonical).first()
    if thread is not None:
        thread.site = site
    return ThreadRef(site=site, url=canonical, thread=thread)


def _top_level(thread: Thread, sort: Sort, cursor: str | None, limit: int) -> tuple[list[Comment], str | None]:
    qs = Comment.objects.filter(thread=thread, depth=0).filter(VISIBLE).only(*PUBLIC_COLUMNS)
    if sort == "oldest":
        qs = qs.order_by("id")
    elif sort == "newest":
        qs = qs.order_by("-id")
    elif sort == "picks":
        qs = qs.order_by("-featured", "id")
    else:
        qs = qs.order_by("-score", "-id")
    if cursor:
        key = _decode_cursor(cursor, keys={"s", "k"})
        if key["s"] != sort:
            raise ValidationFailed.one("cursor", "belongs to another sort order")
        try:
            if sort == "oldest":
                qs = qs.filter(id__gt=int(key["k"]))
            elif sort == "newest":
                qs = qs.filter(id__lt=int(key["k"]))
            elif sort == "picks":
                featured, last_id = bool(key["k"][0]), int(key["k"][1])
                qs = qs.filter(Q(featured=False) | Q(id__gt=last_id)) if featured else qs.filter(featured=False, id__gt=last_id)
            else:
                score, last_id = int(key["k"][0]), int(key["k"][1])
                qs = qs.filter(Q(score__lt=score) | Q(score=score, id__lt=last_id))
        except (TypeError, ValueError, IndexError, KeyError):
            raise ValidationFailed.one("cursor", "is not a cursor this server issued") from None
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        keys: dict[str, Any] = {"top": [last.score, last.pk], "picks": [int(last.featured), last.pk]}
        next_cursor = _encode_cursor({"s": sort, "k": keys.get(sort, last.pk)})
    return rows, next_cursor


def _replies_range(root: Comment, after_path: str | None, limit: int) -> tuple[list[Comment], str | None]:
    qs: QuerySet[Comment] = (
        Comment.objects.filter(thread_id=root.thread_id, path__gt=after_path or root.path, path__lt=subtree_end(root.path))
        .filter(VISIBLE)
        .only(*PUBLIC_COLUMNS)
        .order_by("path")
    )
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode_cursor({"r": root.pk, "p": rows[-1].path})
    return rows, next_cursor


def public_status(c: Comment) -> str:
    """What a reader sees of a visible comment: "published", or a placeholder kept for its
    replies: "deleted", or "held" (awaiting moderation; a rejected one reads the same)."""
    if c.status == Status.PUBLISHED:
        return "published"
    return "deleted" if c.status == Status.DELETED else "held"


def _name(c: Comment) -> str:
    """The name a reply may show in "in reply to": none for a placeholder."""
    return c.author_name if c.status == Status.PUBLISHED else ""


def comment_names(ids: set[int]) -> dict[int, str]:
    """The names "in reply to" may show for these comments (none for a placeholder)."""
    rows = Comment.objects.filter(pk__in=ids).only("id", "author_name", "status")
    return {c.pk: _name(c) for c in rows}


def _badges(c: Comment) -> list[str]:
    return (
        (["verified"] if c.author_verified else [])
        + (["staff"] if c.author_user_id or c.author_staff else [])
        + (["featured"] if c.featured else [])
    )


def _serialise(c: Comment, *, display_depth: int, names: dict[int, str]) -> dict[str, Any]:
    status = public_status(c)
    deleted = status != "published"  # a placeholder: no author, no text
    flat = c.depth >= display_depth
    return {
        "id": c.pk,
        "parent": c.parent_id,
        "depth": c.depth,
        "level": min(c.depth, display_depth - 1),
        "author": None if deleted else {
            "name": c.author_name,
            "website": c.author_website if c.author_website and is_web_url(c.author_website) else None,
            "key": c.author_key,
            "avatar": f"/api/v1/avatars/{c.author_avatar}" if c.author_avatar else None,
        },
        "badges": [] if deleted else _badges(c),
        "html": "" if deleted else c.html,
        "status": status,
        "created": c.created,
        "edited": None if deleted else c.edited,
        "score": c.score,
        "upvotes": c.upvotes,
        "downvotes": c.downvotes,
        "reply_count": c.reply_count,
        "in_reply_to": (
            {"id": c.parent_id, "name": names.get(c.parent_id, "") or "anonymous"} if flat and c.parent_id else None
        ),
        "replies": [],
        "replies_cursor": None,
        "quotes": [] if deleted else list(c.quotes or []),
        "conversation": c.conversation_id,
    }


def _ancestor_ids(c: Comment) -> list[int]:
    return [int(c.path[i : i + PATH_SEGMENT]) for i in range(0, len(c.path) - PATH_SEGMENT, PATH_SEGMENT)]


def _nest(rows: list[Comment], *, display_depth: int, known_names: dict[int, str]) -> list[dict[str, Any]]:
    """Nest a reading-ordered list of comments. Each goes under its parent up to the display
    depth; deeper ones go, flat, under their ancestor at the deepest displayed level, with
    "in reply to NAME". A comment whose displayed ancestor is not in this list is a root here."""
    names = dict(known_names)
    names.update({c.pk: _name(c) for c in rows})
    missing = {c.parent_id for c in rows if c.depth >= display_depth and c.parent_id and c.parent_id not in names}
    if missing:
        names.update({pk: "" for pk in missing})  # a placeholder's author stays unnamed
        names.update(
            Comment.objects.filter(pk__in=missing, status=Status.PUBLISHED).values_list("id", "author_name")
        )
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for c in rows:
        node = _serialise(c, display_depth=display_depth, names=names)
        nodes[c.pk] = node
        ancestors = _ancestor_ids(c)
        # The container is the ancestor at level display_depth - 2 for a flattened comment.
        if c.depth >= display_depth:
            ancestors = ancestors[: max(display_depth - 1, 0)]
        host = next((nodes[a] for a in reversed(ancestors) if a in nodes), None)
        (host["replies"] if host else roots).append(node)
    return roots


def conversation_summary(conv: Conversation) -> dict[str, Any]:
    return {
        "id": conv.pk, "anchor": conv.anchor_id, "first": conv.first_id, "count": conv.count,
        "authors": conv.authors, "started": conv.started, "ended": conv.ended, "heat": round(conv.heat, 2),
    }


def thread_conversations(thread: Thread) -> list[dict[str, Any]]:
    """The thread's collapsed dialogues (a handful: one index range on (thread, first_id))."""
    return [conversation_summary(c) for c in Conversation.objects.filter(thread=thread).order_by("first_id")]


def thread_page(
    ref: ThreadRef, *, sort: Sort | None = None, limit: int | None = None, cursor: str | None = None
) -> dict[str, Any]:
    """A page of top-level comments with their first replies, and the thread's picks and
    conversations. `sort` None: the site's default order."""
    site = ref.site
    sort = sort or cast(Sort, site.default_sort)
    limit = min(limit or site.page_size, MAX_LIMIT)
    thread = ref.thread
    page: dict[str, Any] = {
        "thread": {
            "url": ref.url,
            "title": thread.title if thread else "",
            "count": thread.comment_count if thread else 0,
            "closed": thread_is_closed(thread) if thread else False,
            "version": ref.version,
            "article": bool(thread and thread.article_hash),
            "quotes": bool(thread and thread.has_quotes),
            "conversations_open": bool(thread and thread.conversations_open),
        },
        "sort": sort,
        "comments": [],
        "cursor": None,
        "picks": [],
        "conversations": [],
    }
    if thread is None:
        return page
    # On every page, not only the first, so that every page costs the same.
    page["conversations"] = thread_conversations(thread)
    roots, page["cursor"] = _top_level(thread, sort, cursor, limit)
    first, picks = _first_replies_and_picks(thread, [r for r in roots if r.reply_count], site.replies_per_page)
    page["picks"] = [_serialise(c, display_depth=site.display_depth, names={}) for c in picks]
    for root in roots:
        node = _serialise(root, display_depth=site.display_depth, names={})
        replies = first.get(root.pk, [])
        if len(replies) > site.replies_per_page:
            replies = replies[: site.replies_per_page]
            node["replies_cursor"] = _encode_cursor({"r": root.pk, "p": replies[-1].path})
        # A reply's parent comes before it in path order and is visible (it has a visible
        # reply), so every name "in reply to" needs is in this list: no query per root.
        node["replies"] = _nest(replies, display_depth=site.display_depth, known_names={root.pk: _name(root)})
        page["comments"].append(node)
    return page


def _first_replies_and_picks(
    thread: Thread, roots: list[Comment], per_root: int
) -> tuple[dict[int, list[Comment]], list[Comment]]:
    """The first `per_root + 1` visible replies of each root in reading order (the extra one
    says whether there are more), and the thread's editors' picks (oldest first, without their
    replies), in one query whatever the page size: one index range on (thread, path) per branch,
    each with its own LIMIT, and one on the picks index, joined by UNION ALL. (A window function
    numbering each branch's replies would read every reply of a branch to keep ten.)"""
    parts: list[str] = []
    params: list[Any] = []
    branches = [
        (root.pk, Comment.objects.filter(thread_id=thread.pk, path__gt=root.path, path__lt=subtree_end(root.path))
         .filter(VISIBLE).order_by("path"), per_root + 1)
        for root in roots
    ]
    branches.append(
        (0, Comment.objects.filter(thread_id=thread.pk, featured=True, status=Status.PUBLISHED).order_by("id"), MAX_PICKS)
    )
    for i, (part, qs, limit) in enumerate(branches):
        sql, branch_params = qs.only(*PUBLIC_COLUMNS).annotate(part=Value(part))[:limit].query.sql_with_params()
        # Each branch is a subquery of its own: SQLite allows LIMIT only on the whole compound.
        parts.append(f"SELECT * FROM ({sql}) AS b{i}")  # noqa: S608 (SQL Django compiled, values as params)
        params.extend(branch_params)
    found: dict[int, list[Comment]] = {}
    for c in Comment.objects.raw(" UNION ALL ".join(parts), params):
        found.setdefault(int(c.part), []).append(c)  # type: ignore[attr-defined]
    picks = sorted(found.pop(0, []), key=lambda c: c.pk)
    for replies in found.values():
        replies.sort(key=lambda c: c.path)
    return found, picks


def comment_public(comment_id: int) -> Comment:
    if not id_in_range(comment_id):
        raise NotFound("no such comment", code="comment_not_found")
    try:
        return Comment.objects.select_related("thread__site").filter(VISIBLE).get(pk=comment_id)
    except Comment.DoesNotExist:
        raise NotFound("no such comment", code="comment_not_found") from None


def comment_outcome(*, comment_id: int, edit_token: str | None, reader: str | None) -> dict[str, Any]:
    """How moderation went for the author's own comment: only its author may ask."""
    if not id_in_range(comment_id):
        raise NotFound("no such comment of yours", code="comment_not_found")
    comment = Comment.objects.filter(pk=comment_id).only("id", "status", "author_token").first()
    owns = comment is not None and (
        edit_token_owns(edit_token, comment_id=comment_id) or bool(reader and reader == comment.author_token)
    )
    if comment is None or not owns:
        raise NotFound("no such comment of yours", code="comment_not_found")
    return {"id": comment.pk, "status": str(comment.status)}


def comment_detail(comment: Comment) -> dict[str, Any]:
    site = comment.thread.site
    names: dict[int, str] = {}
    if comment.parent_id and Comment.parent.is_cached(comment) and comment.parent is not None:
        names = {comment.parent.pk: _name(comment.parent)}  # the write step already read it
    elif comment.parent_id:
        names = dict(
            Comment.objects.filter(pk=comment.parent_id, status=Status.PUBLISHED).values_list("id", "author_name")
        )
    node = _serialise(comment, display_depth=site.display_depth, names=names)
    node["thread_url"] = comment.thread.url
    node["ancestors"] = _ancestor_ids(comment)
    return node


def comment_replies(comment: Comment, *, cursor: str | None = None, limit: int | None = None) -> dict[str, Any]:
    """The next page of a comment's whole subtree in reading order, nested where parents are in
    the page; others carry `parent` so the widget can place them under what it already shows."""
    site = comment.thread.site
    after = None
    if cursor:
        key = _decode_cursor(cursor, keys={"r", "p"})
        path = key["p"]
        if key["r"] != comment.pk or not isinstance(path, str) or not path.startswith(comment.path) or not path.isdigit():
            raise ValidationFailed.one("cursor", "belongs to another comment")
        after = path
    rows, next_cursor = _replies_range(comment, after, min(limit or site.replies_per_page, MAX_LIMIT))
    known = {comment.pk: _name(comment)}
    return {
        "comment": comment.pk,
        "replies": _nest(rows, display_depth=site.display_depth, known_names=known),
        "cursor": next_cursor,
    }


def thread_counts(*, site: Site, urls: list[str]) -> dict[str, int]:
    """Counts for up to 100 URLs in one indexed query on (site, url)."""
    origins = [o.origin for o in site.origins.all()]
    canonical: dict[str, str] = {}
    for i, raw in enumerate(urls):
        canonical[raw] = canonical_url(raw, origins=origins, identity_params=site.identity_params, field=f"url[{i}]")
    found = dict(Thread.objects.filter(site=site, url__in=set(canonical.values())).values_list("url", "comment_count"))
    return {raw: found.get(c, 0) for raw, c in canonical.items()}
