"""Writes racing each other on real connections (one per thread, committed transactions): a
delete against replies under the same comment (PostgreSQL answered "deadlock detected" when the
two took the thread and the comment in opposite orders), votes on one comment, and the first
comments on a new page. No error, no lost write, every derived count true."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from townhall.comments.models import Comment, Site, Status, Thread
from townhall.comments.services import comment_delete, comment_vote, site_create
from townhall.comments.tests.factories import make_comment
from townhall.core import tokens
from townhall.core.errors import ValidationFailed
from townhall.core.testing import ORIGIN, PAGE

pytestmark = pytest.mark.usefixtures("concurrent_db")


@pytest.fixture
def site(concurrent_db: None) -> Site:
    return site_create(slug="blog", name="A blog", origins=[ORIGIN])


def race(*jobs: Callable[[], Any]) -> list[BaseException]:
    """Run the jobs at once (released together by a barrier); return what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as exc:  # noqa: BLE001 - every failure is the finding
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_deleting_a_comment_while_replies_to_it_arrive_never_deadlocks(site: Site) -> None:
    root = make_comment(site, text="The root")
    for round_ in range(12):
        parent = make_comment(site, parent=root, text=f"Parent {round_}")
        token = tokens.edit_token_issue(parent.pk)
        replies = [lambda i=i, p=parent: make_comment(site, parent=p, text=f"Reply {i}") for i in range(3)]
        delete = functools.partial(comment_delete, comment_id=parent.pk, edit_token=token)
        errors = race(delete, *replies)
        # A reply checked after the delete is refused in words (422 on parent); nothing else.
        assert all(isinstance(e, ValidationFailed) and e.errors[0].field == "parent" for e in errors), errors
    # Every count still true after the races: visible replies per comment, the thread's total.
    for comment in Comment.objects.all():
        visible = Comment.objects.filter(parent=comment).exclude(status__in=[Status.REJECTED, Status.PENDING])
        visible_count = sum(1 for c in visible if c.is_visible)
        assert comment.reply_count == visible_count, comment.pk
    thread = Thread.objects.get()
    assert thread.comment_count == Comment.objects.filter(status=Status.PUBLISHED).count()


def test_votes_racing_on_one_comment_all_count(site: Site, settings: Any) -> None:
    settings.VOTES_PER_IP = 100
    comment = make_comment(site, text="Vote on me")
    readers = [tokens.reader_id(tokens.reader_token_issue()) for _ in range(8)]
    errors = race(*[lambda r=r: comment_vote(comment_id=comment.pk, reader=r, ip="192.0.2.1", value=1) for r in readers])
    assert not errors, errors
    comment.refresh_from_db()
    assert (comment.upvotes, comment.score) == (8, 8)


def test_first_comments_on_a_new_page_share_one_thread(site: Site) -> None:
    url = PAGE + "-new"
    errors = race(*[lambda i=i: make_comment(site, url=url, text=f"First {i}") for i in range(6)])
    assert not errors, errors
    thread = Thread.objects.get(url=url)
    assert thread.comment_count == 6 == Comment.objects.filter(thread=thread).count()
