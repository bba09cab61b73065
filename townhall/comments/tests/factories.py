"""Factories for comment data. Comments are made through `comment_create`, so every derived
number (paths, counts, versions) is what the product itself would write."""

from __future__ import annotations

from typing import Any

import factory

from townhall.comments.models import Comment, Site, Status, Thread
from townhall.comments.services import comment_create, site_create
from townhall.conftest import PAGE


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    slug = factory.Sequence(lambda n: f"site{n}")
    name = factory.Sequence(lambda n: f"Site {n}")

    @classmethod
    def _create(cls, model_class: type[Site], *args: Any, **kwargs: Any) -> Site:
        origins = kwargs.pop("origins", ["https://blog.example"])
        return site_create(origins=origins, **kwargs)


def make_comment(site: Site, *, parent: Comment | None = None, url: str = PAGE, **kwargs: Any) -> Comment:
    kwargs.setdefault("text", "A comment.")
    kwargs.setdefault("author_name", "Reader")
    kwargs.setdefault("moderate", False)
    return comment_create(site=site, url=url, parent_id=parent.pk if parent else None, **kwargs).comment


def bulk_thread(site: Site, *, top_level: int = 0, replies_to_first: int = 0, url: str = PAGE) -> Thread:
    """A large thread written straight to the table (100,000 service calls would take minutes).
    Paths, depths and counts are filled in exactly as the services would leave them."""
    from django.db.models import Max

    start = (Comment.objects.aggregate(m=Max("id"))["m"] or 0) + 1_000_000
    thread = Thread.objects.create(site=site, url=url, title="Big")
    rows: list[Comment] = []

    def row(pk: int, parent: Comment | None) -> Comment:
        from townhall.comments.models import path_segment

        return Comment(
            id=pk, thread=thread, parent=parent, depth=(parent.depth + 1) if parent else 0,
            path=(parent.path if parent else "") + path_segment(pk), author_name=f"a{pk % 97}",
            author_key=f"{pk % 97:032d}", text="x", html="<p>x</p>", status=Status.PUBLISHED,
            created=thread.created, score=pk % 7,
        )

    first = row(start, None)
    first.reply_count = replies_to_first
    rows.append(first)
    rows += [row(start + i, None) for i in range(1, top_level)]
    base = start + max(top_level, 1)
    rows += [row(base + i, first) for i in range(replies_to_first)]
    Comment.objects.bulk_create(rows, batch_size=5000)
    thread.comment_count = len(rows)
    thread.save(update_fields=["comment_count"])
    return thread
