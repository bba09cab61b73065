from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from townhall.comments.models import Comment, Report, Site, Status, Thread, Vote
from townhall.comments.services import (
    author_key,
    comment_delete,
    comment_set_status,
    comment_vote,
    site_update,
    thread_set_closed,
)
from townhall.comments.tests.factories import make_comment
from townhall.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from townhall.core.testing import PAGE
from townhall.posting.services import comment_create, comment_edit, comment_report

pytestmark = pytest.mark.django_db


def create(site: Site, **kwargs: object):  # type: ignore[no-untyped-def]
    kwargs.setdefault("text", "Hello")
    return comment_create(site=site, url=PAGE, **kwargs)  # type: ignore[arg-type]


def test_create_publishes_and_counts(site: Site) -> None:
    written = create(site, author_name="Ann", author_email="ann@example.com", ip="10.1.2.3")
    c = written.comment
    assert written.published and written.edit_token
    assert c.status == Status.PUBLISHED and c.depth == 0 and c.path == f"{c.pk:012d}"
    assert c.html == "<p>Hello</p>"
    # A typed (unconfirmed) email is no identity: without a reader token the key is the client's.
    assert c.author_key != author_key(email="ann@example.com", name="Ann")
    thread = Thread.objects.get()
    assert thread.comment_count == 1 and thread.url == PAGE
    assert create(site, author_name="ann ", ip="10.1.2.3").comment.author_key == c.author_key
    assert create(site, author_name="Ann", author_email="ann@example.com", ip="10.9.9.9").comment.author_key != c.author_key


def test_reply_gets_true_parent_depth_and_path(site: Site) -> None:
    root = make_comment(site)
    child = make_comment(site, parent=root)
    grandchild = make_comment(site, parent=child)
    assert grandchild.parent_id == child.pk and grandchild.depth == 2
    assert grandchild.path.startswith(child.path) and child.path.startswith(root.path)
    root.refresh_from_db()
    assert root.reply_count == 1


def test_every_bad_field_is_named_at_once(site: Site) -> None:
    site_update(site=site, require_name=True, require_email=True)
    with pytest.raises(ValidationFailed) as exc:
        comment_create(site=site, url="https://evil.example/x", text="  ", author_email="nope",
                       author_website="javascript:alert(1)", parent_id=999999)
    fields = {e.field for e in exc.value.errors}
    assert fields == {"url", "text", "author_name", "author_email", "author_website", "parent"}
    assert Comment.objects.count() == 0


def test_reply_to_a_comment_of_another_thread_is_refused(site: Site) -> None:
    other = make_comment(site, url="https://blog.example/other")
    with pytest.raises(ValidationFailed) as exc:
        create(site, parent_id=other.pk)
    assert exc.value.errors[0].code == "wrong_thread"


def test_text_length_limit(site: Site) -> None:
    with pytest.raises(ValidationFailed) as exc:
        create(site, text="x" * 10_001)
    assert exc.value.errors[0].code == "too_long"


def test_website_without_scheme_is_completed(site: Site) -> None:
    assert create(site, author_website="example.org/me").comment.author_website == "https://example.org/me"


def test_closed_thread_refuses_comments(site: Site) -> None:
    first = make_comment(site)
    thread_set_closed(thread=first.thread, closed=True)
    with pytest.raises(Forbidden) as exc:
        create(site)
    assert exc.value.code == "thread_closed"


def test_threads_close_after_the_sites_days(site: Site) -> None:
    site_update(site=site, close_after_days=3)
    first = make_comment(site)
    Thread.objects.filter(pk=first.thread_id).update(created=timezone.now() - timedelta(days=4))
    with pytest.raises(Forbidden):
        create(site)


def test_premoderated_site_holds_and_keeps_count_of_visible_only(site: Site) -> None:
    site_update(site=site, premoderate=True)
    written = create(site)
    assert not written.published and written.comment.status == Status.PENDING
    assert Thread.objects.get().comment_count == 0
    comment_set_status(comment=written.comment, status=Status.PUBLISHED)
    assert Thread.objects.get().comment_count == 1


def test_edit_within_window_marks_edited_and_rerenders(site: Site) -> None:
    written = create(site, text="first")
    edited = comment_edit(comment_id=written.comment.pk, edit_token=written.edit_token, text="**second**")
    assert edited.comment.html == "<p><strong>second</strong></p>" and edited.comment.edited


def test_edit_after_window_is_forbidden(site: Site) -> None:
    written = create(site)
    later = timezone.now().timestamp() + 16 * 60
    with mock.patch("django.core.signing.time.time", return_value=later), pytest.raises(Forbidden) as exc:
        comment_edit(comment_id=written.comment.pk, edit_token=written.edit_token, text="late")
    assert exc.value.code == "edit_window_closed"


def test_token_of_another_comment_does_not_open_this_one(site: Site) -> None:
    a, b = create(site), create(site)
    with pytest.raises(Forbidden) as exc:
        comment_edit(comment_id=b.comment.pk, edit_token=a.edit_token, text="hijack")
    assert exc.value.code == "edit_token_invalid"
    with pytest.raises(Forbidden):
        comment_delete(comment_id=b.comment.pk, edit_token="forged:token")


def test_delete_without_replies_hides_and_uncounts(site: Site) -> None:
    written = create(site)
    comment_delete(comment_id=written.comment.pk, edit_token=written.edit_token)
    c = Comment.objects.get()
    assert c.status == Status.DELETED and not c.is_visible
    assert Thread.objects.get().comment_count == 0
    with pytest.raises(Conflict):
        comment_delete(comment_id=c.pk, edit_token=written.edit_token)


def test_delete_with_replies_keeps_its_place_until_the_replies_go(site: Site) -> None:
    parent = create(site)
    reply = create(site, parent_id=parent.comment.pk)
    comment_delete(comment_id=parent.comment.pk, edit_token=parent.edit_token)
    p = Comment.objects.get(pk=parent.comment.pk)
    assert p.status == Status.DELETED and p.is_visible
    assert Thread.objects.get().comment_count == 1
    comment_delete(comment_id=reply.comment.pk, edit_token=reply.edit_token)
    p.refresh_from_db()
    assert not p.is_visible and Thread.objects.get().comment_count == 0


def test_hiding_ripples_up_a_chain_of_deleted_comments(site: Site) -> None:
    a = create(site)
    b = create(site, parent_id=a.comment.pk)
    c = create(site, parent_id=b.comment.pk)
    comment_delete(comment_id=a.comment.pk, edit_token=a.edit_token)
    comment_delete(comment_id=b.comment.pk, edit_token=b.edit_token)
    assert Comment.objects.get(pk=a.comment.pk).is_visible
    comment_delete(comment_id=c.comment.pk, edit_token=c.edit_token)
    assert not Comment.objects.get(pk=a.comment.pk).is_visible
    assert not Comment.objects.get(pk=b.comment.pk).is_visible


def test_votes_are_one_per_reader_and_changeable(site: Site) -> None:
    c = make_comment(site)
    version = Thread.objects.get().version
    assert comment_vote(comment_id=c.pk, reader="r1", ip="1.1.1.1", value=1).score == 1
    assert comment_vote(comment_id=c.pk, reader="r1", ip="1.1.1.1", value=1).score == 1
    after = comment_vote(comment_id=c.pk, reader="r1", ip="1.1.1.1", value=-1)
    assert (after.score, after.upvotes, after.downvotes) == (-1, 0, 1)
    assert comment_vote(comment_id=c.pk, reader="r1", ip="1.1.1.1", value=0).score == 0
    assert Vote.objects.count() == 0
    assert Thread.objects.get().version > version


def test_votes_need_a_token_and_are_capped_per_address(site: Site, settings: object) -> None:
    c = make_comment(site)
    with pytest.raises(Forbidden):
        comment_vote(comment_id=c.pk, reader=None, ip="1.1.1.1", value=1)
    for i in range(3):
        comment_vote(comment_id=c.pk, reader=f"r{i}", ip="2.2.2.2", value=1)
    with pytest.raises(Forbidden) as exc:
        comment_vote(comment_id=c.pk, reader="r9", ip="2.2.2.2", value=1)
    assert exc.value.code == "ip_vote_limit"
    assert comment_vote(comment_id=c.pk, reader="r9", ip="3.3.3.3", value=1).score == 4


def test_no_voting_on_own_comment(site: Site) -> None:
    c = make_comment(site, reader="me")
    with pytest.raises(Forbidden):
        comment_vote(comment_id=c.pk, reader="me", ip="1.1.1.1", value=1)


def test_reports_are_once_per_reporter(site: Site) -> None:
    c = make_comment(site)
    comment_report(comment_id=c.pk, reader="r1", ip="1.1.1.1", reason="abuse")
    comment_report(comment_id=c.pk, reader="r1", ip="1.1.1.1", reason="spam")
    comment_report(comment_id=c.pk, reader=None, ip="1.1.1.1", reason="spam")
    assert Report.objects.count() == 2
    assert Comment.objects.get().report_count == 2
    with pytest.raises(ValidationFailed):
        comment_report(comment_id=c.pk, reader="r2", ip="1.1.1.1", reason="meh")
    with pytest.raises(NotFound):
        comment_report(comment_id=123456, reader="r2", ip="1.1.1.1", reason="spam")


def test_no_notification_without_opt_in(site: Site, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    parent = make_comment(site, author_email="ann@example.com", notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        create(site, parent_id=parent.pk)
    assert mail.outbox == []
