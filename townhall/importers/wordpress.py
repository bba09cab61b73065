"""WordPress' WXR export (Tools → Export), versions 1.0 to 1.2: an RSS 2.0 document whose
<item>s are posts and pages, with the `wp:` namespace http://wordpress.org/export/1.x/.

An item has <title>, <link>, <wp:post_id>, <wp:post_type> and any number of <wp:comment>s, each
with <wp:comment_id>, <wp:comment_parent> (0: top level), <wp:comment_author>, _email, _url,
_IP, <wp:comment_date_gmt> ("YYYY-MM-DD HH:MM:SS", UTC; "0000-00-00 00:00:00" when unknown, then
<wp:comment_date>, the blog's local time, is all there is), <wp:comment_content> (text with
line breaks and some HTML; wpautop adds paragraphs on display), <wp:comment_approved> (1, 0,
spam, trash, post-trashed), <wp:comment_type> (empty or "comment"; "pingback" and "trackback"
are skipped and counted; "note", the block editor's editorial notes, skipped) and
<wp:comment_user_id> (0 for guests). Values come with or without CDATA and with whitespace
around them; both read the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from townhall.importers.base import (
    APPROVED,
    DELETED,
    PENDING,
    SPAM,
    ImportFailed,
    Record,
    Skipped,
    SourceComment,
    SourceThread,
    bounded,
    check_text,
    clear,
    localname,
    parse_date,
    safe_iterparse,
    xml_error,
)
from townhall.importers.htmltext import autop

WP_PREFIX = "http://wordpress.org/export/"
STATES = {"1": APPROVED, "approve": APPROVED, "approved": APPROVED, "0": PENDING, "hold": PENDING,
          "spam": SPAM, "trash": DELETED, "post-trashed": DELETED}
SKIP_TYPES = {"pingback", "trackback", "note"}


def _is_wp(el: Any) -> bool:
    return isinstance(el.tag, str) and etree.QName(el).namespace is not None and str(
        etree.QName(el).namespace
    ).startswith(WP_PREFIX)


def _fields(el: Any) -> dict[str, str]:
    """The element's direct children by local name (last one wins), values stripped."""
    out: dict[str, str] = {}
    for child in el:
        if isinstance(child.tag, str):
            out[localname(child.tag)] = (child.text or "").strip()
    return out


def read(path: Path) -> Iterator[Record]:
    context = safe_iterparse(path, events=("start", "end"))
    depth = 0
    seen_wp = False
    item: dict[str, str] = {}
    item_line = 0
    try:
        for event, el in context:
            if event == "start":
                depth += 1
                if depth == 1 and el.tag != "rss":
                    raise ImportFailed(
                        f"line {el.sourceline}: this is not a WordPress export (WXR): the root "
                        f"element is <{localname(el.tag)}>, not <rss>"
                    )
                if depth == 3 and el.tag == "item":
                    item, item_line = {}, el.sourceline
                continue
            depth -= 1
            if depth == 2 and localname(el.tag) == "wxr_version" and _is_wp(el):
                seen_wp = True
            if depth == 3 and el.tag != "item" and item_line and localname(el.tag) != "comment":
                # title, link, wp:post_id, wp:post_type... of the item being read
                item[localname(el.tag)] = (el.text or "").strip()
            if depth == 3 and localname(el.tag) == "comment" and _is_wp(el):
                seen_wp = True
                record = _comment(el, item, item_line)
                if record is not None:
                    yield record
                clear(el)
            elif depth == 2 and el.tag == "item":
                if item.get("post_id"):
                    yield _thread(item, item_line)
                item_line = 0
                clear(el)
        if not seen_wp:
            raise ImportFailed("this RSS file has no wp:wxr_version and no wp:comment: it is not a WordPress export")
    except etree.XMLSyntaxError as exc:
        raise xml_error(exc, context) from None


def _thread(item: dict[str, str], line: int) -> SourceThread:
    where = f"line {line} (<item> post {item.get('post_id')})"
    return SourceThread(
        key=item["post_id"],
        url=bounded(item.get("link", ""), where, "link"),
        title=bounded(item.get("title", ""), where, "title"),
        extra={"line": line, "post_type": item.get("post_type", "")},
    )


def _comment(el: Any, item: dict[str, str], item_line: int) -> Record | None:
    f = _fields(el)
    cid = f.get("comment_id", "")
    where = f"line {el.sourceline} (wp:comment {cid or '?'})"
    if not cid:
        raise ImportFailed(f"line {el.sourceline}: a wp:comment has no comment_id")
    if not item.get("post_id"):
        raise ImportFailed(f"{where}: the comment's <item> (line {item_line}) has no wp:post_id before it")
    kind = f.get("comment_type", "").lower()
    if kind in SKIP_TYPES:
        return Skipped(kind, where)
    approved = f.get("comment_approved", "1").lower()
    if approved not in STATES:
        raise ImportFailed(f"{where}: comment_approved is {approved[:20]!r} (expected 1, 0, spam or trash)")
    gmt = f.get("comment_date_gmt", "")
    if not gmt or gmt.startswith("0000"):
        gmt = f.get("comment_date", "")  # local time without a zone: the best there is
    parent = f.get("comment_parent", "0")
    user_id = f.get("comment_author_id") or f.get("comment_user_id", "0")
    raw = f.get("comment_content", "")
    check_text(raw, where)
    return SourceComment(
        id=cid,
        thread_key=item["post_id"],
        parent_id=None if parent in ("", "0") else parent,
        created=parse_date(gmt, where),
        text=autop(raw),
        markup="html",
        state=STATES[approved],
        author_id=f"user:{user_id}" if user_id not in ("", "0") else "",
        author_name=bounded(f.get("comment_author", ""), where, "author name"),
        author_email=bounded(f.get("comment_author_email", ""), where, "author email"),
        author_website=bounded(f.get("comment_author_url", ""), where, "author URL"),
        ip=bounded(f.get("comment_author_IP", ""), where, "IP address", 64),
        where=where,
    )
