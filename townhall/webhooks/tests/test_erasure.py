"""Erasure reaches the webhooks' stored bodies: delivered, still to be attempted, and fan-outs
still queued."""

from __future__ import annotations

import json

from django_tasks_db.models import DBTaskResult

from townhall.comments.models import Comment, Site
from townhall.core.testing import PAGE
from townhall.moderators.privacy import privacy_erase, whose_email
from townhall.posting.services import comment_create
from townhall.webhooks import tasks
from townhall.webhooks.models import SUBSCRIBABLE, Delivery
from townhall.webhooks.services import endpoint_create
from townhall.webhooks.tests.conftest import Receiver, TaskWorker

EMAIL = "ann.erased@example.org"


def post(site: Site, text: str, *, name: str, email: str = "") -> Comment:
    return comment_create(site=site, url=PAGE, text=text, author_name=name, author_email=email, ip="10.0.0.1").comment


def of(comment: Comment) -> str:
    return f'"comment":{{"id":{comment.pk},'


def test_erasure_blanks_the_bodies_that_carry_the_reader_s_comments(
    site: Site, receiver: Receiver, worker: TaskWorker
) -> None:
    endpoint_create(actor=None, site=site, url=receiver.url, events=list(SUBSCRIBABLE))
    ann = post(site, "Ann's secret opinion on the budget.", name="Ann Erased", email=EMAIL)
    other = post(site, "Someone else's words stay as they were sent.", name="Bob")
    worker.drain()  # both fanned out and delivered
    assert Delivery.objects.count() == 2
    later = post(site, "Ann again, not yet fanned out.", name="Ann Erased", email=EMAIL)

    counts = privacy_erase(whose=whose_email(site=site, email=EMAIL))

    # Ann's delivery, her fan-out that ran and the one still queued.
    assert counts["webhook_bodies"] == 3
    kept = Delivery.objects.get(body__contains=of(other))
    assert "Someone else" in kept.body and "Bob" in kept.body
    erased = json.loads(Delivery.objects.get(body__contains=of(ann)).body)["data"]["comment"]
    assert erased["author"] is None and erased["text"] == "" and erased["html"] == ""
    fan_outs = [r.args_kwargs["args"][3] for r in DBTaskResult.objects.filter(task_path=tasks.webhook_fan_out.module_path)]
    assert any(of(later) in body for body in fan_outs)
    assert not any("Ann" in body for body in fan_outs)
    # Receivers are told: each of Ann's comments is now deleted.
    deleted = [json.loads(b)["data"]["comment"]["id"] for b in fan_outs if '"type":"comment.deleted"' in b]
    assert sorted(deleted) == [ann.pk, later.pk]
    assert not any("Ann" in d.body for d in Delivery.objects.all())
