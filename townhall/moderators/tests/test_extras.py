"""Moderators and the issue-15 features: a thread's conversations shown open or collapsed
(audited), quote marks in the queue, and featuring through the one service that sends
COMMENT_FEATURED."""

from __future__ import annotations

from typing import Any

from townhall.comments import events
from townhall.comments.models import Comment, Site, Thread
from townhall.comments.tests.factories import make_comment
from townhall.moderators.models import AuditLog
from townhall.moderators.tests.conftest import People, held, signed_in


def test_a_moderator_shows_a_threads_conversations_open_audited(site: Site, client: Any, people: People) -> None:
    thread = make_comment(site, text="Top.").thread
    version = thread.version
    response = signed_in(people.moderator).post(f"/moderate/threads/{thread.pk}/conversations-open/")
    assert response.status_code in (200, 302)
    thread.refresh_from_db()
    assert thread.conversations_open and thread.version > version
    page = client.get("/api/v1/threads", {"site": "blog", "url": thread.url}).json()
    assert page["thread"]["conversations_open"] is True
    signed_in(people.moderator).post(f"/moderate/threads/{thread.pk}/conversations-close/")
    assert not Thread.objects.get(pk=thread.pk).conversations_open
    entries = AuditLog.objects.filter(target_type="thread", target_id=thread.pk).order_by("id")
    assert [(e.action, e.before, e.after) for e in entries] == [
        ("thread.conversations_open", {"conversations_open": False}, {"conversations_open": True}),
        ("thread.conversations_close", {"conversations_open": True}, {"conversations_open": False}),
    ]
    # A reader cannot.
    assert signed_in(people.nobody).post(f"/moderate/threads/{thread.pk}/conversations-open/").status_code in (302, 403, 404)
    assert not Thread.objects.get(pk=thread.pk).conversations_open


def test_the_queue_shows_quote_marks(site: Site, people: People) -> None:
    comment = held(site, text="He said “this is a passage of more than eight words long here”.")
    Comment.objects.filter(pk=comment.pk).update(quotes=[{
        "kind": "missing", "quote": "this is a passage of more than eight words long here", "passage": "",
        "score": 0, "comment": None, "author": ""}])
    html = signed_in(people.moderator).get("/moderate/queue/pending/").content.decode()
    item = html[html.index(f'data-id="{comment.pk}"'):]
    marks = item[item.index('<ul class="quote-marks"'):]
    marks = marks[: marks.index("</ul>")]
    assert '<span class="badge badge-quote-missing">not in this article</span>' in marks
    assert "this is a passage of more than eight words long here" in marks


def test_featuring_sends_comment_featured_once(site: Site, people: People, monkeypatch: Any) -> None:
    from townhall.moderators import services

    seen: list[int] = []
    monkeypatch.setitem(events.DURABLE, events.Event.COMMENT_FEATURED, [lambda c: seen.append(c.pk)])
    comment = make_comment(site, text="Worth reading.")
    services.comment_set_featured(moderator=people.moderator, comment=comment, featured=True)
    services.comment_set_featured(moderator=people.moderator, comment=comment, featured=True)  # already a pick
    services.comment_set_featured(moderator=people.moderator, comment=comment, featured=False)
    assert seen == [comment.pk]


def test_a_moderator_replaces_the_article_text_audited_and_quotes_are_checked_again(
    site: Site, people: People, django_capture_on_commit_callbacks: Any
) -> None:
    quoting = make_comment(site, text="He wrote “the graffiti campaign began two months ago in the old city”.")
    thread = quoting.thread
    client = signed_in(people.moderator)
    assert "none yet" in client.get(f"/moderate/threads/{thread.pk}/health/").content.decode()
    empty = client.post(f"/moderate/threads/{thread.pk}/article/", {"text": "  "})
    assert empty.status_code in (200, 302, 422) and not Thread.objects.get(pk=thread.pk).article_hash
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/moderate/threads/{thread.pk}/article/",
                    {"text": "The graffiti campaign began two months ago in the old city, he said."})
    thread.refresh_from_db()
    entry = AuditLog.objects.get(action="thread.article", target_id=thread.pk)
    assert entry.before == {"article_hash": ""} and entry.after == {"article_hash": thread.article_hash}
    assert Comment.objects.get(pk=quoting.pk).quotes[0]["kind"] == "article"
    assert "from the moderator" in client.get(f"/moderate/threads/{thread.pk}/health/").content.decode()
