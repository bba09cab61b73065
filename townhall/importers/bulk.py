"""Bulk writing shared by the import and its background task: the near-duplicate index rows
a comment gets (the same as `moderation.duplicates.index_comment` stores), inserted in hash order,
and the SQLite settings a long run of inserts uses on its connection."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db import connection

from townhall.moderation.duplicates import shingles
from townhall.moderation.models import Shingle

SHINGLE_INSERT = (
    f'INSERT INTO "{Shingle._meta.db_table}" (site_id, comment_id, hash, created) VALUES (%s, %s, %s, %s)'  # noqa: S608
)
_CREATED = Shingle._meta.get_field("created")


def shingle_rows(site_id: int, comment_id: int, text: str, created: datetime) -> list[tuple[int, int, int, Any]]:
    """The rows `moderation.duplicates.index_comment` would store for this comment."""
    hashes = shingles(text)
    if not hashes:
        return []
    stored = _CREATED.get_db_prep_save(created, connection)
    return [(site_id, comment_id, h, stored) for h in hashes]


def insert_shingles(rows: list[tuple[int, int, int, Any]], chunk: int = 20_000) -> None:
    """Insert index rows ordered by hash: the (site, hash, created) B-tree then takes them page
    after page instead of at random places, which is what costs on a big index."""
    rows.sort(key=lambda r: r[2])
    with connection.cursor() as cur:
        for i in range(0, len(rows), chunk):
            cur.executemany(SHINGLE_INSERT, rows[i:i + chunk])


@contextlib.contextmanager
def bulk_writing() -> Iterator[None]:
    """SQLite, on this connection while an import or its index task writes, put back
    afterwards: a 16 MiB page cache (with the default 2 MiB the inserts into the comment and
    index B-trees spill and re-read pages; more than 16 MiB bought nothing measurable at 100,000
    comments and only grows the process), and a WAL checkpoint every 16,000 pages instead of 1,000 (each checkpoint
    syncs the database file; the WAL grows to about 64 MiB in between). Neither changes what a
    crash can lose. `synchronous` stays as it is (NORMAL under WAL): OFF would let a power cut
    corrupt the whole site's database, not just lose this import."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        cache = cur.fetchone()[0]
        cur.execute("PRAGMA wal_autocheckpoint")
        checkpoint = cur.fetchone()[0]
        cur.execute("PRAGMA cache_size = -16384")
        cur.execute("PRAGMA wal_autocheckpoint = 16000")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {int(cache)}")
            cur.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint)}")
