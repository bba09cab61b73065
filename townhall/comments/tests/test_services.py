"""The store's status changes keep every derived number true: thread counts, each comment's
count of visible replies, and which comments a reader sees (placeholders included)."""

import pytest
from django.db import transaction

from townhall.comments.models import VISIBLE, Comment, Site, Status, Thread
from townhall.comments.services import comment_check, comment_insert, comment_set_status
from townhall.comments.tests.factories import make_comment

pytestmark = pytest.mark.django_db


def visible() -> set[int]:
    return set(Comment.objects.filter(VISIBLE).values_list("id", flat=True))


def test_a_held_comment_with_published_replies_stays_visible_and_the_count_is_what_readers_see(
    site: Site,
) -> None:
    a = make_comment(site)
    b = make_comment(site, parent=a)
    c = make_comment(site, parent=b)
    comment_set_status(comment=a, status=Status.PENDING)
    comment_set_status(comment=b, status=Status.REJECTED)
    assert visible() == {a.pk, b.pk, c.pk}
    assert Thread.objects.get().comment_count == 1
    # The last published reply goes: the placeholders above it go too, all the way up.
    comment_set_status(comment=c, status=Status.PENDING)
    assert visible() == set() and Thread.objects.get().comment_count == 0
    assert Comment.objects.get(pk=a.pk).reply_count == 0
    # It comes back: so do they.
    comment_set_status(comment=c, status=Status.PUBLISHED)
    assert visible() == {a.pk, b.pk, c.pk}
    assert [Comment.objects.get(pk=x.pk).reply_count for x in (a, b)] == [1, 1]


def test_a_reply_inserted_under_a_held_comment_makes_it_a_placeholder(site: Site) -> None:
    a = make_comment(site)
    held = make_comment(site, parent=a, status=Status.PENDING)
    assert visible() == {a.pk}
    # As an import or a replay writes it: the parent was published when the reply was written.
    draft = comment_check(site=site, url=held.thread.url, text="Late reply", parent_id=held.pk, replaying=True)
    with transaction.atomic():
        reply = comment_insert(draft=draft, status=Status.PUBLISHED)
    assert visible() == {a.pk, held.pk, reply.pk}
    assert Comment.objects.get(pk=a.pk).reply_count == 1 and Thread.objects.get().comment_count == 2
