"""A reader's own data: my comments, the JSON copy, and erasure after the grace period, from the
widget's API and from the command line, reaching every copy and audited without the address."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from townhall.comments import events
from townhall.comments.events import Event
from townhall.comments.models import Comment, Conversation, Report, Site, Status, Vote
from townhall.comments.services import site_update
from townhall.comments.tests.factories import make_comment
from townhall.core import tokens
from townhall.core.testing import ORIGIN, PAGE, post_json
from townhall.identity.models import EmailAddress, ErasureRequest, ErasureState
from townhall.identity.selectors import email_digest
from townhall.identity.services import email_address_confirm, email_address_register, email_confirmation_token
from townhall.moderation.conversations import branch_conversations_refresh
from townhall.moderation.models import Shingle
from townhall.moderators import privacy, services
from townhall.moderators.models import AuditLog
from townhall.moderators.tests.conftest import People

pytestmark = pytest.mark.django_db
EMAIL = "ann.private@example.com"


def post(client: Client, token: str | None, text: str, **fields: Any) -> int:
    body = {"site": "blog", "url": PAGE, "text": text, "author_name": "Ann", **fields}
    headers = {"X-Townhall-Token": token} if token else {}
    r = post_json(client, "/api/v1/comments", body, **headers)
    assert r.status_code in (201, 202), r.content
    return int(r.json()["id"])


def scene(people: People) -> dict[str, Any]:
    """Ann posts two comments (one gets a reply from Bob), votes on Bob's and reports it; a
    moderator redacts her first one."""
    ann, bob = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    token = ann.post("/api/v1/tokens").json()["token"]
    bob_token = bob.post("/api/v1/tokens").json()["token"]
    answered = post(ann, token, "The council's budget is the real story here, not the vote.", author_email=EMAIL)
    alone = post(ann, token, "A second thought about the library closures in the east.", author_email=EMAIL)
    reply = post(bob, bob_token, "Agreed on the budget, it is what matters.", author_name="Bob", parent=answered)
    post_json(ann, f"/api/v1/comments/{reply}/votes", {"value": 1}, **{"X-Townhall-Token": token})
    post_json(ann, f"/api/v1/comments/{reply}/reports", {"reason": "other", "note": "Ann's note"},
              **{"X-Townhall-Token": token})
    services.comment_edit_text(moderator=people.moderator, comment=Comment.objects.get(pk=answered),
                            text="The council's budget is the real story.")
    return {"ann": ann, "token": token, "answered": answered, "alone": alone, "reply": reply}


def test_my_comments_and_the_json_copy(site: Site, people: People) -> None:
    s = scene(people)
    headers = {"X-Townhall-Token": s["token"]}
    mine = s["ann"].get("/api/v1/me/comments", {"site": "blog"}, headers=headers).json()["comments"]
    assert [c["id"] for c in mine] == [s["alone"], s["answered"]]
    export = s["ann"].get("/api/v1/me/export", {"site": "blog"}, headers=headers)
    assert export["Content-Disposition"].startswith("attachment")
    data = json.loads(export.content)
    assert [c["id"] for c in data["comments"]] == [s["answered"], s["alone"]]
    assert data["votes"] == [{"comment": s["reply"], "value": 1, "created": data["votes"][0]["created"]}]
    assert data["reports"][0]["note"] == "Ann's note"
    assert EMAIL not in export.content.decode() and "10.0.0.1" not in export.content.decode()
    assert AuditLog.objects.filter(action="privacy.export").exists()
    assert Client().get("/api/v1/me/comments", {"site": "blog"}).status_code == 404  # no token: nothing


def test_erasure_from_the_widget_waits_for_the_grace_period_then_reaches_every_copy(site: Site, people: People) -> None:
    site_update(site=site, erasure_grace_days=3)
    s = scene(people)
    headers = {"X-Townhall-Token": s["token"]}
    asked = post_json(s["ann"], "/api/v1/me/erasure", {"site": "blog", "confirm": True}, Origin=ORIGIN, **headers)
    assert asked.status_code == 202
    due = ErasureRequest.objects.get().due
    assert timedelta(days=2, hours=23) < due - timezone.now() <= timedelta(days=3)
    assert s["ann"].get("/api/v1/me", {"site": "blog"}, headers=headers).json()["erasure_due"]
    assert privacy.erasures_due(now=due - timedelta(minutes=1)) == 0
    assert Comment.objects.filter(pk=s["alone"]).exists()

    assert privacy.erasures_due(now=due + timedelta(minutes=1)) == 1
    assert not Comment.objects.filter(pk=s["alone"]).exists()
    kept = Comment.objects.get(pk=s["answered"])
    assert kept.status == Status.DELETED and kept.text == "" and kept.author_name == "" and kept.author_email == ""
    assert "original_text" not in kept.moderation and not kept.author_token
    assert not Shingle.objects.filter(comment_id__in=[s["answered"], s["alone"]]).exists()
    assert Shingle.objects.filter(comment_id=s["reply"]).exists()  # Bob's stays
    vote, report = Vote.objects.get(), Report.objects.get()
    assert vote.voter.startswith("erased:") and vote.value == 1 and Comment.objects.get(pk=s["reply"]).score == 1
    assert report.reporter.startswith("erased:") and report.note == ""
    redaction = AuditLog.objects.get(action="comment.edit")
    assert "budget" not in json.dumps([redaction.before, redaction.after])
    thread = s["ann"].get("/api/v1/threads", {"site": "blog", "url": PAGE}).json()
    assert thread["comments"][0]["status"] == "deleted" and thread["comments"][0]["author"] is None
    log = json.dumps(list(AuditLog.objects.filter(action__startswith="privacy.").values("before", "after")))
    assert EMAIL not in log and ErasureRequest.objects.get().state == ErasureState.DONE


def test_a_change_of_mind_cancels_the_erasure(site: Site, people: People) -> None:
    s = scene(people)
    headers = {"X-Townhall-Token": s["token"]}
    post_json(s["ann"], "/api/v1/me/erasure", {"site": "blog", "confirm": True}, **headers)
    cancelled = s["ann"].delete("/api/v1/me/erasure?site=blog", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert privacy.erasures_due(now=timezone.now() + timedelta(days=400)) == 0
    assert Comment.objects.filter(pk=s["alone"]).exists()


def test_the_command_line_exports_and_erases_by_email_after_the_grace_period(site: Site, people: People) -> None:
    s = scene(people)
    out = StringIO()
    call_command("privacy", "export", "--email", EMAIL.upper(), "--site", "blog", stdout=out)
    assert {c["id"] for c in json.loads(out.getvalue())["comments"]} == {s["answered"], s["alone"]}
    out = StringIO()
    call_command("privacy", "erase", "--email", EMAIL, "--site", "blog", stdout=out)
    assert "erasure scheduled" in out.getvalue()
    request = ErasureRequest.objects.get()
    assert request.email_digest == email_digest(EMAIL) and EMAIL not in str(request.__dict__)
    call_command("privacy", "run", stdout=StringIO())
    assert Comment.objects.filter(pk=s["alone"]).exists()  # not due yet
    ErasureRequest.objects.update(due=timezone.now() - timedelta(seconds=1))  # the grace period passes
    out = StringIO()
    call_command("privacy", "run", stdout=out)
    assert "erasures carried out: 1" in out.getvalue()
    assert not Comment.objects.filter(pk=s["alone"]).exists()
    assert not Comment.objects.filter(author_email__iexact=EMAIL).exists()
    assert Vote.objects.get().voter.startswith("erased:")  # found through the browser that posted


def test_erasure_reaches_conversation_lines_and_tells_live_pages_and_webhooks(
    site: Site, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    top = make_comment(site, text="Top.", author_name="Top")
    people = [("Ann", EMAIL), ("Bob", "bob@example.org"), ("Kim", "kim@example.org")]
    replies = [
        make_comment(site, parent=top, text=f"Reply {i}.", author_name=people[i % 3][0], author_email=people[i % 3][1])
        for i in range(15)
    ]
    branch_conversations_refresh(root_id=top.pk)
    assert "Ann" in json.dumps(list(Conversation.objects.values_list("authors", flat=True)))
    told: list[int] = []
    monkeypatch.setitem(events.AFTER_COMMIT, Event.COMMENT_DELETED, [lambda c: told.append(c.pk)])

    with django_capture_on_commit_callbacks(execute=True):
        privacy.privacy_erase(whose=privacy.whose_email(site=site, email=EMAIL))

    assert sorted(told) == [r.pk for r in replies[::3]]  # each of Ann's replies, once
    conversations = json.dumps(list(Conversation.objects.values_list("authors", flat=True)))
    assert "Ann" not in conversations and replies[0].author_key not in conversations


def test_erasure_by_browser_takes_the_unconfirmed_address_it_typed_not_a_confirmed_one(site: Site) -> None:
    ann = Client(REMOTE_ADDR="10.0.0.1")
    token = ann.post("/api/v1/tokens").json()["token"]
    post(ann, token, "Tell me about replies, please.", author_email=EMAIL, notify=True)
    post(ann, token, "Typed someone else's confirmed address.", author_email="owner@example.org")
    email_address_register(site=site, email=EMAIL)  # as asking for replies leaves it
    owner, _ = email_address_register(site=site, email="owner@example.org")
    email_address_confirm(token=email_confirmation_token(address=owner))

    counts = privacy.privacy_erase(whose=privacy.whose_reader(site=site, reader=tokens.reader_id(token)))

    assert counts["unconfirmed_addresses"] == 1
    assert not EmailAddress.objects.filter(digest=email_digest(EMAIL)).exists()
    assert EmailAddress.objects.filter(digest=email_digest("owner@example.org")).exists()
