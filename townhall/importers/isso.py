"""Isso's SQLite database (the file named by `dbpath` in isso.cfg), read-only.

`threads(id, uri, title)`: uri is the page's path (/2016/09/post/), so threads get the site's
address (`--base-url`, default the site's first origin) in front. `comments(tid, id, parent,
created, modified, mode, remote_addr, text, author, email, website, likes, dislikes, voters,
notification)`: created is a Unix time (UTC); mode 1 is accepted, 2 waiting in the moderation
queue, 4 deleted (kept because it has replies); text is Markdown already, as Isso renders it
with misaka, so it is stored as it is. Isso nests one level only (a reply to a reply hangs under
the top-level comment); that is kept as it is. remote_addr is already anonymised by Isso.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from townhall.importers.base import (
    APPROVED,
    DELETED,
    PENDING,
    ImportFailed,
    Record,
    SourceComment,
    SourceThread,
    bounded,
    check_text,
    from_timestamp,
)

MODES = {1: APPROVED, 2: PENDING, 4: DELETED}
THREAD_COLUMNS = {"id", "uri", "title"}
COMMENT_COLUMNS = {"tid", "id", "parent", "created", "mode", "remote_addr", "text", "author", "email",
                   "website", "likes", "dislikes"}


def read(path: Path) -> Iterator[Record]:
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise ImportFailed("this is not an Isso database: not an SQLite file")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise ImportFailed(f"cannot open the Isso database: {exc}") from None
    try:
        yield from _read(db)
    except sqlite3.DatabaseError as exc:
        raise ImportFailed(f"the Isso database is damaged: {exc}") from None
    finally:
        db.close()


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def _read(db: sqlite3.Connection) -> Iterator[Record]:
    for table, needed in (("threads", THREAD_COLUMNS), ("comments", COMMENT_COLUMNS)):
        missing = needed - _columns(db, table)
        if missing:
            raise ImportFailed(
                f"this is not an Isso database: table {table!r} lacks {', '.join(sorted(missing))}"
            )
    for tid, uri, title in db.execute("SELECT id, uri, title FROM threads ORDER BY id"):
        where = f"threads row id={tid}"
        yield SourceThread(key=str(tid), url=bounded(str(uri or ""), where, "uri"),
                           title=bounded(str(title or ""), where, "title"))
    rows = db.execute(
        "SELECT tid, id, parent, created, mode, remote_addr, text, author, email, website, likes, dislikes "
        "FROM comments ORDER BY id"
    )
    for tid, cid, parent, created, mode, addr, text, author, email, website, likes, dislikes in rows:
        where = f"comments row id={cid}"
        if mode not in MODES:
            raise ImportFailed(f"{where}: unknown mode {mode!r} (expected 1, 2 or 4)")
        yield SourceComment(
            id=str(cid),
            thread_key=str(tid),
            parent_id=str(parent) if parent is not None else None,
            created=from_timestamp(created, where),
            text=check_text(str(text or ""), where),
            state=MODES[mode],
            author_name=bounded(str(author or ""), where, "author"),
            author_email=bounded(str(email or ""), where, "email"),
            author_website=bounded(str(website or ""), where, "website"),
            ip=bounded(str(addr or ""), where, "remote_addr", 64),
            upvotes=int(likes or 0),
            downvotes=int(dislikes or 0),
            where=where,
        )
