"""Every named event reaches a subscribed endpoint, signed, after the write and never during it;
the payload says what the comment was and nothing private."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.test import Client

from townhall.comments.models import Comment, Site, Status
from townhall.comments.services import comment_delete, comment_set_status
from townhall.comments.tests.factories import make_comment
from townhall.core import tokens
from townhall.core.testing import ORIGIN, PAGE, post_json
from townhall.moderation.flamewar import flamewar_open
from townhall.posting.services import comment_edit, comment_report
from townhall.webhooks.models import SUBSCRIBABLE, Delivery, DeliveryStatus
from townhall.webhooks.services import endpoint_create
from townhall.webhooks.tests.conftest import Receiver, TaskWorker

PRIVATE_EMAIL = "only-for-replies@example.org"
PRIVATE_IP = "198.51.100.77"


def subscribe(site: Site, receiver: Receiver, events: list[str] | None = None) -> None:
    endpoint = endpoint_create(actor=None, site=site, url=receiver.url, events=events or list(SUBSCRIBABLE))
    receiver.secret = endpoint.secret


def test_a_posted_comment_is_sent_signed_by_the_worker_and_never_during_the_post(
    site: Site, receiver: Receiver, worker: TaskWorker,
) -> None:
    subscribe(site, receiver)
    r = post_json(Client(REMOTE_ADDR=PRIVATE_IP), "/api/v1/comments", {
        "site": "blog", "url": PAGE, "text": "Well *argued*.", "author_name": "Ann",
        "author_email": PRIVATE_EMAIL, "author_website": "ann.example",
    }, Origin=ORIGIN)
    assert r.status_code == 201, r.content
    # The post stored the event (one task row) and sent nothing. (No notify: asking for replies
    # would queue the address's confirmation mail as well.)
    assert receiver.received == [] and worker.pending() == 1
    assert worker.drain() == 2  # the fan-out, then the delivery
    [got] = receiver.received
    assert got.verified and got.headers["webhook-id"].startswith("msg_")
    assert got.headers["content-type"] == "application/json"
    body = got.json
    assert body["type"] == "comment.published" and body["timestamp"].endswith("Z")
    comment = body["data"]["comment"]
    assert comment["id"] == r.json()["id"] and comment["status"] == "published" and comment["site"] == "blog"
    assert comment["author"]["name"] == "Ann" and comment["author"]["website"] == "https://ann.example"
    assert comment["text"] == "Well *argued*." and "<em>argued</em>" in comment["html"]
    assert comment["url"] == f"{PAGE}#comment-{comment['id']}" and comment["thread"]["url"] == PAGE
    assert PRIVATE_EMAIL not in got.body.decode() and PRIVATE_IP not in got.body.decode()
    assert "email" not in got.body.decode() and '"ip"' not in got.body.decode()
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_each_event_type_arrives_as_it_happens(site: Site, receiver: Receiver, worker: TaskWorker) -> None:
    subscribe(site, receiver)
    held = make_comment(site, text="Held for a look.", status=Status.PENDING, author_name="Bo")
    comment_set_status(comment=held, status=Status.PUBLISHED)
    other = make_comment(site, text="Another view.", author_name="Cy", author_email=PRIVATE_EMAIL)
    comment_set_status(comment=other, status=Status.REJECTED)
    token = tokens.edit_token_issue(held.pk)
    comment_edit(comment_id=held.pk, edit_token=token, text="Held for a look, edited.")
    comment_report(comment_id=held.pk, reader=None, ip=PRIVATE_IP, reason="off_topic")
    mine = make_comment(site, text="Soon gone.", author_name="Di")
    comment_delete(comment_id=mine.pk, edit_token=tokens.edit_token_issue(mine.pk))
    root = make_comment(site, text="Start.", author_name="Ay")
    reply = make_comment(site, parent=root, text="Reply.", author_name="Bee")
    with transaction.atomic():
        war = flamewar_open(site=site, comment=reply, found={
            "anchor_path": root.path, "comments": [root.pk], "authors": ["Ay", "Bee"], "hostile": [root.pk],
            "rising": True,
        })
    worker.drain()
    assert all(r.verified for r in receiver.received)
    seen = [(r.json["type"], r.json["data"]) for r in receiver.received]
    kinds = [kind for kind, _ in seen]
    for expected in SUBSCRIBABLE:
        assert expected in kinds, (expected, kinds)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for kind, data in seen:
        by_type.setdefault(kind, []).append(data)
    assert by_type["comment.held"][0]["comment"]["id"] == held.pk
    assert by_type["comment.held"][0]["comment"]["status"] == "pending"
    assert {d["comment"]["id"] for d in by_type["comment.rejected"]} == {other.pk}
    edited = by_type["comment.edited"][0]["comment"]
    assert edited["text"] == "Held for a look, edited." and edited["edited"] is not None
    reported = by_type["comment.reported"][0]["comment"]
    assert reported["id"] == held.pk and reported["report_count"] == 1
    deleted = by_type["comment.deleted"][0]["comment"]
    assert deleted["id"] == mine.pk and deleted["author"] is None and deleted["text"] == "" and deleted["html"] == ""
    flamewar = by_type["flamewar.detected"][0]["flamewar"]
    assert flamewar["id"] == war.pk and flamewar["participants"] == ["Ay", "Bee"]
    assert flamewar["root_comment"] == root.pk and flamewar["thread"]["url"] == PAGE
    everything = b" ".join(r.body for r in receiver.received).decode()
    assert PRIVATE_EMAIL not in everything and PRIVATE_IP not in everything


def test_the_payload_is_the_comment_at_the_event_not_when_the_worker_runs(
    site: Site, receiver: Receiver, worker: TaskWorker,
) -> None:
    subscribe(site, receiver, ["comment.published"])
    comment = make_comment(site, text="First words.")
    Comment.objects.filter(pk=comment.pk).update(text="Changed before the worker ran.")
    worker.drain()
    assert receiver.received[0].json["data"]["comment"]["text"] == "First words."


def test_an_endpoint_gets_only_the_events_it_chose(site: Site, receiver: Receiver, worker: TaskWorker) -> None:
    subscribe(site, receiver, ["comment.held"])
    make_comment(site, text="Published: not wanted.")
    make_comment(site, text="Held: wanted.", status=Status.PENDING)
    worker.drain()
    assert [r.json["type"] for r in receiver.received] == ["comment.held"]


def test_a_site_without_endpoints_costs_no_task(site: Site, worker: TaskWorker) -> None:
    make_comment(site, text="Nobody listens.")
    assert worker.pending() == 0
