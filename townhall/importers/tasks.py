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

from django.db import transaction
from django_tasks import task

from townhall.comments.models import Comment, Status
from townhall.importers.bulk import bulk_writing, insert_shingles, shingle_rows
from townhall.moderation.models import Shingle

PER_TRANSACTION = 250  # comments (about 10,000 index rows): a live SQLite site waits for one at most


@task()
def index_imported(site_id: int, comment_ids: list[int]) -> int:
    """Put imported comments into the near-duplicate index; returns how many have index rows.
    Idempotent: a comment's rows are replaced, so a task run twice (or after an edit, which
    re-indexed the comment already) stores the same rows once. Rejected and removed comments
    stay out, as live ones do."""
    with bulk_writing():
        return _index(site_id, comment_ids)


def _index(site_id: int, comment_ids: list[int]) -> int:
    indexed = 0
    for i in range(0, len(comment_ids), PER_TRANSACTION):
        ids = comment_ids[i:i + PER_TRANSACTION]
        with transaction.atomic():
            comments: Iterable[tuple[int, str, datetime]] = (
                Comment.objects.filter(pk__in=ids, thread__site_id=site_id)
                .exclude(status=Status.REJECTED).values_list("id", "text", "created")
            )
            rows: list[tuple[int, int, int, Any]] = []
            for pk, text, created in comments:
                mine = shingle_rows(site_id, pk, text, created)
                indexed += bool(mine)
                rows.extend(mine)
            Shingle.objects.filter(comment_id__in=ids).delete()
            insert_shingles(rows)
    return indexed
