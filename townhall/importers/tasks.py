"""Background work of imports, run by the task worker (django-tasks database backend).

An import writes the near-duplicate index rows of the comments the detector can compare
against right away (those inside the site's duplicate window) with the comments themselves; the
index rows of older imported comments, which no new comment can repeat until the window reaches
back to them, are written here afterwards. Each batch of the import enqueues one task for its
older comments inside its own transaction, so the task exists exactly when the comments do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django_tasks import task

from townhall.comments.models import Comment, Status
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


@task()
def index_imported(site_id: int, comment_ids: list[int]) -> int:
    """Put imported comments into the near-duplicate index; returns how many have index rows.
    Idempotent: a comment's rows are replaced, so a task run twice (or after an edit, which
    re-indexed the comment already) stores the same rows once. Rejected and removed comments
    stay out, as live ones do."""
    with transaction.atomic():
        comments: Iterable[tuple[int, str, datetime]] = (
            Comment.objects.filter(pk__in=comment_ids, thread__site_id=site_id)
            .exclude(status=Status.REJECTED).values_list("id", "text", "created")
        )
        rows: list[tuple[int, int, int, Any]] = []
        indexed = 0
        for pk, text, created in comments:
            mine = shingle_rows(site_id, pk, text, created)
            indexed += bool(mine)
            rows.extend(mine)
        Shingle.objects.filter(comment_id__in=comment_ids).delete()
        insert_shingles(rows)
    return indexed
