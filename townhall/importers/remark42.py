"""Remark42's backup (`remark42 backup`, or the daily files in var/backup, gunzipped or not):
JSON lines. The first line is the meta record ({"version": 1, "users": [...], "posts": [...]}),
each following line one comment:

    {"id": "...", "pid": "parent id or empty", "text": "<p>rendered HTML</p>", "orig": "markdown",
     "user": {"name": "...", "id": "provider_hash", "picture": "...", "ip": "hashed", ...},
     "locator": {"site": "remark", "url": "https://..."}, "score": 0, "votes": {...},
     "time": "2018-04-30T01:37:00.123+03:00", "delete": false, "imported": false, "title": "..."}

A comment's page is its locator URL, and its title the page's; `orig` (the Markdown the author
typed) is preferred, else the HTML `text` is converted. Remark42 hashes IPs, so none are kept.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from townhall.importers.base import (
    APPROVED,
    DELETED,
    MAX_TEXT,
    ImportFailed,
    Record,
    SourceComment,
    SourceThread,
    bounded,
    check_text,
    parse_date,
)

MAX_LINE = 4 * MAX_TEXT + 64 * 1024  # a JSON line longer than this can't hold a comment we keep


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def read(path: Path) -> Iterator[Record]:
    threads: set[str] = set()
    with _open(path) as fh:
        try:
            for lineno, raw in enumerate(_lines(fh), start=1):
                if not raw.strip():
                    continue
                where = f"line {lineno}"
                try:
                    data = json.loads(raw)
                except (ValueError, UnicodeDecodeError) as exc:
                    raise ImportFailed(f"{where}: not JSON ({str(exc)[:80]})") from None
                if not isinstance(data, dict):
                    raise ImportFailed(f"{where}: expected a JSON object")
                if lineno == 1:
                    if "version" not in data:
                        raise ImportFailed("line 1: this is not a Remark42 backup (no meta record with a version)")
                    continue
                record = _comment(data, where)
                url = record.thread_key
                if url not in threads:
                    threads.add(url)
                    yield SourceThread(key=url, url=url, title=bounded(str(data.get("title") or ""), where, "title"))
                yield record
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise ImportFailed(f"the file is damaged or truncated: {exc}") from None


def _lines(fh: IO[bytes]) -> Iterator[bytes]:
    lineno = 0
    while True:
        line = fh.readline(MAX_LINE + 1)
        if not line:
            return
        lineno += 1
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            raise ImportFailed(f"line {lineno}: longer than {MAX_LINE:,} bytes: no comment we keep is that long")
        yield line


def _comment(data: dict[str, Any], where: str) -> SourceComment:
    cid = str(data.get("id") or "")
    if not cid:
        raise ImportFailed(f"{where}: a comment without an id")
    where = f"{where} (comment {cid[:40]})"
    locator = data.get("locator") or {}
    url = str(locator.get("url") or "") if isinstance(locator, dict) else ""
    if not url:
        raise ImportFailed(f"{where}: no locator.url")
    user = data.get("user") or {}
    if not isinstance(user, dict):
        raise ImportFailed(f"{where}: user is not an object")
    orig = data.get("orig")
    markdown = isinstance(orig, str) and bool(orig.strip())
    text = str(orig) if markdown else str(data.get("text") or "")
    votes = data.get("votes") or {}
    up = sum(1 for v in votes.values() if v is True) if isinstance(votes, dict) else 0
    down = sum(1 for v in votes.values() if v is False) if isinstance(votes, dict) else 0
    return SourceComment(
        id=cid,
        thread_key=bounded(url, where, "locator.url"),
        parent_id=str(data.get("pid") or "") or None,
        created=parse_date(str(data.get("time") or ""), where),
        text=check_text(text, where),
        markup="markdown" if markdown else "html",
        state=DELETED if data.get("delete") else APPROVED,
        author_id=bounded(str(user.get("id") or ""), where, "user.id", 200),
        author_name=bounded(str(user.get("name") or ""), where, "user.name"),
        upvotes=up,
        downvotes=down,
        where=where,
    )
