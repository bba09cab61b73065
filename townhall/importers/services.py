"""The import's write path: validate the whole file, then write it a batch of threads at a time.

1. **Stage** (first pass, nothing written to the site's database): the reader streams records
   into a scratch SQLite file in a temporary directory. Every record is checked as it passes
   (dates, sizes, states), source ids must be unique (the scratch table's primary key says
   which line repeats which), and only the current record is in memory. HTML becomes Markdown
   and is rendered on the way (convert.py: in worker processes for big files).
2. **Plan**: each source thread's URL goes through `--map-url` and the site's canonicalisation;
   threads outside the site's origins are skipped and reported; source threads that land on one
   page (http and https, tracking parameters, one Disqus identifier) become one thread.
3. **Write**: whole threads in transactions of about BATCH_COMMENTS comments: their comments come
   out of the scratch file (one batch in memory at a time), parents are resolved (a reply that
   comes before its parent in the file is placed under it all the same; a missing parent is
   reported and the reply kept at the top level), then the comments are inserted with plain
   multi-row inserts, ids handed out first so paths and counters are computed here rather than
   per comment; the near-duplicate index gets the word triples of comments inside the site's
   duplicate window, and one background task per batch is enqueued for the older ones
   (tasks.py); the source ids go into `ImportedComment`. A re-run skips ids already there, so
   running a file twice adds nothing and a crashed run resumes at the first batch that did not
   commit. Then the vote rows of a Townhall export.

With `moderate=True` each comment whose source state is "approved" instead goes through the
site's moderation pipeline in one time order across the whole file (as `townhall moderation
replay` does: flame wars and slow mode are recorded, not enforced) and is held when the
pipeline would hold it.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import ipaddress
import json
import operator
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from townhall.comments.locator import canonical_url
from townhall.comments.models import MAX_DEPTH, VISIBLE, Comment, Site, Status, Thread, Vote, path_segment
from townhall.core.errors import ValidationFailed
from townhall.core.net import truncate_ip
from townhall.identity.speakers import imported_author_key
from townhall.importers import fastmd
from townhall.importers.base import (
    APPROVED,
    DELETED,
    PENDING,
    SPAM,
    STATES,
    ImportFailed,
    Progress,
    Record,
    SourceComment,
    SourceThread,
    SourceVote,
)
from townhall.importers.bulk import bulk_writing, insert_shingles, shingle_rows
from townhall.importers.convert import converted
from townhall.importers.models import ImportedComment, ImportRun
from townhall.importers.tasks import index_imported
from townhall.moderation import flamewar, pipeline
from townhall.moderation.models import Policy

SOURCES = ("disqus", "wordpress", "isso", "remark42", "townhall")
Reader = Callable[[Path], Iterator[Record]]


def reader_for(source: str) -> Reader:
    from townhall.importers import disqus, isso, remark42, townhall_format, wordpress

    readers: dict[str, Reader] = {
        "disqus": disqus.read,
        "wordpress": wordpress.read,
        "isso": isso.read,
        "remark42": remark42.read,
        "townhall": townhall_format.read,
    }
    return readers[source]


@functools.lru_cache(maxsize=8192)  # authors repeat
def import_author_key(source: str, author_id: str, name: str) -> str:
    """The identity of an imported author: keyed by the source and its author id (else the
    name), in a space no live post can enter (townhall.identity.speakers)."""
    return imported_author_key(source, author_id, name)


@dataclass
class Report:
    source: str
    file: str
    dry_run: bool = False
    moderated: bool = False
    threads_new: int = 0
    threads_existing: int = 0
    comments: int = 0
    already: int = 0  # imported by an earlier run: left alone
    states: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    held: int = 0
    votes: int = 0  # vote rows written (townhall format)
    votes_already: int = 0
    index_later: int = 0  # comments older than the duplicate window: indexed by a background task
    orphans: int = 0  # replies whose parent is not in the file: kept at the top level
    foreign: list[str] = field(default_factory=list)  # first few thread URLs outside the origins
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    resumed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "file": self.file, "dry_run": self.dry_run, "moderated": self.moderated,
            "threads_new": self.threads_new, "threads_existing": self.threads_existing,
            "comments": self.comments, "already_imported": self.already, "states": dict(self.states),
            "skipped": dict(self.skipped), "held": self.held, "index_later": self.index_later,
            "votes": self.votes, "votes_already": self.votes_already, "orphans": self.orphans,
            "foreign_examples": self.foreign, "seconds": round(self.seconds, 2), "resumed": self.resumed,
        }

    def lines(self) -> list[str]:
        verb = "would import" if self.dry_run else "imported"
        out = [
            f"{self.source} {self.file}: {verb} {self.comments:,} comments in "
            f"{self.threads_new + self.threads_existing:,} threads ({self.threads_new:,} new) "
            f"in {self.seconds:,.1f}s"
            + (f", {self.comments / self.seconds:,.0f} comments/s" if self.seconds and self.comments else ""),
        ]
        if self.states:
            out.append("  states: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.states.items())))
        if self.already:
            out.append(f"  already imported (left as they are): {self.already:,}")
        if self.moderated:
            out.append(f"  held by the moderation pipeline: {self.held:,}")
        if self.votes or self.votes_already:
            verb_votes = "would restore" if self.dry_run else "restored"
            out.append(f"  votes: {verb_votes} {self.votes:,}"
                       + (f", already there {self.votes_already:,}" if self.votes_already else ""))
        if self.index_later:
            out.append(f"  older than the site's duplicate window, put into the near-duplicate index by the "
                       f"background task worker: {self.index_later:,}")
        if self.orphans:
            out.append(f"  replies whose parent is not in the file, kept at the top level: {self.orphans:,}")
        for reason, n in sorted(self.skipped.items()):
            out.append(f"  skipped, {reason}: {n:,}")
        if self.foreign:
            out.append(
                "  threads outside the site's origins, e.g. " + ", ".join(self.foreign[:3])
                + "\n    hint: add the origin (townhall site set SLUG --origin ...) or rewrite the URLs "
                "with --map-url OLD_PREFIX=NEW_PREFIX"
            )
        if self.resumed:
            out.append("  (an earlier run of this file did not finish: this one resumed it)")
        out.extend("  " + n for n in self.notes)
        return out


# ---------------------------------------------------------------------------- staging


class Staging:
    """The validated file in a scratch SQLite database: threads and comments by source key."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "staging.sqlite3"
        self.db = sqlite3.connect(self.path)
        self.db.executescript(
            """
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE threads (key TEXT PRIMARY KEY, url TEXT, title TEXT, extra TEXT, seq INTEGER);
            CREATE TABLE comments (id TEXT PRIMARY KEY, thread TEXT, seq INTEGER, created TEXT,
                                   where_ TEXT, parent TEXT, text TEXT, state TEXT, author_id TEXT,
                                   author_name TEXT, author_email TEXT, author_website TEXT, ip TEXT,
                                   upvotes INTEGER, downvotes INTEGER, extra TEXT, html TEXT);
            CREATE TABLE votes (comment TEXT, voter TEXT, ip_hash TEXT, value INTEGER, created TEXT,
                                where_ TEXT, PRIMARY KEY (comment, voter));
            """
        )
        self.comments = 0
        self.threads = 0
        self.votes = 0
        self.skipped: Counter[str] = Counter()
        self._pending: list[tuple[Any, ...]] = []  # comment rows not inserted yet

    def flush(self) -> None:
        """Insert the pending comment rows. A repeated id stops the insert at that row; the
        rows before it are in, so the first pending row whose id is stored under another
        sequence number is the repeat, and the error names it and the first."""
        rows, self._pending = self._pending, []
        try:
            self.db.executemany("INSERT INTO comments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        except sqlite3.IntegrityError:
            for row in rows:
                first = self.db.execute("SELECT seq, where_ FROM comments WHERE id = ?", (row[0],)).fetchone()
                if first is not None and first[0] != row[2]:
                    raise ImportFailed(f"{row[4]}: duplicate comment id {row[0]!r} (first at {first[1]})") from None
            raise

    def add(self, record: Record) -> None:
        if isinstance(record, SourceComment):
            if record.state not in STATES:
                raise ImportFailed(f"{record.where}: unknown state {record.state!r}")
            self.comments += 1
            c = record
            self._pending.append((
                c.id, c.thread_key, self.comments, c.created.isoformat(), c.where, c.parent_id, c.text, c.state,
                c.author_id, c.author_name, c.author_email, c.author_website, c.ip, c.upvotes, c.downvotes,
                json.dumps(c.extra, separators=(",", ":")) if c.extra else None, c.html,
            ))
            if len(self._pending) >= 1000:
                self.flush()
        elif isinstance(record, SourceThread):
            self.threads += 1
            try:
                self.db.execute(
                    "INSERT INTO threads VALUES (?, ?, ?, ?, ?)",
                    (record.key, record.url, record.title, json.dumps(record.extra), self.threads),
                )
            except sqlite3.IntegrityError:
                raise ImportFailed(f"{record.extra.get('line', '?')}: duplicate thread id {record.key!r}") from None
        elif isinstance(record, SourceVote):
            self.votes += 1
            try:
                self.db.execute(
                    "INSERT INTO votes VALUES (?, ?, ?, ?, ?, ?)",
                    (record.comment_id, record.voter, record.ip_hash, record.value, record.created.isoformat(),
                     record.where),
                )
            except sqlite3.IntegrityError:
                first = self.db.execute("SELECT where_ FROM votes WHERE comment = ? AND voter = ?",
                                        (record.comment_id, record.voter)).fetchone()
                raise ImportFailed(
                    f"{record.where}: a second vote of one voter on comment {record.comment_id} "
                    f"(first at {first[0] if first else '?'})"
                ) from None
        else:
            self.skipped[record.reason] += 1

    def votes_in(self, chunk: int = 5000) -> Iterator[list[SourceVote]]:
        """The file's votes, a chunk at a time."""
        cur = self.db.execute("SELECT comment, voter, ip_hash, value, created, where_ FROM votes ORDER BY rowid")
        while rows := cur.fetchmany(chunk):
            yield [SourceVote(comment_id=c, voter=v, ip_hash=h, value=n, created=datetime.fromisoformat(t), where=w)
                   for c, v, h, n, t, w in rows]

    def commit(self) -> None:
        self.flush()
        self.db.commit()
        self.db.execute("CREATE INDEX comments_thread ON comments (thread, created, seq)")

    def thread_rows(self) -> list[tuple[str, str, str, dict[str, Any]]]:
        rows = self.db.execute("SELECT key, url, title, extra FROM threads ORDER BY seq")
        return [(k, u, t, json.loads(e)) for k, u, t, e in rows]

    def orphan_threads(self) -> list[tuple[str, int]]:
        return list(self.db.execute(
            "SELECT thread, COUNT(*) FROM comments WHERE thread NOT IN (SELECT key FROM threads) GROUP BY thread"
        ))

    def comments_of(self, keys: list[str]) -> list[SourceComment]:
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT {_STAGED} FROM comments WHERE thread IN ({marks}) "  # noqa: S608
            "ORDER BY created, seq",
            keys,
        )
        return [_comment_from(r) for r in rows]

    def close(self) -> None:
        self.db.close()


_STAGED = ("id, thread, parent, created, text, state, author_id, author_name, author_email, author_website, ip, "
           "upvotes, downvotes, where_, extra, html")


def _comment_from(row: tuple[Any, ...]) -> SourceComment:
    cid, thread, parent, created, text, state, ai, an, ae, aw, ip, up, down, where, extra, html = row
    return SourceComment(
        id=cid, thread_key=thread, parent_id=parent, created=datetime.fromisoformat(created), text=text,
        state=state, author_id=ai, author_name=an, author_email=ae, author_website=aw, ip=ip, upvotes=up,
        downvotes=down, where=where, extra=json.loads(extra) if extra else {}, html=html or "",
    )


def stage(source: str, path: Path, directory: Path, *, progress: bool = True) -> Staging:
    """The first pass: read and check the whole file into the scratch database."""
    staging = Staging(directory)
    bar = Progress("checking", stream=None) if progress else None
    try:
        try:
            for record in converted(reader_for(source)(path), size=path.stat().st_size):
                staging.add(record)
                if bar:
                    bar.step()
        except ImportFailed:
            staging.flush()  # a repeated id among the pending rows comes first in the file
            raise
        staging.commit()
    except ImportFailed:
        staging.close()
        raise
    except (OSError, UnicodeDecodeError, sqlite3.Error) as exc:
        staging.close()
        raise ImportFailed(f"cannot read {path.name}: {exc}") from None
    if bar:
        bar.done()
    return staging


# ---------------------------------------------------------------------------- plan


def thread_locate(*, site: Site, url: str, origins: list[str] | None = None) -> str:
    """The site's canonical form of a page URL (comments/locator.py); ValidationFailed when the
    URL is not on one of the site's origins (`origins`: the site's, when already read)."""
    if origins is None:
        origins = [o.origin for o in site.origins.all()]
    return canonical_url(url, origins=origins, identity_params=site.identity_params)


def map_url(url: str, mappings: list[tuple[str, str]]) -> str:
    for old, new in mappings:
        if url.startswith(old):
            return new + url[len(old):]
    return url


@dataclass
class PlannedThread:
    url: str  # canonical
    title: str
    keys: list[str]
    extra: dict[str, Any]


def plan(staging: Staging, site: Site, mappings: list[tuple[str, str]], report: Report,
         base_url: str = "") -> list[PlannedThread]:
    by_url: dict[str, PlannedThread] = {}
    by_identity: dict[str, str] = {}
    counts = dict(staging.db.execute("SELECT thread, COUNT(*) FROM comments GROUP BY thread"))
    origins = [o.origin for o in site.origins.all()]
    for key, raw_url, title, extra in staging.thread_rows():
        url = raw_url
        if base_url and url.startswith("/"):
            url = base_url.rstrip("/") + url
        url = map_url(url, mappings)
        identity = extra.get("identity")
        if identity and identity in by_identity:
            by_url[by_identity[identity]].keys.append(key)
            continue
        try:
            canonical = thread_locate(site=site, url=url, origins=origins)
        except ValidationFailed as exc:
            n = counts.get(key, 0)
            if n:
                why = "thread outside the site's origins" if exc.errors[0].code == "foreign_origin" else "thread URL not usable"
                report.skipped[why] += n
                if len(report.foreign) < 5:
                    report.foreign.append(raw_url or f"(thread {key} has no URL)")
            continue
        planned = by_url.get(canonical)
        if planned is None:
            planned = by_url[canonical] = PlannedThread(url=canonical, title=title, keys=[], extra=extra)
        planned.keys.append(key)
        if not planned.title and title:
            planned.title = title
        if identity:
            by_identity[identity] = canonical
    for key, n in staging.orphan_threads():
        report.skipped["comment of a thread not in the file"] += n
        report.notes.append(f"comments name thread {key!r}, which the file does not contain")
    return list(by_url.values())


# ---------------------------------------------------------------------------- write


BATCH_COMMENTS = 2000  # comments per transaction (whole threads; a bigger thread is one transaction)

STATUS_OF = {APPROVED: Status.PUBLISHED, PENDING: Status.PENDING, SPAM: Status.REJECTED, DELETED: Status.DELETED}


def run_import(
    *,
    source: str,
    path: Path,
    site: Site,
    mappings: list[tuple[str, str]] | None = None,
    dry_run: bool = False,
    moderate: bool = False,
    progress: bool = True,
    base_url: str = "",
) -> Report:
    started = time.monotonic()
    report = Report(source=source, file=path.name, dry_run=dry_run, moderated=moderate)
    digest = _sha256(path)
    with tempfile.TemporaryDirectory(prefix="townhall-import-") as tmp:
        staging = stage(source, path, Path(tmp), progress=progress)
        try:
            report.skipped.update({_SKIP_WORDS.get(k, k): v for k, v in staging.skipped.items()})
            threads = plan(staging, site, mappings or [], report, base_url=base_url)
            run = None
            if not dry_run:
                report.resumed = ImportRun.objects.filter(
                    site=site, source=source, file_sha256=digest, finished__isnull=True
                ).exists()
                run = ImportRun.objects.create(site=site, source=source, file_name=path.name[:500], file_sha256=digest)
            total = staging.comments
            bar = Progress("importing", total=total) if progress else None
            writer = _Writer(site=site, source=source, report=report, dry_run=dry_run, moderate=moderate)
            with bulk_writing():
                if moderate and not dry_run:
                    _write_all_moderated(writer, staging, threads, bar)
                else:
                    _write_all(writer, staging, threads, bar, batched=not dry_run)
                if staging.votes:
                    writer.write_votes(staging)
            if bar:
                bar.done()
        finally:
            staging.close()
    report.seconds = time.monotonic() - started
    if run is not None:
        ImportRun.objects.filter(pk=run.pk).update(finished=timezone.now(), report=report.as_dict())
    return report


def _write_all(writer: _Writer, staging: Staging, threads: list[PlannedThread], bar: Progress | None,
               *, batched: bool) -> None:
    batch: list[tuple[PlannedThread, list[SourceComment]]] = []
    size = 0
    for planned in threads:
        comments = staging.comments_of(planned.keys)
        if not batched:
            writer.write_thread(planned, comments)
        elif comments:
            # A few threads per transaction, up to BATCH_COMMENTS comments: a live SQLite
            # site waits for one batch at most, never for the whole file.
            batch.append((planned, comments))
            size += len(comments)
            if size >= BATCH_COMMENTS:
                writer.write_batch(batch)
                batch, size = [], 0
        if bar:
            bar.step(len(comments))
    if batch:
        writer.write_batch(batch)


MODERATED_PER_TRANSACTION = 100


def _write_all_moderated(writer: _Writer, staging: Staging, threads: list[PlannedThread], bar: Progress | None) -> None:
    """`--moderate`: every comment of the file through the pipeline in one time order across
    threads (as the comments were posted: a flood or a repeat spans pages), never a reply before
    its parent. First each thread is planned on its own (parents resolved, orphans and cycles
    reported, the thread found or created) and the plan goes into the scratch file; then the
    comments come back from it oldest first and are written in transactions of
    MODERATED_PER_TRANSACTION, each recounting the threads it touched, so a crash loses at most
    one of them and a re-run resumes there."""
    db = staging.db
    db.executescript("ALTER TABLE comments ADD COLUMN thread_pk INTEGER; ALTER TABLE comments ADD COLUMN host TEXT;")
    planned_ids: set[str] = set()  # this run's comments not written yet (replies wait for them)
    for planned in threads:
        comments = staging.comments_of(planned.keys)
        if not comments:
            continue
        with transaction.atomic():
            plan_rows = writer.plan_moderated(planned, comments)
        db.executemany("UPDATE comments SET thread_pk = ?, host = ? WHERE id = ?", plan_rows)
        planned_ids.update(cid for _, _, cid in plan_rows)
        if bar:
            bar.step(len(comments) - len(plan_rows))  # already imported
    db.execute("CREATE INDEX comments_time ON comments (created, seq) WHERE thread_pk IS NOT NULL")
    rows = db.execute(f"SELECT {_STAGED}, thread_pk, host FROM comments WHERE thread_pk IS NOT NULL "  # noqa: S608
                      "ORDER BY created, seq")
    waiting: dict[str, list[tuple[datetime, int, SourceComment, int, str | None]]] = defaultdict(list)
    threads_in_tx: set[int] = set()

    def write(c: SourceComment, thread_pk: int, host: str | None) -> None:
        writer.write_moderated(thread_pk, c, host)
        planned_ids.discard(c.id)
        threads_in_tx.add(thread_pk)
        if bar:
            bar.step()

    def write_with_replies(c: SourceComment, thread_pk: int, host: str | None) -> None:
        """Write `c`, then the replies that waited for it (and theirs), oldest first."""
        heap: list[tuple[datetime, int, SourceComment, int, str | None]] = []
        write(c, thread_pk, host)
        for item in waiting.pop(c.id, []):
            heapq.heappush(heap, item)
        while heap:
            _, _, kid, kid_thread, kid_host = heapq.heappop(heap)
            write(kid, kid_thread, kid_host)
            for item in waiting.pop(kid.id, []):
                heapq.heappush(heap, item)

    seq = 0
    while True:
        chunk = rows.fetchmany(MODERATED_PER_TRANSACTION)
        if not chunk:
            break
        with transaction.atomic():
            for row in chunk:
                c, thread_pk, host = _comment_from(row[:-2]), row[-2], row[-1]
                if host is not None and host in planned_ids:  # its parent comes later in time
                    seq += 1
                    waiting[host].append((c.created, seq, c, thread_pk, host))
                    continue
                write_with_replies(c, thread_pk, host)
            for thread_pk in threads_in_tx:
                thread_recount(Thread(pk=thread_pk))
        threads_in_tx.clear()
    if waiting:  # cannot happen (every parent waited for is in the plan), but never drop a comment
        with transaction.atomic():
            for items in waiting.values():
                for _, _, c, thread_pk, _host in items:
                    writer.report.orphans += 1
                    writer.write_moderated(thread_pk, c, None)
                    threads_in_tx.add(thread_pk)
            for thread_pk in threads_in_tx:
                thread_recount(Thread(pk=thread_pk))


def _duplicate_hours(site: Site) -> int:
    """The site's duplicate window, read without creating its policy (a dry run writes nothing)."""
    hours = Policy.objects.filter(site=site).values_list("duplicate_hours", flat=True).first()
    return int(hours if hours is not None else Policy._meta.get_field("duplicate_hours").default)


_SKIP_WORDS = {"pingback": "pingbacks", "trackback": "trackbacks", "note": "block-editor notes"}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


_url_ok = URLValidator(schemes=["http", "https"])


@functools.lru_cache(maxsize=8192)  # authors repeat: validate each address once
def _clean_email(email: str) -> str:
    email = email.strip()[:254]
    if not email:
        return ""
    try:
        validate_email(email)
    except DjangoValidationError:
        return ""
    return email


@functools.lru_cache(maxsize=8192)
def _clean_website(url: str) -> str:
    url = url.strip()
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url
    if len(url) > 500:
        return ""
    try:
        _url_ok(url)
    except DjangoValidationError:
        return ""
    return url


def _clean_ip(ip: str, created: datetime, cutoff: datetime) -> tuple[str | None, bool]:
    """Addresses as the site's retention allows: past TOWNHALL_IP_RETENTION_DAYS (`cutoff`) they
    are truncated (/24, /48) on the way in, as the hourly task would have done."""
    return _clean_ip_as(ip, created < cutoff)


@functools.lru_cache(maxsize=8192)  # addresses repeat too
def _clean_ip_as(ip: str, old: bool) -> tuple[str | None, bool]:
    ip = ip.strip()
    if not ip:
        return None, False
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        return None, False
    if old:
        return truncate_ip(ip) or None, True
    return ip, False


def _executemany(cur: Any, sql: str, rows: list[Any], chunk: int = 5000) -> None:
    for i in range(0, len(rows), chunk):
        cur.executemany(sql, rows[i:i + chunk])


_MAPPING_INSERT = (
    f'INSERT INTO "{ImportedComment._meta.db_table}" (site_id, source, source_id, comment_id) '  # noqa: S608
    "VALUES (%s, %s, %s, %s)"
)
_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)


class _CommentRows:
    """Comment rows for a plain INSERT, without model instances: each value goes through the
    conversion its field would apply on the way to the database (dates, JSON, IP addresses:
    the backend's own adapters, called directly); strings, numbers, booleans and ids need none.
    Fields the importer does not set get their defaults."""

    def __init__(self) -> None:
        fields = Comment._meta.concrete_fields
        self.names = [f.attname for f in fields]
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.prep: list[Callable[[Any], Any] | None] = [self._adapter(f) for f in fields]
        self._pick = operator.itemgetter(*self.names)
        self._preps = [(i, prep) for i, prep in enumerate(self.prep) if prep is not None]
        quote = connection.ops.quote_name
        self.insert = (
            f"INSERT INTO {quote(Comment._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        self._created = Comment._meta.get_field("created")
        assert isinstance(self._created, models.DateTimeField)

    @staticmethod
    def _adapter(f: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
        """What `f.get_db_prep_save` comes down to for the values the importer produces (aware
        datetimes, JSON-able lists and dicts, address strings), without the layers around it."""
        ops = connection.ops
        if isinstance(f, _PLAIN_FIELDS):
            return None
        if isinstance(f, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(f, models.JSONField):
            encoder = f.encoder
            return lambda v: ops.adapt_json_value(v, encoder)
        if isinstance(f, models.GenericIPAddressField):
            return lambda v: ops.adapt_ipaddressfield_value(v or None)
        return functools.partial(f.get_db_prep_save, connection=connection)

    def row(self, values: dict[str, Any]) -> list[Any]:
        out = list(self._pick({**self.defaults, **values}))
        for i, prep in self._preps:
            out[i] = prep(out[i])
        return out

    def created(self, value: datetime) -> Any:
        return self._created.get_db_prep_save(value, connection)


class _Writer:
    def __init__(self, *, site: Site, source: str, report: Report, dry_run: bool, moderate: bool) -> None:
        self.site, self.source, self.report = site, source, report
        self.dry_run, self.moderate = dry_run, moderate
        self.keep_ids = source == "townhall"
        self.ip_cutoff = timezone.now() - timedelta(days=settings.IP_RETENTION_DAYS)
        self.rows = _CommentRows()
        # Vote.created is auto_now_add: a plain insert keeps the vote's own date.
        quote = connection.ops.quote_name
        self.vote_insert = (
            f"INSERT INTO {quote(Vote._meta.db_table)} (comment_id, voter, ip_hash, value, created) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s)"
        )
        self.vote_created = functools.partial(Vote._meta.get_field("created").get_db_prep_save, connection=connection)
        # Comments older than this cannot be repeated by a new one (moderation.duplicates looks
        # back duplicate_hours): their index rows are written by a background task instead.
        self.index_since = timezone.now() - timedelta(hours=_duplicate_hours(site))
        self._next_id: int | None = None  # SQLite: the next id to hand out, inside a transaction
        self.threads: dict[int, Thread] = {}  # --moderate: the threads being written, by id

    def write_thread(self, planned: PlannedThread, comments: list[SourceComment]) -> None:
        """A dry run's thread: counted, nothing written."""
        if comments:
            self._dry(planned, comments)

    def write_batch(self, batch: list[tuple[PlannedThread, list[SourceComment]]]) -> None:
        """A few threads in one transaction, written with plain multi-row inserts: ids are
        handed out here (so paths are known before the insert), rows are built without model
        instances, and the lookups (already imported? thread there?) are one query per batch.
        What is stored is what the ORM would store (same ids, values, counters); the mapping
        rows commit with their comments, so a crash loses at most this batch and a re-run
        resumes there."""
        report = self.report
        with transaction.atomic():
            self._next_id = None
            known = self._known([c.id for _, comments in batch for c in comments])
            work: list[tuple[PlannedThread, list[SourceComment]]] = []
            for planned, comments in batch:
                new = [c for c in comments if c.id not in known] if known else comments
                report.already += len(comments) - len(new)
                if new:
                    work.append((planned, new))
            if not work:
                return
            threads = self._threads([planned for planned, _ in work])
            counts: list[tuple[int, int]] = []
            versions: list[tuple[int, int]] = []
            index_rows: list[tuple[int, int, int, Any]] = []
            index_later: list[int] = []
            mapping_rows: list[tuple[int, str, str, int]] = []
            for planned, new in work:
                thread, fresh = threads[planned.url]
                order, parent_rows, existing_parents = self._prepare(thread, new, known)
                published = self._write_rows(thread, order, parent_rows, existing_parents, index_rows, index_later,
                                             mapping_rows)
                counts.append((published, thread.pk))
                if fresh and self.keep_ids and planned.extra.get("version"):
                    # A thread moved from another Townhall keeps its version (and so its ETags).
                    versions.append((int(planned.extra["version"]), thread.pk))
            table = connection.ops.quote_name
            insert_shingles(index_rows)
            if index_later:
                # Enqueued in this transaction: the task exists exactly when the comments do.
                index_imported.enqueue(site_id=self.site.pk, comment_ids=index_later)
                report.index_later += len(index_later)
            with connection.cursor() as cur:
                _executemany(cur, _MAPPING_INSERT, mapping_rows)
                tt = table(Thread._meta.db_table)
                cur.executemany(
                    f"UPDATE {tt} SET comment_count = comment_count + %s, version = version + 1 WHERE id = %s",  # noqa: S608
                    counts,
                )
                if versions:
                    cur.executemany(f"UPDATE {tt} SET version = %s WHERE id = %s", versions)  # noqa: S608

    def write_votes(self, staging: Staging) -> None:
        """The vote rows (after every comment is in): each names its comment by the source's id,
        found through `ImportedComment`; a vote whose comment was not imported (a thread outside
        the origins, say) is skipped and counted, one already there is left alone. Vote counts
        travel on the comments themselves, so they are not touched here. One transaction per
        chunk; a re-run adds the rows a crash left out."""
        report = self.report
        if self.dry_run:  # nothing was written: the votes on comments the file has
            report.votes = staging.db.execute(
                "SELECT COUNT(*) FROM votes WHERE comment IN (SELECT id FROM comments)").fetchone()[0]
            return
        for chunk in staging.votes_in():
            with transaction.atomic():
                pks = self._known([v.comment_id for v in chunk])
                kept = [v for v in chunk if v.comment_id in pks]
                if len(kept) < len(chunk):
                    report.skipped["votes on comments not imported"] += len(chunk) - len(kept)
                if not kept:
                    continue
                there = set(Vote.objects.filter(comment_id__in={pks[v.comment_id] for v in kept})
                            .values_list("comment_id", "voter"))
                new = [v for v in kept if (pks[v.comment_id], v.voter) not in there]
                report.votes_already += len(kept) - len(new)
                report.votes += len(new)
                if not new:
                    continue
                with connection.cursor() as cur:
                    _executemany(cur, self.vote_insert, [
                        (pks[v.comment_id], v.voter, v.ip_hash, v.value, self.vote_created(v.created)) for v in new
                    ])

    def _known(self, ids: list[str]) -> dict[str, int]:
        known: dict[str, int] = {}
        if not ids or not ImportedComment.objects.filter(site=self.site, source=self.source).exists():
            return known
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            known.update(ImportedComment.objects.filter(site=self.site, source=self.source, source_id__in=chunk)
                         .values_list("source_id", "comment_id"))
        return known

    def _dry(self, planned: PlannedThread, comments: list[SourceComment]) -> None:
        known = self._known([c.id for c in comments])
        exists = Thread.objects.filter(site=self.site, url=planned.url).exists()
        new = [c for c in comments if c.id not in known]
        self.report.already += len(comments) - len(new)
        if new:
            if exists:
                self.report.threads_existing += 1
            else:
                self.report.threads_new += 1
        ids = {c.id for c in comments}
        for c in new:
            self.report.comments += 1
            self.report.states[c.state] += 1
            if c.parent_id and c.parent_id not in ids and c.parent_id not in known:
                self.report.orphans += 1

    def _threads(self, planned: list[PlannedThread]) -> dict[str, tuple[Thread, bool]]:
        """The batch's threads by canonical URL, (thread, created now): found (and locked) or
        created, in the batch's order."""
        site, report = self.site, self.report
        urls = [p.url for p in planned]
        found: dict[str, Thread] = {}
        for i in range(0, len(urls), 500):
            found.update((t.url, t) for t in Thread.objects.select_for_update().filter(site=site, url__in=urls[i:i + 500]))
        out: dict[str, tuple[Thread, bool]] = {}
        missing = [p for p in planned if p.url not in found]
        # One multi-row insert for the batch's new threads (ids come back on both databases).
        made = {t.url: t for t in Thread.objects.bulk_create(Thread(site=site, url=p.url, title=p.title[:300]) for p in missing)}
        for p in planned:
            thread = found.get(p.url)
            if thread is None:
                thread = made[p.url]
                report.threads_new += 1
                extra = p.extra
                if self.keep_ids and extra.get("created"):
                    Thread.objects.filter(pk=thread.pk).update(
                        created=datetime.fromisoformat(extra["created"]), closed=bool(extra.get("closed")),
                        premoderate=bool(extra.get("premoderate")),
                    )
                out[p.url] = (thread, True)
            else:
                report.threads_existing += 1
                if p.title and not thread.title:
                    Thread.objects.filter(pk=thread.pk).update(title=p.title[:300])
                out[p.url] = (thread, False)
            thread.site = site
        return out

    def plan_moderated(self, planned: PlannedThread, comments: list[SourceComment]) -> list[tuple[int, str | None, str]]:
        """One thread's part of the plan for `--moderate`: (thread id, parent's source id or
        None, source id) for each comment not imported yet, the thread found or created."""
        known = self._known([c.id for c in comments])
        new = [c for c in comments if c.id not in known]
        self.report.already += len(comments) - len(new)
        if not new:
            return []
        thread, fresh = self._threads([planned])[planned.url]
        self.threads[thread.pk] = thread
        if fresh and self.keep_ids and planned.extra.get("version"):
            Thread.objects.filter(pk=thread.pk).update(version=int(planned.extra["version"]))
        order, _parent_rows, _existing = self._prepare(thread, new, known)
        return [(thread.pk, parent, c.id) for c, parent in order]

    def _prepare(self, thread: Thread, new: list[SourceComment], known: dict[str, int]
                 ) -> tuple[list[tuple[SourceComment, str | None]], dict[int, Comment], dict[str, int]]:
        """Parents: in this batch, imported earlier, or missing (kept at the top level, reported)."""
        report = self.report
        by_id = {c.id: c for c in new}
        existing_parents = {
            c.parent_id: known[c.parent_id] for c in new if c.parent_id and c.parent_id in known
        }
        parent_rows = {
            p.pk: p for p in Comment.objects.filter(pk__in=set(existing_parents.values())).only(
                "id", "path", "depth", "root_id", "thread_id"
            )
        } if existing_parents else {}
        children: dict[str | None, list[SourceComment]] = defaultdict(list)
        for c in new:
            parent = c.parent_id
            if parent is not None and parent not in by_id:
                row = parent_rows.get(existing_parents.get(parent, -1))
                if row is None or row.thread_id != thread.pk:
                    report.orphans += 1
                    parent = None
            if parent == c.id:
                report.orphans += 1
                parent = None
            children[parent].append(c)
        return self._levels(children, by_id), parent_rows, existing_parents

    def _levels(self, children: dict[str | None, list[SourceComment]], by_id: dict[str, SourceComment]
                ) -> list[tuple[SourceComment, str | None]]:
        """Comments in an order where every parent comes before its replies (breadth first,
        oldest first among siblings), each with the source id of the parent it will get."""
        order: list[tuple[SourceComment, str | None]] = []
        frontier: list[str | None] = [None] + [p for p in children if p is not None and p not in by_id]
        placed: set[str] = set()
        while frontier:
            nxt: list[str | None] = []
            for parent in frontier:
                for c in children.get(parent, []):
                    if c.id in placed:
                        continue
                    placed.add(c.id)
                    order.append((c, parent))
                    nxt.append(c.id)
            frontier = nxt
        # What is left hangs on a cycle of parents (a hostile or corrupt file): break each at
        # its oldest comment, which goes to the top level.
        left = [c for c in by_id.values() if c.id not in placed]
        while left:
            self.report.orphans += 1
            start = left[0]
            placed.add(start.id)
            order.append((start, None))
            stack = [start.id]
            while stack:
                pid = stack.pop()
                for c in children.get(pid, []):
                    if c.id not in placed:
                        placed.add(c.id)
                        order.append((c, pid))
                        stack.append(c.id)
            left = [c for c in left if c.id not in placed]
        return order

    def _fields(self, thread_id: int, c: SourceComment) -> dict[str, Any]:
        """A comment's stored values (by attname), as the ORM would write them."""
        ip, truncated = _clean_ip(c.ip, c.created, self.ip_cutoff)
        extra = c.extra
        return {
            "thread_id": thread_id,
            "author_name": c.author_name.strip()[:100],
            "author_website": _clean_website(c.author_website),
            "author_email": _clean_email(c.author_email),
            "author_key": extra.get("author_key") or import_author_key(self.source, c.author_id, c.author_name),
            "text": c.text,
            "html": c.html or fastmd.render(c.text),  # rendered in the first pass (convert.finish)
            "status": STATUS_OF[c.state],
            "upvotes": max(c.upvotes, 0),
            "downvotes": max(c.downvotes, 0),
            "score": extra.get("score", c.upvotes - c.downvotes),
            "flagged": bool(extra.get("flagged", False)),
            "featured": bool(extra.get("featured", False)),
            "reasons": list(extra.get("reasons", ["spam"] if c.state == SPAM else [])),
            "moderation": extra.get("moderation") or {"imported": self.source, "source_id": c.id},
            "ip": ip,
            "ip_truncated": bool(extra.get("ip_truncated", truncated)),
            "created": c.created,
            "edited": datetime.fromisoformat(extra["edited"]) if extra.get("edited") else None,
            "author_token": str(extra.get("author_token", ""))[:64],
        }

    def _comment(self, thread: Thread, c: SourceComment) -> Comment:
        comment = Comment(**self._fields(thread.pk, c))
        comment.thread = thread
        if self.keep_ids and c.extra.get("id"):
            comment.pk = int(c.extra["id"])
        return comment

    def _ids(self, n: int) -> list[int]:
        """n new comment ids, as the database would hand them out to n inserts."""
        table = Comment._meta.db_table
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
                )
                return sorted(r[0] for r in cur.fetchall())
            if self._next_id is None:  # SQLite, AUTOINCREMENT: past the largest id ever used
                cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cur.fetchone()
                cur.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                biggest = cur.fetchone()[0]
                self._next_id = max(row[0] if row else 0, biggest or 0) + 1
        first = self._next_id
        self._next_id += n
        return list(range(first, first + n))

    def _write_rows(self, thread: Thread, order: list[tuple[SourceComment, str | None]],
                    parent_rows: dict[int, Comment], existing_parents: dict[str, int],
                    index_rows: list[tuple[int, int, int, Any]], index_later: list[int],
                    mapping_rows: list[tuple[int, str, str, int]]) -> int:
        """Insert a thread's new comments (parents first), collect their near-duplicate index
        rows (or, for comments older than the site's duplicate window, their ids for the
        background task) and source-id rows; returns how many are published."""
        report = self.report
        explicit = [int(c.extra["id"]) for c, _ in order if self.keep_ids and c.extra.get("id")]
        keep_ids = bool(explicit) and not Comment.objects.filter(pk__in=explicit).exists()
        # Depths, clipped at MAX_DEPTH; ids are handed out level by level (as inserting the
        # levels one after the other would).
        depth_of: dict[str, int] = {}
        levels: list[list[tuple[SourceComment, str | None]]] = []
        for c, parent in order:
            if parent is None:
                d = 0
            elif parent in depth_of:
                d = depth_of[parent] + 1
            else:
                d = parent_rows[existing_parents[parent]].depth + 1
            if d > MAX_DEPTH:  # deeper than paths allow: hang it at the deepest level
                report.notes.append(f"{c.where}: nested deeper than {MAX_DEPTH} levels, placed at level {MAX_DEPTH}")
                d = MAX_DEPTH
            depth_of[c.id] = d
            while len(levels) <= d:
                levels.append([])
            levels[d].append((c, parent))
        flat = [item for level in levels for item in level]
        level_of = [n for n, level in enumerate(levels) for _ in level]
        # Counters computed here: a comment's visible replies, bottom up (a deleted comment is
        # visible while it has visible replies).
        visible_replies: Counter[str] = Counter()
        status_of = {c.id: STATUS_OF[c.state] for c, _ in order}
        existing_delta: Counter[int] = Counter()
        for c, parent in reversed(flat):
            visible = status_of[c.id] == Status.PUBLISHED or (
                status_of[c.id] == Status.DELETED and visible_replies[c.id] > 0
            )
            if visible and parent is not None:
                if parent in status_of:
                    visible_replies[parent] += 1
                else:
                    existing_delta[existing_parents[parent]] += 1
        ids = [int(c.extra["id"]) for c, _ in flat] if keep_ids else self._ids(len(flat))
        # (pk, path, depth, root) of each comment written so far, by source id
        made: dict[str, tuple[int, str, int, int | None]] = {}
        rows = []
        site_id, source = self.site.pk, self.source
        for (c, parent), pk, level_no in zip(flat, ids, level_of, strict=True):
            values = self._fields(thread.pk, c)
            depth = level_no
            if parent is None:
                parent_id = root_id = None
                path = path_segment(pk)
            else:
                if parent in made:
                    h_pk, h_path, h_depth, h_root = made[parent]
                else:
                    row = parent_rows[existing_parents[parent]]
                    h_pk, h_path, h_depth, h_root = row.pk, row.path, row.depth, row.root_id
                parent_id, root_id = h_pk, h_root or h_pk
                path = h_path + path_segment(pk)
                if level_no != h_depth + 1:  # flattened past MAX_DEPTH
                    depth = h_depth + 1 if h_depth < MAX_DEPTH else MAX_DEPTH
            made[c.id] = (pk, path, depth, root_id)
            values.update(id=pk, parent_id=parent_id, root_id=root_id, depth=depth, path=path,
                          reply_count=visible_replies[c.id])
            rows.append(self.rows.row(values))
        with connection.cursor() as cur:
            _executemany(cur, self.rows.insert, rows)
        if keep_ids:
            self._next_id = None  # SQLite's counter moved past the explicit ids
            _reset_sequence()
        since = self.index_since
        for c, _ in order:
            pk = made[c.id][0]
            if status_of[c.id] != Status.REJECTED:
                if c.created >= since:
                    index_rows.extend(shingle_rows(site_id, pk, c.text, c.created))
                else:
                    index_later.append(pk)
            mapping_rows.append((site_id, source, c.id, pk))
        for parent_pk, delta in existing_delta.items():
            _adjust_visible_replies(parent_pk, delta)
        published = 0
        for c, _ in order:
            status = status_of[c.id]
            published += status == Status.PUBLISHED
            report.states[_state_word(status)] += 1
        report.comments += len(order)
        return published

    def _index(self, comments: list[Comment]) -> None:
        """The near-duplicate index (moderation.duplicates): the same triples index_comment
        would store, written in bulk."""
        rows: list[tuple[int, int, int, Any]] = []
        for o in comments:
            if o.status != Status.REJECTED:
                rows.extend(shingle_rows(self.site.pk, o.pk, o.text, o.created))
        insert_shingles(rows)

    def write_moderated(self, thread_pk: int, c: SourceComment, host_id: str | None) -> None:
        """One comment through the site's pipeline, as a replay does (slow mode and flood are
        recorded, not enforced); what it would not publish is held. `host_id` is the source id
        of its parent, already written (in this run or an earlier one)."""
        thread = self.threads[thread_pk]
        obj = self._comment(thread, c)
        obj.pk = None
        host = None
        if host_id is not None:
            row = (ImportedComment.objects.filter(site=self.site, source=self.source, source_id=host_id)
                   .select_related("comment").first())
            host = row.comment if row is not None else None
        if host is not None:
            obj.parent = host
            obj.root_id = host.root_id or host.pk
            obj.depth = min(host.depth + 1, MAX_DEPTH)
        decision = None
        if obj.status == Status.PUBLISHED:
            obj.status = Status.PENDING  # as the pipeline sees a comment being posted
            try:
                decision = pipeline.moderate(site=self.site, comment=obj, acknowledged_warning=True,
                                             enforce_limits=False, now=obj.created)
            except ValidationFailed as exc:  # longer than the live limit, say
                decision = pipeline.Decision(pipeline.Action.HOLD, notes=[exc.message])
            obj.flagged = decision.flagged
            obj.reasons = decision.reasons
            obj.moderation = {**decision.record(), "imported": self.source, "source_id": c.id}
            if decision.status == Status.PUBLISHED:
                obj.status = Status.PUBLISHED
            else:
                self.report.held += 1  # held, whatever the pipeline proposed: a moderator decides
        obj.save(force_insert=True)
        obj.path = (host.path if host is not None else "") + path_segment(obj.pk)
        Comment.objects.filter(pk=obj.pk).update(path=obj.path)
        if decision is not None:
            _record_moderated(self.site, obj, decision)
        elif obj.status != Status.REJECTED:
            self._index([obj])
        ImportedComment.objects.create(site=self.site, source=self.source, source_id=c.id, comment=obj)
        self.report.states[_state_word(Status(obj.status))] += 1
        self.report.comments += 1


def _record_moderated(site: Site, comment: Comment, decision: Any) -> None:
    """What the pipeline records once a comment is stored: the near-duplicate index and the
    flame war it belongs to."""
    flamewar.record_comment(site=site, comment=comment, decision=decision, created=True)


def _state_word(status: str) -> str:
    return {Status.PUBLISHED: "published", Status.PENDING: "pending", Status.REJECTED: "spam/rejected",
            Status.DELETED: "deleted"}.get(Status(status), str(status))


def _adjust_visible_replies(comment_id: int, delta: int) -> None:
    """An earlier-imported (or live) parent gained visible replies: its count, and, if that made
    a deleted parent visible again, its own parent's, up the chain."""
    while comment_id and delta:
        node = Comment.objects.select_for_update().only("id", "status", "reply_count", "parent_id").get(pk=comment_id)
        was = node.is_visible
        node.reply_count = max(0, node.reply_count + delta)
        Comment.objects.filter(pk=node.pk).update(reply_count=node.reply_count)
        if node.is_visible == was or not node.parent_id:
            return
        comment_id, delta = node.parent_id, (1 if node.is_visible else -1)


def _reset_sequence() -> None:
    """After inserting explicit ids (townhall format), PostgreSQL's sequence must move past them."""
    if connection.vendor != "postgresql":
        return
    table = Comment._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"GREATEST((SELECT MAX(id) FROM {table}), 1))"
        )


def thread_recount(thread: Thread) -> None:
    """Recompute a thread's derived numbers from its rows: each comment's visible replies
    (bottom up: a deleted comment is visible while it has visible replies), the thread's count
    of published comments, and a new version."""
    rows = list(Comment.objects.filter(thread=thread).values_list("id", "parent_id", "status", "depth", "reply_count"))
    rows.sort(key=lambda r: -r[3])
    counts: Counter[int] = Counter()
    changed = []
    for cid, parent_id, status, _depth, stored in rows:
        visible = status == Status.PUBLISHED or (status == Status.DELETED and counts[cid] > 0)
        if visible and parent_id:
            counts[parent_id] += 1
        if counts[cid] != stored:
            changed.append((counts[cid], cid))
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {Comment._meta.db_table} SET reply_count = %s WHERE id = %s", changed)  # noqa: S608
    published = sum(1 for r in rows if r[2] == Status.PUBLISHED)
    Thread.objects.filter(pk=thread.pk).update(comment_count=published, version=F("version") + 1)


def thread_counts_true(thread: Thread) -> tuple[int, int]:
    """(published comments, visible comments) counted from the rows, for checks and tests."""
    qs = Comment.objects.filter(thread=thread)
    return qs.filter(status=Status.PUBLISHED).count(), qs.filter(VISIBLE).count()


def now_utc() -> datetime:
    return datetime.now(tz=UTC)
