"""Townhall's own export format, version 1 (`townhall export`), and its reader
(`townhall import townhall FILE`). The schema is in the README ("Moving in and out").

JSON lines (`--format jsonl`, streamed both ways): a meta record first, then each thread
followed by its comments in reading order (parents before replies), then votes (private only):

    {"type": "meta", "format": "townhall-export", "version": 1, "exported": ISO, "private": bool,
     "site": {"slug", "name", "origins": [...]}}
    {"type": "thread", "id", "url", "title", "created", "closed", "premoderate", "version", "comment_count"}
    {"type": "comment", "id", "thread", "parent", "depth", "created", "edited", "status",
     "author_name", "author_website", "author_key", "text", "score", "upvotes", "downvotes",
     "flagged", "featured", "reasons",
     private only: "author_email", "ip", "ip_truncated", "author_token", "moderation"}
    {"type": "vote", "comment", "voter", "ip_hash", "value", "created"}          (private only)

`--format json` is the same records as one document: {"meta": {...}, "threads": [...],
"comments": [...], "votes": [...]} (read whole on import: use jsonl for big sites).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from townhall.comments.models import Comment, Site, Status, Thread, Vote
from townhall.importers.base import (
    APPROVED,
    DELETED,
    PENDING,
    SPAM,
    ImportFailed,
    Record,
    SourceComment,
    SourceThread,
    SourceVote,
    bounded,
    check_text,
    parse_date,
)

FORMAT, VERSION = "townhall-export", 1
STATE_OF = {Status.PUBLISHED: APPROVED, Status.PENDING: PENDING, Status.REJECTED: SPAM, Status.DELETED: DELETED}
PRIVATE = ("author_email", "ip", "ip_truncated", "author_token", "moderation")


# ---------------------------------------------------------------------------- export


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_records(site: Site, *, private: bool) -> Iterator[dict[str, Any]]:
    yield {
        "type": "meta", "format": FORMAT, "version": VERSION, "exported": timezone.now().isoformat(),
        "private": private,
        "site": {"slug": site.slug, "name": site.name, "origins": list(site.origins.values_list("origin", flat=True))},
    }
    for thread in Thread.objects.filter(site=site).order_by("id").iterator(chunk_size=500):
        yield {
            "type": "thread", "id": thread.pk, "url": thread.url, "title": thread.title,
            "created": _iso(thread.created), "closed": thread.closed, "premoderate": thread.premoderate,
            "version": thread.version, "comment_count": thread.comment_count,
        }
        for c in Comment.objects.filter(thread=thread).order_by("path").iterator(chunk_size=1000):
            row: dict[str, Any] = {
                "type": "comment", "id": c.pk, "thread": thread.pk, "parent": c.parent_id, "depth": c.depth,
                "created": _iso(c.created), "edited": _iso(c.edited), "status": str(c.status),
                "author_name": c.author_name, "author_website": c.author_website, "author_key": c.author_key,
                "text": c.text, "score": c.score, "upvotes": c.upvotes, "downvotes": c.downvotes,
                "flagged": c.flagged, "featured": c.featured, "reasons": c.reasons,
            }
            if private:
                row.update(author_email=c.author_email, ip=c.ip, ip_truncated=c.ip_truncated,
                           author_token=c.author_token, moderation=c.moderation)
            yield row
    if private:
        votes = Vote.objects.filter(comment__thread__site=site).order_by("id")
        for v in votes.iterator(chunk_size=1000):
            yield {"type": "vote", "comment": v.comment_id, "voter": v.voter, "ip_hash": v.ip_hash,
                   "value": v.value, "created": _iso(v.created)}


def write_export(site: Site, out: IO[str], *, fmt: str, private: bool) -> int:
    """Write the site's export; returns the number of comments."""
    n = 0
    if fmt == "jsonl":
        for rec in export_records(site, private=private):
            n += rec["type"] == "comment"
            out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        return n
    return write_export_json(site, out, private=private)


def write_export_json(site: Site, out: IO[str], *, private: bool) -> int:
    """`--format json`: three passes over the database (threads, comments, votes), each streamed."""
    records = export_records(site, private=private)
    meta = next(records)
    meta.pop("type")
    out.write('{"meta":' + json.dumps(meta, ensure_ascii=False))
    n = 0
    for section, kind in (("threads", "thread"), ("comments", "comment"), ("votes", "vote")):
        out.write(f',"{section}":[')
        first = True
        for rec in export_records(site, private=private):
            if rec["type"] != kind:
                continue
            n += kind == "comment"
            out.write(("" if first else ",") + json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
            first = False
        out.write("]")
    out.write("}\n")
    return n


# ---------------------------------------------------------------------------- import


def _records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    with path.open("rb") as fh:
        first = fh.readline()
        try:
            meta = json.loads(first)
            is_jsonl = isinstance(meta, dict) and meta.get("type") == "meta"
        except ValueError:
            is_jsonl = False
    if is_jsonl:
        with path.open("rb") as fh:
            for lineno, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    rec = json.loads(raw)
                except ValueError as exc:
                    raise ImportFailed(f"line {lineno}: not JSON ({str(exc)[:80]})") from None
                if not isinstance(rec, dict):
                    raise ImportFailed(f"line {lineno}: expected a JSON object")
                yield f"line {lineno}", rec
        return
    try:
        doc = json.loads(path.read_bytes())
    except ValueError as exc:
        raise ImportFailed(f"not a Townhall export: not JSON or JSON lines ({str(exc)[:80]})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("meta"), dict):
        raise ImportFailed("not a Townhall export: no meta record")
    yield "meta", {**doc["meta"], "type": "meta"}
    for section, kind in (("threads", "thread"), ("comments", "comment"), ("votes", "vote")):
        for i, rec in enumerate(doc.get(section) or []):
            if not isinstance(rec, dict):
                raise ImportFailed(f"{section}[{i}]: expected an object")
            yield f"{section}[{i}]", {**rec, "type": kind}


STATUS_WORDS = {str(s): STATE_OF[s] for s in STATE_OF}


def read(path: Path) -> Iterator[Record]:
    seen_meta = False
    thread_urls: dict[str, str] = {}
    for where, rec in _records(path):
        kind = rec.get("type")
        if not seen_meta:
            if kind != "meta" or rec.get("format") != FORMAT:
                raise ImportFailed(f"{where}: not a Townhall export (the first record is not its meta record)")
            if rec.get("version") != VERSION:
                raise ImportFailed(f"{where}: export format version {rec.get('version')!r}; this Townhall reads {VERSION}")
            seen_meta = True
            continue
        try:
            if kind == "thread":
                key = str(int(rec["id"]))
                thread_urls[key] = str(rec["url"])
                yield SourceThread(
                    key=key, url=bounded(str(rec["url"]), where, "url"), title=bounded(str(rec.get("title") or ""), where, "title"),
                    extra={"id": int(rec["id"]), "created": rec.get("created"), "closed": bool(rec.get("closed")),
                           "premoderate": bool(rec.get("premoderate")), "version": int(rec.get("version") or 0)},
                )
            elif kind == "comment":
                status = str(rec["status"])
                if status not in STATUS_WORDS:
                    raise ImportFailed(f"{where}: unknown status {status!r}")
                created = parse_date(str(rec["created"]), where, naive_is_utc=False)
                edited = rec.get("edited")
                extra: dict[str, Any] = {
                    "id": int(rec["id"]), "author_key": str(rec.get("author_key") or "")[:32],
                    "score": int(rec.get("score") or 0), "flagged": bool(rec.get("flagged")),
                    "featured": bool(rec.get("featured")), "reasons": [str(r) for r in rec.get("reasons") or []],
                    "edited": parse_date(str(edited), where).isoformat() if edited else None,
                }
                if "ip_truncated" in rec:
                    extra["ip_truncated"] = bool(rec["ip_truncated"])
                if rec.get("author_token"):
                    extra["author_token"] = str(rec["author_token"])
                if isinstance(rec.get("moderation"), dict):
                    extra["moderation"] = rec["moderation"]
                yield SourceComment(
                    id=str(int(rec["id"])),
                    thread_key=str(int(rec["thread"])),
                    parent_id=str(int(rec["parent"])) if rec.get("parent") is not None else None,
                    created=created,
                    text=check_text(str(rec["text"]), where),
                    state=STATUS_WORDS[status],
                    author_name=bounded(str(rec.get("author_name") or ""), where, "author_name"),
                    author_website=bounded(str(rec.get("author_website") or ""), where, "author_website"),
                    author_email=bounded(str(rec.get("author_email") or ""), where, "author_email"),
                    ip=bounded(str(rec.get("ip") or ""), where, "ip", 64),
                    upvotes=int(rec.get("upvotes") or 0),
                    downvotes=int(rec.get("downvotes") or 0),
                    where=where,
                    extra=extra,
                )
            elif kind == "vote":
                value = int(rec["value"])
                if value not in (1, -1):
                    raise ImportFailed(f"{where}: a vote's value is {value}, not 1 or -1")
                voter = bounded(str(rec["voter"]), where, "voter", 64)
                if not voter:
                    raise ImportFailed(f"{where}: a vote names no voter")
                yield SourceVote(
                    comment_id=str(int(rec["comment"])), voter=voter,
                    ip_hash=bounded(str(rec.get("ip_hash") or ""), where, "ip_hash", 32), value=value,
                    created=parse_date(str(rec["created"]), where, naive_is_utc=False), where=where,
                )
            else:
                raise ImportFailed(f"{where}: unknown record type {kind!r}")
        except (KeyError, TypeError, ValueError) as exc:
            raise ImportFailed(f"{where}: a {kind or 'record'} with a missing or bad field ({exc})") from None
    if not seen_meta:
        raise ImportFailed("the file is empty")
