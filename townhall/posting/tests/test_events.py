"""Durable consumers run inside the writing transaction (a rollback takes their task row with it);
the others only after the commit. Reports are an event of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from townhall.comments import events
from townhall.comments.models import Comment, Site
from townhall.core.testing import PAGE
from townhall.posting.services import comment_create, comment_report

seen: list[tuple[str, int]] = []


def _durable(comment: Comment) -> None:
    seen.append(("durable", comment.pk))


def _after(comment: Comment) -> None:
    seen.append(("after", comment.pk))


@pytest.fixture
def consumers() -> Iterator[None]:
    seen.clear()
    for event in (events.Event.COMMENT_PUBLISHED, events.Event.COMMENT_REPORTED):
        events.subscribe(event, _durable, durable=True)
        events.subscribe(event, _after)
    yield
    for registry in (events.DURABLE, events.AFTER_COMMIT):
        for consumers in registry.values():
            for c in (_durable, _after):
                if c in consumers:
                    consumers.remove(c)


@pytest.mark.django_db(transaction=True)
def test_durable_runs_in_the_transaction_and_the_rest_after_commit(site: Site, consumers: None) -> None:
    with transaction.atomic():
        comment = comment_create(site=site, url=PAGE, text="A first, calm comment about the article.", ip="10.0.0.1").comment
        assert seen == [("durable", comment.pk)]
    assert seen == [("durable", comment.pk), ("after", comment.pk)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_runs_no_after_commit_consumer(site: Site, consumers: None) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        comment_create(site=site, url=PAGE, text="A comment whose transaction fails.", ip="10.0.0.1")
        raise RuntimeError
    assert [kind for kind, _ in seen] == ["durable"]


@pytest.mark.django_db(transaction=True)
def test_a_report_is_an_event_once_per_reader(site: Site, consumers: None) -> None:
    comment = comment_create(site=site, url=PAGE, text="Something a reader will report.", ip="10.0.0.1").comment
    seen.clear()
    for _ in range(2):
        comment_report(comment_id=comment.pk, reader="reader-1", ip="10.0.0.2", reason="spam")
    assert seen == [("durable", comment.pk), ("after", comment.pk)]
