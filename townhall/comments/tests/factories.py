"""Factories for comment data. Comments are made through the store's own check and insert
(`comment_check`, `comment_insert`), so every derived number (paths, counts, versions) is what the
product itself would write; they skip the moderation pipeline, which sits a layer above. Tests
that want the pipeline post through the API or townhall.posting."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from townhall.comments.models import Comment, Site, Status, Thread
from townhall.comments.services import comment_check, comment_insert
from townhall.core.testing import PAGE


def make_comment(
    site: Site, *, parent: Comment | None = None, url: str = PAGE, status: Status = Status.PUBLISHED,
    **kwargs: Any,
) -> Comment:
    """A comment as the store would write it, published unless `status` says otherwise."""
    kwargs.setdefault("text", "A comment.")
    kwargs.setdefault("author_name", "Reader")
    draft = comment_check(site=site, url=url, parent_id=parent.pk if parent else None, **kwargs)
    with transaction.atomic():
        return comment_insert(draft=draft, status=status)


def bulk_thread(site: Site, *, top_level: int = 0, replies_to_first: int = 0, url: str = PAGE) -> Thread:
    """A large thread written straight to the table: 100,000 service calls would take minutes,
    and even the ORM's bulk_create spends ~15 s building model instances. Paths, depths and
    counts are filled in exactly as the services would leave them."""
    from django.db import connection
    from django.db.models import Max

    from townhall.comments.models import path_segment

    start = (Comment.objects.aggregate(m=Max("id"))["m"] or 0) + 1_000_000
    thread = Thread.objects.create(site=site, url=url, title="Big")
    json_cast = "::jsonb" if connection.vendor == "postgresql" else ""
    columns = (
        "id, thread_id, parent_id, depth, path, author_name, author_website, author_email, author_key, "
        "author_token, notify, text, html, status, reply_count, score, upvotes, downvotes, report_count, "
        "flagged, reasons, moderation, featured, ip_truncated, created, quotes"
    )
    values = ", ".join(["%s"] * 20 + [f"%s{json_cast}", f"%s{json_cast}", "%s", "%s", "%s", f"%s{json_cast}"])
    sql = f"INSERT INTO comments_comment ({columns}) VALUES ({values})"  # noqa: S608 (constants only)

    def row(pk: int, parent_id: int | None, parent_path: str, replies: int = 0) -> tuple[Any, ...]:
        return (
            pk, thread.pk, parent_id, 1 if parent_id else 0, parent_path + path_segment(pk), f"a{pk % 97}", "", "",
            f"{pk % 97:032d}", "", False, "x", "<p>x</p>", Status.PUBLISHED, replies, pk % 7, pk % 7, 0, 0,
            False, "[]", "{}", False, False, thread.created, "[]",
        )

    first_path = path_segment(start)
    rows = [row(start, None, "", replies_to_first)]
    rows += [row(start + i, None, "") for i in range(1, top_level)]
    base = start + max(top_level, 1)
    rows += [row(base + i, start, first_path) for i in range(replies_to_first)]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    thread.comment_count = len(rows)
    thread.save(update_fields=["comment_count"])
    return thread
