"""Disqus' XML export (Admin → Community → Export): one <disqus> root in the http://disqus.com
namespace with <category>, <thread dsq:id> and <post dsq:id> children.

A thread has an <id> (the page's disqus_identifier, often empty), a <link> (the page URL) and a
<title>. A post has a <message> (HTML, usually in CDATA), <createdAt> (ISO 8601, UTC with Z),
<isDeleted>, <isSpam>, an <author> (<name>, <email>, <username>, <isAnonymous>; anonymous
authors have no username, often no email), <ipAddress>, <thread dsq:id> and, for a reply,
<parent dsq:id>. Posts refer to threads by their dsq:id; threads are keyed by <id>, or by
<link> when the id is empty, so two Disqus threads of one page become one thread here.
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
    SourceComment,
    SourceThread,
    bounded,
    check_text,
    clear,
    parse_date,
    safe_iterparse,
    text_of,
    xml_error,
)

NS = "http://disqus.com"
DSQ = "http://disqus.com/disqus-internals"
ROOT = f"{{{NS}}}disqus"
THREAD, POST = f"{{{NS}}}thread", f"{{{NS}}}post"
DSQ_ID = f"{{{DSQ}}}id"


def read(path: Path) -> Iterator[Record]:
    _check_root(path)
    # Events for <thread> and <post> only (a post's own <thread dsq:id> reference included),
    # not for each field inside them: the parser does the filtering.
    context = safe_iterparse(path, tags=(THREAD, POST))
    try:
        for _, el in context:
            parent = el.getparent()
            if parent is None or parent.getparent() is not None:  # only the root's children are records
                continue
            if el.tag == THREAD:
                yield _thread(el)
            else:
                yield _post(el)
            clear(el)
    except etree.XMLSyntaxError as exc:
        raise xml_error(exc, context) from None


def _check_root(path: Path) -> None:
    context = safe_iterparse(path, events=("start",))
    try:
        for _, el in context:
            if el.tag != ROOT:
                raise ImportFailed(
                    f"line {el.sourceline}: this is not a Disqus export: the root element is "
                    f"<{etree.QName(el).localname}>, not <disqus xmlns=\"{NS}\">"
                )
            return
    except etree.XMLSyntaxError as exc:
        raise xml_error(exc, context) from None


def _thread(el: Any) -> SourceThread:
    where = f"line {el.sourceline} (<thread dsq:id=\"{el.get(DSQ_ID, '')}\">)"
    dsq_id = el.get(DSQ_ID, "").strip()
    if not dsq_id:
        raise ImportFailed(f"{where}: the thread has no dsq:id")
    link = bounded(text_of(el, "link", NS), where, "link")
    ident = bounded(text_of(el, "id", NS), where, "id")
    return SourceThread(
        key=dsq_id,
        url=link,
        title=bounded(text_of(el, "title", NS), where, "title"),
        extra={"identity": ident or link, "line": el.sourceline},
    )


def _children(el: Any) -> dict[str, Any]:
    """An element's children by tag, the first of each (as `find` would give): one pass over
    them instead of one search per field."""
    out: dict[str, Any] = {}
    for child in el:
        out.setdefault(child.tag, child)
    return out


def _text(kids: dict[str, Any], name: str) -> str:
    child = kids.get(f"{{{NS}}}{name}")
    return (child.text or "").strip() if child is not None else ""


def _post(el: Any) -> SourceComment:
    dsq_id = el.get(DSQ_ID, "").strip()
    where = f"line {el.sourceline} (<post dsq:id=\"{dsq_id}\">)"
    if not dsq_id:
        raise ImportFailed(f"line {el.sourceline}: a <post> has no dsq:id")
    kids = _children(el)
    thread = kids.get(THREAD)
    thread_key = thread.get(DSQ_ID, "").strip() if thread is not None else ""
    if not thread_key:
        raise ImportFailed(f"{where}: the post names no thread")
    parent = kids.get(f"{{{NS}}}parent")
    parent_id = parent.get(DSQ_ID, "").strip() if parent is not None else ""
    author = kids.get(f"{{{NS}}}author")
    name = email = username = ""
    if author is not None:
        who = _children(author)
        name = bounded(_text(who, "name"), where, "author name")
        email = bounded(_text(who, "email"), where, "author email")
        if _text(who, "isAnonymous").lower() != "true":
            username = bounded(_text(who, "username"), where, "author username")
    message = kids.get(f"{{{NS}}}message")
    raw = message.text or "" if message is not None else ""
    check_text(raw, where)
    if _text(kids, "isSpam").lower() == "true":
        state = SPAM
    elif _text(kids, "isDeleted").lower() == "true":
        state = DELETED
    elif _text(kids, "isApproved").lower() == "false":
        state = PENDING
    else:
        state = APPROVED
    return SourceComment(
        id=dsq_id,
        thread_key=thread_key,
        parent_id=parent_id or None,
        created=parse_date(_text(kids, "createdAt"), where),
        text=raw,
        markup="html",
        state=state,
        author_id=username,
        author_name=name,
        author_email=email,
        ip=bounded(_text(kids, "ipAddress"), where, "IP address", 64),
        where=where,
    )
