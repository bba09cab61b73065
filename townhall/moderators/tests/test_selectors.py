"""Who may moderate what, which comments each queue holds and in what order, and what an item
shows about its comment and author."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from townhall.comments.models import Comment, Site, Status
from townhall.comments.tests.factories import make_comment
from townhall.core.errors import Forbidden, NotFound
from townhall.moderation.decisions import Verdict
from townhall.moderators import selectors, services
from townhall.moderators.selectors import Queue, QueueFilter
from townhall.moderators.tests.conftest import People, held
from townhall.posting.services import comment_report


def test_can_moderate(site: Site, other_site: Site, people: People) -> None:
    assert selectors.can_moderate(people.moderator, site)
    assert selectors.can_moderate(people.admin, site.pk)
    assert selectors.can_moderate(people.superuser, other_site)
    assert not selectors.can_moderate(people.outsider, site)
    assert not selectors.can_moderate(people.nobody, site)
    assert not selectors.can_moderate(AnonymousUser(), site)
    assert not selectors.can_moderate(None, site)
    people.moderator.is_active = False
    assert not selectors.can_moderate(people.moderator, site)


def test_access_fetches_and_checks_in_one_call(site: Site, other_site: Site, people: People) -> None:
    comment = held(site, text="Mine to judge.")
    assert selectors.access_comment(people.moderator, comment.pk) == comment
    assert selectors.access_thread(people.moderator, comment.thread_id) == comment.thread
    assert selectors.access_site(people.moderator, "blog") == site
    assert selectors.access_site(people.admin, "blog", admin=True) == site
    with pytest.raises(Forbidden):
        selectors.access_comment(people.outsider, comment.pk)
    with pytest.raises(Forbidden):
        selectors.access_thread(AnonymousUser(), comment.thread_id)
    with pytest.raises(Forbidden):
        selectors.access_site(people.moderator, "blog", admin=True)
    with pytest.raises(Forbidden):
        selectors.access_comments(people.outsider, [comment.pk])
    with pytest.raises(NotFound):
        selectors.access_comment(people.moderator, comment.pk + 1000)
    with pytest.raises(NotFound):
        selectors.access_site(people.moderator, "nope")
    with pytest.raises(NotFound):
        selectors.access_flamewar(people.superuser, 12345)
    with pytest.raises(NotFound):
        selectors.access_site_member(people.admin, site, 10**9)


def test_my_sites_in_one_query(site: Site, other_site: Site, people: People,
                               django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        mine = selectors.my_sites(people.admin)
    assert (mine.sites, mine.is_admin) == ([site], True)
    assert selectors.my_sites(people.moderator).administered == set()
    assert selectors.my_sites(people.superuser).sites == sorted([site, other_site], key=lambda s: s.slug)
    assert selectors.my_sites(people.nobody).sites == []


def test_only_admins_administer(site: Site, people: People) -> None:
    assert selectors.is_site_admin(people.admin, site)
    assert selectors.is_site_admin(people.superuser, site)
    assert not selectors.is_site_admin(people.moderator, site)
    assert not selectors.is_site_admin(people.outsider, site)


def _ids(user: object, queue: Queue, **filters: object) -> list[int]:
    return [c.pk for c in selectors.queue_comments(user, queue, QueueFilter(**filters))]  # type: ignore[arg-type]


def test_each_queue_holds_its_comments(site: Site, people: People) -> None:
    pending = held(site, text="Waiting.")
    published = make_comment(site, text="Out.")
    flagged = make_comment(site, text="Flagged.")
    Comment.objects.filter(pk=flagged.pk).update(flagged=True, reasons=["language"])
    reported = make_comment(site, text="Reported.")
    comment_report(comment_id=reported.pk, reader="r1", ip="10.0.0.1", reason="abuse")
    rejected = held(site, text="Gone.")
    services.comment_decide(moderator=people.moderator, comment=rejected, verdict=Verdict.REJECT)

    user = people.moderator
    assert _ids(user, Queue.PENDING) == [pending.pk]
    assert _ids(user, Queue.FLAGGED) == [flagged.pk]
    assert _ids(user, Queue.REPORTED) == [reported.pk]
    assert set(_ids(user, Queue.APPROVED)) == {published.pk, flagged.pk, reported.pk}
    assert _ids(user, Queue.REJECTED) == [rejected.pk]
    # Deciding answers the reports: the comment leaves the reported queue.
    services.comment_decide(moderator=user, comment=reported, verdict=Verdict.APPROVE)
    assert _ids(user, Queue.REPORTED) == []


def test_most_likely_harmful_first(site: Site, people: People) -> None:
    mild = held(site, text="Mild.")
    spammy = held(site, text="Spam.")
    toxic = held(site, text="Toxic.")
    reported_mild = held(site, text="Mild but reported.")
    for c, scores, reports in ((mild, {"toxicity": 0.1, "spam": 0.2}, 0), (spammy, {"toxicity": 0.05, "spam": 0.9}, 0),
                               (toxic, {"toxicity": 0.95}, 0), (reported_mild, {"toxicity": 0.1, "spam": 0.2}, 3)):
        Comment.objects.filter(pk=c.pk).update(moderation={"scores": scores}, report_count=reports)
    unscored = held(site, text="Never scored.")
    assert _ids(people.moderator, Queue.PENDING) == [toxic.pk, spammy.pk, reported_mild.pk, mild.pk, unscored.pk]


def test_filters_by_site_thread_reason_and_search(site: Site, other_site: Site, people: People) -> None:
    a = held(site, text="About the oil fields.", author_name="Rudy1947")
    b = held(site, text="Something else.", author_name="Hind", url="https://blog.example/other-page")
    Comment.objects.filter(pk=b.pk).update(reasons=["toxicity", "repeat"])
    c = held(other_site, text="Oil elsewhere.", url="https://other.example/p")
    root = people.superuser
    assert set(_ids(root, Queue.PENDING)) == {a.pk, b.pk, c.pk}
    assert set(_ids(root, Queue.PENDING, site=site)) == {a.pk, b.pk}
    assert _ids(root, Queue.PENDING, thread=b.thread) == [b.pk]
    assert _ids(root, Queue.PENDING, reason="repeat") == [b.pk]
    assert _ids(root, Queue.PENDING, reason="language") == []
    assert set(_ids(root, Queue.PENDING, search="oil")) == {a.pk, c.pk}
    assert _ids(root, Queue.PENDING, search="rudy") == [a.pk]
    # A moderator never sees another site's comments, whatever the filters.
    assert set(_ids(people.moderator, Queue.PENDING, search="oil")) == {a.pk}


def test_an_item_shows_context_reasons_scores_and_history(site: Site, people: People) -> None:
    parent = make_comment(site, text="The parent.", author_name="Ann")
    before = make_comment(site, parent=parent, text="Earlier sibling.", author_name="Cy",
                          created=timezone.now() - timedelta(minutes=5))
    old = make_comment(site, text="Bob's first comment.", author_name="Bob", author_email="bob@example.com",
                       created=timezone.now() - timedelta(days=3))
    gone = held(site, text="Bob's rejected comment.", author_name="Bob", author_email="bob@example.com")
    services.comment_decide(moderator=people.moderator, comment=gone, verdict=Verdict.REJECT)
    comment = held(site, parent=parent, text="Bob again.", author_name="Bob", author_email="bob@example.com")
    Comment.objects.filter(pk=comment.pk).update(
        reasons=["toxicity", "new_author"], moderation={"scores": {"toxicity": 0.834, "spam": 0.02, "links": 2}})
    after = make_comment(site, parent=parent, text="Later sibling.", author_name="Di")

    [item] = selectors.queue_items(list(selectors.queue_comments(people.moderator, Queue.PENDING, QueueFilter())))
    assert item.parent == parent
    assert [c.pk for c in item.siblings_before] == [before.pk]
    assert [c.pk for c in item.siblings_after] == [after.pk]
    assert [(r.code, r.text) for r in item.reasons] == [
        ("toxicity", "reads as hostile or abusive"), ("new_author", "is among the first comments of a new author")]
    assert item.scores == [("hostility", 83), ("spam", 2)]
    assert (item.history.approved, item.history.rejected, item.history.pending) == (1, 1, 1)
    assert item.history.first_seen == old.created
    assert [c.pk for c in item.history.recent] == [gone.pk, old.pk]


def test_queue_counts(site: Site, people: People) -> None:
    held(site)
    held(site)
    assert selectors.queue_counts(people.moderator)["pending"] == 2
    assert selectors.queue_counts(people.outsider)["pending"] == 0
    assert all(c.status == Status.PENDING for c in Comment.objects.all())
